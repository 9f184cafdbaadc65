//! Alerts pushed to Alertmanager (README "A fleet of checkers"), as a oneshot does it:
//! every run posts, to `/api/v2/alerts` of each configured Alertmanager, an alert for
//! every target that is down, ending a few minutes ahead, so that a checker that stops
//! lets its alerts resolve by themselves; a recovery posts the same alert ended. The
//! alert is `VigiaProbeDown` (what one checker sees); the quorum of checkers is
//! Prometheus's `VigiaTargetDown` (doc/fleet/vigia.rules.yml), so the two never collide.
//! Spec: <https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml>
//! (`postableAlerts`). A failed post is a warning: Telegram has been served already.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;

use crate::checkpoint::Checkpoint;
use crate::config::{format_duration, Alertmanager, Target};
use crate::describe::describe_error;
use crate::outcome::Outcome;
use crate::secret::mask_written_url;
use crate::translog::State;

/// How far ahead of the run a firing alert ends: four runs of a timer that fires every
/// minute (Prometheus sends its own alerts valid for four evaluation intervals), so one
/// failed post changes nothing and a checker that stopped resolves in minutes.
pub const ENDS_AHEAD: TimeDelta = TimeDelta::minutes(4);

/// The name of the alert one checker posts.
pub const ALERT_NAME: &str = "VigiaProbeDown";

/// Less time than this left in the run's budget: the post is not tried.
const MIN_TIME: Duration = Duration::from_millis(300);

/// One alert as Alertmanager's API takes it.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub labels: BTreeMap<&'static str, String>,
    pub annotations: BTreeMap<&'static str, String>,
    pub starts_at: String,
    pub ends_at: String,
}

/// What a run knows, for the alerts.
pub struct Seen<'a> {
    pub targets: &'a [Target],
    /// This run's outcomes, in the targets' order.
    pub outcomes: &'a [Outcome],
    /// The state after this run (confirmed: `check.confirm` and `recover` applied).
    pub checkpoint: &'a Checkpoint,
    pub now: DateTime<FixedOffset>,
    pub checker: &'a str,
    /// The canaries judge this machine offline: it says nothing about its targets.
    pub offline: bool,
}

/// The alerts of one run: a firing one for every target that is down, an ended one for
/// every target that came back within [`ENDS_AHEAD`] (so that a lost post of the
/// recovery is made good by the next runs, while the firing one could still be live).
pub fn alerts(seen: &Seen) -> Vec<Alert> {
    if seen.offline {
        return Vec::new();
    }
    let mut alerts = Vec::new();
    for (target, outcome) in seen.targets.iter().zip(seen.outcomes) {
        let Some(entry) = seen.checkpoint.targets.get(&target.name) else {
            continue;
        };
        let (summary, reason, starts, ends) = match entry.state {
            State::Offline => {
                let reason = match outcome.up {
                    false => format!("{} ({})", outcome.summary(), target.url),
                    true => entry.text.clone(),
                };
                let summary = format!("{} is DOWN from {}", target.name, seen.checker);
                (summary, reason, entry.at, seen.now + ENDS_AHEAD)
            }
            State::Online if entry.at > seen.now - ENDS_AHEAD => {
                let summary = format!("{} is UP again from {}", target.name, seen.checker);
                (summary, entry.text.clone(), entry.at, entry.at)
            }
            State::Online => continue,
        };
        let since = crate::util::show_time(entry.at);
        alerts.push(Alert {
            labels: BTreeMap::from([
                ("alertname", ALERT_NAME.to_owned()),
                ("target", target.name.clone()),
                ("checker", seen.checker.to_owned()),
                ("severity", "critical".to_owned()),
            ]),
            annotations: BTreeMap::from([
                ("summary", summary),
                ("description", format!("{reason}; since {since}")),
            ]),
            starts_at: stamp(starts),
            ends_at: stamp(ends),
        });
    }
    alerts
}

