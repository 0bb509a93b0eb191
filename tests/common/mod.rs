//! Shared helpers for the integration tests: hand-written servers on
//! 127.0.0.1:0, an event collector whose every wait has a timeout, the
//! checker of the SPEC §2 invariants, and a runner for the built binary.
//!
//! The servers are deliberately raw where a library would hide what we need
//! to send (forbidden close codes, bad UTF-8, odd HTTP answers).

#![allow(dead_code, reason = "each test file uses a different part")]

use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;
use wsprobe::engine::connection::{EngineHandle, RunEnd, Settings, spawn};
use wsprobe::engine::event::{Command, EngineEvent};
use wsprobe::engine::policy::{Jitter, Policy};

/// The longest any single wait in a test may take before it fails.
pub const STEP: Duration = Duration::from_secs(5);

/// The longest a whole engine run may take in a test (a run that keeps
/// reconnecting would otherwise never end).
pub const RUN_LIMIT: Duration = Duration::from_secs(10);

/// Awaits `fut`, failing the test with `what` when it takes longer than [`STEP`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {STEP:?} waiting for {what}"))
}

// ---------------------------------------------------------------------------
// Servers

/// A listener on a free loopback port that hands each connection to a handler.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Server {
    /// `ws://addr{path}`.
    pub fn url(&self, path: &str) -> Url {
        Url::parse(&format!("ws://{}{path}", self.addr)).expect("a valid URL")
    }

    /// `wss://addr{path}`.
    pub fn wss(&self, path: &str) -> Url {
        Url::parse(&format!("wss://{}{path}", self.addr)).expect("a valid URL")
    }

    /// How many connections were accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a server; `handler(n, tcp)` runs for the n-th connection (from 0).
/// Handler errors are expected (the client may go away at any time) and ignored.
pub async fn serve<F, Fut>(handler: F) -> Server
where
    F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let listener = within("bind", TcpListener::bind("127.0.0.1:0"))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let fut = handler(n, tcp);
            tokio::spawn(async move {
                let _ = fut.await;
            });
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

/// A loopback address where nothing listens (bound, then released).
pub async fn refused_addr() -> SocketAddr {
    let listener = within("bind", TcpListener::bind("127.0.0.1:0"))
        .await
        .expect("bind");
    listener.local_addr().expect("local addr")
}

/// Reads an HTTP request head (up to the blank line) and returns it.
pub async fn read_request<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The value of a header in a request head (case-insensitive name).
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads the upgrade request and answers 101 by hand (plus `extra` header
/// lines); returns the request head.
pub async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    extra: &[(&str, &str)],
) -> io::Result<String> {
    let head = read_request(s).await?;
    let key = header(&head, "sec-websocket-key").unwrap_or_default();
    let accept =
        tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.trim().as_bytes());
    let mut reply = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n"
    );
    for (k, v) in extra {
        let _ = write!(reply, "{k}: {v}\r\n");
    }
    reply.push_str("\r\n");
    s.write_all(reply.as_bytes()).await?;
    Ok(head)
}

/// Reads the request and answers with a complete HTTP response.
pub async fn http_reply(
    s: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> io::Result<()> {
    read_request(s).await?;
    let mut reply = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        let _ = write!(reply, "{k}: {v}\r\n");
    }
    reply.push_str("\r\n");
    reply.push_str(body);
    s.write_all(reply.as_bytes()).await?;
    s.shutdown().await?;
    // Keep the socket until the client has read the answer and gone.
    let _ = drain_to_eof(s).await;
    Ok(())
}

/// A final, unmasked server frame.
pub fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => f.push(u8::try_from(n).expect("small")),
        n if n < 65_536 => {
            f.push(126);
            f.extend_from_slice(&u16::try_from(n).expect("medium").to_be_bytes());
        }
        n => {
            f.push(127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(payload);
    f
}

/// A raw Close frame with any code at all (also the forbidden ones).
pub fn close_frame(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason);
    frame(0x8, &payload)
}

