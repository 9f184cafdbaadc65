//! The alert text: one message per run listing every change, in Telegram's HTML
//! (https://core.telegram.org/bots/api#html-style) with every value escaped, or as plain
//! text for standard output; and the split of long messages on line boundaries.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::config::format_duration;
use crate::describe::truncate;
use crate::statelog::State;
use crate::texts::{fill, Texts};
use crate::transition::{Change, CONNECTIVITY};

/// Telegram's limit is 4096 characters after entity parsing; staying under it counted on
/// the raw HTML leaves a margin whatever the markup.
pub const LIMIT: usize = 4000;
/// Telegram's own limit, for plain text (no entities to parse).
pub const LIMIT_PLAIN: usize = 4096;
/// The most of one value (a URL, a reason, a host name) a message shows: every line of a
/// rendered message stays far below [`LIMIT`], so splitting on lines never cuts a tag.
const MAX_VALUE: usize = 300;

/// Escapes text for Telegram's HTML mode: `&`, `<` and `>` outside tags.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Something a message says besides a change of state.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A target went down or came back (or this machine's connectivity did).
    Change(Change),
    /// A target is still down (`check.remind_every`).
    StillDown {
        target: String,
        url: String,
        reason: String,
        down_for: Duration,
        at: DateTime<FixedOffset>,
    },
    /// A target's certificate expires within a warning threshold.
    CertExpires {
        target: String,
        url: String,
        days: i64,
        not_after: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    },
    /// A target has a new certificate that lasts longer than the one before.
    CertRenewed {
        target: String,
        url: String,
        not_after: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
    },
    /// A mute ended with the target in another state than when it began.
    Unmuted {
        target: String,
        url: String,
        state: State,
        reason: String,
        at: DateTime<FixedOffset>,
    },
}

impl Notice {
    pub fn target(&self) -> &str {
        match self {
            Notice::Change(c) => &c.target,
            Notice::StillDown { target, .. }
            | Notice::CertExpires { target, .. }
            | Notice::CertRenewed { target, .. }
            | Notice::Unmuted { target, .. } => target,
        }
    }
}

/// The message for the notices of one run, in HTML. Every tag opens and closes on the
/// same line, so splitting on lines keeps each part well-formed.
pub fn render_html(notices: &[Notice], host: &str, texts: &Texts) -> String {
    render(
        notices,
        host,
        texts,
        &|s| format!("<b>{}</b>", escape(s)),
        &|s| format!("<code>{}</code>", escape(s)),
        &escape,
    )
}

/// The same message as plain text, for standard output when Telegram is not configured.
pub fn render_plain(notices: &[Notice], host: &str, texts: &Texts) -> String {
    render(
        notices,
        host,
        texts,
        &|s| s.to_owned(),
        &|s| s.to_owned(),
        &|s| s.to_owned(),
    )
}

type Style<'a> = &'a dyn Fn(&str) -> String;

fn render(
    notices: &[Notice],
    host: &str,
    texts: &Texts,
    bold: Style,
    code: Style,
    text: Style,
) -> String {
    let short = |s: &str| truncate(s, MAX_VALUE);
    let (bold, code, text) = (
        |s: &str| bold(&short(s)),
        |s: &str| code(&short(s)),
        |s: &str| text(&short(s)),
    );
    let host = short(host);
    let block = |headline: String, url: &str, at: DateTime<FixedOffset>| {
        let line = fill(texts.when_on, &[("when", &when(at)), ("host", &host)]);
        format!("{headline}\n{}\n{}", code(url), text(&line))
    };
    let blocks: Vec<String> = notices
        .iter()
        .map(|notice| match notice {
            Notice::Change(c) if c.target == CONNECTIVITY => {
                let headline = match c.state {
                    State::Offline => fill(
                        texts.lost_connectivity,
                        &[("host", &bold(&host)), ("when", &text(&when(c.at)))],
                    ),
                    State::Online => fill(
                        texts.back_online,
                        &[
                            ("host", &bold(&host)),
                            ("duration", &format_duration(c.down_for.unwrap_or_default())),
                        ],
                    ),
                };
                format!("{headline}\n{}\n{}", text(&c.reason), code(&c.url))
            }
            Notice::Change(c) => {
                let values = [("target", bold(&c.target)), ("reason", text(&c.reason))];
                let headline = match (c.state, c.down_for) {
                    (State::Offline, _) => fill_owned(texts.down, &values),
                    (State::Online, Some(d)) => fill_owned(
                        texts.up_again,
                        &[&values[..], &[("duration", format_duration(d))]].concat(),
                    ),
                    (State::Online, None) => fill_owned(texts.up, &values),
                };
                block(headline, &c.url, c.at)
            }
            Notice::StillDown {
                target,
                url,
                reason,
                down_for,
                at,
            } => {
                let headline = fill(
                    texts.still_down,
                    &[
                        ("target", &bold(target)),
                        ("duration", &format_duration(*down_for)),
                        ("reason", &text(reason)),
                    ],
                );
                block(headline, url, *at)
            }
            Notice::CertExpires {
                target,
                url,
                days,
                not_after,
                at,
            } => {
                let day_word = if *days == 1 { texts.day } else { texts.days };
                let headline = fill(
                    texts.cert_expires,
                    &[
                        ("target", &bold(target)),
                        ("days", &days.to_string()),
                        ("day_word", day_word),
                        ("date", &text(&when(*not_after))),
                    ],
                );
                block(headline, url, *at)
            }
            Notice::CertRenewed {
                target,
                url,
                not_after,
                at,
            } => {
                let headline = fill(
                    texts.cert_renewed,
                    &[
                        ("target", &bold(target)),
                        ("date", &text(&when(*not_after))),
                    ],
                );
                block(headline, url, *at)
            }
            Notice::Unmuted {
                target,
                url,
                state,
                reason,
                at,
            } => {
                let word = match state {
                    State::Online => texts.state_up,
                    State::Offline => texts.state_down,
                };
                let headline = fill(
                    texts.unmuted,
                    &[
                        ("target", &bold(target)),
                        ("state", word),
                        ("reason", &text(reason)),
                    ],
                );
                block(headline, url, *at)
            }
        })
        .collect();
    blocks.join("\n\n")
}

