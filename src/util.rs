//! Small helpers shared by several modules: atomic file writes and the host name.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Replaces `path` atomically: a temp file in the same directory, `fsync`, `rename`, then
/// `fsync` of the directory, so a crash leaves the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    replace(path, bytes, mode, true)
}

/// Like [`write_atomic`] without the `fsync`s: readers still never see half a file, but
/// a power cut may lose the update. For records that the next run rewrites anyway.
pub fn write_replace(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    replace(path, bytes, mode, false)
}

fn replace(path: &Path, bytes: &[u8], mode: u32, durable: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("no file name"))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&temp)?;
        file.write_all(bytes)?;
        if durable {
            file.sync_all()?;
        }
        adopt_parent_owner(&temp)?;
        fs::rename(&temp, path)?;
        if durable {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// When root writes into a directory that belongs to someone else (the service's user
/// owns /var/lib/vigia and /var/log/vigia), the new file is given to that owner, so that
/// a check run by hand never leaves a file the service cannot write.
pub fn adopt_parent_owner(path: &Path) -> io::Result<()> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(());
    }
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let owner = fs::metadata(parent)?;
    let mine = fs::symlink_metadata(path)?;
    if (owner.uid(), owner.gid()) != (mine.uid(), mine.gid()) && owner.uid() != 0 {
        std::os::unix::fs::lchown(path, Some(owner.uid()), Some(owner.gid()))?;
    }
    Ok(())
}

/// Raises the soft limit on open files to the hard one: a check of many targets needs a
/// socket each, and the common soft limit of 1024 is an accident of history.
pub fn raise_file_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        // Nothing to do if refused: the bounded concurrency copes with the soft limit.
        let _ = setrlimit(Resource::Nofile, limit);
    }
}

/// The local time now, in whole seconds: what the log, the messages and `status` show.
pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    let now = chrono::Local::now().fixed_offset();
    chrono::Timelike::with_nanosecond(&now, 0).unwrap_or(now)
}

/// This machine's name, for messages.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the pointer and length describe `buf`, which outlives the call.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(name) if rc == 0 && !name.is_empty() => name.to_owned(),
        _ => "localhost".to_owned(),
    }
}

/// Gives systemd the run's one-line summary, which `systemctl status vigia.service`
/// shows as "Status:" (sd_notify(3) `STATUS=`; the unit allows it with
/// `NotifyAccess=main`). Outside systemd, or if the message is lost, nothing happens:
/// it is a courtesy, never part of the check.
pub fn notify_status(text: &str) {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let bytes = socket.as_encoded_bytes();
    let addr = match bytes.strip_prefix(b"@") {
        Some(name) => SocketAddr::from_abstract_name(name),
        None => SocketAddr::from_pathname(&socket),
    };
    let line = format!("STATUS={}", text.replace('\n', " "));
    if let (Ok(addr), Ok(datagram)) = (addr, UnixDatagram::unbound()) {
        let _ = datagram.send_to_addr(line.as_bytes(), &addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_replaces_with_mode_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, b"one", 0o600).unwrap();
        write_atomic(&path, b"two", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn hostname_is_never_empty() {
        assert!(!hostname().is_empty());
    }
}
