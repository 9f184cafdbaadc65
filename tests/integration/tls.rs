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
