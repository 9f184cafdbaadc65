//! The plan of a check: from the checkpoint, this run's outcomes, the config and `now`,
//! everything the run will do — the new checkpoint (with the log lines it must get and
//! the messages it queues), what it says, and its exit code. Pure: no clock, no files,
//! no network. `check` carries a plan out; `check --dry-run` and `check --url` print it
//! and carry out nothing, so the three can never disagree.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::{Address, Checkpoint};
use crate::config::{Config, Target};
use crate::error::Exit;
use crate::message::{render_fault, render_html, split, Notice, LIMIT};
use crate::notices::{self, RunClock};
use crate::outcome::Outcome;
use crate::transition::{decide, judge_connectivity, Change, Connectivity, Decision, CONNECTIVITY};
use crate::translog::Entry;
use crate::view::UpCount;
use crate::{coverage, flapping, slowness};

/// What a plan is made from.
pub struct Inputs<'a> {
    pub config: &'a Config,
    /// The targets this run judges, with their outcomes, in the config's order.
    pub targets: &'a [(&'a Target, &'a Outcome)],
    pub canaries: &'a [(&'a Target, &'a Outcome)],
    /// The checkpoint as the run found it (completed from the log).
    pub checkpoint: &'a Checkpoint,
    pub now: DateTime<FixedOffset>,
    /// When the check before this one ran (its stamp): a clock that went back since
    /// is said once, and reminders keep their interval across the jump.
    pub last_check: Option<DateTime<FixedOffset>>,
    /// This machine's name, for the messages.
    pub host: &'a str,
    /// The `[report]` due now, measured by the command from the log (see
    /// [`crate::report::due`]); `None` when none is due.
    pub report: Option<&'a (crate::report::Due, crate::report::Figures)>,
}

/// Everything a run will do.
#[derive(Debug)]
pub struct Plan {
    /// The checkpoint to commit: the changes recorded (`unlogged` holds their log
    /// lines), the messages queued, reminders, certificates and mutes updated.
    pub checkpoint: Checkpoint,
    /// The changes of state, in the order they are logged.
    pub changes: Vec<Change>,
    /// What the run's alert says (printed when there is no Telegram).
    pub notices: Vec<Notice>,
    pub connectivity: Connectivity,
    /// "2/3 up": the status line of the run.
    pub summary: String,
    /// This machine's clock is behind the last check: what to tell the journal.
    pub clock_warning: Option<String>,
    pub exit: Exit,
}

/// Plans a run. See the module's documentation.
pub fn plan(inputs: &Inputs) -> Plan {
    let mut checkpoint = inputs.checkpoint.clone();
    let gap = before_judging(inputs, &mut checkpoint);
    let (connectivity, judged, decision) = judge(inputs, &checkpoint.pending);
    for (name, pending) in decision.pending {
        checkpoint.pend(&name, pending);
    }
    let mut changes = decision.changes;
    let watched: Vec<&Target> = inputs.targets.iter().map(|(t, _)| *t).collect();
    let flapping = flapping::judge(&watched, &mut changes, &mut checkpoint, inputs.now);
    for change in &changes {
        checkpoint.record_with_reason(change.entry(), change.reason.clone());
    }
    let mut notices = what_to_say(&changes, &judged, inputs, &mut checkpoint, flapping);
    if let Some((from, to)) = gap {
        let now = inputs
            .targets
            .iter()
            .filter_map(|(t, _)| Some((t.name.clone(), checkpoint.targets.get(&t.name)?.state)))
            .collect();
        notices.insert(0, Notice::Gap { from, to, now });
    }
    let faults: Vec<&(&Target, &Outcome)> = inputs
        .targets
        .iter()
        .filter(|(_, o)| o.checker_fault)
        .collect();
    let to = inputs.config.telegram.as_ref().map(Address::of);
    let texts =
        crate::texts::for_language(inputs.config.telegram.as_ref().map(|t| t.language.as_str()));
    if !notices.is_empty() && to.is_some() {
        let parts = split(&render_html(&notices, inputs.host, texts), LIMIT);
        checkpoint.enqueue(parts, inputs.now, to);
    }
    let language = inputs.config.telegram.as_ref().map(|t| t.language.as_str());
    let schedule = inputs.config.report.as_ref();
    let report = crate::report::plan(
        schedule,
        &mut checkpoint,
        inputs.now,
        inputs.report,
        inputs.host,
        language,
    );
    if let (Some(text), true) = (report, to.is_some()) {
        checkpoint.enqueue(split(&text, LIMIT), inputs.now, to);
    }
    let fault_now = (!faults.is_empty()).then_some(inputs.now);
    if checkpoint.fault(fault_now) && to.is_some() {
        let faults: Vec<(&Target, &Outcome)> = faults.iter().map(|r| **r).collect();
        let text = render_fault(&faults, inputs.host, inputs.now, texts);
        checkpoint.enqueue(split(&text, LIMIT), inputs.now, to);
    }
    let exit = exit_code(inputs.targets, &connectivity);
    Plan {
        checkpoint,
        changes,
        notices,
        connectivity,
        summary: UpCount::of(inputs.targets.iter().map(|(_, o)| o.up)).to_string(),
        clock_warning: clock(inputs).warning(),
        exit,
    }
}

