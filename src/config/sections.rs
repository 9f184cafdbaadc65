//! One function per section of the config file, each turning its raw TOML into the
//! typed values (tealdeer's `From<RawX>` habit): `[check]`, the paths, every
//! `[[target]]`, the canaries, `[telegram]`, `[heartbeat]` and `[metrics]`. Every problem
//! is a [`ConfigError`] naming the key and its line.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::duration::{duration_or, format_duration};
use super::raw::{RawAlertmanager, RawFleet};
use super::raw::{RawCheck, RawHeartbeat, RawMetrics, RawTarget, RawTelegram};
use super::target::{http_url, parse_url, validate_name, ParsedUrl};
use super::{
    readable_by_others, CheckDefaults, ConfigError, Endpoint, Heartbeat, Span, Target, Telegram,
};
use super::{Alertmanager, Flapping, Thresholds, DEFAULT_ALERTMANAGER_TIMEOUT};
use super::{IpFamily, DEFAULT_CERT_WARN_DAYS, DEFAULT_HEARTBEAT_TIMEOUT};
use super::{DEFAULT_API_TIMEOUT, DEFAULT_API_URL, DEFAULT_ATTEMPTS, DEFAULT_PARALLEL};
use super::{DEFAULT_PARALLEL_PER_HOST, DEFAULT_RETRY_DELAY, DEFAULT_TIMEOUT};
use crate::budget;
use crate::secret::{mask_written_url, Token};

/// Builds the error for a key at a place in the file.
pub(super) trait KeyError: Fn(Span, &str, String) -> ConfigError {}
impl<F: Fn(Span, &str, String) -> ConfigError> KeyError for F {}

/// `[check]`: the defaults every target starts from.
pub(super) fn check(
    raw: &RawCheck,
    key_error: &impl KeyError,
) -> Result<CheckDefaults, ConfigError> {
    Ok(CheckDefaults {
        timeout: duration_or(
            &raw.timeout,
            "check.timeout",
            DEFAULT_TIMEOUT,
            key_error,
            false,
        )?,
        attempts: attempts_or(&raw.attempts, "check.attempts", DEFAULT_ATTEMPTS, key_error)?,
        retry_delay: duration_or(
            &raw.retry_delay,
            "check.retry_delay",
            DEFAULT_RETRY_DELAY,
            key_error,
            true,
        )?,
        parallel: count_or(
            &raw.parallel,
            "check.parallel",
            DEFAULT_PARALLEL,
            4096,
            key_error,
        )?,
        parallel_per_host: count_or(
            &raw.parallel_per_host,
            "check.parallel_per_host",
            DEFAULT_PARALLEL_PER_HOST,
            64,
            key_error,
        )?,
        remind_every: interval(&raw.remind_every, "check.remind_every", key_error)?,
        cert_warn_days: match &raw.cert_warn_days {
            None => DEFAULT_CERT_WARN_DAYS.to_vec(),
            some => warn_days(some, "check.cert_warn_days", key_error)?,
        },
        thresholds: thresholds(
            ThresholdKeys {
                confirm: &raw.confirm,
                recover: &raw.recover,
                flapping: &raw.flapping,
                slow: &raw.slow,
            },
            &|field| format!("check.{field}"),
            Thresholds::default(),
            key_error,
        )?,
        domain_warn_days: match &raw.domain_warn_days {
            None => Vec::new(),
            some => warn_days(some, "check.domain_warn_days", key_error)?,
        },
        rdap_url: rdap_url(&raw.rdap_url, key_error)?,
    })
}

/// The keys of [`Thresholds`] as `[check]` or a `[[target]]` holds them.
struct ThresholdKeys<'a> {
    confirm: &'a Option<Spanned<i64>>,
    recover: &'a Option<Spanned<i64>>,
    flapping: &'a Option<Spanned<String>>,
    slow: &'a Option<Spanned<String>>,
}

/// The longest window `flapping` may count changes in.
const MAX_FLAPPING_WITHIN: Duration = Duration::from_secs(24 * 3600);

