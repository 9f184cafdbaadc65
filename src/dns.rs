//! DNS targets: `dns://[resolver[:port]]/name?type=A`, up when the name has at least one
//! record of the type within the timeout. Asked through hickory's resolver (no packets
//! of our own), once per attempt, with no cache, no hosts file and no search domains:
//! the server's answer is what is judged. NXDOMAIN, a failing server (SERVFAIL,
//! REFUSED), a timeout and a name without records of the type are told apart.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RecordType;
use hickory_resolver::TokioResolver;

use crate::outcome::Reason;

/// The record types a target may ask for.
const TYPES: [RecordType; 6] = [
    RecordType::A,
    RecordType::AAAA,
    RecordType::CNAME,
    RecordType::MX,
    RecordType::TXT,
    RecordType::NS,
];

/// What a DNS target asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// `None`: the system's resolvers (`/etc/resolv.conf`).
    pub resolver: Option<SocketAddr>,
    /// Fully qualified, without the final dot.
    pub name: String,
    pub rtype: RecordType,
}

impl Query {
    /// Reads a parsed `dns://` URL.
    pub fn parse(url: &reqwest::Url) -> Result<Query, String> {
        let resolver = match url.host_str().filter(|h| !h.is_empty()) {
            None => None,
            Some(host) => {
                let ip: IpAddr = host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse()
                    .map_err(|_| {
                        format!(
                            "the resolver {host:?} must be an IP address (dns://192.0.2.53/name)"
                        )
                    })?;
                Some(SocketAddr::new(ip, url.port().unwrap_or(53)))
            }
        };
        let name = url.path().trim_start_matches('/').trim_end_matches('.');
        if name.is_empty() || name.contains('/') {
            return Err(
                "a dns target names one domain: dns://[resolver[:port]]/name?type=A".into(),
            );
        }
        let mut rtype = RecordType::A;
        for (key, value) in url.query_pairs() {
            match &*key {
                "type" => {
                    rtype = TYPES
                        .into_iter()
                        .find(|t| t.to_string().eq_ignore_ascii_case(&value))
                        .ok_or_else(|| {
                            format!("type {value:?} is not one of A, AAAA, CNAME, MX, TXT, NS")
                        })?
                }
                other => return Err(format!("{other:?} is not a query key (only type=)")),
            }
        }
        Ok(Query {
            resolver,
            name: name.to_owned(),
            rtype,
        })
    }
}

/// Why a DNS attempt failed: the reason, and whether this machine is the cause.
pub struct DnsFailure {
    pub why: Reason,
    pub checker_fault: bool,
}

/// One lookup: the answers' texts (`192.0.2.10`, `10 mail.example.org.`).
pub async fn lookup(query: &Query, timeout: Duration) -> Result<Vec<String>, DnsFailure> {
    let resolver = resolver(query, timeout)?;
    let fqdn = format!("{}.", query.name);
    match resolver.lookup(fqdn.as_str(), query.rtype).await {
        Ok(found) => {
            let answers: Vec<String> = found
                .answers()
                .iter()
                .filter(|r| r.record_type() == query.rtype)
                .map(|r| r.data.to_string())
                .collect();
            if answers.is_empty() {
                return Err(target(Reason::DnsNoRecords {
                    name: query.name.clone(),
                    rtype: query.rtype.to_string(),
                }));
            }
            Ok(answers)
        }
        Err(e) => Err(failure(query, &e, timeout)),
    }
}

fn target(why: Reason) -> DnsFailure {
    DnsFailure {
        why,
        checker_fault: false,
    }
}

/// A resolver for one query: the one named, or the system's; no cache, no retries (the
/// target's attempts are the retries), the target's timeout.
fn resolver(query: &Query, timeout: Duration) -> Result<TokioResolver, DnsFailure> {
    let provider = TokioRuntimeProvider::default();
    let mut builder = match query.resolver {
        Some(at) => {
            let mut server = NameServerConfig::udp_and_tcp(at.ip());
            for connection in &mut server.connections {
                connection.port = at.port();
            }
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                provider,
            )
        }
        // No readable /etc/resolv.conf, or one without a nameserver: this machine's.
        None => TokioResolver::builder(provider).map_err(|_| DnsFailure {
            why: Reason::NoResolver,
            checker_fault: true,
        })?,
    };
    let options = builder.options_mut();
    options.timeout = timeout;
    options.attempts = 0;
    options.cache_size = 0;
    options.ndots = 0;
    options.use_hosts_file = ResolveHosts::Never;
    builder.build().map_err(|e| DnsFailure {
        why: Reason::Text(format!("cannot set up DNS: {e}")),
        checker_fault: true,
    })
}

/// The reason of a failed lookup.
fn failure(query: &Query, err: &NetError, timeout: Duration) -> DnsFailure {
    let name = query.name.clone();
    match err {
        NetError::Dns(DnsError::NoRecordsFound(none))
            if none.response_code == ResponseCode::NXDomain =>
        {
            target(Reason::DnsNxDomain { name })
        }
        NetError::Dns(DnsError::NoRecordsFound(none))
            if none.response_code == ResponseCode::NoError =>
        {
            target(Reason::DnsNoRecords {
                name,
                rtype: query.rtype.to_string(),
            })
        }
        NetError::Dns(DnsError::NoRecordsFound(none)) => target(Reason::DnsRcode {
            name,
            code: rcode(none.response_code),
        }),
        NetError::Dns(DnsError::ResponseCode(code)) => target(Reason::DnsRcode {
            name,
            code: rcode(*code),
        }),
        NetError::Timeout => target(Reason::TimedOutAfter(timeout)),
        NetError::Io(io) => DnsFailure {
            why: crate::describe::describe(io.as_ref()),
            checker_fault: crate::probe::is_checker_fault(io.as_ref()),
        },
        other => target(Reason::Text(other.to_string())),
    }
}

/// A response code as the RFCs spell it: `SERVFAIL`, `REFUSED`.
fn rcode(code: ResponseCode) -> String {
    match code {
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        other => format!("{other:?}").to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Query, String> {
        Query::parse(&reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn urls_name_a_resolver_a_name_and_a_type() {
        let q = parse("dns://127.0.0.1:5353/example.org?type=mx").unwrap();
        assert_eq!(q.resolver, Some("127.0.0.1:5353".parse().unwrap()));
        assert_eq!((q.name.as_str(), q.rtype), ("example.org", RecordType::MX));
        let q = parse("dns:///example.org.").unwrap();
        assert_eq!(
            (q.resolver, q.name.as_str(), q.rtype),
            (None, "example.org", RecordType::A)
        );
        let q = parse("dns://[::1]/example.org?type=AAAA").unwrap();
        assert_eq!(q.resolver, Some("[::1]:53".parse().unwrap()));
        assert!(parse("dns://ns.example/example.org").is_err());
        assert!(parse("dns://127.0.0.1/example.org?type=SRV").is_err());
        assert!(parse("dns://127.0.0.1/").is_err());
    }
}
