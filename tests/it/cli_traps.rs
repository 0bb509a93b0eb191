//! Command lines that used to be taken for a URL: a misspelt subcommand, or
//! a subcommand's flag written before it. The built binary must refuse them
//! with exit status 2 and a plain message before anything connects, and
//! still take a bare host name as a host. Every run has a time limit, so a
//! line that connects and retries fails the test instead of hanging it.

use crate::support::{Bin, BinRun};

async fn run_bin(args: &[&str]) -> BinRun {
    Bin::wsprobe(args).run().await
}

/// Asserts a usage error (exit 2, nothing on stdout, so nothing connected)
/// whose message contains `expected`.
fn assert_refused(args: &[&str], out: &BinRun, expected: &str) {
    assert_eq!(
        out.status,
        Some(2),
        "wsprobe {args:?} should exit 2; stderr: {}",
        out.stderr
    );
    assert!(
        out.stdout.is_empty(),
        "wsprobe {args:?} printed (and so ran): {}",
        out.out()
    );
    assert!(
        out.stderr.contains(expected),
        "wsprobe {args:?}: expected {expected:?} on stderr, got: {}",
        out.stderr
    );
}

#[tokio::test]
async fn a_misspelt_subcommand_is_refused_with_a_suggestion() {
    for (args, word, meant) in [
        (&["explian", "1006"][..], "explian", "explain"),
        (&["code", "--headless"][..], "code", "codes"),
        (&["--headless", "code"][..], "code", "codes"),
        (&["polcy", "show"][..], "polcy", "policy"),
        (&["serv", "--port", "0"][..], "serv", "serve"),
    ] {
        let out = run_bin(args).await;
        assert_refused(
            args,
            &out,
            &format!("wsprobe: unknown command '{word}' — did you mean '{meant}'?"),
        );
    }
}

#[tokio::test]
async fn a_flag_before_its_subcommand_is_refused_with_the_right_order() {
    let args = ["--json", "explain", "1006"];
    let out = run_bin(&args).await;
    let fixed = "wsprobe explain --json 1006";
    assert_refused(
        &args,
        &out,
        &format!("--json goes after the subcommand: {fixed}"),
    );
    // The line suggested works.
    let fixed_args: Vec<&str> = fixed.split(' ').skip(1).collect();
    let good = run_bin(&fixed_args).await;
    assert_eq!(good.status, Some(0), "{fixed}: {}", good.stderr);
    assert!(
        good.out().trim_start().starts_with('{'),
        "{fixed} prints JSON"
    );
}

#[tokio::test]
async fn headless_before_a_subcommand_is_refused() {
    for (args, path) in [
        (&["--headless", "codes"][..], "codes"),
        (&["--headless", "policy", "show"][..], "policy show"),
        (&["--headless", "serve"][..], "serve"),
    ] {
        let out = run_bin(args).await;
        assert_refused(
            args,
            &out,
            &format!("--headless is for connecting to a URL, not for `{path}`: wsprobe {path}"),
        );
    }
}

#[tokio::test]
async fn a_bare_word_far_from_every_command_is_still_a_host() {
    // Rejected by the URL settings, not as a command: it was taken as a host
    // (and --max-attempts 0 stops it before any lookup).
    let args = ["intranet", "--headless", "--max-attempts", "0"];
    let out = run_bin(&args).await;
    assert_refused(&args, &out, "--max-attempts must be at least 1");
    assert!(!out.stderr.contains("unknown command"), "{}", out.stderr);

    // A bare host that resolves here connects as before.
    let args = [
        "localhost",
        "--headless",
        "--max-attempts",
        "1",
        "--connect-timeout",
        "1s",
        "--duration",
        "3s",
    ];
    let out = run_bin(&args).await;
    assert_ne!(out.status, Some(2), "{}", out.stderr);
    assert!(
        out.out()
            .lines()
            .next()
            .is_some_and(|l| l.ends_with("connecting   attempt 1 to ws://localhost/")),
        "{}",
        out.out()
    );
}

#[tokio::test]
async fn subcommands_written_correctly_still_run() {
    for args in [
        &["codes", "--json"][..],
        &["explain", "1006"][..],
        &["policy", "simulate", "1006", "--json", "--seed", "1"][..],
    ] {
        let out = run_bin(args).await;
        assert_eq!(out.status, Some(0), "wsprobe {args:?}: {}", out.stderr);
    }
}