/// `confirm`, `recover`, `flapping` and `slow`, each over `base` where given.
fn thresholds(
    raw: ThresholdKeys,
    key: &dyn Fn(&str) -> String,
    base: Thresholds,
    key_error: &impl KeyError,
) -> Result<Thresholds, ConfigError> {
    let runs = |value: &Option<Spanned<i64>>, field: &str, default: u32| match value {
        None => Ok(default),
        Some(v) if (1..=10).contains(v.get_ref()) => Ok(*v.get_ref() as u32),
        Some(v) => Err(key_error(
            v.span(),
            &key(field),
            format!("{} is not between 1 and 10 (runs in a row)", v.get_ref()),
        )),
    };
    Ok(Thresholds {
        confirm: runs(raw.confirm, "confirm", base.confirm)?,
        recover: runs(raw.recover, "recover", base.recover)?,
        flapping: match raw.flapping {
            None => base.flapping,
            Some(v) => {
                flapping(v.get_ref()).map_err(|why| key_error(v.span(), &key("flapping"), why))?
            }
        },
        slow: match raw.slow {
            None => base.slow,
            Some(v) if v.get_ref() == "off" => None,
            Some(v) => match super::duration::parse(v.get_ref()) {
                Ok(d) if !d.is_zero() => Some(d),
                _ => {
                    return Err(key_error(
                        v.span(),
                        &key("slow"),
                        format!(
                            "{:?} is neither \"off\" nor a duration: write e.g. \"2s\", \"800ms\"",
                            v.get_ref()
                        ),
                    ))
                }
            },
        },
    })
}

/// `"off"`, or `"N/W"`: N (2 to 100) changes within W (1m to 1d).
fn flapping(text: &str) -> Result<Option<Flapping>, String> {
    if text == "off" {
        return Ok(None);
    }
    let wrong = || {
        format!(
            "{text:?} is neither \"off\" nor changes/window: write e.g. \"5/1h\" (5 changes within 1h)"
        )
    };
    let (changes, within) = text.split_once('/').ok_or_else(wrong)?;
    let changes: u32 = changes.trim().parse().map_err(|_| wrong())?;
    let within = super::duration::parse(within.trim()).map_err(|_| wrong())?;
    if !(2..=100).contains(&changes) {
        return Err(format!(
            "{text:?}: the number of changes must be between 2 and 100"
        ));
    }
    if within < Duration::from_secs(60) || within > MAX_FLAPPING_WITHIN {
        return Err(format!("{text:?}: the window must be between 1m and 1d"));
    }
    Ok(Some(Flapping { changes, within }))
}

/// A target's `slow` limit is below its timeout: an answer that slow has failed already.
fn slow_fits(
    target: &Target,
    span: Span,
    key: &str,
    key_error: &impl KeyError,
) -> Result<(), ConfigError> {
    match target.thresholds.slow {
        Some(slow) if slow >= target.timeout => Err(key_error(
            span,
            key,
            format!(
                "{} is not below the target's timeout of {}: an answer that slow has failed already",
                format_duration(slow),
                format_duration(target.timeout)
            ),
        )),
        _ => Ok(()),
    }
}

/// A reminder interval: any duration of 1s or more (no upper bound: "1d" is fine).
fn interval(
    value: &Option<Spanned<String>>,
    key: &str,
    key_error: &impl KeyError,
) -> Result<Option<Duration>, ConfigError> {
    let Some(value) = value else {
        return Ok(None);
    };
    match super::duration::parse(value.get_ref()) {
        Ok(d) if d >= Duration::from_secs(1) => Ok(Some(d)),
        Ok(_) => Err(key_error(value.span(), key, "must be at least 1s".into())),
        Err(super::duration::DurationError::TooLong) => {
            Err(key_error(value.span(), key, "is too long to count".into()))
        }
        Err(_) => Err(key_error(
            value.span(),
            key,
            format!(
                "{:?} is not a duration: write e.g. \"30m\", \"4h\", \"1d\"",
                value.get_ref()
            ),
        )),
    }
}

/// Certificate thresholds in days: whole numbers from 1 to 365, biggest first; `[]` is off.
fn warn_days(
    value: &Option<Spanned<Vec<i64>>>,
    key: &str,
    key_error: &impl KeyError,
) -> Result<Vec<u32>, ConfigError> {
    let Some(list) = value else {
        return Ok(DEFAULT_CERT_WARN_DAYS.to_vec());
    };
    if list.get_ref().iter().any(|d| !(1..=365).contains(d)) {
        return Err(key_error(
            list.span(),
            key,
            "must be a list of days from 1 to 365, or [] for none".into(),
        ));
    }
    let mut days: Vec<u32> = list.get_ref().iter().map(|&d| d as u32).collect();
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    Ok(days)
}

