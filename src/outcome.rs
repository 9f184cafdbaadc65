//! What probing one target found: the value the prober returns and the plan, the
//! messages, the metrics and the Bot API client's callers read. A module of its own, so
//! that the pure deciders take it without importing the prober.
//!
//! Why a target is up or down is a [`Reason`]: a value, not a sentence. It reads in
//! English through `Display` (the transition log, the terminal), and in the admin's
//! language through [`Reason::render`] and the texts table (the Telegram messages).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cert::CertInfo;
use crate::texts::{fill, Reasons};

/// The result of probing one target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub up: bool,
    /// Up: what answered (`HTTP 200`). Down: why it failed (`connection refused`).
    pub detail: Reason,
    /// Up: the latency of the successful attempt. Down: time spent on all attempts.
    pub elapsed: Duration,
    /// The probe could not be made for a reason of this machine's own (too many open
    /// files, out of memory, no socket, out of time): the target is not judged.
    pub checker_fault: bool,
    /// https: the server's certificate, when the probe succeeded.
    pub cert: Option<CertInfo>,
}

impl Outcome {
    /// What to say about it in logs and messages: `HTTP 200 in 41 ms` or the failure.
    pub fn summary(&self) -> Reason {
        if self.up {
            Reason::Answered {
                what: Box::new(self.detail.clone()),
                ms: u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
            }
        } else {
            self.detail.clone()
        }
    }
}

/// Why a target is up or down, or why this machine is: what a probe found, in values.
/// The checkpoint keeps it for each target's last state (see `Checkpoint::reasons`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// An answer worth naming (the probe succeeded) and how long it took.
    Answered {
        what: Box<Reason>,
        ms: u64,
    },
    /// An HTTP answer: its status, with the standard phrase when `named` (a refused
    /// status), and a final redirect that was not followed.
    Http {
        code: u16,
        named: bool,
        unfollowed: Option<Unfollowed>,
    },
    /// A TCP target accepted the connection.
    TcpConnect,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    /// The server closed the connection before its answer was complete.
    ClosedEarly,
    HostUnreachable,
    NetworkUnreachable,
    /// The system gave up on a connection (`ETIMEDOUT`).
    TimedOut,
    /// The target's own timeout ran out.
    TimedOutAfter(Duration),
    /// The name has no address.
    Dns,
    /// The name has addresses, but none of the family asked for (`ip = "v4" | "v6"`).
    NoAddress {
        host: String,
        family: Family,
    },
    /// This machine has no name server to ask.
    NoResolver,
    Tls(Tls),
    RedirectLoop,
    TooManyRedirects,
    /// A redirect to https:// seen by the client without roots (it goes on with one).
    RedirectedToHttps,
    /// `contains` was not found in the body; `limited`: within its first [`MAX_BODY`].
    ///
    /// [`MAX_BODY`]: crate::probe::MAX_BODY
    TextNotFound {
        text: String,
        limited: bool,
    },
    /// The run's probe deadline came first.
    NotProbedInTime,
    /// A probe task ended without a result.
    ProbeFailed,
    TooManyOpenFiles,
    OutOfMemory,
    /// A target's `ca_file` could not be read.
    CaFileUnreadable {
        path: String,
        why: String,
    },
    /// The HTTP client could not be built.
    HttpSetup(String),
    /// Every canary failed, and targets with them: this machine is offline.
    CanariesFailed(Box<Reason>),
    /// A canary answered again.
    CanaryAnswered {
        url: String,
        reason: Box<Reason>,
    },
    /// The canaries answer again (none named).
    CanariesAnswer,
    /// Words from elsewhere (a library, the system), shown as they are.
    Text(String),
    /// Nothing said yet.
    #[default]
    Unknown,
    // Body rules, DNS and ping (see `body`, `dns`, `ping`).
    /// `not_contains` was found in the body.
    TextFound {
        text: String,
    },
    /// `matches` did not match the body (`limited`: its first 1 MiB).
    NoMatch {
        pattern: String,
        limited: bool,
    },
    /// `[target.json]` rules, and the body does not parse as JSON.
    NotJson {
        limited: bool,
    },
    /// A JSON pointer's value is not the one expected (both as JSON).
    JsonMismatch {
        pointer: String,
        found: String,
        expected: String,
    },
    /// A JSON pointer points at nothing.
    JsonMissing {
        pointer: String,
    },
    /// A DNS target's answers, by type (`A 192.0.2.10`).
    DnsAnswer {
        rtype: String,
        answers: String,
    },
    /// The name does not exist.
    DnsNxDomain {
        name: String,
    },
    /// The server failed (SERVFAIL) or refused, by its response code.
    DnsRcode {
        name: String,
        code: String,
    },
    /// The name exists, with no record of the type asked for.
    DnsNoRecords {
        name: String,
        rtype: String,
    },
    /// `contains` is not in a DNS target's answers.
    DnsTextNotFound {
        text: String,
        answers: String,
    },
    /// An ICMP echo reply came.
    EchoReply,
    /// The kernel refuses an unprivileged ICMP socket (`net.ipv4.ping_group_range`).
    PingNotPermitted,
}

