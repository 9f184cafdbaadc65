//! The secrets vigia holds and how they never show: the bot token, a type that never
//! prints, redacted from any text that might carry it in any encoding a server may echo
//! it in (every Bot API URL holds the token: `.../bot<id>:<secret>/sendMessage`); and
//! the passwords in URLs, masked from the parsed URL whatever its spelling.

use std::fmt;

/// A Telegram bot token. `Debug` and `Display` print `(redacted)`; only
/// [`Token::expose`] gives the secret, and only the Bot API client calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Checks the shape leniently (`<digits>:<30+ of A-Za-z0-9_->`, as the Bot API documents tokens) and
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

/// One character of a text as a server may have encoded it, and the bytes of the
/// original text it stands for (`%3A`, `&#x3a;`, `\u003a` are one `:` each).
#[derive(Clone, Copy)]
struct Unit {
    c: char,
    start: usize,
    end: usize,
}

/// The most decoding rounds: `%253A` (a `%3A` encoded again) takes two.
const DECODE_ROUNDS: usize = 4;

/// `text` decoded from every encoding a server may echo a URL in: percent-encoding
/// (either case), HTML character references (`&#58;`, `&#x3A;`, `&colon;`) and JSON or
/// Rust escapes (`\u003a`, `\u{3a}`, `\x3a`), repeated while something changes.
fn decoded(text: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = text
        .char_indices()
        .map(|(i, c)| Unit {
            c,
            start: i,
            end: i + c.len_utf8(),
        })
        .collect();
    if !text.contains(['%', '&', '\\']) {
        return units;
    }
    for _ in 0..DECODE_ROUNDS {
        let mut out = Vec::with_capacity(units.len());
        let mut i = 0;
        while i < units.len() {
            match decode_at(&units[i..]) {
                Some((c, len)) => {
                    out.push(Unit {
                        c,
                        start: units[i].start,
                        end: units[i + len - 1].end,
                    });
                    i += len;
                }
                None => {
                    out.push(units[i]);
                    i += 1;
                }
            }
        }
        let changed = out.len() != units.len();
        units = out;
        if !changed {
            break;
        }
    }
    units
}

/// The character an escape at the start of `u` stands for, and how many units it takes.
fn decode_at(u: &[Unit]) -> Option<(char, usize)> {
    let c = |k: usize| u.get(k).map_or('\0', |x| x.c);
    // Up to `max` digits in `radix` from `from`: their value and how many there are.
    let number = |from: usize, max: usize, radix: u32| -> Option<(u32, usize)> {
        let digits = (from..from + max)
            .take_while(|&k| c(k).is_digit(radix))
            .count();
        let text: String = (from..from + digits).map(c).collect();
        Some((u32::from_str_radix(&text, radix).ok()?, digits))
    };
    let plain = |value: u32| char::from_u32(value).unwrap_or('\u{fffd}');
    match c(0) {
        '%' => {
            let (value, digits) = number(1, 2, 16)?;
            (digits == 2).then(|| (plain(value), 3))
        }
        '&' if c(1) == '#' => {
            let (radix, from) = if matches!(c(2), 'x' | 'X') {
                (16, 3)
            } else {
                (10, 2)
            };
            let (value, digits) = number(from, 8, radix)?;
            let end = from + digits;
            Some((plain(value), if c(end) == ';' { end + 1 } else { end }))
        }
        '&' => {
            let name: String = (1..12)
                .map(c)
                .take_while(char::is_ascii_alphabetic)
                .collect();
            let end = 1 + name.len();
            if c(end) != ';' {
                return None;
            }
            let decoded = match name.to_ascii_lowercase().as_str() {
                "colon" => ':',
                "lowbar" | "underbar" => '_',
                "hyphen" | "dash" => '-',
                "amp" => '&',
                "percnt" => '%',
                "sol" => '/',
                "bsol" => '\\',
                "num" => '#',
                "semi" => ';',
                _ => return None,
            };
            Some((decoded, end + 1))
        }
        '\\' if c(1) == 'u' && c(2) == '{' => {
            let (value, digits) = number(3, 6, 16)?;
            (c(3 + digits) == '}').then(|| (plain(value), 4 + digits))
        }
        '\\' if c(1) == 'u' => {
            let (value, digits) = number(2, 4, 16)?;
            (digits == 4).then(|| (plain(value), 6))
        }
        '\\' if c(1) == 'x' => {
            let (value, digits) = number(2, 2, 16)?;
            (digits == 2).then(|| (plain(value), 4))
        }
        _ => None,
    }
}

