//! Flapping (`check.flapping = "N/W"`): a target whose state changed N times within W
//! gets one FLAPPING message instead of its changes one by one; while it flaps, its
//! changes are logged but said at most once per W ("still flapping"); once it has kept
//! one state for W, one "stable again". Pure: the plan calls it with the run's changes.

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::checkpoint::{Checkpoint, Flaps};
use crate::config::Target;
use crate::message::Notice;
use crate::transition::Change;

/// Counts this run's changes of each target with a flapping rule, silences the alerts
/// of those that flap, and returns what to say instead. Targets without a rule forget
/// what was counted for them.
pub fn judge(
    targets: &[&Target],
    changes: &mut [Change],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut said = Vec::new();
    for target in targets {
        let name = target.name.as_str();
        let Some(rule) = target.thresholds.flapping else {
            checkpoint.set_flaps(name, Flaps::default());
            continue;
        };
        let within = TimeDelta::from_std(rule.within).unwrap_or(TimeDelta::MAX);
        let mut flaps = checkpoint.flaps.get(name).cloned().unwrap_or_default();
        // Old changes are dropped with a new one, not on a quiet run (which commits
        // nothing): the list holds at most the window's changes and one more.
        let change = changes.iter_mut().find(|c| c.target == name && c.alert);
        match change {
            Some(change) => {
                flaps.changes.retain(|at| *at > now - within);
                flaps.changes.push(change.at);
                let count = flaps.changes.len();
                let flapping = |still| Notice::Flapping {
                    target: name.to_owned(),
                    url: target.url.clone(),
                    changes: count,
                    within: rule.within,
                    state: change.state,
                    still,
                    at: now,
                };
                if flaps.since.is_none() && count >= rule.changes as usize {
                    flaps.since = Some(now);
                    flaps.said = Some(now);
                    said.push(flapping(false));
                } else if flaps.since.is_some() && flaps.said.is_none_or(|at| now - at >= within) {
                    flaps.said = Some(now);
                    said.push(flapping(true));
                }
                if flaps.since.is_some() {
                    change.alert = false;
                }
            }
            None => {
                let current = checkpoint.targets.get(name);
                if let (Some(_), Some(entry)) = (flaps.since, current) {
                    if entry.at <= now - within {
                        said.push(Notice::Stable {
                            target: name.to_owned(),
                            url: target.url.clone(),
                            state: entry.state,
                            since: entry.at,
                            at: now,
                        });
                        flaps.since = None;
                        flaps.said = None;
                        // "Stable again: DOWN" says what a reminder would: the
                        // reminders start again from it.
                        if entry.state == crate::translog::State::Offline {
                            checkpoint.reminded(name, Some(now));
                        }
                    }
                }
            }
        }
        checkpoint.set_flaps(name, flaps);
    }
    said
}

/// Whether `name` flaps now (its reminders pause).
pub fn flaps(checkpoint: &Checkpoint, name: &str) -> bool {
    checkpoint
        .flaps
        .get(name)
        .is_some_and(|f| f.since.is_some())
}
