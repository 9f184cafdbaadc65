//! Probing a target: one HTTP(S) request or TCP connect per attempt, each bounded by the
//! target's timeout (DNS, connect, TLS, headers and body together), retried `attempts`
//! times. Targets are probed concurrently, with a bound on probes in flight in all and
//! per host and port, so hanging targets cost about one timeout and a thousand targets
//! neither exhaust the process's files nor hit one server all at once. A failure that
//! comes from this machine (no file descriptor, no memory, no socket) is told apart: it
//! says nothing about the target.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::redirect;
use tokio::sync::Semaphore;

use crate::cert::CertInfo;
use crate::config::{Endpoint, IpFamily, Target};
use crate::describe::{describe, describe_error, truncate, ReasonError, MAX_REASON};
use crate::outcome::{Family, Outcome, Reason, Unfollowed};

/// The most body `contains` looks at.
pub const MAX_BODY: usize = 1024 * 1024;
const MAX_REDIRECTS: usize = 10;

/// How many probes may be in flight: in all (a hard limit: it keeps the process inside
/// its open-file limit) and per host and port (a soft one, see [`host_wait`]).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub parallel: usize,
    pub per_host: usize,
    /// Probes not finished by then are not judged (see [`Outcome::checker_fault`]).
    pub deadline: Instant,
}

impl Limits {
    /// The configured limits, with a run's probe deadline from now.
    pub fn for_check(check: &crate::config::CheckDefaults) -> Limits {
        Limits {
            parallel: check.parallel,
            per_host: check.parallel_per_host,
            deadline: Instant::now() + crate::budget::PROBE_DEADLINE,
        }
    }

    /// The same limits with the probe deadline at `deadline`.
    pub fn until(self, deadline: Instant) -> Limits {
        Limits { deadline, ..self }
    }
}

/// Probes every target; the outcomes come back in the targets' order.
pub async fn probe_all(targets: &[Target], limits: Limits) -> Vec<Outcome> {
    let clients = Arc::new(Clients::default());
    let all = Arc::new(Semaphore::new(limits.parallel.max(1)));
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().enumerate() {
        let host = hosts
            .entry(host_key(&target.endpoint))
            .or_insert_with(|| Arc::new(Semaphore::new(limits.per_host.max(1))))
            .clone();
        let (target, clients, all) = (target.clone(), clients.clone(), all.clone());
        let deadline = tokio::time::Instant::from_std(limits.deadline);
        tasks.spawn(async move {
            let gates = Gates { all, host };
            let probed = tokio::time::timeout_at(deadline, probe(&target, &clients, gates));
            let outcome = probed.await.unwrap_or(Outcome {
                up: false,
                detail: Reason::NotProbedInTime,
                elapsed: Duration::ZERO,
                checker_fault: true,
                cert: None,
            });
            (index, outcome)
        });
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
            o.unwrap_or(Outcome {
                up: false,
                detail: Reason::ProbeFailed,
                elapsed: Duration::ZERO,
                checker_fault: true,
                cert: None,
            })
        })
        .collect()
}

/// `host:port`, the unit the per-host limit counts in.
fn host_key(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Tcp { host, port } => format!("{host}:{port}"),
        Endpoint::Dns(query) => match query.resolver {
            Some(at) => format!("dns {at}"),
            None => "dns".to_owned(),
        },
        Endpoint::Icmp { host } => format!("icmp {host}"),
        Endpoint::Http(url) => format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        ),
    }
}

/// The permits an attempt holds while it runs (not while it waits to retry).
struct Gates {
    all: Arc<Semaphore>,
    host: Arc<Semaphore>,
}

/// The longest a probe waits for its host's turn: then it goes anyway. The per-host
/// limit spreads the connections to a healthy host; a host that holds every connection
/// without answering must not make its other targets wait a timeout each, or a hung
/// server with many targets would outlast the run.
fn host_wait(timeout: Duration) -> Duration {
    (timeout / 4).min(Duration::from_secs(1))
}

/// Why an attempt failed, and whether the failure is this machine's own.
struct Failure {
    why: Reason,
    checker_fault: bool,
}

