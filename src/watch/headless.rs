//! `watch --headless` (a line of counts per second, a report table at the
//! end) and `watch --json` (every client's events with a `client` field,
//! written by the sinks, plus a `summary` record every `--summary-every`
//! and one at the end).

use std::future::Future;
use std::io::{self, Write as _};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::fact::Fact;
use super::fleet::{Fleet, FleetEnd};
use super::report;
use super::state::FleetState;
use crate::headless::Format;

/// Facts folded in before the loop looks at its timer again.
const BATCH: usize = 4096;

/// Runs the fleet headless until every client has ended (or `stop`
/// resolves: the clients close with 1001 first). `header` opens the report.
pub async fn run(
    fleet: Fleet,
    mut facts: mpsc::UnboundedReceiver<Fact>,
    format: Format,
    every: Duration,
    header: &str,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<FleetEnd> {
    let board = fleet.board.clone();
    let start = board.start;
    let mut state = FleetState::new(board.clients());
    let period = match format {
        Format::Json => every.max(Duration::from_millis(10)),
        Format::Human | Format::Quiet => Duration::from_secs(1),
    };
    let mut next = start + period;
    let mut seq = 0u64;
    let mut stopping = false;
    let mut out = io::stdout();
    tokio::pin!(stop);
    let mut quiet = false;
    loop {
        tokio::select! {
            biased;
            () = &mut stop, if !stopping => {
                stopping = true;
                fleet.stop(1001);
            }
            fact = facts.recv() => {
                let Some(fact) = fact else { break };
                state.apply(&fact);
                for _ in 0..BATCH {
                    match facts.try_recv() {
                        Ok(f) => state.apply(&f),
                        Err(_) => break,
                    }
                }
            }
            () = sleep_until(next) => {
                let t = next.saturating_duration_since(start);
                state.advance(t);
                next += period;
                let written = match format {
                    Format::Human | Format::Quiet => writeln!(out, "{}", report::second_line(&state, t)),
                    Format::Json => {
                        let mut line = report::summary_json(&state, seq, t, false).to_string();
                        seq += 1;
                        line.push('\n');
                        board.json_record(line.as_bytes())
                    }
                };
                if written.is_err() && !stopping {
                    // Nobody reads any more (`| head`): end the run quietly.
                    quiet = true;
                    stopping = true;
                    fleet.stop(1001);
                }
            }
        }
    }
    let t = Instant::now().saturating_duration_since(start);
    state.advance(t);
    let end = fleet.task.await.unwrap_or_default();
    if quiet {
        return Ok(end);
    }
    let written = match format {
        Format::Human | Format::Quiet => write!(out, "{}", report::final_table(&state, header)),
        Format::Json => {
            let mut line = report::summary_json(&state, seq, t, true).to_string();
            line.push('\n');
            board.json_record(line.as_bytes())
        }
    };
    match written {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(anyhow::anyhow!(
            "cannot write to stdout: {e}; the run was stopped"
        )),
        _ => Ok(end),
    }
}
