//! `vigia check`: probe, record the transitions with their alert in one atomic commit,
//! append them to the log, deliver what is queued, and only then print. What the timer
//! runs every minute (README "What a check does").

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crate::budget::{LOCK_WAIT, LOCK_WAIT_BY_HAND, PROBE_DEADLINE, RUN_BUDGET};
use crate::cli::CheckArgs;
use crate::cmd::{load_config, open_files, open_files_to_read, report_migration, runtime, Files};
use crate::cmd::{Output, Ui};
use crate::config::{Config, Env, Target};
use crate::delivery::{deliver, Destination, Report};
use crate::error::{CantWrite, ConfigError, Exit, UsageError};
use crate::message::{render_fault, render_html, render_plain, split, Notice, LIMIT};
use crate::metrics::{render as render_metrics, Snapshot};
use crate::notices;
use crate::probe::{probe_all, Limits, Outcome};
use crate::state::{Checkpoint, Roster};
use crate::statelog::{Entry, Log, State};
use crate::telegram::Bot;
use crate::transition::{decide, judge_connectivity, Change, Connectivity, CONNECTIVITY};
use crate::util::hostname;

pub fn run(config_path: Option<&Path>, args: &CheckArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = config_for(config_path, args, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let targets = targets_for(&config, args)?;
    crate::util::raise_file_limit();
    if args.dry_run {
        return dry_run(&config, &targets, args, &ui, env);
    }

    let files = open_files(&config)?;
    let wait = if env.under_systemd {
        LOCK_WAIT
    } else {
        LOCK_WAIT_BY_HAND
    };
    // Held until the end of the run: a concurrent run waits, then sees our state.
    let _lock = files.state.lock(wait)?;
    // From here a signal lets the step in flight finish, then the run commits and ends.
    let stop = crate::stop::Stop::on_signals();
    let started = Instant::now();
    let Recalled {
        mut checkpoint,
        mut dirty,
        imported,
        delayed,
        mut warnings,
        mut log_error,
    } = recall(&files, &targets)?;
    // What status shows without the config; changed only by an edit of the config.
    if args.url.is_none() {
        let roster = Some(Roster {
            log_file: config.log_file.clone(),
            canaries: config.canaries.len(),
            targets: targets
                .iter()
                .map(|t| (t.name.clone(), t.url.clone()))
                .collect(),
        });
        if checkpoint.roster != roster {
            checkpoint.roster = roster;
            dirty = true;
        }
    }

    let rt = runtime()?;
    let limits = Limits {
        deadline: started + PROBE_DEADLINE,
        ..Limits::for_check(&config.check)
    };
    let canaries = canaries_for(&config, args);
    let probed: Vec<Target> = targets.iter().chain(&canaries).cloned().collect();
    let all_outcomes = rt.block_on(probe_all(&probed, limits));
    let (outcomes, canary_outcomes) = all_outcomes.split_at(targets.len());
    let now = env.now();
    let results: Vec<(&Target, &Outcome)> = targets.iter().zip(outcomes).collect();
    let canary_results: Vec<(&Target, &Outcome)> = canaries.iter().zip(canary_outcomes).collect();
    let (connectivity, judged, changes) = judge(&results, &canary_results, &checkpoint, now);
    let faults: Vec<(&Target, &Outcome)> = results
        .iter()
        .filter(|(_, o)| o.checker_fault)
        .copied()
        .collect();
    let host = hostname();
    let texts = crate::texts::for_language(config.telegram.as_ref().map(|t| t.language.as_str()));

    // Record: the changes, what they say and any new fault episode in one commit. Until
    // it returns, nothing is recorded and the next run sees the same changes again.
    for change in &changes {
        let entry = change.entry();
        checkpoint
            .targets
            .insert(entry.target.clone(), entry.clone());
        checkpoint.unlogged.push(entry);
    }
    let memory = (
        checkpoint.reminded.clone(),
        checkpoint.certs.clone(),
        checkpoint.mutes.clone(),
    );
    let notices = what_to_say(&changes, &judged, &results, &targets, &mut checkpoint, now);
    dirty |= memory
        != (
            checkpoint.reminded.clone(),
            checkpoint.certs.clone(),
            checkpoint.mutes.clone(),
        );
    if !notices.is_empty() && config.telegram.is_some() {
        checkpoint.enqueue(split(&render_html(&notices, &host, texts), LIMIT), now);
    }
    let fault_begins = !faults.is_empty() && checkpoint.fault_since.is_none();
    if fault_begins {
        checkpoint.fault_since = Some(now);
        if config.telegram.is_some() {
            checkpoint.enqueue(split(&render_fault(&faults, &host, now, texts), LIMIT), now);
        }
    } else if faults.is_empty() && checkpoint.fault_since.is_some() {
        checkpoint.fault_since = None;
        dirty = true;
    }
    if !changes.is_empty() || fault_begins || dirty {
        files.state.commit(&checkpoint)?;
        if imported {
            files.state.forget_legacy();
        }
    }
    if log_error.is_none() {
        log_error = append_lines(&files, &mut checkpoint)?;
    }

    let report = match &config.telegram {
        Some(telegram) if !checkpoint.queue.is_empty() => {
            let bot = Bot::for_config(telegram)?;
            let mut to = Destination::new(&bot, &checkpoint, telegram, started + RUN_BUDGET, stop);
            Some(rt.block_on(deliver(&files.state, &mut checkpoint, &mut to))?)
        }
        _ => None,
    };
    let up = outcomes.iter().filter(|o| o.up).count();
    let exit = if !faults.is_empty() || connectivity.offline {
        Exit::NotChecked
    } else if up == outcomes.len() {
        Exit::Up
    } else {
        Exit::Down
    };
    // The dead man's switch: only a run that made its check says it is alive.
    if let (Some(heartbeat), Exit::Up | Exit::Down, false) = (&config.heartbeat, exit, stop.asked())
    {
        let left = (started + RUN_BUDGET).saturating_duration_since(Instant::now());
        if let Err(why) = rt.block_on(crate::heartbeat::ping(heartbeat, left)) {
            warnings.push(format!(
                "heartbeat ping to {} failed: {why}",
                heartbeat.shown()
            ));
        }
    }
    drop(rt);
    let snapshot = Snapshot {
        targets: &targets,
        outcomes,
        checkpoint: &checkpoint,
        now,
        checker_online: !connectivity.offline,
    };
    warnings.extend(stamp_and_metrics(&files, &config, &snapshot));
    // Only now speak: nothing printed can change what was recorded or sent.
    speak(&Said {
        ui: &ui,
        config: &config,
        quiet: args.quiet,
        results: &results,
        canaries: &canary_results,
        changes: &changes,
        notices: &notices,
        host: &host,
        texts,
        report: report.as_ref(),
        delayed,
        warnings: &warnings,
        faults: &faults,
        connectivity: &connectivity,
    });

    if let Some(error) = log_error {
        return Err(error.into());
    }
    Ok(exit)
}

/// What the run says, besides a fault: the alerted changes, reminders for targets still
/// down, certificate notices, and the end of mutes that expired; muted targets say
/// nothing. Updates what the checkpoint remembers of each.
fn what_to_say(
    changes: &[Change],
    judged: &[(&Target, &Outcome)],
    probed: &[(&Target, &Outcome)],
    targets: &[Target],
    checkpoint: &mut Checkpoint,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Vec<Notice> {
    let judged: Vec<(&Target, &Outcome)> = judged
        .iter()
        .filter(|(_, o)| !o.checker_fault)
        .copied()
        .collect();
    let mut said: Vec<Notice> = changes
        .iter()
        .filter(|c| c.alert)
        .cloned()
        .map(Notice::Change)
        .collect();
    said.extend(notices::reminders(&judged, checkpoint, now));
    said.extend(notices::certificates(probed, checkpoint, now));
    let ended = notices::expired(checkpoint, now);
    let mut said = notices::audible(said, checkpoint);
    let urls: HashMap<&str, &str> = targets
        .iter()
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .collect();
    said.extend(notices::unmute(checkpoint, &ended, &urls, now));
    said
}

/// The canaries of this run: none for a quick `check --url`.
fn canaries_for(config: &Config, args: &CheckArgs) -> Vec<Target> {
    match args.url {
        Some(_) => Vec::new(),
        None => config.canaries.clone(),
    }
}

/// Judges the outcomes against the checkpoint: this machine's connectivity first (while
/// it is offline, a failing target says nothing about the target), then each target.
/// Returns the connectivity, the results that were judged, and the changes.
fn judge<'a>(
    results: &[(&'a Target, &'a Outcome)],
    canaries: &[(&Target, &Outcome)],
    checkpoint: &Checkpoint,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> (Connectivity, Vec<(&'a Target, &'a Outcome)>, Vec<Change>) {
    let failing = results.iter().any(|(_, o)| !o.up && !o.checker_fault);
    let connectivity =
        judge_connectivity(canaries, failing, checkpoint.targets.get(CONNECTIVITY), now);
    let judged: Vec<(&Target, &Outcome)> = results
        .iter()
        .filter(|(_, o)| !connectivity.offline || o.up)
        .copied()
        .collect();
    let last: HashMap<String, Entry> = results
        .iter()
        .filter_map(|(t, _)| Some((t.name.clone(), checkpoint.targets.get(&t.name)?.clone())))
        .collect();
    let mut changes = decide(&last, &judged, now);
    if let Some(change) = connectivity.change.clone() {
        changes.insert(0, change);
    }
    (connectivity, judged, changes)
}

/// The stamp of the last check, and the metrics when configured; returns the warnings.
fn stamp_and_metrics(files: &Files, config: &Config, snapshot: &Snapshot) -> Vec<String> {
    let mut warnings = Vec::new();
    let up = snapshot.outcomes.iter().filter(|o| o.up).count();
    let summary = format!("{up}/{} up", snapshot.outcomes.len());
    if let Err(e) = files.state.stamp(snapshot.now, &summary) {
        warnings.push(e.to_string());
    }
    crate::util::notify_status(&unit_status(&summary, snapshot));
    if let Some(path) = &config.metrics {
        if let Err(e) = crate::metrics::write(path, &render_metrics(snapshot)) {
            warnings.push(format!("cannot write the metrics {}: {e}", path.display()));
        }
    }
    warnings
}

/// The line `systemctl status vigia.service` shows after the run: "2/3 up (down: db);
/// 1 message waiting; checked at 12:00:01".
fn unit_status(summary: &str, snapshot: &Snapshot) -> String {
    let down: Vec<&str> = snapshot
        .targets
        .iter()
        .zip(snapshot.outcomes)
        .filter(|(_, o)| !o.up)
        .map(|(t, _)| t.name.as_str())
        .collect();
    let mut line = summary.to_owned();
    match down.len() {
        0 => {}
        1..=3 => line += &format!(" (down: {})", down.join(", ")),
        n => line += &format!(" (down: {} and {} more)", down[..3].join(", "), n - 3),
    }
    if !snapshot.checker_online {
        line += "; this machine is offline (every canary failed)";
    }
    match snapshot.checkpoint.queue.len() {
        0 => {}
        1 => line += "; 1 message waiting for Telegram",
        n => line += &format!("; {n} messages waiting for Telegram"),
    }
    line + &format!("; checked at {}", snapshot.now.format("%H:%M:%S"))
}

/// What a run starts from: the checkpoint, repaired and completed from the log, and
/// what was found on the way.
struct Recalled {
    checkpoint: Checkpoint,
    /// The checkpoint must be committed even if nothing changes.
    dirty: bool,
    /// vigia 0.1's outbox was taken over (its files go once the commit is made).
    imported: bool,
    /// Messages already waiting when the run began.
    delayed: usize,
    warnings: Vec<String>,
    /// The log could not take the lines a killed run left out.
    log_error: Option<CantWrite>,
}

/// Cleans what killed runs left, loads the checkpoint (a fresh one when there is none,
/// taking over vigia 0.1's files), learns targets it does not know from the log, and
/// appends the lines a run committed but died before appending. Call with the lock.
fn recall(files: &Files, targets: &[Target]) -> anyhow::Result<Recalled> {
    files.state.clean()?;
    let loaded = files.state.load()?;
    let mut warnings = loaded.warnings;
    let fresh = loaded.checkpoint.is_none();
    let mut dirty = fresh;
    let mut checkpoint = loaded.checkpoint.unwrap_or_default();
    // vigia 0.1's files can only come before the first checkpoint: once one exists they
    // were taken over (a second take-over would queue their messages twice), and a
    // quiet run does not look for them.
    let imported = fresh && {
        warnings.extend(files.state.import_legacy(&mut checkpoint));
        !checkpoint.queue.is_empty() || checkpoint.migrated.is_some()
    };
    dirty |= learn_from_log(&mut checkpoint, &files.log, targets)?;
    let mut log_error = None;
    if !checkpoint.unlogged.is_empty() {
        match files.log.append_missing(&checkpoint.unlogged) {
            Ok(_) => {
                checkpoint.unlogged.clear();
                dirty = true;
            }
            Err(e) => log_error = Some(e),
        }
    }
    Ok(Recalled {
        delayed: checkpoint.queue.len(),
        checkpoint,
        dirty,
        imported,
        warnings,
        log_error,
    })
}

/// Appends the committed lines to the log, then commits that they are there. A log that
/// cannot take them is returned (the run goes on: the alert is recorded and delivered).
fn append_lines(
    files: &Files,
    checkpoint: &mut Checkpoint,
) -> Result<Option<CantWrite>, CantWrite> {
    if checkpoint.unlogged.is_empty() {
        return Ok(None);
    }
    match files.log.append(&checkpoint.unlogged) {
        Ok(()) => {
            checkpoint.unlogged.clear();
            files.state.commit(checkpoint)?;
            Ok(None)
        }
        Err(e) => Ok(Some(e)),
    }
}

/// Everything a run prints, once everything is recorded and sent.
struct Said<'a> {
    ui: &'a Ui,
    config: &'a Config,
    quiet: bool,
    results: &'a [(&'a Target, &'a Outcome)],
    canaries: &'a [(&'a Target, &'a Outcome)],
    changes: &'a [Change],
    notices: &'a [Notice],
    host: &'a str,
    texts: &'a crate::texts::Texts,
    report: Option<&'a Report>,
    delayed: usize,
    warnings: &'a [String],
    faults: &'a [(&'a Target, &'a Outcome)],
    connectivity: &'a Connectivity,
}

/// Prints the run: the targets (unless quiet), one line per change at its priority,
/// the alerts themselves when there is no Telegram, the delivery, warnings and faults.
fn speak(s: &Said) {
    let ui = s.ui;
    let mut out = Output::new();
    if !s.quiet {
        report_targets(&mut out, ui, s.results);
        report_targets(&mut out, ui, s.canaries);
    }
    for change in s.changes {
        let entry = change.entry();
        let line = format!("{} {} {}", entry.state.as_str(), entry.target, entry.text);
        out.line(&match entry.state {
            State::Offline => ui.warning_line(&line),
            State::Online => ui.notice(&line),
        });
    }
    if s.config.telegram.is_none() && !s.notices.is_empty() {
        out.line(&ui.notice_block(&render_plain(s.notices, s.host, s.texts)));
    }
    if let Some(report) = s.report {
        report_delivery(&mut out, ui, report, s.delayed, s.quiet);
        report_migration(ui, report.migrated, s.config);
    }
    s.warnings.iter().for_each(|w| ui.warn(w));
    if !s.faults.is_empty() {
        ui.error(&describe_faults(s.faults));
    }
    if s.connectivity.offline {
        let failing = s.results.iter().filter(|(_, o)| !o.up).count();
        let urls: Vec<&str> = s.canaries.iter().map(|(c, _)| c.url.as_str()).collect();
        ui.error(&format!(
            "this machine has lost its own connectivity: every canary failed ({}); the {failing} failing target(s) are not judged",
            urls.join(", ")
        ));
    } else if s.connectivity.canaries_suspect {
        ui.warn(
            "every canary failed while the targets answer: check the canary list (check.canary)",
        );
    }
    out.finish(ui);
}

/// Targets the checkpoint does not know yet (a fresh install, an upgrade from a version
/// without checkpoints, a new target) take their last state from the log's tail.
/// Returns whether the checkpoint learnt anything.
fn learn_from_log(
    checkpoint: &mut Checkpoint,
    log: &Log,
    targets: &[Target],
) -> Result<bool, CantWrite> {
    let missing: Vec<&str> = targets
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| !checkpoint.targets.contains_key(*n))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let found = log
        .last_states(&missing)
        .map_err(|e| CantWrite::new("read the log", log.path(), e))?;
    let learnt = !found.is_empty();
    checkpoint.targets.extend(found);
    Ok(learnt)
}

