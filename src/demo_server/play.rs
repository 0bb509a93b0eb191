//! What each scenario does once the handshake is done. Echo phases use
//! tungstenite (pings, fragments, UTF-8 checks); every ending that must put
//! exact bytes on the wire — Close frames, the flood, the reset — works on
//! the raw socket.

use std::fmt;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::Shared;
use super::scenario::{CYCLE, Scenario};
use super::wire;
use crate::duration::format_duration;

type Ws = WebSocketStream<TcpStream>;

/// How long to wait for the client's Close reply before closing TCP anyway.
const CLOSE_WAIT: Duration = Duration::from_secs(1);
/// How long `/silent` keeps a connection open when the client never leaves.
const SILENT_LIMIT: Duration = Duration::from_secs(600);
/// Between `/drop`'s message and the reset: a reset discards unsent data, so
/// the message gets time to leave the send queue first.
const DROP_PAUSE: Duration = Duration::from_millis(250);
/// The flood writes this many bytes of ready-made frames per call.
const FLOOD_CHUNK: usize = 64 * 1024;

/// Messages and bytes in each direction, for the log.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    msgs_in: u64,
    bytes_in: u64,
    msgs_out: u64,
    bytes_out: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} msgs/{} B in, {} msgs/{} B out",
            self.msgs_in, self.bytes_in, self.msgs_out, self.bytes_out
        )
    }
}

/// How an echo phase ended.
enum PhaseEnd {
    /// Its time was up; the connection is still open.
    Elapsed,
    /// The client sent a Close frame (with this code) and got our reply.
    ClientClosed(Option<u16>),
    /// The connection failed or ended without a Close frame.
    Gone(String),
    /// The server is stopping.
    Stopping,
}

/// Runs `scenario` on an upgraded connection; returns what was done, for the log.
pub(super) async fn scenario(
    shared: &Shared,
    scenario: &Scenario,
    stream: TcpStream,
    leftover: Vec<u8>,
) -> String {
    match scenario {
        Scenario::Echo => {
            let mut ws = upgrade(stream, leftover).await;
            let mut stats = Stats::default();
            let end = echo(shared, &mut ws, None, None, &mut stats).await;
            format!("{}; {stats}", after_phase(ws, end).await)
        }
        Scenario::Close(spec) if !spec.after.is_zero() => {
            let mut ws = upgrade(stream, leftover).await;
            let mut stats = Stats::default();
            let until = Instant::now() + spec.after;
            match echo(shared, &mut ws, Some(until), None, &mut stats).await {
                PhaseEnd::Elapsed => {
                    let done = finish(shared, scenario, raw(ws).await, Vec::new()).await;
                    format!(
                        "echoed {}, then {done}; {stats}",
                        format_duration(spec.after)
                    )
                }
                end => format!("{}; {stats}", after_phase(ws, end).await),
            }
        }
        Scenario::Silent => silent(shared, stream).await,
        Scenario::Flood { count, size } => flood(shared, stream, *count, *size).await,
        Scenario::Cycle => cycle(shared, stream, leftover).await,
        other => finish(shared, other, stream, leftover).await,
    }
}

/// The endings that happen at once: a Close frame with a given code, or the
/// reset of `/drop`. Restart and overload change the server first, so the
/// client's very next attempt meets the refused port or the 503.
async fn finish(shared: &Shared, how: &Scenario, stream: TcpStream, leftover: Vec<u8>) -> String {
    let (code, reason) = match how {
        Scenario::Normal => (Some(1000), "normal closure"),
        Scenario::GoingAway => (Some(1001), "going away"),
        Scenario::Close(spec) => (spec.code, spec.reason.as_str()),
        Scenario::Restart => {
            if !shared.take_listener_down().await {
                return "server stopping; no restart".into();
            }
            (Some(1012), "service restart")
        }
        Scenario::Overload => {
            shared.start_overload();
            (Some(1013), "overloaded; try again later")
        }
        Scenario::Drop => return drop_connection(stream).await,
        other => return format!("{} is not an ending", other.name()),
    };
    let frame = wire::close_frame(code, reason);
    let reply =
        wire::close_and_finish(stream, &frame, leftover, CLOSE_WAIT, shared.stopped()).await;
    let sent = match code {
        Some(code) => format!("sent Close {code}"),
        None => "sent an empty Close".into(),
    };
    let reason = super::scenario::truncate_reason(reason);
    if reason.is_empty() || code.is_none() {
        format!("{sent}; {reply}")
    } else {
        format!("{sent} {reason:?}; {reply}")
    }
}

