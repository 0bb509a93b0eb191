//! Headless modes: `--json` (one SPEC §2 object per line) and `--headless`
//! (one readable line per event). Both write every event as it comes and
//! flush whenever no further event is already waiting, so a reader never
//! waits for a line that happened.

use std::io::{self, Write};

use serde::Serialize;

use crate::duration::format_duration;
use crate::engine::close_code;
use crate::engine::connection::{EngineHandle, RunEnd};
use crate::engine::event::{Command, EngineEvent, EventKind, HttpReply, Payload};
use crate::text::{escape, hex};

/// Which headless format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines.
    Json,
    /// Human-readable lines.
    Human,
}

/// Runs until the engine ends; Ctrl-C and SIGTERM close with 1001 first.
pub async fn run(mut handle: EngineHandle, format: Format) -> anyhow::Result<RunEnd> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let commands = handle.commands.clone();
    let signals = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = commands.send(Command::Quit { code: 1001 }).await;
    });
    let mut line = Vec::with_capacity(256);
    while let Some(event) = handle.events.recv().await {
        let mut next = Some(event);
        while let Some(event) = next.take() {
            line.clear();
            match format {
                Format::Json => write_json(&mut line, &event)?,
                Format::Human => write_human(&mut line, &event)?,
            }
            if let Err(e) = out.write_all(&line) {
                return closed_stdout(e, &handle);
            }
            next = handle.events.try_recv().ok();
        }
        if let Err(e) = out.flush() {
            return closed_stdout(e, &handle);
        }
    }
    signals.abort();
    Ok(handle.task.await.unwrap_or(RunEnd { success: false }))
}

/// A reader that went away (`| head`) ends the run quietly.
fn closed_stdout(e: io::Error, handle: &EngineHandle) -> anyhow::Result<RunEnd> {
    handle.task.abort();
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(RunEnd { success: true })
    } else {
        Err(e.into())
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[derive(Serialize)]
struct Record<'a> {
    seq: u64,
    t_ms: f64,
    #[serde(flatten)]
    body: Body<'a>,
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
pub fn write_json(out: &mut Vec<u8>, event: &EngineEvent) -> io::Result<()> {
    let record = Record {
        seq: event.seq,
        t_ms: round_ms(event.t_ms()),
        body: body(event),
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafe);
    record.serialize(&mut ser)?;
    out.push(b'\n');
    Ok(())
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
            if crate::text::is_unsafe(c) {
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
    let escaped = escape(text);
    if escaped.chars().count() > PREVIEW {
        let cut: String = escaped.chars().take(PREVIEW).collect();
        format!("{cut}…")
    } else {
        escaped.into_owned()
    }
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
