//! The state directory: the outbox of messages Telegram has not accepted yet, the lock
//! that makes runs exclusive, the chat id learnt from a migration, and the stamp of the
//! last check. Delivery of the outbox lives here too, since it decides what stays.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::CantWrite;
use crate::telegram::{ApiError, Bot};

/// A message waiting for Telegram.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Pending {
    /// When the events it reports happened (the message text says it too).
    pub created: DateTime<FixedOffset>,
    /// Telegram HTML, at most one message long.
    pub text: String,
    #[serde(default)]
    pub attempts: u32,
    /// The last delivery error, in plain words.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// What the outbox holds.
#[derive(Debug, Default)]
pub struct Waiting {
    /// Oldest first, with the file each came from.
    pub entries: Vec<(PathBuf, Pending)>,
    /// Entries that could not be read, described.
    pub unreadable: Vec<String>,
}

/// The state directory and what it holds.
pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    pub fn new(dir: &Path) -> StateDir {
        StateDir {
            dir: dir.to_owned(),
        }
    }

    fn outbox(&self) -> PathBuf {
        self.dir.join("outbox")
    }

    fn create(&self, dir: &Path) -> Result<(), CantWrite> {
        let fail = |e| CantWrite::new("create the state directory", dir, e);
        if dir.is_dir() {
            return Ok(());
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o750)
            .create(dir)
            .map_err(fail)?;
        crate::util::adopt_parent_owner(dir).map_err(fail)
    }

    /// Takes the exclusive run lock, waiting at most `wait` for another run to finish.
    pub fn lock(&self, wait: Duration) -> anyhow::Result<RunLock> {
        self.create(&self.dir)?;
        let path = self.dir.join("lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o640)
            .open(&path)
            .and_then(|file| crate::util::adopt_parent_owner(&path).map(|()| file))
            .map_err(|e| CantWrite::new("open the lock", &path, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RunLock { _file: file }),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => anyhow::bail!(
                    "another 'vigia check' has held {} for {}s; not waiting longer",
                    path.display(),
                    wait.as_secs()
                ),
                Err(fs::TryLockError::Error(e)) => {
                    return Err(CantWrite::new("take the lock", &path, e).into())
                }
            }
        }
    }

    /// Queues messages, in order, after what is already waiting.
    pub fn push(&self, texts: &[String], created: DateTime<FixedOffset>) -> Result<(), CantWrite> {
        let dir = self.outbox();
        self.create(&dir)?;
        let nanos = created.timestamp_nanos_opt().unwrap_or_default().max(0);
        for (seq, text) in texts.iter().enumerate() {
            let pending = Pending {
                created,
                text: text.clone(),
                attempts: 0,
                last_error: None,
            };
            // Names sort by time, then by part: the order of delivery.
            let path = dir.join(format!("{nanos:020}-{seq:04}-{}.json", std::process::id()));
            write_json(&path, &pending)?;
        }
        Ok(())
    }

    /// Whether anything waits, without reading it.
    pub fn has_pending(&self) -> bool {
        fs::read_dir(self.outbox()).is_ok_and(|mut entries| entries.next().is_some())
    }

    /// Waiting messages, oldest first. Entries that cannot be read are reported, not lost:
    /// they stay on disk under their name.
    pub fn pending(&self) -> io::Result<Waiting> {
        let mut names: Vec<PathBuf> = match fs::read_dir(self.outbox()) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Waiting::default()),
            Err(e) => return Err(e),
        };
        names.sort();
        let mut waiting = Waiting::default();
        for path in names {
            let read = fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()));
            match read {
                Ok(pending) => waiting.entries.push((path, pending)),
                Err(why) => waiting.unreadable.push(format!(
                    "outbox entry {} is unreadable: {why}",
                    path.display()
                )),
            }
        }
        Ok(waiting)
    }

    fn update(&self, path: &Path, pending: &Pending) -> Result<(), CantWrite> {
        write_json(path, pending)
    }

    fn remove(&self, path: &Path) -> Result<(), CantWrite> {
        fs::remove_file(path).map_err(|e| CantWrite::new("write the outbox", path, e))
    }

    /// The chat to send to: the configured one, unless Telegram moved it (a group
    /// upgraded to a supergroup) and we remembered where.
    pub fn chat_id(&self, configured: i64) -> i64 {
        let text = fs::read_to_string(self.dir.join("chat_id")).unwrap_or_default();
        match text
            .split_whitespace()
            .map(str::parse::<i64>)
            .collect::<Vec<_>>()[..]
        {
            [Ok(from), Ok(to)] if from == configured => to,
            _ => configured,
        }
    }

    fn remember_migration(&self, from: i64, to: i64) -> Result<(), CantWrite> {
        let path = self.dir.join("chat_id");
        crate::util::write_atomic(&path, format!("{from} {to}\n").as_bytes(), 0o640)
            .map_err(|e| CantWrite::new("write the state", &path, e))
    }

    /// Records that a check ran, for `status` (one small atomic rewrite).
    pub fn stamp(&self, at: DateTime<FixedOffset>, summary: &str) -> Result<(), CantWrite> {
        let path = self.dir.join("last-check");
        // Rewritten every minute: losing one to a power cut costs nothing, an fsync would.
        crate::util::write_replace(
            &path,
            format!("{} {summary}\n", at.to_rfc3339()).as_bytes(),
            0o640,
        )
        .map_err(|e| CantWrite::new("write the state", &path, e))
    }

    /// The last check's time and summary, if one was recorded.
    pub fn last_stamp(&self) -> Option<(DateTime<FixedOffset>, String)> {
        let text = fs::read_to_string(self.dir.join("last-check")).ok()?;
        let (at, summary) = text
            .trim_end()
            .split_once(' ')
            .unwrap_or((text.trim_end(), ""));
        Some((DateTime::parse_from_rfc3339(at).ok()?, summary.to_owned()))
    }
}

