//! The expanded view of one event: the full text (JSON pretty-printed), a hex
//! dump for binary, the HTTP response of a refused upgrade.
//!
//! The output is bounded by `max` lines however large the event is, and JSON
//! is only parsed up to [`PRETTY_LIMIT`] bytes, so expanding a 64 MiB message
//! costs a frame no more than expanding a small one.

use std::time::Duration;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::fmt;
use crate::duration::{format_duration, format_millis};
use crate::engine::event::{EngineEvent, EventKind, HttpReply, Payload, TlsInfo};
use crate::sanitize::sanitize;
use crate::theme::Theme;

/// Larger texts are shown as they are rather than parsed as JSON.
pub const PRETTY_LIMIT: usize = 256 * 1024;

const GUTTER: &str = "  │ ";

/// Collects lines up to a limit, wrapping long ones, and notes what was cut.
struct Out<'t> {
    lines: Vec<Line<'static>>,
    width: usize,
    max: usize,
    cut: usize,
    theme: &'t Theme,
}

impl Out<'_> {
    fn full(&self) -> bool {
        self.lines.len() >= self.max
    }

    /// Adds untrusted `text` (one logical line), wrapped to the width.
    fn text(&mut self, text: &str, style: Style) {
        if self.full() {
            self.cut += 1;
            return;
        }
        let room = (self.max - self.lines.len()) * self.width;
        let clean: Vec<char> = sanitize(text, room).chars().collect();
        if clean.is_empty() {
            self.push(String::new(), style);
        }
        for chunk in clean.chunks(self.width) {
            self.push(chunk.iter().collect(), style);
        }
    }

    /// Adds untrusted lines until the view is full. Stops there rather than
    /// walking the rest: a message of a million lines costs what fits.
    fn all<'a>(&mut self, lines: impl Iterator<Item = &'a str>, style: Style) {
        for line in lines {
            if self.full() {
                self.cut += 1;
                return;
            }
            self.text(line, style);
        }
    }

    /// Adds a `label value` line; `value` is untrusted.
    fn field(&mut self, label: &str, value: &str) {
        let style = self.theme.base();
        let label_style = self.theme.muted();
        if self.full() {
            self.cut += 1;
            return;
        }
        let room = self.width.saturating_sub(label.chars().count() + 1);
        let value = sanitize(value, room);
        self.lines.push(gutter(
            vec![
                Span::styled(format!("{label} "), label_style),
                Span::styled(value, style),
            ],
            self.theme,
        ));
    }

    fn push(&mut self, text: String, style: Style) {
        if self.full() {
            self.cut += 1;
        } else {
            self.lines
                .push(gutter(vec![Span::styled(text, style)], self.theme));
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        if self.cut > 0
            && let Some(last) = self.lines.last_mut()
        {
            *last = gutter(
                vec![Span::styled(
                    "… (cut to fit the screen)",
                    self.theme.muted(),
                )],
                self.theme,
            );
        }
        self.lines
    }
}

