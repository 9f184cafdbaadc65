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

/// Fails when `text` holds the token or any piece of its secret of 8 characters or
/// more, in any case.
#[track_caller]
fn assert_no_token_piece(what: &str, text: &str) {
    let secret: Vec<char> = TOKEN.split_once(':').unwrap().1.chars().collect();
    let lower = text.to_ascii_lowercase();
    for window in secret.windows(8) {
        let piece = window.iter().collect::<String>().to_ascii_lowercase();
        assert!(
            !lower.contains(&piece),
            "token piece {piece:?} in {what}: {text}"
        );
    }
}

/// A URL password in every spelling the URL parser accepts (reqwest sends it in each),
/// with the forms of it that must never show.
fn spellings(port_url: &str) -> Vec<(&'static str, String, Vec<String>)> {
    let rest = port_url.trim_start_matches("http://");
    let plain = vec![PASSWORD.to_owned()];
    vec![
        (
            "http://",
            format!("http://admin:{PASSWORD}@{rest}"),
            plain.clone(),
        ),
        (
            "http:",
            format!("http:admin:{PASSWORD}@{rest}"),
            plain.clone(),
        ),
        (
            "http:/",
            format!("http:/admin:{PASSWORD}@{rest}"),
            plain.clone(),
        ),
        (
            "http:\\\\",
            format!("http:\\\\admin:{PASSWORD}@{rest}"),
            plain.clone(),
        ),
        (
            "HtTp://",
            format!("HtTp://admin:{PASSWORD}@{rest}"),
            plain.clone(),
        ),
        (
            "hTTP:",
            format!("hTTP:admin:{PASSWORD}@{rest}"),
            plain.clone(),
        ),
        (
            "percent-encoded",
            format!("http://%61dmin:%53%33cret%50ass@{rest}"),
            vec![PASSWORD.to_owned(), "%53%33cret%50ass".to_owned()],
        ),
        (
            "colon in the user name",
            format!("http://admin%3A{PASSWORD}@{rest}"),
            vec![PASSWORD.to_owned()],
        ),
    ]
}

#[track_caller]
fn assert_none_of(secrets: &[String], what: &str, text: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret:?} in {what}: {text}"
        );
    }
}

#[test]
fn a_url_password_in_any_spelling_never_shows() {
    let site = Site::start();
    let mut spelled = 0;
    for (name, down_closed) in [("down", true), ("up", false)] {
        let base = if down_closed {
            closed_port_url()
        } else {
            site.url("/ok")
        };
        for (spelling, url, secrets) in spellings(&base) {
            let (api, sb) = (BotApi::start(), Sandbox::new());
            let textfile = sb.path("vigia.prom");
            let toml_url = url.replace('\\', "\\\\");
            sb.write_config(Some(&api.url()), &[target("web", &toml_url)]);
            let text = fs::read_to_string(sb.config_path()).unwrap();
            sb.write_raw_config(&format!(
                "{text}\n[metrics]\ntextfile = \"{}\"\n",
                textfile.display()
            ));
            let what = |w: &str| format!("{spelling} ({name}): {w}");
            let check = sb.run(&["check"]).expect(if down_closed { 1 } else { 0 });
            // The password is masked, not the URL lost: the parser's spelling shows.
            let masked = [
                "admin:***@127.0.0.1:",
                "%61dmin:***@127.0.0.1:",
                "//***@127.0.0.1:",
            ];
            let shows_masked = |text: &str| masked.iter().any(|m| text.contains(m));
            assert!(
                !down_closed || shows_masked(&check.stdout),
                "{}\n{}",
                what("check stdout"),
                check.stdout
            );
            let runs = [
                ("check", check),
                ("check --dry-run", sb.run(&["check", "--dry-run"])),
                ("check --url", sb.run(&["check", "--url", &url])),
                ("status", sb.run(&["status"]).expect(0)),
                ("status --json", sb.run(&["status", "--json"]).expect(0)),
            ];
            assert!(shows_masked(&runs[4].1.stdout), "{}", runs[4].1.stdout);
            for (run_name, run) in &runs {
                assert_none_of(&secrets, &what(&format!("{run_name} stdout")), &run.stdout);
                assert_none_of(&secrets, &what(&format!("{run_name} stderr")), &run.stderr);
            }
            let sent = api.sent();
            // The check's alert; `check --url` is a look and sends nothing.
            let want = if down_closed { 1 } else { 0 };
            assert_eq!(sent.len(), want, "{}: {sent:?}", what("sent"));
            for text in &sent {
                assert_none_of(&secrets, &what("the message Telegram got"), text);
                assert!(text.contains("***@127.0.0.1:"), "{text}");
            }
            let log = fs::read_to_string(sb.log_path()).unwrap();
            assert_none_of(&secrets, &what("the log"), &log);
            assert!(log.lines().count() >= 1, "{}", what("nothing logged"));
            let metrics = fs::read_to_string(&textfile).unwrap();
            assert_none_of(&secrets, &what("the metrics"), &metrics);
            assert!(metrics.contains("url=\"http://"), "{metrics}");
            let state = fs::read_to_string(sb.state_path().join("state.json")).unwrap();
            assert_none_of(&secrets, &what("state.json"), &state);
            // The roster keeps the URL, masked, for a `status` without the config.
            assert!(shows_masked(&state), "{}: {state}", what("state.json"));
            for (path, bytes) in sb.all_files() {
                if path != sb.config_path() {
                    let text = String::from_utf8_lossy(&bytes);
                    assert_none_of(&secrets, &what(&path.display().to_string()), &text);
                }
            }
            spelled += 1;
        }
    }
    assert_eq!(spelled, 16);
}

