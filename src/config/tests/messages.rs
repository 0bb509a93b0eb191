//! Colour from the environment, header merging, and the messages bad
//! values get, naming the layer they came from.

use std::path::Path;

use clap::Parser;

use super::FILE;
use crate::cli::{Cli, ConnectArgs};
use crate::config::{Choice, CliLayer, Config, Env, file, layers};
use crate::theme::ColorDepth;
use crate::usage::UsageError;

fn load(args: &[&str], env: &[(&str, &str)], text: &str) -> Result<Config, UsageError> {
    let cli = Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let env = Env::from_pairs(env.iter().copied());
    let file = file::parse(Path::new(FILE), text)?;
    let layer = CliLayer::of(&cli);
    let choice = Choice::Named {
        path: FILE.into(),
        by: "--config",
    };
    let resolved = layers::resolve(&layer, &env, &choice, Some(&file))?;
    Ok(Config {
        choice,
        file: Some(file),
        resolved,
        env,
    })
}

#[test]
fn no_color_and_clicolor_force_are_the_environment_layer() {
    let color = |args: &[&str], env: &[(&str, &str)], text: &str| {
        let c = load(args, env, text).expect("loads");
        (
            c.resolved.color.value.as_str(),
            c.resolved.color.source.to_string(),
            c.color_depth(),
        )
    };
    let w = ["wsprobe"];
    assert_eq!(
        color(&w, &[("NO_COLOR", "1")], "color = \"always\""),
        ("never", "env NO_COLOR".into(), ColorDepth::Mono)
    );
    assert_eq!(color(&w, &[("NO_COLOR", "")], "").0, "auto");
    assert_eq!(
        color(
            &["wsprobe", "--color", "always"],
            &[("NO_COLOR", "1"), ("COLORTERM", "truecolor")],
            ""
        )
        .2,
        ColorDepth::TrueColor
    );
    assert_eq!(
        color(
            &w,
            &[
                ("NO_COLOR", "1"),
                ("WSPROBE_COLOR", "always"),
                ("TERM", "xterm-256color")
            ],
            ""
        ),
        ("always", "env WSPROBE_COLOR".into(), ColorDepth::Ansi256)
    );
    assert_eq!(
        color(&w, &[("CLICOLOR_FORCE", "1")], "color = \"never\"").1,
        "env CLICOLOR_FORCE"
    );
    assert_eq!(
        color(&w, &[("CLICOLOR_FORCE", "0")], "color = \"never\"").1,
        format!("file {FILE}")
    );
    assert_eq!(color(&w, &[("TERM", "dumb")], "").2, ColorDepth::Mono);
    assert_eq!(
        color(&["wsprobe", "--color", "always"], &[("TERM", "dumb")], "").2,
        ColorDepth::Ansi16
    );
    // NO_COLOR wins over CLICOLOR_FORCE: asking for no colour is the safer reading.
    assert_eq!(
        color(&w, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], "").0,
        "never"
    );
}

#[test]
fn command_line_headers_replace_the_endpoints_of_the_same_name() {
    let text = "[endpoint.ep]\nurl = \"ws://ep.example/\"\n\
                headers = { Authorization = \"Bearer ${T}\", X-A = \"1\" }\n";
    let c = load(
        &["wsprobe", "@ep", "-H", "x-a: 2", "-H", "X-B: 3"],
        &[("T", "tok")],
        text,
    )
    .expect("loads");
    let headers: Vec<(String, String, String)> = c
        .resolved
        .headers
        .iter()
        .map(|h| (h.value.0.clone(), h.value.1.clone(), h.source.to_string()))
        .collect();
    assert_eq!(
        headers,
        [
            (
                "Authorization".into(),
                "Bearer tok".into(),
                "endpoint ep".into()
            ),
            ("x-a".into(), "2".into(), "cli".into()),
            ("X-B".into(), "3".into(), "cli".into()),
        ]
    );
    let s = c.settings(&ConnectArgs::default(), None).expect("settings");
    assert_eq!(s.url.as_str(), "ws://ep.example/");
    assert_eq!(s.headers.len(), 3);
}

#[test]
fn an_unset_variable_is_named_with_the_file_and_line() {
    let text = "[endpoint.ep]\nurl = \"ws://ep.example/\"\n\n[endpoint.ep.headers]\nAuthorization = \"Bearer ${NOPE}\"\n";
    let err = load(&["wsprobe", "@ep"], &[], text)
        .expect_err("fails")
        .to_string();
    assert_eq!(
        err,
        "bad config file /cfg/config.toml:5: endpoint.ep.headers.Authorization: the environment \
         variable NOPE is not set; export it (e.g. export NOPE=…) or change the header"
    );
}

#[test]
fn bad_values_name_their_layer() {
    let err = |args: &[&str], env: &[(&str, &str)], text: &str| {
        let c = load(args, env, text).and_then(|c| {
            c.settings(&ConnectArgs::default(), Some("ws://demo/"))?;
            c.tui_options()
        });
        c.expect_err("fails").to_string()
    };
    let w = ["wsprobe"];
    assert_eq!(
        err(&w, &[], "history = 0"),
        "bad config file /cfg/config.toml:1: history: must be at least 1 (the default keeps 100000 events)"
    );
    assert_eq!(
        err(&w, &[("WSPROBE_HISTORY", "0")], ""),
        "WSPROBE_HISTORY must be at least 1 (the default keeps 100000 events)"
    );
    assert_eq!(
        err(&w, &[("WSPROBE_HISTORY", "x\u{1b}")], ""),
        "WSPROBE_HISTORY=x\\x1b: not a whole number (e.g. 50000)"
    );
    assert_eq!(
        err(&["wsprobe", "--ping-interval", "0s"], &[], ""),
        "--ping-interval must be above zero (e.g. 5s)"
    );
    assert_eq!(
        err(&w, &[], "\n\nconnect-timeout = 0"),
        "bad config file /cfg/config.toml:3: connect-timeout: must be above zero (e.g. 5s)"
    );
    assert_eq!(
        err(&w, &[("WSPROBE_PRESET", "nope")], ""),
        "WSPROBE_PRESET=nope: not a preset; use one of no-jitter, graphql-ws, discord"
    );
    assert_eq!(
        err(&w, &[("WSPROBE_PING_INTERVAL", "40s")], ""),
        "the ping timeout (30s, built-in) must be longer than the ping interval (40s, env \
         WSPROBE_PING_INTERVAL); e.g. --ping-interval 15s --ping-timeout 30s"
    );
    assert_eq!(
        err(&w, &[], "theme = \"nope\""),
        "bad config file /cfg/config.toml:1: theme: no theme named `nope`; available: default, light, high-contrast, mono"
    );
}
