//! What a run says besides its changes, all kept in the checkpoint so that it survives
//! log rotation, crashes and restarts: reminders while a target stays down, certificate
//! thresholds crossed (once per threshold per certificate), and the end of a mute. And
//! what a muted target keeps to itself. Pure: the command passes the time.

use std::collections::HashMap;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::{CertSeen, Checkpoint};
use crate::config::{format_duration, Target};
use crate::message::Notice;
use crate::outcome::{Outcome, Reason};
use crate::translog::State;

/// The time of a run, and of the check before it (the stamp it left): together they
/// tell whether this machine's clock went back in between (NTP stepping, an RTC fixed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunClock {
    pub now: DateTime<FixedOffset>,
    /// The last check's time, as read before this run stamps its own.
    pub last_check: Option<DateTime<FixedOffset>>,
}

impl RunClock {
    /// How far this run's clock is behind the last check; `None` unless the last check
    /// is dated after now.
    pub fn behind(&self) -> Option<Duration> {
        (self.last_check? - self.now)
            .to_std()
            .ok()
            .filter(|d| !d.is_zero())
    }

    /// What the run that finds its clock behind says (to the journal). Only that run
    /// finds it: the next one's last check is this one.
    pub fn warning(&self) -> Option<String> {
        let behind = self.behind()?;
        let last = self.last_check?;
        Some(format!(
            "this machine's clock is {} behind the last check ({}): it went back (NTP? the \
             RTC?); reminders keep their interval, and a duration that spans the jump is \
             reported as unknown",
            format_duration(behind),
            crate::util::show_time(last),
        ))
    }
}

