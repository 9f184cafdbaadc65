//! `[[maintenance]]` windows that recur (README "Maintenance windows"): inside one the
//! targets are checked and logged but nothing is sent; at its end one message if a
//! state changed. The clock is `VIGIA_NOW`, the zone `TZ=Europe/Berlin`.

use std::fs;

use serde_json::Value;

use crate::{assert_last_sent, run, target, BotApi, Run, Sandbox, Site};

/// A sandbox watching `web` (and `api`, the same site) with `windows` appended.
fn sandbox(api: &BotApi, site: &Site, windows: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.write_config(
        Some(&api.url()),
        &[
            target("web", &site.url("/switch")),
            target("api", &site.url("/switch")),
        ],
    );
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&format!("{text}\n{windows}"));
    sb
}

/// Runs `args` at `now` in Berlin.
fn at(sb: &Sandbox, args: &[&str], now: &str) -> Run {
    if args.first() == Some(&"check") {
        sb.kept_checking_until(now);
    }
    let mut command = sb.command(args);
    command.env("TZ", "Europe/Berlin").env("VIGIA_NOW", now);
    run(command)
}

fn status_json(sb: &Sandbox, now: &str) -> Value {
    serde_json::from_str(&at(sb, &["status", "--json"], now).expect(0).stdout).unwrap()
}

const WEEKLY: &str = "[[maintenance]]\ntargets = [\"web\"]\ndays = [\"Sun\"]\nstart = \"03:00\"\nduration = \"1h\"\nreason = \"weekly backup\"\n";

// 2026-12-06 is a Sunday.

#[test]
fn a_target_down_inside_a_window_is_logged_not_sent_and_its_end_says_so_once() {
    let (site, api) = (Site::start(), BotApi::start());
    let sb = sandbox(&api, &site, WEEKLY);
    site.set(200);
    at(&sb, &["check"], "2026-12-06T02:59:00+01:00").expect(0);
    let before = status_json(&sb, "2026-12-06T02:59:30+01:00");
    assert_eq!(
        before["targets"][0]["maintenance"],
        serde_json::json!({
            "active": false,
            "start": "2026-12-06T03:00:00+01:00",
            "end": "2026-12-06T04:00:00+01:00",
            "reason": "weekly backup",
        })
    );
    assert_eq!(
        before["targets"][1]["maintenance"],
        Value::Null,
        "api has none"
    );

    site.set(503);
    at(&sb, &["check"], "2026-12-06T03:00:00+01:00").expect(1);
    at(&sb, &["check"], "2026-12-06T03:30:00+01:00").expect(1);
    at(&sb, &["check"], "2026-12-06T03:59:59+01:00").expect(1);
    // api is not in the window: its outage is sent, web's is not.
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("🔴 <b>api</b> is DOWN"), "{}", sent[0]);
    let log = sb.log_lines();
    assert!(
        log.iter()
            .any(|l| l.contains(" OFFLINE web ") && l.starts_with("2026-12-06T03:00:00+01:00")),
        "logged: {log:?}"
    );
    let mute = &sb.checkpoint()["mutes"]["web"];
    assert_eq!(mute["maintenance"], true, "{mute}");
    assert_eq!(mute["reason"], "maintenance: weekly backup");
    assert_eq!(mute["until"], "2026-12-06T04:00:00+01:00");

    let text = at(&sb, &["status"], "2026-12-06T03:10:00+01:00")
        .expect(0)
        .stdout;
    for said in [
        "web is muted until 2026-12-06 04:00:00 +01:00 (maintenance: weekly backup): nothing is sent about it.\n",
        "web is in a maintenance window until 2026-12-06 04:00:00 +01:00 (weekly backup).\n",
    ] {
        assert!(text.contains(said), "{said:?} in:\n{text}");
    }
    assert!(!text.contains("api is in a maintenance"), "{text}");
    let json = status_json(&sb, "2026-12-06T03:10:00+01:00");
    assert_eq!(json["targets"][0]["maintenance"]["active"], true);
    assert_eq!(json["targets"][0]["muted"]["maintenance"], true);

    // The end: web is down still, unlike when the window began.
    at(&sb, &["check"], "2026-12-06T04:00:00+01:00").expect(1);
    at(&sb, &["check"], "2026-12-06T04:01:00+01:00").expect(1);
    assert_last_sent(&api, 2, "🔔 <b>web</b> is no longer muted, and is DOWN now");
    assert!(sb.checkpoint()["mutes"].as_object().unwrap().is_empty());
    let text = at(&sb, &["status"], "2026-12-06T04:01:30+01:00")
        .expect(0)
        .stdout;
    assert!(
        text.contains(
            "web's next maintenance window: 2026-12-13 03:00:00 +01:00 for 1h (weekly backup).\n"
        ),
        "{text}"
    );
    assert!(!text.contains("is muted"), "{text}");
}

