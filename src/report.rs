//! The uptime report (README "Report"): when one is due (`[report]`: daily, weekly on
//! Mondays, monthly on the 1st, at a local time), the period it covers, its figures
//! from the log's summary and the checkpoint, and its renderings — the chat's message in
//! the configured language, the text and the JSON of `vigia report`. Pure: the command
//! reads the log; [`plan`] decides, marks the checkpoint and says what to queue, so a
//! report goes once per period across restarts, missed runs and rotations.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeDelta};
use serde_json::{json, Value};

use crate::checkpoint::{Checkpoint, SlowSpell};
use crate::config::{Every, Report};
use crate::history::{SpanFigures, Summary};
use crate::texts::{report_texts as texts, ReportTexts};
#[cfg(test)]
use crate::texts::{REPORT_EN as EN, REPORT_PT_BR as PT_BR};

/// Certificates expiring within this many days are listed.
pub const CERT_DAYS: i64 = 30;

/// The time `date` at `at` in `offset`.
fn local(date: NaiveDate, at: NaiveTime, offset: FixedOffset) -> DateTime<FixedOffset> {
    date.and_time(at)
        .and_local_timezone(offset)
        .single()
        .expect("a fixed offset maps every local time once")
}

/// The latest scheduled time at or before `now` (local time is `now`'s offset).
pub fn last_due(schedule: &Report, now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let (today, offset) = (now.date_naive(), *now.offset());
    let candidate = |date: NaiveDate| local(date, schedule.at, offset);
    match schedule.every {
        Every::Daily => {
            let t = candidate(today);
            if t <= now {
                t
            } else {
                t - Duration::days(1)
            }
        }
        Every::Weekly => {
            let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
            let t = candidate(monday);
            if t <= now {
                t
            } else {
                t - Duration::days(7)
            }
        }
        Every::Monthly => {
            let first = today.with_day(1).expect("day 1");
            let t = candidate(first);
            if t <= now {
                t
            } else {
                candidate(previous_month(first))
            }
        }
    }
}

fn previous_month(first: NaiveDate) -> NaiveDate {
    (first - Duration::days(1)).with_day(1).expect("day 1")
}

/// The period the report due at `due` covers: the 24 hours or 7 days before it, or the
/// previous calendar month (from midnight on the 1st to midnight on the 1st).
pub fn period(
    every: Every,
    due: DateTime<FixedOffset>,
) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
    match every {
        Every::Daily => (due - Duration::days(1), due),
        Every::Weekly => (due - Duration::days(7), due),
        Every::Monthly => {
            let first = due.date_naive().with_day(1).expect("day 1");
            let offset = *due.offset();
            (
                local(previous_month(first), NaiveTime::MIN, offset),
                local(first, NaiveTime::MIN, offset),
            )
        }
    }
}

/// The report due now, if one is: its scheduled time and period. None before the first
/// scheduled time after `[report]` was configured, nor once the last one was sent.
pub fn due(
    schedule: Option<&Report>,
    checkpoint: &Checkpoint,
    now: DateTime<FixedOffset>,
) -> Option<Due> {
    let schedule = schedule?;
    let mark = checkpoint.report.as_ref()?;
    let at = last_due(schedule, now);
    if at <= mark.since || mark.sent.is_some_and(|sent| sent >= at) {
        return None;
    }
    let (from, to) = period(schedule.every, at);
    Some(Due {
        at,
        every: schedule.every,
        from,
        to,
    })
}

/// A report that is due.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Due {
    /// Its scheduled time.
    pub at: DateTime<FixedOffset>,
    pub every: Every,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
}

/// One target's figures over the period.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetFigures {
    pub name: String,
    pub figures: SpanFigures,
    /// Milliseconds in the period.
    pub span_ms: i64,
    /// With `check.slow`: the local day of the period on which it was slow longest,
    /// and for how many milliseconds (`None`: never slow in the period).
    pub slowest_day: Option<(NaiveDate, i64)>,
}

impl TargetFigures {
    pub fn uptime(&self) -> Option<f64> {
        self.figures.uptime()
    }

    pub fn coverage(&self) -> Option<f64> {
        (self.figures.known_ms > 0 && self.span_ms > 0)
            .then(|| self.figures.known_ms as f64 * 100.0 / self.span_ms as f64)
    }
}

/// What a report says.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// `None` for `vigia report --days N`.
    pub every: Option<Every>,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub targets: Vec<TargetFigures>,
    /// (target, days left, not after): certificates expiring within [`CERT_DAYS`] days.
    pub certificates: Vec<(String, i64, DateTime<FixedOffset>)>,
}

