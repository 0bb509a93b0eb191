//! The config file, saved endpoints and the precedence of the layers, run
//! as a user would: `config show`, `endpoints`, `wsprobe @NAME` against a
//! real server, and the messages a bad file gets.

use std::fmt::Write as _;
use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::support::{Bin, BinRun, close_frame, close_with, handshake, serve};

/// A config file in a temporary directory (kept as long as the value).
struct ConfigDir {
    dir: tempfile::TempDir,
}

impl ConfigDir {
    fn new(text: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.toml"), text).expect("write config");
        Self { dir }
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().expect("utf-8 temp path")
    }
}

async fn run(args: &[&str], env: &[(&str, &str)]) -> BinRun {
    let mut bin = Bin::wsprobe(args);
    for (k, v) in env {
        bin = bin.env(k, v);
    }
    bin.run().await
}

/// The `FROM` column of `config show` for `key`.
fn source_of<'a>(show: &'a str, key: &str) -> &'a str {
    let line = show
        .lines()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no {key} in:\n{show}"));
    let from = ["cli", "env ", "endpoint ", "file ", "policy ", "built-in"]
        .iter()
        .filter_map(|s| line.rfind(&format!("  {s}")))
        .max()
        .unwrap_or_else(|| panic!("no source in {line:?}"));
    line[from..].trim()
}

#[tokio::test]
async fn config_show_names_every_layer() {
    let cfg = ConfigDir::new(
        "theme = \"light\"\nhistory = 500\nping-interval = \"20s\"\nconnect-timeout = \"3s\"\n\
         [endpoint.staging]\nurl = \"ws://127.0.0.1:1/ws\"\nping-interval = \"7s\"\n\
         protocols = [\"graphql-transport-ws\"]\n",
    );
    let file = cfg.file();
    let file = file.to_str().expect("utf-8");
    let out = run(
        &[
            "config",
            "show",
            "@staging",
            "--config",
            file,
            "--ping-timeout",
            "45s",
        ],
        &[("WSPROBE_HISTORY", "42")],
    )
    .await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let show = out.out();
    assert!(show.starts_with(&format!("config file  {file}\nendpoint     @staging\n")));
    assert_eq!(source_of(&show, "ping-timeout"), "cli");
    assert_eq!(source_of(&show, "history"), "env WSPROBE_HISTORY");
    assert_eq!(source_of(&show, "ping-interval"), "endpoint staging");
    assert_eq!(source_of(&show, "protocols"), "endpoint staging");
    assert_eq!(source_of(&show, "theme"), format!("file {file}"));
    assert_eq!(source_of(&show, "connect-timeout"), format!("file {file}"));
    assert_eq!(source_of(&show, "max-message-size"), "built-in");
    assert!(show.contains("ping-interval     7s "), "{show}");
    assert!(show.contains("history           42 "), "{show}");
}

#[tokio::test]
async fn config_show_redacts_secrets_unless_asked() {
    let cfg = ConfigDir::new(
        "[endpoint.prod]\nurl = \"wss://me:hunter2@prod.example/ws?token=t0ken&room=1\"\n\
         headers = { Authorization = \"Bearer ${PROD_TOKEN}\", X-Trace = \"on\" }\n",
    );
    let file = cfg.file();
    let file = file.to_str().expect("utf-8");
    let env = [("PROD_TOKEN", "s3cret-value")];
    let out = run(&["config", "show", "@prod", "--config", file], &env).await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let show = out.out();
    for secret in ["s3cret-value", "hunter2", "t0ken"] {
        assert!(!show.contains(secret), "{secret} leaked:\n{show}");
    }
    assert!(show.contains("Authorization: REDACTED"), "{show}");
    assert!(show.contains("X-Trace: on"), "{show}");
    assert!(show.contains("room=1"), "{show}");
    let cli = run(
        &[
            "config",
            "show",
            "--no-config",
            "wss://h/?token=abc",
            "-H",
            "Cookie: c=1",
        ],
        &[],
    )
    .await;
    assert!(
        !cli.out().contains("abc") && !cli.out().contains("c=1"),
        "{}",
        cli.out()
    );

    let shown = run(
        &[
            "config",
            "show",
            "@prod",
            "--config",
            file,
            "--show-secrets",
        ],
        &env,
    )
    .await;
    assert!(
        shown.out().contains("Bearer s3cret-value"),
        "{}",
        shown.out()
    );

    let list = run(&["endpoints", "--config", file], &env).await;
    assert_eq!(list.status, Some(0), "{}", list.stderr);
    let list = list.out();
    assert!(
        list.contains("@prod  wss://me:REDACTED@prod.example/ws?token=REDACTED&room=1"),
        "{list}"
    );
    assert!(
        list.contains("Authorization: REDACTED (from ${PROD_TOKEN})"),
        "{list}"
    );
    assert!(
        !list.contains("s3cret") && !list.contains("hunter2"),
        "{list}"
    );
}

