//! The fleet path (README "A fleet of checkers"): every run posts its targets' alerts to
//! Alertmanager, and the metrics name the checker. Against a fake Alertmanager that
//! records every post (`fake.rs`).

use std::fs;
use std::time::Duration;

use serde_json::Value;

use crate::fake::FakeAlertmanager;
use crate::{closed_port_url, target, BotApi, Sandbox, Site, TOKEN};

/// The sandbox's config with `[fleet] checker = "fra1"` and `tail` after it.
fn fleet_config(sb: &Sandbox, api: Option<&str>, url: &str, tail: &str) {
    sb.write_config(api, &[target("web", url)]);
    let text = fs::read_to_string(sb.config_path()).unwrap();
    sb.write_raw_config(&format!("{text}\n[fleet]\nchecker = \"fra1\"\n\n{tail}"));
}

/// The alerts of one post as `(target, firing)`, checking each one's shape.
fn alerts(post: &Value) -> Vec<(String, bool)> {
    let now = chrono::Utc::now();
    post.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let labels = &a["labels"];
            assert_eq!(labels["alertname"], "VigiaProbeDown", "{a}");
            assert_eq!(labels["checker"], "fra1", "{a}");
            assert_eq!(labels["severity"], "critical", "{a}");
            assert_eq!(labels.as_object().unwrap().len(), 4, "{a}");
            for key in ["summary", "description"] {
                assert!(
                    a["annotations"][key]
                        .as_str()
                        .is_some_and(|s| !s.is_empty()),
                    "{a}"
                );
            }
            let at = |key: &str| {
                chrono::DateTime::parse_from_rfc3339(a[key].as_str().unwrap())
                    .unwrap_or_else(|e| panic!("{key}: {e}: {a}"))
            };
            assert!(at("startsAt") <= at("endsAt"), "{a}");
            // Firing: ends minutes ahead (renewed by every run); ended: no later than now.
            let firing = at("endsAt") > now + chrono::TimeDelta::minutes(1);
            (labels["target"].as_str().unwrap().to_owned(), firing)
        })
        .collect()
}

#[test]
fn every_run_posts_a_down_target_and_its_recovery_ends_it() {
    let (site, api, am, sb) = (
        Site::start(),
        BotApi::start(),
        FakeAlertmanager::start(),
        Sandbox::new(),
    );
    am.expect_posts();
    let url = site
        .url("/switch")
        .replace("http://", "http://admin:S3cretPass@");
    fleet_config(
        &sb,
        Some(&api.url()),
        &url,
        &format!("[alertmanager]\nurl = \"{}\"\n", am.url()),
    );
    site.set(503);
    sb.run(&["check"]).expect(1);
    sb.run(&["check"]).expect(1);
    let posts = am.take();
    assert_eq!(posts.len(), 2, "one post per run: {posts:?}");
    for post in &posts {
        assert_eq!(alerts(post), [("web".to_owned(), true)]);
        let text = post.to_string();
        assert!(
            !text.contains("S3cretPass") && !text.contains(TOKEN),
            "{text}"
        );
        assert!(
            text.contains("HTTP 503 Service Unavailable (http://admin:***@"),
            "{text}"
        );
    }
    // Both runs say the same outage began at the same time: Alertmanager merges them.
    assert_eq!(posts[0][0]["startsAt"], posts[1][0]["startsAt"]);
    assert_eq!(
        posts[0][0]["annotations"]["summary"],
        "web is DOWN from fra1"
    );
    // Telegram was told once, as without Alertmanager.
    assert_eq!(api.sent().len(), 1);

    site.set(200);
    sb.run(&["check"]).expect(0);
    let posts = am.take();
    assert_eq!(posts.len(), 1);
    assert_eq!(alerts(&posts[0]), [("web".to_owned(), false)]);
    assert_eq!(
        posts[0][0]["annotations"]["summary"],
        "web is UP again from fra1"
    );
    assert_eq!(api.sent().len(), 2);
}

#[test]
fn a_failing_alertmanager_is_a_warning_and_never_delays_telegram() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    let (hangs, refuses) = (FakeAlertmanager::start(), FakeAlertmanager::start());
    hangs.answer(0);
    refuses.answer(500);
    fleet_config(
        &sb,
        Some(&api.url()),
        &site.url("/switch"),
        &format!(
            "[alertmanager]\nurls = [\"{}\", \"{}\", \"{}\"]\ntimeout = \"400ms\"\n",
            hangs.url(),
            refuses.url(),
            closed_port_url()
        ),
    );
    site.set(503);
    let run = sb.run(&["check"]).expect(1);
    // The message went first; the three posts at once took one timeout, not three.
    assert_eq!(api.sent().len(), 1);
    assert!(
        run.elapsed < Duration::from_millis(3000),
        "{:?}",
        run.elapsed
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("not posted to Alertmanager"))
        .collect();
    assert_eq!(warnings.len(), 3, "{}", run.stderr);
    assert!(
        warnings[0].contains(&hangs.url()) && warnings[0].contains("no answer within 400ms"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].contains(&refuses.url()) && warnings[1].contains("HTTP 500"),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .all(|w| w.ends_with("Telegram is not affected")),
        "{warnings:?}"
    );
    assert!(!run.stderr.contains(TOKEN));
    // Each member of the cluster was sent the same alerts.
    let (a, b) = (hangs.take(), refuses.take());
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!(a[0], b[0]);
    // Nothing was queued for Telegram because of it.
    assert_eq!(sb.outbox_len(), 0);
}

#[test]
fn an_offline_checker_posts_nothing_about_its_targets() {
    let (canary, am, sb) = (Site::start(), FakeAlertmanager::start(), Sandbox::new());
    fleet_config(
        &sb,
        None,
        &closed_port_url(),
        &format!("[alertmanager]\nurl = \"{}\"\n", am.url()),
    );
    sb.add_check_keys(&format!("canary = [\"{}\"]\n", canary.url("/switch")));
    canary.set(503);
    let run = sb.run(&["check"]);
    assert!(
        run.stderr.contains("lost its own connectivity"),
        "{}",
        run.stderr
    );
    assert!(am.take().is_empty(), "an offline checker posted");
    // Back online, the target is judged again: it is down, and posted.
    canary.set(200);
    sb.run(&["check"]).expect(1);
    let posts = am.take();
    assert_eq!(posts.len(), 1);
    assert_eq!(alerts(&posts[0]), [("web".to_owned(), true)]);
}

/// The textfile metrics carry the checker's name on every sample, and still read as the
/// strict text format (`prometheus.rs`).
#[test]
fn every_metric_names_the_checker() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let textfile = sb.path("vigia.prom");
    fleet_config(
        &sb,
        None,
        &site.url("/switch"),
        &format!("[metrics]\ntextfile = \"{}\"\n", textfile.display()),
    );
    sb.run(&["check"]).expect(0);
    let text = fs::read_to_string(&textfile).unwrap();
    let families = crate::prometheus::parse(&text).unwrap_or_else(|why| panic!("{why}\n{text}"));
    let samples: Vec<_> = families.values().flat_map(|f| &f.samples).collect();
    assert!(samples.len() >= 9, "{text}");
    for (name, labels, _) in samples {
        assert_eq!(
            labels.get("checker").map(String::as_str),
            Some("fra1"),
            "{name}"
        );
    }
}
