//! A directory held open by handle, and the files in it reached through that handle only:
//! every name is one path component, no symbolic link is followed, temporary files are
//! created exclusively, and a file that is not a regular file with a single link is
//! refused. This is what keeps a root run harmless in a directory another user owns
//! (README "Root runs"), and what keeps a FIFO planted at the log path from hanging a run.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

/// Writes `text` to `path` atomically, mode 0644: a temporary file in the same directory,
/// renamed over it (not synced: a file rewritten every minute, such as the metrics or
/// the status page, costs no `fsync`), so a reader never sees half a file. The
/// directory must exist.
pub fn publish(path: &Path, text: &str) -> io::Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Err(io::Error::other("not a file path"));
    };
    let dir = DirHandle::open(dir)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("no directory {}", dir.display()),
        )
    })?;
    dir.replace(name, text.as_bytes(), 0o644, false)
}

/// A directory, opened once.
#[derive(Debug)]
pub struct DirHandle {
    fd: OwnedFd,
    path: PathBuf,
}

/// Why a file in a watched directory is refused.
fn refuse(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_owned())
}

impl DirHandle {
    /// Opens `path` as a directory, creating it (with its missing parents) with `mode`.
    /// The path itself is the configuration's choice and is followed as given; only the
    /// names inside it are treated as untrusted.
    pub fn open_or_create(path: &Path, mode: u32) -> io::Result<DirHandle> {
        match DirHandle::open(path)? {
            Some(dir) => Ok(dir),
            None => {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(mode)
                    .create(path)?;
                DirHandle::open(path)?.ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
            }
        }
    }

