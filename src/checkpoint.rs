//! The checkpoint: what a run remembers between runs, its invariants and every change a
//! command may make to it. No I/O: the plan of a run computes a new checkpoint from the
//! old one, and the state directory ([`crate::state`]) loads and commits it.
//!
//! It holds each target's last logged state (the durable copy of the log's memory, so
//! rotating the log loses nothing), the log lines committed but perhaps not yet
//! appended, the queued messages in event order with where each must go, the messages
//! Telegram refused for good, where Telegram moved the chat, reminders, mutes,
//! certificates and the roster `status` reads (README "Delivery guarantees").

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::outcome::Reason;
use crate::translog::{Entry, State};

/// The layout of the checkpoint; a newer one is refused rather than misread.
pub const VERSION: u32 = 1;

/// What a run remembers between runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checkpoint {
    pub version: u32,
    /// The id the next queued message gets: messages go out in id order.
    pub next_id: u64,
    /// Each target's last logged state.
    pub targets: BTreeMap<String, Entry>,
    /// Log lines committed with this checkpoint that the log may not hold yet (a crash
    /// between the commit and the append); the next run appends those it lacks.
    pub unlogged: Vec<Entry>,
    /// Messages waiting for Telegram, oldest first.
    pub queue: Vec<Queued>,
    /// Messages Telegram refused for good (shown by `status` and `vigia outbox`).
    pub set_aside: Vec<Queued>,
    /// Telegram moved the chat (a group upgraded to a supergroup): from, to.
    pub migrated: Option<(i64, i64)>,
    /// Since when the checker itself cannot probe (its own fault, not the targets').
    pub fault_since: Option<DateTime<FixedOffset>>,
    /// When each target that is down was last reminded of (`check.remind_every`).
    pub reminded: BTreeMap<String, DateTime<FixedOffset>>,
    /// Muted targets: nothing is sent about them until the mute ends.
    pub mutes: BTreeMap<String, Mute>,
    /// The certificates each https target showed lately, the one of the last run first,
    /// each with the thresholds announced for it (a CDN may serve several in turn).
    pub certs: BTreeMap<String, Vec<CertSeen>>,
    /// What is watched, as the last configured run read it, for `status` without the
    /// config (see [`Roster`]).
    pub roster: Option<Roster>,
    /// Targets whose results differ from their logged state, not confirmed yet
    /// (`check.confirm`, `check.recover`): nothing is logged or said until they are.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, Pending>,
    /// The recent changes of each target with `check.flapping`, and whether it flaps.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub flaps: BTreeMap<String, Flaps>,
    /// Targets with `check.slow` that answer slowly, or are on their way to being
    /// called slow or fast again.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub slow: BTreeMap<String, Slowness>,
    /// When vigia itself was not running, oldest first: time that is no data, neither
    /// uptime nor downtime (README "State").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<Gap>,
    /// The start of the last `[[maintenance]]` window that muted each target: a window
    /// mutes once, so that a hand unmute inside it holds.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub windows_seen: BTreeMap<String, DateTime<FixedOffset>>,
    /// Targets whose current outage someone acknowledged (`vigia ack`): no reminders
    /// until the recovery, which clears it.
    pub acks: BTreeMap<String, Ack>,
    /// Why each target is in its last logged state, as a value (the log's text is
    /// English): a message that says it again later (a mute's end) says it in the
    /// configured language. Kept with the state it explains; a reason this vigia cannot
    /// read (a newer one wrote it) is dropped, never fatal.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "readable_reasons"
    )]
    pub reasons: BTreeMap<String, (State, Reason)>,
    /// Commands from the chat (see [`crate::commands`]): the `offset` of the next
    /// getUpdates, committed with what the commands it confirms changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_offset: Option<i64>,
    /// Since when getUpdates fails (a webhook, another poller: 409): one warning per
    /// episode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates_failing: Option<DateTime<FixedOffset>>,
    /// The bot's username (by its public id), asked of getMe once a command named a bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_username: Option<(u64, String)>,
    /// Registered domains with `domain_warn_days`: when RDAP was last asked, when the
    /// domain expires, the thresholds announced (see `crate::rdap`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, DomainSeen>,
    /// `[report]`: since when it is configured and the last report sent (see
    /// [`crate::report`]), so that one goes out once per period across restarts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportMark>,
    /// When each target with `check.slow` was slow lately (announced slow until fast
    /// again), oldest first: the report's slowest day. Written only when a target is
    /// called slow or fast again.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub slow_spells: BTreeMap<String, Vec<SlowSpell>>,
}

/// A time a target was announced slow: from the SLOW notice to "fast again" (`None`:
/// still slow).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlowSpell {
    pub from: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<FixedOffset>>,
}

/// At most so many slow spells are kept per target (the oldest go first).
const MAX_SLOW_SPELLS: usize = 100;

/// What the checkpoint keeps of the scheduled report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportMark {
    /// The first run that saw `[report]`: the first report goes at the first scheduled
    /// time after it.
    pub since: DateTime<FixedOffset>,
    /// The scheduled time of the last report sent (`None`: none yet).
    pub sent: Option<DateTime<FixedOffset>>,
}

/// A result that differs from the target's logged state, counted until it is confirmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The state the runs found.
    pub state: State,
    /// Runs in a row that found it.
    pub runs: u32,
    /// Runs in a row it takes.
    pub of: u32,
    /// The first of those runs: the time the change gets once confirmed.
    pub since: DateTime<FixedOffset>,
}

