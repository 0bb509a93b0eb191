//! `wsprobe watch` and `--metrics`: their flags as checked values.

use std::time::Duration;

use crate::cli::{MetricsArgs, WatchArgs};
use crate::usage::UsageError;

/// The most clients one `wsprobe watch` runs.
pub const MAX_CLIENTS: u32 = 1_000_000;

/// `wsprobe watch`'s flags as checked values: the client count, the ramp,
/// the summary period, the seed, and each client's settings (`url` a
/// placeholder for the demo, whose server starts later).
pub fn watch_config(args: &WatchArgs) -> Result<crate::watch::WatchConfig, UsageError> {
    let demo = args.url.is_none();
    let clients = args.clients.unwrap_or(if demo { 500 } else { 100 });
    if clients == 0 || clients > MAX_CLIENTS {
        return Err(UsageError::new(format!(
            "--clients {clients}: give 1 to {MAX_CLIENTS} clients, e.g. --clients 500"
        )));
    }
    let url = args.url.as_deref().unwrap_or("ws://127.0.0.1/deploy");
    let settings = super::settings(url, &args.connect)?;
    let summary_every = args.summary_every.map_or(Duration::from_secs(1), |d| d.0);
    if summary_every < Duration::from_millis(10) {
        return Err(UsageError::new(
            "--summary-every must be at least 10ms (e.g. 1s)",
        ));
    }
    if args.output.history == Some(0) {
        return Err(UsageError::new("--history must be at least 1"));
    }
    let format = if args.output.json {
        Some(crate::headless::Format::Json)
    } else if args.output.headless {
        Some(crate::headless::Format::Human)
    } else {
        None
    };
    let tui = if format.is_none() {
        Some(super::tui_options(&args.output)?)
    } else {
        None
    };
    Ok(crate::watch::WatchConfig {
        seed: args
            .connect
            .seed
            .unwrap_or_else(crate::engine::policy::random_seed),
        settings,
        demo,
        clients,
        ramp: args.ramp.map_or(Duration::ZERO, |d| d.0),
        summary_every,
        format,
        tui,
        metrics: metrics(&args.metrics)?,
    })
}

/// `--metrics ADDR` bound now (so a port in use is a usage error before
/// anything starts), with the `--instance` label.
pub fn metrics(args: &MetricsArgs) -> Result<Option<crate::watch::MetricsConfig>, UsageError> {
    let Some(addr) = &args.metrics else {
        if args.instance.is_some() {
            return Err(UsageError::new(
                "--instance labels the metrics: give --metrics ADDR too, e.g. --metrics 127.0.0.1:9464",
            ));
        }
        return Ok(None);
    };
    let instance = args
        .instance
        .clone()
        .unwrap_or_else(crate::metrics::default_instance);
    if instance.is_empty() {
        return Err(UsageError::new("--instance must not be empty"));
    }
    Ok(Some(crate::watch::MetricsConfig {
        server: crate::metrics::bind(addr)?,
        instance,
    }))
}
