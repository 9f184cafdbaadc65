//! More to watch: body rules (`not_contains`, `matches`, `[target.json]`), dns://
//! targets against a DNS server of the test's own on a loopback UDP port, icmp://
//! targets in network namespaces of the test's own (root), and domain expiry by RDAP.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, MX};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::{assert_root, run, target, BotApi, Sandbox, Site};

/// The line `check` prints for a target, from its name on.
fn line<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no line for {name} in {stdout}"))
}

/// `UP` or `DOWN`, and the reason after it, of a target's line.
fn verdict(stdout: &str, name: &str) -> (String, String) {
    let rest = line(stdout, name)[name.len()..].trim_start();
    let (state, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    (state.to_owned(), reason.trim_start().to_owned())
}

#[test]
fn every_body_rule_must_hold_and_the_one_that_fails_is_named() {
    let (site, sb) = (Site::start(), Sandbox::new());
    let json = |name: &str, path: &str, rules: &str| {
        format!("{}\n[target.json]\n{rules}", target(name, &site.url(path)))
    };
    sb.write_config(
        None,
        &[
            format!(
                "{}\nmatches = '\"version\":\"\\d+\\.\\d+\"'\nnot_contains = \"Maintenance\"\n[target.json]\n\"/status\" = \"ok\"\n\"/checks/db/healthy\" = true\n\"/load\" = 0.5",
                target("healthy", &site.url("/health.json"))
            ),
            json("error", "/error.json", "\"/status\" = \"ok\""),
            json("missing", "/health.json", "\"/checks/cache/healthy\" = true"),
            json("number", "/health.json", "\"/load\" = 1"),
            json("html", "/ok", "\"/status\" = \"ok\""),
            format!(
                "{}\nnot_contains = \"Maintenance\"",
                target("maint", &site.url("/maintenance"))
            ),
            format!(
                "{}\nmatches = 'version: \\d+\\.\\d+'\ncontains = \"Down\"",
                target("regex", &site.url("/maintenance"))
            ),
            format!(
                "{}\nmatches = 'version: \\d+'",
                target("nomatch", &site.url("/ok"))
            ),
            format!(
                "{}\ncontains = \"Welcome\"\nnot_contains = \"Error\"",
                target("both", &site.url("/ok"))
            ),
        ],
    );
    let out = sb.run(&["check"]).expect(1).stdout;
    let want = [
        ("healthy", "UP", "HTTP 200 in"),
        ("error", "DOWN", r#""/status" is "error", expected "ok""#),
        (
            "missing",
            "DOWN",
            r#""/checks/cache/healthy" not found in the JSON body"#,
        ),
        ("number", "DOWN", r#""/load" is 0.5, expected 1"#),
        ("html", "DOWN", "body is not JSON"),
        ("maint", "DOWN", r#"text "Maintenance" found"#),
        ("regex", "UP", "HTTP 200 in"),
        ("nomatch", "DOWN", r"no match for /version: \d+/"),
        ("both", "UP", "HTTP 200 in"),
    ];
    for (name, state, reason) in want {
        let (got_state, got_reason) = verdict(&out, name);
        assert_eq!(got_state, state, "{name}: {out}");
        assert!(
            got_reason.starts_with(reason),
            "{name}: {got_reason:?}\n{out}"
        );
    }
    // The log says the same (the reason names the rule).
    let log = sb.log_lines().join("\n");
    assert!(
        log.contains(r#"OFFLINE error "/status" is "error", expected "ok""#),
        "{log}"
    );
}

#[test]
fn a_bad_regex_or_pointer_is_a_config_error_with_its_line_and_key() {
    let sb = Sandbox::new();
    let cases = [
        (
            "matches = '(unclosed'",
            "line 11: target \"web\": matches: \"(unclosed\" is not a regular expression",
        ),
        (
            "[target.json]\n\"status\" = \"ok\"",
            "line 12: target \"web\": json.\"status\": \"status\" is not a JSON pointer: it must start with \"/\" (RFC 6901)",
        ),
        (
            "[target.json]\n\"/a~2\" = \"ok\"",
            "line 12: target \"web\": json.\"/a~2\": \"/a~2\" is not a JSON pointer: \"~\" must be followed by 0 or 1 (RFC 6901)",
        ),
        (
            "[target.json]\n\"/list\" = [1, 2]",
            "line 12: target \"web\": json.\"/list\": must be a string, a number or a boolean",
        ),
        (
            "not_contains = \"\"",
            "line 11: target \"web\": not_contains: must not be empty",
        ),
    ];
    for (rules, want) in cases {
        sb.write_config(
            None,
            &[format!("{}\n{rules}", target("web", "http://127.0.0.1:9/"))],
        );
        let run = sb.run(&["check"]).expect(78);
        assert!(run.stderr.contains(want), "{rules}: {}", run.stderr);
    }
    // Body rules apply to http(s) only.
    sb.write_config(
        None,
        &[format!(
            "{}\nmatches = 'x'",
            target("db", "tcp://127.0.0.1:9")
        )],
    );
    let run = sb.run(&["check"]).expect(78);
    assert!(
        run.stderr
            .contains("target \"db\": matches: applies to http:// and https:// targets only"),
        "{}",
        run.stderr
    );
}

/// A DNS server of the test's own on a loopback UDP port: `ok.test` has A 192.0.2.10
/// and MX `10 mail.ok.test.`, `nx.test` does not exist, `fail.test` fails (SERVFAIL),
/// `empty.test` has no records, and `hang.test` is never answered.
struct DnsServer {
    addr: SocketAddr,
    /// Queries of names no test asked for, and how many queries came.
    seen: Arc<Mutex<(Vec<String>, usize)>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl DnsServer {
    fn start() -> DnsServer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let seen = Arc::new(Mutex::new((Vec::new(), 0)));
        let noted = seen.clone();
        let thread = thread::spawn(move || {
            // Bounded in time as well as by the stop flag.
            let until = Instant::now() + Duration::from_secs(60);
            let mut buffer = [0u8; 1500];
            while !stopped.load(Ordering::Relaxed) && Instant::now() < until {
                let Ok((n, from)) = socket.recv_from(&mut buffer) else {
                    continue;
                };
                let Ok(request) = Message::from_vec(&buffer[..n]) else {
                    noted
                        .lock()
                        .unwrap()
                        .0
                        .push("a packet that is no DNS message".into());
                    continue;
                };
                let reply = answer(&request);
                {
                    let mut seen = noted.lock().unwrap();
                    seen.1 += 1;
                    let name = request.queries.first().map(|q| q.name().to_ascii());
                    if reply.is_none() && name.as_deref() != Some("hang.test.") {
                        seen.0
                            .push(format!("a query for {name:?}, a name no test asked for"));
                    }
                }
                if let Some(reply) = reply {
                    let _ = socket.send_to(&reply.to_vec().unwrap(), from);
                }
            }
        });
        DnsServer {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, name: &str, rtype: &str) -> String {
        format!("dns://{}/{name}?type={rtype}", self.addr)
    }
}

impl Drop for DnsServer {
    /// Fails the test on a query no test asked for, or when it was never asked.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let (complaints, queries) = self.seen.lock().unwrap().clone();
        if !thread::panicking() {
            assert!(queries > 0, "the DNS server was never asked");
            assert!(complaints.is_empty(), "the DNS server saw {complaints:?}");
        }
    }
}

/// The answer to a query, by its name (`None`: no answer at all).
fn answer(request: &Message) -> Option<Message> {
    let query = request.queries.first()?.clone();
    let mut reply = Message::new(request.metadata.id, MessageType::Response, OpCode::Query);
    reply.metadata.recursion_desired = request.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.metadata.authoritative = true;
    reply.add_query(query.clone());
    let name = query.name().to_ascii().to_lowercase();
    match name.as_str() {
        "ok.test." => match query.query_type() {
            RecordType::A => {
                reply.add_answer(Record::from_rdata(
                    query.name().clone(),
                    60,
                    RData::A(A::new(192, 0, 2, 10)),
                ));
            }
            RecordType::MX => {
                reply.add_answer(Record::from_rdata(
                    query.name().clone(),
                    60,
                    RData::MX(MX::new(10, Name::from_ascii("mail.ok.test.").unwrap())),
                ));
            }
            _ => {}
        },
        "nx.test." => reply.metadata.response_code = ResponseCode::NXDomain,
        "fail.test." => reply.metadata.response_code = ResponseCode::ServFail,
        "empty.test." => {}
        "www.example.org." | "www.example.co.uk." => {
            reply.add_answer(Record::from_rdata(
                query.name().clone(),
                60,
                RData::A(A::new(192, 0, 2, 20)),
            ));
        }
        _ => return None,
    }
    Some(reply)
}

#[test]
fn dns_targets_tell_nxdomain_servfail_timeout_and_no_records_apart() {
    let (dns, sb) = (DnsServer::start(), Sandbox::new());
    sb.write_config(
        None,
        &[
            target("a", &dns.url("ok.test", "A")),
            format!(
                "{}\ncontains = \"192.0.2.10\"",
                target("a_text", &dns.url("ok.test", "A"))
            ),
            format!(
                "{}\ncontains = \"192.0.2.99\"",
                target("a_wrong", &dns.url("ok.test", "A"))
            ),
            target("mx", &dns.url("ok.test", "MX")),
            target("nx", &dns.url("nx.test", "A")),
            target("fail", &dns.url("fail.test", "A")),
            target("empty", &dns.url("empty.test", "A")),
            target("no_aaaa", &dns.url("ok.test", "AAAA")),
            target("hang", &dns.url("hang.test", "A")),
        ],
    );
    let started = Instant::now();
    let out = sb.run(&["check"]).expect(1).stdout;
    let want = [
        ("a", "UP", "A 192.0.2.10 in"),
        ("a_text", "UP", "A 192.0.2.10 in"),
        (
            "a_wrong",
            "DOWN",
            r#"text "192.0.2.99" not in the answers (192.0.2.10)"#,
        ),
        ("mx", "UP", "MX 10 mail.ok.test. in"),
        ("nx", "DOWN", "nx.test does not exist (NXDOMAIN)"),
        ("fail", "DOWN", "DNS server failed for fail.test (SERVFAIL)"),
        ("empty", "DOWN", "empty.test has no A record"),
        ("no_aaaa", "DOWN", "ok.test has no AAAA record"),
        ("hang", "DOWN", "timed out after 300ms"),
    ];
    for (name, state, reason) in want {
        let (got_state, got_reason) = verdict(&out, name);
        assert_eq!(got_state, state, "{name}: {out}");
        assert!(
            got_reason.starts_with(reason),
            "{name}: {got_reason:?}\n{out}"
        );
    }
    // Concurrent probes: the server that never answers costs about one timeout.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_dns_url_is_checked_when_the_config_is_read() {
    let sb = Sandbox::new();
    for (url, want) in [
        (
            "dns://ns.example/example.org",
            "the resolver \"ns.example\" must be an IP address",
        ),
        (
            "dns://127.0.0.1/example.org?type=SRV",
            "type \"SRV\" is not one of A, AAAA, CNAME, MX, TXT, NS",
        ),
        ("dns://127.0.0.1/", "a dns target names one domain"),
        (
            "icmp://127.0.0.1:80",
            "an icmp target is a host alone: icmp://host",
        ),
    ] {
        sb.write_config(None, &[target("t", url)]);
        let run = sb.run(&["check"]).expect(78);
        assert!(run.stderr.contains(want), "{url}: {}", run.stderr);
    }
}

/// `vigia check` of one target `ping` at `url` in a network namespace of its own, after
/// `setup` (shell) in it: its loopback up, and nothing it does seen outside.
fn in_netns(sb: &Sandbox, setup: &str, url: &str) -> crate::Run {
    sb.write_config(None, &[target("ping", url)]);
    let template = sb.command(&["check"]);
    let mut cmd = Command::new("unshare");
    cmd.env_clear()
        .envs(template.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .arg("--net")
        .arg("sh")
        .arg("-ec")
        .arg(format!("ip link set lo up; {setup}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_vigia"))
        .args(template.get_args())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    run(cmd)
}

const ALLOW_PING: &str = "echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range";

#[test]
#[ignore = "needs root"]
fn ping_of_127_0_0_1_is_up_with_its_round_trip() {
    assert_root();
    let sb = Sandbox::new();
    let run = in_netns(&sb, ALLOW_PING, "icmp://127.0.0.1").expect(0);
    let (state, reason) = verdict(&run.stdout, "ping");
    assert_eq!(state, "UP", "{}", run.stdout);
    assert!(
        reason.starts_with("echo reply in ") && reason.ends_with(" ms"),
        "{reason}"
    );
}

#[test]
#[ignore = "needs root"]
fn ping_of_an_address_that_does_not_answer_is_down() {
    assert_root();
    let sb = Sandbox::new();
    // The namespace's own kernel ignores echo requests: nothing answers, nothing leaves.
    let ignore = format!("{ALLOW_PING}; echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all");
    let run = in_netns(&sb, &ignore, "icmp://127.0.0.1").expect(1);
    let (state, reason) = verdict(&run.stdout, "ping");
    assert_eq!(
        (state.as_str(), reason.as_str()),
        ("DOWN", "timed out after 300ms"),
        "{}",
        run.stdout
    );
}

#[test]
#[ignore = "needs root"]
fn a_refused_icmp_socket_is_a_checker_fault_that_names_the_sysctl() {
    assert_root();
    let sb = Sandbox::new();
    // A new namespace starts with ping_group_range "1 0": no group may.
    let run = in_netns(
        &sb,
        "echo '1 0' > /proc/sys/net/ipv4/ping_group_range",
        "icmp://127.0.0.1",
    )
    .expect(75);
    assert!(
        run.stderr
            .contains("this machine refuses unprivileged ICMP sockets")
            && run
                .stderr
                .contains("To fix: sysctl -w net.ipv4.ping_group_range=\"0 2147483647\""),
        "{}",
        run.stderr
    );
}

/// A fake RDAP server: `/domain/NAME` answers a domain object whose expiration is the
/// date set with [`Rdap::expires`] (`None`: HTTP 503); counts the requests per name.
struct Rdap {
    addr: SocketAddr,
    state: Arc<Mutex<(Option<String>, Vec<String>)>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Rdap {
    fn start() -> Rdap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new((None::<String>, Vec::new())));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopped) = (state.clone(), stop.clone());
        let thread = thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(120);
            while !stopped.load(Ordering::Relaxed) && Instant::now() < until {
                let Ok((mut stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_millis(500)))
                    .unwrap();
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let path = text.split_whitespace().nth(1).unwrap_or("").to_owned();
                let mut state = shared.lock().unwrap();
                state.1.push(path.clone());
                let (status, body) = match (path.strip_prefix("/domain/"), &state.0) {
                    (Some(name), Some(date)) => (
                        "200 OK",
                        format!(
                            r#"{{"objectClassName":"domain","ldhName":"{name}","events":[{{"eventAction":"registration","eventDate":"2000-01-01T00:00:00Z"}},{{"eventAction":"expiration","eventDate":"{date}"}}]}}"#
                        ),
                    ),
                    _ => ("503 Service Unavailable", "{}".to_owned()),
                };
                drop(state);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/rdap+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Rdap {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn expires(&self, date: Option<&str>) {
        self.state.lock().unwrap().0 = date.map(str::to_owned);
    }

    fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().1.clone()
    }
}

impl Drop for Rdap {
    /// Fails the test on a path no test asked for, or when it was never asked.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let requests = self.requests();
        if !thread::panicking() {
            assert!(!requests.is_empty(), "the RDAP server was never asked");
            let odd: Vec<&String> = requests
                .iter()
                .filter(|p| !p.starts_with("/domain/example."))
                .collect();
            assert!(odd.is_empty(), "the RDAP server was asked for {odd:?}");
        }
    }
}

/// The config of the domain tests: dns targets on `www.example.org` and
/// `www.example.co.uk` (registered domains example.org and example.co.uk), RDAP at the
/// fake's.
fn domain_config(sb: &Sandbox, api: Option<&str>, dns: &DnsServer, rdap: &Rdap) {
    sb.write_config(
        api,
        &[
            target("org", &dns.url("www.example.org", "A")),
            target("uk", &dns.url("www.example.co.uk", "A")),
        ],
    );
    let text = std::fs::read_to_string(sb.config_path()).unwrap().replace(
        "[check]\n",
        &format!(
            "[metrics]\ntextfile = \"{}\"\n\n[check]\ndomain_warn_days = [30, 7, 1]\nrdap_url = \"{}\"\n",
            sb.path("vigia.prom").display(),
            rdap.url()
        ),
    );
    sb.write_raw_config(&text);
}

#[test]
fn domain_expiry_warns_once_per_threshold_and_asks_rdap_once_a_day() {
    let (dns, rdap, api, sb) = (
        DnsServer::start(),
        Rdap::start(),
        BotApi::start(),
        Sandbox::new(),
    );
    domain_config(&sb, Some(&api.url()), &dns, &rdap);
    // Expires on 2026-04-10: 40 days after 2026-03-01, 6 after 2026-04-04, 0 on 04-10.
    rdap.expires(Some("2026-04-10T12:00:00Z"));
    let runs = |day: &str| {
        // Many runs a day (each minute for a while, then hourly): one lookup per domain.
        for minute in 0..3 {
            sb.run_at(&["check"], &format!("{day}T12:0{minute}:00Z"))
                .expect(0);
        }
        for hour in 13..24 {
            sb.run_at(&["check"], &format!("{day}T{hour}:30:00Z"))
                .expect(0);
        }
    };
    runs("2026-03-01");
    assert_eq!(
        rdap.requests(),
        ["/domain/example.co.uk", "/domain/example.org"],
        "one lookup per domain on the first run"
    );
    assert!(api.sent().is_empty(), "40 days left: under no threshold");
    runs("2026-04-04");
    assert_eq!(rdap.requests().len(), 4, "{:?}", rdap.requests());
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0]
            .contains("🌐 The domain <b>example.co.uk</b> of uk expires in 6 days, on 2026-04-10")
            && sent[0].contains("🌐 The domain <b>example.org</b> of org expires in 6 days"),
        "{}",
        sent[0]
    );
    runs("2026-04-10");
    let sent = api.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("expires in 0 days"), "{}", sent[1]);
    assert_eq!(rdap.requests().len(), 6);
    // status shows the days left; the metrics the date.
    let status = sb
        .run_with_env(&["status"], "VIGIA_NOW", "2026-04-10T23:40:00Z")
        .stdout;
    assert!(
        status.contains("Domains: example.co.uk 0 day(s) left (until 2026-04-10 12:00:00 +00:00); example.org 0 day(s) left"),
        "{status}"
    );
    let json = sb
        .run_with_env(&["status", "--json"], "VIGIA_NOW", "2026-04-10T23:40:00Z")
        .stdout;
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        doc["targets"][0]["domain"],
        serde_json::json!({"name": "example.org", "expires": "2026-04-10T12:00:00+00:00", "days_left": 0}),
        "{json}"
    );
    let metrics = std::fs::read_to_string(sb.path("vigia.prom")).unwrap();
    let families = crate::prometheus::parse(&metrics).unwrap();
    let expiry = &families["vigia_domain_expiry_timestamp_seconds"];
    let when = chrono::DateTime::parse_from_rfc3339("2026-04-10T12:00:00Z").unwrap();
    assert_eq!(expiry.samples.len(), 2, "{metrics}");
    assert!(
        expiry
            .samples
            .iter()
            .all(|(_, _, v)| *v == when.timestamp() as f64),
        "{metrics}"
    );
}

#[test]
fn a_failed_rdap_lookup_is_a_warning_asked_again_the_next_day() {
    let (dns, rdap, sb) = (DnsServer::start(), Rdap::start(), Sandbox::new());
    domain_config(&sb, None, &dns, &rdap);
    rdap.expires(None);
    let run = sb.run_at(&["check"], "2026-03-01T12:00:00Z").expect(0);
    assert!(
        run.stderr
            .contains("domain example.org: the RDAP lookup failed (")
            && run
                .stderr
                .contains("answered HTTP 503); asked again in a day"),
        "{}",
        run.stderr
    );
    sb.run_at(&["check"], "2026-03-01T12:01:00Z").expect(0);
    assert_eq!(rdap.requests().len(), 2, "{:?}", rdap.requests());
    // The next day it answers: 6 days left, said on the run's output (no Telegram).
    rdap.expires(Some("2026-03-08T12:00:00Z"));
    let run = sb.run_at(&["check"], "2026-03-02T12:01:00Z").expect(0);
    assert_eq!(rdap.requests().len(), 4);
    assert!(
        run.stdout
            .contains("The domain example.org of org expires in 6 days"),
        "{}",
        run.stdout
    );
}

#[test]
#[should_panic(expected = "a name no test asked for")]
fn the_dns_server_fails_its_test_on_a_name_nobody_asked_for() {
    let dns = DnsServer::start();
    let sb = Sandbox::new();
    sb.write_config(None, &[target("x", &dns.url("nosuch.test", "A"))]);
    sb.run(&["check"]);
}

#[test]
#[should_panic(expected = "the RDAP server was never asked")]
fn the_rdap_server_fails_its_test_when_never_asked() {
    let _rdap = Rdap::start();
}
