//! The transition log, the memory of vigia (contract: README "The transition log"):
//! `<RFC 3339 time> <ONLINE|OFFLINE> <target> <free text>`, one line per transition.
//! The last state of each target is found by reading backwards from the end only as far
//! as needed; lines are appended with one `write` on an `O_APPEND` file.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use rustix::fs::OFlags;
use serde::{Deserialize, Serialize};

use crate::dirfd::DirHandle;
use crate::error::StorageError;

const BLOCK: usize = 64 * 1024;
/// A line longer than this is not one vigia wrote; it is skipped, not buffered.
const MAX_LINE: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    Online,
    Offline,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Online => "ONLINE",
            State::Offline => "OFFLINE",
        }
    }

    pub fn from_up(up: bool) -> State {
        if up {
            State::Online
        } else {
            State::Offline
        }
    }
}

/// One parsed log line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: DateTime<FixedOffset>,
    pub state: State,
    pub target: String,
    pub text: String,
}

impl Entry {
    /// Parses one line (without its newline). `None` for anything vigia did not write.
    pub fn parse(line: &str) -> Option<Entry> {
        let mut parts = line.splitn(4, ' ');
        let at = DateTime::parse_from_rfc3339(parts.next()?).ok()?;
        let state = match parts.next()? {
            "ONLINE" => State::Online,
            "OFFLINE" => State::Offline,
            _ => return None,
        };
        let target = parts.next().filter(|t| !t.is_empty())?.to_owned();
        let text = parts.next().unwrap_or_default().to_owned();
        Some(Entry {
            at,
            state,
            target,
            text,
        })
    }

    /// The line as written to the log, with its newline. Newlines in the text are
    /// flattened so that one entry is always one line.
    pub fn to_line(&self) -> String {
        let text: String = self
            .text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "{} {} {} {}\n",
            // Whole seconds, as the contract shows: 2026-11-24T23:22:23-03:00.
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            self.state.as_str(),
            self.target,
            text.trim_end()
        )
    }
}

/// Walks the complete lines of a file from the last to the first, reading blocks from
/// the end. A torn last line (no newline after it) is skipped. Stops when `visit`
/// returns `false`.
pub fn scan_backwards(file: &mut File, mut visit: impl FnMut(&str) -> bool) -> io::Result<()> {
    let mut pos = file.seek(SeekFrom::End(0))?;
    // Bytes of the current line that are after the block being read (its later part).
    let mut carry: Vec<u8> = Vec::new();
    let mut first_block = true;
    let mut skipping_long = false;
    let mut block = vec![0u8; BLOCK];
    while pos > 0 {
        let len = BLOCK.min(pos as usize);
        pos -= len as u64;
        file.seek(SeekFrom::Start(pos))?;
        file.read_exact(&mut block[..len])?;
        let mut chunk = &block[..len];
        if first_block {
            first_block = false;
            // Whatever follows the last newline is a torn line: not ours to trust.
            match chunk.iter().rposition(|&b| b == b'\n') {
                Some(nl) => chunk = &chunk[..=nl],
                None => {
                    skipping_long = true;
                    continue;
                }
            }
            chunk = &chunk[..chunk.len() - 1];
        }
        while let Some(nl) = chunk.iter().rposition(|&b| b == b'\n') {
            let tail = &chunk[nl + 1..];
            if !skipping_long {
                let line = if carry.is_empty() {
                    String::from_utf8_lossy(tail)
                } else {
                    let mut whole = tail.to_vec();
                    whole.extend(carry.iter().rev());
                    String::from_utf8_lossy(&whole).into_owned().into()
                };
                if !visit(&line) {
                    return Ok(());
                }
            }
            carry.clear();
            skipping_long = false;
            chunk = &chunk[..nl];
        }
        if !skipping_long {
            // Kept reversed so that prepending is a push.
            carry.extend(chunk.iter().rev());
            if carry.len() > MAX_LINE {
                carry.clear();
                skipping_long = true;
            }
        }
    }
    // What is left is the file's first line (possibly empty).
    if !skipping_long && !first_block {
        carry.reverse();
        visit(&String::from_utf8_lossy(&carry));
    }
    Ok(())
}

/// The transition log file, reached through its directory (see [`DirHandle`]): the log
/// must be a regular file, never a symbolic link, a FIFO or a device, and for its writer
/// one of its own (no other hard link).
pub struct Log {
    /// `None` when the directory does not exist (yet): an empty history.
    dir: Option<DirHandle>,
    name: String,
    path: PathBuf,
}

