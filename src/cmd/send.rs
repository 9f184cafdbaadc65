//! `vigia send TEXT`: deliver a message now, as a test or from a script.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::cli::SendArgs;
use crate::cmd::{load_config, report_migration, runtime, Ui};
use crate::config::Env;
use crate::error::{ConfigError, Exit, UsageError};
use crate::message::{escape, split, LIMIT};
use crate::outbox::{send_now, Destination, StateDir};
use crate::telegram::Bot;

/// How long `send` may take in all, 429 waits included.
const BUDGET: Duration = Duration::from_secs(60);

pub fn run(config_path: Option<&Path>, args: &SendArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let Some(telegram) = &config.telegram else {
        let path = config.path.as_deref().unwrap_or(Path::new("?"));
        return Err(ConfigError::new(
            path,
            "no [telegram] section: run 'vigia init' to set up the bot",
        )
        .into());
    };
    if args.text.trim().is_empty() {
        return Err(UsageError("the message is empty".into()).into());
    }
    let state = StateDir::new(&config.state_dir);
    let bot = Bot::for_config(telegram)?;
    let mut to = Destination::new(&bot, &state, telegram, Instant::now() + BUDGET);
    let rt = runtime()?;
    let mut out = std::io::stdout().lock();
    for part in split(&escape(&args.text), LIMIT) {
        let report = rt
            .block_on(send_now(&state, &mut to, &part))
            .context("the message was not sent")?;
        report_migration(&ui, report.migrated, &config);
    }
    writeln!(out, "sent to chat {}", to.chat_id)?;
    Ok(Exit::Up)
}
