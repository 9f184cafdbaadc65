//! Commands from the chat (`/status`, `/mute`, `/unmute`, `/ack`, `/check`, `/help`):
//! read by `vigia check` with one short getUpdates per run, parsed, authorized (only the
//! configured chat, only the users in `telegram.commands_from`) and applied in the run's
//! own transaction. The offset that confirms the updates to Telegram is committed with
//! what they changed, so each is handled once, also across a crash (README "Commands
//! from the chat"). The Bot API client only fetches them; what they mean is here.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::checkpoint::{Address, Checkpoint};
use crate::config::{format_duration, parse_duration_saturating, time_after, Config, Target};
use crate::message::{escape, render_html, split, LIMIT};
use crate::outcome::Outcome;
use crate::telegram::{ApiError, Bot, Update};
use crate::texts::{fill, Texts};
use crate::translog::State;
use crate::view::{Elapsed, Sources, StatusView};

/// The most updates one run reads; the rest wait for the next run, so a flood of
/// commands cannot flood the chat with replies.
pub const PER_RUN: u32 = 20;

/// Which targets a command names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Which {
    All,
    One(String),
}

/// A command, as written in the chat.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Status,
    Check,
    Help,
    Mute {
        which: Which,
        /// `None`: until `/unmute`.
        length: Option<Duration>,
        reason: Option<String>,
    },
    Unmute {
        which: Which,
    },
    Ack {
        which: Which,
        reason: Option<String>,
    },
}

/// What a message to this bot asks.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Command(Command),
    /// A known command written wrong: how to write it.
    Usage(&'static str),
    /// `/mute web 1x`: the word that looks like a duration and is none.
    NotADuration(String),
    /// A command vigia does not know (`/start`).
    Unknown(String),
}

const MUTE: &str = "/mute &lt;target|all&gt; [duration] [reason…]";
const UNMUTE: &str = "/unmute &lt;target|all&gt;";
const ACK: &str = "/ack &lt;target|all&gt; [reason…]";

/// The command's name, the bot it is addressed to (`/status@vigia_bot`, in a group) and
/// the rest, when `text` is a command at all.
pub fn split_command(text: &str) -> Option<(&str, Option<&str>, &str)> {
    let rest = text.trim_start().strip_prefix('/')?;
    let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (name, bot) = match word.split_once('@') {
        Some((name, bot)) => (name, Some(bot)),
        None => (word, None),
    };
    (!name.is_empty()).then_some((name, bot, args.trim()))
}

/// What command `name` with `args` asks.
pub fn parse(name: &str, args: &str) -> Parsed {
    let mut words = args.split_whitespace();
    let which = words.next().map(|w| match w.eq_ignore_ascii_case("all") {
        true => Which::All,
        false => Which::One(w.to_owned()),
    });
    // The rest after `n` words, as written (a reason keeps its spacing).
    let after = |n: usize| -> Option<String> {
        let mut rest = args;
        for _ in 0..n {
            rest = rest.trim_start();
            rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
        }
        let rest = rest.trim();
        (!rest.is_empty()).then(|| rest.to_owned())
    };
    match (name.to_ascii_lowercase().as_str(), which) {
        ("status", _) => Parsed::Command(Command::Status),
        ("check", _) => Parsed::Command(Command::Check),
        ("help" | "start", _) => Parsed::Command(Command::Help),
        ("mute", None) => Parsed::Usage(MUTE),
        ("mute", Some(which)) => {
            let second = words.next();
            let (length, reason) = match second.map(|w| (w, parse_duration_saturating(w))) {
                None => (None, None),
                Some((_, Some(d))) if !d.is_zero() => (Some(d), after(2)),
                Some((w, _)) if w.starts_with(|c: char| c.is_ascii_digit()) => {
                    return Parsed::NotADuration(w.to_owned())
                }
                Some(_) => (None, after(1)),
            };
            Parsed::Command(Command::Mute {
                which,
                length,
                reason,
            })
        }
        ("unmute", None) => Parsed::Usage(UNMUTE),
        ("unmute", Some(which)) if words.next().is_none() => {
            Parsed::Command(Command::Unmute { which })
        }
        ("unmute", Some(_)) => Parsed::Usage(UNMUTE),
        ("ack", None) => Parsed::Usage(ACK),
        ("ack", Some(which)) => Parsed::Command(Command::Ack {
            which,
            reason: after(1),
        }),
        (other, _) => Parsed::Unknown(format!("/{other}")),
    }
}

