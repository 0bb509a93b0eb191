//! A transparent stream wrapper that watches the bytes the server sends and
//! keeps the payload of the first Close frame exactly as it was on the wire.
//!
//! tungstenite rewrites close codes it does not know (1014, 1004, 999, …)
//! into 1002 before the application sees them; the tap lets wsprobe report
//! what the server actually sent. It parses only frame headers and skips
//! payloads, so its cost per message is a handful of comparisons.
//!
//! Before the frames, the tap passes the answer's HTTP head through a
//! [`HeadFilter`]: interim `1xx` answers are dropped and a `Connection`
//! token list is made plain, so tungstenite judges the real answer.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use crate::engine::head::{HeadFilter, HeadRecord};

/// Where the parser is in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the end of the HTTP response (`\r\n\r\n`); holds how many of its bytes matched.
    Http(u8),
    /// Collecting a frame header of `need` bytes.
    Header,
    /// Inside a payload: `left` bytes to go; `close` when it belongs to a Close frame.
    Payload { left: u64, close: bool },
}

/// Watches server-to-client bytes for Close frames.
#[derive(Debug)]
pub struct FrameWatch {
    state: State,
    header: [u8; 14],
    have: usize,
    mask: Option<[u8; 4]>,
    close: Option<Vec<u8>>,
    closing: Vec<u8>,
}

impl Default for FrameWatch {
    fn default() -> Self {
        Self {
            state: State::Http(0),
            header: [0; 14],
            have: 0,
            mask: None,
            close: None,
            closing: Vec::new(),
        }
    }
}

impl FrameWatch {
    /// The payload of the first complete Close frame the server sent, if any.
    pub fn close_payload(&self) -> Option<&[u8]> {
        self.close.as_deref()
    }

    /// Feeds bytes read from the server.
    pub fn observe(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.state {
                State::Http(matched) => {
                    const END: &[u8; 4] = b"\r\n\r\n";
                    let mut m = matched as usize;
                    let mut used = 0;
                    for &b in bytes {
                        used += 1;
                        m = if b == END[m] {
                            m + 1
                        } else {
                            usize::from(b == b'\r')
                        };
                        if m == 4 {
                            break;
                        }
                    }
                    bytes = &bytes[used..];
                    self.state = if m == 4 {
                        self.have = 0;
                        State::Header
                    } else {
                        State::Http(m as u8)
                    };
                }
                State::Header => {
                    let need = self.header_len();
                    let take = (need - self.have).min(bytes.len());
                    self.header[self.have..self.have + take].copy_from_slice(&bytes[..take]);
                    self.have += take;
                    bytes = &bytes[take..];
                    if self.have == self.header_len() {
                        self.start_payload();
                    }
                }
                State::Payload { left, close } => {
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(bytes.len());
                    if close && self.close.is_none() && self.closing.len() < 125 {
                        let room = 125 - self.closing.len();
                        self.closing.extend_from_slice(&bytes[..take.min(room)]);
                    }
                    bytes = &bytes[take..];
                    let left = left - take as u64;
                    if left == 0 {
                        self.finish_payload(close);
                    } else {
                        self.state = State::Payload { left, close };
                    }
                }
            }
        }
    }

    /// How long the current header is, given the bytes seen so far.
    fn header_len(&self) -> usize {
        if self.have < 2 {
            return 2;
        }
        let masked = self.header[1] & 0x80 != 0;
        let ext = match self.header[1] & 0x7f {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        2 + ext + if masked { 4 } else { 0 }
    }

    fn start_payload(&mut self) {
        let opcode = self.header[0] & 0x0f;
        let len7 = self.header[1] & 0x7f;
        let (len, ext) = match len7 {
            126 => (
                u64::from(u16::from_be_bytes([self.header[2], self.header[3]])),
                2,
            ),
            127 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&self.header[2..10]);
                (u64::from_be_bytes(b), 8)
            }
            n => (u64::from(n), 0),
        };
        self.mask = (self.header[1] & 0x80 != 0).then(|| {
            let mut m = [0u8; 4];
            m.copy_from_slice(&self.header[2 + ext..6 + ext]);
            m
        });
        let close = opcode == 0x8;
        self.have = 0;
        if close {
            self.closing.clear();
        }
        if len == 0 {
            self.finish_payload(close);
        } else {
            self.state = State::Payload { left: len, close };
        }
    }

    fn finish_payload(&mut self, close: bool) {
        if close && self.close.is_none() {
            let mut payload = std::mem::take(&mut self.closing);
            if let Some(mask) = self.mask {
                for (i, b) in payload.iter_mut().enumerate() {
                    *b ^= mask[i % 4];
                }
            }
            self.close = Some(payload);
        }
        self.state = State::Header;
    }
}

