//! When vigia itself was not running: a run that finds the last completed check more
//! than [`NOT_RUNNING_AFTER`] old records the time between as a gap (no data: neither
//! uptime nor downtime), and after a gap of [`SAID_AFTER`] or more it says so once. The
//! gaps live in the checkpoint (README "State"), so they survive rotation and restarts.

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::checkpoint::{Checkpoint, Gap};

/// A last check older than this means vigia was not running in between (the age at
/// which `status` calls the last check stale).
pub const NOT_RUNNING_AFTER: TimeDelta = crate::view::STALE_AFTER;

/// A gap this long is said in the chat.
pub const SAID_AFTER: TimeDelta = TimeDelta::minutes(10);

/// Records the gap between the last check and `now`, if there is one, and returns it.
pub fn note_gap(
    checkpoint: &mut Checkpoint,
    last_check: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) -> Option<Gap> {
    let last = last_check.filter(|last| now - *last > NOT_RUNNING_AFTER)?;
    checkpoint.gap(last, now);
    Some(Gap {
        from: last,
        to: now,
    })
}

impl Gap {
    /// Long enough to be said in the chat ([`SAID_AFTER`]).
    pub fn said(&self) -> bool {
        self.to - self.from >= SAID_AFTER
    }
}

/// The gaps up to `now`: those recorded, and the time since the last check when vigia
/// has not run since for longer than [`NOT_RUNNING_AFTER`] (it may not be running now).
pub fn gaps_until(
    checkpoint: &Checkpoint,
    last_check: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) -> Vec<Gap> {
    let mut gaps = checkpoint.gaps.clone();
    if let Some(last) = last_check.filter(|last| now - *last > NOT_RUNNING_AFTER) {
        gaps.push(Gap {
            from: last,
            to: now,
        });
    }
    gaps
}