/// Who sent a command.
#[derive(Clone, Debug, PartialEq)]
pub struct Sender {
    pub id: i64,
    /// As the chat shows it: the first name, else @username, else the id.
    pub name: String,
}

/// One command to answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub from: Sender,
    pub parsed: Parsed,
}

/// What one getUpdates brought, sorted.
#[derive(Debug, Default, PartialEq)]
pub struct Inbox {
    /// The commands to answer, in the order they were sent.
    pub received: Vec<Received>,
    /// One journal line per command ignored for who sent it or where (never its text).
    pub ignored: Vec<String>,
    /// The last update read: the next getUpdates starts after it.
    pub last_id: Option<i64>,
}

/// Sorts updates: the commands addressed to this bot (`username`; `None` when unknown)
/// in `chat` (the configured one, where Telegram moved it) from a user in `allowed`.
/// A channel post, an edit, chatter and a command for another bot are no commands.
pub fn sort(updates: &[Update], chat: i64, allowed: &[i64], username: Option<&str>) -> Inbox {
    let mut inbox = Inbox {
        last_id: updates.last().map(|u| u.update_id),
        ..Inbox::default()
    };
    for update in updates {
        let Some(message) = &update.message else {
            continue;
        };
        let Some((name, bot, args)) = message.text.as_deref().and_then(split_command) else {
            continue;
        };
        if bot.is_some_and(|b| username.is_none_or(|u| !b.eq_ignore_ascii_case(u))) {
            continue;
        }
        let user = message.from.as_ref().map_or(0, |f| f.id);
        let parsed = parse(name, args);
        // In a group, a command nobody addressed to us may be another bot's: no reply,
        // and no journal line either.
        if matches!(parsed, Parsed::Unknown(_)) && bot.is_none() && message.chat.kind != "private" {
            continue;
        }
        if message.chat.id != chat {
            inbox.ignored.push(format!(
                "ignored a command from user {user} in chat {}: not the configured chat",
                message.chat.id
            ));
            continue;
        }
        let Some(from) = message.from.as_ref().filter(|f| allowed.contains(&f.id)) else {
            inbox.ignored.push(format!(
                "ignored a command from user {user} in chat {}: not in telegram.commands_from",
                message.chat.id
            ));
            continue;
        };
        let shown = match (&from.first_name, &from.username) {
            (first, _) if !first.trim().is_empty() => first.trim().to_owned(),
            (_, Some(username)) => format!("@{username}"),
            _ => format!("user {}", from.id),
        };
        inbox.received.push(Received {
            from: Sender {
                id: from.id,
                name: shown,
            },
            parsed,
        });
    }
    inbox
}

/// Whether some update is a command addressed to a bot by name: then this bot's
/// username must be known to tell it apart.
pub fn names_a_bot(updates: &[Update]) -> bool {
    updates.iter().any(|u| {
        u.message
            .as_ref()
            .and_then(|m| m.text.as_deref())
            .and_then(split_command)
            .is_some_and(|(_, bot, _)| bot.is_some())
    })
}

/// The one getUpdates of a run, from the checkpoint's offset; a getMe too, once, when a
/// command names a bot and this bot's username is not known yet. Returns the updates
/// and the username learned.
pub async fn fetch(
    bot: &Bot,
    checkpoint: &Checkpoint,
    bot_id: u64,
) -> Result<(Vec<Update>, Option<String>), ApiError> {
    let updates = bot.get_commands(checkpoint.update_offset, PER_RUN).await?;
    if checkpoint.bot_username(bot_id).is_some() || !names_a_bot(&updates) {
        return Ok((updates, None));
    }
    // Without the name a command for us cannot be told from another bot's: a failing
    // getMe fails the read, so that the updates are read again next run.
    let me = bot.get_me().await?;
    Ok((updates, me.username))
}

