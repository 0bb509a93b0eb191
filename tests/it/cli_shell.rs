//! Living in a shell: completion scripts that parse, a manual page that
//! renders, a version that names its commit, examples that paste into zsh
//! and fish, and the `-q`, `-v` and `--color` conventions.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::support::{Bin, closes_with, refused_addr, within};

/// Whether `program` runs here (`program --version` succeeds).
async fn installed(program: &str) -> bool {
    let status = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    matches!(within(program, status).await, Ok(s) if s.success())
}

#[tokio::test]
async fn completions_name_subcommands_flags_and_known_values() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Bin::wsprobe(&["completions", shell]).run().await;
        assert_eq!(out.status, Some(0), "{shell}: {}", out.stderr);
        let script = out.out();
        // fish writes `-l theme` for `--theme`.
        let flag = |name: &str| {
            if shell == "fish" {
                format!("-l {name}")
            } else {
                format!("--{name}")
            }
        };
        for word in [
            "explain".to_string(),
            "endpoints".into(),
            "completions".into(),
            flag("theme"),
            flag("preset"),
            flag("config"),
            flag("color"),
            "high-contrast".into(),
            "graphql-ws".into(),
        ] {
            assert!(script.contains(&word), "{shell}: no {word}");
        }
        if shell != "elvish" && shell != "powershell" {
            // Positional values: the failure names `explain` takes.
            for word in ["not-http", "http-503", "1012"] {
                assert!(script.contains(word), "{shell}: no {word}");
            }
        }
    }
}

#[tokio::test]
async fn completions_parse_in_their_shells() {
    for (shell, check) in [("bash", "-n"), ("zsh", "-n"), ("fish", "-n")] {
        if !installed(shell).await {
            println!("skipped: {shell} is not installed, so its completion script was not parsed");
            continue;
        }
        let script = Bin::wsprobe(&["completions", shell]).run().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(format!("wsprobe.{shell}"));
        std::fs::write(&file, &script.stdout).expect("write the script");
        let out = within(shell, Command::new(shell).arg(check).arg(&file).output())
            .await
            .expect("the shell runs");
        assert!(
            out.status.success(),
            "{shell} {check} rejects the script: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn the_manual_renders_every_subcommand() {
    let out = Bin::wsprobe(&["man"]).run().await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let roff = out.out();
    assert!(roff.contains("\n.TH wsprobe 1 "), "{roff:.300}");
    for section in [
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
        ".SH EXAMPLES",
        ".SH \"WSPROBE EXPLAIN\"",
        ".SH \"WSPROBE POLICY SIMULATE\"",
        ".SH \"WSPROBE CONFIG SHOW\"",
        ".SH \"WSPROBE ENDPOINTS\"",
        ".SH FILES",
        ".SH ENVIRONMENT",
    ] {
        assert!(roff.contains(section), "no {section}");
    }
    if !installed("man").await {
        println!("skipped: man is not installed; checking the roff against its snapshot");
        insta::with_settings!({ filters => vec![(r" \(commit [0-9a-f]+\)", "")] }, {
            insta::assert_snapshot!(roff);
        });
        return;
    }
    let mut man = Command::new("man")
        .args(["--warnings", "-E", "UTF-8", "-l", "-"])
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("man starts");
    let mut stdin = man.stdin.take().expect("piped stdin");
    stdin
        .write_all(roff.as_bytes())
        .await
        .expect("write the page");
    drop(stdin);
    let shown = within("man", man.wait_with_output())
        .await
        .expect("man runs");
    let stderr = String::from_utf8_lossy(&shown.stderr);
    assert!(shown.status.success(), "man failed: {stderr}");
    assert!(stderr.trim().is_empty(), "man warns:\n{stderr}");
    let text = String::from_utf8_lossy(&shown.stdout);
    for words in [
        "WSPROBE EXPLAIN",
        "wsprobe completions bash",
        "WSPROBE_CONFIG",
    ] {
        assert!(text.contains(words), "the rendered page lacks {words}");
    }
}

#[tokio::test]
async fn version_names_the_commit_when_built_from_git() {
    let out = Bin::wsprobe(&["--version"]).run().await;
    let line = out.out();
    assert!(
        line.starts_with(&format!("wsprobe {}", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]);
    let ours =
        top.is_some_and(|t| std::fs::canonicalize(t).ok() == std::fs::canonicalize(dir).ok());
    match git(&["rev-parse", "--short", "HEAD"]).filter(|_| ours) {
        Some(hash) => assert_eq!(
            line.trim(),
            format!("wsprobe {} (commit {hash})", env!("CARGO_PKG_VERSION"))
        ),
        None => println!("skipped: not a git checkout, so --version names no commit"),
    }
}

/// The command at the start of an example line (up to the two spaces
/// before its description), if the line is one.
fn example_command(line: &str) -> Option<&str> {
    let start = ["wsprobe ", "wscat "]
        .iter()
        .filter_map(|p| line.find(p))
        .min()?;
    let rest = &line[start..];
    Some(rest.split("  ").next().unwrap_or(rest).trim_end())
}

/// Characters zsh or fish would expand (or stop at) outside quotes.
fn unquoted_specials(command: &str) -> Vec<char> {
    let mut found = Vec::new();
    let mut quote = None;
    let chars: Vec<char> = command.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '?' | '*' | '[' | '{' | '}') => found.push(c),
            (None, '&') if chars.get(i + 1) != Some(&'&') && (i == 0 || chars[i - 1] != '&') => {
                found.push(c);
            }
            _ => {}
        }
    }
    found
}

