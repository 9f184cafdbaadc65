//! Sending what is queued in the checkpoint: in id order with the parts of a message
//! together, inside the run's time budget and request cap, until a signal asks the run
//! to stop. A 429 is waited out when the wait fits (never less than a floor, doubling
//! with each 429 in a row, at most a few in a row), a chat migration is followed, a part Telegram finds too long
//! is split smaller, a part whose HTML it refuses is tried once as plain text, and a
//! message it refuses for good is set aside so that later alerts go on; a problem with
//! the destination (chat not found, 401, 403) or with the network keeps everything
//! queued. Every accepted part is committed before the next is sent, so a crash can
//! repeat at most the part that was in flight, and a signal none (the request in flight
//! is let finish, then committed).

use std::fmt;
use std::time::{Duration, Instant};

use crate::budget::{MAX_API_REQUESTS, MAX_API_WAITS, MIN_API_WAIT};
use crate::checkpoint::Checkpoint;
use crate::config::Telegram;
use crate::error::StorageError;
use crate::message::{split, split_as, units, Markup, LIMIT};
use crate::state::Txn;
use crate::stop::Stop;
use crate::telegram::{ApiError, Bot};

/// The longest 429 wait honoured at all; a longer `retry_after` is out of any budget.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// A part Telegram still finds too long at this length is set aside rather than split
/// smaller again.
const MIN_SPLIT: usize = 64;

/// Where to send, until when this run may start a request, and how many it has started.
pub struct Destination<'a> {
    pub bot: &'a Bot,
    /// The chat in the configuration.
    pub configured: i64,
    /// Where messages go now: the configured chat, or where Telegram moved it.
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    pub deadline: Instant,
    /// Once asked, no request starts.
    pub stop: Stop,
    /// Bot API requests started so far, at most [`MAX_API_REQUESTS`].
    pub requests: u32,
}

impl<'a> Destination<'a> {
    pub fn new(
        bot: &'a Bot,
        checkpoint: &Checkpoint,
        telegram: &Telegram,
        deadline: Instant,
        stop: Stop,
    ) -> Self {
        Destination {
            bot,
            configured: telegram.chat_id,
            chat_id: checkpoint.chat_id(telegram.chat_id),
            thread_id: telegram.message_thread_id,
            deadline,
            stop,
            requests: 0,
        }
    }

    /// Whether a request started after waiting `wait` still ends inside the budget.
    fn fits(&self, wait: Duration) -> bool {
        Instant::now()
            .checked_add(wait.saturating_add(self.bot.timeout()))
            .is_some_and(|end| end <= self.deadline)
    }

    /// Why no request may start now, if none may.
    fn halt(&self) -> Option<Halt> {
        if self.stop.asked() {
            Some(Halt::Stopped)
        } else if self.requests >= MAX_API_REQUESTS {
            Some(Halt::Requests)
        } else if !self.fits(Duration::ZERO) {
            Some(Halt::Time)
        } else {
            None
        }
    }
}

/// Why delivery paused with messages still queued, none of them refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halt {
    /// The run's time budget would not hold one more request.
    Time,
    /// The run started [`MAX_API_REQUESTS`] Bot API requests.
    Requests,
    /// A signal asked the run to stop.
    Stopped,
}

impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Halt::Time => write!(f, "this run's time is used up"),
            Halt::Requests => write!(
                f,
                "this run made its {MAX_API_REQUESTS} Bot API requests, the most one run makes"
            ),
            Halt::Stopped => write!(f, "the run was asked to stop"),
        }
    }
}

/// Why a text was not delivered.
#[derive(Clone, Debug, PartialEq)]
pub enum Undelivered {
    /// Telegram or the way to it said no.
    Api(ApiError),
    /// The request was not made.
    Halt(Halt),
}

impl fmt::Display for Undelivered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undelivered::Api(error) => error.fmt(f),
            Undelivered::Halt(halt) => halt.fmt(f),
        }
    }
}

impl std::error::Error for Undelivered {}

