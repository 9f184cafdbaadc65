//! Commands from the chat (`telegram.commands`): one getUpdates per `vigia check` run,
//! applied in the run's transaction, against the fake Bot API's queued updates.

use std::fs;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::golden::{assert_whole, Placeholders};
use crate::{closed_port_url, finish, target, BotApi, Reply, Run, Sandbox, Site};

/// The configured chat: a group, where strangers can write too.
const GROUP: i64 = -1005;
/// The user allowed to command.
const ANN: i64 = 42;

fn group() -> Value {
    json!({"id": GROUP, "type": "supergroup", "title": "Ops"})
}

/// A config with commands on, in the group, for Ann.
fn configure(sb: &Sandbox, api: &BotApi, targets: &[String]) {
    sb.write_config(Some(&api.url()), targets);
    let text = fs::read_to_string(sb.config_path()).unwrap().replacen(
        "chat_id = 42\n",
        &format!("chat_id = {GROUP}\ncommands = true\ncommands_from = [{ANN}]\n"),
        1,
    );
    sb.write_raw_config(&text);
}

fn check(sb: &Sandbox, now: &str) -> Run {
    sb.kept_checking_until(now);
    let mut command = sb.command(&["check", "--quiet"]);
    command
        .env("VIGIA_NOW", now)
        .env("JOURNAL_STREAM", "8:1234");
    crate::run(command)
}

/// The getUpdates calls so far.
fn polls(api: &BotApi) -> Vec<Value> {
    api.calls()
        .into_iter()
        .filter(|c| c.method == "getUpdates")
        .map(|c| c.body)
        .collect()
}

#[test]
fn an_allowed_mute_holds_in_this_run_and_the_next_runs_alert_is_held() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/switch"))]);
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    // A quiet run with commands on costs one request: that getUpdates, a short poll.
    assert_eq!(api.calls().len(), 1, "{:?}", api.calls());
    assert_eq!(
        polls(&api)[0],
        json!({"timeout": 0, "limit": 20, "allowed_updates": ["message"]})
    );

    let id = api.push_from(group(), ANN, "Ann", "/mute web 1h deploy <soon>");
    site.set(503);
    // Muted before the plan: this very run's outage says nothing.
    let run = check(&sb, "2026-03-01T12:01:00Z").expect(1);
    assert_eq!(
        api.sent(),
        ["🔇 web muted for 1h by Ann: deploy &lt;soon&gt;"],
        "{run:?}"
    );
    assert_eq!(polls(&api)[1]["offset"], Value::Null);
    let cp = sb.checkpoint();
    assert_eq!(cp["mutes"]["web"]["reason"], "deploy <soon>");
    assert_eq!(cp["mutes"]["web"]["until"], "2026-03-01T13:01:00Z");
    assert_eq!(cp["update_offset"], id + 1);

    // The next run confirms the update by its offset and sends nothing about web.
    site.set(200);
    check(&sb, "2026-03-01T12:02:00Z").expect(0);
    site.set(503);
    check(&sb, "2026-03-01T12:03:00Z").expect(1);
    assert_eq!(api.sent().len(), 1, "{:?}", api.sent());
    assert_eq!(polls(&api).len(), 4, "one getUpdates per run");
    assert_eq!(polls(&api)[2]["offset"], id + 1);
    assert_eq!(api.pending_updates(), 0);
}

#[test]
fn an_ack_from_the_chat_stops_the_reminders_and_the_recovery_is_still_sent() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/switch"))]);
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    api.push_from(group(), ANN, "Ann", "/ack web");
    check(&sb, "2026-03-01T12:01:00Z").expect(0);
    assert_eq!(api.sent(), ["web: nothing down to acknowledge"]);
    site.set(503);
    check(&sb, "2026-03-01T12:02:00Z").expect(1);
    api.push_from(group(), ANN, "Ann", "/ack all disk <swap>");
    check(&sb, "2026-03-01T12:03:00Z").expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[2], "👍 web acknowledged by Ann: disk &lt;swap&gt;");
    let cp = sb.checkpoint();
    assert_eq!(cp["acks"]["web"]["by"], "Ann");
    site.set(200);
    check(&sb, "2026-03-01T12:04:00Z").expect(0);
    let sent = api.sent();
    assert!(sent[3].contains("is UP again"), "{sent:?}");
    assert_eq!(sb.checkpoint()["acks"], json!({}));
}

#[test]
fn status_says_what_is_not_settled_yet() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/switch"))]);
    sb.add_check_keys("confirm = 2\n");
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    site.set(503);
    api.push_from(group(), ANN, "Ann", "/status");
    check(&sb, "2026-03-01T12:01:00Z").expect(1);
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].contains("\n🟢 web UP since 2026-03-01 12:00:00 +00:00 · ⏳ DOWN? 1 of 2 checks"),
        "{}",
        sent[0]
    );
}

