//! `vigia check` against fake sites and a fake Bot API.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::json;

use crate::golden::{assert_whole, Placeholders};
use crate::{closed_port_url, target, wait_bounded, BotApi, Reply, Sandbox, Site, TOKEN};

#[test]
fn up_down_still_down_up_sends_exactly_the_right_messages() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    let p = Placeholders::new().with(&site.url("/switch"), "site");
    let check = |now: &str, code: i32| {
        p.apply(
            &sb.run_with_env(&["check"], "VIGIA_NOW", now)
                .expect(code)
                .stdout,
        )
    };

    // First state ONLINE: logged, not announced.
    assert_whole(
        &check("2026-03-01T12:00:00Z", 0),
        "web  UP    HTTP 200 in {ms} ms\nONLINE web HTTP 200 in {ms} ms\n",
    );
    assert!(api.calls().is_empty());

    site.set(503);
    assert_whole(
        &check("2026-03-01T12:01:00Z", 1),
        "web  DOWN  HTTP 503 Service Unavailable\n\
         OFFLINE web HTTP 503 Service Unavailable ({site})\n\
         sent 1 message(s) to Telegram\n",
    );

    // Still down: nothing new.
    assert_whole(
        &check("2026-03-01T12:02:00Z", 1),
        "web  DOWN  HTTP 503 Service Unavailable\n",
    );

    site.set(200);
    check("2026-03-01T12:03:30Z", 0);
    assert_whole(
        &p.apply(&sb.log_lines().join("\n")),
        "2026-03-01T12:00:00+00:00 ONLINE web HTTP 200 in {ms} ms\n\
         2026-03-01T12:01:00+00:00 OFFLINE web HTTP 503 Service Unavailable ({site})\n\
         2026-03-01T12:03:30+00:00 ONLINE web HTTP 200 in {ms} ms after 2m30s down",
    );
    assert_whole(
        &p.apply(&api.sent().join("\n--\n")),
        "🔴 <b>web</b> is DOWN: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         2026-03-01 12:01:00 +00:00 on {host}\n\
         --\n\
         🟢 <b>web</b> is UP again after 2m30s down: HTTP 200 in {ms} ms\n\
         <code>{site}</code>\n\
         2026-03-01 12:03:30 +00:00 on {host}",
    );
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn one_message_lists_every_change_of_a_run() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let down = closed_port_url();
    sb.write_config(
        Some(&api.url()),
        &[
            target("a", &down),
            target("b", &site.url("/status/500")),
            target("c", &site.url("/ok")),
        ],
    );
    sb.run_with_env(&["check"], "VIGIA_NOW", "2026-03-01T12:00:00Z")
        .expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let p = Placeholders::new()
        .with(&down, "closed")
        .with(&site.url(""), "site");
    assert_whole(
        &p.apply(&sent[0]),
        "🔴 <b>a</b> is DOWN: connection refused\n\
         <code>{closed}</code>\n\
         2026-03-01 12:00:00 +00:00 on {host}\n\
         \n\
         🔴 <b>b</b> is DOWN: HTTP 500 Internal Server Error\n\
         <code>{site}/status/500</code>\n\
         2026-03-01 12:00:00 +00:00 on {host}",
    );
    assert_eq!(sb.log_lines().len(), 3);
}

#[test]
fn alerts_wait_in_the_outbox_through_an_outage_and_go_out_once() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    api.script(
        "sendMessage",
        [Reply::Error(502, "Bad Gateway", json!({})), Reply::Hang],
    );

    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr
            .contains("1 message(s) wait in the outbox for the next run"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("server error"), "{}", run.stderr);
    assert_eq!(sb.outbox_len(), 1);

    // Telegram hangs: bounded by telegram.timeout, still kept.
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr.contains("did not answer within"),
        "{}",
        run.stderr
    );
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
    assert_eq!(sb.outbox_len(), 1);
    assert!(api.sent().is_empty());

    // Telegram is back: delivered once, with the time of the event, not of the delivery.
    sb.run(&["check"]).expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1);
    let logged_time = sb.log_lines()[0].split(' ').next().unwrap().to_owned();
    let shown = chrono::DateTime::parse_from_rfc3339(&logged_time)
        .unwrap()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    assert!(sent[0].contains(&shown), "{} lacks {shown}", sent[0]);
    assert_eq!(sb.outbox_len(), 0);
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 1);
}

