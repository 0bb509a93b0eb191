//! `wsprobe policy show` and `wsprobe policy simulate`, run as a user would.

use crate::support::{Bin, BinRun};

async fn wsprobe(args: &[&str]) -> BinRun {
    Bin::wsprobe(args).run().await
}

fn stdout(out: &BinRun) -> String {
    out.out()
}

fn stderr(out: &BinRun) -> String {
    out.stderr.clone()
}

fn json_lines(out: &BinRun) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[tokio::test]
async fn simulate_shows_the_spec_defaults() {
    let out = wsprobe(&[
        "policy", "simulate", "1012", "refused", "--seed", "3", "--json",
    ])
    .await;
    assert_eq!(out.status, Some(0), "{}", stderr(&out));
    let steps = json_lines(&out);
    assert_eq!(steps.len(), 8, "eight attempts by default");
    assert_eq!(steps[0]["attempt"], 2);
    assert_eq!(steps[0]["window_ms"], serde_json::json!([1000, 5000]));
    assert_eq!(steps[0]["rule"], "service restart: uniform 1s-5s");
    // The failed restart retry continues as going away with k = 1.
    assert_eq!(steps[1]["class"], "going-away");
    assert_eq!(steps[1]["window_ms"], serde_json::json!([500, 2500]));
    for s in &steps {
        let w = s["window_ms"].as_array().expect("window");
        let d = s["delay_ms"].as_u64().expect("delay");
        assert!(
            w[0].as_u64().unwrap() <= d && d <= w[1].as_u64().unwrap(),
            "{s}"
        );
    }
    let elapsed: Vec<u64> = steps
        .iter()
        .map(|s| s["elapsed_ms"].as_u64().unwrap())
        .collect();
    assert!(elapsed.windows(2).all(|w| w[0] <= w[1]), "{elapsed:?}");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_schedule() {
    let a = wsprobe(&["policy", "simulate", "1006", "--seed", "42", "--json"]).await;
    let b = wsprobe(&["policy", "simulate", "1006", "--seed", "42", "--json"]).await;
    assert_eq!(stdout(&a), stdout(&b));
}

#[tokio::test]
async fn simulate_table_names_the_rule_and_the_stop() {
    let out = wsprobe(&[
        "policy",
        "simulate",
        "1011",
        "--attempts",
        "8",
        "--seed",
        "1",
    ])
    .await;
    let text = stdout(&out);
    assert!(
        text.contains("server error: 2s + full jitter over 2s×2^0, cap 1m"),
        "{text}"
    );
    assert!(
        text.contains("gave up after 5 consecutive retries"),
        "{text}"
    );
    let out = wsprobe(&["policy", "simulate", "1008"]).await;
    assert!(stdout(&out).contains("stop (auth)"), "{}", stdout(&out));
}

#[tokio::test]
async fn retry_after_is_the_minimum() {
    let out = wsprobe(&[
        "policy",
        "simulate",
        "http-503",
        "--retry-after",
        "20s",
        "--json",
    ])
    .await;
    let steps = json_lines(&out);
    assert_eq!(steps[0]["window_ms"], serde_json::json!([20000, 22000]));
    for s in &steps {
        assert!(s["delay_ms"].as_u64().unwrap() >= 20_000, "{s}");
    }
    // Once the backoff outgrows the server's wait, it keeps growing.
    let last = &steps[steps.len() - 1];
    assert_eq!(
        last["window_ms"],
        serde_json::json!([60_000, 120_000]),
        "{last}"
    );
}

#[tokio::test]
async fn show_prints_a_file_that_loads_back() {
    let out = wsprobe(&["policy", "show"]).await;
    assert_eq!(out.status, Some(0));
    let text = stdout(&out);
    assert!(text.contains("[classes.going-away]"), "{text}");
    assert!(text.contains("1012 = \"service-restart\""), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, text.replace("floor = \"500ms\"", "floor = \"2s\"")).unwrap();
    let path = path.to_str().unwrap();
    let out = wsprobe(&[
        "policy",
        "simulate",
        "1001",
        "--policy",
        path,
        "--json",
        "--attempts",
        "1",
    ])
    .await;
    assert_eq!(out.status, Some(0), "{}", stderr(&out));
    assert_eq!(
        json_lines(&out)[0]["window_ms"],
        serde_json::json!([2000, 3000])
    );
    let shown = wsprobe(&["policy", "show", "--policy", path]).await;
    assert!(stdout(&shown).contains("floor = \"2s\""));
}

#[tokio::test]
async fn a_bad_policy_file_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "min-uptime = \"5s\"\n\n[classes.abnormal]\ncap = \"forever\"\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    for args in [
        vec!["policy", "show", "--policy", p],
        vec!["policy", "simulate", "1006", "--policy", p],
        vec!["explain", "1006", "--policy", p],
        vec!["ws://127.0.0.1:9/", "--json", "--policy", p],
    ] {
        let out = wsprobe(&args).await;
        assert_eq!(out.status, Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{p}:4: classes.abnormal.cap")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("policy show"),
            "says where to start from: {err}"
        );
    }
    let out = wsprobe(&["policy", "show", "--policy", "/nonexistent/p.toml"]).await;
    assert_eq!(out.status, Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}

