//! A target: its name (one rule, for the config and the wizard), its URL (parsed once,
//! at load, and shown only in the parser's spelling with any password masked), the
//! endpoint probed, and the one check of an http(s) URL every URL key uses.

use std::time::Duration;

use super::{CheckDefaults, Thresholds};
use crate::secret::{mask_url_passwords, mask_written_url, shown_url, url_secrets, MASK};

/// The longest name a target may have.
const MAX_NAME_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    /// As the URL parser reads it, with any password replaced by `***`: the only form
    /// of the URL that is ever shown (output, log, alert, status, metrics, state.json).
    pub url: String,
    /// The password of the URL in the forms a text may hold it, to scrub from error
    /// texts (never shown).
    pub secrets: Vec<String>,
    pub endpoint: Endpoint,
    /// `None`: any 2xx or 3xx final status.
    pub expect_status: Option<Vec<u16>>,
    pub contains: Option<String>,
    pub timeout: Duration,
    pub attempts: u32,
    pub retry_delay: Duration,
    /// While down, one reminder per this interval (`None`: off).
    pub remind_every: Option<Duration>,
    /// https: warn once per threshold (days left) per certificate; empty: off.
    pub cert_warn_days: Vec<u32>,
    /// Extra CA certificate(s) trusted for this target (PEM).
    pub ca_file: Option<std::path::PathBuf>,
    /// Which address family to connect with.
    pub ip: IpFamily,
    /// When its results become alerts.
    pub thresholds: Thresholds,
    /// http(s): the body rules besides `contains` (`not_contains`, `matches`, `json`).
    pub body: crate::body::Rules,
    /// http(s) and dns: warn once per threshold (days left) before the registered
    /// domain expires; empty: off.
    pub domain_warn_days: Vec<u32>,
}

/// `ip = "v4" | "v6" | "any"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IpFamily {
    #[default]
    Any,
    V4,
    V6,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Http(reqwest::Url),
    Tcp {
        host: String,
        port: u16,
    },
    /// `dns://[resolver[:port]]/name?type=A`.
    Dns(crate::dns::Query),
    /// `icmp://host`.
    Icmp {
        host: String,
    },
}

/// A target URL read: the endpoint, how it is shown, and the secrets it holds.
pub(super) struct ParsedUrl {
    pub(super) endpoint: Endpoint,
    pub(super) shown: String,
    pub(super) secrets: Vec<String>,
}

impl Endpoint {
    /// Parses a target URL. Errors show the URL with any password masked.
    #[cfg(test)]
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        parse_url(url).map(|p| p.endpoint)
    }
}

/// Parses a target URL, in any spelling the URL parser accepts (`http:a:pw@h/` is
/// `http://a:pw@h/`, as reqwest sends it). Errors show it with any password masked.
pub(super) fn parse_url(url: &str) -> Result<ParsedUrl, String> {
    let shown = mask_written_url(url);
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        // url's RelativeUrlWithoutBase: "example.org" typed without http://.
        let slash = if shown.contains('/') { "" } else { "/" };
        let guess = format!("http://{shown}{slash}");
        let host_like = !url.contains(char::is_whitespace)
            && reqwest::Url::parse(&format!("http://{url}{slash}")).is_ok();
        if e.to_string() == "relative URL without a base" && host_like {
            format!("{shown:?} has no scheme: did you mean \"{guess}\"?")
        } else {
            format!("{shown:?} is not a URL: {e}")
        }
    })?;
    let host = parsed.host_str().filter(|h| !h.is_empty());
    let endpoint = match parsed.scheme() {
        _ if is_http(&parsed) => Endpoint::Http(parsed.clone()),
        "tcp" => match (host, parsed.port()) {
            (Some(host), Some(port)) => Endpoint::Tcp {
                host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                port,
            },
            _ => {
                return Err(format!(
                    "{shown:?}: a tcp target needs a host and a port: tcp://host:port"
                ))
            }
        },
        "http" | "https" => return Err(format!("{shown:?} has no host")),
        "dns" => Endpoint::Dns(crate::dns::Query::parse(&parsed).map_err(|m| format!("{shown:?}: {m}"))?),
        "icmp" => match host {
            Some(host) if parsed.port().is_none() && matches!(parsed.path(), "" | "/") => {
                Endpoint::Icmp {
                    host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                }
            }
            _ => return Err(format!("{shown:?}: an icmp target is a host alone: icmp://host")),
        },
        other => {
            return Err(format!(
                "{shown:?}: scheme {other:?} is not supported (use http://, https://, tcp://host:port, dns://[resolver]/name or icmp://host)"
            ))
        }
    };
    Ok(ParsedUrl {
        endpoint,
        shown: shown_url(&parsed),
        secrets: url_secrets(&parsed),
    })
}

/// What a target URL probes (`None`: not a target URL), for readers without the config.
pub fn endpoint_of(url: &str) -> Option<Endpoint> {
    parse_url(url).ok().map(|p| p.endpoint)
}

/// The one check of an http(s) URL (`telegram.api_url`, `heartbeat.url`, and through
/// [`is_http`] a target's): parsed, with a host. Any spelling the parser accepts is taken, as reqwest would take it.
pub fn http_url(text: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(text.trim()).ok().filter(is_http)
}

/// An http:// or https:// URL with a host: what reqwest can send a request to.
fn is_http(url: &reqwest::Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
}

impl Target {
    /// A target for `check --url`, named after the URL's host.
    pub fn adhoc(url: &str, defaults: &CheckDefaults) -> Result<Target, String> {
        let parsed = parse_url(url)?;
        let host = match &parsed.endpoint {
            Endpoint::Http(u) => u.host_str().unwrap_or("url").to_owned(),
            Endpoint::Tcp { host, port } => format!("{host}_{port}"),
            Endpoint::Dns(query) => query.name.clone(),
            Endpoint::Icmp { host } => host.clone(),
        };
        let name: String = host
            .chars()
            .map(|c| if is_name_char(c) { c } else { '_' })
            .take(MAX_NAME_LEN)
            .collect();
        Ok(Target {
            name,
            url: parsed.shown,
            secrets: parsed.secrets,
            endpoint: parsed.endpoint,
            expect_status: None,
            contains: None,
            timeout: defaults.timeout,
            attempts: defaults.attempts,
            retry_delay: defaults.retry_delay,
            remind_every: defaults.remind_every,
            cert_warn_days: defaults.cert_warn_days.clone(),
            ca_file: None,
            ip: IpFamily::Any,
            thresholds: defaults.thresholds,
            body: crate::body::Rules::default(),
            domain_warn_days: defaults.domain_warn_days.clone(),
        })
    }

    /// `text` with this target's URL password replaced by `***`, and any URL in it
    /// with its password masked.
    pub fn scrub(&self, text: &str) -> String {
        let text = mask_url_passwords(text);
        self.secrets
            .iter()
            .fold(text, |text, secret| text.replace(secret.as_str(), MASK))
    }
}

/// The rule for a target's name, for the config and the wizard alike.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.chars().all(is_name_char) {
        return Err(format!(
            "{name:?} is not a valid name: use 1 to {MAX_NAME_LEN} of A-Z a-z 0-9 . _ -"
        ));
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}
