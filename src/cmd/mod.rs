//! The commands. Only these modules (and `main`) print.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::checkpoint::Address;
use crate::cli::{Cli, Command};
use crate::config::{Config, Env};
use crate::error::{ConfigError, Exit};
use crate::state::{StateDir, Txn};
use crate::translog::Log;

pub mod ack;
pub mod check;
pub mod init;
pub mod mute;
pub mod outbox;
pub mod report;
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
        Command::Outbox(args) => outbox::run(config, &args, env),
        Command::Mute(args) => mute::mute(config, &args, env),
        Command::Unmute(args) => mute::unmute(config, &args, env),
        Command::Ack(args) => ack::run(config, &args, env),
        Command::Report(args) => report::run(config, &args, env),
    }
}

/// The state directory and the log of a run, opened (and created) before a root run
/// becomes their owner (see [`crate::privdrop`]).
pub struct Files {
    pub state: StateDir,
    pub log: Log,
}

/// Opens the run's files for writing. As root on directories another user owns, the
/// process becomes that user here.
pub fn open_files(config: &Config) -> anyhow::Result<Files> {
    let state = StateDir::open_or_create(&config.state_dir)?;
    let log = Log::open(&config.log_file, true)?;
    become_owner(&state)?;
    Ok(Files { state, log })
}

/// Opens the state directory alone, for commands that never touch the log (`send`,
/// `outbox`, `mute`, `unmute`): they create no log directory. As root, the process
/// becomes its owner here.
pub fn open_state(config: &Config) -> anyhow::Result<StateDir> {
    let state = StateDir::open_or_create(&config.state_dir)?;
    become_owner(&state)?;
    Ok(state)
}

/// Opens the run's files for reading only; the state directory may not exist yet.
pub fn open_files_to_read(config: &Config) -> anyhow::Result<(Option<StateDir>, Log)> {
    open_to_read(&config.state_dir, &config.log_file)
}

/// [`open_files_to_read`] by paths.
pub fn open_to_read(state_dir: &Path, log_file: &Path) -> anyhow::Result<(Option<StateDir>, Log)> {
    let state = StateDir::open(state_dir)
        .map_err(|e| crate::error::StorageError::new("open the state directory", state_dir, e))?;
    let log = Log::open(log_file, false)?;
    if let Some(state) = &state {
        become_owner(state)?;
    }
    Ok((state, log))
}

fn become_owner(state: &StateDir) -> anyhow::Result<()> {
    crate::privdrop::become_owner(state.handle())
        .with_context(|| format!("cannot become the owner of {}", state.path().display()))?;
    Ok(())
}

/// Which config this is, whatever path reached it: the file itself (links and relative
/// paths resolved), and for the credential systemd passes the service, the file it is
/// a copy of (`LoadCredential=config:/etc/vigia/config.toml`).
pub fn config_identity(config: &Config, env: &Env) -> String {
    match &config.path {
        None => config.describe_path(),
        Some(path) if env.is_credential(path) => crate::config::UNIT_CONFIG.to_owned(),
        Some(path) => std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
    }
}

/// A state directory belongs to one bot and one chat (README "What a check does"):
/// another config that sends elsewhere may not change it, whatever the command. The
/// same config edited to a new chat may (`check` then sets the old chat's messages
/// aside).
pub fn refuse_another_config(txn: &Txn, config: &Config, env: &Env) -> Result<(), ConfigError> {
    let Some(roster) = &txn.checkpoint.roster else {
        return Ok(());
    };
    let ours = config.telegram.as_ref().map(Address::of);
    let (Some(theirs), Some(ours), Some(other)) = (roster.to, ours, roster.config.as_deref())
    else {
        return Ok(());
    };
    if theirs == ours || other == config_identity(config, env) {
        return Ok(());
    }
    let path = config.path.as_deref().unwrap_or(Path::new("?"));
    Err(ConfigError::new(
        path,
        format!(
            "the state directory {} holds the alerts of {other} (bot {}, chat {}), not of this config (bot {}, chat {}): give this config a state_dir of its own",
            config.state_dir.display(),
            theirs.bot,
            theirs.chat,
            ours.bot,
            ours.chat
        ),
    )
    .at(None, "check.state_dir"))
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
        // Nothing sensible is left to do if standard error is gone.
        let _ = writeln!(std::io::stderr(), "{}", self.warning_text(message));
    }

    /// An error on standard error that does not end the run (the checker's own fault).
    pub fn error(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "{}", error_text(self.journal, message));
    }

    /// `vigia: warning: …` on a terminal; `<4>warning: …` for the journal, which already
    /// names the program (`vigia[261]: warning: …`).
    pub fn warning_text(&self, message: &str) -> String {
        let message = crate::secret::redact(message);
        if self.journal {
            format!("<4>warning: {message}")
        } else {
            format!("vigia: warning: {message}")
        }
    }

    /// A line about an event at notice level (`<5>` under the journal).
    pub fn notice(&self, line: &str) -> String {
        let prefix = if self.journal { "<5>" } else { "" };
        format!("{prefix}{line}")
    }

    /// A message of several lines at notice level: each line its own journal entry with
    /// `<5>` (an unprefixed line is info, which the unit's `LogLevelMax=notice` drops);
    /// set off by blank lines on a terminal.
    pub fn notice_block(&self, text: &str) -> String {
        if self.journal {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("<5>{l}"))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            format!("\n{text}\n")
        }
    }

    /// A line about an event at warning level (`<4>` under the journal).
    pub fn warning_line(&self, line: &str) -> String {
        let prefix = if self.journal { "<4>" } else { "" };
        format!("{prefix}{line}")
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

/// An error line: `vigia: …` on a terminal, `<3>…` for the journal (which names the
/// program itself). For `main` too.
pub fn error_text(journal: bool, message: &str) -> String {
    let message = crate::secret::redact(message);
    if journal {
        format!("<3>{message}")
    } else {
        format!("vigia: {message}")
    }
}

/// A current-thread runtime: one check is a handful of sockets, and a runtime with a
/// worker per core would only cost start-up time. Dropping it does not wait for blocking
/// work still running (a name lookup that never answers): the run is over by then.
pub struct Runtime(Option<tokio::runtime::Runtime>);

pub fn runtime() -> anyhow::Result<Runtime> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            crate::error::MachineFault(format!(
                "cannot start the network runtime: {e}; raise the open-file limit (LimitNOFILE= in the unit, ulimit -n by hand)"
            ))
        })?;
    Ok(Runtime(Some(runtime)))
}

impl std::ops::Deref for Runtime {
    type Target = tokio::runtime::Runtime;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("the runtime lives until dropped")
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Standard output that cannot change the outcome of a run: what is printed comes after
/// everything is recorded, and a closed or full output is noted, not fatal.
pub struct Output {
    out: std::io::StdoutLock<'static>,
    failed: Option<std::io::Error>,
}

impl Output {
    pub fn new() -> Output {
        Output {
            out: std::io::stdout().lock(),
            failed: None,
        }
    }

    pub fn line(&mut self, text: &str) {
        if self.failed.is_none() {
            if let Err(e) = writeln!(self.out, "{text}").and_then(|()| self.out.flush()) {
                self.failed = Some(e);
            }
        }
    }

    /// Says on standard error that the output was lost, unless the reader just left
    /// (`| head`).
    pub fn finish(self, ui: &Ui) {
        if let Some(e) = self.failed {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                ui.warn(&format!("could not write to standard output: {e}"));
            }
        }
    }
}

impl Default for Output {
    fn default() -> Self {
        Output::new()
    }
}
