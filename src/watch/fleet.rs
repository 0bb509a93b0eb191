//! The fleet runner: N engines on the current (multi-threaded) runtime, each
//! with the same settings and its own jitter seed, started over `--ramp`,
//! each writing into its own [`ClientSink`]. It reports each client's start
//! and end as facts and stops the fleet on request.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::fact::{Fact, What, client_seed};
use super::sink::{Board, ClientSink};
use crate::engine::connection::{self, RunEnd};
use crate::engine::event::Command;
use crate::engine::settings::Settings;

/// The read buffer of each client's connection: small, because there are
/// thousands of them (it grows for a larger message).
pub const CLIENT_READ_BUFFER: usize = 4 * 1024;

/// What a fleet run is.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every client's settings (the seed is replaced per client).
    pub settings: Settings,
    /// How many clients.
    pub clients: u32,
    /// The first connections are spread over this long.
    pub ramp: Duration,
    /// The run's seed; client `i` uses [`client_seed`]`(seed, i)`.
    pub seed: u64,
}

/// How the fleet's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FleetEnd {
    /// Clients whose run ended without success.
    pub failed: u32,
    /// Clients that ran at all.
    pub started: u32,
}

/// A running fleet.
#[derive(Debug)]
pub struct Fleet {
    /// What the clients share (selection, commands, outputs).
    pub board: Arc<Board>,
    stop: watch::Sender<Option<u16>>,
    /// The runner; ends when every client has ended.
    pub task: JoinHandle<FleetEnd>,
}

impl Fleet {
    /// Starts the clients (over the ramp); facts go to `facts`.
    pub fn start(plan: Plan, board: Arc<Board>, facts: mpsc::UnboundedSender<Fact>) -> Fleet {
        let (stop, stop_rx) = watch::channel(None);
        let task = tokio::spawn(run(plan, board.clone(), facts, stop_rx));
        Fleet { board, stop, task }
    }

    /// Ends every client: connected ones close with `code`; clients not
    /// started yet never start.
    pub fn stop(&self, code: u16) {
        self.stop.send_replace(Some(code));
    }
}

async fn run(
    plan: Plan,
    board: Arc<Board>,
    facts: mpsc::UnboundedSender<Fact>,
    mut stop: watch::Receiver<Option<u16>>,
) -> FleetEnd {
    let n = plan.clients;
    let start = board.start;
    let mut ends = FuturesUnordered::new();
    let mut next: u32 = 0;
    let mut stopping: Option<u16> = None;
    let mut end = FleetEnd::default();
    loop {
        let due = (next < n && stopping.is_none()).then(|| {
            let share = plan.ramp.mul_f64(f64::from(next) / f64::from(n.max(1)));
            start + share
        });
        if due.is_none() && ends.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            changed = stop.changed(), if stopping.is_none() => {
                let code = if changed.is_ok() { (*stop.borrow()).unwrap_or(1000) } else { 1000 };
                stopping = Some(code);
                board.command_all(&Command::Quit { code });
            }
            Some((client, result)) = ends.next(), if !ends.is_empty() => {
                let result: Result<RunEnd, tokio::task::JoinError> = result;
                let success = result.is_ok_and(|r| r.success);
                if !success {
                    end.failed += 1;
                    if let Some(m) = &board.metrics {
                        m.gave_up();
                    }
                }
                let _ = facts.send(Fact { client, t: start.elapsed(), what: What::Ended { success } });
            }
            () = crate::duration::until(due), if due.is_some() => {
                // Start every client that is due now in one go.
                let now = tokio::time::Instant::now();
                while next < n && start + plan.ramp.mul_f64(f64::from(next) / f64::from(n)) <= now {
                    if let Some(handle) = launch(&plan, &board, &facts, next) {
                        ends.push(async move { (next, handle.await) });
                        end.started += 1;
                    } else {
                        end.failed += 1;
                    }
                    next += 1;
                }
            }
        }
    }
    end
}

/// Starts client `client`; `None` when its engine cannot start (reported
/// as an ended client).
fn launch(
    plan: &Plan,
    board: &Arc<Board>,
    facts: &mpsc::UnboundedSender<Fact>,
    client: u32,
) -> Option<JoinHandle<RunEnd>> {
    let mut settings = plan.settings.clone();
    settings.seed = Some(client_seed(plan.seed, client));
    settings.interactive = false;
    settings.read_buffer_size = CLIENT_READ_BUFFER;
    let sink = ClientSink::new(client, board.clone(), facts.clone());
    let t = board.start.elapsed();
    let _ = facts.send(Fact {
        client,
        t,
        what: What::Launched,
    });
    match connection::spawn_with_sink(settings, Box::new(sink)) {
        Ok(handle) => {
            board.set_commands(client, handle.commands);
            Some(handle.task)
        }
        Err(e) => {
            tracing::warn!(client, "cannot start: {e}");
            let _ = facts.send(Fact {
                client,
                t,
                what: What::Ended { success: false },
            });
            None
        }
    }
}