impl Failure {
    fn of(err: &(dyn StdError + 'static)) -> Failure {
        let why = describe(err);
        if why == Reason::Dns && no_resolver_configured() {
            return Failure {
                why: Reason::NoResolver,
                checker_fault: true,
            };
        }
        Failure {
            why,
            checker_fault: is_checker_fault(err),
        }
    }

    fn target(why: Reason) -> Failure {
        Failure {
            why,
            checker_fault: false,
        }
    }
}

/// Probes one target with its attempts and retry delay.
async fn probe(target: &Target, clients: &Clients, gates: Gates) -> Outcome {
    let started = Instant::now();
    let mut reason = Reason::Unknown;
    for attempt in 1..=target.attempts {
        // Semaphores are never closed, so acquiring cannot fail; a host's turn that does
        // not come in time is not waited for (see host_wait).
        let _host = tokio::time::timeout(host_wait(target.timeout), gates.host.acquire())
            .await
            .ok();
        let _all = gates.all.acquire().await;
        let begun = Instant::now();
        let result = tokio::time::timeout(target.timeout, once(target, clients, attempt)).await;
        match result {
            Ok(Ok((detail, cert))) => {
                return Outcome {
                    up: true,
                    detail,
                    elapsed: begun.elapsed(),
                    checker_fault: false,
                    cert,
                }
            }
            Ok(Err(failure)) if failure.checker_fault => {
                return Outcome {
                    up: false,
                    detail: scrubbed(target, failure.why),
                    elapsed: started.elapsed(),
                    checker_fault: true,
                    cert: None,
                }
            }
            Ok(Err(failure)) => reason = failure.why,
            Err(_) => reason = Reason::TimedOutAfter(target.timeout),
        }
        if attempt < target.attempts {
            drop((_host, _all));
            tokio::time::sleep(target.retry_delay).await;
        }
    }
    Outcome {
        up: false,
        detail: scrubbed(target, reason),
        elapsed: started.elapsed(),
        checker_fault: false,
        cert: None,
    }
}

/// A reason with the target's secrets masked in the texts it carries from elsewhere,
/// and those cut to [`MAX_REASON`].
fn scrubbed(target: &Target, reason: Reason) -> Reason {
    reason.map_texts(&|text| truncate(&target.scrub(text), MAX_REASON))
}

async fn once(
    target: &Target,
    clients: &Clients,
    attempt: u32,
) -> Result<(Reason, Option<CertInfo>), Failure> {
    match &target.endpoint {
        Endpoint::Dns(query) => dns(query, target).await.map(|why| (why, None)),
        Endpoint::Icmp { host } => crate::ping::echo(host, target.ip, attempt as u16)
            .await
            .map(|()| (Reason::EchoReply, None))
            .map_err(|f| Failure {
                why: f.why,
                checker_fault: f.checker_fault,
            }),
        Endpoint::Tcp { host, port } => tcp(host, *port, target.ip)
            .await
            .map(|()| (Reason::TcpConnect, None)),
        Endpoint::Http(url) if url.scheme() == "https" => {
            http(&clients.get(target, true)?, url, target).await
        }
        Endpoint::Http(url) => match http(&clients.get(target, false)?, url, target).await {
            // Redirected to https://: again, with a client that trusts the roots.
            Err(f) if f.why == Reason::RedirectedToHttps => {
                http(&clients.get(target, true)?, url, target).await
            }
            other => other,
        },
    }
}

/// A TCP connect to `host:port`, to addresses of the family asked for.
async fn tcp(host: &str, port: u16, ip: IpFamily) -> Result<(), Failure> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| Failure::of(&e))?
        .filter(|a| FamilyResolver::keeps(ip, a))
        .collect();
    if addresses.is_empty() {
        return Err(Failure::target(Reason::NoAddress {
            host: host.to_owned(),
            family: family_of(ip),
        }));
    }
    tokio::net::TcpStream::connect(&addresses[..])
        .await
        .map(drop)
        .map_err(|e| Failure::of(&e))
}

