//! `vigia send TEXT`: deliver a message now, as a test or from a script. Says which parts
//! were delivered; exits non-zero only when one was not. Nothing is queued: a script that
//! gets a failure decides itself whether to try again.

use std::path::Path;
use std::time::Instant;

use crate::budget::LOCK_WAIT_BY_HAND;
use crate::cli::SendArgs;
use crate::cmd::{load_config, open_state, refuse_another_config, report_migration, runtime};
use crate::cmd::{Output, Ui};
use crate::config::Env;
use crate::delivery::{send_now, Destination};
use crate::error::{ConfigError, Exit, UsageError};
use crate::message::{escape, split, LIMIT};
use crate::telegram::Bot;

pub fn run(config_path: Option<&Path>, args: &SendArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let Some(telegram) = &config.telegram else {
        let path = config.path.as_deref().unwrap_or(Path::new("?"));
        return Err(ConfigError::new(
            path,
            "no [telegram] section: run 'vigia init --force' to set up the bot (the old config is kept as a backup)",
        )
        .into());
    };
    if args.text.trim().is_empty() {
        return Err(UsageError("the message is empty".into()).into());
    }
    let state = open_state(&config)?;
    let bot = Bot::for_config(telegram)?;
    let deadline = Instant::now() + crate::budget::RUN_BUDGET;
    let stop = crate::stop::Stop::on_signals();
    let parts = split(&escape(&args.text), LIMIT);
    let rt = runtime()?;
    // Under the lock: where Telegram moved the chat is kept in the checkpoint.
    let (sent, warnings) = state.transaction(LOCK_WAIT_BY_HAND, |txn| {
        refuse_another_config(txn, &config, env)?;
        let mut to = Destination::new(&bot, &txn.checkpoint, telegram, deadline, stop);
        let mut sent = Sent::default();
        for part in &parts {
            match rt.block_on(send_now(&mut to, part, true, &mut sent.migrated)) {
                Ok(()) => sent.delivered += 1,
                Err(e) => {
                    sent.failure = Some(e);
                    break;
                }
            }
        }
        if let Some((_, new)) = sent.migrated {
            txn.checkpoint.migrate(telegram.chat_id, new);
        }
        sent.chat_id = to.chat_id;
        Ok(sent)
    })?;
    drop(rt);
    warnings.iter().for_each(|w| ui.warn(w));
    let Sent {
        delivered,
        failure,
        migrated,
        chat_id,
    } = sent;
    report_migration(&ui, migrated, &config);
    let mut out = Output::new();
    let total = parts.len();
    let result = match failure {
        None if total == 1 => {
            out.line(&format!("sent to chat {chat_id}"));
            Ok(Exit::Up)
        }
        None => {
            out.line(&format!("sent to chat {chat_id} in {total} parts"));
            Ok(Exit::Up)
        }
        Some(error) if delivered == 0 => Err(anyhow::anyhow!("the message was not sent: {error}")),
        Some(error) => Err(anyhow::anyhow!(
            "parts 1 to {delivered} of {total} were delivered; part {} and after were not: {error}",
            delivered + 1
        )),
    };
    out.finish(&ui);
    result
}

/// Keeps where Telegram moved the chat, so that checks follow it too.
/// What `send` achieved.
#[derive(Default)]
struct Sent {
    delivered: usize,
    failure: Option<crate::delivery::Undelivered>,
    migrated: Option<(i64, i64)>,
    chat_id: i64,
}
