//! ICMP targets: `icmp://host`, one echo request per attempt through an unprivileged
//! ICMP datagram socket (`socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`, or ICMPv6): no
//! raw socket, no capability. The kernel fills in the identifier and the checksum; the
//! reply is matched by its sequence number. The kernel allows such sockets to the groups
//! in `net.ipv4.ping_group_range` (Debian's systemd: every group); where it refuses,
//! that is this machine's fault, said with how to allow it.

use std::net::{IpAddr, SocketAddr};
use std::os::fd::FromRawFd;

use crate::config::IpFamily;
use crate::outcome::Reason;

/// Why an echo failed: the reason, and whether this machine is the cause.
pub struct PingFailure {
    pub why: Reason,
    pub checker_fault: bool,
}

fn target(why: Reason) -> PingFailure {
    PingFailure {
        why,
        checker_fault: false,
    }
}

/// One echo request to `host` and its reply (the caller bounds it in time).
pub async fn echo(host: &str, family: IpFamily, sequence: u16) -> Result<(), PingFailure> {
    let address = address(host, family).await?;
    let socket = socket(address.ip())?;
    socket.connect(address).await.map_err(|e| io_failure(&e))?;
    let request_type = if address.is_ipv4() { 8 } else { 128 };
    let reply_type = if address.is_ipv4() { 0 } else { 129 };
    let [high, low] = sequence.to_be_bytes();
    let mut packet = [0u8; 24];
    packet[0] = request_type;
    packet[6] = high;
    packet[7] = low;
    packet[8..].copy_from_slice(b"vigia echo\0\0\0\0\0\0");
    socket.send(&packet).await.map_err(|e| io_failure(&e))?;
    let mut buffer = [0u8; 512];
    // Bounded by the caller's timeout; replies to other requests are skipped.
    loop {
        let n = socket.recv(&mut buffer).await.map_err(|e| io_failure(&e))?;
        if n >= 8 && buffer[0] == reply_type && buffer[6..8] == [high, low] {
            return Ok(());
        }
    }
}

/// The host's first address of the family asked for.
async fn address(host: &str, family: IpFamily) -> Result<SocketAddr, PingFailure> {
    let found = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| io_failure(&e))?
        .find(|a| match family {
            IpFamily::Any => true,
            IpFamily::V4 => a.is_ipv4(),
            IpFamily::V6 => a.is_ipv6(),
        });
    found.ok_or_else(|| target(Reason::Dns))
}

/// An ICMP datagram socket of the address's family, non-blocking, for tokio.
fn socket(ip: IpAddr) -> Result<tokio::net::UdpSocket, PingFailure> {
    let (domain, protocol) = match ip {
        IpAddr::V4(_) => (libc::AF_INET, libc::IPPROTO_ICMP),
        IpAddr::V6(_) => (libc::AF_INET6, libc::IPPROTO_ICMPV6),
    };
    // SAFETY: socket(2) takes no pointers; the descriptor it returns is owned below.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            protocol,
        )
    };
    if fd < 0 {
        let err = std::io::Error::last_os_error();
        return Err(match err.raw_os_error() {
            Some(libc::EACCES | libc::EPERM) => PingFailure {
                why: Reason::PingNotPermitted,
                checker_fault: true,
            },
            _ => PingFailure {
                why: crate::describe::describe(&err),
                checker_fault: true,
            },
        });
    }
    // SAFETY: fd is a fresh socket owned by nobody else; a datagram socket is what
    // UdpSocket wraps (send, recv, connect), whatever its protocol.
    let socket = unsafe { std::net::UdpSocket::from_raw_fd(fd) };
    tokio::net::UdpSocket::from_std(socket).map_err(|e| PingFailure {
        why: crate::describe::describe(&e),
        checker_fault: true,
    })
}

fn io_failure(err: &std::io::Error) -> PingFailure {
    PingFailure {
        why: crate::describe::describe(err),
        checker_fault: crate::probe::is_checker_fault(err),
    }
}