/// A target's extra CA file: readable, and holding at least one PEM certificate.
fn ca_file(
    file: &Spanned<String>,
    base: &Path,
    key: &str,
    key_error: &impl KeyError,
) -> Result<PathBuf, ConfigError> {
    let path = base.join(file.get_ref());
    let pem = fs::read(&path).map_err(|e| {
        key_error(
            file.span(),
            key,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(path),
        _ => Err(key_error(
            file.span(),
            key,
            format!("{} holds no PEM certificate", path.display()),
        )),
    }
}

/// `check.log_file` or `check.state_dir`: relative to the config file's directory.
pub(super) fn path(
    value: &Option<Spanned<String>>,
    key: &str,
    base: &Path,
    key_error: &impl KeyError,
) -> Result<Option<PathBuf>, ConfigError> {
    match value {
        None => Ok(None),
        Some(v) if v.get_ref().trim().is_empty() => {
            Err(key_error(v.span(), key, "must not be empty".into()))
        }
        Some(v) => Ok(Some(base.join(v.get_ref()))),
    }
}

/// Every `[[target]]`: names unique, each one valid and fitting the run's budget.
pub(super) fn targets(
    raw: Vec<Spanned<RawTarget>>,
    defaults: &CheckDefaults,
    base: &Path,
    key_error: &impl KeyError,
) -> Result<Vec<Target>, ConfigError> {
    let mut targets = Vec::with_capacity(raw.len());
    let mut names = HashSet::new();
    for spanned in raw {
        let (target, name_span) = target(spanned, defaults, base, key_error)?;
        if !names.insert(target.name.clone()) {
            return Err(key_error(
                name_span,
                "target.name",
                format!("{:?} is used by two targets", target.name),
            ));
        }
        targets.push(target);
    }
    Ok(targets)
}

/// One `[[target]]`, and where its name stands (for a duplicate). Each key is checked in
/// the order the file's reader expects its errors: name, url, expectations, overrides,
/// TLS and address family, then what the keys decide together.
fn target(
    spanned: Spanned<RawTarget>,
    defaults: &CheckDefaults,
    base: &Path,
    key_error: &impl KeyError,
) -> Result<(Target, Span), ConfigError> {
    let table_span = spanned.span();
    let t = spanned.into_inner();
    let name = target_name(t.name, table_span.clone(), key_error)?;
    let key = |field: &str| format!("target {:?}: {field}", name.get_ref());
    let parsed = target_url(t.url, table_span, &key("url"), key_error)?;
    let tcp = !matches!(parsed.endpoint, Endpoint::Http(_));
    let no_text = !matches!(parsed.endpoint, Endpoint::Http(_) | Endpoint::Dns(_));
    let body = body_rules(
        BodyKeys {
            not_contains: &t.not_contains,
            matches: &t.matches,
            json: &t.json,
        },
        tcp,
        &key,
        key_error,
    )?;
    let keys = ThresholdKeys {
        confirm: &t.confirm,
        recover: &t.recover,
        flapping: &t.flapping,
        slow: &t.slow,
    };
    let thresholds = thresholds(keys, &key, defaults.thresholds, key_error)?;
    let target = Target {
        expect_status: expect_status(t.expect_status, tcp, &key("expect_status"), key_error)?,
        contains: contains(t.contains, no_text, &key("contains"), key_error)?,
        timeout: duration_or(
            &t.timeout,
            &key("timeout"),
            defaults.timeout,
            key_error,
            false,
        )?,
        attempts: attempts_or(&t.attempts, &key("attempts"), defaults.attempts, key_error)?,
        retry_delay: duration_or(
            &t.retry_delay,
            &key("retry_delay"),
            defaults.retry_delay,
            key_error,
            true,
        )?,
        name: name.get_ref().clone(),
        url: parsed.shown,
        secrets: parsed.secrets,
        endpoint: parsed.endpoint,
        remind_every: match &t.remind_every {
            None => defaults.remind_every,
            some => interval(some, &key("remind_every"), key_error)?,
        },
        cert_warn_days: match &t.cert_warn_days {
            None => defaults.cert_warn_days.clone(),
            some => warn_days(some, &key("cert_warn_days"), key_error)?,
        },
        ca_file: match &t.ca_file {
            None => None,
            Some(file) => Some(ca_file(file, base, &key("ca_file"), key_error)?),
        },
        ip: ip_family(&t.ip, &key("ip"), key_error)?,
        thresholds,
        body,
        domain_warn_days: match &t.domain_warn_days {
            None => defaults.domain_warn_days.clone(),
            some => warn_days(some, &key("domain_warn_days"), key_error)?,
        },
    };
    let slow_span = t.slow.as_ref().map_or(name.span(), |s| s.span());
    fits(&target, (name.span(), slow_span), &key, key_error)?;
    Ok((target, name.span()))
}

/// What a target's keys decide together: `slow` below the timeout, the CA file for an
/// https URL, the worst case within the run's budget. `spans`: the name's and `slow`'s.
fn fits(
    target: &Target,
    (name, slow): (Span, Span),
    key: &dyn Fn(&str) -> String,
    key_error: &impl KeyError,
) -> Result<(), ConfigError> {
    slow_fits(target, slow, &key("slow"), key_error)?;
    ca_file_fits(target, name.clone(), &key("ca_file"), key_error)?;
    let budget = key("timeout, attempts, retry_delay");
    within_budget(target, name, &budget, key_error)
}

/// `target.name`: present and a valid name.
fn target_name(
    name: Option<Spanned<String>>,
    table_span: Span,
    key_error: &impl KeyError,
) -> Result<Spanned<String>, ConfigError> {
    let name = name.ok_or_else(|| {
        key_error(
            table_span,
            "target.name",
            "missing: every [[target]] needs a name".into(),
        )
    })?;
    validate_name(name.get_ref()).map_err(|why| key_error(name.span(), "target.name", why))?;
    Ok(name)
}

/// `url`: present, and what it probes (http(s) or tcp), how it is shown, its secrets.
fn target_url(
    url: Option<Spanned<String>>,
    table_span: Span,
    key: &str,
    key_error: &impl KeyError,
) -> Result<ParsedUrl, ConfigError> {
    let url = url.ok_or_else(|| key_error(table_span, key, "missing".into()))?;
    parse_url(url.get_ref()).map_err(|m| key_error(url.span(), key, m))
}

/// `expect_status`: a non-empty list of HTTP status codes, for an http(s) target only.
fn expect_status(
    list: Option<Spanned<Vec<i64>>>,
    tcp: bool,
    key: &str,
    key_error: &impl KeyError,
) -> Result<Option<Vec<u16>>, ConfigError> {
    let Some(list) = list else {
        return Ok(None);
    };
    if list.get_ref().is_empty() || list.get_ref().iter().any(|s| !(100..=599).contains(s)) {
        return Err(key_error(
            list.span(),
            key,
            "must be a list of HTTP status codes (100-599)".into(),
        ));
    }
    if tcp {
        return Err(key_error(
            list.span(),
            key,
            "does not apply to this target's scheme".into(),
        ));
    }
    Ok(Some(list.get_ref().iter().map(|&s| s as u16).collect()))
}

/// `contains`: a non-empty text the body must hold, for an http(s) target only.
fn contains(
    text: Option<Spanned<String>>,
    tcp: bool,
    key: &str,
    key_error: &impl KeyError,
) -> Result<Option<String>, ConfigError> {
    match text {
        None => Ok(None),
        Some(c) if c.get_ref().is_empty() => {
            Err(key_error(c.span(), key, "must not be empty".into()))
        }
        Some(c) if tcp => Err(key_error(
            c.span(),
            key,
            "does not apply to this target's scheme".into(),
        )),
        Some(c) => Ok(Some(c.into_inner())),
    }
}

/// `ip`: which address family to connect with, "any" when unset.
fn ip_family(
    ip: &Option<Spanned<String>>,
    key: &str,
    key_error: &impl KeyError,
) -> Result<IpFamily, ConfigError> {
    let Some(ip) = ip else {
        return Ok(IpFamily::Any);
    };
    match ip.get_ref().as_str() {
        "any" => Ok(IpFamily::Any),
        "v4" => Ok(IpFamily::V4),
        "v6" => Ok(IpFamily::V6),
        other => Err(key_error(
            ip.span(),
            key,
            format!("{other:?} is not one of \"v4\", \"v6\", \"any\""),
        )),
    }
}

/// `ca_file` is trusted on a TLS connection only: an https:// target.
fn ca_file_fits(
    target: &Target,
    name_span: Span,
    key: &str,
    key_error: &impl KeyError,
) -> Result<(), ConfigError> {
    if target.ca_file.is_some()
        && !matches!(&target.endpoint, Endpoint::Http(u) if u.scheme() == "https")
    {
        return Err(key_error(
            name_span,
            key,
            "applies to https:// targets only".into(),
        ));
    }
    Ok(())
}

/// The target's attempts, timeouts and delays fit what a run may spend on one target.
fn within_budget(
    target: &Target,
    name_span: Span,
    key: &str,
    key_error: &impl KeyError,
) -> Result<(), ConfigError> {
    let worst = budget::worst_case(target.timeout, target.attempts, target.retry_delay);
    if worst > budget::MAX_PROBE {
        return Err(key_error(
            name_span,
            key,
            format!(
                "attempts × timeout + (attempts − 1) × retry_delay = {} in the worst case, over the {} a check may spend on one target (a run must end inside the timer's minute): lower timeout or attempts",
                format_duration(worst),
                format_duration(budget::MAX_PROBE)
            ),
        ));
    }
    Ok(())
}

/// `check.canary`: "is it me?" probes, with the targets' defaults.
pub(super) fn canaries(
    raw: Option<Spanned<Vec<Spanned<String>>>>,
    defaults: &CheckDefaults,
    key_error: &impl KeyError,
) -> Result<Vec<Target>, ConfigError> {
    let urls = raw.map(Spanned::into_inner).unwrap_or_default();
    urls.into_iter()
        .enumerate()
        .map(|(i, url)| {
            let mut canary = Target::adhoc(url.get_ref(), defaults)
                .map_err(|m| key_error(url.span(), "check.canary", m))?;
            canary.name = format!("canary-{}", i + 1);
            Ok(canary)
        })
        .collect()
}

/// `[metrics]`: where the textfile goes (an absolute path).
pub(super) fn metrics(
    raw: Option<Spanned<RawMetrics>>,
    key_error: &impl KeyError,
) -> Result<Option<PathBuf>, ConfigError> {
    match raw.map(Spanned::into_inner).and_then(|m| m.textfile) {
        None => Ok(None),
        Some(file) if !Path::new(file.get_ref()).is_absolute() => Err(key_error(
            file.span(),
            "metrics.textfile",
            format!("{:?} must be an absolute path", file.get_ref()),
        )),
        Some(file) => Ok(Some(PathBuf::from(file.into_inner()))),
    }
}

/// The token, written in the file or in `token_file`; says whether it is inline.
fn token(
    token: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    span: Span,
    base: &Path,
    key_error: &impl KeyError,
    warnings: &mut Vec<String>,
) -> Result<(Token, bool), ConfigError> {
    match (token, token_file) {
        (Some(_), Some(file)) => Err(key_error(
            file.span(),
            "telegram.token_file",
            "give either token or token_file, not both".into(),
        )),
        (None, None) => Err(key_error(
            span,
            "telegram.token",
            "missing: set token (or token_file); 'vigia init' writes it".into(),
        )),
        (Some(token), None) => {
            let parsed = Token::parse(token.get_ref()).map_err(|why| {
                key_error(
                    token.span(),
                    "telegram.token",
                    format!("is not a bot token: {why}"),
                )
            })?;
            Ok((parsed, true))
        }
        (None, Some(file)) => {
            let file_path = base.join(file.get_ref());
            let text = fs::read_to_string(&file_path).map_err(|e| {
                key_error(
                    file.span(),
                    "telegram.token_file",
                    format!("cannot read {}: {e}", file_path.display()),
                )
            })?;
            let parsed = Token::parse(&text).map_err(|why| {
                key_error(
                    file.span(),
                    "telegram.token_file",
                    format!("{} does not hold a bot token: {why}", file_path.display()),
                )
            })?;
            warnings.extend(readable_by_others(&file_path));
            Ok((parsed, false))
        }
    }
}

/// Validates `[heartbeat]`.
pub(super) fn heartbeat(
    section: Spanned<RawHeartbeat>,
    key_error: &impl KeyError,
) -> Result<Heartbeat, ConfigError> {
    let span = section.span();
    let raw = section.into_inner();
    let url = raw.url.ok_or_else(|| {
        key_error(
            span,
            "heartbeat.url",
            "missing: the URL to ping after every run".into(),
        )
    })?;
    let parsed = http_url(url.get_ref()).ok_or_else(|| {
        key_error(
            url.span(),
            "heartbeat.url",
            format!(
                "{:?} is not an http(s) URL",
                mask_written_url(url.get_ref())
            ),
        )
    })?;
    let timeout = duration_or(
        &raw.timeout,
        "heartbeat.timeout",
        DEFAULT_HEARTBEAT_TIMEOUT,
        key_error,
        false,
    )?;
    if timeout > budget::MAX_API_TIMEOUT {
        let span = raw.timeout.as_ref().map_or(url.span(), Spanned::span);
        return Err(key_error(
            span,
            "heartbeat.timeout",
            format!(
                "must be at most {}",
                format_duration(budget::MAX_API_TIMEOUT)
            ),
        ));
    }
    Ok(Heartbeat {
        url: parsed,
        timeout,
    })
}

/// Validates the `[telegram]` table; says whether the token is inline. Keys are checked
/// in the order of the table's errors: token, chat, endpoint, timeout and language.
pub(super) fn telegram(
    section: Spanned<RawTelegram>,
    base: &Path,
    key_error: &impl KeyError,
    warnings: &mut Vec<String>,
) -> Result<(Telegram, bool), ConfigError> {
    let span = section.span();
    let raw = section.into_inner();
    let (token, inline) = token(
        raw.token,
        raw.token_file,
        span.clone(),
        base,
        key_error,
        warnings,
    )?;
    let chat_id = raw.chat_id.ok_or_else(|| {
        key_error(
            span.clone(),
            "telegram.chat_id",
            "missing: 'vigia init' finds it for you".into(),
        )
    })?;
    let telegram = Telegram {
        token,
        chat_id: *chat_id.get_ref(),
        message_thread_id: raw.message_thread_id.map(Spanned::into_inner),
        api_url: api_url(raw.api_url, key_error)?,
        proxy: proxy(raw.proxy, key_error)?,
        timeout: duration_or(
            &raw.timeout,
            "telegram.timeout",
            DEFAULT_API_TIMEOUT,
            key_error,
            false,
        )?,
        language: language(raw.language, key_error)?,
        commands: commands(raw.commands, key_error)?,
        commands_from: commands_from(raw.commands_from, key_error)?,
    };
    if telegram.timeout > budget::MAX_API_TIMEOUT {
        let span = raw.timeout.as_ref().map(Spanned::span).unwrap_or(span);
        return Err(key_error(
            span,
            "telegram.timeout",
            format!(
                "must be at most {}: a run keeps that much of its minute for Telegram",
                format_duration(budget::MAX_API_TIMEOUT)
            ),
        ));
    }
    if telegram.commands && telegram.commands_from.is_empty() {
        warnings.push(
            "telegram.commands is on but telegram.commands_from is empty: nobody may command; add your Telegram user id".into(),
        );
    }
    Ok((telegram, inline))
}

/// `telegram.api_url`: an http(s) URL without its trailing slash, the public Bot API
/// when unset.
fn api_url(url: Option<Spanned<String>>, key_error: &impl KeyError) -> Result<String, ConfigError> {
    let Some(url) = url else {
        return Ok(DEFAULT_API_URL.to_owned());
    };
    // Kept in the parser's spelling: what reqwest sends to, and what `https://`
    // tells apart for the roots.
    match http_url(url.get_ref()) {
        Some(parsed) => Ok(parsed.as_str().trim_end_matches('/').to_owned()),
        None => Err(key_error(
            url.span(),
            "telegram.api_url",
            format!(
                "{:?} is not an http(s) URL",
                mask_written_url(url.get_ref())
            ),
        )),
    }
}

/// `telegram.proxy`: an http, https, socks5 or socks5h URL with a host.
fn proxy(
    proxy: Option<Spanned<String>>,
    key_error: &impl KeyError,
) -> Result<Option<String>, ConfigError> {
    let Some(proxy) = proxy else {
        return Ok(None);
    };
    let parsed = reqwest::Url::parse(proxy.get_ref().trim())
        .ok()
        .filter(|u| {
            matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h")
                && u.host_str().is_some_and(|h| !h.is_empty())
        });
    match parsed {
        // The parser's spelling (reqwest's own): `https://` then reads right.
        Some(parsed) => Ok(Some(parsed.to_string())),
        None => {
            let shown = mask_written_url(proxy.get_ref());
            Err(key_error(
                proxy.span(),
                "telegram.proxy",
                format!(
                    "{shown:?} is not a proxy URL (http://, https://, socks5:// or socks5h://)"
                ),
            ))
        }
    }
}

/// `telegram.language`: one of the languages alerts are written in, "en" when unset.
fn language(
    language: Option<Spanned<String>>,
    key_error: &impl KeyError,
) -> Result<String, ConfigError> {
    match language {
        None => Ok("en".to_owned()),
        Some(l)
            if crate::texts::LANGUAGES
                .iter()
                .any(|(name, _)| name == l.get_ref()) =>
        {
            Ok(l.into_inner())
        }
        Some(l) => {
            let known: Vec<&str> = crate::texts::LANGUAGES.iter().map(|(n, _)| *n).collect();
            Err(key_error(
                l.span(),
                "telegram.language",
                format!("{:?} is not one of {}", l.get_ref(), known.join(", ")),
            ))
        }
    }
}

/// `telegram.commands`: true or false, false when unset.
fn commands(
    value: Option<Spanned<toml::Value>>,
    key_error: &impl KeyError,
) -> Result<bool, ConfigError> {
    match value {
        None => Ok(false),
        Some(v) => match v.get_ref() {
            toml::Value::Boolean(on) => Ok(*on),
            other => Err(key_error(
                v.span(),
                "telegram.commands",
                format!("{other} is not true or false"),
            )),
        },
    }
}

/// `telegram.commands_from`: a list of Telegram user ids (integers), empty when unset.
fn commands_from(
    value: Option<Spanned<toml::Value>>,
    key_error: &impl KeyError,
) -> Result<Vec<i64>, ConfigError> {
    let Some(v) = value else {
        return Ok(Vec::new());
    };
    let ids = match v.get_ref() {
        toml::Value::Array(items) => items
            .iter()
            .map(|item| item.as_integer().filter(|id| *id > 0).ok_or(item))
            .collect::<Result<Vec<i64>, _>>(),
        other => Err(other),
    };
    ids.map_err(|bad| {
        key_error(
            v.span(),
            "telegram.commands_from",
            format!("{bad} is not a Telegram user id: write a list of integers, e.g. [123456789]"),
        )
    })
}

fn count_or(
    value: &Option<Spanned<i64>>,
    key: &str,
    default: usize,
    max: i64,
    key_error: &impl KeyError,
) -> Result<usize, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=max).contains(v.get_ref()) => Ok(*v.get_ref() as usize),
        Some(v) => Err(key_error(
            v.span(),
            key,
            format!("{} is not between 1 and {max}", v.get_ref()),
        )),
    }
}