/// A target's recent changes, for `check.flapping`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Flaps {
    /// When its changes happened, oldest first, within the flapping window.
    pub changes: Vec<DateTime<FixedOffset>>,
    /// Since when it flaps (its changes are then logged, not alerted one by one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<FixedOffset>>,
    /// When the last flapping message went out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub said: Option<DateTime<FixedOffset>>,
}

/// A target that answers slowly (`check.slow`), or is counting runs towards a change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slowness {
    /// It was announced as slow (and not yet as fast again).
    pub slow: bool,
    /// Runs in a row that disagree with `slow`.
    pub runs: u32,
    /// Since when it is slow, and how long the answer took then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<FixedOffset>>,
    pub elapsed_ms: u64,
}

/// A time in which vigia did not run: from the last completed check before it to the
/// run that found it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
}

impl Gap {
    /// How much of `from..to` lies inside this gap.
    pub fn overlap(&self, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> TimeDelta {
        let (start, end) = (self.from.max(from), self.to.min(to));
        (end - start).max(TimeDelta::zero())
    }
}

/// How long gaps are remembered: the longest window anything reports on.
pub const GAPS_KEPT_FOR: TimeDelta = TimeDelta::days(90);
/// At most so many gaps are remembered (the oldest go first).
const MAX_GAPS: usize = 1000;

/// What `vigia status` needs of the configuration, kept by `check` in the checkpoint:
/// the targets with their shown URLs (passwords masked), the canaries and the log, and
/// whose alerts this state holds (the bot's public id and the chat). It holds no
/// secret, so a member of the state directory's group (`adm` for vigia.service) can run
/// `status` without reading the config and its token. Committed only when the config
/// changed it: a quiet run pays nothing for it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    pub log_file: PathBuf,
    pub canaries: usize,
    /// (name, URL as shown), in the config's order.
    pub targets: Vec<(String, String)>,
    /// The config that wrote it, as `status` names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// Where its alerts go; `None` without a `[telegram]` section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
}

/// Where a message goes: the bot (by its public numeric id, the part of the token
/// before the colon) and the configured chat, with its forum topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub bot: u64,
    pub chat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<i64>,
}

impl Address {
    /// Where the config's alerts go.
    pub fn of(telegram: &crate::config::Telegram) -> Address {
        Address {
            bot: telegram.token.bot_id(),
            chat: telegram.chat_id,
            thread: telegram.message_thread_id,
        }
    }
}

/// A mute (`vigia mute`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mute {
    pub since: DateTime<FixedOffset>,
    /// `None`: until `vigia unmute`.
    pub until: Option<DateTime<FixedOffset>>,
    pub reason: Option<String>,
    /// The target's state when the mute began (`None`: never checked yet).
    pub state: Option<State>,
    /// Set by a `[[maintenance]]` window (see [`crate::maintenance`]), not by hand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub maintenance: bool,
}

/// An acknowledgement of an outage (`vigia ack`): who took it on, when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// The user who ran `vigia ack` (`$SUDO_USER`, else the real user's name).
    pub by: String,
    pub at: DateTime<FixedOffset>,
    pub reason: Option<String>,
    /// When the outage it is about began (the target's OFFLINE entry): an ack never
    /// outlives its outage.
    pub outage: DateTime<FixedOffset>,
}

/// Why a target cannot be acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotDown {
    /// It was never checked.
    Unknown,
    /// It is up.
    Up,
}

/// A certificate as last seen, identified by its SHA-256 fingerprint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertSeen {
    pub fingerprint: String,
    pub not_after: DateTime<FixedOffset>,
    /// The thresholds (days left) already announced for this certificate.
    #[serde(default)]
    pub warned: Vec<u32>,
}

/// One message: its parts go out in order and together, before any later message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub id: u64,
    /// When the events it reports happened (the text says it too).
    pub created: DateTime<FixedOffset>,
    /// Telegram HTML, each part at most one message long.
    pub parts: Vec<String>,
    /// How many parts Telegram has accepted.
    #[serde(default)]
    pub sent: usize,
    #[serde(default)]
    pub attempts: u32,
    /// The last delivery error, in plain words.
    #[serde(default)]
    pub last_error: Option<String>,
    /// The current part goes out as plain text (its HTML was refused once); the HTML is
    /// kept, so that `vigia outbox --retry` can try it again as it was.
    #[serde(default)]
    pub plain: bool,
    /// Where it must go. `None` for what vigia 0.1 and 0.2 queued: it belongs to the
    /// state directory's own destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
}

impl Queued {
    /// The part that goes out next.
    pub fn next_part(&self) -> &str {
        self.parts.get(self.sent).map_or("", String::as_str)
    }
}

/// Ids stay far below overflow: a checkpoint with larger ones is renumbered.
const MAX_ID: u64 = 1 << 53;

/// No message has the id that was asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct NoSuchMessage;

impl Checkpoint {
    /// Queues one message made of `parts` for `to`; returns its id. A message with no
    /// part is not queued (and gets no id).
    pub fn enqueue(
        &mut self,
        parts: Vec<String>,
        created: DateTime<FixedOffset>,
        to: Option<Address>,
    ) -> Option<u64> {
        if parts.is_empty() {
            return None;
        }
        let id = self.next_id.max(1);
        self.next_id = id + 1;
        self.queue.push(Queued {
            id,
            created,
            parts,
            sent: 0,
            attempts: 0,
            last_error: None,
            plain: false,
            to,
        });
        Some(id)
    }

    /// The chat to send to: the configured one, unless Telegram moved it.
    pub fn chat_id(&self, configured: i64) -> i64 {
        match self.migrated {
            Some((from, to)) if from == configured => to,
            _ => configured,
        }
    }

