//! Helpers shared by the fuzz targets: an in-memory stream that hands out its
//! bytes in chunks chosen by the input, a way to poll a future to completion
//! without a runtime, and a plain reference reader of server frames.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Splits `data` into the cut list and the byte stream: the first byte says
/// how many cuts follow (at most 15), each cut is two bytes (big-endian).
/// Returns the stream and the sorted, deduplicated cut offsets within it.
pub fn cuts_and_stream(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let n = usize::from(n & 0x0f).min(rest.len() / 2);
    let (raw, stream) = rest.split_at(n * 2);
    let mut cuts: Vec<usize> = raw
        .chunks_exact(2)
        .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])))
        .filter(|&c| c > 0 && c < stream.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    (cuts, stream)
}

/// The stream cut at `cuts` (sorted offsets) into consecutive chunks.
pub fn chunks<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut last = 0;
    for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
        if c > last {
            out.push(&stream[last..c]);
            last = c;
        }
    }
    out
}

/// An in-memory peer: reads hand out one chunk at a time (never more than
/// the chunk, so the reader sees the exact split points), then end of stream;
/// writes are accepted and kept.
#[derive(Debug, Default)]
pub struct ChunkStream {
    chunks: Vec<Vec<u8>>,
    next: usize,
    at: usize,
    /// Everything written to the stream.
    pub written: Vec<u8>,
}

impl ChunkStream {
    /// A stream that yields `chunks` in order.
    pub fn new(chunks: &[&[u8]]) -> Self {
        Self {
            chunks: chunks.iter().map(|c| c.to_vec()).collect(),
            ..Self::default()
        }
    }
}

impl AsyncRead for ChunkStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while let Some(chunk) = this.chunks.get(this.next) {
            let left = &chunk[this.at..];
            if left.is_empty() {
                this.next += 1;
                this.at = 0;
                continue;
            }
            let n = left.len().min(buf.remaining());
            buf.put_slice(&left[..n]);
            this.at += n;
            break;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ChunkStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().written.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Polls `fut` until it is ready; `None` if it is still pending after
/// `budget` polls (in-memory streams never wait, so that means a hang).
pub fn run_ready<F: Future>(fut: F, budget: usize) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..budget {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}

/// Where the payload of the first complete Close frame lies in a server byte
/// stream, read the plain way: the HTTP head ends at the first `\r\n\r\n`,
/// then frame after frame. `(offset, stored length, mask)`; the tap keeps at
/// most the first 125 bytes of a payload.
pub fn reference_close(stream: &[u8]) -> Option<(usize, usize, Option<[u8; 4]>)> {
    let head_end = stream.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut at = head_end;
    loop {
        let b0 = *stream.get(at)?;
        let b1 = *stream.get(at + 1)?;
        let mut pos = at + 2;
        let len = match b1 & 0x7f {
            126 => {
                let b = stream.get(pos..pos + 2)?;
                pos += 2;
                u64::from(u16::from_be_bytes([b[0], b[1]]))
            }
            127 => {
                let b = stream.get(pos..pos + 8)?;
                pos += 8;
                u64::from_be_bytes(b.try_into().ok()?)
            }
            n => u64::from(n),
        };
        let mask = if b1 & 0x80 != 0 {
            let m = stream.get(pos..pos + 4)?;
            pos += 4;
            Some([m[0], m[1], m[2], m[3]])
        } else {
            None
        };
        let end = u64::try_from(pos).ok()?.checked_add(len)?;
        if end > stream.len() as u64 {
            return None;
        }
        if b0 & 0x0f == 0x8 {
            return Some((pos, (len as usize).min(125), mask));
        }
        at = end as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_split_the_stream() {
        let data = [2u8, 0, 3, 0, 1, b'a', b'b', b'c', b'd', b'e'];
        let (cuts, stream) = cuts_and_stream(&data);
        assert_eq!(stream, b"abcde");
        assert_eq!(cuts, vec![1, 3]);
        assert_eq!(chunks(stream, &cuts), vec![&b"a"[..], b"bc", b"de"]);
    }

    #[test]
    fn reference_finds_the_close() {
        let s = b"HTTP/1.1 101 x\r\n\r\n\x81\x02hi\x88\x02\x03\xe8";
        assert_eq!(reference_close(s), Some((s.len() - 2, 2, None)));
    }
}
