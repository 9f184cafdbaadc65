//! Failed requests in plain words, for the prober and the Bot API client alike (so that
//! neither imports the other): the reason from an error's chain, TLS failures named as
//! such, our own redirect errors, and the cut of a long text. URLs a library puts in
//! its error texts leave here with their passwords masked.

use std::error::Error as StdError;

/// The longest reason [`describe_error`] gives.
pub const MAX_REASON: usize = 200;

/// How a TLS client's failure against a server that answered in plain text reads
/// (rustls: "received corrupt message of type InvalidContentType").
pub const NO_TLS: &str = "TLS error: the server does not speak TLS (plain HTTP on this port?)";

/// An error of our own redirect policy, told in its own words.
#[derive(Debug)]
pub struct RedirectError(pub &'static str);

impl std::fmt::Display for RedirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for RedirectError {}

/// A short human reason for a failed request, from the innermost causes. A URL in a
/// cause's text has its password masked before anything is cut.
pub fn describe_error(err: &(dyn StdError + 'static)) -> String {
    let mut chain: Vec<&(dyn StdError + 'static)> = vec![err];
    let mut current = err;
    while let Some(next) = current.source() {
        chain.push(next);
        current = next;
    }
    if let Some(redirect) = chain.iter().find_map(|e| e.downcast_ref::<RedirectError>()) {
        return redirect.0.to_owned();
    }
    let texts: Vec<String> = chain
        .iter()
        .map(|e| crate::secret::mask_url_passwords(&e.to_string()))
        .collect();
    let text = texts.join(": ");
    if let Some(tls) = describe_tls(&text) {
        return tls;
    }
    // The family resolver's own words (`ip = "v6"` and the name has no IPv6 address).
    if let Some(family) = texts.iter().find(|t| t.contains(" has no IPv")) {
        return family.clone();
    }
    let lower = text.to_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return "DNS failure (name not resolved)".into();
    }
    for e in &chain {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused => return "connection refused".into(),
                ConnectionReset => return "connection reset".into(),
                ConnectionAborted => return "connection aborted".into(),
                HostUnreachable => return "host unreachable".into(),
                NetworkUnreachable => return "network unreachable".into(),
                TimedOut => return "timed out".into(),
                _ => {}
            }
        }
    }
    if lower.contains("connection closed before message completed")
        || lower.contains("incomplete message")
    {
        return "connection closed before a complete answer".into();
    }
    // The innermost message is the most specific one; reqwest's outer ones add the URL.
    truncate(texts.last().map_or("", String::as_str), MAX_REASON)
}

/// The TLS problem in a rustls or hyper-rustls error, in words. `text` is the joined
/// chain. Every TLS failure reads "TLS error: ...": the certificate ones by name, the
/// rest by what rustls says (its `Error` variants' texts, rustls 0.23 `error.rs`).
pub fn describe_tls(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let known = [
        (&["expired"][..], "certificate expired"),
        (
            &["unknownissuer", "unknown issuer"][..],
            "certificate from an unknown issuer",
        ),
        (
            &["notvalidforname", "not valid for name"][..],
            "certificate name mismatch",
        ),
        (
            &["notvalidyet", "not valid yet"][..],
            "certificate not valid yet",
        ),
        (
            &["causedasendentity"][..],
            "self-signed certificate (a CA certificate used by the server)",
        ),
        (&["revoked"][..], "certificate revoked"),
    ];
    let is_tls = TLS_WORDS.iter().any(|w| lower.contains(w));
    if let Some((_, why)) = known
        .iter()
        .find(|(words, _)| is_tls && words.iter().any(|w| lower.contains(w)))
    {
        return Some(format!("TLS error: {why}"));
    }
    if !is_tls {
        return None;
    }
    if lower.contains("received corrupt message") || lower.contains("invalidcontenttype") {
        return Some(NO_TLS.to_owned());
    }
    if lower.contains("tls handshake eof") {
        return Some("TLS error: the server closed the connection during the handshake".into());
    }
    if lower.contains("peer sent no certificates") {
        return Some("TLS error: the server sent no certificate".into());
    }
    // "invalid peer certificate: Name { details }": the name is enough.
    let head = text.split(" {").next().unwrap_or(text);
    let inner = head.rsplit(": ").next().unwrap_or(head);
    Some(format!("TLS error: {}", truncate(inner, 120)))
}

