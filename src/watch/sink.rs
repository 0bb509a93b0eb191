//! Each client's engine writes into a [`ClientSink`] from its own task: the
//! sink turns lifecycle events into [`Fact`]s for the views (one small
//! message each, none per frame), counts metrics, writes `--json` lines,
//! keeps the client's last few lifecycle events, and forwards everything to
//! the single-client screen while that client is the selected one.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::fact::{Ended, Fact, What};
use crate::engine::emit::EventSink;
use crate::engine::event::{Command, EngineEvent, EventKind};
use crate::headless::write_json;
use crate::metrics::{Metrics, Track};

/// Lifecycle events kept per client, replayed when it is selected.
const RECENT: usize = 6;

/// Nobody is selected.
const NONE: u32 = u32::MAX;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the fleet keeps of one client.
#[derive(Debug, Default)]
struct Slot {
    /// Its last lifecycle events, on its own clock.
    recent: VecDeque<EngineEvent>,
    /// Its engine's commands, once it runs.
    commands: Option<mpsc::Sender<Command>>,
    /// Its engine's time zero on the fleet's clock, once it runs.
    started: Option<Duration>,
}

/// `--json` output shared by every client.
#[derive(Debug)]
pub struct JsonOut {
    out: io::BufWriter<io::Stdout>,
    line: Vec<u8>,
    /// How events are written: `ts` counts from the fleet's start.
    style: crate::headless::JsonStyle,
    /// The first write error, if any.
    pub error: Option<io::ErrorKind>,
}

impl JsonOut {
    /// Writes one line (already ending in `\n`).
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        let r = self.out.write_all(line);
        self.note(r)
    }

    /// Makes everything written visible.
    pub fn flush(&mut self) -> io::Result<()> {
        let r = self.out.flush();
        self.note(r)
    }

    fn note(&mut self, r: io::Result<()>) -> io::Result<()> {
        if let Err(e) = &r
            && self.error.is_none()
        {
            self.error = Some(e.kind());
        }
        r
    }
}

/// What every client's sink shares: the slots, the selection, the outputs.
#[derive(Debug)]
pub struct Board {
    /// The fleet's time zero.
    pub start: Instant,
    slots: Vec<Mutex<Slot>>,
    selected: AtomicU32,
    forward: Mutex<Option<mpsc::UnboundedSender<EngineEvent>>>,
    /// `--json` lines go here.
    pub json: Option<Mutex<JsonOut>>,
    /// `--metrics` counts here.
    pub metrics: Option<Arc<Metrics>>,
}

impl Board {
    /// A board for `clients` clients.
    pub fn new(clients: u32, json: bool, metrics: Option<Arc<Metrics>>) -> Self {
        Self {
            start: Instant::now(),
            slots: (0..clients).map(|_| Mutex::default()).collect(),
            selected: AtomicU32::new(NONE),
            forward: Mutex::new(None),
            json: json.then(|| {
                Mutex::new(JsonOut {
                    out: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
                    line: Vec::with_capacity(512),
                    style: crate::headless::JsonStyle::preview(std::time::SystemTime::now()),
                    error: None,
                })
            }),
            metrics,
        }
    }

    /// How many clients.
    pub fn clients(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Remembers a started client's command channel.
    pub fn set_commands(&self, client: u32, commands: mpsc::Sender<Command>) {
        if let Some(slot) = self.slots.get(client as usize) {
            lock(slot).commands = Some(commands);
        }
    }

    /// Sends `command` to one client without waiting; false when it is
    /// not running (not started yet, or ended).
    pub fn command(&self, client: u32, command: Command) -> bool {
        let Some(slot) = self.slots.get(client as usize) else {
            return false;
        };
        let tx = lock(slot).commands.clone();
        match tx {
            Some(tx) => match tx.try_send(command) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(command)) => {
                    tokio::spawn(async move { tx.send(command).await.is_ok() });
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            },
            None => false,
        }
    }

    /// Sends `command` to every running client.
    pub fn command_all(&self, command: &Command) {
        for client in 0..self.clients() {
            self.command(client, command.clone());
        }
    }

    /// The client's engine's time zero, once it started.
    pub fn client_epoch(&self, client: u32) -> Option<Instant> {
        let slot = self.slots.get(client as usize)?;
        lock(slot).started.map(|d| self.start + d)
    }

    /// Makes `client` the selected one: its recent lifecycle events, then
    /// everything it reports from now on, go to `tx` (until [`Self::deselect`]).
    pub fn select(&self, client: u32, tx: mpsc::UnboundedSender<EngineEvent>) {
        let Some(slot) = self.slots.get(client as usize) else {
            return;
        };
        // Under the client's lock, so no event falls between the replay and
        // the forwarding.
        let slot = lock(slot);
        for event in &slot.recent {
            let _ = tx.send(event.clone());
        }
        *lock(&self.forward) = Some(tx);
        self.selected.store(client, Ordering::SeqCst);
    }

    /// No client is selected any more.
    pub fn deselect(&self) {
        self.selected.store(NONE, Ordering::SeqCst);
        *lock(&self.forward) = None;
    }

