//! The one place where command-line input becomes validated settings: the
//! flags, the environment (`WSPROBE_*`, `NO_COLOR`, …), a saved endpoint
//! (`@NAME`) and the config file are merged ([`layers::resolve`]: command
//! line > environment > endpoint > file > built-in), then checked and
//! turned into engine [`Settings`] and the TUI's options.
//!
//! - [`file`]: `config.toml`, which file is read, and its errors;
//! - [`endpoint`]: `[endpoint.NAME]`, `${VAR}` in headers, `wsprobe endpoints`;
//! - [`layers`]: the precedence, each value with its [`Source`];
//! - [`show`]: `wsprobe config show`.

use std::path::Path;
use std::time::Duration;

use crate::cli::{Cli, ColorWhen, ConfigArgs, ConnectArgs, OutputArgs, ServeArgs};
use crate::demo_server::{Scenario, ServerConfig};
use crate::duration::format_duration;
use crate::engine::policy::Policy;
use crate::engine::settings::Settings;
use crate::engine::target;
use crate::theme::{self, ColorDepth, Theme};
use crate::tui::TuiOptions;
use crate::usage::UsageError;

pub mod endpoint;
pub mod file;
pub mod layers;
mod session;
pub mod show;
pub mod source;
mod tui;
mod watch;

pub use file::{Choice, ConfigFile, LoadedFile};
pub use layers::{CliLayer, Resolved};
pub use session::{redact_command_line, session_record};
pub use source::{Env, Source, Sourced};
pub use tui::{DEMO_PING, demo_tweaks, recall_file};
pub use watch::{MAX_CLIENTS, metrics, watch_config};

/// The merged settings of one command, and the file they were read from.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which config file was chosen (it may not exist).
    pub choice: Choice,
    /// The config file, when one was read.
    pub file: Option<LoadedFile>,
    /// Every setting with its source.
    pub resolved: Resolved,
    /// The environment it was merged with (colour detection reads it too).
    pub env: Env,
}

impl Config {
    /// Reads the config file `config` chooses and merges it with `env` and
    /// the command line.
    pub fn load(cli: &CliLayer<'_>, config: &ConfigArgs, env: Env) -> Result<Config, UsageError> {
        let choice = Choice::pick(config.config.as_deref(), config.no_config, &env);
        let file = choice.load()?;
        let resolved = layers::resolve(cli, &env, &choice, file.as_ref())?;
        Ok(Config {
            choice,
            file,
            resolved,
            env,
        })
    }

    /// [`Config::load`] for the live command, with this process's environment.
    pub fn for_live(cli: &Cli) -> Result<Config, UsageError> {
        Config::load(&CliLayer::of(cli), &cli.general.config, Env::from_process())
    }

    /// Whether a URL (or `@NAME`) was given; without one the demo runs.
    pub fn has_url(&self) -> bool {
        self.resolved.url.is_some()
    }

