//! The precedence, in one function ([`resolve`]): command line >
//! environment (`WSPROBE_*`) > the `@NAME` endpoint > the config file's top
//! level > built-in. Each value keeps the layer it came from, for `config
//! show` and for error messages that point at the right place.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::app::DEFAULT_HISTORY;
use crate::cli::{Cli, ColorWhen, ConnectArgs};
use crate::duration::Dur;
use crate::engine::policy::Preset;
use crate::engine::target;
use crate::text::escape;
use crate::usage::UsageError;

use super::endpoint::{self, Chosen};
use super::file::{Choice, LoadedFile};
use super::source::{Env, Source, Sourced};

/// What the command line says, for the merge.
#[derive(Debug, Clone, Copy)]
pub struct CliLayer<'a> {
    /// The URL argument, or `@NAME`.
    pub url: Option<&'a str>,
    /// The connection flags.
    pub connect: &'a ConnectArgs,
    /// `--theme`.
    pub theme: Option<&'a str>,
    /// `--history`.
    pub history: Option<usize>,
    /// `--color`.
    pub color: Option<ColorWhen>,
    /// `--clock`.
    pub clock: Option<&'a str>,
    /// `--no-mouse`.
    pub no_mouse: bool,
}

impl<'a> CliLayer<'a> {
    /// What the live command's line says.
    pub fn of(cli: &'a Cli) -> Self {
        Self {
            url: cli.url.as_deref(),
            connect: &cli.connect,
            theme: cli.output.theme.as_deref(),
            history: cli.output.history,
            color: cli.general.color,
            clock: cli.output.clock.as_deref(),
            no_mouse: cli.output.no_mouse,
        }
    }
}

/// Every setting after the merge, each with where it came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The `@NAME` endpoint used, if any.
    pub endpoint: Option<String>,
    /// The URL as given (the built-in demo when `None`).
    pub url: Option<Sourced<String>>,
    /// Request headers: the endpoint's, then the command line's (which
    /// replace the endpoint's of the same name).
    pub headers: Vec<Sourced<(String, String)>>,
    /// Subprotocols offered.
    pub protocols: Sourced<Vec<String>>,
    /// The Origin header.
    pub origin: Sourced<Option<String>>,
    /// An extra CA certificate.
    pub cacert: Sourced<Option<PathBuf>>,
    /// A client certificate (not used for connecting yet).
    pub cert: Sourced<Option<PathBuf>>,
    /// The client certificate's key (not used for connecting yet).
    pub key: Sourced<Option<PathBuf>>,
    /// A proxy (kept for `--proxy`).
    pub proxy: Sourced<Option<String>>,
    /// The policy file.
    pub policy: Sourced<Option<PathBuf>>,
    /// The policy preset.
    pub preset: Sourced<Option<Preset>>,
    /// The ping interval; `None` keeps the policy's.
    pub ping_interval: Sourced<Option<Duration>>,
    /// The ping timeout; `None` keeps the policy's.
    pub ping_timeout: Sourced<Option<Duration>>,
    /// The limit for one attempt; `None` keeps the engine's default.
    pub connect_timeout: Sourced<Option<Duration>>,
    /// The largest message accepted; `None` keeps the engine's default.
    pub max_message_size: Sourced<Option<usize>>,
    /// The theme name or file; `None` for the default.
    pub theme: Sourced<Option<String>>,
    /// How many events the TUI keeps.
    pub history: Sourced<usize>,
    /// When to use colour.
    pub color: Sourced<ColorWhen>,
    /// The TUI's clock (kept for `--clock`).
    pub clock: Sourced<Option<String>>,
    /// Mouse capture (kept for `--no-mouse`).
    pub mouse: Sourced<bool>,
}

/// Finds the first layer that sets a value.
struct Pick<T>(Option<Sourced<T>>);

impl<T> Pick<T> {
    fn cli(value: Option<T>, flag: &'static str) -> Self {
        Pick(value.map(|v| Sourced::new(v, Source::Cli(flag))))
    }