async fn upgrade(stream: TcpStream, leftover: Vec<u8>) -> Ws {
    WebSocketStream::from_partially_read(stream, leftover, Role::Server, None).await
}

/// Back to the raw socket after an echo phase, with anything tungstenite
/// still had queued written out first.
async fn raw(mut ws: Ws) -> TcpStream {
    let _ = ws.flush().await;
    ws.into_inner()
}

/// Describes an echo phase that ended before its time; a server that is
/// stopping says goodbye with 1001.
async fn after_phase(ws: Ws, end: PhaseEnd) -> String {
    match end {
        PhaseEnd::Elapsed => "phase over".into(),
        PhaseEnd::ClientClosed(Some(code)) => format!("client closed with {code}"),
        PhaseEnd::ClientClosed(None) => "client closed without a code".into(),
        PhaseEnd::Gone(why) => format!("connection lost ({why})"),
        PhaseEnd::Stopping => {
            let frame = wire::close_frame(Some(1001), "server shutting down");
            // Already stopping, so `stopped()` would end the wait at once:
            // bound the goodbye by time instead.
            let stream = raw(ws).await;
            let bound = sleep(CLOSE_WAIT);
            let reply = wire::close_and_finish(stream, &frame, Vec::new(), CLOSE_WAIT, bound).await;
            format!("server stopping: sent Close 1001; {reply}")
        }
    }
}

