//! Slowness (`check.slow`): a target that answers correctly but slower than its limit
//! for `confirm` runs in a row gets one SLOW notice, and one "fast again" once it is
//! back under the limit for `recover` runs. It stays UP in the log and in uptime: a
//! notice kept in the checkpoint, like a certificate's. Pure.

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::{Checkpoint, Slowness};
use crate::config::Target;
use crate::message::Notice;
use crate::outcome::Outcome;

/// Counts this run's answers against each target's limit and says what changed. A
/// failing run counts neither way (the runs must be in a row of correct answers).
pub fn judge(
    judged: &[(&Target, &Outcome)],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut said = Vec::new();
    for (target, outcome) in judged {
        let name = target.name.as_str();
        let Some(limit) = target.thresholds.slow else {
            checkpoint.set_slowness(name, Slowness::default());
            continue;
        };
        let mut s = checkpoint.slow.get(name).cloned().unwrap_or_default();
        let slow_now = outcome.elapsed > limit;
        if !outcome.up || slow_now == s.slow {
            s.runs = 0;
        } else {
            s.runs += 1;
            let needed = if s.slow {
                target.thresholds.recover
            } else {
                target.thresholds.confirm
            };
            if s.runs >= needed {
                checkpoint.slow_spell(name, slow_now, now);
                said.push(Notice::Slowness {
                    target: name.to_owned(),
                    url: target.url.clone(),
                    slow: slow_now,
                    elapsed: outcome.elapsed,
                    limit,
                    at: now,
                });
                s = if slow_now {
                    Slowness {
                        slow: true,
                        runs: 0,
                        since: Some(now),
                        elapsed_ms: outcome.elapsed.as_millis() as u64,
                    }
                } else {
                    Slowness::default()
                };
            }
        }
        checkpoint.set_slowness(name, s);
    }
    said
}
