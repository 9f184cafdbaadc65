//! The status page (README "Status page"): one self-contained HTML file rendered from the
//! same [`StatusView`] as `vigia status` — the overall line, per target its state, since
//! when, uptime over 24 h, 7 d, 30 d and 90 d and a bar of the last [`DAYS`] days, the
//! recent incidents, mutes, maintenance and certificates. Inline CSS only (no script,
//! font or image: it works opened from disk), light and dark, readable at 375 px. Every
//! value is escaped; URLs appear only with `show_urls` (already masked: never a
//! password); the token is never part of a view. Also the day cells the terminal bar
//! shares ([`Cell`]), and the atomic write.

use std::fmt::Write;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeDelta};

use crate::checkpoint::Checkpoint;
use crate::history::SpanFigures;
use crate::translog::State;
use crate::view::{Elapsed, StatusView, TargetView};

/// Days in the page's bar (and the longest uptime window it shows).
pub const DAYS: usize = 90;
/// Days in the terminal's bar.
pub const TERMINAL_DAYS: usize = 30;

/// The spans the summary measures for the page and the bar: the last [`DAYS`] local
/// days, oldest first (today up to `now`), then the whole 90 days before `now`.
pub fn spans(now: DateTime<FixedOffset>) -> Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    let midnight = now
        .with_time(NaiveTime::MIN)
        .single()
        .unwrap_or(now - TimeDelta::hours(24));
    let mut spans: Vec<_> = (0..DAYS as i64)
        .rev()
        .map(|back| {
            let start = midnight - Duration::days(back);
            (start, (start + Duration::days(1)).min(now))
        })
        .collect();
    spans.push((now - Duration::days(DAYS as i64), now));
    spans
}

/// A target's day cells, oldest first (empty when the view was built without them).
pub fn days(t: &TargetView) -> &[SpanFigures] {
    match t.spans.len() {
        n if n == DAYS + 1 => &t.spans[..DAYS],
        _ => &[],
    }
}

/// A target's uptime over the last 90 days.
pub fn uptime_90d(t: &TargetView) -> Option<f64> {
    (t.spans.len() == DAYS + 1)
        .then(|| t.spans[DAYS].uptime())
        .flatten()
}

/// What a day's cell says: one meaning for the page's colours and the terminal's blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Nothing known that day: not watched yet, or vigia was not running.
    NoData,
    /// At least 99.9 % up.
    Up,
    /// At least 95 % up.
    Degraded,
    /// Less.
    Down,
}

impl Cell {
    pub fn of(day: &SpanFigures) -> Cell {
        match day.uptime() {
            None => Cell::NoData,
            Some(u) if u >= 99.9 => Cell::Up,
            Some(u) if u >= 95.0 => Cell::Degraded,
            Some(_) => Cell::Down,
        }
    }

    /// The CSS class of the page's cell.
    fn class(self) -> &'static str {
        match self {
            Cell::NoData => "none",
            Cell::Up => "up",
            Cell::Degraded => "part",
            Cell::Down => "down",
        }
    }

    /// The terminal's character.
    pub fn block(self) -> char {
        match self {
            Cell::NoData => '·',
            Cell::Up => '█',
            Cell::Degraded => '▅',
            Cell::Down => '▂',
        }
    }
}

/// What the page shows beyond the view.
pub struct PageOptions<'a> {
    pub title: &'a str,
    pub show_urls: bool,
}

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#fff;--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;\
--ok:#0b6b2e;--bad:#a4001d;--c-up:#2e9e57;--c-part:#d99a00;--c-down:#d2283c;--c-none:#c4c4c4}\
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#ececec;--muted:#b0b0b0;\
--line:#3a3a3a;--ok:#6fdc96;--bad:#ff9a8f;--c-up:#3fbf6d;--c-part:#e6ac1e;--c-down:#f0566a;\
--c-none:#4a4a4a}}\
*{box-sizing:border-box}\
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\
main{max-width:60rem;margin:0 auto;padding:1rem}\
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\
h3{font-size:1.05rem;margin:0 0 .25rem;overflow-wrap:anywhere}\
.overall{font-weight:600;font-size:1.1rem}.ok{color:var(--ok)}.bad{color:var(--bad)}\
.target{border:1px solid var(--line);border-radius:.5rem;padding:.75rem;margin:.75rem 0}\
.since,.muted,footer{color:var(--muted)}.url{overflow-wrap:anywhere;color:var(--muted)}\
table{border-collapse:collapse;width:100%;table-layout:fixed}\
th,td{text-align:left;padding:.25rem .3rem;border-bottom:1px solid var(--line);overflow-wrap:break-word;vertical-align:top}\
td[data-window]{white-space:nowrap;font-variant-numeric:tabular-nums}\
#incidents th:nth-child(1){width:26%}#incidents th:nth-child(2){width:24%}#incidents th:nth-child(3){width:18%}\
.bar{display:block;width:100%;height:2rem;margin:.5rem 0 0}\
.bar .up{fill:var(--c-up)}.bar .part{fill:var(--c-part)}.bar .down{fill:var(--c-down)}.bar .none{fill:var(--c-none)}\
.legend{font-size:.85rem;color:var(--muted);display:flex;justify-content:space-between}\
footer{margin:2rem 0 1rem;font-size:.9rem}";

