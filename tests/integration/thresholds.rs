//! Fewer, truer alerts (README "Confirmation, flapping and slowness", "When vigia was
//! not running"): confirmation across runs, flapping, slowness and the gaps when vigia
//! itself was not running, each run at a time the test sets (`VIGIA_NOW`) against the
//! fake Bot API.

use std::fs;
use std::time::Duration;

use serde_json::Value;

use crate::golden::{assert_whole, Placeholders};
use crate::{target, BotApi, Sandbox, Site};

/// 2026-03-01 12:00 UTC plus `minutes`, in RFC 3339.
fn at(minutes: i64) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
    (start + chrono::TimeDelta::minutes(minutes)).to_rfc3339()
}

/// A sandbox watching `/switch` (or `path`) as `web`, with `keys` in `[check]`.
fn watching(path: &str, keys: &str) -> (Site, BotApi, Sandbox) {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url(path))]);
    sb.add_check_keys(keys);
    (site, api, sb)
}

/// A check at `minute`, as the timer's after one every minute before; its exit code.
fn check(sb: &Sandbox, minute: i64) -> i32 {
    sb.run_at(&["check"], &at(minute)).code
}

fn status_json(sb: &Sandbox, minute: i64) -> Value {
    let run = sb.run_at(&["status", "--json"], &at(minute)).expect(0);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn one_failing_run_between_passing_ones_says_and_logs_nothing() {
    let (site, api, sb) = watching("/switch", "confirm = 2\n");
    check(&sb, 0);
    site.set(503);
    assert_eq!(
        check(&sb, 1),
        1,
        "the run still exits as it found the target"
    );
    let pending = &status_json(&sb, 1)["targets"][0]["pending"];
    assert_eq!(
        pending,
        &serde_json::json!({"state": "OFFLINE", "runs": 1, "of": 2, "since": at(1)})
    );
    site.set(200);
    check(&sb, 2);
    assert_eq!(api.sent(), Vec::<String>::new());
    assert_eq!(
        sb.log_lines().len(),
        1,
        "only the first ONLINE: {:?}",
        sb.log_lines()
    );
    assert_eq!(status_json(&sb, 2)["targets"][0]["pending"], Value::Null);
}

#[test]
fn a_confirmed_outage_is_one_alert_with_the_first_failures_time() {
    let (site, api, sb) = watching("/switch", "confirm = 2\nrecover = 2\n");
    check(&sb, 0);
    site.set(503);
    check(&sb, 1);
    check(&sb, 2);
    let p = Placeholders::new().with(&site.url("/switch"), "site");
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_whole(
        &p.apply(&sent[0]),
        "🔴 <b>web</b> is DOWN: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         down since 2026-03-01 12:01:00 +00:00 on {host}, confirmed by 2 checks",
    );
    let log = sb.log_lines();
    assert!(
        log[1].starts_with("2026-03-01T12:01:00+00:00 OFFLINE web "),
        "{log:?}"
    );
    // Recovery: one passing run is not enough, the second confirms it.
    site.set(200);
    check(&sb, 3);
    assert_eq!(api.sent().len(), 1);
    check(&sb, 4);
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_whole(
        &p.apply(&sent[1]),
        "🟢 <b>web</b> is UP again after 2m down: HTTP 200 in {ms} ms\n\
         <code>{site}</code>\n\
         up since 2026-03-01 12:03:00 +00:00 on {host}, confirmed by 2 checks",
    );
    assert_eq!(sb.log_lines().len(), 3);
}

#[test]
fn ten_flips_within_the_hour_are_three_messages_and_all_logged() {
    let (site, api, sb) = watching("/switch", "flapping = \"3/1h\"\n");
    check(&sb, 0);
    for flip in 1..=10 {
        site.set(if flip % 2 == 1 { 503 } else { 200 });
        check(&sb, flip * 5);
    }
    let sent = api.sent();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert!(sent[0].contains("is DOWN"), "{}", sent[0]);
    assert!(sent[1].contains("is UP again"), "{}", sent[1]);
    assert!(
        sent[2].starts_with("🟠 <b>web</b> is FLAPPING: 3 changes in 1h, now DOWN\n"),
        "{}",
        sent[2]
    );
    assert_eq!(
        sb.log_lines().len(),
        11,
        "the first state and the 10 changes"
    );
    let flapping = &status_json(&sb, 51)["targets"][0]["flapping"];
    assert_eq!(flapping["since"], at(15));
    // Up since minute 50: at 110 it has kept one state for the window.
    for minute in [60, 90, 109] {
        check(&sb, minute);
    }
    assert_eq!(api.sent().len(), 3);
    check(&sb, 110);
    let sent = api.sent();
    assert_eq!(sent.len(), 4, "{sent:#?}");
    assert!(
        sent[3].starts_with(&format!(
            "🔵 <b>web</b> is stable again: UP since {}",
            "2026-03-01 12:50:00 +00:00"
        )),
        "{}",
        sent[3]
    );
    check(&sb, 111);
    assert_eq!(api.sent().len(), 4);
    assert_eq!(status_json(&sb, 111)["targets"][0]["flapping"], Value::Null);
}

#[test]
fn slow_for_confirm_runs_is_one_notice_and_fast_again_one_more() {
    // Margins wide enough for a loaded machine: slow is 700 ms against 400, fast is 0.
    let (site, api, sb) = watching("/lag", "confirm = 2\nslow = \"400ms\"\n");
    let text = fs::read_to_string(sb.config_path()).unwrap().replacen(
        "timeout = \"300ms\"",
        "timeout = \"2s\"",
        1,
    );
    sb.write_raw_config(&text);
    check(&sb, 0);
    site.set_lag(Duration::from_millis(700));
    check(&sb, 1);
    assert_eq!(api.sent().len(), 0, "one slow run is not enough");
    assert_eq!(check(&sb, 2), 0, "slow is still up");
    check(&sb, 3);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(
        sent[0].starts_with("🐢 <b>web</b> is SLOW: 7") && sent[0].contains(" ms (limit 400 ms)\n"),
        "{}",
        sent[0]
    );
    assert_eq!(status_json(&sb, 3)["targets"][0]["slow"]["since"], at(2));
    site.set_lag(Duration::ZERO);
    check(&sb, 4);
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "recover = 1: {sent:#?}");
    assert!(
        sent[1].starts_with("🐇 <b>web</b> is fast again: "),
        "{}",
        sent[1]
    );
    check(&sb, 5);
    assert_eq!(api.sent().len(), 2);
    assert_eq!(sb.log_lines().len(), 1, "slow is a notice, not a state");
    assert_eq!(status_json(&sb, 5)["targets"][0]["slow"], Value::Null);
}