/// Why getUpdates failed, for the journal, with the fix.
pub fn describe_failure(error: &ApiError) -> String {
    let lower = error.to_string().to_lowercase();
    let why = if lower.contains("webhook is active") {
        "the bot has a webhook, so its updates go there (run 'vigia init --force' to delete it, or set telegram.commands = false)".to_owned()
    } else if lower.contains("other getupdates") {
        "another program reads this bot's updates (409: only one may; stop it, or set telegram.commands = false)".to_owned()
    } else {
        error.to_string()
    };
    format!("commands from the chat are not read this run: {why}; the check goes on")
}

/// Answers that wait for the run's results.
#[derive(Clone, Debug, PartialEq)]
pub enum Later {
    Status,
    Check,
}

/// What the run needs to answer the commands, besides the checkpoint.
pub struct Context<'a> {
    pub config: &'a Config,
    pub texts: &'a Texts,
    pub to: Option<Address>,
    pub host: &'a str,
    pub now: DateTime<FixedOffset>,
}

/// Applies the commands that change something (mute, unmute, ack) to the checkpoint
/// before the run plans, so that they take effect in this very run, and queues every
/// reply that does not wait for the results. Returns the answers that do.
pub fn apply(inbox: &Inbox, checkpoint: &mut Checkpoint, cx: &Context) -> Vec<Later> {
    let mut later = Vec::new();
    for received in &inbox.received {
        let who = escape(&received.from.name);
        let chat = cx.texts.chat;
        let reply = match &received.parsed {
            Parsed::Command(Command::Status) => {
                later.push(Later::Status);
                continue;
            }
            Parsed::Command(Command::Check) => {
                later.push(Later::Check);
                continue;
            }
            Parsed::Command(Command::Help) => help(cx),
            Parsed::Command(Command::Mute {
                which,
                length,
                reason,
            }) => mute(checkpoint, cx, which, *length, reason.as_deref(), &who),
            Parsed::Command(Command::Unmute { which }) => unmute(checkpoint, cx, which, &who),
            Parsed::Command(Command::Ack { which, reason }) => match names(cx, which) {
                Err(reply) => reply,
                Ok(names) => {
                    let by = &received.from.name;
                    match ack(checkpoint, which, names, by, reason.as_deref(), cx.now) {
                        Ok(names) => with_reason(
                            fill(chat.acked, &[("target", &shown(&names)), ("who", &who)]),
                            reason.as_deref(),
                        ),
                        Err(name) => fill(chat.ack_not_down, &[("target", &escape(&name))]),
                    }
                }
            },
            Parsed::Usage(usage) => fill(chat.usage, &[("usage", usage)]),
            Parsed::NotADuration(text) => fill(chat.not_a_duration, &[("text", &escape(text))]),
            Parsed::Unknown(command) => fill(chat.unknown, &[("command", &escape(command))]),
        };
        queue(checkpoint, cx, &reply);
    }
    later
}

