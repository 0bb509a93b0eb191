//! An open connection: report every frame, keep it alive with pings, notice
//! when it dies, carry out commands, and tell how it ended.

mod close;

pub use close::close_from_wire;

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::time::{Instant, Sleep};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::duration::format_duration;
use crate::duration::until;
use crate::engine::control::{AttemptEnd, Control, Interrupt, Step};
use crate::engine::dial::Socket;
use crate::engine::emit::Emitter;
use crate::engine::event::{
    BINARY_HEAD, CloseInfo, Command, Dir, ErrorClass, EventKind, Initiator, Payload,
};
use crate::engine::policy::{Outcome, Trigger};
use crate::engine::settings::Settings;

/// How long one write may take before the connection counts as stalled.
const SEND_WAIT: Duration = Duration::from_secs(5);

/// Frames handled back to back before commands and timers get a look.
const BURST: u32 = 256;

/// The state of one open connection.
pub(crate) struct Session<'a> {
    pub settings: &'a Settings,
    pub out: &'a mut Emitter,
    pub control: &'a mut Control,
    pub deadline: Option<Instant>,
}

/// What has been received so far.
struct Rx {
    /// Any frame at all arrived.
    received: bool,
    /// When the last frame arrived (liveness counts from here).
    last_frame: Instant,
    /// Our pings awaiting a pong: id and when it was sent.
    pings: VecDeque<(u64, Instant)>,
    /// The id of our last ping.
    ping_id: u64,
}

/// How the connection ended: what the policy is told, whether a command
/// ended it, and the close to report.
struct Ending {
    trigger: Trigger,
    interrupt: Option<Interrupt>,
    close: CloseInfo,
}

impl Ending {
    /// The transport died with no Close frame (derived 1006).
    fn dropped(trigger: Trigger) -> Self {
        Self {
            trigger,
            interrupt: None,
            close: CloseInfo::derived(1006, Initiator::Local, trigger),
        }
    }
}

