//! One line of a recording read into what it stands for: [`parse_line`]
//! for a line alone, [`parse_lines`] for many at once (one deserializer for
//! all of them, so its scratch space is not built again for every line;
//! where that reading is in doubt, each line is read alone, so every error
//! names its own line).

use std::borrow::Cow;
use std::time::Duration;

use serde::Deserialize;

use super::convert::to_event;
use super::fields::{self, Headers};
use super::read::{Extra, Item, ReadError, Recorded};
use crate::engine::event::EngineEvent;

/// A line read, before [`Numbering`] gives an event without `seq` its own.
pub(super) struct Parsed {
    item: Item,
    seq_given: bool,
}

/// Gives events recorded without `seq` the number after the one before.
#[derive(Debug, Default)]
pub(super) struct Numbering {
    next_seq: u64,
}

impl Numbering {
    pub(super) fn number(&mut self, parsed: Parsed) -> Item {
        let mut item = parsed.item;
        if let Item::Event(rec) = &mut item {
            if !parsed.seq_given {
                rec.event.seq = self.next_seq;
            }
            self.next_seq = rec.event.seq + 1;
        }
        item
    }
}

/// Where a line lies in a chunk of lines, its number, and whether it has
/// its end (`\n`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    pub complete: bool,
}

/// Reads every line of `chunk` (none of them blank) into `out`, in order;
/// stops at the first bad line and returns its error and whether that line
/// had its end.
pub(super) fn parse_lines(
    chunk: &[u8],
    spans: &[Span],
    out: &mut Vec<Parsed>,
) -> Option<(ReadError, bool)> {
    let mut stream = serde_json::Deserializer::from_slice(chunk).into_iter::<Line<'_>>();
    let mut fallback_from = spans.len();
    for (i, span) in spans.iter().enumerate() {
        // One value that ends within this line, followed by white space only.
        let line = match stream.next() {
            Some(Ok(line))
                if stream.byte_offset() <= span.end
                    && chunk[stream.byte_offset()..span.end]
                        .iter()
                        .all(u8::is_ascii_whitespace) =>
            {
                line
            }
            _ => {
                fallback_from = i;
                break;
            }
        };
        match convert(line, span.line) {
            Ok(parsed) => out.push(parsed),
            Err(e) => return Some((e, span.complete)),
        }
    }
    for span in &spans[fallback_from..] {
        match parse_line(&chunk[span.start..span.end], span.line) {
            Ok(parsed) => out.push(parsed),
            Err(e) => return Some((e, span.complete)),
        }
    }
    None
}

/// Reads line number `at` of a recording.
pub(super) fn parse_line(buf: &[u8], at: u64) -> Result<Parsed, ReadError> {
    let line: Line<'_> = serde_json::from_slice(buf).map_err(|e| {
        let what = if e.is_data() {
            format!("not a wsprobe record ({e})")
        } else if std::str::from_utf8(buf).is_err() {
            "not UTF-8 text".to_string()
        } else {
            format!("not JSON ({e})")
        };
        ReadError { line: at, what }
    })?;
    convert(line, at)
}

/// What the fields of line number `at` stand for.
fn convert(line: Line<'_>, at: u64) -> Result<Parsed, ReadError> {
    let fail = |what: String| ReadError { line: at, what };
    let Some(kind) = line.kind.as_deref() else {
        return Err(fail("no `kind`: not a wsprobe record".into()));
    };
    let whole = |item| {
        Ok(Parsed {
            item,
            seq_given: true,
        })
    };
    if kind == "session" {
        return whole(Item::Session(fields::session(line)));
    }
    let Some(event_kind) = to_event(kind, &line).map_err(fail)? else {
        return whole(Item::Unknown);
    };
    let Some(t_ms) = line.t_ms.filter(|t| t.is_finite() && *t >= 0.0) else {
        return Err(fail(format!(
            "a `{kind}` record needs `t_ms` (a number of milliseconds)"
        )));
    };
    let micros = (t_ms * 1000.0).round();
    let event = EngineEvent {
        seq: line.seq.unwrap_or(0),
        t: Duration::from_micros(if micros < u64::MAX as f64 {
            micros as u64
        } else {
            u64::MAX
        }),
        kind: event_kind,
    };
    Ok(Parsed {
        seq_given: line.seq.is_some(),
        item: Item::Event(Recorded {
            event,
            ts: line.ts.as_deref().and_then(crate::timestamp::parse_rfc3339),
            line: at,
            extra: Extra {
                request_headers: line.request_headers.map(|h| h.0),
                peer: line.peer,
            },
        }),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"seq":0,"t_ms":1.0,"kind":"ping","dir":"in","len":0}"#;

    /// Parses `lines` as one chunk: the records' lines, and the bad line's
    /// number and whether it had its end.
    fn chunk(lines: &[&str], last_complete: bool) -> (Vec<u64>, Option<(u64, bool)>) {
        let mut bytes = Vec::new();
        let mut spans = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let start = bytes.len();
            bytes.extend_from_slice(l.as_bytes());
            let complete = i + 1 < lines.len() || last_complete;
            if complete {
                bytes.push(b'\n');
            }
            spans.push(Span {
                start,
                end: bytes.len(),
                line: i as u64 + 1,
                complete,
            });
        }
        let mut out = Vec::new();
        let bad = parse_lines(&bytes, &spans, &mut out);
        let lines = out
            .iter()
            .map(|p| match &p.item {
                Item::Event(r) => r.line,
                _ => 0,
            })
            .collect();
        (lines, bad.map(|(e, complete)| (e.line, complete)))
    }

    #[test]
    fn a_chunk_reads_like_its_lines_one_by_one() {
        assert_eq!(chunk(&[OK, OK, OK], true), (vec![1, 2, 3], None));
    }

    #[test]
    fn two_records_on_one_line_are_that_lines_error() {
        let two = format!("{OK}{OK}");
        assert_eq!(chunk(&[OK, &two, OK], true), (vec![1], Some((2, true))));
    }

    #[test]
    fn a_record_split_over_two_lines_is_the_first_lines_error() {
        let (head, tail) = OK.split_at(20);
        assert_eq!(chunk(&[OK, head, tail], true), (vec![1], Some((2, true))));
    }

    #[test]
    fn a_cut_off_last_line_is_an_error_without_its_end() {
        let cut = &OK[..30];
        assert_eq!(chunk(&[OK, cut], false), (vec![1], Some((2, false))));
    }

    #[test]
    fn a_record_the_contract_does_not_allow_names_its_line() {
        let no_time = r#"{"seq":1,"kind":"ping","dir":"in","len":0}"#;
        let (lines, bad) = chunk(&[OK, no_time, OK], true);
        assert_eq!((lines, bad), (vec![1], Some((2, true))));
    }
}