/// What changes before this run's results are judged: maintenance windows mute (so a
/// window's mute keeps the state the target had), a gap since the last check is
/// recorded (and returned when it is to be said) and restarts the counts of runs in a
/// row, and targets no longer configured are forgotten.
fn before_judging(
    inputs: &Inputs,
    checkpoint: &mut Checkpoint,
) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let config = inputs.config;
    crate::maintenance::mute_windows(&config.maintenance, &config.targets, checkpoint, inputs.now);
    let gap = coverage::note_gap(checkpoint, inputs.last_check, inputs.now);
    if gap.is_some() {
        // Runs on both sides of a gap are not "in a row".
        checkpoint.restart_counts();
    }
    let configured = config.targets.iter().map(|t| t.name.as_str()).collect();
    checkpoint.forget_unwatched(&configured);
    gap.filter(crate::checkpoint::Gap::said)
        .map(|g| (g.from, g.to))
}

fn clock(inputs: &Inputs) -> RunClock {
    RunClock {
        now: inputs.now,
        last_check: inputs.last_check,
    }
}

/// 0 when every target is up, 1 when one is down, 75 when the run could not judge:
/// the checker's own fault, or this machine offline (every canary failed).
fn exit_code(targets: &[(&Target, &Outcome)], connectivity: &Connectivity) -> Exit {
    if connectivity.offline || targets.iter().any(|(_, o)| o.checker_fault) {
        Exit::NotChecked
    } else if targets.iter().all(|(_, o)| o.up) {
        Exit::Up
    } else {
        Exit::Down
    }
}

/// Judges the outcomes against the checkpoint: this machine's connectivity first (while
/// it is offline, a failing target says nothing about the target), then each target.
/// Returns the connectivity, the results that were judged, and what they decide.
fn judge<'a>(
    inputs: &Inputs<'a>,
    pending: &BTreeMap<String, crate::checkpoint::Pending>,
) -> (Connectivity, Vec<(&'a Target, &'a Outcome)>, Decision) {
    let (results, checkpoint) = (inputs.targets, inputs.checkpoint);
    let failing = results.iter().any(|(_, o)| !o.up && !o.checker_fault);
    let last_connectivity = checkpoint.targets.get(CONNECTIVITY);
    let connectivity = judge_connectivity(inputs.canaries, failing, last_connectivity, inputs.now);
    let judged: Vec<(&Target, &Outcome)> = results
        .iter()
        .filter(|(_, o)| !connectivity.offline || o.up)
        .copied()
        .collect();
    let last: HashMap<String, Entry> = results
        .iter()
        .filter_map(|(t, _)| Some((t.name.clone(), checkpoint.targets.get(&t.name)?.clone())))
        .collect();
    let mut decision = decide(&last, pending, &judged, inputs.now);
    if let Some(change) = connectivity.change.clone() {
        decision.changes.insert(0, change);
    }
    (connectivity, judged, decision)
}