/// `--dry-run`: probe and report; no lock, nothing written, nothing sent.
fn dry_run(
    config: &Config,
    targets: &[Target],
    args: &CheckArgs,
    ui: &Ui,
    env: &Env,
) -> anyhow::Result<Exit> {
    let (state, log) = open_files_to_read(config)?;
    let mut checkpoint = match state.as_ref().map(|s| s.peek()) {
        Some(Ok(Some(cp))) => cp,
        Some(Err(e)) => {
            ui.warn(&format!(
                "the state in {} is unreadable ({e}); using the log",
                config.state_dir.display()
            ));
            Checkpoint::default()
        }
        _ => Checkpoint::default(),
    };
    learn_from_log(&mut checkpoint, &log, targets)?;
    let rt = runtime()?;
    let outcomes = rt.block_on(probe_all(targets, Limits::for_check(&config.check)));
    drop(rt);
    let results: Vec<(&Target, &Outcome)> = targets.iter().zip(&outcomes).collect();
    let changes = decide(
        &checkpoint.targets.clone().into_iter().collect(),
        &results,
        env.now(),
    );
    let mut out = Output::new();
    if !args.quiet {
        report_targets(&mut out, ui, &results);
    }
    if !changes.is_empty() {
        out.line(&format!(
            "dry run: {} change(s) not logged, nothing sent",
            changes.len()
        ));
    }
    out.finish(ui);
    Ok(if outcomes.iter().any(|o| o.checker_fault) {
        Exit::NotChecked
    } else if outcomes.iter().all(|o| o.up) {
        Exit::Up
    } else {
        Exit::Down
    })
}