/// `/ack NAMES [reason]`, as `vigia ack` by `by`: stops the reminders of those outages
/// until their recovery. `/ack all` takes every target down and not yet acknowledged.
/// Returns the names acknowledged, or the first one that is not down.
fn ack(
    checkpoint: &mut Checkpoint,
    which: &Which,
    names: Vec<String>,
    by: &str,
    reason: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<Vec<String>, String> {
    let names: Vec<String> = match which {
        Which::All => names
            .into_iter()
            .filter(|n| {
                let down = checkpoint
                    .targets
                    .get(n)
                    .is_some_and(|e| e.state == crate::translog::State::Offline);
                down && !checkpoint.acked(n)
            })
            .collect(),
        Which::One(_) => names,
    };
    if names.is_empty() {
        return Err("all".to_owned());
    }
    checkpoint
        .ack(&names, by, reason.map(str::to_owned), now)
        .map_err(|(name, _)| name)?;
    Ok(names)
}

/// Queues the answers that wait for the run: `/status` as it stands after the run
/// (its results recorded in `checkpoint`), `/check` with `results`, one line each.
pub fn answer_later(
    later: &[Later],
    checkpoint: &mut Checkpoint,
    cx: &Context,
    results: &[(&Target, &Outcome)],
    summary: &str,
) {
    for answer in later {
        let text = match answer {
            Later::Status => status(checkpoint, cx, summary),
            Later::Check => check(cx, results, summary),
        };
        queue(checkpoint, cx, &text);
    }
}

fn queue(checkpoint: &mut Checkpoint, cx: &Context, html: &str) {
    if cx.to.is_some() {
        checkpoint.enqueue(split(html, LIMIT), cx.now, cx.to);
    }
}

fn help(cx: &Context) -> String {
    let chat = cx.texts.chat;
    let mut text = fill(chat.help, &[("host", &escape(cx.host))]);
    for (command, description) in chat.commands {
        text += &format!("\n/{command} {}", escape(description));
    }
    text
}

/// The configured targets `which` names, or the reply that none is named so.
fn names(cx: &Context, which: &Which) -> Result<Vec<String>, String> {
    let known: Vec<&str> = cx.config.targets.iter().map(|t| t.name.as_str()).collect();
    match which {
        Which::All => Ok(known.iter().map(|n| (*n).to_owned()).collect()),
        Which::One(name) if known.contains(&name.as_str()) => Ok(vec![name.clone()]),
        Which::One(name) => Err(fill(
            cx.texts.chat.no_target,
            &[
                ("target", &escape(name)),
                ("list", &escape(&known.join(", "))),
            ],
        )),
    }
}

fn shown(names: &[String]) -> String {
    escape(&names.join(", "))
}

fn with_reason(line: String, reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("{line}: {}", escape(reason)),
        None => line,
    }
}

fn mute(
    checkpoint: &mut Checkpoint,
    cx: &Context,
    which: &Which,
    length: Option<Duration>,
    reason: Option<&str>,
    who: &str,
) -> String {
    let chat = cx.texts.chat;
    let names = match names(cx, which) {
        Ok(names) => names,
        Err(reply) => return reply,
    };
    let until = match length.map(|d| time_after(cx.now, d)) {
        Some(None) => {
            let text = format_duration(length.unwrap_or_default());
            return fill(chat.not_a_duration, &[("text", &text)]);
        }
        Some(until) => until,
        None => None,
    };
    checkpoint.mute(&names, until, reason.map(str::to_owned), cx.now);
    let line = match length {
        Some(d) => fill(
            chat.muted_for,
            &[
                ("target", &shown(&names)),
                ("duration", &format_duration(d)),
                ("who", who),
            ],
        ),
        None => fill(chat.muted, &[("target", &shown(&names)), ("who", who)]),
    };
    with_reason(line, reason)
}

fn unmute(checkpoint: &mut Checkpoint, cx: &Context, which: &Which, who: &str) -> String {
    let chat = cx.texts.chat;
    let names: Vec<String> = match which {
        Which::All => checkpoint.mutes.keys().cloned().collect(),
        Which::One(name) if checkpoint.mutes.contains_key(name) => vec![name.clone()],
        Which::One(name) => return fill(chat.not_muted, &[("target", &escape(name))]),
    };
    if names.is_empty() {
        return fill(chat.not_muted, &[("target", "all")]);
    }
    let urls: HashMap<&str, &str> = (cx.config.targets.iter())
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .collect();
    let said = crate::notices::unmute(checkpoint, &names, &urls, cx.now);
    let mut reply = fill(chat.unmuted, &[("target", &shown(&names)), ("who", who)]);
    if !said.is_empty() {
        reply = format!("{reply}\n\n{}", render_html(&said, cx.host, cx.texts));
    }
    reply
}

