//! `vigia ack` (README "Acknowledging an outage"): during reminders, one ack message and
//! then no more reminders; the recovery still sent and the ack cleared with it; a later
//! outage reminded of again; refusals of targets that are not down; `--all`; who acked.

use std::fs;

use serde_json::{json, Value};

use crate::golden::{assert_whole, Placeholders};
use crate::{assert_last_sent, target, BotApi, Run, Sandbox, Site};

/// The sandbox config with `remind_every = "1h"`.
fn with_reminders(sb: &Sandbox) {
    sb.add_check_keys("remind_every = \"1h\"\n");
}

/// `seconds` after 2026-03-01 12:00 UTC, in RFC 3339.
fn at(seconds: i64) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap();
    (start + chrono::TimeDelta::seconds(seconds)).to_rfc3339()
}

/// Runs `args` at `seconds`, with more environment variables.
fn run_at(sb: &Sandbox, args: &[&str], seconds: i64, env: &[(&str, &str)]) -> Run {
    if args.first() == Some(&"check") {
        sb.kept_checking_until(&at(seconds));
    }
    let mut command = sb.command(args);
    command.env("VIGIA_NOW", at(seconds));
    command.envs(env.iter().copied());
    crate::run(command)
}

fn status_json(sb: &Sandbox, seconds: i64) -> Value {
    let run = run_at(sb, &["status", "--json"], seconds, &[]).expect(0);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn an_ack_during_reminders_stops_them_and_the_recovery_still_goes_out() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    with_reminders(&sb);
    let check = |seconds: i64, code: i32| {
        run_at(&sb, &["check"], seconds, &[]).expect(code);
    };
    site.set(503);
    check(0, 1);
    check(3_600, 1);
    assert_eq!(api.sent().len(), 2, "the alert and one reminder");

    let sudo = [("SUDO_USER", "ana")];
    let run = run_at(
        &sb,
        &["ack", "web", "--reason", "looking into it"],
        3_700,
        &sudo,
    )
    .expect(0);
    assert_eq!(
        run.stdout,
        "acknowledged web, by ana: no more reminders until the recovery; the next check tells the chat\n"
    );
    assert_eq!(api.sent().len(), 2, "queued, sent by the next check");
    assert_eq!(sb.outbox_len(), 1);
    assert_eq!(
        status_json(&sb, 3_710)["targets"][0]["ack"],
        json!({"by": "ana", "at": "2026-03-01T13:01:40+00:00", "reason": "looking into it"})
    );
    let text = run_at(&sb, &["status"], 3_710, &[]).expect(0).stdout;
    assert!(
        text.contains(
            "\nweb was acknowledged by ana at 2026-03-01 13:01:40 +00:00 (looking into it): \
             no reminders until it is UP again.\n"
        ),
        "{text}"
    );

    // Five hours more down: the ack goes out once, and not one reminder.
    for seconds in [3_760, 7_200, 7_300, 10_800, 14_400, 18_000, 21_600] {
        check(seconds, 1);
    }
    let sent = api.sent();
    assert_eq!(sent.len(), 3, "{sent:?}");
    let p = Placeholders::new();
    assert_whole(
        &p.apply(&sent[2]),
        "✅ ack: <b>web</b>, by <b>ana</b>: looking into it\n\
         No more reminders until it is UP again; the recovery is still sent.\n\
         2026-03-01 13:01:40 +00:00 on {host}",
    );

    site.set(200);
    check(21_700, 0);
    assert_last_sent(&api, 4, "🟢 <b>web</b> is UP again after 6h1m40s down");
    let after = status_json(&sb, 21_710);
    assert_eq!(after["targets"][0]["ack"], Value::Null, "{after:#}");
    assert_eq!(sb.checkpoint()["acks"], json!({}));

    // A new outage is not acknowledged: it is reminded of again.
    site.set(503);
    check(22_000, 1);
    check(25_600, 1);
    assert_last_sent(&api, 6, "⏰ <b>web</b> is still DOWN");
}

#[test]
fn only_a_target_that_is_down_is_acknowledged() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(
        Some(&api.url()),
        &[
            target("web", &site.url("/status/503")),
            target("api", &site.url("/ok")),
        ],
    );
    let never = run_at(&sb, &["ack", "web"], 0, &[]).expect(2);
    assert_eq!(
        never.stderr,
        "vigia: web was never checked: only a target that is down can be acknowledged\n"
    );
    run_at(&sb, &["check"], 10, &[]).expect(1);
    let up = run_at(&sb, &["ack", "api"], 20, &[]).expect(2);
    assert_eq!(
        up.stderr,
        "vigia: api is UP: only a target that is down can be acknowledged\n"
    );
    assert_eq!(up.stdout, "");
    // One of them up: neither is acknowledged.
    run_at(&sb, &["ack", "web", "api"], 20, &[]).expect(2);
    let unknown = run_at(&sb, &["ack", "nosuch"], 20, &[]).expect(2);
    assert!(
        unknown
            .stderr
            .starts_with("vigia: no target is named \"nosuch\" (configured: web, api)"),
        "{}",
        unknown.stderr
    );
    run_at(&sb, &["ack"], 20, &[]).expect(2);
    run_at(&sb, &["ack", "web", "--all"], 20, &[]).expect(2);
    assert_eq!(sb.checkpoint()["acks"], json!({}));
    run_at(&sb, &["check"], 30, &[]).expect(1);
    assert_eq!(api.sent().len(), 1, "only the alert: {:?}", api.sent());
}