/// Reads one (masked) client frame: its opcode and unmasked payload.
pub async fn read_frame<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    s.read_exact(&mut head).await?;
    let len = match head[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            s.read_exact(&mut b).await?;
            u64::from(u16::from_be_bytes(b))
        }
        127 => {
            let mut b = [0u8; 8];
            s.read_exact(&mut b).await?;
            u64::from_be_bytes(b)
        }
        n => u64::from(n),
    };
    let mut mask = [0u8; 4];
    if head[1] & 0x80 != 0 {
        s.read_exact(&mut mask).await?;
    }
    let mut payload = vec![0u8; usize::try_from(len).expect("fits")];
    s.read_exact(&mut payload).await?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Ok((head[0] & 0x0f, payload))
}

/// Reads client frames until a Close; returns its code (`None` for an empty Close).
pub async fn read_close<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<Option<u16>> {
    loop {
        let (opcode, payload) = read_frame(s).await?;
        if opcode == 0x8 {
            return Ok((payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]])));
        }
    }
}

/// Sends a raw Close, waits for the client's answer, then closes TCP (the
/// server ends the TCP connection first, as RFC 6455 §7.1.1 asks).
pub async fn close_with<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    close: &[u8],
) -> io::Result<Option<u16>> {
    s.write_all(close).await?;
    let reply = read_close(s).await?;
    s.shutdown().await?;
    Ok(reply)
}

/// Reads until the peer closes (or [`STEP`] passes).
pub async fn drain_to_eof<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(STEP, async {
        loop {
            if s.read(&mut buf).await? == 0 {
                return Ok(());
            }
        }
    })
    .await
    .unwrap_or(Ok(()))
}

/// Keeps a connection open without ever reading or writing on it.
pub async fn hold<S>(s: S) -> io::Result<()> {
    tokio::time::sleep(STEP * 2).await;
    drop(s);
    Ok(())
}

// ---------------------------------------------------------------------------
// Engine runs

/// A policy with windows of tens of milliseconds, so real waits stay short.
/// Going away and abnormal: floor 10 ms + full jitter over 20 ms·2ᵏ (k=0:
/// [10, 30], k=1: [10, 50], k=2: [10, 90]); try again later: equal jitter
/// over 40 ms·2ᵏ ([20, 40]); server error: floor 20 + 20 ms·2ᵏ ([20, 40]);
/// service restart: uniform 10–30 ms. `min_uptime` 200 ms.
pub fn fast_policy() -> Policy {
    let ms = |n| wsprobe::duration::Dur(Duration::from_millis(n));
    let mut p = Policy {
        min_uptime: Duration::from_millis(200),
        ..Policy::default()
    };
    for c in [&mut p.classes.going_away, &mut p.classes.abnormal] {
        c.floor = ms(10);
        c.base = ms(20);
        c.cap = ms(1000);
    }
    p.classes.try_again_later.floor = ms(0);
    p.classes.try_again_later.base = ms(40);
    p.classes.try_again_later.cap = ms(1000);
    assert_eq!(p.classes.try_again_later.jitter, Jitter::Equal);
    p.classes.server_error.floor = ms(20);
    p.classes.server_error.base = ms(20);
    p.classes.server_error.cap = ms(1000);
    p.classes.service_restart.first_low = ms(10);
    p.classes.service_restart.first_high = ms(30);
    p
}

/// Settings for tests: the fast policy, a fixed seed, a short connect timeout.
pub fn settings(url: Url) -> Settings {
    let mut s = Settings::new(url);
    s.policy = fast_policy();
    s.seed = Some(7);
    s.connect_timeout = Duration::from_secs(3);
    s
}

/// One engine event as the JSON line the headless writer prints.
pub fn to_json(event: &EngineEvent) -> Value {
    let mut line = Vec::new();
    wsprobe::headless::write_json(&mut line, event).expect("serialise");
    serde_json::from_slice(&line).expect("valid JSON")
}

/// A running engine and everything it reported so far.
pub struct Probe {
    rx: mpsc::Receiver<EngineEvent>,
    /// Commands to the engine.
    pub commands: mpsc::Sender<Command>,
    task: JoinHandle<RunEnd>,
    /// Every event received so far, in order.
    pub seen: Vec<EngineEvent>,
}

impl Probe {
    /// Spawns the engine.
    pub fn start(settings: Settings) -> Probe {
        let EngineHandle {
            events,
            commands,
            task,
        } = spawn(settings).expect("settings are usable");
        Probe {
            rx: events,
            commands,
            task,
            seen: Vec::new(),
        }
    }