    /// The variable, parsed whenever it is set (a bad value is an error
    /// even when a flag overrides it), used when nothing above set one.
    fn env(
        mut self,
        env: &Env,
        var: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Self, UsageError> {
        if let Some(raw) = env.non_empty(var) {
            let value =
                parse(raw).map_err(|e| UsageError::new(format!("{var}={}: {e}", escape(raw))))?;
            if self.0.is_none() {
                self.0 = Some(Sourced::new(value, Source::Env(var)));
            }
        }
        Ok(self)
    }

    fn endpoint(
        self,
        ep: Option<&Chosen<'_>>,
        key: &str,
        value: impl Fn(&Chosen<'_>) -> Option<T>,
    ) -> Self {
        self.layer(ep.and_then(|ep| Some(Sourced::new(value(ep)?, ep.source(key)))))
    }

    fn file(
        self,
        file: Option<&LoadedFile>,
        key: &str,
        value: impl Fn(&LoadedFile) -> Option<T>,
    ) -> Self {
        self.layer(file.and_then(|f| {
            let source = Source::File {
                path: f.path.clone(),
                line: f.line(key),
                key: key.to_string(),
            };
            Some(Sourced::new(value(f)?, source))
        }))
    }

    fn layer(self, below: Option<Sourced<T>>) -> Self {
        Pick(self.0.or(below))
    }

    fn or(self, built_in: T) -> Sourced<T> {
        self.0.unwrap_or_else(|| Sourced::built_in(built_in))
    }
}

fn duration(raw: &str) -> Result<Duration, String> {
    raw.trim()
        .parse::<Dur>()
        .map(|d| d.0)
        .map_err(|e| e.to_string())
}

fn count(raw: &str) -> Result<usize, String> {
    raw.trim()
        .parse()
        .map_err(|_| "not a whole number (e.g. 50000)".to_string())
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "the shape of every environment parser"
)]
fn text(raw: &str) -> Result<String, String> {
    Ok(raw.to_string())
}

fn preset(raw: &str) -> Result<Preset, String> {
    crate::cli::values::PRESETS
        .into_iter()
        .find(|p| p.key() == raw.trim())
        .ok_or_else(|| {
            format!(
                "not a preset; use one of {}",
                crate::cli::values::preset_names().join(", ")
            )
        })
}

fn color(raw: &str) -> Result<ColorWhen, String> {
    match raw.trim() {
        "auto" => Ok(ColorWhen::Auto),
        "always" => Ok(ColorWhen::Always),
        "never" => Ok(ColorWhen::Never),
        _ => Err("not a colour choice; use auto, always or never".into()),
    }
}

fn switch(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("not a switch; use true or false".into()),
    }
}

