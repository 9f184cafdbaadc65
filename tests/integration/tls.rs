//! HTTPS targets: a site on loopback with a certificate from a private CA (made with
//! openssl), trusted through the one bundle file vigia reads (`SSL_CERT_FILE` here).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{target, Sandbox, Site};

/// A private CA and an `openssl s_server` with a certificate it signed for 127.0.0.1.
pub struct TlsSite {
    server: Child,
    pub port: u16,
    pub ca: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is needed for this test (apt-get install openssl)");
    assert!(status.success(), "openssl {args:?}");
}

impl TlsSite {
    /// A site whose certificate is valid for `days` more days.
    pub fn start(dir: &Path, days: u32) -> TlsSite {
        TlsSite::start_on(dir, days, None)
    }

    /// The same, on `port` when given; the CA in `dir` is made once and kept, so that
    /// a site restarted with a new certificate is trusted as before.
    pub fn start_on(dir: &Path, days: u32, port: Option<u16>) -> TlsSite {
        std::fs::create_dir_all(dir).unwrap();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        if !dir.join("ca.pem").exists() {
            let mut ca = vec!["req", "-x509"];
            ca.extend(ec);
            ca.extend([
                "-subj",
                "/CN=vigia test CA",
                "-days",
                "3650",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
            ]);
            openssl(dir, &ca);
        }
        let mut csr = vec!["req"];
        csr.extend(ec);
        csr.extend([
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
        ]);
        openssl(dir, &csr);
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        let days = days.to_string();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                &days,
                "-extfile",
                "leaf.ext",
                "-out",
                "leaf.pem",
            ],
        );
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let server = Command::new("openssl")
            .args([
                "s_server",
                "-quiet",
                "-www",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
                "leaf.pem",
                "-key",
                "leaf.key",
            ])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let ready = (0..300).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(ready, "openssl s_server did not listen");
        TlsSite {
            server,
            port,
            ca: dir.join("ca.pem"),
        }
    }

    /// The `[[target]]` "secure" for this site, trusted through its ca_file alone (no
    /// system bundle is changed).
    pub fn target(&self) -> String {
        format!(
            "{}\nca_file = \"{}\"",
            crate::target("secure", &self.url()),
            self.ca.display()
        )
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }
}

impl Drop for TlsSite {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

#[test]
fn https_targets_trust_the_bundle_and_http_redirects_to_them_work() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let tls = TlsSite::start(&sb.path("tls"), 90);
    let redirect = site.url(&format!("/goto?{}", tls.url()));
    sb.write_config(
        None,
        &[
            target("secure", &tls.url()),
            target("plain-to-tls", &redirect),
        ],
    );
    let ca = tls.ca.to_str().unwrap();
    let run = sb.run_with_env(&["check"], "SSL_CERT_FILE", ca).expect(0);
    assert!(run.stdout.contains("secure        UP"), "{}", run.stdout);
    assert!(run.stdout.contains("plain-to-tls  UP"), "{}", run.stdout);
    // Without that CA in the bundle, the certificate is from an unknown issuer.
    let system = sb.run(&["check", "--dry-run"]).expect(1);
    assert!(
        system.stdout.contains("certificate from an unknown issuer"),
        "{}",
        system.stdout
    );
}

/// A server on loopback that reads what a client sends first and answers `reply` (or
/// closes at once when it is empty), for 5 s at most.
fn answers_once(reply: &'static [u8]) -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let server = std::thread::spawn(move || {
        let until = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < until {
            if let Ok((mut stream, _)) = listener.accept() {
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                // Read the ClientHello first: closing a socket with unread data sends
                // a reset instead of the end of the stream.
                let _ = stream.read(&mut [0; 16 * 1024]);
                let _ = stream.write_all(reply);
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    (port, server)
}

#[test]
fn every_tls_failure_reads_as_a_tls_error() {
    let sb = Sandbox::new();
    for (name, reply, want) in [
        // https:// to a port that speaks plain HTTP (it answers the ClientHello with a 400).
        (
            "plain",
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"[..],
            "TLS error: the server does not speak TLS (plain HTTP on this port?)",
        ),
        // A server that takes the connection and closes it during the handshake.
        (
            "closer",
            &b""[..],
            "TLS error: the server closed the connection during the handshake",
        ),
    ] {
        let (port, server) = answers_once(reply);
        sb.write_config(None, &[target(name, &format!("https://127.0.0.1:{port}/"))]);
        let run = sb.run(&["check"]).expect(1);
        let line = format!("{name}  DOWN  {want}\n");
        assert!(run.stdout.contains(&line), "{line}{}", run.stdout);
        server.join().unwrap();
    }
}

/// One rule for a redirect to a scheme vigia cannot follow: not followed, and the 3xx
/// answer is judged (up by default, down when expect_status wants something else).
#[test]
fn redirects_to_schemes_vigia_cannot_follow_are_judged_by_the_answer() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let schemes = [
        ("file", "file:///etc/passwd"),
        ("gopher", "gopher://127.0.0.1:70/1"),
        ("mailto", "mailto:ops@example.org"),
        ("app", "myapp://callback?code=1"),
    ];
    let targets: Vec<String> = schemes
        .iter()
        .flat_map(|(name, location)| {
            let url = site.url(&format!("/goto?{location}"));
            [
                target(name, &url),
                format!(
                    "{}\nexpect_status = [200]",
                    target(&format!("{name}-200"), &url)
                ),
            ]
        })
        .collect();
    sb.write_config(None, &targets);
    let run = sb.run(&["check"]).expect(1);
    for (name, location) in schemes {
        let scheme = location.split(':').next().unwrap();
        let up = format!("{name:<10}  UP    HTTP 302 (redirect to {scheme}: not followed) in ");
        assert!(run.stdout.contains(&up), "{up}\n{}", run.stdout);
        let down = format!(
            "{:<10}  DOWN  HTTP 302 Found (redirect to {scheme}: not followed)",
            format!("{name}-200")
        );
        assert!(run.stdout.contains(&down), "{down}\n{}", run.stdout);
    }
}