#[tokio::test]
async fn an_endpoint_header_from_the_environment_reaches_the_server() {
    let (tx, mut heads) = mpsc::unbounded_channel();
    let server = serve(move |_, mut tcp| {
        let tx = tx.clone();
        async move {
            let head = handshake(&mut tcp, &[("Sec-WebSocket-Protocol", "chat")]).await?;
            let _ = tx.send(head);
            close_with(&mut tcp, &close_frame(1000, b"")).await?;
            Ok(())
        }
    })
    .await;
    let cfg = ConfigDir::new(&format!(
        "[endpoint.local]\nurl = \"{}\"\nprotocols = [\"chat\"]\n\
         [endpoint.local.headers]\nAuthorization = \"Bearer ${{LOCAL_TOKEN}}\"\nX-Tag = \"file\"\n",
        server.url("/ws")
    ));
    let file = cfg.file();
    let file = file.to_str().expect("utf-8");
    let out = run(
        &[
            "@local",
            "--config",
            file,
            "--headless",
            "-H",
            "X-Tag: cli",
            "--max-attempts",
            "1",
        ],
        &[("LOCAL_TOKEN", "tok-123")],
    )
    .await;
    assert_eq!(out.status, Some(0), "{}\n{}", out.out(), out.stderr);
    let head = heads.recv().await.expect("the server saw a request");
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("authorization: bearer tok-123\r\n"),
        "{head}"
    );
    assert!(
        lower.contains("x-tag: cli\r\n") && !lower.contains("x-tag: file"),
        "{head}"
    );
    assert!(lower.contains("sec-websocket-protocol: chat\r\n"), "{head}");
    assert!(!out.out().contains("tok-123"), "{}", out.out());

    // Unset, the variable is named and nothing connects.
    let unset = run(&["@local", "--config", file, "--headless"], &[]).await;
    assert_eq!(unset.status, Some(2), "{}", unset.stderr);
    assert!(
        unset.stderr.contains("LOCAL_TOKEN is not set"),
        "{}",
        unset.stderr
    );
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn wsprobe_config_names_another_file_and_no_config_ignores_it() {
    let cfg = ConfigDir::new("theme = \"mono\"\n");
    let file = cfg.file();
    let file = file.to_str().expect("utf-8");
    let by_env = run(&["config", "show"], &[("WSPROBE_CONFIG", file)]).await;
    assert_eq!(source_of(&by_env.out(), "theme"), format!("file {file}"));
    let ignored = run(
        &["config", "show", "--no-config"],
        &[("WSPROBE_CONFIG", file)],
    )
    .await;
    assert_eq!(source_of(&ignored.out(), "theme"), "built-in");
    assert!(ignored.out().starts_with("config file  none (--no-config)"));

    // The default file lives in the platform's config directory.
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("wsprobe");
    std::fs::create_dir_all(dir.join("themes")).expect("mkdir");
    std::fs::write(dir.join("config.toml"), "theme = \"ocean\"\n").expect("write");
    std::fs::write(dir.join("themes/ocean.toml"), "accent = \"blue\"\n").expect("write");
    let home = home.path().to_str().expect("utf-8");
    let default = run(&["config", "show"], &[("XDG_CONFIG_HOME", home)]).await;
    assert_eq!(default.status, Some(0), "{}", default.stderr);
    assert!(
        default.out().contains("theme             ocean "),
        "{}",
        default.out()
    );
    let path = run(&["config", "path"], &[("XDG_CONFIG_HOME", home)]).await;
    assert_eq!(path.out(), format!("{home}/wsprobe/config.toml\n"));

    let missing = run(
        &["config", "show", "--config", "/nonexistent/wsprobe.toml"],
        &[],
    )
    .await;
    assert_eq!(missing.status, Some(2));
    assert!(
        missing.stderr.contains("/nonexistent/wsprobe.toml"),
        "{}",
        missing.stderr
    );
}

#[tokio::test]
async fn themes_in_the_current_directory_are_not_used() {
    let cwd = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(cwd.path().join("themes")).expect("mkdir");
    std::fs::write(cwd.path().join("themes/evil.toml"), "fg = \"red\"\n").expect("write");
    let out = Bin::wsprobe(&["config", "show", "--theme", "evil"])
        .current_dir(cwd.path())
        .run()
        .await;
    assert_eq!(out.status, Some(2), "{}", out.out());
    assert!(
        out.stderr.contains("no theme named `evil`"),
        "{}",
        out.stderr
    );
    let list = Bin::wsprobe(&["--list-themes"])
        .current_dir(cwd.path())
        .run()
        .await;
    assert!(!list.out().contains("evil"), "{}", list.out());
}

