//! Root runs that cannot be turned against the machine, secrets that stay secret, and
//! the checker's own limits that are not reported as outages (README "Root runs").

use std::fs;
use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;

use serde_json::json;

use crate::{closed_port_url, run, target, BotApi, Reply, Sandbox, Site, TOKEN};

const NOBODY: u32 = 65534;
const PASSWORD: &str = "S3cretPass";

/// Fails when `text` holds the URL password or any ten characters of the token in a row.
#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains(PASSWORD), "URL password in {what}: {text}");
    let token: Vec<char> = TOKEN.chars().collect();
    for window in token.windows(10) {
        let piece: String = window.iter().collect();
        assert!(
            !text.contains(&piece),
            "token piece {piece:?} in {what}: {text}"
        );
    }
}

#[test]
fn neither_the_token_nor_a_url_password_appears_anywhere() {
    let site = Site::start();
    let down = closed_port_url().replace("http://", &format!("http://admin:{PASSWORD}@"));
    let up = site
        .url("/ok")
        .replace("http://", &format!("http://admin:{PASSWORD}@"));
    for (name, reply) in [
        ("error page echoing the path", Some(Reply::EchoPath(502))),
        (
            "revoked",
            Some(Reply::Error(401, "Unauthorized", json!({}))),
        ),
        ("unreachable", None),
        ("accepted", Some(Reply::Ok(json!({"message_id": 1})))),
    ] {
        let (api, sb) = (BotApi::start(), Sandbox::new());
        let api_url = match &reply {
            Some(reply) => {
                api.always("sendMessage", reply.clone());
                api.url()
            }
            None => closed_port_url().trim_end_matches('/').to_owned(),
        };
        sb.write_config(Some(&api_url), &[target("down", &down), target("up", &up)]);
        let runs = [
            sb.run(&["check"]),
            sb.run(&["check", "--dry-run"]),
            sb.run(&["check", "--url", &down]),
            sb.run(&["check", "--url", "http://admin:S3cretPass@host:99999/"]),
            sb.run(&["status"]),
            sb.run(&["status", "--json"]),
            sb.run(&["outbox"]),
            sb.run(&["outbox", "--json"]),
            sb.run(&["send", "hello"]),
        ];
        for (i, run) in runs.iter().enumerate() {
            assert_no_secret(&format!("{name}: run {i} stdout"), &run.stdout);
            assert_no_secret(&format!("{name}: run {i} stderr"), &run.stderr);
        }
        assert!(
            runs[0].stdout.contains("http://admin:***@"),
            "{}",
            runs[0].stdout
        );
        assert!(
            runs[3].stderr.contains("http://admin:***@host:99999/"),
            "{}",
            runs[3].stderr
        );
        if name.starts_with("error page") {
            assert!(
                runs[0].stderr.contains("bot<redacted>"),
                "{}",
                runs[0].stderr
            );
        }
        for (path, bytes) in sb.all_files() {
            if path != sb.config_path() {
                assert_no_secret(
                    &path.display().to_string(),
                    &String::from_utf8_lossy(&bytes),
                );
            }
        }
        for call in api.calls() {
            assert_no_secret(
                &format!("{name}: {} sent to Telegram", call.method),
                &call.body.to_string(),
            );
        }
    }
    // init's probe line and the config it writes (the config keeps the URL: it needs it).
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let token_file = sb.path("token");
    fs::write(&token_file, TOKEN).unwrap();
    let init = sb
        .run(&[
            "init",
            "--token-file",
            token_file.to_str().unwrap(),
            "--chat-id",
            "42",
            "--url",
            &down,
            "--api-url",
            &api.url(),
            "--no-enable",
        ])
        .expect(0);
    assert_no_secret("init", &format!("{}{}", init.stdout, init.stderr));
    assert!(fs::read_to_string(sb.config_path())
        .unwrap()
        .contains(PASSWORD));
}