#[test]
fn older_alerts_go_out_first() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    sb.run(&["check"]).expect(0);
    api.script("sendMessage", [Reply::Error(500, "Internal", json!({}))]);
    site.set(500);
    sb.run(&["check"]).expect(1);
    site.set(200);
    sb.run(&["check"]).expect(0);
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[0].contains("is DOWN") && sent[1].contains("is UP again"),
        "{sent:?}"
    );
}

#[test]
fn too_many_requests_waits_retry_after() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    api.script(
        "sendMessage",
        [Reply::Error(
            429,
            "Too Many Requests: retry after 1",
            json!({"retry_after": 1}),
        )],
    );
    let run = sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 1, "{}", run.stderr);
    assert!(
        run.elapsed >= Duration::from_secs(1),
        "did not wait: {:?}",
        run.elapsed
    );
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn concurrent_runs_give_one_message_and_one_line() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    let children: Vec<_> = (0..8)
        .map(|_| sb.command(&["check", "--quiet"]).spawn().unwrap())
        .collect();
    for child in children {
        assert_eq!(wait_bounded(child).status.code(), Some(1));
    }
    assert_eq!(sb.log_lines().len(), 1, "{:?}", sb.log_lines());
    assert_eq!(api.sent().len(), 1);
}

#[test]
fn the_token_never_appears_in_error_paths() {
    for (name, reply) in [
        (
            "revoked",
            Some(Reply::Error(401, "Unauthorized", json!({}))),
        ),
        (
            "server error",
            Some(Reply::Error(500, "Internal Server Error", json!({}))),
        ),
        ("unreachable", None),
    ] {
        let (api, sb) = (BotApi::start(), Sandbox::new());
        let api_url = match reply {
            Some(reply) => {
                api.script("sendMessage", [reply.clone(), reply]);
                api.url()
            }
            None => closed_port_url().trim_end_matches('/').to_owned(),
        };
        sb.write_config(Some(&api_url), &[target("web", &closed_port_url())]);
        let check = sb.run(&["check"]).expect(1);
        let send = sb.run(&["send", "hello"]).expect(1);
        for run in [&check, &send] {
            assert!(!run.stderr.is_empty(), "{name}: no error shown");
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(
                    !text.contains(TOKEN) && !text.contains(&TOKEN[10..]),
                    "{name}: token in {what}: {text}"
                );
            }
        }
        if name == "revoked" {
            assert!(
                check.stderr.contains("wrong or was revoked"),
                "{}",
                check.stderr
            );
        }
        if name == "unreachable" {
            assert!(
                check
                    .stderr
                    .contains("cannot reach the Bot API: 127.0.0.1: connection refused"),
                "{}",
                check.stderr
            );
        }
        for (path, bytes) in sb.all_files() {
            if path == sb.config_path() {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&TOKEN[10..]),
                "{name}: token in {}",
                path.display()
            );
        }
        assert_eq!(sb.outbox_len(), 1, "{name}: alert not kept");
    }
}

#[test]
fn markup_characters_in_names_urls_and_reasons_arrive_intact() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let url = format!("{}?a=1&b=<2>", site.url("/ok"));
    sb.write_config(
        Some(&api.url()),
        &[format!(
            "{}\ncontains = \"<i>R&D</i> > 0\"",
            target("a-b.c_d", &url)
        )],
    );
    sb.run_with_env(&["check"], "VIGIA_NOW", "2026-03-01T12:00:00Z")
        .expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "rejected: {:?}", api.calls());
    assert_whole(
        &Placeholders::new()
            .with(&site.url(""), "site")
            .apply(&sent[0]),
        "🔴 <b>a-b.c_d</b> is DOWN: text \"&lt;i&gt;R&amp;D&lt;/i&gt; &gt; 0\" not found\n\
         <code>{site}/ok?a=1&amp;b=%3C2%3E</code>\n\
         2026-03-01 12:00:00 +00:00 on {host}",
    );
}

