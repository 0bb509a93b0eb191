//! The tap's frame-header reader, fed a server byte stream split at points
//! the input chooses, through `Tap`'s `AsyncRead`.
//!
//! Input: one byte with the number of cuts (low four bits), two bytes per
//! cut, then the stream (HTTP head and frames).
//!
//! Checks: no panic; the close payload the tap reports is the one a plain
//! whole-buffer reading finds, i.e. a slice of the input (unmasked with the
//! frame's mask when it had one), for heads that end in CRLF; splitting the
//! stream does not change it; and when tungstenite, reading the same bytes
//! as the engine does, hands over a Close frame, the tap holds the same
//! code and reason (heads that end in bare line feeds included).
#![no_main]

use futures_util::StreamExt;
use fuzz_support::{ChunkStream, chunks, cuts_and_stream, reference_close, run_ready};
use libfuzzer_sys::fuzz_target;
use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use wsprobe::engine::tap::{FrameWatch, Tap};

/// The key of RFC 6455 §1.3; its accept value is
/// `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`, which the seed heads carry.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

fuzz_target!(|data: &[u8]| {
    let (cuts, stream) = cuts_and_stream(data);
    let parts = chunks(stream, &cuts);

    // Through the AsyncRead wrapper, chunk by chunk.
    let mut tap = Tap::new(ChunkStream::new(&parts));
    let mut buf = vec![0u8; 4096];
    let mut total = 0;
    loop {
        let n = run_ready(tap.read(&mut buf), 4).expect("in-memory reads are ready");
        let n = n.expect("in-memory reads do not fail");
        if n == 0 {
            break;
        }
        total += n;
    }
    // The tap may rewrite the upgrade reply's head (interim 1xx answers are
    // dropped, a `Connection` token list becomes `Upgrade`), so the byte
    // count can differ; frames after the head pass unchanged, and what the
    // watch reports of them must agree with a read of the whole stream.
    // A bare line feed in the head becomes CRLF: at most one byte each.
    assert!(total <= 2 * stream.len(), "the tap invents no data");
    let split = tap.watch().close_payload().map(<[u8]>::to_vec);

    // A head that ends in bare line feeds is rewritten with CRLF by the tap
    // (as httparse reads it), so a plain reading of the raw bytes, which
    // only knows `\r\n\r\n`, is no reference for it; tungstenite is (below).
    // Interim 1xx answers before the 101 are dropped by the tap too, so the
    // plain reading is only a reference for a stream that starts with its 101.
    let bare_lf_head = blank_line_end(stream).is_some_and(|end| Some(end) != crlf_head_end(stream));
    let interim = first_status(stream).is_some_and(|s| s != 101);
    // A reply that is not HTTP fails the handshake; the tap lets it pass
    // without reading frames out of it.
    let http = first_status(stream).is_some();
    if http && !bare_lf_head && !interim {
        // All at once.
        let mut whole = FrameWatch::default();
        whole.observe(stream);
        assert_eq!(
            whole.close_payload(),
            split.as_deref(),
            "cutting the stream changed the close payload"
        );

        // A slice of the input, as a plain reading finds it.
        let expected = reference_close(stream).map(|(at, len, mask)| {
            let mut p = stream[at..at + len].to_vec();
            if let Some(m) = mask {
                for (i, b) in p.iter_mut().enumerate() {
                    *b ^= m[i % 4];
                }
            }
            p
        });
        assert_eq!(split, expected, "the tap's close payload is not the wire's");
        if let Some(p) = &split {
            assert!(p.len() <= 125);
        }
    }

    differential(&parts);
});

/// The status on the first line (`HTTP/1.x NNN`), read as the tap reads it:
/// from the status line alone, whatever the headers hold.
fn first_status(stream: &[u8]) -> Option<u16> {
    let line = stream.split(|&b| b == b'\n').next()?;
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let code = rest.get(2..5)?;
    std::str::from_utf8(code).ok()?.parse().ok()
}

/// Where the head ends for a reader that takes any blank line, `\n` or
/// `\r\n` ended (as the tap's head filter does, whatever the headers hold).
fn blank_line_end(stream: &[u8]) -> Option<usize> {
    let mut at = 0;
    for line in stream.split(|&b| b == b'\n') {
        let end = at + line.len() + 1;
        if end > stream.len() {
            return None;
        }
        if at > 0 && (line.is_empty() || line == b"\r") {
            return Some(end);
        }
        at = end;
    }
    None
}

/// Where the tap ends it: after the first `\r\n\r\n`.
fn crlf_head_end(stream: &[u8]) -> Option<usize> {
    stream
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

/// Runs tungstenite's client over the same chunks, as `dial` does (the tap
/// under the WebSocket), and compares the Close it reports with the tap's.
fn differential(parts: &[&[u8]]) {
    let mut request = "ws://fuzz.invalid/"
        .into_client_request()
        .expect("a valid request");
    request
        .headers_mut()
        .insert("sec-websocket-key", HeaderValue::from_static(KEY));
    let tap = Tap::new(ChunkStream::new(parts));
    let Some(Ok((mut ws, _response))) =
        run_ready(tokio_tungstenite::client_async(request, tap), 64)
    else {
        return;
    };
    for _ in 0..4096 {
        let Some(Some(next)) = run_ready(ws.next(), 64) else {
            return;
        };
        let Ok(msg) = next else { return };
        let Message::Close(frame) = msg else { continue };
        let seen = ws.get_ref().watch().close_payload();
        match frame {
            None => assert_eq!(seen, Some(&[][..]), "tungstenite saw an empty Close"),
            Some(frame) => {
                let Some([a, b, reason @ ..]) = seen else {
                    panic!("tungstenite saw Close {frame:?}, the tap saw {seen:?}");
                };
                let code = u16::from_be_bytes([*a, *b]);
                if CloseCode::from(code).is_allowed() {
                    assert_eq!(u16::from(frame.code), code, "close code differs");
                    assert_eq!(
                        frame.reason.as_bytes(),
                        reason,
                        "close reason differs from the tap's"
                    );
                } else {
                    // tungstenite replaces a forbidden code (and its reason).
                    assert_eq!(frame.code, CloseCode::Protocol);
                }
            }
        }
        return;
    }
}
