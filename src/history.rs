//! What the transition log says over time: the tail of the log that covers the uptime
//! windows, each target's current state and uptime, and the recent transitions. Pure but
//! for [`read_tail`], which reads only as far back as the oldest window needs.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io;

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::statelog::{scan_backwards, Entry, State};

/// The uptime windows `status` reports, longest last.
pub const WINDOWS: [(&str, TimeDelta); 3] = [
    ("24h", TimeDelta::hours(24)),
    ("7d", TimeDelta::days(7)),
    ("30d", TimeDelta::days(30)),
];

/// The entries, oldest first, that `status` needs: everything since `since`, plus for
/// each of `targets` its last entry before `since` (its state when the window opens),
/// plus at least `history` entries of those targets. Reading stops there, so the cost
/// is the size of the last 30 days of transitions, not of the file.
pub fn read_tail(
    log: Option<File>,
    targets: &[&str],
    since: DateTime<FixedOffset>,
    history: usize,
) -> io::Result<Vec<Entry>> {
    let Some(mut file) = log else {
        return Ok(Vec::new());
    };
    let wanted: HashSet<&str> = targets.iter().copied().collect();
    let mut before_window: HashSet<String> = HashSet::new();
    let mut ours = 0;
    let mut entries = Vec::new();
    scan_backwards(&mut file, |line| {
        let Some(entry) = Entry::parse(line) else {
            return true;
        };
        let is_ours = wanted.contains(entry.target.as_str());
        if entry.at < since {
            // Older than every window: only a target's first such line matters, or a
            // line still needed for the history.
            let first_before = is_ours && before_window.insert(entry.target.clone());
            if first_before || (is_ours && ours < history) {
                ours += usize::from(is_ours);
                entries.push(entry);
            }
        } else {
            ours += usize::from(is_ours);
            entries.push(entry);
        }
        before_window.len() < wanted.len() || ours < history
    })?;
    entries.reverse();
    Ok(entries)
}

/// The share of `[from, to]` that `target` was ONLINE, in percent, counting only time
/// after its first entry. `None` when no time in the window is known.
pub fn uptime(
    entries: &[&Entry],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Option<f64> {
    let mut known = TimeDelta::zero();
    let mut up = TimeDelta::zero();
    for (i, entry) in entries.iter().enumerate() {
        let end = entries.get(i + 1).map_or(to, |next| next.at).min(to);
        let start = entry.at.max(from);
        if end > start {
            known += end - start;
            if entry.state == State::Online {
                up += end - start;
            }
        }
    }
    let known_ms = known.num_milliseconds();
    (known_ms > 0).then(|| up.num_milliseconds() as f64 * 100.0 / known_ms as f64)
}

/// One configured target as `status` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetReport {
    pub name: String,
    pub url: String,
    /// The last transition; `None` when the log has never seen the target.
    pub last: Option<Entry>,
    /// Uptime per window of [`WINDOWS`], in percent.
    pub uptime: Vec<Option<f64>>,
}

/// One transition in the history, with how long the state lasted (until the target's
/// next transition, or until now).
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub entry: Entry,
    pub lasted: TimeDelta,
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

