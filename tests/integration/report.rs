//! The scheduled report: a weekly one is sent exactly once by many runs around its time,
//! across a restart (vigia not running at the scheduled time) and later runs, with the
//! figures of a log the test wrote; `vigia report --json` has the documented keys and
//! the same figures.

use std::fs;

use crate::{target, BotApi, Sandbox, Site};

const LOG: &str = "\
2026-11-01T00:00:00+00:00 ONLINE web HTTP 200 in 4 ms
2026-11-18T10:00:00+00:00 OFFLINE web HTTP 503 Service Unavailable
2026-11-18T10:45:00+00:00 ONLINE web HTTP 200 in 4 ms after 45m down
2026-11-20T00:00:00+00:00 OFFLINE web connection refused
2026-11-20T02:00:00+00:00 ONLINE web HTTP 200 in 4 ms after 2h down
";

fn reports(api: &BotApi) -> Vec<String> {
    api.sent()
        .into_iter()
        .filter(|t| t.contains("Weekly report"))
        .collect()
}

#[test]
fn a_weekly_report_goes_once_per_period_across_restarts() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&format!(
        "{text}\n[report]\nevery = \"weekly\"\nat = \"09:00\"\n"
    ));
    fs::write(sb.log_path(), LOG).unwrap();
    // Configured on a Friday: the first report is for the week that ends on Monday.
    sb.run_at(&["check"], "2026-11-20T12:00:00Z").expect(0);
    assert!(sb.checkpoint()["report"]["since"].is_string());
    for now in ["2026-11-23T08:58:00Z", "2026-11-23T08:59:00Z"] {
        sb.run_at(&["check"], now).expect(0);
    }
    assert!(reports(&api).is_empty(), "not before its time");
    // vigia was not running at 09:00 (a restart): the first run after it sends it.
    sb.run_with_env(&["check"], "VIGIA_NOW", "2026-11-23T09:20:00Z")
        .expect(0);
    let sent = reports(&api);
    assert_eq!(sent.len(), 1, "{sent:?}");
    // 7 days of 604800 s: 45m and 2h down (9900 s), the longest 2h; its last minute
    // (08:59 to 09:00) is in the gap of the restart: no data.
    assert_eq!(
        sent[0],
        format!(
            "<b>📊 Weekly report of {}: 2026-11-16 09:00 to 2026-11-23 09:00</b>\n\
             web: 98.36% up (99.99% checked), 2 outage(s), 2h45m down, the longest 2h",
            crate::golden::hostname()
        )
    );
    assert_eq!(sb.checkpoint()["report"]["sent"], "2026-11-23T09:00:00Z");
    for now in [
        "2026-11-23T09:21:00Z",
        "2026-11-23T09:22:00Z",
        "2026-11-23T12:00:00Z",
        "2026-11-29T23:59:00Z",
    ] {
        sb.run_at(&["check"], now).expect(0);
    }
    assert_eq!(reports(&api).len(), 1, "once per period");
    // The next Monday: the next week's report, up all week but for the 20 minutes of
    // the restart (no data).
    sb.run_at(&["check"], "2026-11-30T09:00:00Z").expect(0);
    let sent = reports(&api);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1].contains(
            "2026-11-23 09:00 to 2026-11-30 09:00</b>\nweb: 100.00% up (99.80% checked), no outage"
        ),
        "{}",
        sent[1]
    );
    sb.run_at(&["check"], "2026-11-30T09:01:00Z").expect(0);
    assert_eq!(reports(&api).len(), 2);
}

#[test]
fn report_json_has_the_documented_keys_and_the_logs_figures() {
    let sb = Sandbox::new();
    sb.write_config(None, &[target("web", &crate::closed_port_url())]);
    fs::write(sb.log_path(), LOG).unwrap();
    let run = sb
        .run_with_env(&["report", "--json"], "VIGIA_NOW", "2026-11-23T09:00:00Z")
        .expect(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["from", "to", "every", "targets", "certificates"]);
    assert_eq!(doc["from"], "2026-11-16T09:00:00+00:00");
    assert_eq!(doc["to"], "2026-11-23T09:00:00+00:00");
    let web = &doc["targets"][0];
    let keys: Vec<&str> = web
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "uptime_percent",
            "coverage_percent",
            "outages",
            "downtime_seconds",
            "longest_outage_seconds",
            "slowest_day"
        ]
    );
    assert_eq!(web["name"], "web");
    assert_eq!(web["outages"], 2);
    assert_eq!(web["downtime_seconds"], 9900);
    assert_eq!(web["longest_outage_seconds"], 7200);
    assert_eq!(web["coverage_percent"], 100.0);
    let uptime = web["uptime_percent"].as_f64().unwrap();
    assert!(
        (uptime - 100.0 * 594_900.0 / 604_800.0).abs() < 1e-9,
        "{uptime}"
    );
    // --days: the last N days; the text says the same.
    let day = sb
        .run_with_env(
            &["report", "--days", "1"],
            "VIGIA_NOW",
            "2026-11-20T12:00:00Z",
        )
        .expect(0);
    assert!(
        day.stdout
            .contains("web: 91.67% up (100.00% checked), 1 outage(s), 2h down, the longest 2h"),
        "{}",
        day.stdout
    );
    sb.run(&["report", "--days", "0"]).expect(2);
}

#[test]
fn the_report_speaks_the_configured_language() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    let text = fs::read_to_string(sb.config_path()).unwrap().replacen(
        "[telegram]\n",
        "[telegram]\nlanguage = \"pt-BR\"\n",
        1,
    );
    sb.write_raw_config(&format!("{text}\n[report]\nevery = \"daily\"\n"));
    fs::write(sb.log_path(), LOG).unwrap();
    sb.run_at(&["check"], "2026-11-19T12:00:00Z").expect(0);
    sb.run_at(&["check"], "2026-11-20T09:00:00Z").expect(0);
    let sent: Vec<String> = api
        .sent()
        .into_iter()
        .filter(|t| t.contains("Relatório diário"))
        .collect();
    assert_eq!(sent.len(), 1, "{:?}", api.sent());
    assert!(
        sent[0].contains(
            "web: 91,67% no ar (100,00% verificado), 1 queda(s), 2h fora do ar, a mais longa 2h"
        ),
        "{}",
        sent[0]
    );
}