/// What a delivery achieved.
#[derive(Debug, Default)]
pub struct Report {
    /// Messages whose every part was accepted.
    pub delivered: usize,
    /// Messages still queued.
    pub waiting: usize,
    /// The error that stopped delivery, if any.
    pub error: Option<ApiError>,
    /// Why delivery paused before the queue was empty, without an error.
    pub halted: Option<Halt>,
    /// Messages set aside in this run: id and why.
    pub set_aside: Vec<(u64, String)>,
    /// Messages sent as plain text because Telegram refused their HTML formatting.
    pub plain: Vec<u64>,
    /// The chat moved (group → supergroup): from, to.
    pub migrated: Option<(i64, i64)>,
}

/// Sends the queue of the transaction's checkpoint, recording every accepted part (in
/// room reserved before the first send) and committing after each.
pub async fn deliver(txn: &mut Txn<'_>, to: &mut Destination<'_>) -> Result<Report, StorageError> {
    let mut report = Report::default();
    if !txn.checkpoint.queue.is_empty() {
        txn.prepare_delivery()?;
    }
    while let Some(head) = txn.checkpoint.queue.first() {
        if let Some(halt) = to.halt() {
            report.halted = Some(halt);
            break;
        }
        if !txn.can_record() {
            report.halted = Some(Halt::Requests);
            break;
        }
        // Parts queued before every part went through the splitter (vigia 0.1, or an
        // edit by hand) are split now: a part is never sent over the limit.
        if units(head.next_part()) > LIMIT {
            txn.checkpoint.resplit_head(|part| split(part, LIMIT));
        }
        let head = &txn.checkpoint.queue[0];
        let (id, plain, part) = (head.id, head.plain, head.next_part().to_owned());
        let result = match plain {
            false => send(to, &part, true, &mut report.migrated).await,
            true => send_plain(to, &part, &mut report.migrated).await,
        };
        if let Some((_, new)) = report.migrated {
            txn.checkpoint.migrate(to.configured, new);
        }
        let error = match result {
            Ok(()) => {
                if txn.part_accepted()? {
                    report.delivered += 1;
                }
                continue;
            }
            Err(Undelivered::Halt(halt)) => {
                report.halted = Some(halt);
                break;
            }
            Err(Undelivered::Api(error)) => error,
        };
        let why = error.to_string();
        if error.is_about_the_length() && units(&part) > MIN_SPLIT {
            // Telegram counts it longer than we do: in halves, as they were (HTML or not).
            txn.checkpoint
                .resplit_head(|part| split(part, units(part) / 2));
            txn.checkpoint.head_failed(&why);
            txn.commit()?;
        } else if error.is_about_the_formatting() && !plain {
            // Once more as plain text, at once: the words still reach the person.
            txn.checkpoint.send_head_plain(&why);
            report.plain.push(id);
        } else if error.is_about_the_message() {
            txn.checkpoint.set_aside_head(&why);
            report.set_aside.push((id, why));
            txn.commit()?;
        } else {
            txn.checkpoint.head_failed(&why);
            txn.commit()?;
            report.error = Some(error);
            break;
        }
    }
    report.waiting = txn.checkpoint.queue.len();
    Ok(report)
}

/// Sends one text now (for `vigia send`), with the same migration and 429 handling.
/// `migrated` is set when Telegram moved the chat.
pub async fn send_now(
    to: &mut Destination<'_>,
    text: &str,
    html: bool,
    migrated: &mut Option<(i64, i64)>,
) -> Result<(), Undelivered> {
    send(to, text, html, migrated).await
}

/// One part as plain text: its words without markup, which are never longer than the
/// part (tags go, entities shrink), in as many messages as they need all the same.
async fn send_plain(
    to: &mut Destination<'_>,
    html: &str,
    migrated: &mut Option<(i64, i64)>,
) -> Result<(), Undelivered> {
    for text in plain_parts(html) {
        send(to, &text, false, migrated).await?;
    }
    Ok(())
}

