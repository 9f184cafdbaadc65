//! What `vigia init` decides without the user or the Bot API: the one-time code (from
//! the system's random source), recognising it in updates, the machine's primary
//! address (asked of the kernel's routing table), and turning the answers into the
//! config file's text (pure, tested whole).

use std::io::Read;
use std::net::{IpAddr, UdpSocket};

use crate::budget;
use crate::config::{format_duration, CheckDefaults, DEFAULT_API_TIMEOUT, DEFAULT_API_URL};
use crate::secret::Token;
use crate::telegram::{Chat, Update};
use crate::texts::{fill, WizardTexts};

/// What the wizard learnt, ready to be written.
#[derive(Debug, Clone)]
pub struct Answers {
    pub token: Token,
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    /// Only when not the default endpoint.
    pub api_url: Option<String>,
    /// What the chat is, for a comment in the file (`private chat with Ann`).
    pub chat_note: Option<String>,
    /// (name, url)
    pub targets: Vec<(String, String)>,
    /// "Is it me?" canaries (`check.canary`), empty when declined.
    pub canaries: Vec<String>,
    /// The alerts' language (`telegram.language`) when not English: the wizard's own.
    pub language: Option<String>,
    /// Failing runs in a row before a target is DOWN (`check.confirm`).
    pub confirm: u32,
    /// Commands from the chat: `None` off; on, the user ids allowed to command.
    pub commands: Option<Vec<i64>>,
}

/// The canaries `init` offers: two public DNS services of two operators, reached by a
/// TCP connect only (no query is sent).
pub const PUBLIC_CANARIES: [&str; 2] = ["tcp://1.1.1.1:53", "tcp://9.9.9.9:53"];

/// The config file for `answers`: every optional key present as a comment.
pub fn config_text(answers: &Answers) -> String {
    let mut text = String::from(
        "# vigia configuration, written by 'vigia init'. See vigia(1) or the README.\n\
         # It holds the bot token: keep it mode 0600.\n\n",
    );
    text.push_str(&telegram_section(answers));
    text.push('\n');
    text.push_str(&check_section(&answers.canaries, answers.confirm));
    text.push_str(&optional_sections());
    for (name, url) in &answers.targets {
        text.push_str(&target_section(name, url));
    }
    text
}

/// A TOML string, quoted and escaped.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A duration as the file writes it, quoted (`"10s"`).
fn secs(d: std::time::Duration) -> String {
    quote(&format_duration(d))
}

/// `[telegram]`: the token, the chat (and topic) found, the endpoint when not the
/// default, and the optional keys with their defaults.
fn telegram_section(answers: &Answers) -> String {
    let mut text = String::from("[telegram]\n");
    text.push_str(&format!("token = {}\n", quote(answers.token.expose())));
    match &answers.chat_note {
        Some(note) => text.push_str(&format!(
            "chat_id = {}  # {}\n",
            answers.chat_id,
            note.replace('\n', " ")
        )),
        None => text.push_str(&format!("chat_id = {}\n", answers.chat_id)),
    }
    match answers.thread_id {
        Some(thread) => text.push_str(&format!("message_thread_id = {thread}  # forum topic\n")),
        None => text.push_str("# message_thread_id = 7            # forum topic\n"),
    }
    match &answers.api_url {
        Some(url) => text.push_str(&format!("api_url = {}\n", quote(url))),
        None => text.push_str(&format!(
            "# api_url = {}   # local Bot API server or a reverse proxy\n",
            quote(DEFAULT_API_URL)
        )),
    }
    text.push_str(&format!(
        "# proxy = \"socks5h://127.0.0.1:1080\"     # else HTTPS_PROXY / ALL_PROXY are honoured\n\
         # timeout = {api}                 # per Bot API request, at most {api_max}\n",
        api = secs(DEFAULT_API_TIMEOUT),
        api_max = format_duration(budget::MAX_API_TIMEOUT),
    ));
    // Written when the wizard spoke another language; else a comment, as every default.
    let language = match answers.language.as_deref() {
        Some(language) if language != "en" => format!("language = {}", quote(language)),
        _ => "# language = \"en\"".to_owned(),
    };
    text.push_str(&format!(
        "{language:<34}# of every alert: \"en\" or \"pt-BR\"\n"
    ));
    text.push_str(&commands_lines(answers.commands.as_deref()));
    text
}

