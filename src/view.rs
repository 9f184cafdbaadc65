//! What `vigia status` knows, computed once and rendered twice: [`StatusView::build`]
//! derives it (pure: the command passes the checkpoint, the log's [`Summary`], the stamp
//! of the last check, what the config or roster says and `now`); [`render_text`] shows
//! it to a person and [`render_json`] to a script (contract: README "vigia status
//! --json"). Times on this machine's clock may lie after `now` when the clock went back
//! (NTP stepping, an RTC fixed): such an age is [`Elapsed::Ahead`], never a negative or
//! invented duration.

use std::fmt;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde_json::{json, Value};

use crate::checkpoint::{Checkpoint, Gap, Pending};
use crate::config::format_duration;
use crate::history::{Summary, TargetReport, Transition, WINDOWS};
use crate::transition::CONNECTIVITY;
use crate::translog::{Entry, State};

/// The timer runs every minute and a run lasts under one: older than this, the checker
/// itself has stopped.
pub const STALE_AFTER: TimeDelta = TimeDelta::minutes(3);

/// How many targets were up of how many: the `1/3 up` of the stamp, the unit's status
/// line and the exit code's reckoning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpCount {
    pub up: usize,
    pub of: usize,
}

impl UpCount {
    /// Counts `ups`, one per target: whether it is up.
    pub fn of(ups: impl IntoIterator<Item = bool>) -> UpCount {
        ups.into_iter()
            .fold(UpCount { up: 0, of: 0 }, |c, up| UpCount {
                up: c.up + usize::from(up),
                of: c.of + 1,
            })
    }

    #[cfg(test)]
    pub fn down(self) -> usize {
        self.of - self.up
    }

    #[cfg(test)]
    pub fn all_up(self) -> bool {
        self.up == self.of
    }

    /// Reads back what [`Display`](fmt::Display) wrote (`1/3 up`).
    pub fn parse(text: &str) -> Option<UpCount> {
        let (up, of) = text.strip_suffix(" up")?.split_once('/')?;
        let (up, of) = (up.parse().ok()?, of.parse().ok()?);
        (up <= of).then_some(UpCount { up, of })
    }
}

impl fmt::Display for UpCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} up", self.up, self.of)
    }
}

/// How long ago a time on this machine's clock was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elapsed {
    /// This long ago (not negative).
    Ago(TimeDelta),
    /// After now, by this much: the clock went back since; how long ago is unknown.
    Ahead(TimeDelta),
}

impl Elapsed {
    pub fn between(then: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> Elapsed {
        let delta = now - then;
        if delta < TimeDelta::zero() {
            Elapsed::Ahead(-delta)
        } else {
            Elapsed::Ago(delta)
        }
    }

    /// How long ago, when known.
    pub fn known(self) -> Option<TimeDelta> {
        match self {
            Elapsed::Ago(d) => Some(d),
            Elapsed::Ahead(_) => None,
        }
    }
}

/// One configured target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetView {
    pub name: String,
    pub url: String,
    /// The last transition; `None` when never checked.
    pub last: Option<Entry>,
    /// Since when it is in that state.
    pub lasted: Option<Elapsed>,
    /// Per window of [`WINDOWS`], in percent.
    pub uptime: Vec<Option<f64>>,
    pub muted: Option<MuteView>,
    pub certificate: Option<CertView>,
    /// Per window of [`WINDOWS`], the percent of it covered by checks.
    pub coverage: Vec<Option<f64>>,
    /// A different state found by runs that have not confirmed it yet.
    pub pending: Option<Pending>,
    /// Since when it flaps, and its changes within the flapping window.
    pub flapping: Option<(DateTime<FixedOffset>, usize)>,
    /// Since when it answers slowly, and how long the answer took then.
    pub slow: Option<(DateTime<FixedOffset>, u64)>,
    /// Who took its current outage on (`vigia ack`).
    pub ack: Option<AckView>,
    /// The `[[maintenance]]` window it is in, else its next; `None` without the config.
    pub maintenance: Option<MaintenanceView>,
    /// Its registered domain, when `domain_warn_days` watches it and RDAP told its
    /// expiry.
    pub domain: Option<DomainView>,
    /// The spans the summary measured (see [`crate::page::spans`]): the day cells of the
    /// bars, then 90 days; empty when not asked for.
    pub spans: Vec<crate::history::SpanFigures>,
}

