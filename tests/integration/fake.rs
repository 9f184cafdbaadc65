//! Local fake servers on loopback: a watched site with every kind of failure, and a Bot
//! API that records requests and answers as scripted. Every loop is bounded in time.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The longest any fake holds a connection (a hanging answer, an endless body).
const MAX_HOLD: Duration = Duration::from_secs(10);

pub const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

/// A request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub body: Vec<u8>,
}

struct Server {
    /// "site" or "Bot API", for the report.
    name: &'static str,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Connections accepted and not yet answered.
    busy: Arc<std::sync::atomic::AtomicUsize>,
    complaints: Complaints,
}

/// What a fake found wrong: a handler that panicked, a call no test asked for, a scripted
/// reply never used. The test that owns the fake fails when it is dropped (as xh's test
/// server does), so a fake that answered 404 and carried on cannot hide a defect.
#[derive(Clone, Default)]
pub(crate) struct Complaints(Arc<Mutex<Vec<String>>>);

impl Complaints {
    pub(crate) fn add(&self, what: String) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(what);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

thread_local! {
    /// This connection is kept open after an answer (see [`Server::start_with`]).
    static KEEP_ALIVE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The text of a caught panic.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(text), _) => (*text).to_owned(),
        (_, Some(text)) => text.clone(),
        _ => "(a panic without a message)".to_owned(),
    }
}

impl Server {
    /// With `keep_alive`, a connection stays open after each answer and is closed by the
    /// server once idle that long, as real servers do. A panic in `handler` is caught and
    /// becomes a complaint.
    fn start_with(
        name: &'static str,
        complaints: Complaints,
        handler: impl Fn(Request, &mut TcpStream, &AtomicBool) + Send + Sync + 'static,
        keep_alive: Option<Duration>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let busy = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handler = Arc::new(handler);
        let (flag, counter, seen) = (stop.clone(), busy.clone(), complaints.clone());
        thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let (handler, flag, counter, seen) =
                            (handler.clone(), flag.clone(), counter.clone(), seen.clone());
                        counter.fetch_add(1, Ordering::SeqCst);
                        thread::spawn(move || {
                            stream.set_nonblocking(false).unwrap();
                            stream.set_read_timeout(Some(MAX_HOLD)).unwrap();
                            KEEP_ALIVE.with(|k| k.set(keep_alive.is_some()));
                            while let Some(request) = read_request(&mut stream) {
                                let path = request.path.clone();
                                let handled =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        handler(request, &mut stream, &flag)
                                    }));
                                if let Err(panic) = handled {
                                    seen.add(format!(
                                        "the handler panicked on {path}: {}",
                                        panic_text(&*panic)
                                    ));
                                    break;
                                }
                                let Some(idle) = keep_alive else { break };
                                stream.set_read_timeout(Some(idle)).unwrap();
                            }
                            let _ = stream.shutdown(std::net::Shutdown::Both);
                            counter.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server {
            name,
            addr,
            stop,
            busy,
            complaints,
        }
    }

    /// Waits (bounded) until every connection made so far has been answered: the accept
    /// loop polls every 2 ms, so a connection still in the backlog is picked up first.
    fn settle(&self) {
        let until = Instant::now() + Duration::from_secs(2);
        thread::sleep(Duration::from_millis(10));
        while self.busy.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// Stops the server and lets what it holds (a hanging answer, a long poll) end.
    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.settle();
    }
}