/// Where a final redirect that vigia does not follow led.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unfollowed {
    /// To another scheme (`file`, `mailto`, an app's own).
    Scheme(String),
    /// To a location that could not be read.
    Unreadable,
}

/// An IP family a target is limited to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    V4,
    V6,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        })
    }
}

/// A TLS failure, the certificate ones by name, the rest in rustls's words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tls {
    Expired,
    UnknownIssuer,
    NameMismatch,
    NotValidYet,
    SelfSigned,
    Revoked,
    /// The server answered in plain text.
    PlainText,
    ClosedInHandshake,
    NoCertificate,
    /// What rustls says.
    Other(String),
}

impl From<&str> for Reason {
    fn from(text: &str) -> Reason {
        Reason::Text(text.to_owned())
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Reason {
        Reason::Text(text)
    }
}

/// `HTTP 503 Service Unavailable`, and why a redirect was not followed, in `t`'s words.
fn http(code: u16, named: bool, unfollowed: Option<&Unfollowed>, t: &Reasons) -> String {
    let mut out = format!("HTTP {code}");
    // The standard phrase is the protocol's, the same in every language.
    let phrase = reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason());
    if let (true, Some(phrase)) = (named, phrase) {
        out = format!("{out} {phrase}");
    }
    match unfollowed {
        Some(Unfollowed::Scheme(scheme)) => {
            out.push_str(&fill(t.redirect_not_followed, &[("scheme", scheme)]));
        }
        Some(Unfollowed::Unreadable) => out.push_str(t.redirect_unreadable),
        None => {}
    }
    out
}

impl Tls {
    /// Why TLS failed, in `t`'s words.
    fn render<'a>(&'a self, t: &'a Reasons) -> &'a str {
        match self {
            Tls::Expired => t.tls_expired,
            Tls::UnknownIssuer => t.tls_unknown_issuer,
            Tls::NameMismatch => t.tls_name_mismatch,
            Tls::NotValidYet => t.tls_not_valid_yet,
            Tls::SelfSigned => t.tls_self_signed,
            Tls::Revoked => t.tls_revoked,
            Tls::PlainText => t.tls_not_tls,
            Tls::ClosedInHandshake => t.tls_closed_in_handshake,
            Tls::NoCertificate => t.tls_no_certificate,
            Tls::Other(words) => words,
        }
    }
}

impl Reason {
    /// The reason in the words of one language's table.
    pub fn render(&self, t: &Reasons) -> String {
        let one = |template: &str, name: &str, value: &str| fill(template, &[(name, value)]);
        match self {
            Reason::Answered { what, ms } => fill(
                t.answered,
                &[("what", &what.render(t)), ("ms", &ms.to_string())],
            ),
            Reason::Http {
                code,
                named,
                unfollowed,
            } => http(*code, *named, unfollowed.as_ref(), t),
            Reason::TcpConnect => t.tcp_connect.to_owned(),
            Reason::ConnectionRefused => t.connection_refused.to_owned(),
            Reason::ConnectionReset => t.connection_reset.to_owned(),
            Reason::ConnectionAborted => t.connection_aborted.to_owned(),
            Reason::ClosedEarly => t.closed_early.to_owned(),
            Reason::HostUnreachable => t.host_unreachable.to_owned(),
            Reason::NetworkUnreachable => t.network_unreachable.to_owned(),
            Reason::TimedOut => t.timed_out.to_owned(),
            Reason::TimedOutAfter(d) => one(
                t.timed_out_after,
                "duration",
                &crate::config::format_duration(*d),
            ),
            Reason::Dns => t.dns.to_owned(),
            Reason::NoAddress { host, family } => fill(
                t.no_address,
                &[("host", host), ("family", &family.to_string())],
            ),
            Reason::NoResolver => t.no_resolver.to_owned(),
            Reason::Tls(tls) => one(t.tls, "why", tls.render(t)),
            Reason::RedirectLoop => t.redirect_loop.to_owned(),
            Reason::TooManyRedirects => t.too_many_redirects.to_owned(),
            Reason::RedirectedToHttps => t.redirected_to_https.to_owned(),
            Reason::TextNotFound { text, limited } => {
                let template = if *limited {
                    t.text_not_found_limited
                } else {
                    t.text_not_found
                };
                one(template, "text", &format!("{text:?}"))
            }
            Reason::NotProbedInTime => t.not_probed_in_time.to_owned(),
            Reason::ProbeFailed => t.probe_failed.to_owned(),
            Reason::TooManyOpenFiles => t.too_many_open_files.to_owned(),
            Reason::OutOfMemory => t.out_of_memory.to_owned(),
            Reason::CaFileUnreadable { path, why } => {
                fill(t.ca_file_unreadable, &[("path", path), ("why", why)])
            }
            Reason::HttpSetup(why) => one(t.http_setup, "why", why),
            Reason::CanariesFailed(why) => one(t.canaries_failed, "reason", &why.render(t)),
            Reason::CanaryAnswered { url, reason } => fill(
                t.canary_answered,
                &[("url", url), ("reason", &reason.render(t))],
            ),
            Reason::CanariesAnswer => t.canaries_answer.to_owned(),
            Reason::Text(text) => text.clone(),
            Reason::Unknown => t.unknown.to_owned(),
            other => other.render_watch(t),
        }
    }