impl Figures {
    /// From a summary measured over `(from, to)` as its only span.
    pub fn of(
        summary: &Summary,
        checkpoint: &Checkpoint,
        every: Option<Every>,
        (from, to): (DateTime<FixedOffset>, DateTime<FixedOffset>),
        now: DateTime<FixedOffset>,
    ) -> Figures {
        let span_ms = (to - from).num_milliseconds();
        let targets = summary
            .targets
            .iter()
            .map(|t| TargetFigures {
                name: t.name.clone(),
                figures: t.spans.first().copied().unwrap_or_default(),
                span_ms,
                slowest_day: checkpoint
                    .slow_spells
                    .get(&t.name)
                    .and_then(|spells| slowest_day(spells, (from, to), now)),
            })
            .collect();
        let certificates = summary
            .targets
            .iter()
            .filter_map(|t| {
                let cert = checkpoint.certs.get(&t.name)?.first()?;
                let days = crate::cert::days_left(cert.not_after, now);
                (days <= CERT_DAYS).then(|| (t.name.clone(), days, cert.not_after))
            })
            .collect();
        Figures {
            every,
            from,
            to,
            targets,
            certificates,
        }
    }
}

/// The local day (in `from`'s offset) of `from..to` with the most time inside `spells`,
/// and how much, in milliseconds; `None` when none of it was slow.
fn slowest_day(
    spells: &[SlowSpell],
    (from, to): (DateTime<FixedOffset>, DateTime<FixedOffset>),
    now: DateTime<FixedOffset>,
) -> Option<(NaiveDate, i64)> {
    let offset = *from.offset();
    let mut best: Option<(NaiveDate, i64)> = None;
    let mut date = from.date_naive();
    // A period is at most a month and a day: the bound keeps a bad clock from looping.
    for _ in 0..40 {
        let start = local(date, NaiveTime::MIN, offset).max(from);
        let next = date.succ_opt()?;
        let end = local(next, NaiveTime::MIN, offset).min(to);
        if start >= to {
            break;
        }
        let slow: i64 = spells
            .iter()
            .map(|s| {
                let (a, b) = (s.from.max(start), s.to.unwrap_or(now).min(end));
                (b - a).num_milliseconds().max(0)
            })
            .sum();
        if slow > 0 && best.is_none_or(|(_, most)| slow > most) {
            best = Some((date, slow));
        }
        date = next;
    }
    best
}

/// Plans the report of a run: keeps the mark of `[report]` in the checkpoint and, when
/// `figures` (measured by the command for the [`due`] period) are given and still due,
/// marks them sent and returns the message to queue (Telegram HTML).
pub fn plan(
    schedule: Option<&Report>,
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
    figures: Option<&(Due, Figures)>,
    host: &str,
    language: Option<&str>,
) -> Option<String> {
    checkpoint.report_configured(schedule.is_some(), now);
    let (due_now, figures) = figures?;
    if due(schedule, checkpoint, now) != Some(*due_now) {
        return None;
    }
    checkpoint.report_sent(due_now.at);
    Some(render_message(figures, host, texts(language)))
}

fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

fn percent(value: Option<f64>, texts: &ReportTexts) -> String {
    value.map_or_else(
        || "-".to_owned(),
        |v| format!("{v:.2}%").replace('.', texts.decimal_separator),
    )
}

fn duration(ms: i64) -> String {
    match ms {
        ms if ms <= 0 => "0s".to_owned(),
        ms => crate::config::format_duration(
            std::time::Duration::from_millis(ms as u64).max(std::time::Duration::from_secs(1)),
        ),
    }
}

