//! What Telegram accepted is never sent again but after a crash, even when the disk
//! fills during the send; and a queued message goes only where it was addressed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::delivery::SmallDisk;
use crate::{target, BotApi, Reply, Sandbox, Site, TOKEN};

/// A Bot API that fills the disk before it accepts a message: the part is accepted,
/// and the commit that follows finds no space. Counts the messages it accepted.
struct FillingBotApi {
    url: String,
    accepted: Arc<Mutex<usize>>,
}

impl FillingBotApi {
    fn start(disk: Arc<SmallDisk>, filler: Arc<Mutex<Option<std::path::PathBuf>>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(Mutex::new(0));
        let count = accepted.clone();
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                // One request per connection is enough: reqwest opens another.
                let (mut head, mut length) = (String::new(), 0);
                while reader.read_line(&mut head).unwrap_or(0) > 2 {
                    let line = head.lines().last().unwrap_or_default().to_ascii_lowercase();
                    if let Some(v) = line.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if head.ends_with("\r\n\r\n") {
                        break;
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                if head.starts_with("POST") && head.contains("/sendMessage") {
                    *filler.lock().unwrap() = Some(disk.fill());
                    *count.lock().unwrap() += 1;
                }
                let answer = r#"{"ok":true,"result":{"message_id":1}}"#;
                let _ = write!(
                    writer,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        FillingBotApi { url, accepted }
    }
}

#[test]
#[ignore = "needs root (mounts a small tmpfs): CI runs it with --include-ignored"]
fn a_part_accepted_before_the_disk_filled_is_never_sent_again() {
    crate::assert_root();
    let (site, sb) = (Site::start(), Sandbox::new());
    let disk = Arc::new(SmallDisk::mount(sb.path("disk"), "256k"));
    let filler = Arc::new(Mutex::new(None));
    let api = FillingBotApi::start(disk.clone(), filler.clone());
    let (log, state) = (disk.0.join("vigia.log"), disk.0.join("state"));
    sb.write_raw_config(&format!(
        "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 42\napi_url = \"{}\"\ntimeout = \"500ms\"\n\
         [check]\ntimeout = \"300ms\"\nattempts = 1\nlog_file = \"{}\"\nstate_dir = \"{}\"\n\
         [[target]]\n{}\n",
        api.url,
        log.display(),
        state.display(),
        target("web", &site.url("/switch")),
    ));
    site.set(200);
    sb.run(&["check"]).expect(0);
    site.set(503);
    let run = sb.run(&["check"]).expect(74);
    assert!(
        run.stderr.contains("No space left on device"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("OFFLINE web HTTP 503"),
        "the run prints what it decided although its last commit failed:\n{}",
        run.stdout
    );
    assert_eq!(*api.accepted.lock().unwrap(), 1);
    std::fs::remove_file(filler.lock().unwrap().take().unwrap()).unwrap();
    for _ in 0..2 {
        sb.run(&["check"]).expect(1);
    }
    assert_eq!(*api.accepted.lock().unwrap(), 1, "accepted once, sent once");
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.matches(" OFFLINE web ").count(), 1, "{text}");
    let outbox = sb.run(&["outbox"]).expect(0);
    assert!(outbox.stdout.contains("empty"), "{}", outbox.stdout);
}

/// A config that shares the sandbox's state directory and log with another chat.
fn write_config_for_chat(sb: &Sandbox, path: &std::path::Path, api: &str, chat: i64, t: &str) {
    let text = format!(
        "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = {chat}\napi_url = \"{api}\"\ntimeout = \"500ms\"\n\
         [check]\ntimeout = \"300ms\"\nattempts = 1\nlog_file = \"{}\"\nstate_dir = \"{}\"\n\
         [[target]]\n{t}\n",
        sb.log_path().display(),
        sb.state_path().display()
    );
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
}

#[test]
fn a_state_directory_shared_by_two_configs_is_refused_and_sends_nothing_across() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let (a, b) = (sb.path("a.toml"), sb.path("b.toml"));
    let web = target("web", &site.url("/switch"));
    write_config_for_chat(&sb, &a, &api.url(), 42, &web);
    write_config_for_chat(&sb, &b, &api.url(), 77, &web);
    let run = |config: &std::path::Path| {
        let mut command = sb.command_bare(&["--config"]);
        command.arg(config).arg("check");
        crate::run(command)
    };
    site.set(200);
    run(&a).expect(0);
    // Telegram is down while A's alert is queued.
    api.script(
        "sendMessage",
        [Reply::Error(502, "Bad Gateway", serde_json::json!({}))],
    );
    site.set(503);
    run(&a).expect(1);
    let refused = run(&b).expect(78);
    assert!(
        refused
            .stderr
            .contains(&sb.state_path().display().to_string())
            && refused.stderr.contains("chat 42")
            && refused.stderr.contains("chat 77"),
        "{}",
        refused.stderr
    );
    run(&a).expect(1);
    let chats: Vec<i64> = api
        .calls()
        .iter()
        .filter(|c| c.method == "sendMessage")
        .map(|c| c.body["chat_id"].as_i64().unwrap())
        .collect();
    assert_eq!(chats, [42, 42], "tried once, delivered once, never to 77");
}

#[test]
fn a_config_moved_to_another_chat_sets_aside_what_was_queued_for_the_old_one() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let web = target("web", &site.url("/switch"));
    let config = sb.config_path();
    write_config_for_chat(&sb, &config, &api.url(), 42, &web);
    site.set(200);
    sb.run(&["check"]).expect(0);
    api.script(
        "sendMessage",
        [Reply::Error(502, "Bad Gateway", serde_json::json!({}))],
    );
    site.set(503);
    sb.run(&["check"]).expect(1);
    // The admin moves the alerts to chat 77 in the same config.
    write_config_for_chat(&sb, &config, &api.url(), 77, &web);
    let run = sb.run(&["check"]).expect(1);
    assert!(run.stderr.contains("set aside"), "{}", run.stderr);
    let sent_to: Vec<i64> = api
        .calls()
        .iter()
        .filter(|c| c.method == "sendMessage")
        .map(|c| c.body["chat_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        sent_to,
        [42],
        "the old chat's alert never goes to the new chat"
    );
    // The admin decides: send it to the new chat.
    let listed = sb.run(&["outbox"]).expect(0);
    assert!(
        listed.stdout.contains("queued for chat 42"),
        "{}",
        listed.stdout
    );
    sb.run(&["outbox", "--retry", "1"]).expect(0);
    sb.run(&["check"]).expect(1);
    let last = api.calls().last().unwrap().body["chat_id"].as_i64();
    assert_eq!(last, Some(77));
}

#[test]
fn another_config_may_not_change_the_state_by_any_command() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let (a, b) = (sb.path("a.toml"), sb.path("b.toml"));
    let web = target("web", &site.url("/switch"));
    write_config_for_chat(&sb, &a, &api.url(), 42, &web);
    write_config_for_chat(&sb, &b, &api.url(), 77, &web);
    let run = |config: &std::path::Path, args: &[&str]| {
        let mut command = sb.command_bare(&["--config"]);
        command.arg(config).args(args);
        crate::run(command)
    };
    site.set(200);
    run(&a, &["check"]).expect(0);
    let before = std::fs::read(sb.state_path().join("state.json")).unwrap();
    for args in [
        &["mute", "--all", "--for", "1h"][..],
        &["unmute", "--all"],
        &["outbox", "--drop", "1"],
        &["send", "hello"],
    ] {
        let refused = run(&b, args).expect(78);
        assert!(
            refused.stderr.contains("chat 42"),
            "{args:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(
        std::fs::read(sb.state_path().join("state.json")).unwrap(),
        before
    );
    assert_eq!(api.sent(), Vec::<String>::new());
}

#[test]
fn a_config_is_known_by_its_file_not_by_how_its_path_is_spelled() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    std::fs::create_dir_all(sb.path("x")).unwrap();
    std::fs::create_dir_all(sb.path("y")).unwrap();
    let web = target("web", &site.url("/switch"));
    write_config_for_chat(&sb, &sb.path("x/config.toml"), &api.url(), 42, &web);
    write_config_for_chat(&sb, &sb.path("y/config.toml"), &api.url(), 77, &web);
    std::os::unix::fs::symlink(sb.path("x/config.toml"), sb.path("link.toml")).unwrap();
    let run_in = |dir: &str, config: &str| {
        let mut command = sb.command_bare(&["--config", config, "check"]);
        command.current_dir(sb.path(dir));
        crate::run(command)
    };
    site.set(200);
    run_in("x", "config.toml").expect(0);
    // Another file, reached by the same relative spelling: refused.
    run_in("y", "config.toml").expect(78);
    // The same file by another path (a link, an absolute path): the same config.
    run_in(".", "link.toml").expect(0);
    let absolute = sb.path("x/config.toml");
    run_in("y", absolute.to_str().unwrap()).expect(0);
}

#[test]
fn outbox_on_a_damaged_state_warns_and_lists_nothing() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(
        Some(&api.url()),
        &[target("web", &crate::closed_port_url())],
    );
    std::fs::create_dir_all(sb.state_path()).unwrap();
    std::fs::write(
        sb.state_path().join("state.json"),
        "{\"queue\": [{\"id\": 1,",
    )
    .unwrap();
    for args in [&["outbox"][..], &["outbox", "--json"]] {
        let run = sb.run(args).expect(0);
        assert!(run.stderr.contains("unreadable"), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
}