/// A time as the API reads it (RFC 3339, UTC).
fn stamp(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Posts `alerts` to every Alertmanager of `config` at once, each in at most its timeout
/// and at most `time_left`. Returns one warning per Alertmanager that did not take them
/// (named by its URL, user info masked); nothing to post, nothing is sent.
pub async fn post(config: &Alertmanager, alerts: &[Alert], time_left: Duration) -> Vec<String> {
    if alerts.is_empty() {
        return Vec::new();
    }
    let shown = |url: &reqwest::Url| mask_written_url(url.as_str());
    let limit = config.timeout.min(time_left);
    if limit < MIN_TIME {
        return config
            .urls
            .iter()
            .map(|u| {
                format!(
                    "alerts not posted to Alertmanager {}: no time left in this run's budget",
                    shown(u)
                )
            })
            .collect();
    }
    // The roots are loaded only for an https:// Alertmanager (most are on a private
    // network, over http://): they are most of a post's cost.
    let tls = config.urls.iter().any(|u| u.scheme() == "https");
    let client = match crate::ca_bundle::trust(reqwest::Client::builder(), tls)
        .user_agent(concat!("vigia/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            return vec![format!(
                "alerts not posted to Alertmanager: {}",
                describe_error(&e)
            )]
        }
    };
    let body = match serde_json::to_vec(alerts) {
        Ok(body) => body,
        Err(e) => return vec![format!("alerts not posted to Alertmanager: {e}")],
    };
    let mut posts = tokio::task::JoinSet::new();
    for (i, base) in config.urls.iter().enumerate() {
        let request = client
            .post(endpoint(base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send();
        posts.spawn(async move { (i, tokio::time::timeout(limit, request).await) });
    }
    let mut failed: Vec<(usize, String)> = Vec::new();
    while let Some(done) = posts.join_next().await {
        let Ok((i, answer)) = done else { continue };
        let why = match answer {
            Err(_) => format!("no answer within {}", format_duration(limit)),
            Ok(Err(e)) => describe_error(&e.without_url()),
            Ok(Ok(response)) if response.status().is_success() => continue,
            Ok(Ok(response)) => format!("HTTP {}", response.status().as_u16()),
        };
        failed.push((i, why));
    }
    failed.sort();
    failed
        .into_iter()
        .map(|(i, why)| {
            format!(
                "alerts not posted to Alertmanager {}: {why}; Telegram is not affected",
                shown(&config.urls[i])
            )
        })
        .collect()
}

/// `api/v2/alerts` under a base URL, whatever its path (`/`, `/alertmanager`, `/am/`).
fn endpoint(base: &reqwest::Url) -> reqwest::Url {
    let mut url = base.clone();
    let path = format!("{}/api/v2/alerts", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CheckDefaults;
    use crate::outcome::Reason;
    use crate::translog::Entry;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn target(name: &str) -> Target {
        let mut t = Target::adhoc("http://admin:pw@h/x", &CheckDefaults::default()).unwrap();
        t.name = name.into();
        t
    }

    fn outcome(up: bool) -> Outcome {
        Outcome {
            up,
            detail: match up {
                true => Reason::Http {
                    code: 200,
                    named: false,
                    unfollowed: None,
                },
                false => Reason::Http {
                    code: 503,
                    named: false,
                    unfollowed: None,
                },
            },
            elapsed: Duration::from_millis(12),
            checker_fault: false,
            cert: None,
        }
    }

    fn entry(name: &str, state: State, since: &str) -> Entry {
        Entry {
            at: at(since),
            state,
            target: name.into(),
            text: "HTTP 200".into(),
        }
    }

    #[test]
    fn down_targets_fire_recent_recoveries_end_and_an_offline_checker_says_nothing() {
        let now = at("2026-12-01T12:00:00-03:00");
        let targets = [target("db"), target("web"), target("api"), target("new")];
        let outcomes = [outcome(false), outcome(true), outcome(true), outcome(true)];
        let mut checkpoint = Checkpoint::default();
        for e in [
            entry("db", State::Offline, "2026-12-01T11:58:00-03:00"),
            entry("web", State::Online, "2026-12-01T11:57:00-03:00"),
            entry("api", State::Online, "2026-12-01T11:00:00-03:00"),
        ] {
            checkpoint.targets.insert(e.target.clone(), e);
        }
        let mut seen = Seen {
            targets: &targets,
            outcomes: &outcomes,
            checkpoint: &checkpoint,
            now,
            checker: "fra1",
            offline: false,
        };
        let got = alerts(&seen);
        assert_eq!(got.len(), 2, "{got:?}");
        let db = &got[0];
        assert_eq!(
            db.labels,
            BTreeMap::from([
                ("alertname", "VigiaProbeDown".to_owned()),
                ("target", "db".to_owned()),
                ("checker", "fra1".to_owned()),
                ("severity", "critical".to_owned()),
            ])
        );
        assert_eq!(db.annotations["summary"], "db is DOWN from fra1");
        assert_eq!(
            db.annotations["description"],
            "HTTP 503 (http://admin:***@h/x); since 2026-12-01 11:58:00 -03:00"
        );
        assert_eq!(
            (db.starts_at.as_str(), db.ends_at.as_str()),
            ("2026-12-01T14:58:00Z", "2026-12-01T15:04:00Z")
        );
        let web = &got[1];
        assert_eq!(web.labels["target"], "web");
        assert_eq!(web.annotations["summary"], "web is UP again from fra1");
        assert_eq!(web.ends_at, "2026-12-01T14:57:00Z");
        // The API's spelling of the fields.
        let json = serde_json::to_value(&got[0]).unwrap();
        assert!(
            json.get("startsAt").is_some() && json.get("endsAt").is_some(),
            "{json}"
        );
        assert!(!serde_json::to_string(&got).unwrap().contains("pw"));

        seen.offline = true;
        assert!(alerts(&seen).is_empty());
    }

    #[test]
    fn the_endpoint_keeps_a_base_path() {
        for (base, want) in [
            (
                "http://127.0.0.1:9093",
                "http://127.0.0.1:9093/api/v2/alerts",
            ),
            ("http://h/am/", "http://h/am/api/v2/alerts"),
            ("https://h/am?x=1", "https://h/am/api/v2/alerts"),
        ] {
            let url = reqwest::Url::parse(base).unwrap();
            assert_eq!(endpoint(&url).as_str(), want);
        }
    }
}