    /// Opens `path` as a directory; `None` when it does not exist.
    pub fn open(path: &Path) -> io::Result<Option<DirHandle>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(DirHandle {
                fd,
                path: path.to_owned(),
            })),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` in this directory, for messages.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// The directory's owner and group.
    pub fn owner(&self) -> io::Result<(u32, u32)> {
        let stat = rustix::fs::fstat(&self.fd)?;
        Ok((stat.st_uid, stat.st_gid))
    }

    /// Opens `name` with `flags` (plus `O_NOFOLLOW`, `O_NONBLOCK` and `O_CLOEXEC`) and
    /// checks that it is a regular file with one link. `None` when it does not exist and
    /// `flags` does not create it.
    pub fn open_file(&self, name: &str, flags: OFlags, mode: u32) -> io::Result<Option<File>> {
        self.open_checked(name, flags, mode, false)
    }

    /// Opens `name` read-only like [`open_file`](DirHandle::open_file), but a file with
    /// other hard links is accepted: a reader writes nothing through it.
    pub fn open_to_read(&self, name: &str) -> io::Result<Option<File>> {
        self.open_checked(name, OFlags::RDONLY, 0, true)
    }

    fn open_checked(
        &self,
        name: &str,
        flags: OFlags,
        mode: u32,
        linked: bool,
    ) -> io::Result<Option<File>> {
        let flags = flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(mode)) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(rustix::io::Errno::LOOP) | Err(rustix::io::Errno::MLINK) => {
                return Err(refuse(
                    "is a symbolic link; vigia does not follow links here",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        check_plain(&fd, linked)?;
        Ok(Some(File::from(fd)))
    }

    /// Reads `name` whole, at most `limit` bytes; `None` when it does not exist.
    pub fn read(&self, name: &str, limit: u64) -> io::Result<Option<Vec<u8>>> {
        let Some(file) = self.open_file(name, OFlags::RDONLY, 0)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        file.take(limit + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(refuse("is larger than vigia ever writes it"));
        }
        Ok(Some(bytes))
    }

    /// Replaces `name` atomically: an exclusive temporary file in this directory, written,
    /// renamed over `name`. With `durable`, the file and the directory are `fsync`ed too,
    /// so a crash or power cut leaves the old contents or the new, never half.
    pub fn replace(&self, name: &str, bytes: &[u8], mode: u32, durable: bool) -> io::Result<()> {
        self.replace_with(name, bytes, mode, durable, false)
    }

    /// Like [`DirHandle::replace`], durable, and with exactly `mode` whatever the umask:
    /// the temporary file is `fchmod`ed through its handle before anything is written
    /// to it, so a secret is never readable by others for a moment either.
    pub fn replace_exact(&self, name: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
        self.replace_with(name, bytes, mode, true, true)
    }

    fn replace_with(
        &self,
        name: &str,
        bytes: &[u8],
        mode: u32,
        durable: bool,
        exact: bool,
    ) -> io::Result<()> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW;
        // Something planted at a temporary name is never opened: take another name.
        let mut tries = 0;
        let (temp, fd) = loop {
            let temp = temp_name(name);
            let mode = Mode::from_raw_mode(mode);
            match rustix::fs::openat(&self.fd, &temp, flags | OFlags::CLOEXEC, mode) {
                Ok(fd) => break (temp, fd),
                Err(rustix::io::Errno::EXIST) if tries < 100 => tries += 1,
                Err(e) => return Err(e.into()),
            }
        };
        let result = (|| {
            if exact {
                rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))?;
            }
            let mut file = File::from(fd);
            file.write_all(bytes)?;
            if durable {
                file.sync_all()?;
            }
            drop(file);
            rustix::fs::renameat(&self.fd, &temp, &self.fd, name)?;
            if durable {
                rustix::fs::fsync(&self.fd)?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = rustix::fs::unlinkat(&self.fd, &temp, AtFlags::empty());
        }
        result
    }

    /// What `name` is, without following a link; `None` when it does not exist.
    pub fn entry_type(&self, name: &str) -> io::Result<Option<FileType>> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(FileType::from_raw_mode(stat.st_mode))),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Sets the directory's own mode through its handle (`fchmod`), never by path.
    pub fn set_mode(&self, mode: u32) -> io::Result<()> {
        Ok(rustix::fs::fchmod(&self.fd, Mode::from_raw_mode(mode))?)
    }

    /// Refuses a directory whose names someone other than root and this process's user
    /// could change, there or in any directory above it up to `/`: one owned by another
    /// user, or writable by others without the sticky bit (which keeps others from
    /// renaming or removing what is not theirs, as in `/tmp`). Whoever can change the
    /// names can swap a file written there for one of theirs, or move the directory away.
    /// The walk goes through `..` handles, so a path renamed meanwhile cannot mislead it.
    pub fn refuse_shared(&self) -> io::Result<()> {
        let me = rustix::process::geteuid().as_raw();
        // For messages only: where the handle really is.
        let mut shown = std::fs::read_link(format!("/proc/self/fd/{}", self.fd_number()))
            .unwrap_or_else(|_| self.path.clone());
        let mut dir = rustix::io::dup(&self.fd)?;
        // Bounded: no real tree is 4096 directories deep.
        for _ in 0..4096 {
            let stat = rustix::fs::fstat(&dir)?;
            let mode = stat.st_mode & 0o7777;
            if stat.st_uid != 0 && stat.st_uid != me {
                return Err(refuse(&format!(
                    "its directory {} is owned by uid {}, not by root or you: \
                     that user could replace what vigia writes there",
                    shown.display(),
                    stat.st_uid
                )));
            }
            if mode & 0o002 != 0 && mode & 0o1000 == 0 {
                return Err(refuse(&format!(
                    "its directory {} is writable by others (mode {mode:04o}) without the sticky bit: \
                     anyone could replace what vigia writes there (chmod o-w {})",
                    shown.display(),
                    shown.display()
                )));
            }
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let parent = rustix::fs::openat(&dir, "..", flags, Mode::empty())?;
            let above = rustix::fs::fstat(&parent)?;
            if (above.st_dev, above.st_ino) == (stat.st_dev, stat.st_ino) {
                return Ok(());
            }
            dir = parent;
            shown = shown
                .parent()
                .map_or_else(|| PathBuf::from("/"), Path::to_owned);
        }
        Err(refuse("is deeper than 4096 directories"))
    }

    fn fd_number(&self) -> i32 {
        std::os::fd::AsRawFd::as_raw_fd(&self.fd)
    }

    /// Removes `name` (a file, never following a link); a missing file is no error.
    pub fn remove(&self, name: impl AsRef<OsStr>) -> io::Result<()> {
        match rustix::fs::unlinkat(&self.fd, name.as_ref(), AtFlags::empty()) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes an empty subdirectory; one that is missing or not empty is left alone.
    pub fn remove_dir(&self, name: &str) {
        let _ = rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR);
    }

    /// The names in the directory (not `.` and `..`).
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        let mut names = Vec::new();
        for entry in rustix::fs::Dir::read_from(&self.fd)? {
            let entry = entry?;
            let name = OsStr::from_bytes(entry.file_name().to_bytes());
            if name != "." && name != ".." {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }

    /// Opens the subdirectory `name` without following a link; `None` when missing.
    pub fn subdir(&self, name: &str) -> io::Result<Option<DirHandle>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(DirHandle {
                fd,
                path: self.path.join(name),
            })),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(rustix::io::Errno::LOOP) | Err(rustix::io::Errno::NOTDIR) => {
                Err(refuse("is not a directory (or is a link); left alone"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the temporary files a killed run left behind (`.NAME.*.tmp`); the caller
    /// holds the run lock, so none of them is still being written. Returns how many.
    pub fn remove_temp_files(&self) -> io::Result<usize> {
        let mut removed = 0;
        for name in self.names()? {
            let bytes = name.as_bytes();
            if bytes.starts_with(b".") && bytes.ends_with(b".tmp") {
                self.remove(&name)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A regular file with one link: not a FIFO or a device (whose open or read could block
/// or do harm), not a hard link to a file elsewhere.
fn check_plain(fd: &OwnedFd, linked: bool) -> io::Result<()> {
    let stat = rustix::fs::fstat(fd)?;
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile if stat.st_nlink <= 1 || linked => Ok(()),
        FileType::RegularFile => Err(refuse(
            "has other hard links; vigia writes only files of its own",
        )),
        FileType::Directory => Err(refuse("is a directory, not a file")),
        FileType::Fifo => Err(refuse("is a FIFO, not a regular file")),
        FileType::Socket => Err(refuse("is a socket, not a regular file")),
        _ => Err(refuse("is a device, not a regular file")),
    }
}

/// `.NAME.PID.N.tmp`: unique within this process, and created with `O_EXCL` anyway.
fn temp_name(name: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replace_is_atomic_with_mode_and_leaves_no_temp() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DirHandle::open_or_create(&tmp.path().join("a/b"), 0o750).unwrap();
        dir.replace("f", b"one", 0o600, true).unwrap();
        dir.replace("f", b"two", 0o600, false).unwrap();
        assert_eq!(dir.read("f", 10).unwrap().unwrap(), b"two");
        let mode = std::fs::metadata(dir.join("f"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(dir.names().unwrap(), ["f"]);
        assert!(dir.read("f", 2).is_err(), "over the limit");
        assert_eq!(dir.read("missing", 10).unwrap(), None);
    }

    #[test]
    fn links_fifos_and_hard_links_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::write(&outside, "secret").unwrap();
        let dir = DirHandle::open_or_create(&tmp.path().join("d"), 0o750).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();
        std::fs::hard_link(&outside, dir.join("hard")).unwrap();
        let fifo = std::ffi::CString::new(dir.join("fifo").as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        for (name, why) in [
            ("link", "symbolic link"),
            ("hard", "hard links"),
            ("fifo", "FIFO"),
        ] {
            let err = dir
                .open_file(name, OFlags::RDWR | OFlags::APPEND, 0)
                .unwrap_err();
            assert!(err.to_string().contains(why), "{name}: {err}");
        }
        // A planted link at a temp name is not followed either: the name is fresh.
        dir.replace("link", b"new", 0o600, true).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
    }

    #[test]
    fn replace_exact_sets_the_mode_and_replaces_a_link_without_following_it() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::write(&outside, "precious").unwrap();
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        let dir = DirHandle::open_or_create(&tmp.path().join("d"), 0o700).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("f")).unwrap();
        assert_eq!(dir.entry_type("f").unwrap(), Some(FileType::Symlink));
        assert_eq!(dir.entry_type("none").unwrap(), None);
        for mode in [0o666, 0o600] {
            dir.replace_exact("f", b"new", mode).unwrap();
            let meta = std::fs::symlink_metadata(dir.join("f")).unwrap();
            assert!(meta.file_type().is_file());
            assert_eq!(meta.permissions().mode() & 0o7777, mode, "{mode:o}");
        }
        assert_eq!(dir.entry_type("f").unwrap(), Some(FileType::RegularFile));
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        let mode = std::fs::metadata(&outside).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o644);
        dir.set_mode(0o711).unwrap();
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o711);
    }

    #[test]
    fn a_directory_others_can_write_is_shared_unless_sticky() {
        let tmp = tempfile::tempdir().unwrap();
        let mode = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        let open = |path: &Path| DirHandle::open(path).unwrap().unwrap();
        let outer = tmp.path().join("outer");
        let inner = outer.join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        open(&inner).refuse_shared().unwrap();
        mode(&outer, 0o777);
        for dir in [&outer, &inner] {
            let err = open(dir).refuse_shared().unwrap_err().to_string();
            assert!(err.contains("writable by others (mode 0777)"), "{err}");
            assert!(
                err.contains(&outer.display().to_string()),
                "names the culprit: {err}"
            );
        }
        mode(&outer, 0o1777);
        open(&inner).refuse_shared().unwrap();
        open(&outer).refuse_shared().unwrap();
        mode(&outer, 0o775);
        open(&inner).refuse_shared().unwrap();
    }

    #[test]
    fn stale_temp_files_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DirHandle::open_or_create(tmp.path(), 0o750).unwrap();
        std::fs::write(dir.join(".state.json.77.0.tmp"), "x").unwrap();
        std::fs::write(dir.join("state.json"), "x").unwrap();
        assert_eq!(dir.remove_temp_files().unwrap(), 1);
        assert_eq!(dir.names().unwrap(), ["state.json"]);
    }
}