/// `commands` and `commands_from`: on with the users allowed, or the keys as comments.
fn commands_lines(allowed: Option<&[i64]>) -> String {
    match allowed {
        None => "# commands = false                # answer /status, /mute... from the chat\n\
                 # commands_from = [123456789]     # the Telegram user ids allowed to command\n"
            .to_owned(),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(
                "commands = true                   # answer /status, /mute... from the chat\n\
                 commands_from = [{}]  # the Telegram user ids allowed to command\n",
                ids.join(", ")
            )
        }
    }
}

/// `[check]`: every default as a comment, taken from [`CheckDefaults`], and the canaries
/// chosen (or an example).
fn check_section(canaries: &[String], confirm: u32) -> String {
    let d = CheckDefaults::default();
    let mut text = format!(
        "[check]                           # defaults for every target\n\
         # timeout = {timeout}                 # whole request, per attempt\n\
         # attempts = {attempts}                    # a target is down only when every attempt fails\n\
         # retry_delay = {delay}              # attempts x timeout + delays: at most {probe}\n\
         # log_file = \"/var/log/vigia/vigia.log\"  # default; $LOGS_DIRECTORY under systemd\n\
         # state_dir = \"/var/lib/vigia\"    # default; $STATE_DIRECTORY under systemd\n\
         # parallel = {parallel}                  # probes in flight at once, in all\n\
         # parallel_per_host = {per_host}           # probes in flight at once to one host:port\n\
         # cert_warn_days = {warn:?}   # https: warn once per threshold per certificate; [] = off\n\
         # domain_warn_days = [30, 7, 1]   # http(s), dns: warn before the registered domain expires (RDAP); default off\n\
         # rdap_url = \"https://rdap.example/\"   # instead of the IANA bootstrap's (a private registry)\n\
         # remind_every = \"4h\"            # while down: one reminder per interval (default off)\n\
         {confirm:<34}# failing runs in a row before a target is DOWN (1-10)\n\
         # recover = 1                     # passing runs in a row before it is UP again (1-10)\n\
         # flapping = \"5/1h\"               # 5 changes within 1h: one FLAPPING message, not five\n\
         # slow = \"2s\"                     # slower than this for `confirm` runs: one SLOW notice\n",
        confirm = if confirm > 1 {
            format!("confirm = {confirm}")
        } else {
            "# confirm = 1".to_owned()
        },
        timeout = secs(d.timeout),
        attempts = d.attempts,
        delay = secs(d.retry_delay),
        probe = format_duration(budget::MAX_PROBE),
        parallel = d.parallel,
        warn = d.cert_warn_days,
        per_host = d.parallel_per_host,
    );
    if canaries.is_empty() {
        text.push_str(
            "# canary = [\"tcp://1.1.1.1:53\"]   # \"is it me?\": every canary failing = this machine is offline\n",
        );
    } else {
        let list: Vec<String> = canaries.iter().map(|c| quote(c)).collect();
        text.push_str(&format!(
            "canary = [{}]   # \"is it me?\": every canary failing = this machine is offline\n",
            list.join(", ")
        ));
    }
    text
}

