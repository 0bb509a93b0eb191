//! An open connection: report every frame, keep it alive with pings, notice
//! when it dies, carry out commands, and tell how it ended.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::engine::close_code;
use crate::engine::connection::{AttemptEnd, Emitter, Interrupt, Settings, derived};
use crate::engine::dial::Socket;
use crate::engine::event::{
    BINARY_HEAD, CloseInfo, Command, Dir, ErrorClass, EventKind, Initiator, Payload,
};
use crate::engine::policy::{Outcome, Trigger};

/// How long one write may take before the connection counts as stalled.
const SEND_WAIT: Duration = Duration::from_secs(5);

/// How long to wait for the other side's part of a close handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The state of one open connection.
pub(crate) struct Session<'a> {
    pub settings: &'a Settings,
    pub out: &'a mut Emitter,
    pub commands: &'a mut mpsc::Receiver<Command>,
    pub deadline: Option<Instant>,
    pub paused: &'a mut bool,
}

/// Frames handled back to back before commands and timers get a look.
const BURST: u32 = 256;

/// What has been received so far.
struct Rx {
    /// Any frame at all arrived.
    received: bool,
    /// When the last frame arrived (liveness counts from here).
    last_frame: Instant,
    /// Our pings awaiting a pong: id and when it was sent.
    pings: VecDeque<(u64, Instant)>,
}

/// What the loop saw last; decides how the attempt is reported.
struct Ending {
    trigger: Trigger,
    interrupt: Option<Interrupt>,
}