/// A registered domain and when it expires, as RDAP last said.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainView {
    pub name: String,
    pub expires: DateTime<FixedOffset>,
    pub days_left: i64,
}

/// An acknowledged outage: by whom, when, why.
#[derive(Clone, Debug, PartialEq)]
pub struct AckView {
    pub by: String,
    pub at: DateTime<FixedOffset>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MuteView {
    /// `None`: until `vigia unmute`.
    pub until: Option<DateTime<FixedOffset>>,
    pub reason: Option<String>,
    /// Set by a maintenance window, not by hand.
    pub maintenance: bool,
}

/// A maintenance window of a target: the one it is in (`active`), else the next.
#[derive(Clone, Debug, PartialEq)]
pub struct MaintenanceView {
    pub active: bool,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub reason: Option<String>,
}

/// The certificate the last run saw.
#[derive(Clone, Debug, PartialEq)]
pub struct CertView {
    pub not_after: DateTime<FixedOffset>,
    pub days_left: i64,
}

/// The messages waiting for Telegram and those it refused for good.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxView {
    /// Why the checkpoint could not be read (then nothing else here is known).
    pub unreadable: Option<String>,
    pub waiting: usize,
    pub oldest: Option<DateTime<FixedOffset>>,
    pub last_error: Option<String>,
    /// (id, created, why Telegram refused it)
    pub set_aside: Vec<(u64, DateTime<FixedOffset>, String)>,
}

/// This machine's own connectivity as last judged by the canaries.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectivityView {
    pub canaries: usize,
    pub state: State,
    /// The last judgement's time; `None` while it never went offline.
    pub since: Option<DateTime<FixedOffset>>,
    pub lasted: Option<Elapsed>,
}

/// The stamp the last check left.
#[derive(Clone, Debug, PartialEq)]
pub struct LastCheck {
    pub at: DateTime<FixedOffset>,
    pub summary: String,
    pub elapsed: Elapsed,
    /// Older than [`STALE_AFTER`], or after now (the clock went back: nothing says that
    /// checks still run).
    pub stale: bool,
}

/// Everything `status` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusView {
    pub now: DateTime<FixedOffset>,
    pub targets: Vec<TargetView>,
    /// Targets in the log but no longer configured, with their last entry.
    pub removed: Vec<Entry>,
    /// Newest first.
    pub history: Vec<Transition>,
    pub outbox: OutboxView,
    pub connectivity: ConnectivityView,
    pub last_check: Option<LastCheck>,
    /// Per window of [`WINDOWS`], how long vigia itself was not running in it.
    pub not_running: Vec<TimeDelta>,
}

impl TargetView {
    /// One target as the log's summary and the checkpoint tell it.
    fn build(t: TargetReport, cp: &Checkpoint, now: DateTime<FixedOffset>) -> TargetView {
        let domain = domain_view(&t.url, cp, now);
        TargetView {
            domain,
            lasted: t.last.as_ref().map(|e| Elapsed::between(e.at, now)),
            muted: cp.mutes.get(&t.name).map(|m| MuteView {
                until: m.until,
                reason: m.reason.clone(),
                maintenance: m.maintenance,
            }),
            certificate: cp
                .certs
                .get(&t.name)
                .and_then(|c| c.first())
                .map(|c| CertView {
                    not_after: c.not_after,
                    days_left: crate::cert::days_left(c.not_after, now),
                }),
            pending: cp.pending.get(&t.name).cloned(),
            flapping: cp
                .flaps
                .get(&t.name)
                .and_then(|f| Some((f.since?, f.changes.len()))),
            slow: cp
                .slow
                .get(&t.name)
                .filter(|s| s.slow)
                .and_then(|s| Some((s.since?, s.elapsed_ms))),
            ack: cp.acks.get(&t.name).map(|a| AckView {
                by: a.by.clone(),
                at: a.at,
                reason: a.reason.clone(),
            }),
            name: t.name,
            url: t.url,
            last: t.last,
            uptime: t.uptime,
            coverage: t.coverage,
            maintenance: None,
            spans: t.spans,
        }
    }
}

/// What the state directory and the config or roster told, for [`StatusView::build`].
pub struct Sources<'a> {
    pub checkpoint: &'a Checkpoint,
    /// Why the checkpoint could not be read (then `checkpoint` is empty).
    pub unreadable: Option<String>,
    /// How many canaries the config lists.
    pub canaries: usize,
    /// The stamp of the last check: when, and its summary.
    pub last_check: Option<(DateTime<FixedOffset>, String)>,
    /// When vigia was not running, up to now (see [`crate::coverage::gaps_until`]).
    pub gaps: &'a [Gap],
}

