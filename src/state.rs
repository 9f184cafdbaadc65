//! The state directory: the lock that makes runs exclusive, the checkpoint that a run
//! commits atomically when something changed, and the stamp of the last check.
//!
//! The checkpoint (`state.json`) holds each target's last logged state (the durable copy
//! of the log's memory, so rotating the log loses nothing), the log lines committed but
//! perhaps not yet appended, the queued messages in event order, the messages Telegram
//! refused for good, and where Telegram moved the chat. It is replaced as a whole: a new
//! file, `fsync`, `rename`, `fsync` of the directory (README "Delivery guarantees").
//! This module knows nothing of Telegram: delivery uses it, not the other way round.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use rustix::fs::{FlockOperation, OFlags};
use serde::{Deserialize, Serialize};

use crate::dirfd::DirHandle;
use crate::error::CantWrite;
use crate::statelog::Entry;

/// The checkpoint's file in the state directory.
pub const CHECKPOINT: &str = "state.json";
const STAMP: &str = "last-check";
const LOCK: &str = "lock";
/// Far more than a checkpoint ever holds; a larger file is not ours.
const MAX_CHECKPOINT: u64 = 256 * 1024 * 1024;
/// The layout of the checkpoint; a newer one is refused rather than misread.
const VERSION: u32 = 1;

/// What a run remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checkpoint {
    pub version: u32,
    /// The id the next queued message gets: messages go out in id order.
    pub next_id: u64,
    /// Each target's last logged state.
    pub targets: BTreeMap<String, Entry>,
    /// Log lines committed with this checkpoint that the log may not hold yet (a crash
    /// between the commit and the append); the next run appends those it lacks.
    pub unlogged: Vec<Entry>,
    /// Messages waiting for Telegram, oldest first.
    pub queue: Vec<Queued>,
    /// Messages Telegram refused for good (shown by `status` and `vigia outbox`).
    pub set_aside: Vec<Queued>,
    /// Telegram moved the chat (a group upgraded to a supergroup): from, to.
    pub migrated: Option<(i64, i64)>,
    /// Since when the checker itself cannot probe (its own fault, not the targets').
    pub fault_since: Option<DateTime<FixedOffset>>,
    /// When each target that is down was last reminded of (`check.remind_every`).
    pub reminded: BTreeMap<String, DateTime<FixedOffset>>,
    /// Muted targets: nothing is sent about them until the mute ends.
    pub mutes: BTreeMap<String, Mute>,
    /// The certificates each https target showed lately, the one of the last run first,
    /// each with the thresholds announced for it (a CDN may serve several in turn).
    pub certs: BTreeMap<String, Vec<CertSeen>>,
    /// What is watched, as the last configured run read it, for `status` without the
    /// config (see [`Roster`]).
    pub roster: Option<Roster>,
}

/// What `vigia status` needs of the configuration, kept by `check` in the checkpoint:
/// the targets with their shown URLs (passwords masked), the canaries and the log. It
/// holds no secret, so a member of the state directory's group (`adm` for
/// vigia.service) can run `status` without reading the config and its token. Committed
/// only when the config changed it: a quiet run pays nothing for it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    pub log_file: PathBuf,
    pub canaries: usize,
    /// (name, URL as shown), in the config's order.
    pub targets: Vec<(String, String)>,
}

/// A mute (`vigia mute`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mute {
    pub since: DateTime<FixedOffset>,
    /// `None`: until `vigia unmute`.
    pub until: Option<DateTime<FixedOffset>>,
    pub reason: Option<String>,
    /// The target's state when the mute began (`None`: never checked yet).
    pub state: Option<crate::statelog::State>,
}

/// A certificate as last seen, identified by its SHA-256 fingerprint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertSeen {
    pub fingerprint: String,
    pub not_after: DateTime<FixedOffset>,
    /// The thresholds (days left) already announced for this certificate.
    #[serde(default)]
    pub warned: Vec<u32>,
}