#[test]
fn a_config_error_about_a_url_never_prints_its_password() {
    let sb = Sandbox::new();
    for (key, value) in [
        ("proxy", format!("ftp://u:{PASSWORD}@127.0.0.1:3128")),
        ("proxy", format!("socks5:u:{PASSWORD}@127.0.0.1")),
        ("proxy", format!("http:/u:{PASSWORD}@")),
        ("proxy", format!("http://u:{PASSWORD}@127.0.0.1:99999")),
        ("api_url", format!("ftp:u:{PASSWORD}@api")),
        ("api_url", format!("http://u:{PASSWORD}@")),
    ] {
        sb.write_raw_config(&format!(
            "[telegram]\ntoken = \"{TOKEN}\"\nchat_id = 42\n{key} = \"{value}\"\n"
        ));
        for args in [&["check"][..], &["status"], &["send", "hi"]] {
            let run = sb.run(args).expect(78);
            assert!(
                run.stderr.contains(&format!("telegram.{key}")),
                "{}",
                run.stderr
            );
            assert!(run.stderr.contains("u:***@"), "{}", run.stderr);
            assert_no_secret(&format!("{key} = {value}: {args:?}"), &run.stderr);
            assert_no_secret(&format!("{key} = {value}: {args:?}"), &run.stdout);
        }
    }
    for value in [
        format!("gopher://u:{PASSWORD}@hc.example/ping"),
        format!("http:u:{PASSWORD}@"),
    ] {
        sb.write_raw_config(&format!("[heartbeat]\nurl = \"{value}\"\n"));
        let run = sb.run(&["check"]).expect(78);
        assert!(run.stderr.contains("heartbeat.url"), "{}", run.stderr);
        assert_no_secret(&value, &run.stderr);
    }
    // A target URL that does not parse, in a spelling without `//`.
    sb.write_raw_config(&format!(
        "[[target]]\n{}\n",
        target("web", &format!("http:admin:{PASSWORD}@host:99999/"))
    ));
    let run = sb.run(&["check"]).expect(78);
    assert!(
        run.stderr.contains("admin:***@host:99999"),
        "{}",
        run.stderr
    );
    assert_no_secret("target url", &run.stderr);
}

/// How an upstream or proxy error page may quote the request URL (and the token in it).
const ECHOES: [&str; 14] = [
    "raw",
    "%3A",
    "%3a",
    "every byte %XX",
    "every byte %xx",
    "&#58;",
    "&#x3A;",
    "&colon;",
    "\\u003a",
    "json",
    "cut in the secret",
    "cut early in the secret",
    "cut in the id",
    "… in the secret",
];