/// `[heartbeat]`, `[metrics]`, `[[maintenance]]`, `[status_page]` and `[report]`, all
/// off: commented out, with an example each.
fn optional_sections() -> String {
    format!(
        "\n# [heartbeat]                     # dead man's switch, pinged after every run\n\
         # url = \"https://hc-ping.com/<uuid>\"\n\
         # timeout = {hb}\n\
         \n# [metrics]                       # for node_exporter's textfile collector\n\
         # textfile = \"/var/lib/prometheus/node-exporter/vigia.prom\"\n\
         \n# [fleet]                         # one of several checkers (README \"A fleet of checkers\")\n\
         # checker = \"fra1\"                # the checker label; default: the host name\n\
         \n# [alertmanager]                  # each run posts its down targets to Alertmanager\n\
         # url = \"http://127.0.0.1:9093\"   # or every member of a cluster: urls = [...]\n\
         # timeout = {am}\n\
         \n# [[maintenance]]                 # a window that recurs: checks go on, nothing is sent\n\
         # targets = [\"*\"]                 # or names: [\"web\", \"api\"]\n\
         # days = [\"Sun\"]                  # Mon..Sun; omitted: every day\n\
         # start = \"03:00\"                 # local time (TZ)\n\
         # duration = \"1h\"                 # at most 7d\n\
         # reason = \"weekly backup\"\n\
         \n# [status_page]                   # a static HTML page of states, uptime, incidents\n\
         # file = \"/var/www/html/status/index.html\"\n\
         # title = \"example.org status\"\n\
         # show_urls = false\n\
         \n# [report]                        # an uptime report in the chat\n\
         # every = \"weekly\"                # \"daily\", \"weekly\" (Mondays), \"monthly\" (the 1st)\n\
         # at = \"{at}\"\n",
        hb = secs(crate::config::DEFAULT_HEARTBEAT_TIMEOUT),
        am = secs(crate::config::DEFAULT_ALERTMANAGER_TIMEOUT),
        at = crate::config::DEFAULT_REPORT_AT,
    )
}

/// One `[[target]]`: its name and URL, and the keys it may set as comments.
fn target_section(name: &str, url: &str) -> String {
    format!(
        "\n[[target]]\nname = {}\nurl = {}\n\
         # expect_status = [200, 204]      # default: any 2xx or 3xx final status\n\
         # contains = \"Welcome\"            # body must contain this text (first 1 MiB read)\n\
         # ca_file = \"/etc/ssl/private/internal-ca.pem\"   # https: an extra trusted CA\n\
         # ip = \"any\"                      # \"v4\", \"v6\" or \"any\"\n\
         # timeout / attempts / retry_delay / remind_every / cert_warn_days override [check]\n\
         # not_contains = \"Maintenance\"    # body must not contain this text\n\
         # matches = 'version: \\d+'        # body must match this regular expression\n\
         # [target.json]                   # last: RFC 6901 pointers into the body as JSON\n\
         # \"/status\" = \"ok\"              # each equal to this string, number or boolean\n",
        quote(name),
        quote(url)
    )
}

/// A random URL-safe code (`A-Z a-z 0-9 _ -`, as deep links allow), 16 characters.
pub fn one_time_code() -> std::io::Result<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 63)] as char)
        .collect())
}

/// Where a code was seen: the chat, and the forum topic when it came from one.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub chat: ChatFound,
    pub thread_id: Option<i64>,
    /// Who sent the code (none in a channel): the user `--commands` allows.
    pub by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatFound {
    pub id: i64,
    pub description: String,
}

impl ChatFound {
    fn of(chat: &Chat, words: &WizardTexts) -> ChatFound {
        ChatFound {
            id: chat.id,
            description: describe_chat(chat, words),
        }
    }
}

