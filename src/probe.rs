//! Probing a target: one HTTP(S) request or TCP connect per attempt, each bounded by the
//! target's timeout (DNS, connect, TLS, headers and body together), retried `attempts`
//! times. All targets are probed concurrently, so hanging targets cost one timeout.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use reqwest::redirect;

use crate::config::{format_duration, Endpoint, Target};

/// The most body `contains` looks at.
pub const MAX_BODY: usize = 1024 * 1024;
const MAX_REDIRECTS: usize = 10;
const MAX_REASON: usize = 200;

/// The result of probing one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub up: bool,
    /// Up: what answered (`HTTP 200`). Down: why it failed (`connection refused`).
    pub detail: String,
    /// Up: the latency of the successful attempt. Down: time spent on all attempts.
    pub elapsed: Duration,
}

impl Outcome {
    /// One line for logs and messages: `HTTP 200 in 41 ms` or the failure reason.
    pub fn summary(&self) -> String {
        if self.up {
            format!("{} in {} ms", self.detail, self.elapsed.as_millis())
        } else {
            self.detail.clone()
        }
    }
}

/// Probes every target at once; the outcomes come back in the targets' order.
pub async fn probe_all(targets: &[Target]) -> Vec<Outcome> {
    let client = targets
        .iter()
        .any(|t| matches!(t.endpoint, Endpoint::Http(_)))
        .then(http_client);
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().enumerate() {
        let (target, client) = (target.clone(), client.clone());
        tasks.spawn(async move { (index, probe(&target, client.as_ref()).await) });
    }
    let mut outcomes = vec![None; targets.len()];
    while let Some(joined) = tasks.join_next().await {
        // A probe never panics by design; a panic there would abort the process anyway
        // (panic = "abort" in release), so a join error cannot carry a result to keep.
        if let Ok((index, outcome)) = joined {
            outcomes[index] = Some(outcome);
        }
    }
    outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| Outcome {
                up: false,
                detail: "probe failed".into(),
                elapsed: Duration::ZERO,
            })
        })
        .collect()
}

/// Probes one target with its attempts and retry delay.
async fn probe(target: &Target, client: Option<&Result<reqwest::Client, String>>) -> Outcome {
    let started = Instant::now();
    let mut reason = String::new();
    for attempt in 1..=target.attempts {
        let begun = Instant::now();
        let result = tokio::time::timeout(target.timeout, once(target, client)).await;
        match result {
            Ok(Ok(detail)) => {
                return Outcome {
                    up: true,
                    detail,
                    elapsed: begun.elapsed(),
                }
            }
            Ok(Err(why)) => reason = why,
            Err(_) => reason = format!("timed out after {}", format_duration(target.timeout)),
        }
        if attempt < target.attempts {
            tokio::time::sleep(target.retry_delay).await;
        }
    }
    Outcome {
        up: false,
        detail: truncate(&reason, MAX_REASON),
        elapsed: started.elapsed(),
    }
}

async fn once(
    target: &Target,
    client: Option<&Result<reqwest::Client, String>>,
) -> Result<String, String> {
    match &target.endpoint {
        Endpoint::Tcp { host, port } => tokio::net::TcpStream::connect((host.as_str(), *port))
            .await
            .map(|_| "TCP connect".to_owned())
            .map_err(|e| describe_error(&e)),
        Endpoint::Http(url) => match client {
            Some(Ok(client)) => http(client, url, target).await,
            Some(Err(why)) => Err(why.clone()),
            None => Err("no HTTP client".into()),
        },
    }
}

async fn http(
    client: &reqwest::Client,
    url: &reqwest::Url,
    target: &Target,
) -> Result<String, String> {
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| describe_error(&e))?;
    let status = response.status();
    let accepted = match &target.expect_status {
        Some(list) => list.contains(&status.as_u16()),
        None => status.is_success() || status.is_redirection(),
    };
    let status_text = match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    };
    if !accepted {
        return Err(status_text);
    }
    if let Some(needle) = &target.contains {
        let needle = needle.as_bytes();
        let mut body = Vec::new();
        while body.len() < MAX_BODY {
            let chunk = response.chunk().await.map_err(|e| describe_error(&e))?;
            let Some(chunk) = chunk else { break };
            // Only the new bytes (and the needle's length before them) can hold a new match.
            let from = body.len().saturating_sub(needle.len() - 1);
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_BODY - body.len())]);
            if body[from..].windows(needle.len()).any(|w| w == needle) {
                return Ok(format!("HTTP {}", status.as_u16()));
            }
        }
        let text = truncate(target.contains.as_deref().unwrap_or_default(), 60);
        return Err(if body.len() >= MAX_BODY {
            format!("text {text:?} not found in the first 1 MiB")
        } else {
            format!("text {text:?} not found")
        });
    }
    Ok(format!("HTTP {}", status.as_u16()))
}

/// One client for every HTTP target of a run: no proxy (the site itself is checked), no
/// connection reuse between attempts, and our own redirect rule.
fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .user_agent(concat!("vigia/", env!("CARGO_PKG_VERSION")))
        .redirect(redirect::Policy::custom(|attempt| {
            if attempt.previous().contains(attempt.url()) {
                attempt.error(RedirectError("redirect loop"))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(RedirectError("too many redirects"))
            } else {
                attempt.follow()
            }
        }))
        .build()
        .map_err(|e| format!("cannot set up HTTP: {}", describe_error(&e)))
}