    fn dump(&self) -> String {
        self.seen
            .iter()
            .map(|e| to_json(e).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The next event, or `None` when the run ended.
    pub async fn next(&mut self) -> Option<Value> {
        let Ok(event) = tokio::time::timeout(STEP, self.rx.recv()).await else {
            panic!("no event within {STEP:?}; so far:\n{}", self.dump())
        };
        let event = event?;
        let v = to_json(&event);
        self.seen.push(event);
        Some(v)
    }

    /// Waits for the next event of this kind.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            match self.next().await {
                Some(v) if v["kind"] == kind => return v,
                Some(_) => {}
                None => panic!("the run ended before a `{kind}` event:\n{}", self.dump()),
            }
        }
    }

    /// Sends a command.
    pub async fn send(&self, command: Command) {
        within("the command channel", self.commands.send(command))
            .await
            .expect("the engine is running");
    }

    /// Collects the rest of the run, checks the invariants and returns it.
    pub async fn finish(mut self) -> Finished {
        let limit = tokio::time::Instant::now() + RUN_LIMIT;
        while self.next().await.is_some() {
            assert!(
                tokio::time::Instant::now() < limit,
                "the run did not end within {RUN_LIMIT:?}:\n{}",
                self.dump()
            );
        }
        let end = within("the engine task", &mut self.task)
            .await
            .expect("the engine task did not panic");
        let events: Vec<Value> = self.seen.iter().map(to_json).collect();
        check(&events);
        Finished { events, end }
    }
}

/// Runs the engine to its end.
pub async fn run(settings: Settings) -> Finished {
    Probe::start(settings).finish().await
}

/// A whole run: its events (as JSON lines) and how it ended.
pub struct Finished {
    /// Every event.
    pub events: Vec<Value>,
    /// The engine's verdict.
    pub end: RunEnd,
}

impl Finished {
    /// The kinds in order.
    pub fn kinds(&self) -> Vec<&str> {
        kinds(&self.events)
    }

    /// Every event of a kind.
    pub fn all(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["kind"] == kind).collect()
    }

    /// The first event of a kind.
    pub fn first(&self, kind: &str) -> &Value {
        self.events
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no `{kind}` event in\n{}", self.dump()))
    }

    /// The event right after the first one of `kind`.
    pub fn after(&self, kind: &str) -> &Value {
        let i = self
            .events
            .iter()
            .position(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no `{kind}` event in\n{}", self.dump()));
        self.events
            .get(i + 1)
            .unwrap_or_else(|| panic!("nothing after `{kind}` in\n{}", self.dump()))
    }

    /// The last event.
    pub fn last(&self) -> &Value {
        self.events.last().expect("at least one event")
    }

    /// All events, one JSON line each, for failure messages.
    pub fn dump(&self) -> String {
        dump(&self.events)
    }
}

/// The kinds of a list of events.
pub fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("?"))
        .collect()
}

/// One JSON line per event.
pub fn dump(events: &[Value]) -> String {
    events
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON number as `f64` (panics when missing).
pub fn num(v: &Value, field: &str) -> f64 {
    v[field]
        .as_f64()
        .unwrap_or_else(|| panic!("`{field}` is not a number in {v}"))
}

/// A JSON integer as `u64` (panics when missing).
pub fn int(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("`{field}` is not an integer in {v}"))
}

/// `window_ms` as a pair.
pub fn window(v: &Value) -> (u64, u64) {
    let w = v["window_ms"]
        .as_array()
        .unwrap_or_else(|| panic!("no window_ms in {v}"));
    assert_eq!(w.len(), 2, "window_ms has two ends: {v}");
    (
        w[0].as_u64().expect("integer"),
        w[1].as_u64().expect("integer"),
    )
}

/// Asserts a `reconnect` event: rule prefix and window.
pub fn assert_reconnect(v: &Value, rule_prefix: &str, expected_window: (u64, u64)) {
    assert_eq!(v["kind"], "reconnect", "expected a reconnect, got {v}");
    let rule = v["rule"].as_str().unwrap_or_default();
    assert!(
        rule.starts_with(rule_prefix),
        "rule `{rule}` should start with `{rule_prefix}`"
    );
    assert_eq!(window(v), expected_window, "window of {v}");
}