impl Log {
    /// The log at `path`. With `create`, its directory is created when missing.
    pub fn open(path: &Path, create: bool) -> Result<Log, StorageError> {
        let fail = |e| StorageError::new("open the log directory of", path, e);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| fail(io::Error::other("the log path has no file name")))?
            .to_owned();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = if create {
            Some(DirHandle::open_or_create(parent, 0o750).map_err(fail)?)
        } else {
            DirHandle::open(parent).map_err(fail)?
        };
        Ok(Log {
            dir,
            name,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The log opened for a reader that writes nothing (`status`); `None` when there is
    /// none yet. The writer refuses a log with a second hard link, lest it append to a
    /// file elsewhere; a reader has no such reason, so a backup made with `ln` or a
    /// rotation that links is read. Symbolic links are still not followed, and a FIFO
    /// or device is refused (opening or reading one could block).
    pub fn reader(&self) -> io::Result<Option<File>> {
        match &self.dir {
            None => Ok(None),
            Some(dir) => dir.open_to_read(&self.name),
        }
    }

    /// The log opened for reading by its writer: a file of its own, one link.
    fn writer_reader(&self) -> io::Result<Option<File>> {
        match &self.dir {
            None => Ok(None),
            Some(dir) => dir.open_file(&self.name, OFlags::RDONLY, 0),
        }
    }

    /// The last entry of each of `targets`. A missing log is an empty history. Reads from
    /// the end and stops as soon as every target is found.
    pub fn last_states(&self, targets: &[&str]) -> io::Result<HashMap<String, Entry>> {
        let mut found: HashMap<String, Entry> = HashMap::with_capacity(targets.len());
        if targets.is_empty() {
            return Ok(found);
        }
        let Some(mut file) = self.writer_reader()? else {
            return Ok(found);
        };
        scan_backwards(&mut file, |line| {
            if let Some(entry) = Entry::parse(line) {
                if targets.contains(&entry.target.as_str()) && !found.contains_key(&entry.target) {
                    found.insert(entry.target.clone(), entry);
                }
            }
            found.len() < targets.len()
        })?;
        Ok(found)
    }

    /// Appends those of `entries` the log does not hold yet: after a crash (or a failed
    /// commit) between the checkpoint's commit and the append, some may be there
    /// already. Idempotent per line whatever their number: lines are appended in order
    /// and the first failure stops the rest, so the log holds a prefix of each target's
    /// lines, and its last line for the target tells how long that prefix is. Returns
    /// how many were appended.
    pub fn append_missing(&self, entries: &[Entry]) -> Result<usize, StorageError> {
        let names: Vec<&str> = entries.iter().map(|e| e.target.as_str()).collect();
        let last = self
            .last_states(&names)
            .map_err(|e| StorageError::new("read the log", &self.path, e))?;
        let mut logged: HashMap<&str, usize> = HashMap::new();
        for (target, entry) in &last {
            let line = entry.to_line();
            let mine: Vec<&Entry> = entries.iter().filter(|e| &e.target == target).collect();
            if let Some(k) = mine.iter().rposition(|e| e.to_line() == line) {
                logged.insert(target.as_str(), k + 1);
            }
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let missing: Vec<Entry> = entries
            .iter()
            .filter(|e| {
                let n = seen.entry(e.target.as_str()).or_default();
                *n += 1;
                *n > logged.get(e.target.as_str()).copied().unwrap_or(0)
            })
            .cloned()
            .collect();
        self.append(&missing)?;
        Ok(missing.len())
    }

    /// Appends entries, one `write` per line, creating the log when needed. If the file
    /// ends in a torn line, a newline is written first so that the new line never glues
    /// onto it. Callers hold the run lock.
    pub fn append(&self, entries: &[Entry]) -> Result<(), StorageError> {
        if entries.is_empty() {
            return Ok(());
        }
        let fail = |e| StorageError::new("write the log", &self.path, e);
        let dir = self
            .dir
            .as_ref()
            .ok_or_else(|| fail(io::Error::from(io::ErrorKind::NotFound)))?;
        let mut file = dir
            .open_file(
                &self.name,
                OFlags::RDWR | OFlags::APPEND | OFlags::CREATE,
                0o640,
            )
            .map_err(fail)?
            .ok_or_else(|| fail(io::Error::from(io::ErrorKind::NotFound)))?;
        let mut pending = String::new();
        if ends_torn(&mut file).map_err(fail)? {
            pending.push('\n');
        }
        for entry in entries {
            pending.push_str(&entry.to_line());
            let written = file.write(pending.as_bytes()).map_err(fail)?;
            if written != pending.len() {
                return Err(fail(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "short write (disk full?)",
                )));
            }
            pending.clear();
        }
        file.sync_data().map_err(fail)
    }
}

fn ends_torn(file: &mut File) -> io::Result<bool> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn lines_backwards(content: &[u8]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, content).unwrap();
        let mut seen = Vec::new();
        scan_backwards(&mut File::open(&path).unwrap(), |l| {
            seen.push(l.to_owned());
            true
        })
        .unwrap();
        seen
    }

