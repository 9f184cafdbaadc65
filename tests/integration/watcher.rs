//! Who watches the watcher: the heartbeat, the "is it me?" canaries, and the Prometheus
//! metrics (README "Heartbeat", "Canaries", "Metrics").

use std::fs;

use serde_json::{json, Value};

use crate::golden::{assert_whole, Placeholders};
use crate::{closed_port_url, target, BotApi, Reply, Sandbox, Site};

/// The sandbox config with `extra` added to its `[check]` section, and `tail` after it.
fn with_extra(sb: &Sandbox, check: &str, tail: &str) {
    let text = fs::read_to_string(sb.config_path()).unwrap();
    let text = text.replacen("[check]\n", &format!("[check]\n{check}"), 1);
    sb.write_raw_config(&format!("{text}\n{tail}"));
}

#[test]
fn the_heartbeat_is_pinged_after_every_run_that_made_its_check() {
    let (site, hb, api, sb) = (
        Site::start(),
        Site::start(),
        BotApi::start(),
        Sandbox::new(),
    );
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    let secret_path = "/hb/0b9c4e1e-7a3d-4b5e-9f1a-secret";
    with_extra(
        &sb,
        "",
        &format!(
            "[heartbeat]\nurl = \"{}\"\ntimeout = \"2s\"\n",
            hb.url(secret_path)
        ),
    );
    site.set(200);
    sb.run(&["check"]).expect(0);
    assert_eq!(hb.pings(), 1, "an up run");
    site.set(503);
    sb.run(&["check"]).expect(1);
    assert_eq!(hb.pings(), 2, "a down run");
    api.script("sendMessage", [Reply::Error(502, "Bad Gateway", json!({}))]);
    site.set(200);
    let run = sb.run(&["check"]).expect(0);
    assert!(run.stderr.contains("wait in the outbox"), "{}", run.stderr);
    assert_eq!(hb.pings(), 3, "a run whose Telegram delivery failed");
    // A broken heartbeat is a warning that keeps its secret path, never a failed run.
    with_extra(&sb, "", "");
    let text = fs::read_to_string(sb.config_path()).unwrap().replace(
        &hb.url(secret_path),
        &format!("{}hb/x-secret", closed_port_url()),
    );
    sb.write_raw_config(&text);
    let run = sb.run(&["check"]).expect(0);
    assert!(
        run.stderr.contains(
            "vigia: warning: heartbeat ping to http://127.0.0.1/… failed: connection refused"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("secret"), "{}", run.stderr);
    // A run that could not be made does not say it is alive.
    sb.write_raw_config(&format!("{text}\n[bogus]\n"));
    sb.run(&["check"]).expect(78);
    assert_eq!(hb.pings(), 3);
}

#[test]
fn every_canary_failing_with_the_targets_is_one_message_not_an_outage() {
    let (site, canary, api, sb) = (
        Site::start(),
        Site::start(),
        BotApi::start(),
        Sandbox::new(),
    );
    sb.write_config(
        Some(&api.url()),
        &[
            target("web", &site.url("/switch")),
            target("api", &site.url("/switch")),
        ],
    );
    with_extra(
        &sb,
        &format!("canary = [\"{}\"]\n", canary.url("/switch")),
        "",
    );
    let at = |seconds: i64, code: i32| {
        let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
        let now = (start + chrono::TimeDelta::seconds(seconds)).to_rfc3339();
        sb.run_at(&["check"], &now).expect(code)
    };
    site.set(200);
    canary.set(200);
    at(0, 0);
    let status: Value =
        serde_json::from_str(&sb.run(&["status", "--json"]).expect(0).stdout).unwrap();
    assert_eq!(
        status["connectivity"],
        json!({"canaries": 1, "state": "ONLINE", "since": null})
    );

    // The link goes: targets and canary fail together.
    site.set(503);
    canary.set(503);
    for minute in [1, 2] {
        let run = at(60 * minute, 75);
        assert!(
            run.stderr
                .contains("this machine has lost its own connectivity"),
            "{}",
            run.stderr
        );
    }
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let p = Placeholders::new()
        .with(&site.url("/switch"), "site")
        .with(&canary.url("/switch"), "canary");
    assert_whole(
        &p.apply(&sent[0]),
        "⚠️ <b>{host}</b> has lost its own connectivity since 2026-03-01 12:01:00 +00:00: targets not judged\n\
         every canary failed (HTTP 503 Service Unavailable), and targets with them\n\
         <code>{canary}</code>",
    );
    let lines = sb.log_lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[2].contains(" OFFLINE @connectivity every canary failed"),
        "{lines:?}"
    );
    let status = sb.run(&["status"]).expect(0).stdout;
    assert!(status.contains("Connectivity: OFFLINE since"), "{status}");

    // The link is back but the targets are really down: one message says both.
    canary.set(200);
    at(1_260, 1);
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_whole(
        &p.apply(&sent[1]),
        "✅ <b>{host}</b> is back online after 20m: targets are judged again\n\
         {canary} answered: HTTP 200 in {ms} ms\n\
         <code>{canary}</code>\n\
         \n\
         🔴 <b>web</b> is DOWN: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         2026-03-01 12:21:00 +00:00 on {host}\n\
         \n\
         🔴 <b>api</b> is DOWN: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         2026-03-01 12:21:00 +00:00 on {host}",
    );
    let status = sb.run(&["status"]).expect(0).stdout;
    assert!(
        status.contains("Connectivity: online (judged by 1 canary)."),
        "{status}"
    );

    // A real outage with the canary up is an ordinary alert.
    site.set(200);
    sb.run(&["check"]).expect(0);
    site.set(500);
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 4);
    assert!(api.sent()[3].contains("<b>web</b> is DOWN"));
}