impl StatusView {
    pub fn build(summary: Summary, sources: Sources, now: DateTime<FixedOffset>) -> StatusView {
        let cp = sources.checkpoint;
        let targets = summary
            .targets
            .into_iter()
            .map(|t| TargetView::build(t, cp, now))
            .collect();
        let outbox = OutboxView {
            unreadable: sources.unreadable,
            waiting: cp.queue.len(),
            oldest: cp.queue.first().map(|q| q.created),
            last_error: cp.queue.iter().find_map(|q| q.last_error.clone()),
            set_aside: cp
                .set_aside
                .iter()
                .map(|q| {
                    let why = q.last_error.as_deref().unwrap_or("refused");
                    (q.id, q.created, why.to_owned())
                })
                .collect(),
        };
        let seen = cp.targets.get(CONNECTIVITY);
        let connectivity = ConnectivityView {
            canaries: sources.canaries,
            state: seen.map_or(State::Online, |e| e.state),
            since: seen.map(|e| e.at),
            lasted: seen.map(|e| Elapsed::between(e.at, now)),
        };
        let last_check = sources.last_check.map(|(at, words)| {
            let elapsed = Elapsed::between(at, now);
            LastCheck {
                at,
                // The stamp's count, in the words its one owner gives it.
                summary: UpCount::parse(&words).map_or(words, |c| c.to_string()),
                elapsed,
                stale: elapsed.known().is_none_or(|d| d > STALE_AFTER),
            }
        });
        let not_running = WINDOWS
            .iter()
            .map(|(_, span)| {
                sources
                    .gaps
                    .iter()
                    .map(|g| g.overlap(now - *span, now))
                    .sum()
            })
            .collect();
        StatusView {
            now,
            targets,
            removed: summary.removed,
            history: summary.history,
            outbox,
            connectivity,
            last_check,
            not_running,
        }
    }

    /// Whether a time shown lies after now while the last check does not say so.
    fn other_times_ahead(&self) -> bool {
        let ahead = |e: &Option<Elapsed>| matches!(e, Some(Elapsed::Ahead(_)));
        let check_ahead = self.last_check.as_ref().map(|c| c.elapsed);
        !ahead(&check_ahead)
            && (self.targets.iter().any(|t| ahead(&t.lasted))
                || ahead(&self.connectivity.lasted)
                || self.history.iter().any(|t| t.lasted.is_none()))
    }
}

fn stamp(at: DateTime<FixedOffset>) -> String {
    crate::util::show_time(at)
}

/// A duration as the text shows it: at least one second.
fn age(delta: TimeDelta) -> String {
    format_duration(
        delta
            .to_std()
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1)),
    )
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}%"))
}

/// Colours a cell (green for good, red for bad) where the terminal shows colour.
pub type Paint<'a> = &'a dyn Fn(&str, bool) -> String;

/// The text `vigia status` prints.
pub fn render_text(view: &StatusView, paint: Paint) -> String {
    let mut out = String::new();
    table(&mut out, view, paint);
    day_bars(&mut out, view, paint);
    not_running(&mut out, view);
    watched(&mut out, view, paint);
    mutes_and_certificates(&mut out, view);
    domains(&mut out, view);
    acks(&mut out, view);
    maintenance_windows(&mut out, view);
    connectivity(&mut out, &view.connectivity, paint);
    if !view.removed.is_empty() {
        let names: Vec<String> = view
            .removed
            .iter()
            .map(|e| format!("{} ({})", e.target, e.state.as_str()))
            .collect();
        line(
            &mut out,
            format!(
                "\nIn the log but no longer configured: {}",
                names.join(", ")
            ),
        );
    }
    history(&mut out, &view.history);
    line(&mut out, String::new());
    outbox(&mut out, &view.outbox);
    last_check(&mut out, view.last_check.as_ref(), paint);
    if view.other_times_ahead() {
        let note = "Note: some times above are dated after now: this machine's clock went \
                    back (NTP? the RTC?); how long those states lasted is unknown.";
        line(&mut out, paint(note, false));
    }
    out
}

fn line(out: &mut String, text: String) {
    out.push_str(&text);
    out.push('\n');
}