#[test]
fn a_window_that_ends_in_the_state_it_began_says_nothing() {
    let (site, api) = (Site::start(), BotApi::start());
    let sb = sandbox(&api, &site, &WEEKLY.replace("[\"web\"]", "[\"*\"]"));
    site.set(200);
    at(&sb, &["check"], "2026-12-06T02:55:00+01:00").expect(0);
    site.set(503);
    at(&sb, &["check"], "2026-12-06T03:05:00+01:00").expect(1);
    site.set(200);
    at(&sb, &["check"], "2026-12-06T03:45:00+01:00").expect(0);
    at(&sb, &["check"], "2026-12-06T04:00:00+01:00").expect(0);
    at(&sb, &["check"], "2026-12-06T04:01:00+01:00").expect(0);
    assert!(api.sent().is_empty(), "{:?}", api.sent());
    let log = sb.log_lines();
    for name in ["web", "api"] {
        let lines = log
            .iter()
            .filter(|l| l.contains(&format!(" {name} ")))
            .count();
        assert_eq!(lines, 3, "UP, OFFLINE, UP for {name}: {log:?}");
    }
    assert!(sb.checkpoint()["mutes"].as_object().unwrap().is_empty());
}

#[test]
fn a_window_crossing_midnight_covers_the_next_morning() {
    let (site, api) = (Site::start(), BotApi::start());
    let windows = "[[maintenance]]\ntargets = [\"web\"]\ndays = [\"Sun\"]\nstart = \"23:30\"\nduration = \"1h\"\n";
    let sb = sandbox(&api, &site, windows);
    site.set(200);
    at(&sb, &["check"], "2026-12-06T23:00:00+01:00").expect(0);
    // Monday 00:10: the first run inside Sunday's window mutes web.
    site.set(503);
    at(&sb, &["check"], "2026-12-07T00:10:00+01:00").expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "api only: {sent:?}");
    assert!(sent[0].starts_with("🔴 <b>api</b> is DOWN"), "{}", sent[0]);
    let text = at(&sb, &["status"], "2026-12-07T00:15:00+01:00")
        .expect(0)
        .stdout;
    assert!(
        text.contains("web is muted until 2026-12-07 00:30:00 +01:00 (maintenance): nothing"),
        "{text}"
    );
    at(&sb, &["check"], "2026-12-07T00:30:00+01:00").expect(1);
    assert_last_sent(&api, 2, "🔔 <b>web</b> is no longer muted, and is DOWN now");
    // Monday night is no window: an outage then is sent at once.
    site.set(200);
    at(&sb, &["check"], "2026-12-07T23:00:00+01:00").expect(0);
    site.set(503);
    at(&sb, &["check"], "2026-12-08T00:10:00+01:00").expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 4, "the recoveries, then the outages: {sent:?}");
    assert!(sent[3].contains("<b>web</b> is DOWN"), "{}", sent[3]);
}

#[test]
fn windows_across_the_spring_change_last_their_real_time() {
    // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST. web's window spans the change
    // (01:30 CET + 2h = 04:30 CEST); api's starts at 02:30, which does not exist that
    // day: it starts when the clock resumes, at 03:00 CEST.
    let (site, api) = (Site::start(), BotApi::start());
    let windows = "[[maintenance]]\ntargets = [\"web\"]\ndays = [\"Sun\"]\nstart = \"01:30\"\nduration = \"2h\"\n\n\
                   [[maintenance]]\ntargets = [\"api\"]\ndays = [\"Sun\"]\nstart = \"02:30\"\nduration = \"1h\"\n";
    let sb = sandbox(&api, &site, windows);
    site.set(200);
    at(&sb, &["check"], "2026-03-29T01:00:00+01:00").expect(0);
    let text = at(&sb, &["status"], "2026-03-29T01:00:30+01:00")
        .expect(0)
        .stdout;
    for said in [
        "web's next maintenance window: 2026-03-29 01:30:00 +01:00 for 2h.\n",
        "api's next maintenance window: 2026-03-29 03:00:00 +02:00 for 1h.\n",
    ] {
        assert!(text.contains(said), "{said:?} in:\n{text}");
    }
    site.set(503);
    at(&sb, &["check"], "2026-03-29T01:45:00+01:00").expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "api, before its window: {sent:?}");
    assert!(sent[0].starts_with("🔴 <b>api</b> is DOWN"), "{}", sent[0]);
    // Back before api's window: its recovery is sent, web's is only logged.
    site.set(200);
    at(&sb, &["check"], "2026-03-29T01:50:00+01:00").expect(0);
    assert_eq!(api.sent().len(), 2, "{:?}", api.sent());
    // Both down again inside their windows: nothing is sent.
    site.set(503);
    at(&sb, &["check"], "2026-03-29T03:05:00+02:00").expect(1);
    assert_eq!(api.sent().len(), 2, "{:?}", api.sent());
    let json = status_json(&sb, "2026-03-29T03:10:00+02:00");
    assert_eq!(
        json["targets"][0]["muted"]["until"],
        "2026-03-29T04:30:00+02:00"
    );
    assert_eq!(
        json["targets"][1]["muted"]["until"],
        "2026-03-29T04:00:00+02:00"
    );
    // api's window ends at 04:00, web's only at 04:30 (not at 03:30 by the wall clock).
    at(&sb, &["check"], "2026-03-29T04:00:00+02:00").expect(1);
    at(&sb, &["check"], "2026-03-29T04:29:00+02:00").expect(1);
    assert_last_sent(&api, 3, "🔔 <b>api</b> is no longer muted, and is DOWN now");
    at(&sb, &["check"], "2026-03-29T04:30:00+02:00").expect(1);
    assert_last_sent(&api, 4, "🔔 <b>web</b> is no longer muted, and is DOWN now");
}