/// Reads a textfile with the strict reader of the exposition format (`prometheus.rs`):
/// every family documented and a gauge; `{"name{labels}": value}`.
fn parse_metrics(path: &std::path::Path) -> serde_json::Map<String, Value> {
    let text = fs::read_to_string(path).unwrap();
    let families = crate::prometheus::parse(&text)
        .unwrap_or_else(|why| panic!("not the Prometheus text format: {why}\n{text}"));
    let mut out = serde_json::Map::new();
    for (name, family) in families {
        assert!(
            family.help.is_some_and(|h| !h.is_empty()),
            "{name} has no HELP"
        );
        assert_eq!(family.kind.as_deref(), Some("gauge"), "{name}");
        for (sample, mut labels, value) in family.samples {
            // Every sample names its checker (README "A fleet of checkers"): the host
            // name by default; the keys below leave it out.
            let checker = labels.remove("checker");
            assert!(
                checker.is_some_and(|c| !c.is_empty()),
                "{sample} has no checker"
            );
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.insert(format!("{sample}{{{}}}", labels.join(",")), json!(value));
        }
    }
    out
}

#[test]
fn metrics_follow_the_targets_and_read_as_the_prometheus_text_format() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let password_url = site
        .url("/switch")
        .replace("http://", "http://admin:S3cretPass@");
    sb.write_config(Some(&api.url()), &[target("web", &password_url)]);
    let textfile = sb.path("vigia.prom");
    with_extra(
        &sb,
        "",
        &format!("[metrics]\ntextfile = \"{}\"\n", textfile.display()),
    );
    site.set(200);
    sb.run(&["check"]).expect(0);
    let url = format!(
        "url=http://admin:***@{}",
        site.url("/switch").trim_start_matches("http://")
    );
    let m = parse_metrics(&textfile);
    assert_eq!(
        m[&format!("vigia_target_up{{target=web,{url}}}")],
        1.0,
        "{m:?}"
    );
    assert_eq!(m["vigia_outbox_messages{}"], 0.0);
    assert_eq!(m["vigia_checker_online{}"], 1.0);
    let since_up = m["vigia_target_state_since_timestamp_seconds{target=web}"]
        .as_f64()
        .unwrap();
    assert!(
        m["vigia_probe_duration_seconds{target=web}"]
            .as_f64()
            .unwrap()
            < 5.0
    );
    assert!(!fs::read_to_string(&textfile)
        .unwrap()
        .contains("S3cretPass"));

    std::thread::sleep(std::time::Duration::from_millis(1100));
    api.script("sendMessage", [Reply::Error(502, "Bad Gateway", json!({}))]);
    site.set(503);
    sb.run(&["check"]).expect(1);
    let m = parse_metrics(&textfile);
    assert_eq!(
        m[&format!("vigia_target_up{{target=web,{url}}}")],
        0.0,
        "{m:?}"
    );
    assert_eq!(m["vigia_outbox_messages{}"], 1.0);
    assert!(
        m["vigia_target_state_since_timestamp_seconds{target=web}"]
            .as_f64()
            .unwrap()
            > since_up
    );
    assert!(m["vigia_last_run_timestamp_seconds{}"].as_f64().unwrap() >= since_up);
    let leftovers: Vec<_> = fs::read_dir(sb.dir.path())
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
