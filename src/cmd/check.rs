//! `vigia check`: probe, plan (see [`crate::plan`]), then carry the plan out: record the
//! transitions with their alert in one atomic commit, append them to the log, deliver
//! what is queued, and only then print. What the timer runs every minute (README "What a
//! check does"). `--dry-run` and `--url` are looks: the same plan, carried out by a
//! shell that writes and sends nothing.

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};

use crate::budget::{LOCK_WAIT, LOCK_WAIT_BY_HAND, PROBE_DEADLINE, RUN_BUDGET};
use crate::checkpoint::{Address, Checkpoint, Roster};
use crate::cli::CheckArgs;
use crate::cmd::{config_identity, load_config, open_files, open_files_to_read, runtime};
use crate::cmd::{refuse_another_config, report_migration, Files};
use crate::cmd::{Output, Ui};
use crate::commands::{self, Later};
use crate::config::{Config, Env, Target};
use crate::delivery::{deliver, Destination, Report};
use crate::error::{ConfigError, Exit, StorageError, UsageError};
use crate::message::render_plain;
use crate::metrics::{render as render_metrics, Snapshot};
use crate::outcome::{Outcome, Reason};
use crate::plan::{plan, Inputs, Plan};
use crate::probe::{probe_all, Limits};
use crate::state::{StateDir, Txn};
use crate::telegram::Bot;
use crate::translog::{Log, State};
use crate::util::hostname;