/// One message: its parts go out in order and together, before any later message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub id: u64,
    /// When the events it reports happened (the text says it too).
    pub created: DateTime<FixedOffset>,
    /// Telegram HTML, each part at most one message long.
    pub parts: Vec<String>,
    /// How many parts Telegram has accepted.
    #[serde(default)]
    pub sent: usize,
    #[serde(default)]
    pub attempts: u32,
    /// The last delivery error, in plain words.
    #[serde(default)]
    pub last_error: Option<String>,
    /// The current part goes out as plain text (its HTML was refused once); the HTML is
    /// kept, so that `vigia outbox --retry` can try it again as it was.
    #[serde(default)]
    pub plain: bool,
}

impl Checkpoint {
    /// Queues one message made of `parts`; returns its id.
    pub fn enqueue(&mut self, parts: Vec<String>, created: DateTime<FixedOffset>) -> u64 {
        let id = self.next_id.max(1);
        self.next_id = id + 1;
        self.queue.push(Queued {
            id,
            created,
            parts,
            sent: 0,
            attempts: 0,
            last_error: None,
            plain: false,
        });
        id
    }

    /// The chat to send to: the configured one, unless Telegram moved it.
    pub fn chat_id(&self, configured: i64) -> i64 {
        match self.migrated {
            Some((from, to)) if from == configured => to,
            _ => configured,
        }
    }

    /// The messages still waiting, and how many parts each has left.
    pub fn waiting_parts(&self) -> usize {
        self.queue.iter().map(|q| q.parts.len() - q.sent).sum()
    }
}

/// The state directory, opened once.
pub struct StateDir {
    dir: DirHandle,
}

/// Held for a whole run; released when dropped (or when the process ends).
pub struct RunLock {
    _file: File,
}

/// What a run found in the state directory.
#[derive(Debug, Default)]
pub struct Loaded {
    /// `None` on a fresh install (or one from before checkpoints).
    pub checkpoint: Option<Checkpoint>,
    /// Things found and dealt with, worth a warning.
    pub warnings: Vec<String>,
}

impl StateDir {
    /// Opens the state directory, creating it when missing.
    pub fn open_or_create(path: &Path) -> Result<StateDir, CantWrite> {
        DirHandle::open_or_create(path, 0o750)
            .map(|dir| StateDir { dir })
            .map_err(|e| CantWrite::new("create the state directory", path, e))
    }

    /// Opens the state directory for reading; `None` when it does not exist yet.
    pub fn open(path: &Path) -> io::Result<Option<StateDir>> {
        Ok(DirHandle::open(path)?.map(|dir| StateDir { dir }))
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn handle(&self) -> &DirHandle {
        &self.dir
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Takes the exclusive run lock, waiting at most `wait` for another run to finish.
    pub fn lock(&self, wait: Duration) -> anyhow::Result<RunLock> {
        let path = self.file(LOCK);
        let file = self
            .dir
            .open_file(LOCK, OFlags::RDWR | OFlags::CREATE, 0o640)
            .and_then(|f| f.ok_or_else(|| io::Error::from(io::ErrorKind::NotFound)))
            .map_err(|e| CantWrite::new("open the lock", &path, e))?;
        let started = Instant::now();
        loop {
            match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(RunLock { _file: file }),
                Err(rustix::io::Errno::WOULDBLOCK) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(rustix::io::Errno::WOULDBLOCK) => anyhow::bail!(
                    "another vigia run has held {} for {}s (a check by hand, or the timer's); this run is skipped",
                    path.display(),
                    wait.as_secs()
                ),
                Err(e) => return Err(CantWrite::new("take the lock", &path, e.into()).into()),
            }
        }
    }

    /// Removes what killed runs left behind. Call with the lock held.
    pub fn clean(&self) -> Result<usize, CantWrite> {
        self.dir
            .remove_temp_files()
            .map_err(|e| CantWrite::new("clean the state directory", self.path(), e))
    }

    /// Reads the checkpoint. A damaged one is moved aside (kept for a person to look at)
    /// and reported; the caller rebuilds from the log.
    pub fn load(&self) -> Result<Loaded, CantWrite> {
        let path = self.file(CHECKPOINT);
        let bytes = match self.dir.read(CHECKPOINT, MAX_CHECKPOINT) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(Loaded::default()),
            Err(e) => return Err(CantWrite::new("read the state", &path, e)),
        };
        match serde_json::from_slice::<Checkpoint>(&bytes) {
            Ok(cp) if cp.version <= VERSION => Ok(Loaded {
                checkpoint: Some(cp),
                warnings: Vec::new(),
            }),
            Ok(cp) => Err(CantWrite::new(
                "use the state",
                &path,
                io::Error::other(format!(
                    "it was written by a newer vigia (layout {}); upgrade vigia",
                    cp.version
                )),
            )),
            Err(why) => {
                let aside = format!("{CHECKPOINT}.damaged");
                let moved = self.dir.replace(&aside, &bytes, 0o640, true);
                let _ = self.dir.remove(CHECKPOINT);
                let kept = match moved {
                    Ok(()) => format!("kept as {}", self.file(&aside).display()),
                    Err(e) => format!("could not keep a copy: {e}"),
                };
                Ok(Loaded {
                    checkpoint: None,
                    warnings: vec![format!(
                        "{} was damaged ({why}); {kept}; the last states are rebuilt from the log",
                        path.display()
                    )],
                })
            }
        }
    }