fn fill_owned(template: &str, values: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(template, &borrowed)
}

/// The one message of an episode in which this machine could not probe (its own fault).
pub fn render_fault(
    faults: &[(&crate::config::Target, &crate::probe::Outcome)],
    host: &str,
    since: DateTime<FixedOffset>,
    texts: &Texts,
) -> String {
    let names: Vec<String> = faults
        .iter()
        .take(10)
        .map(|(t, _)| format!("<b>{}</b>", escape(&t.name)))
        .collect();
    let more = match faults.len().saturating_sub(names.len()) {
        0 => String::new(),
        n => format!(" {}", fill(texts.and_more, &[("count", &n.to_string())])),
    };
    let detail = faults.first().map(|(_, o)| o.detail.as_str()).unwrap_or("");
    let headline = fill(
        texts.fault,
        &[
            ("host", &escape(&truncate(host, MAX_VALUE))),
            ("count", &faults.len().to_string()),
            ("when", &when(since)),
            ("detail", &escape(&truncate(detail, MAX_VALUE))),
        ],
    );
    format!(
        "{headline}\n{}{more}\n{}",
        names.join(", "),
        texts.fault_note
    )
}

fn when(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

/// Splits `text` into parts of at most `limit` characters, on line boundaries. A single
/// line longer than `limit` is cut, never inside an HTML entity.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split('\n') {
        let mut line = line;
        let mut line_len = line.chars().count();
        while line_len > limit {
            flush(&mut parts, &mut current, &mut current_len);
            let mut cut = line
                .char_indices()
                .nth(limit)
                .map_or(line.len(), |(i, _)| i);
            // Do not cut "&amp;" in two: back up to before an unfinished entity.
            if let Some(amp) = line[..cut].rfind('&') {
                if !line[amp..cut].contains(';') && amp > 0 {
                    cut = amp;
                }
            }
            parts.push(line[..cut].to_owned());
            line = &line[cut..];
            line_len = line.chars().count();
        }
        let extra = if current.is_empty() {
            line_len
        } else {
            line_len + 1
        };
        if current_len + extra > limit {
            flush(&mut parts, &mut current, &mut current_len);
        }
        if !current.is_empty() {
            current.push('\n');
            current_len += 1;
        }
        current.push_str(line);
        current_len += line_len;
    }
    flush(&mut parts, &mut current, &mut current_len);
    parts
}

