//! Attempts that never open: HTTP answers other than 101, refused and
//! silent ports, names that do not resolve, replies that are not HTTP, and
//! broken upgrade answers.

use std::time::{Duration, SystemTime};

use tokio::io::AsyncWriteExt;
use wsprobe::engine::event::Command;

use crate::support::{
    self, Probe, Server, assert_reconnect, handshake, http_reply, int, run, serve,
};

/// A server answering every upgrade with this HTTP response.
async fn http_server(status: &'static str, headers: Vec<(&'static str, String)>) -> Server {
    serve(move |_, mut tcp| {
        let headers = headers.clone();
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            http_reply(&mut tcp, status, &h, "<html>not here</html>").await
        }
    })
    .await
}

#[tokio::test]
async fn http_refusals_are_explained_and_decided() {
    // (status, class of the decision: None = stop)
    let table = [
        ("401 Unauthorized", 401, None),
        ("403 Forbidden", 403, None),
        ("404 Not Found", 404, None),
        ("500 Internal Server Error", 500, Some("abnormal:")),
        ("502 Bad Gateway", 502, Some("abnormal:")),
    ];
    for (status, code, then) in table {
        let server = http_server(status, Vec::new()).await;
        let mut s = support::settings(server.url("/"));
        s.max_attempts = Some(2);
        let run = run(s).await;
        let ctx = format!("{status}:\n{}", run.dump());
        support::assert_failed_attempt(&run.events, "http", 1006);
        let error = run.first("error");
        assert_eq!(error["http_status"], code, "{ctx}");
        assert!(error.get("retry_after_ms").is_none(), "{ctx}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(&code.to_string()),
            "{ctx}"
        );
        match then {
            None => assert_eq!(run.kinds().len(), 4, "{ctx}"),
            Some(rule) => {
                assert_reconnect(&run.events[3], rule, (10, 30));
                assert_eq!(run.all("connecting").len(), 2, "{ctx}");
            }
        }
        assert_eq!(run.last()["kind"], "give_up", "{ctx}");
        assert!(!run.end.success, "{ctx}");
    }
}

/// Runs until the decision after a refused upgrade, then quits during the wait.
async fn until_decision(server: &Server) -> support::Finished {
    let mut probe = Probe::start(support::settings(server.url("/")));
    probe.until("reconnect").await;
    probe.send(Command::Quit { code: 1000 }).await;
    probe.finish().await
}