    /// The reasons of body rules, DNS and ping, in `t`'s words.
    fn render_watch(&self, t: &Reasons) -> String {
        let quoted = |s: &str| format!("{s:?}");
        match self {
            Reason::TextFound { text } => fill(t.text_found, &[("text", &quoted(text))]),
            Reason::NoMatch { pattern, limited } => fill(
                if *limited {
                    t.no_match_limited
                } else {
                    t.no_match
                },
                &[("pattern", pattern)],
            ),
            Reason::NotJson { limited: false } => t.not_json.to_owned(),
            Reason::NotJson { limited: true } => t.not_json_limited.to_owned(),
            Reason::JsonMismatch {
                pointer,
                found,
                expected,
            } => fill(
                t.json_mismatch,
                &[
                    ("pointer", &quoted(pointer)),
                    ("found", found),
                    ("expected", expected),
                ],
            ),
            Reason::JsonMissing { pointer } => {
                fill(t.json_missing, &[("pointer", &quoted(pointer))])
            }
            Reason::DnsAnswer { rtype, answers } => {
                fill(t.dns_answer, &[("type", rtype), ("answers", answers)])
            }
            Reason::DnsNxDomain { name } => fill(t.dns_nxdomain, &[("name", name)]),
            Reason::DnsRcode { name, code } => fill(t.dns_rcode, &[("name", name), ("code", code)]),
            Reason::DnsNoRecords { name, rtype } => {
                fill(t.dns_no_records, &[("name", name), ("type", rtype)])
            }
            Reason::DnsTextNotFound { text, answers } => fill(
                t.dns_text_not_found,
                &[("text", &quoted(text)), ("answers", answers)],
            ),
            Reason::EchoReply => t.echo_reply.to_owned(),
            Reason::PingNotPermitted => t.ping_not_permitted.to_owned(),
            _ => t.unknown.to_owned(),
        }
    }

    /// The same reason with every text it carries from elsewhere passed through `f`
    /// (masking a target's secrets, cutting a long text).
    pub fn map_texts(self, f: &dyn Fn(&str) -> String) -> Reason {
        match self {
            Reason::Text(text) => Reason::Text(f(&text)),
            Reason::Tls(Tls::Other(words)) => Reason::Tls(Tls::Other(f(&words))),
            Reason::CaFileUnreadable { path, why } => Reason::CaFileUnreadable {
                path: f(&path),
                why: f(&why),
            },
            Reason::HttpSetup(why) => Reason::HttpSetup(f(&why)),
            Reason::DnsAnswer { rtype, answers } => Reason::DnsAnswer {
                rtype,
                answers: f(&answers),
            },
            Reason::DnsTextNotFound { text, answers } => Reason::DnsTextNotFound {
                text,
                answers: f(&answers),
            },
            Reason::JsonMismatch {
                pointer,
                found,
                expected,
            } => Reason::JsonMismatch {
                pointer,
                found: f(&found),
                expected,
            },
            Reason::Answered { what, ms } => Reason::Answered {
                what: Box::new(what.map_texts(f)),
                ms,
            },
            other => other,
        }
    }
}

/// English, as the transition log and the terminal say it.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&crate::texts::EN.reasons))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_shows_latency_only_when_up() {
        let up = Outcome {
            up: true,
            detail: Reason::Http {
                code: 200,
                named: false,
                unfollowed: None,
            },
            elapsed: Duration::from_millis(41),
            checker_fault: false,
            cert: None,
        };
        assert_eq!(up.summary().to_string(), "HTTP 200 in 41 ms");
        let down = Outcome {
            up: false,
            detail: Reason::ConnectionRefused,
            elapsed: Duration::from_secs(3),
            checker_fault: false,
            cert: None,
        };
        assert_eq!(down.summary().to_string(), "connection refused");
    }

    #[test]
    fn texts_from_elsewhere_are_masked_but_values_are_not_touched() {
        let mask = |s: &str| s.replace("S3cret", "***");
        let text = Reason::Text("for http://a:S3cret@h/".into()).map_texts(&mask);
        assert_eq!(text.to_string(), "for http://a:***@h/");
        assert_eq!(Reason::Dns.map_texts(&mask), Reason::Dns);
    }
}