fn attempts_or(
    value: &Option<Spanned<i64>>,
    key: &str,
    default: u32,
    key_error: &impl KeyError,
) -> Result<u32, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=10).contains(v.get_ref()) => Ok(*v.get_ref() as u32),
        Some(v) => Err(key_error(
            v.span(),
            key,
            format!("{} is not between 1 and 10", v.get_ref()),
        )),
    }
}

/// The longest checker name (`fleet.checker`): a label value that fits a message line.
const MAX_CHECKER_NAME: usize = 64;

/// `[fleet]`: this checker's name, when not the host name.
pub(super) fn fleet(
    raw: Option<Spanned<RawFleet>>,
    key_error: &impl KeyError,
) -> Result<Option<String>, ConfigError> {
    let Some(name) = raw.and_then(|f| f.into_inner().checker) else {
        return Ok(None);
    };
    let text = name.get_ref();
    let why = if text.trim().is_empty() {
        Some("must not be empty (leave it out for the host name)".to_owned())
    } else if text.trim() != text || text.chars().any(char::is_control) {
        Some(format!(
            "{text:?} has spaces around it or a control character"
        ))
    } else if text.chars().count() > MAX_CHECKER_NAME {
        Some(format!("is longer than {MAX_CHECKER_NAME} characters"))
    } else {
        None
    };
    match why {
        Some(why) => Err(key_error(name.span(), "fleet.checker", why)),
        None => Ok(Some(name.into_inner())),
    }
}

