//! The state directory: the lock that makes runs exclusive, the checkpoint's one
//! transaction (lock, clean, load, repair, change, validate, commit), the journal of
//! accepted parts, and the stamp of the last check.
//!
//! The checkpoint ([`crate::checkpoint`], `state.json`) is replaced as a whole: a new
//! file, `fsync`, `rename`, `fsync` of the directory (README "Delivery guarantees").
//! Every command that changes it goes through [`StateDir::transaction`] (or, for a
//! check that commits several times, [`StateDir::begin`]): whichever runs first takes
//! over vigia 0.1's files, and every one reports a damaged checkpoint it moved aside.
//! This module knows nothing of Telegram: delivery uses it, not the other way round.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use rustix::fs::{FlockOperation, OFlags};
use serde::Deserialize;

use crate::checkpoint::{Checkpoint, VERSION};
use crate::dirfd::DirHandle;
use crate::error::StorageError;

/// The checkpoint's file in the state directory.
pub const CHECKPOINT: &str = "state.json";
const STAMP: &str = "last-check";
const LOCK: &str = "lock";
/// The journal of parts Telegram accepted, written in place (see [`Journal`]).
const JOURNAL: &str = "delivered";
/// Far more than a checkpoint ever holds; a larger file is not ours.
const MAX_CHECKPOINT: u64 = 256 * 1024 * 1024;

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
struct Loaded {
    /// `None` on a fresh install (or one from before checkpoints).
    checkpoint: Option<Checkpoint>,
    /// Things found and dealt with, worth a warning.
    warnings: Vec<String>,
}