    /// Telegram moved the configured chat `from` to `to`.
    pub fn migrate(&mut self, from: i64, to: i64) {
        self.migrated = Some((from, to));
    }

    /// Telegram accepted the next part of the first message. Returns whether that
    /// message is now delivered whole (and left the queue).
    pub fn part_accepted(&mut self) -> bool {
        let Some(head) = self.queue.first_mut() else {
            return false;
        };
        head.sent = (head.sent + 1).min(head.parts.len());
        head.plain = false;
        let whole = head.sent == head.parts.len();
        if whole {
            self.queue.remove(0);
        }
        whole
    }

    /// Applies a record of accepted parts that a run made but could not commit (see
    /// [`crate::state`]'s delivery journal): message `id` had `sent` parts accepted.
    /// Records are idempotent: an old one changes nothing.
    pub fn apply_accepted(&mut self, id: u64, sent: usize) -> bool {
        let Some(at) = self.queue.iter().position(|q| q.id == id) else {
            return false;
        };
        let q = &mut self.queue[at];
        if sent <= q.sent {
            return false;
        }
        q.sent = sent.min(q.parts.len());
        q.plain = false;
        if q.sent == q.parts.len() {
            self.queue.remove(at);
        }
        true
    }

    /// Replaces the current part of the first message by the parts `split` makes of it
    /// (a part over Telegram's limit). A part with nothing left to show becomes a
    /// placeholder, so that a message never runs out of parts.
    pub fn resplit_head(&mut self, split: impl FnOnce(&str) -> Vec<String>) {
        let Some(head) = self.queue.first_mut() else {
            return;
        };
        let Some(part) = head.parts.get(head.sent) else {
            return;
        };
        let mut parts = split(part);
        if parts.is_empty() {
            parts.push("(empty message)".to_owned());
        }
        head.parts.splice(head.sent..=head.sent, parts);
    }

    /// The first message's HTML was refused: its current part goes out as plain text.
    pub fn send_head_plain(&mut self, why: &str) -> Option<u64> {
        let head = self.queue.first_mut()?;
        head.plain = true;
        head.last_error = Some(why.to_owned());
        Some(head.id)
    }

    /// The first message is refused for good: it is set aside so later ones go on.
    pub fn set_aside_head(&mut self, why: &str) -> Option<u64> {
        if self.queue.is_empty() {
            return None;
        }
        let mut refused = self.queue.remove(0);
        refused.last_error = Some(why.to_owned());
        let id = refused.id;
        self.set_aside.push(refused);
        Some(id)
    }

    /// A delivery attempt of the first message failed for a reason that may pass.
    pub fn head_failed(&mut self, why: &str) {
        if let Some(head) = self.queue.first_mut() {
            head.attempts = head.attempts.saturating_add(1);
            head.last_error = Some(why.to_owned());
        }
    }

    /// `vigia outbox --retry ID`: a set-aside message goes back into the queue, in id
    /// order, as HTML again, addressed to `to` (the destination of the config at hand).
    pub fn retry(&mut self, id: u64, to: Option<Address>) -> Result<(), NoSuchMessage> {
        let at = self
            .set_aside
            .iter()
            .position(|q| q.id == id)
            .ok_or(NoSuchMessage)?;
        let mut message = self.set_aside.remove(at);
        message.plain = false;
        message.attempts = 0;
        message.to = to.or(message.to);
        let slot = self.queue.partition_point(|q| q.id < id);
        self.queue.insert(slot, message);
        Ok(())
    }

    /// `vigia outbox --drop ID`: a message, waiting or set aside, is forgotten.
    pub fn drop_message(&mut self, id: u64) -> Result<(), NoSuchMessage> {
        let before = self.queue.len() + self.set_aside.len();
        self.queue.retain(|q| q.id != id);
        self.set_aside.retain(|q| q.id != id);
        match self.queue.len() + self.set_aside.len() == before {
            true => Err(NoSuchMessage),
            false => Ok(()),
        }
    }

    /// Mutes `names`: from now, until `until` or `vigia unmute`, nothing is sent about
    /// them. Each keeps the state it had, so that its unmute can say what changed.
    pub fn mute(
        &mut self,
        names: &[String],
        until: Option<DateTime<FixedOffset>>,
        reason: Option<String>,
        now: DateTime<FixedOffset>,
    ) {
        for name in names {
            let state = self.targets.get(name).map(|e| e.state);
            let mute = Mute {
                since: now,
                until,
                reason: reason.clone(),
                state,
                maintenance: false,
            };
            self.mutes.insert(name.clone(), mute);
        }
    }

    /// Ends the mute of `name`; returns it, if there was one.
    pub fn unmute(&mut self, name: &str) -> Option<Mute> {
        self.mutes.remove(name)
    }

    /// `name` was reminded of (or its reminder moved) at `at`; `None`: it is not down.
    pub fn reminded(&mut self, name: &str, at: Option<DateTime<FixedOffset>>) {
        match at {
            Some(at) => self.reminded.insert(name.to_owned(), at),
            None => self.reminded.remove(name),
        };
    }

    /// `name`'s unconfirmed change (`None`: it has none).
    pub fn pend(&mut self, name: &str, pending: Option<Pending>) {
        match pending {
            Some(p) => self.pending.insert(name.to_owned(), p),
            None => self.pending.remove(name),
        };
    }