#[test]
fn site_failures_are_named() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(
        None,
        &[
            target("refused", &closed_port_url()),
            target("status", &site.url("/status/404")),
            format!(
                "{}\ncontains = \"Welcome\"",
                target("text", &site.url("/status/200"))
            ),
            format!(
                "{}\ncontains = \"zzz\"",
                target("endless", &site.url("/endless"))
            ),
            target("hang", &site.url("/hang")),
            target("loop", &site.url("/loop")),
            target("chain10", &site.url("/chain/10")),
            target("chain11", &site.url("/chain/11")),
            format!(
                "{}\ncontains = \"Welcome\"",
                target("redirected", &site.url("/redirect"))
            ),
            format!(
                "{}\nexpect_status = [418]",
                target("teapot", &site.url("/status/418"))
            ),
            target("tcp", &site.url("").replace("http://", "tcp://")),
            target("nodns", "http://no-such-host.invalid/"),
        ],
    );
    let run = sb.run(&["check", "--dry-run"]).expect(1);
    // The resolver's own words for a name that does not exist vary between machines.
    let (nodns, rest): (Vec<&str>, Vec<&str>) =
        run.stdout.lines().partition(|l| l.starts_with("nodns "));
    assert!(
        nodns.len() == 1 && nodns[0].starts_with("nodns       DOWN  DNS failure"),
        "{}",
        run.stdout
    );
    assert_whole(
        &Placeholders::new()
            .with(&site.url(""), "site")
            .apply(&(rest.join("\n") + "\n")),
        "refused     DOWN  connection refused\n\
         status      DOWN  HTTP 404 Not Found\n\
         text        DOWN  text \"Welcome\" not found\n\
         endless     DOWN  text \"zzz\" not found in the first 1 MiB\n\
         hang        DOWN  timed out after 300ms\n\
         loop        DOWN  redirect loop\n\
         chain10     UP    HTTP 200 in {ms} ms\n\
         chain11     DOWN  too many redirects\n\
         redirected  UP    HTTP 200 in {ms} ms\n\
         teapot      UP    HTTP 418 in {ms} ms\n\
         tcp         UP    TCP connect in {ms} ms\n\
         dry run: 12 change(s) not logged, nothing sent\n",
    );
    // A dry run writes nothing.
    assert!(!sb.log_path().exists());
    assert!(!sb.state_path().exists());
}

