//! What admins ask for beyond up and down: certificate expiry, reminders while down,
//! maintenance mutes, and alerts in Brazilian Portuguese (README "Certificates",
//! "Reminders", "Mute", "Language").

use std::fs;

use crate::golden::{assert_whole, Placeholders};
use crate::tls::TlsSite;
use crate::{target, BotApi, Sandbox, Site};

/// The sandbox config with `check` lines added to `[check]` and `telegram` lines to
/// `[telegram]`.
fn with_keys(sb: &Sandbox, check: &str, telegram: &str) {
    let text = fs::read_to_string(sb.config_path())
        .unwrap()
        .replacen("[check]\n", &format!("[check]\n{check}"), 1)
        .replacen(
            "timeout = \"500ms\"\n",
            &format!("timeout = \"500ms\"\n{telegram}"),
            1,
        );
    sb.write_raw_config(&text);
}

#[test]
fn each_certificate_threshold_is_announced_once() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let dir = sb.path("tls");
    let site = TlsSite::start_on(&dir, 90, None);
    let port = site.port;
    sb.write_config(Some(&api.url()), &[site.target()]);
    for _ in 0..2 {
        sb.run(&["check"]).expect(0);
    }
    assert!(
        api.sent().is_empty(),
        "90 days left: nothing to say {:?}",
        api.sent()
    );

    drop(site);
    let _site = TlsSite::start_on(&dir, 5, Some(port));
    for _ in 0..3 {
        sb.run(&["check"]).expect(0);
    }
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with("🔐 The certificate of <b>secure</b> expires in 5 days, on "),
        "{}",
        sent[0]
    );

    drop(_site);
    let _site = TlsSite::start_on(&dir, 2, Some(port));
    for _ in 0..2 {
        sb.run(&["check"]).expect(0);
    }
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("expires in 2 days"), "{}", sent[1]);
    let status = sb.run(&["status"]).expect(0).stdout;
    assert!(
        status.contains("Certificates: secure 2 day(s) left"),
        "{status}"
    );

    // A renewal that lasts longer is said once, shortly.
    drop(_site);
    let _site = TlsSite::start_on(&dir, 90, Some(port));
    sb.run(&["check"]).expect(0);
    sb.run(&["check"]).expect(0);
    let sent = api.sent();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent[2].contains("was renewed: valid until"), "{}", sent[2]);
}

#[test]
fn reminders_come_once_per_interval_while_down_and_stop_after() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    with_keys(&sb, "remind_every = \"2h\"\n", "");
    let at = |seconds: i64, code: i32| {
        let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
        let now = (start + chrono::TimeDelta::seconds(seconds)).to_rfc3339();
        sb.run_at(&["check"], &now).expect(code);
    };
    site.set(503);
    at(0, 1);
    at(7_199, 1);
    assert_eq!(api.sent().len(), 1, "the alert, and no reminder yet");
    at(7_200, 1);
    at(7_260, 1);
    assert_eq!(api.sent().len(), 2, "{:?}", api.sent());
    let p = Placeholders::new().with(&site.url("/switch"), "site");
    assert_whole(
        &p.apply(&api.sent()[1]),
        "⏰ <b>web</b> is still DOWN, for 2h now: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         2026-03-01 14:00:00 +00:00 on {host}",
    );
    // Kept in the state: a rotated log changes nothing. The interval counts from the
    // last reminder.
    fs::rename(sb.log_path(), sb.path("vigia.log.1")).unwrap();
    at(14_399, 1);
    assert_eq!(api.sent().len(), 2);
    at(14_400, 1);
    assert_eq!(api.sent().len(), 3);
    assert!(
        api.sent()[2].starts_with("⏰ <b>web</b> is still DOWN, for 4h now"),
        "{}",
        api.sent()[2]
    );
    site.set(200);
    at(14_500, 0);
    at(21_700, 0);
    let sent = api.sent();
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert!(
        sent[3].contains("is UP again after 4h1m40s down"),
        "{}",
        sent[3]
    );
}