#[test]
fn status_and_check_replies_are_compared_whole() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let down = closed_port_url();
    configure(
        &sb,
        &api,
        &[target("web", &site.url("/ok")), target("db", &down)],
    );
    check(&sb, "2026-03-01T12:00:00Z").expect(1);
    api.push_from(group(), ANN, "Ann", "/mute db 2h");
    check(&sb, "2026-03-01T12:01:00Z").expect(1);
    api.push_from(group(), ANN, "Ann", "/status");
    api.push_from(group(), ANN, "Ann", "/check@vigia_test_bot");
    api.push_from(group(), ANN, "Ann", "/help");
    check(&sb, "2026-03-01T12:05:30Z").expect(1);
    let p = Placeholders::new()
        .with(&site.url("/ok"), "site")
        .with(&down, "down");
    let sent = api.sent();
    assert_eq!(sent.len(), 5, "{sent:#?}");
    assert_whole(
        &p.apply(&sent[2..].join("\n--\n")),
        "vigia on {host} answers within a minute:\n\
         /status each target's state and since when\n\
         /check the results of this check\n\
         /mute &lt;target|all&gt; [duration] [reason]: send nothing about it\n\
         /unmute &lt;target|all&gt;: send alerts again\n\
         /ack &lt;target|all&gt; [reason]: acknowledge an outage\n\
         /help this list\n\
         --\n\
         📋 vigia on {host}, 2026-03-01 12:05:30 +00:00: 1/2 up\n\
         🟢 web UP since 2026-03-01 12:00:00 +00:00\n\
         🔴 db DOWN since 2026-03-01 12:00:00 +00:00, for 5m30s · 🔇 muted until 2026-03-01 14:01:00 +00:00\n\
         --\n\
         🔎 check on {host}, 2026-03-01 12:05:30 +00:00: 1/2 up\n\
         🟢 web UP: HTTP 200 in {ms} ms\n\
         🔴 db DOWN: connection refused",
    );
    // The bot's name was asked once, for the command that named it, and is kept.
    let asked = |api: &BotApi| api.calls().iter().filter(|c| c.method == "getMe").count();
    assert_eq!(asked(&api), 1);
    api.push_from(group(), ANN, "Ann", "/help@vigia_test_bot");
    check(&sb, "2026-03-01T12:06:00Z").expect(1);
    assert_eq!((asked(&api), api.sent().len()), (1, 6));
}

#[test]
fn strangers_other_chats_other_bots_and_channel_posts_are_ignored_without_a_word() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/ok"))]);
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    api.push_from(group(), 666, "Eve", "/mute web secret-words");
    api.push_from(
        json!({"id": -1006, "type": "group", "title": "Other"}),
        ANN,
        "Ann",
        "/mute web secret-words",
    );
    api.push_from(group(), ANN, "Ann", "/mute@other_bot web secret-words");
    let last = api.push_update(|id| {
        json!({"channel_post": {"message_id": id, "chat": {"id": GROUP, "type": "channel", "title": "Ops"}, "date": 0, "text": "/mute web secret-words"}})
    });
    let run = check(&sb, "2026-03-01T12:01:00Z").expect(0);
    assert_whole(
        &run.stdout,
        "<5>ignored a command from user 666 in chat -1005: not in telegram.commands_from\n\
         <5>ignored a command from user 42 in chat -1006: not the configured chat\n",
    );
    assert!(!run.stdout.contains("secret") && !run.stderr.contains("secret"));
    assert!(api.sent().is_empty());
    let cp = sb.checkpoint();
    assert_eq!(cp["mutes"], json!({}));
    assert_eq!(cp["update_offset"], last + 1);
    // Another bot's command was never taken for ours, even without knowing our name.
    assert!(api
        .calls()
        .iter()
        .all(|c| c.method == "getUpdates" || c.method == "getMe"));
}

#[test]
fn an_update_is_handled_once_across_killed_runs() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/ok"))]);
    check(&sb, "2026-03-01T12:00:00Z").expect(0);

    // Killed before the commit (while probing): nothing of the command is kept, and the
    // next run reads it again from the same offset.
    let hanging = fs::read_to_string(sb.config_path())
        .unwrap()
        .replace("/ok", "/hang")
        .replace("timeout = \"300ms\"", "timeout = \"9s\"");
    let config = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&hanging);
    api.push_from(group(), ANN, "Ann", "/mute web 1h");
    let run = spawn(&sb, "2026-03-01T12:01:00Z");
    assert!(api.wait_for("getUpdates", 2, Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(100));
    kill(run);
    assert_eq!(sb.checkpoint()["mutes"], json!({}));
    sb.write_raw_config(&config);

    // Killed after the commit (Telegram holds the reply): the mute and the offset are
    // kept together; the next run sends the queued reply and reads nothing twice.
    api.script("sendMessage", [Reply::Hang]);
    let run = spawn(&sb, "2026-03-01T12:02:00Z");
    assert!(api.wait_for("sendMessage", 1, Duration::from_secs(5)));
    kill(run);
    let cp = sb.checkpoint();
    assert!(cp["mutes"]["web"].is_object(), "{cp}");
    assert_eq!(cp["queue"].as_array().map(Vec::len), Some(1));

    check(&sb, "2026-03-01T12:03:00Z").expect(0);
    check(&sb, "2026-03-01T12:04:00Z").expect(0);
    assert_eq!(api.sent(), ["🔇 web muted for 1h by Ann"]);
    assert_eq!(
        sb.checkpoint()["mutes"]["web"]["since"],
        "2026-03-01T12:02:00Z"
    );
}

