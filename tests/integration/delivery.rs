//! The delivery guarantees (README "Delivery guarantees"), proven by torture rather than
//! by one example: SIGKILL at random points, a full disk, a closed or full standard
//! output, a rotated log, a message Telegram refuses for good, answers without end.

use std::fs;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::{finish, target, wait_bounded, BotApi, Reply, Sandbox, Site};

/// A tiny seeded generator (xorshift): the same kills on every run of the test.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The status the site answers in run `i` (< 400): runs alternate down (400-599) and up
/// (200-399, all accepted), and every run's code is its own, so each logged transition
/// names the run it came from.
fn code_of_run(i: u64) -> u16 {
    assert!(i < 400, "codes would repeat");
    if i.is_multiple_of(2) {
        400 + (i / 2) as u16
    } else {
        200 + (i / 2) as u16
    }
}

/// The status code in a log line or an alert (`HTTP 437`).
fn code_in(text: &str) -> Option<u16> {
    let at = text.find("HTTP ")? + 5;
    text.get(at..at + 3)?.parse().ok()
}

/// Whether `text` names `HTTP <code>` (not a longer number).
fn names_code(text: &str, code: u16) -> bool {
    let needle = format!("HTTP {code}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// One target "web" at the site's `/switch`, up for every status below 400: each run
/// can bring a transition of its own (a new status each time, 2xx/3xx up, others down).
fn watch_any_status_below_400(site: &Site, api: &BotApi, sb: &Sandbox) {
    let up_codes: Vec<String> = (200..400).map(|c| c.to_string()).collect();
    sb.write_config(
        Some(&api.url()),
        &[format!(
            "{}\nexpect_status = [{}]",
            target("web", &site.url("/switch")),
            up_codes.join(", ")
        )],
    );
}

#[test]
fn crash_torture_loses_no_alert_and_doubles_only_what_was_in_flight() {
    const RUNS: u64 = 300;
    const KILLS: u64 = 100;
    const MAX_RUNS: u64 = 400; // code_of_run's codes stay unique up to here
    const MAX_TIME: Duration = Duration::from_secs(300);
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    watch_any_status_below_400(&site, &api, &sb);
    // How long a run with a transition takes here, to spread the kills over it.
    site.set(200);
    sb.run(&["check"]).expect(0);
    let mut lengths = Vec::new();
    for code in [590, 390, 591, 391] {
        site.set(code);
        lengths.push(sb.run(&["check"]).elapsed);
    }
    let mean = lengths.iter().sum::<Duration>() / 4;
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut kills = 0;
    let mut killed_epochs = std::collections::HashSet::new();
    // How many kills land in flight depends on the machine's speed (a loaded machine
    // measures a longer mean, and more runs end before their kill): go on until KILLS
    // landed, bounded in runs and time, so what is proven does not depend on luck. A
    // run that ended before its kill shrinks the spread of the next kill points (a mean
    // measured while the machine was busier), one that was killed widens it back: at
    // rest, about 5 in 8 runs are killed, as when the mean is right.
    let started = std::time::Instant::now();
    let mut scale = 1.0_f64;
    let mut runs = 0;
    while runs < RUNS || (kills < KILLS && runs < MAX_RUNS && started.elapsed() < MAX_TIME) {
        let i = runs;
        runs += 1;
        let epoch = i + 1;
        api.set_epoch(epoch);
        site.set(code_of_run(i));
        let mut child = sb.command(&["check"]).spawn().unwrap();
        let delay = mean.mul_f64(scale * (rng.next() % 1600) as f64 / 1000.0);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
            killed_epochs.insert(epoch);
            scale = (scale * 1.03).min(1.0);
        } else {
            scale = (scale * 0.95).max(0.1);
        }
        finish(child);
    }
    // Clean runs in the last state: whatever was left queued goes out.
    api.set_epoch(0);
    for _ in 0..3 {
        sb.run(&["check"]);
    }

    let log = fs::read_to_string(sb.log_path()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let sent = api.sent_with_epoch();
    let (mut lost, mut doubled, mut transitions) = (0, 0, 0);
    let mut previous_state = None;
    for (n, line) in lines.iter().enumerate() {
        let state = line.split(' ').nth(1).unwrap();
        assert_ne!(
            Some(state),
            previous_state,
            "a doubled transition at line {n}: {log}"
        );
        previous_state = Some(state);
        if n == 0 && state == "ONLINE" {
            continue; // a first ONLINE is logged, not alerted
        }
        transitions += 1;
        let code = code_in(line).unwrap_or_else(|| panic!("no status code in {line}"));
        let carrying: Vec<u64> = sent
            .iter()
            .filter(|(text, _)| names_code(text, code))
            .map(|(_, epoch)| *epoch)
            .collect();
        match carrying.len() {
            0 => lost += 1,
            1 => {}
            n => {
                doubled += n - 1;
                // A double is the price of a kill after Telegram accepted a request and
                // before the run could record it: only then is it allowed.
                assert!(
                    carrying[..n - 1].iter().all(|e| killed_epochs.contains(e)),
                    "HTTP {code} sent {n} times, epochs {carrying:?}, not after kills\n{:#?}\n{log}",
                    api.calls().iter().filter(|c| c.method == "sendMessage").map(|c| (c.epoch, c.body.get("accepted").is_some(), c.body["text"].as_str().unwrap_or("").chars().take(60).collect::<String>())).collect::<Vec<_>>()
                );
            }
        }
    }
    // Nothing alerted that the log does not hold.
    for (text, _) in &sent {
        if let Some(code) = code_in(text) {
            assert!(
                lines.iter().any(|l| names_code(l, code)),
                "alert for HTTP {code} without its log line"
            );
        }
    }
    let leftovers: Vec<String> = fs::read_dir(sb.state_path())
        .unwrap()
        .chain(fs::read_dir(sb.dir.path()).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    eprintln!(
        "crash torture: {runs} runs, {kills} killed (SIGKILL at 0-160% of a {mean:?} run, \
         the spread scaled to {scale:.2} at the end), \
         {transitions} alerted transitions logged, {} messages accepted, {lost} lost, {doubled} doubled",
        sent.len()
    );
    assert!(
        kills >= KILLS,
        "only {kills} of {runs} runs were killed in flight in {:?}",
        started.elapsed()
    );
    assert_eq!(lost, 0, "transitions logged without their alert\n{log}");
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn a_closed_or_full_standard_output_loses_nothing() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    site.set(200);
    sb.run(&["check"]).expect(0);

    // `vigia check | true`: the reader is gone before anything is printed.
    site.set(503);
    let mut closed = sb.command(&["check"]);
    let mut child = closed.spawn().unwrap();
    drop(child.stdout.take());
    let run = finish(child).expect(1);
    assert_eq!(api.sent().len(), 1, "{}", run.stderr);
    assert_eq!(sb.log_lines().len(), 2);

    // `vigia check >/dev/full`: said on standard error, nothing lost.
    site.set(200);
    let mut full = sb.command(&["check"]);
    full.stdout(Stdio::from(fs::File::create("/dev/full").unwrap()));
    let run = crate::run(full).expect(0);
    assert!(
        run.stderr
            .contains("could not write to standard output: No space left on device"),
        "{}",
        run.stderr
    );
    assert_eq!(api.sent().len(), 2);
    assert!(api.sent()[1].contains("is UP again"));
    assert_eq!(sb.log_lines().len(), 3);
}

#[test]
fn rotating_the_log_loses_no_state_and_invents_no_alert() {
    for how in ["move", "copytruncate", "delete"] {
        let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
        sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
        site.set(200);
        sb.run(&["check"]).expect(0);
        site.set(503);
        sb.run(&["check"]).expect(1);
        assert_eq!(api.sent().len(), 1);
        let rotated = sb.path("vigia.log.1");
        match how {
            "move" => fs::rename(sb.log_path(), &rotated).unwrap(),
            "copytruncate" => {
                fs::copy(sb.log_path(), &rotated).unwrap();
                fs::OpenOptions::new()
                    .write(true)
                    .open(sb.log_path())
                    .unwrap()
                    .set_len(0)
                    .unwrap();
            }
            _ => fs::remove_file(sb.log_path()).unwrap(),
        }
        // Still down: nothing new to log or say; status still knows.
        sb.run(&["check"]).expect(1);
        assert_eq!(
            api.sent().len(),
            1,
            "{how}: a still-down target alerted again"
        );
        assert!(sb.log_lines().is_empty(), "{how}: {:?}", sb.log_lines());
        let status: serde_json::Value =
            serde_json::from_str(&sb.run(&["status", "--json"]).expect(0).stdout).unwrap();
        assert_eq!(status["targets"][0]["state"], "OFFLINE", "{how}");
        let since = status["targets"][0]["since"].as_str().unwrap().to_owned();
        let kept = sb.checkpoint()["targets"]["web"]["at"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(since[..19], kept[..19], "{how}: the state since the outage");
        // The recovery is a recovery, with how long it was down.
        site.set(200);
        sb.run(&["check"]).expect(0);
        assert_eq!(api.sent().len(), 2, "{how}");
        assert!(api.sent()[1].contains("is UP again after"), "{how}");
        let lines = sb.log_lines();
        assert_eq!(lines.len(), 1, "{how}: {lines:?}");
        assert!(lines[0].contains(" ONLINE web ") && lines[0].contains(" down"));
    }
}

/// A DOWN and its UP queue up while Telegram answers 502 (the site at `/switch`).
fn two_alerts_queued(site: &Site, api: &BotApi, sb: &Sandbox) {
    site.set(200);
    sb.run(&["check"]).expect(0);
    let down = Reply::Error(502, "Bad Gateway", json!({}));
    api.script("sendMessage", [down.clone(), down]);
    site.set(503);
    sb.run(&["check"]).expect(1);
    site.set(200);
    sb.run(&["check"]).expect(0);
    assert_eq!(sb.outbox_len(), 2);
}

#[test]
fn a_refused_message_is_tried_as_plain_text_then_set_aside_and_the_queue_goes_on() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    two_alerts_queued(&site, &api, &sb);
    // The first is refused, as HTML and as plain text; the second goes out anyway.
    let refused = "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3";
    api.script(
        "sendMessage",
        [
            Reply::Error(400, refused, json!({})),
            Reply::Error(400, refused, json!({})),
        ],
    );
    let run = sb.run(&["check"]).expect(0);
    assert!(
        run.stderr.contains("message 1 was set aside"),
        "{}",
        run.stderr
    );
    assert_eq!(api.sent().len(), 1);
    assert!(api.sent()[0].contains("is UP again"));
    let plain = api
        .calls()
        .into_iter()
        .filter(|c| c.method == "sendMessage")
        .nth(3)
        .unwrap();
    assert_eq!(
        plain.body.get("parse_mode"),
        None,
        "the second try is plain text"
    );
    assert!(plain.body["text"]
        .as_str()
        .unwrap()
        .starts_with("🔴 web is DOWN"));

    let status = sb.run(&["status"]).expect(0).stdout;
    assert!(
        status.contains("Set aside: 1 message(s) Telegram refused for good"),
        "{status}"
    );
    let listed = sb.run(&["outbox"]).expect(0).stdout;
    assert!(
        listed.contains("Set aside") && listed.contains("   1  "),
        "{listed}"
    );
    assert!(listed.contains("🔴 web is DOWN"), "{listed}");
    // Retried by hand, it goes out with the next check.
    sb.run(&["outbox", "--retry", "1"]).expect(0);
    sb.run(&["check"]).expect(0);
    assert_eq!(api.sent().len(), 2);
    assert!(api.sent()[1].starts_with("🔴 <b>web</b> is DOWN"));
    assert!(sb.run(&["outbox"]).expect(0).stdout.contains("empty"));
    sb.run(&["outbox", "--drop", "1"]).expect(2);
}

#[test]
fn html_refused_once_goes_out_as_plain_text() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/status/503"))]);
    api.script(
        "sendMessage",
        [Reply::Error(
            400,
            "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3",
            json!({}),
        )],
    );
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr
            .contains("refused the formatting of message 1; it was sent again as plain text"),
        "{}",
        run.stderr
    );
    assert_eq!(api.sent().len(), 1);
    assert!(api.sent()[0].starts_with("🔴 web is DOWN: HTTP 503"));
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn a_part_telegram_finds_too_long_is_split_smaller_not_blamed_on_its_formatting() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/status/503"))]);
    let too_long = Reply::Error(400, "Bad Request: message is too long", json!({}));
    api.script("sendMessage", [too_long]);
    let run = sb.run(&["check"]).expect(1);
    assert!(!run.stderr.contains("formatting"), "{}", run.stderr);
    let sent = api.sent();
    assert!(sent.len() >= 2, "{sent:?}");
    // Still HTML, and the whole alert: the parts joined are the words of the one.
    let calls = api.calls();
    assert!(calls.iter().all(|c| c.body["parse_mode"] == "HTML"));
    // Cut between lines: the parts joined by newlines are the alert.
    assert_eq!(sent.join("\n"), calls[0].body["text"].as_str().unwrap());
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn a_3xx_that_says_ok_is_not_delivered() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/status/503"))]);
    api.script(
        "sendMessage",
        [Reply::Raw(
            302,
            "location: http://127.0.0.1:9/\r\n",
            json!({"ok": true, "result": {"message_id": 1}}),
        )],
    );
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr
            .contains("HTTP 302 with \"ok\": true, not a Bot API answer (check telegram.api_url)"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.outbox_len(), 1, "a redirect is not a delivery");
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 1);
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn a_destination_problem_keeps_everything_queued_in_order() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    site.set(200);
    sb.run(&["check"]).expect(0);
    let blocked = Reply::Error(403, "Forbidden: bot was blocked by the user", json!({}));
    api.script("sendMessage", [blocked.clone(), blocked]);
    site.set(503);
    sb.run(&["check"]).expect(1);
    site.set(200);
    let run = sb.run(&["check"]).expect(0);
    assert!(run.stderr.contains("unblock it"), "{}", run.stderr);
    assert_eq!(sb.outbox_len(), 2);
    assert!(sb.checkpoint()["set_aside"].as_array().unwrap().is_empty());
    sb.run(&["check"]).expect(0);
    let sent = api.sent();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].contains("is DOWN") && sent[1].contains("is UP again"));
}

