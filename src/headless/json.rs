//! `--json`: one SPEC §2 object per line, each a `Serialize` record of its own.

use std::io::{self, Write};
use std::time::SystemTime;

use base64::Engine as _;
use serde::Serialize;

use crate::engine::event::{EngineEvent, EventKind, Payload};
use crate::text::hex;

/// What [`write_json`] needs besides the event: the run's wall clock and
/// how much of a binary payload to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStyle {
    /// The wall-clock time of `t = 0` (the run's `Clock::wall`): `ts` is
    /// this plus the event's `t`, so `ts` and `t_ms` never disagree.
    pub wall: SystemTime,
    /// Add `base64` (the whole payload) to binary messages whose event
    /// carries all of it: recordings and `--payload full`.
    pub whole_binary: bool,
}

impl JsonStyle {
    /// `--json`'s default: binary messages as a 64-byte `hex` preview only.
    pub fn preview(wall: SystemTime) -> Self {
        Self {
            wall,
            whole_binary: false,
        }
    }

    /// Recordings: binary messages also carry their whole payload.
    pub fn full(wall: SystemTime) -> Self {
        Self {
            wall,
            whole_binary: true,
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Body<'a> {
    Connecting {
        attempt: u32,
        url: &'a str,
        proxy: Option<&'a str>,
    },
    Open {
        attempt: u32,
        status: u16,
        subprotocol: Option<&'a str>,
        handshake_ms: f64,
        headers: Headers<'a>,
        insecure: bool,
        request_headers: Headers<'a>,
        peer: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tls: Option<Tls<'a>>,
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
        #[serde(skip_serializing_if = "Option::is_none")]
        base64: Option<String>,
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
        trigger: String,
        class: &'static str,
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

/// The `tls` object of `open`.
#[derive(Serialize)]
struct Tls<'a> {
    version: &'a str,
    cipher: &'a str,
    alpn: Option<&'a str>,
    subject: &'a str,
    issuer: &'a str,
    sans: &'a [String],
    not_before: &'a str,
    not_after: &'a str,
}

#[derive(Serialize)]
struct Http<'a> {
    status: u16,
    reason: &'a str,
    headers: Headers<'a>,
    body: &'a str,
}

/// Milliseconds rounded to microseconds, as the JSON carries them (views that
/// must read the same after a replay round the same way).
pub(crate) fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

fn body(event: &EngineEvent, style: JsonStyle) -> Body<'_> {
    match &event.kind {
        EventKind::Connecting {
            attempt,
            url,
            proxy,
        } => Body::Connecting {
            attempt: *attempt,
            url,
            proxy: proxy.as_deref(),
        },
        EventKind::Open {
            attempt,
            status,
            subprotocol,
            handshake_ms,
            headers,
            insecure,
            request_headers,
            peer,
            tls,
        } => Body::Open {
            attempt: *attempt,
            status: *status,
            subprotocol: subprotocol.as_deref(),
            handshake_ms: round_ms(*handshake_ms),
            headers: Headers(headers),
            insecure: *insecure,
            request_headers: Headers(request_headers),
            peer: peer.as_deref(),
            tls: tls.as_deref().map(|t| Tls {
                version: &t.version,
                cipher: &t.cipher,
                alpn: t.alpn.as_deref(),
                subject: &t.subject,
                issuer: &t.issuer,
                sans: &t.sans,
                not_before: &t.not_before,
                not_after: &t.not_after,
            }),
        },
        EventKind::Message { dir, payload } => match payload {
            Payload::Text(t) => Body::Message {
                dir: dir.as_str(),
                ty: "text",
                len: t.len(),
                text: Some(t),
                hex: None,
                base64: None,
            },
            Payload::Binary { len, .. } => Body::Message {
                dir: dir.as_str(),
                ty: "binary",
                len: *len,
                text: None,
                hex: Some(hex(payload.preview())),
                base64: payload
                    .whole()
                    .filter(|_| style.whole_binary)
                    .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
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
            trigger: c.trigger.name(),
            class: c.class.key(),
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
/// The `seq`/`t_ms`/`ts` prefix and the whole line of a text message (nearly
/// every line of a flood) are written by hand; other kinds go through serde.
/// Both produce the same JSON.
pub fn write_json(out: &mut Vec<u8>, event: &EngineEvent, style: &JsonStyle) -> io::Result<()> {
    out.extend_from_slice(b"{\"seq\":");
    push_u64(out, event.seq);
    out.extend_from_slice(b",\"t_ms\":");
    push_ms(out, u64::try_from(event.t.as_micros()).unwrap_or(u64::MAX));
    out.extend_from_slice(b",\"ts\":\"");
    let mut ts = String::with_capacity(24);
    crate::timestamp::push_rfc3339_millis(&mut ts, style.wall + event.t);
    out.extend_from_slice(ts.as_bytes());
    out.extend_from_slice(b"\",");
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
    body(event, *style).serialize(&mut ser)?;
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

pub(super) fn push_u64(out: &mut Vec<u8>, mut n: u64) {
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
pub(super) fn push_ms(out: &mut Vec<u8>, micros: u64) {
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
pub(super) struct TerminalSafe;

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

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
