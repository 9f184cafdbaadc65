//! Failed requests in plain words, for the prober and the Bot API client alike (so that
//! neither imports the other): the reason from an error's chain, TLS failures named as
//! such, our own errors by their reasons, and the cut of a long text. URLs a library puts in
//! its error texts leave here with their passwords masked.

use std::error::Error as StdError;

use crate::outcome::{Reason, Tls};

/// The longest text from elsewhere (a library's, the system's) a reason carries.
pub const MAX_REASON: usize = 200;

/// How a TLS client's failure against a server that answered in plain text reads
/// (rustls: "received corrupt message of type InvalidContentType").
pub const NO_TLS: &str = "TLS error: the server does not speak TLS (plain HTTP on this port?)";

/// An error of our own (the redirect policy, the name resolver) that carries its reason.
#[derive(Debug)]
pub struct ReasonError(pub Reason);

impl std::fmt::Display for ReasonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for ReasonError {}

/// A short human reason for a failed request, in English: see [`describe`].
pub fn describe_error(err: &(dyn StdError + 'static)) -> String {
    describe(err).to_string()
}

/// Why a request failed, from the innermost causes. A URL in a cause's text has its
/// password masked before anything is cut.
pub fn describe(err: &(dyn StdError + 'static)) -> Reason {
    let mut chain: Vec<&(dyn StdError + 'static)> = vec![err];
    let mut current = err;
    while let Some(next) = current.source() {
        chain.push(next);
        current = next;
    }
    if let Some(ours) = chain.iter().find_map(|e| e.downcast_ref::<ReasonError>()) {
        return ours.0.clone();
    }
    let texts: Vec<String> = chain
        .iter()
        .map(|e| crate::secret::mask_url_passwords(&e.to_string()))
        .collect();
    let text = texts.join(": ");
    if let Some(tls) = describe_tls(&text) {
        return Reason::Tls(tls);
    }
    let lower = text.to_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return Reason::Dns;
    }
    for e in &chain {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.raw_os_error() {
                Some(libc::EMFILE | libc::ENFILE) => return Reason::TooManyOpenFiles,
                Some(libc::ENOMEM) => return Reason::OutOfMemory,
                _ => {}
            }
            match io.kind() {
                ConnectionRefused => return Reason::ConnectionRefused,
                ConnectionReset => return Reason::ConnectionReset,
                ConnectionAborted => return Reason::ConnectionAborted,
                HostUnreachable => return Reason::HostUnreachable,
                NetworkUnreachable => return Reason::NetworkUnreachable,
                TimedOut => return Reason::TimedOut,
                _ => {}
            }
        }
    }
    if lower.contains("connection closed before message completed")
        || lower.contains("incomplete message")
    {
        return Reason::ClosedEarly;
    }
    // The innermost message is the most specific one; reqwest's outer ones add the URL.
    Reason::Text(truncate(
        texts.last().map_or("", String::as_str),
        MAX_REASON,
    ))
}

/// The TLS problem in a rustls or hyper-rustls error. `text` is the joined chain. The
/// certificate ones by name, the rest by what rustls says (its `Error` variants' texts,
/// rustls 0.23 `error.rs`).
pub fn describe_tls(text: &str) -> Option<Tls> {
    let lower = text.to_lowercase();
    let known = [
        (&["expired"][..], Tls::Expired),
        (&["unknownissuer", "unknown issuer"][..], Tls::UnknownIssuer),
        (
            &["notvalidforname", "not valid for name"][..],
            Tls::NameMismatch,
        ),
        (&["notvalidyet", "not valid yet"][..], Tls::NotValidYet),
        (&["causedasendentity"][..], Tls::SelfSigned),
        (&["revoked"][..], Tls::Revoked),
    ];
    let is_tls = TLS_WORDS.iter().any(|w| lower.contains(w));
    if let Some((_, why)) = known
        .iter()
        .find(|(words, _)| is_tls && words.iter().any(|w| lower.contains(w)))
    {
        return Some(why.clone());
    }
    if !is_tls {
        return None;
    }
    if lower.contains("received corrupt message") || lower.contains("invalidcontenttype") {
        return Some(Tls::PlainText);
    }
    if lower.contains("tls handshake eof") {
        return Some(Tls::ClosedInHandshake);
    }
    if lower.contains("peer sent no certificates") {
        return Some(Tls::NoCertificate);
    }
    // "invalid peer certificate: Name { details }": the name is enough.
    let head = text.split(" {").next().unwrap_or(text);
    let inner = head.rsplit(": ").next().unwrap_or(head);
    Some(Tls::Other(truncate(inner, 120)))
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
            describe_error(&wrapped(ReasonError(Reason::RedirectLoop))),
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
    fn the_plain_text_answer_reads_as_no_tls_says() {
        assert_eq!(Reason::Tls(Tls::PlainText).to_string(), NO_TLS);
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("ação", 2), "aç…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