// ---------------------------------------------------------------------------
// The SPEC §2 invariants

/// How far a `connecting` may come before the announced `due_t_ms`
/// (both are rounded to microseconds; timers never fire early).
const DUE_SLACK_MS: f64 = 1.5;

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Before the first `connecting`.
    Start,
    /// Between `connecting` and `close`.
    Attempt {
        attempt: u64,
        opened: bool,
        errors: usize,
        protocol_errors: usize,
    },
    /// After `close`, before the decision.
    Closed { attempt: u64 },
    /// After `reconnect`: waiting for `due` (None while paused).
    Waiting { next: u64, due: Option<f64> },
    /// After `give_up`.
    Ended,
}

/// Checks the invariants of SPEC §2 on a finished run and panics with the
/// whole event list when one is broken:
/// - `seq` counts from 0 by one; `t_ms` never decreases;
/// - attempts are numbered 1, 2, …; each `connecting` ends in exactly one
///   `close`, followed by exactly one `reconnect` or `give_up`; errors come
///   before the close; data frames only while open;
/// - a derived close (1005, 1006, 1015) has `wire: false`, a wire code is
///   never one of those, and a close without a Close frame from anyone is
///   explained by an `error` before it (except when the user ended a dial);
/// - `received_code` comes with code 1002 and a protocol error;
/// - the delay lies in its window and `due_t_ms` = `t_ms` + `delay_ms`;
/// - the next `connecting` comes no earlier than the announced `due_t_ms`
///   (as moved by `resumed`, or by a user's reconnect-now, which re-announces
///   the same attempt with delay 0);
/// - while paused no attempt starts on its own;
/// - the run ends with `give_up`.
pub fn check(events: &[Value]) {
    check_run(events, false);
}