#[test]
fn attempts_retry_before_declaring_down() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(
        None,
        &[format!(
            "{}\nattempts = 3\nretry_delay = \"100ms\"",
            target("web", &site.url("/status/503"))
        )],
    );
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.elapsed >= Duration::from_millis(200),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn many_targets_with_hanging_ones_cost_about_one_timeout() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let targets: Vec<String> = (0..60)
        .map(|i| {
            let path = if i % 3 == 0 { "/hang" } else { "/ok" };
            format!(
                "{}\ntimeout = \"500ms\"",
                target(&format!("t{i}"), &site.url(path))
            )
        })
        .collect();
    sb.write_config(None, &targets);
    let run = sb.run(&["check", "--quiet"]).expect(1);
    assert_eq!(sb.log_lines().len(), 60);
    assert_eq!(
        sb.log_lines()
            .iter()
            .filter(|l| l.contains(" OFFLINE "))
            .count(),
        20
    );
    // Twenty hanging targets probed one after another would take 10 s.
    assert!(
        run.elapsed < Duration::from_millis(3000),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn without_telegram_alerts_go_to_standard_output() {
    let sb = Sandbox::new();
    let url = closed_port_url();
    sb.write_config(None, &[target("127.0.0.1", &url)]);
    let run = sb
        .run_with_env(&["check"], "VIGIA_NOW", "2026-03-01T12:00:00Z")
        .expect(1);
    assert_whole(
        &Placeholders::new().with(&url, "closed").apply(&run.stdout),
        "127.0.0.1  DOWN  connection refused\n\
         OFFLINE 127.0.0.1 connection refused ({closed})\n\
         \n\
         🔴 127.0.0.1 is DOWN: connection refused\n\
         {closed}\n\
         2026-03-01 12:00:00 +00:00 on {host}\n\
         \n",
    );
    let again = sb
        .run_at(&["check", "--quiet"], "2026-03-01T12:01:00Z")
        .expect(1);
    assert_eq!(again.stdout, "", "still down: nothing to say under --quiet");
}

#[test]
fn check_url_works_with_no_config_at_all() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let run = sb.run_bare(&["check", "--url", &site.url("/ok")]).expect(0);
    assert_whole(
        &Placeholders::new().apply(&run.stdout),
        "127.0.0.1  UP    HTTP 200 in {ms} ms\n",
    );
    assert_eq!(sb.log_lines().len(), 0, "a hand check of a URL is a look");
}

#[test]
fn damaged_logs_are_tolerated() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/ok"))]);
    let mut damaged = Vec::new();
    damaged.extend_from_slice(b"\x00\xff binary junk\n");
    damaged.extend_from_slice(b"2026-11-24T10:00:00+00:00 OFFLINE web connection refused (x)\n");
    damaged.extend_from_slice(b"not a line vigia wrote\n");
    damaged.extend_from_slice(
        b"2026-11-24T10:05:00+00:00 ONLINE web HTTP 200 in 3 ms after 5m down\n",
    );
    damaged.extend_from_slice(b"2026-11-24T10:06:00+00:00 OFFL"); // torn by a crash
    fs::write(sb.log_path(), &damaged).unwrap();
    sb.run(&["check"]).expect(0);
    assert!(
        api.calls().is_empty(),
        "the torn line must not count: still ONLINE"
    );
    assert_eq!(
        fs::read(sb.log_path()).unwrap(),
        damaged,
        "no change, nothing appended"
    );

    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    sb.run(&["check"]).expect(1);
    let text = String::from_utf8_lossy(&fs::read(sb.log_path()).unwrap()).into_owned();
    assert!(
        text.lines()
            .last()
            .unwrap()
            .contains(" OFFLINE web connection refused"),
        "{text}"
    );
    assert!(
        text.contains("OFFL\n20"),
        "new line glued to the torn one: {text}"
    );
}

#[test]
fn an_unwritable_log_exits_74() {
    let (site, sb) = (Site::start(), Sandbox::new());
    // A full disk: /dev/full reads as empty and refuses every write.
    let text = format!(
        "[check]\nlog_file = \"/dev/full\"\nstate_dir = \"{}\"\n[[target]]\n{}\n",
        sb.state_path().display(),
        target("web", &site.url("/ok"))
    );
    sb.write_raw_config(&text);
    let run = sb.run(&["check"]).expect(74);
    assert_eq!(
        run.stderr,
        "vigia: cannot read the log /dev/full: is a device, not a regular file\n"
    );

    // A directory where the log should be: it cannot even be read.
    sb.write_config(None, &[target("web", &site.url("/ok"))]);
    fs::create_dir(sb.log_path()).unwrap();
    let run = sb.run(&["check"]).expect(74);
    assert!(
        run.stderr.contains(&format!(
            "vigia: cannot read the log {}",
            sb.log_path().display()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn chat_not_found_is_explained_and_the_alert_kept() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    api.script(
        "sendMessage",
        [Reply::Error(400, "Bad Request: chat not found", json!({}))],
    );
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr.contains("chat not found (400)"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.outbox_len(), 1);
    let pending = &sb.checkpoint()["queue"][0];
    assert_eq!(pending["attempts"], 1);
    assert!(pending["last_error"]
        .as_str()
        .unwrap()
        .contains("chat not found"));
}

#[test]
fn a_migrated_group_is_followed_and_remembered() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    api.script(
        "sendMessage",
        [Reply::Error(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            json!({"migrate_to_chat_id": -1009876}),
        )],
    );
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr.contains("became supergroup -1009876"),
        "{}",
        run.stderr
    );
    let calls = api.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].body["chat_id"], -1009876);
    assert_eq!(api.sent().len(), 1);
    sb.run(&["send", "again"]).expect(0);
    assert_eq!(api.calls().last().unwrap().body["chat_id"], -1009876);
}

