//! How an open connection ends: the server's Close, ours, or a failure, with
//! the code as it was on the wire.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::{Ending, Session};
use crate::engine::catalog;
use crate::engine::control::Interrupt;
use crate::engine::dial::Socket;
use crate::engine::event::{CloseInfo, ErrorClass, Initiator};
use crate::engine::policy::{Class, Trigger};

/// How long to wait for the other side's part of a close handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

impl Session<'_> {
    /// The server closed first. The code comes from the wire, not from
    /// tungstenite, which rewrites codes it does not know into 1002.
    pub(super) async fn server_close(
        &mut self,
        ws: &mut Socket,
        frame: Option<CloseFrame>,
    ) -> Ending {
        let raw = ws.get_ref().watch().close_payload().map(<[u8]>::to_vec);
        let (mut info, violation) = close_from_wire(raw.as_deref(), frame.as_ref());
        if let Some(received) = violation {
            self.error(
                ErrorClass::Protocol,
                format!(
                    "the server sent close code {received}, which {}; wsprobe answered 1002 (protocol error)",
                    if matches!(received, 1005 | 1006 | 1015) {
                        "must never be sent in a Close frame"
                    } else {
                        "is not a valid close code"
                    }
                ),
            )
            .await;
        }
        info.clean = drain(ws).await;
        Ending {
            trigger: info.trigger,
            interrupt: None,
            close: info,
        }
    }

    /// wsprobe closes first (for the user, or at the end of the run), then
    /// waits a moment for the server's reply.
    pub(super) async fn client_close(
        &mut self,
        ws: &mut Socket,
        code: u16,
        reason: String,
        interrupt: Interrupt,
    ) -> Ending {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.clone().into(),
        };
        // One budget for sending our Close and hearing the server's reply.
        let budget = Instant::now() + CLOSE_WAIT;
        let sent = tokio::time::timeout_at(budget, ws.close(Some(frame)))
            .await
            .is_ok_and(|r| r.is_ok());
        let clean = sent && drain_until(ws, budget).await;
        Ending {
            trigger: Trigger::User,
            interrupt: Some(interrupt),
            close: CloseInfo {
                code,
                name: catalog::name_of(code).to_string(),
                reason,
                initiator: Initiator::Client,
                wire: sent,
                clean,
                received_code: None,
                trigger: Trigger::User,
                class: Class::Done,
            },
        }
    }

    /// A read failed: explain it, close as the protocol says, report the ending.
    pub(super) async fn failed(&mut self, ws: &mut Socket, err: WsError) -> Ending {
        let (class, message, close, trigger) = read_failure(ws, &err);
        self.error(class, message).await;
        let Some(code) = close else {
            return Ending::dropped(trigger);
        };
        // tungstenite does not close by itself on these errors; the RFC asks us to.
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        };
        let sent = tokio::time::timeout(CLOSE_WAIT, ws.send(Message::Close(Some(frame))))
            .await
            .is_ok_and(|r| r.is_ok());
        let mut info = CloseInfo::derived(code, Initiator::Client, trigger);
        info.wire = sent;
        info.clean = sent && drain_raw(ws).await;
        Ending {
            trigger,
            interrupt: None,
            close: info,
        }
    }
}

