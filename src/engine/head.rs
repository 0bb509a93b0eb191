//! The HTTP head of the server's answer to the upgrade, as the tap hands it
//! to tungstenite: interim `1xx` answers (`100 Continue`, `103 Early
//! Hints`, …) are dropped, so the `101` or the refusal after them is the
//! answer; a `Connection` token list that holds `upgrade` (`keep-alive,
//! Upgrade`, valid per RFC 9110 §7.6.1) is written as the plain
//! `Connection: Upgrade` tungstenite insists on; and the final head's raw
//! bytes are kept, so the answer can be shown as it was on the wire and
//! read leniently when tungstenite refuses it.
//!
//! The filter works line by line and passes each line on as soon as it is
//! complete, so a reply that is not HTTP at all fails as early as before.

use std::sync::{Arc, Mutex, PoisonError};

/// The raw bytes of the final answer's head (as far as they arrived),
/// shared between the tap and whoever dialled.
#[derive(Debug, Clone, Default)]
pub struct HeadRecord(Arc<Mutex<Vec<u8>>>);

impl HeadRecord {
    /// A copy of the bytes recorded so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, bytes: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
    }

    fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// A head line longer than this is passed on unfiltered (tungstenite
/// refuses heads over 64 KiB anyway).
const MAX_LINE: usize = 16 * 1024;

/// Where the filter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the status line of an answer.
    Status,
    /// Inside an interim answer, whose lines are dropped.
    Interim,
    /// Inside the final answer; `switching` when it is a `101`.
    Final { switching: bool },
    /// After the head (or given up on it): bytes pass unchanged.
    Done,
}

/// Rewrites the answer's head on its way to tungstenite (see the module).
#[derive(Debug)]
pub struct HeadFilter {
    phase: Phase,
    line: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    record: HeadRecord,
    connection_sent: bool,
    skipped: u32,
}

impl Default for HeadFilter {
    fn default() -> Self {
        Self {
            phase: Phase::Status,
            line: Vec::new(),
            out: Vec::new(),
            pos: 0,
            record: HeadRecord::default(),
            connection_sent: false,
            skipped: 0,
        }
    }
}

impl HeadFilter {
    /// The record of the final head, to read after the handshake.
    pub fn record(&self) -> HeadRecord {
        self.record.clone()
    }

    /// True until the head is over; bytes must go through [`Self::push`].
    pub fn in_head(&self) -> bool {
        self.phase != Phase::Done
    }

    /// Bytes ready for the reader.
    pub fn pending(&self) -> &[u8] {
        &self.out[self.pos..]
    }

    /// Marks `n` pending bytes as read.
    pub fn consume(&mut self, n: usize) {
        self.pos += n;
        if self.pos >= self.out.len() {
            self.out.clear();
            self.pos = 0;
        }
    }

    /// How many interim answers were dropped.
    pub fn skipped(&self) -> u32 {
        self.skipped
    }

    /// Feeds bytes read from the server; an empty slice is the end of the stream.
    pub fn push(&mut self, mut bytes: &[u8]) {
        if bytes.is_empty() {
            self.give_up();
            return;
        }
        while !bytes.is_empty() {
            if self.phase == Phase::Done {
                self.out.extend_from_slice(bytes);
                return;
            }
            if let Some(i) = bytes.iter().position(|&b| b == b'\n') {
                self.line.extend_from_slice(&bytes[..=i]);
                bytes = &bytes[i + 1..];
                self.take_line();
            } else {
                self.line.extend_from_slice(bytes);
                bytes = &[];
                let not_http = self.phase == Phase::Status && !could_be_http(&self.line);
                if not_http || self.line.len() > MAX_LINE {
                    self.give_up();
                }
            }
        }
    }

    /// Passes what is held on unchanged and stops filtering.
    fn give_up(&mut self) {
        self.record.push(&self.line);
        self.out.append(&mut self.line);
        self.phase = Phase::Done;
    }

    fn emit(&mut self, content: &[u8]) {
        self.out.extend_from_slice(content);
        self.out.extend_from_slice(b"\r\n");
    }

    fn take_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        let content = line.strip_suffix(b"\n").unwrap_or(&line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        match self.phase {
            // Empty lines before a status line carry nothing.
            Phase::Status if content.is_empty() => {}
            Phase::Status => match status_code(content) {
                Some(code) if (100..200).contains(&code) && code != 101 => {
                    self.skipped += 1;
                    self.phase = Phase::Interim;
                }
                Some(code) => {
                    self.record.clear();
                    self.record.push(&line);
                    self.emit(content);
                    self.phase = Phase::Final {
                        switching: code == 101,
                    };
                }
                None => {
                    self.line = line;
                    self.give_up();
                }
            },
            Phase::Interim => {
                if content.is_empty() {
                    self.phase = Phase::Status;
                }
            }
            Phase::Final { switching } => {
                self.record.push(&line);
                if content.is_empty() {
                    self.out.extend_from_slice(b"\r\n");
                    self.phase = Phase::Done;
                } else if switching && let Some(upgrade) = connection_tokens(content) {
                    // One plain `Connection: Upgrade` for all the lines that
                    // name it; lines without it are left out, so a list
                    // without `upgrade` still fails the handshake.
                    if upgrade && !self.connection_sent {
                        self.connection_sent = true;
                        self.emit(b"Connection: Upgrade");
                    }
                } else {
                    self.emit(content);
                }
            }
            Phase::Done => self.out.extend_from_slice(&line),
        }
    }
}

