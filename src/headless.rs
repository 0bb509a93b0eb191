//! Headless modes: `--json` (one SPEC §2 object per line) and `--headless`
//! (one readable line per event). Lines are written from the engine's own
//! task and flushed whenever the engine is about to wait (and at once for
//! everything but frames), so a reader never waits for a line that happened.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

mod human;
mod json;
mod session;

pub use human::write_human;
pub use json::{JsonStyle, write_json};
pub use session::{SessionRecord, write_session};

use crate::engine::clock::Clock;
use crate::engine::connection::{self, RunEnd};
use crate::engine::emit::EventSink;
use crate::engine::event::{Command, EngineEvent, EventKind};
use crate::engine::settings::Settings;

/// Which headless format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines.
    Json,
    /// Human-readable lines.
    Human,
    /// Human-readable lines for errors and the final line only (`-q`).
    Quiet,
}

/// How a headless run writes, besides the engine's settings.
pub struct Run {
    /// The format on stdout.
    pub format: Format,
    /// The run's clock (the wall time of `t = 0` gives `ts`).
    pub clock: Clock,
    /// Whether `--json` writes whole binary payloads (`--payload full`).
    pub whole_binary: bool,
    /// The `session` record `--json` starts with.
    pub session: SessionRecord,
    /// Sinks that see every event first (a recording).
    pub observers: Vec<Box<dyn EventSink>>,
    /// Send each line of standard input as a text message (`--stdin`).
    pub stdin: bool,
}

/// Runs the engine, writing each event to stdout from the engine's own task,
/// until the run ends; when `stop` resolves (Ctrl-C, SIGTERM) the engine
/// closes with 1001 (going away) first.
pub async fn run(
    settings: Settings,
    run: Run,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunEnd> {
    let mut sink = LineSink {
        out: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
        format: run.format,
        style: JsonStyle {
            wall: run.clock.wall,
            whole_binary: run.whole_binary,
        },
        line: Vec::with_capacity(256),
        session: None,
        broken_pipe: Arc::new(AtomicBool::new(false)),
        failed: Arc::new(Mutex::new(None)),
    };
    if run.format == Format::Json {
        let mut line = Vec::with_capacity(2048);
        write_session(&mut line, &run.session)?;
        sink.session = Some(line);
    }
    let broken_pipe = sink.broken_pipe.clone();
    let failed = sink.failed.clone();
    let mut observers = run.observers;
    let stdin = if run.stdin {
        let (gate, open) = crate::stdin::gate();
        observers.push(Box::new(gate));
        Some(open)
    } else {
        None
    };
    let handle =
        connection::spawn_with_sink_observed(settings, run.clock, Box::new(sink), observers)?;
    let commands = handle.commands.clone();
    let reader = stdin.map(|open| crate::stdin::forward(handle.commands.clone(), open));
    let signals = tokio::spawn(async move {
        stop.await;
        let _ = commands.send(Command::Quit { code: 1001 }).await;
    });
    let end = handle.task.await.unwrap_or(RunEnd { success: false });
    signals.abort();
    if let Some(reader) = reader {
        reader.abort();
    }
    // A reader that went away (`| head`) ends the run quietly.
    if broken_pipe.load(Ordering::Relaxed) {
        return Ok(RunEnd { success: true });
    }
    // Any other write failure (a full disk, a closed terminal) is said, not
    // swallowed: the events it lost are the user's.
    let write_error = failed.lock().ok().and_then(|mut e| e.take());
    if let Some(e) = write_error {
        return Err(anyhow::anyhow!(
            "cannot write the events to stdout: {e}; the run was stopped"
        ));
    }
    Ok(end)
}

/// Writes lines into a buffer the engine flushes when it is about to wait.
struct LineSink {
    out: io::BufWriter<io::Stdout>,
    format: Format,
    style: JsonStyle,
    line: Vec<u8>,
    /// The `session` line, written before the first event (not before the
    /// engine has started: settings it refuses leave stdout empty).
    session: Option<Vec<u8>>,
    broken_pipe: Arc<AtomicBool>,
    /// The first write error other than a closed pipe.
    failed: Arc<Mutex<Option<io::Error>>>,
}

impl LineSink {
    fn note(&self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            self.broken_pipe.store(true, Ordering::Relaxed);
        } else if let Ok(mut slot) = self.failed.lock()
            && slot.is_none()
        {
            *slot = Some(io::Error::new(e.kind(), e.to_string()));
        }
        e
    }
}

impl EventSink for LineSink {
    fn event(&mut self, event: &EngineEvent) -> io::Result<()> {
        if let Some(session) = self.session.take() {
            self.out.write_all(&session).map_err(|e| self.note(e))?;
        }
        self.line.clear();
        match self.format {
            Format::Json => write_json(&mut self.line, event, &self.style)?,
            Format::Human => write_human(&mut self.line, event)?,
            // `-q`: the engine reports everything; this view keeps only
            // errors and the line that ends the run.
            Format::Quiet => {
                if !matches!(
                    event.kind,
                    EventKind::Error { .. } | EventKind::GiveUp { .. }
                ) {
                    return Ok(());
                }
                write_human(&mut self.line, event)?;
            }
        }
        self.out.write_all(&self.line).map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| self.note(e))
    }
}