/// Summarizes `entries` (oldest first) for the configured `targets` (name, url) at `now`.
pub fn summarize(
    entries: &[Entry],
    targets: &[(&str, &str)],
    now: DateTime<FixedOffset>,
    history: usize,
) -> Summary {
    let mut by_target: HashMap<&str, Vec<&Entry>> = HashMap::new();
    for entry in entries {
        by_target
            .entry(entry.target.as_str())
            .or_default()
            .push(entry);
    }
    let configured: HashSet<&str> = targets.iter().map(|(n, _)| *n).collect();
    let reports = targets
        .iter()
        .map(|(name, url)| {
            let own = by_target.get(name).map(Vec::as_slice).unwrap_or_default();
            TargetReport {
                name: (*name).to_owned(),
                url: (*url).to_owned(),
                last: own.last().map(|e| (*e).clone()),
                uptime: WINDOWS
                    .iter()
                    .map(|(_, span)| uptime(own, now - *span, now))
                    .collect(),
            }
        })
        .collect();
    let mut removed: Vec<Entry> = by_target
        .iter()
        .filter(|(name, _)| !configured.contains(*name) && !is_reserved(name))
        .filter_map(|(_, own)| own.last().map(|e| (*e).clone()))
        .collect();
    removed.sort_by(|a, b| a.target.cmp(&b.target));

    let mut next_change: HashMap<&str, DateTime<FixedOffset>> = HashMap::new();
    let mut recent = Vec::new();
    for entry in entries
        .iter()
        .rev()
        .filter(|e| configured.contains(e.target.as_str()) || is_reserved(&e.target))
    {
        let until = next_change.insert(entry.target.as_str(), entry.at);
        if recent.len() < history {
            recent.push(Transition {
                entry: entry.clone(),
                lasted: until.unwrap_or(now) - entry.at,
                current: until.is_none(),
            });
        }
    }
    Summary {
        targets: reports,
        removed,
        history: recent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn e(time: &str, state: State, target: &str) -> Entry {
        Entry {
            at: at(time),
            state,
            target: target.into(),
            text: format!("{target} text"),
        }
    }

    const NOW: &str = "2026-11-25T12:00:00Z";

    #[test]
    fn uptime_counts_only_known_time_in_the_window() {
        let entries = [
            e("2026-11-25T00:00:00Z", State::Online, "web"),
            e("2026-11-25T06:00:00Z", State::Offline, "web"),
            e("2026-11-25T09:00:00Z", State::Online, "web"),
        ];
        let refs: Vec<&Entry> = entries.iter().collect();
        // 24h window: known since 00:00 (12h), down 3h of it.
        assert_eq!(
            uptime(&refs, at(NOW) - TimeDelta::hours(24), at(NOW)),
            Some(75.0)
        );
        // A window starting at 07:00: down 2h of 5h.
        assert_eq!(
            uptime(&refs, at("2026-11-25T07:00:00Z"), at(NOW)),
            Some(60.0)
        );
        assert_eq!(uptime(&[], at("2026-11-25T07:00:00Z"), at(NOW)), None);
    }

    #[test]
    fn state_before_the_window_counts_from_the_window_start() {
        let entries = [
            e("2026-10-01T00:00:00Z", State::Offline, "web"),
            e("2026-11-25T06:00:00Z", State::Online, "web"),
        ];
        let refs: Vec<&Entry> = entries.iter().collect();
        assert_eq!(
            uptime(&refs, at(NOW) - TimeDelta::hours(24), at(NOW)),
            Some(25.0)
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
            .map(|t| (t.entry.target.as_str(), t.lasted.num_hours(), t.current))
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
    fn tail_stops_once_every_window_is_covered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut text = String::new();
        text.push_str("2025-01-01T00:00:00Z OFFLINE web very old\n");
        text.push_str("2026-09-01T00:00:00Z ONLINE web before the window\n");
        text.push_str("not a log line\n");
        text.push_str("2026-11-20T00:00:00Z OFFLINE web inside\n");
        text.push_str("2026-11-21T00:00:00Z ONLINE web inside\n");
        std::fs::write(&path, text).unwrap();
        let since = at(NOW) - TimeDelta::days(30);
        let open = || Some(File::open(&path).unwrap());
        let tail = read_tail(open(), &["web"], since, 0).unwrap();
        let texts: Vec<&str> = tail.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["before the window", "inside", "inside"]);
        // More history than the window holds reads further back.
        assert_eq!(read_tail(open(), &["web"], since, 4).unwrap().len(), 4);
        assert!(read_tail(None, &["web"], since, 10).unwrap().is_empty());
    }
}