/// The configuration for this run. `check --url` also works with no file at all.
fn config_for(explicit: Option<&Path>, args: &CheckArgs, env: &Env) -> Result<Config, ConfigError> {
    if args.url.is_some() && explicit.is_none() && !env.default_config_path().exists() {
        return Ok(Config::builtin(env));
    }
    load_config(explicit, env)
}

fn targets_for(config: &Config, args: &CheckArgs) -> anyhow::Result<Vec<Target>> {
    match &args.url {
        Some(url) => {
            Ok(vec![Target::adhoc(url, &config.check)
                .map_err(|why| UsageError(format!("--url: {why}")))?])
        }
        None if config.targets.is_empty() => {
            let path = config.path.as_deref().unwrap_or(Path::new("?"));
            Err(
                ConfigError::new(path, "no targets: add a [[target]] with a name and a url")
                    .at(None, "target")
                    .into(),
            )
        }
        None => Ok(config.targets.clone()),
    }
}

fn report_targets(out: &mut Output, ui: &Ui, results: &[(&Target, &Outcome)]) {
    let width = results.iter().map(|(t, _)| t.name.len()).max().unwrap_or(0);
    for (target, outcome) in results {
        let state = match (outcome.checker_fault, outcome.up) {
            (true, _) => ui.paint("??  ", false),
            (false, true) => ui.paint("UP  ", true),
            (false, false) => ui.paint("DOWN", false),
        };
        out.line(&format!(
            "{:width$}  {state}  {}",
            target.name,
            outcome.summary()
        ));
    }
}

