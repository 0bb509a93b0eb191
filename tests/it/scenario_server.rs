//! The scenario server seen from real clients: what arrives on the wire.

use std::io::ErrorKind;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use wsprobe::demo_server::{CYCLE, DemoServer, Scenario, ServerConfig};

use crate::support::scenario::{http, open, open_when_ready, upgrade, ws_connect};
use crate::support::{Bin, within};

/// Short timings so the timed scenarios finish quickly.
fn quick() -> ServerConfig {
    ServerConfig {
        restart_downtime: Duration::from_millis(300),
        overload_window: Duration::from_millis(300),
        phase: Duration::from_millis(100),
        tick: Duration::from_millis(30),
        ..ServerConfig::local()
    }
}

async fn start(cfg: ServerConfig) -> DemoServer {
    within("the server to start", DemoServer::start(cfg))
        .await
        .expect("server starts")
}

#[tokio::test]
async fn every_close_code_reaches_the_wire_exactly() {
    let server = start(ServerConfig::local()).await;
    let codes: [u16; 24] = [
        0, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
        1014, 1015, 2999, 3000, 4000, 4999, 5000, 65535,
    ];
    for code in codes {
        let mut raw = open(server.addr(), &format!("/close/{code}?reason=why%20not")).await;
        let frame = raw.frame().await;
        assert_eq!(frame.opcode, 0x8, "code {code}");
        let mut expected = code.to_be_bytes().to_vec();
        expected.extend_from_slice(b"why not");
        assert_eq!(frame.payload, expected, "code {code}");
        // After our Close reply the server closes TCP first.
        raw.send(0x8, &code.to_be_bytes()).await;
        assert_eq!(
            within("a frame or the end", raw.read_frame())
                .await
                .expect("read"),
            None
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn empty_close_and_long_reasons() {
    let server = start(ServerConfig::local()).await;
    let mut raw = open(server.addr(), "/close/empty").await;
    let frame = raw.frame().await;
    assert_eq!((frame.opcode, frame.payload.len()), (0x8, 0));

    let long = "x".repeat(300);
    let mut raw = open(server.addr(), &format!("/close/4000?reason={long}")).await;
    let frame = raw.frame().await;
    assert_eq!(frame.close_code(), Some(4000));
    assert_eq!(frame.payload.len(), 125, "reason cut to 123 bytes");
    server.shutdown().await;
}

#[tokio::test]
async fn close_after_a_delay_echoes_first() {
    let server = start(ServerConfig::local()).await;
    let url = server.url("/close/4001?reason=later&after=300ms");
    let started = tokio::time::Instant::now();
    let mut ws = ws_connect(server.addr(), &url).await;
    within("sending", ws.send(Message::text("hi")))
        .await
        .expect("send");
    let echoed = within("a message", ws.next())
        .await
        .expect("a message")
        .expect("ok");
    assert_eq!(echoed, Message::text("hi"));
    let Message::Close(Some(frame)) = within("a message", ws.next())
        .await
        .expect("close")
        .expect("ok")
    else {
        panic!("expected a Close frame");
    };
    assert_eq!(frame.code, CloseCode::from(4001));
    assert_eq!(frame.reason.as_str(), "later");
    assert!(started.elapsed() >= Duration::from_millis(300));
    server.shutdown().await;
}

#[tokio::test]
async fn normal_going_away_and_the_default_scenario() {
    let cfg = ServerConfig {
        default_scenario: Scenario::GoingAway,
        ..ServerConfig::local()
    };
    let server = start(cfg).await;
    for (path, code) in [("/normal", 1000), ("/going-away", 1001), ("/", 1001)] {
        let mut ws = ws_connect(server.addr(), &server.url(path)).await;
        match within("a message", ws.next())
            .await
            .expect("close")
            .expect("ok")
        {
            Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), code, "{path}"),
            other => panic!("{path}: {other:?}"),
        }
        // The close handshake completes: the stream ends without an error.
        assert!(within("a message", ws.next()).await.is_none(), "{path}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn echo_echoes_text_and_binary_and_answers_pings() {
    let server = start(ServerConfig::local()).await;
    let mut ws = ws_connect(server.addr(), &server.url("/echo")).await;
    for msg in [
        Message::text("héllo"),
        Message::binary(vec![0u8, 1, 2, 255]),
        Message::Ping(b"p".to_vec().into()),
    ] {
        within("sending", ws.send(msg.clone())).await.expect("send");
        let back = within("a message", ws.next())
            .await
            .expect("reply")
            .expect("ok");
        match msg {
            Message::Ping(data) => assert_eq!(back, Message::Pong(data)),
            msg => assert_eq!(back, msg),
        }
    }
    within("the close", ws.close(None)).await.expect("close");
    server.shutdown().await;
}

#[tokio::test]
async fn a_server_on_its_own_runtime_serves_too() {
    let server = within(
        "the server to start",
        DemoServer::start_on_own_runtime(quick()),
    )
    .await
    .expect("server starts");
    let mut raw = open(server.addr(), "/close/3003").await;
    assert_eq!(raw.frame().await.close_code(), Some(3003));
    within("the shutdown", server.shutdown()).await;
}

#[tokio::test]
async fn restart_refuses_connections_then_listens_again() {
    let server = start(quick()).await;
    let addr = server.addr();
    let mut raw = open(addr, "/restart").await;
    assert_eq!(raw.frame().await.close_code(), Some(1012));
    // The listener was closed before the 1012 went out.
    let refused = within("the connection", TcpStream::connect(addr)).await;
    assert_eq!(
        refused.err().map(|e| e.kind()),
        Some(ErrorKind::ConnectionRefused)
    );
    let mut back = open_when_ready(addr, "/close/4000").await;
    assert_eq!(back.frame().await.close_code(), Some(4000));
    server.shutdown().await;
}

#[tokio::test]
async fn overload_answers_503_with_retry_after_then_recovers() {
    let cfg = ServerConfig {
        retry_after: Duration::from_millis(1500),
        ..quick()
    };
    let server = start(cfg).await;
    let mut raw = open(server.addr(), "/overload").await;
    assert_eq!(raw.frame().await.close_code(), Some(1013));
    let answer = within("the upgrade", upgrade(server.addr(), "/echo"))
        .await
        .expect("connect")
        .err()
        .expect("not 101 during the overload");
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("Retry-After"), Some("2"));
    open_when_ready(server.addr(), "/echo").await;
    server.shutdown().await;
}

#[tokio::test]
async fn rejections_carry_status_and_headers() {
    let server = start(ServerConfig::local()).await;
    for status in [200, 301, 302, 400, 401, 403, 404, 426, 429, 500, 502, 503] {
        let answer = within(
            "the upgrade",
            upgrade(server.addr(), &format!("/reject/{status}")),
        )
        .await
        .expect("connect")
        .err()
        .expect("not 101");
        assert_eq!(answer.status, status);
        assert!(
            answer.body.contains("on purpose"),
            "{status}: {}",
            answer.body
        );
        let has = |name: &str| answer.header(name).is_some();
        assert_eq!(has("Retry-After"), matches!(status, 429 | 503), "{status}");
        assert_eq!(has("WWW-Authenticate"), status == 401, "{status}");
        assert_eq!(has("Location"), (300..400).contains(&status), "{status}");
        if status == 426 {
            assert_eq!(answer.header("Sec-WebSocket-Version"), Some("13"));
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn bad_paths_and_plain_http_get_helpful_answers() {
    let server = start(ServerConfig::local()).await;
    let addr = server.addr();
    let answer = within("the upgrade", upgrade(addr, "/nope"))
        .await
        .expect("connect")
        .err()
        .expect("404");
    assert_eq!(answer.status, 404);
    assert!(answer.body.contains("/echo") && answer.body.contains("/cycle"));
    for path in ["/close/abc", "/close/70000", "/reject/99", "/flood?n=x"] {
        let answer = within("the upgrade", upgrade(addr, path))
            .await
            .expect("connect")
            .err()
            .expect("400");
        assert_eq!(answer.status, 400, "{path}");
    }
    let answer = http(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("/flood"));
    let answer = http(addr, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(answer.status, 426);
    let answer = http(addr, "hello\r\n\r\n").await;
    assert_eq!(answer.status, 400);
    server.shutdown().await;
}

#[tokio::test]
async fn drop_resets_without_a_close_frame() {
    let server = start(ServerConfig::local()).await;
    let mut raw = open(server.addr(), "/drop").await;
    assert_eq!(raw.frame().await.opcode, 0x1);
    match within("a frame or the end", raw.read_frame()).await {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset),
        Ok(None) => {}
        Ok(Some(frame)) => panic!("expected a reset, got {frame:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn silent_never_answers_a_ping() {
    let server = start(ServerConfig::local()).await;
    let mut raw = open(server.addr(), "/silent").await;
    raw.send(0x9, b"anyone?").await;
    let waited = tokio::time::timeout(Duration::from_millis(500), raw.read_frame()).await;
    assert!(waited.is_err(), "expected silence, got {waited:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn flood_sends_the_count_and_size_asked_for() {
    let server = start(ServerConfig::local()).await;
    for (path, count, size) in [
        ("/flood", 1000, 32),
        ("/flood?n=20000&size=10", 20_000, 10),
        ("/flood?n=3&size=70000", 3, 70_000),
    ] {
        let mut ws = ws_connect(server.addr(), &server.url(path)).await;
        let mut seen = 0;
        let code = within("the flood", async {
            loop {
                match ws.next().await.expect("a message").expect("ok") {
                    Message::Text(text) => {
                        assert_eq!(text.len(), size, "{path}");
                        seen += 1;
                    }
                    Message::Close(frame) => break frame.map(|f| u16::from(f.code)),
                    other => panic!("{path}: {other:?}"),
                }
            }
        })
        .await;
        assert_eq!((seen, code), (count, Some(1000)), "{path}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn cycle_walks_every_ending_across_reconnects() {
    let server = start(quick()).await;
    let addr = server.addr();
    // One round more than the cycle is long: the sixth connection starts over.
    for round in 0..=CYCLE.len() {
        let ending = &CYCLE[round % CYCLE.len()];
        let mut raw = open_when_ready(addr, "/cycle").await;
        let hello: serde_json::Value =
            serde_json::from_str(&raw.frame().await.text()).expect("JSON hello");
        assert_eq!(hello["ending"], ending.name(), "round {round}");
        assert_eq!(hello["step"], round % CYCLE.len() + 1);
        raw.send(0x1, b"echo me").await;
        let (mut echoed, mut ticks) = (false, 0);
        let end = loop {
            match within("a frame or the end", raw.read_frame()).await {
                Ok(Some(frame)) if frame.opcode == 0x1 && frame.text() == "echo me" => {
                    echoed = true;
                }
                Ok(Some(frame)) if frame.opcode == 0x1 => {
                    let text = frame.text();
                    if text.contains("\"tick\"") {
                        ticks += 1;
                    }
                }
                Ok(Some(frame)) if frame.opcode == 0x8 => break frame.close_code(),
                Ok(Some(frame)) => panic!("unexpected {frame:?}"),
                Ok(None) => break None,
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::ConnectionReset);
                    break None;
                }
            }
        };
        assert!(echoed, "round {round}: the phase echoes");
        assert!(ticks >= 1, "round {round}: ticks while open");
        let expected = match ending {
            Scenario::Restart => Some(1012),
            Scenario::Overload => Some(1013),
            Scenario::Drop => None,
            Scenario::GoingAway => Some(1001),
            Scenario::Normal => Some(1000),
            other => panic!("unexpected ending {other:?}"),
        };
        assert_eq!(end, expected, "round {round}: {}", ending.name());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_log_says_what_was_done() {
    let server = start(ServerConfig::local()).await;
    let mut log = server.subscribe_log();
    let mut raw = open(server.addr(), "/close/4321?reason=bye").await;
    raw.frame().await;
    raw.send(0x8, &4321u16.to_be_bytes()).await;
    assert_eq!(
        within("a frame or the end", raw.read_frame())
            .await
            .expect("read"),
        None
    );
    drop(raw);
    let line = within("the log line", async {
        loop {
            let line = log.recv().await.expect("a log line");
            if line.contains("sent Close") {
                return line;
            }
        }
    })
    .await;
    assert!(line.contains("/close/4321"), "{line}");
    assert!(
        line.contains("sent Close 4321 \"bye\"; client replied 4321"),
        "{line}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_open_echo_connections_with_1001() {
    let server = start(ServerConfig::local()).await;
    let mut raw = open(server.addr(), "/echo").await;
    raw.send(0x1, b"x").await;
    assert_eq!(raw.frame().await.text(), "x");
    let stopping = tokio::spawn(server.shutdown());
    assert_eq!(raw.frame().await.close_code(), Some(1001));
    raw.send(0x8, &1001u16.to_be_bytes()).await;
    assert_eq!(
        within("a frame or the end", raw.read_frame())
            .await
            .expect("read"),
        None
    );
    drop(raw);
    within("the shutdown", stopping)
        .await
        .expect("shutdown task");
}

#[tokio::test]
async fn serve_prints_its_url_and_serves_every_path() {
    let mut serve = Bin::wsprobe(&["serve", "--port", "0", "--scenario", "close/4444"]).spawn();
    let first = serve.line_with("ws://").await;
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("ws://"))
        .expect("a URL");
    let port: u16 = url
        .trim_start_matches("ws://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .expect("a port in the URL");
    assert_ne!(port, 0, "port 0 is replaced by the real port");
    serve.line_with("/cycle").await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));

    let mut ws = ws_connect(addr, &format!("{url}echo")).await;
    within("sending", ws.send(Message::text("ping?")))
        .await
        .expect("send");
    let back = within("a message", ws.next())
        .await
        .expect("reply")
        .expect("ok");
    assert_eq!(back, Message::text("ping?"));
    serve.line_with("GET /echo → 101").await;

    let mut root = open(addr, "/").await;
    assert_eq!(root.frame().await.close_code(), Some(4444));
    serve.line_with("sent Close 4444").await;
}

#[cfg(unix)]
#[tokio::test]
async fn serve_stops_cleanly_on_ctrl_c() {
    let mut serve = Bin::wsprobe(&["serve", "--port", "0"]).spawn();
    serve.line_with("ws://").await;
    serve.signal("INT").await;
    assert_eq!(serve.wait().await.code(), Some(0));
    serve.line_with("stopped").await;
}

#[tokio::test]
async fn serve_on_a_port_in_use_is_a_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = Bin::wsprobe(&["serve", "--port", &port]).run().await;
    assert_eq!(out.status, Some(2));
    let stderr = out.stderr;
    assert!(
        stderr.contains(&format!("port {port} is in use")) && stderr.contains("--port 0"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_with_an_unknown_scenario_is_a_usage_error() {
    let out = Bin::wsprobe(&["serve", "--port", "0", "--scenario", "teapot"])
        .run()
        .await;
    assert_eq!(out.status, Some(2));
    assert!(out.stderr.contains("--scenario teapot"));
}