fn day(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// The report's lines, each value passed through `escape`.
fn lines(
    figures: &Figures,
    host: &str,
    texts: &ReportTexts,
    escape: fn(&str) -> String,
) -> Vec<String> {
    let title = match figures.every {
        Some(Every::Daily) => texts.daily,
        Some(Every::Weekly) => texts.weekly,
        Some(Every::Monthly) => texts.monthly,
        None => texts.custom,
    };
    let mut out = vec![fill(
        texts.heading,
        &[
            ("title", title.to_owned()),
            ("host", escape(host)),
            ("from", day(figures.from)),
            ("to", day(figures.to)),
        ],
    )];
    for t in &figures.targets {
        let f = &t.figures;
        let values = [
            ("target", escape(&t.name)),
            ("uptime", percent(t.uptime(), texts)),
            ("coverage", percent(t.coverage(), texts)),
            ("outages", f.outages.to_string()),
            ("downtime", duration(f.down_ms())),
            ("longest", duration(f.longest_down_ms)),
        ];
        let template = match (f.known_ms, f.outages) {
            (0, _) => texts.no_data,
            (_, 0) => texts.no_outage,
            _ => texts.target,
        };
        out.push(fill(template, &values));
        if let Some((date, ms)) = t.slowest_day {
            out.push(fill(
                texts.slowest_day,
                &[
                    ("target", escape(&t.name)),
                    ("date", date.format("%Y-%m-%d").to_string()),
                    ("duration", duration(ms)),
                ],
            ));
        }
    }
    if figures.targets.is_empty() {
        out.push(texts.none.to_owned());
    }
    if !figures.certificates.is_empty() {
        let list: Vec<String> = figures
            .certificates
            .iter()
            .map(|(name, days, date)| {
                fill(
                    texts.certificate,
                    &[
                        ("target", escape(name)),
                        ("days", days.to_string()),
                        ("date", date.format("%Y-%m-%d").to_string()),
                    ],
                )
            })
            .collect();
        out.push(fill(texts.certificates, &[("list", list.join(", "))]));
    }
    out
}

/// The chat's message (Telegram HTML: every value escaped).
pub fn render_message(figures: &Figures, host: &str, texts: &ReportTexts) -> String {
    let mut lines = lines(figures, host, texts, crate::message::escape);
    lines[0] = format!("<b>{}</b>", lines[0]);
    lines.join("\n")
}

/// The text `vigia report` prints.
pub fn render_text(figures: &Figures, host: &str, texts: &ReportTexts) -> String {
    lines(figures, host, texts, str::to_owned).join("\n") + "\n"
}

/// `vigia report --json` (contract: README "vigia report").
pub fn render_json(figures: &Figures) -> Value {
    let targets: Vec<Value> = figures
        .targets
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "uptime_percent": t.uptime(),
                "coverage_percent": t.coverage(),
                "outages": t.figures.outages,
                "downtime_seconds": t.figures.down_ms() / 1000,
                "longest_outage_seconds": t.figures.longest_down_ms / 1000,
                "slowest_day": t.slowest_day.map(|(date, ms)| json!({
                    "date": date.format("%Y-%m-%d").to_string(),
                    "slow_seconds": ms / 1000,
                })),
            })
        })
        .collect();
    let certificates: Vec<Value> = figures
        .certificates
        .iter()
        .map(|(name, days, not_after)| {
            json!({"target": name, "days_left": days, "not_after": not_after.to_rfc3339()})
        })
        .collect();
    json!({
        "from": figures.from.to_rfc3339(),
        "to": figures.to.to_rfc3339(),
        "every": figures.every.map(Every::as_str),
        "targets": targets,
        "certificates": certificates,
    })
}

