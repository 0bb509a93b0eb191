//! A fleet connection held open on the raw socket: a hello, pings answered,
//! data read and dropped, until its group's wave (or the client, or the
//! server's stop) ends it. No WebSocket library state, a 512-byte read
//! buffer: thousands of these cost little.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Shared;
use super::fleet::Member;
use super::wire;

/// How long to wait for the client's Close reply before closing TCP anyway.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// One client frame at the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// Not a whole header (or control frame) yet.
    Incomplete,
    /// A control frame: opcode, unmasked payload, bytes used.
    Control(u8, Vec<u8>, usize),
    /// A data frame: its header takes `header` bytes, its payload `len`.
    Data { header: usize, len: u64 },
}

/// Parses the frame at the start of `buf` (client frames are masked).
fn next(buf: &[u8]) -> Next {
    let Some(wire::FrameHead {
        opcode,
        len,
        at,
        mask,
    }) = wire::frame_head(buf)
    else {
        return Next::Incomplete;
    };
    if opcode < 0x8 {
        return Next::Data { header: at, len };
    }
    let len = len.min(125) as usize;
    let Some(payload) = buf.get(at..at + len) else {
        return Next::Incomplete;
    };
    let payload = payload
        .iter()
        .enumerate()
        .map(|(i, b)| b ^ mask[i % 4])
        .collect();
    Next::Control(opcode, payload, at + len)
}

/// Holds `stream` until its group's wave closes it; returns what happened.
pub(super) async fn hold(
    shared: &Shared,
    member: Member,
    mut stream: TcpStream,
    mut pending: Vec<u8>,
) -> String {
    let hello = member.hello();
    if let Err(e) = stream.write_all(&wire::text_frame(hello.as_bytes())).await {
        return format!("connection lost before the hello ({e})");
    }
    let mut waves = member.waves();
    let mut chunk = [0u8; 512];
    // Payload bytes of a large data frame still to be skipped.
    let mut skip: u64 = 0;
    loop {
        loop {
            match next(&pending) {
                Next::Incomplete => break,
                Next::Data { header, len } => {
                    let have = (pending.len() - header) as u64;
                    if have >= len {
                        pending.drain(..header + len as usize);
                    } else {
                        skip = len - have;
                        pending.clear();
                        break;
                    }
                }
                Next::Control(0x9, payload, used) => {
                    pending.drain(..used);
                    let mut pong = wire::header(0xA, payload.len());
                    pong.extend_from_slice(&payload);
                    if let Err(e) = stream.write_all(&pong).await {
                        return format!("connection lost ({e})");
                    }
                }
                Next::Control(0x8, payload, _) => {
                    let code =
                        (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                    let _ = stream.write_all(&wire::close_frame(code, "")).await;
                    let _ = stream.shutdown().await;
                    return match code {
                        Some(code) => format!("client closed with {code}"),
                        None => "client closed without a code".into(),
                    };
                }
                Next::Control(_, _, used) => {
                    pending.drain(..used);
                }
            }
        }
        tokio::select! {
            biased;
            () = shared.stopped() => {
                let frame = wire::close_frame(Some(1001), "server shutting down");
                let stop = tokio::time::sleep(CLOSE_WAIT);
                let reply = Box::pin(wire::close_and_finish(stream, &frame, pending, CLOSE_WAIT, stop)).await;
                return format!("server stopping: sent Close 1001; {reply}");
            }
            wave = member.closed_by_wave(&mut waves) => {
                let code = member.code();
                let reason = match wave.batch {
                    Some(b) => format!("rolling restart, batch {}", b + 1),
                    None => "deploy: restarting".to_string(),
                };
                let frame = wire::close_frame(Some(code), &reason);
                // Boxed: its buffers exist only while a connection closes.
                let reply = Box::pin(wire::close_and_finish(stream, &frame, pending, CLOSE_WAIT, shared.stopped())).await;
                return format!("wave {}: sent Close {code}; {reply}", wave.n);
            }
            read = stream.read(&mut chunk) => match read {
                Ok(0) => return "client went away without a Close frame".into(),
                Err(e) => return format!("connection lost ({e})"),
                Ok(n) => {
                    let mut bytes = &chunk[..n];
                    if skip > 0 {
                        let s = skip.min(n as u64) as usize;
                        skip -= s as u64;
                        bytes = &bytes[s..];
                    }
                    pending.extend_from_slice(bytes);
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [9u8, 8, 7, 6];
        let mut out = vec![0x80 | opcode, 0x80 | payload.len() as u8];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    #[test]
    fn reads_control_frames_and_skips_data() {
        let ping = masked(0x9, b"hi");
        assert_eq!(next(&ping), Next::Control(0x9, b"hi".to_vec(), ping.len()));
        assert_eq!(next(&ping[..ping.len() - 1]), Next::Incomplete);
        let text = masked(0x1, b"hello");
        assert_eq!(next(&text), Next::Data { header: 6, len: 5 });
        assert_eq!(next(&[0x81]), Next::Incomplete);
        let close = masked(0x8, &1000u16.to_be_bytes());
        assert!(matches!(next(&close), Next::Control(0x8, p, _) if p == vec![0x03, 0xe8]));
    }
}