impl Session<'_> {
    /// Runs until the connection ends.
    pub(crate) async fn run(&mut self, mut ws: Socket) -> AttemptEnd {
        let opened = Instant::now();
        let mut rx = Rx {
            received: false,
            last_frame: Instant::now(),
            pings: VecDeque::new(),
        };
        let mut stalled = None;
        for text in &self.settings.send {
            let payload = Payload::Text(text.clone());
            stalled = self
                .send(&mut ws, Message::text(text.clone()), payload)
                .await;
            if stalled.is_some() {
                break;
            }
        }
        let ping_every = self.settings.policy.ping_interval;
        let silence = self.settings.policy.ping_timeout;
        let mut ping_id = 0u64;
        // Persistent timers: re-arming a timer per message would cost more than the message.
        let ping_timer = tokio::time::sleep(ping_every);
        let live_timer = tokio::time::sleep(silence);
        tokio::pin!(ping_timer, live_timer);
        let end_at = self.deadline;
        let deadline = async move {
            match end_at {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(deadline);

        let mut burst = 0u32;
        let ending = if let Some(ending) = stalled {
            ending
        } else {
            loop {
                // Fast path: a frame tungstenite already has needs neither the
                // select nor the timers. The budget keeps commands and timers
                // served during a flood.
                if burst < BURST
                    && let Some(next) = ws.next().now_or_never()
                {
                    burst += 1;
                    if let Some(ending) = self.on_next(&mut ws, next, &mut rx).await {
                        break ending;
                    }
                    continue;
                }
                burst = 0;
                // About to wait: every line so far must be visible.
                self.out.flush();
                if self.out.is_closed() {
                    break Ending {
                        trigger: Trigger::User,
                        interrupt: Some(Interrupt::Quit),
                    };
                }
                tokio::select! {
                    biased;
                    cmd = self.commands.recv() => {
                        let (code, reason, interrupt) = match cmd {
                            None => (1001, String::new(), Interrupt::Quit),
                            Some(Command::Quit { code }) => (code, String::new(), Interrupt::Quit),
                            Some(Command::Close { code, reason }) => (code, reason, Interrupt::UserClose),
                            Some(Command::ReconnectNow) => {
                                (1000, "reconnecting".to_string(), Interrupt::ReconnectNow)
                            }
                            Some(Command::SendText(text)) => {
                                if let Some(e) = self.send(&mut ws, Message::text(text.clone()), Payload::Text(text)).await {
                                    break e;
                                }
                                continue;
                            }
                            Some(Command::SendBinary(data)) => {
                                let payload = binary_payload(&data);
                                if let Some(e) = self.send(&mut ws, Message::binary(data), payload).await {
                                    break e;
                                }
                                continue;
                            }
                            Some(Command::Ping) => {
                                ping_id += 1;
                                if let Some(e) = self.ping(&mut ws, ping_id, &mut rx.pings).await {
                            break e;
                        }
                                continue;
                            }
                            Some(Command::SetPaused(p)) => {
                                if p != *self.paused {
                                    *self.paused = p;
                                    let kind = if p { EventKind::Paused } else { EventKind::Resumed { due_t_ms: None } };
                                    self.out.emit(kind).await;
                                }
                                continue;
                            }
                        };
                        self.client_close(&mut ws, code, reason).await;
                        break Ending { trigger: Trigger::User, interrupt: Some(interrupt) };
                    }
                    () = &mut deadline => {
                        self.client_close(&mut ws, 1000, String::new()).await;
                        break Ending { trigger: Trigger::User, interrupt: Some(Interrupt::Duration) };
                    }
                    () = &mut live_timer => {
                        let heard = ws.get_ref().last_read().map_or(rx.last_frame, |t| t.max(rx.last_frame));
                    let dead_at = heard + silence;
                        if Instant::now() < dead_at {
                            live_timer.as_mut().reset(dead_at);
                            continue;
                        }
                        self.error(ErrorClass::Liveness, format!(
                            "nothing received for {} (not even a pong): the connection is dead \
                             (a proxy or NAT may have dropped it); see --ping-timeout",
                            crate::duration::format_duration(silence)
                        )).await;
                        self.out.emit(EventKind::Close(derived(1006, Initiator::Local))).await;
                        break Ending { trigger: Trigger::Liveness, interrupt: None };
                    }
                    () = &mut ping_timer => {
                        ping_timer.as_mut().reset(Instant::now() + ping_every);
                        ping_id += 1;
                        if let Some(e) = self.ping(&mut ws, ping_id, &mut rx.pings).await {
                            break e;
                        }
                    }
                    next = ws.next() => {
                        if let Some(ending) = self.on_next(&mut ws, next, &mut rx).await {
                            break ending;
                        }
                    }
                }
            }
        };
        AttemptEnd {
            outcome: Outcome {
                trigger: ending.trigger,
                uptime: Some(opened.elapsed()),
                received_frame: rx.received,
                retry_after: None,
            },
            interrupt: ending.interrupt,
        }
    }

    /// Sends a data message; `Some` when the server stopped reading.
    async fn send(&mut self, ws: &mut Socket, msg: Message, payload: Payload) -> Option<Ending> {
        match tokio::time::timeout(SEND_WAIT, ws.send(msg)).await {
            Ok(Ok(())) => {
                self.out
                    .emit(EventKind::Message {
                        dir: Dir::Out,
                        payload,
                    })
                    .await;
                None
            }
            Ok(Err(e)) => {
                self.error(ErrorClass::Io, format!("could not send: {e}"))
                    .await;
                None
            }
            Err(_) => Some(self.stalled().await),
        }
    }

    /// Sends a ping; `Some` when the server stopped reading.
    async fn ping(
        &mut self,
        ws: &mut Socket,
        id: u64,
        pings: &mut VecDeque<(u64, Instant)>,
    ) -> Option<Ending> {
        let payload = id.to_be_bytes();
        match tokio::time::timeout(SEND_WAIT, ws.send(Message::Ping(payload.to_vec().into()))).await
        {
            Ok(Ok(())) => {
                pings.push_back((id, Instant::now()));
                if pings.len() > 16 {
                    pings.pop_front();
                }
                self.out
                    .emit(EventKind::Ping {
                        dir: Dir::Out,
                        len: payload.len(),
                    })
                    .await;
                None
            }
            Ok(Err(_)) => None,
            Err(_) => Some(self.stalled().await),
        }
    }

    /// A write could not finish: the server (or the path to it) stopped
    /// reading. Waiting longer would block commands, so the connection is
    /// given up like a dead one.
    async fn stalled(&mut self) -> Ending {
        self.error(
            ErrorClass::Io,
            format!(
                "the server stopped reading: a frame could not be written within {}; \
                 the connection is given up",
                crate::duration::format_duration(SEND_WAIT)
            ),
        )
        .await;
        self.out
            .emit(EventKind::Close(derived(1006, Initiator::Local)))
            .await;
        Ending {
            trigger: Trigger::Code(1006),
            interrupt: None,
        }
    }

    async fn error(&mut self, class: ErrorClass, message: String) {
        self.out
            .emit(EventKind::Error {
                class,
                message,
                http: None,
                retry_after_ms: None,
            })
            .await;
    }

    /// Handles what the socket yielded; `Some` when it ended the connection.
    async fn on_next(
        &mut self,
        ws: &mut Socket,
        next: Option<Result<Message, WsError>>,
        rx: &mut Rx,
    ) -> Option<Ending> {
        match next {
            Some(Ok(msg)) => {
                rx.received = true;
                rx.last_frame = Instant::now();
                self.incoming(ws, msg, rx).await
            }
            Some(Err(e)) => Some(self.failed(ws, e).await),
            None => {
                self.error(
                    ErrorClass::Io,
                    "the connection ended without a Close frame".into(),
                )
                .await;
                self.out
                    .emit(EventKind::Close(derived(1006, Initiator::Local)))
                    .await;
                Some(Ending {
                    trigger: Trigger::Code(1006),
                    interrupt: None,
                })
            }
        }
    }

    /// Reports one received message; `Some` when it ended the connection.
    async fn incoming(&mut self, ws: &mut Socket, msg: Message, rx: &mut Rx) -> Option<Ending> {
        let at = rx.last_frame;
        let pings = &mut rx.pings;
        let kind = match msg {
            Message::Text(t) => EventKind::Message {
                dir: Dir::In,
                payload: Payload::Text(t.as_str().to_owned()),
            },
            Message::Binary(b) => EventKind::Message {
                dir: Dir::In,
                payload: binary_payload(&b),
            },
            Message::Ping(p) => {
                self.out
                    .emit_at(
                        EventKind::Ping {
                            dir: Dir::In,
                            len: p.len(),
                        },
                        at,
                    )
                    .await;
                // tungstenite queues the answer itself; it goes out with the next write.
                EventKind::Pong {
                    dir: Dir::Out,
                    len: p.len(),
                    rtt_ms: None,
                }
            }
            Message::Pong(p) => {
                let rtt_ms = <[u8; 8]>::try_from(&p[..]).ok().and_then(|b| {
                    let id = u64::from_be_bytes(b);
                    let at = pings.iter().position(|(i, _)| *i == id)?;
                    let (_, sent) = pings.remove(at)?;
                    Some(sent.elapsed().as_secs_f64() * 1000.0)
                });
                EventKind::Pong {
                    dir: Dir::In,
                    len: p.len(),
                    rtt_ms,
                }
            }
            Message::Close(frame) => return Some(self.server_close(ws, frame).await),
            Message::Frame(_) => return None,
        };
        // One clock reading serves liveness and the event's time.
        self.out.emit_at(kind, at).await;
        None
    }

    /// The server closed first. The code comes from the wire, not from
    /// tungstenite, which rewrites codes it does not know into 1002.
    async fn server_close(&mut self, ws: &mut Socket, frame: Option<CloseFrame>) -> Ending {
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
        let trigger = if violation.is_some() {
            Trigger::Violation
        } else {
            Trigger::Code(info.code)
        };
        self.out.emit(EventKind::Close(info)).await;
        Ending {
            trigger,
            interrupt: None,
        }
    }

    /// wsprobe closes first, then waits a moment for the server's reply.
    async fn client_close(&mut self, ws: &mut Socket, code: u16, reason: String) -> bool {
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
        self.out
            .emit(EventKind::Close(CloseInfo {
                code,
                name: close_code::name_of(code).to_string(),
                reason,
                initiator: Initiator::Client,
                wire: sent,
                clean,
                received_code: None,
            }))
            .await;
        clean
    }

    /// A read failed: explain it, close as the protocol says, report the ending.
    async fn failed(&mut self, ws: &mut Socket, err: WsError) -> Ending {
        let (class, message, close, trigger) = match &err {
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
        };
        self.error(class, message).await;
        match close {
            Some(code) => {
                // tungstenite does not close by itself on these errors; the RFC asks us to.
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: "".into(),
                };
                let sent = tokio::time::timeout(CLOSE_WAIT, ws.send(Message::Close(Some(frame))))
                    .await
                    .is_ok_and(|r| r.is_ok());
                let mut info = derived(code, Initiator::Client);
                info.wire = sent;
                info.clean = sent && drain_raw(ws).await;
                self.out.emit(EventKind::Close(info)).await;
            }
            None => {
                self.out
                    .emit(EventKind::Close(derived(1006, Initiator::Local)))
                    .await;
            }
        }
        Ending {
            trigger,
            interrupt: None,
        }
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

fn binary_payload(data: &[u8]) -> Payload {
    Payload::Binary {
        len: data.len(),
        head: data[..data.len().min(BINARY_HEAD)].to_vec(),
    }
}

/// The close as the server sent it, and the forbidden code when it sent one.
pub(crate) fn close_from_wire(
    raw: Option<&[u8]>,
    frame: Option<&CloseFrame>,
) -> (CloseInfo, Option<u16>) {
    let server = |code: u16, reason: String, wire: bool| CloseInfo {
        code,
        name: close_code::name_of(code).to_string(),
        reason,
        initiator: Initiator::Server,
        wire,
        clean: false,
        received_code: None,
    };
    match raw {
        Some([]) => (server(1005, String::new(), false), None),
        Some([a, b, rest @ ..]) => {
            let code = u16::from_be_bytes([*a, *b]);
            let reason = String::from_utf8_lossy(rest).into_owned();
            if close_code::may_be_sent(code) {
                (server(code, reason, true), None)
            } else {
                let mut info = server(1002, reason, true);
                info.received_code = Some(code);
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
