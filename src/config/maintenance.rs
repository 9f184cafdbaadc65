//! `[[maintenance]]`: windows that recur, validated into [`Window`]s (what they mean is
//! [`crate::maintenance`]'s). Every problem names the key and its line.

use chrono::NaiveTime;
use toml::Spanned;

use super::duration::{format_duration, parse, DurationError};
use super::raw::RawMaintenance;
use super::sections::KeyError;
use super::{ConfigError, Span, Target};
use crate::maintenance::{Window, DAY_NAMES, MAX_DURATION};

/// Every `[[maintenance]]`, for the configured `targets`.
pub(super) fn windows(
    raw: Vec<Spanned<RawMaintenance>>,
    targets: &[Target],
    key_error: &impl KeyError,
) -> Result<Vec<Window>, ConfigError> {
    raw.into_iter()
        .map(|spanned| window(spanned, targets, key_error))
        .collect()
}

/// One `[[maintenance]]`, its keys checked in the order they are written.
fn window(
    spanned: Spanned<RawMaintenance>,
    targets: &[Target],
    key_error: &impl KeyError,
) -> Result<Window, ConfigError> {
    let table = spanned.span();
    let raw = spanned.into_inner();
    Ok(Window {
        targets: names(raw.targets, targets, table.clone(), key_error)?,
        days: days(raw.days, key_error)?,
        start: start(raw.start, table.clone(), key_error)?,
        duration: duration(raw.duration, table, key_error)?,
        reason: match raw.reason {
            Some(r) if r.get_ref().trim().is_empty() => {
                return Err(key_error(
                    r.span(),
                    "maintenance.reason",
                    "must not be empty (leave it out for none)".into(),
                ))
            }
            r => r.map(Spanned::into_inner),
        },
    })
}

/// `targets`: configured names, or `["*"]` for every target (`None`).
fn names(
    list: Option<Spanned<Vec<Spanned<String>>>>,
    targets: &[Target],
    table: Span,
    key_error: &impl KeyError,
) -> Result<Option<Vec<String>>, ConfigError> {
    const KEY: &str = "maintenance.targets";
    let list = list.ok_or_else(|| {
        key_error(
            table,
            KEY,
            "missing: name the targets, or [\"*\"] for all".into(),
        )
    })?;
    let span = list.span();
    let names = list.into_inner();
    if names.is_empty() {
        return Err(key_error(
            span,
            KEY,
            "is empty: name the targets, or [\"*\"] for all".into(),
        ));
    }
    if names.iter().any(|n| n.get_ref() == "*") {
        return match names.len() {
            1 => Ok(None),
            _ => Err(key_error(
                span,
                KEY,
                "\"*\" is every target: give it alone".into(),
            )),
        };
    }
    for name in &names {
        if !targets.iter().any(|t| &t.name == name.get_ref()) {
            return Err(key_error(
                name.span(),
                KEY,
                format!("{:?} is not a configured target", name.get_ref()),
            ));
        }
    }
    Ok(Some(names.into_iter().map(Spanned::into_inner).collect()))
}

/// `days`: the days it starts on (`Mon`..`Sun`); omitted: every day.
fn days(
    list: Option<Spanned<Vec<Spanned<String>>>>,
    key_error: &impl KeyError,
) -> Result<[bool; 7], ConfigError> {
    const KEY: &str = "maintenance.days";
    let Some(list) = list else {
        return Ok([true; 7]);
    };
    if list.get_ref().is_empty() {
        return Err(key_error(
            list.span(),
            KEY,
            "is empty: leave it out for every day".into(),
        ));
    }
    let mut days = [false; 7];
    for day in list.get_ref() {
        let at = DAY_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(day.get_ref()))
            .ok_or_else(|| {
                key_error(
                    day.span(),
                    KEY,
                    format!(
                        "{:?} is not a day: use {}",
                        day.get_ref(),
                        DAY_NAMES.join(", ")
                    ),
                )
            })?;
        days[at] = true;
    }
    Ok(days)
}

/// `start`: a local time of day, `HH:MM` from 00:00 to 23:59.
fn start(
    text: Option<Spanned<String>>,
    table: Span,
    key_error: &impl KeyError,
) -> Result<NaiveTime, ConfigError> {
    const KEY: &str = "maintenance.start";
    let text = text.ok_or_else(|| key_error(table, KEY, "missing: e.g. \"03:00\"".into()))?;
    let value = text.get_ref();
    let well_formed = value.len() == 5
        && value.as_bytes()[2] == b':'
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 2 || b.is_ascii_digit());
    well_formed
        .then(|| NaiveTime::parse_from_str(value, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| {
            key_error(
                text.span(),
                KEY,
                format!("{value:?} is not a time of day: write HH:MM, e.g. \"03:00\""),
            )
        })
}

/// `duration`: more than zero, at most 7 days.
fn duration(
    text: Option<Spanned<String>>,
    table: Span,
    key_error: &impl KeyError,
) -> Result<std::time::Duration, ConfigError> {
    const KEY: &str = "maintenance.duration";
    let text = text.ok_or_else(|| key_error(table, KEY, "missing: e.g. \"1h\"".into()))?;
    let too_long = || {
        key_error(
            text.span(),
            KEY,
            format!("must be at most {}", format_duration(MAX_DURATION)),
        )
    };
    match parse(text.get_ref()) {
        Ok(d) if d.is_zero() => Err(key_error(text.span(), KEY, "must be more than zero".into())),
        Ok(d) if d > MAX_DURATION => Err(too_long()),
        Ok(d) => Ok(d),
        Err(DurationError::TooLong) => Err(too_long()),
        Err(DurationError::Invalid) => Err(key_error(
            text.span(),
            KEY,
            format!(
                "{:?} is not a duration: write e.g. \"30m\", \"1h\", \"1d\"",
                text.get_ref()
            ),
        )),
    }
}