/// The targets' table, its columns as wide as their widest cell.
fn table(out: &mut String, view: &StatusView, paint: Paint) {
    let head = [
        "TARGET", "STATE", "SINCE", "FOR", "24H", "7D", "30D", "REASON",
    ];
    let mut rows = vec![head.map(str::to_owned)];
    let mut states = vec![None];
    for t in &view.targets {
        let (state, since, reason) = match &t.last {
            Some(e) => (e.state.as_str().to_owned(), stamp(e.at), e.text.clone()),
            None => ("-".to_owned(), "never checked".to_owned(), String::new()),
        };
        let lasted = t
            .lasted
            .and_then(Elapsed::known)
            .map_or("-".to_owned(), age);
        states.push(t.last.as_ref().map(|e| e.state));
        let [day, week, month] = [0, 1, 2].map(|i| percent(t.uptime[i]));
        rows.push([
            t.name.clone(),
            state,
            since,
            lasted,
            day,
            week,
            month,
            reason,
        ]);
    }
    let widths: Vec<usize> = (0..head.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (row, state) in rows.iter().zip(&states) {
        let mut text = String::new();
        for (c, cell) in row.iter().enumerate() {
            let padded = if c == head.len() - 1 {
                cell.clone()
            } else {
                format!("{cell:<w$}  ", w = widths[c])
            };
            text.push_str(&match (c, state) {
                (1, Some(s)) => paint(&padded, *s == State::Online),
                _ => padded,
            });
        }
        line(out, text.trim_end().to_owned());
    }
    if view.targets.is_empty() {
        line(out, "(no targets configured)".to_owned());
    }
}

/// How long vigia was not running in each window, when it was not running at all.
fn not_running(out: &mut String, view: &StatusView) {
    if view.not_running.iter().all(|d| *d <= TimeDelta::zero()) {
        return;
    }
    let spans: Vec<String> = WINDOWS
        .iter()
        .zip(&view.not_running)
        .map(|((name, _), gap)| format!("{} of the last {name}", age(*gap)))
        .collect();
    line(
        out,
        format!(
            "vigia was not running for {}: that time is no data, and uptime counts the covered time only.",
            spans.join(", ")
        ),
    );
}

/// Targets whose state is not settled: unconfirmed, flapping or slow.
fn watched(out: &mut String, view: &StatusView, paint: Paint) {
    for t in &view.targets {
        if let Some(p) = &t.pending {
            let text = format!(
                "{} is pending {}: {} of {} check(s) in a row since {}, not confirmed yet.",
                t.name,
                p.state.as_str(),
                p.runs,
                p.of,
                stamp(p.since)
            );
            line(out, paint(&text, p.state == State::Online));
        }
        if let Some((since, changes)) = t.flapping {
            let text = format!(
                "{} is FLAPPING since {}: {changes} changes in the window; they are logged, not alerted one by one.",
                t.name,
                stamp(since)
            );
            line(out, paint(&text, false));
        }
        if let Some((since, ms)) = t.slow {
            let text = format!(
                "{} is SLOW since {} ({ms} ms then); it counts as up.",
                t.name,
                stamp(since)
            );
            line(out, paint(&text, false));
        }
    }
}

fn mutes_and_certificates(out: &mut String, view: &StatusView) {
    for t in &view.targets {
        if let Some(m) = &t.muted {
            let until = m.until.map_or_else(
                || "until 'vigia unmute'".to_owned(),
                |u| format!("until {}", stamp(u)),
            );
            let why = m
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            line(
                out,
                format!(
                    "{} is muted {until}{why}: nothing is sent about it.",
                    t.name
                ),
            );
        }
    }
    let certs: Vec<String> = view
        .targets
        .iter()
        .filter_map(|t| {
            let c = t.certificate.as_ref()?;
            Some(format!(
                "{} {} day(s) left (until {})",
                t.name,
                c.days_left,
                stamp(c.not_after)
            ))
        })
        .collect();
    if !certs.is_empty() {
        line(out, format!("Certificates: {}.", certs.join("; ")));
    }
}

/// A target's registered domain and its expiry, from the checkpoint (by its URL: the
/// config is not needed).
fn domain_view(url: &str, cp: &Checkpoint, now: DateTime<FixedOffset>) -> Option<DomainView> {
    let name = crate::rdap::domain_of_url(url)?;
    let expires = cp.domains.get(&name)?.expires?;
    Some(DomainView {
        days_left: crate::cert::days_left(expires, now),
        name,
        expires,
    })
}

/// One line for the registered domains and the days they have left.
fn domains(out: &mut String, view: &StatusView) {
    let mut seen = std::collections::BTreeMap::new();
    for d in view.targets.iter().filter_map(|t| t.domain.as_ref()) {
        seen.entry(d.name.clone()).or_insert(d);
    }
    let said: Vec<String> = seen
        .values()
        .map(|d| {
            format!(
                "{} {} day(s) left (until {})",
                d.name,
                d.days_left,
                stamp(d.expires)
            )
        })
        .collect();
    if !said.is_empty() {
        line(out, format!("Domains: {}.", said.join("; ")));
    }
}

/// One line per acknowledged outage: who, when, why.
fn acks(out: &mut String, view: &StatusView) {
    for t in &view.targets {
        if let Some(a) = &t.ack {
            let why = a
                .reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            line(
                out,
                format!(
                    "{} was acknowledged by {} at {}{why}: no reminders until it is UP again.",
                    t.name,
                    a.by,
                    stamp(a.at)
                ),
            );
        }
    }
}

fn connectivity(out: &mut String, c: &ConnectivityView, paint: Paint) {
    match (c.state, c.since) {
        (State::Offline, Some(since)) => {
            let lasted = match c.lasted.and_then(Elapsed::known) {
                Some(d) => age(d),
                None => "dated after now".to_owned(),
            };
            let text = format!(
                "Connectivity: OFFLINE since {} ({lasted}): every canary fails; failing targets are not judged.",
                stamp(since),
            );
            line(out, format!("\n{}", paint(&text, false)));
        }
        _ if c.canaries > 0 => line(
            out,
            format!(
                "\nConnectivity: online (judged by {} canar{}).",
                c.canaries,
                if c.canaries == 1 { "y" } else { "ies" }
            ),
        ),
        _ => {}
    }
}

fn history(out: &mut String, history: &[Transition]) {
    line(out, "\nRecent transitions (newest first):".to_owned());
    if history.is_empty() {
        line(out, "  none yet".to_owned());
    }
    let name_width = history
        .iter()
        .map(|t| t.entry.target.len())
        .max()
        .unwrap_or(0);
    for t in history {
        let lasted = match (t.lasted, t.current) {
            (Some(d), true) => format!("for {} so far", age(d)),
            (Some(d), false) => format!("lasted {}", age(d)),
            (None, true) => "for an unknown time so far".to_owned(),
            (None, false) => "lasted an unknown time".to_owned(),
        };
        line(
            out,
            format!(
                "  {}  {:name_width$}  {:<7}  {}  [{lasted}]",
                stamp(t.entry.at),
                t.entry.target,
                t.entry.state.as_str(),
                t.entry.text
            ),
        );
    }
}

fn outbox(out: &mut String, o: &OutboxView) {
    match (&o.unreadable, o.oldest) {
        (Some(why), _) => line(out, format!("Outbox: unknown, {why}.")),
        (None, None) => line(out, "Outbox: empty, every alert was delivered.".to_owned()),
        (None, Some(oldest)) => {
            line(
                out,
                format!(
                    "Outbox: {} message(s) waiting since {}.",
                    o.waiting,
                    stamp(oldest)
                ),
            );
            if let Some(error) = &o.last_error {
                line(out, format!("  last delivery error: {error}"));
            }
        }
    }
    if !o.set_aside.is_empty() {
        line(
            out,
            format!(
                "Set aside: {} message(s) Telegram refused for good; see 'vigia outbox'.",
                o.set_aside.len()
            ),
        );
        for (id, created, why) in &o.set_aside {
            line(out, format!("  {id} ({}): {why}", stamp(*created)));
        }
    }
}

fn last_check(out: &mut String, check: Option<&LastCheck>, paint: Paint) {
    let Some(c) = check else {
        line(out, "Last check: none recorded yet.".to_owned());
        return;
    };
    let (when, warning) = match c.elapsed {
        Elapsed::Ago(d) => (
            format!("{} ago", age(d)),
            format!(
                "WARNING: no check for {}: is the timer running? Try: systemctl status vigia.timer",
                age(d)
            ),
        ),
        Elapsed::Ahead(d) => (
            format!("{} after now", age(d)),
            format!(
                "WARNING: the last check is dated {} after now: this machine's clock went back \
                 (NTP? the RTC?), and no check since says the timer still runs. \
                 Try: timedatectl; systemctl status vigia.timer",
                age(d)
            ),
        ),
    };
    line(
        out,
        format!("Last check: {} ({when}), {}.", stamp(c.at), c.summary),
    );
    if c.stale {
        line(out, paint(&warning, false));
    }
}

fn entry_json(e: &Entry) -> Value {
    json!({"at": e.at.to_rfc3339(), "target": e.target, "state": e.state.as_str(), "text": e.text})
}

/// Whole seconds of a known, non-negative duration; `None` (JSON `null`) otherwise.
fn seconds(delta: Option<TimeDelta>) -> Option<i64> {
    delta.map(|d| d.num_seconds()).filter(|s| *s >= 0)
}

/// The `--json` document (contract: README "vigia status --json"): no duration or age
/// in it is negative; an unknown one is `null`.
pub fn render_json(view: &StatusView) -> Value {
    let targets: Vec<Value> = view.targets.iter().map(target_json).collect();
    let history: Vec<Value> = view
        .history
        .iter()
        .map(|t| {
            let mut v = entry_json(&t.entry);
            v["lasted_seconds"] = json!(seconds(t.lasted));
            v["current"] = json!(t.current);
            v
        })
        .collect();
    let o = &view.outbox;
    let c = &view.connectivity;
    json!({
        "now": view.now.to_rfc3339(),
        "targets": targets,
        "removed": view.removed.iter().map(entry_json).collect::<Vec<_>>(),
        "history": history,
        "outbox": {
            "waiting": o.waiting,
            "oldest": o.oldest.map(|t| t.to_rfc3339()),
            "last_error": o.last_error,
            "set_aside": o.set_aside.len(),
            "unreadable": o.unreadable,
        },
        "connectivity": {
            "canaries": c.canaries,
            "state": c.state.as_str(),
            "since": c.since.map(|t| t.to_rfc3339()),
        },
        "last_check": view.last_check.as_ref().map(|c| json!({
            "at": c.at.to_rfc3339(),
            "age_seconds": seconds(c.elapsed.known()),
            "summary": c.summary,
            "stale": c.stale,
            "clock_behind_seconds": match c.elapsed {
                Elapsed::Ahead(d) => Some(d.num_seconds()),
                Elapsed::Ago(_) => None,
            },
        })),
    })
}

/// A percent per window: `{"24h": 99.5, "7d": …, "30d": …}`, to three decimals.
fn per_window(values: &[Option<f64>]) -> serde_json::Map<String, Value> {
    WINDOWS
        .iter()
        .zip(values)
        .map(|((name, _), v)| {
            let rounded = v.map(|p| (p * 1000.0).round() / 1000.0);
            ((*name).to_owned(), json!(rounded))
        })
        .collect()
}

fn target_json(t: &TargetView) -> Value {
    let mut out = target_json_base(t);
    // Only where a domain is watched, last: the documented keys stay as they were.
    if let (Some(d), Some(map)) = (&t.domain, out.as_object_mut()) {
        map.insert(
            "domain".into(),
            json!({
                "name": d.name,
                "expires": d.expires.to_rfc3339(),
                "days_left": d.days_left,
            }),
        );
    }
    out
}

fn target_json_base(t: &TargetView) -> Value {
    json!({
        "name": t.name,
        "url": t.url,
        "state": t.last.as_ref().map(|e| e.state.as_str()),
        "since": t.last.as_ref().map(|e| e.at.to_rfc3339()),
        "for_seconds": seconds(t.lasted.and_then(Elapsed::known)),
        "reason": t.last.as_ref().map(|e| e.text.clone()),
        "uptime_percent": per_window(&t.uptime),
        "coverage_percent": per_window(&t.coverage),
        "pending": t.pending.as_ref().map(|p| json!({
            "state": p.state.as_str(),
            "runs": p.runs,
            "of": p.of,
            "since": p.since.to_rfc3339(),
        })),
        "flapping": t.flapping.map(|(since, changes)| json!({
            "since": since.to_rfc3339(),
            "changes": changes,
        })),
        "slow": t.slow.map(|(since, ms)| json!({
            "since": since.to_rfc3339(),
            "elapsed_ms": ms,
        })),
        "muted": t.muted.as_ref().map(|m| json!({
            "until": m.until.map(|u| u.to_rfc3339()),
            "reason": m.reason,
            "maintenance": m.maintenance,
        })),
        "certificate": t.certificate.as_ref().map(|c| json!({
            "not_after": c.not_after.to_rfc3339(),
            "days_left": c.days_left,
        })),
        "ack": t.ack.as_ref().map(|a| json!({
            "by": a.by,
            "at": a.at.to_rfc3339(),
            "reason": a.reason,
        })),
        "maintenance": t.maintenance.as_ref().map(|m| json!({
            "active": m.active,
            "start": m.start.to_rfc3339(),
            "end": m.end.to_rfc3339(),
            "reason": m.reason,
        })),
    })
}

impl StatusView {
    /// Shows each target's maintenance window, the one it is in or the next, as
    /// `window_of` finds it (from the config's `[[maintenance]]`).
    pub fn set_maintenance(&mut self, window_of: impl Fn(&str) -> Option<MaintenanceView>) {
        for t in &mut self.targets {
            t.maintenance = window_of(&t.name);
        }
    }
}

/// One line per target with a maintenance window: the one it is in, else the next.
fn maintenance_windows(out: &mut String, view: &StatusView) {
    for t in &view.targets {
        let Some(m) = &t.maintenance else {
            continue;
        };
        let why = m
            .reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let text = match m.active {
            true => format!(
                "{} is in a maintenance window until {}{why}.",
                t.name,
                stamp(m.end)
            ),
            false => format!(
                "{}'s next maintenance window: {} for {}{why}.",
                t.name,
                stamp(m.start),
                format_duration((m.end - m.start).to_std().unwrap_or_default())
            ),
        };
        line(out, text);
    }
}

/// Per target, a bar of the last [`crate::page::TERMINAL_DAYS`] days, one character a
/// day in the status page's cells' meaning ([`crate::page::Cell`]); green only when up.
fn day_bars(out: &mut String, view: &StatusView, paint: Paint) {
    use crate::page::{days, Cell, TERMINAL_DAYS};
    // Nothing known of any day yet (a fresh install): no bar of dots.
    if view
        .targets
        .iter()
        .all(|t| days(t).iter().all(|d| d.known_ms == 0))
    {
        return;
    }
    line(
        out,
        format!(
            "\nLast {TERMINAL_DAYS} days, oldest first (\u{2588} up, \u{2585} 95% or more, \u{2582} less, \u{b7} no data):"
        ),
    );
    let width = view
        .targets
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    for t in &view.targets {
        let days = days(t);
        let recent = &days[days.len().saturating_sub(TERMINAL_DAYS)..];
        let mut bar = String::new();
        for day in recent {
            let cell = Cell::of(day);
            let block = cell.block().to_string();
            bar.push_str(&match cell {
                Cell::NoData => block,
                cell => paint(&block, cell == Cell::Up),
            });
        }
        line(out, format!("{:width$}  {bar}", t.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Mute;
    use crate::fixtures::{at, entry as e};
    use crate::history::summarize;

    const NOW: &str = "2026-11-25T12:00:00Z";

    fn view(log: &[Entry], checkpoint: &Checkpoint, stamp: Option<&str>) -> StatusView {
        let summary = summarize(log, &[("web", "http://w/")], at(NOW), 10);
        let sources = Sources {
            checkpoint,
            unreadable: None,
            canaries: 0,
            last_check: stamp.map(|s| (at(s), "1/1 up".to_owned())),
            gaps: &[],
        };
        StatusView::build(summary, sources, at(NOW))
    }

    fn plain(text: &str, _good: bool) -> String {
        text.to_owned()
    }

    /// Every number in a JSON document.
    fn numbers(doc: &Value) -> Vec<f64> {
        match doc {
            Value::Number(n) => vec![n.as_f64().unwrap()],
            Value::Array(v) => v.iter().flat_map(numbers).collect(),
            Value::Object(m) => m.values().flat_map(numbers).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn up_count_has_one_spelling_read_back_as_written() {
        let count = UpCount::of([true, false, true]);
        assert_eq!((count.up, count.of, count.down()), (2, 3, 1));
        assert_eq!(count.to_string(), "2/3 up");
        assert_eq!(UpCount::parse("2/3 up"), Some(count));
        assert!(UpCount::of([]).all_up() && !count.all_up());
        for odd in ["", "2/3", "3/2 up", "a/3 up", "2/3 up!"] {
            assert_eq!(UpCount::parse(odd), None, "{odd:?}");
        }
    }

    #[test]
    fn elapsed_is_never_negative() {
        let now = at(NOW);
        let hour = TimeDelta::hours(1);
        assert_eq!(Elapsed::between(now - hour, now), Elapsed::Ago(hour));
        assert_eq!(Elapsed::between(now, now), Elapsed::Ago(TimeDelta::zero()));
        assert_eq!(Elapsed::between(now + hour, now), Elapsed::Ahead(hour));
        assert_eq!(Elapsed::between(now + hour, now).known(), None);
    }

    #[test]
    fn a_last_check_is_stale_when_old_or_after_now() {
        let cp = Checkpoint::default();
        let stale = |stamp| view(&[], &cp, Some(stamp)).last_check.unwrap().stale;
        assert!(!stale("2026-11-25T11:59:00Z"));
        assert!(!stale("2026-11-25T11:57:00Z"), "exactly three minutes");
        assert!(stale("2026-11-25T11:56:59Z"));
        assert!(stale("2026-11-25T12:00:01Z"), "one second after now");
        let ahead = view(&[], &cp, Some("2026-11-25T13:08:00Z"));
        let json = render_json(&ahead);
        assert_eq!(json["last_check"]["clock_behind_seconds"], 4080);
        assert_eq!(json["last_check"]["age_seconds"], Value::Null);
        let text = render_text(&ahead, &plain);
        assert!(text.contains("(1h8m after now)"), "{text}");
        assert!(text.contains("WARNING: the last check is dated 1h8m after now"));
        assert!(!text.contains("Note:"), "said once: {text}");
    }

    #[test]
    fn times_after_now_have_no_duration_in_either_rendering() {
        let mut cp = Checkpoint::default();
        let offline = e("2026-11-25T12:30:00Z", State::Offline, CONNECTIVITY);
        cp.targets.insert(CONNECTIVITY.into(), offline);
        cp.mutes.insert(
            "web".into(),
            Mute {
                since: at("2026-11-25T12:20:00Z"),
                until: None,
                reason: None,
                state: None,
                maintenance: false,
            },
        );
        let log = [
            e("2026-11-25T10:00:00Z", State::Online, "web"),
            e("2026-11-25T12:40:00Z", State::Offline, "web"),
        ];
        // The check after the jump is the last one: only the other times are ahead.
        let v = view(&log, &cp, Some("2026-11-25T11:59:30Z"));
        assert_eq!(
            v.targets[0].lasted,
            Some(Elapsed::Ahead(TimeDelta::minutes(40)))
        );
        let json = render_json(&v);
        assert!(numbers(&json).iter().all(|n| *n >= 0.0), "{json:#}");
        assert_eq!(json["targets"][0]["for_seconds"], Value::Null);
        assert_eq!(json["history"][0]["lasted_seconds"], Value::Null);
        assert_eq!(json["history"][1]["lasted_seconds"], 2 * 3600 + 40 * 60);
        assert_eq!(json["last_check"]["stale"], false);
        let text = render_text(&v, &plain);
        let row = text.lines().nth(1).unwrap();
        assert!(row.contains("2026-11-25 12:40:00 +00:00  -  "), "{row}");
        for said in [
            "OFFLINE since 2026-11-25 12:30:00 +00:00 (dated after now)",
            "[for an unknown time so far]",
            "[lasted 2h40m]",
            "Note: some times above are dated after now",
        ] {
            assert!(text.contains(said), "{said:?} in:\n{text}");
        }
        assert_eq!(text.matches("clock went").count(), 1, "{text}");
    }

    #[test]
    fn an_acknowledged_outage_shows_who_when_and_why_in_both_renderings() {
        let mut cp = Checkpoint::default();
        let down = e("2026-11-25T11:00:00Z", State::Offline, "web");
        cp.record(down.clone());
        let none = view(std::slice::from_ref(&down), &cp, None);
        assert_eq!(render_json(&none)["targets"][0]["ack"], Value::Null);
        assert!(!render_text(&none, &plain).contains("acknowledged"));
        cp.ack(
            &["web".to_owned()],
            "ana",
            Some("disk swap".into()),
            at("2026-11-25T11:30:00Z"),
        )
        .unwrap();
        let v = view(&[down], &cp, None);
        assert_eq!(
            render_json(&v)["targets"][0]["ack"],
            json!({"by": "ana", "at": "2026-11-25T11:30:00+00:00", "reason": "disk swap"})
        );
        let text = render_text(&v, &plain);
        assert!(
            text.contains(
                "\nweb was acknowledged by ana at 2026-11-25 11:30:00 +00:00 (disk swap): \
                 no reminders until it is UP again.\n"
            ),
            "{text}"
        );
    }
}
