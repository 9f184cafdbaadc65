//! `vigia init`, driven in a real pseudo-terminal (rexpect) and unattended, against the
//! fake Bot API.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use rexpect::session::PtySession;
use serde_json::json;

use crate::{BotApi, Sandbox, Site, TOKEN};

const WRONG_TOKEN: &str = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// `✗` as rexpect shows it: it reads the pty's bytes one by one, as Latin-1.
const CROSS: &str = "\u{e2}\u{9c}\u{97}";

/// A wizard in a pty, keeping everything it printed.
struct Tty {
    session: PtySession,
    screen: String,
}

/// The local modes of the terminal behind a pty's master.
fn local_modes(session: &PtySession) -> libc::tcflag_t {
    let pty = session.process.get_file_handle().unwrap();
    // SAFETY: tcgetattr on the pty's master reads the terminal's settings into `t`.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&pty), &mut t) },
        0
    );
    t.c_lflag & (libc::ECHO | libc::ICANON)
}

impl Tty {
    fn start(sb: &Sandbox, api: &BotApi, extra: &[&str]) -> Tty {
        Tty::start_with_env(sb, api, extra, &[])
    }

    /// The same, with more environment variables (`LANG`...).
    fn start_with_env(sb: &Sandbox, api: &BotApi, extra: &[&str], env: &[(&str, &str)]) -> Tty {
        let api_url = api.url();
        let mut args = vec!["init", "--api-url", api_url.as_str()];
        args.extend_from_slice(extra);
        // From a terminal as a person's is: echo and line editing on.
        let vigia = sb.command(&args);
        let mut command = std::process::Command::new("sh");
        command
            .args(["-c", "stty echo icanon && exec \"$0\" \"$@\""])
            .arg(vigia.get_program())
            .args(vigia.get_args())
            .env_clear()
            .envs(vigia.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("TERM", "dumb")
            .envs(env.iter().copied())
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

    /// A wizard for chat 42 (no code to prove), brought to its first URL prompt.
    fn at_the_url_prompt(sb: &Sandbox, api: &BotApi) -> Tty {
        let mut tty = Tty::start(sb, api, &["--chat-id", "42"]);
        tty.expect("Paste the bot token (hidden)");
        tty.line(TOKEN);
        tty.expect("Did it arrive?");
        tty.answer("y");
        tty.expect("URL to watch");
        tty
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

    /// Types a line as a person does: a moment after the prompt appeared.
    fn line(&mut self, text: &str) {
        std::thread::sleep(Duration::from_millis(150));
        self.session.send_line(text).unwrap();
    }

    /// Answers as a person types: the letters, then Enter a moment later.
    fn answer(&mut self, text: &str) {
        self.answer_after(text, Duration::from_millis(300));
    }

    fn answer_after(&mut self, text: &str, enter_after: Duration) {
        self.session.send(text).unwrap();
        self.session.flush().unwrap();
        std::thread::sleep(enter_after);
        self.session.send("\r").unwrap();
        self.session.flush().unwrap();
    }

    /// Ctrl-C, then the end: exit 130, the one line, and the terminal as it was (echo
    /// and line editing on, cursor shown).
    #[track_caller]
    fn interrupt(mut self, sb: &Sandbox) {
        self.session.send_control('c').unwrap();
        self.expect("cancelled; nothing was written");
        let after = local_modes(&self.session);
        let (code, screen) = self.finish();
        assert_eq!(code, 130, "{screen}");
        assert_eq!(
            after,
            libc::ECHO | libc::ICANON,
            "echo or line editing not restored\n{screen}"
        );
        assert!(
            !screen.contains("\x1b[?25l") || screen.rfind("\x1b[?25h") > screen.rfind("\x1b[?25l"),
            "cursor left hidden"
        );
        assert!(!sb.config_path().exists(), "something was written");
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

/// Ann, in her private chat with the bot, presses Start with `code`.
fn ann_sends_start(api: &BotApi, code: &str) {
    api.push_message(
        json!({"id": 42, "type": "private", "first_name": "Ann"}),
        &format!("/start {code}"),
    );
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
    ann_sends_start(&api, &code);
    tty.expect("Found: private chat with Ann (chat id 42)");
    tty.expect("Did it arrive?");
    tty.answer("y");
    tty.expect("URL to watch");
    tty.line(&site.url("/ok"));
    tty.expect("Name for it");
    tty.line("web");
    tty.expect("web (");
    tty.expect("is up: HTTP 200 in");
    tty.expect("Add another URL?");
    tty.answer("n");
    tty.expect("Two public canaries");
    tty.expect("Add these canaries?");
    tty.answer("n");
    tty.expect("Alert after how many failed checks in a row?");
    tty.answer("");
    tty.expect("Answer commands from the chat? [y/N]");
    tty.answer("y");
    tty.expect("Step 7 of 8: wrote");
    let (code, screen) = tty.finish();
    // Shown with --nocapture: what a newcomer sees.
    eprintln!("wizard transcript:\n{screen}");
    assert_eq!(code, 0, "{screen}");
    // --config names a file the unit never reads: no advice to enable the timer.
    assert!(!screen.contains("systemctl enable"), "{screen}");
    assert!(
        screen.contains("The timer's service reads /etc/vigia/config.toml, not this file"),
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
    // Commands on: Ann, who proved the chat, may command; the menu is registered.
    assert!(
        text.contains("commands = true ") && text.contains("commands_from = [42] "),
        "{text}"
    );
    let menus: Vec<_> = api
        .calls()
        .into_iter()
        .filter(|c| c.method == "setMyCommands")
        .collect();
    assert_eq!(menus.len(), 2);
    assert_eq!(
        menus[0].body["commands"][0],
        json!({"command": "status", "description": "each target's state and since when"})
    );
    assert_eq!(menus[1].body["language_code"], "pt");
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
    assert_no_token(&tty.screen);
    assert!(!tty.screen.contains(&WRONG_TOKEN[10..]), "{}", tty.screen);
    tty.interrupt(&sb);
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
    tty.answer("y");
    tty.expect("Webhook deleted.");
    tty.code();
    assert_eq!(api.webhook(), "");
    assert!(api.calls().iter().any(|c| c.method == "deleteWebhook"));
    tty.interrupt(&sb);
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
    tty.answer("y");
    tty.expect("is up");
    tty.expect("Add these canaries?");
    tty.answer("y");
    tty.expect("Alert after how many failed checks in a row?");
    tty.answer("11");
    tty.expect("a number from 1 to 10");
    tty.answer("2");
    tty.expect("Answer commands from the chat? [y/N]");
    tty.answer("n");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(text.contains("\nconfirm = 2    "), "{text}");
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

#[test]
fn ctrl_c_at_every_kind_of_prompt_ends_cleanly() {
    // The hidden token prompt.
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.interrupt(&sb);

    // A yes/no question.
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    let code = tty.code();
    ann_sends_start(&api, &code);
    tty.expect("Did it arrive?");
    tty.interrupt(&sb);

    // A text prompt with a default.
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let mut tty = Tty::at_the_url_prompt(&sb, &api);
    tty.session.send("http://half-typed").unwrap();
    tty.interrupt(&sb);
}

#[test]
fn y_then_enter_answers_one_question_only() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let mut tty = Tty::start(&sb, &api, &["--chat-id", "42"]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    tty.expect("Did it arrive? [Y/n]");
    // A slow person: the Enter a second after the letter.
    tty.answer_after("y", Duration::from_secs(1));
    tty.expect("URL to watch");
    // Nothing was taken for the URL: the prompt still waits for it.
    std::thread::sleep(Duration::from_millis(300));
    tty.line(&site.url("/ok"));
    tty.expect("Name for it");
    tty.line("web");
    tty.expect("is up");
    tty.expect("Add another URL? [y/N]");
    tty.answer("maybe");
    tty.expect(&format!("{CROSS} answer y or n"));
    tty.answer("n");
    tty.expect("Add these canaries? [Y/n]");
    tty.answer("no");
    tty.expect("Alert after how many failed checks in a row?");
    tty.answer("");
    tty.expect("Answer commands from the chat? [y/N]");
    tty.answer("n");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        !screen.contains("error:"),
        "prompts speak with ✗ only:\n{screen}"
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(
        text.contains(&format!("url = \"{}\"", site.url("/ok"))),
        "{text}"
    );
    assert!(!text.contains("\ncanary ="), "{text}");
}

#[test]
fn a_taken_name_is_named_and_the_name_rule_is_the_configs() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let mut tty = Tty::at_the_url_prompt(&sb, &api);
    tty.line(&site.url("/ok"));
    tty.expect("Name for it");
    tty.line("web");
    tty.expect("Add another URL?");
    tty.answer("y");
    tty.expect("URL to watch");
    tty.line(&site.url("/redirect"));
    tty.expect("Name for it");
    tty.line("web");
    tty.expect(&format!(
        "{CROSS} the name \"web\" is taken by another target"
    ));
    tty.line(&"x".repeat(65));
    tty.expect("is not a valid name: use 1 to 64 of");
    tty.line("web2");
    tty.expect("Add another URL?");
    tty.answer("n");
    tty.expect("Add these canaries?");
    tty.answer("n");
    tty.expect("Alert after how many failed checks in a row?");
    tty.answer("");
    tty.expect("Answer commands from the chat? [y/N]");
    tty.answer("n");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    sb.run(&["check"]).expect(0);
}

#[test]
fn a_pause_at_a_prompt_never_breaks_the_next_call() {
    // The server closes idle connections after 2s, as real ones do; the person pauses 4s.
    let (api, sb) = (
        BotApi::start_keep_alive(Duration::from_secs(2)),
        Sandbox::new(),
    );
    api.set_webhook("https://hooks.example/bot");
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    tty.expect("Delete the webhook?");
    std::thread::sleep(Duration::from_secs(4));
    tty.answer("y");
    tty.expect("Webhook deleted.");
    let code = tty.code();
    ann_sends_start(&api, &code);
    tty.expect("Did it arrive?");
    tty.answer("n");
    tty.expect("Start over with a new code?");
    std::thread::sleep(Duration::from_secs(4));
    tty.answer("y");
    let again = tty.code();
    assert_ne!(again, code);
    ann_sends_start(&api, &again);
    tty.expect("Did it arrive?");
    tty.interrupt(&sb);
}

#[test]
fn a_server_that_answers_getupdates_at_once_is_not_hammered() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    api.answer_updates_at_once();
    // getWebhookInfo is missing on this server: a warning, not the end.
    api.script(
        "getWebhookInfo",
        [crate::Reply::Error(
            404,
            "Not Found: method not found",
            json!({}),
        )],
    );
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    tty.expect("Could not ask whether the bot has a webhook");
    tty.code();
    let before = api
        .calls()
        .iter()
        .filter(|c| c.method == "getUpdates")
        .count();
    std::thread::sleep(Duration::from_secs(2));
    let polls = api
        .calls()
        .iter()
        .filter(|c| c.method == "getUpdates")
        .count()
        - before;
    assert!(polls <= 6, "{polls} getUpdates in 2s");
    tty.interrupt(&sb);
}

#[test]
fn old_updates_are_skipped_before_the_code_is_shown() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let mut tty = Tty::start(&sb, &api, &[]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    let code = tty.code();
    // The offset -1 call came first: the code shown was never at risk of being skipped.
    let calls = api.calls();
    let first = calls.iter().position(|c| c.method == "getUpdates").unwrap();
    assert_eq!(calls[first].body["offset"], -1);
    ann_sends_start(&api, &code);
    tty.expect("Found: private chat with Ann");
    tty.interrupt(&sb);
}

#[test]
fn unattended_targets_can_be_named_and_bad_urls_get_a_hint() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let token_file = sb.path("token");
    fs::write(&token_file, TOKEN).unwrap();
    let init = |extra: &[&str]| {
        let mut args = vec![
            "init",
            "--token-file",
            token_file.to_str().unwrap(),
            "--chat-id",
            "42",
            "--api-url",
        ];
        let api_url = api.url();
        args.push(&api_url);
        args.extend_from_slice(extra);
        sb.run(&args)
    };
    let bare = init(&["--url", "example.org"]).expect(2);
    assert!(
        bare.stderr
            .contains("did you mean \"http://example.org/\"?"),
        "{}",
        bare.stderr
    );
    let query = site.url("/ok?a=1&b=%3C2%3E");
    init(&[
        "--url",
        &format!("front={}", site.url("/ok")),
        "--url",
        &query,
    ])
    .expect(0);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(text.contains("name = \"front\""), "{text}");
    assert!(
        text.contains(&format!("url = \"{query}\"")),
        "a URL's own = is not a name: {text}"
    );
    let twice = init(&[
        "--force",
        "--url",
        &format!("a={}", site.url("/ok")),
        "--url",
        &format!("a={}", site.url("/ok")),
    ])
    .expect(2);
    assert!(
        twice.stderr.contains("the name \"a\" is given twice"),
        "{}",
        twice.stderr
    );
}

#[test]
fn a_wrong_api_url_is_named_not_blamed_on_the_token() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let token_file = sb.path("token");
    fs::write(&token_file, TOKEN).unwrap();
    let init = |api_url: &str| {
        let token = token_file.to_str().unwrap();
        let args = [
            "init",
            "--token-file",
            token,
            "--chat-id",
            "42",
            "--yes",
            "--api-url",
            api_url,
        ];
        sb.run(&args).expect(1)
    };
    api.expect_wrong_paths();
    let wrong = format!("{}/wrong/path", api.url());
    let run = init(&wrong);
    assert!(
        run.stderr.contains(&format!(
            "the Bot API at {wrong} answered 404 Not Found: either --api-url is wrong"
        )),
        "{}",
        run.stderr
    );
    // https:// to a server that speaks plain HTTP.
    let run = init(&api.url().replace("http://", "https://"));
    assert!(
        run.stderr.contains("does not answer in TLS"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("use --api-url {}", api.url())),
        "{}",
        run.stderr
    );
}

/// Where a planted link points: a root-owned file outside the config's directory.
struct Victim {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

const PRECIOUS: &str = "root's own file\n";

impl Victim {
    fn new() -> Victim {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("precious");
        fs::write(&path, PRECIOUS).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        Victim { _dir: dir, path }
    }

    /// Nothing was written to it or chmod'ed, and it is the only file there.
    #[track_caller]
    fn untouched(&self) {
        let text = fs::read_to_string(&self.path).unwrap();
        assert_eq!(text, PRECIOUS, "written through a link");
        assert!(
            !text.contains(&TOKEN[10..]),
            "the token reached a planted file"
        );
        let mode = fs::metadata(&self.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o644, "chmod'ed through a link");
        let names: Vec<_> = fs::read_dir(self.path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["precious"], "something written beside it");
    }
}

/// A directory of `mode` in the sandbox, for the config.
fn config_dir(sb: &Sandbox, mode: u32) -> std::path::PathBuf {
    let dir = sb.path("conf");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
    dir
}

/// `init` unattended with `config`, as root, from a shell that first runs `plant` and
/// then becomes vigia (`exec` keeps the pid, so `$$` is the pid vigia names its files by).
fn init_at(
    api: &BotApi,
    site: &Site,
    sb: &Sandbox,
    config: &std::path::Path,
    plant: &str,
    extra: &[&str],
) -> crate::Run {
    let url = site.url("/ok");
    let api_url = api.url();
    let mut args = vec![
        "--config",
        config.to_str().unwrap(),
        "init",
        "--chat-id",
        "42",
        "--url",
        &url,
        "--api-url",
        &api_url,
    ];
    args.extend_from_slice(extra);
    let vigia = sb.command_bare(&args);
    let mut command = std::process::Command::new("sh");
    command
        .args(["-c", &format!("{plant}\nexec \"$0\" \"$@\"")])
        .arg(vigia.get_program())
        .args(vigia.get_args())
        .env_clear()
        .envs(vigia.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("VIGIA_TOKEN", TOKEN)
        .current_dir(sb.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::run(command)
}

/// Links at every temporary name vigia has used or may use for `name` in `dir`, all to
/// the victim.
fn plant_temp_links(dir: &std::path::Path, name: &str, victim: &Victim) -> String {
    format!(
        "for n in '' .0 .1 .2; do ln -s '{v}' '{d}/.{name}.'$$$n.tmp; done",
        v = victim.path.display(),
        d = dir.display()
    )
}

#[track_caller]
fn assert_one_line_74(run: &crate::Run, says: &str) {
    assert_eq!(
        run.code, 74,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("vigia: "), "{}", run.stderr);
    assert!(run.stderr.contains(says), "{}", run.stderr);
    assert_no_token(&format!("{}{}", run.stdout, run.stderr));
}

/// The config written: a regular file of one link, 0600, holding the token.
#[track_caller]
fn assert_written(config: &std::path::Path) {
    let meta = fs::symlink_metadata(config).unwrap();
    assert!(meta.file_type().is_file(), "{meta:?}");
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert!(fs::read_to_string(config).unwrap().contains(TOKEN));
}

#[test]
#[ignore = "needs root"]
fn links_planted_at_the_temp_and_backup_names_are_never_followed() {
    crate::assert_root();
    for mode in [0o700, 0o1777] {
        let (api, site, sb, victim) = (
            BotApi::start(),
            Site::start(),
            Sandbox::new(),
            Victim::new(),
        );
        let dir = config_dir(&sb, mode);
        let config = dir.join("config.toml");
        let plant = plant_temp_links(&dir, "config.toml", &victim);
        let run = init_at(&api, &site, &sb, &config, &plant, &[]);
        assert_eq!(run.code, 0, "{mode:o}: {}", run.stderr);
        assert!(run.stderr.contains("(mode 0600)"), "{}", run.stderr);
        assert_written(&config);
        victim.untouched();

        // --force: the old config goes to config.toml.bak, where a link waits.
        fs::write(&config, "# mine\n").unwrap();
        std::os::unix::fs::symlink(&victim.path, dir.join("config.toml.bak")).unwrap();
        let plant = format!(
            "{plant}\n{}",
            plant_temp_links(&dir, "config.toml.bak", &victim)
        );
        let run = init_at(&api, &site, &sb, &config, &plant, &["--force"]);
        assert_eq!(run.code, 0, "{mode:o}: {}", run.stderr);
        victim.untouched();
        assert_written(&config);
        let backup = dir.join("config.toml.bak");
        let meta = fs::symlink_metadata(&backup).unwrap();
        assert!(
            meta.file_type().is_file(),
            "the link was replaced, not followed"
        );
        assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
        assert_eq!(fs::read_to_string(&backup).unwrap(), "# mine\n");
        assert_eq!(api.sent().len(), 2);
        let kept = fs::metadata(&dir).unwrap().permissions().mode() & 0o7777;
        assert_eq!(kept, mode, "the directory was chmod'ed");
    }
}

#[test]
#[ignore = "needs root"]
fn a_config_path_that_is_a_link_is_refused_not_followed() {
    crate::assert_root();
    let (api, site, sb, victim) = (
        BotApi::start(),
        Site::start(),
        Sandbox::new(),
        Victim::new(),
    );
    let dir = config_dir(&sb, 0o1777);
    let config = dir.join("config.toml");
    std::os::unix::fs::symlink(&victim.path, &config).unwrap();
    for extra in [&[][..], &["--force"]] {
        let run = init_at(&api, &site, &sb, &config, "", extra);
        assert_one_line_74(&run, "symbolic link");
        victim.untouched();
        assert!(fs::symlink_metadata(&config)
            .unwrap()
            .file_type()
            .is_symlink());
    }
    // A dangling link is no config either: the name is refused, not created through.
    fs::remove_file(&config).unwrap();
    let target = sb.path("elsewhere.toml");
    std::os::unix::fs::symlink(&target, &config).unwrap();
    let run = init_at(&api, &site, &sb, &config, "", &[]);
    assert_one_line_74(&run, "symbolic link");
    assert!(!target.exists(), "created through a dangling link");
    // A hard link to root's file is not taken for an old config to back up.
    fs::remove_file(&config).unwrap();
    fs::hard_link(&victim.path, &config).unwrap();
    let run = init_at(&api, &site, &sb, &config, "", &["--force"]);
    assert_one_line_74(&run, "hard links");
    fs::remove_file(&config).unwrap();
    victim.untouched();
    assert!(api.sent().is_empty(), "refused before any test message");
}

#[test]
#[ignore = "needs root"]
fn a_directory_others_can_write_without_the_sticky_bit_is_refused() {
    crate::assert_root();
    let (api, site, sb, victim) = (
        BotApi::start(),
        Site::start(),
        Sandbox::new(),
        Victim::new(),
    );
    let dir = config_dir(&sb, 0o777);
    let config = dir.join("config.toml");
    let plant = plant_temp_links(&dir, "config.toml", &victim);
    let run = init_at(&api, &site, &sb, &config, &plant, &[]);
    assert_one_line_74(&run, "writable by others");
    assert!(
        run.stderr.contains(&dir.display().to_string()),
        "{}",
        run.stderr
    );
    victim.untouched();
    assert!(!config.exists());
    assert!(
        api.calls().is_empty(),
        "refused before the Bot API is asked anything"
    );

    // The same deeper down: a private directory inside one that others can write.
    let inner = dir.join("inner");
    fs::create_dir(&inner).unwrap();
    fs::set_permissions(&inner, fs::Permissions::from_mode(0o700)).unwrap();
    let run = init_at(&api, &site, &sb, &inner.join("config.toml"), "", &[]);
    assert_one_line_74(&run, "writable by others");
    // And one that does not exist yet, to be made there.
    let run = init_at(&api, &site, &sb, &dir.join("new/config.toml"), "", &[]);
    assert_one_line_74(&run, "writable by others");
    assert!(!dir.join("new").exists());
    // A directory another user owns is theirs to rewrite: refused too.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
    let run = init_at(&api, &site, &sb, &config, "", &[]);
    assert_one_line_74(&run, "owned by");
    assert!(api.calls().is_empty());
}

#[test]
#[ignore = "needs root"]
fn the_directory_init_makes_is_0700_and_the_config_0600_whatever_the_umask() {
    crate::assert_root();
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let config = sb.path("made/here/config.toml");
    let run = init_at(&api, &site, &sb, &config, "umask 000", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_written(&config);
    for dir in ["made", "made/here"] {
        let mode = fs::metadata(sb.path(dir)).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o700, "{dir}");
    }
    fs::write(&config, "# mine\n").unwrap();
    fs::set_permissions(&config, fs::Permissions::from_mode(0o666)).unwrap();
    let run = init_at(&api, &site, &sb, &config, "umask 000", &["--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_written(&config);
    let backup = sb.path("made/here/config.toml.bak");
    assert_eq!(
        fs::metadata(&backup).unwrap().permissions().mode() & 0o7777,
        0o600
    );
    let names: Vec<_> = fs::read_dir(sb.path("made/here"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

/// `text` as rexpect shows it (see [`CROSS`]): each UTF-8 byte a Latin-1 character.
fn pty(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// Words of the English wizard that its Portuguese one never says.
const ENGLISH: [&str; 8] = [
    "Step ",
    "Paste",
    "answers.",
    "Did it arrive",
    " is up",
    "Add another",
    "canaries (",
    "wrote",
];

#[test]
fn the_wizard_speaks_portuguese_from_its_first_line_with_a_brazilian_locale() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let mut tty = Tty::start_with_env(&sb, &api, &[], &[("LANG", "pt_BR.UTF-8")]);
    tty.expect(&pty("vigia init: configurar os alertas de"));
    tty.expect(&pty("Ctrl-C sai sem gravar nada."));
    tty.expect(&pty(
        "Passo 1 de 8: o bot. No Telegram, abra https://t.me/BotFather",
    ));
    tty.expect(&pty("Cole o token do bot (fica oculto)"));
    tty.line("not-a-token");
    tty.expect(&pty("✗ Isso não é um token de bot:"));
    tty.expect(&pty("Cole o token do bot (fica oculto)"));
    tty.line(TOKEN);
    tty.expect(&pty("✓ O bot @vigia_test_bot (Vigia Test) respondeu."));
    tty.expect(&pty(
        "Passo 3 de 8: confirme o chat que vai receber os alertas.",
    ));
    let code = tty.code();
    tty.expect(&pty("Esperando o código (até 10 minutos)..."));
    ann_sends_start(&api, &code);
    tty.expect(&pty("✓ Encontrado: chat privado com Ann (chat id 42)."));
    tty.expect(&pty(
        "Passo 4 de 8: ✓ mandei uma mensagem de teste para chat privado com Ann.",
    ));
    tty.expect("Chegou? [S/n]");
    tty.answer("s");
    tty.expect(&pty("Passo 5 de 8: o que vigiar."));
    tty.expect(&pty(
        "URL para vigiar (http://, https:// ou tcp://host:porta)",
    ));
    tty.line(&site.url("/ok"));
    tty.expect("Nome para ela");
    tty.line("web");
    tty.expect(&pty(&format!(
        "✓ web ({}) está no ar: HTTP 200 em",
        site.url("/ok")
    )));
    tty.expect("Adicionar outra URL? [s/N]");
    tty.answer("talvez");
    tty.expect(&pty("✗ responda s ou n"));
    tty.answer("n");
    tty.expect(&pty("Passo 6 de 8: canários."));
    tty.expect(&pty("Adicionar esses canários? [S/n]"));
    tty.answer("não");
    tty.expect(&pty(
        "Alertar depois de quantas verificações com falha seguidas?",
    ));
    tty.answer("");
    tty.expect(&pty("Responder comandos pelo chat? [s/N]"));
    tty.answer("n");
    tty.expect(&pty("Passo 7 de 8: gravei"));
    tty.expect(&pty(
        "O serviço do timer lê /etc/vigia/config.toml, não este arquivo",
    ));
    let (code, screen) = tty.finish();
    eprintln!("wizard transcript:\n{screen}");
    assert_eq!(code, 0, "{screen}");
    for english in ENGLISH {
        assert!(!screen.contains(english), "{english:?} in:\n{screen}");
    }
    assert_no_token(&screen);
    // Its test message speaks Portuguese too, whole.
    let host = crate::golden::hostname();
    assert_eq!(
        api.sent(),
        [format!(
            "✅ O <b>vigia</b> em {host} vai mandar os alertas aqui."
        )]
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(text.contains("\nlanguage = \"pt-BR\" "), "{text}");
    assert!(
        text.contains("chat_id = 42  # chat privado com Ann\n"),
        "{text}"
    );
    assert!(!text.contains("\ncanary ="), "{text}");
    // The config works as written, and its alerts speak the wizard's language.
    sb.run(&["check"]).expect(0);
}

#[test]
fn ctrl_c_says_so_in_portuguese() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let mut tty = Tty::start_with_env(&sb, &api, &["--language", "pt-BR"], &[]);
    tty.expect(&pty("Cole o token do bot (fica oculto)"));
    tty.session.send_control('c').unwrap();
    tty.expect(&pty("vigia: cancelado; nada foi gravado"));
    let (code, screen) = tty.finish();
    assert_eq!(code, 130, "{screen}");
    assert!(!sb.config_path().exists());
}

/// Environment variables for one run.
type Vars<'a> = &'a [(&'a str, &'a str)];

#[test]
fn the_locale_is_read_as_posix_says_and_the_flag_beats_it() {
    let sb = Sandbox::new();
    let portuguese = "vigia: o init precisa de um terminal para perguntar, ou destas opções: \
        --token-file ARQUIVO (ou '-' para a entrada padrão, ou VIGIA_TOKEN), --chat-id ID, \
        --url URL (ou --yes para vigiar o endereço desta máquina)\n";
    let english = "vigia: init needs a terminal to ask, or these flags: \
        --token-file FILE (or '-' for stdin, or VIGIA_TOKEN), --chat-id ID, \
        --url URL (or --yes to watch this machine's address)\n";
    // (environment, flags, the whole error)
    let cases: [(Vars, &[&str], &str); 7] = [
        (&[("LANG", "pt_BR.UTF-8")], &[], portuguese),
        (
            &[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "pt_BR")],
            &[],
            portuguese,
        ),
        (
            &[("LANG", "en_US.UTF-8"), ("LC_ALL", "pt_BR.utf8")],
            &[],
            portuguese,
        ),
        // LC_ALL wins over the others, also for English.
        (&[("LANG", "pt_BR.UTF-8"), ("LC_ALL", "C")], &[], english),
        // An empty variable counts as unset.
        (&[("LANG", "pt_BR.UTF-8"), ("LC_ALL", "")], &[], portuguese),
        (&[("LANG", "pt_BR.UTF-8")], &["--language", "en"], english),
        (&[], &["--language", "pt-BR"], portuguese),
    ];
    for (env, flags, says) in cases {
        let mut command = sb.command(&[&["init"], flags].concat());
        command.envs(env.iter().copied());
        let run = crate::run(command).expect(2);
        crate::golden::assert_whole(&run.stderr, says);
    }
    // --help stays English, whatever the locale.
    let mut help = sb.command(&["init", "--help"]);
    help.env("LANG", "pt_BR.UTF-8");
    let run = crate::run(help).expect(0);
    assert!(
        run.stdout.contains("Read the bot token from FILE"),
        "{}",
        run.stdout
    );
    let run = sb.run(&["init", "--language", "fr"]).expect(2);
    assert!(
        run.stderr.contains("[possible values: en, pt-BR]"),
        "{}",
        run.stderr
    );
}

#[test]
fn unattended_in_portuguese_says_everything_in_portuguese_and_writes_the_language() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let closed = crate::closed_port_url();
    let token_file = sb.path("token");
    fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let run = sb
        .run(&[
            "init",
            "--language",
            "pt-BR",
            "--token-file",
            token_file.to_str().unwrap(),
            "--chat-id",
            "-100777",
            "--url",
            &format!("web={}", site.url("/ok")),
            "--url",
            &format!("api={}", site.url("/status/503")),
            "--url",
            &format!("db={closed}"),
            "--api-url",
            &api.url(),
        ])
        .expect(0);
    let p = crate::golden::Placeholders::new()
        .with(&site.url(""), "site")
        .with(&closed, "closed")
        .with(&sb.config_path().display().to_string(), "config");
    crate::golden::assert_whole(
        &p.apply(&run.stderr),
        "✓ O bot @vigia_test_bot (Vigia Test) respondeu.\n\
         \n\
         Passo 4 de 8: ✓ mandei uma mensagem de teste para o chat -100777.\n\
         ✓ web ({site}/ok) está no ar: HTTP 200 em {ms} ms\n\
         ✗ api ({site}/status/503) está FORA DO AR: HTTP 503 Service Unavailable\n\
         ✗ db ({closed}) está FORA DO AR: conexão recusada\n\
         \n\
         Passo 7 de 8: gravei {config} (modo 0600).\n\
         O serviço do timer lê /etc/vigia/config.toml, não este arquivo: rode `vigia --config {config} check`\n\
         num timer ou cron seu, ou grave a config lá (como root, sem --config).\n",
    );
    assert_eq!(
        api.sent(),
        [format!(
            "✅ O <b>vigia</b> em {} vai mandar os alertas aqui.",
            crate::golden::hostname()
        )]
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(text.contains("\nlanguage = \"pt-BR\" "), "{text}");
    // The alerts it set up speak Portuguese, reasons included.
    sb.run_with_env(&["check"], "VIGIA_NOW", "2026-03-01T12:00:00Z")
        .expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    crate::golden::assert_whole(
        &p.apply(&sent[1]),
        "🔴 <b>api</b> está FORA DO AR: HTTP 503 Service Unavailable\n\
         <code>{site}/status/503</code>\n\
         2026-03-01 12:00:00 +00:00 em {host}\n\
         \n\
         🔴 <b>db</b> está FORA DO AR: conexão recusada\n\
         <code>{closed}</code>\n\
         2026-03-01 12:00:00 +00:00 em {host}",
    );
    // The log keeps English.
    let log = p.apply(&sb.log_lines().join("\n"));
    assert!(
        log.contains("\n2026-03-01T12:00:00+00:00 OFFLINE db connection refused ({closed})"),
        "{log}"
    );
}

#[test]
fn while_the_wizard_reads_updates_a_check_run_leaves_the_commands_for_later() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[crate::target("web", &site.url("/ok"))]);
    let on = fs::read_to_string(sb.config_path()).unwrap().replacen(
        "chat_id = 42\n",
        "chat_id = 42\ncommands = true\ncommands_from = [42]\n",
        1,
    );
    sb.write_raw_config(&on);
    sb.run(&["check", "--quiet"]).expect(0);
    let url = site.url("/ok");
    let mut tty = Tty::start(&sb, &api, &["--force", "--url", &url, "--no-enable"]);
    tty.expect("Paste the bot token (hidden)");
    tty.line(TOKEN);
    let code = tty.code();
    tty.expect("Waiting for the code");
    // The timer's run comes: it checks, and does not take the wizard's code.
    let short_polls = |api: &BotApi| {
        (api.calls().iter())
            .filter(|c| c.method == "getUpdates" && c.body["limit"] == 20)
            .count()
    };
    let before = short_polls(&api);
    let run = sb.run_with_env(&["check", "--quiet"], "JOURNAL_STREAM", "8:1");
    assert_eq!(
        run.stdout,
        "<5>vigia init is reading the bot's updates: commands from the chat wait for a later run\n",
        "{run:?}"
    );
    assert_eq!(short_polls(&api), before);
    ann_sends_start(&api, &code);
    tty.expect("Found: private chat with Ann (chat id 42)");
    tty.expect("Did it arrive?");
    tty.answer("y");
    tty.expect("Add these canaries?");
    tty.answer("n");
    tty.expect("Alert after how many failed checks in a row?");
    tty.answer("");
    tty.expect("Answer commands from the chat? [y/N]");
    tty.answer("y");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    // The wizard is done: the next run reads commands again.
    sb.run(&["check", "--quiet"]).expect(0);
    assert_eq!(short_polls(&api), before + 1);
}

#[test]
fn unattended_commands_allow_the_private_chat_and_the_ids_given() {
    let (api, site, sb) = (BotApi::start(), Site::start(), Sandbox::new());
    let args = [
        "init",
        "--chat-id",
        "42",
        "--url",
        &site.url("/ok"),
        "--api-url",
        &api.url(),
        "--commands",
        "--commands-from",
        "7",
        "--commands-from",
        "42",
    ];
    sb.run_with_env(&args, "VIGIA_TOKEN", TOKEN).expect(0);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    assert!(
        text.contains("commands = true ") && text.contains("commands_from = [42, 7] "),
        "{text}"
    );
    let menus = api
        .calls()
        .iter()
        .filter(|c| c.method == "setMyCommands")
        .count();
    assert_eq!(menus, 2);
    // --commands-from means nothing without --commands.
    let sb = Sandbox::new();
    let args = ["init", "--chat-id", "42", "--yes", "--commands-from", "7"];
    sb.run_with_env(&args, "VIGIA_TOKEN", TOKEN).expect(2);
}