    /// `name`'s recent changes, as the flapping rule keeps them (empty: forgotten).
    pub fn set_flaps(&mut self, name: &str, flaps: Flaps) {
        if flaps == Flaps::default() {
            self.flaps.remove(name);
        } else {
            self.flaps.insert(name.to_owned(), flaps);
        }
    }

    /// `name`'s slowness, as the slow rule counts it (default: fast, nothing counted).
    pub fn set_slowness(&mut self, name: &str, slowness: Slowness) {
        if slowness == Slowness::default() {
            self.slow.remove(name);
        } else {
            self.slow.insert(name.to_owned(), slowness);
        }
    }

    /// vigia was not running for a while: runs before and after are not in a row, so
    /// unconfirmed changes and slowness counts start again.
    pub fn restart_counts(&mut self) {
        self.pending.clear();
        for s in self.slow.values_mut() {
            s.runs = 0;
        }
        self.slow.retain(|_, s| *s != Slowness::default());
    }

    /// A maintenance window that began at `start` has muted `name` (or met its hand mute).
    pub fn window_seen(&mut self, name: &str, start: DateTime<FixedOffset>) {
        self.windows_seen.insert(name.to_owned(), start);
    }

    /// Forgets the counts (unconfirmed changes, flapping, slowness, windows) of targets
    /// no longer configured.
    pub fn forget_unwatched(&mut self, watched: &BTreeSet<&str>) {
        self.reasons
            .retain(|name, _| watched.contains(name.as_str()) || name.starts_with('@'));
        self.acks.retain(|name, _| watched.contains(name.as_str()));
        self.slow_spells
            .retain(|name, _| watched.contains(name.as_str()));
        self.windows_seen
            .retain(|name, _| watched.contains(name.as_str()));
        self.pending
            .retain(|name, _| watched.contains(name.as_str()));
        self.flaps.retain(|name, _| watched.contains(name.as_str()));
        self.slow.retain(|name, _| watched.contains(name.as_str()));
    }

    /// `name` was announced slow (`slow`) or fast again at `now`. Spells that ended more
    /// than [`GAPS_KEPT_FOR`] ago are forgotten.
    pub fn slow_spell(&mut self, name: &str, slow: bool, now: DateTime<FixedOffset>) {
        let spells = self.slow_spells.entry(name.to_owned()).or_default();
        match (slow, spells.last_mut()) {
            (true, Some(SlowSpell { to: None, .. })) => {}
            (true, _) => spells.push(SlowSpell {
                from: now,
                to: None,
            }),
            (false, Some(last @ SlowSpell { to: None, .. })) => last.to = Some(now),
            (false, _) => {}
        }
        spells.retain(|s| s.to.is_none_or(|to| to > now - GAPS_KEPT_FOR));
        let excess = spells.len().saturating_sub(MAX_SLOW_SPELLS);
        spells.drain(..excess);
    }

    /// vigia did not run from `from` to `to`; gaps older than [`GAPS_KEPT_FOR`] before
    /// `to` are forgotten.
    pub fn gap(&mut self, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) {
        if to <= from {
            return;
        }
        self.gaps.push(Gap { from, to });
        self.gaps.sort_by_key(|g| g.from);
        self.gaps.retain(|g| g.to > to - GAPS_KEPT_FOR);
        let excess = self.gaps.len().saturating_sub(MAX_GAPS);
        self.gaps.drain(..excess);
    }