/// `delayed`: how many messages were already waiting when the run began.
fn report_delivery(out: &mut Output, ui: &Ui, report: &Report, delayed: usize, quiet: bool) {
    for id in &report.plain {
        ui.warn(&format!(
            "Telegram refused the formatting of message {id}; it was sent again as plain text"
        ));
    }
    for (id, why) in &report.set_aside {
        ui.warn(&format!(
            "message {id} was set aside, Telegram refuses it for good: {why}; see 'vigia outbox'"
        ));
    }
    if let Some(error) = &report.error {
        ui.warn(&format!(
            "{} message(s) wait in the outbox for the next run: {error}",
            report.waiting
        ));
    } else if let Some(halt) = report.halted {
        out.line(&ui.notice(&format!(
            "{} message(s) wait in the outbox: {halt}; the next run sends them",
            report.waiting
        )));
    } else if report.delivered > 0 && !quiet {
        out.line(&format!("sent {} message(s) to Telegram", report.delivered));
    }
    if delayed > 0 && report.delivered > 0 {
        // A delivery that waited for an earlier run is worth a line in the journal.
        out.line(&ui.notice(&format!(
            "delivered {} message(s) that had waited in the outbox",
            report.delivered.min(delayed)
        )));
    }
}

/// What the admin is told when the checker itself could not probe.
fn describe_faults(faults: &[(&Target, &Outcome)]) -> String {
    let names: Vec<&str> = faults
        .iter()
        .map(|(t, _)| t.name.as_str())
        .take(5)
        .collect();
    let more = faults.len().saturating_sub(names.len());
    let detail = &faults[0].1.detail;
    let hint = if detail.contains("open files") {
        "raise the open-file limit (LimitNOFILE= in the unit, ulimit -n by hand) or lower check.parallel"
    } else if detail.contains("not probed in time") {
        "lower check.parallel's load: fewer targets, shorter timeouts, or a higher check.parallel"
    } else {
        "this machine is short of a resource (memory, sockets): see the journal and free it"
    };
    format!(
        "could not check {} target(s) ({}{}): {detail}; this says nothing about them, they keep their last state. To fix: {hint}",
        faults.len(),
        names.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() },
    )
}