/// Merges every layer into [`Resolved`]. `choice` is the config file that
/// was chosen (for messages about `@NAME`), `file` what it says.
pub fn resolve(
    cli: &CliLayer<'_>,
    env: &Env,
    choice: &Choice,
    file: Option<&LoadedFile>,
) -> Result<Resolved, UsageError> {
    let name = cli.url.and_then(|u| u.strip_prefix('@'));
    let ep = name
        .map(|n| endpoint::choose(n, file, choice))
        .transpose()?;
    let ep = ep.as_ref();
    let c = cli.connect;
    let here = |f: &LoadedFile, p: Option<&Path>| p.map(|p| f.resolve_path(p));
    let from_ep = |ep: &Chosen<'_>, p: Option<&Path>| p.map(|p| ep.file.resolve_path(p));

    let url = match (cli.url, ep) {
        (_, Some(ep)) => ep
            .endpoint
            .url
            .clone()
            .map(|u| Sourced::new(u, ep.source("url"))),
        (Some(url), None) => Some(Sourced::new(url.to_string(), Source::Cli("the URL"))),
        (None, None) => None,
    };
    let mut headers = match ep {
        Some(ep) => ep.headers(env)?,
        None => Vec::new(),
    };
    // A `-H` replaces the endpoint's header of that name; several `-H` of
    // one name all stay (a repeated header is the user's to send, or to be
    // refused where it must appear once).
    let given = c
        .headers
        .iter()
        .map(|raw| target::parse_header(raw))
        .collect::<Result<Vec<_>, _>>()?;
    headers.retain(|h| {
        !given
            .iter()
            .any(|(name, _)| h.value.0.eq_ignore_ascii_case(name))
    });
    for (name, value) in given {
        headers.push(Sourced::new((name, value), Source::Cli("-H")));
    }
    let protocols = Pick::cli(
        (!c.protocols.is_empty()).then(|| c.protocols.clone()),
        "--protocol",
    )
    .endpoint(ep, "protocols", |e| {
        (!e.endpoint.protocols.is_empty()).then(|| e.endpoint.protocols.clone())
    })
    .or(Vec::new());
    let cli_preset = c
        .preset
        .as_deref()
        .map(|raw| {
            preset(raw).map_err(|e| UsageError::new(format!("--preset {}: {e}", escape(raw))))
        })
        .transpose()?;
    let no_color = env
        .non_empty("NO_COLOR")
        .map(|_| Sourced::new(ColorWhen::Never, Source::Env("NO_COLOR")));
    let force_color = env
        .non_empty("CLICOLOR_FORCE")
        .filter(|v| v.trim() != "0")
        .map(|_| Sourced::new(ColorWhen::Always, Source::Env("CLICOLOR_FORCE")));

    Ok(Resolved {
        endpoint: ep.map(|e| e.name.to_string()),
        url,
        headers,
        protocols,
        origin: opt(Pick::cli(c.origin.clone(), "--origin")
            .endpoint(ep, "origin", |e| e.endpoint.origin.clone())),
        cacert: opt(Pick::cli(c.cacert.clone(), "--cacert")
            .endpoint(ep, "cacert", |e| from_ep(e, e.endpoint.cacert.as_deref()))),
        cert: opt(Pick::cli(c.cert.clone(), "--cert")
            .endpoint(ep, "cert", |e| from_ep(e, e.endpoint.cert.as_deref()))),
        key: opt(Pick::cli(c.key.clone(), "--key")
            .endpoint(ep, "key", |e| from_ep(e, e.endpoint.key.as_deref()))),
        proxy: opt(Pick::cli(c.proxy.clone(), "--proxy")
            .env(env, "WSPROBE_PROXY", text)?
            .endpoint(ep, "proxy", |e| e.endpoint.proxy.clone())
            .file(file, "proxy", |f| f.file.proxy.clone())),
        policy: opt(Pick::cli(c.policy.clone(), "--policy")
            .env(env, "WSPROBE_POLICY", |raw| Ok(PathBuf::from(raw)))?
            .endpoint(ep, "policy", |e| from_ep(e, e.endpoint.policy.as_deref()))
            .file(file, "policy", |f| here(f, f.file.policy.as_deref()))),
        preset: opt(Pick::cli(cli_preset, "--preset")
            .env(env, "WSPROBE_PRESET", preset)?
            .endpoint(ep, "preset", |e| e.endpoint.preset)
            .file(file, "preset", |f| f.file.preset)),
        ping_interval: opt(Pick::cli(c.ping_interval.map(|d| d.0), "--ping-interval")
            .env(env, "WSPROBE_PING_INTERVAL", duration)?
            .endpoint(ep, "ping-interval", |e| {
                e.endpoint.ping_interval.map(|d| d.0)
            })
            .file(file, "ping-interval", |f| f.file.ping_interval.map(|d| d.0))),
        ping_timeout: opt(Pick::cli(c.ping_timeout.map(|d| d.0), "--ping-timeout")
            .env(env, "WSPROBE_PING_TIMEOUT", duration)?
            .endpoint(ep, "ping-timeout", |e| e.endpoint.ping_timeout.map(|d| d.0))
            .file(file, "ping-timeout", |f| f.file.ping_timeout.map(|d| d.0))),
        connect_timeout: opt(
            Pick::cli(c.connect_timeout.map(|d| d.0), "--connect-timeout")
                .env(env, "WSPROBE_CONNECT_TIMEOUT", duration)?
                .endpoint(ep, "connect-timeout", |e| {
                    e.endpoint.connect_timeout.map(|d| d.0)
                })
                .file(file, "connect-timeout", |f| {
                    f.file.connect_timeout.map(|d| d.0)
                }),
        ),
        max_message_size: opt(Pick::cli(c.max_message_size, "--max-message-size")
            .env(env, "WSPROBE_MAX_MESSAGE_SIZE", count)?
            .endpoint(ep, "max-message-size", |e| e.endpoint.max_message_size)
            .file(file, "max-message-size", |f| f.file.max_message_size)),
        theme: opt(Pick::cli(cli.theme.map(str::to_string), "--theme")
            .env(env, "WSPROBE_THEME", text)?
            .file(file, "theme", |f| f.file.theme.clone())),
        history: Pick::cli(cli.history, "--history")
            .env(env, "WSPROBE_HISTORY", count)?
            .file(file, "history", |f| f.file.history)
            .or(DEFAULT_HISTORY),
        color: Pick::cli(cli.color, "--color")
            .env(env, "WSPROBE_COLOR", color)?
            .layer(no_color)
            .layer(force_color)
            .file(file, "color", |f| f.file.color)
            .or(ColorWhen::Auto),
        clock: opt(Pick::cli(cli.clock.map(str::to_owned), "--clock")
            .env(env, "WSPROBE_CLOCK", text)?
            .file(file, "clock", |f| f.file.clock.clone())),
        mouse: Pick::cli(cli.no_mouse.then_some(false), "--no-mouse")
            .env(env, "WSPROBE_MOUSE", switch)?
            .file(file, "mouse", |f| f.file.mouse)
            .or(true),
    })
}

/// A value that may be unset everywhere: `None` from the built-in layer.
fn opt<T>(pick: Pick<T>) -> Sourced<Option<T>> {
    match pick.0 {
        Some(s) => Sourced::new(Some(s.value), s.source),
        None => Sourced::built_in(None),
    }
}