#[test]
fn absurd_retry_after_neither_panics_nor_waits() {
    for retry_after in [json!(9_223_372_036_854_775_808u64), json!(86_400)] {
        let (api, sb) = (BotApi::start(), Sandbox::new());
        sb.write_config(
            Some(&api.url()),
            &[target("web", &crate::closed_port_url())],
        );
        api.script(
            "sendMessage",
            [Reply::Error(
                429,
                "Too Many Requests: retry after a while",
                json!({"retry_after": retry_after}),
            )],
        );
        let run = sb.run(&["check"]).expect(1);
        assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
        assert!(run.stderr.contains("slow down (429)"), "{}", run.stderr);
        assert_eq!(sb.outbox_len(), 1);
        sb.run(&["check"]).expect(1);
        assert_eq!(api.sent().len(), 1);
    }
}

#[test]
fn an_endless_bot_api_answer_is_cut_with_bounded_memory() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(
        Some(&api.url()),
        &[target("web", &crate::closed_port_url())],
    );
    api.script("sendMessage", [Reply::Endless]);
    let child = sb.command(&["check"]).spawn().unwrap();
    let (run, max_rss_kib) = crate::finish_with_rusage(child);
    let run = run.expect(1);
    assert!(
        run.stderr.contains("an answer longer than 1024 KiB"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.outbox_len(), 1);
    eprintln!("endless Bot API answer: peak RSS {max_rss_kib} KiB");
    assert!(max_rss_kib < 64 * 1024, "peak RSS {max_rss_kib} KiB");
}

