//! What the transition log says over time: each target's current state and uptime per
//! window, and the recent transitions. Computed in one pass while the log is read
//! backwards ([`Summarizer`]), keeping only what the output needs — one running sum per
//! target and window, the last `--history` transitions, the newest line of each target
//! no longer configured — so memory does not grow with the log: two million
//! transitions in the window cost what a hundred do. Reading stops once every window
//! of every target is covered and the history is full.

use std::collections::HashMap;
use std::fs::File;
use std::io;

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::checkpoint::Gap;
use crate::translog::{scan_backwards, Entry, State};

/// The uptime windows `status` reports, longest last.
pub const WINDOWS: [(&str, TimeDelta); 3] = [
    ("24h", TimeDelta::hours(24)),
    ("7d", TimeDelta::days(7)),
    ("30d", TimeDelta::days(30)),
];

/// One configured target as `status` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetReport {
    pub name: String,
    pub url: String,
    /// The last transition; `None` when the log has never seen the target.
    pub last: Option<Entry>,
    /// Uptime per window of [`WINDOWS`], in percent of the time covered; `None` when
    /// no time in the window is known (before a target's first line nothing is, nor
    /// while vigia was not running).
    pub uptime: Vec<Option<f64>>,
    /// Per window, the percent of it covered by checks: after the target's first line
    /// and outside the gaps when vigia was not running; `None` with `uptime`.
    pub coverage: Vec<Option<f64>>,
    /// Per span asked with [`Summarizer::with_spans`] (the status page's days, the
    /// report's period), what is known of it.
    pub spans: Vec<SpanFigures>,
}

/// What the log says of one target in one span of time (a day of the status page's bar,
/// the report's period); gaps when vigia was not running are no data, as in the windows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpanFigures {
    /// Milliseconds of the span known (after the first line, outside the gaps).
    pub known_ms: i64,
    /// Of those, milliseconds up.
    pub up_ms: i64,
    /// OFFLINE states that overlap the span.
    pub outages: usize,
    /// The longest of them inside the span, in milliseconds known.
    pub longest_down_ms: i64,
}

impl SpanFigures {
    /// Percent up of the time known; `None` when nothing is known.
    pub fn uptime(&self) -> Option<f64> {
        (self.known_ms > 0).then(|| self.up_ms as f64 * 100.0 / self.known_ms as f64)
    }

    /// Milliseconds known and down.
    pub fn down_ms(&self) -> i64 {
        self.known_ms - self.up_ms
    }
}

/// One transition in the history, with how long the state lasted (until the target's
/// next transition, or until now).
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub entry: Entry,
    /// `None` when its end is dated before it (the clock went back in between): how
    /// long it lasted is unknown, and never a negative time.
    pub lasted: Option<TimeDelta>,
    /// Still the target's current state.
    pub current: bool,
}

/// Everything `status` says about the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub targets: Vec<TargetReport>,
    /// Targets found in the tail of the log that are no longer configured, with their last entry.
    pub removed: Vec<Entry>,
    /// Newest first.
    pub history: Vec<Transition>,
}

/// A name vigia keeps for itself in the log (`@connectivity`), never a target's.
fn is_reserved(name: &str) -> bool {
    name.starts_with('@')
}

/// What is known of one target (or reserved name) so far in the backward pass.
#[derive(Default)]
struct Running {
    newest: Option<Entry>,
    /// When the state of the line being read ended: the next newer line's time.
    until: Option<DateTime<FixedOffset>>,
    /// The earliest time of the lines counted so far.
    counted_from: Option<DateTime<FixedOffset>>,
    /// Milliseconds known, and up, per window.
    known: [i64; WINDOWS.len()],
    up: [i64; WINDOWS.len()],
    /// A line older than every window was read: nothing older matters.
    covered: bool,
    /// The state the checkpoint kept, still to be met in the log (then skipped once).
    kept: Option<Entry>,
    /// Per span of [`Summarizer::with_spans`].
    spans: Vec<SpanFigures>,
}

