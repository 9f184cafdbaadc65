//! vigia: watch web services from a systemd timer and alert on Telegram when they go
//! down or come back. The binary is `main.rs`; the modules live here so that
//! `vigia-generate` can read the command line and the exit codes. Everything else is
//! private to the crate, so that rustc sees what nothing uses.

mod alertmanager;
mod budget;
mod ca_bundle;
mod cert;
mod checkpoint;
pub mod cli;
mod cmd;
mod commands;
mod config;
mod coverage;
mod delivery;
mod describe;
mod dirfd;
pub mod error;
#[cfg(test)]
mod fixtures;
mod flapping;
mod heartbeat;
mod history;
mod maintenance;
mod message;
mod metrics;
mod notices;
mod outcome;
mod page;
mod plan;
mod privdrop;
mod probe;
mod prompt;
mod report;
mod secret;
mod setup;
mod slowness;
mod state;
mod stop;
mod telegram;
mod texts;
mod transition;
mod translog;
mod util;
mod view;
// More to watch: body rules, DNS, ping, domain expiry.
mod body;
mod dns;
mod ping;
mod rdap;

pub use cmd::{error_text, run};
pub use config::Env;
pub use stop::end_by_the_signal;