#[test]
fn a_fifo_at_the_log_path_is_refused_at_once() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(None, &[target("web", &site.url("/ok"))]);
    let path = std::ffi::CString::new(sb.log_path().to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let want = format!(
        "vigia: cannot read the log {}: is a FIFO, not a regular file\n",
        sb.log_path().display()
    );
    for args in [&["check"][..], &["check", "--dry-run"], &["status"]] {
        let started = Instant::now();
        let run = sb.run(args).expect(74);
        assert_eq!(run.stderr, want, "{args:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn send_says_which_parts_were_delivered() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[]);
    api.script(
        "sendMessage",
        [
            Reply::Ok(json!({"message_id": 1})),
            Reply::Error(502, "Bad Gateway", json!({})),
        ],
    );
    let long = "word ".repeat(1000);
    let run = sb.run(&["send", &long]).expect(1);
    assert_eq!(
        run.stderr,
        "vigia: parts 1 to 1 of 2 were delivered; part 2 and after were not: Telegram had a server error (502 Bad Gateway)\n"
    );
    assert!(!run.stderr.contains("retried"));
    let run = sb.run(&["send", &long]).expect(0);
    assert_eq!(run.stdout, "sent to chat 42 in 2 parts\n");
}

#[test]
fn a_target_that_cannot_fit_the_run_is_a_config_error() {
    let sb = Sandbox::new();
    sb.write_config(
        None,
        &[format!(
            "{}\ntimeout = \"20s\"\nattempts = 3",
            target("web", "http://127.0.0.1:9/")
        )],
    );
    let run = sb.run(&["check"]).expect(78);
    assert!(
        run.stderr.contains("target \"web\": timeout, attempts, retry_delay: attempts × timeout + (attempts − 1) × retry_delay = 1m"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_old_outbox_is_taken_over_and_delivered_once() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/ok"))]);
    let outbox = sb.state_path().join("outbox");
    fs::create_dir_all(&outbox).unwrap();
    for (name, text) in [
        ("00000000000000000001-0000-7.json", "old one"),
        ("00000000000000000002-0000-7.json", "old two"),
    ] {
        let body = json!({"created": "2026-11-24T23:22:23-03:00", "text": text, "attempts": 3});
        fs::write(outbox.join(name), body.to_string()).unwrap();
    }
    fs::write(
        sb.log_path(),
        "2026-11-24T23:00:00-03:00 ONLINE web HTTP 200 in 3 ms\n",
    )
    .unwrap();
    sb.run(&["check"]).expect(0);
    assert_eq!(api.sent(), ["old one", "old two"]);
    assert!(!outbox.exists());
    sb.run(&["check"]).expect(0);
    assert_eq!(api.sent().len(), 2);
    assert_eq!(
        sb.log_lines().len(),
        1,
        "the log's state was taken over: no new line"
    );
}

/// A small tmpfs mounted for one test, unmounted when dropped.
pub struct SmallDisk(pub std::path::PathBuf);

impl SmallDisk {
    pub fn mount(at: std::path::PathBuf, size: &str) -> SmallDisk {
        fs::create_dir_all(&at).unwrap();
        let status = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(&at)
            .status()
            .unwrap();
        assert!(status.success(), "mount a tmpfs at {}", at.display());
        SmallDisk(at)
    }

    /// Fills the disk to the last byte; returns the filler to remove.
    pub fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.0.join("filler");
        let mut file = fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 4096];
        while file.write_all(&chunk).is_ok() {}
        while file.write_all(&chunk[..1]).is_ok() {}
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[ignore = "needs root (mounts a small tmpfs): CI runs it with --include-ignored"]
fn a_full_disk_records_nothing_by_half_and_every_alert_goes_out_once_space_returns() {
    crate::assert_root();
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let disk = SmallDisk::mount(sb.path("disk"), "256k");
    let (log, state) = (disk.0.join("vigia.log"), disk.0.join("state"));
    let config = |log: &std::path::Path, state: &std::path::Path| {
        format!(
            "[telegram]\ntoken = \"{}\"\nchat_id = 42\napi_url = \"{}\"\ntimeout = \"500ms\"\n\
             [check]\ntimeout = \"300ms\"\nattempts = 1\nlog_file = \"{}\"\nstate_dir = \"{}\"\n\
             [[target]]\n{}\n[[target]]\n{}\n",
            crate::TOKEN,
            api.url(),
            log.display(),
            state.display(),
            target("a", &site.url("/switch")),
            target("b", &site.url("/switch"))
        )
    };
    sb.write_raw_config(&config(&log, &state));
    site.set(200);
    sb.run(&["check"]).expect(0);
    let (log_before, state_before) = (
        fs::read(&log).unwrap(),
        fs::read(state.join("state.json")).unwrap(),
    );

    // Log and state on the full disk: nothing is recorded, not even by half.
    let filler = disk.fill();
    site.set(503);
    let run = sb.run(&["check"]).expect(74);
    assert!(
        run.stderr.contains(&format!(
            "cannot write the state {}/state.json: No space left on device",
            state.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read(&log).unwrap(), log_before);
    assert_eq!(fs::read(state.join("state.json")).unwrap(), state_before);
    let leftovers: Vec<_> = fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !leftovers
            .iter()
            .any(|n| n.to_string_lossy().ends_with(".tmp")),
        "{leftovers:?}"
    );
    assert!(api.sent().is_empty());
    sb.run(&["status"]).expect(0);

    // Space returns: both alerts, in one message, once.
    fs::remove_file(filler).unwrap();
    sb.run(&["check"]).expect(1);
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 1);
    assert!(
        api.sent()[0].contains("<b>a</b> is DOWN") && api.sent()[0].contains("<b>b</b> is DOWN")
    );
    assert_eq!(fs::read_to_string(&log).unwrap().lines().count(), 4);

    // Only the log's disk is full (the state is elsewhere): the alert is recorded and
    // delivered, the run says 74, and the line is appended once space returns.
    let state = sb.path("state-elsewhere");
    sb.write_raw_config(&config(&log, &state));
    site.set(200);
    sb.run(&["check"]).expect(0); // takes the states over from the log
    assert_eq!(api.sent().len(), 2);
    // The log ends exactly at a page boundary: the next line needs a page of its own.
    let size = fs::metadata(&log).unwrap().len();
    let pad = 4096 - (size % 4096) - 1;
    let mut padded = fs::read(&log).unwrap();
    padded.extend(std::iter::repeat_n(b'#', pad as usize));
    padded.push(b'\n');
    fs::write(&log, padded).unwrap();
    let filler = disk.fill();
    site.set(503);
    let run = sb.run(&["check"]).expect(74);
    assert!(
        run.stderr.contains(&format!(
            "cannot write the log {}: No space left on device",
            log.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        api.sent().len(),
        3,
        "the alert is delivered even though the log is full"
    );
    fs::remove_file(filler).unwrap();
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 3);
    let text = fs::read_to_string(&log).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.contains(" OFFLINE ")).count(),
        4,
        "{text}"
    );
}

/// `vigia --config <sandbox config> ARGS`, to run in a mount namespace of its own where
/// /etc/resolv.conf says `resolv_conf` (the sandbox's environment, piped output).
pub fn resolv_conf_command(sb: &Sandbox, resolv_conf: &str, args: &str) -> std::process::Command {
    let resolv = sb.path("resolv.conf");
    fs::write(&resolv, resolv_conf).unwrap();
    let inner = format!(
        "mount --bind {} /etc/resolv.conf && exec {} --config {} {args}",
        resolv.display(),
        env!("CARGO_BIN_EXE_vigia"),
        sb.config_path().display()
    );
    let mut isolated = std::process::Command::new("unshare");
    isolated.args(["--mount", "sh", "-c", &inner]).env_clear();
    for (k, v) in sb.command_bare(&[]).get_envs() {
        if let Some(v) = v {
            isolated.env(k, v);
        }
    }
    isolated
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    isolated
}

/// Runs [`resolv_conf_command`].
fn with_resolv_conf(sb: &Sandbox, resolv_conf: &str, args: &str) -> crate::Run {
    crate::run(resolv_conf_command(sb, resolv_conf, args))
}

#[test]
#[ignore = "needs root (a mount namespace with its own resolv.conf): CI runs it with --include-ignored"]
fn a_resolver_that_never_answers_keeps_neither_the_process_nor_the_lock() {
    crate::assert_root();
    // A name server on loopback that reads nothing and answers nothing.
    // A loopback address of this test's own (two test runs at once do not collide).
    let pid = std::process::id();
    let server = format!("127.77.{}.{}", (pid >> 8) & 0xff, (pid & 0xff).max(1));
    let _silent = std::net::UdpSocket::bind((server.as_str(), 53)).unwrap();
    let sb = Sandbox::new();
    sb.write_config(None, &[target("web", "http://never-answered.example/")]);
    let conf = format!("nameserver {server}\noptions timeout:5 attempts:2\n");
    let run = with_resolv_conf(&sb, &conf, "check").expect(1);
    assert!(
        run.stdout.contains("timed out after 300ms"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    // The resolver would hold the lookup (and the run, and its lock) for 10s; the run
    // ends with its probe.
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
}

#[test]
#[ignore = "needs root (a mount namespace with its own resolv.conf): CI runs it with --include-ignored"]
fn no_resolver_configured_is_the_checkers_fault_not_an_outage() {
    crate::assert_root();
    let sb = Sandbox::new();
    sb.write_config(None, &[target("web", "http://some-site.example/")]);
    let run = with_resolv_conf(&sb, "# no nameserver here\n", "check").expect(75);
    assert!(
        run.stderr.contains("no DNS resolver configured"),
        "{}",
        run.stderr
    );
    assert!(sb.log_lines().is_empty(), "{:?}", sb.log_lines());
}

/// Sends `signal` to a child.
fn signal(child: &std::process::Child, signal: libc::c_int) {
    // SAFETY: kill with a pid we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
}

/// The signal that ended a process, if one did.
fn ended_by(output: &std::process::Output) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    output.status.signal()
}

/// Sets `telegram.timeout` in the sandbox's config.
fn telegram_timeout(sb: &Sandbox, timeout: &str) {
    let text = fs::read_to_string(sb.config_path()).unwrap().replace(
        "timeout = \"500ms\"\n\n",
        &format!("timeout = \"{timeout}\"\n\n"),
    );
    assert!(text.contains(&format!("timeout = \"{timeout}\"")));
    sb.write_raw_config(&text);
}

#[test]
fn sigterm_torture_loses_no_alert_and_doubles_none() {
    const RUNS: u64 = 30;
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    watch_any_status_below_400(&site, &api, &sb);
    // A slow Bot API, well inside telegram.timeout: every signal that lands while a
    // request is out lands while Telegram has it and has not answered.
    telegram_timeout(&sb, "3s");
    api.answer_slowly(Duration::from_millis(250));
    site.set(200);
    sb.run(&["check"]).expect(0);
    let mut lengths = Vec::new();
    for code in [590, 390] {
        site.set(code);
        lengths.push(sb.run(&["check"]).elapsed);
    }
    let mean = lengths.iter().sum::<Duration>() / 2;
    let mut rng = Rng(0x5eed_7e57_0000_0015);
    let (mut signalled, mut in_flight, mut finished) = (0, 0, 0);
    for i in 0..RUNS {
        site.set(code_of_run(i));
        let before = api.calls().len();
        let child = sb.command(&["check"]).spawn().unwrap();
        let delay = mean.mul_f64((rng.next() % 1300) as f64 / 1000.0);
        std::thread::sleep(delay);
        let mut child = child;
        if child.try_wait().unwrap().is_none() {
            if api.calls().len() > before {
                in_flight += 1;
            }
            signal(&child, libc::SIGTERM);
            signalled += 1;
        }
        let output = wait_bounded(child);
        match ended_by(&output) {
            Some(libc::SIGTERM) => {}
            None => finished += 1,
            Some(other) => panic!("run {i} ended by signal {other}"),
        }
    }
    // Clean runs in the last state: whatever was left queued goes out.
    api.answer_slowly(Duration::ZERO);
    for _ in 0..3 {
        sb.run(&["check"]);
    }

    let log = fs::read_to_string(sb.log_path()).unwrap();
    let sent = api.sent();
    let (mut lost, mut doubled, mut transitions) = (0, 0, 0);
    for (n, line) in log.lines().enumerate() {
        if n == 0 {
            continue; // the first ONLINE is logged, not alerted
        }
        transitions += 1;
        let code = code_in(line).unwrap_or_else(|| panic!("no status code in {line}"));
        match sent.iter().filter(|text| names_code(text, code)).count() {
            0 => lost += 1,
            1 => {}
            n => doubled += n - 1,
        }
    }
    println!(
        "SIGTERM torture: {RUNS} runs, {signalled} signalled ({in_flight} with a request out), \
         {finished} ended before the signal; {transitions} transitions, {} messages sent, \
         lost {lost}, doubled {doubled}",
        sent.len()
    );
    assert!(
        signalled >= RUNS / 2,
        "the signals were meant to land mid-run"
    );
    assert!(in_flight > 0, "no signal landed while a request was out");
    assert!(transitions >= RUNS, "{log}");
    assert_eq!((lost, doubled), (0, 0), "{log}\n{sent:#?}");
}

#[test]
fn a_signal_lets_the_request_in_flight_finish_and_starts_no_other() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    telegram_timeout(&sb, "5s");
    two_alerts_queued(&site, &api, &sb);
    api.answer_slowly(Duration::from_millis(700));
    let child = sb.command(&["check"]).spawn().unwrap();
    assert!(api.wait_for("sendMessage", 3, Duration::from_secs(10)));
    let signalled = Instant::now();
    signal(&child, libc::SIGTERM);
    let output = wait_bounded(child);
    let took = signalled.elapsed();
    assert_eq!(ended_by(&output), Some(libc::SIGTERM), "{output:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // The request out was answered and recorded; the next was never started.
    assert_eq!(api.sent().len(), 1);
    assert_eq!(
        api.calls()
            .iter()
            .filter(|c| c.method == "sendMessage")
            .count(),
        3
    );
    assert_eq!(sb.outbox_len(), 1);
    api.answer_slowly(Duration::ZERO);
    sb.run(&["check"]).expect(0);
    assert_eq!(api.sent().len(), 2);
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn a_signal_while_probing_commits_what_was_decided_and_sends_nothing() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/hang"))]);
    let config = fs::read_to_string(sb.config_path())
        .unwrap()
        .replace("timeout = \"300ms\"", "timeout = \"1500ms\"");
    sb.write_raw_config(&config);
    let child = sb.command(&["check"]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGINT);
    let output = wait_bounded(child);
    assert_eq!(ended_by(&output), Some(libc::SIGINT), "{output:?}");
    assert!(api.calls().is_empty(), "{:?}", api.calls());
    let lines = sb.log_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains(" OFFLINE web "), "{lines:?}");
    assert_eq!(sb.outbox_len(), 1, "the alert was decided: it is queued");
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 1);
    assert!(api.sent()[0].contains("is DOWN"));
}

#[test]
fn a_second_signal_ends_the_run_at_once() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/status/503"))]);
    telegram_timeout(&sb, "8s");
    api.script("sendMessage", [Reply::Hang]);
    let child = sb.command(&["check"]).spawn().unwrap();
    assert!(api.wait_for("sendMessage", 1, Duration::from_secs(10)));
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    let mut child = child;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first signal lets the request out finish"
    );
    let second = Instant::now();
    signal(&child, libc::SIGHUP);
    let output = wait_bounded(child);
    let took = second.elapsed();
    println!("a second signal ended the run in {took:?}");
    assert_eq!(ended_by(&output), Some(libc::SIGHUP), "{output:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // What was decided was committed before: the alert waits for the next run.
    assert_eq!(sb.outbox_len(), 1);
    sb.run(&["check"]).expect(1);
    assert_eq!(api.sent().len(), 1);
}

#[test]
fn retry_after_zero_is_waited_out_above_a_floor_and_requests_are_capped() {
    let runs: Vec<_> = [
        Reply::Error(
            429,
            "Too Many Requests: retry after 0",
            json!({"retry_after": 0}),
        ),
        Reply::Raw(
            429,
            "retry-after: 0\r\n",
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests"}),
        ),
    ]
    .into_iter()
    .map(|reply| {
        std::thread::spawn(move || {
            let (api, sb) = (BotApi::start(), Sandbox::new());
            sb.write_config(
                Some(&api.url()),
                &[target("web", &crate::closed_port_url())],
            );
            api.always("sendMessage", reply.clone());
            let run = sb.run(&["check"]).expect(1);
            let requests = api.calls().len();
            (format!("{reply:?}"), requests, run, sb.outbox_len())
        })
    })
    .collect();
    for handle in runs {
        let (reply, requests, run, waiting) = handle.join().unwrap();
        println!(
            "429 with {reply}: {requests} Bot API requests in one run of {:?}",
            run.elapsed
        );
        // 1 + 3 waits at the floor, doubling: 1s, 2s, 4s; far below the cap of 40.
        assert_eq!(requests, 4, "{reply}");
        assert!(requests <= CAP);
        assert!(run.elapsed >= Duration::from_secs(7), "{:?}", run.elapsed);
        assert!(run.elapsed < Duration::from_secs(12), "{:?}", run.elapsed);
        assert!(run.stderr.contains("slow down (429)"), "{}", run.stderr);
        assert_eq!(waiting, 1);
    }
}

/// The most Bot API requests one run makes (src/budget.rs).
const CAP: usize = 40;

#[test]
fn one_run_makes_at_most_its_cap_of_requests_and_the_next_sends_the_rest() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    watch_any_status_below_400(&site, &api, &sb);
    site.set(200);
    sb.run(&["check"]).expect(0);
    // CAP + 5 alerts queue up while Telegram is down (each run tries the first once).
    let queued = CAP as u64 + 5;
    api.script(
        "sendMessage",
        std::iter::repeat_n(Reply::Error(502, "Bad Gateway", json!({})), queued as usize),
    );
    for i in 0..queued {
        site.set(code_of_run(i));
        sb.run(&["check"]);
    }
    assert_eq!(sb.outbox_len() as u64, queued);
    let before = api.calls().len();
    let run = sb.run(&["check"]);
    let requests = api.calls().len() - before;
    println!(
        "{queued} queued: {requests} Bot API requests in one run, {} left",
        sb.outbox_len()
    );
    assert_eq!(requests, CAP);
    assert_eq!(sb.outbox_len(), 5);
    assert!(
        run.stdout.contains("5 message(s) wait in the outbox: this run made its 40 Bot API requests, the most one run makes; the next run sends them"),
        "{}",
        run.stdout
    );
    sb.run(&["check"]);
    assert_eq!(sb.outbox_len(), 0);
    assert_eq!(api.sent().len() as u64, queued, "each once, in order");
    let codes: Vec<u16> = api.sent().iter().filter_map(|t| code_in(t)).collect();
    let expected: Vec<u16> = (0..queued).map(code_of_run).collect();
    assert_eq!(codes, expected);
}