/// The page a server sends back for the request `path` (a path, or through a proxy an
/// absolute URL), quoting it in the `echo` way.
fn echo_page(echo: &str, path: &str) -> (String, &'static str) {
    let colon = path
        .find(':')
        .filter(|_| !path.starts_with("http"))
        .unwrap_or_else(|| {
            let bot = path.find("/bot").unwrap();
            bot + path[bot..].find(':').unwrap()
        });
    let percent = |lower: bool| -> String {
        path.bytes()
            .map(|b| {
                if lower {
                    format!("%{b:02x}")
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let quoted = match echo {
        "raw" | "json" => path.to_owned(),
        "%3A" => path.replace(':', "%3A"),
        "%3a" => path.replace(':', "%3a"),
        "every byte %XX" => percent(false),
        "every byte %xx" => percent(true),
        "&#58;" => path.replace(':', "&#58;"),
        "&#x3A;" => path.replace(':', "&#x3A;"),
        "&colon;" => path.replace(':', "&colon;"),
        "\\u003a" => path.replace(':', "\\u003a"),
        "cut in the secret" => format!("{}…", &path[..colon + 20]),
        "cut early in the secret" => format!("{}…", &path[..colon + 9]),
        "cut in the id" => format!("…{}", &path[colon - 3..]),
        "… in the secret" => format!("{}…{}", &path[..colon + 12], &path[colon + 12..]),
        other => panic!("unknown echo {other}"),
    };
    if echo == "json" {
        let description = format!("Bad Gateway: upstream {quoted} failed").replace(':', "\\u003a");
        let body = format!("{{\"ok\":false,\"error_code\":502,\"description\":\"{description}\"}}");
        return (body, "application/json");
    }
    (
        format!(
            "<html><body><h1>502</h1><p>The upstream for {quoted} is unavailable</p></body></html>"
        ),
        "text/html",
    )
}

/// A server that answers every request 502 with a page quoting its URL (as a Bot API
/// behind a broken reverse proxy does, or a proxy itself); counts the requests. The
/// accept loop ends with the test or after 20 s.
struct EchoServer {
    addr: std::net::SocketAddr,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl EchoServer {
    fn start(echo: &'static str) -> EchoServer {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (counter, flag) = (calls.clone(), stop.clone());
        std::thread::spawn(move || {
            let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while !flag.load(Ordering::Relaxed) && std::time::Instant::now() < until {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(2)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    continue;
                }
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let _ = reader.read_exact(&mut vec![0; length]);
                let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
                counter.fetch_add(1, Ordering::SeqCst);
                let (body, kind) = echo_page(echo, &path);
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 502 Bad Gateway\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        EchoServer { addr, calls, stop }
    }

    fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn a_token_echoed_in_any_encoding_never_shows() {
    let site = Site::start();
    let mut cases = 0;
    for echo in ECHOES {
        for via_proxy in [false, true] {
            let (server, sb) = (EchoServer::start(echo), Sandbox::new());
            let server_url = format!("http://{}", server.addr);
            // Through a proxy, the request line holds the whole URL, token and all.
            let api = if via_proxy {
                "http://api.telegram.invalid".to_owned()
            } else {
                server_url.clone()
            };
            site.set(503);
            sb.write_config(Some(&api), &[target("web", &site.url("/switch"))]);
            if via_proxy {
                let text = fs::read_to_string(sb.config_path()).unwrap().replace(
                    "chat_id = 42\n",
                    &format!("chat_id = 42\nproxy = \"{server_url}\"\n"),
                );
                sb.write_raw_config(&text);
            }
            let what = format!("{echo}{}", if via_proxy { " via proxy" } else { "" });
            let check = sb.run(&["check"]).expect(1);
            assert!(server.calls() >= 1, "{what}: the server was never asked");
            assert!(
                check.stderr.contains("502"),
                "{what}: the failure is not told: {}",
                check.stderr
            );
            let runs = [
                ("check", check),
                ("check again", sb.run(&["check"])),
                ("send", sb.run(&["send", "hello"])),
                ("status", sb.run(&["status"])),
                ("status --json", sb.run(&["status", "--json"])),
                ("outbox", sb.run(&["outbox"])),
                ("outbox --json", sb.run(&["outbox", "--json"])),
            ];
            for (name, run) in &runs {
                assert_no_token_piece(&format!("{what}: {name} stdout"), &run.stdout);
                assert_no_token_piece(&format!("{what}: {name} stderr"), &run.stderr);
                assert_no_secret(&format!("{what}: {name} stderr"), &run.stderr);
            }
            let state = fs::read_to_string(sb.state_path().join("state.json")).unwrap();
            assert_no_token_piece(&format!("{what}: state.json"), &state);
            assert!(state.contains("last_error"), "{what}: {state}");
            for (path, bytes) in sb.all_files() {
                if path != sb.config_path() {
                    let text = String::from_utf8_lossy(&bytes);
                    assert_no_token_piece(&format!("{what}: {}", path.display()), &text);
                }
            }
            cases += 1;
        }
    }
    assert_eq!(cases, ECHOES.len() * 2);
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
    // Whatever the limit, a clear error and an exit code, never a panic.
    for limit in 4..=24 {
        let run = limited(limit);
        assert!(
            !run.stderr.contains("panicked") && [1, 74, 75].contains(&run.code),
            "limit {limit}: {run:?}"
        );
    }
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
