//! Whole outputs pinned in `tests/golden/` (see `golden.rs`): what `check` prints and
//! logs, `status` in text and JSON, every alert the fake Bot API receives in each
//! language, and the man pages. Each run takes its time from `VIGIA_NOW`, so durations,
//! uptimes and dates are fixed; only ports, paths, the host name and milliseconds vary.

use std::fs;

use crate::golden::{assert_golden, Placeholders};
use crate::{target, BotApi, Run, Sandbox, Site};

/// 2026-03-01 12:00:00 UTC plus `seconds`, as `VIGIA_NOW` takes it.
fn at(seconds: i64) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
    (start + chrono::TimeDelta::seconds(seconds)).to_rfc3339()
}

/// Inserts `check` keys after `[check]` and `telegram` keys after `[telegram]`.
fn with_keys(sb: &Sandbox, check: &str, telegram: &str) {
    let text = fs::read_to_string(sb.config_path())
        .unwrap()
        .replacen("[check]\n", &format!("[check]\n{check}"), 1)
        .replacen("[telegram]\n", &format!("[telegram]\n{telegram}"), 1);
    sb.write_raw_config(&text);
}

fn run_at(sb: &Sandbox, seconds: i64, args: &[&str]) -> Run {
    sb.run_at(args, &at(seconds))
}

/// One section of a golden file: a heading, then the text.
fn section(out: &mut String, heading: &str, text: &str) {
    out.push_str(&format!("## {heading}\n{text}"));
    if !text.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
}

/// The new messages since the last look, each as a section.
fn new_alerts(out: &mut String, api: &BotApi, seen: &mut usize, heading: &str) {
    let sent = api.sent();
    assert!(
        sent.len() > *seen,
        "no alert for {heading}: {:?}",
        &sent[..*seen]
    );
    for text in &sent[*seen..] {
        section(out, heading, text);
    }
    *seen = sent.len();
}

/// A target's life: up, down, a reminder, up again, muted while it fails, the mute's end.
/// Returns the alerts, and what `check` printed and logged (with the placeholders).
fn a_targets_life(language: &str) -> (String, String, Sandbox, Placeholders) {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    with_keys(
        &sb,
        "remind_every = \"1h\"\n",
        &format!("language = \"{language}\"\n"),
    );
    let p = Placeholders::new()
        .with(&site.url("/switch"), "site")
        .with(&sb.dir.path().display().to_string(), "dir");
    let (mut alerts, mut checks, mut seen) = (String::new(), String::new(), 0);
    let mut check = |seconds: i64, code: i32, what: &str| {
        let run = run_at(&sb, seconds, &["check"]).expect(code);
        section(
            &mut checks,
            &format!("{} check: {what}", at(seconds)),
            &run.stdout,
        );
    };
    check(0, 0, "up");
    site.set(503);
    check(60, 1, "down");
    new_alerts(&mut alerts, &api, &mut seen, "down");
    check(120, 1, "still down, before the reminder");
    check(3_700, 1, "still down after an hour");
    new_alerts(&mut alerts, &api, &mut seen, "reminder");
    site.set(200);
    check(4_000, 0, "up again");
    new_alerts(&mut alerts, &api, &mut seen, "up again");
    run_at(
        &sb,
        4_100,
        &["mute", "web", "--for", "10m", "--reason", "deploy"],
    )
    .expect(0);
    site.set(503);
    check(4_200, 1, "down while muted");
    assert_eq!(api.sent().len(), seen, "muted: {:?}", api.sent());
    check(4_800, 1, "the mute has ended");
    new_alerts(&mut alerts, &api, &mut seen, "mute ended");
    check(4_860, 1, "still down");
    assert_eq!(api.sent().len(), seen, "{:?}", api.sent());
    section(&mut checks, "the log", &sb.log_lines().join("\n"));
    (p.apply(&alerts), p.apply(&checks), sb, p)
}