#[test]
fn a_window_at_an_hour_that_happens_twice_starts_at_the_first() {
    // 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET; 02:30 happens twice. The
    // window starts at the first (00:30 UTC) and lasts an hour of real time, so it ends
    // at the second 02:30 (01:30 UTC).
    let (site, api) = (Site::start(), BotApi::start());
    let sb = sandbox(&api, &site, &WEEKLY.replace("\"03:00\"", "\"02:30\""));
    site.set(200);
    at(&sb, &["check"], "2026-10-25T02:00:00+02:00").expect(0);
    site.set(503);
    at(&sb, &["check"], "2026-10-25T02:35:00+02:00").expect(1);
    let mute = &sb.checkpoint()["mutes"]["web"];
    assert_eq!(mute["until"], "2026-10-25T02:30:00+01:00", "{mute}");
    at(&sb, &["check"], "2026-10-25T02:29:00+01:00").expect(1);
    assert_eq!(api.sent().len(), 1, "api only: {:?}", api.sent());
    at(&sb, &["check"], "2026-10-25T02:30:00+01:00").expect(1);
    assert_last_sent(&api, 2, "🔔 <b>web</b> is no longer muted, and is DOWN now");
}

#[test]
fn a_hand_mute_stands_and_a_hand_unmute_holds_through_the_window() {
    let (site, api) = (Site::start(), BotApi::start());
    let sb = sandbox(&api, &site, &WEEKLY.replace("[\"web\"]", "[\"*\"]"));
    site.set(200);
    at(&sb, &["check"], "2026-12-06T02:50:00+01:00").expect(0);
    at(
        &sb,
        &["mute", "api", "--reason", "deploy"],
        "2026-12-06T02:55:00+01:00",
    )
    .expect(0);
    at(&sb, &["check"], "2026-12-06T03:00:00+01:00").expect(0);
    let mutes = sb.checkpoint()["mutes"].clone();
    assert_eq!(mutes["api"]["reason"], "deploy", "{mutes}");
    assert_eq!(mutes["api"]["until"], Value::Null, "not shortened: {mutes}");
    assert!(mutes["api"].get("maintenance").is_none(), "{mutes}");
    assert_eq!(mutes["web"]["maintenance"], true, "{mutes}");
    at(&sb, &["unmute", "web"], "2026-12-06T03:01:30+01:00").expect(0);
    site.set(503);
    at(&sb, &["check"], "2026-12-06T03:02:00+01:00").expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "web, unmuted by hand, alerts: {sent:?}");
    assert!(sent[0].starts_with("🔴 <b>web</b> is DOWN"), "{}", sent[0]);
    assert!(!sb.checkpoint()["mutes"]
        .as_object()
        .unwrap()
        .contains_key("web"));
}

#[test]
fn config_errors_name_the_line_and_the_key() {
    let (site, api) = (Site::start(), BotApi::start());
    for (window, want) in [
        (
            WEEKLY.replace("[\"web\"]", "[\"www\"]"),
            "maintenance.targets: \"www\" is not a configured target",
        ),
        (
            WEEKLY.replace("[\"Sun\"]", "[\"Sunday\"]"),
            "maintenance.days: \"Sunday\" is not a day",
        ),
        (
            WEEKLY.replace("\"03:00\"", "\"3 am\""),
            "maintenance.start: \"3 am\" is not a time of day",
        ),
        (
            WEEKLY.replace("\"1h\"", "\"0s\""),
            "maintenance.duration: must be more than zero",
        ),
        (
            WEEKLY.replace("\"1h\"", "\"8d\""),
            "maintenance.duration: must be at most 7d",
        ),
    ] {
        let sb = sandbox(&api, &site, &window);
        let text = fs::read_to_string(sb.config_path()).unwrap();
        let key = want
            .split(':')
            .next()
            .unwrap()
            .trim_start_matches("maintenance.");
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("{key} = ")))
            .unwrap()
            + 1;
        for args in [&["check"][..], &["status"]] {
            let run = at(&sb, args, "2026-12-06T03:00:00+01:00").expect(78);
            let path = sb.config_path().display().to_string();
            assert!(
                run.stderr
                    .starts_with(&format!("vigia: config {path}: line {line}: {want}")),
                "{}",
                run.stderr
            );
        }
    }
}
