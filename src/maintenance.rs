//! Maintenance windows that recur (`[[maintenance]]`): which window covers a target now,
//! from when to when and why, and which one comes next. Pure: the run's `now` and the
//! time zone are passed in (the process's local zone, `TZ` honoured, in the program;
//! explicit zones in the tests).
//!
//! A window belongs to the day in `days` on which it starts, so that one crossing
//! midnight covers the small hours of the next day. Its start is a local time: one that
//! does not exist that day (the spring-forward gap) starts at the first valid instant
//! after it, an ambiguous one (the autumn fall-back) takes the earlier instant. Its end
//! is its start plus its duration in real time. Windows of a target that overlap or
//! touch are one window. Inside a window a target is muted as by `vigia mute`
//! ([`mute_windows`]).

use std::time::Duration;

use chrono::{
    DateTime, Datelike, FixedOffset, Local, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone,
};

use crate::checkpoint::Checkpoint;

/// The longest a window may last.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 86_400);

/// The days a window may start on, in the config's spelling, Monday first.
pub const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// One `[[maintenance]]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// The targets it covers; `None`: every target (`["*"]`).
    pub targets: Option<Vec<String>>,
    /// The days it starts on, Monday first (`days` omitted: all).
    pub days: [bool; 7],
    /// Local time.
    pub start: NaiveTime,
    pub duration: Duration,
    pub reason: Option<String>,
}

impl Window {
    fn covers(&self, target: &str) -> bool {
        self.targets
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == target))
    }

    fn starts_on(&self, date: NaiveDate) -> bool {
        self.days[date.weekday().num_days_from_monday() as usize]
    }
}

/// A window as it falls: its start and end instants (in the zone's offset at each), and
/// its reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub reason: Option<String>,
}

impl Occurrence {
    /// The reason a mute by this window gives: "maintenance: weekly backup".
    pub fn mute_reason(&self) -> String {
        match &self.reason {
            Some(reason) => format!("maintenance: {reason}"),
            None => "maintenance".to_owned(),
        }
    }
}

/// How many days around today's date the windows are laid out: a window lasts at most
/// 7 days and starts on one of every 7, and a day of slack covers the zone's offsets.
const DAYS_AROUND: i64 = 8;

/// The windows as they fall around a run's `now`: each one's occurrences from 8 days
/// before to 8 days after, laid out once for all the targets.
pub struct Schedule<'a> {
    now: DateTime<FixedOffset>,
    laid: Vec<(&'a Window, Vec<Occurrence>)>,
}

impl<'a> Schedule<'a> {
    /// The windows around `now` in the local time zone.
    pub fn at(windows: &'a [Window], now: DateTime<FixedOffset>) -> Schedule<'a> {
        Schedule::at_in(windows, now, &Local)
    }

    /// The windows around `now` in the zone `tz`.
    pub fn at_in<Tz: TimeZone>(
        windows: &'a [Window],
        now: DateTime<FixedOffset>,
        tz: &Tz,
    ) -> Schedule<'a> {
        let today = now.with_timezone(tz).date_naive();
        let laid = windows
            .iter()
            .map(|window| {
                let days = (-DAYS_AROUND..=DAYS_AROUND)
                    .filter_map(|offset| today.checked_add_signed(TimeDelta::days(offset)));
                let falls = days
                    .filter(|date| window.starts_on(*date))
                    .filter_map(|date| {
                        let start = resolve(tz, date, window.start)?;
                        let end = crate::config::time_after(start, window.duration)?;
                        Some(Occurrence {
                            start,
                            end: end.with_timezone(tz).fixed_offset(),
                            reason: window.reason.clone(),
                        })
                    })
                    .collect();
                (window, falls)
            })
            .collect();
        Schedule { now, laid }
    }

    /// The window that covers `target` now: start <= now < end.
    pub fn current(&self, target: &str) -> Option<Occurrence> {
        let now = self.now;
        self.merged(target)
            .into_iter()
            .find(|o| o.start <= now && now < o.end)
    }