fn write_json(path: &Path, pending: &Pending) -> Result<(), CantWrite> {
    let bytes = serde_json::to_vec_pretty(pending).expect("a Pending always serializes");
    crate::util::write_atomic(path, &bytes, 0o640)
        .map_err(|e| CantWrite::new("write the outbox", path, e))
}

/// Held for a whole run; released when dropped (or when the process ends).
pub struct RunLock {
    _file: File,
}

/// Where to send, and how long this run may spend on it.
pub struct Destination<'a> {
    pub bot: &'a Bot,
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    pub deadline: Instant,
}

impl<'a> Destination<'a> {
    /// The configured chat, or where it migrated to.
    pub fn new(
        bot: &'a Bot,
        state: &StateDir,
        telegram: &crate::config::Telegram,
        deadline: Instant,
    ) -> Self {
        Destination {
            bot,
            chat_id: state.chat_id(telegram.chat_id),
            thread_id: telegram.message_thread_id,
            deadline,
        }
    }
}

/// What a delivery achieved.
#[derive(Debug, Default)]
pub struct Delivery {
    pub delivered: usize,
    pub waiting: usize,
    /// The error that stopped delivery, if any.
    pub error: Option<ApiError>,
    /// The chat moved (group → supergroup): from, to.
    pub migrated: Option<(i64, i64)>,
    /// Outbox entries that could not be read.
    pub problems: Vec<String>,
}

/// Sends what the outbox holds, oldest first, until it is empty, the run's time is up or
/// Telegram refuses. Whatever is not accepted stays for the next run, in order.
pub async fn deliver(state: &StateDir, to: &mut Destination<'_>) -> anyhow::Result<Delivery> {
    let Waiting {
        entries: pending,
        unreadable: problems,
    } = state
        .pending()
        .map_err(|e| CantWrite::new("read the outbox", &state.outbox(), e))?;
    let mut report = Delivery {
        problems,
        ..Delivery::default()
    };
    let total = pending.len();
    for (index, (path, mut entry)) in pending.into_iter().enumerate() {
        match send_one(state, to, &entry.text, &mut report).await {
            Ok(()) => {
                state.remove(&path)?;
                report.delivered += 1;
            }
            Err(error) => {
                entry.attempts += 1;
                entry.last_error = Some(error.to_string());
                state.update(&path, &entry)?;
                report.waiting = total - index;
                report.error = Some(error);
                break;
            }
        }
    }
    Ok(report)
}

/// Sends one message now (for `vigia send`), with the same migration and 429 handling.
pub async fn send_now(
    state: &StateDir,
    to: &mut Destination<'_>,
    text: &str,
) -> Result<Delivery, ApiError> {
    let mut report = Delivery::default();
    send_one(state, to, text, &mut report).await?;
    report.delivered = 1;
    Ok(report)
}

/// One message: follows a chat migration once, waits out a 429 when the deadline allows.
async fn send_one(
    state: &StateDir,
    to: &mut Destination<'_>,
    text: &str,
    report: &mut Delivery,
) -> Result<(), ApiError> {
    let mut migrated = false;
    loop {
        let result = to.bot.send_message(to.chat_id, to.thread_id, text).await;
        match result {
            Err(ApiError::Api {
                migrate_to: Some(new_id),
                ..
            }) if !migrated => {
                if let Err(e) = state.remember_migration(to.chat_id, new_id) {
                    report.problems.push(e.to_string());
                }
                report.migrated = Some((to.chat_id, new_id));
                to.chat_id = new_id;
                migrated = true;
            }
            Err(ApiError::Api {
                code: 429,
                retry_after: Some(secs),
                ..
            }) if Instant::now() + Duration::from_secs(secs) + to.bot.timeout() < to.deadline => {
                tokio::time::sleep(Duration::from_secs(secs)).await;
            }
            other => return other,
        }
    }
}
