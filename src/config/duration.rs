//! Durations as the config writes them: `500ms`, `10s`, `2m`, `1h`, or sums such as
//! `1m30s`; parsed, shown, and read from a key with its limits.

use std::time::Duration;

use toml::Spanned;

use super::{ConfigError, Span};

/// `500ms`, `10s`, `2m`, `1h`, and sums of them such as `1m30s`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" | "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return None,
        };
        total = total.checked_add(unit.checked_mul(u32::try_from(number).ok()?)?)?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// Shows a duration the way the config writes it: `1h2m`, `12m39s`, `41s`, `500ms`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.subsec_millis());
    }
    let (days, hours, minutes, seconds) =
        (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (value, unit) in [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

pub(super) fn duration_or(
    value: &Option<Spanned<String>>,
    key: &str,
    default: Duration,
    err: &impl Fn(Span, &str, String) -> ConfigError,
    zero_ok: bool,
) -> Result<Duration, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    match parse_duration(value.get_ref()) {
        Some(d) if d.is_zero() && !zero_ok => {
            Err(err(value.span(), key, "must be more than zero".into()))
        }
        Some(d) if d > Duration::from_secs(3600) => {
            Err(err(value.span(), key, "must be at most 1h".into()))
        }
        Some(d) => Ok(d),
        None => Err(err(
            value.span(),
            key,
            format!(
                "{:?} is not a duration: write e.g. \"500ms\", \"10s\", \"2m\"",
                value.get_ref()
            ),
        )),
    }
}
