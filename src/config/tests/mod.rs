use std::path::Path;

use clap::Parser;

use super::*;
use crate::cli::Cli;

const FILE: &str = "/cfg/config.toml";

/// One setting and the value each layer gives it. `None`: the layer cannot
/// set it.
struct Row {
    key: &'static str,
    cli: Option<&'static [&'static str]>,
    env: Option<(&'static str, &'static str)>,
    /// A line under `[endpoint.ep]`.
    endpoint: Option<&'static str>,
    /// A line at the file's top level.
    file: Option<&'static str>,
    /// What [`read`](Row::read) shows for each layer: cli, env, endpoint,
    /// file, built-in.
    expect: [&'static str; 5],
    read: fn(&Resolved) -> (String, &Source),
}

fn show<T: std::fmt::Debug>(s: &Sourced<Option<T>>) -> (String, &Source) {
    let v = s
        .value
        .as_ref()
        .map_or("-".to_string(), |v| format!("{v:?}"));
    (v, &s.source)
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            key: "ping-interval",
            cli: Some(&["--ping-interval", "1s"]),
            env: Some(("WSPROBE_PING_INTERVAL", "2s")),
            endpoint: Some("ping-interval = \"3s\""),
            file: Some("ping-interval = \"4s\""),
            expect: ["1s", "2s", "3s", "4s", "-"],
            read: |r| show(&r.ping_interval),
        },
        Row {
            key: "ping-timeout",
            cli: Some(&["--ping-timeout", "1s"]),
            env: Some(("WSPROBE_PING_TIMEOUT", "2s")),
            endpoint: Some("ping-timeout = \"3s\""),
            file: Some("ping-timeout = \"4s\""),
            expect: ["1s", "2s", "3s", "4s", "-"],
            read: |r| show(&r.ping_timeout),
        },
        Row {
            key: "connect-timeout",
            cli: Some(&["--connect-timeout", "1s"]),
            env: Some(("WSPROBE_CONNECT_TIMEOUT", "2s")),
            endpoint: Some("connect-timeout = \"3s\""),
            file: Some("connect-timeout = \"4s\""),
            expect: ["1s", "2s", "3s", "4s", "-"],
            read: |r| show(&r.connect_timeout),
        },
        Row {
            key: "max-message-size",
            cli: Some(&["--max-message-size", "1"]),
            env: Some(("WSPROBE_MAX_MESSAGE_SIZE", "2")),
            endpoint: Some("max-message-size = 3"),
            file: Some("max-message-size = 4"),
            expect: ["1", "2", "3", "4", "-"],
            read: |r| show(&r.max_message_size),
        },
        Row {
            key: "policy",
            cli: Some(&["--policy", "cli.toml"]),
            env: Some(("WSPROBE_POLICY", "env.toml")),
            endpoint: Some("policy = \"ep.toml\""),
            file: Some("policy = \"file.toml\""),
            expect: [
                "\"cli.toml\"",
                "\"env.toml\"",
                "\"/cfg/ep.toml\"",
                "\"/cfg/file.toml\"",
                "-",
            ],
            read: |r| show(&r.policy),
        },
        Row {
            key: "preset",
            cli: Some(&["--preset", "graphql-ws"]),
            env: Some(("WSPROBE_PRESET", "discord")),
            endpoint: Some("preset = \"graphql-ws\""),
            file: Some("preset = \"discord\""),
            expect: ["GraphqlWs", "Discord", "GraphqlWs", "Discord", "-"],
            read: |r| show(&r.preset),
        },
        Row {
            key: "proxy",
            cli: None,
            env: Some(("WSPROBE_PROXY", "http://env:1")),
            endpoint: Some("proxy = \"http://ep:1\""),
            file: Some("proxy = \"http://file:1\""),
            expect: [
                "",
                "\"http://env:1\"",
                "\"http://ep:1\"",
                "\"http://file:1\"",
                "-",
            ],
            read: |r| show(&r.proxy),
        },
        Row {
            key: "origin",
            cli: Some(&["--origin", "https://cli"]),
            env: None,
            endpoint: Some("origin = \"https://ep\""),
            file: None,
            expect: ["\"https://cli\"", "", "\"https://ep\"", "", "-"],
            read: |r| show(&r.origin),
        },
        Row {
            key: "cacert",
            cli: Some(&["--cacert", "cli.pem"]),
            env: None,
            endpoint: Some("cacert = \"ep.pem\""),
            file: None,
            expect: ["\"cli.pem\"", "", "\"/cfg/ep.pem\"", "", "-"],
            read: |r| show(&r.cacert),
        },
        Row {
            key: "protocols",
            cli: Some(&["--protocol", "cli"]),
            env: None,
            endpoint: Some("protocols = [\"ep\"]"),
            file: None,
            expect: ["[\"cli\"]", "", "[\"ep\"]", "", "[]"],
            read: |r| (format!("{:?}", r.protocols.value), &r.protocols.source),
        },
        Row {
            key: "theme",
            cli: Some(&["--theme", "light"]),
            env: Some(("WSPROBE_THEME", "mono")),
            endpoint: None,
            file: Some("theme = \"high-contrast\""),
            expect: ["\"light\"", "\"mono\"", "", "\"high-contrast\"", "-"],
            read: |r| show(&r.theme),
        },
        Row {
            key: "history",
            cli: Some(&["--history", "1"]),
            env: Some(("WSPROBE_HISTORY", "2")),
            endpoint: None,
            file: Some("history = 4"),
            expect: ["1", "2", "", "4", "100000"],
            read: |r| (r.history.value.to_string(), &r.history.source),
        },
        Row {
            key: "color",
            cli: Some(&["--color", "always"]),
            env: Some(("WSPROBE_COLOR", "never")),
            endpoint: None,
            file: Some("color = \"always\""),
            expect: ["Always", "Never", "", "Always", "Auto"],
            read: |r| (format!("{:?}", r.color.value), &r.color.source),
        },
        Row {
            key: "clock",
            cli: Some(&["--clock", "relative"]),
            env: Some(("WSPROBE_CLOCK", "wall")),
            endpoint: None,
            file: Some("clock = \"relative\""),
            expect: ["\"relative\"", "\"wall\"", "", "\"relative\"", "-"],
            read: |r| show(&r.clock),
        },
        Row {
            key: "mouse",
            cli: Some(&["--no-mouse"]),
            env: Some(("WSPROBE_MOUSE", "on")),
            endpoint: None,
            file: Some("mouse = false"),
            expect: ["false", "true", "", "false", "true"],
            read: |r| (r.mouse.value.to_string(), &r.mouse.source),
        },
    ]
}

