//! Reading a recording back: one JSON line at a time (never the whole file)
//! into [`EngineEvent`]s, with serde types of its own. Unknown fields are
//! ignored and optional ones may be missing, so recordings from older and
//! newer versions replay; a cut-off last line (the recorder was killed) ends
//! the replay there and is reported, any other bad line is an error naming
//! its number.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::time::SystemTime;

use super::line::{Parsed, parse_lines};
use super::lines::{Chunk, Handout, Lines, Next};
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
    Event(Recorded),
    /// A record of a kind this version does not know (from a newer one).
    Unknown,
}

/// Streams a recording: reads a chunk of lines at a time (never the whole
/// file) and hands out their records one by one.
pub struct Reader<R> {
    lines: Lines<R>,
    chunk: Chunk,
    parsed: Vec<Parsed>,
    handout: Handout,
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
            lines: Lines::new(input),
            chunk: Chunk::default(),
            parsed: Vec::new(),
            handout: Handout::default(),
        }
    }

    /// The number of the last line read (read ahead of the records handed
    /// out so far).
    pub fn line(&self) -> u64 {
        self.lines.line()
    }

    /// The line number of a cut-off last line that was left out, once the
    /// end was reached.
    pub fn truncated(&self) -> Option<u64> {
        self.handout.truncated()
    }

    /// The next record; `None` at the end (and after a cut-off last line).
    pub fn next_item(&mut self) -> Result<Option<Item>, ReadError> {
        loop {
            match self.handout.next() {
                Next::Item(item) => return Ok(Some(item)),
                Next::Failed(e) => return Err(e),
                Next::End => return Ok(None),
                Next::More => {
                    if !self.lines.next_chunk(&mut self.chunk) {
                        self.handout.end();
                        continue;
                    }
                    self.parsed.clear();
                    let bad = parse_lines(&self.chunk.bytes, &self.chunk.spans, &mut self.parsed);
                    self.handout
                        .add(self.parsed.drain(..), bad, self.chunk.stopped.take());
                }
            }
        }
    }

    /// The file, to be read on from where this left it, and the records
    /// read ahead of what was handed out.
    pub(super) fn into_parts(self) -> (Lines<R>, Handout) {
        (self.lines, self.handout)
    }

    /// The next event, skipping the session record and unknown kinds.
    pub fn next_event(&mut self) -> Result<Option<Recorded>, ReadError> {
        loop {
            match self.next_item()? {
                Some(Item::Event(e)) => return Ok(Some(e)),
                Some(Item::Session(_) | Item::Unknown) => {}
                None => return Ok(None),
            }
        }
    }
}