#[tokio::test]
async fn bad_simulate_input_exits_2() {
    for (args, says) in [
        (vec!["policy", "simulate", "99999"], "0 to 65535"),
        (vec!["policy", "simulate", "sometimes"], "failure name"),
        (
            vec!["policy", "simulate", "1006", "--attempts", "0"],
            "at least 1",
        ),
        (
            vec!["policy", "simulate", "1006", "--uptime", "soon"],
            "invalid duration",
        ),
    ] {
        let out = wsprobe(&args).await;
        assert_eq!(out.status, Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
}

#[tokio::test]
async fn a_ping_timeout_not_longer_than_the_interval_is_refused() {
    let out = wsprobe(&["ws://127.0.0.1:9/", "--json", "--ping-timeout", "5s"]).await;
    assert_eq!(out.status, Some(2));
    assert!(
        stderr(&out).contains("must be longer than the ping interval"),
        "{}",
        stderr(&out)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        "[liveness]\nping-interval = \"20s\"\nping-timeout = \"10s\"\n",
    )
    .unwrap();
    let out = wsprobe(&["policy", "show", "--policy", path.to_str().unwrap()]).await;
    assert_eq!(out.status, Some(2));
    assert!(
        stderr(&out).contains(":3: liveness.ping-timeout"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_bad_simulate_name_lists_every_failure_name() {
    let out = wsprobe(&["policy", "simulate", "sometimes"]).await;
    assert_eq!(out.status, Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(wsprobe::engine::policy::HTTP_NAME.pattern),
        "{err}"
    );
    for f in wsprobe::engine::policy::FAILURE_NAMES {
        assert!(err.contains(f.name), "{} missing: {err}", f.name);
    }
}

#[tokio::test]
async fn a_policy_file_accepts_every_failure_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    let mut text = String::from("[failures]\nhttp-418 = \"abnormal\"\n");
    for f in wsprobe::engine::policy::FAILURE_NAMES {
        text.push_str(f.name);
        text.push_str(" = \"abnormal\"\n");
    }
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    for name in wsprobe::engine::policy::FAILURE_NAMES
        .iter()
        .map(|f| f.name)
        .chain(["http-418"])
    {
        let out = wsprobe(&[
            "policy",
            "simulate",
            name,
            "--policy",
            p,
            "--json",
            "--attempts",
            "1",
        ])
        .await;
        assert_eq!(out.status, Some(0), "{name}: {}", stderr(&out));
        assert_eq!(json_lines(&out)[0]["class"], "abnormal", "{name}");
        let out = wsprobe(&["explain", name, "--policy", p, "--json"]).await;
        assert_eq!(out.status, Some(0), "{name}: {}", stderr(&out));
    }
}
