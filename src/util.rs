//! Small helpers shared by several modules: the clock, the host name, the open-file
//! limit and systemd's status line. Files are written through [`crate::dirfd`] only.

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

/// A time as every output shows it (messages, `status`, `outbox`, `mute`):
/// `2026-11-24 23:22:23 -03:00`. The log keeps RFC 3339 (its contract).
pub fn show_time(at: chrono::DateTime<chrono::FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M:%S %:z").to_string()
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

    #[test]
    fn hostname_is_never_empty() {
        assert!(!hostname().is_empty());
    }
}