fn is_secret_char(c: char) -> bool {
    c.is_ascii() && is_secret_byte(c as u8)
}

/// `text` with the byte ranges in `marks` replaced by `<redacted>` (touching ranges
/// become one).
fn replace_marks(text: &str, mut marks: Vec<(usize, usize)>) -> String {
    if marks.is_empty() {
        return text.to_owned();
    }
    marks.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < marks.len() {
        let (start, mut end) = marks[i];
        i += 1;
        while i < marks.len() && marks[i].0 <= end {
            end = end.max(marks[i].1);
            i += 1;
        }
        let start = start.max(copied);
        out.push_str(&text[copied..start]);
        out.push_str("<redacted>");
        copied = end.max(copied);
    }
    out.push_str(&text[copied..]);
    out
}

/// Where tokens of bot-token shape stand in `units`: every `bot<digits>:<secret>` (the
/// token as a URL path holds it) and every bare `<digits>:<secret>`, as byte ranges.
fn token_shapes(units: &[Unit]) -> Vec<(usize, usize)> {
    let mut marks = Vec::new();
    let mut i = 0;
    let after_bot = |i: usize| {
        i >= 3
            && units[i - 3..i]
                .iter()
                .map(|u| u.c.to_ascii_lowercase())
                .eq("bot".chars())
    };
    while i < units.len() {
        // A token starts with a digit that does not continue a word.
        let starts_word = i == 0 || !is_secret_char(units[i - 1].c);
        if units[i].c.is_ascii_digit() && (starts_word || after_bot(i)) {
            let digits_end = i + units[i..]
                .iter()
                .take_while(|u| u.c.is_ascii_digit())
                .count();
            let secret_len = |from: usize| {
                units[from.min(units.len())..]
                    .iter()
                    .take_while(|u| is_secret_char(u.c))
                    .count()
            };
            if units.get(digits_end).map(|u| u.c) == Some(':') && secret_len(digits_end + 1) >= 20 {
                let mut end = digits_end + 1 + secret_len(digits_end + 1);
                // Tokens glued together ("1:AAA…2:BBB…") read as one secret up to the
                // next colon: swallow what follows it too.
                while units.get(end).map(|u| u.c) == Some(':') {
                    end += 1 + secret_len(end + 1);
                }
                marks.push((units[i].start, units[end - 1].end));
                i = end;
                continue;
            }
            i = digits_end;
            continue;
        }
        i += 1;
    }
    marks
}

/// Replaces every `bot<digits>:<secret>` (the token as it appears in a URL path) and every
/// bare `<digits>:<secret>` of token shape with `bot<redacted>` / `<redacted>`, in any
/// encoding a server may echo it in (see [`decoded`]).
pub fn redact(text: &str) -> String {
    replace_marks(text, token_shapes(&decoded(text)))
}

/// The shortest piece of a known token's secret that is redacted wherever it stands:
/// shorter ones say too little to be worth hiding and would hit ordinary text.
pub const MIN_PIECE: usize = 8;

/// [`redact`], and also every piece of `token` of [`MIN_PIECE`] characters or more that
/// holds its colon or secret (a head or tail left by a cut, `…` in the middle, another
/// case), in any encoding. Run before a text is cut or stored.
pub fn redact_token(text: &str, token: &Token) -> String {
    let units = decoded(text);
    let mut marks = token_shapes(&units);
    let token: Vec<char> = token.0.to_ascii_lowercase().chars().collect();
    let colon = token.iter().position(|&c| c == ':').unwrap_or(0);
    // Each piece that holds the colon or some of the secret, and where it starts.
    let pieces: std::collections::HashMap<&[char], usize> = token
        .windows(MIN_PIECE)
        .enumerate()
        .filter(|(at, _)| at + MIN_PIECE > colon)
        .map(|(at, w)| (w, at))
        .collect();
    let lower: Vec<char> = units.iter().map(|u| u.c.to_ascii_lowercase()).collect();
    for (at, window) in lower.windows(MIN_PIECE).enumerate() {
        let Some(&from) = pieces.get(window) else {
            continue;
        };
        // Grown to all of the token that stands there: the bot's id before it too.
        let (mut start, mut offset) = (at, from);
        while start > 0 && offset > 0 && lower[start - 1] == token[offset - 1] {
            (start, offset) = (start - 1, offset - 1);
        }
        marks.push((units[start].start, units[at + MIN_PIECE - 1].end));
    }
    replace_marks(text, marks)
}