/// How long a state that began at `since` has lasted by `now`: `None` when `since` is
/// dated after now (the clock went back since), never a negative or made-up duration.
pub fn lasted(since: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> Option<Duration> {
    (now - since).to_std().ok()
}

/// [`reminders_at`] without the last check's time: a reminder dated after now counts
/// as due.
/// Domain expiry notices: one when a threshold of `domain_warn_days` is crossed (one
/// for all the thresholds crossed at once), per registered domain and expiry date, from
/// what RDAP last said (see `crate::rdap`). A later date (renewed) starts afresh.
pub fn domains(
    targets: &[Target],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for (domain, (thresholds, target)) in crate::rdap::watched(targets) {
        let Some(seen) = checkpoint.domains.get(&domain) else {
            continue;
        };
        let Some(expires) = seen.expires else {
            continue;
        };
        let days = crate::cert::days_left(expires, now);
        let crossed: Vec<u32> = thresholds
            .iter()
            .copied()
            .filter(|&t| days <= i64::from(t))
            .collect();
        if crossed.iter().any(|t| !seen.warned.contains(t)) {
            notices.push(Notice::DomainExpires {
                target: target.name.clone(),
                url: target.url.clone(),
                domain: domain.clone(),
                days,
                expires,
                at: now,
            });
        }
        checkpoint.domain_warned(&domain, &crossed);
    }
    notices
}

#[cfg(test)]
pub fn reminders(
    judged: &[(&Target, &Outcome)],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    reminders_at(
        judged,
        checkpoint,
        RunClock {
            now,
            last_check: None,
        },
    )
}

/// One "still DOWN" per `remind_every` for each judged target that stays down; none
/// after a recovery, nor while its outage is acknowledged (`vigia ack`). `judged`: the targets this run could judge, with their outcomes.
///
/// The interval counts from the last reminder (else from the outage's start). When the
/// clock went back, reminders do not wait for it to catch up: the time elapsed is what
/// it was up to the last check, and the reminder time is moved onto the new clock by
/// as much (kept in the checkpoint). A reminder time after now with no last check to
/// measure by counts as due.
pub fn reminders_at(
    judged: &[(&Target, &Outcome)],
    checkpoint: &mut Checkpoint,
    clock: RunClock,
) -> Vec<Notice> {
    let now = clock.now;
    let mut notices = Vec::new();
    for (target, outcome) in judged {
        let down = checkpoint
            .targets
            .get(&target.name)
            .filter(|e| e.state == State::Offline)
            .cloned();
        let (Some(every), Some(entry)) = (target.remind_every, down) else {
            checkpoint.reminded(&target.name, None);
            continue;
        };
        // Someone took this outage on (`vigia ack`): no more reminders until it is over.
        if checkpoint.acked(&target.name) {
            continue;
        }
        // Cleared whenever the target is judged up: a reminder time is this outage's.
        let base = checkpoint
            .reminded
            .get(&target.name)
            .copied()
            .unwrap_or(entry.at);
        // Up to the last check on the clock of then, and since it on this one.
        let elapsed = match clock.last_check.filter(|last| base <= *last) {
            Some(last) => lasted(base, last).map(|d| d + lasted(last, now).unwrap_or_default()),
            None => lasted(base, now),
        };
        match elapsed {
            Some(since) if since < every => {
                if clock.behind().is_some() {
                    let moved = now - chrono::TimeDelta::from_std(since).unwrap_or_default();
                    checkpoint.reminded(&target.name, Some(moved));
                }
            }
            _ => {
                notices.push(Notice::StillDown {
                    target: target.name.clone(),
                    url: target.url.clone(),
                    reason: outcome.summary(),
                    down_for: lasted(entry.at, now),
                    at: now,
                });
                checkpoint.reminded(&target.name, Some(now));
            }
        }
    }
    notices
}

/// How many certificates are remembered per target: enough for the nodes of a CDN that
/// serve different ones in turn, each announced once.
const CERTS_KEPT: usize = 8;

/// Certificate notices: a warning when a threshold of `cert_warn_days` is crossed (one
/// message for all the thresholds crossed at once), a short notice when a certificate is
/// replaced by one that lasts longer. A new certificate starts its thresholds afresh.
pub fn certificates(
    probed: &[(&Target, &Outcome)],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for (target, outcome) in probed {
        let Some(cert) = &outcome.cert else {
            continue;
        };
        let seen = checkpoint.certs_seen(&target.name);
        let mut warned = match seen.iter().position(|c| c.fingerprint == cert.fingerprint) {
            // Known: its thresholds stand, even if another was served in between.
            Some(i) => seen.remove(i).warned,
            None => {
                // Renewed: lasts longer than the one served last.
                if seen
                    .first()
                    .is_some_and(|last| cert.not_after > last.not_after)
                {
                    notices.push(Notice::CertRenewed {
                        target: target.name.clone(),
                        url: target.url.clone(),
                        not_after: cert.not_after,
                        at: now,
                    });
                }
                Vec::new()
            }
        };
        let days = cert.days_left(now);
        let crossed: Vec<u32> = target
            .cert_warn_days
            .iter()
            .copied()
            .filter(|&t| days <= i64::from(t))
            .collect();
        if crossed.iter().any(|t| !warned.contains(t)) {
            notices.push(Notice::CertExpires {
                target: target.name.clone(),
                url: target.url.clone(),
                days,
                not_after: cert.not_after,
                at: now,
            });
        }
        warned.extend(crossed);
        warned.sort_unstable_by(|a, b| b.cmp(a));
        warned.dedup();
        seen.insert(
            0,
            CertSeen {
                fingerprint: cert.fingerprint.clone(),
                not_after: cert.not_after,
                warned,
            },
        );
        seen.truncate(CERTS_KEPT);
    }
    notices
}

/// Ends the mutes of `names`; one notice for each target whose state differs from the
/// one it had when the mute began.
pub fn unmute(
    checkpoint: &mut Checkpoint,
    names: &[String],
    urls: &HashMap<&str, &str>,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for name in names {
        let Some(mute) = checkpoint.unmute(name) else {
            continue;
        };
        let Some(current) = checkpoint.targets.get(name) else {
            continue;
        };
        if Some(current.state) != mute.state {
            notices.push(Notice::Unmuted {
                target: name.clone(),
                url: urls
                    .get(name.as_str())
                    .copied()
                    .unwrap_or_default()
                    .to_owned(),
                state: current.state,
                reason: checkpoint
                    .reason(name)
                    .cloned()
                    .unwrap_or_else(|| Reason::Text(current.text.clone())),
                at: now,
            });
        }
    }
    notices
}

/// The names whose mute has ended by `now`.
pub fn expired(checkpoint: &Checkpoint, now: DateTime<FixedOffset>) -> Vec<String> {
    checkpoint
        .mutes
        .iter()
        .filter(|(_, m)| m.until.is_some_and(|until| until <= now))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Keeps the notices a mute does not silence. This machine's own connectivity is never
/// muted: it is not a target.
pub fn audible(notices: Vec<Notice>, checkpoint: &Checkpoint) -> Vec<Notice> {
    notices
        .into_iter()
        .filter(|n| n.target().is_none_or(|t| !checkpoint.mutes.contains_key(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::CertInfo;
    use crate::config::CheckDefaults;
    use crate::translog::Entry;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn target() -> Target {
        let mut t = Target::adhoc("https://203.0.113.10/", &CheckDefaults::default()).unwrap();
        t.name = "web".into();
        t.remind_every = Some(Duration::from_secs(3600));
        t
    }

    fn down(at_: &str) -> Checkpoint {
        let mut cp = Checkpoint::default();
        cp.targets.insert(
            "web".into(),
            Entry {
                at: at(at_),
                state: State::Offline,
                target: "web".into(),
                text: "HTTP 503".into(),
            },
        );
        cp
    }

    #[test]
    fn one_reminder_per_interval_while_down_and_none_after() {
        let t = target();
        let o = Outcome {
            detail: "HTTP 503".into(),
            ..Outcome::default()
        };
        let mut cp = down("2026-11-25T10:00:00Z");
        assert!(reminders(&[(&t, &o)], &mut cp, at("2026-11-25T10:59:00Z")).is_empty());
        let first = reminders(&[(&t, &o)], &mut cp, at("2026-11-25T11:00:00Z"));
        assert!(
            matches!(&first[..], [Notice::StillDown { down_for, .. }] if *down_for == Some(Duration::from_secs(3600)))
        );
        assert!(reminders(&[(&t, &o)], &mut cp, at("2026-11-25T11:30:00Z")).is_empty());
        assert_eq!(
            reminders(&[(&t, &o)], &mut cp, at("2026-11-25T12:00:00Z")).len(),
            1
        );
        cp.targets.get_mut("web").unwrap().state = State::Online;
        assert!(reminders(&[(&t, &o)], &mut cp, at("2026-11-25T18:00:00Z")).is_empty());
        assert!(cp.reminded.is_empty());
    }

    fn clock(now: &str, last_check: Option<&str>) -> RunClock {
        RunClock {
            now: at(now),
            last_check: last_check.map(at),
        }
    }

    #[test]
    fn a_clock_behind_the_last_check_is_found_and_said() {
        let behind = clock("2026-11-25T12:00:00Z", Some("2026-11-25T13:08:00Z"));
        assert_eq!(behind.behind(), Some(Duration::from_secs(4080)));
        let said = behind.warning().unwrap();
        assert!(
            said.starts_with(
                "this machine's clock is 1h8m behind the last check (2026-11-25 13:08:00 +00:00)"
            ),
            "{said}"
        );
        for fine in [
            clock("2026-11-25T12:00:00Z", Some("2026-11-25T11:59:00Z")),
            clock("2026-11-25T12:00:00Z", Some("2026-11-25T12:00:00Z")),
            clock("2026-11-25T12:00:00Z", None),
        ] {
            assert_eq!((fine.behind(), fine.warning()), (None, None), "{fine:?}");
        }
        assert_eq!(
            lasted(at("2026-11-25T12:00:01Z"), at("2026-11-25T12:00:00Z")),
            None
        );
        assert_eq!(
            lasted(at("2026-11-25T11:00:00Z"), at("2026-11-25T12:00:00Z")),
            Some(Duration::from_secs(3600))
        );
    }

    #[test]
    fn reminders_keep_their_interval_when_the_clock_goes_back() {
        let t = target(); // remind_every = 1h
        let o = Outcome::default();
        let mut cp = down("2026-11-25T08:00:00Z");
        let step = |cp: &mut Checkpoint, now: &str, last: &str| {
            reminders_at(&[(&t, &o)], cp, clock(now, Some(last))).len()
        };
        assert_eq!(
            step(&mut cp, "2026-11-25T12:00:00Z", "2026-11-25T11:59:00Z"),
            1
        );
        // At 12:40 the clock is set back 2h (to 10:40): 40m have passed since the reminder.
        assert_eq!(
            step(&mut cp, "2026-11-25T10:41:00Z", "2026-11-25T12:40:00Z"),
            0
        );
        // The next reminder comes an hour after the last in real time, not at 13:00.
        assert_eq!(
            step(&mut cp, "2026-11-25T10:58:00Z", "2026-11-25T10:57:00Z"),
            0
        );
        let due: Vec<&str> = ["10:59", "11:00", "11:01", "11:02"]
            .into_iter()
            .filter(|hm| {
                let now = format!("2026-11-25T{hm}:00Z");
                step(&mut cp, &now, "2026-11-25T10:58:00Z") == 1
            })
            .collect();
        assert_eq!(
            due,
            ["11:01"],
            "21m after 10:40, 60m after 12:00 in real time"
        );
        // Two minutes more and then an hour: one reminder per hour again.
        assert_eq!(
            step(&mut cp, "2026-11-25T12:00:00Z", "2026-11-25T11:59:00Z"),
            0
        );
        assert_eq!(
            step(&mut cp, "2026-11-25T12:01:00Z", "2026-11-25T12:00:00Z"),
            1
        );
    }

    #[test]
    fn a_reminder_after_now_is_due_and_an_outage_after_now_has_no_made_up_length() {
        let t = target();
        let o = Outcome {
            detail: "HTTP 503".into(),
            ..Outcome::default()
        };
        // The outage began at 12:30, the clock now says 12:00: no last check to measure by.
        let mut cp = down("2026-11-25T12:30:00Z");
        cp.reminded.insert("web".into(), at("2026-11-25T12:45:00Z"));
        let said = reminders(&[(&t, &o)], &mut cp, at("2026-11-25T12:00:00Z"));
        assert!(
            matches!(&said[..], [Notice::StillDown { down_for: None, .. }]),
            "{said:?}"
        );
        assert_eq!(cp.reminded["web"], at("2026-11-25T12:00:00Z"));
        assert!(reminders(&[(&t, &o)], &mut cp, at("2026-11-25T12:30:00Z")).is_empty());
        assert_eq!(
            reminders(&[(&t, &o)], &mut cp, at("2026-11-25T13:00:00Z")).len(),
            1
        );
        // Said in both languages without a duration.
        let en = crate::message::render_plain(&said, "srv", &crate::texts::EN);
        assert!(
            en.starts_with(
                "⏰ web is still DOWN, for an unknown time (the clock went back): HTTP 503"
            ),
            "{en}"
        );
        let pt = crate::message::render_plain(&said, "srv", &crate::texts::PT_BR);
        assert!(pt.contains("há um tempo desconhecido"), "{pt}");
        for text in [en, pt] {
            assert!(
                !text.contains("0ms") && !text.contains("{duration}"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_recovery_from_an_outage_after_now_says_the_time_is_unknown() {
        use crate::transition::{decide_at_once, judge_connectivity, CONNECTIVITY};
        let t = target();
        let up = Outcome {
            up: true,
            detail: "HTTP 200".into(),
            ..Outcome::default()
        };
        let now = at("2026-11-25T12:00:00Z");
        let mut cp = down("2026-11-25T12:30:00Z");
        let last = HashMap::from([("web".to_owned(), cp.targets["web"].clone())]);
        let changes = decide_at_once(&last, &[(&t, &up)], now);
        assert_eq!(changes[0].down_for, None);
        cp.targets.insert(
            CONNECTIVITY.into(),
            Entry {
                target: CONNECTIVITY.into(),
                ..cp.targets["web"].clone()
            },
        );
        let back = judge_connectivity(&[(&t, &up)], false, cp.targets.get(CONNECTIVITY), now);
        let notices: Vec<Notice> = [changes[0].clone(), back.change.unwrap()]
            .into_iter()
            .map(Notice::Change)
            .collect();
        let en = crate::message::render_plain(&notices, "srv", &crate::texts::EN);
        assert!(
            en.contains("web is UP again after an unknown time down"),
            "{en}"
        );
        assert!(
            en.contains("srv is back online after an unknown time"),
            "{en}"
        );
        let pt = crate::message::render_plain(&notices, "srv", &crate::texts::PT_BR);
        assert!(pt.contains("depois de um tempo desconhecido fora"), "{pt}");
        assert!(
            pt.contains("conexão depois de um tempo desconhecido"),
            "{pt}"
        );
    }

    #[test]
    fn each_threshold_once_per_certificate_and_a_new_one_starts_afresh() {
        let t = target();
        let now = at("2026-11-25T12:00:00Z");
        let cert = |fp: &str, days: i64| Outcome {
            up: true,
            cert: Some(CertInfo {
                fingerprint: fp.into(),
                not_after: now + chrono::TimeDelta::days(days),
            }),
            ..Outcome::default()
        };
        let mut cp = Checkpoint::default();
        assert!(certificates(&[(&t, &cert("a", 90))], &mut cp, now).is_empty());
        let five = cert("b", 5);
        let first = certificates(&[(&t, &five)], &mut cp, now);
        assert!(
            matches!(&first[..], [Notice::CertExpires { days: 5, .. }]),
            "{first:?}"
        );
        assert!(certificates(&[(&t, &five)], &mut cp, now).is_empty());
        assert_eq!(cp.certs["web"][0].warned, [14, 7]);
        // A CDN serving two certificates in turn: each is announced once, not per switch.
        let other = cert("b2", 5);
        assert_eq!(certificates(&[(&t, &other)], &mut cp, now).len(), 1);
        for _ in 0..3 {
            assert!(certificates(&[(&t, &five)], &mut cp, now).is_empty());
            assert!(certificates(&[(&t, &other)], &mut cp, now).is_empty());
        }
        let two = certificates(&[(&t, &cert("c", 2))], &mut cp, now);
        assert!(
            matches!(&two[..], [Notice::CertExpires { days: 2, .. }]),
            "{two:?}"
        );
        let renewed = certificates(&[(&t, &cert("d", 90))], &mut cp, now);
        assert!(
            matches!(&renewed[..], [Notice::CertRenewed { .. }]),
            "{renewed:?}"
        );
    }

    #[test]
    fn a_mute_ends_with_a_word_only_when_the_state_changed() {
        let now = at("2026-11-25T12:00:00Z");
        let mut cp = down("2026-11-25T10:00:00Z");
        let names = vec!["web".to_owned()];
        cp.mute(
            &names,
            Some(now + chrono::TimeDelta::hours(1)),
            Some("deploy".into()),
            now,
        );
        assert!(expired(&cp, now).is_empty());
        assert_eq!(expired(&cp, now + chrono::TimeDelta::hours(1)), names);
        let urls = HashMap::from([("web", "https://203.0.113.10/")]);
        assert!(
            unmute(&mut cp.clone(), &names, &urls, now).is_empty(),
            "same state"
        );
        cp.targets.get_mut("web").unwrap().state = State::Online;
        let said = unmute(&mut cp, &names, &urls, now);
        assert!(matches!(
            &said[..],
            [Notice::Unmuted {
                state: State::Online,
                ..
            }]
        ));
        assert!(cp.mutes.is_empty());
    }

    #[test]
    fn an_acknowledged_outage_gets_no_reminders_and_the_next_one_does() {
        let t = target(); // remind_every = 1h
        let o = Outcome::default();
        let mut cp = down("2026-11-25T10:00:00Z");
        assert_eq!(
            reminders(&[(&t, &o)], &mut cp, at("2026-11-25T11:00:00Z")).len(),
            1
        );
        cp.ack(
            &["web".to_owned()],
            "root",
            None,
            at("2026-11-25T11:10:00Z"),
        )
        .unwrap();
        for hour in 12..20 {
            let now = at(&format!("2026-11-25T{hour}:00:00Z"));
            assert!(reminders(&[(&t, &o)], &mut cp, now).is_empty(), "{now}");
        }
        // The recovery clears it; the next outage is reminded of again.
        let mut entry = cp.targets["web"].clone();
        entry.state = State::Online;
        entry.at = at("2026-11-25T20:00:00Z");
        cp.record(entry.clone());
        assert!(reminders(&[(&t, &o)], &mut cp, at("2026-11-25T20:01:00Z")).is_empty());
        entry.state = State::Offline;
        entry.at = at("2026-11-25T21:00:00Z");
        cp.record(entry);
        assert_eq!(
            reminders(&[(&t, &o)], &mut cp, at("2026-11-25T22:00:00Z")).len(),
            1
        );
    }

    #[test]
    fn each_domain_threshold_once_per_expiry_date_and_a_renewal_starts_afresh() {
        let mut t = crate::fixtures::target("web");
        t.endpoint = crate::config::Endpoint::parse("https://www.example.org/").unwrap();
        t.url = "https://www.example.org/".into();
        t.domain_warn_days = vec![30, 7, 1];
        let targets = [t];
        let now = at("2026-11-25T12:00:00Z");
        let mut cp = Checkpoint::default();
        let days = |n: i64| Some(now + chrono::TimeDelta::days(n));
        cp.domain_checked("example.org", now, days(40));
        assert!(domains(&targets, &mut cp, now).is_empty());
        cp.domain_checked("example.org", now, days(6));
        let said = domains(&targets, &mut cp, now);
        assert!(
            matches!(&said[..], [Notice::DomainExpires { days: 6, domain, target, .. }]
                if domain == "example.org" && target == "web"),
            "{said:?}"
        );
        for _ in 0..5 {
            assert!(domains(&targets, &mut cp, now).is_empty());
        }
        assert_eq!(cp.domains["example.org"].warned, [30, 7]);
        // Renewed for a year: the thresholds start afresh.
        cp.domain_checked("example.org", now, days(365));
        assert!(cp.domains["example.org"].warned.is_empty());
        assert!(domains(&targets, &mut cp, now).is_empty());
        // In both languages.
        let html = crate::message::render_html(&said, "srv", &crate::texts::PT_BR);
        assert!(
            html.starts_with(
                "🌐 O domínio <b>example.org</b> de web vence em 6 dias, no dia 2026-12-01"
            ),
            "{html}"
        );
    }
}
