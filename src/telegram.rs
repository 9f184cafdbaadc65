//! The Bot API client (https://core.telegram.org/bots/api): the few methods vigia uses,
//! their errors told apart in plain words, and redaction of the token from anything an
//! error could show.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::describe::{describe_error, truncate};
use crate::secret::{mask_url_passwords, redact, redact_token, Token};

/// A Bot API endpoint with its token.
pub struct Bot {
    client: reqwest::Client,
    api_url: String,
    token: Token,
    timeout: Duration,
    /// `host:port` of telegram.proxy, for error messages (never its credentials).
    via: Option<String>,
}

/// What a call can fail with.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// Telegram answered `ok: false` (or an HTTP error without a JSON body).
    Api {
        code: u16,
        description: String,
        retry_after: Option<u64>,
        migrate_to: Option<i64>,
    },
    /// No answer: DNS, connection, TLS or proxy failure (already redacted).
    Network(String),
    /// No answer within the time allowed.
    Timeout(Duration),
    /// An answer that is not the Bot API's JSON (wrong api_url?).
    Invalid(String),
}

impl ApiError {
    /// Worth trying again later without changing anything: 429, 5xx, network, timeout.
    pub fn is_temporary(&self) -> bool {
        match self {
            ApiError::Api { code, .. } => *code == 429 || *code >= 500,
            ApiError::Network(_) | ApiError::Timeout(_) | ApiError::Invalid(_) => true,
        }
    }

    /// Telegram refuses this message itself (its formatting, length or emptiness), not
    /// the chat or the bot: sending it again unchanged can never work, while other
    /// messages can.
    pub fn is_about_the_message(&self) -> bool {
        let ApiError::Api {
            code: 400,
            description,
            ..
        } = self
        else {
            return false;
        };
        let lower = description.to_lowercase();
        [
            "can't parse entities",
            "message is too long",
            "text is too long",
            "text must be non-empty",
            "message text is empty",
            "text buttons are unallowed",
        ]
        .iter()
        .any(|w| lower.contains(w))
    }
}

impl ApiError {
    /// Telegram refuses the message's HTML (`can't parse entities: ...`): the same words
    /// as plain text can go out.
    pub fn is_about_the_formatting(&self) -> bool {
        self.is_about_the_message() && self.says("can't parse entities")
    }

    /// Telegram finds the message too long: in smaller parts it can go out.
    pub fn is_about_the_length(&self) -> bool {
        self.is_about_the_message()
            && (self.says("message is too long") || self.says("text is too long"))
    }

    fn says(&self, words: &str) -> bool {
        matches!(self, ApiError::Api { description, .. } if description.to_lowercase().contains(words))
    }
}

impl fmt::Display for ApiError {
    /// Plain words, with the fix when it is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (code, description) = match self {
            ApiError::Network(why) => return write!(f, "cannot reach the Bot API: {why}"),
            ApiError::Timeout(t) => {
                return write!(
                    f,
                    "the Bot API did not answer within {}",
                    crate::config::format_duration(*t)
                )
            }
            ApiError::Invalid(why) => {
                return write!(
                    f,
                    "the Bot API answered something unexpected: {why} (check telegram.api_url)"
                )
            }
            ApiError::Api {
                code, description, ..
            } => (*code, description.as_str()),
        };
        let lower = description.to_lowercase();
        match code {
            400 if lower.contains("chat not found") => write!(
                f,
                "chat not found (400): the chat id is wrong, or nobody pressed Start in the bot's chat; run 'vigia init --force' to prove the chat again"
            ),
            400 if lower.contains("thread not found") => {
                write!(f, "topic not found (400): check telegram.message_thread_id")
            }
            400 if lower.contains("upgraded to a supergroup") => {
                write!(f, "the group was upgraded to a supergroup (400)")
            }
            400 if lower.contains("can't parse entities") => write!(
                f,
                "Telegram could not parse the message's formatting (400: {description}); this is a vigia bug, please report it"
            ),
            401 => write!(
                f,
                "the bot token is wrong or was revoked (401 Unauthorized): get the current one from @BotFather (/token) and run 'vigia init --force'"
            ),
            403 if lower.contains("blocked by the user") => {
                write!(f, "the bot was blocked by the user (403): unblock it in Telegram")
            }
            403 if lower.contains("can't initiate conversation") => write!(
                f,
                "the bot cannot write first (403): open the bot's chat in Telegram and press Start"
            ),
            403 if lower.contains("kicked") || lower.contains("not a member") => {
                write!(f, "the bot is no longer in the chat (403: {description}): add it back")
            }
            404 => write!(f, "the Bot API answered 404 Not Found: the token is malformed or telegram.api_url is wrong"),
            409 => write!(f, "conflict (409): {description}"),
            429 => match self {
                ApiError::Api { retry_after: Some(s), .. } => write!(f, "Telegram asks to slow down (429): retry after {s}s"),
                _ => write!(f, "Telegram asks to slow down (429)"),
            },
            500.. => write!(f, "Telegram had a server error ({code} {description})"),
            _ => write!(f, "Telegram refused the request ({code}: {description})"),
        }
    }
}

