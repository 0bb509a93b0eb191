//! `wsprobe watch`: many clients at once against one endpoint, each its
//! own engine with the same settings and its own jitter seed, on one
//! multi-threaded runtime. The views aggregate what the engines decided —
//! close codes with their trigger and class, reconnects with their delay,
//! window and due time — and never decide anything themselves.
//!
//! ```text
//! engine (×N) ──ClientSink──► Fact channel ──► FleetState ──► screen / headless lines
//!                  │  └──► --json lines, metrics, the selected client's events
//! ```

pub mod fact;
pub mod fleet;
pub mod headless;
pub mod limits;
pub mod report;
pub mod sink;
pub mod state;
pub mod tui;
pub mod ui;
pub mod view;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::mpsc;

use crate::demo_server::{DemoServer, ServerConfig};
use crate::engine::settings::Settings;
use crate::engine::target;
use crate::headless::Format;
use crate::metrics::{Metrics, MetricsServer};
use crate::tui::TuiOptions;

pub use fleet::{Fleet, FleetEnd, Plan};
pub use sink::Board;

/// The path the demo's clients connect to.
pub const DEMO_PATH: &str = "/deploy";

/// `--metrics` bound, with its `instance` label.
#[derive(Debug)]
pub struct MetricsConfig {
    /// The bound socket.
    pub server: MetricsServer,
    /// The label.
    pub instance: String,
}

/// A checked `wsprobe watch` (see [`crate::config::watch_config`]).
#[derive(Debug)]
pub struct WatchConfig {
    /// Every client's settings; for the demo the URL is replaced once the
    /// built-in server runs.
    pub settings: Settings,
    /// No URL was given: run the built-in server's `/deploy`.
    pub demo: bool,
    /// How many clients.
    pub clients: u32,
    /// Spread the first connections over this long.
    pub ramp: Duration,
    /// With `--json`: a summary this often.
    pub summary_every: Duration,
    /// The run's seed.
    pub seed: u64,
    /// Headless, or the screen when `None`.
    pub format: Option<Format>,
    /// The screen's options.
    pub tui: Option<TuiOptions>,
    /// `--metrics`.
    pub metrics: Option<MetricsConfig>,
}

impl WatchConfig {
    /// Open files each client needs: two when the server is in this process.
    pub fn files_per_client(&self) -> u64 {
        if self.demo { 2 } else { 1 }
    }
}

/// The scenario server of the demo: a deploy every 12 s, 3 s of downtime.
pub fn demo_server_config() -> ServerConfig {
    ServerConfig {
        phase: Duration::from_secs(12),
        restart_downtime: Duration::from_secs(3),
        ..ServerConfig::local()
    }
}

/// Runs the fleet (headless or on the screen) until every client has ended
/// or `stop` resolves; true when no client ended without success.
pub async fn run(cfg: WatchConfig, stop: impl Future<Output = ()>) -> anyhow::Result<bool> {
    let WatchConfig {
        mut settings,
        demo,
        clients,
        ramp,
        summary_every,
        seed,
        format,
        tui,
        metrics,
    } = cfg;
    // Held for the whole run: the demo's endpoint.
    let _server = if demo {
        let server = DemoServer::start(demo_server_config())
            .await
            .context("cannot start the built-in scenario server")?;
        settings.url = target::normalize_url(&server.url(DEMO_PATH))?;
        Some(server)
    } else {
        None
    };
    let metrics = match metrics {
        Some(m) => {
            let recorder = Arc::new(Metrics::new(&m.instance, u64::from(clients)));
            let task = m
                .server
                .spawn(recorder.clone())
                .context("cannot serve --metrics")?;
            Some((recorder, task))
        }
        None => None,
    };
    let url = target::redact_url(&settings.url, settings.show_secrets);
    let header = format!(
        "wsprobe watch: {clients} clients · {url} · seed {seed} (pass --seed {seed} to repeat)"
    );
    let board = Arc::new(Board::new(
        clients,
        format == Some(Format::Json),
        metrics.as_ref().map(|(m, _)| m.clone()),
    ));
    let (tx, rx) = mpsc::unbounded_channel();
    let plan = Plan {
        settings,
        clients,
        ramp,
        seed,
    };
    let fleet = Fleet::start(plan, board, tx);
    let end = match (format, tui) {
        (Some(format), _) => headless::run(fleet, rx, format, summary_every, &header, stop).await?,
        (None, Some(opts)) => tui::run(fleet, rx, opts, header, stop).await?,
        (None, None) => anyhow::bail!("no output chosen"),
    };
    if let Some((_, task)) = metrics {
        task.abort();
    }
    Ok(end.failed == 0)
}