#[test]
fn a_mute_silences_a_target_and_its_end_says_what_changed() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    site.set(200);
    sb.run(&["check"]).expect(0);
    let run = sb.run(&["mute", "web", "--reason", "deploy"]).expect(0);
    assert_eq!(
        run.stdout,
        "muted web until 'vigia unmute': checks go on, nothing is sent\n"
    );
    sb.run(&["mute", "nosuch"]).expect(2);

    site.set(503);
    sb.run(&["check"]).expect(1);
    assert!(api.sent().is_empty(), "muted: {:?}", api.sent());
    assert!(
        sb.log_lines().last().unwrap().contains(" OFFLINE web "),
        "still logged"
    );
    let status = sb.run(&["status"]).expect(0).stdout;
    assert!(
        status.contains("web is muted until 'vigia unmute' (deploy): nothing is sent about it."),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&sb.run(&["status", "--json"]).expect(0).stdout).unwrap();
    assert_eq!(json["targets"][0]["muted"]["reason"], "deploy");

    let run = sb.run(&["unmute", "web"]).expect(0);
    assert!(
        run.stdout.contains("changed state while muted"),
        "{}",
        run.stdout
    );
    sb.run(&["check"]).expect(1);
    sb.run(&["check"]).expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with("🔔 <b>web</b> is no longer muted, and is DOWN now"),
        "{}",
        sent[0]
    );

    // Down and back within the mute: nothing to say when it ends by itself.
    // A fixed clock: a loaded machine must not let the mute end before its time.
    let at = |args: &[&str], now: &str, code: i32| {
        sb.run_at(args, now).expect(code);
    };
    at(&["mute", "--all", "--for", "1m"], "2030-01-01T00:00:00Z", 0);
    site.set(200);
    at(&["check"], "2030-01-01T00:00:10Z", 0);
    site.set(503);
    at(&["check"], "2030-01-01T00:00:20Z", 1);
    at(&["check"], "2030-01-01T00:01:01Z", 1);
    assert_eq!(api.sent().len(), 1, "{:?}", api.sent());
    assert!(
        sb.checkpoint()["mutes"].as_object().unwrap().is_empty(),
        "expired"
    );
}

#[test]
fn alerts_speak_brazilian_portuguese() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    with_keys(&sb, "", "language = \"pt-BR\"\n");
    let at = |now: &str, code: i32| sb.run_at(&["check"], now).expect(code);
    site.set(200);
    at("2026-03-01T12:00:00-03:00", 0);
    site.set(503);
    at("2026-03-01T12:01:00-03:00", 1);
    site.set(200);
    at("2026-03-01T13:31:05-03:00", 0);
    let p = Placeholders::new().with(&site.url("/switch"), "site");
    assert_whole(
        &p.apply(&api.sent().join("\n--\n")),
        "🔴 <b>web</b> está FORA DO AR: HTTP 503 Service Unavailable\n\
         <code>{site}</code>\n\
         2026-03-01 12:01:00 -03:00 em {host}\n\
         --\n\
         🟢 <b>web</b> voltou ao ar depois de 1h30m5s fora: HTTP 200 em {ms} ms\n\
         <code>{site}</code>\n\
         2026-03-01 13:31:05 -03:00 em {host}",
    );
    let text = fs::read_to_string(sb.config_path())
        .unwrap()
        .replace("pt-BR", "klingon");
    sb.write_raw_config(&text);
    let run = sb.run(&["check"]).expect(78);
    assert!(
        run.stderr
            .contains("telegram.language: \"klingon\" is not one of en, pt-BR"),
        "{}",
        run.stderr
    );
}

