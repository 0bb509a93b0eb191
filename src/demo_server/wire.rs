//! Frames written and read by hand on the raw socket. The scenarios must put
//! exact bytes on the wire, including close codes a WebSocket library would
//! refuse to send or would rewrite, so Close frames never go through
//! tungstenite.

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::scenario::truncate_reason;

/// A server frame header (FIN set, unmasked) for `opcode` and `len` bytes.
pub(crate) fn header(opcode: u8, len: usize) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    if len < 126 {
        out.push(len as u8);
    } else if let Ok(short) = u16::try_from(len) {
        out.push(126);
        out.extend_from_slice(&short.to_be_bytes());
    } else {
        out.push(127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out
}

/// A complete unmasked text frame.
pub(crate) fn text_frame(payload: &[u8]) -> Vec<u8> {
    let mut out = header(0x1, payload.len());
    out.extend_from_slice(payload);
    out
}

/// A Close frame with exactly this code (any value) and the reason cut to
/// 123 bytes; `None` gives an empty body.
pub(crate) fn close_frame(code: Option<u16>, reason: &str) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(code) = code {
        body.extend_from_slice(&code.to_be_bytes());
        body.extend_from_slice(truncate_reason(reason).as_bytes());
    }
    let mut out = header(0x8, body.len());
    out.extend_from_slice(&body);
    out
}

/// What the client did after our Close frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CloseReply {
    /// It answered with a Close frame (code `None` when the body was empty).
    Closed(Option<u16>),
    /// It closed TCP without a Close frame.
    Eof,
    /// Nothing came back in time.
    TimedOut,
    /// Reading failed (often a reset).
    Failed(String),
}

impl std::fmt::Display for CloseReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Closed(Some(code)) => write!(f, "client replied {code}"),
            Self::Closed(None) => f.write_str("client replied with an empty Close"),
            Self::Eof => f.write_str("client closed TCP without a Close frame"),
            Self::TimedOut => f.write_str("no Close reply in time"),
            Self::Failed(why) => write!(f, "client gone ({why})"),
        }
    }
}

/// Frames larger than this are not buffered while waiting for a Close reply:
/// the wait is short and only the Close matters.
const MAX_BUFFERED: usize = 1 << 20;

/// Writes `frame` (a Close frame), waits up to `wait` for the client's Close
/// reply, then closes TCP from our side first, as RFC 6455 §7.1.1 asks of
/// servers. `buffered` holds bytes the client already sent. `stop` cuts the
/// waits short, so a stopping server does not linger.
pub(crate) async fn close_and_finish(
    mut stream: TcpStream,
    frame: &[u8],
    mut buffered: Vec<u8>,
    wait: Duration,
    stop: impl Future<Output = ()>,
) -> CloseReply {
    tokio::pin!(stop);
    if let Err(e) = stream.write_all(frame).await {
        return CloseReply::Failed(e.to_string());
    }
    let deadline = Instant::now() + wait;
    let reply = loop {
        match next_close(&buffered) {
            Parsed::Close(code) => break CloseReply::Closed(code),
            Parsed::Skip(n) => {
                buffered.drain(..n);
                continue;
            }
            Parsed::Incomplete if buffered.len() > MAX_BUFFERED => buffered.clear(),
            Parsed::Incomplete => {}
        }
        let mut chunk = [0u8; 4096];
        let read = tokio::select! {
            () = &mut stop => break CloseReply::TimedOut,
            read = timeout_at(deadline, stream.read(&mut chunk)) => read,
        };
        match read {
            Err(_) => break CloseReply::TimedOut,
            Ok(Ok(0)) => break CloseReply::Eof,
            Ok(Ok(n)) => buffered.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => break CloseReply::Failed(e.to_string()),
        }
    };
    if matches!(reply, CloseReply::Closed(_)) {
        // Send our FIN, then give the client a moment to send its own, so
        // neither side is left with unread data that would turn into a reset.
        let _ = stream.shutdown().await;
        let linger = Instant::now() + Duration::from_secs(1);
        let mut sink = [0u8; 4096];
        loop {
            tokio::select! {
                () = &mut stop => break,
                read = timeout_at(linger, stream.read(&mut sink)) => {
                    if !matches!(read, Ok(Ok(n)) if n > 0) {
                        break;
                    }
                }
            }
        }
    }
    reply
}

