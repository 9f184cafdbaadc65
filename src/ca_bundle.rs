//! The certificates a TLS connection trusts, loaded only when one is about to be made,
//! from the one bundle file the system keeps: an http-only run with nothing to deliver
//! reads no certificate at all, and a TLS run reads one file instead of walking
//! `/etc/ssl/certs` (147 opens and 301 `statx` on Debian) as the native loader does.

use std::path::PathBuf;

use reqwest::ClientBuilder;

/// The distributions' bundle files, most common first: Debian and Ubuntu (and Arch),
/// Fedora and RHEL, openSUSE, Alpine.
const BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The bundle to read: `$SSL_CERT_FILE` (OpenSSL's own variable) when set, else the
/// first of [`BUNDLES`] that exists.
fn bundle() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    BUNDLES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Sets up `builder`'s trusted roots: none when `tls` is false (no TLS connection will
/// be made), else the bundle's, else (no bundle found) the system's own loader.
pub fn trust(builder: ClientBuilder, tls: bool) -> ClientBuilder {
    if !tls {
        return builder.tls_built_in_root_certs(false);
    }
    let certificates = bundle()
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
        .filter(|certs| !certs.is_empty());
    match certificates {
        Some(certs) => certs
            .into_iter()
            .fold(builder.tls_built_in_root_certs(false), |b, cert| {
                b.add_root_certificate(cert)
            }),
        None => builder,
    }
}

/// Whether a URL needs TLS (and so trusted roots).
pub fn needs_tls(url: &str) -> bool {
    url.trim_start()
        .to_ascii_lowercase()
        .starts_with("https://")
}