/// `[alertmanager]`: `url` or `urls` (not both, at least one), each an http(s) URL, and
/// the timeout of a post (at most the longest Bot API request, like the heartbeat's).
pub(super) fn alertmanager(
    section: Spanned<RawAlertmanager>,
    key_error: &impl KeyError,
) -> Result<Alertmanager, ConfigError> {
    let span = section.span();
    let raw = section.into_inner();
    let (written, key) = match (raw.url, raw.urls) {
        (Some(_), Some(urls)) => {
            return Err(key_error(
                urls.span(),
                "alertmanager.urls",
                "give either url or urls, not both".into(),
            ))
        }
        (None, None) => {
            return Err(key_error(
                span,
                "alertmanager.url",
                "missing: the Alertmanager to post to, such as \"http://127.0.0.1:9093\" (or urls = [...] for a cluster)".into(),
            ))
        }
        (Some(url), None) => (vec![url], "alertmanager.url"),
        (None, Some(urls)) if urls.get_ref().is_empty() => {
            return Err(key_error(
                urls.span(),
                "alertmanager.urls",
                "must name at least one URL".into(),
            ))
        }
        (None, Some(urls)) => (urls.into_inner(), "alertmanager.urls"),
    };
    let mut urls = Vec::with_capacity(written.len());
    for url in written {
        let parsed = http_url(url.get_ref()).ok_or_else(|| {
            key_error(
                url.span(),
                key,
                format!(
                    "{:?} is not an http(s) URL",
                    mask_written_url(url.get_ref())
                ),
            )
        })?;
        if urls.contains(&parsed) {
            return Err(key_error(
                url.span(),
                key,
                format!("{:?} is given twice", mask_written_url(url.get_ref())),
            ));
        }
        urls.push(parsed);
    }
    let timeout = duration_or(
        &raw.timeout,
        "alertmanager.timeout",
        DEFAULT_ALERTMANAGER_TIMEOUT,
        key_error,
        false,
    )?;
    if timeout > budget::MAX_API_TIMEOUT {
        let span = raw.timeout.as_ref().map_or(span, Spanned::span);
        return Err(key_error(
            span,
            "alertmanager.timeout",
            format!(
                "must be at most {}",
                format_duration(budget::MAX_API_TIMEOUT)
            ),
        ));
    }
    Ok(Alertmanager { urls, timeout })
}

