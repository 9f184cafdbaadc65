//! A target: its name (one rule, for the config and the wizard), its URL (kept as
//! written but with any password masked for display), and the endpoint probed.

use std::time::Duration;

use super::CheckDefaults;

/// The longest name a target may have.
const MAX_NAME_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    /// As written in the config, for messages, with any password replaced by `***`:
    /// the only form of the URL that is ever shown.
    pub url: String,
    /// The password part of the URL, to scrub from error texts (never shown).
    pub secret: Option<String>,
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
    Tcp { host: String, port: u16 },
}

impl Endpoint {
    /// Parses a target URL. Errors show the URL with its password masked.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (real, shown) = (url, mask_password(url));
        let url = shown.as_str();
        let parsed = reqwest::Url::parse(url).map_err(|e| {
            // url's RelativeUrlWithoutBase: "example.org" typed without http://.
            let slash = if url.contains('/') { "" } else { "/" };
            let guess = format!("http://{url}{slash}");
            let host_like =
                !url.contains(char::is_whitespace) && reqwest::Url::parse(&guess).is_ok();
            if e.to_string() == "relative URL without a base" && host_like {
                format!("{url:?} has no scheme: did you mean \"{guess}\"?")
            } else {
                format!("{url:?} is not a URL: {e}")
            }
        })?;
        let host = parsed.host_str().filter(|h| !h.is_empty());
        match parsed.scheme() {
            "http" | "https" if host.is_some() => real
                .parse()
                .map(Endpoint::Http)
                .map_err(|e| format!("{url:?} is not a URL: {e}")),
            "tcp" => match (host, parsed.port()) {
                (Some(host), Some(port)) => Ok(Endpoint::Tcp {
                    host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                    port,
                }),
                _ => Err(format!("{url:?}: a tcp target needs a host and a port: tcp://host:port")),
            },
            "http" | "https" => Err(format!("{url:?} has no host")),
            other => Err(format!(
                "{url:?}: scheme {other:?} is not supported (use http://, https:// or tcp://host:port)"
            )),
        }
    }
}

impl Target {
    /// A target for `check --url`, named after the URL's host.
    pub fn adhoc(url: &str, defaults: &CheckDefaults) -> Result<Target, String> {
        let endpoint = Endpoint::parse(url)?;
        let host = match &endpoint {
            Endpoint::Http(u) => u.host_str().unwrap_or("url").to_owned(),
            Endpoint::Tcp { host, port } => format!("{host}_{port}"),
        };
        let name: String = host
            .chars()
            .map(|c| if is_name_char(c) { c } else { '_' })
            .take(MAX_NAME_LEN)
            .collect();
        Ok(Target {
            name,
            url: mask_password(url),
            secret: password_of(&endpoint),
            endpoint,
            expect_status: None,
            contains: None,
            timeout: defaults.timeout,
            attempts: defaults.attempts,
            retry_delay: defaults.retry_delay,
            remind_every: defaults.remind_every,
            cert_warn_days: defaults.cert_warn_days.clone(),
            ca_file: None,
            ip: IpFamily::Any,
        })
    }

    /// `text` with this target's URL password replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        match &self.secret {
            Some(secret) => text.replace(secret.as_str(), "***"),
            None => text.to_owned(),
        }
    }
}

/// The password of an http(s) URL, as it appears in the URL (percent-encoded).
pub(super) fn password_of(endpoint: &Endpoint) -> Option<String> {
    match endpoint {
        Endpoint::Http(url) => url.password().filter(|p| !p.is_empty()).map(str::to_owned),
        Endpoint::Tcp { .. } => None,
    }
}

/// `http://admin:***@host/` for `http://admin:S3cret@host/`: the URL as written, with
/// the password masked (the rest stays as the admin typed it).
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
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
