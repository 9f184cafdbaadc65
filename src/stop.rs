//! Being asked to stop: SIGTERM (`systemctl stop`, shutdown, `TimeoutStartSec=`), SIGHUP
//! and SIGINT. The first signal lets the step in flight finish (a Bot API request is
//! bounded by `telegram.timeout`, a probe by its own timeout) and starts nothing new; the
//! run commits what it decided and ends. A second signal ends the process at once, as
//! the signal itself would (the checkpoint is only ever replaced whole, so that loses at
//! most what SIGKILL would).
//!
//! A run that was stopped ends by the signal that stopped it, once everything is
//! committed ([`end_by_the_signal`]): systemd counts an end by SIGTERM, SIGHUP or SIGINT
//! as clean (systemd.service(5), `SuccessExitStatus=`), and a shell reports 128 + the
//! signal's number, as for any program it stopped.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

/// The signals that ask a run to stop.
const SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT];

/// Set by the first signal.
static ASKED: AtomicBool = AtomicBool::new(false);
/// The first signal's number, 0 before any.
static FIRST: AtomicI32 = AtomicI32::new(0);
/// Never set: for what cannot be asked to stop.
#[cfg(test)]
static NEVER: AtomicBool = AtomicBool::new(false);

/// Whether this run was asked to stop. Cheap to copy; every step that starts something
/// (a request, a wait) asks it first.
#[derive(Clone, Copy, Debug)]
pub struct Stop(&'static AtomicBool);

impl Stop {
    /// Installs the handlers for SIGTERM, SIGHUP and SIGINT, and returns what they set.
    pub fn on_signals() -> Stop {
        // SAFETY: the handler only touches atomics and calls async-signal-safe functions
        // (signal, raise); the sigaction struct is fully initialised before use.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            for signal in SIGNALS {
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
        Stop(&ASKED)
    }

    /// One that is never asked to stop, for tests.
    #[cfg(test)]
    pub fn never() -> Stop {
        Stop(&NEVER)
    }

    /// One that only [`Stop::ask`] sets, for tests.
    #[cfg(test)]
    pub fn by_hand() -> Stop {
        Stop(Box::leak(Box::new(AtomicBool::new(false))))
    }

    /// Asks to stop, as a signal would.
    #[cfg(test)]
    pub fn ask(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn asked(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Resolves once asked to stop (it looks every 10 ms: a signal handler can set a
    /// flag, not wake a task).
    pub fn wait(&self) -> impl Future<Output = ()> + 'static {
        let flag = self.0;
        async move {
            while !flag.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    if ASKED.swap(true, Ordering::SeqCst) {
        // The second: at once, as if there were no handler. The signal is blocked while
        // its handler runs, so it lands as soon as this returns.
        // SAFETY: signal and raise are async-signal-safe.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
        return;
    }
    FIRST.store(signal, Ordering::SeqCst);
}

/// The signal that asked this process to stop, if one did.
pub fn signal() -> Option<i32> {
    match FIRST.load(Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// Ends the process by the signal that asked it to stop, if one did (see the module
/// header); returns otherwise. Called by `main` once the command has returned.
pub fn end_by_the_signal() {
    let Some(signal) = signal() else { return };
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: plain libc calls with a valid signal number; the handler is replaced by
    // the default action first, so the signal ends the process.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asked_by_hand_and_waited_for() {
        let stop = Stop::by_hand();
        assert!(!stop.asked() && !Stop::never().asked());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let waited = rt
            .block_on(async { tokio::time::timeout(Duration::from_millis(50), stop.wait()).await });
        assert!(waited.is_err(), "not asked yet");
        stop.ask();
        let waited = rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(500), stop.wait()).await
        });
        assert!(waited.is_ok() && stop.asked() && !Stop::never().asked());
    }
}