/// Resolves `@ep` with these layers present.
fn resolve_with(row: &Row, layers: [bool; 4]) -> Resolved {
    let mut args = vec!["wsprobe", "@ep"];
    if layers[0] {
        args.extend(row.cli.unwrap_or_default());
    }
    let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let env = Env::from_pairs(row.env.filter(|_| layers[1]));
    let mut text = String::new();
    if layers[3] {
        text.push_str(row.file.unwrap_or_default());
        text.push('\n');
    }
    text.push_str("[endpoint.ep]\nurl = \"ws://ep.example/\"\n");
    if layers[2] {
        text.push_str(row.endpoint.unwrap_or_default());
        text.push('\n');
    }
    let file = file::parse(Path::new(FILE), &text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let layer = CliLayer::of(&cli);
    let choice = Choice::Named {
        path: FILE.into(),
        by: "--config",
    };
    layers::resolve(&layer, &env, &choice, Some(&file))
        .unwrap_or_else(|e| panic!("{row_key}: {e}", row_key = row.key))
}

#[test]
fn every_layer_beats_the_ones_below_it() {
    for row in rows() {
        let can = [
            row.cli.is_some(),
            row.env.is_some(),
            row.endpoint.is_some(),
            row.file.is_some(),
        ];
        // Every combination of the layers that can set this key.
        for mask in 0u8..16 {
            let layers: [bool; 4] = std::array::from_fn(|i| mask & (1 << i) != 0);
            if layers.iter().zip(can).any(|(on, can)| *on && !can) {
                continue;
            }
            let resolved = resolve_with(&row, layers);
            let (value, source) = (row.read)(&resolved);
            let top = layers.iter().position(|on| *on).unwrap_or(4);
            let want_source = match top {
                0 => "cli".to_string(),
                1 => format!("env {}", row.env.map(|(k, _)| k).unwrap_or_default()),
                2 => "endpoint ep".to_string(),
                3 => format!("file {FILE}"),
                _ => "built-in".to_string(),
            };
            assert_eq!(
                (value.as_str(), source.to_string()),
                (row.expect[top], want_source.clone()),
                "{}: layers {layers:?}",
                row.key
            );
        }
    }
}

mod messages;