#[test]
fn all_acknowledges_every_target_down_now_once() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(
        Some(&api.url()),
        &[
            target("web", &site.url("/status/503")),
            target("api", &site.url("/ok")),
            target("db", &site.url("/status/500")),
        ],
    );
    run_at(&sb, &["check"], 0, &[]).expect(1);
    let run = run_at(&sb, &["ack", "--all"], 10, &[("SUDO_USER", "ana")]).expect(0);
    assert_eq!(
        run.stdout,
        "acknowledged web, db, by ana: no more reminders until the recovery; the next check tells the chat\n"
    );
    let json = status_json(&sb, 20);
    let acked: Vec<&str> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["ack"].is_null())
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(acked, ["web", "db"]);
    assert_eq!(json["targets"][0]["ack"]["reason"], Value::Null);
    // Nothing left to take on: said so, nothing queued.
    let again = run_at(&sb, &["ack", "--all"], 30, &[]).expect(0);
    assert_eq!(
        again.stdout,
        "no target is down without an ack: nothing to acknowledge\n"
    );
    run_at(&sb, &["check"], 60, &[]).expect(1);
    assert_last_sent(&api, 2, "✅ ack: <b>web</b>, <b>db</b>, by <b>ana</b>\n");
}

#[test]
fn the_user_is_sudo_user_else_the_real_user_by_name() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(None, &[target("web", &site.url("/status/503"))]);
    run_at(&sb, &["check"], 0, &[]).expect(1);
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let real = String::from_utf8(id.stdout).unwrap().trim().to_owned();
    assert!(!real.is_empty());
    // An empty SUDO_USER and any USER are not taken: the name is looked up.
    let env = [("SUDO_USER", ""), ("USER", "mallory")];
    let run = run_at(&sb, &["ack", "web"], 10, &env).expect(0);
    // No [telegram]: nothing to tell a chat.
    assert_eq!(
        run.stdout,
        format!("acknowledged web, by {real}: no more reminders until the recovery\n")
    );
    assert_eq!(status_json(&sb, 20)["targets"][0]["ack"]["by"], real);
    assert_eq!(sb.outbox_len(), 0);
    run_at(&sb, &["ack", "web"], 30, &[("SUDO_USER", "ana")]).expect(0);
    assert_eq!(status_json(&sb, 40)["targets"][0]["ack"]["by"], "ana");
}

/// Root acks in a state the service (another user) owns: the run becomes the owner to
/// write it, but the ack names root, the user who ran it, not the owner.
#[test]
#[ignore = "needs root: CI runs it with --include-ignored"]
fn root_acks_in_the_services_state_under_its_own_name() {
    use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
    crate::assert_root();
    const NOBODY: u32 = 65534;
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    fs::set_permissions(sb.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(sb.state_path()).unwrap();
    chown(sb.state_path(), Some(NOBODY), Some(NOBODY)).unwrap();
    chown(sb.dir.path(), Some(NOBODY), Some(NOBODY)).unwrap();
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    with_reminders(&sb);
    chown(sb.config_path(), Some(NOBODY), Some(NOBODY)).unwrap();
    site.set(503);
    let as_service = |seconds: i64| {
        sb.kept_checking_until(&at(seconds));
        let mut command = sb.command_as(NOBODY, &["check"]);
        command.env("VIGIA_NOW", at(seconds));
        crate::run(command).expect(1);
    };
    as_service(0);
    run_at(&sb, &["ack", "web"], 10, &[]).expect(0); // as root, no sudo
    assert_eq!(
        fs::metadata(sb.state_path().join("state.json"))
            .unwrap()
            .uid(),
        NOBODY
    );
    assert_eq!(sb.checkpoint()["acks"]["web"]["by"], "root");
    as_service(3_600);
    as_service(7_200);
    let sent = api.sent();
    assert_eq!(
        sent.len(),
        2,
        "the alert and the ack, no reminder: {sent:?}"
    );
    assert!(
        sent[1].starts_with("✅ ack: <b>web</b>, by <b>root</b>\n"),
        "{}",
        sent[1]
    );
}
