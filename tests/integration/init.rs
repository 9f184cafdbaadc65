//! `vigia init`, driven in a real pseudo-terminal (rexpect) and unattended, against the
//! fake Bot API.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use rexpect::session::PtySession;
use serde_json::json;

use crate::{BotApi, Sandbox, Site, TOKEN};

const WRONG_TOKEN: &str = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A wizard in a pty, keeping everything it printed.
struct Tty {
    session: PtySession,
    screen: String,
}

impl Tty {
    fn start(sb: &Sandbox, api: &BotApi, extra: &[&str]) -> Tty {
        let api_url = api.url();
        let mut args = vec!["init", "--api-url", api_url.as_str()];
        args.extend_from_slice(extra);
        let mut command = sb.command(&args);
        command
            .env("TERM", "dumb")
            .stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        let session =
            rexpect::session::spawn_command(command, Some(10_000)).expect("spawn in a pty");
        Tty {
            session,
            screen: String::new(),
        }
    }

    /// Waits for `text`, keeping what came before it.
    #[track_caller]
    fn expect(&mut self, text: &str) {
        match self.session.exp_string(text) {
            Ok(before) => {
                self.screen.push_str(&before);
                self.screen.push_str(text);
            }
            Err(e) => panic!("waiting for {text:?}: {e}\nscreen so far:\n{}", self.screen),
        }
    }

    /// Waits for the link and returns the one-time code in it.
    fn code(&mut self) -> String {
        let (before, found) = self
            .session
            .exp_regex(r"start=[A-Za-z0-9_-]{16}")
            .expect("the link");
        self.screen.push_str(&before);
        self.screen.push_str(&found);
        found.trim_start_matches("start=").to_owned()
    }

    fn line(&mut self, text: &str) {
        self.session.send_line(text).unwrap();
    }

    /// One key, for the y/n questions (they do not wait for Enter).
    fn key(&mut self, key: &str) {
        self.session.send(key).unwrap();
        self.session.flush().unwrap();
    }

    /// Waits (bounded) for the end; the exit code. A wizard still waiting is killed and
    /// the test fails with what it showed.
    fn finish(mut self) -> (i32, String) {
        match self.session.exp_eof() {
            Ok(rest) => self.screen.push_str(&rest),
            Err(e) => {
                let _ = self
                    .session
                    .process
                    .kill(rexpect::process::signal::Signal::SIGKILL);
                panic!("the wizard did not end ({e}); it showed:\n{}", self.screen);
            }
        }
        let status = self.session.process.wait().unwrap();
        let code = match status {
            rexpect::process::wait::WaitStatus::Exited(_, code) => code,
            other => panic!("{other:?}"),
        };
        (code, self.screen)
    }
}

fn assert_no_token(screen: &str) {
    assert!(
        !screen.contains(&TOKEN[10..]),
        "the token was echoed:\n{screen}"
    );
}

#[test]
fn wizard_proves_the_chat_and_writes_a_working_config() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("t.me/BotFather");
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    tty.expect("Bot @vigia_test_bot (Vigia Test) answers.");
    let code = tty.code();
    tty.expect("/start@vigia_test_bot");
    // A stranger writes first, even with a guess: ignored.
    api.push_message(
        json!({"id": 666, "type": "private", "first_name": "Eve"}),
        "/start",
    );
    api.push_message(
        json!({"id": 666, "type": "private", "first_name": "Eve"}),
        "/start NOTTHECODE12345",
    );
    api.push_message(
        json!({"id": 42, "type": "private", "first_name": "Ann"}),
        &format!("/start {code}"),
    );
    tty.expect("Found: private chat with Ann (chat id 42)");
    tty.expect("Did it arrive?");
    tty.key("y");
    tty.expect("URL to watch");
    tty.line(&site.url("/ok"));
    tty.expect("Name for it");
    tty.line("web");
    tty.expect("web (");
    tty.expect("is up: HTTP 200 in");
    tty.expect("Add another URL?");
    tty.key("n");
    tty.expect("Two public canaries");
    tty.expect("Add these canaries?");
    tty.key("n");
    tty.expect("Wrote");
    let (code, screen) = tty.finish();
    // Shown with --nocapture: what a newcomer sees.
    eprintln!("wizard transcript:\n{screen}");
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("systemctl enable --now vigia.timer"),
        "{screen}"
    );
    assert_no_token(&screen);

    let sent = api.sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("will send its alerts here"));
    assert_eq!(
        api.calls()
            .iter()
            .find(|c| c.method == "sendMessage")
            .unwrap()
            .body["chat_id"],
        42
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(
        text.contains("chat_id = 42  # private chat with Ann\n"),
        "{text}"
    );
    assert_eq!(
        fs::metadata(sb.config_path()).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The config works as written.
    let check = sb.run(&["check"]).expect(0);
    assert!(check.stdout.contains("web  UP"), "{}", check.stdout);
}

#[test]
fn a_wrong_token_is_explained_and_asked_again_and_ctrl_c_writes_nothing() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.line("not a token");
    tty.expect("That is not a bot token");
    tty.expect("Paste the bot token (hidden)");
    tty.line(WRONG_TOKEN);
    tty.expect("it is wrong or was revoked");
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    tty.expect("answers.");
    tty.code();
    tty.expect("Waiting for the code");
    assert!(api.wait_for("getUpdates", 2, std::time::Duration::from_secs(5)));
    tty.session.send_control('c').unwrap();
    tty.expect("cancelled; nothing was written");
    let (code, screen) = tty.finish();
    assert_eq!(code, 1, "{screen}");
    assert_no_token(&screen);
    assert!(!screen.contains(&WRONG_TOKEN[10..]), "{screen}");
    assert!(!sb.config_path().exists());
}

