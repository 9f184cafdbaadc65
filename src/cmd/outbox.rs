//! `vigia outbox`: the messages waiting for Telegram and those it refused for good, with
//! their reasons; `--retry ID` puts a set-aside message back in the queue, `--drop ID`
//! removes one. Changes are made under the run lock and committed like a check's.

use std::path::Path;

use serde_json::json;

use crate::budget::LOCK_WAIT_BY_HAND;
use crate::checkpoint::{Address, Checkpoint, NoSuchMessage, Queued};
use crate::cli::OutboxArgs;
use crate::cmd::{load_config, open_files_to_read, open_state, refuse_another_config};
use crate::cmd::{Output, Ui};
use crate::config::Env;
use crate::error::{Exit, UsageError};
use crate::state::StateDir;

pub fn run(config_path: Option<&Path>, args: &OutboxArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let mut out = Output::new();
    if args.retry.is_some() || args.drop.is_some() {
        let state = open_state(&config)?;
        let to = config.telegram.as_ref().map(Address::of);
        let (said, warnings) = state.transaction(LOCK_WAIT_BY_HAND, |txn| {
            refuse_another_config(txn, &config, env)?;
            let checkpoint = &mut txn.checkpoint;
            match (args.retry, args.drop) {
                (Some(id), _) => retry(checkpoint, id, to),
                (_, Some(id)) => drop_message(checkpoint, id),
                _ => unreachable!("checked above"),
            }
        })?;
        warnings.iter().for_each(|w| ui.warn(w));
        out.line(&said);
        out.finish(&ui);
        return Ok(Exit::Up);
    }
    let (state, _) = open_files_to_read(&config)?;
    // A damaged state is moved aside by the next command that changes it; a look
    // only says so.
    let checkpoint = StateDir::look(state.as_ref()).unwrap_or_else(|e| {
        ui.warn(&format!(
            "the state in {} is unreadable ({e}); the next check moves it aside",
            config.state_dir.display()
        ));
        Checkpoint::default()
    });
    if args.json {
        let doc = json!({
            "waiting": checkpoint.queue.iter().map(message_json).collect::<Vec<_>>(),
            "set_aside": checkpoint.set_aside.iter().map(message_json).collect::<Vec<_>>(),
        });
        out.line(&serde_json::to_string_pretty(&doc)?);
    } else {
        list(&mut out, &checkpoint);
    }
    out.finish(&ui);
    Ok(Exit::Up)
}

fn retry(checkpoint: &mut Checkpoint, id: u64, to: Option<Address>) -> anyhow::Result<String> {
    checkpoint.retry(id, to).map_err(|NoSuchMessage| {
        UsageError(format!(
            "no set-aside message has id {id}; 'vigia outbox' lists them"
        ))
    })?;
    Ok(format!(
        "message {id} is back in the queue; the next check sends it"
    ))
}

fn drop_message(checkpoint: &mut Checkpoint, id: u64) -> anyhow::Result<String> {
    checkpoint.drop_message(id).map_err(|NoSuchMessage| {
        UsageError(format!("no message has id {id}; 'vigia outbox' lists them"))
    })?;
    Ok(format!("message {id} was dropped"))
}

fn list(out: &mut Output, checkpoint: &Checkpoint) {
    if checkpoint.queue.is_empty() && checkpoint.set_aside.is_empty() {
        out.line("The outbox is empty: every alert was delivered.");
        return;
    }
    for (title, messages) in [
        (
            "Waiting for Telegram (sent in this order):",
            &checkpoint.queue,
        ),
        (
            "Set aside, refused by Telegram for good ('vigia outbox --retry ID' or '--drop ID'):",
            &checkpoint.set_aside,
        ),
    ] {
        if messages.is_empty() {
            continue;
        }
        out.line(title);
        for q in messages {
            out.line(&format!("  {}", summary(q)));
            if let Some(error) = &q.last_error {
                out.line(&format!("      {error}"));
            }
        }
    }
}

fn summary(q: &Queued) -> String {
    let first_line = q
        .parts
        .get(q.sent)
        .or(q.parts.last())
        .map_or("", String::as_str)
        .lines()
        .next()
        .unwrap_or_default();
    let text = crate::delivery::plain_text(first_line);
    let parts = if q.parts.len() > 1 {
        format!(", part {} of {}", q.sent + 1, q.parts.len())
    } else {
        String::new()
    };
    format!(
        "{:>4}  {}  {} attempt(s){parts}  {}",
        q.id,
        crate::util::show_time(q.created),
        q.attempts,
        crate::describe::truncate(&text, 80)
    )
}

fn message_json(q: &Queued) -> serde_json::Value {
    json!({
        "id": q.id,
        "created": q.created.to_rfc3339(),
        "parts": q.parts.len(),
        "sent_parts": q.sent,
        "attempts": q.attempts,
        "last_error": q.last_error,
        "text": q.parts.iter().map(|p| crate::delivery::plain_text(p)).collect::<Vec<_>>().join("\n"),
    })
}
