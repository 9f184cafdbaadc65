//! `vigia check`: probe, log the transitions, queue and deliver the alert. What the timer
//! runs every minute.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::CheckArgs;
use crate::cmd::{load_config, report_migration, runtime, Ui};
use crate::config::{Config, Env, Target};
use crate::error::{CantWrite, ConfigError, Exit, UsageError};
use crate::message::{render_html, render_plain, split, LIMIT};
use crate::outbox::{deliver, Destination, StateDir};
use crate::probe::{probe_all, Outcome};
use crate::statelog;
use crate::telegram::Bot;
use crate::transition::{decide, Change};
use crate::util::hostname;

/// A run must end well inside the timer's minute (the unit's start timeout is 55s).
const RUN_BUDGET: Duration = Duration::from_secs(50);
/// How long a run waits for another one (a check by hand during a timer run).
const LOCK_WAIT: Duration = Duration::from_secs(60);

pub fn run(config_path: Option<&Path>, args: &CheckArgs, env: &Env) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let ui = Ui::new(env);
    let config = config_for(config_path, args, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let targets =
        match &args.url {
            Some(url) => vec![Target::adhoc(url, &config.check)
                .map_err(|why| UsageError(format!("--url: {why}")))?],
            None if config.targets.is_empty() => {
                let path = config.path.as_deref().unwrap_or(Path::new("?"));
                return Err(ConfigError::new(
                    path,
                    "no targets: add a [[target]] with a name and a url",
                )
                .at(None, "target")
                .into());
            }
            None => config.targets.clone(),
        };
    let state = StateDir::new(&config.state_dir);
    // Held until the end of the run: a concurrent run waits, then sees our log lines.
    let _lock = if args.dry_run {
        None
    } else {
        Some(state.lock(LOCK_WAIT)?)
    };

    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    let last = statelog::last_states(&config.log_file, &names)
        .map_err(|e| CantWrite::new("read the log", &config.log_file, e))?;
    let rt = runtime()?;
    let outcomes = rt.block_on(probe_all(&targets));
    let now = crate::util::now();
    let results: Vec<(&Target, &Outcome)> = targets.iter().zip(&outcomes).collect();
    let changes = decide(&last, &results, now);
    let all_up = outcomes.iter().all(|o| o.up);

    let mut out = std::io::stdout().lock();
    if !args.quiet {
        report_targets(&mut out, &ui, &results)?;
    }
    if args.dry_run {
        if !changes.is_empty() {
            writeln!(
                out,
                "dry run: {} change(s) not logged, nothing sent",
                changes.len()
            )?;
        }
        return Ok(exit(all_up));
    }

    let entries: Vec<_> = changes.iter().map(Change::entry).collect();
    statelog::append(&config.log_file, &entries)?;
    for entry in &entries {
        ui.notice(
            &mut out,
            &format!("{} {} {}", entry.state.as_str(), entry.target, entry.text),
        )?;
    }

    let alerts: Vec<&Change> = changes.iter().filter(|c| c.alert).collect();
    let host = hostname();
    match &config.telegram {
        None if !alerts.is_empty() => writeln!(out, "\n{}\n", render_plain(&alerts, &host))?,
        None => {}
        Some(telegram) => {
            if !alerts.is_empty() {
                state.push(&split(&render_html(&alerts, &host), LIMIT), now)?;
            }
            if state.has_pending() {
                let bot = Bot::for_config(telegram)?;
                let mut to = Destination::new(&bot, &state, telegram, started + RUN_BUDGET);
                let report = rt.block_on(deliver(&state, &mut to))?;
                report.problems.iter().for_each(|p| ui.warn(p));
                report_migration(&ui, report.migrated, &config);
                if let Some(error) = &report.error {
                    ui.warn(&format!(
                        "{} alert message(s) wait in the outbox: {error}",
                        report.waiting
                    ));
                } else if report.delivered > 0 && !args.quiet {
                    writeln!(out, "sent {} message(s) to Telegram", report.delivered)?;
                }
            }
        }
    }
    let summary = format!(
        "{}/{} up",
        outcomes.iter().filter(|o| o.up).count(),
        outcomes.len()
    );
    state.stamp(now, &summary)?;
    Ok(exit(all_up))
}

/// The configuration for this run. `check --url` also works with no file at all.
fn config_for(explicit: Option<&Path>, args: &CheckArgs, env: &Env) -> Result<Config, ConfigError> {
    if args.url.is_some() && explicit.is_none() && !env.default_config_path().exists() {
        return Ok(Config::builtin(env));
    }
    load_config(explicit, env)
}

fn report_targets(
    out: &mut impl Write,
    ui: &Ui,
    results: &[(&Target, &Outcome)],
) -> std::io::Result<()> {
    let width = results.iter().map(|(t, _)| t.name.len()).max().unwrap_or(0);
    for (target, outcome) in results {
        let state = if outcome.up {
            ui.paint("UP  ", true)
        } else {
            ui.paint("DOWN", false)
        };
        writeln!(
            out,
            "{:width$}  {state}  {}",
            target.name,
            outcome.summary()
        )?;
    }
    Ok(())
}

fn exit(all_up: bool) -> Exit {
    if all_up {
        Exit::Up
    } else {
        Exit::Down
    }
}
