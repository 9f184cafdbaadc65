//! `[status_page]` and `[report]`: what vigia shows beyond the chat's alerts — a static
//! HTML page written after runs, and a scheduled uptime report sent to the chat (README
//! "Status page", "Report"). Each section is validated by its own function.

use std::path::PathBuf;

use chrono::NaiveTime;
use toml::Spanned;

use super::raw::{RawReport, RawStatusPage};
use super::sections::KeyError;
use super::ConfigError;

/// `[status_page]`: where the page is written and what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusPage {
    /// Absolute; its directory must exist (the page is renamed into it).
    pub file: PathBuf,
    /// The page's heading; `None`: "<host name> status".
    pub title: Option<String>,
    /// Show each target's URL (passwords masked); default: names only.
    pub show_urls: bool,
}

/// How often the report goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Daily,
    Weekly,
    Monthly,
}

impl Every {
    pub fn as_str(self) -> &'static str {
        match self {
            Every::Daily => "daily",
            Every::Weekly => "weekly",
            Every::Monthly => "monthly",
        }
    }
}

/// `[report]`: a scheduled uptime report in the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub every: Every,
    /// Local time of day it is due (weekly on Mondays, monthly on the 1st).
    pub at: NaiveTime,
}

/// The default time of day a report is due.
pub const DEFAULT_REPORT_AT: &str = "09:00";

pub(super) fn status_page(
    raw: Option<Spanned<RawStatusPage>>,
    key_error: &impl KeyError,
) -> Result<Option<StatusPage>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let span = raw.span();
    let raw = raw.into_inner();
    let file = raw.file.ok_or_else(|| {
        key_error(
            span.clone(),
            "status_page.file",
            "is missing: the page's absolute path".into(),
        )
    })?;
    let path = PathBuf::from(file.get_ref());
    if !path.is_absolute() || path.file_name().is_none() {
        return Err(key_error(
            file.span(),
            "status_page.file",
            format!("{:?} must be an absolute path to a file", file.get_ref()),
        ));
    }
    let title = match raw.title {
        Some(t) if t.get_ref().trim().is_empty() => {
            return Err(key_error(
                t.span(),
                "status_page.title",
                "must not be empty".into(),
            ))
        }
        t => t.map(Spanned::into_inner),
    };
    Ok(Some(StatusPage {
        file: path,
        title,
        show_urls: raw.show_urls.is_some_and(|s| s.into_inner()),
    }))
}

pub(super) fn report(
    raw: Option<Spanned<RawReport>>,
    key_error: &impl KeyError,
) -> Result<Option<Report>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let span = raw.span();
    let raw = raw.into_inner();
    let every = raw.every.ok_or_else(|| {
        key_error(
            span.clone(),
            "report.every",
            "is missing: \"daily\", \"weekly\" or \"monthly\"".into(),
        )
    })?;
    let every = match every.get_ref().as_str() {
        "daily" => Every::Daily,
        "weekly" => Every::Weekly,
        "monthly" => Every::Monthly,
        other => {
            return Err(key_error(
                every.span(),
                "report.every",
                format!("{other:?} is not \"daily\", \"weekly\" or \"monthly\""),
            ))
        }
    };
    let at = match raw.at {
        None => NaiveTime::parse_from_str(DEFAULT_REPORT_AT, "%H:%M").expect("a time"),
        Some(at) => NaiveTime::parse_from_str(at.get_ref(), "%H:%M").map_err(|_| {
            key_error(
                at.span(),
                "report.at",
                format!("{:?} is not a time of day like \"09:00\"", at.get_ref()),
            )
        })?,
    };
    Ok(Some(Report { every, at }))
}