#[test]
fn probes_in_flight_are_bounded_in_all_and_per_host() {
    let site = Site::start();
    let sb = Sandbox::new();
    // A timeout of 8s: a probe waits up to 1s for its host's turn, more than enough here.
    let targets: Vec<String> = (0..24)
        .map(|i| {
            let t = target(&format!("t{i}"), &site.url(&format!("/slow/{i}")));
            format!("{t}\ntimeout = \"8s\"")
        })
        .collect();
    sb.write_config(None, &targets);
    sb.run(&["check"]).expect(0);
    assert!(
        site.most_held_at_once() <= 4,
        "{} at once on one host",
        site.most_held_at_once()
    );
    assert!(
        site.most_held_at_once() >= 2,
        "probes did not overlap at all"
    );

    let (site, sb) = (Site::start(), Sandbox::new());
    let targets: Vec<String> = (0..12)
        .map(|i| target(&format!("t{i}"), &site.url(&format!("/slow/{i}"))))
        .collect();
    sb.write_config(None, &targets);
    let text = fs::read_to_string(sb.config_path())
        .unwrap()
        .replace("[check]\n", "[check]\nparallel = 1\n");
    sb.write_raw_config(&text);
    sb.run(&["check"]).expect(0);
    assert_eq!(site.most_held_at_once(), 1);
}

#[test]
fn a_hung_host_with_many_targets_costs_about_one_timeout() {
    // Twenty targets on one host that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sb = Sandbox::new();
    let targets: Vec<String> = (0..20)
        .map(|i| {
            format!(
                "{}\ntimeout = \"1s\"",
                target(&format!("t{i}"), &format!("http://{addr}/p{i}"))
            )
        })
        .collect();
    sb.write_config(None, &targets);
    let run = sb.run(&["check"]).expect(1);
    assert_eq!(
        run.stdout.matches("  DOWN  timed out after 1s").count(),
        20,
        "{}",
        run.stdout
    );
    // 250ms waiting for the host's turn, then one timeout (1s): not five in a row (5s).
    assert!(
        run.elapsed < std::time::Duration::from_millis(3000),
        "{:?}",
        run.elapsed
    );
    drop(listener);
}