/// A stream that feeds everything it reads into a [`FrameWatch`].
#[derive(Debug)]
pub struct Tap<S> {
    inner: S,
    head: HeadFilter,
    watch: FrameWatch,
    last_read: Option<Instant>,
}

impl<S> Tap<S> {
    /// Wraps `inner`; the first bytes read must be the HTTP response.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            head: HeadFilter::default(),
            watch: FrameWatch::default(),
            last_read: None,
        }
    }

    /// The raw head of the server's final answer, as far as it arrived
    /// (kept after the tap itself is gone).
    pub fn head_record(&self) -> HeadRecord {
        self.head.record()
    }

    /// How many interim (`1xx`) answers came before the final one.
    pub fn interim_answers(&self) -> u32 {
        self.head.skipped()
    }

    /// When bytes last arrived. Liveness counts from here, so a large
    /// message still arriving on a slow link is not mistaken for silence.
    pub fn last_read(&self) -> Option<Instant> {
        self.last_read
    }

    /// What the tap has seen.
    pub fn watch(&self) -> &FrameWatch {
        &self.watch
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // The head goes through the filter; what it passes on is read from there.
        loop {
            let pending = this.head.pending();
            if !pending.is_empty() {
                let n = pending.len().min(buf.remaining());
                buf.put_slice(&pending[..n]);
                this.watch.observe(&pending[..n]);
                this.head.consume(n);
                return Poll::Ready(Ok(()));
            }
            if !this.head.in_head() {
                break;
            }
            let mut chunk = [0u8; 4096];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            let eof = read.filled().is_empty();
            if !eof {
                this.last_read = Some(Instant::now());
            }
            this.head.push(read.filled());
            if eof && this.head.pending().is_empty() {
                return Poll::Ready(Ok(()));
            }
        }
        let before = buf.filled().len();
        let res = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = res
            && buf.filled().len() > before
        {
            this.last_read = Some(Instant::now());
            this.watch.observe(&buf.filled()[before..]);
        }
        res
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => f.push(n as u8),
            n if n < 65536 => {
                f.push(126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(payload);
        f
    }

    fn stream(close: &[u8]) -> Vec<u8> {
        let mut s = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".to_vec();
        s.extend(frame(0x1, b"hello"));
        s.extend(frame(0x2, &vec![0x88; 300]));
        s.extend(frame(0x9, b"ping"));
        s.extend(frame(0x2, &vec![7; 70_000]));
        s.extend(frame(0x8, close));
        s
    }

    #[test]
    fn finds_the_close_payload_after_other_frames() {
        let mut close = 1014u16.to_be_bytes().to_vec();
        close.extend_from_slice(b"bad gateway");
        let mut w = FrameWatch::default();
        w.observe(&stream(&close));
        assert_eq!(w.close_payload(), Some(&close[..]));
    }

    #[test]
    fn an_empty_close_is_seen_as_empty() {
        let mut w = FrameWatch::default();
        w.observe(&stream(&[]));
        assert_eq!(w.close_payload(), Some(&[][..]));
    }

    #[test]
    fn no_close_means_none() {
        let mut w = FrameWatch::default();
        w.observe(b"HTTP/1.1 101 OK\r\n\r\n\x81\x02hi");
        assert_eq!(w.close_payload(), None);
    }

    proptest! {
        #[test]
        fn any_split_of_the_stream_gives_the_same_answer(cuts in prop::collection::vec(0usize..71_000, 0..20)) {
            let close = 4999u16.to_be_bytes().to_vec();
            let bytes = stream(&close);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % bytes.len()).collect();
            cuts.sort_unstable();
            let mut w = FrameWatch::default();
            let mut last = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                w.observe(&bytes[last..c]);
                last = c;
            }
            prop_assert_eq!(w.close_payload(), Some(&close[..]));
        }
    }
}