/// `check.rdap_url`: an http(s) base URL, queried as `<rdap_url>/domain/<name>`.
fn rdap_url(
    value: &Option<Spanned<String>>,
    key_error: &impl KeyError,
) -> Result<Option<String>, ConfigError> {
    let Some(url) = value else {
        return Ok(None);
    };
    match http_url(url.get_ref()) {
        Some(parsed) => Ok(Some(parsed.as_str().trim_end_matches('/').to_owned())),
        None => Err(key_error(
            url.span(),
            "check.rdap_url",
            format!(
                "{:?} is not an http(s) URL with a host",
                mask_written_url(url.get_ref())
            ),
        )),
    }
}

/// The body rules' keys as a `[[target]]` holds them.
struct BodyKeys<'a> {
    not_contains: &'a Option<Spanned<String>>,
    matches: &'a Option<Spanned<String>>,
    json: &'a Option<Spanned<super::raw::RawJsonRules>>,
}

/// `not_contains`, `matches` and `[target.json]`, for an http(s) target only: a text
/// not empty, a regular expression that compiles, pointers RFC 6901 spells, each
/// equal to a string, number or boolean.
fn body_rules(
    t: BodyKeys<'_>,
    not_http: bool,
    key: &dyn Fn(&str) -> String,
    key_error: &impl KeyError,
) -> Result<crate::body::Rules, ConfigError> {
    let only_http = |span: Span, field: &str| {
        key_error(
            span,
            &key(field),
            "applies to http:// and https:// targets only".into(),
        )
    };
    let not_contains = match t.not_contains {
        None => None,
        Some(c) if c.get_ref().is_empty() => {
            return Err(key_error(
                c.span(),
                &key("not_contains"),
                "must not be empty".into(),
            ))
        }
        Some(c) if not_http => return Err(only_http(c.span(), "not_contains")),
        Some(c) => Some(c.get_ref().clone()),
    };
    let matches = match t.matches {
        None => None,
        Some(m) if not_http => return Err(only_http(m.span(), "matches")),
        Some(m) => Some(crate::body::Pattern(
            regex::bytes::RegexBuilder::new(m.get_ref())
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    let why = e.to_string().lines().last().unwrap_or_default().to_owned();
                    key_error(
                        m.span(),
                        &key("matches"),
                        format!("{:?} is not a regular expression: {why}", m.get_ref()),
                    )
                })?,
        )),
    };
    let mut json = Vec::new();
    if let Some(table) = t.json {
        if not_http {
            return Err(only_http(table.span(), "json"));
        }
        for (pointer, value) in table.get_ref() {
            let field = key(&format!("json.{:?}", pointer.get_ref()));
            crate::body::valid_pointer(pointer.get_ref())
                .map_err(|why| key_error(pointer.span(), &field, why))?;
            let expected = match value.get_ref() {
                toml::Value::String(s) => serde_json::Value::from(s.as_str()),
                toml::Value::Integer(i) => serde_json::Value::from(*i),
                toml::Value::Float(f) => serde_json::Value::from(*f),
                toml::Value::Boolean(b) => serde_json::Value::from(*b),
                _ => {
                    return Err(key_error(
                        value.span(),
                        &field,
                        "must be a string, a number or a boolean".into(),
                    ))
                }
            };
            json.push(crate::body::JsonRule {
                pointer: pointer.get_ref().clone(),
                expected,
            });
        }
    }
    Ok(crate::body::Rules {
        not_contains,
        matches,
        json,
    })
}