    /// The next window of `target` that starts after now.
    pub fn next(&self, target: &str) -> Option<Occurrence> {
        self.merged(target).into_iter().find(|o| o.start > self.now)
    }

    /// For `status`: the window `target` is in (`true`), else its next (`false`).
    pub fn current_or_next(&self, target: &str) -> Option<(bool, Occurrence)> {
        match self.current(target) {
            Some(current) => Some((true, current)),
            None => self.next(target).map(|next| (false, next)),
        }
    }

    /// The windows of `target` in start order, those that overlap or touch made one
    /// (with the first one's reason).
    fn merged(&self, target: &str) -> Vec<Occurrence> {
        let mut all: Vec<&Occurrence> = self
            .laid
            .iter()
            .filter(|(window, _)| window.covers(target))
            .flat_map(|(_, falls)| falls)
            .collect();
        all.sort_by_key(|o| o.start);
        let mut out: Vec<Occurrence> = Vec::with_capacity(all.len());
        for o in all {
            match out.last_mut() {
                Some(last) if o.start <= last.end => last.end = last.end.max(o.end),
                _ => out.push(o.clone()),
            }
        }
        out
    }
}

/// The longest spring-forward gap looked past, in minutes (real ones are an hour, a
/// few were a day when a zone moved across the date line).
const MAX_GAP_MINUTES: i64 = 25 * 60;

/// The instant `time` on `date` names in `tz`: the earlier of two (fall back), else the
/// first valid instant after it (spring forward). The earlier is picked by comparing the
/// instants: chrono's `Local` gives an ambiguous time's two in no promised order (with
/// `TZ=Europe/Berlin` it gives the later first, so `earliest()` would be the later).
fn resolve<Tz: TimeZone>(
    tz: &Tz,
    date: NaiveDate,
    time: NaiveTime,
) -> Option<DateTime<FixedOffset>> {
    let local = date.and_time(time);
    (0..=MAX_GAP_MINUTES).find_map(|minutes| {
        let at = local.checked_add_signed(TimeDelta::minutes(minutes))?;
        match tz.from_local_datetime(&at) {
            LocalResult::Single(t) => Some(t.fixed_offset()),
            LocalResult::Ambiguous(a, b) => Some(a.fixed_offset().min(b.fixed_offset())),
            LocalResult::None => None,
        }
    })
}

/// For the plan of a run, before it says anything: each configured target inside a
/// window now is muted until the window's end, as by `vigia mute`, with the reason
/// "maintenance: <reason>". A window mutes a target at the first run inside it (the
/// checkpoint remembers the start of the last window that muted each target), so that a
/// hand `vigia unmute` during the window holds; a window's mute whose window goes on
/// (the config changed) is moved to its end. A hand mute is never shortened or replaced.
pub fn mute_windows(
    windows: &[Window],
    targets: &[crate::config::Target],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) {
    mute_windows_in(windows, targets, checkpoint, now, &Local);
}