#[test]
fn two_hours_without_vigia_are_one_message_and_no_data() {
    let (site, api, sb) = watching("/switch", "");
    // Up for a day, checked every minute until 01:02 on the second day...
    check(&sb, 0);
    check(&sb, 24 * 60 + 62);
    assert_eq!(api.sent().len(), 0);
    // ...then nothing until 03:14, when web is found down.
    site.set(503);
    let back = at(24 * 60 + 194);
    sb.run_with_env(&["check"], "VIGIA_NOW", &back).expect(1);
    let p = Placeholders::new().with(&site.url("/switch"), "site");
    let sent = api.sent();
    assert_eq!(
        sent.len(),
        1,
        "one message for the gap and the change: {sent:#?}"
    );
    assert_whole(
        &p.apply(&sent[0]),
        "⏸️ vigia was not running from 2026-03-02 13:02:00 +00:00 to 2026-03-02 15:14:00 +00:00 \
         (2h12m; machine off?). Now: <b>web</b> DOWN\n\
         2026-03-02 15:14:00 +00:00 on {host}\n\
         \n\
         🔴 <b>web</b> is DOWN: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         2026-03-02 15:14:00 +00:00 on {host}",
    );
    // The next run, a minute later, says nothing more.
    check(&sb, 24 * 60 + 195);
    assert_eq!(api.sent().len(), 1);
    let status = status_json(&sb, 24 * 60 + 195);
    let web = &status["targets"][0];
    let covered = web["coverage_percent"]["24h"].as_f64().unwrap();
    assert!((covered - 90.833).abs() < 0.01, "22h of 24h: {covered}");
    // Of the 1308 minutes covered, down for the last one only.
    let uptime = web["uptime_percent"]["24h"].as_f64().unwrap();
    assert!((uptime - 100.0 * 1307.0 / 1308.0).abs() < 0.001, "{uptime}");
    let text = sb.run_at(&["status"], &at(24 * 60 + 195)).expect(0).stdout;
    assert!(
        text.contains("vigia was not running for 2h12m of the last 24h, 2h12m of the last 7d"),
        "{text}"
    );
}

/// Confirmation counts are committed with each run: runs killed at random points (kill
/// -9) while a target goes down under `confirm = 3` and comes back under `recover = 2`
/// neither lose the outage nor invent a second one. Figures on stderr (`--nocapture`).
#[test]
fn killed_runs_neither_lose_nor_double_a_confirmed_outage() {
    const RUNS: i64 = 60;
    let (site, api, sb) = watching("/switch", "confirm = 3\nrecover = 2\n");
    check(&sb, 0);
    let mean = (1..=3)
        .map(|m| sb.run_at(&["check"], &at(m)).elapsed)
        .sum::<Duration>()
        / 3;
    let mut rng = crate::delivery::Rng(0x5eed_c0f1_2026_1201);
    let mut killed = 0;
    let mut minute = 3;
    for phase in [503, 200] {
        site.set(phase);
        for _ in 0..RUNS / 2 {
            minute += 1;
            sb.kept_checking_until(&at(minute));
            let mut command = sb.command(&["check"]);
            command.env("VIGIA_NOW", at(minute));
            let mut child = command.spawn().unwrap();
            std::thread::sleep(mean.mul_f64((rng.next() % 3000) as f64 / 1000.0));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed += 1;
            }
            child.wait().unwrap();
        }
        // Settled by runs that end.
        for _ in 0..3 {
            minute += 1;
            check(&sb, minute);
        }
    }
    let log = sb.log_lines();
    let offline = log.iter().filter(|l| l.contains(" OFFLINE web ")).count();
    let online = log.iter().filter(|l| l.contains(" ONLINE web ")).count();
    let sent = api.sent();
    let down = sent.iter().filter(|m| m.contains("is DOWN")).count();
    let up = sent.iter().filter(|m| m.contains("is UP again")).count();
    eprintln!(
        "{RUNS} runs, {killed} killed: {offline} OFFLINE and {online} ONLINE lines, {down} DOWN and {up} UP messages"
    );
    assert!(killed > 0, "no run was killed: the test proves nothing");
    assert_eq!((offline, online), (1, 2), "{log:#?}");
    // A message Telegram took just before a kill goes out again with the next run
    // (README "Delivery guarantees": doubles only what was in flight); none is lost,
    // and no second outage is made up: every double is the same message again.
    assert!(down >= 1 && up >= 1, "{sent:#?}");
    let mut distinct = sent.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 2, "{sent:#?}");
}