fn gutter(mut spans: Vec<Span<'static>>, theme: &Theme) -> Line<'static> {
    spans.insert(0, Span::styled(GUTTER, theme.muted()));
    Line::from(spans)
}

/// The expanded content of `event`: at most `max` lines of `width` columns.
pub fn lines(event: &EngineEvent, width: usize, max: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Out {
        lines: Vec::new(),
        width: width.saturating_sub(GUTTER.chars().count()).max(8),
        max,
        cut: 0,
        theme,
    };
    let base = theme.base();
    match &event.kind {
        EventKind::Message { payload, .. } => match payload {
            Payload::Text(text) => {
                out.field("text,", &format!("{} bytes", text.len()));
                match pretty_json(text) {
                    Some(pretty) => out.all(pretty.lines(), base),
                    None => out.all(text.split('\n'), base),
                }
            }
            Payload::Binary { len, head } => {
                out.field(
                    "binary,",
                    &format!("{len} bytes, first {} shown", head.len()),
                );
                hex_dump(&mut out, head);
            }
        },
        EventKind::Open {
            status,
            subprotocol,
            handshake_ms,
            headers,
            insecure,
            request_headers,
            peer,
            tls,
            ..
        } => {
            out.field("status", &status.to_string());
            out.field("handshake", &format_millis(*handshake_ms));
            out.field("subprotocol", subprotocol.as_deref().unwrap_or("(none)"));
            if let Some(peer) = peer {
                out.field("peer", peer);
            }
            if *insecure {
                out.field("TLS", "certificate checks OFF (--insecure)");
            }
            if let Some(t) = tls {
                tls_facts(&mut out, t);
            }
            for (k, v) in headers {
                out.field(&format!("{}:", sanitize(k, 40)), v);
            }
            if !request_headers.is_empty() {
                let accent = out.theme.accent();
                out.text("request", accent);
                for (k, v) in request_headers {
                    out.field(&format!("{}:", sanitize(k, 40)), v);
                }
            }
        }
        EventKind::Close(info) => {
            out.field("code", &format!("{} {}", info.code, info.name));
            if let Some(received) = info.received_code {
                out.field("received", &format!("{received} (not allowed on the wire)"));
            }
            out.field("initiator", info.initiator.as_str());
            out.field(
                "on the wire",
                if info.wire {
                    "yes"
                } else {
                    "no, derived locally"
                },
            );
            out.field("clean", if info.clean { "yes" } else { "no" });
            out.field("reason", &info.reason);
        }
        EventKind::Error {
            class,
            message,
            http,
            retry_after_ms,
        } => {
            out.field("error", class.as_str());
            out.field("message", message);
            if let Some(ms) = retry_after_ms {
                out.field("retry-after", &format_duration(Duration::from_millis(*ms)));
            }
            if let Some(http) = http {
                http_reply(&mut out, http);
            }
        }
        EventKind::Connecting {
            attempt,
            url,
            proxy,
        } => {
            out.field("attempt", &attempt.to_string());
            out.field("url", url);
            if let Some(p) = proxy {
                out.field("proxy", p);
            }
        }
        EventKind::Reconnect {
            attempt,
            delay_ms,
            window_ms,
            due_t_ms,
            rule,
        } => {
            out.field("next attempt", &format!("#{attempt}"));
            out.field("delay", &format_duration(Duration::from_millis(*delay_ms)));
            out.field("window", &fmt::window(*window_ms));
            out.field(
                "due at",
                &fmt::clock(Duration::from_secs_f64(due_t_ms.max(0.0) / 1e3)),
            );
            out.field("rule", rule);
        }
        EventKind::GiveUp { reason } => out.field("stopped", reason),
        EventKind::Ping { len, .. } => out.field("length", &fmt::bytes(*len)),
        EventKind::Pong { len, rtt_ms, .. } => {
            out.field("length", &fmt::bytes(*len));
            out.field("rtt", &rtt_ms.map_or("(unsolicited)".into(), format_millis));
        }
        EventKind::Paused => out.field("auto-reconnect", "paused (p resumes)"),
        EventKind::Resumed { .. } => out.field("auto-reconnect", "resumed"),
    }
    out.finish()
}

fn pretty_json(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if text.len() > PRETTY_LIMIT || !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string_pretty(&value).ok()
}

fn hex_dump(out: &mut Out<'_>, bytes: &[u8]) {
    // 16 bytes a row need 73 columns; narrower panels get 8.
    let per_row = if out.width >= 73 { 16 } else { 8 };
    for (i, chunk) in bytes.chunks(per_row).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() || *b == b' ' {
                    char::from(*b)
                } else {
                    '.'
                }
            })
            .collect();
        let line = format!(
            "{:04x}  {:<width$} |{ascii}|",
            i * per_row,
            hex.join(" "),
            width = per_row * 3 - 1
        );
        let base = out.theme.base();
        out.text(&line, base);
    }
}

/// What a browser's security panel shows of a TLS connection.
fn tls_facts(out: &mut Out<'_>, t: &TlsInfo) {
    let alpn = t.alpn.as_deref().unwrap_or("none");
    out.field(
        "TLS",
        &format!("{} · {} · ALPN {alpn}", t.version, t.cipher),
    );
    out.field("subject", &t.subject);
    out.field("issuer", &t.issuer);
    out.field("names", &t.sans.join(", "));
    out.field("valid", &format!("{} to {}", t.not_before, t.not_after));
}

fn http_reply(out: &mut Out<'_>, http: &HttpReply) {
    let accent = out.theme.accent();
    out.text(&format!("HTTP/1.1 {} {}", http.status, http.reason), accent);
    for (name, value) in &http.headers {
        out.field(&format!("{}:", sanitize(name, 40)), value);
    }
    if !http.body.is_empty() {
        let base = out.theme.base();
        out.text("", base);
        out.all(http.body.split('\n'), base);
    }
}
