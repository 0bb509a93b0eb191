//! Reading a recording back: one JSON line at a time (never the whole file)
//! into [`EngineEvent`]s, with serde types of its own. Unknown fields are
//! ignored and optional ones may be missing, so recordings from older and
//! newer versions replay; a cut-off last line (the recorder was killed) ends
//! the replay there and is reported, any other bad line is an error naming
//! its number.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use super::convert::to_event;
use super::fields::{self, Headers};
use crate::engine::event::EngineEvent;

/// The longest line read: more than the largest message the engine accepts
/// (64 MiB) could take once JSON-escaped. A longer line is not a recording.
pub const MAX_LINE: u64 = 512 << 20;

/// A bad line: its number and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct ReadError {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong.
    pub what: String,
}

/// The `session` record, as far as it was recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedSession {
    /// The wsprobe version that recorded.
    pub version: Option<String>,
    /// The command line (already redacted when recorded).
    pub command_line: Vec<String>,
    /// The policy as TOML text, when it was recorded as text.
    pub policy: Option<String>,
    /// The jitter seed.
    pub seed: Option<u64>,
    /// The wall-clock time of `t = 0`.
    pub wall: Option<SystemTime>,
}

/// Facts a record has beyond what the engine event holds (for HAR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// `open`: the request headers wsprobe sent, when recorded.
    pub request_headers: Option<Vec<(String, String)>>,
    /// `open`: the address that answered.
    pub peer: Option<String>,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The event, as the engine reported it.
    pub event: EngineEvent,
    /// Its wall-clock time, when recorded.
    pub ts: Option<SystemTime>,
    /// Its line in the file.
    pub line: u64,
    /// What else the record said.
    pub extra: Extra,
}

/// What one line held.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// The `session` record.
    Session(RecordedSession),
    /// An event.
    Event(Box<Recorded>),
    /// A record of a kind this version does not know (from a newer one).
    Unknown,
}

/// Streams a recording line by line.
pub struct Reader<R> {
    input: R,
    buf: Vec<u8>,
    line: u64,
    truncated: Option<u64>,
    next_seq: u64,
}

impl Reader<BufReader<File>> {
    /// Opens `path`; the error names the file.
    pub fn open(path: &Path) -> io::Result<Self> {
        Ok(Self::new(BufReader::with_capacity(
            256 * 1024,
            File::open(path)?,
        )))
    }
}

impl<R: BufRead> Reader<R> {
    /// A reader of `input`.
    pub fn new(input: R) -> Self {
        Self {
            input,
            buf: Vec::with_capacity(4096),
            line: 0,
            truncated: None,
            next_seq: 0,
        }
    }

    /// The number of the last line read.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The line number of a cut-off last line that was left out, once the
    /// end was reached.
    pub fn truncated(&self) -> Option<u64> {
        self.truncated
    }