    /// How much of `from..to` vigia was not running.
    pub fn not_running(&self, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> TimeDelta {
        self.gaps.iter().map(|g| g.overlap(from, to)).sum()
    }

    /// The certificates `name` showed lately, newest first, to update.
    pub fn certs_seen(&mut self, name: &str) -> &mut Vec<CertSeen> {
        self.certs.entry(name.to_owned()).or_default()
    }

    /// A message vigia 0.1 queued, with what its tries were.
    pub fn adopt_old(
        &mut self,
        parts: Vec<String>,
        created: DateTime<FixedOffset>,
        attempts: u32,
        last_error: Option<String>,
    ) {
        if self.enqueue(parts, created, None).is_some() {
            let q = self.queue.last_mut().expect("just queued");
            q.attempts = attempts;
            q.last_error = last_error;
        }
    }

    /// Where vigia 0.1 had followed the chat, unless it is known already.
    pub fn adopt_old_migration(&mut self, from: i64, to: i64) {
        self.migrated.get_or_insert((from, to));
    }

    /// What `status` shows without the config; the transaction commits it only when it
    /// differs from the one kept.
    pub fn set_roster(&mut self, roster: Roster) {
        self.roster = Some(roster);
    }

    /// Records a change of state: the target's last state and the line the log must get.
    /// Every record ends the outage an ack was about (a recovery, in the normal course):
    /// the next outage is not acknowledged.
    pub fn record(&mut self, entry: Entry) {
        self.acks.remove(&entry.target);
        self.targets.insert(entry.target.clone(), entry.clone());
        self.reasons.remove(&entry.target);
        self.unlogged.push(entry);
    }

    /// The log now holds every line in `unlogged`.
    pub fn logged(&mut self) {
        self.unlogged.clear();
    }

    /// Learns the last states of targets it did not know, from the log's tail.
    pub fn learn(&mut self, found: impl IntoIterator<Item = (String, Entry)>) {
        for (name, entry) in found {
            self.targets.entry(name).or_insert(entry);
        }
    }

    /// The checker's own fault began (`Some`) or ended (`None`). Returns whether a fault
    /// episode begins with this run.
    pub fn fault(&mut self, now: Option<DateTime<FixedOffset>>) -> bool {
        let begins = now.is_some() && self.fault_since.is_none();
        if begins || now.is_none() {
            self.fault_since = now;
        }
        begins
    }

    /// Makes the checkpoint consistent and says what it repaired, one line each: what
    /// a damaged or hand-edited file, or a bug of an older vigia, could leave. Nothing
    /// in it may then make a run panic: every queued message has a part to send, no
    /// more parts are marked sent than it has, ids are unique and below `next_id`.
    pub fn validate(&mut self) -> Vec<String> {
        let mut repaired = Vec::new();
        let mut seen = BTreeSet::new();
        let mut check = |q: &mut Queued, list: &str, repaired: &mut Vec<String>| -> bool {
            if q.parts.is_empty() {
                repaired.push(format!(
                    "{list} message {} has no text: it was removed",
                    q.id
                ));
                return false;
            }
            if q.sent >= q.parts.len() {
                repaired.push(format!(
                    "{list} message {} was marked as sent {} of {} part(s): it counts as delivered",
                    q.id,
                    q.sent,
                    q.parts.len()
                ));
                q.sent = q.parts.len();
                return list != "waiting";
            }
            if q.id == 0 || !seen.insert(q.id) {
                repaired.push(format!(
                    "{list} message {} shares its id with another: it was renumbered",
                    q.id
                ));
                q.id = 0;
            }
            true
        };
        self.queue
            .retain_mut(|q| check(q, "waiting", &mut repaired));
        self.set_aside.retain_mut(|q| {
            // A set-aside message keeps its parts whatever its count says.
            q.sent = q.sent.min(q.parts.len().saturating_sub(1));
            check(q, "set-aside", &mut repaired)
        });
        let highest = seen.iter().next_back().copied().unwrap_or(0);
        if highest >= MAX_ID || self.next_id >= MAX_ID {
            // Ids near the end of the range would overflow: number them afresh, in order.
            repaired.push("message ids were out of range: they were renumbered".into());
            let mut all: Vec<&mut Queued> = self
                .queue
                .iter_mut()
                .chain(self.set_aside.iter_mut())
                .collect();
            all.sort_by_key(|q| q.id);
            for (n, q) in all.into_iter().enumerate() {
                q.id = n as u64 + 1;
            }
            self.next_id = (self.queue.len() + self.set_aside.len()) as u64 + 1;
        } else if highest > 0 && self.next_id <= highest {
            self.next_id = highest + 1;
        }
        for q in self.queue.iter_mut().chain(self.set_aside.iter_mut()) {
            if q.id == 0 {
                q.id = self.next_id.max(1);
                self.next_id = q.id + 1;
            }
        }
        // The queue goes out in id order: a renumbered message goes last.
        self.queue.sort_by_key(|q| q.id);
        self.validate_counts(&mut repaired);
        self.validate_acks(&mut repaired);
        repaired
    }

    /// Unconfirmed changes that agree with the log, and gaps that end before they
    /// begin, mean nothing: they are dropped.
    fn validate_counts(&mut self, repaired: &mut Vec<String>) {
        let targets = &self.targets;
        let before = self.pending.len();
        self.pending
            .retain(|name, p| p.runs > 0 && targets.get(name).is_none_or(|e| e.state != p.state));
        if self.pending.len() < before {
            repaired.push("unconfirmed changes that the log already holds were dropped".into());
        }
        let before = self.gaps.len();
        self.gaps.retain(|g| g.to > g.from);
        if self.gaps.len() < before {
            repaired.push("gaps that end before they begin were dropped".into());
        }
    }

    /// The state directory belongs to the destination `to` now (an edited config): a
    /// queued message addressed elsewhere is set aside, never sent to the wrong chat;
    /// `vigia outbox --retry ID` sends it to the new one. Messages without an address
    /// (queued by an older vigia) take this one. Returns the ids set aside.
    pub fn readdress(&mut self, to: Option<Address>) -> Vec<u64> {
        let Some(to) = to else {
            return Vec::new();
        };
        let mut moved = Vec::new();
        let mut kept = Vec::new();
        for mut q in std::mem::take(&mut self.queue) {
            match q.to {
                Some(other) if other != to => {
                    q.last_error = Some(format!(
                        "queued for chat {} of bot {}; the config now sends to chat {} of bot {}",
                        other.chat, other.bot, to.chat, to.bot
                    ));
                    moved.push(q.id);
                    self.set_aside.push(q);
                }
                _ => {
                    q.to = Some(to);
                    kept.push(q);
                }
            }
        }
        self.queue = kept;
        self.set_aside.sort_by_key(|q| q.id);
        moved
    }

    /// `vigia ack`: `names` (each down now) are acknowledged by `by` at `now`; their
    /// reminders stop until the recovery. Refuses, changing nothing, when one of them is
    /// not down; returns its name and why.
    pub fn ack(
        &mut self,
        names: &[String],
        by: &str,
        reason: Option<String>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), (String, NotDown)> {
        let mut outages = Vec::with_capacity(names.len());
        for name in names {
            match self.targets.get(name) {
                Some(e) if e.state == State::Offline => outages.push((name, e.at)),
                Some(_) => return Err((name.clone(), NotDown::Up)),
                None => return Err((name.clone(), NotDown::Unknown)),
            }
        }
        for (name, outage) in outages {
            let ack = Ack {
                by: by.to_owned(),
                at: now,
                reason: reason.clone(),
                outage,
            };
            self.acks.insert(name.clone(), ack);
        }
        Ok(())
    }

    /// Whether `name`'s current outage is acknowledged.
    pub fn acked(&self, name: &str) -> bool {
        self.acks.contains_key(name)
    }

    /// An ack for a target that is not down, or for another outage than the current
    /// one, is dropped.
    fn validate_acks(&mut self, repaired: &mut Vec<String>) {
        let targets = &self.targets;
        self.acks.retain(|name, ack| {
            let current = targets
                .get(name)
                .is_some_and(|e| e.state == State::Offline && e.at == ack.outage);
            if !current {
                repaired.push(format!(
                    "the ack of {name} is for an outage that is over: it was dropped"
                ));
            }
            current
        });
    }

    /// A maintenance window covers `name` until `until`: it is muted from now, keeping
    /// the state it has, as by [`Checkpoint::mute`]; a mute by a window is moved to
    /// `until`, keeping its start and state. A hand mute is left as it is.
    pub fn mute_for_maintenance(
        &mut self,
        name: &str,
        until: DateTime<FixedOffset>,
        reason: String,
        now: DateTime<FixedOffset>,
    ) {
        match self.mutes.get_mut(name) {
            Some(mute) if mute.maintenance => {
                mute.until = Some(until);
                mute.reason = Some(reason);
            }
            Some(_) => {}
            None => {
                let state = self.targets.get(name).map(|e| e.state);
                let mute = Mute {
                    since: now,
                    until: Some(until),
                    reason: Some(reason),
                    state,
                    maintenance: true,
                };
                self.mutes.insert(name.to_owned(), mute);
            }
        }
    }
}

/// The reasons of a checkpoint, without those this vigia cannot read.
fn readable_reasons<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<BTreeMap<String, (State, Reason)>, D::Error> {
    let raw = BTreeMap::<String, serde_json::Value>::deserialize(de)?;
    Ok(raw
        .into_iter()
        .filter_map(|(name, value)| Some((name, serde_json::from_value(value).ok()?)))
        .collect())
}

impl Checkpoint {
    /// Records a change of state (see [`Checkpoint::record`]) with its reason as a value.
    pub fn record_with_reason(&mut self, entry: Entry, reason: Reason) {
        let (name, state) = (entry.target.clone(), entry.state);
        self.record(entry);
        self.reasons.insert(name, (state, reason));
    }

