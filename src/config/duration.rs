//! Durations as vigia reads and writes them: `500ms`, `10s`, `2m`, `1h`, `1d`, or sums
//! such as `1m30s` and `1d12h`; parsed (with a clear refusal of what overflows), shown
//! so that the text parses back to the same value, added to a time without panicking,
//! and read from a config key with its limits.

use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta};
use toml::Spanned;

use super::{ConfigError, Span};

/// The units a duration is written in, with their length in milliseconds. `format_duration`
/// writes the same units, so everything vigia prints parses back.
const UNITS: [(&str, u64); 6] = [
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("min", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Why a text is not a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// Not made of `<number><unit>` parts.
    Invalid,
    /// Well-formed, but longer than any time vigia can count.
    TooLong,
}

/// `500ms`, `10s`, `2m` (or `2min`), `1h`, `1d`, and sums of them such as `1m30s`.
#[cfg(test)]
pub fn parse_duration(text: &str) -> Option<Duration> {
    parse(text).ok()
}

/// Like [`parse_duration`], and says whether a refused text is malformed or too long.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Invalid);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(DurationError::Invalid);
        }
        let number = &rest[..digits];
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let Some(&(_, millis)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(DurationError::Invalid);
        };
        // Only digits are left, so a failed parse is a number too big for any unit.
        let number: u64 = number.parse().map_err(|_| DurationError::TooLong)?;
        let part = if millis == 1 {
            Duration::from_millis(number)
        } else {
            Duration::from_secs(
                number
                    .checked_mul(millis / 1000)
                    .ok_or(DurationError::TooLong)?,
            )
        };
        total = total.checked_add(part).ok_or(DurationError::TooLong)?;
    }
    Ok(total)
}

/// Shows how long a state lasted, from the log's whole-second times: under a second
/// (a recovery within the second the outage began) is `<1s`, never an invented `0ms`.
pub fn format_elapsed(d: Duration) -> String {
    match d < Duration::from_secs(1) {
        true => "<1s".to_owned(),
        false => format_duration(Duration::from_secs(d.as_secs())),
    }
}