/// Whether `start` may begin an HTTP/1 status line.
fn could_be_http(start: &[u8]) -> bool {
    let n = start.len().min(5);
    start[..n] == b"HTTP/"[..n]
}

/// The code of a status line `HTTP/1.x NNN …`.
fn status_code(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let (&minor, rest) = rest.split_first()?;
    let rest = rest.strip_prefix(b" ")?;
    if !minor.is_ascii_digit() || rest.len() < 3 || !rest[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if rest.len() > 3 && rest[3] != b' ' {
        return None;
    }
    std::str::from_utf8(&rest[..3]).ok()?.parse().ok()
}

/// For a well-formed `Connection` header line: whether its token list
/// holds `upgrade`. `None` for other lines and for values the HTTP parser
/// should judge itself.
fn connection_tokens(line: &[u8]) -> Option<bool> {
    let colon = line.iter().position(|&b| b == b':')?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if !name.eq_ignore_ascii_case(b"connection") {
        return None;
    }
    let plain = value
        .iter()
        .all(|&b| is_tchar(b) || matches!(b, b',' | b' ' | b'\t'));
    if !plain {
        return None;
    }
    Some(
        value
            .split(|&b| b == b',')
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"upgrade")),
    )
}

/// A token character of RFC 9110 §5.6.2.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `input` through a filter cut in two at `cut`: the output and the record.
    fn run(input: &[u8], cut: usize) -> (Vec<u8>, Vec<u8>) {
        let mut f = HeadFilter::default();
        let mut out = Vec::new();
        for part in [&input[..cut], &input[cut..]] {
            if !part.is_empty() {
                f.push(part);
            }
            out.extend_from_slice(f.pending());
            let n = f.pending().len();
            f.consume(n);
        }
        (out, f.record().bytes())
    }

    /// The output and record for `input`, checked to be the same wherever
    /// the input is cut (the record only for HTTP, which is recorded whole).
    fn filter(input: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let whole = run(input, input.len());
        for cut in 0..input.len() {
            let (out, record) = run(input, cut);
            assert_eq!(out, whole.0, "output, cut at {cut}");
            if status_code(input.split(|&b| b == b'\n').next().unwrap_or_default()).is_some() {
                assert_eq!(record, whole.1, "record, cut at {cut}");
            }
        }
        whole
    }

    #[test]
    fn interim_answers_are_dropped() {
        let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
                      HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00";
        let (out, record) = filter(input);
        assert_eq!(
            out,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00"
        );
        assert_eq!(
            record,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
        );
    }

    #[test]
    fn a_connection_list_is_made_plain_in_a_101_only() {
        let input =
            b"HTTP/1.1 101 OK\r\nConnection: keep-alive\r\nConnection: keep-alive, Upgrade\r\n\r\n";
        let (out, record) = filter(input);
        assert_eq!(out, b"HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n\r\n");
        assert_eq!(record, input);
        let refusal = b"HTTP/1.1 403 No\r\nConnection: keep-alive, Upgrade\r\n\r\n";
        assert_eq!(filter(refusal).0, refusal);
        let odd = b"HTTP/1.1 101 OK\r\nConnection: upgrade\x1b\r\n\r\n";
        assert_eq!(filter(odd).0, odd, "left for the parser to refuse");
    }

    #[test]
    fn bare_line_feeds_become_crlf() {
        let (out, _) = filter(b"HTTP/1.1 101 OK\nUpgrade: websocket\n\nrest");
        assert_eq!(out, b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\nrest");
    }

    #[test]
    fn what_is_not_http_passes_unchanged() {
        for input in [
            &b"SSH-2.0-OpenSSH_9.6\r\n"[..],
            b"\x16\x03\x01\x00\x2a",
            b"HTTP/1.1 abc\r\n\r\n",
        ] {
            assert_eq!(filter(input).0, input);
        }
        let mut f = HeadFilter::default();
        f.push(b"SSH");
        assert_eq!(f.pending(), b"SSH", "given up before the line ends");
        assert!(!f.in_head());
    }

    #[test]
    fn the_end_of_the_stream_releases_a_partial_head() {
        let mut f = HeadFilter::default();
        f.push(b"HTTP/1.1 403 Forbidden\r\nX-A: 1");
        assert!(f.in_head());
        f.push(b"");
        assert!(!f.in_head());
        assert_eq!(f.record().bytes(), b"HTTP/1.1 403 Forbidden\r\nX-A: 1");
    }
}