/// [`check`]; `interactive` runs (the TUI's) may start again after `give_up`
/// when the user asks.
pub fn check_run(events: &[Value], interactive: bool) {
    let failer = Fail(events);
    let fail = |i: usize, msg: String| -> ! { failer.at(i, &msg) };
    let mut phase = Phase::Start;
    let mut paused = false;
    let mut last_attempt = 0;
    let mut last_t = 0.0f64;
    for (i, e) in events.iter().enumerate() {
        if e["seq"].as_u64() != Some(i as u64) {
            fail(i, format!("seq should be {i}"));
        }
        let t = e["t_ms"]
            .as_f64()
            .unwrap_or_else(|| fail(i, "no t_ms".into()));
        if t < last_t {
            fail(i, format!("t_ms went back from {last_t} to {t}"));
        }
        last_t = t;
        let kind = e["kind"].as_str().unwrap_or_default();
        match kind {
            "paused" if paused => fail(i, "paused twice".into()),
            "paused" => paused = true,
            "resumed" if !paused => fail(i, "resumed without paused".into()),
            "resumed" => paused = false,
            _ => {}
        }
        phase = match (phase, kind) {
            (Phase::Ended, "connecting" | "paused" | "resumed") if interactive => {
                if kind == "connecting" {
                    last_attempt += 1;
                    if e["attempt"].as_u64() != Some(last_attempt) {
                        fail(i, format!("attempt should be {last_attempt}"));
                    }
                    Phase::Attempt {
                        attempt: last_attempt,
                        opened: false,
                        errors: 0,
                        protocol_errors: 0,
                    }
                } else {
                    Phase::Ended
                }
            }
            (Phase::Start | Phase::Waiting { .. }, "connecting") => {
                let attempt = e["attempt"].as_u64().unwrap_or(0);
                if attempt != last_attempt + 1 {
                    fail(i, format!("attempt {attempt} after {last_attempt}"));
                }
                if let Phase::Waiting { next, due } = phase {
                    if next != attempt {
                        fail(i, format!("reconnect announced attempt {next}"));
                    }
                    match due {
                        None => fail(i, "connected while paused".into()),
                        Some(due) if t + DUE_SLACK_MS < due => {
                            fail(i, format!("connecting at {t} before due_t_ms {due}"));
                        }
                        Some(_) => {}
                    }
                }
                if e["url"].as_str().is_none() {
                    fail(i, "connecting without url".into());
                }
                last_attempt = attempt;
                Phase::Attempt {
                    attempt,
                    opened: false,
                    errors: 0,
                    protocol_errors: 0,
                }
            }
            (
                Phase::Attempt {
                    attempt,
                    opened,
                    errors,
                    protocol_errors,
                },
                k,
            ) if k != "close" => {
                let opened = match k {
                    "open" => {
                        if opened {
                            fail(i, "a second open".into());
                        }
                        if e["attempt"].as_u64() != Some(attempt) || e["status"] != 101 {
                            fail(i, format!("open should be attempt {attempt}, status 101"));
                        }
                        true
                    }
                    "message" | "ping" | "pong" => {
                        if !opened {
                            fail(i, format!("`{k}` before open"));
                        }
                        true
                    }
                    "error" | "paused" | "resumed" => opened,
                    other => fail(i, format!("`{other}` inside attempt {attempt}")),
                };
                let is_error = k == "error";
                Phase::Attempt {
                    attempt,
                    opened,
                    errors: errors + usize::from(is_error),
                    protocol_errors: protocol_errors
                        + usize::from(is_error && e["class"] == "protocol"),
                }
            }
            (
                Phase::Attempt {
                    attempt,
                    errors,
                    protocol_errors,
                    ..
                },
                "close",
            ) => {
                check_close(i, e, events.get(i + 1), errors, protocol_errors, &failer);
                Phase::Closed { attempt }
            }
            (Phase::Closed { attempt }, "reconnect") => {
                check_reconnect(i, e, t, attempt, &failer);
                Phase::Waiting {
                    next: attempt + 1,
                    // Announced, but held until `resumed` when paused.
                    due: if paused { None } else { e["due_t_ms"].as_f64() },
                }
            }
            (Phase::Waiting { next, .. }, "reconnect") => {
                // The user asked to reconnect at once: the same attempt, re-announced.
                check_reconnect(i, e, t, next - 1, &failer);
                if e["delay_ms"] != 0 {
                    fail(
                        i,
                        "a second reconnect during a wait must be immediate".into(),
                    );
                }
                Phase::Waiting {
                    next,
                    due: e["due_t_ms"].as_f64(),
                }
            }
            (Phase::Waiting { next, .. }, "paused") => Phase::Waiting { next, due: None },
            (Phase::Waiting { next, .. }, "resumed") => {
                let due = e["due_t_ms"]
                    .as_f64()
                    .unwrap_or_else(|| fail(i, "resumed during a wait needs due_t_ms".into()));
                if due + DUE_SLACK_MS < t {
                    fail(i, format!("resumed with due_t_ms {due} in the past"));
                }
                Phase::Waiting {
                    next,
                    due: Some(due),
                }
            }
            (Phase::Closed { .. } | Phase::Waiting { .. }, "give_up") => {
                if e["reason"].as_str().is_none_or(str::is_empty) {
                    fail(i, "give_up without a reason".into());
                }
                Phase::Ended
            }
            (phase, kind) => fail(i, format!("`{kind}` is not allowed in {phase:?}")),
        };
    }
    if !matches!(phase, Phase::Ended) {
        fail(
            events.len(),
            format!("the run ended in {phase:?}, not with give_up"),
        );
    }
}

/// Reports a broken invariant with the whole run.
struct Fail<'a>(&'a [Value]);

impl Fail<'_> {
    fn at(&self, i: usize, msg: &str) -> ! {
        panic!(
            "SPEC §2 invariant broken at event {i}: {msg}\nevents:\n{}",
            dump(self.0)
        )
    }
}