/// What `/status` adds to a target's line: a change not confirmed yet, flapping,
/// slowness, who acknowledged its outage.
fn unsettled(t: &crate::view::TargetView, cx: &Context) -> String {
    let chat = cx.texts.chat;
    let mut more = String::new();
    if let Some(p) = &t.pending {
        let state = match p.state {
            State::Online => cx.texts.state_up,
            State::Offline => cx.texts.state_down,
        };
        let counts = [
            ("state", state),
            ("runs", &p.runs.to_string()),
            ("of", &p.of.to_string()),
        ];
        more += &format!(" · {}", fill(chat.pending, &counts));
    }
    if t.flapping.is_some() {
        more += &format!(" · {}", chat.flapping);
    }
    if t.slow.is_some() {
        more += &format!(" · {}", chat.slow);
    }
    if let Some(ack) = &t.ack {
        more += &format!(" · {}", fill(chat.acked_by, &[("who", &escape(&ack.by))]));
    }
    more
}

/// The status view of the checkpoint after this run, without reading the log.
fn view_of(checkpoint: &Checkpoint, cx: &Context, summary: &str) -> StatusView {
    let targets: Vec<(&str, &str)> = (cx.config.targets.iter())
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .collect();
    let kept: Vec<_> = checkpoint.targets.values().cloned().collect();
    let history =
        crate::history::Summarizer::new(&targets, &kept, &checkpoint.gaps, cx.now, 0).finish();
    let sources = Sources {
        checkpoint,
        unreadable: None,
        canaries: cx.config.canaries.len(),
        last_check: Some((cx.now, summary.to_owned())),
        gaps: &checkpoint.gaps,
    };
    StatusView::build(history, sources, cx.now)
}

/// The short status, from the same view as `vigia status` (built from the checkpoint,
/// without reading the log: the chat needs no uptime).
fn status(checkpoint: &Checkpoint, cx: &Context, summary: &str) -> String {
    let chat = cx.texts.chat;
    let view = view_of(checkpoint, cx, summary);
    let mut text = fill(
        chat.status,
        &[
            ("host", &escape(cx.host)),
            ("when", &crate::util::show_time(cx.now)),
        ],
    );
    if let Some(last) = &view.last_check {
        text += &format!(": {}", escape(&last.summary));
    }
    for t in &view.targets {
        let name = escape(&t.name);
        let mut line = match &t.last {
            None => fill(chat.never_checked, &[("target", &name)]),
            Some(e) if e.state == State::Online => fill(
                chat.up_since,
                &[("target", &name), ("since", &crate::util::show_time(e.at))],
            ),
            Some(e) => {
                let lasted = match t.lasted {
                    Some(Elapsed::Ago(d)) => {
                        crate::config::format_elapsed(d.to_std().unwrap_or_default())
                    }
                    _ => "?".to_owned(),
                };
                fill(
                    chat.down_since,
                    &[
                        ("target", &name),
                        ("since", &crate::util::show_time(e.at)),
                        ("duration", &lasted),
                    ],
                )
            }
        };
        if let Some(mute) = &t.muted {
            let muted = match mute.until {
                Some(until) => fill(
                    chat.muted_until,
                    &[("until", &crate::util::show_time(until))],
                ),
                None => chat.muted_until_unmute.to_owned(),
            };
            line += &format!(" · {muted}");
        }
        line += &unsettled(t, cx);
        text += &format!("\n{line}");
    }
    if view.connectivity.state == State::Offline {
        text += &format!("\n{}", chat.offline);
    }
    // Messages of earlier runs still waiting: this run's own go out right after.
    let waiting = checkpoint
        .queue
        .iter()
        .filter(|q| q.created < cx.now)
        .count();
    if waiting > 0 {
        text += &format!(
            "\n{}",
            fill(chat.waiting, &[("count", &waiting.to_string())])
        );
    }
    if !view.outbox.set_aside.is_empty() {
        let count = view.outbox.set_aside.len().to_string();
        text += &format!("\n{}", fill(chat.set_aside, &[("count", &count)]));
    }
    text
}

