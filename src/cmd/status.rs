//! `vigia status`: each target's state, since when, uptime over 24h/7d/30d, the recent
//! transitions, alerts waiting in the outbox, and when the last check ran. Reads only:
//! no lock, so it never waits for a running check.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde_json::{json, Value};

use crate::checkpoint::Checkpoint;
use crate::cli::StatusArgs;
use crate::cmd::{load_config, open_to_read, Ui};
use crate::config::{format_duration, Env, SYSTEM_STATE_DIR};
use crate::error::{CantWrite, Exit};
use crate::history::{read_summary, Summary, WINDOWS};
use crate::state::{StateDir, CHECKPOINT};
use crate::statelog::{Entry, State};
use crate::transition::CONNECTIVITY;

/// What the state directory told: the checkpoint, or why it could not be read.
struct Waiting {
    checkpoint: Checkpoint,
    unreadable: Option<String>,
    /// How many canaries the config lists.
    canaries: usize,
}

impl Waiting {
    /// This machine's own connectivity as last judged: `None` while it never went offline.
    fn connectivity(&self) -> Option<&Entry> {
        self.checkpoint.targets.get(CONNECTIVITY)
    }
}

/// The timer runs every minute and a run lasts under one: older than this, the checker
/// itself has stopped.
const STALE_AFTER: TimeDelta = TimeDelta::minutes(3);

pub fn run(config_path: Option<&Path>, args: &StatusArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let watched = Watched::find(config_path, env, &ui)?;
    let now = env.now();
    let (state, log) = open_to_read(&watched.state_dir, &watched.log_file)?;
    let reader = log
        .reader()
        .map_err(|e| CantWrite::new("read the log", &watched.log_file, e))?;
    let (checkpoint, unreadable) = match state.as_ref().map(|s| s.peek()) {
        None | Some(Ok(None)) => (Checkpoint::default(), None),
        Some(Ok(Some(checkpoint))) => (checkpoint, None),
        Some(Err(e)) => (
            Checkpoint::default(),
            Some(format!(
                "the state in {} cannot be read: {e}",
                watched.state_dir.display()
            )),
        ),
    };
    let waiting = Waiting {
        checkpoint,
        unreadable,
        canaries: watched.canaries,
    };
    let targets: Vec<(&str, &str)> = watched
        .targets
        .iter()
        .map(|(name, url)| (name.as_str(), url.as_str()))
        .collect();
    // The checkpoint keeps each state the log may no longer hold (rotated, truncated).
    let kept: Vec<Entry> = waiting
        .checkpoint
        .targets
        .iter()
        .filter(|(name, _)| *name == CONNECTIVITY || targets.iter().any(|(n, _)| n == name))
        .map(|(_, entry)| entry.clone())
        .collect();
    let summary = read_summary(reader, &targets, &kept, now, args.history)
        .map_err(|e| CantWrite::new("read the log", &watched.log_file, e))?;
    let last_check = state.as_ref().and_then(|s| s.last_stamp());

    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = to_json(&summary, &waiting, last_check.as_ref(), now);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        print_human(&mut out, &ui, &summary, &waiting, last_check.as_ref(), now)?;
    }
    Ok(Exit::Up)
}

/// What is watched and where its record is: from the configuration, or, for someone
/// who may not read it (a member of `adm` on a server), from the roster the service
/// keeps in its checkpoint, which holds no secret.
struct Watched {
    /// (name, URL as shown)
    targets: Vec<(String, String)>,
    canaries: usize,
    state_dir: PathBuf,
    log_file: PathBuf,
}

impl Watched {
    fn find(config_path: Option<&Path>, env: &Env, ui: &Ui) -> anyhow::Result<Watched> {
        if config_path.is_none() {
            let unreadable = std::fs::File::open(env.default_config_path()).is_err_and(|e| {
                matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                )
            });
            if let Some(watched) = unreadable.then(|| Watched::from_roster(env)).flatten() {
                return Ok(watched);
            }
        }
        let config = load_config(config_path, env).map_err(|e| {
            match config_path
                .is_none()
                .then(Watched::why_not_the_roster)
                .flatten()
            {
                Some(why) => anyhow::Error::new(e).context(why),
                None => e.into(),
            }
        })?;
        config.warnings.iter().for_each(|w| ui.warn(w));
        Ok(Watched {
            targets: config
                .targets
                .iter()
                .map(|t| (t.name.clone(), t.url.clone()))
                .collect(),
            canaries: config.canaries.len(),
            state_dir: config.state_dir,
            log_file: config.log_file,
        })
    }

    /// Why the service's roster could not stand in for a missing config, when the
    /// reason is one the user can act on.
    fn why_not_the_roster() -> Option<String> {
        let path = Path::new(SYSTEM_STATE_DIR).join(CHECKPOINT);
        match std::fs::File::open(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some(format!(
                "vigia.service's state ({}) is for the group adm; join it \
                 (sudo adduser $USER adm, then log in again), or run as root",
                path.display()
            )),
            _ => None,
        }
    }

    /// The roster in this user's state directory, else in the system's.
    fn from_roster(env: &Env) -> Option<Watched> {
        [env.state_dir(None), PathBuf::from(SYSTEM_STATE_DIR)]
            .into_iter()
            .find_map(|dir| {
                let roster = StateDir::open(&dir).ok()??.peek().ok()??.roster?;
                Some(Watched {
                    targets: roster.targets,
                    canaries: roster.canaries,
                    state_dir: dir,
                    log_file: roster.log_file,
                })
            })
    }
}