    #[test]
    fn appending_what_is_missing_is_idempotent_per_line() {
        let tmp = tempfile::tempdir().unwrap();
        let log = Log::open(&tmp.path().join("v.log"), true).unwrap();
        let line = |l: &str| Entry::parse(l).unwrap();
        let entries = [
            line("2026-11-24T23:00:00+00:00 OFFLINE web HTTP 503 (http://x/)"),
            line("2026-11-24T23:01:00+00:00 ONLINE web HTTP 200 after 1m down"),
            line("2026-11-24T23:02:00+00:00 OFFLINE web HTTP 503 (http://x/)"),
            line("2026-11-24T23:02:00+00:00 OFFLINE db connection refused (tcp://d:1)"),
        ];
        log.append(&entries[..1]).unwrap();
        for round in 0..3 {
            let appended = log.append_missing(&entries).unwrap();
            assert_eq!(appended, if round == 0 { 3 } else { 0 });
        }
        let text = std::fs::read_to_string(tmp.path().join("v.log")).unwrap();
        let lines: Vec<String> = entries.iter().map(Entry::to_line).collect();
        assert_eq!(text, lines.concat(), "each line once, in order");
    }

    #[test]
    fn parses_the_contract_format() {
        let e = Entry::parse(
            "2026-11-24T23:22:23-03:00 OFFLINE web connection refused (http://203.0.113.10/)",
        )
        .unwrap();
        assert_eq!(e.at, at("2026-11-24T23:22:23-03:00"));
        assert_eq!(e.state, State::Offline);
        assert_eq!(e.target, "web");
        assert_eq!(e.text, "connection refused (http://203.0.113.10/)");
        assert_eq!(
            e.to_line(),
            "2026-11-24T23:22:23-03:00 OFFLINE web connection refused (http://203.0.113.10/)\n"
        );
        let bare = Entry::parse("2026-11-24T23:35:02-03:00 ONLINE web").unwrap();
        assert_eq!((bare.state, bare.text.as_str()), (State::Online, ""));
    }