enum Parsed {
    /// A Close frame with this code.
    Close(Option<u16>),
    /// Some other frame of this many bytes.
    Skip(usize),
    /// Not a whole frame yet.
    Incomplete,
}

/// The header of the (client, usually masked) frame at the start of a
/// buffer.
pub(super) struct FrameHead {
    /// The opcode.
    pub opcode: u8,
    /// The payload's length.
    pub len: u64,
    /// Where the payload starts (the header's length, mask included).
    pub at: usize,
    /// The mask (zeros when the frame had none).
    pub mask: [u8; 4],
}

/// Reads the frame header at the start of `buf`; `None` until it is whole.
pub(super) fn frame_head(buf: &[u8]) -> Option<FrameHead> {
    if buf.len() < 2 {
        return None;
    }
    let opcode = buf[0] & 0x0f;
    let masked = buf[1] & 0x80 != 0;
    let (len, mut at) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
        127 if buf.len() >= 10 => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            (u64::from_be_bytes(b), 10)
        }
        126 | 127 => return None,
        n => (u64::from(n), 2),
    };
    let mut mask = [0u8; 4];
    if masked {
        mask.copy_from_slice(buf.get(at..at + 4)?);
        at += 4;
    }
    Some(FrameHead {
        opcode,
        len,
        at,
        mask,
    })
}

/// Looks at the first (client, usually masked) frame in `buf`.
fn next_close(buf: &[u8]) -> Parsed {
    let Some(FrameHead {
        opcode,
        len,
        at,
        mask,
    }) = frame_head(buf)
    else {
        return Parsed::Incomplete;
    };
    let Ok(len) = usize::try_from(len) else {
        return Parsed::Incomplete;
    };
    let Some(payload) = buf.get(at..at.saturating_add(len)) else {
        return Parsed::Incomplete;
    };
    if opcode != 0x8 {
        return Parsed::Skip(at + len);
    }
    let code = (payload.len() >= 2)
        .then(|| u16::from_be_bytes([payload[0] ^ mask[0], payload[1] ^ mask[1]]));
    Parsed::Close(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_frames_carry_any_code() {
        assert_eq!(close_frame(Some(1005), ""), vec![0x88, 2, 0x03, 0xed]);
        assert_eq!(
            close_frame(Some(5000), "x"),
            vec![0x88, 3, 0x13, 0x88, b'x']
        );
        assert_eq!(close_frame(None, "ignored"), vec![0x88, 0]);
        let long = close_frame(Some(1000), &"a".repeat(300));
        assert_eq!(long.len(), 2 + 125);
        assert_eq!(long[1], 125);
    }

    #[test]
    fn headers_use_the_three_length_forms() {
        assert_eq!(header(1, 125), vec![0x81, 125]);
        assert_eq!(header(1, 126), vec![0x81, 126, 0, 126]);
        assert_eq!(header(1, 70_000)[1], 127);
        assert_eq!(header(1, 70_000).len(), 10);
    }

    #[test]
    fn finds_a_masked_close_after_other_frames() {
        let mask = [1u8, 2, 3, 4];
        let mut buf = vec![0x89, 0x80 | 2];
        buf.extend_from_slice(&mask);
        buf.extend_from_slice(&[b'h' ^ 1, b'i' ^ 2]);
        let ping_len = buf.len();
        buf.extend_from_slice(&[0x88, 0x80 | 2]);
        buf.extend_from_slice(&mask);
        let code = 4000u16.to_be_bytes();
        buf.extend_from_slice(&[code[0] ^ 1, code[1] ^ 2]);
        assert!(matches!(next_close(&buf), Parsed::Skip(n) if n == ping_len));
        assert!(matches!(
            next_close(&buf[ping_len..]),
            Parsed::Close(Some(4000))
        ));
        assert!(matches!(
            next_close(&buf[ping_len..buf.len() - 1]),
            Parsed::Incomplete
        ));
    }
}
