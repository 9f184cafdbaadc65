//! `vigia ack`: someone takes on the current outage of some targets. Their reminders
//! stop until the recovery (whose message still goes out), the chat is told once who
//! and why, through the outbox, and `status` shows it. Kept in the checkpoint
//! ([`crate::checkpoint::Ack`]), cleared by the target's next record.

use std::path::Path;

use crate::budget::LOCK_WAIT_BY_HAND;
use crate::checkpoint::{Address, Checkpoint, NotDown};
use crate::cli::AckArgs;
use crate::cmd::{load_config, open_state, refuse_another_config, Output, Ui};
use crate::config::{Config, Env};
use crate::error::{Exit, UsageError};
use crate::message::{render_ack, split, LIMIT};
use crate::translog::State;

pub fn run(config_path: Option<&Path>, args: &AckArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    let named = configured(&config, &args.targets)?;
    let reason = args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    // Before the state is opened: as root, opening it may make the process its owner.
    let by = env.user();
    let now = env.now();
    let state = open_state(&config)?;
    let (names, warnings) = state.transaction(LOCK_WAIT_BY_HAND, |txn| {
        refuse_another_config(txn, &config, env)?;
        let checkpoint = &mut txn.checkpoint;
        let names = match args.all {
            true => down_unacknowledged(&config, checkpoint),
            false => named.clone(),
        };
        if names.is_empty() {
            return Ok(names);
        }
        checkpoint
            .ack(&names, &by, reason.clone(), now)
            .map_err(|(name, why)| refused(&name, why))?;
        if let Some(telegram) = &config.telegram {
            let texts = crate::texts::for_language(Some(&telegram.language));
            let host = crate::util::hostname();
            let text = render_ack(&names, &by, reason.as_deref(), &host, now, texts);
            checkpoint.enqueue(split(&text, LIMIT), now, Some(Address::of(telegram)));
        }
        Ok(names)
    })?;
    warnings.iter().for_each(|w| ui.warn(w));
    let mut out = Output::new();
    if names.is_empty() {
        out.line("no target is down without an ack: nothing to acknowledge");
    } else {
        let told = match config.telegram {
            Some(_) => "; the next check tells the chat",
            None => "",
        };
        out.line(&format!(
            "acknowledged {}, by {by}: no more reminders until the recovery{told}",
            names.join(", ")
        ));
    }
    out.finish(&ui);
    Ok(Exit::Up)
}

/// The targets named, each once, each configured.
fn configured(config: &Config, names: &[String]) -> anyhow::Result<Vec<String>> {
    let known: Vec<&str> = config.targets.iter().map(|t| t.name.as_str()).collect();
    let mut chosen: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !known.contains(&name.as_str()) {
            return Err(UsageError(format!(
                "no target is named {name:?} (configured: {})",
                known.join(", ")
            ))
            .into());
        }
        if !chosen.contains(name) {
            chosen.push(name.clone());
        }
    }
    Ok(chosen)
}

/// `--all`: the configured targets that are down now and not yet acknowledged.
fn down_unacknowledged(config: &Config, checkpoint: &Checkpoint) -> Vec<String> {
    config
        .targets
        .iter()
        .map(|t| &t.name)
        .filter(|name| {
            let down = checkpoint
                .targets
                .get(*name)
                .is_some_and(|e| e.state == State::Offline);
            down && !checkpoint.acked(name)
        })
        .cloned()
        .collect()
}

fn refused(name: &str, why: NotDown) -> anyhow::Error {
    let what = match why {
        NotDown::Up => "is UP",
        NotDown::Unknown => "was never checked",
    };
    UsageError(format!(
        "{name} {what}: only a target that is down can be acknowledged"
    ))
    .into()
}