impl Drop for Server {
    /// Fails the owning test with every complaint, unless it is failing already: a panic
    /// while panicking would abort the whole test binary, so then they are only printed.
    fn drop(&mut self) {
        self.stop();
        let complaints = self.complaints.take();
        if complaints.is_empty() {
            return;
        }
        let report = format!(
            "the fake {} at {} complains:\n  {}",
            self.name,
            self.addr,
            complaints.join("\n  ")
        );
        if thread::panicking() {
            eprintln!("{report}");
        } else {
            panic!("{report}");
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let path = first.split_whitespace().nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { path, body })
}

fn respond(stream: &mut TcpStream, status: u16, headers: &str, body: &[u8]) {
    let connection = if KEEP_ALIVE.with(|k| k.get()) {
        "keep-alive"
    } else {
        "close"
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: {connection}\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Waits until the test ends or MAX_HOLD passes, holding the connection open.
fn hold(stop: &AtomicBool) {
    let until = Instant::now() + MAX_HOLD;
    while !stop.load(Ordering::Relaxed) && Instant::now() < until {
        thread::sleep(Duration::from_millis(5));
    }
}

/// Writes `200 OK` and a body that never ends, until the client leaves or MAX_HOLD.
fn endless(stream: &mut TcpStream, stop: &AtomicBool) {
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    let chunk = format!("{:x}\r\n{}\r\n", 8192, "a".repeat(8192));
    let until = Instant::now() + MAX_HOLD;
    while !stop.load(Ordering::Relaxed) && Instant::now() < until {
        if stream.write_all(chunk.as_bytes()).is_err() {
            break;
        }
    }
}

/// A watched site. Paths: `/ok` (200 "Welcome to <b>site</b>"), `/status/N`, `/hang`
/// (never answers), `/endless` (200 with a body that never ends), `/loop` (redirects to
/// itself), `/redirect` (to `/ok`), `/switch` (the status set with [`Site::set`]),
/// `/lag` (200 after the delay set with [`Site::set_lag`]), `/health.json` and
/// `/error.json` (JSON), `/maintenance` (text). Any
/// other path is answered 404 and fails the test (see [`Complaints`]).
pub struct Site {
    server: Server,
    switch: Arc<AtomicU16>,
    /// Connections held by `/slow` now, the most ever at once, and `/hb` pings.
    held: Arc<(AtomicU16, AtomicU16, AtomicU16)>,
    /// How long `/lag` waits before it answers, in milliseconds.
    lag: Arc<AtomicU16>,
}

impl Site {
    pub fn start() -> Site {
        let switch = Arc::new(AtomicU16::new(200));
        let status = switch.clone();
        let held = Arc::new((AtomicU16::new(0), AtomicU16::new(0), AtomicU16::new(0)));
        let counter = held.clone();
        let lag = Arc::new(AtomicU16::new(0));
        let delay = lag.clone();
        let complaints = Complaints::default();
        let seen = complaints.clone();
        let handler = move |req: Request, stream: &mut TcpStream, stop: &AtomicBool| match req
            .path
            .as_str()
        {
            // /hb/...: a heartbeat endpoint; counts the pings.
            path if path.starts_with("/hb") => {
                counter.2.fetch_add(1, Ordering::SeqCst);
                respond(stream, 200, "", b"OK")
            }
            // /slow/...: answers 200 after 30 ms, counting connections held at once.
            path if path.starts_with("/slow") => {
                let now = counter.0.fetch_add(1, Ordering::SeqCst) + 1;
                counter.1.fetch_max(now, Ordering::SeqCst);
                thread::sleep(Duration::from_millis(30));
                counter.0.fetch_sub(1, Ordering::SeqCst);
                respond(stream, 200, "", b"slow")
            }
            "/ok" | "/ok?a=1&b=%3C2%3E" => {
                respond(stream, 200, "", b"<html>Welcome to <b>site</b></html>")
            }
            "/hang" => hold(stop),
            // Proves that a panicking handler fails its test (see the tests below).
            "/panic" => panic!("the handler of /panic panics"),
            "/endless" => endless(stream, stop),
            "/loop" => respond(stream, 302, "location: /loop\r\n", b""),
            // /chain/N redirects N times before answering.
            path if path.starts_with("/chain/") => match path[7..].parse::<u32>() {
                Ok(0) | Err(_) => respond(stream, 200, "", b"end of chain"),
                Ok(n) => respond(stream, 302, &format!("location: /chain/{}\r\n", n - 1), b""),
            },
            "/redirect" => respond(stream, 301, "location: /ok\r\n", b""),
            // /goto?URL redirects to any URL (an https:// one, say).
            path if path.starts_with("/goto?") => {
                respond(stream, 302, &format!("location: {}\r\n", &path[6..]), b"")
            }
            "/switch" => respond(stream, status.load(Ordering::Relaxed), "", b"switch"),
            // Body rules (tests/integration/watch.rs): JSON and text.
            "/health.json" => respond(
                stream,
                200,
                "content-type: application/json\r\n",
                br#"{"status":"ok","checks":{"db":{"healthy":true}},"load":0.5,"version":"1.4"}"#,
            ),
            "/error.json" => respond(
                stream,
                200,
                "content-type: application/json\r\n",
                br#"{"status":"error","checks":{"db":{"healthy":false}}}"#,
            ),
            "/maintenance" => respond(stream, 200, "", b"Down for Maintenance, version: 1.4"),
            "/lag" => {
                thread::sleep(Duration::from_millis(delay.load(Ordering::Relaxed).into()));
                respond(stream, 200, "", b"lag")
            }
            path => match path.strip_prefix("/status/").and_then(|s| s.parse().ok()) {
                Some(code) => respond(stream, code, "", b"status"),
                None => {
                    seen.add(format!("a request for {path}, a path no test asked for"));
                    respond(stream, 404, "", b"no such path")
                }
            },
        };
        let server = Server::start_with("site", complaints, handler, None);
        Site {
            server,
            switch,
            held,
            lag,
        }
    }

    /// How many heartbeat pings `/hb` received.
    pub fn pings(&self) -> u16 {
        self.held.2.load(Ordering::SeqCst)
    }

    /// The most connections `/slow` held at once.
    pub fn most_held_at_once(&self) -> u16 {
        self.held.1.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    /// How long `/lag` waits before it answers from now on.
    pub fn set_lag(&self, lag: Duration) {
        self.lag.store(
            lag.as_millis().min(u16::MAX.into()) as u16,
            Ordering::Relaxed,
        );
    }

    /// The status `/switch` answers from now on.
    pub fn set(&self, status: u16) {
        self.switch.store(status, Ordering::Relaxed);
    }
}

/// A loopback URL where nothing listens: connection refused.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/")
}

/// How the fake Bot API answers one call.
#[derive(Clone, Debug)]
pub enum Reply {
    /// `{"ok":true,"result":...}`
    Ok(Value),
    /// `{"ok":false,...}` with this code, description and parameters.
    Error(u16, &'static str, Value),
    /// Accept the connection and never answer.
    Hang,
    /// Answer 200 with a body that never ends (until the client goes or MAX_HOLD).
    Endless,
    /// A proxy's HTML error page with this status that echoes the request path (and
    /// so the token in it), as some reverse proxies do.
    EchoPath(u16),
    /// This status, these header lines (each ending in `\r\n`) and this JSON body, as
    /// they are: a 429 with only `Retry-After: 0`, a 302 that says `ok: true`.
    Raw(u16, &'static str, Value),
}

/// What the fake Bot API puts on the wire for one call.
enum Response {
    /// A JSON body with this status.
    Json(u16, Value),
    /// A JSON body with this status and exactly these header lines.
    Raw(u16, &'static str, Value),
    /// An HTML page with this status (a proxy's error page).
    Html(u16, String),
    /// 200 and a body that never ends.
    Endless,
    /// No answer at all (the connection was held, then closed).
    Nothing,
}

/// One call the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    /// The token in the URL path.
    pub token: String,
    pub body: Value,
    /// The epoch set with [`BotApi::set_epoch`] when the call arrived.
    pub epoch: u64,
}

#[derive(Default)]
struct BotState {
    calls: Vec<Call>,
    /// Scripted replies per method, used before the default.
    script: Vec<(String, VecDeque<Reply>)>,
    /// Standing replies per method, after the script, and whether one was used.
    always: Vec<(String, Reply, bool)>,
    updates: VecDeque<Value>,
    next_update_id: i64,
    webhook: String,
    epoch: u64,
    /// getUpdates answers at once instead of holding the long poll.
    instant_updates: bool,
    /// How long every sendMessage answer takes (the call is recorded when it arrives).
    delay: Duration,
    /// Requests outside `/bot<token>/<method>` are part of the test, not a complaint.
    wrong_paths_expected: bool,
    /// Another program polls the bot: every getUpdates answers 409.
    other_poller: bool,
}

/// The fake Bot API. Checks the token (401 for a wrong one, 404 for a malformed path)
/// and rejects malformed HTML the way Telegram does. A malformed path, a method it does
/// not know and a scripted reply still unused when it is dropped fail the test.
pub struct BotApi {
    server: Server,
    state: Arc<(Mutex<BotState>, Condvar)>,
}

impl BotApi {
    pub fn start() -> BotApi {
        BotApi::start_with(None)
    }

    /// A Bot API that keeps connections open and closes them once idle for `idle`.
    pub fn start_keep_alive(idle: Duration) -> BotApi {
        BotApi::start_with(Some(idle))
    }

    /// getUpdates from now on answers at once, whatever its timeout (some proxies and
    /// emulators do).
    pub fn answer_updates_at_once(&self) {
        self.state.0.lock().unwrap().instant_updates = true;
    }

    /// Every sendMessage from now on is answered `delay` after it arrived.
    pub fn answer_slowly(&self, delay: Duration) {
        self.state.0.lock().unwrap().delay = delay;
    }

    fn start_with(keep_alive: Option<Duration>) -> BotApi {
        let state = Arc::new((
            Mutex::new(BotState {
                next_update_id: 100,
                ..BotState::default()
            }),
            Condvar::new(),
        ));
        let shared = state.clone();
        let complaints = Complaints::default();
        let seen = complaints.clone();
        let handler = move |req: Request, stream: &mut TcpStream, stop: &AtomicBool| match answer(
            &shared, &seen, &req, stop,
        ) {
            Response::Json(status, body) => {
                let headers = if status == 429 {
                    "retry-after: 1\r\n"
                } else {
                    ""
                };
                respond(
                    stream,
                    status,
                    &format!("content-type: application/json\r\n{headers}"),
                    body.to_string().as_bytes(),
                )
            }
            Response::Raw(status, headers, body) => respond(
                stream,
                status,
                &format!("content-type: application/json\r\n{headers}"),
                body.to_string().as_bytes(),
            ),
            Response::Html(status, page) => respond(
                stream,
                status,
                "content-type: text/html\r\n",
                page.as_bytes(),
            ),
            Response::Endless => endless(stream, stop),
            Response::Nothing => {}
        };
        let server = Server::start_with("Bot API", complaints, handler, keep_alive);
        BotApi { server, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// Requests to paths outside `/bot<token>/<method>` are what this test is about (a
    /// wrong `api_url`): answered 404 without a complaint.
    pub fn expect_wrong_paths(&self) {
        self.state.0.lock().unwrap().wrong_paths_expected = true;
    }

    /// Replies to use for the next calls of `method`, in order; then the default.
    pub fn script(&self, method: &str, replies: impl IntoIterator<Item = Reply>) {
        let mut state = self.state.0.lock().unwrap();
        state
            .script
            .push((method.to_owned(), replies.into_iter().collect()));
    }

    /// Every call of `method` from now on is answered with `reply` (after any script):
    /// for a test that does not count the calls. Never used is still a complaint.
    pub fn always(&self, method: &str, reply: Reply) {
        let mut state = self.state.0.lock().unwrap();
        state.always.push((method.to_owned(), reply, false));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.0.lock().unwrap().calls.clone()
    }

    /// The texts of the accepted `sendMessage` calls, in order.
    pub fn sent(&self) -> Vec<String> {
        self.state
            .0
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == "sendMessage" && c.body.get("accepted").is_some())
            .map(|c| c.body["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Marks the calls that arrive from now on (e.g. with the number of the run), once
    /// every call made so far is answered (and so marked with the epoch before).
    pub fn set_epoch(&self, epoch: u64) {
        self.server.settle();
        self.state.0.lock().unwrap().epoch = epoch;
    }

    /// The accepted `sendMessage` calls with their epochs, in order.
    pub fn sent_with_epoch(&self) -> Vec<(String, u64)> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == "sendMessage" && c.body.get("accepted").is_some())
            .map(|c| {
                (
                    c.body["text"].as_str().unwrap_or_default().to_owned(),
                    c.epoch,
                )
            })
            .collect()
    }

    pub fn set_webhook(&self, url: &str) {
        self.state.0.lock().unwrap().webhook = url.to_owned();
    }

    pub fn webhook(&self) -> String {
        self.state.0.lock().unwrap().webhook.clone()
    }

    /// Queues a message update from `chat` with `text`.
    pub fn push_message(&self, chat: Value, text: &str) {
        let (lock, wake) = &*self.state;
        let mut state = lock.lock().unwrap();
        state.next_update_id += 1;
        let id = state.next_update_id;
        let from = json!({"id": chat["id"], "is_bot": false, "first_name": "Someone"});
        state.updates.push_back(json!({
            "update_id": id,
            "message": {"message_id": id, "from": from, "chat": chat, "date": 1_700_000_000, "text": text}
        }));
        wake.notify_all();
    }

    /// Queues a message update from user `from` (first name `name`) in `chat`; returns
    /// its update id.
    pub fn push_from(&self, chat: Value, from: i64, name: &str, text: &str) -> i64 {
        let from = json!({"id": from, "is_bot": false, "first_name": name});
        self.push_update(|id| {
            json!({"message": {"message_id": id, "from": from, "chat": chat, "date": 1_700_000_000, "text": text}})
        })
    }

    /// Queues an update made by `kind` from its id (`{"channel_post": ...}`); returns the id.
    pub fn push_update(&self, kind: impl FnOnce(i64) -> Value) -> i64 {
        let (lock, wake) = &*self.state;
        let mut state = lock.lock().unwrap();
        state.next_update_id += 1;
        let id = state.next_update_id;
        let mut update = kind(id);
        update["update_id"] = json!(id);
        state.updates.push_back(update);
        wake.notify_all();
        id
    }

    /// Update ids restart after `id`, as Telegram's may after about a week without
    /// updates (those pending are gone: they are kept at most 24 hours). An offset far
    /// above every id issued then confirms none of the new ones.
    pub fn restart_update_ids(&self, id: i64) {
        let mut state = self.state.0.lock().unwrap();
        state.next_update_id = id;
        state.updates.clear();
    }

    /// Whether another program polls the bot: then every getUpdates answers 409.
    pub fn poll_elsewhere(&self, other: bool) {
        self.state.0.lock().unwrap().other_poller = other;
    }

    /// The updates not yet confirmed by an offset.
    pub fn pending_updates(&self) -> usize {
        self.state.0.lock().unwrap().updates.len()
    }

    /// Waits (bounded) until `method` was called `count` times.
    pub fn wait_for(&self, method: &str, count: usize, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if self.calls().iter().filter(|c| c.method == method).count() >= count {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

fn answer(
    shared: &Arc<(Mutex<BotState>, Condvar)>,
    complaints: &Complaints,
    req: &Request,
    stop: &AtomicBool,
) -> Response {
    let (lock, wake) = &**shared;
    // Through an HTTP proxy the request line holds the absolute URL.
    let path = match req.path.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => req.path.as_str(),
    };
    let Some((token, method)) = path.strip_prefix("/bot").and_then(|p| p.split_once('/')) else {
        if !lock.lock().unwrap().wrong_paths_expected {
            complaints.add(format!("a request for {path}, not /bot<token>/<method>"));
        }
        return Response::Json(
            404,
            json!({"ok": false, "error_code": 404, "description": "Not Found"}),
        );
    };
    let method = method.to_owned();
    let mut body: Value = serde_json::from_slice(&req.body).unwrap_or(json!({}));
    let mut state = lock.lock().unwrap();
    let scripted = state
        .script
        .iter_mut()
        .find(|(m, replies)| m.eq_ignore_ascii_case(&method) && !replies.is_empty())
        .and_then(|(_, replies)| replies.pop_front())
        .or_else(|| {
            let (_, reply, used) = state
                .always
                .iter_mut()
                .find(|(m, _, _)| m.eq_ignore_ascii_case(&method))?;
            *used = true;
            Some(reply.clone())
        });
    let reply = if token != TOKEN {
        Reply::Error(401, "Unauthorized", json!({}))
    } else if let Some(reply) = scripted {
        reply
    } else if method == "sendMessage" {
        match check_html(body["text"].as_str().unwrap_or_default()) {
            Ok(()) => {
                body["accepted"] = json!(true);
                Reply::Ok(
                    json!({"message_id": 1, "chat": {"id": body["chat_id"], "type": "private"}, "date": 0, "text": body["text"]}),
                )
            }
            Err(why) => Reply::Error(
                400,
                Box::leak(format!("Bad Request: can't parse entities: {why}").into_boxed_str()),
                json!({}),
            ),
        }
    } else {
        match method.as_str() {
            "getMe" => Reply::Ok(
                json!({"id": 123456789, "is_bot": true, "first_name": "Vigia Test", "username": "vigia_test_bot"}),
            ),
            "getWebhookInfo" => Reply::Ok(json!({"url": state.webhook, "pending_update_count": 0})),
            "deleteWebhook" => {
                state.webhook.clear();
                Reply::Ok(json!(true))
            }
            "getUpdates" => {
                if !state.webhook.is_empty() {
                    Reply::Error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", json!({}))
                } else if state.other_poller {
                    Reply::Error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", json!({}))
                } else {
                    let offset = body["offset"].as_i64().unwrap_or(0);
                    // An offset far above every id issued (ids restarted) confirms nothing.
                    if offset <= state.next_update_id + 1 {
                        state
                            .updates
                            .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                    }
                    let asked = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0));
                    let wait = if state.instant_updates {
                        Duration::ZERO
                    } else {
                        asked.min(Duration::from_secs(2))
                    };
                    let until = Instant::now() + wait;
                    while state.updates.is_empty()
                        && Instant::now() < until
                        && !stop.load(Ordering::Relaxed)
                    {
                        state = wake
                            .wait_timeout(state, Duration::from_millis(20))
                            .unwrap()
                            .0;
                    }
                    let limit = body["limit"].as_u64().unwrap_or(100) as usize;
                    Reply::Ok(Value::Array(
                        state.updates.iter().take(limit).cloned().collect(),
                    ))
                }
            }
            "setMyCommands" => Reply::Ok(json!(true)),
            other => {
                complaints.add(format!(
                    "a call of {other}, a method the fake does not know"
                ));
                Reply::Error(404, "Not Found: method not found", json!({}))
            }
        }
    };
    let epoch = state.epoch;
    let delay = if method == "sendMessage" {
        state.delay
    } else {
        Duration::ZERO
    };
    state.calls.push(Call {
        method,
        token: token.to_owned(),
        body,
        epoch,
    });
    drop(state);
    thread::sleep(delay);
    match reply {
        Reply::Raw(status, headers, body) => Response::Raw(status, headers, body),
        Reply::Ok(result) => Response::Json(200, json!({"ok": true, "result": result})),
        Reply::Error(code, description, parameters) => {
            let mut error = json!({"ok": false, "error_code": code, "description": description});
            if parameters.as_object().is_some_and(|p| !p.is_empty()) {
                error["parameters"] = parameters;
            }
            Response::Json(code, error)
        }
        Reply::Hang => {
            hold(stop);
            Response::Nothing
        }
        Reply::Endless => Response::Endless,
        Reply::EchoPath(code) => Response::Html(
            code,
            format!(
                "<html><body>Error: the upstream for {} is unavailable</body></html>",
                req.path
            ),
        ),
    }
}

impl Drop for BotApi {
    /// A scripted reply never used is a test that did not see what it scripted; the
    /// server's own drop then fails the test with it (see [`Complaints`]).
    fn drop(&mut self) {
        self.server.stop();
        let state = self
            .state
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (method, replies) in &state.script {
            if !replies.is_empty() {
                self.server.complaints.add(format!(
                    "{} scripted {method} repl{} never used: {replies:?}",
                    replies.len(),
                    if replies.len() == 1 { "y" } else { "ies" }
                ));
            }
        }
        for (method, reply, used) in &state.always {
            if !used {
                self.server.complaints.add(format!(
                    "the standing {method} reply {reply:?} was never used"
                ));
            }
        }
    }
}

/// Telegram's HTML mode: only known tags, balanced, and `&` only as an entity.
fn check_html(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("text must be non-empty".into());
    }
    // Telegram counts UTF-16 code units (after parsing; counted here on the raw text).
    if text.encode_utf16().count() > 4096 {
        return Err("message is too long".into());
    }
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&', '>']) {
        let at = text.len() - rest.len() + i;
        rest = &rest[i..];
        if rest.starts_with('>') {
            return Err(format!("unexpected '>' at byte offset {at}"));
        }
        if rest.starts_with('&') {
            let end = rest
                .find(';')
                .filter(|&e| e < 10)
                .ok_or(format!("unescaped '&' at byte offset {at}"))?;
            if !["&amp;", "&lt;", "&gt;", "&quot;"].contains(&&rest[..=end]) {
                return Err(format!("unsupported entity at byte offset {at}"));
            }
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest
            .find('>')
            .ok_or(format!("unclosed start tag at byte offset {at}"))?;
        let tag = &rest[1..end];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop().as_deref() != Some(name) {
                return Err(format!("unmatched end tag \"{name}\" at byte offset {at}"));
            }
        } else {
            let name = tag.split_whitespace().next().unwrap_or_default();
            if !["b", "i", "u", "s", "code", "pre", "a", "blockquote"].contains(&name) {
                return Err(format!(
                    "Unsupported start tag \"{name}\" at byte offset {at}"
                ));
            }
            open.push(name.to_owned());
        }
        rest = &rest[end + 1..];
    }
    match open.pop() {
        Some(name) => Err(format!(
            "can't find end tag corresponding to start tag \"{name}\""
        )),
        None => Ok(()),
    }
}

/// Sends one GET for `path` and returns the status line (empty when none came).
#[cfg(test)]
fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = BufReader::new(stream).read_line(&mut answer);
    answer
}

#[test]
#[should_panic(expected = "a request for /nosuch, a path no test asked for")]
fn a_site_fails_its_test_on_a_path_nobody_asked_for() {
    let site = Site::start();
    assert!(get(site.server.addr, "/nosuch").contains(" 404 "));
}

#[test]
#[should_panic(expected = "the handler panicked on /panic: the handler of /panic panics")]
fn a_site_fails_its_test_when_a_handler_panics() {
    let site = Site::start();
    assert_eq!(get(site.server.addr, "/panic"), "");
}

#[test]
#[should_panic(expected = "a call of getChat, a method the fake does not know")]
fn the_bot_api_fails_its_test_on_a_method_it_does_not_know() {
    let api = BotApi::start();
    assert!(get(api.server.addr, &format!("/bot{TOKEN}/getChat")).contains(" 404 "));
}

#[test]
#[should_panic(expected = "a request for /favicon.ico, not /bot<token>/<method>")]
fn the_bot_api_fails_its_test_on_a_path_outside_the_api() {
    let api = BotApi::start();
    get(api.server.addr, "/favicon.ico");
}

#[test]
fn a_wrong_path_expected_by_the_test_is_no_complaint() {
    let api = BotApi::start();
    api.expect_wrong_paths();
    assert!(get(api.server.addr, "/favicon.ico").contains(" 404 "));
}

#[test]
#[should_panic(expected = "1 scripted sendMessage reply never used: [Hang]")]
fn the_bot_api_fails_its_test_on_a_scripted_reply_never_used() {
    let api = BotApi::start();
    api.script(
        "sendMessage",
        [Reply::Error(502, "Bad Gateway", json!({})), Reply::Hang],
    );
    assert!(get(api.server.addr, &format!("/bot{TOKEN}/sendMessage")).contains(" 502 "));
}

#[test]
#[should_panic(expected = "the standing getMe reply")]
fn the_bot_api_fails_its_test_on_a_standing_reply_never_used() {
    let api = BotApi::start();
    api.always("getMe", Reply::Hang);
}

#[test]
#[should_panic(expected = "the test's own failure")]
fn a_fake_that_complains_in_a_failing_test_does_not_abort_it() {
    let site = Site::start();
    get(site.server.addr, "/nosuch");
    // The complaint is printed, not raised: a second panic would abort the binary.
    panic!("the test's own failure");
}

/// A fake Alertmanager (README "A fleet of checkers"): records every post to
/// `/api/v2/alerts` (each a JSON array of alerts) and answers as set with
/// [`FakeAlertmanager::answer`] (200 by default; 0 hangs until the test ends). Any other
/// path, a body that is not a JSON array, or a post it was never sent (see
/// [`FakeAlertmanager::expect_posts`]) fails the test.
pub struct FakeAlertmanager {
    server: Server,
    posts: Arc<Mutex<Vec<Value>>>,
    status: Arc<AtomicU16>,
    /// Whether the test expects at least one post (checked when dropped).
    expected: Arc<AtomicBool>,
    /// Posts received in all, taken or not.
    total: Arc<AtomicU16>,
}

impl FakeAlertmanager {
    pub fn start() -> FakeAlertmanager {
        let posts = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let complaints = Complaints::default();
        let (seen, kept, answer) = (complaints.clone(), posts.clone(), status.clone());
        let total = Arc::new(AtomicU16::new(0));
        let counter = total.clone();
        let handler = move |req: Request, stream: &mut TcpStream, stop: &AtomicBool| {
            if req.path != "/api/v2/alerts" {
                seen.add(format!("a request for {}, not /api/v2/alerts", req.path));
                return respond(stream, 404, "", b"not found");
            }
            match serde_json::from_slice::<Value>(&req.body) {
                Ok(alerts) if alerts.is_array() => {
                    counter.fetch_add(1, Ordering::SeqCst);
                    kept.lock().unwrap().push(alerts)
                }
                _ => seen.add(format!(
                    "a post that is not a JSON array: {}",
                    String::from_utf8_lossy(&req.body)
                )),
            }
            match answer.load(Ordering::SeqCst) {
                0 => hold(stop),
                code => respond(stream, code, "content-type: application/json\r\n", b""),
            }
        };
        FakeAlertmanager {
            server: Server::start_with("Alertmanager", complaints, handler, None),
            posts,
            status,
            expected: Arc::new(AtomicBool::new(false)),
            total,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// The status of every answer from now on; 0: no answer at all.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// The test fails if no post ever arrived.
    pub fn expect_posts(&self) {
        self.expected.store(true, Ordering::SeqCst);
    }

    /// Every post so far, each the array of alerts it carried; the record is emptied.
    pub fn take(&self) -> Vec<Value> {
        self.server.settle();
        std::mem::take(&mut *self.posts.lock().unwrap())
    }
}

impl Drop for FakeAlertmanager {
    fn drop(&mut self) {
        if self.expected.load(Ordering::SeqCst) && self.total.load(Ordering::SeqCst) == 0 {
            self.server
                .complaints
                .add("no post arrived, though the test expected one".into());
        }
    }
}
