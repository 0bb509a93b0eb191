//! Upgrade answers that bend or break RFC 6455 §4.1–4.2 and §9.1, sent byte
//! for byte by a raw server: an extension nobody offered, a `Connection`
//! token list, interim 1xx answers, odd redirects, and control bytes in the
//! head.

use crate::support::{
    self, Finished, Server, close_frame, close_with, drain_to_eof, header, read_request, run,
};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// The `Sec-WebSocket-Accept` for a request head.
fn accept_for(head: &str) -> String {
    derive_accept_key(
        header(head, "sec-websocket-key")
            .unwrap_or_default()
            .as_bytes(),
    )
}

/// A server that reads the request, writes each of `parts` (with `{accept}`
/// replaced by the right accept key) in its own write, then closes with
/// 4000 "bye" when `then_close`, or waits for the client to go.
async fn raw_server(parts: Vec<String>, then_close: bool) -> Server {
    support::serve(move |_, mut tcp| {
        let parts = parts.clone();
        async move {
            let head = read_request(&mut tcp).await?;
            let accept = accept_for(&head);
            for part in &parts {
                tcp.write_all(part.replace("{accept}", &accept).as_bytes())
                    .await?;
                tcp.flush().await?;
            }
            if then_close {
                close_with(&mut tcp, &close_frame(4000, b"bye")).await?;
            }
            drain_to_eof(&mut tcp).await
        }
    })
    .await
}

/// One attempt and nothing more.
async fn once(server: &Server) -> Finished {
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(1);
    run(s).await
}