#[derive(Debug)]
struct RedirectError(&'static str);

impl std::fmt::Display for RedirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for RedirectError {}

/// A short human reason for a failed request, from the innermost causes.
pub fn describe_error(err: &(dyn StdError + 'static)) -> String {
    let mut chain: Vec<&(dyn StdError + 'static)> = vec![err];
    let mut current = err;
    while let Some(next) = current.source() {
        chain.push(next);
        current = next;
    }
    if let Some(redirect) = chain.iter().find_map(|e| e.downcast_ref::<RedirectError>()) {
        return redirect.0.to_owned();
    }
    let text: String = chain
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(tls) = describe_tls(&text) {
        return tls;
    }
    let lower = text.to_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return "DNS failure (name not resolved)".into();
    }
    for e in &chain {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused => return "connection refused".into(),
                ConnectionReset => return "connection reset".into(),
                ConnectionAborted => return "connection aborted".into(),
                HostUnreachable => return "host unreachable".into(),
                NetworkUnreachable => return "network unreachable".into(),
                TimedOut => return "timed out".into(),
                _ => {}
            }
        }
    }
    if lower.contains("connection closed before message completed")
        || lower.contains("incomplete message")
    {
        return "connection closed before a complete answer".into();
    }
    // The innermost message is the most specific one; reqwest's outer ones add the URL.
    let inner = chain.last().map(|e| e.to_string()).unwrap_or_default();
    truncate(&inner, MAX_REASON)
}

/// The certificate problem in a rustls error, in words. `text` is the joined chain.
fn describe_tls(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let known = [
        (&["expired"][..], "certificate expired"),
        (
            &["unknownissuer", "unknown issuer"][..],
            "certificate from an unknown issuer",
        ),
        (
            &["notvalidforname", "not valid for name"][..],
            "certificate name mismatch",
        ),
        (
            &["notvalidyet", "not valid yet"][..],
            "certificate not valid yet",
        ),
        (
            &["causedasendentity"][..],
            "self-signed certificate (a CA certificate used by the server)",
        ),
        (&["revoked"][..], "certificate revoked"),
    ];
    if let Some((_, why)) = known
        .iter()
        .find(|(words, _)| words.iter().any(|w| lower.contains(w)))
    {
        return Some(format!("TLS error: {why}"));
    }
    let tls = [
        "invalid peer certificate",
        "tls handshake",
        "received fatal alert",
        "peer is incompatible",
    ];
    tls.iter().any(|w| lower.contains(w)).then(|| {
        // rustls' "invalid peer certificate: Name { details }": the name is enough.
        let head = text.split(" {").next().unwrap_or(text);
        let inner = head.rsplit(": ").next().unwrap_or(head);
        format!("TLS error: {}", truncate(inner, 120))
    })
}

/// Cuts `text` to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrap(String, Option<Box<dyn StdError + 'static>>);
    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref()
        }
    }

    fn wrapped(inner: impl StdError + 'static) -> Wrap {
        Wrap(
            "error sending request for url (http://x/)".into(),
            Some(Box::new(inner)),
        )
    }

    #[test]
    fn names_the_common_failures() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(describe_error(&wrapped(refused)), "connection refused");
        let dns = Wrap(
            "dns error".into(),
            Some(Box::new(std::io::Error::other(
                "failed to lookup address information",
            ))),
        );
        assert_eq!(
            describe_error(&wrapped(dns)),
            "DNS failure (name not resolved)"
        );
        let cases = [
            ("invalid peer certificate: Expired", "TLS error: certificate expired"),
            ("invalid peer certificate: UnknownIssuer", "TLS error: certificate from an unknown issuer"),
            ("invalid peer certificate: NotValidForName", "TLS error: certificate name mismatch"),
            ("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))", "TLS error: self-signed certificate (a CA certificate used by the server)"),
            ("received fatal alert: HandshakeFailure", "TLS error: HandshakeFailure"),
            ("invalid peer certificate: UnsupportedSignatureAlgorithmForPublicKeyContext { signature_algorithm_id: [6] }", "TLS error: UnsupportedSignatureAlgorithmForPublicKeyContext"),
            ("certificate not valid for name \"a\"; certificate is only valid for DnsName(\"b\")", "TLS error: certificate name mismatch"),
        ];
        for (inner, want) in cases {
            let io = std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
            assert_eq!(describe_error(&wrapped(io)), want);
        }
        assert_eq!(
            describe_error(&wrapped(RedirectError("redirect loop"))),
            "redirect loop"
        );
    }

    #[test]
    fn summary_shows_latency_only_when_up() {
        let up = Outcome {
            up: true,
            detail: "HTTP 200".into(),
            elapsed: Duration::from_millis(41),
        };
        assert_eq!(up.summary(), "HTTP 200 in 41 ms");
        let down = Outcome {
            up: false,
            detail: "connection refused".into(),
            elapsed: Duration::from_secs(3),
        };
        assert_eq!(down.summary(), "connection refused");
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("ação", 2), "aç…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