async fn http(
    client: &reqwest::Client,
    url: &reqwest::Url,
    target: &Target,
) -> Result<(Reason, Option<CertInfo>), Failure> {
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    let cert = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .and_then(CertInfo::from_der);
    let status = response.status();
    let unfollowed = unfollowed(&response);
    let accepted = match &target.expect_status {
        Some(list) => list.contains(&status.as_u16()),
        None => status.is_success() || status.is_redirection(),
    };
    let answer = |named| Reason::Http {
        code: status.as_u16(),
        named,
        unfollowed: unfollowed.clone(),
    };
    if !accepted {
        return Err(Failure::target(answer(true)));
    }
    if !target.body.is_empty() {
        let (body, limited) = read_body(&mut response).await?;
        if let Some(needle) = &target.contains {
            if !crate::body::find(&body, needle.as_bytes()) {
                return Err(Failure::target(Reason::TextNotFound {
                    text: truncate(needle, 60),
                    limited,
                }));
            }
        }
        target.body.judge(&body, limited).map_err(Failure::target)?;
        return Ok((answer(false), cert));
    }
    if let Some(needle) = &target.contains {
        let needle = needle.as_bytes();
        let mut body = Vec::new();
        while body.len() < MAX_BODY {
            let chunk = response.chunk().await.map_err(|e| Failure::of(&e))?;
            let Some(chunk) = chunk else { break };
            // Only the new bytes (and the needle's length before them) can hold a new match.
            let from = body.len().saturating_sub(needle.len() - 1);
            body.extend_from_slice(&chunk[..chunk.len().min(MAX_BODY - body.len())]);
            if body[from..].windows(needle.len()).any(|w| w == needle) {
                return Ok((answer(false), cert));
            }
        }
        let text = truncate(target.contains.as_deref().unwrap_or_default(), 60);
        return Err(Failure::target(Reason::TextNotFound {
            text,
            limited: body.len() >= MAX_BODY,
        }));
    }
    Ok((answer(false), cert))
}

