//! The decision at the heart of `check`: given the last logged state of each target,
//! this run's outcomes and the time, what changed, what to log and what to announce.
//! Pure: no clock, no files, no network.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::Pending;
use crate::config::{format_elapsed, Target};
use crate::outcome::{Outcome, Reason};
use crate::translog::{Entry, State};

/// A target whose state differs from the log (or that has no history yet).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub target: String,
    pub url: String,
    pub state: State,
    /// The outcome's summary: `HTTP 200 in 41 ms`, `connection refused` (English in
    /// the log, the configured language in messages).
    pub reason: Reason,
    pub at: DateTime<FixedOffset>,
    /// For a recovery: how long the target was down, from its OFFLINE line.
    pub down_for: Option<Duration>,
    /// Whether to announce it. A target's first state is logged, but only announced
    /// when it is OFFLINE.
    pub alert: bool,
    /// The runs in a row that found the new state (`check.confirm`, `check.recover`):
    /// `at` is the first one's time.
    pub confirmed_by: u32,
}

impl Change {
    /// The log line that records this change.
    pub fn entry(&self) -> Entry {
        let text = match (self.state, self.down_for) {
            (State::Offline, _) => format!("{} ({})", self.reason, self.url),
            (State::Online, Some(d)) => {
                format!("{} after {} down", self.reason, format_elapsed(d))
            }
            (State::Online, None) => self.reason.to_string(),
        };
        Entry {
            at: self.at,
            state: self.state,
            target: self.target.clone(),
            text,
        }
    }
}

/// The name under which the log and the checkpoint keep this machine's own connectivity,
/// as judged by the canaries. `@` is not allowed in a target's name, so no target can
/// take it (README "Canaries").
pub const CONNECTIVITY: &str = "@connectivity";

/// What the canaries say about this machine in one run.
#[derive(Debug, PartialEq)]
pub struct Connectivity {
    /// This machine is judged offline: targets that failed are not judged.
    pub offline: bool,
    /// A change of the machine's connectivity, to record and announce.
    pub change: Option<Change>,
    /// Every canary failed although every target answered: the canaries are suspect.
    pub canaries_suspect: bool,
}