impl StateDir {
    /// Opens the state directory, creating it when missing.
    pub fn open_or_create(path: &Path) -> Result<StateDir, StorageError> {
        let what = match path.symlink_metadata() {
            Ok(_) => "open the state directory",
            Err(_) => "create the state directory",
        };
        DirHandle::open_or_create(path, 0o750)
            .map(|dir| StateDir { dir })
            .map_err(|e| StorageError::new(what, path, e))
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
            .map_err(|e| StorageError::new("open the lock", &path, e))?;
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
                Err(e) => return Err(StorageError::new("take the lock", &path, e.into()).into()),
            }
        }
    }

    /// Removes what killed runs left behind. Call with the lock held.
    fn clean(&self) -> Result<usize, StorageError> {
        self.dir
            .remove_temp_files()
            .map_err(|e| StorageError::new("clean the state directory", self.path(), e))
    }

    /// Reads the checkpoint. A damaged one is moved aside (kept for a person to look at)
    /// and reported; the caller rebuilds from the log.
    fn load(&self) -> Result<Loaded, StorageError> {
        let path = self.file(CHECKPOINT);
        let bytes = match self.dir.read(CHECKPOINT, MAX_CHECKPOINT) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(Loaded::default()),
            Err(e) => return Err(StorageError::new("read the state", &path, e)),
        };
        match serde_json::from_slice::<Checkpoint>(&bytes) {
            Ok(cp) if cp.version <= VERSION => Ok(Loaded {
                checkpoint: Some(cp),
                warnings: Vec::new(),
            }),
            Ok(cp) => Err(StorageError::new(
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
    /// What breaks an invariant is repaired in memory, as [`StateDir::begin`] would.
    pub fn peek(&self) -> io::Result<Option<Checkpoint>> {
        match self.dir.read(CHECKPOINT, MAX_CHECKPOINT)? {
            None => Ok(None),
            Some(bytes) => {
                let mut checkpoint: Checkpoint = serde_json::from_slice(&bytes)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                checkpoint.validate();
                Ok(Some(checkpoint))
            }
        }
    }

    /// The checkpoint a look (`status`, `outbox`, a dry run) starts from, read without
    /// the lock and without touching the file: none yet (no directory, no file) is an
    /// empty one; a file that cannot be read is the error, for the caller to say what
    /// it does instead.
    pub fn look(state: Option<&StateDir>) -> io::Result<Checkpoint> {
        Ok(match state {
            Some(state) => state.peek()?.unwrap_or_default(),
            None => Checkpoint::default(),
        })
    }

    /// Commits `checkpoint` durably: after this returns, a crash or power cut keeps it.
    fn commit(&self, checkpoint: &Checkpoint) -> Result<(), StorageError> {
        let mut checkpoint = std::borrow::Cow::Borrowed(checkpoint);
        if checkpoint.version != VERSION {
            checkpoint.to_mut().version = VERSION;
        }
        let bytes = serde_json::to_vec(&*checkpoint).expect("a checkpoint always serializes");
        self.dir
            .replace(CHECKPOINT, &bytes, 0o640, true)
            .map_err(|e| StorageError::new("write the state", &self.file(CHECKPOINT), e))
    }

    /// Takes over what vigia 0.1 kept in separate files (`outbox/*.json`, `chat_id`):
    /// adds it to `checkpoint` and says whether there was any. [`forget_legacy`] removes
    /// the old files once the checkpoint holding them is committed.
    ///
    /// [`forget_legacy`]: StateDir::forget_legacy
    fn import_legacy(&self, checkpoint: &mut Checkpoint) -> Vec<String> {
        let mut problems = Vec::new();
        if let Ok(Some(bytes)) = self.dir.read("chat_id", 1024) {
            let text = String::from_utf8_lossy(&bytes);
            let ids: Vec<i64> = text
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect();
            if let [from, to] = ids[..] {
                checkpoint.adopt_old_migration(from, to);
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
                    // vigia 0.1 queued a whole text: it goes through the one splitter.
                    let parts = crate::message::split(&old.text, crate::message::LIMIT);
                    checkpoint.adopt_old(parts, old.created, old.attempts, old.last_error);
                }
                Err(why) => problems.push(format!(
                    "old outbox entry {} is unreadable and left in place: {why}",
                    outbox.join(&name).display()
                )),
            }
        }
        problems
    }

    /// Whether vigia 0.1's files are here.
    fn has_legacy(&self) -> bool {
        matches!(self.dir.read("chat_id", 1024), Ok(Some(_)))
            || matches!(self.dir.subdir("outbox"), Ok(Some(_)))
    }

    /// Removes the files [`import_legacy`](StateDir::import_legacy) took over.
    fn forget_legacy(&self) {
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
    pub fn stamp(&self, at: DateTime<FixedOffset>, summary: &str) -> Result<(), StorageError> {
        let line = format!("{} {summary}\n", at.to_rfc3339());
        self.dir
            .replace(STAMP, line.as_bytes(), 0o640, false)
            .map_err(|e| StorageError::new("write the state", &self.file(STAMP), e))
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

/// A checkpoint taken from the state directory under its lock: the one way to change
/// it. Dropping it releases the lock; what was not committed is not kept.
pub struct Txn<'a> {
    state: &'a StateDir,
    _lock: RunLock,
    /// The checkpoint as this command changes it.
    pub checkpoint: Checkpoint,
    /// What `state.json` holds now; `None` before the first commit of a fresh state.
    committed: Option<Checkpoint>,
    /// vigia 0.1's files were taken over: they go once a commit holds them.
    legacy: bool,
    /// Things found and dealt with on the way in, worth a warning.
    pub warnings: Vec<String>,
    journal: Option<Journal>,
}

impl<'a> Txn<'a> {
    /// Whether the checkpoint differs from what the state directory holds.
    pub fn changed(&self) -> bool {
        self.committed.as_ref() != Some(&self.checkpoint)
    }

    /// Validates the checkpoint and commits it when it changed. Returns whether it
    /// wrote. A checkpoint that breaks an invariant is a bug of the command that made
    /// it: it is refused, never written.
    pub fn commit(&mut self) -> Result<bool, StorageError> {
        if !self.changed() {
            return Ok(false);
        }
        let mut checked = self.checkpoint.clone();
        let broken = checked.validate();
        if !broken.is_empty() {
            let path = self.state.file(CHECKPOINT);
            let why = io::Error::other(format!("invalid state: {}", broken.join("; ")));
            return Err(StorageError::new("write the state", &path, why));
        }
        self.state.commit(&self.checkpoint)?;
        self.committed = Some(self.checkpoint.clone());
        if std::mem::take(&mut self.legacy) {
            self.state.forget_legacy();
        }
        if let Some(journal) = &mut self.journal {
            // What it recorded is in the checkpoint now: its slots may be used again
            // (an old record changes nothing).
            journal.committed();
        }
        Ok(true)
    }

    /// Makes room, before the first part is sent, for recording what Telegram accepts
    /// whatever the free space then: an error means nothing may be sent in this run.
    pub fn prepare_delivery(&mut self) -> Result<(), StorageError> {
        if self.journal.is_none() {
            let path = self.state.file(JOURNAL);
            let journal = Journal::open(&self.state.dir, true)
                .and_then(|j| j.ok_or_else(|| io::Error::from(io::ErrorKind::NotFound)))
                .map_err(|e| StorageError::new("reserve room in", &path, e))?;
            self.journal = Some(journal);
        }
        Ok(())
    }

    /// Whether one more accepted part can be recorded ([`Txn::prepare_delivery`] done
    /// and a free slot in the journal).
    pub fn can_record(&self) -> bool {
        self.journal.as_ref().is_some_and(Journal::has_room)
    }

    /// Telegram accepted the next part of the first message: recorded in the journal
    /// (in reserved space: a full disk cannot lose it), then committed. Returns whether
    /// the message is now delivered whole. An error of the commit leaves the record,
    /// which the next run applies: that part is never sent twice.
    pub fn part_accepted(&mut self) -> Result<bool, StorageError> {
        let Some(head) = self.checkpoint.queue.first() else {
            return Ok(false);
        };
        let (id, sent) = (head.id, head.sent + 1);
        let path = self.state.file(JOURNAL);
        let journal = self.journal.as_mut().ok_or_else(|| {
            StorageError::new("record in", &path, io::Error::other("no room reserved"))
        })?;
        journal
            .record(id, sent)
            .map_err(|e| StorageError::new("record in", &path, e))?;
        let whole = self.checkpoint.part_accepted();
        self.commit()?;
        Ok(whole)
    }
}

impl Drop for Txn<'_> {
    /// A journal whose records every commit holds is removed (under the lock still).
    fn drop(&mut self) {
        if self.journal.as_ref().is_some_and(|j| !j.pending) {
            let _ = self.state.dir.remove(JOURNAL);
        }
    }
}

/// The parts Telegram accepted that a commit may not hold yet: a file of fixed size,
/// allocated before any part is sent and then only written in place, so that recording
/// "part k of message n was accepted" needs no free space. A run that cannot commit
/// after a send (the disk filled meanwhile) still keeps what was accepted, and the next
/// run applies it before it sends anything. Records are idempotent (the count of parts
/// accepted, never a difference), so an old one changes nothing.
///
/// It exists only while a delivery may have records no commit holds: the transaction
/// removes it when it ends with none pending, so a quiet run pays one failed `openat`.
struct Journal {
    file: File,
    /// Slots written since the last commit.
    used: usize,
    /// It holds records that no commit holds yet.
    pending: bool,
}

/// One record: `"D <id> <sent> <sum>"`, space-padded, ending in a newline.
const RECORD: usize = 48;
const SLOTS: usize = 64;

impl Journal {
    /// Opens the journal, creating it at its full size when `create`.
    fn open(dir: &DirHandle, create: bool) -> io::Result<Option<Journal>> {
        let flags = match create {
            true => OFlags::RDWR | OFlags::CREATE,
            false => OFlags::RDWR,
        };
        let Some(file) = dir.open_file(JOURNAL, flags, 0o640)? else {
            return Ok(None);
        };
        let size = (RECORD * SLOTS) as u64;
        if file.metadata()?.len() < size {
            file.write_all_at(&vec![0; RECORD * SLOTS], 0)?;
            file.sync_all()?;
            rustix::fs::fsync(dir.as_fd())?;
        }
        Ok(Some(Journal {
            file,
            used: 0,
            pending: false,
        }))
    }

    fn has_room(&self) -> bool {
        self.used < SLOTS
    }

    fn record(&mut self, id: u64, sent: usize) -> io::Result<()> {
        if !self.has_room() {
            return Err(io::Error::other("the journal of accepted parts is full"));
        }
        let mut line = format!("D {id} {sent} {}", checksum(id, sent)).into_bytes();
        line.resize(RECORD - 1, b' ');
        line.push(b'\n');
        self.file.write_all_at(&line, (self.used * RECORD) as u64)?;
        self.file.sync_data()?;
        self.used += 1;
        self.pending = true;
        Ok(())
    }

    /// The records in the file (torn or zeroed slots are skipped).
    fn records(&self) -> io::Result<Vec<(u64, usize)>> {
        let mut bytes = vec![0; RECORD * SLOTS];
        let n = self.file.read_at(&mut bytes, 0)?;
        bytes.truncate(n);
        Ok(bytes
            .chunks(RECORD)
            .filter_map(|slot| {
                let text = std::str::from_utf8(slot).ok()?;
                let mut words = text.split_ascii_whitespace();
                let (Some("D"), Some(id), Some(sent), Some(sum)) =
                    (words.next(), words.next(), words.next(), words.next())
                else {
                    return None;
                };
                let (id, sent): (u64, usize) = (id.parse().ok()?, sent.parse().ok()?);
                (sum.parse::<u64>().ok()? == checksum(id, sent)).then_some((id, sent))
            })
            .collect())
    }

    /// A commit holds every record made so far.
    fn committed(&mut self) {
        self.used = 0;
        self.pending = false;
    }
}

fn checksum(id: u64, sent: usize) -> u64 {
    id.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(sent as u64)
        .rotate_left(17)
        % 1_000_000_007
}

impl StateDir {
    /// Starts the checkpoint's transaction: takes the lock (waiting at most `wait`),
    /// removes what killed runs left, loads the checkpoint (moving a damaged one aside),
    /// takes over vigia 0.1's files into a fresh one, applies the journal of accepted
    /// parts, and repairs what breaks an invariant; each of those says so in
    /// [`Txn::warnings`].
    pub fn begin(&self, wait: Duration) -> anyhow::Result<Txn<'_>> {
        let lock = self.lock(wait)?;
        self.clean()?;
        let loaded = self.load()?;
        let mut warnings = loaded.warnings;
        let committed = loaded.checkpoint;
        let mut checkpoint = committed.clone().unwrap_or_default();
        // vigia 0.1's files can only come before the first checkpoint: once one exists
        // they were taken over (a second take-over would queue their messages twice).
        let mut legacy = false;
        if committed.is_none() {
            warnings.extend(self.import_legacy(&mut checkpoint));
            legacy = self.has_legacy();
        }
        let mut journal = Journal::open(&self.dir, false).unwrap_or(None);
        if let (Some(journal), true) = (&mut journal, committed.is_some()) {
            let path = self.file(JOURNAL);
            let records = journal
                .records()
                .map_err(|e| StorageError::new("read", &path, e))?;
            for (id, sent) in records {
                // Only a record that changes something waits for the next commit.
                journal.pending |= checkpoint.apply_accepted(id, sent);
            }
        }
        for repaired in checkpoint.validate() {
            warnings.push(format!("{}: {repaired}", self.file(CHECKPOINT).display()));
        }
        Ok(Txn {
            state: self,
            _lock: lock,
            checkpoint,
            committed,
            legacy,
            warnings,
            journal,
        })
    }

    /// The checkpoint's one transaction for a command: [`StateDir::begin`], `change`,
    /// then a commit if anything changed. Returns what `change` returned and the
    /// warnings found on the way in.
    pub fn transaction<R>(
        &self,
        wait: Duration,
        change: impl FnOnce(&mut Txn) -> anyhow::Result<R>,
    ) -> anyhow::Result<(R, Vec<String>)> {
        let mut txn = self.begin(wait)?;
        let result = change(&mut txn)?;
        txn.commit()?;
        Ok((result, std::mem::take(&mut txn.warnings)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translog::{Entry, State};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn entry() -> Entry {
        Entry {
            at: at("2026-11-24T23:22:23-03:00"),
            state: State::Offline,
            target: "web".into(),
            text: "HTTP 503".into(),
        }
    }

    #[test]
    fn a_commit_is_read_back_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(&tmp.path().join("s")).unwrap();
        assert_eq!(state.peek().unwrap(), None);
        let ((), warnings) = state
            .transaction(Duration::ZERO, |txn| {
                txn.checkpoint.record(entry());
                let t = at("2026-11-24T23:22:23-03:00");
                txn.checkpoint
                    .enqueue(vec!["a".into(), "b".into()], t, None);
                txn.checkpoint.enqueue(vec!["c".into()], t, None);
                Ok(())
            })
            .unwrap();
        assert!(warnings.is_empty());
        let back = state.peek().unwrap().unwrap();
        assert_eq!(back.queue.iter().map(|q| q.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(back.targets["web"], entry());
        assert_eq!(back.version, VERSION);
    }

    #[test]
    fn a_transaction_that_changes_nothing_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        // A fresh state is written once, by whichever command comes first.
        let mut txn = state.begin(Duration::ZERO).unwrap();
        assert!(txn.commit().unwrap());
        assert!(!txn.commit().unwrap());
        drop(txn);
        let mut txn = state.begin(Duration::ZERO).unwrap();
        assert!(!txn.changed());
        assert!(!txn.commit().unwrap());
    }

    #[test]
    fn a_damaged_checkpoint_is_moved_aside_and_reported_by_any_command() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        std::fs::write(tmp.path().join(CHECKPOINT), "{not json").unwrap();
        let ((), warnings) = state.transaction(Duration::ZERO, |_| Ok(())).unwrap();
        assert!(warnings[0].contains("damaged"), "{warnings:?}");
        assert!(tmp.path().join("state.json.damaged").exists());
        assert_eq!(
            state.peek().unwrap(),
            Some(Checkpoint::default()).map(|mut c| {
                c.version = VERSION;
                c
            })
        );
    }

    #[test]
    fn an_inconsistent_checkpoint_is_repaired_with_a_warning() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        let broken = serde_json::json!({"version": 1, "next_id": 1, "queue": [
            {"id": 1, "created": "2026-11-24T23:22:23-03:00", "parts": []},
            {"id": 2, "created": "2026-11-24T23:22:23-03:00", "parts": ["a"], "sent": 9}
        ], "set_aside": [{"id": 3, "created": "2026-11-24T23:22:23-03:00", "parts": []}]});
        std::fs::write(tmp.path().join(CHECKPOINT), broken.to_string()).unwrap();
        let (queue, warnings) = state
            .transaction(Duration::ZERO, |txn| Ok(txn.checkpoint.queue.len()))
            .unwrap();
        assert_eq!((queue, warnings.len()), (0, 3), "{warnings:?}");
        let back = state.peek().unwrap().unwrap();
        assert!(back.queue.is_empty() && back.set_aside.is_empty());
    }

    #[test]
    fn the_old_outbox_and_chat_id_are_taken_over_in_order_and_split() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        std::fs::create_dir(tmp.path().join("outbox")).unwrap();
        let long = "line of an old alert\n".repeat(400);
        for (name, text) in [
            ("00000000000000000002-0000-9.json", long.as_str()),
            ("00000000000000000001-0000-10.json", "first"),
        ] {
            let body = serde_json::json!({"created": "2026-11-24T23:22:23-03:00", "text": text, "attempts": 2, "last_error": "x"});
            std::fs::write(tmp.path().join("outbox").join(name), body.to_string()).unwrap();
        }
        std::fs::write(tmp.path().join("chat_id"), "-5 -1005\n").unwrap();
        let (cp, warnings) = state
            .transaction(Duration::ZERO, |txn| Ok(txn.checkpoint.clone()))
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(cp.queue[0].parts, ["first"]);
        assert_eq!(cp.queue[0].attempts, 2);
        assert!(cp.queue[1].parts.len() > 1, "a long old message is split");
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(words(&cp.queue[1].parts.join("\n")), words(&long));
        assert_eq!(cp.chat_id(-5), -1005);
        assert_eq!(cp.chat_id(7), 7);
        assert!(!tmp.path().join("outbox").exists());
        assert!(!tmp.path().join("chat_id").exists());
        // Once a checkpoint exists, old files are never taken over (twice) again.
        std::fs::write(tmp.path().join("chat_id"), "-6 -1006\n").unwrap();
        let (cp, _) = state
            .transaction(Duration::ZERO, |txn| Ok(txn.checkpoint.clone()))
            .unwrap();
        assert_eq!(cp.chat_id(-6), -6);
    }

    #[test]
    fn accepted_parts_survive_a_commit_that_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        let t = at("2026-11-24T23:22:23-03:00");
        state
            .transaction(Duration::ZERO, |txn| {
                txn.checkpoint
                    .enqueue(vec!["a".into(), "b".into()], t, None);
                Ok(())
            })
            .unwrap();
        let mut txn = state.begin(Duration::ZERO).unwrap();
        txn.prepare_delivery().unwrap();
        // As if the disk had filled after the send: the record is made, the commit not.
        let head = txn.checkpoint.queue[0].clone();
        txn.journal.as_mut().unwrap().record(head.id, 1).unwrap();
        drop(txn);
        let mut txn = state.begin(Duration::ZERO).unwrap();
        assert_eq!(
            txn.checkpoint.queue[0].sent, 1,
            "the next run knows part 1 went"
        );
        assert!(txn.changed());
        // Once a commit holds it, the journal goes: quiet runs never read it.
        assert!(tmp.path().join(JOURNAL).exists());
        txn.commit().unwrap();
        drop(txn);
        assert!(!tmp.path().join(JOURNAL).exists());
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

/// Random mutations of valid checkpoints: whatever a damaged or hand-edited file holds,
/// loading it, repairing it, delivering from it and committing it never panics.
#[cfg(test)]
mod fuzz {
    use super::*;
    use serde_json::{json, Value};

    /// xorshift64*: a seeded generator, so a failure is reproducible from its case.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    fn valid() -> Value {
        let q = |id: u64, parts: &[&str], sent: usize| {
            json!({"id": id, "created": "2026-11-24T23:22:23-03:00", "parts": parts,
                   "sent": sent, "attempts": 1, "last_error": "x", "plain": false,
                   "to": {"bot": 123, "chat": 42}})
        };
        json!({
            "version": 1, "next_id": 5,
            "targets": {"web": {"at": "2026-11-24T23:22:23-03:00", "state": "OFFLINE",
                                "target": "web", "text": "HTTP 503"}},
            "unlogged": [{"at": "2026-11-24T23:22:23-03:00", "state": "OFFLINE",
                          "target": "web", "text": "HTTP 503"}],
            "queue": [q(2, &["a", "b"], 1), q(3, &["c"], 0)],
            "set_aside": [q(4, &["d", "e"], 0)],
            "migrated": [-5, -1005],
            "fault_since": "2026-11-24T23:22:23-03:00",
            "reminded": {"web": "2026-11-24T23:22:23-03:00"},
            "mutes": {"web": {"since": "2026-11-24T23:22:23-03:00", "until": null,
                              "reason": "r", "state": "OFFLINE"}},
            "certs": {"web": [{"fingerprint": "ab", "not_after": "2027-01-01T00:00:00Z",
                               "warned": [14]}]},
            "roster": {"log_file": "/v.log", "canaries": 1, "targets": [["web", "http://x/"]],
                       "config": "/c.toml", "to": {"bot": 123, "chat": 42}},
        })
    }

    fn random_value(rng: &mut Rng) -> Value {
        match rng.below(10) {
            0 => Value::Null,
            1 => json!(rng.next()),
            2 => json!(-(rng.below(1000) as i64)),
            3 => json!(u64::MAX),
            4 => json!(rng.below(4)),
            5 => json!([]),
            6 => json!({}),
            7 => json!(""),
            8 => json!(["x"]),
            _ => json!(true),
        }
    }

    /// Replaces, removes or duplicates one node somewhere in `value`.
    fn mutate(value: &mut Value, rng: &mut Rng) {
        match value {
            Value::Object(map) if !map.is_empty() && rng.below(4) > 0 => {
                let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
                match rng.below(6) {
                    0 => {
                        map.remove(&key);
                    }
                    1 => {
                        map.insert(key, random_value(rng));
                    }
                    _ => mutate(map.get_mut(&key).unwrap(), rng),
                }
            }
            Value::Array(items) if !items.is_empty() && rng.below(4) > 0 => {
                let i = rng.below(items.len());
                match rng.below(6) {
                    0 => {
                        items.remove(i);
                    }
                    1 => {
                        let copy = items[i].clone();
                        items.push(copy);
                    }
                    _ => mutate(&mut items[i], rng),
                }
            }
            // Mostly a value of the same kind, so that the file still parses and the
            // mutation reaches the invariants rather than serde.
            Value::Number(_) if rng.below(4) > 0 => {
                *value = match rng.below(4) {
                    0 => json!(0),
                    1 => json!(u64::MAX),
                    2 => json!(rng.below(8)),
                    _ => json!(rng.next() >> rng.below(64)),
                }
            }
            Value::String(_) if rng.below(4) > 0 => {
                *value = match rng.below(3) {
                    0 => json!(""),
                    1 => json!("<b>&amp;".repeat(rng.below(3000))),
                    _ => json!("2026-11-24T23:22:23+14:00"),
                }
            }
            other => *other = random_value(rng),
        }
    }

    /// What every command does with a checkpoint, short of the network.
    fn exercise(state: &StateDir) {
        let _ = state.peek();
        let Ok(mut txn) = state.begin(Duration::ZERO) else {
            return;
        };
        let cp = &mut txn.checkpoint;
        let _ = cp.chat_id(42);
        let _ = cp.readdress(Some(crate::checkpoint::Address {
            bot: 123,
            chat: 42,
            thread: None,
        }));
        for q in cp.queue.iter().chain(&cp.set_aside) {
            let _ = crate::delivery::plain_text(q.next_part());
        }
        if let Some(id) = cp.set_aside.first().map(|q| q.id) {
            let _ = cp.retry(id, None);
        }
        let now = DateTime::parse_from_rfc3339("2026-11-24T23:22:24-03:00").unwrap();
        cp.enqueue(vec!["new".into()], now, None);
        if txn.prepare_delivery().is_ok() {
            for _ in 0..4 {
                let _ = txn.part_accepted();
            }
        }
        txn.commit()
            .expect("a repaired checkpoint is valid and commits");
    }

    #[test]
    fn mutated_checkpoints_never_panic() {
        // Thousands of commits, each with its fsyncs: in memory when the machine has it.
        let shm = Path::new("/dev/shm");
        let tmp = match shm.is_dir() {
            true => tempfile::tempdir_in(shm).unwrap(),
            false => tempfile::tempdir().unwrap(),
        };
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        let mut rng = Rng(0x005E_ED0F_F022);
        let cases = 4000;
        let mut parsed = 0;
        for case in 0..cases {
            let mut doc = valid();
            for _ in 0..=rng.below(3) {
                mutate(&mut doc, &mut rng);
            }
            let bytes = serde_json::to_vec(&doc).unwrap();
            parsed += usize::from(serde_json::from_slice::<Checkpoint>(&bytes).is_ok());
            std::fs::write(tmp.path().join(CHECKPOINT), &bytes).unwrap();
            let _ = std::fs::remove_file(tmp.path().join(JOURNAL));
            let outcome = std::panic::catch_unwind(|| exercise(&state));
            assert!(outcome.is_ok(), "case {case} panicked on {doc}");
        }
        eprintln!("fuzzed checkpoints: {cases} cases, {parsed} parsed, 0 panics");
        assert!(
            parsed > cases / 5,
            "enough mutations must stay loadable: {parsed}"
        );
    }
}