/// The body's first [`MAX_BODY`] bytes, and whether there was more.
async fn read_body(response: &mut reqwest::Response) -> Result<(Vec<u8>, bool), Failure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| Failure::of(&e))? {
        if body.len() + chunk.len() > MAX_BODY {
            body.extend_from_slice(&chunk[..MAX_BODY - body.len()]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// A DNS attempt: up with the answers, `contains` looked for in their text.
async fn dns(query: &crate::dns::Query, target: &Target) -> Result<Reason, Failure> {
    let answers = crate::dns::lookup(query, target.timeout)
        .await
        .map_err(|f| Failure {
            why: f.why,
            checker_fault: f.checker_fault,
        })?;
    let shown = truncate(&answers.join(", "), MAX_REASON / 2);
    if let Some(text) = &target.contains {
        if !answers.iter().any(|a| a.contains(text.as_str())) {
            return Err(Failure::target(Reason::DnsTextNotFound {
                text: truncate(text, 60),
                answers: shown,
            }));
        }
    }
    Ok(Reason::DnsAnswer {
        rtype: query.rtype.to_string(),
        answers: shown,
    })
}

/// A final redirect is one vigia does not follow (see [`http_client`]): says where it
/// led, by scheme only (the location may hold anything).
fn unfollowed(response: &reqwest::Response) -> Option<Unfollowed> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(reqwest::header::LOCATION)?;
    let scheme = location
        .to_str()
        .ok()
        .and_then(|l| response.url().join(l).ok())
        .map(|u| u.scheme().to_owned());
    Some(match scheme {
        Some(scheme) => Unfollowed::Scheme(scheme),
        None => Unfollowed::Unreadable,
    })
}

/// What makes two HTTP clients differ.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ClientKey {
    /// Trusts the system's roots (and reads certificates) for TLS connections.
    tls: bool,
    /// A target's extra CA (`ca_file`).
    ca_file: Option<PathBuf>,
    ip: IpFamily,
}

/// The HTTP clients of a run, each built the first time it is needed: without TLS roots
/// for http:// targets (so an http-only run reads no certificate), with them for TLS,
/// and one more for each `ca_file` or `ip` a target asks for.
#[derive(Default)]
struct Clients {
    made: Mutex<HashMap<ClientKey, Result<reqwest::Client, Reason>>>,
}

impl Clients {
    fn get(&self, target: &Target, tls: bool) -> Result<reqwest::Client, Failure> {
        let key = ClientKey {
            tls,
            ca_file: if tls { target.ca_file.clone() } else { None },
            ip: target.ip,
        };
        // Held only while a client is looked up or built: never across an await.
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.entry(key.clone())
            .or_insert_with(|| http_client(&key))
            .clone()
            .map_err(|why| Failure {
                why,
                checker_fault: true,
            })
    }
}

/// A name resolver that keeps only the addresses of one family (`ip = "v4" | "v6"`):
/// binding a local address would not do, since the connector skips a bind of the other
/// family and connects anyway.
struct FamilyResolver(IpFamily);

impl FamilyResolver {
    fn keeps(family: IpFamily, address: &SocketAddr) -> bool {
        match family {
            IpFamily::Any => true,
            IpFamily::V4 => address.is_ipv4(),
            IpFamily::V6 => address.is_ipv6(),
        }
    }
}

impl reqwest::dns::Resolve for FamilyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let family = self.0;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| FamilyResolver::keeps(family, a))
                .collect();
            if found.is_empty() {
                let family = family_of(family);
                return Err(Box::new(ReasonError(Reason::NoAddress { host, family }))
                    as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The family a target is limited to, as its reason names it (`Any` has no such reason).
fn family_of(ip: IpFamily) -> Family {
    if ip == IpFamily::V6 {
        Family::V6
    } else {
        Family::V4
    }
}

/// A client for HTTP targets: no proxy (the site itself is checked), no connection reuse
/// between attempts, and our own redirect rule. Without `tls`, it trusts no root and
/// stops at a redirect to https:// (the caller goes on with a client that has them).
fn http_client(key: &ClientKey) -> Result<reqwest::Client, Reason> {
    let tls = key.tls;
    let mut builder = crate::ca_bundle::trust(reqwest::Client::builder(), tls).tls_info(tls);
    if let Some(file) = &key.ca_file {
        let pem = std::fs::read(file).map_err(|e| Reason::CaFileUnreadable {
            path: file.display().to_string(),
            why: e.to_string(),
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| Reason::Text(format!("{}: {}", file.display(), describe_error(&e))))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if key.ip != IpFamily::Any {
        builder = builder.dns_resolver(Arc::new(FamilyResolver(key.ip)));
    }
    builder
        .no_proxy()
        .pool_max_idle_per_host(0)
        .user_agent(concat!("vigia/", env!("CARGO_PKG_VERSION")))
        .redirect(redirect::Policy::custom(move |attempt| {
            // One rule for every redirect to a scheme that is not the web's (file:,
            // gopher:, mailto:, an app's own): the server answered, and that answer is
            // what is judged (a 3xx is up unless expect_status says otherwise). Before,
            // file: was up and gopher: down, by the accident of which URLs the HTTP
            // layer could read.
            if !matches!(attempt.url().scheme(), "http" | "https") {
                attempt.stop()
            } else if !tls && attempt.url().scheme() == "https" {
                attempt.error(ReasonError(Reason::RedirectedToHttps))
            } else if attempt.previous().contains(attempt.url()) {
                attempt.error(ReasonError(Reason::RedirectLoop))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(ReasonError(Reason::TooManyRedirects))
            } else {
                attempt.follow()
            }
        }))
        .build()
        .map_err(|e| Reason::HttpSetup(describe_error(&e)))
}

/// Whether a failure comes from this machine rather than the target: the process or the
/// system is out of file descriptors, memory or buffers, or cannot make a socket.
pub fn is_checker_fault(err: &(dyn StdError + 'static)) -> bool {
    const OWN: [i32; 6] = [
        libc::EMFILE,
        libc::ENFILE,
        libc::ENOMEM,
        libc::ENOBUFS,
        libc::EAFNOSUPPORT,
        libc::EPROTONOSUPPORT,
    ];
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.raw_os_error().is_some_and(|code| OWN.contains(&code)) {
                return true;
            }
        }
        current = e.source();
    }
    false
}

/// This machine has no name server to ask: `/etc/resolv.conf` names none and NSS has no
/// other DNS source (systemd-resolved's `resolve`). Asked only after a DNS failure,
/// which then says nothing about the target.
fn no_resolver_configured() -> bool {
    let resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let nameserver = resolv
        .lines()
        .any(|l| l.trim_start().starts_with("nameserver"));
    let nss = std::fs::read_to_string("/etc/nsswitch.conf").unwrap_or_default();
    let resolve = nss
        .lines()
        .filter(|l| l.trim_start().starts_with("hosts:"))
        .any(|l| l.split_whitespace().any(|w| w == "resolve"));
    !nameserver && !resolve
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::chain::wrapped;

    #[test]
    fn this_machines_own_limits_are_told_apart() {
        let emfile = std::io::Error::from_raw_os_error(libc::EMFILE);
        assert!(is_checker_fault(&wrapped(emfile)));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!is_checker_fault(&wrapped(refused)));
        assert!(!is_checker_fault(&wrapped(ReasonError(
            Reason::RedirectLoop
        ))));
    }
}
