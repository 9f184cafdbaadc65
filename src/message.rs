//! The alert text: one message per run listing every change, in Telegram's HTML
//! (https://core.telegram.org/bots/api#html-style) with every value escaped, or as plain
//! text for standard output; and the split of long messages on line boundaries.

use chrono::{DateTime, FixedOffset};

use crate::config::format_duration;
use crate::probe::truncate;
use crate::statelog::State;
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

/// The message for the changes of one run, in HTML. Every tag opens and closes on the
/// same line, so splitting on lines keeps each part well-formed.
pub fn render_html(changes: &[&Change], host: &str) -> String {
    render(
        changes,
        host,
        &|s| format!("<b>{}</b>", escape(s)),
        &|s| format!("<code>{}</code>", escape(s)),
        &escape,
    )
}

/// The same message as plain text, for standard output when Telegram is not configured.
pub fn render_plain(changes: &[&Change], host: &str) -> String {
    render(changes, host, &|s| s.to_owned(), &|s| s.to_owned(), &|s| {
        s.to_owned()
    })
}

type Style<'a> = &'a dyn Fn(&str) -> String;

fn render(changes: &[&Change], host: &str, bold: Style, code: Style, text: Style) -> String {
    let short = |s: &str| truncate(s, MAX_VALUE);
    let (bold, code, text) = (
        |s: &str| bold(&short(s)),
        |s: &str| code(&short(s)),
        |s: &str| text(&short(s)),
    );
    let host = short(host);
    let blocks: Vec<String> = changes
        .iter()
        .map(|c| {
            if c.target == CONNECTIVITY {
                let headline = match c.state {
                    State::Offline => format!(
                        "⚠️ {} has lost its own connectivity since {}: targets not judged",
                        bold(&host),
                        text(&when(c.at))
                    ),
                    State::Online => format!(
                        "✅ {} is back online after {}: targets are judged again",
                        bold(&host),
                        format_duration(c.down_for.unwrap_or_default())
                    ),
                };
                return format!("{headline}\n{}\n{}", text(&c.reason), code(&c.url));
            }
            let headline = match (c.state, c.down_for) {
                (State::Offline, _) => {
                    format!("🔴 {} is DOWN: {}", bold(&c.target), text(&c.reason))
                }
                (State::Online, Some(d)) => format!(
                    "🟢 {} is UP again after {} down: {}",
                    bold(&c.target),
                    format_duration(d),
                    text(&c.reason)
                ),
                (State::Online, None) => {
                    format!("🟢 {} is UP: {}", bold(&c.target), text(&c.reason))
                }
            };
            format!(
                "{headline}\n{}\n{}",
                code(&c.url),
                text(&format!("{} on {host}", when(c.at)))
            )
        })
        .collect();
    blocks.join("\n\n")
}

/// The one message of an episode in which this machine could not probe (its own fault).
pub fn render_fault(
    faults: &[(&crate::config::Target, &crate::probe::Outcome)],
    host: &str,
    since: DateTime<FixedOffset>,
) -> String {
    let names: Vec<String> = faults
        .iter()
        .take(10)
        .map(|(t, _)| format!("<b>{}</b>", escape(&t.name)))
        .collect();
    let more = match faults.len().saturating_sub(names.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let detail = faults.first().map(|(_, o)| o.detail.as_str()).unwrap_or("");
    format!(
        "⚠️ vigia on {} could not check {} target(s) since {}: {}\n{}{more}\nThis is a fault of the checking machine, not of the targets: they keep their last state until checks work again.",
        escape(&truncate(host, MAX_VALUE)),
        faults.len(),
        when(since),
        escape(&truncate(detail, MAX_VALUE)),
        names.join(", "),
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
        let html = render_html(&[&down, &up], "srv & co");
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
        let plain = render_plain(&[&down], "srv");
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
            render_html(&[&lost], "srv"),
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
        assert!(render_plain(&[&back], "srv")
            .starts_with("✅ srv is back online after 5m: targets are judged again\n"));
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
        let many: Vec<Change> = (0..40).map(|_| long.clone()).collect();
        let refs: Vec<&Change> = many.iter().collect();
        let parts = split(&render_html(&refs, &"h".repeat(1000)), LIMIT);
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