    /// Why `name` is in its last logged state, when that is known as a value.
    pub fn reason(&self, name: &str) -> Option<&Reason> {
        let (state, reason) = self.reasons.get(name)?;
        (self.targets.get(name)?.state == *state).then_some(reason)
    }
}

/// Commands from the chat: the offset, the failing episode and the bot's name.
impl Checkpoint {
    /// The updates up to `last_id` were read and applied: the next getUpdates starts
    /// after it, which confirms them to Telegram. Ids are taken as they come (they
    /// restart lower after a quiet week), so the last one read decides, not the highest.
    pub fn updates_read(&mut self, last_id: Option<i64>) {
        if let Some(id) = last_id {
            self.update_offset = Some(id.saturating_add(1));
        }
    }

    /// getUpdates failed at `now`; returns whether a failing episode begins with it.
    pub fn updates_failed(&mut self, now: DateTime<FixedOffset>) -> bool {
        let begins = self.updates_failing.is_none();
        self.updates_failing.get_or_insert(now);
        begins
    }

    /// getUpdates answered; returns since when it had failed, if it had.
    pub fn updates_answered(&mut self) -> Option<DateTime<FixedOffset>> {
        self.updates_failing.take()
    }

    /// The username of bot `bot`, when known.
    pub fn bot_username(&self, bot: u64) -> Option<&str> {
        match &self.bot_username {
            Some((id, name)) if *id == bot => Some(name),
            _ => None,
        }
    }

    /// Remembers the username of bot `bot` (from getMe).
    pub fn learn_bot_username(&mut self, bot: u64, name: String) {
        self.bot_username = Some((bot, name));
    }
}

/// A registered domain as RDAP last told it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainSeen {
    /// When RDAP was last asked (answered or not): at most once a day.
    pub checked: DateTime<FixedOffset>,
    /// When the domain expires, as last read (`None`: never read).
    #[serde(default)]
    pub expires: Option<DateTime<FixedOffset>>,
    /// The thresholds (days left) already announced for this expiry date.
    #[serde(default)]
    pub warned: Vec<u32>,
}

/// Domain expiry: what RDAP said, and the thresholds announced.
impl Checkpoint {
    /// RDAP was asked about `domain` at `now`; `expires`: what it answered (`None`: the
    /// lookup failed, the date known before stays). A later date (renewed) starts the
    /// thresholds afresh.
    pub fn domain_checked(
        &mut self,
        domain: &str,
        now: DateTime<FixedOffset>,
        expires: Option<DateTime<FixedOffset>>,
    ) {
        let seen = self.domains.entry(domain.to_owned()).or_insert(DomainSeen {
            checked: now,
            expires: None,
            warned: Vec::new(),
        });
        seen.checked = now;
        if let Some(expires) = expires {
            if seen.expires.is_some_and(|before| expires > before) {
                seen.warned.clear();
            }
            seen.expires = Some(expires);
        }
    }

    /// The thresholds of `domain` announced now, biggest first.
    pub fn domain_warned(&mut self, domain: &str, thresholds: &[u32]) {
        if let Some(seen) = self.domains.get_mut(domain) {
            seen.warned.extend_from_slice(thresholds);
            seen.warned.sort_unstable_by(|a, b| b.cmp(a));
            seen.warned.dedup();
        }
    }

    /// Forgets the domains no target watches any more.
    pub fn keep_domains(&mut self, watched: &std::collections::BTreeSet<String>) {
        self.domains.retain(|d, _| watched.contains(d));
    }
}