/// The plain-text fallback of an HTML part, in parts within Telegram's limit.
pub fn plain_parts(html: &str) -> Vec<String> {
    let parts = split_as(&plain_text(html), Markup::Plain, LIMIT);
    if parts.is_empty() {
        vec!["(empty message)".to_owned()]
    } else {
        parts
    }
}

/// One text: follows a chat migration once, waits out a 429 when the budget allows.
async fn send(
    to: &mut Destination<'_>,
    text: &str,
    html: bool,
    migrated: &mut Option<(i64, i64)>,
) -> Result<(), Undelivered> {
    let mut followed = false;
    let mut slowed = 0;
    loop {
        if let Some(halt) = to.halt() {
            return Err(Undelivered::Halt(halt));
        }
        to.requests += 1;
        let result = to
            .bot
            .send_message(to.chat_id, to.thread_id, text, html)
            .await;
        let error = match result {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        match error {
            ApiError::Api {
                migrate_to: Some(new_id),
                ..
            } if !followed => {
                *migrated = Some((to.chat_id, new_id));
                to.chat_id = new_id;
                followed = true;
            }
            ApiError::Api {
                code: 429,
                retry_after: Some(secs),
                ..
            } => {
                let wait = retry_wait(secs, slowed);
                slowed += 1;
                if to.stop.asked() {
                    return Err(Undelivered::Halt(Halt::Stopped));
                }
                if slowed > MAX_API_WAITS || to.requests >= MAX_API_REQUESTS || !to.fits(wait) {
                    return Err(Undelivered::Api(error));
                }
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = to.stop.wait() => return Err(Undelivered::Halt(Halt::Stopped)),
                }
            }
            error => return Err(Undelivered::Api(error)),
        }
    }
}

/// The wait before the next try after the `slowed`-th 429 in a row that asked for
/// `secs`: never under the floor, which doubles with each one, and clamped, so that a
/// value from the network never overflows a clock.
fn retry_wait(secs: u64, slowed: u32) -> Duration {
    let floor = MIN_API_WAIT.saturating_mul(1 << slowed.min(16));
    Duration::from_secs(secs).max(floor).min(MAX_RETRY_AFTER)
}

