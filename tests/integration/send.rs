//! `vigia send TEXT`.

use crate::{BotApi, Sandbox};

#[test]
fn sends_text_escaped_and_split() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[]);
    let run = sb.run(&["send", "deploy <v2> & done"]).expect(0);
    assert_eq!(run.stdout, "sent to chat 42\n");
    assert_eq!(api.sent(), ["deploy &lt;v2&gt; &amp; done"]);
    let calls = api.calls();
    assert_eq!(calls[0].body["parse_mode"], "HTML");
    assert_eq!(calls[0].body["chat_id"], 42);

    let long: String = (0..400)
        .map(|i| format!("line {i} of a long report\n"))
        .collect();
    sb.run(&["send", &long]).expect(0);
    let sent = api.sent();
    assert!(sent.len() >= 3, "{}", sent.len());
    // Telegram's limit, counted as Telegram counts: UTF-16 code units.
    assert!(sent.iter().all(|p| p.encode_utf16().count() <= 4096));
    assert_eq!(sent[1..].join("\n"), long.trim_end());
}

#[test]
fn send_needs_telegram() {
    let sb = Sandbox::new();
    sb.write_config(None, &[]);
    let run = sb.run(&["send", "hi"]).expect(78);
    assert!(
        run.stderr.contains("no [telegram] section"),
        "{}",
        run.stderr
    );
    sb.write_config(Some("http://127.0.0.1:9"), &[]);
    sb.run(&["send", ""]).expect(2);
}

#[test]
fn commands_that_only_touch_the_state_create_no_log_directory() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(
        Some(&api.url()),
        &[crate::target("web", "http://127.0.0.1:9/")],
    );
    let logs = sb.path("logs");
    let text = std::fs::read_to_string(sb.config_path()).unwrap().replace(
        &sb.log_path().display().to_string(),
        &logs.join("vigia.log").display().to_string(),
    );
    sb.write_raw_config(&text);
    sb.run(&["send", "hello"]).expect(0);
    sb.run(&["mute", "web"]).expect(0);
    sb.run(&["unmute", "web"]).expect(0);
    sb.run(&["outbox", "--drop", "7"]).expect(2);
    assert!(
        !logs.exists(),
        "a log directory was made by a command that writes no log"
    );
    sb.run(&["check"]).expect(1);
    assert!(logs.join("vigia.log").exists());
}