/// The message `config show` gives for a file holding `text`, with the
/// temporary path replaced by `CONFIG`.
async fn bad_file(text: &str, args: &[&str]) -> String {
    let cfg = ConfigDir::new(text);
    let file = cfg.file();
    let file = file.to_str().expect("utf-8");
    let mut all = vec!["config", "show", "--config", file];
    all.extend(args);
    let out = Bin::wsprobe(&all).env_remove("NO_COLOR").run().await;
    assert_eq!(out.status, Some(2), "{text}: {}", out.out());
    assert!(out.out().is_empty());
    out.stderr
        .replace(file, "CONFIG")
        .replace(cfg.path(), "DIR")
}

#[tokio::test]
async fn bad_files_name_file_line_key_and_what_is_allowed() {
    let cases: &[(&str, &[&str])] = &[
        ("theme = \"light\"\nthme = \"dark\"\n", &[]),
        ("history = \"lots\"\n", &[]),
        ("history = 0\n", &[]),
        ("ping-interval = \"5 parsecs\"\n", &[]),
        ("color = \"sometimes\"\n", &[]),
        ("preset = \"slack\"\n", &[]),
        ("mouse = \"yes\"\n", &[]),
        ("theme = \"nope\"\n", &[]),
        ("theme = \"\\u001b[2J\"\n", &[]),
        (
            "[endpoint.staging]\nurl = \"ws://a\"\nheader = { A = \"b\" }\n",
            &[],
        ),
        ("[endpoint.staging]\norigin = \"https://a\"\n", &[]),
        ("[endpoint.\"has space\"]\nurl = \"ws://a\"\n", &[]),
        ("[endpoint.s]\nurl = \"ftp://a/x\"\n", &["@s"]),
        (
            "[endpoint.s]\nurl = \"ws://a\"\nheaders = { \"Bad Name\" = \"x\" }\n",
            &["@s"],
        ),
        ("[endpoint.s]\nurl = \"ws://a\"\n", &["@t"]),
        ("policy = \"missing.toml\"\n", &[]),
        ("\"th\\u001b]0;owned\\u0007\" = 1\n", &[]),
        ("x = [\n", &[]),
    ];
    let mut all = String::new();
    for (text, args) in cases {
        let msg = bad_file(text, args).await;
        let _ = write!(all, "--- {text:?} {args:?}\n{msg}");
    }
    assert!(
        !all.contains('\u{1b}'),
        "a raw escape reached the terminal:\n{all}"
    );
    insta::assert_snapshot!(all);
}

#[tokio::test]
async fn bad_environment_values_exit_2_naming_the_variable() {
    for (var, value, says) in [
        (
            "WSPROBE_HISTORY",
            "many",
            "WSPROBE_HISTORY=many: not a whole number",
        ),
        (
            "WSPROBE_PING_INTERVAL",
            "0s",
            "WSPROBE_PING_INTERVAL must be above zero",
        ),
        (
            "WSPROBE_COLOR",
            "rainbow",
            "WSPROBE_COLOR=rainbow: not a colour choice",
        ),
        ("WSPROBE_PRESET", "x", "WSPROBE_PRESET=x: not a preset"),
        (
            "WSPROBE_MOUSE",
            "maybe",
            "WSPROBE_MOUSE=maybe: not a switch",
        ),
    ] {
        let out = run(&["config", "show", "--no-config"], &[(var, value)]).await;
        assert_eq!(out.status, Some(2), "{var}");
        assert!(out.stderr.contains(says), "{var}: {}", out.stderr);
    }
}

#[tokio::test]
async fn an_unknown_endpoint_suggests_the_saved_ones() {
    let cfg = ConfigDir::new("[endpoint.staging]\nurl = \"ws://127.0.0.1:1/\"\n");
    let file = cfg.file();
    let out = run(
        &[
            "@stagng",
            "--config",
            file.to_str().expect("utf-8"),
            "--headless",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status, Some(2));
    assert!(
        out.stderr
            .contains("saved: staging — did you mean @staging?"),
        "{}",
        out.stderr
    );
    let none = run(&["@staging", "--no-config", "--headless"], &[]).await;
    assert_eq!(none.status, Some(2));
    assert!(
        none.stderr.contains("no saved endpoints"),
        "{}",
        none.stderr
    );
}