impl Session<'_> {
    /// Runs until the connection ends.
    pub(crate) async fn run(&mut self, mut ws: Socket) -> AttemptEnd {
        let opened = Instant::now();
        let mut rx = Rx {
            received: false,
            last_frame: Instant::now(),
            pings: VecDeque::new(),
            ping_id: 0,
        };
        let ending = match self.send_initial(&mut ws).await {
            Some(ending) => ending,
            None => self.serve(&mut ws, &mut rx).await,
        };
        AttemptEnd {
            outcome: Outcome {
                trigger: ending.trigger,
                uptime: Some(opened.elapsed()),
                received_frame: rx.received,
                retry_after: None,
            },
            interrupt: ending.interrupt,
            close: ending.close,
        }
    }

    /// Sends the `--send` texts, then the `--send-binary` messages; `Some`
    /// when the server stopped reading.
    async fn send_initial(&mut self, ws: &mut Socket) -> Option<Ending> {
        for text in &self.settings.send {
            let payload = Payload::Text(text.clone());
            if let Some(ending) = self.send(ws, Message::text(text.clone()), payload).await {
                return Some(ending);
            }
        }
        for data in &self.settings.send_binary {
            let payload = binary_payload(data, self.settings.whole_binary);
            if let Some(ending) = self.send(ws, Message::binary(data.clone()), payload).await {
                return Some(ending);
            }
        }
        None
    }

    /// The loop of an open connection: frames, commands, pings, liveness.
    async fn serve(&mut self, ws: &mut Socket, rx: &mut Rx) -> Ending {
        let ping_every = self.settings.policy.ping_interval;
        // Persistent timers: re-arming a timer per message would cost more than the message.
        let ping_timer = tokio::time::sleep(ping_every);
        let live_timer = tokio::time::sleep(self.settings.policy.ping_timeout);
        tokio::pin!(ping_timer, live_timer);
        let mut burst = 0u32;
        loop {
            // Fast path: a frame tungstenite already has needs neither the
            // select nor the timers. The budget keeps commands and timers
            // served during a flood.
            if burst < BURST
                && let Some(next) = ws.next().now_or_never()
            {
                burst += 1;
                if let Some(ending) = self.on_next(ws, next, rx).await {
                    return ending;
                }
                continue;
            }
            burst = 0;
            // About to wait: every line so far must be visible.
            self.out.flush();
            if self.out.is_closed() {
                return Ending {
                    trigger: Trigger::User,
                    interrupt: Some(Interrupt::Quit),
                    close: CloseInfo::derived(1006, Initiator::Local, Trigger::User),
                };
            }
            let step = tokio::select! {
                biased;
                cmd = self.control.commands.recv() => self.on_command(ws, cmd, rx).await,
                () = until(self.deadline) => {
                    let (code, reason) = (self.settings.close_code, self.settings.close_reason.clone());
                    Some(self.client_close(ws, code, reason, Interrupt::Duration).await)
                }
                () = &mut live_timer => self.check_liveness(ws, rx, live_timer.as_mut()).await,
                () = &mut ping_timer => {
                    ping_timer.as_mut().reset(Instant::now() + ping_every);
                    self.ping(ws, rx).await
                }
                next = ws.next() => self.on_next(ws, next, rx).await,
            };
            if let Some(ending) = step {
                return ending;
            }
        }
    }

    /// Carries out a command; `Some` when it ended the connection.
    async fn on_command(
        &mut self,
        ws: &mut Socket,
        cmd: Option<Command>,
        rx: &mut Rx,
    ) -> Option<Ending> {
        match self.control.on_command(cmd, self.out, None).await {
            Step::Continue => None,
            Step::Quit(code) => Some(
                self.client_close(ws, code, String::new(), Interrupt::Quit)
                    .await,
            ),
            Step::ReconnectNow => Some(
                self.client_close(ws, 1000, "reconnecting".into(), Interrupt::ReconnectNow)
                    .await,
            ),
            Step::Open(Command::Close { code, reason }) => Some(
                self.client_close(ws, code, reason, Interrupt::UserClose)
                    .await,
            ),
            Step::Open(Command::SendText(text)) => {
                self.send(ws, Message::text(text.clone()), Payload::Text(text))
                    .await
            }
            Step::Open(Command::SendBinary(data)) => {
                let payload = binary_payload(&data, self.settings.whole_binary);
                self.send(ws, Message::binary(data), payload).await
            }
            Step::Open(Command::Ping) => self.ping(ws, rx).await,
            // Handled by the control above.
            Step::Open(Command::Quit { .. } | Command::ReconnectNow | Command::SetPaused(_)) => {
                None
            }
        }
    }

    /// The liveness timer fired: dead when nothing arrived for the ping
    /// timeout, else the timer moves to the new limit.
    async fn check_liveness(
        &mut self,
        ws: &Socket,
        rx: &Rx,
        timer: Pin<&mut Sleep>,
    ) -> Option<Ending> {
        let silence = self.settings.policy.ping_timeout;
        let heard = ws
            .get_ref()
            .last_read()
            .map_or(rx.last_frame, |t| t.max(rx.last_frame));
        let dead_at = heard + silence;
        if Instant::now() < dead_at {
            timer.reset(dead_at);
            return None;
        }
        self.error(
            ErrorClass::Liveness,
            format!(
                "nothing received for {} (not even a pong): the connection is dead \
                 (a proxy or NAT may have dropped it); see --ping-timeout",
                format_duration(silence)
            ),
        )
        .await;
        Some(Ending::dropped(Trigger::Liveness))
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
    async fn ping(&mut self, ws: &mut Socket, rx: &mut Rx) -> Option<Ending> {
        rx.ping_id += 1;
        let payload = rx.ping_id.to_be_bytes();
        match tokio::time::timeout(SEND_WAIT, ws.send(Message::Ping(payload.to_vec().into()))).await
        {
            Ok(Ok(())) => {
                rx.pings.push_back((rx.ping_id, Instant::now()));
                if rx.pings.len() > 16 {
                    rx.pings.pop_front();
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
        tracing::warn!(
            "a write or flush did not finish within {}: the server stopped reading",
            format_duration(SEND_WAIT)
        );
        self.error(
            ErrorClass::Io,
            format!(
                "the server stopped reading: a frame could not be written within {}; \
                 the connection is given up",
                format_duration(SEND_WAIT)
            ),
        )
        .await;
        Ending::dropped(Trigger::Code(1006))
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
                Some(Ending::dropped(Trigger::Code(1006)))
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
                payload: binary_payload(&b, self.settings.whole_binary),
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
}

/// A binary message as an event carries it: the first bytes, or all of
/// them when `whole` payloads were asked for.
fn binary_payload(data: &[u8], whole: bool) -> Payload {
    let keep = if whole {
        data.len()
    } else {
        data.len().min(BINARY_HEAD)
    };
    Payload::Binary {
        len: data.len(),
        head: data[..keep].to_vec(),
    }
}