fn spawn(sb: &Sandbox, now: &str) -> std::process::Child {
    let mut command: Command = sb.command(&["check", "--quiet"]);
    command.env("VIGIA_NOW", now);
    command.spawn().unwrap()
}

fn kill(mut child: std::process::Child) {
    child.kill().unwrap();
    let run = finish(child);
    assert_eq!(run.code, -1, "the run ended before it was killed: {run:?}");
}

#[test]
fn a_conflict_turns_commands_off_for_the_run_and_the_check_still_alerts() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/switch"))]);
    api.poll_elsewhere(true);
    let run = check(&sb, "2026-03-01T12:00:00Z").expect(0);
    assert_whole(
        &run.stderr,
        "<4>warning: commands from the chat are not read this run: another program reads this bot's updates (409: only one may; stop it, or set telegram.commands = false); the check goes on\n",
    );
    site.set(503);
    api.set_webhook("https://example.com/hook");
    let run = check(&sb, "2026-03-01T12:01:00Z").expect(1);
    assert_eq!(run.stderr, "", "one warning per episode");
    assert_eq!(api.sent().len(), 1);
    assert!(api.sent()[0].contains("web</b> is DOWN"));

    // The episode ends: said once, and commands are read again.
    api.poll_elsewhere(false);
    api.set_webhook("");
    api.push_from(group(), ANN, "Ann", "/unmute web");
    let run = check(&sb, "2026-03-01T12:02:00Z").expect(1);
    assert_whole(&run.stdout, "<5>commands from the chat are read again\n");
    assert_eq!(api.sent()[1], "web is not muted");
}

#[test]
fn update_ids_that_restart_lower_are_new_not_old() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/ok"))]);
    check(&sb, "2026-03-01T11:59:00Z").expect(0);
    let id = api.push_from(group(), ANN, "Ann", "/mute web");
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    assert_eq!(sb.checkpoint()["update_offset"], id + 1);
    // A quiet week later Telegram numbers from a random, lower value.
    api.restart_update_ids(5);
    let low = api.push_from(group(), ANN, "Ann", "/unmute all");
    assert!(low < id);
    check(&sb, "2026-03-08T12:00:00Z").expect(0);
    check(&sb, "2026-03-08T12:01:00Z").expect(0);
    assert_eq!(
        api.sent(),
        ["🔇 web muted until /unmute by Ann", "🔔 web unmuted by Ann"]
    );
    assert_eq!(sb.checkpoint()["update_offset"], low + 1);
    assert_eq!(api.pending_updates(), 0);
}

#[test]
fn with_commands_off_a_quiet_run_makes_no_request() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/ok"))]);
    api.push_from(group(), ANN, "Ann", "/status");
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    check(&sb, "2026-03-01T12:01:00Z").expect(0);
    assert!(api.calls().is_empty());
    assert_eq!(api.pending_updates(), 1);
}

#[test]
fn after_the_group_became_a_supergroup_commands_come_from_the_new_chat() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("db", &closed_port_url())]);
    api.script(
        "sendMessage",
        [Reply::Error(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            json!({"migrate_to_chat_id": -1009876}),
        )],
    );
    check(&sb, "2026-03-01T12:00:00Z").expect(1);
    let supergroup = json!({"id": -1009876, "type": "supergroup", "title": "Ops"});
    api.push_from(group(), ANN, "Ann", "/unmute db");
    api.push_from(supergroup, ANN, "Ann", "/unmute db");
    let run = check(&sb, "2026-03-01T12:01:00Z").expect(1);
    assert_whole(
        &run.stdout,
        "<5>ignored a command from user 42 in chat -1005: not the configured chat\n",
    );
    let last = api.calls().into_iter().last().unwrap();
    assert_eq!(
        (last.body["chat_id"].clone(), last.body["text"].clone()),
        (json!(-1009876), json!("db is not muted"))
    );
}

#[test]
fn help_speaks_the_configured_language() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    configure(&sb, &api, &[target("web", &site.url("/ok"))]);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&text.replacen(
        "commands = true\n",
        "commands = true\nlanguage = \"pt-BR\"\n",
        1,
    ));
    api.push_from(group(), ANN, "Ann", "/help");
    api.push_from(group(), ANN, "Ann", "/mute web 2h deploy");
    check(&sb, "2026-03-01T12:00:00Z").expect(0);
    let sent = api.sent();
    assert!(
        sent[0].starts_with("o vigia em ") && sent[0].contains("\n/status o estado de cada alvo"),
        "{sent:?}"
    );
    assert_eq!(sent[1], "🔇 Ann silenciou web por 2h: deploy");
}
