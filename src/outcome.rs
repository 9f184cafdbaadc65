//! What probing one target found: the value the prober returns and the plan, the
//! messages, the metrics and the Bot API client's callers read. A module of its own, so
//! that the pure deciders take it without importing the prober.

use std::time::Duration;

use crate::cert::CertInfo;

/// The result of probing one target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub up: bool,
    /// Up: what answered (`HTTP 200`). Down: why it failed (`connection refused`).
    pub detail: String,
    /// Up: the latency of the successful attempt. Down: time spent on all attempts.
    pub elapsed: Duration,
    /// The probe could not be made for a reason of this machine's own (too many open
    /// files, out of memory, no socket, out of time): the target is not judged.
    pub checker_fault: bool,
    /// https: the server's certificate, when the probe succeeded.
    pub cert: Option<CertInfo>,
}

impl Outcome {
    /// One line for logs and messages: `HTTP 200 in 41 ms` or the failure reason.
    pub fn summary(&self) -> String {
        if self.up {
            format!("{} in {} ms", self.detail, self.elapsed.as_millis())
        } else {
            self.detail.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_shows_latency_only_when_up() {
        let up = Outcome {
            up: true,
            detail: "HTTP 200".into(),
            elapsed: Duration::from_millis(41),
            checker_fault: false,
            cert: None,
        };
        assert_eq!(up.summary(), "HTTP 200 in 41 ms");
        let down = Outcome {
            up: false,
            detail: "connection refused".into(),
            elapsed: Duration::from_secs(3),
            checker_fault: false,
            cert: None,
        };
        assert_eq!(down.summary(), "connection refused");
    }
}