fn flush(parts: &mut Vec<String>, current: &mut String, len: &mut usize) {
    // Telegram refuses empty or whitespace-only text.
    if !current.trim().is_empty() {
        parts.push(current.trim_matches('\n').to_owned());
    }
    current.clear();
    *len = 0;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts::{EN, PT_BR};
    use std::time::Duration;

    fn change(target: &str, state: State, reason: &str, down_for: Option<Duration>) -> Change {
        Change {
            target: target.into(),
            url: "http://a.example/?x=1&y=<2>".into(),
            state,
            reason: reason.into(),
            at: DateTime::parse_from_rfc3339("2026-11-24T23:22:23-03:00").unwrap(),
            down_for,
            alert: true,
        }
    }

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(escape("a & b <c> \"d\""), "a &amp; b &lt;c&gt; \"d\"");
    }

    #[test]
    fn html_message_lists_every_change_escaped() {
        let down = change("web", State::Offline, "text \"<ok>\" not found", None);
        let up = change(
            "api",
            State::Online,
            "HTTP 200 in 41 ms",
            Some(Duration::from_secs(759)),
        );
        let html = render_html(
            &[Notice::Change(down.clone()), Notice::Change(up)],
            "srv & co",
            &EN,
        );
        assert_eq!(
            html,
            "🔴 <b>web</b> is DOWN: text \"&lt;ok&gt;\" not found\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             2026-11-24 23:22:23 -03:00 on srv &amp; co\n\
             \n\
             🟢 <b>api</b> is UP again after 12m39s down: HTTP 200 in 41 ms\n\
             <code>http://a.example/?x=1&amp;y=&lt;2&gt;</code>\n\
             2026-11-24 23:22:23 -03:00 on srv &amp; co"
        );
        let plain = render_plain(&[Notice::Change(down)], "srv", &EN);
        assert!(plain
            .starts_with("🔴 web is DOWN: text \"<ok>\" not found\nhttp://a.example/?x=1&y=<2>\n"));
    }

    #[test]
    fn the_machines_own_connectivity_reads_as_such() {
        let mut lost = change(
            CONNECTIVITY,
            State::Offline,
            "every canary failed (connection refused), and targets with them",
            None,
        );
        lost.url = "tcp://192.0.2.53:53".into();
        assert_eq!(
            render_html(&[Notice::Change(lost)], "srv", &EN),
            "⚠️ <b>srv</b> has lost its own connectivity since 2026-11-24 23:22:23 -03:00: targets not judged\n\
             every canary failed (connection refused), and targets with them\n\
             <code>tcp://192.0.2.53:53</code>"
        );
        let back = change(
            CONNECTIVITY,
            State::Online,
            "tcp://192.0.2.53:53 answered: TCP connect in 3 ms",
            Some(Duration::from_secs(300)),
        );
        assert!(render_plain(&[Notice::Change(back)], "srv", &EN)
            .starts_with("✅ srv is back online after 5m: targets are judged again\n"));
    }

    #[test]
    fn portuguese_reads_as_portuguese() {
        let down = change("web", State::Offline, "HTTP 503", None);
        let up = change(
            "web",
            State::Online,
            "HTTP 200 in 4 ms",
            Some(Duration::from_secs(759)),
        );
        let still = Notice::StillDown {
            target: "web".into(),
            url: "http://a/".into(),
            reason: "HTTP 503".into(),
            down_for: Duration::from_secs(4 * 3600),
            at: down.at,
        };
        let cert = Notice::CertExpires {
            target: "web".into(),
            url: "https://a/".into(),
            days: 5,
            not_after: down.at,
            at: down.at,
        };
        assert_eq!(
            render_plain(&[Notice::Change(down), Notice::Change(up), still, cert], "srv", &PT_BR),
            "🔴 web está FORA DO AR: HTTP 503\nhttp://a.example/?x=1&y=<2>\n2026-11-24 23:22:23 -03:00 em srv\n\n\
             🟢 web voltou ao ar depois de 12m39s fora: HTTP 200 in 4 ms\nhttp://a.example/?x=1&y=<2>\n2026-11-24 23:22:23 -03:00 em srv\n\n\
             ⏰ web continua FORA DO AR, já faz 4h: HTTP 503\nhttp://a/\n2026-11-24 23:22:23 -03:00 em srv\n\n\
             🔐 O certificado de web vence em 5 dias, no dia 2026-11-24 23:22:23 -03:00\nhttps://a/\n2026-11-24 23:22:23 -03:00 em srv"
        );
    }

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split("a\nb", 10), ["a\nb"]);
        assert_eq!(split("", 10), Vec::<String>::new());
    }

    #[test]
    fn splits_on_lines_under_the_limit() {
        let text = (0..100)
            .map(|i| format!("line {i:03} {}", "x".repeat(50)))
            .collect::<Vec<_>>()
            .join("\n");
        let parts = split(&text, 500);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= 500));
        assert_eq!(parts.join("\n"), text);
    }

    #[test]
    fn cuts_an_overlong_line_outside_entities() {
        let line = format!("{}&amp;{}", "a".repeat(8), "b".repeat(8));
        let parts = split(&line, 10);
        assert_eq!(parts.concat(), line);
        assert!(parts.iter().all(|p| p.chars().count() <= 10));
        assert!(
            parts
                .iter()
                .all(|p| p.matches('&').count() == p.matches(';').count()),
            "{parts:?}"
        );
    }

    #[test]
    fn overlong_values_are_shortened_and_parts_stay_well_formed() {
        let mut long = change("web", State::Offline, &"reason <x> ".repeat(500), None);
        long.url = format!("http://a.example/{}", "&<".repeat(3000));
        let many: Vec<Notice> = (0..40).map(|_| Notice::Change(long.clone())).collect();
        let parts = split(&render_html(&many, &"h".repeat(1000), &EN), LIMIT);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(part.chars().count() <= LIMIT);
            assert_eq!(part.matches("<b>").count(), part.matches("</b>").count());
            assert_eq!(
                part.matches("<code>").count(),
                part.matches("</code>").count()
            );
            assert_eq!(
                part.matches('&').count(),
                part.matches(';').count(),
                "{part}"
            );
        }
    }

    #[test]
    fn counts_characters_not_bytes() {
        let text = "é".repeat(10);
        assert_eq!(split(&text, 10), vec![text]);
    }
}
