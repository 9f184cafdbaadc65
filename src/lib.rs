//! vigia: watch web services from a systemd timer and alert on Telegram when they go
//! down or come back. The binary is `main.rs`; the modules live here so that tests and
//! `vigia-generate` can use them.

pub mod budget;
pub mod cert;
pub mod checkpoint;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod delivery;
pub mod describe;
pub mod dirfd;
pub mod error;
pub mod heartbeat;
pub mod history;
pub mod message;
pub mod metrics;
pub mod notices;
pub mod plan;
pub mod probe;
pub mod prompt;
pub mod root;
pub mod roots;
pub mod secret;
pub mod setup;
pub mod state;
pub mod statelog;
pub mod stop;
pub mod telegram;
pub mod texts;
pub mod transition;
pub mod util;
pub mod view;