#[test]
fn the_checkers_own_file_limit_is_not_an_outage() {
    // Many hosts (one site per port), far more targets than the process may open files.
    let sites: Vec<Site> = (0..30).map(|_| Site::start()).collect();
    let (api, sb) = (BotApi::start(), Sandbox::new());
    let targets: Vec<String> = (0..90)
        .map(|i| target(&format!("t{i}"), &sites[i % sites.len()].url("/ok")))
        .collect();
    sb.write_config(Some(&api.url()), &targets);
    let limited = |limit: u64| {
        let mut command = sb.command(&["check", "--quiet"]);
        // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child yet.
        unsafe {
            command.pre_exec(move || {
                let rl = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &rl) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        run(command)
    };
    for _ in 0..2 {
        let run = limited(32).expect(75);
        assert!(
            run.stderr.contains("vigia: could not check"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("open files"), "{}", run.stderr);
        assert!(
            run.stderr.contains("raise the open-file limit"),
            "{}",
            run.stderr
        );
        let offline: Vec<String> = sb
            .log_lines()
            .into_iter()
            .filter(|l| l.contains(" OFFLINE "))
            .collect();
        assert!(offline.is_empty(), "false outages: {offline:?}");
    }
    // One message for the episode, not one per run.
    let faults: Vec<String> = api
        .sent()
        .into_iter()
        .filter(|m| m.contains("could not check"))
        .collect();
    assert_eq!(faults.len(), 1, "{:?}", api.sent());
    assert!(
        faults[0].contains("fault of the checking machine"),
        "{}",
        faults[0]
    );
    // With the usual limit, every target is judged, and up.
    sb.run(&["check"]).expect(0);
    assert_eq!(sb.log_lines().len(), 90);
    assert!(sb.checkpoint()["fault_since"].is_null());
}

/// One planted attack on the service's directories, and what it aims at.
fn plant(attack: &str, logs: &Path, state: &Path, victim: &Path, missing: &Path, root_dir: &Path) {
    let link = |to: &Path, at: &Path| {
        let _ = fs::remove_file(at);
        std::os::unix::fs::symlink(to, at).unwrap();
        // The link belongs to the service user, as one it planted would.
        let _ = std::os::unix::fs::lchown(at, Some(NOBODY), Some(NOBODY));
    };
    match attack {
        "log -> a root file" => link(victim, &logs.join("vigia.log")),
        "lock -> a missing root path" => link(missing, &state.join("lock")),
        "state.json -> a root file" => link(victim, &state.join("state.json")),
        "last-check -> a root file" => link(victim, &state.join("last-check")),
        "outbox -> a root directory" => link(root_dir, &state.join("outbox")),
        "temporary names -> a root file" => {
            let last: u32 = fs::read_to_string("/proc/sys/kernel/ns_last_pid")
                .map_or(1000, |t| t.trim().parse().unwrap_or(1000));
            for pid in last..last + 300 {
                for n in 0..3 {
                    link(victim, &state.join(format!(".state.json.{pid}.{n}.tmp")));
                    link(victim, &state.join(format!(".last-check.{pid}.{n}.tmp")));
                }
            }
        }
        "lock hard-linked to a root file" => {
            let _ = fs::remove_file(state.join("lock"));
            fs::hard_link(victim, state.join("lock")).unwrap();
        }
        other => panic!("unknown attack {other}"),
    }
}

#[test]
#[ignore = "needs root: CI runs it with --include-ignored"]
fn root_runs_follow_no_link_the_service_user_planted() {
    crate::assert_root();
    for attack in [
        "log -> a root file",
        "lock -> a missing root path",
        "state.json -> a root file",
        "last-check -> a root file",
        "outbox -> a root directory",
        "temporary names -> a root file",
        "lock hard-linked to a root file",
    ] {
        for state_owner in [NOBODY, 0] {
            let (site, api, sb) = (Site::start(), BotApi::start(), Sandbox::new());
            fs::set_permissions(sb.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
            let (logs, state) = (sb.path("logs"), sb.state_path());
            for (dir, owner) in [(&logs, NOBODY), (&state, state_owner)] {
                fs::create_dir(dir).unwrap();
                fs::set_permissions(dir, fs::Permissions::from_mode(0o750)).unwrap();
                chown(dir, Some(owner), Some(owner)).unwrap();
            }
            let victim = sb.path("victim");
            fs::write(&victim, "root's own\n").unwrap();
            let (missing, root_dir) = (sb.path("created-by-root"), sb.path("root-dir"));
            fs::create_dir(&root_dir).unwrap();
            sb.write_raw_config(&format!(
                "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 42\napi_url = \"{}\"\n[check]\ntimeout = \"300ms\"\nattempts = 1\n\
                 log_file = \"{}/vigia.log\"\nstate_dir = \"{}\"\n[[target]]\n{}\n",
                api.url(), logs.display(), state.display(), target("web", &site.url("/switch"))
            ));
            site.set(200);
            sb.run(&["check"]).expect(0);
            plant(attack, &logs, &state, &victim, &missing, &root_dir);
            let before = fs::metadata(&victim).unwrap();
            site.set(503);
            let what = format!("{attack}, state dir owned by {state_owner}");
            let check = sb.run(&["check"]);
            for args in [
                &["status"][..],
                &["outbox"],
                &["check", "--dry-run"],
                &["send", "hi"],
            ] {
                sb.run(args);
            }
            let after = fs::metadata(&victim).unwrap();
            assert_eq!(
                fs::read_to_string(&victim).unwrap(),
                "root's own\n",
                "{what}: victim written\n{}",
                check.stderr
            );
            assert_eq!(
                (after.uid(), after.gid(), after.len()),
                (0, 0, before.len()),
                "{what}: victim changed"
            );
            assert!(!missing.exists(), "{what}: a root path was created");
            assert_eq!(
                fs::read_dir(&root_dir).unwrap().count(),
                0,
                "{what}: written into a root directory"
            );
            if attack.starts_with("log ") {
                assert_eq!(check.code, 74, "{what}: {}", check.stderr);
                assert!(
                    check.stderr.contains("is a symbolic link"),
                    "{what}: {}",
                    check.stderr
                );
            }
        }
    }
}