/// The whole page for `view`.
pub fn render(view: &StatusView, options: &PageOptions) -> String {
    let mut out = String::with_capacity(16 * 1024 + view.targets.len() * 12 * 1024);
    let title = escape(options.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"vigia\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
    );
    overall(&mut out, view);
    out.push_str("<h2>Targets</h2>\n");
    for t in &view.targets {
        target(&mut out, t, options, view.now);
    }
    if view.targets.is_empty() {
        out.push_str("<p>No targets are configured.</p>\n");
    }
    incidents(&mut out, view, options);
    notices(&mut out, view);
    let _ = write!(
        out,
        "<footer>Generated by vigia at <time datetime=\"{}\">{}</time>.</footer>\n\
         </main>\n</body>\n</html>\n",
        view.now.to_rfc3339(),
        stamp(view.now)
    );
    out
}

fn stamp(at: DateTime<FixedOffset>) -> String {
    escape(&crate::util::show_time(at))
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "no data".to_owned(), |v| format!("{v:.2}%"))
}

/// "All systems operational" / "1 of 3 down".
fn overall(out: &mut String, view: &StatusView) {
    let down = view
        .targets
        .iter()
        .filter(|t| t.last.as_ref().is_some_and(|e| e.state == State::Offline))
        .count();
    let (class, text) = match down {
        0 => ("ok", "All systems operational".to_owned()),
        n => ("bad", format!("{n} of {} down", view.targets.len())),
    };
    let _ = writeln!(
        out,
        "<p class=\"overall {class}\" id=\"overall\" data-down=\"{down}\">{text}</p>"
    );
}

fn target(out: &mut String, t: &TargetView, options: &PageOptions, now: DateTime<FixedOffset>) {
    let name = escape(&t.name);
    let (state, class, since) = match &t.last {
        Some(e) => {
            let lasted = match t.lasted {
                Some(Elapsed::Ago(d)) => format!(" ({})", age(d)),
                _ => String::new(),
            };
            let class = if e.state == State::Online {
                "ok"
            } else {
                "bad"
            };
            (
                e.state.as_str(),
                class,
                format!("since {}{lasted}", stamp(e.at)),
            )
        }
        None => ("UNKNOWN", "muted", "never checked".to_owned()),
    };
    let _ = writeln!(
        out,
        "<section class=\"target\" data-target=\"{name}\" data-state=\"{state}\">\n\
         <h3>{name} <span class=\"{class}\">{state}</span></h3>\n<p class=\"since\">{since}</p>"
    );
    if options.show_urls {
        let _ = writeln!(out, "<p class=\"url\">{}</p>", escape(&t.url));
    }
    let _ = writeln!(
        out,
        "<table>\n<caption class=\"muted\">Uptime of {name}</caption>\n<thead><tr>\
         <th scope=\"col\">24 h</th><th scope=\"col\">7 d</th><th scope=\"col\">30 d</th>\
         <th scope=\"col\">90 d</th></tr></thead>\n<tbody><tr>"
    );
    let windows = ["24h", "7d", "30d"];
    for (i, window) in windows.iter().enumerate() {
        let value = t.uptime.get(i).copied().flatten();
        let _ = write!(out, "<td data-window=\"{window}\">{}</td>", percent(value));
    }
    let _ = writeln!(
        out,
        "<td data-window=\"90d\">{}</td></tr></tbody>\n</table>",
        percent(uptime_90d(t))
    );
    bar(out, t, now);
    out.push_str("</section>\n");
}