    /// The engine settings: the merged values, plus the flags no file sets
    /// (`--send`, `--duration`, …) from `connect`. `demo` is the URL to use
    /// when none was given.
    pub fn settings(
        &self,
        connect: &ConnectArgs,
        demo: Option<&str>,
    ) -> Result<Settings, UsageError> {
        let r = &self.resolved;
        let url = match (&r.url, demo) {
            (Some(url), _) => target::normalize_url(&url.value).map_err(|e| match url.source {
                Source::Cli(_) => UsageError::from(e),
                ref other => other.complain(&e.to_string()),
            })?,
            (None, Some(demo)) => target::normalize_url(demo)?,
            (None, None) => {
                return Err(UsageError::new(
                    "no URL; give one like ws://localhost:8080/ws, or @NAME",
                ));
            }
        };
        let mut policy =
            load_policy(r.policy.value.as_deref()).map_err(|e| match &r.policy.source {
                Source::Cli(_) | Source::BuiltIn => e,
                other => UsageError::new(format!("{e}\n  (named by {})", other.place())),
            })?;
        if let Some(preset) = r.preset.value {
            // no-jitter takes the jitter out of the classes and keeps a code
            // preset the policy file chose; a code preset replaces the file's.
            policy.classes = preset.apply(&policy.classes);
            if preset != crate::engine::policy::Preset::NoJitter || policy.preset.is_none() {
                policy.preset = Some(preset);
            }
        }
        if let Some(d) = r.ping_interval.value {
            policy.ping_interval = positive(d, &r.ping_interval.source)?;
        }
        if let Some(d) = r.ping_timeout.value {
            policy.ping_timeout = positive(d, &r.ping_timeout.source)?;
        }
        if policy.ping_timeout <= policy.ping_interval {
            // Otherwise a quiet but healthy connection is declared dead before
            // the ping that would have kept it alive is even sent.
            return Err(UsageError::new(format!(
                "the ping timeout ({}, {}) must be longer than the ping interval ({}, {}); \
                 e.g. --ping-interval 15s --ping-timeout 30s",
                format_duration(policy.ping_timeout),
                ping_source(&r.ping_timeout.source, r.policy.value.as_deref()),
                format_duration(policy.ping_interval),
                ping_source(&r.ping_interval.source, r.policy.value.as_deref()),
            )));
        }
        if connect.reconnect_on_normal {
            policy.reconnect_on_normal = true;
        }
        for p in &r.protocols.value {
            if p.is_empty() || p.bytes().any(|b| !b.is_ascii_graphic() || b == b',') {
                return Err(r.protocols.source.complain(&format!(
                    "`{}` is not a valid subprotocol name (printable ASCII without commas or spaces)",
                    crate::text::escape(p)
                )));
            }
        }
        for (file, what) in [
            (&r.cacert, "a PEM CA certificate"),
            (&r.cert, "a PEM client certificate"),
            (&r.key, "the client certificate's PEM key"),
        ] {
            if let Some(path) = &file.value
                && !path.is_file()
            {
                return Err(file.source.complain(&format!(
                    "{}: no such file; give the path of {what}",
                    crate::text::escape(&path.display().to_string())
                )));
            }
        }
        if connect.max_attempts == Some(0) {
            return Err(UsageError::new("--max-attempts must be at least 1"));
        }
        let mut s = Settings::new(url);
        if let Some(d) = r.connect_timeout.value {
            s.connect_timeout = positive(d, &r.connect_timeout.source)?;
        }
        if let Some(m) = r.max_message_size.value {
            if m == 0 {
                return Err(r
                    .max_message_size
                    .source
                    .complain("must be at least 1 byte"));
            }
            s.max_message_size = m;
        }
        s.headers = r.headers.iter().map(|h| h.value.clone()).collect();
        if let Some(origin) = &r.origin.value {
            target::check_header_value("--origin", origin)?;
        }
        single_valued(&s.headers, r.origin.value.is_some(), &r.protocols.value)?;
        s.protocols.clone_from(&r.protocols.value);
        s.origin.clone_from(&r.origin.value);
        s.insecure = connect.insecure;
        s.cacert.clone_from(&r.cacert.value);
        s.send = connect
            .send
            .iter()
            .map(|v| crate::input::send_text(v))
            .collect::<Result<_, _>>()?;
        s.send_binary = connect
            .send_binary
            .iter()
            .map(|v| crate::input::send_binary(v))
            .collect::<Result<_, _>>()?;
        s.close_code = connect.close_code.unwrap_or(1000);
        s.close_reason = connect.close_reason.clone().unwrap_or_default();
        crate::input::close_code(s.close_code, &s.close_reason)?;
        s.policy = policy;
        s.max_attempts = connect.max_attempts;
        s.no_reconnect = connect.no_reconnect;
        s.duration = connect.duration.map(|d| d.0);
        // The seed is drawn here when not given, so a recording can tell it.
        s.seed = Some(
            connect
                .seed
                .unwrap_or_else(crate::engine::policy::random_seed),
        );
        s.show_secrets = connect.show_secrets;
        // How the endpoint is reached: the proxy (the merged value, else the
        // environment by curl's rules), credentials, cookies, the client
        // certificate.
        let env = |name: &str| self.env.get(name).map(str::to_string);
        s.proxy = crate::engine::proxy::env::choose(
            &s.url,
            r.proxy.value.as_deref(),
            connect.no_proxy,
            &env,
        )?;
        s.user = crate::credentials::user(connect.user.as_deref())?;
        s.cookies = crate::credentials::cookies(&connect.cookies)?;
        s.cert.clone_from(&r.cert.value);
        s.key.clone_from(&r.key.value);
        Ok(s)
    }

    /// How many colours the TUI uses: `--color` and its layers, then
    /// `COLORTERM` and `TERM` (`auto` on a `dumb` terminal: none).
    pub fn color_depth(&self) -> ColorDepth {
        match self.resolved.color.value {
            ColorWhen::Never => ColorDepth::Mono,
            ColorWhen::Auto if self.env.get("TERM") == Some("dumb") => ColorDepth::Mono,
            ColorWhen::Auto | ColorWhen::Always => {
                ColorDepth::detect(self.env.get("COLORTERM"), self.env.get("TERM"))
            }
        }
    }

