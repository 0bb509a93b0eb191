//! One recorded line's fields turned into the engine event it stands for.

use base64::Engine as _;

use super::fields;
use super::line::Line;
use crate::engine::event::{CloseInfo, Dir, EventKind, HttpReply, Payload};
use crate::text::escape;

/// The event a record of `kind` stands for; `None` for a kind this version
/// does not know.
pub(super) fn to_event(kind: &str, l: &Line<'_>) -> Result<Option<EventKind>, String> {
    let need = |field: &str| format!("a `{kind}` record needs `{field}`");
    macro_rules! req {
        ($e:expr, $f:literal) => {
            $e.ok_or_else(|| need($f))?
        };
    }
    let dir = || -> Result<Dir, String> {
        match l.dir.as_deref() {
            Some("in") => Ok(Dir::In),
            Some("out") => Ok(Dir::Out),
            Some(other) => Err(format!("`dir` is `{}`, not `in` or `out`", escape(other))),
            None => Err(need("dir")),
        }
    };
    Ok(Some(match kind {
        "connecting" => EventKind::Connecting {
            attempt: req!(l.attempt, "attempt"),
            url: escape(&req!(l.url.clone(), "url")).into_owned(),
            proxy: l.proxy.as_deref().map(|p| escape(p).into_owned()),
        },
        "open" => EventKind::Open {
            attempt: req!(l.attempt, "attempt"),
            status: l.status.unwrap_or(101),
            subprotocol: l.subprotocol.clone(),
            handshake_ms: l.handshake_ms.unwrap_or(0.0),
            headers: l.headers.as_ref().map(|h| h.0.clone()).unwrap_or_default(),
            insecure: l.insecure.unwrap_or(false),
            request_headers: l
                .request_headers
                .as_ref()
                .map(|h| h.0.clone())
                .unwrap_or_default(),
            peer: l.peer.clone(),
            // The certificate facts are shown from the recording's JSON only.
            tls: None,
        },
        "message" => EventKind::Message {
            dir: dir()?,
            payload: payload(l).map_err(|e| format!("a `message` record {e}"))?,
        },
        "ping" => EventKind::Ping {
            dir: dir()?,
            len: l.len.unwrap_or(0),
        },
        "pong" => EventKind::Pong {
            dir: dir()?,
            len: l.len.unwrap_or(0),
            rtt_ms: l.rtt_ms,
        },
        "close" => {
            let code = req!(l.code, "code");
            let (trigger, class) = fields::trigger_and_class(code, l);
            EventKind::Close(CloseInfo {
                code,
                name: crate::engine::catalog::name_of(code).to_string(),
                reason: l.reason.clone().unwrap_or_default(),
                initiator: fields::initiator(l.initiator.as_deref()),
                wire: l.wire.unwrap_or(!matches!(code, 1005 | 1006 | 1015)),
                clean: l.clean.unwrap_or(false),
                received_code: l.received_code,
                trigger,
                class,
            })
        }
        "error" => EventKind::Error {
            class: fields::error_class(l.class.as_deref()),
            message: l.message.clone().unwrap_or_default(),
            http: l.http.as_ref().map(|h| HttpReply {
                status: h.status,
                reason: h.reason.clone(),
                headers: h.headers.as_ref().map(|h| h.0.clone()).unwrap_or_default(),
                body: h.body.clone(),
            }),
            retry_after_ms: l.retry_after_ms,
        },
        "reconnect" => EventKind::Reconnect {
            attempt: req!(l.attempt, "attempt"),
            delay_ms: req!(l.delay_ms, "delay_ms"),
            window_ms: l.window_ms.unwrap_or([0, 0]),
            due_t_ms: req!(l.due_t_ms, "due_t_ms"),
            rule: escape(l.rule.as_deref().unwrap_or_default()).into_owned(),
        },
        "give_up" => EventKind::GiveUp {
            reason: l.reason.clone().unwrap_or_default(),
        },
        "paused" => EventKind::Paused,
        "resumed" => EventKind::Resumed {
            due_t_ms: l.due_t_ms,
        },
        _ => return Ok(None),
    }))
}

/// A message's payload: the text, or the binary bytes (whole from
/// `base64`, else the `hex` preview).
fn payload(l: &Line<'_>) -> Result<Payload, String> {
    match l.ty.as_deref() {
        Some("text") => Ok(Payload::Text(
            l.text.clone().ok_or("of type text needs `text`")?,
        )),
        Some("binary") => {
            let head = if let Some(b64) = &l.base64 {
                base64::engine::general_purpose::STANDARD
                    .decode(b64.as_bytes())
                    .map_err(|e| format!("has a `base64` that is not base64 ({e})"))?
            } else if let Some(hex) = &l.hex {
                fields::unhex(hex).ok_or("has a `hex` that is not hex")?
            } else {
                Vec::new()
            };
            let len = l.len.unwrap_or(head.len()).max(head.len());
            Ok(Payload::Binary { len, head })
        }
        Some(other) => Err(format!(
            "has `type` `{}`, not text or binary",
            escape(other)
        )),
        None => Err("needs `type`".into()),
    }
}