/// The bar of the last [`DAYS`] days: an SVG that scales to the width it is given.
fn bar(out: &mut String, t: &TargetView, now: DateTime<FixedOffset>) {
    let days = days(t);
    if days.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<svg class=\"bar\" viewBox=\"0 0 {} 20\" preserveAspectRatio=\"none\" role=\"img\" \
         aria-label=\"Daily uptime of {} over the last {} days\">",
        days.len() * 5 - 1,
        escape(&t.name),
        days.len()
    );
    for (i, day) in days.iter().enumerate() {
        let cell = Cell::of(day);
        let date = day_label(now, days.len() - 1 - i);
        let tip = match day.uptime() {
            None => format!("{date}: no data"),
            Some(u) => format!(
                "{date}: {u:.2}% up, {} down",
                age_or_none(TimeDelta::milliseconds(day.down_ms()))
            ),
        };
        let _ = writeln!(
            out,
            "<rect class=\"{}\" x=\"{}\" y=\"0\" width=\"4\" height=\"20\"><title>{}</title></rect>",
            cell.class(),
            i * 5,
            escape(&tip)
        );
    }
    let _ = writeln!(
        out,
        "</svg>\n<p class=\"legend\" aria-hidden=\"true\"><span>{} days ago</span><span>today</span></p>",
        days.len()
    );
}

/// The local date `back` days before `now`'s.
pub fn day_label(now: DateTime<FixedOffset>, back: usize) -> String {
    (now.date_naive() - Duration::days(back as i64))
        .format("%Y-%m-%d")
        .to_string()
}

fn age(d: TimeDelta) -> String {
    crate::config::format_duration(
        d.to_std()
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1)),
    )
}

fn age_or_none(d: TimeDelta) -> String {
    if d <= TimeDelta::zero() {
        "no time".to_owned()
    } else {
        age(d)
    }
}

