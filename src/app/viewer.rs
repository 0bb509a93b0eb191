//! The viewer: one event full screen, scrolled by rows. A text message is
//! shown exactly (or pretty-printed, or as a hex dump); binary as a hex
//! dump with what the engine kept; the other events as their facts.
//!
//! The document is indexed once per width (a mark at every line start and
//! every [`MARK_EVERY`] rows of a long line), so a frame costs the rows it
//! shows, not the size of the message.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar as _;

use super::facts::{facts, hex_dump};
use super::pretty::pretty_json;
use crate::engine::event::{EngineEvent, EventKind, Payload};
use crate::sanitize::is_unsafe;

/// Rows between two marks of the index inside one long line.
pub const MARK_EVERY: u64 = 64;

/// How the viewer shows a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The exact text (escapes made visible).
    Raw,
    /// JSON re-indented.
    Pretty,
    /// Offset, hex bytes and ASCII.
    Hex,
}

impl Format {
    /// `raw`, `pretty` or `hex`.
    pub fn label(self) -> &'static str {
        match self {
            Format::Raw => "raw",
            Format::Pretty => "pretty",
            Format::Hex => "hex",
        }
    }
}

/// Where each row of a document starts, for one width.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowIndex {
    /// The width in columns.
    pub width: usize,
    /// Rows in all.
    pub total: u64,
    /// (row, byte offset) at every line start and every [`MARK_EVERY`] rows.
    marks: Vec<(u64, usize)>,
}

/// The viewer's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// Position of the event in the timeline.
    pub pos: u64,
    /// The format shown.
    pub format: Format,
    /// The formats `v` cycles through.
    pub formats: Vec<Format>,
    /// The first row shown.
    pub scroll: u64,
    /// The event, once the history has forgotten it (moved, not copied).
    pub held: Option<Box<EngineEvent>>,
    /// The document when it is not the message's own text.
    pub doc: Option<String>,
    /// Rows of the document at the current width.
    pub index: RowIndex,
}

impl Viewer {
    /// A viewer on `event` (at `pos`), indexed for `width` columns.
    pub fn open(pos: u64, event: &EngineEvent, width: usize) -> Self {
        let formats = match &event.kind {
            EventKind::Message {
                payload: Payload::Text(t),
                ..
            } => {
                if pretty_json(t).is_some() {
                    vec![Format::Pretty, Format::Raw, Format::Hex]
                } else {
                    vec![Format::Raw, Format::Hex]
                }
            }
            EventKind::Message { .. } => vec![Format::Hex, Format::Raw],
            _ => vec![Format::Raw],
        };
        let mut v = Self {
            pos,
            format: formats[0],
            formats,
            scroll: 0,
            held: None,
            doc: None,
            index: RowIndex::default(),
        };
        v.rebuild(event, width);
        v
    }

    /// Switches to the next format.
    pub fn cycle(&mut self, event: &EngineEvent, width: usize) {
        let i = self
            .formats
            .iter()
            .position(|f| *f == self.format)
            .unwrap_or(0);
        self.format = self.formats[(i + 1) % self.formats.len()];
        self.scroll = 0;
        self.rebuild(event, width);
    }

    /// Builds the document and its index for `width` columns.
    pub fn rebuild(&mut self, event: &EngineEvent, width: usize) {
        self.doc = document(event, self.format, width);
        let text = self.text(event);
        self.index = RowIndex::build(text, width);
    }

    /// The document's text: the owned document, or the message's own text.
    pub fn text<'a>(&'a self, event: &'a EngineEvent) -> &'a str {
        match (&self.doc, &event.kind) {
            (Some(doc), _) => doc,
            (
                None,
                EventKind::Message {
                    payload: Payload::Text(t),
                    ..
                },
            ) => t,
            (None, _) => "",
        }
    }

    /// Scrolls by `delta` rows within `rows` visible rows.
    pub fn scroll_by(&mut self, delta: i64, rows: usize) {
        let max = self.index.total.saturating_sub(rows as u64);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }
}

/// The owned document for `format`, or `None` when it is the message's text.
fn document(event: &EngineEvent, format: Format, width: usize) -> Option<String> {
    // 16 bytes a row need 76 columns; narrower screens get 8 or 4.
    let per_row = match width {
        76.. => 16,
        43.. => 8,
        _ => 4,
    };
    match (&event.kind, format) {
        (
            EventKind::Message {
                payload: Payload::Text(t),
                ..
            },
            f,
        ) => match f {
            Format::Raw => None,
            Format::Pretty => pretty_json(t),
            Format::Hex => Some(hex_dump(t.as_bytes(), per_row)),
        },
        (
            EventKind::Message {
                payload: Payload::Binary { len, head },
                ..
            },
            f,
        ) => {
            let mut out = String::new();
            if *len > head.len() {
                let _ = writeln!(
                    out,
                    "binary, {len} bytes: the first {} kept, {} more not kept by wsprobe",
                    head.len(),
                    len - head.len()
                );
            } else {
                let _ = writeln!(out, "binary, {len} bytes");
            }
            out.push('\n');
            if f == Format::Hex {
                out.push_str(&hex_dump(head, per_row));
            } else {
                out.push_str(&String::from_utf8_lossy(head));
            }
            Some(out)
        }
        (kind, _) => Some(facts(kind)),
    }
}