fn stamp(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

fn age(delta: TimeDelta) -> String {
    format_duration(
        delta
            .to_std()
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1)),
    )
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}%"))
}

fn print_human(
    out: &mut impl Write,
    ui: &Ui,
    summary: &Summary,
    waiting: &Waiting,
    last_check: Option<&(DateTime<FixedOffset>, String)>,
    now: DateTime<FixedOffset>,
) -> std::io::Result<()> {
    let mut rows = vec![[
        "TARGET", "STATE", "SINCE", "FOR", "24H", "7D", "30D", "REASON",
    ]
    .map(str::to_owned)];
    let mut states = vec![None];
    for t in &summary.targets {
        let (state, since, lasted, reason) = match &t.last {
            Some(e) => (
                e.state.as_str().to_owned(),
                stamp(e.at),
                age(now - e.at),
                e.text.clone(),
            ),
            None => (
                "-".to_owned(),
                "never checked".to_owned(),
                "-".to_owned(),
                String::new(),
            ),
        };
        states.push(t.last.as_ref().map(|e| e.state));
        let [day, week, month] = [0, 1, 2].map(|i| percent(t.uptime[i]));
        rows.push([
            t.name.clone(),
            state,
            since,
            lasted,
            day,
            week,
            month,
            reason,
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (row, state) in rows.iter().zip(&states) {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let padded = if c == 7 {
                cell.clone()
            } else {
                format!("{cell:<w$}  ", w = widths[c])
            };
            line.push_str(&match (c, state) {
                (1, Some(s)) => ui.paint(&padded, *s == State::Online),
                _ => padded,
            });
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    if summary.targets.is_empty() {
        writeln!(out, "(no targets configured)")?;
    }
    for t in &summary.targets {
        if let Some(m) = waiting.checkpoint.mutes.get(&t.name) {
            let until = m.until.map_or_else(
                || "until 'vigia unmute'".to_owned(),
                |u| format!("until {}", stamp(u)),
            );
            let why = m
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            writeln!(
                out,
                "{} is muted {until}{why}: nothing is sent about it.",
                t.name
            )?;
        }
    }
    let certs: Vec<String> = summary
        .targets
        .iter()
        .filter_map(|t| {
            let seen = waiting.checkpoint.certs.get(&t.name)?.first()?;
            let days = crate::cert::days_left(seen.not_after, now);
            Some(format!(
                "{} {days} day(s) left (until {})",
                t.name,
                stamp(seen.not_after)
            ))
        })
        .collect();
    if !certs.is_empty() {
        writeln!(out, "Certificates: {}.", certs.join("; "))?;
    }
    match waiting.connectivity() {
        Some(e) if e.state == State::Offline => {
            let line = format!(
                "Connectivity: OFFLINE since {} ({}): every canary fails; failing targets are not judged.",
                stamp(e.at),
                age(now - e.at)
            );
            writeln!(out, "\n{}", ui.paint(&line, false))?;
        }
        _ if waiting.canaries > 0 => writeln!(
            out,
            "\nConnectivity: online (judged by {} canar{}).",
            waiting.canaries,
            if waiting.canaries == 1 { "y" } else { "ies" }
        )?,
        _ => {}
    }
    if !summary.removed.is_empty() {
        let names: Vec<String> = summary
            .removed
            .iter()
            .map(|e| format!("{} ({})", e.target, e.state.as_str()))
            .collect();
        writeln!(
            out,
            "\nIn the log but no longer configured: {}",
            names.join(", ")
        )?;
    }

    writeln!(out, "\nRecent transitions (newest first):")?;
    if summary.history.is_empty() {
        writeln!(out, "  none yet")?;
    }
    let name_width = summary
        .history
        .iter()
        .map(|t| t.entry.target.len())
        .max()
        .unwrap_or(0);
    for t in &summary.history {
        let lasted = if t.current {
            format!("for {} so far", age(t.lasted))
        } else {
            format!("lasted {}", age(t.lasted))
        };
        writeln!(
            out,
            "  {}  {:name_width$}  {:<7}  {}  [{lasted}]",
            stamp(t.entry.at),
            t.entry.target,
            t.entry.state.as_str(),
            t.entry.text
        )?;
    }

    writeln!(out)?;
    let queue = &waiting.checkpoint.queue;
    match (&waiting.unreadable, queue.first()) {
        (Some(why), _) => writeln!(out, "Outbox: unknown, {why}.")?,
        (None, None) => writeln!(out, "Outbox: empty, every alert was delivered.")?,
        (None, Some(oldest)) => {
            writeln!(
                out,
                "Outbox: {} message(s) waiting since {}.",
                queue.len(),
                stamp(oldest.created)
            )?;
            if let Some(error) = queue.iter().find_map(|q| q.last_error.as_deref()) {
                writeln!(out, "  last delivery error: {error}")?;
            }
        }
    }
    let aside = &waiting.checkpoint.set_aside;
    if !aside.is_empty() {
        writeln!(
            out,
            "Set aside: {} message(s) Telegram refused for good; see 'vigia outbox'.",
            aside.len()
        )?;
        for q in aside {
            writeln!(
                out,
                "  {} ({}): {}",
                q.id,
                stamp(q.created),
                q.last_error.as_deref().unwrap_or("refused")
            )?;
        }
    }
    match last_check {
        None => writeln!(out, "Last check: none recorded yet.")?,
        Some((at, what)) => {
            writeln!(
                out,
                "Last check: {} ({} ago), {what}.",
                stamp(*at),
                age(now - *at)
            )?;
            if now - *at > STALE_AFTER {
                let warning = format!(
                    "WARNING: no check for {}: is the timer running? Try: systemctl status vigia.timer",
                    age(now - *at)
                );
                writeln!(out, "{}", ui.paint(&warning, false))?;
            }
        }
    }
    Ok(())
}

fn entry_json(e: &Entry) -> Value {
    json!({"at": e.at.to_rfc3339(), "target": e.target, "state": e.state.as_str(), "text": e.text})
}

/// The `--json` document (contract: README "vigia status --json").
fn to_json(
    summary: &Summary,
    waiting: &Waiting,
    last_check: Option<&(DateTime<FixedOffset>, String)>,
    now: DateTime<FixedOffset>,
) -> Value {
    let queue = &waiting.checkpoint.queue;
    let targets: Vec<Value> = summary
        .targets
        .iter()
        .map(|t| {
            let uptime: serde_json::Map<String, Value> = WINDOWS
                .iter()
                .zip(&t.uptime)
                .map(|((name, _), v)| {
                    (
                        (*name).to_owned(),
                        json!(v.map(|p| (p * 1000.0).round() / 1000.0)),
                    )
                })
                .collect();
            json!({
                "name": t.name,
                "url": t.url,
                "state": t.last.as_ref().map(|e| e.state.as_str()),
                "since": t.last.as_ref().map(|e| e.at.to_rfc3339()),
                "for_seconds": t.last.as_ref().map(|e| (now - e.at).num_seconds()),
                "reason": t.last.as_ref().map(|e| e.text.clone()),
                "uptime_percent": uptime,
                "muted": waiting.checkpoint.mutes.get(&t.name).map(|m| json!({
                    "until": m.until.map(|u| u.to_rfc3339()),
                    "reason": m.reason,
                })),
                "certificate": waiting.checkpoint.certs.get(&t.name).and_then(|c| c.first()).map(|c| json!({
                    "not_after": c.not_after.to_rfc3339(),
                    "days_left": crate::cert::days_left(c.not_after, now),
                })),
            })
        })
        .collect();
    let history: Vec<Value> = summary
        .history
        .iter()
        .map(|t| {
            let mut v = entry_json(&t.entry);
            v["lasted_seconds"] = json!(t.lasted.num_seconds());
            v["current"] = json!(t.current);
            v
        })
        .collect();
    json!({
        "now": now.to_rfc3339(),
        "targets": targets,
        "removed": summary.removed.iter().map(entry_json).collect::<Vec<_>>(),
        "history": history,
        "outbox": {
            "waiting": queue.len(),
            "oldest": queue.first().map(|q| q.created.to_rfc3339()),
            "last_error": queue.iter().find_map(|q| q.last_error.clone()),
            "set_aside": waiting.checkpoint.set_aside.len(),
            "unreadable": waiting.unreadable,
        },
        "connectivity": {
            "canaries": waiting.canaries,
            "state": match waiting.connectivity() {
                Some(e) => e.state.as_str(),
                None => "ONLINE",
            },
            "since": waiting.connectivity().map(|e| e.at.to_rfc3339()),
        },
        "last_check": last_check.map(|(at, what)| json!({
            "at": at.to_rfc3339(),
            "age_seconds": (now - *at).num_seconds(),
            "summary": what,
            "stale": now - *at > STALE_AFTER,
        })),
    })
}