/// This run's results, one line per target.
fn check(cx: &Context, results: &[(&Target, &Outcome)], summary: &str) -> String {
    let mut text = fill(
        cx.texts.chat.check,
        &[
            ("host", &escape(cx.host)),
            ("when", &crate::util::show_time(cx.now)),
            ("summary", &escape(summary)),
        ],
    );
    for (target, outcome) in results {
        let (mark, state) = match (outcome.checker_fault, outcome.up) {
            (true, _) => ("❔", "?"),
            (false, true) => ("🟢", cx.texts.state_up),
            (false, false) => ("🔴", cx.texts.state_down),
        };
        text += &format!(
            "\n{mark} {} {state}: {}",
            escape(&target.name),
            escape(&outcome.summary().render(&cx.texts.reasons))
        );
    }
    text
}

/// The file in the state directory that says who reads the bot's updates now.
pub const READER_LOCK: &str = "updates.lock";

/// Telegram gives a bot's updates to one reader at a time (a second long poll ends the
/// first with 409, and each one's offset confirms the other's updates): `vigia init`
/// proving a chat and a check run reading commands take turns by this lock. A run that
/// finds `init` holding it leaves the commands for a later run; `init` waits the few
/// seconds of a run's one short getUpdates. Held until dropped.
pub struct UpdatesReader {
    _file: std::fs::File,
}