impl std::error::Error for ApiError {}

/// The most of an answer read: Bot API answers are a few KiB; an endless one is cut.
pub const MAX_ANSWER: usize = 1024 * 1024;

enum Bounded {
    Network(reqwest::Error),
    TooLong,
}

async fn read_bounded(response: &mut reqwest::Response) -> Result<Vec<u8>, Bounded> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Bounded::Network)? {
        if bytes.len() + chunk.len() > MAX_ANSWER {
            return Err(Bounded::TooLong);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    result: Option<Value>,
    error_code: Option<u16>,
    description: Option<String>,
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<i64>,
}

/// The bot itself, from `getMe`.
#[derive(Clone, Debug, Deserialize)]
pub struct BotUser {
    pub first_name: String,
    pub username: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Update {
    pub update_id: i64,
    pub message: Option<Message>,
    pub channel_post: Option<Message>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Message {
    pub chat: Chat,
    pub text: Option<String>,
    pub message_thread_id: Option<i64>,
    #[serde(default)]
    pub is_topic_message: bool,
    /// Who sent it; `None` in a channel (posts have `sender_chat` instead).
    pub from: Option<User>,
}

/// A Telegram user, as a message names its sender.
#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(default)]
    pub first_name: String,
    pub username: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Chat {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl Bot {
    /// `proxy` overrides the HTTPS_PROXY/ALL_PROXY/NO_PROXY environment, which reqwest
    /// honours otherwise.
    pub fn new(
        api_url: &str,
        token: Token,
        proxy: Option<&str>,
        timeout: Duration,
    ) -> anyhow::Result<Bot> {
        Bot::build(api_url, token, proxy, timeout, true)
    }

    fn build(
        api_url: &str,
        token: Token,
        proxy: Option<&str>,
        timeout: Duration,
        pooled: bool,
    ) -> anyhow::Result<Bot> {
        // Roots only when a TLS connection will be made: to the API or to the proxy.
        let tls =
            crate::ca_bundle::needs_tls(api_url) || proxy.is_some_and(crate::ca_bundle::needs_tls);
        let mut builder = crate::ca_bundle::trust(reqwest::Client::builder(), tls)
            .user_agent(concat!("vigia/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none());
        if !pooled {
            builder = builder.pool_max_idle_per_host(0);
        }
        if let Some(proxy) = proxy {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| {
                anyhow::anyhow!(
                    "telegram.proxy: {}",
                    redact(&mask_url_passwords(&e.to_string()))
                )
            })?;
            builder = builder.proxy(proxy);
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up HTTPS: {}", redact(&describe_error(&e))))?;
        let via = proxy.and_then(|p| reqwest::Url::parse(p).ok()).map(|u| {
            format!(
                "{}:{}",
                u.host_str().unwrap_or("?"),
                u.port_or_known_default().unwrap_or(0)
            )
        });
        Ok(Bot {
            client,
            api_url: api_url.trim_end_matches('/').to_owned(),
            token,
            timeout,
            via,
        })
    }

    /// A bot for the wizard: no connection is kept between calls, since a person may
    /// pause at a prompt longer than a server keeps an idle connection open, and a
    /// connection closed meanwhile would fail the next call.
    pub fn for_wizard(api_url: &str, token: Token, timeout: Duration) -> anyhow::Result<Bot> {
        Bot::build(api_url, token, None, timeout, false)
    }

    /// The bot of a configuration's `[telegram]` section.
    pub fn for_config(telegram: &crate::config::Telegram) -> anyhow::Result<Bot> {
        Bot::new(
            &telegram.api_url,
            telegram.token.clone(),
            telegram.proxy.as_deref(),
            telegram.timeout,
        )
    }

    pub fn token(&self) -> &Token {
        &self.token
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Calls `method` with a JSON body. `wait` is added to the timeout (long polling).
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: Value,
        wait: Duration,
    ) -> Result<T, ApiError> {
        let url = format!("{}/bot{}/{method}", self.api_url, self.token.expose());
        let limit = self.timeout + wait;
        let request = async {
            let mut response = self
                .client
                .post(url)
                .json(&body)
                .send()
                .await
                .map_err(|e| self.network_error(&e))?;
            let status = response.status().as_u16();
            let retry_header = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            let bytes = read_bounded(&mut response).await.map_err(|e| match e {
                Bounded::Network(e) => self.network_error(&e),
                Bounded::TooLong => ApiError::Invalid(format!(
                    "HTTP {status}, an answer longer than {} KiB",
                    MAX_ANSWER / 1024
                )),
            })?;
            Ok::<_, ApiError>((status, retry_header, bytes))
        };
        let (status, retry_header, bytes) = tokio::time::timeout(limit, request)
            .await
            .map_err(|_| ApiError::Timeout(limit))??;
        let envelope: Envelope = match serde_json::from_slice(&bytes) {
            Ok(e) => e,
            Err(_) if status >= 400 => {
                // Redacted before it is cut: a cut token would no longer be recognised.
                let text = self.redact(String::from_utf8_lossy(&bytes).trim());
                return Err(ApiError::Api {
                    code: status,
                    description: truncate(&text, 100),
                    retry_after: retry_header,
                    migrate_to: None,
                });
            }
            Err(e) => return Err(ApiError::Invalid(format!("HTTP {status}, not JSON ({e})"))),
        };
        // Only a 2xx with `ok: true` is the Bot API's yes: a redirect or an error page
        // that happens to say ok (a proxy, a wrong api_url) delivered nothing.
        if envelope.ok && !(200..300).contains(&status) {
            return Err(ApiError::Invalid(format!(
                "HTTP {status} with \"ok\": true, not a Bot API answer"
            )));
        }
        if envelope.ok {
            let result = envelope.result.unwrap_or(Value::Null);
            return serde_json::from_value(result)
                .map_err(|e| ApiError::Invalid(self.redact(&format!("{method} result: {e}"))));
        }
        let parameters = envelope.parameters;
        Err(ApiError::Api {
            code: envelope.error_code.unwrap_or(status),
            description: self.redact(envelope.description.as_deref().unwrap_or("no description")),
            retry_after: parameters
                .as_ref()
                .and_then(|p| p.retry_after)
                .or(retry_header),
            migrate_to: parameters.and_then(|p| p.migrate_to_chat_id),
        })
    }

    fn redact(&self, text: &str) -> String {
        redact_token(text, &self.token)
    }

    fn network_error(&self, err: &reqwest::Error) -> ApiError {
        let why = describe_error(err);
        let mut host = reqwest::Url::parse(&self.api_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(proxy) = &self.via {
            host = format!("{host} via proxy {proxy}");
        }
        ApiError::Network(self.redact(&format!("{host}: {why}")))
    }

    pub async fn get_me(&self) -> Result<BotUser, ApiError> {
        self.call("getMe", json!({}), Duration::ZERO).await
    }

    /// The webhook URL, empty when there is none.
    pub async fn webhook_url(&self) -> Result<String, ApiError> {
        let info: Value = self
            .call("getWebhookInfo", json!({}), Duration::ZERO)
            .await?;
        Ok(info
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    pub async fn delete_webhook(&self) -> Result<(), ApiError> {
        self.call::<Value>("deleteWebhook", json!({}), Duration::ZERO)
            .await
            .map(drop)
    }

    /// Long-polls for updates from `offset` on, waiting up to `wait` (whole seconds).
    pub async fn get_updates(
        &self,
        offset: Option<i64>,
        wait: Duration,
    ) -> Result<Vec<Update>, ApiError> {
        let mut body = json!({
            "timeout": wait.as_secs(),
            "allowed_updates": ["message", "channel_post"],
        });
        if let Some(offset) = offset {
            body["offset"] = json!(offset);
        }
        // An update that does not fit our types (a new kind) must not stop the poll.
        let raw: Vec<Value> = self.call("getUpdates", body, wait).await?;
        Ok(raw
            .into_iter()
            .filter_map(|u| {
                let id = u.get("update_id").and_then(Value::as_i64)?;
                Some(serde_json::from_value(u).unwrap_or(Update {
                    update_id: id,
                    message: None,
                    channel_post: None,
                }))
            })
            .collect())
    }

    /// The commands from the chat for one run (see [`crate::commands`]): a short poll
    /// (`timeout` 0: what is pending, at once; at most `limit`) from `offset`, which
    /// confirms every update before it. `allowed_updates` is always given: omitted, the
    /// setting of the last call (the wizard's, say) would carry over.
    pub async fn get_commands(
        &self,
        offset: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Update>, ApiError> {
        let mut body = json!({"timeout": 0, "limit": limit, "allowed_updates": ["message"]});
        if let Some(offset) = offset {
            body["offset"] = json!(offset);
        }
        let raw: Vec<Value> = self.call("getUpdates", body, Duration::ZERO).await?;
        Ok(raw
            .into_iter()
            .filter_map(|u| {
                let id = u.get("update_id").and_then(Value::as_i64)?;
                Some(serde_json::from_value(u).unwrap_or(Update {
                    update_id: id,
                    message: None,
                    channel_post: None,
                }))
            })
            .collect())
    }

    /// Registers the command menu the Telegram client shows: (command, description),
    /// for users whose app speaks `language_code` (`None`: everyone else).
    /// https://core.telegram.org/bots/api#setmycommands
    pub async fn set_my_commands(
        &self,
        commands: &[(&str, &str)],
        language_code: Option<&str>,
    ) -> Result<(), ApiError> {
        let list: Vec<Value> = commands
            .iter()
            .map(|(command, description)| json!({"command": command, "description": description}))
            .collect();
        let mut body = json!({ "commands": list });
        if let Some(code) = language_code {
            body["language_code"] = json!(code);
        }
        self.call::<Value>("setMyCommands", body, Duration::ZERO)
            .await
            .map(drop)
    }

    /// Sends a message without a link preview: Telegram HTML, or plain text.
    pub async fn send_message(
        &self,
        chat_id: i64,
        thread_id: Option<i64>,
        text: &str,
        html: bool,
    ) -> Result<(), ApiError> {
        let mut body = json!({
            "chat_id": chat_id,
            "text": text,
            "link_preview_options": { "is_disabled": true },
        });
        if html {
            body["parse_mode"] = json!("HTML");
        }
        if let Some(thread) = thread_id {
            body["message_thread_id"] = json!(thread);
        }
        self.call::<Value>("sendMessage", body, Duration::ZERO)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, description: &str) -> ApiError {
        ApiError::Api {
            code,
            description: description.into(),
            retry_after: None,
            migrate_to: None,
        }
    }

    #[test]
    fn errors_are_explained_in_plain_words() {
        assert!(api(400, "Bad Request: chat not found")
            .to_string()
            .contains("nobody pressed Start"));
        assert!(api(401, "Unauthorized")
            .to_string()
            .contains("wrong or was revoked"));
        assert!(api(403, "Forbidden: bot was blocked by the user")
            .to_string()
            .contains("unblock"));
        assert!(api(
            403,
            "Forbidden: bot can't initiate conversation with a user"
        )
        .to_string()
        .contains("press Start"));
        assert!(api(403, "Forbidden: bot was kicked from the group chat")
            .to_string()
            .contains("add it back"));
        assert!(api(404, "Not Found").to_string().contains("malformed"));
        assert_eq!(
            api(502, "Bad Gateway").to_string(),
            "Telegram had a server error (502 Bad Gateway)"
        );
        let slow = ApiError::Api {
            code: 429,
            description: "Too Many Requests: retry after 3".into(),
            retry_after: Some(3),
            migrate_to: None,
        };
        assert!(slow.to_string().contains("retry after 3s"));
    }

    #[test]
    fn refusals_of_a_message_are_told_apart() {
        let format = api(
            400,
            "Bad Request: can't parse entities: Unsupported start tag",
        );
        let long = api(400, "Bad Request: message is too long");
        let empty = api(400, "Bad Request: message text is empty");
        assert!([&format, &long, &empty]
            .iter()
            .all(|e| e.is_about_the_message()));
        assert!(format.is_about_the_formatting() && !format.is_about_the_length());
        assert!(long.is_about_the_length() && !long.is_about_the_formatting());
        assert!(!empty.is_about_the_length() && !empty.is_about_the_formatting());
        let chat = api(400, "Bad Request: chat not found");
        assert!(!chat.is_about_the_message() && !chat.is_about_the_formatting());
        // Words of a refusal in another code are not about the message.
        assert!(!api(403, "message is too long").is_about_the_length());
    }

    #[test]
    fn temporary_errors_are_told_apart() {
        assert!(api(429, "").is_temporary());
        assert!(api(500, "").is_temporary());
        assert!(ApiError::Timeout(Duration::from_secs(1)).is_temporary());
        assert!(!api(400, "chat not found").is_temporary());
        assert!(!api(401, "").is_temporary());
        assert!(!api(403, "").is_temporary());
    }
}