#[tokio::test]
async fn every_example_pastes_into_zsh_and_fish() {
    let mut paths: Vec<Vec<&str>> = vec![vec![]];
    for sub in [
        &["explain"][..],
        &["codes"],
        &["policy", "show"],
        &["policy", "simulate"],
        &["serve"],
        &["completions"],
        &["man"],
        &["config", "show"],
        &["config", "path"],
        &["endpoints"],
    ] {
        paths.push(sub.to_vec());
    }
    let mut checked = 0;
    for path in paths {
        let mut args = path.clone();
        args.push("--help");
        let out = Bin::wsprobe(&args).env("COLUMNS", "100").run().await;
        assert_eq!(out.status, Some(0), "{args:?}");
        let help = out.out();
        let after = help
            .find("Example")
            .or_else(|| help.find("Install"))
            .unwrap_or_else(|| panic!("{args:?} has no examples"));
        for command in help[after..].lines().filter_map(example_command) {
            checked += 1;
            assert!(
                unquoted_specials(command).is_empty(),
                "{args:?}: quote this example for zsh and fish: {command}"
            );
        }
    }
    assert!(checked > 20, "only {checked} examples found");
    assert_eq!(
        unquoted_specials("wscat -c ws://h/close/1013?reason=busy"),
        ['?']
    );
    assert!(unquoted_specials("wsprobe 'ws://h/?a=1&b=2' && jq '.[]'").is_empty());
}

#[tokio::test]
async fn quiet_prints_only_errors_and_the_final_line() {
    let server = closes_with(1000).await;
    let url = server.url("/ws").to_string();
    let out = Bin::wsprobe(&[&url, "--headless", "-q"]).run().await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let lines: Vec<String> = out.out().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("give up"), "{lines:?}");

    let refused = format!("ws://{}/", refused_addr().await);
    let out = Bin::wsprobe(&[&refused, "--headless", "--quiet", "--max-attempts", "2"])
        .run()
        .await;
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let text = out.out();
    let kinds: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().nth(2).unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["error", "error", "give"], "{text}");

    let json = Bin::wsprobe(&[&url, "--json", "-q"]).run().await;
    assert_eq!(json.status, Some(2), "-q filters --headless only");
}

#[tokio::test]
async fn verbose_raises_the_log_level_unless_rust_log_is_set() {
    let server = closes_with(1000).await;
    let url = server.url("/ws").to_string();
    let quiet = Bin::wsprobe(&[&url, "--headless"]).run().await;
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
    let v = Bin::wsprobe(&[&url, "--headless", "-v"]).run().await;
    assert!(v.stderr.contains("DEBUG"), "{}", v.stderr);
    assert!(!v.stderr.contains("TRACE"), "{}", v.stderr);
    let vv = Bin::wsprobe(&[&url, "--headless", "-vv"]).run().await;
    assert!(vv.stderr.contains("TRACE"), "{}", vv.stderr);
    let env_wins = Bin::wsprobe(&[&url, "--headless", "-vv"])
        .env("RUST_LOG", "error")
        .run()
        .await;
    assert!(env_wins.stderr.is_empty(), "{}", env_wins.stderr);
}

#[tokio::test]
async fn color_takes_auto_always_or_never() {
    let bad = Bin::wsprobe(&["--color", "sometimes", "--headless"])
        .run()
        .await;
    assert_eq!(bad.status, Some(2));
    assert!(bad.stderr.contains("auto, always, never"), "{}", bad.stderr);
    for (args, env, want) in [
        (
            &["--color", "never"][..],
            &[("COLORTERM", "truecolor")][..],
            "never (no colour)",
        ),
        (&[], &[("NO_COLOR", "1")], "never (no colour)"),
        (
            &["--color", "always"],
            &[("NO_COLOR", "1"), ("COLORTERM", "24bit")],
            "always (true colour)",
        ),
        (&[], &[("TERM", "xterm-256color")], "auto (256 colours)"),
        (&[], &[("TERM", "xterm")], "auto (16 colours)"),
    ] {
        let mut all = vec!["config", "show"];
        all.extend(args);
        let mut bin = Bin::wsprobe(&all)
            .env_remove("NO_COLOR")
            .env_remove("COLORTERM");
        for (k, v) in env {
            bin = bin.env(k, v);
        }
        let out = bin.run().await;
        assert!(out.out().contains(want), "{args:?} {env:?}:\n{}", out.out());
    }
}