/// Judges this machine's connectivity: offline when targets fail *and* every canary
/// fails in the same run; back online as soon as a canary answers. With no canaries,
/// always online. A canary failing for the checker's own fault judges nothing.
pub fn judge_connectivity(
    canaries: &[(&Target, &Outcome)],
    targets_failing: bool,
    last: Option<&Entry>,
    now: DateTime<FixedOffset>,
) -> Connectivity {
    let was_offline = last.is_some_and(|e| e.state == State::Offline);
    let judged: Vec<&(&Target, &Outcome)> =
        canaries.iter().filter(|(_, o)| !o.checker_fault).collect();
    let all_fail =
        !judged.is_empty() && judged.len() == canaries.len() && judged.iter().all(|(_, o)| !o.up);
    let offline = all_fail && (targets_failing || was_offline);
    let urls = || {
        canaries
            .iter()
            .map(|(t, _)| t.url.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let change = match (was_offline, offline) {
        (false, true) => Some(Change {
            target: CONNECTIVITY.into(),
            url: urls(),
            state: State::Offline,
            reason: Reason::CanariesFailed(Box::new(judged[0].1.summary())),
            at: now,
            down_for: None,
            alert: true,
            confirmed_by: 1,
        }),
        (true, false) => {
            let answered = judged.iter().find(|(_, o)| o.up);
            Some(Change {
                target: CONNECTIVITY.into(),
                url: urls(),
                state: State::Online,
                reason: match answered {
                    Some((t, o)) => Reason::CanaryAnswered {
                        url: t.url.clone(),
                        reason: Box::new(o.summary()),
                    },
                    None => Reason::CanariesAnswer,
                },
                at: now,
                down_for: last.and_then(|l| (now - l.at).to_std().ok()),
                alert: true,
                confirmed_by: 1,
            })
        }
        _ => None,
    };
    Connectivity {
        offline,
        change,
        canaries_suspect: all_fail && !offline,
    }
}

/// What this run's outcomes decide: the changes to log, and each target's count of
/// runs towards a change not yet confirmed.
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    pub changes: Vec<Change>,
    /// Each target whose count changed, with its new one (`None`: nothing pending).
    pub pending: Vec<(String, Option<Pending>)>,
}

/// Compares each outcome with the target's last logged state. A different state is a
/// change once `confirm` failing runs (or `recover` passing ones) in a row found it, and
/// takes the first of those runs' time; until then it is pending, and one run that
/// agrees with the log again forgets it. A target's first state, when up, needs no
/// confirmation (there is nothing to recover from). An outcome that is the checker's own
/// fault judges nothing: the target keeps its state and its count.
pub fn decide(
    last: &HashMap<String, Entry>,
    pending: &BTreeMap<String, Pending>,
    results: &[(&Target, &Outcome)],
    now: DateTime<FixedOffset>,
) -> Decision {
    let mut decision = Decision::default();
    for (target, outcome) in results.iter().filter(|(_, o)| !o.checker_fault) {
        let name = &target.name;
        let state = State::from_up(outcome.up);
        let previous = last.get(name);
        let counted = pending.get(name);
        if previous.is_some_and(|p| p.state == state) {
            if counted.is_some() {
                decision.pending.push((name.clone(), None));
            }
            continue;
        }
        let needed = match (previous, state) {
            (None, State::Online) => 1,
            (_, State::Offline) => target.thresholds.confirm,
            (_, State::Online) => target.thresholds.recover,
        };
        let (runs, since) = match counted {
            Some(p) if p.state == state => (p.runs.saturating_add(1), p.since),
            _ => (1, now),
        };
        if runs < needed {
            let p = Pending {
                state,
                runs,
                of: needed,
                since,
            };
            decision.pending.push((name.clone(), Some(p)));
            continue;
        }
        if counted.is_some() {
            decision.pending.push((name.clone(), None));
        }
        let down_for = match previous {
            Some(p) if state == State::Online => (since - p.at).to_std().ok(),
            _ => None,
        };
        decision.changes.push(Change {
            target: name.clone(),
            url: target.url.clone(),
            state,
            reason: outcome.summary(),
            at: since,
            down_for,
            alert: previous.is_some() || state == State::Offline,
            confirmed_by: runs,
        });
    }
    decision
}

/// [`decide`] with nothing pending, for tests of what one run decides.
#[cfg(test)]
pub fn decide_at_once(
    last: &HashMap<String, Entry>,
    results: &[(&Target, &Outcome)],
    now: DateTime<FixedOffset>,
) -> Vec<Change> {
    decide(last, &BTreeMap::new(), results, now).changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{outcome, target};

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-24T23:35:02-03:00").unwrap()
    }

    fn up() -> Outcome {
        outcome(true)
    }

    fn down() -> Outcome {
        Outcome {
            up: false,
            detail: "connection refused".into(),
            elapsed: Duration::from_secs(1),
            checker_fault: false,
            cert: None,
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
        let changes = decide_at_once(&HashMap::new(), &[(&t, &up())], now());
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
        let changes = decide_at_once(&HashMap::new(), &[(&t, &down())], now());
        assert!(changes[0].alert);
        assert_eq!(
            changes[0].entry().to_line(),
            "2026-11-24T23:35:02-03:00 OFFLINE web connection refused (http://203.0.113.10/)\n"
        );
    }

    #[test]
    fn same_state_is_no_change() {
        let t = target("web");
        assert!(decide_at_once(
            &last(State::Online, "2026-11-24T20:00:00-03:00"),
            &[(&t, &up())],
            now()
        )
        .is_empty());
        assert!(decide_at_once(
            &last(State::Offline, "2026-11-24T20:00:00-03:00"),
            &[(&t, &down())],
            now()
        )
        .is_empty());
    }

    #[test]
    fn recovery_says_how_long_it_was_down() {
        let t = target("web");
        let changes = decide_at_once(
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

    fn canary(up: bool) -> (Target, Outcome) {
        let mut t = target("canary-1");
        t.url = "tcp://192.0.2.53:53".into();
        (t, if up { self::up() } else { down() })
    }

    #[test]
    fn every_canary_failing_with_targets_means_this_machine_is_offline() {
        let (t, o) = canary(false);
        let canaries = [(&t, &o)];
        let offline = judge_connectivity(&canaries, true, None, now());
        assert!(offline.offline && !offline.canaries_suspect);
        let change = offline.change.unwrap();
        assert_eq!(
            (change.target.as_str(), change.state),
            (CONNECTIVITY, State::Offline)
        );
        let entry = change.entry();
        // Still offline: no second change, even when no target fails now.
        let still = judge_connectivity(&canaries, false, Some(&entry), now());
        assert!(still.offline && still.change.is_none());
        // A canary answers: back online, with how long it lasted.
        let (t, o) = canary(true);
        let back = judge_connectivity(&[(&t, &o)], true, Some(&entry), now());
        assert!(!back.offline);
        let change = back.change.unwrap();
        assert_eq!(change.state, State::Online);
        assert_eq!(change.down_for, Some(Duration::ZERO));
    }

    #[test]
    fn canaries_alone_failing_judge_nothing_but_are_suspect() {
        let (t, o) = canary(false);
        let judged = judge_connectivity(&[(&t, &o)], false, None, now());
        assert!(!judged.offline && judged.change.is_none() && judged.canaries_suspect);
        assert!(!judge_connectivity(&[], true, None, now()).offline);
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
        assert!(decide_at_once(&last, &[(&t, &fault)], now()).is_empty());
        assert!(decide_at_once(&HashMap::new(), &[(&t, &fault)], now()).is_empty());
    }

    #[test]
    fn going_down_is_alerted_and_other_targets_are_independent() {
        let (web, api) = (target("web"), target("api"));
        let changes = decide_at_once(
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

    /// Runs `outcomes` one per minute through `decide`, keeping what it decides, as
    /// the checkpoint does between runs. Returns every change.
    fn runs(target: &Target, outcomes: &[bool], last: Option<Entry>) -> Vec<Change> {
        let mut last: HashMap<String, Entry> =
            last.into_iter().map(|e| ("web".into(), e)).collect();
        let mut pending = BTreeMap::new();
        let mut changes = Vec::new();
        for (i, up) in outcomes.iter().enumerate() {
            let at = now() + chrono::TimeDelta::minutes(i as i64);
            let o = if *up { self::up() } else { down() };
            let d = decide(&last, &pending, &[(target, &o)], at);
            for (name, p) in d.pending {
                match p {
                    Some(p) => pending.insert(name, p),
                    None => pending.remove(&name),
                };
            }
            for c in d.changes {
                last.insert(c.target.clone(), c.entry());
                changes.push(c);
            }
        }
        changes
    }

    fn online_since_an_hour() -> Option<Entry> {
        Some(Entry {
            at: now() - chrono::TimeDelta::hours(1),
            state: State::Online,
            target: "web".into(),
            text: String::new(),
        })
    }

    #[test]
    fn one_failing_run_between_passing_ones_changes_nothing() {
        let mut t = target("web");
        t.thresholds.confirm = 2;
        assert!(runs(
            &t,
            &[true, false, true, false, true],
            online_since_an_hour()
        )
        .is_empty());
    }

    #[test]
    fn a_confirmed_outage_takes_the_first_failures_time_and_says_by_how_many() {
        let mut t = target("web");
        t.thresholds.confirm = 3;
        let changes = runs(&t, &[true, false, false, false], online_since_an_hour());
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!(
            (c.state, c.confirmed_by, c.alert),
            (State::Offline, 3, true)
        );
        assert_eq!(
            c.at,
            now() + chrono::TimeDelta::minutes(1),
            "the first failing run"
        );
    }

    #[test]
    fn a_recovery_needs_recover_runs_and_counts_downtime_to_the_first_of_them() {
        let mut t = target("web");
        t.thresholds.recover = 2;
        let changes = runs(
            &t,
            &[false, true, false, true, true],
            online_since_an_hour(),
        );
        assert_eq!(changes.len(), 2, "{changes:?}");
        let back = &changes[1];
        assert_eq!((back.state, back.confirmed_by), (State::Online, 2));
        assert_eq!(back.at, now() + chrono::TimeDelta::minutes(3));
        assert_eq!(back.down_for, Some(Duration::from_secs(180)));
    }

    #[test]
    fn a_first_state_up_needs_no_confirmation_a_first_state_down_does() {
        let mut t = target("web");
        t.thresholds.confirm = 2;
        t.thresholds.recover = 5;
        let changes = runs(&t, &[true], None);
        assert_eq!((changes[0].state, changes[0].alert), (State::Online, false));
        assert!(runs(&t, &[false], None).is_empty());
        let changes = runs(&t, &[false, false], None);
        assert_eq!(
            (changes[0].state, changes[0].confirmed_by),
            (State::Offline, 2)
        );
    }

    #[test]
    fn a_checker_fault_keeps_the_count() {
        let mut t = target("web");
        t.thresholds.confirm = 2;
        let pending = BTreeMap::from([(
            "web".to_owned(),
            Pending {
                state: State::Offline,
                runs: 1,
                of: 2,
                since: now(),
            },
        )]);
        let fault = Outcome {
            checker_fault: true,
            ..down()
        };
        let last: HashMap<String, Entry> = online_since_an_hour()
            .into_iter()
            .map(|e| ("web".into(), e))
            .collect();
        assert_eq!(
            decide(&last, &pending, &[(&t, &fault)], now()),
            Decision::default()
        );
    }
}