/// `private chat with Ann Lee (@ann)`, `supergroup "Ops"`, in the wizard's words.
pub fn describe_chat(chat: &Chat, words: &WizardTexts) -> String {
    let at = chat
        .username
        .as_ref()
        .map(|u| format!(" (@{u})"))
        .unwrap_or_default();
    let kind = match chat.kind.as_str() {
        "private" => {
            let name = [chat.first_name.as_deref(), chat.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            return format!("{}{at}", fill(words.private_chat, &[("name", &name)]));
        }
        "group" => words.group,
        "supergroup" => words.supergroup,
        "channel" => words.channel,
        other => other,
    };
    format!("{kind} \"{}\"{at}", chat.title.as_deref().unwrap_or("?"))
}

/// The first update whose message carries `code` as `/start CODE`, `/start@bot CODE`, or
/// (in a channel, which has no commands) as the whole post. Everything else is ignored:
/// a stranger writing to a public bot cannot capture the alerts without the code.
pub fn find_code(
    updates: &[Update],
    code: &str,
    bot_username: &str,
    texts: &WizardTexts,
) -> Option<Found> {
    updates.iter().find_map(|update| {
        let (message, is_channel) = match (&update.message, &update.channel_post) {
            (Some(m), _) => (m, false),
            (None, Some(p)) => (p, true),
            (None, None) => return None,
        };
        let text = message.text.as_deref()?.trim();
        let mut words = text.split_whitespace();
        let first = words.next()?;
        let addressed = first == "/start"
            || first
                .strip_prefix("/start@")
                .is_some_and(|bot| bot.eq_ignore_ascii_case(bot_username));
        let carries = (addressed && words.next() == Some(code) && words.next().is_none())
            || (is_channel && text == code);
        carries.then(|| Found {
            chat: ChatFound::of(&message.chat, texts),
            thread_id: message
                .message_thread_id
                .filter(|_| message.is_topic_message),
            by: message.from.as_ref().map(|f| f.id),
        })
    })
}

/// This machine's primary address: the source address of the default route, found
/// without sending anything (a UDP "connect" only picks a route).
pub fn primary_address() -> Option<IpAddr> {
    let v4 =
        UdpSocket::bind("0.0.0.0:0").and_then(|s| s.connect("192.0.2.1:80").and(s.local_addr()));
    let v6 = || {
        UdpSocket::bind("[::]:0").and_then(|s| s.connect("[2001:db8::1]:80").and(s.local_addr()))
    };
    v4.or_else(|_| v6())
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified())
}

/// The URL the wizard offers to watch: `http://<primary address>/`.
pub fn default_url(address: Option<IpAddr>) -> String {
    match address {
        Some(IpAddr::V6(ip)) => format!("http://[{ip}]/"),
        Some(ip) => format!("http://{ip}/"),
        None => "http://127.0.0.1/".to_owned(),
    }
}

