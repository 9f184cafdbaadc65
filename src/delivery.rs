//! Sending what is queued in the checkpoint: in id order with the parts of a message
//! together, inside the run's time budget. A 429 is waited out when the wait fits, a chat
//! migration is followed, a message that Telegram refuses for good is tried once as plain
//! text and then set aside so that later alerts go on; a problem with the destination
//! (chat not found, 401, 403) or with the network keeps everything queued.
//! Every accepted part is committed before the next is sent, so a crash can repeat at
//! most the part that was in flight.

use std::time::{Duration, Instant};

use crate::config::Telegram;
use crate::error::CantWrite;
use crate::message::LIMIT_PLAIN;
use crate::state::{Checkpoint, StateDir};
use crate::telegram::{ApiError, Bot};

/// The longest 429 wait honoured at all; a longer `retry_after` is out of any budget.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Where to send, and until when this run may start a request.
pub struct Destination<'a> {
    pub bot: &'a Bot,
    /// The chat in the configuration.
    pub configured: i64,
    /// Where messages go now: the configured chat, or where Telegram moved it.
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    pub deadline: Instant,
}

impl<'a> Destination<'a> {
    pub fn new(
        bot: &'a Bot,
        checkpoint: &Checkpoint,
        telegram: &Telegram,
        deadline: Instant,
    ) -> Self {
        Destination {
            bot,
            configured: telegram.chat_id,
            chat_id: checkpoint.chat_id(telegram.chat_id),
            thread_id: telegram.message_thread_id,
            deadline,
        }
    }

    /// Whether a request started after waiting `wait` still ends inside the budget.
    fn fits(&self, wait: Duration) -> bool {
        Instant::now()
            .checked_add(wait.saturating_add(self.bot.timeout()))
            .is_some_and(|end| end <= self.deadline)
    }
}

/// What a delivery achieved.
#[derive(Debug, Default)]
pub struct Report {
    /// Messages whose every part was accepted.
    pub delivered: usize,
    /// Messages still queued.
    pub waiting: usize,
    /// The error that stopped delivery, if any.
    pub error: Option<ApiError>,
    /// The run's time ran out before the queue was empty.
    pub out_of_time: bool,
    /// Messages set aside in this run: id and why.
    pub set_aside: Vec<(u64, String)>,
    /// Messages sent as plain text because their HTML was refused.
    pub plain: Vec<u64>,
    /// The chat moved (group → supergroup): from, to.
    pub migrated: Option<(i64, i64)>,
}

/// Sends the queue of `checkpoint`, committing after every accepted part.
pub async fn deliver(
    state: &StateDir,
    checkpoint: &mut Checkpoint,
    to: &mut Destination<'_>,
) -> Result<Report, CantWrite> {
    let mut report = Report::default();
    while let Some(head) = checkpoint.queue.first_mut() {
        if !to.fits(Duration::ZERO) {
            report.out_of_time = true;
            break;
        }
        let part = match head.plain {
            false => head.parts[head.sent].clone(),
            true => plain_text(&head.parts[head.sent]),
        };
        let result = send(to, &part, !head.plain, &mut report.migrated).await;
        if let Some((_, new)) = report.migrated {
            checkpoint.migrated = Some((to.configured, new));
        }
        let head = &mut checkpoint.queue[0];
        match result {
            Ok(()) => {
                head.sent += 1;
                head.plain = false;
                if head.sent == head.parts.len() {
                    checkpoint.queue.remove(0);
                    report.delivered += 1;
                }
                state.commit(checkpoint)?;
            }
            Err(error) if error.is_about_the_message() && !head.plain => {
                // Once more as plain text, at once: the words still reach the person.
                head.plain = true;
                head.last_error = Some(error.to_string());
                report.plain.push(head.id);
            }
            Err(error) if error.is_about_the_message() => {
                let mut refused = checkpoint.queue.remove(0);
                refused.last_error = Some(error.to_string());
                report.set_aside.push((refused.id, error.to_string()));
                checkpoint.set_aside.push(refused);
                state.commit(checkpoint)?;
            }
            Err(error) => {
                head.attempts += 1;
                head.last_error = Some(error.to_string());
                state.commit(checkpoint)?;
                report.error = Some(error);
                break;
            }
        }
    }
    report.waiting = checkpoint.queue.len();
    Ok(report)
}

/// Sends one text now (for `vigia send`), with the same migration and 429 handling.
/// `migrated` is set when Telegram moved the chat.
pub async fn send_now(
    to: &mut Destination<'_>,
    text: &str,
    html: bool,
    migrated: &mut Option<(i64, i64)>,
) -> Result<(), ApiError> {
    send(to, text, html, migrated).await
}

/// One part: follows a chat migration once, waits out a 429 when the budget allows.
async fn send(
    to: &mut Destination<'_>,
    text: &str,
    html: bool,
    migrated: &mut Option<(i64, i64)>,
) -> Result<(), ApiError> {
    let mut followed = false;
    loop {
        let result = to
            .bot
            .send_message(to.chat_id, to.thread_id, text, html)
            .await;
        match result {
            Err(ApiError::Api {
                migrate_to: Some(new_id),
                ..
            }) if !followed => {
                *migrated = Some((to.chat_id, new_id));
                to.chat_id = new_id;
                followed = true;
            }
            Err(ApiError::Api {
                code: 429,
                retry_after: Some(secs),
                ..
            }) if to.fits(retry_wait(secs)) => tokio::time::sleep(retry_wait(secs)).await,
            other => return other,
        }
    }
}

/// `retry_after` as a wait, clamped: a value from the network never overflows a clock.
fn retry_wait(secs: u64) -> Duration {
    Duration::from_secs(secs).min(MAX_RETRY_AFTER)
}

/// The words of a Telegram HTML text without its markup, at most one message long.
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
    let out = crate::describe::truncate(out.trim(), LIMIT_PLAIN);
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
        assert!(plain_text(&"x".repeat(9000)).chars().count() <= LIMIT_PLAIN + 1);
    }

    #[test]
    fn no_request_starts_that_could_not_end_inside_the_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir::open_or_create(tmp.path()).unwrap();
        let token =
            crate::secret::Token::parse("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw").unwrap();
        // Nothing listens there: a request that started would fail, not be skipped.
        let bot = Bot::new("http://127.0.0.1:9", token, None, Duration::from_secs(2)).unwrap();
        let mut checkpoint = Checkpoint::default();
        let now = chrono::Local::now().fixed_offset();
        checkpoint.enqueue(vec!["a".into()], now);
        let mut to = Destination {
            bot: &bot,
            configured: 1,
            chat_id: 1,
            thread_id: None,
            deadline: Instant::now() + Duration::from_secs(1),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let report = rt
            .block_on(deliver(&state, &mut checkpoint, &mut to))
            .unwrap();
        assert!(report.out_of_time && report.error.is_none());
        assert_eq!((report.delivered, report.waiting), (0, 1));
        assert_eq!(checkpoint.queue[0].attempts, 0);
    }

    #[test]
    fn absurd_retry_after_is_clamped() {
        assert_eq!(retry_wait(u64::MAX), MAX_RETRY_AFTER);
        assert_eq!(retry_wait(3), Duration::from_secs(3));
    }
}