#[test]
fn bad_configs_exit_78_naming_the_problem() {
    let sb = Sandbox::new();
    let config = Placeholders::new().with(&sb.config_path().display().to_string(), "config");
    let run = sb.run(&["check"]).expect(78);
    assert_whole(
        &config.apply(&run.stderr),
        "vigia: config {config}: not found: run 'vigia init' first, or pass --config\n",
    );
    let cases = [
        ("[check]\ntimout = \"1s\"\n", "line 2: unknown key \"timout\" (see man vigia.toml for the keys)"),
        ("this is not toml", "line 1: expected \".\", \"=\""),
        ("[check]\ntimeout = \"1s\"\n", "target: no targets: add a [[target]] with a name and a url"),
        ("[[target]]\nname = \"a\"\nurl = \"http://x/\"\n[[target]]\nname = \"a\"\nurl = \"http://y/\"\n", "line 5: target.name: \"a\" is used by two targets"),
        ("[[target]]\nname = \"a\"\nurl = \"http://x/\"\ntimeout = \"soon\"\n", "line 4: target \"a\": timeout: \"soon\" is not a duration: write e.g. \"500ms\", \"10s\", \"2m\""),
        ("[telegram]\ntoken = \"x\"\nchat_id = 1\n[[target]]\nname = \"a\"\nurl = \"http://x/\"\n", "line 2: telegram.token: is not a bot token: a bot token looks like 123456789:AAE... (digits, a colon, then the secret)"),
        ("", "is empty: run 'vigia init --force' to write one"),
    ];
    for (text, want) in cases {
        sb.write_raw_config(text);
        let run = sb.run(&["check"]).expect(78);
        assert_whole(
            &config.apply(&run.stderr),
            &format!("vigia: config {{config}}: {want}\n"),
        );
    }
}

#[test]
fn a_readable_token_is_warned_about() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(
        Some("http://127.0.0.1:9"),
        &[target("web", &site.url("/ok"))],
    );
    fs::set_permissions(sb.config_path(), fs::Permissions::from_mode(0o644)).unwrap();
    let run = sb.run(&["check"]).expect(0);
    assert!(
        run.stderr
            .contains("readable by group or others (mode 644)"),
        "{}",
        run.stderr
    );
}

#[test]
fn quiet_prints_only_changes() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(None, &[target("web", &site.url("/ok"))]);
    let first = sb.run(&["check", "--quiet"]).expect(0);
    assert_whole(
        &Placeholders::new().apply(&first.stdout),
        "ONLINE web HTTP 200 in {ms} ms\n",
    );
    assert_eq!(sb.run(&["check", "--quiet"]).expect(0).stdout, "");
}

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::new();
    sb.run(&["check", "--bogus"]).expect(2);
    sb.run_bare(&["check", "--url", "ftp://x/"]).expect(2);
    sb.run(&[]).expect(2);
}

