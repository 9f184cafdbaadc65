//! The plan of a check: from the checkpoint, this run's outcomes, the config and `now`,
//! everything the run will do — the new checkpoint (with the log lines it must get and
//! the messages it queues), what it says, and its exit code. Pure: no clock, no files,
//! no network. `check` carries a plan out; `check --dry-run` and `check --url` print it
//! and carry out nothing, so the three can never disagree.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::{Address, Checkpoint};
use crate::config::{Config, Target};
use crate::error::Exit;
use crate::message::{render_fault, render_html, split, Notice, LIMIT};
use crate::notices::{self, RunClock};
use crate::outcome::Outcome;
use crate::transition::{decide, judge_connectivity, Change, Connectivity, CONNECTIVITY};
use crate::translog::Entry;
use crate::view::UpCount;

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
    let (connectivity, judged, changes) = judge(inputs);
    for change in &changes {
        checkpoint.record_with_reason(change.entry(), change.reason.clone());
    }
    let notices = what_to_say(&changes, &judged, inputs, &mut checkpoint);
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
/// Returns the connectivity, the results that were judged, and the changes.
fn judge<'a>(inputs: &Inputs<'a>) -> (Connectivity, Vec<(&'a Target, &'a Outcome)>, Vec<Change>) {
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
    let mut changes = decide(&last, &judged, inputs.now);
    if let Some(change) = connectivity.change.clone() {
        changes.insert(0, change);
    }
    (connectivity, judged, changes)
}

/// What the run says, besides a fault: the alerted changes, reminders for targets still
/// down, certificate notices, and the end of mutes that expired; muted targets say
/// nothing. Updates what the checkpoint remembers of each.
fn what_to_say(
    changes: &[Change],
    judged: &[(&Target, &Outcome)],
    inputs: &Inputs,
    checkpoint: &mut Checkpoint,
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
    said.extend(notices::reminders_at(&judged, checkpoint, clock(inputs)));
    said.extend(notices::certificates(inputs.targets, checkpoint, now));
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
        let config = Config::builtin(&Env::default());
        plan(&Inputs {
            config: &config,
            targets,
            canaries,
            checkpoint,
            now: now(),
            last_check: None,
            host: "box",
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
}
