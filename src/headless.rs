//! Headless modes: `--json` (one SPEC §2 object per line) and `--headless`
//! (one readable line per event). Lines are written from the engine's own
//! task and flushed whenever the engine is about to wait (and at once for
//! everything but frames), so a reader never waits for a line that happened.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::duration::format_duration;
use crate::engine::close_code;
use crate::engine::connection::{self, EventSink, RunEnd, Settings};
use crate::engine::event::{Command, EngineEvent, EventKind, HttpReply, Payload};
use crate::sanitize::sanitize;
use crate::text::{escape, hex};

/// Which headless format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines.
    Json,
    /// Human-readable lines.
    Human,
}

/// Runs the engine, writing each event to stdout from the engine's own task,
/// until the run ends; when `stop` resolves (Ctrl-C, SIGTERM) the engine
/// closes with 1001 (going away) first.
pub async fn run(
    settings: Settings,
    format: Format,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunEnd> {
    let sink = LineSink {
        out: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
        format,
        line: Vec::with_capacity(256),
        broken_pipe: Arc::new(AtomicBool::new(false)),
    };
    let broken_pipe = sink.broken_pipe.clone();
    let handle = connection::spawn_with_sink(settings, Box::new(sink))?;
    let commands = handle.commands.clone();
    let signals = tokio::spawn(async move {
        stop.await;
        let _ = commands.send(Command::Quit { code: 1001 }).await;
    });
    let end = handle.task.await.unwrap_or(RunEnd { success: false });
    signals.abort();
    // A reader that went away (`| head`) ends the run quietly.
    if broken_pipe.load(Ordering::Relaxed) {
        return Ok(RunEnd { success: true });
    }
    Ok(end)
}

/// Writes lines into a buffer the engine flushes when it is about to wait.
struct LineSink {
    out: io::BufWriter<io::Stdout>,
    format: Format,
    line: Vec<u8>,
    broken_pipe: Arc<AtomicBool>,
}

impl LineSink {
    fn note(&self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            self.broken_pipe.store(true, Ordering::Relaxed);
        }
        e
    }
}

impl EventSink for LineSink {
    fn event(&mut self, event: &EngineEvent) -> io::Result<()> {
        self.line.clear();
        match self.format {
            Format::Json => write_json(&mut self.line, event)?,
            Format::Human => write_human(&mut self.line, event)?,
        }
        self.out.write_all(&self.line).map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| self.note(e))
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Body<'a> {
    Connecting {
        attempt: u32,
        url: &'a str,
    },
    Open {
        attempt: u32,
        status: u16,
        subprotocol: Option<&'a str>,
        handshake_ms: f64,
        headers: Headers<'a>,
        insecure: bool,
    },
    Message {
        dir: &'static str,
        #[serde(rename = "type")]
        ty: &'static str,
        len: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hex: Option<String>,
    },
    Ping {
        dir: &'static str,
        len: usize,
    },
    Pong {
        dir: &'static str,
        len: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        rtt_ms: Option<f64>,
    },
    Close {
        code: u16,
        name: &'a str,
        reason: &'a str,
        initiator: &'static str,
        wire: bool,
        clean: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        received_code: Option<u16>,
    },
    Error {
        class: &'static str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        http: Option<Http<'a>>,
    },
    Reconnect {
        attempt: u32,
        delay_ms: u64,
        window_ms: [u64; 2],
        due_t_ms: f64,
        rule: &'a str,
    },
    GiveUp {
        reason: &'a str,
    },
    Paused {},
    Resumed {
        due_t_ms: Option<f64>,
    },
}

/// Headers as a JSON object; a repeated name has its values joined with `, `.
struct Headers<'a>(&'a [(String, String)]);

impl Serialize for Headers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in self.0 {
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name);
            let values: Vec<&str> = self
                .0
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            map.serialize_entry(name, &values.join(", "))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Http<'a> {
    status: u16,
    reason: &'a str,
    headers: Headers<'a>,
    body: &'a str,
}

fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

