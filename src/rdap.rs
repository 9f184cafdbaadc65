//! Domain expiry by RDAP (RFC 9082, 9083): the registered domain of each http(s) and
//! dns target with `domain_warn_days` (the public suffix list tells which part of the
//! name that is), asked at most once a day per domain, as `<base>/domain/<name>`. The
//! base is `check.rdap_url`, or the one the IANA bootstrap (RFC 9224) names for the
//! domain's top-level domain. The lookups run beside the probes, so a run that has one
//! due is no slower than its probes unless RDAP is; a run with none due asks nothing. A
//! failed lookup is a warning: the date known before stays, and the next day asks again.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::checkpoint::Checkpoint;
use crate::config::{Endpoint, Target};

/// IANA's bootstrap file for domain names.
const BOOTSTRAP: &str = "https://data.iana.org/rdap/dns.json";
/// The longest one RDAP request (or the bootstrap) may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes read of an RDAP answer.
const MAX_ANSWER: usize = 256 * 1024;

/// What one lookup found: when the domain expires, or why it is not known.
pub type Found = (String, Result<DateTime<FixedOffset>, String>);

/// The registered domain of a target: `example.co.uk` for `https://www.example.co.uk/`;
/// `None` for an address, a name with no public suffix, or a tcp or icmp target.
pub fn registered_domain(target: &Target) -> Option<String> {
    domain_of(&target.endpoint)
}

fn domain_of(endpoint: &Endpoint) -> Option<String> {
    let name = match endpoint {
        Endpoint::Http(url) => {
            let host = url.host_str()?;
            if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
                return None;
            }
            host.to_owned()
        }
        Endpoint::Dns(query) => query.name.clone(),
        _ => return None,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = psl::domain(name.as_bytes())?;
    // A suffix nobody listed (`localhost`, `internal`) has no registry to ask.
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_owned)
}

/// The registered domain of a target's URL as shown (`status` reads it without the
/// config).
pub fn domain_of_url(url: &str) -> Option<String> {
    domain_of(&crate::config::endpoint_of(url)?)
}

/// The domains the targets watch, each with the union of their thresholds and the
/// first target that names it.
pub fn watched(targets: &[Target]) -> BTreeMap<String, (Vec<u32>, &Target)> {
    let mut out: BTreeMap<String, (Vec<u32>, &Target)> = BTreeMap::new();
    for target in targets.iter().filter(|t| !t.domain_warn_days.is_empty()) {
        let Some(domain) = registered_domain(target) else {
            continue;
        };
        let entry = out.entry(domain).or_insert((Vec::new(), target));
        entry.0.extend(&target.domain_warn_days);
        entry.0.sort_unstable_by(|a, b| b.cmp(a));
        entry.0.dedup();
    }
    out
}

/// The domains to ask about in this run: watched, and not asked within a day.
pub fn due(targets: &[Target], checkpoint: &Checkpoint, now: DateTime<FixedOffset>) -> Vec<String> {
    watched(targets)
        .into_keys()
        .filter(|d| match checkpoint.domains.get(d) {
            None => true,
            Some(seen) => now.signed_duration_since(seen.checked) >= TimeDelta::days(1),
        })
        .collect()
}

/// Asks RDAP about each domain (at `base`, or where the bootstrap says), each bounded
/// by [`TIMEOUT`]; the answers in the domains' order.
pub async fn lookup_all(domains: Vec<String>, base: Option<String>) -> Vec<Found> {
    if domains.is_empty() {
        return Vec::new();
    }
    let client = match client() {
        Ok(client) => client,
        Err(why) => return domains.into_iter().map(|d| (d, Err(why.clone()))).collect(),
    };
    let bootstrap = match &base {
        Some(_) => Ok(BTreeMap::new()),
        None => get_json(&client, BOOTSTRAP).await.map(|doc| bases(&doc)),
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (index, domain) in domains.into_iter().enumerate() {
        let url = match (&base, &bootstrap) {
            (Some(base), _) => Ok(base.clone()),
            (None, Ok(map)) => tld(&domain)
                .and_then(|tld| map.get(tld).cloned())
                .ok_or_else(|| format!("the IANA bootstrap names no RDAP server for {domain}")),
            (None, Err(why)) => Err(format!("cannot read the IANA bootstrap: {why}")),
        };
        let client = client.clone();
        tasks.spawn(async move {
            let result = match url {
                Ok(base) => {
                    let url = format!("{}/domain/{domain}", base.trim_end_matches('/'));
                    get_json(&client, &url)
                        .await
                        .and_then(|doc| expiration(&doc))
                }
                Err(why) => Err(why),
            };
            (index, (domain, result))
        });
    }
    let mut found = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(one) = joined {
            found.push(one);
        }
    }
    found.sort_by_key(|(index, _)| *index);
    found.into_iter().map(|(_, one)| one).collect()
}