/// The machine loses its own connectivity (every canary and the target fail), then gets
/// it back.
fn connectivity_lost_and_back(language: &str) -> String {
    let (site, canary, api, sb) = (
        Site::start(),
        Site::start(),
        BotApi::start(),
        Sandbox::new(),
    );
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    with_keys(
        &sb,
        &format!("canary = [\"{}\"]\n", canary.url("/switch")),
        &format!("language = \"{language}\"\n"),
    );
    let mut alerts = String::new();
    let mut seen = 0;
    run_at(&sb, 0, &["check"]).expect(0);
    site.set(503);
    canary.set(503);
    run_at(&sb, 60, &["check"]).expect(75);
    new_alerts(&mut alerts, &api, &mut seen, "connectivity lost");
    site.set(200);
    canary.set(200);
    run_at(&sb, 1_860, &["check"]).expect(0);
    new_alerts(&mut alerts, &api, &mut seen, "connectivity back");
    Placeholders::new()
        .with(&site.url("/switch"), "site")
        .with(&canary.url("/switch"), "canary")
        .apply(&alerts)
}

#[test]
fn alerts_in_english_are_pinned_whole() {
    let (alerts, checks, _, _) = a_targets_life("en");
    assert_golden("alerts-en", &(alerts + &connectivity_lost_and_back("en")));
    assert_golden("check-lines", &checks);
}

#[test]
fn alerts_in_brazilian_portuguese_are_pinned_whole() {
    let (alerts, _, _, _) = a_targets_life("pt-BR");
    assert_golden(
        "alerts-pt-BR",
        &(alerts + &connectivity_lost_and_back("pt-BR")),
    );
}

#[test]
fn status_in_text_and_json_is_pinned_whole() {
    let (_, _, sb, p) = a_targets_life("en");
    // A day later: the uptime windows hold the whole story.
    let text = run_at(&sb, 86_400, &["status"]).expect(0);
    assert_golden("status", &p.apply(&text.stdout));
    let json = run_at(&sb, 86_400, &["status", "--json"]).expect(0);
    serde_json::from_str::<serde_json::Value>(&json.stdout).expect("status --json is JSON");
    assert_golden("status-json", &p.apply(&json.stdout));
    let history = run_at(&sb, 86_400, &["status", "--history", "3"]).expect(0);
    assert_golden("status-history-3", &p.apply(&history.stdout));
}

/// `vigia check --url` with no config: what `make run URL=...` shows.
#[test]
fn a_check_of_one_url_is_pinned_whole() {
    let site = Site::start();
    let p = Placeholders::new().with(&site.url(""), "site");
    let mut out = String::new();
    for path in ["/ok", "/status/503", "/redirect", "/loop"] {
        let sb = Sandbox::new();
        let mut command = sb.command_bare(&["check", "--url", &site.url(path)]);
        command.env("VIGIA_NOW", at(0));
        let run = crate::run(command);
        section(
            &mut out,
            &format!("check --url {{site}}{path}: exit {}", run.code),
            &(run.stdout + &run.stderr),
        );
    }
    assert_golden("check-url", &p.apply(&out));
}

/// The roff that `vigia-generate` writes (and `make install` installs): a change to
/// `--help` shows here as a diff.
#[test]
fn the_man_pages_are_pinned_whole() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_vigia-generate"))
        .arg(dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .status()
        .unwrap();
    assert!(status.success());
    let mut pages: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "1"))
        .collect();
    pages.sort();
    let names: Vec<String> = pages
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "vigia-ack.1",
            "vigia-check.1",
            "vigia-init.1",
            "vigia-mute.1",
            "vigia-outbox.1",
            "vigia-report.1",
            "vigia-send.1",
            "vigia-status.1",
            "vigia-unmute.1",
            "vigia.1"
        ]
    );
    for page in pages {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        assert_golden(&format!("man/{name}"), &fs::read_to_string(&page).unwrap());
    }
}

/// When a certificate ends, read from it (`notAfter=Mar  1 12:00:00 2027 GMT`).
fn not_after(pem: &std::path::Path) -> chrono::DateTime<chrono::FixedOffset> {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-enddate", "-in"])
        .arg(pem)
        .output()
        .expect("openssl is needed for this test (apt-get install openssl)");
    let text = String::from_utf8(out.stdout).unwrap();
    let date = text.trim().trim_start_matches("notAfter=");
    chrono::NaiveDateTime::parse_from_str(date, "%b %e %H:%M:%S %Y GMT")
        .unwrap_or_else(|e| panic!("{date:?}: {e}"))
        .and_utc()
        .fixed_offset()
}

