//! What a run says besides its changes, all kept in the checkpoint so that it survives
//! log rotation, crashes and restarts: reminders while a target stays down, certificate
//! thresholds crossed (once per threshold per certificate), and the end of a mute. And
//! what a muted target keeps to itself. Pure: the command passes the time.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::{CertSeen, Checkpoint, Mute};
use crate::config::Target;
use crate::message::Notice;
use crate::probe::Outcome;
use crate::statelog::State;

/// One "still DOWN" per `remind_every` for each judged target that stays down; none
/// after a recovery. `judged`: the targets this run could judge, with their outcomes.
pub fn reminders(
    judged: &[(&Target, &Outcome)],
    checkpoint: &mut Checkpoint,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for (target, outcome) in judged {
        let down = checkpoint
            .targets
            .get(&target.name)
            .filter(|e| e.state == State::Offline)
            .cloned();
        let (Some(every), Some(entry)) = (target.remind_every, down) else {
            checkpoint.reminded.remove(&target.name);
            continue;
        };
        let last = checkpoint
            .reminded
            .get(&target.name)
            .copied()
            .map_or(entry.at, |r| r.max(entry.at));
        let due = (now - last).to_std().is_ok_and(|since| since >= every);
        if due {
            notices.push(Notice::StillDown {
                target: target.name.clone(),
                url: target.url.clone(),
                reason: outcome.summary(),
                down_for: (now - entry.at).to_std().unwrap_or_default(),
                at: now,
            });
            checkpoint.reminded.insert(target.name.clone(), now);
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
        let seen = checkpoint.certs.entry(target.name.clone()).or_default();
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

/// Mutes `names` (every configured target for `None`): from now, until `until` or
/// `vigia unmute`, nothing is sent about them.
pub fn mute(
    checkpoint: &mut Checkpoint,
    names: &[String],
    until: Option<DateTime<FixedOffset>>,
    reason: Option<String>,
    now: DateTime<FixedOffset>,
) {
    for name in names {
        let state = checkpoint.targets.get(name).map(|e| e.state);
        checkpoint.mutes.insert(
            name.clone(),
            Mute {
                since: now,
                until,
                reason: reason.clone(),
                state,
            },
        );
    }
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
        let Some(mute) = checkpoint.mutes.remove(name) else {
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
                reason: current.text.clone(),
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
        .filter(|n| !checkpoint.mutes.contains_key(n.target()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::CertInfo;
    use crate::config::CheckDefaults;
    use crate::statelog::Entry;
    use std::time::Duration;

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
            matches!(&first[..], [Notice::StillDown { down_for, .. }] if *down_for == Duration::from_secs(3600))
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
        mute(
            &mut cp,
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
}
