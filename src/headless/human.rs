//! `--headless`: one readable line per event; every string from the network
//! is escaped.

use std::io::{self, Write};

use std::time::Duration;

use crate::duration::{Stamp, format_duration, format_millis, format_window};
use crate::engine::catalog;
use crate::engine::event::{EngineEvent, EventKind, HttpReply, Payload};
use crate::engine::policy::Trigger;
use crate::headless::json::round_ms;
use crate::sanitize::sanitize;
use crate::text::{escape, first_sentence, hex};

const PREVIEW: usize = 200;

fn preview(text: &str) -> String {
    sanitize(text, PREVIEW)
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
///
/// Times are taken at the precision the JSON keeps (microseconds), so a
/// replayed recording prints exactly the lines the live run printed.
pub fn write_human(out: &mut Vec<u8>, event: &EngineEvent) -> io::Result<()> {
    write!(out, "{} ", Stamp(event.t))?;
    match &event.kind {
        EventKind::Connecting {
            attempt,
            url,
            proxy,
        } => {
            write!(out, "connecting   attempt {attempt} to {}", escape(url))?;
            if let Some(p) = proxy {
                write!(out, " via the proxy {}", escape(p))?;
            }
        }
        EventKind::Open {
            subprotocol,
            handshake_ms,
            insecure,
            ..
        } => {
            let handshake_ms = round_ms(*handshake_ms);
            write!(
                out,
                "open         101 Switching Protocols in {}",
                format_millis(handshake_ms)
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
                Payload::Binary { len, .. } => {
                    let head = payload.preview();
                    let more = if *len > head.len() { "…" } else { "" };
                    write!(out, "message {arrow} binary {len} B: {}{more}", hex(head))?;
                }
            }
        }
        EventKind::Ping { dir, len } => write!(out, "ping    {}  {len} B", dir.as_str())?,
        EventKind::Pong { dir, len, rtt_ms } => {
            write!(out, "pong    {}  {len} B", dir.as_str())?;
            if let Some(rtt) = rtt_ms.map(round_ms) {
                write!(out, ", rtt {}", format_millis(rtt))?;
            }
        }
        EventKind::Close(c) => {
            let who = match c.initiator.as_str() {
                "server" => "closed by the server",
                "client" if c.by_user() => "closed by wsprobe at your request",
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
            // A close the user asked for needs no advice; any other is
            // explained by what the policy was given (a handshake failure
            // explains its derived 1006 better than 1006 does).
            if !matches!(
                c.trigger,
                Trigger::Code(_) | Trigger::User | Trigger::Violation
            ) {
                write!(out, " — after {}", catalog::cause_name(c))?;
            }
            write!(out, " — class {}", c.class.label())?;
            if !c.by_user() {
                let entry = catalog::for_close(c);
                if !entry.fix.is_empty() {
                    write!(out, " — fix: {}", first_sentence(entry.fix))?;
                }
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
            write!(
                out,
                "reconnect    attempt {attempt} in {} (drawn from {}): {rule}",
                format_duration(Duration::from_millis(*delay_ms)),
                format_window(
                    Duration::from_millis(window_ms[0]),
                    Duration::from_millis(window_ms[1])
                )
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
    use crate::engine::event::{CloseInfo, Initiator};
    use crate::engine::policy::{Class, Policy};
    use std::time::Duration;

    fn line(info: CloseInfo) -> String {
        let event = EngineEvent {
            seq: 1,
            t: Duration::from_millis(1500),
            kind: EventKind::Close(info),
        };
        let mut out = Vec::new();
        write_human(&mut out, &event).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_close_the_user_asked_for_gets_no_advice() {
        let info = CloseInfo {
            code: 1001,
            name: "Going Away".into(),
            reason: String::new(),
            initiator: Initiator::Client,
            wire: true,
            clean: true,
            received_code: None,
            trigger: Trigger::User,
            class: Class::Done,
        };
        let l = line(info);
        assert!(l.contains("at your request"), "{l}");
        assert!(!l.contains("fix:"), "{l}");
        assert!(!l.contains("Reconnect"), "{l}");
    }

    #[test]
    fn a_close_derived_from_a_handshake_failure_explains_the_failure() {
        let mut info = CloseInfo::derived(1006, Initiator::Local, Trigger::Http(401));
        info.class = Policy::default().classify(info.trigger);
        let l = line(info);
        assert!(l.contains("after HTTP 401 Unauthorized"), "{l}");
        assert!(l.contains("class auth"), "{l}");
        let fix = catalog::by_key("http-401").unwrap().fix;
        assert!(l.contains(first_sentence(fix)), "{l}");
        let backoff = first_sentence(catalog::lookup(1006).fix);
        assert!(!l.contains(backoff), "advice for 1006 instead of 401: {l}");
    }

    #[test]
    fn the_class_shown_is_the_one_in_the_event() {
        let mut info = CloseInfo::derived(1006, Initiator::Local, Trigger::NotHttp);
        info.class = Class::Abnormal;
        assert!(line(info).contains("class abnormal"));
    }
}
