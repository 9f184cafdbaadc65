//! `vigia mute` and `vigia unmute`: maintenance windows kept in the state, so that the
//! timer's runs honour them (a mute set by root included: the run becomes the state's
//! owner, see [`crate::privdrop`]). While muted, probes run and transitions are logged, but
//! nothing is sent about the target; when the mute ends with the target in another
//! state than it began, one message says the state it is in.

use std::collections::HashMap;
use std::path::Path;

use crate::budget::LOCK_WAIT_BY_HAND;
use crate::checkpoint::Address;
use crate::cli::{MuteArgs, UnmuteArgs};
use crate::cmd::{load_config, open_state, refuse_another_config, Output, Ui};
use crate::config::{format_duration, parse_duration_saturating, time_after, Config, Env};
use crate::error::{Exit, UsageError};
use crate::message::{render_html, split, LIMIT};
use crate::notices;

pub fn mute(config_path: Option<&Path>, args: &MuteArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    let names = chosen(&config, &args.which.targets, args.which.all)?;
    let length = match &args.duration {
        None => None,
        Some(text) => match parse_duration_saturating(text) {
            Some(d) if !d.is_zero() => Some(d),
            _ => {
                return Err(UsageError(format!(
                    "--for {text:?} is not a duration: write e.g. 30m, 2h, 1d"
                ))
                .into())
            }
        },
    };
    let now = env.now();
    let until = length
        .map(|d| time_after(now, d).ok_or(()))
        .transpose()
        .map_err(|_| UsageError("--for is too long".into()))?;
    let state = open_state(&config)?;
    let ((), warnings) = state.transaction(LOCK_WAIT_BY_HAND, |txn| {
        refuse_another_config(txn, &config, env)?;
        (txn.checkpoint).mute(&names, until, args.reason.clone(), now);
        Ok(())
    })?;
    warnings.iter().for_each(|w| ui.warn(w));
    let mut out = Output::new();
    let end = match (until, length) {
        (Some(until), Some(d)) => format!(
            "for {} (until {})",
            format_duration(d),
            crate::util::show_time(until)
        ),
        _ => "until 'vigia unmute'".to_owned(),
    };
    out.line(&format!(
        "muted {} {end}: checks go on, nothing is sent",
        names.join(", ")
    ));
    out.finish(&ui);
    Ok(Exit::Up)
}

pub fn unmute(config_path: Option<&Path>, args: &UnmuteArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    let state = open_state(&config)?;
    let urls: HashMap<&str, &str> = config
        .targets
        .iter()
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .collect();
    let now = env.now();
    let ((names, said), warnings) = state.transaction(LOCK_WAIT_BY_HAND, |txn| {
        refuse_another_config(txn, &config, env)?;
        let checkpoint = &mut txn.checkpoint;
        let names: Vec<String> = if args.which.all {
            checkpoint.mutes.keys().cloned().collect()
        } else {
            for name in &args.which.targets {
                if !checkpoint.mutes.contains_key(name) {
                    return Err(UsageError(format!("{name:?} is not muted")).into());
                }
            }
            args.which.targets.clone()
        };
        let said = notices::unmute(checkpoint, &names, &urls, now);
        if let (Some(telegram), false) = (&config.telegram, said.is_empty()) {
            let texts = crate::texts::for_language(Some(&telegram.language));
            let host = crate::util::hostname();
            let parts = split(&render_html(&said, &host, texts), LIMIT);
            checkpoint.enqueue(parts, now, Some(Address::of(telegram)));
        }
        Ok((names, said))
    })?;
    warnings.iter().for_each(|w| ui.warn(w));
    let mut out = Output::new();
    if names.is_empty() {
        out.line("nothing was muted");
    } else if said.is_empty() {
        out.line(&format!("unmuted {}", names.join(", ")));
    } else {
        out.line(&format!(
            "unmuted {}; {} changed state while muted: the next check sends the current state",
            names.join(", "),
            said.len()
        ));
    }
    out.finish(&ui);
    Ok(Exit::Up)
}

/// The targets named (each must be configured), or all of them.
fn chosen(config: &Config, names: &[String], all: bool) -> anyhow::Result<Vec<String>> {
    let known: Vec<&str> = config.targets.iter().map(|t| t.name.as_str()).collect();
    if all {
        return Ok(known.iter().map(|n| (*n).to_owned()).collect());
    }
    for name in names {
        if !known.contains(&name.as_str()) {
            return Err(UsageError(format!(
                "no target is named {name:?} (configured: {})",
                known.join(", ")
            ))
            .into());
        }
    }
    Ok(names.to_vec())
}
