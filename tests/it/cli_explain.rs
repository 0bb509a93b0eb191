//! `wsprobe codes` and `wsprobe explain`, run as a user runs them: the built
//! binary, its stdout, stderr and exit status. The assertions check what a
//! reader would notice (names, classes, decisions, sections), not whole
//! outputs, so wording can improve without breaking them.

use serde_json::Value;

use crate::support::{Bin, BinRun};

/// The heading of the policy's decision.
const NEXT: &str = "What wsprobe does next (first retry, no failures before it)";

async fn wsprobe(args: &[&str]) -> BinRun {
    Bin::wsprobe(args).env("NO_COLOR", "1").run().await
}

/// Runs a command that must succeed; returns its stdout.
async fn ok(args: &[&str]) -> String {
    let out = wsprobe(args).await;
    assert_eq!(
        out.status,
        Some(0),
        "wsprobe {args:?} failed: {}",
        out.stderr
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("stdout is not UTF-8: {e}"))
}

/// Runs a command that must fail with a usage error; returns its stderr.
async fn usage_error(args: &[&str]) -> String {
    let out = wsprobe(args).await;
    assert_eq!(out.status, Some(2), "wsprobe {args:?} should exit 2");
    assert!(out.stdout.is_empty(), "wsprobe {args:?} printed to stdout");
    out.stderr
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Text with every run of whitespace made one space, so prose can be
/// searched whatever the line wrapping.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The paragraph under `heading`, flattened; empty when there is none.
fn section(text: &str, heading: &str) -> String {
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    flat(&body.join(" "))
}

#[tokio::test]
async fn codes_lists_codes_ranges_and_failures_with_their_class() {
    let out = ok(&["codes"]).await;
    let row = |key: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no row for {key}:\n{out}"))
    };
    assert!(out.lines().next().is_some_and(|l| l.contains("CLASS")));
    assert!(row("1006").contains("Abnormal Closure") && row("1006").contains("never"));
    assert!(row("1006").trim_end().ends_with("abnormal"));
    assert!(row("1012").trim_end().ends_with("service restart"));
    assert!(row("1014").contains("Bad Gateway") && row("1014").contains("yes"));
    assert!(row("1004").contains("reserved"));
    assert!(row("4000-4999").contains("Private use"));
    assert!(row("5000-65535").contains("invalid"));
    assert!(row("http-503").trim_end().ends_with("try again later"));
    assert!(row("tls").trim_end().ends_with("fatal"));
    for code in 1000..=1015 {
        row(&code.to_string());
    }
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}

#[tokio::test]
async fn codes_json_is_an_array_of_complete_entries() {
    let doc = json(&ok(&["codes", "--json"]).await);
    let rows = doc
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {doc}"));
    assert!(rows.len() >= 37, "only {} entries", rows.len());
    for row in rows {
        for field in ["key", "name", "on_wire", "class", "meaning", "when", "fix"] {
            let value = row[field].as_str().unwrap_or_default();
            assert!(!value.is_empty(), "{field} missing in {row}");
        }
    }
    let find = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no {key}"))
    };
    assert_eq!(find("1006")["on_wire"], "never");
    assert_eq!(find("1006")["class"], "abnormal");
    assert_eq!(find("1008")["class"], "auth");
    assert_eq!(find("3000-3999")["class"], "abnormal");
    assert_eq!(find("http-429")["class"], "try-again-later");
    assert_eq!(find("dns")["on_wire"], "n/a");
}

#[tokio::test]
async fn explain_1006_gives_the_entry_and_the_decision() {
    let out = ok(&["explain", "1006"]).await;
    assert!(out.starts_with("1006 Abnormal Closure"), "{out}");
    assert!(out.contains("Class: abnormal"));
    for heading in [
        "What it means",
        "When you see it",
        "How to fix it",
        "On the wire",
    ] {
        assert!(!section(&out, heading).is_empty(), "no {heading}:\n{out}");
    }
    assert!(
        out.contains("Cloudflare"),
        "concrete causes expected:\n{out}"
    );
    assert!(section(&out, "On the wire").contains("Never"));
    let next = section(&out, NEXT);
    assert!(
        next.contains("reconnect after a delay drawn from 1s-2s"),
        "{out}"
    );
    assert!(next.contains("abnormal"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 78), "{out}");
}