fn client() -> Result<reqwest::Client, String> {
    crate::ca_bundle::trust(reqwest::Client::builder(), true)
        .no_proxy()
        .timeout(TIMEOUT)
        .user_agent(concat!("vigia/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| crate::describe::describe_error(&e))
}

/// A JSON document from `url`: a 200 with at most [`MAX_ANSWER`] bytes.
async fn get_json(client: &reqwest::Client, url: &str) -> Result<serde_json::Value, String> {
    let mut response = client
        .get(url)
        .header("accept", "application/rdap+json, application/json")
        .send()
        .await
        .map_err(|e| crate::describe::describe(&e).to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url} answered HTTP {}", status.as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| crate::describe::describe(&e).to_string())?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(format!("{url} answered more than 256 KiB"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| format!("{url} did not answer JSON: {e}"))
}

/// The `expiration` event of an RDAP domain object (RFC 9083 §4.5).
pub fn expiration(doc: &serde_json::Value) -> Result<DateTime<FixedOffset>, String> {
    let events = doc.get("events").and_then(|e| e.as_array());
    let date = events
        .into_iter()
        .flatten()
        .find(|e| e.get("eventAction").and_then(|a| a.as_str()) == Some("expiration"))
        .and_then(|e| e.get("eventDate"))
        .and_then(|d| d.as_str())
        .ok_or("the RDAP answer has no expiration event")?;
    DateTime::parse_from_rfc3339(date)
        .map_err(|e| format!("the RDAP expiration date {date:?} is not RFC 3339: {e}"))
}

/// The bootstrap's services: each top-level domain with its first base URL.
fn bases(doc: &serde_json::Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let services = doc.get("services").and_then(|s| s.as_array());
    for service in services.into_iter().flatten() {
        let (Some(tlds), Some(urls)) = (
            service.get(0).and_then(|t| t.as_array()),
            service.get(1).and_then(|u| u.as_array()),
        ) else {
            continue;
        };
        // https first, as RFC 9224 advises.
        let url = urls
            .iter()
            .filter_map(|u| u.as_str())
            .min_by_key(|u| !u.starts_with("https://"));
        if let Some(url) = url {
            for tld in tlds.iter().filter_map(|t| t.as_str()) {
                out.insert(tld.to_ascii_lowercase(), url.to_owned());
            }
        }
    }
    out
}

fn tld(domain: &str) -> Option<&str> {
    domain.rsplit('.').next().filter(|t| !t.is_empty())
}

/// Records what the lookups found in the checkpoint; returns a warning for each that
/// failed. Forgets the domains no target watches any more.
pub fn record(
    found: &[Found],
    targets: &[Target],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for (domain, result) in found {
        match result {
            Ok(expires) => checkpoint.domain_checked(domain, now, Some(*expires)),
            Err(why) => {
                checkpoint.domain_checked(domain, now, None);
                warnings.push(format!(
                    "domain {domain}: the RDAP lookup failed ({why}); asked again in a day"
                ));
            }
        }
    }
    let watched: BTreeSet<String> = watched(targets).into_keys().collect();
    checkpoint.keep_domains(&watched);
    warnings
}

/// What a run says of domain expiry, after its plan: records the lookups, then the
/// notices of thresholds crossed, queued as one message (or printed with the plan's
/// notices when there is no Telegram). Returns the warnings of failed lookups.
pub fn say(
    plan: &mut crate::plan::Plan,
    config: &crate::config::Config,
    found: &[Found],
    now: DateTime<FixedOffset>,
    host: &str,
) -> Vec<String> {
    let checkpoint = &mut plan.checkpoint;
    let warnings = record(found, &config.targets, checkpoint, now);
    let notices = crate::notices::domains(&config.targets, checkpoint, now);
    let notices = crate::notices::audible(notices, checkpoint);
    if notices.is_empty() {
        return warnings;
    }
    if let Some(telegram) = &config.telegram {
        let texts = crate::texts::for_language(Some(&telegram.language));
        let text = crate::message::render_html(&notices, host, texts);
        let parts = crate::message::split(&text, crate::message::LIMIT);
        let to = Some(crate::checkpoint::Address::of(telegram));
        checkpoint.enqueue(parts, now, to);
    }
    plan.notices.extend(notices);
    warnings
}

/// Waits for the lookups spawned beside the probes, at most [`TIMEOUT`] more (each
/// request is bounded by it already; this bounds the bootstrap and the queue).
/// A lookup that did not end in time counts as failed, so that it is not asked again
/// before a day.
pub fn collect(
    rt: &tokio::runtime::Runtime,
    due: &[String],
    lookups: tokio::task::JoinHandle<Vec<Found>>,
) -> Vec<Found> {
    rt.block_on(async {
        match tokio::time::timeout(TIMEOUT, lookups).await {
            Ok(Ok(found)) => found,
            _ => due
                .iter()
                .map(|d| (d.clone(), Err("no answer in time".to_owned())))
                .collect(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(url: &str) -> Target {
        let mut t = crate::fixtures::target("web");
        t.endpoint = crate::config::Endpoint::parse(url).unwrap();
        t.domain_warn_days = vec![30, 7];
        t
    }

    #[test]
    fn the_public_suffix_list_tells_the_registered_domain() {
        let d = |url: &str| registered_domain(&target(url));
        assert_eq!(
            d("https://www.example.co.uk/x").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            d("http://a.b.example.org:8080/").as_deref(),
            Some("example.org")
        );
        assert_eq!(
            d("dns://127.0.0.1/www.example.com.br?type=A").as_deref(),
            Some("example.com.br")
        );
        assert_eq!(d("http://127.0.0.1:8080/"), None);
        assert_eq!(d("http://[::1]/"), None);
        assert_eq!(d("http://localhost/"), None);
        assert_eq!(d("tcp://example.org:22"), None);
    }

    #[test]
    fn the_expiration_event_and_the_bootstrap_are_read() {
        let doc = json!({"events": [
            {"eventAction": "registration", "eventDate": "2001-01-01T00:00:00Z"},
            {"eventAction": "expiration", "eventDate": "2027-01-02T03:04:05Z"}
        ]});
        assert_eq!(
            expiration(&doc).unwrap().to_rfc3339(),
            "2027-01-02T03:04:05+00:00"
        );
        assert!(expiration(&json!({"events": []})).is_err());
        let boot = json!({"services": [
            [["com", "net"], ["http://rdap.example/", "https://rdap.example/com/"]],
            [["br"], ["https://rdap.registro.br/"]]
        ]});
        let map = bases(&boot);
        assert_eq!(map["net"], "https://rdap.example/com/");
        assert_eq!(map["br"], "https://rdap.registro.br/");
        assert_eq!(tld("example.com.br"), Some("br"));
    }

    #[test]
    fn a_domain_is_due_once_a_day() {
        let targets = [
            target("https://www.example.org/"),
            target("https://example.org/b"),
        ];
        let mut cp = Checkpoint::default();
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
        assert_eq!(due(&targets, &cp, now), ["example.org"]);
        record(
            &[("example.org".into(), Err("down".into()))],
            &targets,
            &mut cp,
            now,
        );
        assert!(due(&targets, &cp, now + TimeDelta::hours(23)).is_empty());
        assert_eq!(
            due(&targets, &cp, now + TimeDelta::hours(24)),
            ["example.org"]
        );
        // No target watches it any more: forgotten.
        record(&[], &[], &mut cp, now);
        assert!(cp.domains.is_empty());
    }
}