    /// The next record; `None` at the end (and after a cut-off last line).
    pub fn next_item(&mut self) -> Result<Option<Item>, ReadError> {
        loop {
            self.buf.clear();
            let n = (&mut self.input)
                .take(MAX_LINE + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| self.error(format!("cannot read the file: {e}")))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let complete = self.buf.last() == Some(&b'\n');
            if !complete && n as u64 > MAX_LINE {
                return Err(self.error(format!(
                    "longer than {} MiB: not a line of a recording",
                    MAX_LINE >> 20
                )));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match self.parse() {
                Ok(item) => return Ok(Some(item)),
                // A line without its end is where the recorder stopped.
                Err(_) if !complete => {
                    self.truncated = Some(self.line);
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The next event, skipping the session record and unknown kinds.
    pub fn next_event(&mut self) -> Result<Option<Recorded>, ReadError> {
        loop {
            match self.next_item()? {
                Some(Item::Event(e)) => return Ok(Some(*e)),
                Some(Item::Session(_) | Item::Unknown) => {}
                None => return Ok(None),
            }
        }
    }

    fn error(&self, what: String) -> ReadError {
        ReadError {
            line: self.line,
            what,
        }
    }

    fn parse(&mut self) -> Result<Item, ReadError> {
        let line: Line<'_> = serde_json::from_slice(&self.buf).map_err(|e| {
            let what = if e.is_data() {
                format!("not a wsprobe record ({e})")
            } else if std::str::from_utf8(&self.buf).is_err() {
                "not UTF-8 text".to_string()
            } else {
                format!("not JSON ({e})")
            };
            ReadError {
                line: self.line,
                what,
            }
        })?;
        let at = self.line;
        let fail = |what: String| ReadError { line: at, what };
        let Some(kind) = line.kind.as_deref() else {
            return Err(fail("no `kind`: not a wsprobe record".into()));
        };
        if kind == "session" {
            return Ok(Item::Session(fields::session(line)));
        }
        let Some(event_kind) = to_event(kind, &line).map_err(fail)? else {
            return Ok(Item::Unknown);
        };
        let Some(t_ms) = line.t_ms.filter(|t| t.is_finite() && *t >= 0.0) else {
            return Err(fail(format!(
                "a `{kind}` record needs `t_ms` (a number of milliseconds)"
            )));
        };
        let seq = line.seq.unwrap_or(self.next_seq);
        self.next_seq = seq + 1;
        let micros = (t_ms * 1000.0).round();
        let event = EngineEvent {
            seq,
            t: Duration::from_micros(if micros < u64::MAX as f64 {
                micros as u64
            } else {
                u64::MAX
            }),
            kind: event_kind,
        };
        Ok(Item::Event(Box::new(Recorded {
            event,
            ts: line.ts.as_deref().and_then(crate::timestamp::parse_rfc3339),
            line: at,
            extra: Extra {
                request_headers: line.request_headers.map(|h| h.0),
                peer: line.peer,
            },
        })))
    }
}

/// Every field any record kind has; each kind takes what it needs.
#[derive(Deserialize)]
#[expect(
    clippy::struct_field_names,
    reason = "the field names are the JSON contract's"
)]
pub(super) struct Line<'a> {
    pub seq: Option<u64>,
    pub t_ms: Option<f64>,
    #[serde(borrow)]
    pub ts: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub kind: Option<Cow<'a, str>>,
    pub attempt: Option<u32>,
    pub url: Option<String>,
    pub proxy: Option<String>,
    pub status: Option<u16>,
    pub subprotocol: Option<String>,
    pub handshake_ms: Option<f64>,
    pub headers: Option<Headers>,
    pub request_headers: Option<Headers>,
    pub peer: Option<String>,
    pub insecure: Option<bool>,
    #[serde(borrow)]
    pub dir: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    pub ty: Option<Cow<'a, str>>,
    pub len: Option<usize>,
    pub text: Option<String>,
    #[serde(borrow)]
    pub hex: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub base64: Option<Cow<'a, str>>,
    pub rtt_ms: Option<f64>,
    pub code: Option<u16>,
    pub reason: Option<String>,
    #[serde(borrow)]
    pub initiator: Option<Cow<'a, str>>,
    pub wire: Option<bool>,
    pub clean: Option<bool>,
    pub received_code: Option<u16>,
    #[serde(borrow)]
    pub trigger: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub class: Option<Cow<'a, str>>,
    pub message: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub http: Option<HttpRec>,
    pub delay_ms: Option<u64>,
    pub window_ms: Option<[u64; 2]>,
    pub due_t_ms: Option<f64>,
    pub rule: Option<String>,
    pub version: Option<String>,
    pub command_line: Option<Vec<String>>,
    pub policy: Option<serde_json::Value>,
    pub seed: Option<u64>,
}

/// The HTTP answer of a refused upgrade.
#[derive(Deserialize)]
pub(super) struct HttpRec {
    pub status: u16,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub headers: Option<Headers>,
    #[serde(default)]
    pub body: String,
}
