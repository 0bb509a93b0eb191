//! `wsprobe serve`: the scenario server on its own, for people testing their
//! own clients. The output goes through a callback so that only `main`
//! writes to stdout.

use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;

use anyhow::Context as _;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::{DemoServer, ServerConfig};
use crate::duration::Stamp;

#[cfg(test)]
mod tests {
    #[test]
    fn storm_lines_count_the_bucket() {
        assert_eq!(super::storm_line((5, 1), (5, 1)), None);
        let line = super::storm_line((5, 1), (25, 3)).unwrap_or_default();
        assert!(
            line.contains("22 in 100 ms") && line.contains("220/s"),
            "{line}"
        );
        assert!(line.contains("20 answered 101, 2 refused ███"), "{line}");
    }
}

/// A listening address the server cannot have: the user's choice of
/// `--port` or `--bind`, so the message says what to pick instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BindError(pub String);

/// Runs `wsprobe serve` until `stop` resolves (main passes Ctrl-C/SIGTERM).
/// `out` receives each line to print: first the base URL and the scenario
/// menu, then one line per connection event, prefixed with the seconds since
/// start. A port that is in use (or not ours to bind) is a [`BindError`].
pub async fn run_serve<S, F>(cfg: ServerConfig, stop: S, mut out: F) -> anyhow::Result<()>
where
    S: Future<Output = ()>,
    F: FnMut(&str) -> anyhow::Result<()>,
{
    let bind = cfg.bind;
    let server = DemoServer::start(cfg)
        .await
        .map_err(|e| bind_error(bind, &e))?;
    let mut log = server.subscribe_log();
    let started = Instant::now();
    out(&format!(
        "wsprobe scenario server listening on {}",
        server.url("")
    ))?;
    if bind.ip().is_unspecified() {
        out(&format!(
            "(bound to {}: reachable from other machines too)",
            bind.ip()
        ))?;
    }
    out("")?;
    out(&format!("Paths (append to {}):", server.url("")))?;
    for line in server.menu().lines() {
        out(line)?;
    }
    out("")?;
    out("One line per connection follows (the fleet paths print their waves instead), and")?;
    out("for every 100 ms with handshakes, how many the server saw. Ctrl-C stops the server.")?;
    tokio::pin!(stop);
    // The server's view of a reconnect storm: handshakes per 100 ms. The
    // counters are read on a 100 ms beat; a quiet beat prints nothing.
    let mut beat = tokio::time::interval(STORM_BUCKET);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = server.handshakes();
    let result = loop {
        tokio::select! {
            biased;
            () = &mut stop => break Ok(()),
            _ = beat.tick() => {
                let now = server.handshakes();
                let line = storm_line(seen, now);
                seen = now;
                if let Some(line) = line {
                    let printed = out(&format!("{} {line}", Stamp(started.elapsed())));
                    if let Err(e) = printed {
                        break Err(e);
                    }
                }
            }
            line = log.recv() => {
                let text = match line {
                    Ok(text) => text,
                    Err(RecvError::Lagged(n)) => format!("({n} log lines skipped: too many at once)"),
                    Err(RecvError::Closed) => break Ok(()),
                };
                // Lines quote what clients sent (paths, close reasons): escape them.
                let text = crate::text::escape(&text);
                let printed = out(&format!("{} {text}", Stamp(started.elapsed())));
                if let Err(e) = printed {
                    break Err(e);
                }
            }
        }
    };
    server.shutdown().await;
    if result.is_ok() {
        out("stopped")?;
    }
    result.context("cannot print the server log")
}

/// The width of one storm bucket.
const STORM_BUCKET: std::time::Duration = std::time::Duration::from_millis(100);

/// One line for a 100 ms bucket with handshakes: how many, split into
/// accepted and refused, with a bar (one block per 10 handshakes, at most 50).
fn storm_line(before: (u64, u64), now: (u64, u64)) -> Option<String> {
    let ok = now.0.saturating_sub(before.0);
    let refused = now.1.saturating_sub(before.1);
    let all = ok + refused;
    if all == 0 {
        return None;
    }
    let bar = "█".repeat(all.div_ceil(10).min(50) as usize);
    Some(format!(
        "handshakes {all:>5} in 100 ms ({:>6}/s): {ok} answered 101, {refused} refused {bar}",
        all * 10
    ))
}

/// Turns a bind failure into a message that says what to do.
fn bind_error(addr: SocketAddr, e: &std::io::Error) -> anyhow::Error {
    let port = addr.port();
    match e.kind() {
        ErrorKind::AddrInUse => BindError(format!(
            "port {port} is in use; pick another with --port or use --port 0"
        ))
        .into(),
        ErrorKind::PermissionDenied => BindError(format!(
            "not allowed to listen on port {port} (ports below 1024 need privileges); \
             pick another with --port or use --port 0"
        ))
        .into(),
        ErrorKind::AddrNotAvailable => BindError(format!(
            "cannot listen on {}: that address is not on this machine; use --bind 127.0.0.1 or 0.0.0.0",
            addr.ip()
        ))
        .into(),
        _ => anyhow::Error::new(std::io::Error::new(e.kind(), e.to_string()))
            .context(format!("cannot listen on {addr}")),
    }
}
