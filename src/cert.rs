//! The facts vigia needs of a server's certificate: when it expires (read from its DER,
//! RFC 5280 section 4.1) and its SHA-256 fingerprint, which tells one certificate from
//! the next. The chain itself is verified by rustls: this only reads a certificate that
//! was already accepted.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// A certificate as the probe saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct CertInfo {
    /// SHA-256 of the DER, in hex.
    pub fingerprint: String,
    pub not_after: DateTime<FixedOffset>,
}

impl CertInfo {
    /// Reads a DER certificate; `None` if it cannot be read.
    pub fn from_der(der: &[u8]) -> Option<CertInfo> {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let fingerprint = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Some(CertInfo {
            fingerprint,
            not_after: not_after(der)?,
        })
    }

    /// Whole days left at `now` (see [`days_left`]).
    pub fn days_left(&self, now: DateTime<FixedOffset>) -> i64 {
        days_left(self.not_after, now)
    }
}

/// Whole days from `now` to `not_after`, rounded up: a certificate valid 4.2 more days
/// has 5 left; an expired one, 0.
pub fn days_left(not_after: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> i64 {
    let secs = (not_after - now).num_seconds();
    if secs <= 0 {
        0
    } else {
        (secs + 86_399) / 86_400
    }
}

/// One DER element: its tag, its contents, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |l, &b| (l << 8) | b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `tbsCertificate.validity.notAfter`.
fn not_after(der: &[u8]) -> Option<DateTime<FixedOffset>> {
    let (_, certificate, _) = element(der)?;
    let (_, tbs, _) = element(certificate)?;
    let mut fields = tbs;
    let (tag, _, rest) = element(fields)?;
    if tag == 0xa0 {
        fields = rest; // [0] version, when present
    }
    // serialNumber, signature, issuer, then validity.
    for _ in 0..3 {
        fields = element(fields)?.2;
    }
    let (_, validity, _) = element(fields)?;
    let (_, _, after_not_before) = element(validity)?;
    let (tag, time, _) = element(after_not_before)?;
    let text = std::str::from_utf8(time).ok()?;
    let parsed = match tag {
        // UTCTime, YYMMDDHHMMSSZ: years 50-99 are 19xx (RFC 5280 4.1.2.5.1).
        0x17 => {
            let year: i32 = text.get(..2)?.parse().ok()?;
            let century = if year >= 50 { "19" } else { "20" };
            NaiveDateTime::parse_from_str(&format!("{century}{text}"), "%Y%m%d%H%M%SZ").ok()?
        }
        // GeneralizedTime, YYYYMMDDHHMMSSZ.
        0x18 => NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%SZ").ok()?,
        _ => return None,
    };
    Some(Utc.from_utc_datetime(&parsed).fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER shaped like a certificate, with `time` as notAfter.
    fn fake(tag: u8, time: &str, with_version: bool) -> Vec<u8> {
        let tlv = |tag: u8, body: &[u8]| {
            let mut v = vec![tag, body.len() as u8];
            v.extend_from_slice(body);
            v
        };
        let mut tbs = Vec::new();
        if with_version {
            tbs.extend(tlv(0xa0, &tlv(0x02, &[2])));
        }
        tbs.extend(tlv(0x02, &[1])); // serial
        tbs.extend(tlv(0x30, &[])); // signature
        tbs.extend(tlv(0x30, &[])); // issuer
        let mut validity = tlv(0x17, b"260101000000Z");
        validity.extend(tlv(tag, time.as_bytes()));
        tbs.extend(tlv(0x30, &validity));
        tlv(0x30, &tlv(0x30, &tbs))
    }

    #[test]
    fn reads_not_after_in_both_time_forms() {
        let at = |s| DateTime::parse_from_rfc3339(s).unwrap();
        let utc = CertInfo::from_der(&fake(0x17, "270220120000Z", true)).unwrap();
        assert_eq!(utc.not_after, at("2027-02-20T12:00:00Z"));
        let gen = CertInfo::from_der(&fake(0x18, "20500101000000Z", false)).unwrap();
        assert_eq!(gen.not_after, at("2050-01-01T00:00:00Z"));
        assert_eq!(utc.fingerprint.len(), 64);
        assert_ne!(utc.fingerprint, gen.fingerprint);
        assert_eq!(utc.days_left(at("2027-02-15T13:00:00Z")), 5);
        assert_eq!(utc.days_left(at("2027-02-20T12:00:00Z")), 0);
        assert!(CertInfo::from_der(b"\x30\x03junk").is_none());
    }
}