/// How a URL's password is shown: never, wherever it stands.
pub const MASK: &str = "***";

/// A parsed URL as every output shows it: its password (and a user name that hides a
/// colon, `admin%3Apw`, which is sent as one, or that stands alone as a token) replaced
/// by `***`. The parser's spelling
/// is the one shown, whatever spelling the file used (`http:admin:pw@host` is sent as
/// `http://admin:pw@host/`, and shown as `http://admin:***@host/`).
pub fn shown_url(url: &reqwest::Url) -> String {
    if !url.has_host() {
        return mask_written_url(url.as_str());
    }
    let mut shown = url.clone();
    if url.password().is_some_and(|p| !p.is_empty()) {
        let _ = shown.set_password(Some(MASK));
    }
    if user_is_secret(url) {
        let _ = shown.set_username(MASK);
    }
    shown.to_string()
}

/// A user name is a secret when it hides a colon (`admin%3Apw`, sent as one) or stands
/// alone (`https://TOKEN@host/`, the way many services take an access token).
fn user_is_secret(url: &reqwest::Url) -> bool {
    let user = url.username();
    !user.is_empty()
        && (percent_decoded(user).contains(':') || url.password().is_none_or(str::is_empty))
}

/// The secrets of a parsed URL, in the forms a text may carry them: the password as
/// the URL holds it (percent-encoded) and decoded, and the same for a user name that
/// hides a colon. Shorter ones than four characters are left out: replacing them would
/// garble ordinary words, and the URL itself is masked by [`mask_url_passwords`].
pub fn url_secrets(url: &reqwest::Url) -> Vec<String> {
    let mut secrets = Vec::new();
    let mut add = |raw: &str| {
        for form in [raw.to_owned(), percent_decoded(raw)] {
            if form.chars().count() >= 4 && !secrets.contains(&form) {
                secrets.push(form);
            }
        }
    };
    if let Some(password) = url.password() {
        add(password);
    }
    if user_is_secret(url) {
        add(url.username());
    }
    // The longest first, so that a shorter form inside a longer one leaves no piece.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// A URL as written, for an error about it (it may not parse): any user info masked,
/// however the URL is spelled (`http:a:pw@h`, `http:\\a:pw@h`, `a:pw@h`). Over-masking
/// is fine here: the text is only shown to say what is wrong.
pub fn mask_written_url(url: &str) -> String {
    let scheme_end = url.find(':').filter(|&i| {
        i > 0
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let (head, after) = match scheme_end {
        Some(i) => url.split_at(i + 1),
        None => ("", url),
    };
    let slashes = after.chars().take_while(|&c| c == '/' || c == '\\').count();
    let (slash_text, body) = after.split_at(slashes);
    let end = body.find(['?', '#']).unwrap_or(body.len());
    let Some(at) = body[..end].rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &body[..at];
    let masked = match userinfo.split_once(':') {
        Some((user, _)) if !percent_decoded(user).contains(':') => format!("{user}:{MASK}"),
        Some(_) => MASK.to_owned(),
        // `http://host/a@b`: the `@` is in the path.
        None if slashes >= 2 && userinfo.contains(['/', '\\']) => return url.to_owned(),
        // `http://TOKEN@host/`: a user name alone is often an access token; without
        // `//` it may be a password whose user was taken for the scheme (`admin:pw@h`).
        None => MASK.to_owned(),
    };
    format!("{head}{slash_text}{masked}{}", &body[at..])
}

/// Every `scheme://user:password@` in a free text (an error message that quotes a URL,
/// as reqwest's do) with the password masked.
pub fn mask_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(userinfo_end) => {
                let userinfo = &authority[..userinfo_end];
                match userinfo.split_once(':') {
                    Some((user, _)) if !percent_decoded(user).contains(':') => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(MASK);
                    }
                    Some(_) => out.push_str(MASK),
                    None if percent_decoded(userinfo).contains(':') => out.push_str(MASK),
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[userinfo_end..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// `%XX` decoded (invalid UTF-8 replaced): what a server or client makes of the text.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

    /// Every byte of `text` as `%XX`, in upper or lower case hex.
    fn percent_all(text: &str, lower: bool) -> String {
        text.bytes()
            .map(|b| {
                if lower {
                    format!("%{b:02x}")
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }

    /// The text holds no piece of the token's secret of MIN_PIECE characters or more,
    /// in any case.
    #[track_caller]
    fn assert_no_piece(what: &str, text: &str) {
        let secret: Vec<char> = TOKEN.split_once(':').unwrap().1.chars().collect();
        let lower = text.to_ascii_lowercase();
        for piece in secret.windows(MIN_PIECE) {
            let piece: String = piece.iter().collect::<String>().to_ascii_lowercase();
            assert!(
                !lower.contains(&piece),
                "{what}: {piece:?} left in {text:?}"
            );
        }
    }

    /// The token as servers echo it back, each form in an error page, redacted both by
    /// shape (no token known) and by the known token.
    #[test]
    fn the_token_is_redacted_in_every_encoding_a_server_may_echo() {
        let (id, secret) = TOKEN.split_once(':').unwrap();
        let html_all: String = TOKEN.chars().map(|c| format!("&#{};", c as u32)).collect();
        let hex_all: String = TOKEN
            .chars()
            .map(|c| format!("&#x{:X};", c as u32))
            .collect();
        let json_all: String = TOKEN
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        let forms = [
            ("as is", TOKEN.to_owned()),
            ("%3A", format!("{id}%3A{secret}")),
            ("%3a", format!("{id}%3a{secret}")),
            ("every byte %XX", percent_all(TOKEN, false)),
            ("every byte %xx", percent_all(TOKEN, true)),
            ("%253A (encoded twice)", format!("{id}%253A{secret}")),
            ("&#58;", format!("{id}&#58;{secret}")),
            ("&#058 without ;", format!("{id}&#058{secret}")),
            ("&#x3A;", format!("{id}&#x3A;{secret}")),
            ("&#x3a;", format!("{id}&#x3a;{secret}")),
            ("&colon;", format!("{id}&colon;{secret}")),
            (
                "&amp;colon; (escaped twice)",
                format!("{id}&amp;colon;{secret}"),
            ),
            ("every char &#NN;", html_all),
            ("every char &#xHH;", hex_all),
            ("\\u003a", format!("{id}\\u003a{secret}")),
            ("\\u003A", format!("{id}\\u003A{secret}")),
            ("\\u{3a}", format!("{id}\\u{{3a}}{secret}")),
            ("\\x3a", format!("{id}\\x3a{secret}")),
            ("every char \\uXXXX", json_all),
        ];
        let token = Token::parse(TOKEN).unwrap();
        for (name, form) in forms {
            for page in [
                format!("<p>upstream for /bot{form}/sendMessage failed</p>"),
                format!("{{\"url\":\"https://api.telegram.org/bot{form}/getMe\"}}"),
                format!("GET http://api/bot{form}"),
                form.clone(),
            ] {
                for (how, redacted) in [
                    ("by shape", redact(&page)),
                    ("known", redact_token(&page, &token)),
                ] {
                    assert_no_piece(&format!("{name} ({how})"), &redacted);
                    assert!(
                        redacted.contains("<redacted>"),
                        "{name} ({how}): {redacted}"
                    );
                }
            }
        }
        // The words around it stay.
        assert_eq!(
            redact_token(&format!("<p>for /bot{id}&#x3A;{secret}/getMe</p>"), &token),
            "<p>for /bot<redacted>/getMe</p>"
        );
    }

    /// A page cut anywhere in the token (by the server, or `…` put in it) leaves no
    /// head or tail of its secret of MIN_PIECE characters or more, in any encoding.
    #[test]
    fn a_token_cut_at_any_position_leaves_no_long_piece() {
        let token = Token::parse(TOKEN).unwrap();
        let (id, secret) = TOKEN.split_once(':').unwrap();
        let encodings: [(&str, String); 4] = [
            ("as is", TOKEN.to_owned()),
            ("%3A", format!("{id}%3A{secret}")),
            ("&#x3a;", format!("{id}&#x3a;{secret}")),
            ("every byte %XX", percent_all(TOKEN, false)),
        ];
        let mut cuts = 0;
        for (name, form) in encodings {
            for at in (0..=form.len()).filter(|&i| form.is_char_boundary(i)) {
                let (head, tail) = form.split_at(at);
                for text in [
                    format!("/bot{head}…"),
                    format!("…{tail}/sendMessage"),
                    format!("/bot{head}…{tail}/sendMessage"),
                    format!("{head} … {tail}"),
                    crate::describe::truncate(&format!("GET /bot{form}"), at + 8),
                    head.to_uppercase(),
                ] {
                    assert_no_piece(&format!("{name} cut at {at}"), &redact_token(&text, &token));
                    cuts += 1;
                }
            }
        }
        assert!(cuts > 500, "{cuts}");
    }

    #[test]
    fn a_known_token_leaves_the_bots_id_and_short_words_alone() {
        let token = Token::parse(TOKEN).unwrap();
        for text in [
            "bot 123456789 is @vigia_bot",
            "chat -1001234567890",
            "AAHdqTc",
            "HTTP 502",
        ] {
            assert_eq!(redact_token(text, &token), text);
        }
        assert_eq!(
            redact_token("cut: bot123456789:AAHdqTcv…", &token),
            "cut: bot<redacted>…"
        );
    }

    #[test]
    fn urls_are_shown_in_the_parsers_spelling_with_the_password_masked() {
        for (written, shown) in [
            ("http://admin:pw12@host/", "http://admin:***@host/"),
            ("http:admin:pw12@host/", "http://admin:***@host/"),
            ("http:/admin:pw12@host/", "http://admin:***@host/"),
            ("http:\\\\admin:pw12@host/", "http://admin:***@host/"),
            (
                "HTTP://admin:pw12@Host:8080/p?q#f",
                "http://admin:***@host:8080/p?q#f",
            ),
            ("hTTpS:admin:pw12@host", "https://admin:***@host/"),
            ("http://admin:p%40ss@host/", "http://admin:***@host/"),
            ("http://%61dmin:%70w12@host/", "http://%61dmin:***@host/"),
            ("http://admin%3Apw12@host/", "http://***@host/"),
            ("https://Zq7secretPW@host/", "https://***@host/"),
            ("http://tok@host/", "http://***@host/"),
            ("http://a:b:c@host/", "http://a:***@host/"),
            ("http://a:b@c@host/", "http://a:***@host/"),
            ("http://user@host/", "http://***@host/"),
            ("http://host/a@b", "http://host/a@b"),
            ("tcp://u:pw12@db:5432", "tcp://u:***@db:5432"),
        ] {
            let url = reqwest::Url::parse(written).unwrap();
            assert_eq!(shown_url(&url), shown, "{written}");
        }
        let url = reqwest::Url::parse("http:admin:p%40ssw0rd@host/").unwrap();
        assert_eq!(url_secrets(&url), ["p%40ssw0rd", "p@ssw0rd"]);
        let url = reqwest::Url::parse("http://admin%3Apassword@host/").unwrap();
        assert_eq!(url_secrets(&url), ["admin%3Apassword", "admin:password"]);
    }

    #[test]
    fn urls_as_written_lose_their_user_info_in_errors() {
        for (written, shown) in [
            (
                "http://admin:pw@host:99999/",
                "http://admin:***@host:99999/",
            ),
            ("http:admin:pw@host:99999/", "http:admin:***@host:99999/"),
            (
                "http:\\\\admin:pw@host:99999/",
                "http:\\\\admin:***@host:99999/",
            ),
            ("ftp://admin:pw@host/", "ftp://admin:***@host/"),
            ("socks5:admin:pw@proxy", "socks5:admin:***@proxy"),
            ("http://a:p/w@host/", "http://a:***@host/"),
            ("admin:pw@host", "admin:***@host"),
            ("http://admin%3Apw@host:99999/", "http://***@host:99999/"),
            ("http://user@host/", "http://***@host/"),
            ("http://host/a@b", "http://host/a@b"),
            ("example.org", "example.org"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(mask_written_url(written), shown, "{written}");
        }
        assert_eq!(
            mask_url_passwords(
                "error for url (http://admin:pw@host/x) and https://u@h/ and tcp://a:b@c:1"
            ),
            "error for url (http://admin:***@host/x) and https://u@h/ and tcp://a:***@c:1"
        );
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