#[tokio::test]
async fn explain_two_codes_compares_them() {
    let out = ok(&["explain", "1001", "1012"]).await;
    assert!(
        out.starts_with("1001 Going Away vs 1012 Service Restart"),
        "{out}"
    );
    assert!(flat(&out).contains("1001 (Going Away) and 1012 (Service Restart)"));
    let differences = out
        .split_once("Key differences")
        .map_or_else(|| panic!("no key differences:\n{out}"), |(_, rest)| rest);
    let (differences, which) = differences
        .split_once("When to use which")
        .unwrap_or_else(|| panic!("no 'when to use which':\n{out}"));
    for aspect in [
        "What it means",
        "When you see it",
        "On the wire",
        "What the policy does",
    ] {
        assert!(differences.contains(aspect), "no {aspect}:\n{out}");
    }
    let differences = flat(differences);
    assert!(differences.contains("going away class: reconnect"));
    assert!(differences.contains("service restart class: reconnect"));
    assert!(differences.contains("uniform 1s-5s"));
    assert!(which.contains("As a client") && which.contains("As a server author"));
    assert!(which.contains("- 1001:") && which.contains("- 1012:"));
}

#[tokio::test]
async fn explain_a_code_in_a_range_explains_the_range() {
    let out = ok(&["explain", "4321"]).await;
    assert!(
        out.starts_with("4321 — Private use (range 4000-4999)"),
        "{out}"
    );
    assert!(flat(&out).contains("in the range 4000-4999"));
    assert!(out.contains("Class: abnormal"));
    assert!(section(&out, NEXT).starts_with("reconnect after a delay drawn from"));
}

#[tokio::test]
async fn explain_invalid_codes_says_they_are_a_server_bug() {
    for (code, range) in [("999", "0-999"), ("5000", "5000-65535")] {
        let out = ok(&["explain", code]).await;
        assert!(
            flat(&out).contains(&format!("{code} is not a valid close code")),
            "{out}"
        );
        assert!(out.contains(&format!("range {range}")), "{out}");
        assert!(out.contains("Class: fatal"), "{out}");
        let fix = section(&out, "How to fix it");
        assert!(
            fix.contains("protocol violation") && fix.contains("1002"),
            "{out}"
        );
        assert!(
            fix.contains("Report it") && fix.contains("Do not retry"),
            "{out}"
        );
        assert!(section(&out, NEXT).starts_with("stop —"), "{out}");
    }
}

#[tokio::test]
async fn explain_handshake_failures_by_name() {
    let out = ok(&["explain", "http-503"]).await;
    assert!(
        out.starts_with("HTTP 503 Service Unavailable (http-503)"),
        "{out}"
    );
    assert!(out.contains("Class: try again later"));
    assert!(section(&out, "How to fix it").contains("Retry-After"));
    assert!(flat(&out).contains("before the WebSocket existed"));

    let out = ok(&["explain", "DNS"]).await;
    assert!(out.starts_with("DNS lookup failed (dns)"), "{out}");
    assert!(out.contains("Class: abnormal"));
    assert!(section(&out, NEXT).starts_with("reconnect after a delay drawn from"));
}

