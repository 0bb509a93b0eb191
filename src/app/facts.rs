//! The viewer's documents that are not a message's own text: a hex dump,
//! and the facts of the other events, one per line.

use std::fmt::Write as _;
use std::time::Duration;

use crate::engine::event::EventKind;

/// A hex dump: offset, `per_row` bytes in hex, the same bytes as ASCII.
pub fn hex_dump(bytes: &[u8], per_row: usize) -> String {
    let per_row = per_row.max(1);
    let mut out = String::with_capacity(bytes.len() / per_row * (per_row * 4 + 14) + 80);
    for (i, chunk) in bytes.chunks(per_row).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{:08x}  ", i * per_row);
        for j in 0..per_row {
            match chunk.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if j == 7 && per_row > 8 {
                out.push(' ');
            }
        }
        out.push(' ');
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        }));
    }
    out
}

fn ms(ms: f64) -> String {
    crate::duration::format_duration(Duration::from_secs_f64(ms.max(0.0) / 1000.0))
}

/// The facts of an event other than a message, one per line.
pub(super) fn facts(kind: &EventKind) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(out, "{k:<13}{v}");
    };
    match kind {
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
            line("status", &status.to_string());
            line("handshake", &ms(*handshake_ms));
            line("subprotocol", subprotocol.as_deref().unwrap_or("(none)"));
            if let Some(peer) = peer {
                line("peer", peer);
            }
            if *insecure {
                line("TLS", "certificate checks OFF (--insecure)");
            }
            if let Some(t) = tls {
                // What a browser's security panel shows of the connection.
                let alpn = t.alpn.as_deref().unwrap_or("none");
                line(
                    "TLS",
                    &format!("{} · {} · ALPN {alpn}", t.version, t.cipher),
                );
                line("subject", &t.subject);
                line("issuer", &t.issuer);
                line("names", &t.sans.join(", "));
                line("valid", &format!("{} to {}", t.not_before, t.not_after));
            }
            if !request_headers.is_empty() {
                line("", "");
                line("request headers", "");
                for (k, v) in request_headers {
                    line(&format!("  {k}:"), &format!(" {v}"));
                }
            }
            line("", "");
            line("response headers", "");
            for (k, v) in headers {
                line(&format!("  {k}:"), &format!(" {v}"));
            }
        }
        EventKind::Close(info) => {
            line("code", &format!("{} {}", info.code, info.name));
            if let Some(r) = info.received_code {
                line("received", &format!("{r} (not allowed on the wire)"));
            }
            line("initiator", info.initiator.as_str());
            line(
                "on the wire",
                if info.wire {
                    "yes"
                } else {
                    "no, derived locally"
                },
            );
            line("clean", if info.clean { "yes" } else { "no" });
            line("trigger", &info.trigger.key());
            line("class", info.class.label());
            line("reason", &info.reason);
        }
        EventKind::Error {
            class,
            message,
            http,
            retry_after_ms,
        } => {
            line("error", class.as_str());
            line("message", message);
            if let Some(ra) = retry_after_ms {
                line(
                    "retry-after",
                    &crate::duration::format_duration(Duration::from_millis(*ra)),
                );
            }
            if let Some(h) = http {
                line("", "");
                let _ = writeln!(out, "HTTP/1.1 {} {}", h.status, h.reason);
                for (k, v) in &h.headers {
                    let _ = writeln!(out, "{k}: {v}");
                }
                out.push('\n');
                out.push_str(&h.body);
            }
        }
        EventKind::Connecting {
            attempt,
            url,
            proxy,
        } => {
            line("attempt", &format!("#{attempt}"));
            line("url", url);
            if let Some(p) = proxy {
                line("proxy", p);
            }
        }
        EventKind::Reconnect {
            attempt,
            delay_ms,
            window_ms,
            due_t_ms,
            rule,
        } => {
            line("next attempt", &format!("#{attempt}"));
            line(
                "delay",
                &crate::duration::format_duration(Duration::from_millis(*delay_ms)),
            );
            line("window", &format!("{}–{} ms", window_ms[0], window_ms[1]));
            line("due at", &ms(*due_t_ms));
            line("rule", rule);
        }
        EventKind::GiveUp { reason } => line("stopped", reason),
        EventKind::Ping { dir, len } => {
            line("direction", dir.as_str());
            line("length", &format!("{len} bytes"));
        }
        EventKind::Pong { dir, len, rtt_ms } => {
            line("direction", dir.as_str());
            line("length", &format!("{len} bytes"));
            line("rtt", &rtt_ms.map_or("(unsolicited)".into(), ms));
        }
        EventKind::Paused => line("auto-reconnect", "paused"),
        EventKind::Resumed { .. } => line("auto-reconnect", "resumed"),
        EventKind::Message { .. } => {}
    }
    out
}
