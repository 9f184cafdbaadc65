//! Hand checks are looks: `check --url` and `check --dry-run` probe, print and exit
//! with the code a real run would, and write and send nothing (README "Hand checks").

use std::fs;
use std::path::Path;

use crate::{closed_port_url, target, BotApi, Sandbox, Site};

/// Every file under `dir` with its contents, for comparing a directory before and after.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.push((
                path.display().to_string(),
                fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    files.sort();
    files
}

fn with_canary(sb: &Sandbox, canary: &str) {
    let text = fs::read_to_string(sb.config_path()).unwrap();
    let text = text.replacen(
        "[check]\n",
        &format!("[check]\ncanary = [\"{canary}\"]\n"),
        1,
    );
    sb.write_raw_config(&text);
}

#[test]
fn a_hand_check_of_a_url_named_like_a_target_changes_nothing() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    // The target is named as the host of the URL checked by hand.
    sb.write_config(Some(&api.url()), &[target("127.0.0.1", &site.url("/ok"))]);
    sb.run(&["check"]).expect(0);
    let before = (snapshot(&sb.state_path()), sb.log_lines());
    let look = sb.run(&["check", "--url", &closed_port_url()]).expect(1);
    assert!(
        look.stdout.starts_with("127.0.0.1  DOWN  "),
        "{}",
        look.stdout
    );
    sb.run(&["check", "--url", &site.url("/ok"), "--quiet"])
        .expect(0);
    assert_eq!((snapshot(&sb.state_path()), sb.log_lines()), before);
    // The next timer run sees the target as it was: up, nothing to say.
    sb.run(&["check"]).expect(0);
    assert_eq!(
        api.sent(),
        Vec::<String>::new(),
        "no false DOWN, no false UP"
    );
    assert_eq!(sb.log_lines(), before.1);
}

#[test]
fn a_hand_check_without_a_name_clash_writes_nothing_either() {
    let (api, sb) = (BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    for _ in 0..2 {
        sb.run(&["check", "--url", &closed_port_url()]).expect(1);
    }
    assert_eq!(snapshot(&sb.state_path()), Vec::new());
    assert_eq!(sb.log_lines(), Vec::<String>::new());
    assert_eq!(api.sent(), Vec::<String>::new());
}

#[test]
fn a_dry_run_exits_as_the_run_would_with_every_canary_failing() {
    let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
    sb.write_config(Some(&api.url()), &[target("web", &closed_port_url())]);
    with_canary(&sb, &site.url("/switch"));
    site.set(503);
    let dry = sb.run(&["check", "--dry-run"]);
    assert!(
        dry.stderr.contains("every canary failed"),
        "the dry run judges the canaries too: {}",
        dry.stderr
    );
    assert_eq!(
        snapshot(&sb.state_path()),
        Vec::new(),
        "a dry run writes nothing"
    );
    let real = sb.run(&["check"]);
    assert_eq!(dry.code, real.code, "dry: {dry:?}\nreal: {real:?}");
    assert_eq!(real.code, 75);
    // And when the machine is online, both say DOWN.
    site.set(200);
    let (dry, real) = (sb.run(&["check", "--dry-run"]), sb.run(&["check"]));
    assert_eq!((dry.code, real.code), (1, 1));
}

#[test]
fn a_state_directory_that_exists_but_cannot_be_opened_says_so() {
    let (site, sb) = (Site::start(), Sandbox::new());
    sb.write_config(None, &[target("web", &site.url("/ok"))]);
    fs::write(sb.state_path(), "not a directory").unwrap();
    let run = sb.run(&["check"]).expect(74);
    let expected = format!(
        "vigia: cannot open the state directory {}: Not a directory (os error 20)\n",
        sb.state_path().display()
    );
    assert_eq!(run.stderr, expected);
}