/// A check by hand as root, then the service's own user: the files root made belong to
/// the directories' owner, so the service can go on writing them.
#[test]
#[ignore = "needs root: CI runs it with --include-ignored"]
fn root_runs_leave_files_the_service_user_can_write() {
    use std::os::unix::fs::{chown, MetadataExt};
    crate::assert_root();
    const NOBODY: u32 = 65534;
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    fs::set_permissions(sb.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    // What systemd prepares: StateDirectory= and LogsDirectory= owned by the service user.
    let logs = sb.path("logs");
    for dir in [&logs, &sb.state_path()] {
        fs::create_dir(dir).unwrap();
        chown(dir, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    let text = format!(
        "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 42\napi_url = \"{}\"\n[check]\ntimeout = \"300ms\"\nattempts = 1\n\
         log_file = \"{}/vigia.log\"\nstate_dir = \"{}\"\n[[target]]\n{}\n",
        api.url(), logs.display(), sb.state_path().display(), target("web", &site.url("/switch"))
    );
    sb.write_raw_config(&text);
    chown(sb.config_path(), Some(NOBODY), Some(NOBODY)).unwrap();

    api.script("sendMessage", [Reply::Error(502, "Bad Gateway", json!({}))]);
    site.set(500);
    sb.run(&["check"]).expect(1); // as root: log line, outbox entry, lock, stamp
    for entry in [
        "logs/vigia.log",
        "state/lock",
        "state/last-check",
        "state/state.json",
    ] {
        assert_eq!(
            fs::metadata(sb.path(entry)).unwrap().uid(),
            NOBODY,
            "{entry} belongs to root"
        );
    }
    site.set(200);
    let run = crate::run(sb.command_as(NOBODY, &["check"])).expect(0);
    assert_eq!(api.sent().len(), 2, "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(logs.join("vigia.log"))
            .unwrap()
            .lines()
            .count(),
        2
    );
}

#[test]
fn the_bot_api_is_reached_through_a_proxy() {
    // The fake Bot API also answers as an HTTP proxy; api.invalid resolves nowhere, so a
    // delivered message proves the proxy was used.
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(
        Some("http://api.invalid"),
        &[target("web", &closed_port_url())],
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&text.replace("[check]", &format!("proxy = \"{}\"\n\n[check]", api.url())));
    let run = sb.run(&["check"]).expect(1);
    assert_eq!(
        api.sent().len(),
        1,
        "telegram.proxy not used: {}",
        run.stderr
    );

    // And from the environment, as reqwest honours ALL_PROXY / HTTP(S)_PROXY.
    let sb = Sandbox::new();
    sb.write_config(
        Some("http://api.invalid"),
        &[target("web", &closed_port_url())],
    );
    sb.run_with_env(&["check"], "ALL_PROXY", &api.url())
        .expect(1);
    assert_eq!(api.sent().len(), 2, "ALL_PROXY not used");
}

/// A TLS server with a self-signed certificate (openssl s_server), checked against the
/// system CA store: the reason names the certificate problem.
#[test]
fn tls_failures_say_what_is_wrong_with_the_certificate() {
    let sb = Sandbox::new();
    // Signed by a CA nobody here trusts.
    let site = crate::tls::TlsSite::start(&sb.path("tls"), 1);
    sb.write_config(None, &[target("tls", &site.url())]);
    let run = sb.run(&["check", "--dry-run"]).expect(1);
    assert!(
        run.stdout
            .contains("tls  DOWN  TLS error: certificate from an unknown issuer"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_journal_gets_priorities_and_the_name_once() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/status/503"))]);
    api.script("sendMessage", [Reply::Error(502, "Bad Gateway", json!({}))]);
    // systemd sets JOURNAL_STREAM when standard output and error go to the journal.
    let run = sb
        .run_with_env(&["check", "--quiet"], "JOURNAL_STREAM", "8:1234")
        .expect(1);
    assert_whole(
        &Placeholders::new()
            .with(&site.url("/status/503"), "site")
            .apply(&run.stdout),
        "<4>OFFLINE web HTTP 503 Service Unavailable ({site})\n",
    );
    assert_eq!(
        run.stderr,
        "<4>warning: 1 message(s) wait in the outbox for the next run: Telegram had a server error (502 Bad Gateway)\n"
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&text.replace("[check]", "[chekc]"));
    let run = sb
        .run_with_env(&["check"], "JOURNAL_STREAM", "8:1234")
        .expect(78);
    assert_whole(
        &Placeholders::new()
            .with(&sb.config_path().display().to_string(), "config")
            .apply(&run.stderr),
        "<3>config {config}: line 7: unknown key \"chekc\" (see man vigia.toml for the keys)\n",
    );
}

/// vigia.service keeps only what is notice or more important (`LogLevelMax=notice`):
/// under the journal every line a run writes must carry such a priority, the alert
/// itself included when there is no Telegram and it goes to the journal.
#[test]
fn every_journal_line_is_notice_or_above() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(None, &[target("web", &site.url("/switch"))]);
    let journal = |code, now: &str| {
        let mut command = sb.command(&["check", "--quiet"]);
        command
            .env("JOURNAL_STREAM", "8:1234")
            .env("VIGIA_NOW", now);
        crate::run(command).expect(code)
    };
    journal(0, "2026-03-01T12:00:00Z");
    site.set(503);
    let down = journal(1, "2026-03-01T12:01:00Z");
    site.set(200);
    let up = journal(0, "2026-03-01T12:03:00Z");
    for run in [&down, &up] {
        let lines: Vec<&str> = run.stdout.lines().chain(run.stderr.lines()).collect();
        assert!(lines.len() > 2, "{lines:?}");
        for line in lines {
            assert!(
                ["<3>", "<4>", "<5>"].iter().any(|p| line.starts_with(p)),
                "a line the unit's LogLevelMax=notice would drop: {line:?}"
            );
        }
    }
    assert!(down.stdout.contains("<5>🔴 web is DOWN"), "{}", down.stdout);
    assert_whole(
        &Placeholders::new()
            .with(&site.url("/switch"), "site")
            .apply(&(up.stdout.clone() + "--\n" + &up.stderr)),
        "<5>ONLINE web HTTP 200 in {ms} ms after 2m down\n\
         <5>🟢 web is UP again after 2m down: HTTP 200 in {ms} ms\n\
         <5>{site}\n\
         <5>2026-03-01 12:03:00 +00:00 on {host}\n\
         --\n",
    );
}

/// Under systemd (`NotifyAccess=main`), the run's summary goes to the notify socket,
/// which `systemctl status vigia.service` shows as "Status:".
#[test]
fn the_summary_goes_to_systemds_notify_socket() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(
        None,
        &[
            target("web", &site.url("/switch")),
            target("db", &closed_port_url()),
        ],
    );
    let socket_path = sb.path("notify");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let mut command = sb.command(&["check", "--quiet"]);
    command
        .env("NOTIFY_SOCKET", &socket_path)
        .env("VIGIA_NOW", "2026-03-01T12:00:00Z");
    crate::run(command).expect(1);
    let mut buf = [0u8; 4096];
    let n = socket.recv(&mut buf).expect("no notification");
    let text = String::from_utf8_lossy(&buf[..n]);
    assert_whole(&text, "STATUS=1/2 up (down: db); checked at 12:00:00");
}

#[test]
fn a_recovery_within_the_second_the_outage_began_says_under_a_second() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    let at = |code: i32| {
        sb.run_with_env(&["check", "--quiet"], "VIGIA_NOW", "2026-03-01T12:00:00Z")
            .expect(code)
    };
    site.set(200);
    at(0);
    site.set(503);
    at(1);
    site.set(200);
    let run = at(0);
    assert!(
        run.stdout.contains(" after <1s down"),
        "never an invented 0ms: {}",
        run.stdout
    );
    let sent = api.sent();
    assert!(
        sent[1].contains("is UP again after &lt;1s down"),
        "{sent:?}"
    );
    assert!(
        sb.log_lines()[2].ends_with(" after <1s down"),
        "{:?}",
        sb.log_lines()
    );
}
