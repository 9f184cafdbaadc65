//! `vigia status`, on fixture logs written relative to the present.

use std::fs;
use std::process::Stdio;

use chrono::{TimeDelta, Utc};
use serde_json::{json, Value};

use crate::{closed_port_url, target, BotApi, Reply, Sandbox, Site, TOKEN};

fn ago(hours: i64) -> String {
    (Utc::now() - TimeDelta::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn fixture(sb: &Sandbox) {
    sb.write_config(
        None,
        &[
            target("web", "http://w.example/"),
            target("api", "http://a.example/"),
            target("new", "http://n.example/"),
        ],
    );
    let log = format!(
        "{} ONLINE web HTTP 200 in 3 ms\n{} OFFLINE web connection refused (http://w.example/)\n\
         {} ONLINE web HTTP 200 in 4 ms after 6h down\n{} ONLINE gone HTTP 200 in 1 ms\n\
         \x00damaged line\n{} OFFLINE api HTTP 503 Service Unavailable (http://a.example/)\n{} ONLINE api torn",
        ago(24 * 40), ago(12), ago(6), ago(30), ago(1), ago(0)
    );
    fs::write(sb.log_path(), log).unwrap();
}

fn status_json(sb: &Sandbox) -> Value {
    let run = sb.run(&["status", "--json"]).expect(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn json_gives_states_uptimes_history_and_removed_targets() {
    let sb = Sandbox::new();
    fixture(&sb);
    let doc = status_json(&sb);
    let targets = doc["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    let web = &targets[0];
    assert_eq!(
        (web["name"].as_str(), web["state"].as_str()),
        (Some("web"), Some("ONLINE"))
    );
    assert_eq!(web["reason"], "HTTP 200 in 4 ms after 6h down");
    // 24h: down 6h of 24h. 7d: down 6h of 168h. 30d: down 6h of 720h.
    let up = &web["uptime_percent"];
    assert!((up["24h"].as_f64().unwrap() - 75.0).abs() < 0.01, "{up}");
    assert!((up["7d"].as_f64().unwrap() - 96.429).abs() < 0.01, "{up}");
    assert!((up["30d"].as_f64().unwrap() - 99.167).abs() < 0.01, "{up}");
    let for_seconds = web["for_seconds"].as_i64().unwrap();
    assert!(
        (6 * 3600..6 * 3600 + 60).contains(&for_seconds),
        "{for_seconds}"
    );
    // The torn last line does not count: api is still OFFLINE, and was down all it was known.
    assert_eq!(targets[1]["state"], "OFFLINE");
    assert_eq!(targets[1]["uptime_percent"]["24h"], 0.0);
    assert_eq!(targets[2]["state"], Value::Null);
    assert_eq!(
        targets[2]["uptime_percent"],
        json!({"24h": null, "7d": null, "30d": null})
    );
    assert_eq!(doc["removed"][0]["target"], "gone");
    let history = doc["history"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h["target"].as_str().unwrap(), h["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("api", "OFFLINE"),
            ("web", "ONLINE"),
            ("web", "OFFLINE"),
            ("web", "ONLINE")
        ]
    );
    assert_eq!(history[2]["lasted_seconds"], 6 * 3600);
    assert_eq!(history[2]["current"], false);
    assert_eq!(doc["outbox"]["waiting"], 0);
    assert_eq!(doc["last_check"], Value::Null);

    let run = sb.run(&["status", "--history", "1"]).expect(0);
    assert_eq!(
        run.stdout.lines().filter(|l| l.starts_with("  20")).count(),
        1,
        "{}",
        run.stdout
    );
}

#[test]
fn human_output_is_aligned_and_plain_off_a_terminal() {
    let sb = Sandbox::new();
    fixture(&sb);
    let run = sb.run(&["status"]).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("TARGET  STATE    SINCE"),
        "{}",
        run.stdout
    );
    let state_col = lines[0].find("STATE").unwrap();
    assert_eq!(lines[1].find("ONLINE"), Some(state_col));
    assert_eq!(lines[2].find("OFFLINE"), Some(state_col));
    assert!(lines[1].contains("75.00%"), "{}", lines[1]);
    assert!(lines[3].contains("never checked"));
    assert!(run.stdout.contains("no longer configured: gone (ONLINE)"));
    assert!(!run.stdout.contains('\x1b'), "colour off a terminal");
}

#[test]
fn empty_and_missing_logs_are_no_history() {
    let sb = Sandbox::new();
    sb.write_config(None, &[target("web", "http://w.example/")]);
    let run = sb.run(&["status"]).expect(0);
    assert!(
        run.stdout.contains("never checked") && run.stdout.contains("none yet"),
        "{}",
        run.stdout
    );
    fs::write(sb.log_path(), "").unwrap();
    assert_eq!(status_json(&sb)["targets"][0]["state"], Value::Null);
}

#[test]
fn waiting_alerts_and_the_last_check_are_shown() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    api.script(
        "sendMessage",
        [Reply::Error(
            403,
            "Forbidden: bot was blocked by the user",
            json!({}),
        )],
    );
    sb.run(&["check"]).expect(1);
    let doc = status_json(&sb);
    assert_eq!(doc["outbox"]["waiting"], 1);
    assert!(doc["outbox"]["last_error"]
        .as_str()
        .unwrap()
        .contains("blocked by the user"));
    assert_eq!(doc["last_check"]["summary"], "0/1 up");
    assert_eq!(doc["last_check"]["stale"], false);
    let run = sb.run(&["status"]).expect(0);
    assert!(
        run.stdout.contains("Outbox: 1 message(s) waiting since"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("last delivery error: the bot was blocked by the user"),
        "{}",
        run.stdout
    );

    // A checker that went silent is called out.
    let old = (Utc::now() - TimeDelta::hours(2) - TimeDelta::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    fs::write(
        sb.state_path().join("last-check"),
        format!("{old} 1/1 up\n"),
    )
    .unwrap();
    assert_eq!(status_json(&sb)["last_check"]["stale"], true);
    let run = sb.run(&["status"]).expect(0);
    assert!(
        run.stdout.contains("WARNING: no check for 2h")
            && run.stdout.contains("is the timer running?"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let sb = Sandbox::new();
    fixture(&sb);
    // Many targets, so the output outgrows what `head` reads before it exits.
    let targets: Vec<String> = (0..2000)
        .map(|i| target(&format!("t{i}"), "http://x.example/"))
        .collect();
    sb.write_config(None, &targets);
    let mut status = sb.command(&["status"]);
    let mut child = status.stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let head = std::process::Command::new("head")
        .arg("-1")
        .stdin(stdout)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&head.stdout).lines().count(), 1);
    let run = crate::finish(child).expect(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let sb = Sandbox::new();
    fixture(&sb);
    let on_tty = |no_color: bool| {
        let mut command = sb.command(&["status"]);
        command
            .stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let mut session = rexpect::session::spawn_command(command, Some(5_000)).unwrap();
        session.exp_eof().unwrap()
    };
    let coloured = on_tty(false);
    assert!(coloured.contains("\x1b[32mONLINE"), "{coloured:?}");
    assert!(coloured.contains("\x1b[1;31mOFFLINE"), "{coloured:?}");
    assert!(!on_tty(true).contains('\x1b'));
}

#[test]
fn json_keys_come_in_the_documented_order() {
    let sb = Sandbox::new();
    fixture(&sb);
    let text = sb.run(&["status", "--json"]).expect(0).stdout;
    // Top-level keys, in the order the README documents them.
    let top: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        top,
        [
            "now",
            "targets",
            "removed",
            "history",
            "outbox",
            "connectivity",
            "last_check"
        ]
    );
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let target: Vec<&String> = doc["targets"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        target,
        [
            "name",
            "url",
            "state",
            "since",
            "for_seconds",
            "reason",
            "uptime_percent",
            "coverage_percent",
            "pending",
            "flapping",
            "slow",
            "muted",
            "certificate",
            "ack",
            "maintenance"
        ]
    );
    let outbox: Vec<&String> = doc["outbox"].as_object().unwrap().keys().collect();
    assert_eq!(
        outbox,
        ["waiting", "oldest", "last_error", "set_aside", "unreadable"]
    );
}

/// Someone who may not read the config (it holds the token) still sees every target:
/// `check` keeps a roster without secrets in its checkpoint, and `status` falls back
/// to it when the default config cannot be read.
#[test]
fn status_without_the_config_shows_what_the_service_watches() {
    assert!(
        unsafe { libc::geteuid() } != 0 || !std::path::Path::new("/etc/vigia/config.toml").exists(),
        "as root this test needs a machine where /etc/vigia/config.toml does not exist"
    );
    let (site, sb) = (Site::start(), Sandbox::new());
    let secret_url = site
        .url("/switch")
        .replace("http://", "http://admin:hunter22@");
    sb.write_config(
        None,
        &[
            target("web", &site.url("/switch")),
            target("admin", &secret_url),
        ],
    );
    sb.run(&["check"]).expect(0);
    let with_config = status_json(&sb);

    // No --config, and no config where this user's default is: the roster answers.
    let run = sb.run_bare(&["status", "--json"]).expect(0);
    let without: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(without["targets"], with_config["targets"]);
    assert_eq!(without["history"], with_config["history"]);
    assert_eq!(
        without["targets"][1]["url"],
        site.url("/switch").replace("http://", "http://admin:***@")
    );
    let checkpoint = fs::read_to_string(sb.state_path().join("state.json")).unwrap();
    assert!(checkpoint.contains("\"roster\""), "{checkpoint}");
    assert!(
        !checkpoint.contains("hunter22") && !checkpoint.contains(TOKEN),
        "{checkpoint}"
    );
    let run = sb.run_bare(&["status"]).expect(0);
    assert!(
        run.stdout.contains("web") && run.stdout.contains("admin"),
        "{}",
        run.stdout
    );

    // A target removed from the config leaves the roster at the next check.
    sb.write_config(None, &[target("web", &site.url("/switch"))]);
    sb.run(&["check"]).expect(0);
    let run = sb.run_bare(&["status", "--json"]).expect(0);
    let names: Vec<Value> = serde_json::from_str::<Value>(&run.stdout).unwrap()["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, [json!("web")]);

    // No roster either: the missing config is the error, as before.
    fs::remove_file(sb.state_path().join("state.json")).unwrap();
    let run = sb.run_bare(&["status"]).expect(78);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
}

/// The time every golden run takes as now (`VIGIA_NOW`).
const GOLDEN_NOW: &str = "2026-11-25T12:00:00Z";

/// Compares `actual` whole with `tests/rendered/status/NAME.expected`, the sandbox's
/// path written as `$SANDBOX`; `VIGIA_BLESS=1` rewrites the file instead.
#[track_caller]
fn assert_golden(sb: &Sandbox, name: &str, actual: &str) {
    let actual = actual.replace(&sb.dir.path().display().to_string(), "$SANDBOX");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rendered/status")
        .join(format!("{name}.expected"));
    if std::env::var_os("VIGIA_BLESS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with VIGIA_BLESS=1)", path.display()));
    if expected != actual {
        let (old, new): (Vec<&str>, Vec<&str>) =
            (expected.lines().collect(), actual.lines().collect());
        let diff: Vec<String> = (0..old.len().max(new.len()))
            .filter(|&i| old.get(i) != new.get(i))
            .map(|i| {
                format!(
                    "line {}:\n  - {:?}\n  + {:?}",
                    i + 1,
                    old.get(i),
                    new.get(i)
                )
            })
            .collect();
        panic!(
            "{name} differs from {} (VIGIA_BLESS=1 re-blesses):\n{}\n--- whole output:\n{actual}",
            path.display(),
            diff.join("\n")
        );
    }
}

/// `status` and `status --json` at [`GOLDEN_NOW`], each compared whole.
fn assert_both_golden(sb: &Sandbox, name: &str) {
    let at = |args: &[&str]| {
        let mut command = sb.command(args);
        command.env("VIGIA_NOW", GOLDEN_NOW);
        crate::run(command).expect(0).stdout
    };
    assert_golden(sb, &format!("{name}.txt"), &at(&["status"]));
    assert_golden(sb, &format!("{name}.json"), &at(&["status", "--json"]));
}

/// A config of `web`, `api` and `new`, with `canaries` canaries.
fn golden_config(sb: &Sandbox, canaries: usize) {
    let canary: Vec<String> = (0..canaries)
        .map(|i| format!("\"tcp://192.0.2.{}:53\"", i + 1))
        .collect();
    sb.write_raw_config(&format!(
        "[check]\nlog_file = \"{}\"\nstate_dir = \"{}\"\ncanary = [{}]\n\n\
         [[target]]\nname = \"web\"\nurl = \"https://w.example/\"\n\n\
         [[target]]\nname = \"api\"\nurl = \"http://a.example/\"\n\n\
         [[target]]\nname = \"new\"\nurl = \"http://n.example/\"\n",
        sb.log_path().display(),
        sb.state_path().display(),
        canary.join(", ")
    ));
    fs::write(
        sb.log_path(),
        "2026-10-01T00:00:00Z ONLINE web HTTP 200 in 3 ms\n\
         2026-11-25T00:00:00Z OFFLINE web connection refused (https://w.example/)\n\
         2026-11-25T06:00:00Z ONLINE web HTTP 200 in 4 ms after 6h down\n\
         2026-11-24T12:00:00Z ONLINE gone HTTP 200 in 1 ms\n\
         2026-11-25T11:00:00Z OFFLINE api HTTP 503 Service Unavailable (http://a.example/)\n",
    )
    .unwrap();
    fs::create_dir_all(sb.state_path()).unwrap();
}

fn golden_stamp(sb: &Sandbox, at: &str, summary: &str) {
    fs::write(
        sb.state_path().join("last-check"),
        format!("{at} {summary}\n"),
    )
    .unwrap();
}

/// Everything at once: mutes, a certificate, this machine offline, messages waiting and
/// set aside, a recent check.
#[test]
fn golden_rich_state_in_text_and_json() {
    let sb = Sandbox::new();
    golden_config(&sb, 2);
    let entry = |at: &str, state: &str, target: &str, text: &str| json!({"at": at, "state": state, "target": target, "text": text});
    let queued = |id: u64, created: &str, error: Option<&str>| json!({"id": id, "created": created, "parts": ["<b>x</b>"], "sent": 0, "attempts": 2, "last_error": error});
    let checkpoint = json!({
        "version": 1,
        "next_id": 5,
        "targets": {
            "web": entry("2026-11-25T06:00:00Z", "ONLINE", "web", "HTTP 200 in 4 ms after 6h down"),
            "api": entry("2026-11-25T11:00:00Z", "OFFLINE", "api", "HTTP 503 Service Unavailable (http://a.example/)"),
            "@connectivity": entry("2026-11-25T11:30:00Z", "OFFLINE", "@connectivity", "every canary failed"),
        },
        "queue": [
            queued(3, "2026-11-25T11:00:05Z", None),
            queued(4, "2026-11-25T11:30:05Z", Some("Telegram answered 502 Bad Gateway")),
        ],
        "set_aside": [queued(2, "2026-11-24T09:00:00Z", Some("Bad Request: chat not found"))],
        "mutes": {
            "api": {"since": "2026-11-25T10:00:00Z", "until": "2026-11-25T14:00:00Z", "reason": "deploy", "state": "ONLINE"},
            "web": {"since": "2026-11-25T10:00:00Z", "until": null, "reason": null, "state": "ONLINE"},
        },
        "certs": {
            "web": [{"fingerprint": "ab", "not_after": "2026-12-01T08:00:00Z", "warned": [7]}],
        },
    });
    fs::write(sb.state_path().join("state.json"), checkpoint.to_string()).unwrap();
    golden_stamp(&sb, "2026-11-25T11:59:10Z", "1/3 up");
    assert_both_golden(&sb, "rich");
}

/// A checkpoint that cannot be read, one canary, a checker silent for hours.
#[test]
fn golden_unreadable_state_and_a_silent_checker() {
    let sb = Sandbox::new();
    golden_config(&sb, 1);
    fs::write(sb.state_path().join("state.json"), "{ torn").unwrap();
    golden_stamp(&sb, "2026-11-25T09:14:30Z", "3/3 up");
    assert_both_golden(&sb, "unreadable");
}

/// Nothing yet: no log, no state directory, no canaries.
#[test]
fn golden_nothing_yet() {
    let sb = Sandbox::new();
    golden_config(&sb, 0);
    fs::remove_file(sb.log_path()).unwrap();
    fs::remove_dir(sb.state_path()).unwrap();
    assert_both_golden(&sb, "empty");
}

/// Every number anywhere in `doc`, with where it is.
fn numbers(doc: &Value, at: String, out: &mut Vec<(String, f64)>) {
    match doc {
        Value::Number(n) => out.push((at, n.as_f64().unwrap())),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                numbers(v, format!("{at}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                numbers(v, format!("{at}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// The clock was set back (NTP stepping, an RTC fixed) after the last check and after
/// a transition: nothing is "1s ago", nothing negative, and the check is stale.
#[test]
fn a_clock_set_back_shows_no_negative_time_and_a_stale_check() {
    let sb = Sandbox::new();
    golden_config(&sb, 1);
    let mut log = fs::read_to_string(sb.log_path()).unwrap();
    log.push_str("2026-11-25T12:40:00Z OFFLINE web connection refused (https://w.example/)\n");
    fs::write(sb.log_path(), log).unwrap();
    let offline = json!({"at": "2026-11-25T12:45:00Z", "state": "OFFLINE", "target": "@connectivity", "text": "every canary failed"});
    fs::write(
        sb.state_path().join("state.json"),
        json!({"version": 1, "targets": {"@connectivity": offline}}).to_string(),
    )
    .unwrap();
    // 1h8m after now, as in the report: the JSON said age_seconds -4080.
    golden_stamp(&sb, "2026-11-25T13:08:00Z", "2/3 up");
    assert_both_golden(&sb, "clock-behind");

    let mut command = sb.command(&["status", "--json"]);
    command.env("VIGIA_NOW", GOLDEN_NOW);
    let doc: Value = serde_json::from_str(&crate::run(command).expect(0).stdout).unwrap();
    let mut found = Vec::new();
    numbers(&doc, String::new(), &mut found);
    let negative: Vec<&(String, f64)> = found.iter().filter(|(_, n)| *n < 0.0).collect();
    assert!(negative.is_empty(), "{negative:?}");
    let check = &doc["last_check"];
    assert_eq!(
        (
            &check["stale"],
            &check["age_seconds"],
            &check["clock_behind_seconds"]
        ),
        (&json!(true), &Value::Null, &json!(4080))
    );
    assert_eq!(doc["targets"][0]["for_seconds"], Value::Null);
    assert_eq!(doc["history"][0]["lasted_seconds"], Value::Null);

    // The first check after the jump is dated before the last one: still stale, and
    // said once in the text.
    let mut command = sb.command(&["status"]);
    command.env("VIGIA_NOW", GOLDEN_NOW);
    let text = crate::run(command).expect(0).stdout;
    assert_eq!(text.matches("clock went back").count(), 1, "{text}");
    assert!(!text.contains(" 1s ago"), "{text}");
}

/// The writer refuses a log with a second hard link (it could be a file elsewhere it
/// was tricked into appending to); `status` only reads, and has no such reason.
#[test]
fn status_reads_a_log_with_a_second_hard_link() {
    let sb = Sandbox::new();
    golden_config(&sb, 0);
    fs::hard_link(sb.log_path(), sb.path("vigia.log.backup")).unwrap();
    let mut command = sb.command(&["status", "--json"]);
    command.env("VIGIA_NOW", GOLDEN_NOW);
    let run = crate::run(command).expect(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["targets"][0]["state"], "ONLINE");
    assert_eq!(doc["history"].as_array().unwrap().len(), 4);
    // A symbolic link is still not followed (the writer refusing the hard link is
    // translog's unit test).
    fs::remove_file(sb.log_path()).unwrap();
    std::os::unix::fs::symlink(sb.path("vigia.log.backup"), sb.log_path()).unwrap();
    let run = sb.run(&["status"]).expect(74);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
}