impl UpdatesReader {
    /// Takes the lock in the state directory `dir`, waiting at most `wait`. `Ok(None)`:
    /// someone else holds it.
    pub fn take(dir: &crate::dirfd::DirHandle, wait: Duration) -> std::io::Result<Option<Self>> {
        use rustix::fs::{flock, FlockOperation, OFlags};
        // Read-only is enough for flock: root's init and the service user share the file
        // whoever created it.
        let file = dir
            .open_file(READER_LOCK, OFlags::RDONLY | OFlags::CREATE, 0o644)?
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        let started = std::time::Instant::now();
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(Some(UpdatesReader { _file: file })),
                Err(rustix::io::Errno::WOULDBLOCK) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(rustix::io::Errno::WOULDBLOCK) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mute(which: &str, length: Option<u64>, reason: Option<&str>) -> Parsed {
        Parsed::Command(Command::Mute {
            which: match which {
                "all" => Which::All,
                one => Which::One(one.into()),
            },
            length: length.map(Duration::from_secs),
            reason: reason.map(str::to_owned),
        })
    }

    fn parsed(text: &str) -> Parsed {
        let (name, _, args) = split_command(text).unwrap();
        parse(name, args)
    }

    #[test]
    fn commands_are_split_from_their_bot_and_arguments() {
        assert_eq!(split_command("/status"), Some(("status", None, "")));
        assert_eq!(
            split_command("  /mute@vigia_bot web  1h "),
            Some(("mute", Some("vigia_bot"), "web  1h"))
        );
        assert_eq!(split_command("status"), None);
        assert_eq!(split_command("/"), None);
        assert_eq!(split_command("/@bot"), None);
    }

    #[test]
    fn mute_takes_a_target_an_optional_duration_and_a_reason() {
        assert_eq!(
            parsed("/mute web 1h deploy"),
            mute("web", Some(3600), Some("deploy"))
        );
        assert_eq!(parsed("/mute web"), mute("web", None, None));
        assert_eq!(parsed("/mute ALL 30m"), mute("all", Some(1800), None));
        assert_eq!(
            parsed("/mute web disk  full  again"),
            mute("web", None, Some("disk  full  again"))
        );
        assert_eq!(parsed("/mute web 1x"), Parsed::NotADuration("1x".into()));
        assert_eq!(parsed("/mute web 0s"), Parsed::NotADuration("0s".into()));
        assert_eq!(parsed("/mute"), Parsed::Usage(MUTE));
    }

    #[test]
    fn the_other_commands_are_parsed() {
        assert_eq!(parsed("/status now"), Parsed::Command(Command::Status));
        assert_eq!(parsed("/CHECK"), Parsed::Command(Command::Check));
        assert_eq!(parsed("/help"), Parsed::Command(Command::Help));
        assert_eq!(
            parsed("/unmute all"),
            Parsed::Command(Command::Unmute { which: Which::All })
        );
        assert_eq!(parsed("/unmute"), Parsed::Usage(UNMUTE));
        assert_eq!(parsed("/unmute web db"), Parsed::Usage(UNMUTE));
        assert_eq!(
            parsed("/ack db looking into it"),
            Parsed::Command(Command::Ack {
                which: Which::One("db".into()),
                reason: Some("looking into it".into())
            })
        );
        assert_eq!(parsed("/ack"), Parsed::Usage(ACK));
        assert_eq!(parsed("/reboot now"), Parsed::Unknown("/reboot".into()));
    }

    fn update(id: i64, kind: &str, chat: i64, from: Option<i64>, text: &str) -> Update {
        let mut message = json!({"message_id": id, "chat": {"id": chat, "type": "group"}, "date": 0, "text": text});
        if let Some(from) = from {
            message["from"] = json!({"id": from, "is_bot": false, "first_name": "Ann"});
        }
        serde_json::from_value(json!({"update_id": id, kind: message})).unwrap()
    }

    #[test]
    fn only_allowed_users_in_the_configured_chat_command_this_bot() {
        let updates = [
            update(7, "message", -5, Some(42), "/status"),
            update(8, "message", -5, Some(666), "/mute web"),
            update(9, "message", -6, Some(42), "/mute web"),
            update(10, "channel_post", -5, None, "/status"),
            update(11, "edited_message", -5, Some(42), "/status"),
            update(12, "message", -5, Some(42), "/status@other_bot"),
            update(13, "message", -5, Some(42), "/check@Vigia_Bot"),
            update(14, "message", -5, Some(42), "hello"),
            update(15, "message", -5, Some(42), "/deploy"),
            update(16, "message", -5, Some(42), "/deploy@vigia_bot"),
        ];
        let inbox = sort(&updates, -5, &[42], Some("vigia_bot"));
        let got: Vec<&Parsed> = inbox.received.iter().map(|r| &r.parsed).collect();
        assert_eq!(
            got,
            [
                &Parsed::Command(Command::Status),
                &Parsed::Command(Command::Check),
                &Parsed::Unknown("/deploy".into()),
            ]
        );
        assert_eq!(inbox.received[0].from.name, "Ann");
        assert_eq!(
            inbox.ignored,
            [
                "ignored a command from user 666 in chat -5: not in telegram.commands_from",
                "ignored a command from user 42 in chat -6: not the configured chat",
            ]
        );
        assert_eq!(inbox.last_id, Some(16));
        // Without the bot's name, a command naming a bot is never taken for ours.
        let inbox = sort(&updates[5..7], -5, &[42], None);
        assert!(inbox.received.is_empty() && inbox.ignored.is_empty());
        assert!(names_a_bot(&updates[5..7]) && !names_a_bot(&updates[..1]));
    }

    #[test]
    fn one_reader_of_the_updates_at_a_time() {
        let temp = tempfile::tempdir().unwrap();
        let dir = crate::dirfd::DirHandle::open(temp.path()).unwrap().unwrap();
        let first = UpdatesReader::take(&dir, Duration::ZERO).unwrap();
        assert!(first.is_some());
        let second = UpdatesReader::take(&dir, Duration::from_millis(30)).unwrap();
        assert!(second.is_none());
        drop(first);
        assert!(UpdatesReader::take(&dir, Duration::ZERO).unwrap().is_some());
    }
}
