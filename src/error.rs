//! Exit codes and the few typed errors that choose one. Everything else is an
//! `anyhow::Error` with context, and exits 1.

use std::fmt;
use std::path::{Path, PathBuf};

/// The process exit codes (contract: README "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The check ran and every target is up.
    Up = 0,
    /// The check ran and a target is down; or a command failed for another reason.
    Down = 1,
    /// Bad command line.
    Usage = 2,
    /// A file vigia must write (log, state) cannot be written (EX_IOERR).
    Storage = 74,
    /// The check could not be made: a fault of this machine's own (no file descriptors,
    /// no memory, out of time); the targets keep their state (EX_TEMPFAIL).
    NotChecked = 75,
    /// Configuration missing or invalid (EX_CONFIG).
    Config = 78,
    /// The person pressed Ctrl-C (128 + SIGINT, as a shell reports it).
    Cancelled = 130,
}

impl Exit {
    /// Every code, in order, for the help text, the man page and the README's table.
    pub const ALL: [Exit; 7] = [
        Exit::Up,
        Exit::Down,
        Exit::Usage,
        Exit::Storage,
        Exit::NotChecked,
        Exit::Config,
        Exit::Cancelled,
    ];

    /// What the code tells the user (contract: README "Exit codes").
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Up => "the check ran; every target is up (send: the message was accepted)",
            Exit::Down => {
                "the check ran; at least one target is down (send: Telegram did not accept it)"
            }
            Exit::Usage => "usage error",
            Exit::Storage => {
                "a file vigia must write (log, state, lock) cannot be written, or the log read"
            }
            Exit::NotChecked => {
                "the check could not be made for a fault of this machine's own (too many open files, no memory, no resolver, out of time, or every canary failing with the targets); the targets keep their state"
            }
            Exit::Config => "configuration missing or invalid",
            Exit::Cancelled => "init was cancelled with Ctrl-C; nothing was written",
        }
    }

    /// The rows of the exit-code table: each code with its meaning, then how a run
    /// stopped by a signal ends (not a code of its own: the signal's).
    pub fn table() -> Vec<(String, &'static str)> {
        let mut rows: Vec<(String, &str)> = Exit::ALL
            .iter()
            .map(|e| (e.code().to_string(), e.meaning()))
            .collect();
        rows.push((
            "signal".into(),
            "check or send was stopped by SIGTERM, SIGHUP or SIGINT: it committed what it had done, then ended by that signal (a shell shows 143, 129 or 130; systemd counts it as a clean stop)",
        ));
        rows
    }

    /// The exit code an error maps to: the first typed error in its chain decides.
    pub fn of(err: &anyhow::Error) -> Exit {
        for cause in err.chain() {
            if cause.is::<ConfigError>() {
                return Exit::Config;
            }
            if cause.is::<StorageError>() {
                return Exit::Storage;
            }
            if cause.is::<UsageError>() {
                return Exit::Usage;
            }
            if cause.is::<Cancelled>() {
                return Exit::Cancelled;
            }
            if cause.is::<MachineFault>() {
                return Exit::NotChecked;
            }
        }
        Exit::Down
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The configuration is missing or invalid. Says which file, which line and which key.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.to_owned(),
            line: None,
            key: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, line: Option<usize>, key: impl Into<String>) -> Self {
        self.line = line;
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A file of vigia's own (the log, the state, the lock) cannot be written, read or
/// opened. `what` says what was attempted: "write the log", "read the state".
#[derive(Debug)]
pub struct StorageError {
    pub what: &'static str,
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl StorageError {
    pub fn new(what: &'static str, path: &Path, source: std::io::Error) -> Self {
        StorageError {
            what,
            path: path.to_owned(),
            source,
        }
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.what,
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for StorageError {}

/// A command line that makes no sense in this situation (e.g. `init` without a terminal
/// and without the flags that replace the prompts).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The person pressed Ctrl-C at a prompt. Says what was left behind.
#[derive(Debug)]
pub struct Cancelled(pub &'static str);

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Cancelled {}

/// This machine could not do what the command needs (no file descriptor left, no
/// memory): nothing is said about the targets.
#[derive(Debug)]
pub struct MachineFault(pub String);

impl fmt::Display for MachineFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MachineFault {}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_table_is_the_one_the_binary_knows() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("## Exit codes\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("README has an Exit codes section");
        let rows: Vec<&str> = section
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| code"))
            .collect();
        let expected: Vec<String> = Exit::table()
            .iter()
            .map(|(code, what)| format!("| {code} | {what} |"))
            .collect();
        assert_eq!(
            rows, expected,
            "README \"Exit codes\" must list Exit::table()"
        );
    }

    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_are_the_contract() {
        assert_eq!(Exit::Up.code(), 0);
        assert_eq!(Exit::Down.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Storage.code(), 74);
        assert_eq!(Exit::NotChecked.code(), 75);
        assert_eq!(Exit::Config.code(), 78);
        assert_eq!(Exit::Cancelled.code(), 130);
    }

    #[test]
    fn typed_errors_pick_the_code_through_context() {
        let config = anyhow::Error::new(ConfigError::new(Path::new("/x"), "bad"));
        assert_eq!(Exit::of(&config.context("loading")), Exit::Config);
        let io = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let write: anyhow::Result<()> =
            Err(StorageError::new("write the log", Path::new("/l"), io).into());
        assert_eq!(
            Exit::of(&write.context("appending").unwrap_err()),
            Exit::Storage
        );
        assert_eq!(Exit::of(&UsageError("x".into()).into()), Exit::Usage);
        assert_eq!(Exit::of(&anyhow::anyhow!("network")), Exit::Down);
    }

    #[test]
    fn config_error_names_file_line_and_key() {
        let e = ConfigError::new(Path::new("/etc/vigia/config.toml"), "unknown key")
            .at(Some(7), "check.timout");
        assert_eq!(
            e.to_string(),
            "config /etc/vigia/config.toml: line 7: check.timout: unknown key"
        );
    }
}
