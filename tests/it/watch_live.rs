//! `wsprobe watch` while it runs: `--metrics` scraped over HTTP (and
//! checked by `promtool` where it is installed), and the screen in a
//! pseudo-terminal, where a selected client shows its own timeline.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsprobe::demo_server::{DemoServer, ServerConfig};

use crate::support::pty::Pty;
use crate::support::{Bin, within, wsprobe_exe};

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// GET /metrics; `None` while nothing listens yet.
async fn scrape(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).await.ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    Some(body.to_string())
}

/// Every sample line: name, labels, value (checked to be a number).
fn samples(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("a value");
            let (name, labels) = series.split_once('{').expect("labels");
            assert!(value.parse::<f64>().is_ok(), "not a number: {l}");
            (
                name.to_string(),
                labels.trim_end_matches('}').to_string(),
                value.to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_labelled_and_valid() {
    let server = within("the server", DemoServer::start(ServerConfig::local()))
        .await
        .expect("server");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = server.url("/echo");
    let mut running = Bin::wsprobe(&[
        "watch",
        &url,
        "--clients",
        "5",
        "--headless",
        "--duration",
        "8s",
        "--metrics",
        &addr,
        "--instance",
        "probe-a",
        "--ping-interval",
        "200ms",
        "--ping-timeout",
        "5s",
    ])
    .spawn();
    running.line_with("open     5").await;
    let mut text = String::new();
    for _ in 0..50 {
        if let Some(body) = scrape(port).await
            && body.contains("wsprobe_rtt_seconds_count{instance=\"probe-a\"} ")
            && !body.contains("wsprobe_rtt_seconds_count{instance=\"probe-a\"} 0\n")
        {
            text = body;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!text.is_empty(), "no RTT measured through /metrics");
    let all = samples(&text);
    assert!(
        all.iter()
            .all(|(_, labels, _)| labels.contains("instance=\"probe-a\""))
    );
    let value = |name: &str| match all.iter().find(|(n, _, _)| n == name) {
        Some((_, _, v)) => v.clone(),
        None => panic!("{name} missing:\n{text}"),
    };
    assert_eq!(value("wsprobe_connections_open"), "5");
    assert_eq!(value("wsprobe_attempts_total"), "5");
    assert_eq!(value("wsprobe_clients"), "5");
    assert_eq!(value("wsprobe_handshake_seconds_count"), "5");
    for family in [
        "wsprobe_reconnects_total",
        "wsprobe_down_seconds_bucket",
        "wsprobe_gave_up_total",
    ] {
        assert!(all.iter().any(|(n, _, _)| n == family), "{family} missing");
    }
    promtool_check(&text).await;
    running.signal("INT").await;
    assert!(running.wait().await.success());
}

/// `promtool check metrics` on `text`, where promtool is installed.
async fn promtool_check(text: &str) {
    let Ok(mut child) = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        println!("skipped: promtool not installed");
        return;
    };
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(text.as_bytes()).await.expect("write");
    drop(stdin);
    let out = within("promtool", child.wait_with_output())
        .await
        .expect("promtool");
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_selected_client_shows_its_own_timeline() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime
        .block_on(DemoServer::start(ServerConfig::local()))
        .expect("server");
    let url = server.url("/echo");
    let exe = wsprobe_exe();
    let mut pty = Pty::spawn_sized(
        exe,
        &["watch", &url, "--clients", "4", "--seed", "1"],
        &[],
        120,
        36,
    );
    pty.wait_for("the fleet screen with every client open", |s| {
        let c = s.contents();
        c.contains("clients (4)") && c.contains("open 4")
    });
    pty.send("\x1b[B"); // Down: client #1
    pty.send("\r");
    pty.wait_for("client #1's own timeline", |s| {
        let c = s.contents();
        c.contains("client #1 of 4") && c.contains("connect attempt #1") && c.contains("● open")
    });
    pty.send("\x1b");
    pty.wait_for("the fleet again", |s| s.contents().contains("clients (4)"));
    // A client number typed, then Enter.
    pty.send("3\r");
    pty.wait_for("client #3's own timeline", |s| {
        s.contents().contains("client #3 of 4")
    });
    pty.send("q");
    pty.wait_for("the fleet again", |s| s.contents().contains("clients (4)"));
    pty.send("q");
    assert_eq!(pty.wait_exit(), 0);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_run_serves_metrics_too() {
    let server = within("the server", DemoServer::start(ServerConfig::local()))
        .await
        .expect("server");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = server.url("/echo");
    let mut running =
        Bin::wsprobe(&[&url, "--headless", "--duration", "8s", "--metrics", &addr]).spawn();
    running.line_with("open").await;
    let mut text = String::new();
    for _ in 0..50 {
        if let Some(body) = scrape(port).await
            && body.contains("wsprobe_connections_open{")
            && body.contains("} 1\n")
        {
            text = body;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = samples(&text);
    let open = all
        .iter()
        .find(|(n, _, _)| n == "wsprobe_connections_open")
        .map(|(_, _, v)| v.as_str());
    assert_eq!(open, Some("1"), "{text}");
    assert!(
        all.iter()
            .any(|(n, _, v)| n == "wsprobe_clients" && v == "1")
    );
    promtool_check(&text).await;
    running.signal("INT").await;
    assert!(running.wait().await.success());
}