#[test]
#[ignore = "needs root: CI runs it with --include-ignored"]
fn a_mute_set_by_root_is_honoured_by_the_service() {
    use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
    crate::assert_root();
    const NOBODY: u32 = 65534;
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    fs::set_permissions(sb.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(sb.state_path()).unwrap();
    chown(sb.state_path(), Some(NOBODY), Some(NOBODY)).unwrap();
    chown(sb.dir.path(), Some(NOBODY), Some(NOBODY)).unwrap();
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    chown(sb.config_path(), Some(NOBODY), Some(NOBODY)).unwrap();
    site.set(200);
    let as_service = || crate::run(sb.command_as(NOBODY, &["check"]));
    as_service().expect(0);
    sb.run(&["mute", "web"]).expect(0); // as root
    assert_eq!(
        fs::metadata(sb.state_path().join("state.json"))
            .unwrap()
            .uid(),
        NOBODY
    );
    site.set(503);
    as_service().expect(1);
    assert!(api.sent().is_empty(), "{:?}", api.sent());
}

#[test]
fn ip_picks_the_address_family() {
    let (site, sb) = (Site::start(), Sandbox::new());
    // "localhost" has an IPv4 address; the fake site listens on 127.0.0.1 only.
    let url = site.url("/ok").replace("127.0.0.1", "localhost");
    let tcp = url.replace("http://", "tcp://").replace("/ok", "");
    sb.write_config(
        None,
        &[
            format!("{}\nip = \"v4\"", target("v4", &url)),
            format!("{}\nip = \"any\"", target("any", &url)),
            format!("{}\nip = \"v4\"", target("tcp4", &tcp)),
        ],
    );
    let run = sb.run(&["check", "--dry-run"]).expect(0);
    assert!(run.stdout.contains("v4    UP"), "{}", run.stdout);
    // The site does not listen on IPv6: v6 is down, and says why (here "localhost" has
    // no IPv6 address; where it has one, nothing listens there).
    sb.write_config(None, &[format!("{}\nip = \"v6\"", target("v6", &url))]);
    let run = sb.run(&["check", "--dry-run"]).expect(1);
    assert!(
        run.stdout.contains("localhost has no IPv6 address")
            || run.stdout.contains("connection refused"),
        "{}",
        run.stdout
    );
    sb.write_config(None, &[format!("{}\nip = \"v5\"", target("x", &url))]);
    let run = sb.run(&["check"]).expect(78);
    assert!(
        run.stderr
            .contains("ip: \"v5\" is not one of \"v4\", \"v6\", \"any\""),
        "{}",
        run.stderr
    );
}

/// Durations as a person writes them: `--for 1d` and `remind_every = "1d"` are taken,
/// what vigia prints back parses again, and what overflows (a number, or a date past
/// what can be written at this run's time) is one line and exit 2 or 78, never a panic.
#[test]
fn durations_take_days_and_refuse_what_overflows() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(None, &[target("web", &site.url("/ok"))]);
    with_keys(&sb, "remind_every = \"1d\"\n", "");
    let now = ("VIGIA_NOW", "2026-12-01T21:00:00-03:00");
    let mute = |length: &str| sb.run_with_env(&["mute", "web", "--for", length], now.0, now.1);
    for (length, shown, until) in [
        ("1d", "1d", "2026-12-02 21:00:00 -03:00"),
        ("1d12h", "1d12h", "2026-12-03 09:00:00 -03:00"),
        ("90m", "1h30m", "2026-12-01 22:30:00 -03:00"),
        ("36h", "1d12h", "2026-12-03 09:00:00 -03:00"),
        ("2min30s", "2m30s", "2026-12-01 21:02:30 -03:00"),
    ] {
        let run = mute(length).expect(0);
        assert_eq!(
            run.stdout,
            format!("muted web for {shown} (until {until}): checks go on, nothing is sent\n"),
            "--for {length}"
        );
        // What was printed is a duration vigia takes, and means the same.
        let again = mute(shown).expect(0);
        assert_eq!(again.stdout, run.stdout, "--for {shown}");
    }
    let max = u64::MAX;
    let too_long = [
        "4294967295h".to_owned(),
        "3000000d".to_owned(),
        "72000000h".to_owned(),
        "4320000000m".to_owned(),
        "259200000000s".to_owned(),
        "259200000000000ms".to_owned(),
        format!("{max}ms"),
        format!("{max}s"),
        format!("{max}min"),
        format!("{max}h"),
        format!("{max}d"),
        format!("{}d", "9".repeat(30)),
    ];
    for length in &too_long {
        let run = mute(length).expect(2);
        assert_eq!(run.stderr, "vigia: --for is too long\n", "--for {length}");
    }
    let run = mute("1w").expect(2);
    assert_eq!(
        run.stderr,
        "vigia: --for \"1w\" is not a duration: write e.g. 30m, 2h, 1d\n"
    );
    assert_eq!(
        sb.checkpoint()["mutes"]["web"]["until"],
        "2026-12-01T21:02:30-03:00"
    );

    sb.write_config(None, &[target("web", &site.url("/ok"))]);
    with_keys(&sb, &format!("remind_every = \"{max}d\"\n"), "");
    let run = sb.run(&["check"]).expect(78);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("check.remind_every: is too long"),
        "{}",
        run.stderr
    );
}