#[tokio::test]
async fn explain_json_has_the_entry_and_the_decision() {
    let doc = json(&ok(&["explain", "1006", "--json"]).await);
    assert_eq!(doc["code"], 1006);
    assert_eq!(doc["name"], "Abnormal Closure");
    assert_eq!(doc["on_wire"], "never");
    assert_eq!(doc["class"], "abnormal");
    assert_eq!(doc["decision"]["action"], "reconnect");
    assert_eq!(
        doc["decision"]["window_ms"],
        serde_json::json!([1000, 2000])
    );
    for field in ["meaning", "when", "fix"] {
        assert!(
            doc[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }

    let doc = json(&ok(&["explain", "1000", "1008", "--json"]).await);
    assert_eq!(doc["entries"][0]["name"], "Normal Closure");
    assert_eq!(doc["entries"][1]["class"], "auth");
    assert_eq!(doc["entries"][1]["decision"]["action"], "stop");
    assert!(doc["summary"].as_str().is_some_and(|s| s.contains("1008")));
    assert_eq!(
        doc["differences"]["policy"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        doc["when_to_use"]["server"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn explain_more_than_two_explains_each() {
    let out = ok(&["explain", "1000", "1013", "tls"]).await;
    assert!(out.contains("1000 Normal Closure\n"));
    assert!(out.contains("1013 Try Again Later\n"));
    assert!(out.contains("TLS handshake failed (tls)\n"));
    assert!(!out.contains("Key differences"));
}

#[tokio::test]
async fn bad_input_is_a_usage_error_that_says_what_is_accepted() {
    for bad in ["99999", "abc", "-5"] {
        let err = usage_error(&["explain", bad]).await;
        assert!(err.contains(&format!("`{bad}`")), "{err}");
        assert!(err.contains("0 to 65535"), "{err}");
        assert!(err.contains("http-503") && err.contains("dns"), "{err}");
    }
    assert!(
        usage_error(&["explain", "1006", "99999"])
            .await
            .contains("out of range")
    );

    let err = usage_error(&["explain"]).await;
    assert!(err.contains("0–65535"), "{err}");
    assert!(err.contains("http-503") && err.contains("dns"), "{err}");
}

#[tokio::test]
async fn every_failure_name_is_accepted_by_explain_codes_and_simulate() {
    use wsprobe::engine::policy::{FAILURE_NAMES, HTTP_NAME};
    let codes = ok(&["codes"]).await;
    let codes_json = json(&ok(&["codes", "--json"]).await);
    let rows = codes_json.as_array().expect("an array");
    let mut names: Vec<&str> = FAILURE_NAMES.iter().map(|f| f.name).collect();
    names.extend(["http-418", "http-200", "http-504", "http-503"]);
    for name in names {
        let out = ok(&["explain", name]).await;
        assert!(
            out.lines()
                .next()
                .is_some_and(|l| l.contains(name)
                    || l.contains(&format!("HTTP {}", &name[5.min(name.len())..]))),
            "explain {name}:\n{out}"
        );
        let doc = json(&ok(&["explain", name, "--json"]).await);
        assert_eq!(doc["input"], name, "{doc}");
        ok(&["policy", "simulate", name, "--attempts", "1"]).await;
    }
    for key in FAILURE_NAMES
        .iter()
        .map(|f| f.name)
        .chain([HTTP_NAME.pattern])
    {
        assert!(
            codes
                .lines()
                .any(|l| l.split_whitespace().next() == Some(key)),
            "codes has no row for {key}:\n{codes}"
        );
        assert!(
            rows.iter().any(|r| r["key"] == key),
            "codes --json has no {key}"
        );
    }
}

#[tokio::test]
async fn an_http_status_without_an_entry_is_explained_as_itself() {
    let out = ok(&["explain", "http-418"]).await;
    assert!(
        out.starts_with("HTTP 418 (no entry of its own: any other status)\n"),
        "{out}"
    );
    assert!(out.contains("Class: fatal"), "{out}");
    assert!(section(&out, NEXT).contains("HTTP 418"), "{out}");
    let out = ok(&["explain", "http-504"]).await;
    assert!(out.contains("Class: abnormal"), "{out}");
    let doc = json(&ok(&["explain", "http-418", "--json"]).await);
    assert_eq!(doc["key"], "http-NNN");
    assert_eq!(doc["input"], "http-418");
    assert!(
        doc["decision"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("HTTP 418"))
    );
    // A status with an entry of its own still gets that entry.
    assert!(
        ok(&["explain", "http-503"])
            .await
            .starts_with("HTTP 503 Service Unavailable")
    );
}

#[tokio::test]
async fn help_names_every_failure_name() {
    use wsprobe::engine::policy::{FAILURE_NAMES, HTTP_NAME};
    for args in [
        &["explain", "--help"][..],
        &["policy", "simulate", "--help"],
    ] {
        let help = ok(args).await;
        assert!(help.contains(HTTP_NAME.pattern), "{args:?}:\n{help}");
        for f in FAILURE_NAMES {
            assert!(
                help.split_whitespace()
                    .any(|w| w.trim_matches(',') == f.name),
                "{args:?} does not name {}:\n{help}",
                f.name
            );
        }
    }
}
