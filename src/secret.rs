//! The bot token, a type that never prints, and the redaction of any text that might
//! carry it (every Bot API URL holds the token: `.../bot<id>:<secret>/sendMessage`).

use std::fmt;

/// A Telegram bot token. `Debug` and `Display` print `(redacted)`; only
/// [`Token::expose`] gives the secret, and only the Bot API client calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Checks the shape leniently (`<digits>:<30+ of A-Za-z0-9_->`, see TELEGRAM.md) and
    /// lets `getMe` decide the rest.
    pub fn parse(raw: &str) -> Result<Token, &'static str> {
        let raw = raw.trim();
        let Some((id, secret)) = raw.split_once(':') else {
            return Err(
                "a bot token looks like 123456789:AAE... (digits, a colon, then the secret)",
            );
        };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err("the part before the colon must be the bot's numeric id");
        }
        if secret.len() < 30 || !secret.bytes().all(is_secret_byte) {
            return Err("the part after the colon must be 30 or more letters, digits, '_' or '-'");
        }
        Ok(Token(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The bot's numeric id, the public part before the colon (`getMe` shows it too).
    pub fn bot_id(&self) -> u64 {
        self.0
            .split_once(':')
            .and_then(|(id, _)| id.parse().ok())
            .unwrap_or(0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(redacted)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

fn is_secret_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Replaces every `bot<digits>:<secret>` (the token as it appears in a URL path) and every
/// bare `<digits>:<secret>` of token shape with `bot<redacted>` / `<redacted>`.
pub fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        // A token starts with a digit that does not continue a word.
        let starts_word = i == 0 || !is_secret_byte(bytes[i - 1]);
        if bytes[i].is_ascii_digit() && (starts_word || text[..i].ends_with("bot")) {
            let digits_end = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if bytes.get(digits_end) == Some(&b':') {
                let secret_len = bytes[digits_end + 1..]
                    .iter()
                    .take_while(|&&b| is_secret_byte(b))
                    .count();
                if secret_len >= 20 {
                    out.push_str(&text[copied..i]);
                    out.push_str("<redacted>");
                    i = digits_end + 1 + secret_len;
                    // Tokens glued together ("1:AAA…2:BBB…") read as one secret up to the
                    // next colon: swallow what follows it too.
                    while bytes.get(i) == Some(&b':') {
                        i += 1 + bytes[i + 1..]
                            .iter()
                            .take_while(|&&b| is_secret_byte(b))
                            .count();
                    }
                    copied = i;
                    continue;
                }
            }
            i = digits_end;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    #[test]
    fn token_never_prints() {
        let t = Token::parse(TOKEN).unwrap();
        assert_eq!(format!("{t}"), "(redacted)");
        assert_eq!(format!("{t:?}"), "Token(redacted)");
        assert_eq!(t.expose(), TOKEN);
    }

    #[test]
    fn token_shape_is_checked_leniently() {
        assert!(Token::parse("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11").is_ok());
        assert!(Token::parse(&format!(" {TOKEN}\n")).is_ok());
        for bad in [
            "",
            "abc",
            "123456",
            ":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "12a:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "123:short",
            "123:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA AA",
            "123:AAAAAAAAAAAAAAAAAAAAAAAAAAAAA/A",
        ] {
            assert!(Token::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn redacts_tokens_in_urls_and_text() {
        let url = format!(
            "error sending request for url (https://api.telegram.org/bot{TOKEN}/sendMessage)"
        );
        assert_eq!(
            redact(&url),
            "error sending request for url (https://api.telegram.org/bot<redacted>/sendMessage)"
        );
        assert_eq!(redact(&format!("token {TOKEN}.")), "token <redacted>.");
        assert_eq!(redact(&format!("{TOKEN}{TOKEN}")), "<redacted>");
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for text in [
            "HTTP 200 in 41 ms",
            "at 23:22:23",
            "2026-11-24T23:22:23-03:00 OFFLINE web",
            "http://[::1]:8080/",
            "chat -1001234567890",
            "ünïcödé 12:ab",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