fn body(event: &EngineEvent) -> Body<'_> {
    match &event.kind {
        EventKind::Connecting { attempt, url } => Body::Connecting {
            attempt: *attempt,
            url,
        },
        EventKind::Open {
            attempt,
            status,
            subprotocol,
            handshake_ms,
            headers,
            insecure,
        } => Body::Open {
            attempt: *attempt,
            status: *status,
            subprotocol: subprotocol.as_deref(),
            handshake_ms: round_ms(*handshake_ms),
            headers: Headers(headers),
            insecure: *insecure,
        },
        EventKind::Message { dir, payload } => match payload {
            Payload::Text(t) => Body::Message {
                dir: dir.as_str(),
                ty: "text",
                len: t.len(),
                text: Some(t),
                hex: None,
            },
            Payload::Binary { len, head } => Body::Message {
                dir: dir.as_str(),
                ty: "binary",
                len: *len,
                text: None,
                hex: Some(hex(head)),
            },
        },
        EventKind::Ping { dir, len } => Body::Ping {
            dir: dir.as_str(),
            len: *len,
        },
        EventKind::Pong { dir, len, rtt_ms } => Body::Pong {
            dir: dir.as_str(),
            len: *len,
            rtt_ms: rtt_ms.map(round_ms),
        },
        EventKind::Close(c) => Body::Close {
            code: c.code,
            name: &c.name,
            reason: &c.reason,
            initiator: c.initiator.as_str(),
            wire: c.wire,
            clean: c.clean,
            received_code: c.received_code,
        },
        EventKind::Error {
            class,
            message,
            http,
            retry_after_ms,
        } => Body::Error {
            class: class.as_str(),
            message,
            http_status: http.as_ref().map(|h| h.status),
            retry_after_ms: *retry_after_ms,
            http: http.as_ref().map(|h| Http {
                status: h.status,
                reason: &h.reason,
                headers: Headers(&h.headers),
                body: &h.body,
            }),
        },
        EventKind::Reconnect {
            attempt,
            delay_ms,
            window_ms,
            due_t_ms,
            rule,
        } => Body::Reconnect {
            attempt: *attempt,
            delay_ms: *delay_ms,
            window_ms: *window_ms,
            due_t_ms: round_ms(*due_t_ms),
            rule,
        },
        EventKind::GiveUp { reason } => Body::GiveUp { reason },
        EventKind::Paused => Body::Paused {},
        EventKind::Resumed { due_t_ms } => Body::Resumed {
            due_t_ms: due_t_ms.map(round_ms),
        },
    }
}

/// One event as a JSON line.
///
/// The `seq`/`t_ms` prefix and the whole line of a text message (nearly every
/// line of a flood) are written by hand; other kinds go through serde. Both
/// produce the same JSON.
pub fn write_json(out: &mut Vec<u8>, event: &EngineEvent) -> io::Result<()> {
    out.extend_from_slice(b"{\"seq\":");
    push_u64(out, event.seq);
    out.extend_from_slice(b",\"t_ms\":");
    push_ms(out, u64::try_from(event.t.as_micros()).unwrap_or(u64::MAX));
    out.push(b',');
    if let EventKind::Message {
        dir,
        payload: Payload::Text(text),
    } = &event.kind
    {
        out.extend_from_slice(b"\"kind\":\"message\",\"dir\":\"");
        out.extend_from_slice(dir.as_str().as_bytes());
        out.extend_from_slice(b"\",\"type\":\"text\",\"len\":");
        push_u64(out, text.len() as u64);
        out.extend_from_slice(b",\"text\":");
        push_json_str(out, text)?;
        out.extend_from_slice(b"}\n");
        return Ok(());
    }
    // The body serialises as `{"kind":…}`; its opening brace is dropped so
    // that it continues the prefix.
    let start = out.len();
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafe);
    body(event).serialize(&mut ser)?;
    out.remove(start);
    out.push(b'\n');
    Ok(())
}

/// A JSON string; text with nothing to escape is copied as it is.
fn push_json_str(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    // Printable ASCII without quote or backslash needs no escaping at all.
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        let mut ser = serde_json::Serializer::with_formatter(out, TerminalSafe);
        Ok(text.serialize(&mut ser)?)
    }
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Microseconds as milliseconds with at most three decimals (`12.5`, `3.0`).
fn push_ms(out: &mut Vec<u8>, micros: u64) {
    push_u64(out, micros / 1000);
    out.push(b'.');
    let frac = micros % 1000;
    let digits = [frac / 100, frac / 10 % 10, frac % 10];
    let keep = if frac == 0 {
        1
    } else if !frac.is_multiple_of(10) {
        3
    } else if !frac.is_multiple_of(100) {
        2
    } else {
        1
    };
    for d in &digits[..keep] {
        out.push(b'0' + *d as u8);
    }
}

/// Compact JSON that also `\u`-escapes what `serde_json` leaves raw but a
/// terminal would act on (DEL, C1 controls, bidi overrides), so JSON lines
/// read in a terminal cannot control or reorder it. Parsed, the strings are
/// exactly the same.
struct TerminalSafe;

impl serde_json::ser::Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if crate::sanitize::is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every unsafe character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

const PREVIEW: usize = 200;

