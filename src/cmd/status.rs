//! `vigia status`: each target's state, since when, uptime over 24h/7d/30d, the recent
//! transitions, alerts waiting in the outbox, and when the last check ran. Reads only:
//! no lock, so it never waits for a running check.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::Checkpoint;
use crate::checkpoint::Gap;
use crate::cli::StatusArgs;
use crate::cmd::{load_config, open_to_read, Files, Ui};
use crate::config::{Config, Env, SYSTEM_STATE_DIR};
use crate::error::{Exit, StorageError};
use crate::history::{read_measured, Summary};
use crate::state::{StateDir, CHECKPOINT};
use crate::transition::CONNECTIVITY;
use crate::translog::{Entry, Log};
use crate::view::{render_json, render_text, MaintenanceView, Sources, StatusView};

pub fn run(config_path: Option<&Path>, args: &StatusArgs, env: &Env) -> anyhow::Result<Exit> {
    let ui = Ui::new(env);
    let watched = Watched::find(config_path, env, &ui)?;
    let now = env.now();
    let (state, log) = open_to_read(&watched.state_dir, &watched.log_file)?;
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
    let sight = Sight {
        targets: &watched.targets,
        canaries: watched.canaries,
        maintenance: &watched.maintenance,
        log_file: &watched.log_file,
    };
    let history = if args.html {
        PAGE_HISTORY
    } else {
        args.history
    };
    let last_check = state.as_ref().and_then(|s| s.last_stamp());
    let view = sight.view(&log, &checkpoint, unreadable, last_check, now, history)?;

    let mut out = std::io::stdout().lock();
    if args.html {
        let title = watched.page_title.unwrap_or_else(|| page_title(None));
        let options = crate::page::PageOptions {
            title: &title,
            show_urls: watched.show_urls,
        };
        out.write_all(crate::page::render(&view, &options).as_bytes())?;
    } else if args.json {
        let doc = render_json(&view);
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        out.write_all(render_text(&view, &|text, good| ui.paint(text, good)).as_bytes())?;
    }
    Ok(Exit::Up)
}

/// Transitions the status page lists (its recent incidents are the OFFLINE ones).
pub const PAGE_HISTORY: usize = 40;

/// The page's title: the configured one, else "<host name> status".
pub fn page_title(configured: Option<&str>) -> String {
    configured.map_or_else(
        || format!("{} status", crate::util::hostname()),
        str::to_owned,
    )
}

/// What a view of the watched targets is built from: `status`, the status page that
/// `check` writes and the report all see the same.
pub struct Sight<'a> {
    /// (name, URL as shown)
    pub targets: &'a [(String, String)],
    pub canaries: usize,
    pub maintenance: &'a [crate::maintenance::Window],
    pub log_file: &'a Path,
}

/// The configured targets as a [`Sight`] names them: (name, URL as shown).
pub fn shown_targets(config: &Config) -> Vec<(String, String)> {
    (config.targets.iter())
        .map(|t| (t.name.clone(), t.url.clone()))
        .collect()
}

impl<'a> Sight<'a> {
    /// What the config watches, with `targets` from [`shown_targets`].
    pub fn of(config: &'a Config, targets: &'a [(String, String)]) -> Sight<'a> {
        Sight {
            targets,
            canaries: config.canaries.len(),
            maintenance: &config.maintenance,
            log_file: &config.log_file,
        }
    }
}

impl Sight<'_> {
    /// The view at `now`, with the page's day cells ([`crate::page::spans`]).
    pub fn view(
        &self,
        log: &Log,
        checkpoint: &Checkpoint,
        unreadable: Option<String>,
        last_check: Option<(DateTime<FixedOffset>, String)>,
        now: DateTime<FixedOffset>,
        history: usize,
    ) -> anyhow::Result<StatusView> {
        let gaps = crate::coverage::gaps_until(checkpoint, last_check.as_ref().map(|c| c.0), now);
        let summary = self.summary(
            log,
            checkpoint,
            &gaps,
            now,
            history,
            crate::page::spans(now),
        )?;
        let sources = Sources {
            checkpoint,
            unreadable,
            canaries: self.canaries,
            last_check,
            gaps: &gaps,
        };
        let mut view = StatusView::build(summary, sources, now);
        let schedule = crate::maintenance::Schedule::at(self.maintenance, now);
        view.set_maintenance(|name| {
            let (active, o) = schedule.current_or_next(name)?;
            Some(MaintenanceView {
                active,
                start: o.start,
                end: o.end,
                reason: o.reason,
            })
        });
        Ok(view)
    }

    /// The log's summary, measuring `spans` besides the windows.
    pub fn summary(
        &self,
        log: &Log,
        checkpoint: &Checkpoint,
        gaps: &[Gap],
        now: DateTime<FixedOffset>,
        history: usize,
        spans: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    ) -> anyhow::Result<Summary> {
        let targets: Vec<(&str, &str)> = self
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
        let reader = log
            .reader()
            .map_err(|e| StorageError::new("read the log", self.log_file, e))?;
        let summary = read_measured(reader, &targets, &kept, gaps, now, history, spans)
            .map_err(|e| StorageError::new("read the log", self.log_file, e))?;
        Ok(summary)
    }
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
    /// `[status_page]`'s title and show_urls; none from the roster.
    page_title: Option<String>,
    show_urls: bool,
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
            page_title: config.status_page.as_ref().and_then(|p| p.title.clone()),
            show_urls: config.status_page.as_ref().is_some_and(|p| p.show_urls),
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
                    page_title: None,
                    show_urls: false,
                })
            })
    }
}

/// After a run (README "Status page"): writes `[status_page]` when something a reader
/// sees changed, else at most once a minute (by the page file's age); returns a warning
/// when it cannot be written. The run's check has already failed or succeeded: a page
/// that cannot be written never changes its exit code.
pub fn refresh_page(
    config: &Config,
    files: &Files,
    checkpoint: &Checkpoint,
    changed: bool,
    (now, summary): (DateTime<FixedOffset>, String),
) -> Option<String> {
    let page = config.status_page.as_ref()?;
    let age = std::fs::metadata(&page.file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    if !crate::page::due(changed, age) {
        return None;
    }
    let targets = shown_targets(config);
    let sight = Sight::of(config, &targets);
    let written = sight
        .view(
            &files.log,
            checkpoint,
            None,
            Some((now, summary)),
            now,
            PAGE_HISTORY,
        )
        .and_then(|view| {
            let title = page_title(page.title.as_deref());
            let options = crate::page::PageOptions {
                title: &title,
                show_urls: page.show_urls,
            };
            Ok(crate::dirfd::publish(
                &page.file,
                &crate::page::render(&view, &options),
            )?)
        });
    written.err().map(|e| {
        format!(
            "cannot write the status page {}: {e:#}",
            page.file.display()
        )
    })
}