/// Columns `c` takes on screen once escaped.
pub fn char_width(c: char) -> usize {
    if is_unsafe(c) {
        match c {
            '\n' | '\r' | '\t' => 2,
            c if (c as u32) < 0x80 => 4,
            c => 4 + format!("{:x}", c as u32).len(),
        }
    } else {
        c.width().unwrap_or(0)
    }
}

/// The byte ranges of the rows of `text` wrapped at `width`, from byte
/// `from` (a row start) on.
pub fn rows_from(
    text: &str,
    from: usize,
    width: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let width = width.max(1);
    let mut at = Some(from);
    // The end of the line being cut into rows, found once per line: a
    // megabyte on one line must not be searched again for every row.
    let mut line_end = None;
    std::iter::from_fn(move || {
        let start = at?;
        let end_of_line = match line_end {
            Some(e) if e >= start => e,
            _ => {
                let e = text[start..].find('\n').map_or(text.len(), |i| start + i);
                line_end = Some(e);
                e
            }
        };
        let mut col = 0;
        let mut end = end_of_line;
        for (i, c) in text[start..end_of_line].char_indices() {
            let w = char_width(c);
            if col > 0 && col + w > width {
                end = start + i;
                break;
            }
            col += w;
        }
        at = if end < end_of_line {
            Some(end)
        } else if end_of_line < text.len() {
            line_end = None;
            Some(end_of_line + 1)
        } else {
            None
        };
        Some((start, end))
    })
}

impl RowIndex {
    /// Indexes `text` for `width` columns.
    pub fn build(text: &str, width: usize) -> Self {
        let width = width.max(1);
        let mut marks = Vec::new();
        let mut total = 0u64;
        let mut line_start = true;
        let mut in_line = 0u64;
        for (start, end) in rows_from(text, 0, width) {
            if line_start || in_line.is_multiple_of(MARK_EVERY) {
                marks.push((total, start));
                if line_start {
                    in_line = 0;
                }
            }
            total += 1;
            in_line += 1;
            // The next row starts a line when this one ended at a newline.
            line_start = text.as_bytes().get(end) == Some(&b'\n') || end == text.len();
            if line_start {
                in_line = 0;
            }
        }
        Self {
            width,
            total,
            marks,
        }
    }

    /// The byte ranges of up to `n` rows of `text` from row `first` on.
    pub fn rows<'a>(
        &'a self,
        text: &'a str,
        first: u64,
        n: usize,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let i = self.marks.partition_point(|(row, _)| *row <= first);
        let (row, byte) = i
            .checked_sub(1)
            .and_then(|i| self.marks.get(i))
            .copied()
            .unwrap_or((0, 0));
        let skip = usize::try_from(first - row).unwrap_or(usize::MAX);
        let rows = if self.total == 0 { 0 } else { n };
        rows_from(text, byte, self.width).skip(skip).take(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width: usize, first: u64, n: usize) -> Vec<&str> {
        let index = RowIndex::build(text, width);
        index
            .rows(text, first, n)
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn wraps_lines_and_finds_any_row() {
        let text = "abcdef\n\nxy";
        assert_eq!(RowIndex::build(text, 4).total, 4);
        assert_eq!(lines(text, 4, 0, 9), ["abcd", "ef", "", "xy"]);
        assert_eq!(lines(text, 4, 2, 9), ["", "xy"]);
        let long = "0123456789".repeat(1000);
        let index = RowIndex::build(&long, 10);
        assert_eq!(index.total, 1000);
        assert_eq!(lines(&long, 10, 999, 5), ["0123456789"]);
        // Escapes take their escaped width.
        assert_eq!(lines("a\x1bb", 4, 0, 5), ["a", "\x1b", "b"]);
    }

    #[test]
    fn hex_dump_has_offset_hex_and_ascii() {
        let dump = hex_dump(b"ABCDEFGHIJKLMNOPQ\x00", 16);
        let rows: Vec<&str> = dump.lines().collect();
        assert_eq!(
            rows[0],
            "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP"
        );
        assert!(rows[1].starts_with("00000010  51 00 "));
        assert!(rows[1].ends_with(" Q."));
    }
}