    /// Writes a record (a summary) to the `--json` output.
    pub fn json_record(&self, line: &[u8]) -> io::Result<()> {
        match &self.json {
            Some(out) => {
                let mut out = lock(out);
                out.write_line(line)?;
                out.flush()
            }
            None => Ok(()),
        }
    }

    /// The first `--json` write error, if any.
    pub fn json_error(&self) -> Option<io::ErrorKind> {
        self.json.as_ref().and_then(|j| lock(j).error)
    }
}

/// The sink of one client.
pub struct ClientSink {
    client: u32,
    /// Its engine's time zero on the fleet's clock.
    offset: Duration,
    board: Arc<Board>,
    facts: mpsc::UnboundedSender<Fact>,
    open: bool,
    /// The announced due time of the next attempt (its own clock, ms).
    due_ms: Option<f64>,
    track: Track,
}

impl ClientSink {
    /// The sink of `client`, whose engine starts now.
    pub fn new(client: u32, board: Arc<Board>, facts: mpsc::UnboundedSender<Fact>) -> Self {
        let offset = board.start.elapsed();
        if let Some(slot) = board.slots.get(client as usize) {
            lock(slot).started = Some(offset);
        }
        Self {
            client,
            offset,
            board,
            facts,
            open: false,
            due_ms: None,
            track: Track::default(),
        }
    }

    fn fact(&self, t: Duration, what: What) {
        let _ = self.facts.send(Fact {
            client: self.client,
            t: self.offset + t,
            what,
        });
    }

    /// The event on the fleet's clock, for `--json` (`t_ms` and `due_t_ms`
    /// count from the fleet's start, as for a single run).
    fn write_json(&self, event: &EngineEvent) -> io::Result<()> {
        let Some(out) = &self.board.json else {
            return Ok(());
        };
        let mut shifted = event.clone();
        shifted.t += self.offset;
        let off_ms = self.offset.as_secs_f64() * 1000.0;
        match &mut shifted.kind {
            EventKind::Reconnect { due_t_ms, .. } => *due_t_ms += off_ms,
            EventKind::Resumed {
                due_t_ms: Some(due),
            } => *due += off_ms,
            _ => {}
        }
        let mut guard = lock(out);
        let out = &mut *guard;
        out.line.clear();
        write_json(&mut out.line, &shifted, &out.style)?;
        let mut prefix = format!("{{\"client\":{},", self.client).into_bytes();
        prefix.extend_from_slice(out.line.get(1..).unwrap_or_default());
        let r = out.out.write_all(&prefix);
        out.note(r)
    }

    fn lifecycle(&mut self, event: &EngineEvent) {
        let t = event.t;
        match &event.kind {
            EventKind::Connecting { attempt, .. } => {
                let late_ms = self.due_ms.take().map(|due| event.t_ms() - due);
                self.fact(
                    t,
                    What::Connecting {
                        attempt: *attempt,
                        late_ms,
                    },
                );
            }
            EventKind::Open { handshake_ms, .. } => {
                self.open = true;
                self.fact(
                    t,
                    What::Open {
                        handshake_ms: *handshake_ms,
                    },
                );
            }
            EventKind::Close(info) => {
                let ended = Ended::of(info, self.open);
                self.open = false;
                self.fact(t, What::Closed(ended));
            }
            EventKind::Reconnect {
                delay_ms,
                window_ms,
                due_t_ms,
                ..
            } => {
                self.due_ms = Some(*due_t_ms);
                let due = self.offset + Duration::from_secs_f64(due_t_ms.max(0.0) / 1000.0);
                let _ = self.facts.send(Fact {
                    client: self.client,
                    t: self.offset + t,
                    what: What::Reconnect {
                        delay_ms: *delay_ms,
                        window_ms: *window_ms,
                        due,
                    },
                });
            }
            EventKind::GiveUp { .. } => self.fact(t, What::GaveUp),
            _ => {}
        }
    }
}

impl EventSink for ClientSink {
    fn event(&mut self, event: &EngineEvent) -> io::Result<()> {
        let frame = matches!(
            event.kind,
            EventKind::Message { .. } | EventKind::Ping { .. } | EventKind::Pong { .. }
        );
        if !frame {
            self.lifecycle(event);
        }
        if let Some(metrics) = &self.board.metrics {
            self.track.see(metrics, event);
        }
        self.write_json(event)?;
        let selected = self.board.selected.load(Ordering::Relaxed) == self.client;
        if !frame || selected {
            let Some(slot) = self.board.slots.get(self.client as usize) else {
                return Ok(());
            };
            let mut slot = lock(slot);
            if !frame {
                if slot.recent.len() == RECENT {
                    slot.recent.pop_front();
                }
                slot.recent.push_back(event.clone());
            }
            if self.board.selected.load(Ordering::SeqCst) == self.client
                && let Some(tx) = lock(&self.board.forward).as_ref()
            {
                let _ = tx.send(event.clone());
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &self.board.json {
            Some(out) => lock(out).flush(),
            None => Ok(()),
        }
    }
}