#[test]
fn a_webhook_is_deleted_after_confirmation() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    api.set_webhook("https://hooks.example/bot");
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    tty.expect("The bot has a webhook (https://hooks.example/bot)");
    tty.expect("Delete the webhook?");
    tty.key("y");
    tty.expect("Webhook deleted.");
    tty.code();
    assert_eq!(api.webhook(), "");
    // The first getUpdates is answered once Ctrl-C is being watched.
    assert!(api.wait_for("getUpdates", 1, std::time::Duration::from_secs(5)));
    tty.session.send_control('c').unwrap();
    let (code, _) = tty.finish();
    assert_eq!(code, 1);
    assert!(api.calls().iter().any(|c| c.method == "deleteWebhook"));
}

#[test]
fn a_group_is_found_by_start_addressed_to_the_bot() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let url = site.url("/ok");
    let mut tty = Tty::start(&sb, &api, &["--url", &url, "--no-enable"]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    let code = tty.code();
    let group = json!({"id": -1001234, "type": "supergroup", "title": "Ops", "is_forum": true});
    api.push_message(group.clone(), &format!("/start@other_bot {code}"));
    api.push_message(group, &format!("/start@vigia_test_bot {code}"));
    tty.expect("Found: supergroup \"Ops\" (chat id -1001234)");
    tty.expect("Did it arrive?");
    tty.key("y");
    tty.expect("is up");
    tty.expect("Add these canaries?");
    tty.key("y");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(
        text.contains("canary = [\"tcp://1.1.1.1:53\", \"tcp://9.9.9.9:53\"]"),
        "{text}"
    );
    assert!(
        text.contains("chat_id = -1001234  # supergroup \"Ops\""),
        "{text}"
    );
}

#[test]
fn unattended_with_every_flag_writes_the_config_without_asking() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let token_file = sb.path("token");
    fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let run = sb
        .run(&[
            "init",
            "--token-file",
            token_file.to_str().unwrap(),
            "--chat-id",
            "-100777",
            "--url",
            &site.url("/ok"),
            "--url",
            &site.url("/redirect"),
            "--api-url",
            &api.url(),
        ])
        .expect(0);
    assert_no_token(&format!("{}{}", run.stdout, run.stderr));
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(text.contains("chat_id = -100777\n"));
    assert!(text.contains(&format!("api_url = \"{}\"", api.url())));
    assert!(
        text.contains("name = \"127.0.0.1\"") && text.contains("name = \"127.0.0.1-2\""),
        "{text}"
    );
    assert_eq!(api.sent().len(), 1, "test message");
    assert!(
        api.calls().iter().all(|c| c.method != "getUpdates"),
        "no code needed with --chat-id"
    );
    sb.run(&["check"]).expect(0);
}

#[test]
fn unattended_reads_the_token_from_stdin_or_the_environment() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let url = site.url("/ok");
    let mut child = sb
        .command(&[
            "init",
            "--token-file",
            "-",
            "--chat-id",
            "42",
            "--url",
            &url,
            "--api-url",
            &api.url(),
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(TOKEN.as_bytes())
        .unwrap();
    crate::finish(child).expect(0);
    fs::remove_file(sb.config_path()).unwrap();
    sb.run_with_env(
        &[
            "init",
            "--chat-id",
            "42",
            "--url",
            &url,
            "--api-url",
            &api.url(),
        ],
        "VIGIA_TOKEN",
        TOKEN,
    )
    .expect(0);
    assert!(sb.config_path().exists());
}

#[test]
fn unattended_without_enough_flags_fails_at_once_naming_them() {
    let sb = Sandbox::new();
    let run = sb.run(&["init"]).expect(2);
    assert!(run.stderr.contains("--token-file FILE"), "{}", run.stderr);
    assert!(run.stderr.contains("--chat-id ID"), "{}", run.stderr);
    assert!(run.stderr.contains("--url URL"), "{}", run.stderr);
    assert!(run.elapsed < std::time::Duration::from_secs(2));
    let run = sb
        .run_with_env(
            &["init", "--url", "http://x.example/"],
            "VIGIA_TOKEN",
            TOKEN,
        )
        .expect(2);
    assert!(
        run.stderr.contains("--chat-id ID") && !run.stderr.contains("--token-file"),
        "{}",
        run.stderr
    );
    assert!(!sb.config_path().exists());
}

#[test]
fn an_existing_config_is_kept_unless_forced() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    sb.write_raw_config("# mine\n");
    let args = [
        "init",
        "--chat-id",
        "42",
        "--url",
        &site.url("/ok"),
        "--api-url",
        &api.url(),
    ];
    let run = sb.run_with_env(&args, "VIGIA_TOKEN", TOKEN).expect(2);
    assert!(
        run.stderr.contains("already exists: pass --force"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(sb.config_path()).unwrap(), "# mine\n");

    sb.run_with_env(&[&args[..], &["--force"]].concat(), "VIGIA_TOKEN", TOKEN)
        .expect(0);
    assert_eq!(
        fs::read_to_string(sb.path("config.toml.bak")).unwrap(),
        "# mine\n"
    );
    assert!(fs::read_to_string(sb.config_path())
        .unwrap()
        .contains("chat_id = 42"));
}

#[test]
fn a_revoked_token_fails_unattended_in_plain_words() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let run = sb
        .run_with_env(
            &[
                "init",
                "--chat-id",
                "42",
                "--url",
                "http://x.example/",
                "--api-url",
                &api.url(),
            ],
            "VIGIA_TOKEN",
            WRONG_TOKEN,
        )
        .expect(1);
    assert!(
        run.stderr.contains("wrong or was revoked"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&WRONG_TOKEN[10..]));
    assert!(!sb.config_path().exists());
}