/// A target name for `url`: its host, made of allowed characters.
pub fn name_for(url: &str) -> String {
    crate::config::Target::adhoc(url, &crate::config::CheckDefaults::default())
        .map(|t| t.name)
        .unwrap_or_else(|_| "web".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Env};
    use crate::texts::{WIZARD_EN, WIZARD_PT_BR};
    use serde_json::json;

    const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

    /// doc/config.example.toml (installed in /usr/share/doc/vigia/examples) is exactly
    /// what `init` writes, with a placeholder token and chat; it must load. After a
    /// change to the template, `VIGIA_BLESS=1 cargo test example_config` rewrites it.
    #[test]
    fn the_example_config_is_what_init_writes() {
        let answers = Answers {
            token: Token::parse("123456789:replace-with-the-token-from-BotFather").unwrap(),
            chat_id: 123456789,
            thread_id: None,
            api_url: None,
            chat_note: Some("replace with your chat: 'sudo vigia init' proves it".to_owned()),
            targets: vec![
                ("web".to_owned(), "https://example.org/".to_owned()),
                ("db".to_owned(), "tcp://db.internal:5432".to_owned()),
            ],
            canaries: Vec::new(),
            language: None,
            confirm: 1,
            commands: None,
        };
        let text = config_text(&answers).replacen(
            "# vigia configuration, written by 'vigia init'.",
            "# An example vigia configuration: 'sudo vigia init' writes yours.",
            1,
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/config.example.toml");
        if std::env::var_os("VIGIA_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            text,
            "doc/config.example.toml is not what init writes: VIGIA_BLESS=1 cargo test example_config"
        );
        let loaded = Config::load(&path, &Env::default());
        assert!(loaded.is_ok(), "the example does not load: {loaded:?}");
    }

    fn answers() -> Answers {
        Answers {
            token: Token::parse(TOKEN).unwrap(),
            chat_id: -1001234567890,
            thread_id: Some(7),
            api_url: Some("http://127.0.0.1:8081".into()),
            chat_note: Some("supergroup \"Ops\"".into()),
            targets: vec![
                ("web".into(), "http://203.0.113.10/".into()),
                ("api".into(), "https://x.example/a?b=\"c\"".into()),
            ],
            canaries: PUBLIC_CANARIES.map(str::to_owned).to_vec(),
            language: None,
            confirm: 1,
            commands: Some(vec![42, 7]),
        }
    }

    #[test]
    fn the_wizards_language_is_the_alerts_language() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let text = config_text(&Answers {
            language: Some("pt-BR".into()),
            ..answers()
        });
        assert!(
            text.contains(
                "\nlanguage = \"pt-BR\"                # of every alert: \"en\" or \"pt-BR\"\n"
            ),
            "{text}"
        );
        std::fs::write(&path, &text).unwrap();
        let config = Config::load(&path, &Env::default()).unwrap();
        assert_eq!(config.telegram.unwrap().language, "pt-BR");
        // English is the default: the key stays a comment.
        let english = config_text(&Answers {
            language: Some("en".into()),
            ..answers()
        });
        assert_eq!(english, config_text(&answers()));
        assert!(english.contains("\n# language = \"en\"                 # of every alert"));
    }

    #[test]
    fn config_text_round_trips_through_the_loader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let text = config_text(&answers());
        std::fs::write(&path, &text).unwrap();
        let config = Config::load(&path, &Env::default()).unwrap();
        let telegram = config.telegram.unwrap();
        assert_eq!(telegram.token.expose(), TOKEN);
        assert_eq!(
            (telegram.chat_id, telegram.message_thread_id),
            (-1001234567890, Some(7))
        );
        assert_eq!(telegram.api_url, "http://127.0.0.1:8081");
        assert_eq!(
            (telegram.commands, telegram.commands_from),
            (true, vec![42, 7])
        );
        assert!(text.contains("\ncommands_from = [42, 7]  #"), "{text}");
        let canaries: Vec<&str> = config.canaries.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(canaries, PUBLIC_CANARIES);
        let targets: Vec<(&str, &str)> = config
            .targets
            .iter()
            .map(|t| (t.name.as_str(), t.url.as_str()))
            .collect();
        assert_eq!(
            targets,
            [
                ("web", "http://203.0.113.10/"),
                // As the URL parser reads it: the form every output shows.
                ("api", "https://x.example/a?b=%22c%22")
            ]
        );
        // Every optional key is there, commented.
        for key in [
            "# proxy",
            "# timeout",
            "# attempts",
            "# retry_delay",
            "# log_file",
            "# state_dir",
            "# expect_status",
            "# contains",
            "# language",
            "# parallel",
            "# cert_warn_days = [14, 7, 3, 1]",
            "# remind_every",
            "# ca_file",
            "# ip",
            "# [heartbeat]",
            "# [metrics]",
            "# [fleet]",
            "# [alertmanager]",
            "# [[maintenance]]",
            "# [status_page]",
            "# [report]",
        ] {
            assert!(text.contains(key), "{key} missing");
        }
    }

    /// Every duration the template shows (the defaults, the examples, the limits in
    /// its comments) is one the loader takes.
    #[test]
    fn the_templates_durations_parse() {
        let text = config_text(&answers());
        let mut seen = 0;
        for line in text.lines() {
            let line = line.trim_start_matches("# ");
            for key in [
                "timeout = ",
                "retry_delay = ",
                "remind_every = ",
                "duration = ",
            ] {
                if let Some(value) = line.strip_prefix(key) {
                    let value = value.split('"').nth(1).unwrap();
                    assert!(crate::config::parse_duration(value).is_some(), "{line}");
                    seen += 1;
                }
            }
            if let Some((_, limit)) = line.split_once("at most ") {
                let limit = limit.split_whitespace().next().unwrap();
                assert!(crate::config::parse_duration(limit).is_some(), "{line}");
                seen += 1;
            }
        }
        assert_eq!(seen, 10, "{text}");
    }

    #[test]
    fn defaults_are_left_as_comments() {
        let plain = Answers {
            thread_id: None,
            api_url: None,
            chat_note: None,
            commands: None,
            ..answers()
        };
        let text = config_text(&plain);
        assert!(text.contains("\n# commands = false  "), "{text}");
        assert!(text.contains("\n# commands_from = [123456789]  "), "{text}");
        assert!(text.contains("# message_thread_id = 7"));
        assert!(text.contains("# api_url = \"https://api.telegram.org\""));
        assert!(text.contains("chat_id = -1001234567890\n"));
    }

    #[test]
    fn codes_are_url_safe_and_unique() {
        let (a, b) = (one_time_code().unwrap(), one_time_code().unwrap());
        assert_eq!(a.len(), 16);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-'));
        assert_ne!(a, b);
    }

    fn update(
        id: i64,
        kind: &str,
        chat: serde_json::Value,
        text: &str,
        thread: Option<i64>,
    ) -> Update {
        let mut message = json!({"message_id": 1, "chat": chat, "date": 0, "text": text});
        if let Some(t) = thread {
            message["message_thread_id"] = json!(t);
            message["is_topic_message"] = json!(true);
        }
        serde_json::from_value(json!({"update_id": id, kind: message})).unwrap()
    }

    #[test]
    fn finds_the_code_only_where_it_was_sent() {
        let ann = json!({"id": 42, "type": "private", "first_name": "Ann"});
        let stranger = json!({"id": 666, "type": "private", "first_name": "Eve"});
        let group = json!({"id": -100500, "type": "supergroup", "title": "Ops", "is_forum": true});
        let updates = vec![
            update(1, "message", stranger.clone(), "/start", None),
            update(2, "message", stranger, "/start WRONGCODE", None),
            update(3, "message", ann.clone(), "hello CODE", None),
            update(4, "message", ann, "/start CODE", None),
        ];
        let found = find_code(&updates, "CODE", "vigia_bot", &WIZARD_EN).unwrap();
        assert_eq!(found.chat.id, 42);
        assert_eq!(found.chat.description, "private chat with Ann");
        assert_eq!(
            find_code(&updates[..3], "CODE", "vigia_bot", &WIZARD_EN),
            None
        );

        let in_group = [update(
            5,
            "message",
            group.clone(),
            "/start@Vigia_Bot CODE",
            Some(9),
        )];
        let found = find_code(&in_group, "CODE", "vigia_bot", &WIZARD_EN).unwrap();
        assert_eq!((found.chat.id, found.thread_id), (-100500, Some(9)));
        assert_eq!(
            find_code(
                &[update(
                    6,
                    "message",
                    group.clone(),
                    "/start@other_bot CODE",
                    None
                )],
                "CODE",
                "vigia_bot",
                &WIZARD_EN
            ),
            None
        );
        let channel = json!({"id": -100700, "type": "channel", "title": "Alerts"});
        assert!(find_code(
            &[update(7, "channel_post", channel, "CODE", None)],
            "CODE",
            "vigia_bot",
            &WIZARD_EN
        )
        .is_some());
    }

    #[test]
    fn chats_are_described_in_the_wizards_language() {
        let chat: Chat = serde_json::from_value(
            json!({"id": 42, "type": "private", "first_name": "Ann", "username": "ann"}),
        )
        .unwrap();
        let group: Chat = serde_json::from_value(
            json!({"id": -100, "type": "supergroup", "title": "Ops", "is_forum": true}),
        )
        .unwrap();
        assert_eq!(
            describe_chat(&chat, &WIZARD_EN),
            "private chat with Ann (@ann)"
        );
        assert_eq!(describe_chat(&group, &WIZARD_EN), "supergroup \"Ops\"");
        assert_eq!(
            describe_chat(&chat, &WIZARD_PT_BR),
            "chat privado com Ann (@ann)"
        );
        assert_eq!(describe_chat(&group, &WIZARD_PT_BR), "supergrupo \"Ops\"");
    }

    #[test]
    fn default_url_uses_the_primary_address() {
        assert_eq!(
            default_url(Some("203.0.113.10".parse().unwrap())),
            "http://203.0.113.10/"
        );
        assert_eq!(
            default_url(Some("2001:db8::5".parse().unwrap())),
            "http://[2001:db8::5]/"
        );
        assert_eq!(default_url(None), "http://127.0.0.1/");
        assert_eq!(name_for("http://203.0.113.10/"), "203.0.113.10");
    }
}