/// What the run says, besides a fault and a gap: the alerted changes, what flapping
/// says instead of the others, reminders for targets still down (paused while they
/// flap), certificate and slowness notices, and the end of mutes that expired; muted
/// targets say nothing. Updates what the checkpoint remembers of each.
fn what_to_say(
    changes: &[Change],
    judged: &[(&Target, &Outcome)],
    inputs: &Inputs,
    checkpoint: &mut Checkpoint,
    flapping: Vec<Notice>,
) -> Vec<Notice> {
    let now = inputs.now;
    let judged: Vec<(&Target, &Outcome)> = judged
        .iter()
        .filter(|(_, o)| !o.checker_fault)
        .copied()
        .collect();
    let mut said: Vec<Notice> = changes
        .iter()
        .filter(|c| c.alert)
        .cloned()
        .map(Notice::Change)
        .collect();
    said.extend(flapping);
    // No reminder while a target flaps, nor on a run that found it up again (its
    // recovery waits for `recover` runs): "still DOWN: HTTP 200" would say both.
    let steady: Vec<(&Target, &Outcome)> = judged
        .iter()
        .filter(|(t, _)| !flapping::flaps(checkpoint, &t.name))
        .filter(|(t, _)| {
            let recovering = checkpoint.pending.get(&t.name);
            !recovering.is_some_and(|p| p.state == crate::translog::State::Online)
        })
        .copied()
        .collect();
    said.extend(notices::reminders_at(&steady, checkpoint, clock(inputs)));
    said.extend(notices::certificates(inputs.targets, checkpoint, now));
    said.extend(slowness::judge(&judged, checkpoint, now));
    let ended = notices::expired(checkpoint, now);
    let mut said = notices::audible(said, checkpoint);
    let urls: HashMap<&str, &str> = inputs
        .config
        .targets
        .iter()
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .collect();
    said.extend(notices::unmute(checkpoint, &ended, &urls, now));
    said
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Env;
    use crate::fixtures::{at, outcome, target};
    use crate::translog::State;

    fn now() -> DateTime<FixedOffset> {
        at("2026-11-24T23:35:02-03:00")
    }

    fn fault() -> Outcome {
        Outcome {
            checker_fault: true,
            detail: "too many open files".into(),
            ..outcome(false)
        }
    }

    fn planned(
        checkpoint: &Checkpoint,
        targets: &[(&Target, &Outcome)],
        canaries: &[(&Target, &Outcome)],
    ) -> Plan {
        let mut config = Config::builtin(&Env::default());
        config.targets = targets.iter().map(|(t, _)| (*t).clone()).collect();
        plan(&Inputs {
            config: &config,
            targets,
            canaries,
            checkpoint,
            now: now(),
            last_check: None,
            host: "box",
            report: None,
        })
    }

    #[test]
    fn the_exit_code_follows_the_outcomes_and_the_canaries() {
        let (web, db, canary) = (target("web"), target("db"), target("c"));
        let (up, down) = (outcome(true), outcome(false));
        let cp = Checkpoint::default();
        assert_eq!(planned(&cp, &[(&web, &up)], &[]).exit, Exit::Up);
        assert_eq!(
            planned(&cp, &[(&web, &up), (&db, &down)], &[]).exit,
            Exit::Down
        );
        let fault = fault();
        assert_eq!(
            planned(&cp, &[(&web, &up), (&db, &fault)], &[]).exit,
            Exit::NotChecked
        );
        let offline = planned(&cp, &[(&web, &down)], &[(&canary, &down)]);
        assert_eq!(offline.exit, Exit::NotChecked);
        assert!(offline.connectivity.offline);
    }

    #[test]
    fn a_change_is_recorded_with_its_log_line() {
        let web = target("web");
        let down = outcome(false);
        let plan = planned(&Checkpoint::default(), &[(&web, &down)], &[]);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.checkpoint.unlogged.len(), 1);
        assert_eq!(plan.checkpoint.targets["web"].state, State::Offline);
        assert_eq!(plan.summary, "0/1 up");
        // No Telegram in the built-in config: nothing is queued, the alert is printed.
        assert!(plan.checkpoint.queue.is_empty());
        assert_eq!(plan.notices.len(), 1);
    }

    #[test]
    fn a_quiet_run_plans_no_change_to_the_checkpoint() {
        let web = target("web");
        let up = outcome(true);
        let first = planned(&Checkpoint::default(), &[(&web, &up)], &[]);
        let mut cp = first.checkpoint;
        cp.logged();
        let second = planned(&cp, &[(&web, &up)], &[]);
        assert!(second.changes.is_empty());
        assert_eq!(second.checkpoint, cp);
    }

    /// Plans a run at `minute` minutes after `now()`, as the last check a minute
    /// before; returns what it says and keeps its checkpoint.
    fn run_at(cp: &mut Checkpoint, target: &Target, outcome: &Outcome, minute: i64) -> Vec<Notice> {
        let mut config = Config::builtin(&Env::default());
        config.targets = vec![target.clone()];
        let at = now() + chrono::TimeDelta::minutes(minute);
        let plan = plan(&Inputs {
            config: &config,
            targets: &[(target, outcome)],
            canaries: &[],
            checkpoint: cp,
            now: at,
            last_check: Some(at - chrono::TimeDelta::minutes(1)),
            host: "box",
            report: None,
        });
        *cp = plan.checkpoint;
        cp.logged();
        plan.notices
    }

    #[test]
    fn ten_flips_within_the_hour_say_the_first_changes_then_flapping_then_stable() {
        let mut web = target("web");
        web.thresholds.flapping = Some(crate::config::Flapping {
            changes: 3,
            within: std::time::Duration::from_secs(3600),
        });
        web.remind_every = Some(std::time::Duration::from_secs(60));
        let (up, down) = (outcome(true), outcome(false));
        let mut cp = Checkpoint::default();
        run_at(&mut cp, &web, &up, 0);
        let mut said = Vec::new();
        for flip in 1..=10 {
            let o = if flip % 2 == 1 { &down } else { &up };
            said.extend(run_at(&mut cp, &web, o, flip * 5));
        }
        assert_eq!(said.len(), 3, "{said:#?}");
        assert!(matches!(&said[0], Notice::Change(c) if c.state == State::Offline));
        assert!(matches!(&said[1], Notice::Change(c) if c.state == State::Online));
        assert!(matches!(
            &said[2],
            Notice::Flapping {
                changes: 3,
                still: false,
                ..
            }
        ));
        assert_eq!(cp.unlogged.len(), 0);
        // An 11th change, down, within the window of the FLAPPING message: logged,
        // not said; then down for the whole window: no reminder while it flaps.
        assert!(run_at(&mut cp, &web, &down, 51).is_empty());
        assert_eq!(cp.targets["web"].state, State::Offline);
        for minute in 52..=110 {
            let said = run_at(&mut cp, &web, &down, minute);
            assert!(said.is_empty(), "minute {minute}: {said:#?}");
        }
        // Down since minute 51 for the whole window: one "stable again".
        let stable = run_at(&mut cp, &web, &down, 111);
        assert!(
            matches!(
                &stable[..],
                [Notice::Stable {
                    state: State::Offline,
                    ..
                }]
            ),
            "{stable:#?}"
        );
        // Stable: the reminders come back.
        let next = run_at(&mut cp, &web, &down, 112);
        assert!(matches!(&next[..], [Notice::StillDown { .. }]), "{next:#?}");
        assert!(!crate::flapping::flaps(&cp, "web"));
    }

    #[test]
    fn slow_for_confirm_runs_is_one_notice_and_fast_again_after_recover_runs() {
        let mut web = target("web");
        web.thresholds.slow = Some(std::time::Duration::from_secs(2));
        web.thresholds.confirm = 2;
        web.thresholds.recover = 2;
        let slow = Outcome {
            elapsed: std::time::Duration::from_millis(2400),
            ..outcome(true)
        };
        let fast = Outcome {
            elapsed: std::time::Duration::from_millis(180),
            ..outcome(true)
        };
        let mut cp = Checkpoint::default();
        assert!(run_at(&mut cp, &web, &fast, 0).is_empty());
        assert!(run_at(&mut cp, &web, &slow, 1).is_empty());
        let said = run_at(&mut cp, &web, &slow, 2);
        assert!(
            matches!(&said[..], [Notice::Slowness { slow: true, .. }]),
            "{said:?}"
        );
        assert!(run_at(&mut cp, &web, &slow, 3).is_empty());
        assert!(run_at(&mut cp, &web, &fast, 4).is_empty());
        assert!(
            run_at(&mut cp, &web, &slow, 5).is_empty(),
            "not two fast runs in a row"
        );
        assert!(run_at(&mut cp, &web, &fast, 6).is_empty());
        let said = run_at(&mut cp, &web, &fast, 7);
        assert!(
            matches!(&said[..], [Notice::Slowness { slow: false, .. }]),
            "{said:?}"
        );
        assert_eq!(cp.targets["web"].state, State::Online, "slow is still up");
        assert!(cp.slow.is_empty(), "fast again: nothing kept");
    }

    #[test]
    fn a_gap_of_ten_minutes_is_said_once_and_recorded() {
        let web = target("web");
        let up = outcome(true);
        let config = Config::builtin(&Env::default());
        let mut cp = Checkpoint::default();
        run_at(&mut cp, &web, &up, 0);
        let plan_after = |cp: &Checkpoint, minutes: i64| {
            plan(&Inputs {
                config: &config,
                targets: &[(&web, &up)],
                canaries: &[],
                checkpoint: cp,
                now: now() + chrono::TimeDelta::minutes(minutes),
                last_check: Some(now()),
                host: "box",
                report: None,
            })
        };
        let short = plan_after(&cp, 3);
        assert!(short.notices.is_empty() && short.checkpoint.gaps.is_empty());
        let unsaid = plan_after(&cp, 4);
        assert!(unsaid.notices.is_empty());
        assert_eq!(
            unsaid.checkpoint.gaps.len(),
            1,
            "over 3 minutes: a gap, not said"
        );
        let said = plan_after(&cp, 132);
        assert!(
            matches!(&said.notices[..], [Notice::Gap { now, .. }] if now == &[("web".to_owned(), State::Online)]),
            "{:?}",
            said.notices
        );
        assert_eq!(said.checkpoint.gaps[0].from, now());
    }

    #[test]
    fn runs_on_both_sides_of_a_gap_are_not_in_a_row() {
        let mut web = target("web");
        web.thresholds.confirm = 2;
        let (up, down) = (outcome(true), outcome(false));
        let mut cp = Checkpoint::default();
        run_at(&mut cp, &web, &up, 0);
        assert!(run_at(&mut cp, &web, &down, 1).is_empty());
        assert_eq!(cp.pending["web"].runs, 1);
        // Off for three days: the next failing run is the first of a new count.
        let mut config = Config::builtin(&Env::default());
        config.targets = vec![web.clone()];
        let later = now() + chrono::TimeDelta::days(3);
        let plan = plan(&Inputs {
            config: &config,
            targets: &[(&web, &down)],
            canaries: &[],
            checkpoint: &cp,
            now: later,
            last_check: Some(now() + chrono::TimeDelta::minutes(1)),
            host: "box",
            report: None,
        });
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(plan.checkpoint.pending["web"].since, later);
    }

    #[test]
    fn a_run_that_finds_a_target_up_again_sends_no_reminder_while_it_recovers() {
        let mut web = target("web");
        web.thresholds.recover = 2;
        web.remind_every = Some(std::time::Duration::from_secs(60));
        let (up, down) = (outcome(true), outcome(false));
        let mut cp = Checkpoint::default();
        run_at(&mut cp, &web, &down, 0);
        assert!(
            run_at(&mut cp, &web, &up, 5).is_empty(),
            "1 of 2: no 'still DOWN: HTTP 200'"
        );
        let back = run_at(&mut cp, &web, &up, 6);
        assert!(
            matches!(&back[..], [Notice::Change(c)] if c.state == State::Online),
            "{back:?}"
        );
    }
}