/// What a read error means: its class, the message, the code wsprobe closes
/// with (none when the transport is gone) and the policy's trigger.
fn read_failure(ws: &Socket, err: &WsError) -> (ErrorClass, String, Option<u16>, Trigger) {
    match err {
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => (
            ErrorClass::Capacity,
            format!(
                "a message of {size} bytes exceeds the limit of {max_size} bytes (--max-message-size); wsprobe closed with 1009"
            ),
            Some(1009),
            Trigger::Capacity,
        ),
        WsError::Utf8(_) => (
            ErrorClass::Protocol,
            // tungstenite reports a bad close reason like a bad text message.
            match ws.get_ref().watch().close_payload() {
                Some([a, b, reason @ ..]) if std::str::from_utf8(reason).is_err() => format!(
                    "the server closed with code {} but its close reason is not valid UTF-8; \
                     wsprobe closed with 1007",
                    u16::from_be_bytes([*a, *b])
                ),
                _ => "the server sent a text message that is not valid UTF-8; wsprobe closed with 1007"
                    .to_string(),
            },
            Some(1007),
            Trigger::Violation,
        ),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => (
            ErrorClass::Io,
            "the server closed the TCP connection without a Close frame".to_string(),
            None,
            Trigger::Code(1006),
        ),
        WsError::Protocol(e) => (
            ErrorClass::Protocol,
            format!("the server broke the WebSocket protocol: {e}; wsprobe closed with 1002"),
            Some(1002),
            Trigger::Violation,
        ),
        WsError::Io(e) => (
            ErrorClass::Io,
            format!(
                "the connection failed: {e} (reset by the server or the network; no Close frame)"
            ),
            None,
            Trigger::Code(1006),
        ),
        other => (
            ErrorClass::Io,
            format!("the connection failed: {other}"),
            None,
            Trigger::Code(1006),
        ),
    }
}

/// Waits up to a second for the close handshake to finish and the server to
/// end TCP; true when it was clean (see [`drain_until`]).
async fn drain(ws: &mut Socket) -> bool {
    drain_until(ws, Instant::now() + CLOSE_WAIT).await
}

/// Reads until the stream ends or `deadline` passes. Clean means both Close
/// frames crossed: the server's Close arrived (the tap saw it) and nothing
/// failed on the way (our answer to a server's Close is written during these
/// reads). A server that keeps TCP open after the handshake costs the wait
/// but does not make the close unclean (RFC 6455 §7.1.4).
async fn drain_until(ws: &mut Socket, deadline: Instant) -> bool {
    let failed = tokio::time::timeout_at(deadline, async {
        loop {
            match ws.next().await {
                None | Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {
                    return false;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) => return true,
            }
        }
    })
    .await
    .unwrap_or(false);
    !failed && ws.get_ref().watch().close_payload().is_some()
}

/// [`drain`] after a read error. tokio-tungstenite ends the stream after
/// an error, so `ws.next()` says "ended" at once whether or not the server
/// answered; read the bytes under it instead (the tap still parses them)
/// until TCP ends or a second passes. Clean when the server's Close arrived.
async fn drain_raw(ws: &mut Socket) -> bool {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Ok(n) = ws.get_mut().read(&mut buf).await {
            if n == 0 || ws.get_ref().watch().close_payload().is_some() {
                break;
            }
        }
    })
    .await;
    ws.get_ref().watch().close_payload().is_some()
}

/// The close as the server sent it, and the forbidden code when it sent one.
/// A forbidden code is a protocol violation, and the policy hears it so.
#[doc(hidden)]
pub fn close_from_wire(raw: Option<&[u8]>, frame: Option<&CloseFrame>) -> (CloseInfo, Option<u16>) {
    let server = |code: u16, reason: String, wire: bool| CloseInfo {
        code,
        name: catalog::name_of(code).to_string(),
        reason,
        initiator: Initiator::Server,
        wire,
        clean: false,
        received_code: None,
        trigger: Trigger::Code(code),
        class: Class::Done,
    };
    match raw {
        Some([]) => (server(1005, String::new(), false), None),
        Some([a, b, rest @ ..]) => {
            let code = u16::from_be_bytes([*a, *b]);
            let reason = String::from_utf8_lossy(rest).into_owned();
            if catalog::may_be_sent(code) {
                (server(code, reason, true), None)
            } else {
                let mut info = server(1002, reason, true);
                info.received_code = Some(code);
                info.trigger = Trigger::Violation;
                (info, Some(code))
            }
        }
        // A one-byte body is malformed; tungstenite errors before we get here.
        Some([_]) => (server(1002, String::new(), true), None),
        None => match frame {
            Some(f) => (
                server(u16::from(f.code), f.reason.as_str().to_owned(), true),
                None,
            ),
            None => (server(1005, String::new(), false), None),
        },
    }
}