    /// The TUI's options: the theme (a file, a name in the config dir, or a
    /// built-in; `mono` when colour is off and no theme is named) fitted
    /// to the colour depth, and the history. A bad theme or a zero history
    /// is a usage error that names where it was set.
    pub fn tui_options(&self) -> Result<TuiOptions, UsageError> {
        let r = &self.resolved;
        let depth = self.color_depth();
        let chosen = theme::select(
            r.theme.value.as_deref(),
            depth == ColorDepth::Mono,
            &theme::search_dirs(),
        )
        .map_err(|e| match &r.theme.source {
            Source::Cli(_) | Source::BuiltIn => UsageError::new(e.to_string()),
            other => other.complain(&e.to_string()),
        })?;
        let mut themes = Theme::builtins().map_err(|e| UsageError::new(e.to_string()))?;
        let theme = if let Some(i) = themes.iter().position(|t| *t == chosen) {
            i
        } else {
            themes.push(chosen);
            themes.len() - 1
        };
        if r.history.value == 0 {
            return Err(r
                .history
                .source
                .complain("must be at least 1 (the default keeps 100000 events)"));
        }
        // Without colours every theme keeps its attributes (reverse, bold,
        // dim), so the selection and the severities stay visible.
        let themes = themes
            .into_iter()
            .map(|t| {
                if depth == ColorDepth::Mono {
                    t.without_colour()
                } else {
                    t.at_depth(depth)
                }
            })
            .collect();
        let mut opts = TuiOptions::new(themes, theme, r.history.value);
        opts.mouse = r.mouse.value;
        opts.clock = match r.clock.value.as_deref() {
            Some("wall") => crate::app::Clock::Wall,
            _ => crate::app::Clock::Relative,
        };
        Ok(opts)
    }
}

/// Builds the engine settings for `url` from the connection flags and this
/// process's environment (`WSPROBE_*`, the proxy variables), without the
/// config file.
pub fn settings(url: &str, args: &ConnectArgs) -> Result<Settings, UsageError> {
    let layer = CliLayer {
        url: Some(url),
        connect: args,
        theme: None,
        history: None,
        color: None,
        clock: None,
        no_mouse: false,
    };
    let no_file = ConfigArgs {
        config: None,
        no_config: true,
    };
    Config::load(&layer, &no_file, Env::from_process())?.settings(args, None)
}

/// The TUI's options from the display flags and this process's environment
/// (`NO_COLOR`, `COLORTERM`, …), without the config file.
pub fn tui_options(args: &OutputArgs) -> Result<TuiOptions, UsageError> {
    let connect = ConnectArgs::default();
    let layer = CliLayer {
        url: None,
        connect: &connect,
        theme: args.theme.as_deref(),
        history: args.history,
        color: None,
        clock: args.clock.as_deref(),
        no_mouse: args.no_mouse,
    };
    let no_file = ConfigArgs {
        config: None,
        no_config: true,
    };
    Config::load(&layer, &no_file, Env::from_process())?.tui_options()
}

/// Loads `--policy FILE` (or the defaults); a bad file is a usage error
/// that names file, line and key and says where to start from. The
/// problem is quoted escaped: it may hold bytes of the file (an escape
/// sequence there must not retitle or clear the terminal).
pub fn load_policy(path: Option<&Path>) -> Result<Policy, UsageError> {
    let mut policy = crate::engine::policy::file::load(path).map_err(|e| {
        UsageError::new(format!(
            "bad policy file {}\n  (see `wsprobe policy show` for a valid file to start from)",
            crate::text::escape(&e.to_string())
        ))
    })?;
    // A preset that changes numbers (no-jitter) takes effect here, so every
    // mode, `policy show` and `policy simulate` see the same policy.
    if let Some(preset) = policy.preset {
        policy.classes = preset.apply(&policy.classes);
    }
    Ok(policy)
}

/// Headers that may appear once in the request: a second `-H Host`, or
/// `-H Origin` beside `--origin`, or `-H Sec-WebSocket-Protocol` beside
/// `--protocol`, would replace the other one without a word.
fn single_valued(
    headers: &[(String, String)],
    origin: bool,
    protocols: &[String],
) -> Result<(), UsageError> {
    let count = |name: &str| {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    };
    if count("host") > 1 {
        return Err(UsageError::new(
            "-H Host is given more than once; give it once",
        ));
    }
    let origins = count("origin") + usize::from(origin);
    if origins > 1 {
        return Err(UsageError::new(
            "the Origin header is given more than once (-H Origin, --origin); give it once",
        ));
    }
    if count("sec-websocket-protocol") > 0 && !protocols.is_empty() {
        return Err(UsageError::new(
            "-H Sec-WebSocket-Protocol and --protocol both set the subprotocols; use --protocol \
             (repeatable)",
        ));
    }
    Ok(())
}

fn positive(d: Duration, source: &Source) -> Result<Duration, UsageError> {
    if d.is_zero() {
        Err(source.complain("must be above zero (e.g. 5s)"))
    } else {
        Ok(d)
    }
}

/// Where a ping value came from, for messages: its layer, or the policy
/// file (or built-in policy) when no layer set it.
fn ping_source(source: &Source, policy: Option<&Path>) -> String {
    match (source, policy) {
        (Source::Cli(flag), _) => (*flag).to_string(),
        (Source::BuiltIn, Some(path)) => Source::Policy(path.to_path_buf()).to_string(),
        (other, _) => other.to_string(),
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

#[cfg(test)]
mod tests;
