//! The command line: clap definitions, and the tables `--help` and the man pages share.
//! The man pages and the shell completions are generated from [`Cli`] by
//! `vigia-generate` (src/bin/vigia-generate/, which includes this file), so this is
//! the one source of truth.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Watch web services from a systemd timer and alert on Telegram when they go down or
/// come back.
#[derive(Debug, Parser)]
#[command(name = "vigia", version, about, max_term_width = 100)]
#[command(after_help = after_help())]
pub struct Cli {
    /// Configuration file [default: /etc/vigia/config.toml as root, else
    /// $XDG_CONFIG_HOME/vigia/config.toml]
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "VIGIA_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The environment variables vigia reads.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("VIGIA_CONFIG", "configuration file (same as --config)"),
    ("VIGIA_TOKEN", "bot token for 'init' without a terminal"),
    (
        "STATE_DIRECTORY",
        "state directory, set by systemd's StateDirectory=",
    ),
    (
        "LOGS_DIRECTORY",
        "log directory, set by systemd's LogsDirectory=",
    ),
    (
        "CREDENTIALS_DIRECTORY",
        "where systemd's LoadCredential= puts the config",
    ),
    (
        "HTTPS_PROXY, ALL_PROXY, NO_PROXY",
        "proxy for the Bot API (never for probes)",
    ),
    (
        "SSL_CERT_FILE",
        "the bundle of trusted CA certificates (default: the system's)",
    ),
    ("NO_COLOR", "never colour the output"),
    (
        "VIGIA_NOW",
        "for tests: the time a run takes as now (RFC 3339)",
    ),
    ("SUDO_USER", "who 'vigia ack' names when run with sudo"),
    (
        "LC_ALL, LC_MESSAGES, LANG",
        "the language 'init' speaks (pt_BR: Brazilian Portuguese)",
    ),
];

fn after_help() -> String {
    let mut text = String::from("Environment:\n");
    for (name, what) in ENVIRONMENT {
        text += &format!("  {name:<22} {what}\n");
    }
    text += "\nExit codes:\n";
    for (code, what) in crate::error::Exit::table() {
        text += &format!("  {code:<6} {what}\n");
    }
    text + "\nManual: man vigia, man vigia.toml"
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up the bot, prove the chat, and write the configuration
    Init(InitArgs),
    /// Probe every target, log transitions and send alerts (what the timer runs)
    Check(CheckArgs),
    /// Show each target's state, uptime, recent history and waiting alerts
    ///
    /// Reads only and takes no lock. When the default config is missing or cannot be
    /// read, it shows what vigia.service watches, from its state in /var/lib/vigia: a
    /// member of the group adm needs no root and never sees the token.
    Status(StatusArgs),
    /// Send a message to the configured chat
    Send(SendArgs),
    /// List the messages waiting for Telegram and those set aside; retry or drop one
    Outbox(OutboxArgs),
    /// Send nothing about these targets for a while (maintenance); checks go on
    Mute(MuteArgs),
    /// End a mute; if the state changed meanwhile, the next check says so once
    Unmute(UnmuteArgs),
    /// Take on the outage of these targets: no more reminders until they are up again
    ///
    /// Says once in the chat who acknowledged it ($SUDO_USER, else the user running it)
    /// and why; 'vigia status' shows it too. The recovery clears it, and its message still
    /// goes out; a later outage is not acknowledged. A target that is not down is
    /// refused.
    Ack(AckArgs),
    /// Print the uptime report of the last days, as [report] sends it to the chat
    ///
    /// Per target: uptime and coverage, outages, total and longest downtime, and the
    /// certificates that expire within 30 days. Reads only; sends nothing.
    Report(ReportArgs),
}