/// How long before `now` a report of the last `days` days starts.
pub fn last_days(
    now: DateTime<FixedOffset>,
    days: u32,
) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
    (now - TimeDelta::days(days as i64), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::at;

    fn schedule(every: Every, at: &str) -> Report {
        Report {
            every,
            at: NaiveTime::parse_from_str(at, "%H:%M").unwrap(),
        }
    }

    #[test]
    fn the_last_scheduled_time_is_today_this_monday_or_the_first() {
        // 2026-11-25 is a Wednesday.
        let now = at("2026-11-25T08:00:00-03:00");
        let daily = schedule(Every::Daily, "09:00");
        assert_eq!(last_due(&daily, now), at("2026-11-24T09:00:00-03:00"));
        assert_eq!(
            last_due(&daily, at("2026-11-25T09:00:00-03:00")),
            at("2026-11-25T09:00:00-03:00")
        );
        let weekly = schedule(Every::Weekly, "09:00");
        assert_eq!(last_due(&weekly, now), at("2026-11-23T09:00:00-03:00"));
        assert_eq!(
            last_due(&weekly, at("2026-11-23T08:59:00-03:00")),
            at("2026-11-16T09:00:00-03:00")
        );
        let monthly = schedule(Every::Monthly, "09:00");
        assert_eq!(last_due(&monthly, now), at("2026-11-01T09:00:00-03:00"));
        assert_eq!(
            last_due(&monthly, at("2026-01-01T08:00:00Z")),
            at("2025-12-01T09:00:00Z")
        );
        assert_eq!(
            period(Every::Monthly, at("2026-03-01T09:00:00Z")),
            (at("2026-02-01T00:00:00Z"), at("2026-03-01T00:00:00Z"))
        );
        assert_eq!(
            period(Every::Weekly, at("2026-11-23T09:00:00Z")),
            (at("2026-11-16T09:00:00Z"), at("2026-11-23T09:00:00Z"))
        );
    }

    #[test]
    fn due_once_per_period_and_first_after_it_was_configured() {
        let weekly = schedule(Every::Weekly, "09:00");
        let mut cp = Checkpoint::default();
        assert_eq!(
            due(Some(&weekly), &cp, at("2026-11-25T12:00:00Z")),
            None,
            "not marked yet"
        );
        cp.report_configured(true, at("2026-11-25T12:00:00Z"));
        assert_eq!(
            due(Some(&weekly), &cp, at("2026-11-29T12:00:00Z")),
            None,
            "no Monday since"
        );
        let monday = at("2026-11-30T09:00:00Z");
        let d = due(Some(&weekly), &cp, at("2026-11-30T09:00:30Z")).unwrap();
        assert_eq!(
            (d.at, d.from, d.to),
            (monday, at("2026-11-23T09:00:00Z"), monday)
        );
        cp.report_sent(d.at);
        assert_eq!(
            due(Some(&weekly), &cp, at("2026-12-06T23:00:00Z")),
            None,
            "sent"
        );
        // Not running for three weeks: one report, for the last period.
        let late = due(Some(&weekly), &cp, at("2026-12-24T10:00:00Z")).unwrap();
        assert_eq!(late.at, at("2026-12-21T09:00:00Z"));
        // Removed, then configured again: it starts over.
        cp.report_configured(false, at("2026-12-24T10:00:00Z"));
        assert_eq!(cp.report, None);
    }

    #[test]
    fn the_message_is_in_the_language_and_escaped() {
        let figures = Figures {
            every: Some(Every::Weekly),
            from: at("2026-11-16T09:00:00Z"),
            to: at("2026-11-23T09:00:00Z"),
            targets: vec![
                TargetFigures {
                    name: "a<b".into(),
                    figures: SpanFigures {
                        known_ms: 600_000,
                        up_ms: 540_000,
                        outages: 2,
                        longest_down_ms: 40_000,
                    },
                    span_ms: 1_200_000,
                    slowest_day: Some((NaiveDate::from_ymd_opt(2026, 11, 18).unwrap(), 11_520_000)),
                },
                TargetFigures {
                    name: "c".into(),
                    figures: SpanFigures::default(),
                    span_ms: 1_200_000,
                    slowest_day: None,
                },
            ],
            certificates: vec![("a<b".into(), 9, at("2026-12-02T00:00:00Z"))],
        };
        assert_eq!(
            render_message(&figures, "h&", &EN),
            "<b>📊 Weekly report of h&amp;: 2026-11-16 09:00 to 2026-11-23 09:00</b>\n\
             a&lt;b: 90.00% up (50.00% checked), 2 outage(s), 1m down, the longest 40s\n\
             🐢 a&lt;b: slowest on 2026-11-18, slow for 3h12m\n\
             c: no data\n\
             🔐 Certificates expiring within 30 days: a&lt;b in 9 day(s) (2026-12-02)"
        );
        let pt = render_text(&figures, "h", &PT_BR);
        assert!(
            pt.contains("a<b: 90,00% no ar (50,00% verificado), 2 queda(s)"),
            "{pt}"
        );
        let json = render_json(&figures);
        assert_eq!(json["targets"][0]["downtime_seconds"], 60);
        assert_eq!(json["targets"][0]["longest_outage_seconds"], 40);
        assert_eq!(json["targets"][1]["uptime_percent"], Value::Null);
        assert_eq!(
            json["targets"][0]["slowest_day"],
            json!({"date": "2026-11-18", "slow_seconds": 11_520})
        );
        assert_eq!(json["targets"][1]["slowest_day"], Value::Null);
        assert!(
            pt.contains("🐢 a<b: mais lento em 2026-11-18, lento por 3h12m"),
            "{pt}"
        );
    }

    #[test]
    fn the_slowest_day_is_the_local_day_with_the_most_slow_time() {
        let spells = [
            // 2h on the 17th, then across midnight: 1h on the 17th, 4h on the 18th.
            SlowSpell {
                from: at("2026-11-17T08:00:00-03:00"),
                to: Some(at("2026-11-17T10:00:00-03:00")),
            },
            SlowSpell {
                from: at("2026-11-17T23:00:00-03:00"),
                to: Some(at("2026-11-18T04:00:00-03:00")),
            },
            // Still slow: counted up to now, but outside the period.
            SlowSpell {
                from: at("2026-11-23T10:00:00-03:00"),
                to: None,
            },
        ];
        let period = (
            at("2026-11-16T09:00:00-03:00"),
            at("2026-11-23T09:00:00-03:00"),
        );
        let now = at("2026-11-23T12:00:00-03:00");
        assert_eq!(
            slowest_day(&spells, period, now),
            Some((
                NaiveDate::from_ymd_opt(2026, 11, 18).unwrap(),
                4 * 3_600_000
            ))
        );
        assert_eq!(slowest_day(&spells[2..], period, now), None);
        let mut cp = Checkpoint::default();
        cp.slow_spell("web", true, at("2026-11-17T08:00:00-03:00"));
        cp.slow_spell("web", true, at("2026-11-17T08:05:00-03:00"));
        cp.slow_spell("web", false, at("2026-11-17T10:00:00-03:00"));
        assert_eq!(cp.slow_spells["web"], spells[..1]);
    }
}
