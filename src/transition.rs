//! The decision at the heart of `check`: given the last logged state of each target,
//! this run's outcomes and the time, what changed, what to log and what to announce.
//! Pure: no clock, no files, no network.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::config::{format_duration, Target};
use crate::probe::Outcome;
use crate::statelog::{Entry, State};

/// A target whose state differs from the log (or that has no history yet).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub target: String,
    pub url: String,
    pub state: State,
    /// The outcome's summary: `HTTP 200 in 41 ms`, `connection refused`.
    pub reason: String,
    pub at: DateTime<FixedOffset>,
    /// For a recovery: how long the target was down, from its OFFLINE line.
    pub down_for: Option<Duration>,
    /// Whether to announce it. A target's first state is logged, but only announced
    /// when it is OFFLINE.
    pub alert: bool,
}

impl Change {
    /// The log line that records this change.
    pub fn entry(&self) -> Entry {
        let text = match (self.state, self.down_for) {
            (State::Offline, _) => format!("{} ({})", self.reason, self.url),
            (State::Online, Some(d)) => {
                format!("{} after {} down", self.reason, format_duration(d))
            }
            (State::Online, None) => self.reason.clone(),
        };
        Entry {
            at: self.at,
            state: self.state,
            target: self.target.clone(),
            text,
        }
    }
}

/// Compares each outcome with the target's last logged state. An outcome that is the
/// checker's own fault judges nothing: the target keeps its state.
pub fn decide(
    last: &HashMap<String, Entry>,
    results: &[(&Target, &Outcome)],
    now: DateTime<FixedOffset>,
) -> Vec<Change> {
    results
        .iter()
        .filter(|(_, outcome)| !outcome.checker_fault)
        .filter_map(|(target, outcome)| {
            let state = State::from_up(outcome.up);
            let previous = last.get(&target.name);
            if previous.is_some_and(|p| p.state == state) {
                return None;
            }
            let down_for = match previous {
                Some(p) if state == State::Online => (now - p.at).to_std().ok(),
                _ => None,
            };
            Some(Change {
                target: target.name.clone(),
                url: target.url.clone(),
                state,
                reason: outcome.summary(),
                at: now,
                down_for,
                alert: previous.is_some() || state == State::Offline,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CheckDefaults, Target};

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-24T23:35:02-03:00").unwrap()
    }

    fn target(name: &str) -> Target {
        let mut t = Target::adhoc("http://203.0.113.10/", &CheckDefaults::default()).unwrap();
        t.name = name.into();
        t
    }

    fn up() -> Outcome {
        Outcome {
            up: true,
            detail: "HTTP 200".into(),
            elapsed: Duration::from_millis(41),
            checker_fault: false,
        }
    }

    fn down() -> Outcome {
        Outcome {
            up: false,
            detail: "connection refused".into(),
            elapsed: Duration::from_secs(1),
            checker_fault: false,
        }
    }

    fn last(state: State, at: &str) -> HashMap<String, Entry> {
        let at = DateTime::parse_from_rfc3339(at).unwrap();
        HashMap::from([(
            "web".into(),
            Entry {
                at,
                state,
                target: "web".into(),
                text: String::new(),
            },
        )])
    }

    #[test]
    fn first_online_is_logged_silently() {
        let t = target("web");
        let changes = decide(&HashMap::new(), &[(&t, &up())], now());
        assert_eq!(changes.len(), 1);
        assert!(!changes[0].alert);
        assert_eq!(
            changes[0].entry().to_line(),
            "2026-11-24T23:35:02-03:00 ONLINE web HTTP 200 in 41 ms\n"
        );
    }

    #[test]
    fn first_offline_is_alerted() {
        let t = target("web");
        let changes = decide(&HashMap::new(), &[(&t, &down())], now());
        assert!(changes[0].alert);
        assert_eq!(
            changes[0].entry().to_line(),
            "2026-11-24T23:35:02-03:00 OFFLINE web connection refused (http://203.0.113.10/)\n"
        );
    }

    #[test]
    fn same_state_is_no_change() {
        let t = target("web");
        assert!(decide(
            &last(State::Online, "2026-11-24T20:00:00-03:00"),
            &[(&t, &up())],
            now()
        )
        .is_empty());
        assert!(decide(
            &last(State::Offline, "2026-11-24T20:00:00-03:00"),
            &[(&t, &down())],
            now()
        )
        .is_empty());
    }

    #[test]
    fn recovery_says_how_long_it_was_down() {
        let t = target("web");
        let changes = decide(
            &last(State::Offline, "2026-11-24T23:22:23-03:00"),
            &[(&t, &up())],
            now(),
        );
        assert_eq!(changes[0].down_for, Some(Duration::from_secs(12 * 60 + 39)));
        assert!(changes[0].alert);
        assert_eq!(
            changes[0].entry().to_line(),
            "2026-11-24T23:35:02-03:00 ONLINE web HTTP 200 in 41 ms after 12m39s down\n"
        );
    }

    #[test]
    fn the_checkers_own_faults_judge_nothing() {
        let t = target("web");
        let fault = Outcome {
            checker_fault: true,
            detail: "Too many open files (os error 24)".into(),
            ..down()
        };
        let last = last(State::Online, "2026-11-24T20:00:00-03:00");
        assert!(decide(&last, &[(&t, &fault)], now()).is_empty());
        assert!(decide(&HashMap::new(), &[(&t, &fault)], now()).is_empty());
    }

    #[test]
    fn going_down_is_alerted_and_other_targets_are_independent() {
        let (web, api) = (target("web"), target("api"));
        let changes = decide(
            &last(State::Online, "2026-11-24T20:00:00-03:00"),
            &[(&web, &down()), (&api, &up())],
            now(),
        );
        assert_eq!(changes.len(), 2);
        assert!(
            changes[0].alert && changes[0].state == State::Offline && changes[0].down_for.is_none()
        );
        assert!(!changes[1].alert && changes[1].target == "api");
    }
}