impl Checkpoint {
    /// `[report]` is configured (from `now` on, when it was not) or not (then forgotten:
    /// configured again, it starts over).
    pub fn report_configured(&mut self, configured: bool, now: DateTime<FixedOffset>) {
        match (configured, &self.report) {
            (false, _) => self.report = None,
            (true, None) => {
                self.report = Some(ReportMark {
                    since: now,
                    sent: None,
                })
            }
            (true, Some(_)) => {}
        }
    }

    /// The report scheduled at `due` was sent (queued with this checkpoint).
    pub fn report_sent(&mut self, due: DateTime<FixedOffset>) {
        if let Some(mark) = &mut self.report {
            mark.sent = Some(due);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn now() -> DateTime<FixedOffset> {
        at("2026-11-24T23:22:23-03:00")
    }

    const HOME: Address = Address {
        bot: 123,
        chat: 42,
        thread: None,
    };

    #[test]
    fn messages_are_numbered_in_order_and_empty_ones_are_not_queued() {
        let mut cp = Checkpoint::default();
        assert_eq!(cp.enqueue(vec!["a".into()], now(), None), Some(1));
        assert_eq!(cp.enqueue(Vec::new(), now(), None), None);
        assert_eq!(cp.enqueue(vec!["b".into()], now(), None), Some(2));
        assert_eq!(cp.next_id, 3);
    }

    #[test]
    fn accepted_parts_deliver_a_message_whole() {
        let mut cp = Checkpoint::default();
        cp.enqueue(vec!["a".into(), "b".into()], now(), None);
        assert!(!cp.part_accepted());
        assert_eq!(cp.queue[0].next_part(), "b");
        assert!(cp.part_accepted());
        assert!(cp.queue.is_empty());
        assert!(!cp.part_accepted());
    }

    #[test]
    fn a_record_of_accepted_parts_is_idempotent() {
        let mut cp = Checkpoint::default();
        cp.enqueue(vec!["a".into(), "b".into(), "c".into()], now(), None);
        assert!(cp.apply_accepted(1, 2));
        assert!(!cp.apply_accepted(1, 1));
        assert!(!cp.apply_accepted(1, 2));
        assert!(!cp.apply_accepted(9, 2));
        assert_eq!(cp.queue[0].sent, 2);
        assert!(cp.apply_accepted(1, 7));
        assert!(cp.queue.is_empty());
    }

    #[test]
    fn retry_and_drop_find_messages_by_id() {
        let mut cp = Checkpoint::default();
        cp.enqueue(vec!["a".into()], now(), Some(HOME));
        cp.enqueue(vec!["b".into()], now(), Some(HOME));
        assert_eq!(cp.set_aside_head("bad"), Some(1));
        assert_eq!(cp.retry(9, None), Err(NoSuchMessage));
        cp.retry(1, None).unwrap();
        assert_eq!(cp.queue.iter().map(|q| q.id).collect::<Vec<_>>(), [1, 2]);
        cp.drop_message(2).unwrap();
        assert_eq!(cp.drop_message(2), Err(NoSuchMessage));
    }

    #[test]
    fn validation_repairs_what_would_panic() {
        let mut cp = Checkpoint::default();
        cp.enqueue(vec!["a".into()], now(), None);
        cp.enqueue(vec!["b".into(), "c".into()], now(), None);
        cp.enqueue(vec!["d".into()], now(), None);
        cp.queue[0].parts.clear();
        cp.queue[1].sent = 7;
        cp.set_aside.push(Queued {
            parts: Vec::new(),
            ..cp.queue[2].clone()
        });
        cp.set_aside.push(Queued {
            parts: vec!["e".into()],
            ..cp.queue[2].clone()
        });
        cp.next_id = 0;
        let repaired = cp.validate();
        assert_eq!(repaired.len(), 4, "{repaired:?}");
        assert_eq!(cp.queue.len(), 1);
        assert_eq!(cp.queue[0].parts, ["d"]);
        assert_eq!(cp.set_aside.len(), 1, "the duplicate is kept, renumbered");
        assert_ne!(cp.set_aside[0].id, cp.queue[0].id);
        assert!(cp.next_id > cp.queue[0].id.max(cp.set_aside[0].id));
        assert!(cp.validate().is_empty(), "a repaired checkpoint is valid");
    }

    #[test]
    fn messages_for_another_destination_are_set_aside_not_sent() {
        let mut cp = Checkpoint::default();
        cp.enqueue(vec!["old".into()], now(), None);
        cp.enqueue(
            vec!["theirs".into()],
            now(),
            Some(Address { chat: 77, ..HOME }),
        );
        cp.enqueue(vec!["ours".into()], now(), Some(HOME));
        assert_eq!(cp.readdress(Some(HOME)), [2]);
        assert_eq!(cp.queue.iter().map(|q| q.id).collect::<Vec<_>>(), [1, 3]);
        assert!(cp.queue.iter().all(|q| q.to == Some(HOME)));
        assert!(cp.set_aside[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("chat 77"));
    }

    #[test]
    fn a_fault_episode_begins_once() {
        let mut cp = Checkpoint::default();
        assert!(cp.fault(Some(now())));
        assert!(!cp.fault(Some(at("2026-11-24T23:23:23-03:00"))));
        assert_eq!(cp.fault_since, Some(now()));
        assert!(!cp.fault(None));
        assert_eq!(cp.fault_since, None);
    }

    fn entry(at_: &str, state: State) -> Entry {
        Entry {
            at: at(at_),
            state,
            target: "web".into(),
            text: "HTTP 503".into(),
        }
    }

    #[test]
    fn only_a_target_that_is_down_is_acknowledged() {
        let mut cp = Checkpoint::default();
        let web = vec!["web".to_owned()];
        assert_eq!(
            cp.ack(&web, "root", None, now()),
            Err(("web".into(), NotDown::Unknown))
        );
        cp.record(entry("2026-11-24T23:00:00-03:00", State::Online));
        assert_eq!(
            cp.ack(&web, "root", None, now()),
            Err(("web".into(), NotDown::Up))
        );
        cp.record(entry("2026-11-24T23:10:00-03:00", State::Offline));
        // One of the names not down: none is acknowledged.
        let both = vec!["web".to_owned(), "db".to_owned()];
        assert_eq!(
            cp.ack(&both, "ana", None, now()),
            Err(("db".into(), NotDown::Unknown))
        );
        assert!(cp.acks.is_empty());
        cp.ack(&web, "ana", Some("looking into it".into()), now())
            .unwrap();
        assert!(cp.acked("web"));
        assert_eq!(
            cp.acks["web"],
            Ack {
                by: "ana".into(),
                at: now(),
                reason: Some("looking into it".into()),
                outage: at("2026-11-24T23:10:00-03:00"),
            }
        );
        assert!(
            cp.validate().is_empty(),
            "an ack of the current outage is valid"
        );
    }

    #[test]
    fn the_recovery_clears_an_ack_and_a_later_outage_is_not_acknowledged() {
        let mut cp = Checkpoint::default();
        cp.record(entry("2026-11-24T23:10:00-03:00", State::Offline));
        cp.ack(&["web".to_owned()], "root", None, now()).unwrap();
        cp.record(entry("2026-11-24T23:30:00-03:00", State::Online));
        assert!(!cp.acked("web"));
        cp.record(entry("2026-11-24T23:40:00-03:00", State::Offline));
        assert!(!cp.acked("web"));
    }

    #[test]
    fn validation_drops_an_ack_whose_outage_is_over() {
        let mut cp = Checkpoint::default();
        cp.record(entry("2026-11-24T23:10:00-03:00", State::Offline));
        cp.ack(&["web".to_owned()], "root", None, now()).unwrap();
        let mut edited = cp.clone();
        // Up again, as a hand edit or an older vigia could leave it.
        edited.targets.get_mut("web").unwrap().state = State::Online;
        assert_eq!(edited.validate().len(), 1);
        assert!(edited.acks.is_empty());
        // Down again, but another outage than the one acknowledged.
        let mut other = cp.clone();
        other.targets.get_mut("web").unwrap().at = at("2026-11-24T23:50:00-03:00");
        assert_eq!(other.validate().len(), 1);
        assert!(other.acks.is_empty());
        // A target no longer known.
        cp.targets.clear();
        assert_eq!(cp.validate().len(), 1);
        assert!(cp.acks.is_empty());
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    fn entry(state: State, text: &str) -> Entry {
        Entry {
            at: DateTime::parse_from_rfc3339("2026-11-24T23:22:23-03:00").unwrap(),
            state,
            target: "web".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_reason_is_kept_with_its_state_and_survives_the_file() {
        let mut c = Checkpoint::default();
        c.record_with_reason(entry(State::Offline, "x"), Reason::ConnectionRefused);
        let back: Checkpoint = serde_json::from_slice(&serde_json::to_vec(&c).unwrap()).unwrap();
        assert_eq!(back.reason("web"), Some(&Reason::ConnectionRefused));
        // A state recorded without a reason leaves none behind.
        c.record(entry(State::Online, "y"));
        assert_eq!(c.reason("web"), None);
        // A reason for another state than the current one is not given.
        c.reasons
            .insert("web".into(), (State::Offline, Reason::Dns));
        assert_eq!(c.reason("web"), None);
    }

    #[test]
    fn a_reason_a_newer_vigia_wrote_is_dropped_not_fatal() {
        let json = serde_json::json!({
            "version": 1,
            "reasons": {
                "web": ["OFFLINE", "connection_refused"],
                "api": ["OFFLINE", {"warp_drive_failure": 3}]
            }
        });
        let c: Checkpoint = serde_json::from_value(json).unwrap();
        assert_eq!(c.reasons.len(), 1);
        assert_eq!(c.reasons["web"].1, Reason::ConnectionRefused);
    }
}

#[cfg(test)]
mod update_tests {
    use super::*;
    use crate::fixtures::at;

    fn now() -> DateTime<FixedOffset> {
        at("2026-11-24T23:22:23-03:00")
    }

    #[test]
    fn the_update_offset_follows_the_last_update_read_even_after_a_reset() {
        let mut cp = Checkpoint::default();
        cp.updates_read(None);
        assert_eq!(cp.update_offset, None);
        cp.updates_read(Some(900));
        assert_eq!(cp.update_offset, Some(901));
        // Ids restarted lower: the last one read decides.
        cp.updates_read(Some(5));
        assert_eq!(cp.update_offset, Some(6));
    }

    #[test]
    fn a_failing_episode_of_get_updates_begins_once() {
        let mut cp = Checkpoint::default();
        assert!(cp.updates_failed(now()));
        assert!(!cp.updates_failed(at("2026-11-24T23:23:23-03:00")));
        assert_eq!(cp.updates_answered(), Some(now()));
        assert_eq!(cp.updates_answered(), None);
        cp.learn_bot_username(7, "a_bot".into());
        assert_eq!(cp.bot_username(7), Some("a_bot"));
        assert_eq!(cp.bot_username(8), None);
    }
}