/// The summary, fed the log's lines newest first.
pub struct Summarizer<'a> {
    targets: &'a [(&'a str, &'a str)],
    /// When vigia was not running: no data.
    gaps: &'a [Gap],
    now: DateTime<FixedOffset>,
    history_len: usize,
    running: HashMap<String, Running>,
    removed: HashMap<String, Entry>,
    history: Vec<Transition>,
    /// The checkpoint's states, newest first, with how long each has lasted: merged into
    /// the history in time order.
    kept: Vec<(Entry, Option<TimeDelta>)>,
    /// Spans of time to measure besides the windows, and the oldest time any of them
    /// or the windows needs: a line older than it covers a target.
    spans: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    horizon: DateTime<FixedOffset>,
    /// The spans' indices by their end: a line is counted only in the spans that end
    /// after it (a few of the page's 90 days, for most lines).
    by_end: Vec<usize>,
}

impl<'a> Summarizer<'a> {
    /// `kept`: each target's last state from the checkpoint. One newer than anything the
    /// log holds for the target (the log was rotated) counts as the newest line.
    pub fn new(
        targets: &'a [(&'a str, &'a str)],
        kept: &[Entry],
        gaps: &'a [Gap],
        now: DateTime<FixedOffset>,
        history_len: usize,
    ) -> Summarizer<'a> {
        Summarizer::measuring(targets, kept, gaps, now, history_len, Vec::new())
    }

    /// As [`Summarizer::new`], also measuring each of `spans` (from, to): the status
    /// page's daily cells, the report's period. Reading goes back as far as they need.
    pub fn measuring(
        targets: &'a [(&'a str, &'a str)],
        kept: &[Entry],
        gaps: &'a [Gap],
        now: DateTime<FixedOffset>,
        history_len: usize,
        spans: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    ) -> Summarizer<'a> {
        let oldest = spans.iter().map(|(from, _)| *from).min();
        let mut by_end: Vec<usize> = (0..spans.len()).collect();
        by_end.sort_by_key(|&i| spans[i].1);
        let mut s = Summarizer {
            targets,
            gaps,
            now,
            history_len,
            running: HashMap::new(),
            removed: HashMap::new(),
            history: Vec::new(),
            kept: Vec::new(),
            horizon: oldest
                .map_or(now, |o| o.min(now))
                .min(now - WINDOWS[WINDOWS.len() - 1].1),
            spans,
            by_end,
        };
        let mut kept: Vec<Entry> = kept.to_vec();
        kept.sort_by_key(|e| std::cmp::Reverse(e.at));
        for entry in kept {
            let (lasted, _) = s.account(&entry);
            if let Some(run) = s.running.get_mut(&entry.target) {
                run.kept = Some(entry.clone());
            }
            s.kept.push((entry, lasted));
        }
        s
    }

    fn wanted(&self, name: &str) -> bool {
        is_reserved(name) || self.targets.iter().any(|(n, _)| *n == name)
    }

    /// Adds the time `entry`'s state lasted to its target's sums; returns how long
    /// (`None`: it ends before it begins, the clock went back) and whether it is current.
    fn account(&mut self, entry: &Entry) -> (Option<TimeDelta>, bool) {
        let (now, gaps) = (self.now, self.gaps);
        let run = self.running.entry(entry.target.clone()).or_default();
        // Time already counted for a newer line is not counted again: after the clock
        // went back, a line can be dated later than the one after it.
        let end = run
            .until
            .unwrap_or(now)
            .min(run.counted_from.unwrap_or(now))
            .min(now);
        for (i, (_, span)) in WINDOWS.iter().enumerate() {
            let start = entry.at.max(now - *span);
            if end > start {
                let missing: TimeDelta = gaps.iter().map(|g| g.overlap(start, end)).sum();
                let ms = (end - start - missing).num_milliseconds().max(0);
                run.known[i] += ms;
                if entry.state == State::Online {
                    run.up[i] += ms;
                }
            }
        }
        account_spans(run, (&self.spans, &self.by_end), entry, end, gaps);
        let current = run.until.is_none();
        // Two lines written before the clock went back still measure each other.
        let lasted = run.until.unwrap_or(now) - entry.at;
        run.newest.get_or_insert_with(|| entry.clone());
        run.until = Some(entry.at);
        run.counted_from = Some(run.counted_from.map_or(entry.at, |t| t.min(entry.at)));
        if entry.at < self.horizon {
            run.covered = true;
        }
        ((lasted >= TimeDelta::zero()).then_some(lasted), current)
    }

    /// Moves into the history the kept states not older than `at` (all, with `None`).
    fn flush_kept(&mut self, at: Option<DateTime<FixedOffset>>) {
        while let Some((first, _)) = self.kept.first() {
            if at.is_some_and(|at| first.at < at) {
                break;
            }
            let (entry, lasted) = self.kept.remove(0);
            self.record(entry, lasted, true);
        }
    }

    fn record(&mut self, entry: Entry, lasted: Option<TimeDelta>, current: bool) {
        if self.history.len() < self.history_len {
            self.history.push(Transition {
                entry,
                lasted,
                current,
            });
        }
    }

    /// One line, newer lines first. Returns whether older lines can still matter.
    pub fn add(&mut self, entry: Entry) -> bool {
        if !self.wanted(&entry.target) {
            self.removed.entry(entry.target.clone()).or_insert(entry);
            return self.wants_more();
        }
        // The line of the state the checkpoint kept (already counted), or one newer than
        // it (a checkpoint older than the log): each time is counted once. Past the kept
        // line, a line newer than the one after it was written before the clock went
        // back: it stays in the history, for an unknown time.
        if let Some(run) = self.running.get_mut(&entry.target) {
            if let Some(kept) = &run.kept {
                if kept.to_line() == entry.to_line() {
                    run.kept = None;
                    // It takes its place in the history where the log has it.
                    self.flush_kept(Some(entry.at));
                    return self.wants_more();
                }
                if run.until.is_some_and(|until| entry.at > until) {
                    return self.wants_more();
                }
            }
        }
        self.flush_kept(Some(entry.at));
        let (lasted, current) = self.account(&entry);
        self.record(entry, lasted, current);
        self.wants_more()
    }

    fn wants_more(&self) -> bool {
        let covered = self
            .targets
            .iter()
            .all(|(n, _)| self.running.get(*n).is_some_and(|r| r.covered));
        !covered || self.history.len() < self.history_len
    }

    pub fn finish(mut self) -> Summary {
        self.flush_kept(None);
        let targets = self
            .targets
            .iter()
            .map(|(name, url)| {
                let run = self.running.remove(*name).unwrap_or_default();
                TargetReport {
                    name: (*name).to_owned(),
                    url: (*url).to_owned(),
                    last: run.newest,
                    uptime: (0..WINDOWS.len())
                        .map(|i| {
                            (run.known[i] > 0)
                                .then(|| run.up[i] as f64 * 100.0 / run.known[i] as f64)
                        })
                        .collect(),
                    spans: {
                        let mut spans = run.spans.clone();
                        spans.resize(self.spans.len(), SpanFigures::default());
                        spans
                    },
                    coverage: WINDOWS
                        .iter()
                        .enumerate()
                        .map(|(i, (_, span))| {
                            (run.known[i] > 0).then(|| {
                                run.known[i] as f64 * 100.0 / span.num_milliseconds() as f64
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        let mut removed: Vec<Entry> = self.removed.into_values().collect();
        removed.sort_by(|a, b| a.target.cmp(&b.target));
        Summary {
            targets,
            removed,
            history: self.history,
        }
    }
}

/// A span of time measured besides the windows: from, to.
pub type Span = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// Adds the time `entry`'s state lasted, until `end`, to each span it overlaps.
fn account_spans(
    run: &mut Running,
    (spans, by_end): (&[Span], &[usize]),
    entry: &Entry,
    end: DateTime<FixedOffset>,
    gaps: &[Gap],
) {
    if spans.is_empty() {
        return;
    }
    run.spans.resize(spans.len(), SpanFigures::default());
    let first = by_end.partition_point(|&i| spans[i].1 <= entry.at);
    for &i in &by_end[first..] {
        let ((from, to), figures) = (&spans[i], &mut run.spans[i]);
        let (start, stop) = (entry.at.max(*from), end.min(*to));
        if stop <= start {
            continue;
        }
        let missing: TimeDelta = gaps.iter().map(|g| g.overlap(start, stop)).sum();
        let ms = (stop - start - missing).num_milliseconds().max(0);
        figures.known_ms += ms;
        if entry.state == State::Online {
            figures.up_ms += ms;
        } else {
            figures.outages += 1;
            figures.longest_down_ms = figures.longest_down_ms.max(ms);
        }
    }
}

/// Summarizes `entries` (oldest first), for tests.
#[cfg(test)]
pub fn summarize(
    entries: &[Entry],
    targets: &[(&str, &str)],
    now: DateTime<FixedOffset>,
    history: usize,
) -> Summary {
    let mut s = Summarizer::new(targets, &[], &[], now, history);
    for entry in entries.iter().rev() {
        s.add(entry.clone());
    }
    s.finish()
}

/// [`read_measured`] without spans, for tests.
#[cfg(test)]
pub fn read_summary(
    log: Option<File>,
    targets: &[(&str, &str)],
    kept: &[Entry],
    gaps: &[Gap],
    now: DateTime<FixedOffset>,
    history: usize,
) -> io::Result<Summary> {
    read_measured(log, targets, kept, gaps, now, history, Vec::new())
}

/// Reads the log backwards only as far as the summary needs, and summarizes it, also
/// measuring `spans` (see [`Summarizer::measuring`]).
pub fn read_measured(
    log: Option<File>,
    targets: &[(&str, &str)],
    kept: &[Entry],
    gaps: &[Gap],
    now: DateTime<FixedOffset>,
    history: usize,
    spans: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
) -> io::Result<Summary> {
    let mut s = Summarizer::measuring(targets, kept, gaps, now, history, spans);
    if let Some(mut file) = log {
        scan_backwards(&mut file, |line| match Entry::parse(line) {
            Some(entry) => s.add(entry),
            None => true,
        })?;
    }
    Ok(s.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{at, entry as e};

    const NOW: &str = "2026-11-25T12:00:00Z";

    #[test]
    fn spans_count_known_time_outages_and_the_longest_gaps_excluded() {
        let entries = [
            e("2026-11-24T00:00:00Z", State::Online, "web"),
            e("2026-11-24T06:00:00Z", State::Offline, "web"),
            e("2026-11-24T07:00:00Z", State::Online, "web"),
            e("2026-11-24T20:00:00Z", State::Offline, "web"),
            e("2026-11-25T02:00:00Z", State::Online, "web"),
        ];
        let gaps = [Gap {
            from: at("2026-11-24T10:00:00Z"),
            to: at("2026-11-24T12:00:00Z"),
        }];
        let day = (at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z"));
        let before = (at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z"));
        let spans = vec![day, before];
        let mut s = Summarizer::measuring(&[("web", "")], &[], &gaps, at(NOW), 0, spans);
        for entry in entries.iter().rev() {
            s.add(entry.clone());
        }
        let t = &s.finish().targets[0];
        let hour = 3_600_000;
        assert_eq!(
            t.spans[0],
            SpanFigures {
                known_ms: 22 * hour,
                up_ms: 17 * hour,
                outages: 2,
                longest_down_ms: 4 * hour,
            },
            "the second outage counts its part inside the day"
        );
        assert_eq!(t.spans[0].down_ms(), 5 * hour);
        assert_eq!(t.spans[1], SpanFigures::default(), "before the first line");
        assert_eq!(t.spans[1].uptime(), None);
    }

    #[test]
    fn uptime_counts_only_known_time_in_the_window() {
        let entries = [
            e("2026-11-25T00:00:00Z", State::Online, "web"),
            e("2026-11-25T06:00:00Z", State::Offline, "web"),
            e("2026-11-25T09:00:00Z", State::Online, "web"),
        ];
        // 24h window: known since 00:00 (12h), down 3h of it.
        let s = summarize(&entries, &[("web", "")], at(NOW), 0);
        assert_eq!(s.targets[0].uptime[0], Some(75.0));
        assert_eq!(
            summarize(&[], &[("web", "")], at(NOW), 0).targets[0].uptime[0],
            None
        );
    }

    #[test]
    fn a_gap_is_no_data_neither_uptime_nor_downtime() {
        let entries = [e("2026-11-24T12:00:00Z", State::Online, "web")];
        let gaps = [Gap {
            from: at("2026-11-25T01:00:00Z"),
            to: at("2026-11-25T03:00:00Z"),
        }];
        let mut s = Summarizer::new(&[("web", "")], &[], &gaps, at(NOW), 0);
        for entry in entries.iter().rev() {
            s.add(entry.clone());
        }
        let t = &s.finish().targets[0];
        assert_eq!(t.uptime[0], Some(100.0), "up whenever checked");
        let day = t.coverage[0].unwrap();
        assert!((day - 100.0 * 22.0 / 24.0).abs() < 1e-9, "{day}");
        let week = t.coverage[1].unwrap();
        assert!(
            (week - 100.0 * 22.0 / 168.0).abs() < 1e-9,
            "since the first line: {week}"
        );
    }

    #[test]
    fn state_before_the_window_counts_from_the_window_start() {
        let entries = [
            e("2026-10-01T00:00:00Z", State::Offline, "web"),
            e("2026-11-25T06:00:00Z", State::Online, "web"),
        ];
        let s = summarize(&entries, &[("web", "")], at(NOW), 0);
        assert_eq!(
            s.targets[0].uptime,
            vec![
                Some(25.0),
                Some(100.0 * 6.0 / 168.0),
                Some(100.0 * 6.0 / 720.0)
            ]
        );
    }

    #[test]
    fn kept_states_count_once_and_stand_in_time_order() {
        let log = [
            e("2026-11-25T00:00:00Z", State::Offline, "web"),
            e("2026-11-25T06:00:00Z", State::Online, "web"),
            e("2026-11-25T08:00:00Z", State::Offline, "api"),
        ];
        let targets = [("web", ""), ("api", "")];
        let plain = summarize(&log, &targets, at(NOW), 10);
        // The checkpoint holds what the log's last lines say: nothing changes.
        let kept = [log[1].clone(), log[2].clone()];
        let mut s = Summarizer::new(&targets, &kept, &[], at(NOW), 10);
        for entry in log.iter().rev() {
            s.add(entry.clone());
        }
        assert_eq!(s.finish(), plain);
        // The log was rotated: the kept states alone give the states and since when.
        let rotated = Summarizer::new(&targets, &kept, &[], at(NOW), 10).finish();
        assert_eq!(rotated.targets[0].last, Some(log[1].clone()));
        assert_eq!(rotated.targets[0].uptime[0], Some(100.0));
        let order: Vec<&str> = rotated
            .history
            .iter()
            .map(|t| t.entry.target.as_str())
            .collect();
        assert_eq!(order, ["api", "web"]);
        assert!(rotated.history.iter().all(|t| t.current));
    }

    #[test]
    fn a_clock_that_went_back_keeps_every_line_and_no_negative_span() {
        // Written in this order: the clock was set back an hour after the OFFLINE line.
        let log = [
            e("2026-11-25T10:00:00Z", State::Online, "web"),
            e("2026-11-25T12:40:00Z", State::Offline, "web"),
            e("2026-11-25T11:55:00Z", State::Online, "web"),
            e("2026-11-25T11:58:00Z", State::Offline, "web"),
        ];
        let targets = [("web", "")];
        let kept = [log[3].clone()];
        let mut s = Summarizer::new(&targets, &kept, &[], at(NOW), 10);
        for entry in log.iter().rev() {
            s.add(entry.clone());
        }
        let s = s.finish();
        let h: Vec<(String, Option<i64>)> = s
            .history
            .iter()
            .map(|t| {
                (
                    t.entry.at.format("%H:%M").to_string(),
                    t.lasted.map(|d| d.num_minutes()),
                )
            })
            .collect();
        let h: Vec<(&str, Option<i64>)> = h.iter().map(|(at, l)| (at.as_str(), *l)).collect();
        assert_eq!(
            h,
            [
                ("11:58", Some(2)),
                ("11:55", Some(3)),
                ("12:40", None),
                ("10:00", Some(160))
            ]
        );
        // Each minute is counted once: 10:00-11:58 up, 11:58-12:00 down.
        assert_eq!(s.targets[0].uptime[0], Some(100.0 * 118.0 / 120.0));
        assert!(s
            .history
            .iter()
            .all(|t| t.lasted.is_none_or(|d| d >= TimeDelta::zero())));
        // A state dated after now lasted an unknown time, not a negative one.
        let ahead = summarize(&log[..2], &targets, at(NOW), 10);
        assert_eq!(ahead.history[0].lasted, None);
        assert_eq!(ahead.targets[0].uptime[0], Some(100.0));
    }

    #[test]
    fn two_transitions_in_one_second_both_count() {
        let log = [
            e("2026-11-25T06:00:00Z", State::Offline, "web"),
            e("2026-11-25T06:00:00Z", State::Online, "web"),
        ];
        assert_eq!(
            summarize(&log, &[("web", "")], at(NOW), 10).history.len(),
            2
        );
    }

    #[test]
    fn summary_has_states_uptimes_removed_and_history() {
        let entries = vec![
            e("2026-11-20T12:00:00Z", State::Online, "web"),
            e("2026-11-24T12:00:00Z", State::Online, "gone"),
            e("2026-11-25T00:00:00Z", State::Offline, "web"),
            e("2026-11-25T06:00:00Z", State::Online, "web"),
            e("2026-11-25T11:00:00Z", State::Offline, "api"),
        ];
        let s = summarize(
            &entries,
            &[
                ("web", "http://w/"),
                ("api", "http://a/"),
                ("new", "http://n/"),
            ],
            at(NOW),
            10,
        );
        let web = &s.targets[0];
        assert_eq!(web.last.as_ref().unwrap().state, State::Online);
        // 24h: down 6h of 24h; 7d: known 5 days = 120h, down 6h.
        assert_eq!(web.uptime, vec![Some(75.0), Some(95.0), Some(95.0)]);
        assert_eq!(s.targets[1].uptime[0], Some(0.0));
        assert_eq!(s.targets[2].last, None);
        assert_eq!(s.targets[2].uptime, vec![None, None, None]);
        assert_eq!(s.removed.len(), 1);
        assert_eq!(s.removed[0].target, "gone");
        let h: Vec<(&str, i64, bool)> = s
            .history
            .iter()
            .map(|t| {
                (
                    t.entry.target.as_str(),
                    t.lasted.unwrap().num_hours(),
                    t.current,
                )
            })
            .collect();
        assert_eq!(
            h,
            [
                ("api", 1, true),
                ("web", 6, true),
                ("web", 6, false),
                ("web", 108, false)
            ]
        );
        assert_eq!(
            summarize(&entries, &[("web", "")], at(NOW), 2)
                .history
                .len(),
            2
        );
    }

    #[test]
    fn the_log_is_read_backwards_only_as_far_as_needed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut text = String::from("this line is never reached\n");
        text.push_str("2025-01-01T00:00:00Z OFFLINE web very old\n");
        text.push_str("2026-09-01T00:00:00Z ONLINE web before the window\n");
        text.push_str("not a log line\n");
        text.push_str("2026-11-20T00:00:00Z OFFLINE web inside\n");
        text.push_str("2026-11-21T00:00:00Z ONLINE web inside\n");
        std::fs::write(&path, text).unwrap();
        let open = || Some(File::open(&path).unwrap());
        let s = read_summary(open(), &[("web", "")], &[], &[], at(NOW), 0).unwrap();
        assert_eq!(s.targets[0].last.as_ref().unwrap().text, "inside");
        assert_eq!(s.targets[0].uptime[2], Some(100.0 * 29.0 / 30.0));
        // More history than the window holds reads further back.
        let s = read_summary(open(), &[("web", "")], &[], &[], at(NOW), 10).unwrap();
        let texts: Vec<&str> = s.history.iter().map(|t| t.entry.text.as_str()).collect();
        assert_eq!(texts, ["inside", "inside", "before the window", "very old"]);
        assert!(read_summary(None, &[("web", "")], &[], &[], at(NOW), 10)
            .unwrap()
            .history
            .is_empty());
    }
}