fn message(run: &Finished) -> String {
    run.first("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const UPGRADED: &str = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                        Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n";

#[tokio::test]
async fn an_extension_nobody_offered_fails_the_connection() {
    for ext in [
        "permessage-deflate",
        "permessage-deflate; client_max_window_bits",
        "x-custom, permessage-deflate",
    ] {
        let reply = format!("{UPGRADED}Sec-WebSocket-Extensions: {ext}\r\n\r\n");
        let server = raw_server(vec![reply], true).await;
        let run = once(&server).await;
        let ctx = format!("{ext}:\n{}", run.dump());
        assert_eq!(
            run.kinds(),
            ["connecting", "error", "close", "give_up"],
            "{ctx}"
        );
        support::assert_failed_attempt(&run.events, "protocol", 1006);
        let msg = message(&run);
        let first = ext.split([',', ';']).next().unwrap_or_default().trim();
        assert!(msg.contains(first), "names the extension: {ctx}");
        let close = run.first("close");
        assert_eq!(close["trigger"], "protocol-violation", "{ctx}");
        assert_eq!(close["class"], "fatal", "{ctx}");
    }
}

#[tokio::test]
async fn a_connection_token_list_with_upgrade_is_accepted() {
    for (connection, upgrade) in [
        ("Connection: keep-alive, Upgrade", "Upgrade: WebSocket"),
        ("Connection: upgrade,keep-alive", "Upgrade: websocket"),
        (
            "Connection: Keep-Alive\r\nConnection: UPGRADE",
            "upgrade: WEBSOCKET",
        ),
    ] {
        let reply = format!(
            "HTTP/1.1 101 Switching Protocols\r\n{upgrade}\r\n{connection}\r\n\
             Sec-WebSocket-Accept: {{accept}}\r\n\r\n"
        );
        let server = raw_server(vec![reply], true).await;
        let run = once(&server).await;
        let ctx = format!("{connection} / {upgrade}:\n{}", run.dump());
        assert_eq!(
            run.kinds(),
            ["connecting", "open", "close", "give_up"],
            "{ctx}"
        );
        let close = run.first("close");
        assert_eq!(
            close["code"], 4000,
            "the frame after the head is read: {ctx}"
        );
        assert_eq!(close["reason"], "bye", "{ctx}");
        // The event shows what the server sent, not a rewritten head.
        let shown = run.first("open")["headers"]["connection"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(shown.contains("keep-alive"), "{ctx}");
    }
    // A list without `upgrade` is still no upgrade.
    let reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: keep-alive, upgraded\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
    let server = raw_server(vec![reply.into()], true).await;
    let run = once(&server).await;
    support::assert_failed_attempt(&run.events, "protocol", 1006);
}

#[tokio::test]
async fn interim_answers_before_the_101_are_skipped() {
    let switch = format!("{UPGRADED}\r\n");
    let cases: Vec<Vec<String>> = vec![
        vec!["HTTP/1.1 100 Continue\r\n\r\n".into(), switch.clone()],
        vec![format!("HTTP/1.1 100 Continue\r\n\r\n{switch}")],
        vec![
            "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n".into(),
            "HTTP/1.1 102 Processing\r\n\r".into(),
            format!("\n{switch}"),
        ],
    ];
    for parts in cases {
        let ctx = format!("{parts:?}");
        let server = raw_server(parts, true).await;
        let run = once(&server).await;
        let ctx = format!("{ctx}:\n{}", run.dump());
        assert_eq!(
            run.kinds(),
            ["connecting", "open", "close", "give_up"],
            "{ctx}"
        );
        assert_eq!(run.first("close")["code"], 4000, "{ctx}");
    }
}

#[tokio::test]
async fn an_interim_answer_before_a_refusal_keeps_the_refusal() {
    let parts = vec![
        "HTTP/1.1 100 Continue\r\n\r\n".into(),
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".into(),
    ];
    let server = raw_server(parts, false).await;
    let run = once(&server).await;
    support::assert_failed_attempt(&run.events, "http", 1006);
    assert_eq!(run.first("error")["http_status"], 403, "{}", run.dump());
}

#[tokio::test]
async fn a_redirect_to_a_non_ascii_location_names_it() {
    let cases: [(&[u8], &str); 2] = [
        ("ws://bücher.example/ws".as_bytes(), "bücher.example"),
        (
            b"ws://caf\xe9.example/ws\x1b[2J",
            "ws://caf\\xe9.example/ws\\x1b[2J",
        ),
    ];
    for (location, shown) in cases {
        let mut reply = b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: ".to_vec();
        reply.extend_from_slice(location);
        reply.extend_from_slice(b"\r\n\r\n");
        let server = support::serve(move |_, mut tcp: TcpStream| {
            let reply = reply.clone();
            async move {
                read_request(&mut tcp).await?;
                tcp.write_all(&reply).await?;
                drain_to_eof(&mut tcp).await
            }
        })
        .await;
        let run = once(&server).await;
        let ctx = run.dump();
        support::assert_failed_attempt(&run.events, "http", 1006);
        assert_eq!(run.first("error")["http_status"], 302, "{ctx}");
        let msg = message(&run);
        assert!(msg.contains("redirects to"), "{ctx}");
        assert!(msg.contains(shown), "{ctx}");
        assert!(!msg.contains("without a Location"), "{ctx}");
        assert!(!msg.contains('\x1b'), "escaped: {ctx}");
    }
}

#[tokio::test]
async fn control_bytes_in_the_head_keep_the_status() {
    // (head, status, what the message must name)
    let cases: [(&[u8], u16, &str); 4] = [
        (
            b"HTTP/1.1 403 Forbidden\r\nX-Note: a\x1b]0;pwned\x07b\r\nContent-Length: 0\r\n\r\n",
            403,
            "X-Note",
        ),
        (
            b"HTTP/1.1 302 Fo\x1b[2Jund\r\nLocation: ws://elsewhere.example/ws\r\n\r\n",
            302,
            "ws://elsewhere.example/ws",
        ),
        (
            b"HTTP/1.1 302 Found\r\nLocation: ws://elsewhere.example/\x1b[2J\r\n\r\n",
            302,
            "ws://elsewhere.example/",
        ),
        (
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nX-Bad\x7f: 1\r\n\r\n",
            503,
            "X-Bad",
        ),
    ];
    for (head, status, named) in cases {
        let server = support::serve(move |_, mut tcp: TcpStream| async move {
            read_request(&mut tcp).await?;
            tcp.write_all(head).await?;
            drain_to_eof(&mut tcp).await
        })
        .await;
        let run = once(&server).await;
        let ctx = run.dump();
        support::assert_failed_attempt(&run.events, "http", 1006);
        let error = run.first("error");
        assert_eq!(error["http_status"], status, "{ctx}");
        let msg = message(&run);
        assert!(msg.contains(&status.to_string()), "{ctx}");
        assert!(msg.contains(named), "{ctx}");
        assert!(
            !msg.contains(['\x1b', '\x07', '\x7f']),
            "control bytes are escaped: {ctx}"
        );
        assert!(msg.contains("\\x"), "the bad byte is shown escaped: {ctx}");
        assert_eq!(
            run.first("close")["trigger"],
            format!("http-{status}"),
            "{ctx}"
        );
    }
}

#[tokio::test]
async fn a_101_with_a_control_byte_in_a_header_is_a_violation() {
    let reply = format!("{UPGRADED}X-Trace: a\x1bb\r\n\r\n");
    let server = raw_server(vec![reply], true).await;
    let run = once(&server).await;
    let ctx = run.dump();
    support::assert_failed_attempt(&run.events, "protocol", 1006);
    let msg = message(&run);
    assert!(msg.contains("X-Trace") && msg.contains("\\x1b"), "{ctx}");
    assert_eq!(run.first("close")["trigger"], "protocol-violation", "{ctx}");
}
