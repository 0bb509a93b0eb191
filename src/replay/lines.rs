//! The two halves of reading a recording: [`Lines`] cuts the file into
//! chunks of lines (cheap), [`parse_lines`](super::line::parse_lines) reads
//! a chunk's records (the costly half, which may run on other threads), and
//! [`Handout`] hands the records out in file order, numbering events that
//! have no `seq` and turning a cut-off last line into the end.

use std::collections::VecDeque;
use std::io::{BufRead, Read as _};

use super::line::{Numbering, Parsed, Span};
use super::read::{Item, MAX_LINE, ReadError};

/// Lines per chunk.
const CHUNK_LINES: usize = 512;
/// Bytes after which a chunk ends without waiting for more lines.
const CHUNK_BYTES: usize = 256 * 1024;

/// Lines of the file as read: none of them blank.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    pub bytes: Vec<u8>,
    pub spans: Vec<Span>,
    /// Why the reading stopped after these lines (I/O, a line too long).
    pub stopped: Option<ReadError>,
}

/// Cuts a recording into [`Chunk`]s.
pub(super) struct Lines<R> {
    input: R,
    line: u64,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(input: R) -> Self {
        Self {
            input,
            line: 0,
            done: false,
        }
    }

    /// The number of the last line read.
    pub(super) fn line(&self) -> u64 {
        self.line
    }

    /// Fills `chunk` with the next lines; false once there is nothing more
    /// (the chunk is then empty).
    pub(super) fn next_chunk(&mut self, chunk: &mut Chunk) -> bool {
        chunk.bytes.clear();
        chunk.spans.clear();
        chunk.stopped = None;
        while !self.done && chunk.spans.len() < CHUNK_LINES && chunk.bytes.len() < CHUNK_BYTES {
            let start = chunk.bytes.len();
            match self.read_line(&mut chunk.bytes) {
                Ok(Some(complete)) => {
                    if chunk.bytes[start..].iter().all(u8::is_ascii_whitespace) {
                        chunk.bytes.truncate(start);
                        continue;
                    }
                    chunk.spans.push(Span {
                        start,
                        end: chunk.bytes.len(),
                        line: self.line,
                        complete,
                    });
                }
                Ok(None) => self.done = true,
                Err(e) => {
                    chunk.bytes.truncate(start);
                    chunk.stopped = Some(e);
                    self.done = true;
                }
            }
        }
        !chunk.spans.is_empty() || chunk.stopped.is_some()
    }

    /// Appends the next line to `out`: `None` at the end, else whether the
    /// line has its end (`\n`).
    fn read_line(&mut self, out: &mut Vec<u8>) -> Result<Option<bool>, ReadError> {
        let start = out.len();
        let n = (&mut self.input)
            .take(MAX_LINE + 1)
            .read_until(b'\n', out)
            .map_err(|e| ReadError {
                line: self.line + 1,
                what: format!("cannot read the file: {e}"),
            })?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let complete = out.last() == Some(&b'\n');
        if !complete && (out.len() - start) as u64 > MAX_LINE {
            return Err(ReadError {
                line: self.line,
                what: format!(
                    "longer than {} MiB: not a line of a recording",
                    MAX_LINE >> 20
                ),
            });
        }
        Ok(Some(complete))
    }
}

/// What comes of taking the next record from a [`Handout`].
pub(super) enum Next {
    Item(Item),
    Failed(ReadError),
    /// The end of the recording.
    End,
    /// Give it the next chunk's records.
    More,
}

/// Records of parsed chunks, handed out in order.
#[derive(Default)]
pub(super) struct Handout {
    ready: VecDeque<Parsed>,
    /// What stopped the records in `ready` (a bad line and whether it had
    /// its end), once they are used up.
    failed: Option<(ReadError, bool)>,
    ended: bool,
    truncated: Option<u64>,
    numbering: Numbering,
}

impl Handout {
    /// Adds a chunk's records, the error of its bad line, and what stopped
    /// the reading after it.
    pub(super) fn add(
        &mut self,
        parsed: impl IntoIterator<Item = Parsed>,
        bad: Option<(ReadError, bool)>,
        stopped: Option<ReadError>,
    ) {
        self.ready.extend(parsed);
        // A bad line comes before whatever stopped the reading.
        self.failed = bad.or(stopped.map(|e| (e, true)));
    }

    /// There is nothing more to add.
    pub(super) fn end(&mut self) {
        self.ended = true;
    }

    pub(super) fn next(&mut self) -> Next {
        if let Some(parsed) = self.ready.pop_front() {
            return Next::Item(self.numbering.number(parsed));
        }
        if let Some((e, complete)) = self.failed.take() {
            self.ended = true;
            // A line without its end is where the recorder stopped.
            if complete {
                return Next::Failed(e);
            }
            self.truncated = Some(e.line);
        }
        if self.ended { Next::End } else { Next::More }
    }

    /// The line number of a cut-off last line, once the end was reached.
    pub(super) fn truncated(&self) -> Option<u64> {
        self.truncated
    }
}
