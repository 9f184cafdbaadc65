//! What the unit tests of several modules build their cases from: times, log entries,
//! targets and outcomes. Compiled for tests only.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::config::{CheckDefaults, Target};
use crate::outcome::Outcome;
use crate::translog::{Entry, State};

/// A time written in RFC 3339.
pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// A log line of `target` at `time`.
pub fn entry(time: &str, state: State, target: &str) -> Entry {
    Entry {
        at: at(time),
        state,
        target: target.into(),
        text: format!("{target} text"),
    }
}

/// An http target named `name`.
pub fn target(name: &str) -> Target {
    let mut t = Target::adhoc("http://203.0.113.10/", &CheckDefaults::default()).unwrap();
    t.name = name.into();
    t
}

/// An answer (`HTTP 200` in 41 ms) or a refusal.
pub fn outcome(up: bool) -> Outcome {
    Outcome {
        up,
        detail: if up { "HTTP 200" } else { "connection refused" }.into(),
        elapsed: Duration::from_millis(41),
        checker_fault: false,
        cert: None,
    }
}