fn check_close(
    i: usize,
    e: &Value,
    next: Option<&Value>,
    errors: usize,
    protocol_errors: usize,
    failer: &Fail<'_>,
) {
    let fail = |i: usize, msg: String| -> ! { failer.at(i, &msg) };
    let code = e["code"]
        .as_u64()
        .unwrap_or_else(|| fail(i, "close without code".into()));
    let wire = e["wire"]
        .as_bool()
        .unwrap_or_else(|| fail(i, "close without wire".into()));
    let initiator = e["initiator"].as_str().unwrap_or_default();
    if !["server", "client", "local"].contains(&initiator) {
        fail(i, format!("initiator `{initiator}`"));
    }
    for field in ["name", "reason"] {
        if !e[field].is_string() {
            fail(i, format!("close without {field}"));
        }
    }
    if !e["clean"].is_boolean() {
        fail(i, "close without clean".into());
    }
    let derived = matches!(code, 1005 | 1006 | 1015);
    if derived && wire {
        fail(i, format!("{code} can never travel in a Close frame"));
    }
    if !wire && !derived && initiator != "client" {
        fail(i, format!("{code} with wire:false"));
    }
    if initiator == "local" {
        if wire || code == 1005 {
            fail(i, "no Close frame, yet a code from the wire".into());
        }
        // The user ending a dial needs no explanation; anything else does.
        let by_user = next.is_some_and(|n| {
            n["kind"] == "give_up" || (n["kind"] == "reconnect" && n["delay_ms"] == 0)
        });
        if errors == 0 && !by_user {
            fail(
                i,
                "a close without a Close frame and no error before it".into(),
            );
        }
    }
    if let Some(received) = e.get("received_code") {
        if code != 1002 || !received.is_u64() {
            fail(i, "received_code needs code 1002".into());
        }
        if protocol_errors == 0 {
            fail(i, "received_code without a protocol error before it".into());
        }
    }
}

fn check_reconnect(i: usize, e: &Value, t: f64, closed: u64, failer: &Fail<'_>) {
    let fail = |i: usize, msg: String| -> ! { failer.at(i, &msg) };
    if e["attempt"].as_u64() != Some(closed + 1) {
        fail(
            i,
            format!("reconnect should announce attempt {}", closed + 1),
        );
    }
    let delay = e["delay_ms"]
        .as_u64()
        .unwrap_or_else(|| fail(i, "no delay_ms".into()));
    let (lo, hi) = window(e);
    if delay < lo || delay > hi {
        fail(i, format!("delay {delay} outside [{lo}, {hi}]"));
    }
    let due = e["due_t_ms"]
        .as_f64()
        .unwrap_or_else(|| fail(i, "no due_t_ms".into()));
    // The due time is fixed just before the event is stamped.
    let start = due - delay as f64;
    if start > t + DUE_SLACK_MS || start + 250.0 < t {
        fail(
            i,
            format!("due_t_ms {due} is not t_ms {t} + delay_ms {delay}"),
        );
    }
    if e["rule"].as_str().is_none_or(str::is_empty) {
        fail(i, "reconnect without a rule".into());
    }
}

// ---------------------------------------------------------------------------
// The binary

/// The outcome of one run of the built binary.
pub struct BinRun {
    /// The exit status (`None` when killed by a signal).
    pub status: Option<i32>,
    /// Everything on stdout.
    pub stdout: Vec<u8>,
    /// Everything on stderr.
    pub stderr: String,
}

impl BinRun {
    /// stdout as text.
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// How many line ends stdout has.
    pub fn newlines(&self) -> usize {
        self.out().matches('\n').count()
    }

    /// stdout parsed as JSON lines, checked against the invariants.
    pub fn json(&self) -> Vec<Value> {
        let events: Vec<Value> = self
            .out()
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}\n{}", self.out()))
            })
            .collect();
        check(&events);
        events
    }
}

/// Runs `wsprobe ARGS` with a timeout of [`STEP`]; the process is killed if
/// the test gives up on it.
pub async fn run_bin(args: &[&str]) -> BinRun {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_wsprobe"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let out = within(
        &format!("wsprobe {}", args.join(" ")),
        child.wait_with_output(),
    )
    .await
    .expect("the binary runs");
    BinRun {
        status: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A tokio-tungstenite server side that echoes data messages until the
/// client closes (tungstenite answers pings and the Close by itself).
/// Returns the code of the client's Close, if it sent one.
pub async fn echo(tcp: TcpStream) -> io::Result<Option<u16>> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let mut ws = tokio_tungstenite::accept_async(tcp)
        .await
        .map_err(io::Error::other)?;
    let mut code = None;
    while let Some(msg) = ws.next().await {
        match msg.map_err(io::Error::other)? {
            m @ (Message::Text(_) | Message::Binary(_)) => {
                ws.send(m).await.map_err(io::Error::other)?;
            }
            Message::Close(frame) => code = frame.map(|f| u16::from(f.code)),
            _ => {}
        }
    }
    Ok(code)
}
