//! How long a run may take, in one place. The unit's `TimeoutStartSec=` is filled in
//! from [`START_TIMEOUT_SECS`] by the Makefile, so the two can never disagree; the config
//! loader refuses a target whose worst case does not fit [`MAX_PROBE`].

use std::time::Duration;

/// systemd kills a run that takes longer (vigia.service `TimeoutStartSec=`; the Makefile
/// reads this line).
pub const START_TIMEOUT_SECS: u64 = 58;

/// How long a timer run waits for the lock of a run started by hand; then it is skipped
/// (that run does the same work). A run by hand waits longer: nothing kills it.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
pub const LOCK_WAIT_BY_HAND: Duration = Duration::from_secs(60);

/// vigia's own deadline, counted once the lock is held: the lock wait and this together
/// leave three seconds of margin under the unit's timeout for start-up and exit.
pub const RUN_BUDGET: Duration = Duration::from_secs(START_TIMEOUT_SECS - 3 - 5);

/// The longest a Bot API request may be allowed (`telegram.timeout`).
pub const MAX_API_TIMEOUT: Duration = Duration::from_secs(10);

/// The shortest wait before a Bot API request is tried again after a 429, whatever the
/// answer asked (`retry_after: 0` or `Retry-After: 0` would otherwise mean a request
/// after request for the whole budget); it doubles with each 429 in a row.
pub const MIN_API_WAIT: Duration = Duration::from_secs(1);

/// The most 429s in a row one part waits out in a run (1s + 2s + 4s at the floor); after
/// the next, it waits for the next run.
pub const MAX_API_WAITS: u32 = 3;

/// The most Bot API requests one run starts. A full queue drains over several runs (its
/// order kept); a Bot API that refuses every request costs at most this many a minute.
pub const MAX_API_REQUESTS: u32 = 40;

/// The most one target may take in the worst case (`attempts × timeout + (attempts − 1)
/// × retry_delay`): what the budget leaves once one Bot API request is kept free. The
/// defaults (3 × 10s + 2 × 5s) fit exactly.
pub const MAX_PROBE: Duration = Duration::from_secs(RUN_BUDGET.as_secs() - 10);

/// Probes still running this long after the lock was taken are not judged: the queueing
/// of many targets behind `check.parallel` may add to a target's own worst case.
pub const PROBE_DEADLINE: Duration = Duration::from_secs(RUN_BUDGET.as_secs() - 5);

/// The most reading commands from the chat (`telegram.commands`: one getUpdates, and
/// getMe once) may take before the probes start: they still end before
/// [`PROBE_DEADLINE`], counted from the run's start.
pub const COMMANDS_BUDGET: Duration = Duration::from_secs(3);

/// A target's worst case.
pub fn worst_case(timeout: Duration, attempts: u32, retry_delay: Duration) -> Duration {
    timeout.saturating_mul(attempts) + retry_delay.saturating_mul(attempts.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_fit_the_units_timeout_with_margin() {
        assert_eq!(RUN_BUDGET, Duration::from_secs(50));
        assert_eq!(MAX_PROBE, Duration::from_secs(40));
        assert!(
            LOCK_WAIT + RUN_BUDGET + Duration::from_secs(3)
                <= Duration::from_secs(START_TIMEOUT_SECS)
        );
        assert!(MAX_PROBE + MAX_API_TIMEOUT <= RUN_BUDGET);
        assert!(MAX_PROBE + COMMANDS_BUDGET <= PROBE_DEADLINE);
        let defaults = worst_case(Duration::from_secs(10), 3, Duration::from_secs(5));
        assert!(defaults <= MAX_PROBE);
        // The waits at the floor, doubling, leave most of the budget to the queue.
        let floor_waits: Duration = (0..MAX_API_WAITS).map(|n| MIN_API_WAIT * (1 << n)).sum();
        assert!(floor_waits <= RUN_BUDGET / 5, "{floor_waits:?}");
        assert!(MAX_API_REQUESTS > MAX_API_WAITS && MIN_API_WAIT > Duration::ZERO);
    }

    #[test]
    fn the_unit_takes_its_timeout_from_here() {
        let unit = include_str!("../systemd/vigia.service.in");
        assert!(
            unit.contains("TimeoutStartSec=@TIMEOUT_START_SEC@"),
            "{unit}"
        );
    }
}
