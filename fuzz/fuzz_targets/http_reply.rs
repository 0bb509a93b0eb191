//! The answer to an upgrade, as `engine::dial::dial` handles it: a loopback
//! server (127.0.0.1, this process) reads the request and answers with the
//! input's bytes; the failure dial reports is checked against a plain
//! reading of the same head. Also `dial::parse_retry_after` on its own.
//!
//! Input: one mode byte. Odd: the rest is a Retry-After value. Even: the
//! rest is the whole reply (head and body).
//!
//! Checks: no panic or hang; a complete head with a status other than 101
//! gives an HTTP failure with that status, its reason, the Retry-After that
//! `parse_retry_after` reads from the header, every header (secret ones
//! redacted, with secrets hidden), and a body that is the start of what
//! followed the head (at most 2048 bytes, lossily decoded, the secrets of
//! URLs in it redacted); the error event
//! made of any failure writes one JSON line that parses and gives the
//! message back, and one human line with nothing a terminal acts on.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use wsprobe::engine::dial::{dial, parse_retry_after};
use wsprobe::engine::event::{EngineEvent, ErrorClass, EventKind};
use wsprobe::engine::policy::Trigger;
use wsprobe::engine::settings::Settings;
use wsprobe::engine::target::{REDACTED, is_secret_header};
use wsprobe::headless::{write_human, write_json};
use wsprobe::sanitize::is_unsafe;

struct Peer {
    rt: Runtime,
    listener: TcpListener,
    settings: Settings,
}

fn peer() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let port = listener.local_addr().expect("an address").port();
        let url = url::Url::parse(&format!("ws://127.0.0.1:{port}/fuzz")).expect("a URL");
        Peer {
            rt,
            listener,
            settings: Settings::new(url),
        }
    })
}

fn check_retry_after(value: &str) {
    let got = parse_retry_after(value);
    if let Ok(secs) = value.trim().parse::<u64>() {
        assert_eq!(got, Some(Duration::from_secs(secs)), "{value:?}");
    }
}

/// The head as httparse reads it with tungstenite's limits: version,
/// status, headers, and where the head ends.
struct Head {
    version: u8,
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    len: usize,
}

fn read_head(reply: &[u8]) -> Option<Head> {
    let mut headers = [httparse::EMPTY_HEADER; 124];
    let mut r = httparse::Response::new(&mut headers);
    match r.parse(reply) {
        Ok(httparse::Status::Complete(len)) => Some(Head {
            version: r.version?,
            status: r.code?,
            headers: r
                .headers
                .iter()
                .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
                .collect(),
            len,
        }),
        _ => None,
    }
}

fn one_line(bytes: &[u8]) -> &str {
    let line = std::str::from_utf8(bytes).expect("UTF-8");
    let body = line.strip_suffix('\n').expect("ends with a newline");
    assert!(!body.contains('\n'), "more than one line: {line:?}");
    assert!(!body.chars().any(is_unsafe), "raw control in {line:?}");
    body
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        check_retry_after(&String::from_utf8_lossy(rest));
        return;
    }
    let reply = rest;
    let p = peer();
    let server = async {
        let (mut s, _) = p.listener.accept().await.expect("accept");
        let mut req = Vec::new();
        let mut buf = [0u8; 2048];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => req.extend_from_slice(&buf[..n]),
            }
        }
        let _ = s.write_all(reply).await;
        let _ = s.shutdown().await;
    };
    let client = dial(&p.settings, None);
    let result = p.rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), async {
            tokio::join!(server, client).1
        })
        .await
    });
    let Ok(result) = result else {
        panic!("dial hung on {reply:?}");
    };
    let failure = match result {
        Ok(_) => return, // would need the right Sec-WebSocket-Accept
        Err(f) => f,
    };

    if let Some(head) = read_head(reply)
        && head.version == 1
        && head.status != 101
        // An interim 1xx answer is skipped, as HTTP/1.1 says; what follows
        // it (here, the end of the stream) is what the attempt reports.
        && (200..=999).contains(&head.status)
        && head.headers.iter().all(|(n, v)| {
            !n.is_empty() && !v.iter().any(|&b| b == 0x7f || (b < 0x20 && b != b'\t'))
        })
    {
        assert_eq!(failure.class, ErrorClass::Http, "{failure:?}");
        assert_eq!(failure.trigger, Trigger::Http(head.status));
        assert!(
            failure.message.contains(&format!("HTTP {}", head.status)),
            "{}",
            failure.message
        );
        let http = failure.http.as_ref().expect("an HTTP reply");
        assert_eq!(http.status, head.status);
        let retry = head
            .headers
            .iter()
            .find(|(n, _)| n == "retry-after")
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
            .and_then(parse_retry_after);
        // A date is read against the clock; only the presence must agree.
        assert_eq!(failure.retry_after.is_some(), retry.is_some());
        assert_eq!(http.headers.len(), head.headers.len(), "{http:?}");
        for (name, value) in &http.headers {
            if is_secret_header(name) {
                assert_eq!(value, REDACTED, "{name} is shown");
            }
        }
        // The body is the start of what followed the head, but for the
        // secrets of URLs in it (a redirect page's links), each replaced
        // with REDACTED.
        let after = String::from_utf8_lossy(&reply[head.len..]);
        let body = http.body.trim_end_matches('\u{fffd}');
        let mut rest: &str = &after;
        for (i, part) in body.split(REDACTED).enumerate() {
            let at = if i == 0 {
                rest.starts_with(part).then_some(0)
            } else {
                rest.find(part)
            };
            let Some(at) = at else {
                panic!("{:?} is not the start of {after:?}", http.body);
            };
            rest = &rest[at + part.len()..];
        }
        // At most the first 2048 bytes of the body, before any secret in it
        // was replaced (REDACTED may be longer than what it replaced).
        assert!(http.body.replace(REDACTED, "").chars().count() <= 2048);
    }

    let event = EngineEvent {
        seq: 7,
        t: Duration::from_millis(12),
        kind: EventKind::Error {
            class: failure.class,
            message: failure.message.clone(),
            http: failure.http.clone(),
            retry_after_ms: failure.retry_after.map(|d| d.as_millis() as u64),
        },
    };
    let mut out = Vec::new();
    let style = wsprobe::headless::JsonStyle::full(std::time::UNIX_EPOCH);
    write_json(&mut out, &event, &style).expect("in memory");
    let line = one_line(&out);
    let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
    assert_eq!(v["message"].as_str(), Some(failure.message.as_str()));
    let mut out = Vec::new();
    write_human(&mut out, &event).expect("in memory");
    one_line(&out);
});