fn preview(text: &str) -> String {
    sanitize(text, PREVIEW)
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

fn http_summary(h: &HttpReply) -> String {
    let body = h.body.trim();
    if body.is_empty() {
        String::new()
    } else {
        format!(" — body: {}", preview(body))
    }
}

/// One event as a readable line; every string from the network is escaped.
pub fn write_human(out: &mut Vec<u8>, event: &EngineEvent) -> io::Result<()> {
    let t = event.t.as_secs_f64();
    write!(out, "[{t:>9.3}] ")?;
    match &event.kind {
        EventKind::Connecting { attempt, url } => {
            write!(out, "connecting   attempt {attempt} to {}", escape(url))?;
        }
        EventKind::Open {
            subprotocol,
            handshake_ms,
            insecure,
            ..
        } => {
            write!(
                out,
                "open         101 Switching Protocols in {handshake_ms:.1} ms"
            )?;
            if let Some(p) = subprotocol {
                write!(out, ", subprotocol {}", escape(p))?;
            }
            if *insecure {
                write!(out, "  INSECURE: TLS certificate checks are off")?;
            }
        }
        EventKind::Message { dir, payload } => {
            let arrow = if dir.as_str() == "in" { "<-" } else { "->" };
            match payload {
                Payload::Text(t) => {
                    write!(out, "message {arrow} text {} B: {}", t.len(), preview(t))?;
                }
                Payload::Binary { len, head } => {
                    let more = if *len > head.len() { "…" } else { "" };
                    write!(out, "message {arrow} binary {len} B: {}{more}", hex(head))?;
                }
            }
        }
        EventKind::Ping { dir, len } => write!(out, "ping    {}  {len} B", dir.as_str())?,
        EventKind::Pong { dir, len, rtt_ms } => {
            write!(out, "pong    {}  {len} B", dir.as_str())?;
            if let Some(rtt) = rtt_ms {
                write!(out, ", rtt {rtt:.2} ms")?;
            }
        }
        EventKind::Close(c) => {
            let who = match c.initiator.as_str() {
                "server" => "closed by the server",
                "client" => "closed by wsprobe",
                _ => "no Close frame",
            };
            write!(out, "close        {} {} ({who}", c.code, c.name)?;
            if !c.wire {
                write!(out, "; derived, not sent by the server")?;
            }
            if !c.clean {
                write!(out, "; no complete close handshake")?;
            }
            write!(out, ")")?;
            if let Some(r) = c.received_code {
                write!(out, " — the server sent forbidden code {r}")?;
            }
            if !c.reason.is_empty() {
                write!(out, " reason \"{}\"", preview(&c.reason))?;
            }
            let entry = close_code::lookup(c.received_code.unwrap_or(c.code));
            if !entry.fix.is_empty() {
                write!(out, " — fix: {}", first_sentence(entry.fix))?;
            }
        }
        EventKind::Error {
            class,
            message,
            http,
            ..
        } => {
            write!(out, "error        {}: {}", class.as_str(), escape(message))?;
            if let Some(h) = http {
                write!(out, "{}", http_summary(h))?;
            }
        }
        EventKind::Reconnect {
            attempt,
            delay_ms,
            window_ms,
            rule,
            ..
        } => {
            let d = |ms: u64| format_duration(std::time::Duration::from_millis(ms));
            write!(
                out,
                "reconnect    attempt {attempt} in {:.2} s (drawn from {} - {}): {rule}",
                *delay_ms as f64 / 1000.0,
                d(window_ms[0]),
                d(window_ms[1])
            )?;
        }
        EventKind::GiveUp { reason } => write!(out, "give up      {}", escape(reason))?,
        EventKind::Paused => write!(out, "paused       automatic reconnect is paused")?,
        EventKind::Resumed { .. } => write!(out, "resumed      automatic reconnect is on again")?,
    }
    out.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::{CloseInfo, Dir, Initiator};
    use std::time::Duration;

    fn line(kind: EventKind, micros: u64) -> serde_json::Value {
        let event = EngineEvent {
            seq: 42,
            t: Duration::from_micros(micros),
            kind,
        };
        let mut out = Vec::new();
        write_json(&mut out, &event).unwrap();
        assert_eq!(out.split(|b| *b == b'\n').count(), 2, "one line");
        assert_eq!(out.last(), Some(&b'\n'));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn text_messages_keep_their_exact_text() {
        for text in [
            "plain",
            "quote \" and \\ slash",
            "esc \x1b]0;t\x07 and \u{202e} and \n",
            "",
        ] {
            let v = line(
                EventKind::Message {
                    dir: Dir::In,
                    payload: Payload::Text(text.into()),
                },
                1_500,
            );
            assert_eq!(v["text"], text);
            assert_eq!(v["len"], text.len());
            assert_eq!(v["kind"], "message");
            assert_eq!(v["type"], "text");
            assert_eq!(v["dir"], "in");
            assert_eq!(v["seq"], 42);
            assert_eq!(v["t_ms"].to_string(), "1.5");
        }
    }

    #[test]
    fn times_have_at_most_three_decimals() {
        // Compare the text: the JSON must carry exactly these digits.
        let t = |micros| line(EventKind::Paused, micros)["t_ms"].to_string();
        assert_eq!(t(0), "0.0");
        assert_eq!(t(1), "0.001");
        assert_eq!(t(1_234_567), "1234.567");
        assert_eq!(t(5_000_100), "5000.1");
    }

    #[test]
    fn other_kinds_share_the_prefix() {
        let v = line(
            EventKind::Close(CloseInfo {
                code: 1002,
                name: "Protocol Error".into(),
                reason: String::new(),
                initiator: Initiator::Server,
                wire: true,
                clean: true,
                received_code: Some(1005),
            }),
            10,
        );
        assert_eq!(v["kind"], "close");
        assert_eq!(v["received_code"], 1005);
        assert_eq!(v["initiator"], "server");
        assert_eq!(v["seq"], 42);
    }
}
