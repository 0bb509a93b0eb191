//! `--stdin`: each line read from standard input becomes a text message,
//! sent through the engine's command channel once a connection is open.

use std::io;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::engine::emit::EventSink;
use crate::engine::event::{Command, EngineEvent, EventKind};

/// Watches the engine's events for whether a connection is open.
pub struct OpenGate(watch::Sender<bool>);

/// A gate and the receiver that follows it.
pub fn gate() -> (OpenGate, watch::Receiver<bool>) {
    let (tx, rx) = watch::channel(false);
    (OpenGate(tx), rx)
}

impl EventSink for OpenGate {
    fn event(&mut self, event: &EngineEvent) -> io::Result<()> {
        match event.kind {
            EventKind::Open { .. } => self.0.send_replace(true),
            EventKind::Close(_) => self.0.send_replace(false),
            _ => return Ok(()),
        };
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads standard input line by line and sends each line (without its line
/// end) as a text message, waiting for an open connection before each one.
/// Ends at the end of input, or when the engine is gone. A line that is not
/// UTF-8 cannot be a text message: it is skipped with a warning.
pub fn forward(commands: mpsc::Sender<Command>, mut open: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut input = BufReader::new(tokio::io::stdin());
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            match input.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            number += 1;
            if line.last() == Some(&b'\n') {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
            }
            let Ok(text) = String::from_utf8(std::mem::take(&mut line)) else {
                tracing::warn!(line = number, "stdin line is not UTF-8; it was not sent");
                continue;
            };
            if open.wait_for(|o| *o).await.is_err() {
                return;
            }
            if commands.send(Command::SendText(text)).await.is_err() {
                return;
            }
        }
    })
}