/// How vigia shows a time in a message (`TZ=UTC` in the sandbox).
fn shown(time: chrono::DateTime<chrono::FixedOffset>) -> String {
    time.format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

/// The certificate notices: 5 days left, 1 day left, renewed. The certificate's dates
/// come from the clock (the TLS check uses it), so the runs take their now from them.
fn certificate_notices(language: &str) -> String {
    use crate::tls::TlsSite;
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let dir = sb.path("tls");
    let site = TlsSite::start(&dir, 30);
    let port = site.port;
    sb.write_config(Some(&api.url()), &[site.target()]);
    with_keys(&sb, "", &format!("language = \"{language}\"\n"));
    let ends = not_after(&dir.join("leaf.pem"));
    let (five_days, one_day) = (
        ends - chrono::TimeDelta::days(5) + chrono::TimeDelta::hours(1),
        ends - chrono::TimeDelta::hours(20),
    );
    let mut p = Placeholders::new()
        .with(&site.url(), "site")
        .with(&shown(ends), "not-after")
        .with(&shown(five_days), "5-days-before")
        .with(&shown(one_day), "1-day-before");
    let (mut alerts, mut seen) = (String::new(), 0);
    let at_time = |time: chrono::DateTime<chrono::FixedOffset>| {
        sb.run_at(&["check"], &time.to_rfc3339()).expect(0)
    };
    at_time(five_days - chrono::TimeDelta::days(20));
    assert!(api.sent().is_empty(), "{:?}", api.sent());
    at_time(five_days);
    new_alerts(&mut alerts, &api, &mut seen, "certificate: 5 days left");
    at_time(one_day);
    new_alerts(&mut alerts, &api, &mut seen, "certificate: 1 day left");
    drop(site);
    let _renewed = TlsSite::start_on(&dir, 400, Some(port));
    let renewed_until = not_after(&dir.join("leaf.pem"));
    let after_renewal = one_day + chrono::TimeDelta::hours(1);
    p = p
        .with(&shown(renewed_until), "renewed-not-after")
        .with(&shown(after_renewal), "after-renewal");
    at_time(after_renewal);
    new_alerts(&mut alerts, &api, &mut seen, "certificate renewed");
    p.apply(&alerts)
}

#[test]
fn certificate_notices_are_pinned_whole_in_each_language() {
    for language in ["en", "pt-BR"] {
        assert_golden(
            &format!("alerts-certificate-{language}"),
            &certificate_notices(language),
        );
    }
}

/// A run in a mount namespace of its own where /etc/resolv.conf names no name server:
/// the checker's own fault, not the targets'.
fn without_a_resolver(sb: &Sandbox, seconds: i64) -> Run {
    let mut isolated = crate::delivery::resolv_conf_command(sb, "# no nameserver here\n", "check");
    isolated.env("VIGIA_NOW", at(seconds));
    crate::run(isolated)
}

#[test]
#[ignore = "needs root (a mount namespace with its own resolv.conf): CI runs it with --include-ignored"]
fn the_checker_fault_alert_is_pinned_whole_in_each_language() {
    crate::assert_root();
    for language in ["en", "pt-BR"] {
        let (api, sb) = (BotApi::start(), Sandbox::new());
        sb.write_config(
            Some(&api.url()),
            &[target("web", "http://some-site.example/")],
        );
        with_keys(&sb, "", &format!("language = \"{language}\"\n"));
        let mut out = String::new();
        for seconds in [0, 60, 120] {
            let run = without_a_resolver(&sb, seconds).expect(75);
            section(
                &mut out,
                &format!("{} check, exit 75", at(seconds)),
                &(run.stdout + &run.stderr),
            );
        }
        let mut seen = 0;
        new_alerts(&mut out, &api, &mut seen, "checker fault");
        assert_golden(
            &format!("alerts-fault-{language}"),
            &Placeholders::new().apply(&out),
        );
    }
}