/// Shows a duration the way the config writes it: `1d1h`, `12m39s`, `41s`, `1s500ms`,
/// `500ms`, exact to the millisecond, so that [`parse`] reads back the same value.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let millis = d.subsec_millis();
    if secs == 0 {
        return format!("{millis}ms");
    }
    let (days, hours, minutes, seconds) =
        (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (value, unit) in [
        (days, "d"),
        (hours, "h"),
        (minutes, "m"),
        (seconds, "s"),
        (u64::from(millis), "ms"),
    ] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

/// `now + d`, or `None` when the end is past what vigia can store and show: after the
/// year 9999 (RFC 3339 has four digits for the year) or beyond `chrono`'s range, which
/// would otherwise panic.
pub fn time_after(now: DateTime<FixedOffset>, d: Duration) -> Option<DateTime<FixedOffset>> {
    let end = now.checked_add_signed(TimeDelta::from_std(d).ok()?)?;
    (end.year() <= 9999).then_some(end)
}

/// Like [`parse_duration`], but a well-formed duration too long to count is
/// `Duration::MAX`: for a caller whose own limit then refuses it in its own words
/// (`mute --for`: "too long"), rather than calling it "not a duration".
pub fn parse_duration_saturating(text: &str) -> Option<Duration> {
    match parse(text) {
        Ok(d) => Some(d),
        Err(DurationError::TooLong) => Some(Duration::MAX),
        Err(DurationError::Invalid) => None,
    }
}

/// The examples every "not a duration" message gives; a test parses each.
pub(super) const EXAMPLES: &str = "\"500ms\", \"10s\", \"2m\"";

/// The longest a per-request duration (`timeout`, `retry_delay`) may be.
const MAX_KEY: Duration = Duration::from_secs(3600);

pub(super) fn duration_or(
    value: &Option<Spanned<String>>,
    key: &str,
    default: Duration,
    key_error: &impl Fn(Span, &str, String) -> ConfigError,
    zero_ok: bool,
) -> Result<Duration, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    let at_most = || format!("must be at most {}", format_duration(MAX_KEY));
    match parse(value.get_ref()) {
        Ok(d) if d.is_zero() && !zero_ok => Err(key_error(
            value.span(),
            key,
            "must be more than zero".into(),
        )),
        Ok(d) if d > MAX_KEY => Err(key_error(value.span(), key, at_most())),
        Ok(d) => Ok(d),
        Err(DurationError::TooLong) => Err(key_error(value.span(), key, at_most())),
        Err(DurationError::Invalid) => Err(key_error(
            value.span(),
            key,
            format!(
                "{:?} is not a duration: write e.g. {EXAMPLES}",
                value.get_ref()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Env};

    const MS: u64 = 1;
    const SEC: u64 = 1000;
    const MIN: u64 = 60 * SEC;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn units_and_sums() {
        for (text, want) in [
            ("500ms", 500 * MS),
            ("10s", 10 * SEC),
            ("2m", 2 * MIN),
            ("2min", 2 * MIN),
            ("90m", 90 * MIN),
            ("1h", HOUR),
            ("1d", DAY),
            ("7d", 7 * DAY),
            ("1d12h", DAY + 12 * HOUR),
            ("1h30m", HOUR + 30 * MIN),
            ("1m30s", MIN + 30 * SEC),
            ("1s500ms", SEC + 500),
            ("1d2h3m4s5ms", DAY + 2 * HOUR + 3 * MIN + 4 * SEC + 5),
            ("0s", 0),
            (" 4h ", 4 * HOUR),
        ] {
            assert_eq!(parse(text), Ok(ms(want)), "{text}");
            assert_eq!(parse_duration(text), Some(ms(want)), "{text}");
        }
    }

    #[test]
    fn malformed_texts_are_refused() {
        for bad in [
            "", " ", "10", "s", "d", "1x", "-1s", "+1s", "1.5s", "10 s", "1d 2h", "1dd", "1D",
            "1 d", "1w", "1y", "ms", "1s2", "½h", "1e3s",
        ] {
            assert_eq!(parse(bad), Err(DurationError::Invalid), "{bad:?}");
            assert_eq!(parse_duration(bad), None, "{bad:?}");
            assert_eq!(parse_duration_saturating(bad), None, "{bad:?}");
        }
    }

    /// Every unit, at the largest number it is written with and beyond: what fits in a
    /// `Duration` parses, what does not is "too long", never a panic or a wrap.
    #[test]
    fn huge_values_in_every_unit() {
        let max = u64::MAX;
        assert_eq!(parse(&format!("{max}ms")), Ok(ms(max)));
        assert_eq!(parse(&format!("{max}s")), Ok(Duration::from_secs(max)));
        for unit in ["m", "min", "h", "d"] {
            assert_eq!(
                parse(&format!("{max}{unit}")),
                Err(DurationError::TooLong),
                "{unit}"
            );
        }
        for unit in ["ms", "s", "m", "min", "h", "d"] {
            for text in [
                format!("18446744073709551616{unit}"),
                format!("{}{unit}", "9".repeat(40)),
                format!("{max}s{}{unit}", if unit == "ms" { 1000 } else { 1 }),
            ] {
                assert_eq!(parse(&text), Err(DurationError::TooLong), "{text}");
                assert_eq!(parse_duration(&text), None, "{text}");
                assert_eq!(
                    parse_duration_saturating(&text),
                    Some(Duration::MAX),
                    "{text}"
                );
            }
        }
        // The largest of each unit that fits.
        for (text, secs) in [
            (format!("{}m", max / 60), max / 60 * 60),
            (format!("{}h", max / 3600), max / 3600 * 3600),
            (format!("{}d", max / 86400), max / 86400 * 86400),
            ("4294967295h".to_owned(), 4_294_967_295 * 3600),
        ] {
            assert_eq!(parse(&text), Ok(Duration::from_secs(secs)), "{text}");
        }
    }

    /// Everything vigia prints as a duration comes from `format_duration`: each of these
    /// parses back to the value shown (to the millisecond, which is all it shows).
    #[test]
    fn every_printed_duration_parses_back() {
        let mut table: Vec<Duration> = [
            0,
            1,
            250,
            999,
            SEC,
            SEC + 500,
            41 * SEC,
            12 * MIN + 39 * SEC,
            90 * MIN,
            HOUR,
            DAY - 1,
            DAY,
            DAY + 12 * HOUR,
            DAY + HOUR + MIN + SEC + 1,
            30 * DAY,
            365 * DAY,
            4_294_967_295 * HOUR,
            u64::MAX,
        ]
        .into_iter()
        .map(ms)
        .collect();
        table.extend([
            Duration::from_secs(u64::MAX),
            Duration::MAX,
            Duration::from_nanos(1_500_000_001),
            crate::config::DEFAULT_TIMEOUT,
            crate::config::DEFAULT_RETRY_DELAY,
            crate::config::DEFAULT_API_TIMEOUT,
            crate::config::DEFAULT_HEARTBEAT_TIMEOUT,
            crate::budget::MAX_PROBE,
            crate::budget::MAX_API_TIMEOUT,
            crate::budget::LOCK_WAIT_BY_HAND,
            MAX_KEY,
        ]);
        for d in table {
            let text = format_duration(d);
            let shown = Duration::new(d.as_secs(), d.subsec_millis() * 1_000_000);
            assert_eq!(parse(&text), Ok(shown), "{d:?} printed as {text:?}");
        }
        assert_eq!(format_duration(ms(12 * MIN + 39 * SEC)), "12m39s");
        assert_eq!(format_duration(ms(DAY + 12 * HOUR)), "1d12h");
        assert_eq!(format_duration(ms(90 * MIN)), "1h30m");
        assert_eq!(format_duration(ms(SEC + 500)), "1s500ms");
        assert_eq!(format_duration(Duration::ZERO), "0ms");
    }

    /// A mute's end: a time after the year 9999 (which RFC 3339 cannot write) or past
    /// `chrono`'s range is `None`, in every unit, instead of a panic.
    #[test]
    fn a_time_after_a_huge_duration_is_none_not_a_panic() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T21:00:00-03:00").unwrap();
        assert_eq!(
            time_after(now, ms(DAY + 12 * HOUR)),
            DateTime::parse_from_rfc3339("2026-12-03T09:00:00-03:00").ok()
        );
        let last = DateTime::parse_from_rfc3339("9999-12-31T23:59:59-03:00").unwrap();
        let to_last = (last - now).to_std().unwrap();
        assert_eq!(time_after(now, to_last), Some(last));
        assert_eq!(time_after(now, to_last + ms(SEC)), None);
        for text in [
            "3000000d",
            "72000000h",
            "4294967295h",
            "4320000000m",
            "4320000000min",
            "259200000000s",
            "259200000000000ms",
            "18446744073709551615s",
            "18446744073709551615ms",
            "213503982334601d",
        ] {
            let d = parse(text).unwrap();
            assert_eq!(time_after(now, d), None, "{text}");
        }
        assert_eq!(time_after(now, Duration::MAX), None);
        let edge = DateTime::<chrono::Utc>::MAX_UTC.fixed_offset();
        assert_eq!(time_after(edge, ms(1)), None, "chrono's own end");
    }

    /// Every config key that holds a duration takes `d`, and refuses what overflows
    /// with its usual words (exit 78), in `[check]` and in a target.
    #[test]
    fn config_keys_take_days_and_refuse_overflow() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let load = |text: &str| {
            std::fs::write(&path, text).unwrap();
            Config::load(&path, &Env::default()).map_err(|e| e.to_string())
        };
        let target = "[[target]]\nname = \"web\"\nurl = \"http://127.0.0.1/\"\n";
        let config = load(&format!("[check]\nremind_every = \"1d12h\"\n{target}")).unwrap();
        assert_eq!(config.targets[0].remind_every, Some(ms(DAY + 12 * HOUR)));
        let config = load(&format!("{target}remind_every = \"2d\"\n")).unwrap();
        assert_eq!(config.targets[0].remind_every, Some(ms(2 * DAY)));
        let huge = "99999999999999999999999d";
        for (text, says) in [
            (
                format!("[check]\nremind_every = \"{huge}\"\n"),
                "check.remind_every: is too long",
            ),
            (
                format!("{target}remind_every = \"{huge}\"\n"),
                "remind_every: is too long",
            ),
            (
                format!("[check]\ntimeout = \"{huge}\"\n"),
                "check.timeout: must be at most 1h",
            ),
            (
                "[check]\nretry_delay = \"1d\"\n".to_owned(),
                "check.retry_delay: must be at most 1h",
            ),
            (
                format!("{target}timeout = \"{huge}\"\n"),
                "timeout: must be at most 1h",
            ),
            (
                format!("[telegram]\ntoken = \"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\"\nchat_id = 1\ntimeout = \"{huge}\"\n"),
                "telegram.timeout: must be at most 1h",
            ),
            (
                format!("[heartbeat]\nurl = \"http://127.0.0.1/\"\ntimeout = \"{huge}\"\n"),
                "heartbeat.timeout: must be at most 1h",
            ),
        ] {
            let err = load(&text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    /// The examples vigia suggests (`--help`, both config error messages, the man page
    /// and the template) are durations it takes.
    #[test]
    fn every_suggested_example_parses() {
        fn examples(text: &str) -> Vec<String> {
            let after = text
                .split("e.g.")
                .nth(1)
                .unwrap_or_else(|| panic!("no e.g. in {text:?}"));
            let end = after.find([')', ';', '\n']).unwrap_or(after.len());
            after[..end]
                .split(',')
                .map(|s| s.trim().trim_matches('"').to_owned())
                .collect()
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let mut texts = Vec::new();
        for key in ["timeout", "remind_every"] {
            std::fs::write(&path, format!("[check]\n{key} = \"soon\"\n")).unwrap();
            texts.push(
                Config::load(&path, &Env::default())
                    .unwrap_err()
                    .to_string(),
            );
        }
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let mute = cli.find_subcommand("mute").unwrap();
        let arg = mute
            .get_arguments()
            .find(|a| a.get_id() == "duration")
            .unwrap();
        texts.push(arg.get_help().unwrap().to_string());
        let mut seen = 0;
        for text in &texts {
            for example in examples(text) {
                assert!(parse(&example).is_ok(), "{example:?} from {text:?}");
                seen += 1;
            }
        }
        assert!(seen >= 9, "{texts:?}");
    }
}
