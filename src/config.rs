//! Turns the command line (and the policy file it names) into validated
//! engine [`Settings`]. Precedence: flags, then the policy file, then defaults.

use std::path::Path;
use std::time::Duration;

use crate::cli::{ConnectArgs, MetricsArgs, OutputArgs, ServeArgs, WatchArgs};
use crate::demo_server::{Scenario, ServerConfig};
use crate::duration::format_duration;
use crate::engine::policy::{Policy, Preset};
use crate::engine::settings::Settings;

use crate::app::DEFAULT_HISTORY;
use crate::engine::target;
use crate::theme::{self, Theme};
use crate::tui::TuiOptions;
use crate::usage::UsageError;

/// Builds the engine settings for `url` from the connection flags.
pub fn settings(url: &str, args: &ConnectArgs) -> Result<Settings, UsageError> {
    let url = target::normalize_url(url)?;
    let mut policy = load_policy(args.policy.as_deref())?;
    if let Some(name) = &args.preset {
        apply_preset(&mut policy, name)?;
    }
    if let Some(d) = args.ping_interval {
        policy.ping_interval = positive(d.0, "--ping-interval")?;
    }
    if let Some(d) = args.ping_timeout {
        policy.ping_timeout = positive(d.0, "--ping-timeout")?;
    }
    if policy.ping_timeout <= policy.ping_interval {
        // Otherwise a quiet but healthy connection is declared dead before
        // the ping that would have kept it alive is even sent.
        return Err(UsageError::new(format!(
            "the ping timeout ({}) must be longer than the ping interval ({}); \
             e.g. --ping-interval 15s --ping-timeout 30s",
            format_duration(policy.ping_timeout),
            format_duration(policy.ping_interval)
        )));
    }
    if args.reconnect_on_normal {
        policy.reconnect_on_normal = true;
    }
    let headers = args
        .headers
        .iter()
        .map(|h| target::parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    for p in &args.protocols {
        if p.is_empty() || p.bytes().any(|b| !b.is_ascii_graphic() || b == b',') {
            return Err(UsageError::new(format!(
                "--protocol `{p}` is not a valid subprotocol name (printable ASCII without commas or spaces)"
            )));
        }
    }
    if let Some(path) = &args.cacert
        && !path.is_file()
    {
        return Err(UsageError::new(format!(
            "--cacert {}: no such file; give the path of a PEM CA certificate",
            path.display()
        )));
    }
    if args.max_attempts == Some(0) {
        return Err(UsageError::new("--max-attempts must be at least 1"));
    }
    if args.max_message_size == Some(0) {
        return Err(UsageError::new(
            "--max-message-size must be at least 1 byte",
        ));
    }
    let mut s = Settings::new(url);
    s.headers = headers;
    s.protocols.clone_from(&args.protocols);
    s.origin.clone_from(&args.origin);
    if let Some(d) = args.connect_timeout {
        s.connect_timeout = positive(d.0, "--connect-timeout")?;
    }
    if let Some(m) = args.max_message_size {
        s.max_message_size = m;
    }
    s.insecure = args.insecure;
    s.cacert.clone_from(&args.cacert);
    s.send.clone_from(&args.send);
    s.policy = policy;
    s.max_attempts = args.max_attempts;
    s.no_reconnect = args.no_reconnect;
    s.duration = args.duration.map(|d| d.0);
    s.seed = args.seed;
    s.show_secrets = args.show_secrets;
    Ok(s)
}

/// Loads `--policy FILE` (or the defaults); a bad file is a usage error
/// that names file, line and key and says where to start from.
pub fn load_policy(path: Option<&Path>) -> Result<Policy, UsageError> {
    let mut policy = crate::engine::policy::file::load(path).map_err(|e| {
        UsageError::new(format!(
            "bad policy file {e}\n  (see `wsprobe policy show` for a valid file to start from)"
        ))
    })?;
    // A preset that changes numbers (no-jitter) takes effect here, so every
    // mode, `policy show` and `policy simulate` see the same policy.
    if let Some(preset) = policy.preset {
        policy.classes = preset.apply(&policy.classes);
    }
    Ok(policy)
}

/// `--preset NAME`: `no-jitter` takes the jitter out of the policy's
/// classes (keeping a preset the policy file chose for its codes); the
/// code presets replace the file's preset.
fn apply_preset(policy: &mut Policy, name: &str) -> Result<(), UsageError> {
    let Some(preset) = Preset::from_key(name) else {
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.key()).collect();
        return Err(UsageError::new(format!(
            "--preset {}: no such preset; use one of {}",
            crate::text::escape(name),
            names.join(", ")
        )));
    };
    policy.classes = preset.apply(&policy.classes);
    if preset != Preset::NoJitter || policy.preset.is_none() {
        policy.preset = Some(preset);
    }
    Ok(())
}

fn positive(d: Duration, flag: &str) -> Result<Duration, UsageError> {
    if d.is_zero() {
        Err(UsageError::new(format!(
            "{flag} must be above zero (e.g. 5s)"
        )))
    } else {
        Ok(d)
    }
}

/// The scenario server's configuration from `wsprobe serve`'s flags; a bad
/// `--scenario` is a usage error.
pub fn serve_config(args: &ServeArgs) -> Result<ServerConfig, UsageError> {
    let default_scenario: Scenario = args.scenario.parse().map_err(|e| {
        UsageError::new(format!(
            "--scenario {}: {e}; use a name (echo, normal, going-away, restart, overload, \
             drop, silent, flood, cycle) or a path such as close/4000 or reject/503",
            crate::text::escape(&args.scenario)
        ))
    })?;
    Ok(ServerConfig {
        bind: std::net::SocketAddr::new(args.bind, args.port),
        default_scenario,
        restart_downtime: args.restart_downtime.0,
        overload_window: args.overload_window.0,
        retry_after: args.retry_after.0,
        phase: args.phase.0,
        ..ServerConfig::local()
    })
}

/// The TUI's options from the command line: `--theme` (a file, a name in
/// the config dir, or a built-in; `NO_COLOR` picks `mono` when no theme is
/// named) and `--history`. A bad theme or a zero history is a usage error.
pub fn tui_options(args: &OutputArgs) -> Result<TuiOptions, UsageError> {
    let usage = |e: theme::ThemeError| UsageError::new(e.to_string());
    let chosen = theme::select(
        args.theme.as_deref(),
        theme::no_color_requested(),
        &theme::search_dirs(),
    )
    .map_err(usage)?;
    let mut themes = Theme::builtins().map_err(usage)?;
    let theme = if let Some(i) = themes.iter().position(|t| *t == chosen) {
        i
    } else {
        themes.push(chosen);
        themes.len() - 1
    };
    let history = args.history.unwrap_or(DEFAULT_HISTORY);
    if history == 0 {
        return Err(UsageError::new(
            "--history must be at least 1 (the default keeps 100000 events)",
        ));
    }
    Ok(TuiOptions {
        themes,
        theme,
        history,
    })
}

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
    let settings = settings(url, &args.connect)?;
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
        Some(tui_options(&args.output)?)
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