    /// Reads the checkpoint without repairing anything (for `status` and `--dry-run`).
    pub fn peek(&self) -> io::Result<Option<Checkpoint>> {
        match self.dir.read(CHECKPOINT, MAX_CHECKPOINT)? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        }
    }

    /// Commits `checkpoint` durably: after this returns, a crash or power cut keeps it.
    pub fn commit(&self, checkpoint: &Checkpoint) -> Result<(), CantWrite> {
        let mut checkpoint = std::borrow::Cow::Borrowed(checkpoint);
        if checkpoint.version != VERSION {
            checkpoint.to_mut().version = VERSION;
        }
        let bytes = serde_json::to_vec(&*checkpoint).expect("a checkpoint always serializes");
        self.dir
            .replace(CHECKPOINT, &bytes, 0o640, true)
            .map_err(|e| CantWrite::new("write the state", &self.file(CHECKPOINT), e))
    }

    /// Takes over what vigia 0.1 kept in separate files (`outbox/*.json`, `chat_id`):
    /// adds it to `checkpoint` and says whether there was any. [`forget_legacy`] removes
    /// the old files once the checkpoint holding them is committed.
    ///
    /// [`forget_legacy`]: StateDir::forget_legacy
    pub fn import_legacy(&self, checkpoint: &mut Checkpoint) -> Vec<String> {
        let mut problems = Vec::new();
        if let Ok(Some(bytes)) = self.dir.read("chat_id", 1024) {
            let text = String::from_utf8_lossy(&bytes);
            let ids: Vec<i64> = text
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect();
            if let [from, to] = ids[..] {
                checkpoint.migrated.get_or_insert((from, to));
            }
        }
        let Ok(Some(outbox)) = self.dir.subdir("outbox") else {
            return problems;
        };
        let mut names: Vec<String> = outbox
            .names()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| n.into_string().ok())
            .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
            .collect();
        names.sort();
        #[derive(Deserialize)]
        struct Old {
            created: DateTime<FixedOffset>,
            text: String,
            #[serde(default)]
            attempts: u32,
            last_error: Option<String>,
        }
        for name in names {
            let read = outbox
                .read(&name, 1024 * 1024)
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    serde_json::from_slice::<Old>(&b.unwrap_or_default()).map_err(|e| e.to_string())
                });
            match read {
                Ok(old) => {
                    let id = checkpoint.enqueue(vec![old.text], old.created);
                    if let Some(q) = checkpoint.queue.iter_mut().find(|q| q.id == id) {
                        q.attempts = old.attempts;
                        q.last_error = old.last_error;
                    }
                }
                Err(why) => problems.push(format!(
                    "old outbox entry {} is unreadable and left in place: {why}",
                    outbox.join(&name).display()
                )),
            }
        }
        problems
    }

    /// Removes the files [`import_legacy`](StateDir::import_legacy) took over.
    pub fn forget_legacy(&self) {
        let _ = self.dir.remove("chat_id");
        if let Ok(Some(outbox)) = self.dir.subdir("outbox") {
            for name in outbox.names().unwrap_or_default() {
                if name.to_string_lossy().ends_with(".json") {
                    let _ = outbox.remove(&name);
                }
            }
            let _ = outbox.remove_temp_files();
            self.dir.remove_dir("outbox");
        }
    }

    /// Records that a check ran, for `status`. Rewritten every minute, so not `fsync`ed:
    /// losing one to a power cut costs nothing, and a quiet run stays cheap.
    pub fn stamp(&self, at: DateTime<FixedOffset>, summary: &str) -> Result<(), CantWrite> {
        let line = format!("{} {summary}\n", at.to_rfc3339());
        self.dir
            .replace(STAMP, line.as_bytes(), 0o640, false)
            .map_err(|e| CantWrite::new("write the state", &self.file(STAMP), e))
    }

    /// The last check's time and summary, if one was recorded.
    pub fn last_stamp(&self) -> Option<(DateTime<FixedOffset>, String)> {
        let bytes = self.dir.read(STAMP, 4096).ok()??;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_end();
        let (at, summary) = text.split_once(' ').unwrap_or((text, ""));
        Some((DateTime::parse_from_rfc3339(at).ok()?, summary.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statelog::State;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn a_commit_is_read_back_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(&tmp.path().join("s")).unwrap();
        assert_eq!(state.load().unwrap().checkpoint, None);
        let mut cp = Checkpoint::default();
        cp.targets.insert(
            "web".into(),
            Entry {
                at: at("2026-11-24T23:22:23-03:00"),
                state: State::Offline,
                target: "web".into(),
                text: "HTTP 503".into(),
            },
        );
        assert_eq!(
            cp.enqueue(
                vec!["a".into(), "b".into()],
                at("2026-11-24T23:22:23-03:00")
            ),
            1
        );
        assert_eq!(
            cp.enqueue(vec!["c".into()], at("2026-11-24T23:22:24-03:00")),
            2
        );
        state.commit(&cp).unwrap();
        let back = state.load().unwrap().checkpoint.unwrap();
        assert_eq!(back.queue, cp.queue);
        assert_eq!(back.targets, cp.targets);
        assert_eq!(back.waiting_parts(), 3);
        assert_eq!(back.version, VERSION);
    }

    #[test]
    fn a_damaged_checkpoint_is_moved_aside_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        std::fs::write(tmp.path().join(CHECKPOINT), "{not json").unwrap();
        let loaded = state.load().unwrap();
        assert_eq!(loaded.checkpoint, None);
        assert!(
            loaded.warnings[0].contains("damaged"),
            "{:?}",
            loaded.warnings
        );
        assert!(tmp.path().join("state.json.damaged").exists());
        assert!(!tmp.path().join(CHECKPOINT).exists());
    }

    #[test]
    fn the_old_outbox_and_chat_id_are_taken_over_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        std::fs::create_dir(tmp.path().join("outbox")).unwrap();
        for (name, text) in [
            ("00000000000000000002-0000-9.json", "second"),
            ("00000000000000000001-0000-10.json", "first"),
        ] {
            let body = serde_json::json!({"created": "2026-11-24T23:22:23-03:00", "text": text, "attempts": 2, "last_error": "x"});
            std::fs::write(tmp.path().join("outbox").join(name), body.to_string()).unwrap();
        }
        std::fs::write(tmp.path().join("chat_id"), "-5 -1005\n").unwrap();
        let mut cp = Checkpoint::default();
        assert!(state.import_legacy(&mut cp).is_empty());
        let texts: Vec<&str> = cp.queue.iter().map(|q| q.parts[0].as_str()).collect();
        assert_eq!(texts, ["first", "second"]);
        assert_eq!(cp.queue[0].attempts, 2);
        assert_eq!(cp.chat_id(-5), -1005);
        assert_eq!(cp.chat_id(7), 7);
        state.commit(&cp).unwrap();
        state.forget_legacy();
        assert!(!tmp.path().join("outbox").exists());
        assert!(!tmp.path().join("chat_id").exists());
    }

    #[test]
    fn the_lock_is_exclusive_and_bounded() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        let held = state.lock(Duration::ZERO).unwrap();
        let other = StateDir::open_or_create(tmp.path()).unwrap();
        let err = other.lock(Duration::from_millis(50)).err().unwrap();
        assert!(err.to_string().contains("skipped"), "{err}");
        drop(held);
        other.lock(Duration::ZERO).unwrap();
    }
}