/// Telegram's count: UTF-16 code units.
fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

#[test]
fn a_message_of_ten_thousand_units_with_astral_characters_arrives_whole_in_parts() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[]);
    // One line, no newline: astral emoji (2 units each) between short words.
    let text: String = (0..2200).map(|i| ["😀x ", "𝄞yz ", "🇧🇷 "][i % 3]).collect();
    assert!(units(&text) >= 10_000, "{}", units(&text));
    let run = sb.run(&["send", &text]).expect(0);
    let sent = api.sent();
    let sizes: Vec<usize> = sent.iter().map(|p| units(p)).collect();
    println!(
        "{} UTF-16 units sent in {} parts of {sizes:?}",
        units(&text),
        sent.len()
    );
    assert_eq!(
        run.stdout,
        format!("sent to chat 42 in {} parts\n", sent.len())
    );
    assert_eq!(sent.len(), 3);
    assert!(sizes.iter().all(|&n| n <= 4096), "{sizes:?}");
    assert_eq!(sent.concat().trim_end(), text.trim_end());

    // A part queued whole, over the limit (as vigia 0.1 queued them): split before it
    // is sent, its plain-text fallback within the limit too, nothing cut away.
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &site.url("/switch"))]);
    site.set(200);
    sb.run(&["check"]).expect(0);
    api.script("sendMessage", [Reply::Error(502, "Bad Gateway", json!({}))]);
    site.set(503);
    sb.run(&["check"]).expect(1);
    let mut checkpoint = sb.checkpoint();
    let html = format!("<b>{}</b>", text.trim_end());
    checkpoint["queue"][0]["parts"] = json!([html]);
    fs::write(sb.state_path().join("state.json"), checkpoint.to_string()).unwrap();
    let refused = "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3";
    api.script("sendMessage", [Reply::Error(400, refused, json!({}))]);
    let run = sb.run(&["check"]).expect(1);
    assert!(
        run.stderr.contains("sent again as plain text"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.outbox_len(), 0);
    let sent = api.sent();
    let sizes: Vec<usize> = sent.iter().map(|p| units(p)).collect();
    assert!(sizes.iter().all(|&n| n <= 4096), "{sizes:?}");
    let calls = api.calls();
    let modes: Vec<bool> = calls
        .iter()
        .filter(|c| c.body.get("accepted").is_some())
        .map(|c| c.body.get("parse_mode").is_some())
        .collect();
    assert_eq!(
        modes,
        [false, true, true],
        "the first part as plain text, then HTML"
    );
    let words = |t: &str| -> String {
        t.replace("<b>", "")
            .replace("</b>", "")
            .split_whitespace()
            .collect()
    };
    assert_eq!(words(&sent.concat()), words(&text));
}
