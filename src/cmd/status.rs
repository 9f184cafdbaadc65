//! `vigia status`: each target's state, since when, uptime over 24h/7d/30d, the recent
//! transitions, alerts waiting in the outbox, and when the last check ran. Reads only:
//! no lock, so it never waits for a running check.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::checkpoint::Checkpoint;
use crate::cli::StatusArgs;
use crate::cmd::{load_config, open_to_read, Ui};
use crate::config::{Env, SYSTEM_STATE_DIR};
use crate::error::{Exit, StorageError};
use crate::history::read_summary;
use crate::state::{StateDir, CHECKPOINT};
use crate::transition::CONNECTIVITY;
use crate::translog::Entry;
use crate::view::{render_json, render_text, MaintenanceView, Sources, StatusView};

pub fn run(config_path: Option<&Path>, args: &StatusArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let watched = Watched::find(config_path, env, &ui)?;
    let now = env.now();
    let (state, log) = open_to_read(&watched.state_dir, &watched.log_file)?;
    let reader = log
        .reader()
        .map_err(|e| StorageError::new("read the log", &watched.log_file, e))?;
    let (checkpoint, unreadable) = match StateDir::look(state.as_ref()) {
        Ok(checkpoint) => (checkpoint, None),
        Err(e) => (
            Checkpoint::default(),
            Some(format!(
                "the state in {} cannot be read: {e}",
                watched.state_dir.display()
            )),
        ),
    };
    let targets: Vec<(&str, &str)> = watched
        .targets
        .iter()
        .map(|(name, url)| (name.as_str(), url.as_str()))
        .collect();
    // The checkpoint keeps each state the log may no longer hold (rotated, truncated).
    let kept: Vec<Entry> = checkpoint
        .targets
        .iter()
        .filter(|(name, _)| *name == CONNECTIVITY || targets.iter().any(|(n, _)| n == name))
        .map(|(_, entry)| entry.clone())
        .collect();
    let last_check = state.as_ref().and_then(|s| s.last_stamp());
    let gaps = crate::coverage::gaps_until(&checkpoint, last_check.as_ref().map(|c| c.0), now);
    let summary = read_summary(reader, &targets, &kept, &gaps, now, args.history)
        .map_err(|e| StorageError::new("read the log", &watched.log_file, e))?;
    let sources = Sources {
        checkpoint: &checkpoint,
        unreadable,
        canaries: watched.canaries,
        last_check,
        gaps: &gaps,
    };
    let mut view = StatusView::build(summary, sources, now);
    let schedule = crate::maintenance::Schedule::at(&watched.maintenance, now);
    view.set_maintenance(|name| {
        let (active, o) = schedule.current_or_next(name)?;
        Some(MaintenanceView {
            active,
            start: o.start,
            end: o.end,
            reason: o.reason,
        })
    });

    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = render_json(&view);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out.write_all(render_text(&view, &|text, good| ui.paint(text, good)).as_bytes())?;
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
    /// The config's `[[maintenance]]` windows; none from the roster.
    maintenance: Vec<crate::maintenance::Window>,
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
            maintenance: config.maintenance,
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
                    maintenance: Vec::new(),
                })
            })
    }
}