/// What rustls and hyper-rustls say, and nothing else does.
const TLS_WORDS: [&str; 17] = [
    "invalid peer certificate",
    "tls handshake",
    "received fatal alert",
    "peer is incompatible",
    "peer misbehaved",
    "received corrupt message",
    "received unexpected message",
    "received unexpected handshake message",
    "peer sent no certificates",
    "presented server name type",
    "cannot decrypt peer's message",
    "encrypted client hello failure",
    "peer sent excess record size",
    "handshake not complete",
    "peer doesn't support any known protocol",
    "invalid certificate revocation list",
    "certificate not valid for name",
];

/// Cuts `text` to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// An error chain as reqwest builds one, for the tests of what reads it.
#[cfg(test)]
pub(crate) mod chain {
    use std::error::Error as StdError;

    #[derive(Debug)]
    pub struct Wrap(pub String, pub Option<Box<dyn StdError + 'static>>);
    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref()
        }
    }

    /// `inner` as the cause of a request error.
    pub fn wrapped(inner: impl StdError + 'static) -> Wrap {
        Wrap(
            "error sending request for url (http://x/)".into(),
            Some(Box::new(inner)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::chain::{wrapped, Wrap};
    use super::*;

    #[test]
    fn names_the_common_failures() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(describe_error(&wrapped(refused)), "connection refused");
        let dns = Wrap(
            "dns error".into(),
            Some(Box::new(std::io::Error::other(
                "failed to lookup address information",
            ))),
        );
        assert_eq!(
            describe_error(&wrapped(dns)),
            "DNS failure (name not resolved)"
        );
        assert_eq!(
            describe_error(&wrapped(RedirectError("redirect loop"))),
            "redirect loop"
        );
    }

    #[test]
    fn every_tls_failure_reads_as_a_tls_error() {
        let cases = [
            ("invalid peer certificate: Expired", "TLS error: certificate expired"),
            ("invalid peer certificate: UnknownIssuer", "TLS error: certificate from an unknown issuer"),
            ("invalid peer certificate: NotValidForName", "TLS error: certificate name mismatch"),
            ("invalid peer certificate: Other(OtherError(CaUsedAsEndEntity))", "TLS error: self-signed certificate (a CA certificate used by the server)"),
            ("received fatal alert: HandshakeFailure", "TLS error: HandshakeFailure"),
            ("invalid peer certificate: UnsupportedSignatureAlgorithmForPublicKeyContext { signature_algorithm_id: [6] }", "TLS error: UnsupportedSignatureAlgorithmForPublicKeyContext"),
            ("certificate not valid for name \"a\"; certificate is only valid for DnsName(\"b\")", "TLS error: certificate name mismatch"),
            ("received corrupt message of type InvalidContentType", NO_TLS),
            ("tls handshake eof", "TLS error: the server closed the connection during the handshake"),
            ("peer sent no certificates", "TLS error: the server sent no certificate"),
            ("peer misbehaved: IllegalTlsInnerPlaintext", "TLS error: IllegalTlsInnerPlaintext"),
            ("peer is incompatible: NoCipherSuitesInCommon", "TLS error: NoCipherSuitesInCommon"),
            ("received unexpected message: got ChangeCipherSpec when expecting Handshake", "TLS error: got ChangeCipherSpec when expecting Handshake"),
            ("cannot decrypt peer's message", "TLS error: cannot decrypt peer's message"),
        ];
        for (inner, want) in cases {
            let io = std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
            assert_eq!(describe_error(&wrapped(io)), want, "{inner}");
        }
        // Words that only look like a certificate's are not a TLS error.
        let other = std::io::Error::other("the session expired");
        assert_eq!(describe_error(&wrapped(other)), "the session expired");
    }

    #[test]
    fn urls_in_error_texts_lose_their_passwords() {
        let inner = std::io::Error::other("builder error for url (http://admin:S3cret@host/)");
        assert_eq!(
            describe_error(&wrapped(inner)),
            "builder error for url (http://admin:***@host/)"
        );
        // Masked before the cut, which would leave the password without its `@`.
        let long = format!("failed for http://admin:S3cret@{}/", "h".repeat(300));
        let described = describe_error(&wrapped(std::io::Error::other(long)));
        assert!(
            !described.contains("S3cret") && described.ends_with('…'),
            "{described}"
        );
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("ação", 2), "aç…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
