//! `vigia report`: the uptime report of the last N days (default 7) as `[report]` sends
//! it, printed and not sent; and the figures of a scheduled report for `check` to queue
//! (README "Report"). Reads only: no lock.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::Checkpoint;
use crate::cli::ReportArgs;
use crate::cmd::status::Sight;
use crate::cmd::{load_config, open_files_to_read, Files, Ui};
use crate::config::{Config, Env};
use crate::error::Exit;
use crate::report::{Due, Figures};
use crate::state::StateDir;
use crate::translog::Log;

pub fn run(config_path: Option<&Path>, args: &ReportArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let config = load_config(config_path, env)?;
    config.warnings.iter().for_each(|w| ui.warn(w));
    let now = env.now();
    let (state, log) = open_files_to_read(&config)?;
    let checkpoint = StateDir::look(state.as_ref())?;
    let last_check = state
        .as_ref()
        .and_then(|s| s.last_stamp())
        .map(|(at, _)| at);
    let period = crate::report::last_days(now, args.days);
    let figures = measure(&config, &log, &checkpoint, last_check, None, period, now)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = crate::report::render_json(&figures);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        let language = config.telegram.as_ref().map(|t| t.language.as_str());
        let texts = crate::texts::report_texts(language);
        let host = crate::util::hostname();
        out.write_all(crate::report::render_text(&figures, &host, texts).as_bytes())?;
    }
    Ok(Exit::Up)
}

/// The scheduled report due now with its figures, for the plan; `None` when none is
/// due (a quiet run pays one comparison) or the log cannot be read (then the next run
/// tries again: nothing is marked sent).
pub fn due_now(
    config: &Config,
    files: &Files,
    checkpoint: &Checkpoint,
    last_check: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) -> Option<(Due, Figures)> {
    let due = crate::report::due(config.report.as_ref(), checkpoint, now)?;
    let period = (due.from, due.to);
    let figures = measure(
        config,
        &files.log,
        checkpoint,
        last_check,
        Some(due),
        period,
        now,
    );
    Some((due, figures.ok()?))
}

/// The figures of `period` from the log, the checkpoint and its gaps.
fn measure(
    config: &Config,
    log: &Log,
    checkpoint: &Checkpoint,
    last_check: Option<DateTime<FixedOffset>>,
    due: Option<Due>,
    period: (DateTime<FixedOffset>, DateTime<FixedOffset>),
    now: DateTime<FixedOffset>,
) -> anyhow::Result<Figures> {
    let targets = crate::cmd::status::shown_targets(config);
    let sight = Sight::of(config, &targets);
    let gaps = crate::coverage::gaps_until(checkpoint, last_check, now);
    let summary = sight.summary(log, checkpoint, &gaps, now, 0, vec![period])?;
    let every = due.map(|d| d.every);
    Ok(Figures::of(&summary, checkpoint, every, period, now))
}
