//! The commands. Only these modules (and `main`) print.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::{Cli, Command};
use crate::config::{Config, Env};
use crate::error::{ConfigError, Exit};

pub mod check;
pub mod init;
pub mod send;
pub mod status;

/// Runs the command the user asked for.
pub fn run(cli: Cli, env: &Env) -> anyhow::Result<Exit> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Check(args) => check::run(config, &args, env),
        Command::Send(args) => send::run(config, &args, env),
        Command::Status(args) => status::run(config, &args, env),
        Command::Init(args) => init::run(config, &args, env),
    }
}

/// Loads the configuration named on the command line, or the default one.
pub fn load_config(explicit: Option<&Path>, env: &Env) -> Result<Config, ConfigError> {
    let path = explicit.map_or_else(|| env.default_config_path(), Path::to_owned);
    Config::load(&path, env)
}

/// Says that Telegram moved the chat (a group upgraded to a supergroup) and where.
pub fn report_migration(ui: &Ui, migrated: Option<(i64, i64)>, config: &Config) {
    if let Some((from, to)) = migrated {
        ui.warn(&format!(
            "chat {from} became supergroup {to}; messages now go there (set telegram.chat_id = {to} in {})",
            config.describe_path()
        ));
    }
}

/// How to speak to the person or the journal reading our output.
pub struct Ui {
    /// stdout is the journal: prefix lines with syslog priorities (`<4>`), no colour.
    journal: bool,
    colour: bool,
}

impl Ui {
    pub fn new(env: &Env) -> Ui {
        let colour = !env.journal && !env.no_color && std::io::stdout().is_terminal();
        Ui {
            journal: env.journal,
            colour,
        }
    }

    /// A warning on standard error: something is wrong but the run goes on.
    pub fn warn(&self, message: &str) {
        let prefix = if self.journal { "<4>" } else { "" };
        // Nothing sensible is left to do if standard error is gone.
        let _ = writeln!(
            std::io::stderr(),
            "{prefix}vigia: warning: {}",
            crate::secret::redact(message)
        );
    }

    /// A line about an event (a change) on standard output, at notice level.
    pub fn notice(&self, out: &mut impl Write, line: &str) -> std::io::Result<()> {
        let prefix = if self.journal { "<5>" } else { "" };
        writeln!(out, "{prefix}{line}")
    }

    /// `text` in green or red on a terminal, as it is elsewhere.
    pub fn paint(&self, text: &str, good: bool) -> String {
        match (self.colour, good) {
            (false, _) => text.to_owned(),
            (true, true) => format!("\x1b[32m{text}\x1b[0m"),
            (true, false) => format!("\x1b[1;31m{text}\x1b[0m"),
        }
    }
}

/// A current-thread runtime: one check is a handful of sockets, and a runtime with a
/// worker per core would only cost start-up time.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