/// The reason as the page may show it: without any URL unless URLs are shown (a log
/// line may name a URL the config no longer has).
fn reason(text: &str, options: &PageOptions) -> String {
    if options.show_urls {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = ["http://", "https://", "tcp://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        let end = rest[i..]
            .find(|c: char| c.is_whitespace() || c == ')')
            .map_or(rest.len(), |e| i + e);
        let (before, after) = (&rest[..i], &rest[end..]);
        // " (URL)" goes whole; a URL elsewhere leaves a word in its place.
        match (before.strip_suffix(" ("), after.strip_prefix(')')) {
            (Some(before), Some(after)) => {
                out.push_str(before);
                rest = after;
            }
            _ => {
                out.push_str(before);
                out.push_str("(URL hidden)");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The recent outages, newest first, with how long each lasted and why.
fn incidents(out: &mut String, view: &StatusView, options: &PageOptions) {
    out.push_str("<h2>Recent incidents</h2>\n");
    let outages: Vec<_> = view
        .history
        .iter()
        .filter(|t| t.entry.state == State::Offline && !t.entry.target.starts_with('@'))
        .collect();
    if outages.is_empty() {
        out.push_str("<p>No incidents in the recent history.</p>\n");
        return;
    }
    out.push_str(
        "<table id=\"incidents\">\n<thead><tr><th scope=\"col\">Target</th>\
         <th scope=\"col\">Started</th><th scope=\"col\">Lasted</th>\
         <th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n",
    );
    for t in outages {
        let lasted = match (t.lasted, t.current) {
            (Some(d), true) => format!("{} so far", age(d)),
            (Some(d), false) => age(d),
            (None, _) => "unknown".to_owned(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><time datetime=\"{}\">{}</time></td><td>{lasted}</td><td>{}</td></tr>",
            escape(&t.entry.target),
            t.entry.at.to_rfc3339(),
            escape(&t.entry.at.format("%Y-%m-%d %H:%M").to_string()),
            escape(&reason(&t.entry.text, options))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Mutes, maintenance windows and certificates' days left.
fn notices(out: &mut String, view: &StatusView) {
    let mut items = Vec::new();
    for t in &view.targets {
        let name = escape(&t.name);
        if let Some(m) = &t.muted {
            let until = m.until.map_or_else(
                || "until further notice".to_owned(),
                |u| format!("until {}", stamp(u)),
            );
            let why = m
                .reason
                .as_ref()
                .map(|r| format!(" ({})", escape(r)))
                .unwrap_or_default();
            items.push(format!("{name} is muted {until}{why}."));
        }
        if let Some(m) = &t.maintenance {
            let why = m
                .reason
                .as_ref()
                .map(|r| format!(" ({})", escape(r)))
                .unwrap_or_default();
            items.push(match m.active {
                true => format!("{name} is in maintenance until {}{why}.", stamp(m.end)),
                false => format!(
                    "{name}'s next maintenance: {} to {}{why}.",
                    stamp(m.start),
                    stamp(m.end)
                ),
            });
        }
        if let Some(c) = &t.certificate {
            items.push(format!(
                "{name}'s certificate: {} day(s) left (until {}).",
                c.days_left,
                stamp(c.not_after)
            ));
        }
    }
    if items.is_empty() {
        return;
    }
    out.push_str("<h2>Notices</h2>\n<ul>\n");
    for item in items {
        let _ = writeln!(out, "<li>{item}</li>");
    }
    out.push_str("</ul>\n");
}

/// Rewritten at most this often when nothing a reader sees changed.
pub const REFRESH: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether a run writes the page: when something a reader sees changed, when the page
/// is missing (`age` unknown), else once it is [`REFRESH`] old.
pub fn due(changed: bool, age: Option<std::time::Duration>) -> bool {
    changed || age.is_none_or(|age| age >= REFRESH)
}

/// Whether the run changed something the page shows: a state, a mute, an
/// acknowledgement, a certificate, a gap.
pub fn visible_change(before: &Checkpoint, after: &Checkpoint) -> bool {
    before.targets != after.targets
        || before.mutes != after.mutes
        || before.acks != after.acks
        || before.gaps != after.gaps
        || before
            .certs
            .iter()
            .map(|(n, c)| (n, c.first().map(|c| c.not_after)))
            .ne(after
                .certs
                .iter()
                .map(|(n, c)| (n, c.first().map(|c| c.not_after))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_lose_every_url_unless_urls_are_shown() {
        let hidden = PageOptions {
            title: "",
            show_urls: false,
        };
        let cases = [
            (
                "connection refused (http://a:***@h:9/)",
                "connection refused",
            ),
            ("HTTP 503 (https://h/x) after 2s", "HTTP 503 after 2s"),
            (
                "redirect to http://h/y failed",
                "redirect to (URL hidden) failed",
            ),
            ("tcp://h:1 refused", "(URL hidden) refused"),
            ("no url here", "no url here"),
        ];
        for (text, shown) in cases {
            assert_eq!(reason(text, &hidden), shown, "{text}");
        }
        let shown = PageOptions {
            title: "",
            show_urls: true,
        };
        assert_eq!(reason(cases[0].0, &shown), cases[0].0);
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn day_cells_are_local_days_ending_now_then_ninety_days() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00-03:00").unwrap();
        let spans = spans(now);
        assert_eq!(spans.len(), DAYS + 1);
        let today = spans[DAYS - 1];
        assert_eq!(today.0.to_rfc3339(), "2026-11-25T00:00:00-03:00");
        assert_eq!(today.1, now);
        assert_eq!(spans[0].0.to_rfc3339(), "2026-08-28T00:00:00-03:00");
        assert_eq!(spans[DAYS], (now - Duration::days(90), now));
        assert_eq!(day_label(now, 0), "2026-11-25");
    }

    #[test]
    fn a_cell_is_no_data_up_degraded_or_down() {
        let day = |known_ms, up_ms| SpanFigures {
            known_ms,
            up_ms,
            ..SpanFigures::default()
        };
        assert_eq!(Cell::of(&day(0, 0)), Cell::NoData);
        assert_eq!(Cell::of(&day(1000, 1000)), Cell::Up);
        assert_eq!(Cell::of(&day(1000, 999)), Cell::Up);
        assert_eq!(Cell::of(&day(1000, 950)), Cell::Degraded);
        assert_eq!(Cell::of(&day(1000, 949)), Cell::Down);
    }

    /// A colour variable of the light (first) or dark (second) `:root` of [`STYLE`].
    fn colour(name: &str, dark: bool) -> [f64; 3] {
        let css = match dark {
            false => STYLE,
            true => &STYLE[STYLE.find("prefers-color-scheme:dark").unwrap()..],
        };
        let key = format!("--{name}:#");
        let at = css.find(&key).unwrap() + key.len();
        let hex: String = css[at..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        let hex = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex,
            _ => panic!("--{name}: #{hex}"),
        };
        [0, 2, 4].map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0)
    }

    /// WCAG 2 relative luminance and contrast ratio.
    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let lum = |c: [f64; 3]| {
            let l = c.map(|v| {
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            });
            0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn text_contrast_meets_wcag_aa_in_light_and_dark() {
        for dark in [false, true] {
            let bg = colour("bg", dark);
            for text in ["fg", "muted", "ok", "bad"] {
                let ratio = contrast(colour(text, dark), bg);
                assert!(ratio >= 4.5, "{text} on bg (dark: {dark}): {ratio:.2}");
            }
            // The bar's cells against the page: non-text contrast (WCAG 1.4.11) for
            // the coloured ones.
            for cell in ["c-up", "c-down"] {
                let ratio = contrast(colour(cell, dark), bg);
                assert!(ratio >= 3.0, "{cell} (dark: {dark}): {ratio:.2}");
            }
        }
    }

    #[test]
    fn written_when_changed_or_a_minute_old() {
        use std::time::Duration as D;
        assert!(due(true, Some(D::from_secs(1))));
        assert!(!due(false, Some(D::from_secs(59))));
        assert!(due(false, Some(D::from_secs(60))));
        assert!(due(false, None), "missing");
    }
}