/// The words of a Telegram HTML text without its markup: never more UTF-16 units than
/// the HTML (see [`plain_parts`] for them in parts).
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => {
                    out.push_str(rest);
                    rest = "";
                }
            }
        } else {
            let entity = ["&amp;", "&lt;", "&gt;", "&quot;"]
                .iter()
                .zip(["&", "<", ">", "\""])
                .find(|(e, _)| rest.starts_with(**e));
            match entity {
                Some((e, c)) => {
                    out.push_str(c);
                    rest = &rest[e.len()..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    let out = out.trim().to_owned();
    if out.is_empty() {
        "(empty message)".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup_and_unescapes() {
        assert_eq!(
            plain_text(
                "🔴 <b>web</b> is DOWN: a &amp; b &lt;c&gt;\n<code>http://x/?a=1&amp;b</code>"
            ),
            "🔴 web is DOWN: a & b <c>\nhttp://x/?a=1&b"
        );
        assert_eq!(plain_text("<b>unclosed"), "unclosed");
        assert_eq!(plain_text("a <b"), "a <b");
        assert_eq!(plain_text("<b></b>"), "(empty message)");
    }

    #[test]
    fn the_plain_text_of_a_part_is_never_longer_and_its_parts_fit() {
        let html = format!(
            "<b>{}</b> &amp; <code>{}</code>",
            "😀x".repeat(900),
            "&lt;".repeat(600)
        );
        for part in split(&html, LIMIT) {
            assert!(units(&plain_text(&part)) <= units(&part));
        }
        // Even a part queued whole, over the limit (vigia 0.1): parts within it, and
        // nothing cut away (the old fallback cut at 4096 characters plus "…").
        let long = format!("{}\n{}", "🔴".repeat(3000), "word ".repeat(2000));
        let parts = plain_parts(&long);
        assert_eq!(parts.len(), 5);
        assert!(
            parts.iter().all(|p| units(p) <= LIMIT),
            "{:?}",
            parts.iter().map(|p| units(p)).collect::<Vec<_>>()
        );
        assert_eq!(
            parts.concat().replace('\n', ""),
            long.replace('\n', "").trim_end()
        );
        assert_eq!(plain_parts("<b> </b>"), ["(empty message)"]);
    }

    #[test]
    fn parts_over_the_limit_are_split_before_they_are_sent() {
        let mut checkpoint = Checkpoint::default();
        let now = chrono::Local::now().fixed_offset();
        let legacy = "<b>web</b> 😀 ".repeat(1000);
        checkpoint.enqueue(
            vec!["sent already".into(), legacy.clone(), "tail".into()],
            now,
            None,
        );
        checkpoint.part_accepted();
        checkpoint.resplit_head(|part| split(part, LIMIT));
        let queued = &checkpoint.queue[0];
        assert_eq!(queued.parts[0], "sent already");
        assert_eq!(queued.parts.last().unwrap(), "tail");
        assert!(queued.parts.len() > 4);
        assert!(queued.parts.iter().all(|p| units(p) <= LIMIT));
        assert_eq!(queued.parts[1..queued.parts.len() - 1].concat(), legacy);
    }

    #[test]
    fn no_request_starts_that_could_not_end_inside_the_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let state = crate::state::StateDir::open_or_create(tmp.path()).unwrap();
        let token =
            crate::secret::Token::parse("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw").unwrap();
        // Nothing listens there: a request that started would fail, not be skipped.
        let bot = Bot::new("http://127.0.0.1:9", token, None, Duration::from_secs(2)).unwrap();
        let mut txn = state.begin(Duration::ZERO).unwrap();
        let now = chrono::Local::now().fixed_offset();
        txn.checkpoint.enqueue(vec!["a".into()], now, None);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let stop = Stop::by_hand();
        let mut to = Destination {
            bot: &bot,
            configured: 1,
            chat_id: 1,
            thread_id: None,
            deadline: Instant::now() + Duration::from_secs(1),
            stop,
            requests: 0,
        };
        let report = rt.block_on(deliver(&mut txn, &mut to)).unwrap();
        assert_eq!(report.halted, Some(Halt::Time));
        assert!(report.error.is_none());
        assert_eq!((report.delivered, report.waiting), (0, 1));
        assert_eq!(txn.checkpoint.queue[0].attempts, 0);

        // Nor once the run was asked to stop, or made its requests; time or not.
        for (asked, requests, halt) in [
            (true, 0, Halt::Stopped),
            (false, MAX_API_REQUESTS, Halt::Requests),
        ] {
            let stop = Stop::by_hand();
            if asked {
                stop.ask();
            }
            to.stop = stop;
            to.requests = requests;
            to.deadline = Instant::now() + Duration::from_secs(60);
            let report = rt.block_on(deliver(&mut txn, &mut to)).unwrap();
            assert_eq!(report.halted, Some(halt));
            assert_eq!(to.requests, requests, "no request started");
            assert_eq!(txn.checkpoint.queue[0].attempts, 0);
            let sent = rt.block_on(send_now(&mut to, "x", true, &mut None));
            assert_eq!(sent, Err(Undelivered::Halt(halt)));
        }
    }

    #[test]
    fn retry_waits_have_a_floor_that_doubles_and_a_ceiling() {
        assert_eq!(retry_wait(u64::MAX, 0), MAX_RETRY_AFTER);
        assert_eq!(retry_wait(3, 0), Duration::from_secs(3));
        assert_eq!(retry_wait(0, 0), MIN_API_WAIT);
        assert_eq!(retry_wait(0, 1), MIN_API_WAIT * 2);
        assert_eq!(retry_wait(0, 3), MIN_API_WAIT * 8);
        assert_eq!(retry_wait(3, 3), MIN_API_WAIT * 8);
        assert_eq!(retry_wait(0, u32::MAX), MAX_RETRY_AFTER);
    }
}
