//! `--help` is part of the interface: snapshot it so changes are deliberate.

use crate::support::Bin;

async fn help(args: &[&str]) -> String {
    let out = Bin::wsprobe(args).env("COLUMNS", "100").run().await;
    assert_eq!(out.status, Some(0), "{args:?} exited {:?}", out.status);
    String::from_utf8(out.stdout).expect("utf-8 help")
}

#[tokio::test]
async fn top_level_help() {
    insta::assert_snapshot!(help(&["--help"]).await);
}

#[tokio::test]
async fn every_subcommand_has_help_with_examples() {
    for args in [
        &["explain", "--help"][..],
        &["codes", "--help"],
        &["policy", "show", "--help"],
        &["policy", "simulate", "--help"],
        &["serve", "--help"],
    ] {
        let text = help(args).await;
        assert!(text.contains("Usage: wsprobe"), "{args:?}:\n{text}");
        assert!(
            text.contains("Example"),
            "{args:?} has no examples:\n{text}"
        );
    }
}

#[tokio::test]
async fn version_is_printed() {
    let out = help(&["--version"]).await;
    assert!(out.starts_with("wsprobe "), "{out}");
}