    #[test]
    fn rejects_lines_it_did_not_write() {
        for bad in [
            "",
            "garbage",
            "2026-11-24 ONLINE web",
            "2026-11-24T23:22:23-03:00 UP web x",
            "2026-11-24T23:22:23-03:00 ONLINE",
            "2026-11-24T23:22:23-03:00 ONLINE  x",
            "ONLINE web",
        ] {
            assert_eq!(Entry::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn times_are_written_in_whole_seconds() {
        let e = Entry {
            at: at("2026-11-24T23:22:23.341567716-03:00"),
            state: State::Online,
            target: "a".into(),
            text: "ok".into(),
        };
        assert_eq!(e.to_line(), "2026-11-24T23:22:23-03:00 ONLINE a ok\n");
    }

    #[test]
    fn text_never_breaks_the_line() {
        let e = Entry {
            at: at("2026-11-24T23:22:23Z"),
            state: State::Offline,
            target: "a".into(),
            text: "x\ny\r".into(),
        };
        assert_eq!(e.to_line(), "2026-11-24T23:22:23+00:00 OFFLINE a x y\n");
    }

    #[test]
    fn scans_lines_backwards_and_skips_a_torn_tail() {
        assert_eq!(lines_backwards(b"a\nb\nc\n"), ["c", "b", "a"]);
        assert_eq!(lines_backwards(b"a\nb\ntorn"), ["b", "a"]);
        assert_eq!(lines_backwards(b""), Vec::<String>::new());
        assert_eq!(lines_backwards(b"only torn"), Vec::<String>::new());
        assert_eq!(lines_backwards(b"\n\nx\n"), ["x", "", ""]);
    }

    #[test]
    fn lines_across_block_boundaries_are_whole() {
        let long_a = "a".repeat(BLOCK - 3);
        let long_b = "b".repeat(BLOCK + 10);
        let content = format!("{long_a}\n{long_b}\nshort\n");
        assert_eq!(
            lines_backwards(content.as_bytes()),
            ["short".to_owned(), long_b, long_a]
        );
    }

    #[test]
    fn overlong_lines_are_skipped_not_buffered() {
        let huge = "x".repeat(MAX_LINE * 3);
        let content = format!("first\n{huge}\nlast\n");
        assert_eq!(lines_backwards(content.as_bytes()), ["last", "first"]);
    }

    #[test]
    fn last_states_reads_only_what_it_needs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vigia.log");
        let mut content = String::from("2026-11-24T10:00:00Z OFFLINE old x\n");
        content.push_str(&"junk line that does not parse\n".repeat(10));
        content.push_str("2026-11-24T11:00:00Z OFFLINE web refused\n");
        content.push_str("2026-11-24T12:00:00Z ONLINE web HTTP 200 in 4 ms\n");
        content.push_str("2026-11-24T12:30:00Z OFFLINE api HTTP 503\n");
        content.push_str("2026-11-24T13:00:00Z ONLINE torn");
        std::fs::write(&path, content).unwrap();
        let log = Log::open(&path, false).unwrap();
        let states = log.last_states(&["web", "api", "new"]).unwrap();
        assert_eq!(states["web"].state, State::Online);
        assert_eq!(states["web"].at, at("2026-11-24T12:00:00Z"));
        assert_eq!(states["api"].state, State::Offline);
        assert!(!states.contains_key("new"));
        assert!(!states.contains_key("torn"));
        let missing = Log::open(&dir.path().join("missing"), false).unwrap();
        assert!(missing.last_states(&["web"]).unwrap().is_empty());
        let no_dir = Log::open(&dir.path().join("none/vigia.log"), false).unwrap();
        assert!(no_dir.last_states(&["web"]).unwrap().is_empty());
    }

    #[test]
    fn append_never_glues_onto_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/vigia.log");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "2026-11-24T12:00:00Z ONLINE web ok\n2026-11-24T12:01:00Z OFF",
        )
        .unwrap();
        let entry = Entry {
            at: at("2026-11-24T12:02:00Z"),
            state: State::Offline,
            target: "web".into(),
            text: "HTTP 503".into(),
        };
        let log = Log::open(&path, true).unwrap();
        log.append(std::slice::from_ref(&entry)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.ends_with("OFF\n2026-11-24T12:02:00+00:00 OFFLINE web HTTP 503\n"),
            "{text}"
        );
        assert_eq!(log.last_states(&["web"]).unwrap()["web"], entry);
        assert_eq!(log.append_missing(std::slice::from_ref(&entry)).unwrap(), 0);
        let later = Entry {
            at: at("2026-11-24T12:03:00Z"),
            state: State::Online,
            ..entry
        };
        assert_eq!(log.append_missing(std::slice::from_ref(&later)).unwrap(), 1);
        assert_eq!(log.last_states(&["web"]).unwrap()["web"], later);
    }

    #[test]
    fn a_reader_takes_a_hard_linked_log_and_the_writer_does_not() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("vigia.log");
        let line = "2026-11-25T10:00:00Z ONLINE web HTTP 200\n";
        std::fs::write(&path, line).unwrap();
        std::fs::hard_link(&path, tmp.path().join("copy")).unwrap();
        let log = Log::open(&path, false).unwrap();
        let mut text = String::new();
        log.reader()
            .unwrap()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, line);
        let refused = log.last_states(&["web"]).unwrap_err();
        assert!(refused.to_string().contains("hard links"), "{refused}");
        let entry = Entry::parse(line.trim_end()).unwrap();
        assert!(log.append(&[entry]).is_err());
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("copy"), &path).unwrap();
        let refused = log.reader().unwrap_err();
        assert!(refused.to_string().contains("symbolic link"), "{refused}");
        std::fs::remove_file(&path).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(log
            .reader()
            .unwrap_err()
            .to_string()
            .contains("not a regular file"));
        std::fs::remove_file(&path).unwrap();
        assert!(log.reader().unwrap().is_none());
    }

    #[test]
    fn append_creates_the_log_and_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/vigia.log");
        let entry = Entry {
            at: at("2026-11-24T12:02:00Z"),
            state: State::Online,
            target: "web".into(),
            text: "ok".into(),
        };
        Log::open(&path, true)
            .unwrap()
            .append(&[entry.clone(), entry])
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }
}
