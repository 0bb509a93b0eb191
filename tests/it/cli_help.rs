//! `--help` is part of the interface: snapshot it so changes are deliberate.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wsprobe"))
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .expect("run wsprobe");
    assert!(out.status.success(), "{args:?} exited {:?}", out.status);
    String::from_utf8(out.stdout).expect("utf-8 help")
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for args in [
        &["explain", "--help"][..],
        &["codes", "--help"],
        &["policy", "show", "--help"],
        &["policy", "simulate", "--help"],
        &["serve", "--help"],
    ] {
        let text = help(args);
        assert!(text.contains("Usage: wsprobe"), "{args:?}:\n{text}");
        assert!(
            text.contains("Example"),
            "{args:?} has no examples:\n{text}"
        );
    }
}

#[test]
fn version_is_printed() {
    let out = help(&["--version"]);
    assert!(out.starts_with("wsprobe "), "{out}");
}
