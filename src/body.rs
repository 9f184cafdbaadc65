//! Body rules beyond `contains`: `not_contains`, `matches` (a regular expression, the
//! regex crate's syntax) and `[target.json]` (RFC 6901 pointers into the body parsed as
//! JSON, each equal to a string, number or boolean). All of them must hold; the first
//! that does not is the reason, named. Checked on the body's first [`MAX_BODY`] bytes.
//!
//! [`MAX_BODY`]: crate::probe::MAX_BODY

use crate::describe::truncate;
use crate::outcome::Reason;

/// A target's body rules besides `contains` (which the prober streams on its own).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    pub not_contains: Option<String>,
    pub matches: Option<Pattern>,
    pub json: Vec<JsonRule>,
}

/// A compiled regular expression, compared by its source.
#[derive(Clone, Debug)]
pub struct Pattern(pub regex::bytes::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// `"/pointer" = value` under `[target.json]`.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonRule {
    pub pointer: String,
    /// A string, number or boolean.
    pub expected: serde_json::Value,
}

/// The longest text of a rule or of a found value a reason quotes.
const QUOTED: usize = 60;

impl Rules {
    /// Whether any rule needs the body.
    pub fn is_empty(&self) -> bool {
        self.not_contains.is_none() && self.matches.is_none() && self.json.is_empty()
    }

    /// The first rule `body` breaks, as a reason; `limited`: the body was cut at the
    /// bound (a rule that looks for something says so).
    pub fn judge(&self, body: &[u8], limited: bool) -> Result<(), Reason> {
        if let Some(text) = &self.not_contains {
            if find(body, text.as_bytes()) {
                return Err(Reason::TextFound {
                    text: truncate(text, QUOTED),
                });
            }
        }
        if let Some(Pattern(pattern)) = &self.matches {
            if !pattern.is_match(body) {
                return Err(Reason::NoMatch {
                    pattern: truncate(pattern.as_str(), QUOTED),
                    limited,
                });
            }
        }
        if self.json.is_empty() {
            return Ok(());
        }
        let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) else {
            return Err(Reason::NotJson { limited });
        };
        for rule in &self.json {
            match doc.pointer(&rule.pointer) {
                Some(found) if same(found, &rule.expected) => {}
                Some(found) => {
                    return Err(Reason::JsonMismatch {
                        pointer: rule.pointer.clone(),
                        found: truncate(&found.to_string(), QUOTED),
                        expected: rule.expected.to_string(),
                    })
                }
                None => {
                    return Err(Reason::JsonMissing {
                        pointer: rule.pointer.clone(),
                    })
                }
            }
        }
        Ok(())
    }
}

/// Equal as JSON values, numbers by value (`1` is `1.0`).
fn same(found: &serde_json::Value, expected: &serde_json::Value) -> bool {
    match (found.as_f64(), expected.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => found == expected,
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Checks a pointer's spelling (RFC 6901: empty, or `/` then tokens with `~0`/`~1`).
pub fn valid_pointer(pointer: &str) -> Result<(), String> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!(
            "{pointer:?} is not a JSON pointer: it must start with \"/\" (RFC 6901)"
        ));
    }
    let mut rest = pointer;
    while let Some(at) = rest.find('~') {
        if !matches!(rest[at + 1..].chars().next(), Some('0' | '1')) {
            return Err(format!(
                "{pointer:?} is not a JSON pointer: \"~\" must be followed by 0 or 1 (RFC 6901)"
            ));
        }
        rest = &rest[at + 2..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(json: &[(&str, serde_json::Value)]) -> Rules {
        Rules {
            json: json
                .iter()
                .map(|(p, v)| JsonRule {
                    pointer: (*p).into(),
                    expected: v.clone(),
                })
                .collect(),
            ..Rules::default()
        }
    }

    #[test]
    fn each_json_rule_is_named_when_it_fails() {
        let body = br#"{"status":"error","checks":{"db":{"healthy":true}},"n":3}"#;
        let ok = rules(&[("/checks/db/healthy", json!(true)), ("/n", json!(3.0))]);
        assert_eq!(ok.judge(body, false), Ok(()));
        let bad = rules(&[("/status", json!("ok"))]);
        assert_eq!(
            bad.judge(body, false).unwrap_err().to_string(),
            r#""/status" is "error", expected "ok""#
        );
        let missing = rules(&[("/nope", json!(1))]);
        assert_eq!(
            missing.judge(body, false).unwrap_err().to_string(),
            r#""/nope" not found in the JSON body"#
        );
        assert_eq!(
            bad.judge(b"<html>", false).unwrap_err().to_string(),
            "body is not JSON"
        );
    }

    #[test]
    fn not_contains_and_matches() {
        let r = Rules {
            not_contains: Some("Maintenance".into()),
            matches: Some(Pattern(
                regex::bytes::Regex::new(r"version: \d+\.\d+").unwrap(),
            )),
            ..Rules::default()
        };
        assert_eq!(r.judge(b"version: 1.2", false), Ok(()));
        assert_eq!(
            r.judge(b"Maintenance", false).unwrap_err().to_string(),
            r#"text "Maintenance" found"#
        );
        assert_eq!(
            r.judge(b"version: x", false).unwrap_err().to_string(),
            r#"no match for /version: \d+\.\d+/"#
        );
    }

    #[test]
    fn pointers_are_checked_as_rfc_6901_spells_them() {
        assert!(valid_pointer("/a/b~0c/~1").is_ok());
        assert!(valid_pointer("").is_ok());
        assert!(valid_pointer("status").is_err());
        assert!(valid_pointer("/a~2").is_err());
        assert!(valid_pointer("/a~").is_err());
    }
}
