//! Root runs (README "Root runs"): when root runs vigia on a state directory that another
//! user owns — the service's, as systemd makes it — the run becomes that user (its uid,
//! its gid, no supplementary groups) right after the directories are opened and before
//! any file in them is touched. From then on the run can do nothing that user could not:
//! a link or a hard link planted in those directories reaches nothing of root's. The
//! directories stay reachable through the handles opened before the switch, even where
//! a parent (systemd's `/var/lib/private`, 0700) would now refuse the path.

use std::io;

use crate::dirfd::DirHandle;

/// Becomes the owner of `dir` when running as root and `dir` belongs to someone else.
/// Returns the uid switched to. Call before any thread is started.
pub fn become_owner(dir: &DirHandle) -> io::Result<Option<u32>> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let (uid, gid) = dir.owner()?;
    if uid == 0 {
        return Ok(None);
    }
    // SAFETY: plain system calls with valid arguments (an empty group list); the order
    // (groups, gid, then uid) is the one that leaves no privilege behind.
    let failed = unsafe {
        libc::setgroups(0, std::ptr::null()) != 0
            || libc::setgid(gid) != 0
            || libc::setuid(uid) != 0
    };
    if failed {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    let (now_uid, now_euid) = unsafe { (libc::getuid(), libc::geteuid()) };
    if (now_uid, now_euid) != (uid, uid) {
        return Err(io::Error::other("the switch of user did not take"));
    }
    Ok(Some(uid))
}