pub fn run(config_path: Option<&Path>, args: &CheckArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = config_for(config_path, args, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let targets = targets_for(&config, args)?;
    crate::util::raise_file_limit();
    if args.dry_run || args.url.is_some() {
        return look(&config, &targets, args, &ui, env);
    }
    let files = open_files(&config)?;
    // Held until the end of the run: a concurrent run waits, then sees our state.
    let mut txn = files.state.begin(lock_wait(env))?;
    // From here a signal lets the step in flight finish, then the run commits and ends.
    let stop = crate::stop::Stop::on_signals();
    let started = Instant::now();
    claim(&mut txn, &config, env)?;
    let delayed = txn.checkpoint.queue.len();
    let log_error = recall(&mut txn, &files.log, &targets)?;
    let rt = runtime()?;
    let now = env.now();
    let host = hostname();
    let chat = read_commands(&rt, &config, &mut txn, &files.state, now, &host);
    let limits = Limits::for_check(&config.check).until(started + PROBE_DEADLINE);
    let (outcomes, found) =
        probe_with_lookups(&rt, &config, &targets, &txn.checkpoint, limits, now);
    let (results, canaries) = pair(&targets, &config.canaries, &outcomes);
    // The stamp of the check before: read once, for the gap, the clock and the report.
    let last_check = files.state.last_stamp().map(|(at, _)| at);
    let report = crate::cmd::report::due_now(&config, &files, &txn.checkpoint, last_check, now);
    let mut plan = plan(&Inputs {
        config: &config,
        targets: &results,
        canaries: &canaries,
        checkpoint: &txn.checkpoint,
        now,
        last_check,
        host: &host,
        report: report.as_ref(),
    });
    answer_commands(&chat, &mut plan, &config, &results, now, &host);
    let domain_warnings = crate::rdap::say(&mut plan, &config, &found, now, &host);
    // Record: the changes, what they say and any new fault episode in one commit. Until
    // it returns, nothing is recorded and the next run sees the same changes again.
    let page_changed = crate::page::visible_change(&txn.checkpoint, &plan.checkpoint);
    txn.checkpoint = std::mem::take(&mut plan.checkpoint);
    txn.commit()?;
    // From here on the run's decisions are recorded: it prints them whatever fails.
    let done = carry_out(&mut txn, &files.log, &config, &rt, stop, started, log_error)?;
    let mut warnings = std::mem::take(&mut txn.warnings);
    warnings.extend(plan.clock_warning.iter().cloned().chain(domain_warnings));
    warnings.extend(heartbeat(&rt, &config, plan.exit, started, stop));
    let snapshot = Snapshot {
        targets: &targets,
        outcomes: &outcomes[..targets.len()],
        checkpoint: &txn.checkpoint,
        now,
        checker_online: !plan.connectivity.offline,
        checker: config.checker.as_deref().unwrap_or(&host),
    };
    warnings.extend(post_alerts(&rt, &config, &snapshot, started, stop));
    drop(rt);
    let published = publish(&files, &config, &snapshot, &plan.summary, page_changed);
    warnings.extend(published);
    // Only now speak: nothing printed can change what was recorded or sent.
    speak(&Said {
        ui: &ui,
        config: &config,
        quiet: args.quiet,
        results: &results,
        canaries: &canaries,
        plan: &plan,
        host: &host,
        report: done.report.as_ref(),
        delayed,
        warnings: &warnings,
        chat: &chat.journal,
    });
    done.failed.map_or(Ok(plan.exit), |error| Err(error.into()))
}

/// Probes every target and canary, with the domain-expiry lookups due (none in most
/// runs) beside the probes.
fn probe_with_lookups(
    rt: &tokio::runtime::Runtime,
    config: &Config,
    targets: &[Target],
    checkpoint: &Checkpoint,
    limits: Limits,
    now: DateTime<FixedOffset>,
) -> (Vec<Outcome>, Vec<crate::rdap::Found>) {
    let due = crate::rdap::due(&config.targets, checkpoint, now);
    let lookups = rt.spawn(crate::rdap::lookup_all(
        due.clone(),
        config.check.rdap_url.clone(),
    ));
    let outcomes = probe(rt, targets, &config.canaries, limits, now);
    let found = crate::rdap::collect(rt, &due, lookups);
    (outcomes, found)
}

/// What the run leaves for others after its commit: the stamp, the metrics and the
/// status page; returns the warnings.
fn publish(
    files: &Files,
    config: &Config,
    snapshot: &Snapshot,
    summary: &str,
    page_changed: bool,
) -> Vec<String> {
    let mut warnings = stamp_and_metrics(files, config, snapshot, summary);
    let now = snapshot.now;
    // The page shows this run as the last check: the stamp just written.
    let stamp = (now, summary.to_owned());
    warnings.extend(crate::cmd::status::refresh_page(
        config,
        files,
        snapshot.checkpoint,
        page_changed,
        stamp,
    ));
    warnings
}

/// How long a run waits for another to release the lock: a timer run briefly (it is
/// skipped then, the next minute comes), a run by hand longer.
fn lock_wait(env: &Env) -> std::time::Duration {
    match env.under_systemd {
        true => LOCK_WAIT,
        false => LOCK_WAIT_BY_HAND,
    }
}

/// The commands from the chat a run read: the answers that wait for its results, and
/// the lines for the journal.
#[derive(Default)]
struct Chat {
    later: Vec<Later>,
    journal: Vec<String>,
}

/// The run's one getUpdates (README "Commands from the chat"), before the plan: what the
/// commands change (a mute) is applied to the checkpoint with the offset that confirms
/// them, so both commit together and a mute holds in this very run. A failure (a webhook,
/// another poller: 409) turns commands off for this run only, with one warning per
/// episode; the check goes on.
fn read_commands(
    rt: &tokio::runtime::Runtime,
    config: &Config,
    txn: &mut Txn,
    state: &StateDir,
    now: DateTime<FixedOffset>,
    host: &str,
) -> Chat {
    let Some(telegram) = config.telegram.as_ref().filter(|t| t.commands) else {
        return Chat::default();
    };
    let _reader = match commands::UpdatesReader::take(state.handle(), std::time::Duration::ZERO) {
        Ok(Some(reader)) => reader,
        Ok(None) => {
            return Chat {
                journal: vec!["vigia init is reading the bot's updates: commands from the chat wait for a later run".into()],
                ..Chat::default()
            }
        }
        Err(e) => {
            txn.warnings.push(format!(
                "commands from the chat are not read this run: cannot open {}: {e}",
                state.path().join(commands::READER_LOCK).display()
            ));
            return Chat::default();
        }
    };
    let to = Address::of(telegram);
    let fetched = match Bot::for_config(telegram) {
        // Within its own budget, so that the probes after it still end in time.
        Ok(bot) => rt.block_on(async {
            let fetch = commands::fetch(&bot, &txn.checkpoint, to.bot);
            tokio::time::timeout(crate::budget::COMMANDS_BUDGET, fetch)
                .await
                .unwrap_or_else(|_| {
                    Err(crate::telegram::ApiError::Network(format!(
                        "no answer within {}",
                        crate::config::format_duration(crate::budget::COMMANDS_BUDGET)
                    )))
                })
        }),
        Err(e) => Err(crate::telegram::ApiError::Network(e.to_string())),
    };
    let checkpoint = &mut txn.checkpoint;
    let (updates, username) = match fetched {
        Ok(fetched) => fetched,
        Err(error) => {
            if checkpoint.updates_failed(now) {
                txn.warnings.push(commands::describe_failure(&error));
            }
            return Chat::default();
        }
    };
    let mut journal = Vec::new();
    if checkpoint.updates_answered().is_some() {
        journal.push("commands from the chat are read again".to_owned());
    }
    if let Some(name) = username {
        checkpoint.learn_bot_username(to.bot, name);
    }
    let chat_id = checkpoint.chat_id(telegram.chat_id);
    let username = checkpoint.bot_username(to.bot);
    let inbox = commands::sort(&updates, chat_id, &telegram.commands_from, username);
    checkpoint.updates_read(inbox.last_id);
    let cx = commands::Context {
        config,
        texts: crate::texts::for_language(Some(&telegram.language)),
        to: Some(to),
        host,
        now,
    };
    let later = commands::apply(&inbox, checkpoint, &cx);
    journal.extend(inbox.ignored);
    Chat { later, journal }
}

/// Queues the answers to `/status` and `/check`, which tell this run's results.
fn answer_commands(
    chat: &Chat,
    plan: &mut Plan,
    config: &Config,
    results: &Results,
    now: DateTime<FixedOffset>,
    host: &str,
) {
    let Some(telegram) = config.telegram.as_ref().filter(|_| !chat.later.is_empty()) else {
        return;
    };
    let cx = commands::Context {
        config,
        texts: crate::texts::for_language(Some(&telegram.language)),
        to: Some(Address::of(telegram)),
        host,
        now,
    };
    let summary = plan.summary.clone();
    commands::answer_later(&chat.later, &mut plan.checkpoint, &cx, results, &summary);
}

/// What carrying out a recorded plan achieved.
struct Done {
    report: Option<Report>,
    /// The first file that could not be written (the run then exits 74).
    failed: Option<StorageError>,
}

/// Carries out a recorded plan: appends its lines to the log, then delivers the queue.
/// A log that cannot take them does not stop the delivery; a failed commit does.
fn carry_out(
    txn: &mut Txn,
    log: &Log,
    config: &Config,
    rt: &tokio::runtime::Runtime,
    stop: crate::stop::Stop,
    started: Instant,
    log_error: Option<StorageError>,
) -> anyhow::Result<Done> {
    let (mut failed, mut log_error) = (None, log_error);
    if log_error.is_none() {
        match append_lines(txn, log) {
            Ok(error) => log_error = error,
            Err(error) => failed = Some(error),
        }
    }
    let mut report = None;
    if let (Some(telegram), None, false) =
        (&config.telegram, &failed, txn.checkpoint.queue.is_empty())
    {
        let bot = Bot::for_config(telegram)?;
        let deadline = started + RUN_BUDGET;
        let mut to = Destination::new(&bot, &txn.checkpoint, telegram, deadline, stop);
        match rt.block_on(deliver(txn, &mut to)) {
            Ok(delivered) => report = Some(delivered),
            Err(error) => failed = Some(error),
        }
    }
    Ok(Done {
        report,
        failed: failed.or(log_error),
    })
}

/// The state directory belongs to one bot and one chat (README "Files"): another
/// config's run is refused, so that neither sends the other's alerts; the same config
/// with a new chat or bot takes the state over, setting aside what was queued for the
/// old one. Also keeps the roster `status` shows.
fn claim(txn: &mut Txn, config: &Config, env: &Env) -> anyhow::Result<()> {
    refuse_another_config(txn, config, env)?;
    let to = config.telegram.as_ref().map(Address::of);
    for id in txn.checkpoint.readdress(to) {
        txn.warnings.push(format!(
            "message {id} was queued for another chat or bot; it was set aside, not sent here ('vigia outbox --retry {id}' sends it to this config's chat)"
        ));
    }
    txn.checkpoint.set_roster(Roster {
        log_file: config.log_file.clone(),
        canaries: config.canaries.len(),
        targets: (config.targets.iter())
            .map(|t| (t.name.clone(), t.url.clone()))
            .collect(),
        config: Some(config_identity(config, env)),
        to,
    });
    Ok(())
}

/// Probes the targets, then the canaries. When not every target can be probed in the
/// run's time, the ones that wait must not always be the same: each minute starts the
/// round at another target. Returns the outcomes in the config's order.
fn probe(
    rt: &tokio::runtime::Runtime,
    targets: &[Target],
    canaries: &[Target],
    limits: Limits,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Vec<Outcome> {
    let n = targets.len();
    let shift = first_probed(n, now);
    let mut order: Vec<Target> = targets.to_vec();
    order.rotate_left(shift);
    order.extend(canaries.iter().cloned());
    let mut outcomes = rt.block_on(probe_all(&order, limits));
    outcomes[..n].rotate_right(shift);
    outcomes
}

/// Targets, each with its outcome.
type Results<'a> = Vec<(&'a Target, &'a Outcome)>;

/// Which of `n` targets starts this minute's round.
fn first_probed(n: usize, now: chrono::DateTime<chrono::FixedOffset>) -> usize {
    match n {
        0 => 0,
        n => now.timestamp().div_euclid(60).rem_euclid(n as i64) as usize,
    }
}

/// The targets and the canaries, each with its outcome.
fn pair<'a>(
    targets: &'a [Target],
    canaries: &'a [Target],
    outcomes: &'a [Outcome],
) -> (Results<'a>, Results<'a>) {
    let (of_targets, of_canaries) = outcomes.split_at(targets.len());
    (
        targets.iter().zip(of_targets).collect(),
        canaries.iter().zip(of_canaries).collect(),
    )
}

/// The dead man's switch: only a run that made its check (and was not asked to stop)
/// says it is alive. Returns a warning when the ping failed.
fn heartbeat(
    rt: &tokio::runtime::Runtime,
    config: &Config,
    exit: Exit,
    started: Instant,
    stop: crate::stop::Stop,
) -> Option<String> {
    let (Some(heartbeat), Exit::Up | Exit::Down, false) = (&config.heartbeat, exit, stop.asked())
    else {
        return None;
    };
    let left = (started + RUN_BUDGET).saturating_duration_since(Instant::now());
    let why = rt.block_on(crate::heartbeat::ping(heartbeat, left)).err()?;
    Some(format!(
        "heartbeat ping to {} failed: {why}",
        heartbeat.shown()
    ))
}

/// The run's alerts posted to Alertmanager (README "A fleet of checkers"), once the run
/// is recorded and Telegram served: in what the budget leaves, never by a run asked to
/// stop. Returns a warning per Alertmanager that did not take them.
fn post_alerts(
    rt: &tokio::runtime::Runtime,
    config: &Config,
    snapshot: &Snapshot,
    started: Instant,
    stop: crate::stop::Stop,
) -> Vec<String> {
    let (Some(alertmanager), false) = (&config.alertmanager, stop.asked()) else {
        return Vec::new();
    };
    let alerts = crate::alertmanager::alerts(&crate::alertmanager::Seen {
        targets: snapshot.targets,
        outcomes: snapshot.outcomes,
        checkpoint: snapshot.checkpoint,
        now: snapshot.now,
        checker: snapshot.checker,
        offline: !snapshot.checker_online,
    });
    let left = (started + RUN_BUDGET).saturating_duration_since(Instant::now());
    rt.block_on(crate::alertmanager::post(alertmanager, &alerts, left))
}

/// The stamp of the last check, and the metrics when configured; returns the warnings.
fn stamp_and_metrics(
    files: &Files,
    config: &Config,
    snapshot: &Snapshot,
    summary: &str,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Err(e) = files.state.stamp(snapshot.now, summary) {
        warnings.push(e.to_string());
    }
    crate::util::notify_status(&unit_status(summary, snapshot));
    if let Some(path) = &config.metrics {
        if let Err(e) = crate::dirfd::publish(path, &render_metrics(snapshot)) {
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

/// Learns the targets the checkpoint does not know from the log's tail (a fresh
/// install, an upgrade, a new target), and appends the lines a run committed but died
/// before appending. Returns the log's error when it cannot take them (the run goes on:
/// the alert is recorded and delivered).
fn recall(txn: &mut Txn, log: &Log, targets: &[Target]) -> anyhow::Result<Option<StorageError>> {
    learn_from_log(&mut txn.checkpoint, log, targets)?;
    if txn.checkpoint.unlogged.is_empty() {
        return Ok(None);
    }
    match log.append_missing(&txn.checkpoint.unlogged) {
        Ok(_) => {
            txn.checkpoint.logged();
            Ok(None)
        }
        Err(e) => Ok(Some(e)),
    }
}

/// Appends the committed lines to the log, then commits that they are there. A log that
/// cannot take them is returned as `Ok(Some)`: the run goes on.
fn append_lines(txn: &mut Txn, log: &Log) -> Result<Option<StorageError>, StorageError> {
    if txn.checkpoint.unlogged.is_empty() {
        return Ok(None);
    }
    match log.append(&txn.checkpoint.unlogged) {
        Ok(()) => {
            txn.checkpoint.logged();
            txn.commit()?;
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
    plan: &'a Plan,
    host: &'a str,
    report: Option<&'a Report>,
    delayed: usize,
    warnings: &'a [String],
    /// What the commands from the chat leave in the journal.
    chat: &'a [String],
}

/// Prints the run: the targets (unless quiet), one line per change at its priority,
/// the alerts themselves when there is no Telegram, the delivery, warnings and faults.
fn speak(s: &Said) {
    let (ui, plan) = (s.ui, s.plan);
    let mut out = Output::new();
    if !s.quiet {
        report_targets(&mut out, ui, s.results);
        report_targets(&mut out, ui, s.canaries);
    }
    for change in &plan.changes {
        let entry = change.entry();
        let line = format!("{} {} {}", entry.state.as_str(), entry.target, entry.text);
        out.line(&match entry.state {
            State::Offline => ui.warning_line(&line),
            State::Online => ui.notice(&line),
        });
    }
    s.chat.iter().for_each(|line| out.line(&ui.notice(line)));
    if s.config.telegram.is_none() && !plan.notices.is_empty() {
        let texts = crate::texts::for_language(None);
        out.line(&ui.notice_block(&render_plain(&plan.notices, s.host, texts)));
    }
    if let Some(report) = s.report {
        report_delivery(&mut out, ui, report, s.delayed, s.quiet);
        report_migration(ui, report.migrated, s.config);
    }
    s.warnings.iter().for_each(|w| ui.warn(w));
    report_judgement(ui, s.results, s.canaries, plan);
    out.finish(ui);
}

/// The checker's own faults and this machine's connectivity, on standard error.
fn report_judgement(
    ui: &Ui,
    results: &[(&Target, &Outcome)],
    canaries: &[(&Target, &Outcome)],
    plan: &Plan,
) {
    let faults: Vec<(&Target, &Outcome)> = results
        .iter()
        .filter(|(_, o)| o.checker_fault)
        .copied()
        .collect();
    if !faults.is_empty() {
        ui.error(&describe_faults(&faults));
    }
    if plan.connectivity.offline {
        let failing = results.iter().filter(|(_, o)| !o.up).count();
        let urls: Vec<&str> = canaries.iter().map(|(c, _)| c.url.as_str()).collect();
        ui.error(&format!(
            "this machine has lost its own connectivity: every canary failed ({}); the {failing} failing target(s) are not judged",
            urls.join(", ")
        ));
    } else if plan.connectivity.canaries_suspect {
        ui.warn(
            "every canary failed while the targets answer: check the canary list (check.canary)",
        );
    }
}

/// Targets the checkpoint does not know yet (a fresh install, an upgrade from a version
/// without checkpoints, a new target) take their last state from the log's tail.
fn learn_from_log(
    checkpoint: &mut Checkpoint,
    log: &Log,
    targets: &[Target],
) -> Result<(), StorageError> {
    let missing: Vec<&str> = targets
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| !checkpoint.targets.contains_key(*n))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let found = log
        .last_states(&missing)
        .map_err(|e| StorageError::new("read the log", log.path(), e))?;
    checkpoint.learn(found);
    Ok(())
}

/// A look (`--dry-run`, `--url`): the same probes and plan as a run, with no lock and
/// nothing written or sent. `--dry-run` starts from the service's memory (read only);
/// `--url` from none, since the URL it checks is nobody's target.
fn look(
    config: &Config,
    targets: &[Target],
    args: &CheckArgs,
    ui: &Ui,
    env: &Env,
) -> anyhow::Result<Exit> {
    let (mut checkpoint, mut last_check) = (Checkpoint::default(), None);
    let mut canaries: &[Target] = &[];
    if args.url.is_none() {
        (checkpoint, last_check) = remembered(config, targets, ui)?;
        canaries = &config.canaries;
    }
    let rt = runtime()?;
    let now = env.now();
    let outcomes = probe(
        &rt,
        targets,
        canaries,
        Limits::for_check(&config.check),
        now,
    );
    drop(rt);
    let (results, canary_results) = pair(targets, canaries, &outcomes);
    let host = hostname();
    let plan = plan(&Inputs {
        config,
        targets: &results,
        canaries: &canary_results,
        checkpoint: &checkpoint,
        now,
        last_check,
        host: &host,
        report: None,
    });
    let mut out = Output::new();
    if !args.quiet {
        report_targets(&mut out, ui, &results);
        report_targets(&mut out, ui, &canary_results);
    }
    if args.url.is_none() && !plan.changes.is_empty() {
        out.line(&format!(
            "dry run: {} change(s) not logged, nothing sent",
            plan.changes.len()
        ));
    }
    report_judgement(ui, &results, &canary_results, &plan);
    out.finish(ui);
    Ok(plan.exit)
}

/// The service's memory for a dry run, read without the lock and without repairing
/// anything, completed from the log; and when it last checked.
type Memory = (Checkpoint, Option<chrono::DateTime<chrono::FixedOffset>>);

fn remembered(config: &Config, targets: &[Target], ui: &Ui) -> anyhow::Result<Memory> {
    let (state, log) = open_files_to_read(config)?;
    let mut checkpoint = StateDir::look(state.as_ref()).unwrap_or_else(|e| {
        ui.warn(&format!(
            "the state in {} is unreadable ({e}); using the log",
            config.state_dir.display()
        ));
        Checkpoint::default()
    });
    learn_from_log(&mut checkpoint, &log, targets)?;
    let last_check = state.and_then(|s| s.last_stamp()).map(|(at, _)| at);
    Ok((checkpoint, last_check))
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
    let hint = match detail {
        Reason::TooManyOpenFiles => "raise the open-file limit (LimitNOFILE= in the unit, ulimit -n by hand) or lower check.parallel",
        Reason::NoResolver => "name a nameserver in /etc/resolv.conf (or fix systemd-resolved); the targets' names cannot be looked up until then",
        Reason::NotProbedInTime => "lower check.parallel's load: fewer targets, shorter timeouts, or a higher check.parallel",
        Reason::PingNotPermitted => "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\" (and the same in /etc/sysctl.d/ to keep it), or a group of that range for vigia's user",
        _ => "this machine is short of a resource (memory, sockets): see the journal and free it",
    };
    format!(
        "could not check {} target(s) ({}{}): {detail}; this says nothing about them, they keep their last state. To fix: {hint}",
        faults.len(),
        names.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_starts_a_round_in_turn() {
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-24T23:00:30-03:00").unwrap();
        for n in [1, 2, 7, 60] {
            let mut firsts: Vec<usize> = (0..n as i64)
                .map(|m| first_probed(n, start + chrono::TimeDelta::minutes(m)))
                .collect();
            firsts.sort();
            assert_eq!(firsts, (0..n).collect::<Vec<_>>(), "{n} targets");
        }
        assert_eq!(first_probed(0, start), 0);
    }
}