/// [`mute_windows`] in the zone `tz`.
pub fn mute_windows_in<Tz: TimeZone>(
    windows: &[Window],
    targets: &[crate::config::Target],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
    tz: &Tz,
) {
    if windows.is_empty() {
        return;
    }
    let schedule = Schedule::at_in(windows, now, tz);
    for target in targets {
        let Some(window) = schedule.current(&target.name) else {
            continue;
        };
        let first_run = checkpoint.windows_seen.get(&target.name) != Some(&window.start);
        let mute = match checkpoint.mutes.get(&target.name) {
            Some(m) => m.maintenance,
            None => first_run,
        };
        if mute {
            checkpoint.mute_for_maintenance(&target.name, window.end, window.mute_reason(), now);
        }
        if first_run {
            checkpoint.window_seen(&target.name, window.start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, Weekday};

    /// Europe/Berlin as the EU rule has it since 1996: CET (+01:00), CEST (+02:00) from
    /// the last Sunday of March to the last Sunday of October, changing at 01:00 UTC.
    /// Written out so the tests need no time zone database.
    #[derive(Clone, Copy, Debug)]
    struct Berlin;

    fn last_sunday(year: i32, month: u32) -> NaiveDate {
        let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap();
        let mut day = first_of_next.pred_opt().unwrap();
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt().unwrap();
        }
        day
    }

    impl Berlin {
        fn summer(utc: &NaiveDateTime) -> bool {
            let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap();
            let begins = last_sunday(utc.year(), 3).and_time(one);
            let ends = last_sunday(utc.year(), 10).and_time(one);
            begins <= *utc && *utc < ends
        }

        fn offset(summer: bool) -> FixedOffset {
            FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap()
        }
    }

    impl TimeZone for Berlin {
        type Offset = FixedOffset;

        fn from_offset(_: &FixedOffset) -> Self {
            Berlin
        }

        fn offset_from_local_date(&self, local: &NaiveDate) -> chrono::LocalResult<FixedOffset> {
            self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
        }

        fn offset_from_local_datetime(
            &self,
            local: &NaiveDateTime,
        ) -> chrono::LocalResult<FixedOffset> {
            let fits = |summer: bool| {
                let offset = Berlin::offset(summer);
                let utc = *local - TimeDelta::seconds(i64::from(offset.local_minus_utc()));
                (Berlin::summer(&utc) == summer).then_some(offset)
            };
            match (fits(false), fits(true)) {
                // The later first, as chrono's Local gives them.
                (Some(w), Some(s)) => chrono::LocalResult::Ambiguous(w, s),
                (Some(o), None) | (None, Some(o)) => chrono::LocalResult::Single(o),
                (None, None) => chrono::LocalResult::None,
            }
        }

        fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
            self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
        }

        fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
            Berlin::offset(Berlin::summer(utc))
        }
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn current_in(
        windows: &[Window],
        target: &str,
        now: DateTime<FixedOffset>,
        tz: &Berlin,
    ) -> Option<Occurrence> {
        Schedule::at_in(windows, now, tz).current(target)
    }

    fn next_in(
        windows: &[Window],
        target: &str,
        now: DateTime<FixedOffset>,
        tz: &Berlin,
    ) -> Option<Occurrence> {
        Schedule::at_in(windows, now, tz).next(target)
    }

    fn window(targets: &[&str], days: &[&str], start: &str, duration: Duration) -> Window {
        let mut set = [days.is_empty(); 7];
        for d in days {
            set[DAY_NAMES.iter().position(|n| n == d).unwrap()] = true;
        }
        Window {
            targets: match targets {
                ["*"] => None,
                names => Some(names.iter().map(|n| (*n).to_owned()).collect()),
            },
            days: set,
            start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
            duration,
            reason: Some("backup".into()),
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    fn span(o: &Occurrence) -> (String, String) {
        (o.start.to_rfc3339(), o.end.to_rfc3339())
    }

    #[test]
    fn the_test_zone_is_berlins() {
        // 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let utc = |s: &str| at(s).naive_utc();
        assert_eq!(
            Berlin
                .offset_from_utc_datetime(&utc("2026-03-29T00:59:59Z"))
                .local_minus_utc(),
            3600
        );
        assert_eq!(
            Berlin
                .offset_from_utc_datetime(&utc("2026-03-29T01:00:00Z"))
                .local_minus_utc(),
            7200
        );
        assert_eq!(
            Berlin
                .offset_from_utc_datetime(&utc("2026-10-25T00:59:59Z"))
                .local_minus_utc(),
            7200
        );
        assert_eq!(
            Berlin
                .offset_from_utc_datetime(&utc("2026-10-25T01:00:00Z"))
                .local_minus_utc(),
            3600
        );
    }

    #[test]
    fn a_window_covers_its_targets_from_its_start_to_its_end() {
        // 2026-12-06 is a Sunday.
        let w = [window(&["web"], &["Sun"], "03:00", HOUR)];
        let inside = current_in(&w, "web", at("2026-12-06T03:00:00+01:00"), &Berlin).unwrap();
        assert_eq!(
            span(&inside),
            (
                "2026-12-06T03:00:00+01:00".into(),
                "2026-12-06T04:00:00+01:00".into()
            )
        );
        assert_eq!(inside.mute_reason(), "maintenance: backup");
        assert!(current_in(&w, "web", at("2026-12-06T02:59:59+01:00"), &Berlin).is_none());
        assert!(current_in(&w, "web", at("2026-12-06T04:00:00+01:00"), &Berlin).is_none());
        assert!(current_in(&w, "api", at("2026-12-06T03:30:00+01:00"), &Berlin).is_none());
        // Another day of the week: the next Sunday's is next.
        assert!(current_in(&w, "web", at("2026-12-07T03:30:00+01:00"), &Berlin).is_none());
        let next = next_in(&w, "web", at("2026-12-07T03:30:00+01:00"), &Berlin).unwrap();
        assert_eq!(next.start, at("2026-12-13T03:00:00+01:00"));
        // The same instant written in another offset is the same instant.
        assert!(current_in(&w, "web", at("2026-12-06T02:30:00Z"), &Berlin).is_some());
        assert!(next_in(&w, "api", at("2026-12-06T02:30:00Z"), &Berlin).is_none());
    }

    #[test]
    fn days_omitted_is_every_day_and_a_star_is_every_target() {
        let w = [window(&["*"], &[], "12:00", Duration::from_secs(600))];
        for day in 1..=7 {
            let now = at(&format!("2026-12-0{day}T12:05:00+01:00"));
            for target in ["web", "api"] {
                assert!(
                    current_in(&w, target, now, &Berlin).is_some(),
                    "{now} {target}"
                );
            }
        }
        let next = next_in(&w, "web", at("2026-12-01T12:10:00+01:00"), &Berlin).unwrap();
        assert_eq!(next.start, at("2026-12-02T12:00:00+01:00"));
    }

    #[test]
    fn a_window_crossing_midnight_belongs_to_the_day_it_starts() {
        let w = [window(&["web"], &["Sun"], "23:30", HOUR)];
        // Monday 00:10: inside Sunday's window.
        let o = current_in(&w, "web", at("2026-12-07T00:10:00+01:00"), &Berlin).unwrap();
        assert_eq!(
            span(&o),
            (
                "2026-12-06T23:30:00+01:00".into(),
                "2026-12-07T00:30:00+01:00".into()
            )
        );
        // Sunday 00:10 is not: Saturday has no window.
        assert!(current_in(&w, "web", at("2026-12-06T00:10:00+01:00"), &Berlin).is_none());
        assert!(current_in(&w, "web", at("2026-12-07T00:30:00+01:00"), &Berlin).is_none());
    }

    #[test]
    fn a_start_in_the_spring_forward_gap_starts_when_the_clock_resumes() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist.
        let w = [window(&["web"], &["Sun"], "02:30", HOUR)];
        let o = next_in(&w, "web", at("2026-03-29T00:00:00+01:00"), &Berlin).unwrap();
        assert_eq!(
            span(&o),
            (
                "2026-03-29T03:00:00+02:00".into(),
                "2026-03-29T04:00:00+02:00".into()
            )
        );
        // A window over the change lasts its duration in real time: 01:30 CET + 1h.
        let w = [window(&["web"], &["Sun"], "01:30", HOUR)];
        let o = current_in(&w, "web", at("2026-03-29T01:50:00+01:00"), &Berlin).unwrap();
        assert_eq!(
            span(&o),
            (
                "2026-03-29T01:30:00+01:00".into(),
                "2026-03-29T03:30:00+02:00".into()
            )
        );
        // The week after: 02:30 exists again.
        let o = next_in(&w, "web", at("2026-03-30T00:00:00+02:00"), &Berlin).unwrap();
        assert_eq!(o.start, at("2026-04-05T01:30:00+02:00"));
    }

    #[test]
    fn an_ambiguous_start_in_the_autumn_takes_the_earlier() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
        let w = [window(&["web"], &["Sun"], "02:30", HOUR)];
        let o = next_in(&w, "web", at("2026-10-25T00:00:00+02:00"), &Berlin).unwrap();
        assert_eq!(
            span(&o),
            (
                "2026-10-25T02:30:00+02:00".into(),
                "2026-10-25T02:30:00+01:00".into()
            )
        );
        // An hour of real time: the second 02:10 is past its end.
        assert!(current_in(&w, "web", at("2026-10-25T02:40:00+02:00"), &Berlin).is_some());
        assert!(current_in(&w, "web", at("2026-10-25T02:40:00+01:00"), &Berlin).is_none());
    }

    #[test]
    fn windows_that_overlap_or_touch_are_one() {
        let w = [
            window(&["web"], &["Sun"], "03:00", HOUR),
            window(&["web"], &["Sun"], "04:00", 2 * HOUR),
            window(&["*"], &["Sun"], "05:30", HOUR),
        ];
        let o = current_in(&w, "web", at("2026-12-06T03:10:00+01:00"), &Berlin).unwrap();
        assert_eq!(
            span(&o),
            (
                "2026-12-06T03:00:00+01:00".into(),
                "2026-12-06T06:30:00+01:00".into()
            )
        );
        let api = current_in(&w, "api", at("2026-12-06T05:40:00+01:00"), &Berlin).unwrap();
        assert_eq!(api.start, at("2026-12-06T05:30:00+01:00"));
        // A window of a week every day never ends.
        let w = [window(&["web"], &[], "00:00", MAX_DURATION)];
        let o = current_in(&w, "web", at("2026-12-06T03:10:00+01:00"), &Berlin).unwrap();
        assert!(o.end > at("2026-12-13T00:00:00+01:00"), "{o:?}");
    }

    #[test]
    fn a_window_mutes_once_and_gives_way_to_hand_mutes() {
        use crate::config::{CheckDefaults, Target};
        let mut web = Target::adhoc("http://203.0.113.10/", &CheckDefaults::default()).unwrap();
        web.name = "web".into();
        let mut api = web.clone();
        api.name = "api".into();
        let targets = [web, api];
        let w = [window(&["*"], &["Sun"], "03:00", HOUR)];
        let mut cp = Checkpoint::default();
        // `_last`: when the check before ran; the checkpoint alone decides.
        let run = |cp: &mut Checkpoint, now: &str, _last: &str| {
            mute_windows_in(&w, &targets, cp, at(now), &Berlin);
        };
        // Before the window: nothing.
        run(
            &mut cp,
            "2026-12-06T02:59:00+01:00",
            "2026-12-06T02:58:00+01:00",
        );
        assert!(cp.mutes.is_empty());
        // A hand mute of api stands.
        cp.mute(
            &["api".into()],
            None,
            Some("deploy".into()),
            at("2026-12-06T02:59:30+01:00"),
        );
        run(
            &mut cp,
            "2026-12-06T03:00:00+01:00",
            "2026-12-06T02:59:00+01:00",
        );
        let m = &cp.mutes["web"];
        assert!(m.maintenance);
        assert_eq!(m.until, Some(at("2026-12-06T04:00:00+01:00")));
        assert_eq!(m.reason.as_deref(), Some("maintenance: backup"));
        let hand = &cp.mutes["api"];
        assert!(!hand.maintenance && hand.until.is_none());
        // The runs after change nothing.
        let before = cp.clone();
        run(
            &mut cp,
            "2026-12-06T03:01:00+01:00",
            "2026-12-06T03:00:00+01:00",
        );
        assert_eq!(cp, before);
        // Unmuted by hand: the window does not mute it again.
        cp.unmute("web");
        run(
            &mut cp,
            "2026-12-06T03:02:00+01:00",
            "2026-12-06T03:01:00+01:00",
        );
        assert!(!cp.mutes.contains_key("web"));
        // vigia was not running when the window began: its first run inside mutes.
        let mut cp = Checkpoint::default();
        run(
            &mut cp,
            "2026-12-06T03:30:00+01:00",
            "2026-12-06T01:00:00+01:00",
        );
        assert!(cp.mutes["web"].maintenance);
    }
}
