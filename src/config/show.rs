//! `wsprobe config show`: every effective setting, where it came from
//! (`cli`, `env WSPROBE_X`, `endpoint NAME`, `file PATH`, `built-in`), with
//! secrets redacted as everywhere else and text from outside escaped.

use std::fmt::Write as _;

use crate::cli::ConnectArgs;
use crate::duration::format_duration;
use crate::engine::target;
use crate::text::escape;
use crate::usage::UsageError;

use super::{Config, Source};

/// The URL the settings are checked with when none was given (the demo's
/// real address is only known once it runs).
const DEMO_PLACEHOLDER: &str = "ws://127.0.0.1/cycle";

/// The text `config show` prints. The settings are checked exactly as the
/// live command checks them, so a bad value fails here too.
pub fn render(config: &Config, connect: &ConnectArgs) -> Result<String, UsageError> {
    let settings = config.settings(connect, Some(DEMO_PLACEHOLDER))?;
    let tui = config.tui_options()?;
    let r = &config.resolved;
    let secrets = connect.show_secrets;
    let mut rows: Vec<(&str, String, String)> = Vec::new();
    let mut row = |key: &'static str, value: String, source: &Source| {
        rows.push((key, value, source.to_string()));
    };
    let none = || "-".to_string();

    match &r.url {
        Some(url) => row(
            "url",
            escape(&target::redact_url(&settings.url, secrets)).into_owned(),
            &url.source,
        ),
        None => row(
            "url",
            "the built-in demo server's /cycle".into(),
            &Source::BuiltIn,
        ),
    }
    if r.headers.is_empty() {
        row("header", none(), &Source::BuiltIn);
    }
    for h in &r.headers {
        let (name, value) = &h.value;
        let shown = target::redact_header(name, value, secrets);
        row(
            "header",
            format!("{}: {}", escape(name), escape(&shown)),
            &h.source,
        );
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            none()
        } else {
            escape(&v.join(", ")).into_owned()
        }
    };
    let path = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map_or_else(none, |p| escape(&p.display().to_string()).into_owned())
    };
    let text = |t: &Option<String>| t.as_deref().map_or_else(none, |t| escape(t).into_owned());
    row("protocols", list(&r.protocols.value), &r.protocols.source);
    row("origin", text(&r.origin.value), &r.origin.source);
    row("cacert", path(&r.cacert.value), &r.cacert.source);
    row("cert", path(&r.cert.value), &r.cert.source);
    row("key", path(&r.key.value), &r.key.source);
    row("proxy", text(&r.proxy.value), &r.proxy.source);
    row("policy", path(&r.policy.value), &r.policy.source);
    row(
        "preset",
        r.preset.value.map_or_else(none, |p| p.key().to_string()),
        &r.preset.source,
    );
    let policy_source = |s: &Source| match (s, &r.policy.value) {
        (Source::BuiltIn, Some(p)) => Source::Policy(p.clone()),
        (other, _) => other.clone(),
    };
    row(
        "ping-interval",
        format_duration(settings.policy.ping_interval),
        &policy_source(&r.ping_interval.source),
    );
    row(
        "ping-timeout",
        format_duration(settings.policy.ping_timeout),
        &policy_source(&r.ping_timeout.source),
    );
    row(
        "connect-timeout",
        format_duration(settings.connect_timeout),
        &r.connect_timeout.source,
    );
    row(
        "max-message-size",
        settings.max_message_size.to_string(),
        &r.max_message_size.source,
    );
    let theme = tui
        .themes
        .get(tui.theme)
        .map_or_else(none, |t| escape(&t.name).into_owned());
    row("theme", theme, &r.theme.source);
    row("history", r.history.value.to_string(), &r.history.source);
    row(
        "color",
        format!(
            "{} ({})",
            r.color.value.as_str(),
            config.color_depth().name()
        ),
        &r.color.source,
    );
    row("clock", text(&r.clock.value), &r.clock.source);
    row(
        "mouse",
        if r.mouse.value { "on" } else { "off" }.into(),
        &r.mouse.source,
    );

    let mut out = String::new();
    let file = match (&config.file, config.choice.path()) {
        (Some(f), _) => escape(&f.path.display().to_string()).into_owned(),
        (None, Some(p)) => format!("{} (not found)", escape(&p.display().to_string())),
        (None, None) => "none (--no-config)".into(),
    };
    let _ = writeln!(out, "config file  {file}");
    if let Some(name) = &r.endpoint {
        let _ = writeln!(out, "endpoint     @{}", escape(name));
    }
    out.push('\n');
    let width = rows
        .iter()
        .map(|(_, v, _)| v.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(5, 48);
    let _ = writeln!(out, "{:<16}  {:<width$}  FROM", "SETTING", "VALUE");
    for (key, value, source) in rows {
        let _ = writeln!(out, "{key:<16}  {value:<width$}  {source}");
    }
    Ok(out)
}