/// The targets a mute command is about.
#[derive(Debug, Args)]
pub struct MuteTargets {
    /// The targets, by name
    #[arg(
        value_name = "TARGET",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub targets: Vec<String>,
    /// Every configured target (mute), or every muted one (unmute)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct MuteArgs {
    #[command(flatten)]
    pub which: MuteTargets,
    /// For how long (e.g. 30m, 2h, 1d, 1d12h); without it, until 'vigia unmute'
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,
    /// Why, shown by 'vigia status'
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnmuteArgs {
    #[command(flatten)]
    pub which: MuteTargets,
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Put a set-aside message back in the queue (it goes out in its original order)
    #[arg(long, value_name = "ID", conflicts_with = "drop")]
    pub retry: Option<u64>,
    /// Remove a waiting or set-aside message for good
    #[arg(long, value_name = "ID")]
    pub drop: Option<u64>,
    /// Print a JSON document instead of the list
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Look at this URL instead of the configured targets (http://, https:// or tcp://host:port): probe and print; nothing is written or sent
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Probe and report what a run would do (canaries included, same exit code), but write nothing and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print only changes and problems (for the journal)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print a JSON document instead of the table
    #[arg(long)]
    pub json: bool,
    /// How many recent transitions to show
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub history: usize,
    /// Print the status page (the HTML `[status_page]` writes), also without it
    #[arg(long, conflicts_with = "json")]
    pub html: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How many days back from now the report covers
    #[arg(long, value_name = "N", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=90))]
    pub days: u32,
    /// Print a JSON document instead of the text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The text to send (plain text: it is escaped, never parsed as markup)
    #[arg(value_name = "TEXT", required = true)]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Read the bot token from FILE ('-' for standard input) instead of asking
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Send alerts to this chat id instead of proving one with a code
    #[arg(long, value_name = "ID", allow_negative_numbers = true)]
    pub chat_id: Option<i64>,
    /// A URL to watch (repeat for several)
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// An "is it me?" canary (repeat for several); without a terminal, none unless given
    #[arg(long = "canary", value_name = "URL")]
    pub canaries: Vec<String>,
    /// Bot API endpoint (a local Bot API server or a proxy)
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Answer yes to every confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Replace an existing configuration (the old one is kept as a backup)
    #[arg(long)]
    pub force: bool,
    /// Do not offer to enable vigia.timer
    #[arg(long)]
    pub no_enable: bool,
    /// Failing checks in a row before a target is DOWN (check.confirm; default: asked
    /// at a terminal, else 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub confirm: Option<u32>,
    /// Answer commands from the chat (/status, /mute...); the user who proved a private chat may command
    #[arg(long)]
    pub commands: bool,
    /// Also allow this Telegram user id to command (repeat for several)
    #[arg(long = "commands-from", value_name = "ID", requires = "commands")]
    pub commands_from: Vec<i64>,
    /// The language of the wizard and of the alerts it sets up (default: the locale's,
    /// from LC_ALL, LC_MESSAGES or LANG, else English)
    #[arg(long, value_name = "LANG", value_parser = ["en", "pt-BR"])]
    pub language: Option<String>,
}

#[derive(Debug, Args)]
pub struct AckArgs {
    /// The targets, by name (each must be down)
    #[arg(
        value_name = "TARGET",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub targets: Vec<String>,
    /// Every target that is down and not yet acknowledged
    #[arg(long)]
    pub all: bool,
    /// Why, or what is being done: said in the chat and shown by 'vigia status'
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Answer commands from the chat (/status, /mute...); the user who proved a private chat may command
    #[arg(long)]
    pub commands: bool,
    /// Also allow this Telegram user id to command (repeat for several)
    #[arg(long = "commands-from", value_name = "ID", requires = "commands")]
    pub commands_from: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn chat_id_may_be_negative() {
        let cli = Cli::try_parse_from(["vigia", "init", "--chat-id", "-1001234567890"]).unwrap();
        match cli.command {
            Command::Init(a) => assert_eq!(a.chat_id, Some(-1001234567890)),
            other => panic!("parsed {other:?}"),
        }
    }
}