/// Echoes text and binary messages until `until` (forever when `None`),
/// sending `ticks` (interval, message maker) along the way.
async fn echo(
    shared: &Shared,
    ws: &mut Ws,
    until: Option<Instant>,
    ticks: Option<(Duration, &(dyn Fn(u64) -> String + Sync))>,
    stats: &mut Stats,
) -> PhaseEnd {
    let tick_every = ticks.map_or(SILENT_LIMIT, |(every, _)| {
        every.max(Duration::from_millis(1))
    });
    let mut ticker = interval_at(Instant::now() + tick_every, tick_every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut tick_no = 0;
    loop {
        let reply = tokio::select! {
            biased;
            () = shared.stopped() => return PhaseEnd::Stopping,
            () = crate::duration::until(until) => return PhaseEnd::Elapsed,
            _ = ticker.tick(), if ticks.is_some() => {
                tick_no += 1;
                ticks.map(|(_, make)| Message::text(make(tick_no)))
            }
            msg = ws.next() => match msg {
                None => return PhaseEnd::Gone("ended without a Close frame".into()),
                Some(Err(e)) => return PhaseEnd::Gone(e.to_string()),
                Some(Ok(msg @ (Message::Text(_) | Message::Binary(_)))) => {
                    stats.msgs_in += 1;
                    stats.bytes_in += msg.len() as u64;
                    Some(msg)
                }
                Some(Ok(Message::Close(frame))) => {
                    // tungstenite queued the Close reply; flushing sends it.
                    let _ = ws.flush().await;
                    return PhaseEnd::ClientClosed(frame.map(|f| u16::from(f.code)));
                }
                // The pong is queued by tungstenite and goes out on the flush.
                Some(Ok(_)) => {
                    if let Err(e) = ws.flush().await {
                        return PhaseEnd::Gone(e.to_string());
                    }
                    None
                }
            },
        };
        if let Some(msg) = reply {
            let len = msg.len() as u64;
            if let Err(e) = ws.send(msg).await {
                return PhaseEnd::Gone(e.to_string());
            }
            stats.msgs_out += 1;
            stats.bytes_out += len;
        }
    }
}

/// `/drop` (and the drop step of `/cycle`): one message, then a TCP reset.
async fn drop_connection(mut stream: TcpStream) -> String {
    let note =
        br#"{"type":"drop","note":"resetting the TCP connection now, without a Close frame"}"#;
    if let Err(e) = stream.write_all(&wire::text_frame(note)).await {
        return format!("connection lost before the drop ({e})");
    }
    sleep(DROP_PAUSE).await;
    // SO_LINGER 0 makes the close send RST instead of FIN: the client sees
    // the connection die with no Close frame, as after a crash.
    match stream.set_zero_linger() {
        Ok(()) => "sent 1 message, then reset TCP (no Close frame)".into(),
        Err(e) => format!(
            "sent 1 message; could not set SO_LINGER ({e}), closed TCP without a Close frame"
        ),
    }
}

/// `/silent`: the connection stays open but nothing is ever sent back.
/// Incoming bytes are read and thrown away only so the end of the
/// connection is noticed.
async fn silent(shared: &Shared, mut stream: TcpStream) -> String {
    let mut sink = vec![0u8; 8192];
    let mut ignored = 0u64;
    let limit = sleep(SILENT_LIMIT);
    tokio::pin!(limit);
    let how = loop {
        tokio::select! {
            biased;
            () = shared.stopped() => break "server stopping".to_string(),
            () = &mut limit => break format!("still open after {}; closed TCP", format_duration(SILENT_LIMIT)),
            read = stream.read(&mut sink) => match read {
                Ok(0) => break "client went away".to_string(),
                Ok(n) => ignored += n as u64,
                Err(e) => break format!("client gone ({e})"),
            },
        }
    };
    format!("{how}; sent nothing, ignored {ignored} B")
}

/// `/flood`: `count` text messages of `size` bytes, as fast as the socket
/// takes them, then Close 1000. One frame is encoded once and copied into a
/// chunk of frames, so the loop is only `write_all` calls.
async fn flood(shared: &Shared, stream: TcpStream, count: u64, size: usize) -> String {
    let mut stream = stream;
    let payload: Vec<u8> = b"wsprobe-flood-"
        .iter()
        .copied()
        .cycle()
        .take(size)
        .collect();
    let frame = wire::text_frame(&payload);
    let per_chunk = (FLOOD_CHUNK / frame.len()).max(1);
    let chunk = frame.repeat(per_chunk);
    let started = Instant::now();
    let mut sent = 0u64;
    while sent < count {
        let n = (count - sent).min(per_chunk as u64);
        let bytes = &chunk[..n as usize * frame.len()];
        tokio::select! {
            biased;
            () = shared.stopped() => return format!("server stopping after {sent} of {count} messages"),
            written = stream.write_all(bytes) => if let Err(e) = written {
                return format!("connection lost after {sent} of {count} messages ({e})");
            },
        }
        sent += n;
    }
    let secs = started.elapsed().as_secs_f64().max(1e-6);
    let close = wire::close_frame(Some(1000), "flood done");
    // A slow reader may still be working through the backlog: wait longer.
    let reply =
        wire::close_and_finish(stream, &close, Vec::new(), CLOSE_WAIT * 5, shared.stopped()).await;
    format!(
        "sent {count} messages of {size} B in {:.3}s ({:.0} msg/s), then Close 1000; {reply}",
        secs,
        count as f64 / secs
    )
}

/// `/cycle`: a hello, an echo phase with ticks, then the next ending of [`CYCLE`].
async fn cycle(shared: &Shared, stream: TcpStream, leftover: Vec<u8>) -> String {
    let step = shared.cycle_next.fetch_add(1, Ordering::SeqCst) as usize % CYCLE.len();
    let ending = &CYCLE[step];
    let phase = shared.cfg.phase;
    let ends_at = Instant::now() + phase;
    let mut ws = upgrade(stream, leftover).await;
    let hello = serde_json::json!({
        "type": "hello",
        "scenario": "cycle",
        "step": step + 1,
        "steps": CYCLE.len(),
        "ending": ending.name(),
        "ending_in_ms": phase.as_millis() as u64,
    });
    let mut stats = Stats::default();
    if let Err(e) = ws.send(Message::text(hello.to_string())).await {
        return format!(
            "step {} ({}): connection lost ({e})",
            step + 1,
            ending.name()
        );
    }
    stats.msgs_out += 1;
    let tick = |n: u64| {
        let left = ends_at.saturating_duration_since(Instant::now());
        serde_json::json!({
            "type": "tick",
            "n": n,
            "ending": ending.name(),
            "ending_in_ms": left.as_millis() as u64,
        })
        .to_string()
    };
    let ticks: Option<(Duration, &(dyn Fn(u64) -> String + Sync))> = Some((shared.cfg.tick, &tick));
    let end = echo(shared, &mut ws, Some(ends_at), ticks, &mut stats).await;
    let what = match end {
        PhaseEnd::Elapsed => finish(shared, ending, raw(ws).await, Vec::new()).await,
        end => after_phase(ws, end).await,
    };
    format!("step {} ({}): {what}; {stats}", step + 1, ending.name())
}