#[tokio::test]
async fn retry_after_in_seconds_is_the_minimum_wait() {
    for status in ["429 Too Many Requests", "503 Service Unavailable"] {
        let server = http_server(status, vec![("Retry-After", "7".into())]).await;
        let run = until_decision(&server).await;
        let ctx = format!("{status}:\n{}", run.dump());
        support::assert_failed_attempt(&run.events, "http", 1006);
        let error = run.first("error");
        assert_eq!(error["retry_after_ms"], 7000, "{ctx}");
        assert_reconnect(&run.events[3], "try again later:", (7000, 7700));
        assert_eq!(
            run.kinds(),
            ["connecting", "error", "close", "reconnect", "give_up"],
            "{ctx}"
        );
    }
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_the_minimum_wait() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let server = http_server("503 Service Unavailable", vec![("Retry-After", date)]).await;
    let run = until_decision(&server).await;
    let ctx = run.dump();
    let error = run.first("error");
    let r = int(error, "retry_after_ms");
    // The date has whole seconds, and time passed since it was written.
    assert!((28_000..=30_000).contains(&r), "{ctx}");
    let (lo, hi) = support::window(&run.events[3]);
    assert_eq!(lo, r, "{ctx}");
    assert!(hi.abs_diff(r * 11 / 10) <= 1, "{ctx}");
    assert!(
        run.events[3]["rule"]
            .as_str()
            .unwrap_or_default()
            .starts_with("try again later:"),
        "{ctx}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_abnormal() {
    let addr = support::refused_addr().await;
    let mut s = support::settings(format!("ws://{addr}/").parse().unwrap());
    s.max_attempts = Some(2);
    let run = run(s).await;
    support::assert_failed_attempt(&run.events, "refused", 1006);
    assert_reconnect(&run.events[3], "abnormal:", (10, 30));
    assert_eq!(
        run.kinds(),
        [
            "connecting",
            "error",
            "close",
            "reconnect",
            "connecting",
            "error",
            "close",
            "give_up"
        ]
    );
}

#[tokio::test]
async fn a_silent_listener_hits_the_connect_timeout() {
    let server = serve(|_, tcp| support::hold(tcp)).await;
    let mut s = support::settings(server.url("/"));
    s.connect_timeout = Duration::from_millis(300);
    s.max_attempts = Some(1);
    let run = run(s).await;
    support::assert_failed_attempt(&run.events, "timeout", 1006);
    assert_eq!(run.kinds().len(), 4, "{}", run.dump());
    let waited = support::num(&run.events[1], "t_ms") - support::num(&run.events[0], "t_ms");
    // Not before the limit; how late is a matter for benchmarks, not tests.
    assert!(waited >= 295.0, "{}", run.dump());
    let message = run.events[1]["message"].as_str().unwrap_or_default();
    assert!(message.contains("300ms"), "{message}");
    assert!(
        message.contains("did not answer the upgrade request"),
        "the stage that stalled: {message}"
    );
    assert!(!message.contains("  "), "no runs of spaces: {message}");
}

#[tokio::test]
async fn an_unresolvable_host_is_a_dns_error() {
    let mut s = support::settings("ws://nonexistent.invalid/".parse().unwrap());
    // `.invalid` never resolves (RFC 6761). A resolver that hangs instead of
    // failing is cut off by the connect timeout, which reports `timeout`.
    s.connect_timeout = Duration::from_secs(2);
    s.max_attempts = Some(1);
    let run = run(s).await;
    let class = run.events[1]["class"].as_str().unwrap_or_default();
    assert!(["dns", "timeout"].contains(&class), "{}", run.dump());
    support::assert_failed_attempt(&run.events, class, 1006);
    if class == "dns" {
        let message = run.events[1]["message"].as_str().unwrap_or_default();
        assert!(message.contains("nonexistent.invalid"), "{message}");
    }
}

#[tokio::test]
async fn a_plain_http_page_is_fatal() {
    let server = http_server("200 OK", vec![("Content-Type", "text/html".into())]).await;
    let run = run(support::settings(server.url("/"))).await;
    support::assert_failed_attempt(&run.events, "http", 1006);
    assert_eq!(run.events[1]["http_status"], 200);
    assert_eq!(run.kinds().len(), 4, "{}", run.dump());
}

#[tokio::test]
async fn a_redirect_says_where_it_points() {
    let server = http_server(
        "301 Moved Permanently",
        vec![("Location", "wss://elsewhere.example/ws".into())],
    )
    .await;
    let run = run(support::settings(server.url("/"))).await;
    support::assert_failed_attempt(&run.events, "http", 1006);
    assert_eq!(run.events[1]["http_status"], 301);
    let message = run.events[1]["message"].as_str().unwrap_or_default();
    assert!(message.contains("wss://elsewhere.example/ws"), "{message}");
    assert_eq!(run.kinds().len(), 4, "{}", run.dump());
}

#[tokio::test]
async fn a_reply_that_is_not_http_is_fatal() {
    for garbage in [
        &b"SSH-2.0-OpenSSH_9.6\r\n"[..],
        &b"\x16\x03\x01\x00\x2a\x02\x00\x00\x26\x03\x03garbage\r\n\r\n"[..],
    ] {
        let server = serve(move |_, mut tcp| async move {
            support::read_request(&mut tcp).await?;
            tcp.write_all(garbage).await?;
            support::drain_to_eof(&mut tcp).await
        })
        .await;
        let run = run(support::settings(server.url("/"))).await;
        support::assert_failed_attempt(&run.events, "protocol", 1006);
        assert_eq!(run.kinds().len(), 4, "{}", run.dump());
        assert!(
            run.last()["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("fatal")
        );
    }
}

#[tokio::test]
async fn a_wrong_accept_key_breaks_the_handshake() {
    let server = serve(|_, mut tcp| async move {
        support::read_request(&mut tcp).await?;
        tcp.write_all(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
        )
        .await?;
        support::drain_to_eof(&mut tcp).await
    })
    .await;
    let run = run(support::settings(server.url("/"))).await;
    support::assert_failed_attempt(&run.events, "protocol", 1006);
    assert_eq!(run.kinds().len(), 4, "{}", run.dump());
}

#[tokio::test]
async fn a_subprotocol_nobody_offered_breaks_the_handshake() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[("Sec-WebSocket-Protocol", "surprise")]).await?;
        support::drain_to_eof(&mut tcp).await
    })
    .await;
    let run = run(support::settings(server.url("/"))).await;
    support::assert_failed_attempt(&run.events, "protocol", 1006);
    assert_eq!(run.kinds().len(), 4, "{}", run.dump());
}

#[tokio::test]
async fn a_hangup_during_the_handshake_is_abnormal() {
    let server = serve(|_, mut tcp| async move {
        support::read_request(&mut tcp).await?;
        tcp.shutdown().await
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(2);
    let run = run(s).await;
    support::assert_failed_attempt(&run.events, "io", 1006);
    assert_reconnect(&run.events[3], "abnormal:", (10, 30));
}

#[tokio::test]
async fn an_ipv6_literal_connects() {
    // Skipped where the machine has no IPv6 loopback.
    let Ok(listener) = support::within("bind", tokio::net::TcpListener::bind("[::1]:0")).await
    else {
        return;
    };
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        support::echo(tcp).await
    });
    let mut s = support::settings(format!("ws://[::1]:{}/v6", addr.port()).parse().unwrap());
    s.duration = Some(Duration::from_millis(100));
    let run = run(s).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "close", "give_up"],
        "{}",
        run.dump()
    );
}
