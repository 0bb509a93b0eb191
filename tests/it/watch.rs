//! `wsprobe watch` against the scenario server's fleet paths: every client
//! comes back after a mass close, attempts keep to the policy's windows,
//! the storm histogram counts exactly the attempts; the same for rolling
//! restarts and a capacity limit; bad input exits 2 with what to do.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use wsprobe::demo_server::{DemoServer, ServerConfig};

use crate::support::{Bin, within};

/// A restart window short enough for a test: every client is back within
/// about 1.5 s of a 1012.
const QUICK_POLICY: &str = "\
[classes.service-restart]
first-low = \"200ms\"
first-high = \"1s\"
";

async fn server(phase: Duration, downtime: Duration) -> DemoServer {
    let cfg = ServerConfig {
        phase,
        restart_downtime: downtime,
        ..ServerConfig::local()
    };
    within("the server to start", DemoServer::start(cfg))
        .await
        .expect("server starts")
}

fn policy_file() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("a temp file");
    std::fs::write(file.path(), QUICK_POLICY).expect("write the policy");
    file
}

/// Runs `wsprobe watch URL --json ARGS` to its end: every line parsed, and
/// the exit status.
async fn watch_json(url: &str, args: &[&str]) -> (Vec<Value>, Option<i32>) {
    let mut all = vec!["watch", url, "--json"];
    all.extend_from_slice(args);
    let run = Bin::wsprobe(&all).run().await;
    let lines = run
        .out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        run.stderr.is_empty() || !run.stderr.contains("panicked"),
        "{}",
        run.stderr
    );
    (lines, run.status)
}

/// Each client's events, in order.
fn by_client(lines: &[Value]) -> BTreeMap<u64, Vec<&Value>> {
    let mut map: BTreeMap<u64, Vec<&Value>> = BTreeMap::new();
    for l in lines.iter().filter(|l| l["kind"] != "summary") {
        let client = l["client"].as_u64().expect("every event has a client");
        map.entry(client).or_default().push(l);
    }
    map
}

fn final_summary(lines: &[Value]) -> &Value {
    let last = lines.last().expect("some output");
    assert_eq!(last["kind"], "summary", "the last line is the summary");
    assert_eq!(last["final"], true);
    last
}

/// Every reconnect's delay lies in its window, and the attempt it announced
/// started at its due time (not early, and late by less than `slack_ms`).
fn attempts_keep_to_their_windows(lines: &[Value], slack_ms: f64) -> usize {
    let mut checked = 0;
    for (client, events) in by_client(lines) {
        for pair in events.windows(2) {
            let (r, next) = (pair[0], pair[1]);
            // A reconnect the run's --duration cut short ends in give_up.
            if r["kind"] != "reconnect" || next["kind"] == "give_up" {
                continue;
            }
            let delay = r["delay_ms"].as_u64().expect("delay");
            let window = &r["window_ms"];
            let (lo, hi) = (
                window[0].as_u64().expect("lo"),
                window[1].as_u64().expect("hi"),
            );
            assert!(lo <= delay && delay <= hi, "client {client}: {r}");
            assert_eq!(next["kind"], "connecting", "client {client}: after {r}");
            let due = r["due_t_ms"].as_f64().expect("due");
            let at = next["t_ms"].as_f64().expect("t");
            assert!(
                at >= due - 1.0,
                "client {client} started early: {at} < {due}"
            );
            assert!(
                at - due < slack_ms,
                "client {client} late by {} ms",
                at - due
            );
            checked += 1;
        }
    }
    checked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_of_200_clients_all_come_back_inside_the_windows() {
    // The deploy at 4 s, the next not before 8 s: the run ends between, with
    // room for clients refused during the downtime to come back on a busy
    // machine.
    let server = server(Duration::from_secs(4), Duration::from_millis(500)).await;
    let policy = policy_file();
    let path = policy.path().to_string_lossy().into_owned();
    let url = server.url("/deploy");
    let args = ["--clients", "200", "--seed", "7", "--duration", "7500ms"];
    let (lines, status) = watch_json(
        &url,
        &[&args[..], &["--policy", &path, "--summary-every", "500ms"]].concat(),
    )
    .await;
    assert_eq!(status, Some(0), "a run ended by --duration succeeds");
    let clients = by_client(&lines);
    assert_eq!(clients.len(), 200);
    // Every client was closed by the deploy and opened again after it.
    for (client, events) in &clients {
        let close = events
            .iter()
            .position(|e| e["kind"] == "close" && e["code"] == 1012)
            .unwrap_or_else(|| panic!("client {client} never saw the 1012"));
        assert_eq!(events[close]["class"], "service-restart");
        assert!(
            events[close..].iter().any(|e| e["kind"] == "open"),
            "client {client} did not come back"
        );
    }
    assert!(attempts_keep_to_their_windows(&lines, 250.0) >= 200);
    let summary = final_summary(&lines);
    let burst = &summary["bursts"][0];
    assert_eq!(burst["clients"], 200, "{burst}");
    assert_eq!(burst["reopened"], 200, "{burst}");
    assert_eq!(burst["gave_up"], 0);
    assert!(burst["recovery_ms"]["p100"].as_u64().expect("recovered") < 2500);
    // The storm histogram counts exactly the attempts in its time span.
    let from = burst["attempts_per_100ms"]["from_t_ms"]
        .as_f64()
        .expect("from");
    let counts: Vec<u64> = burst["attempts_per_100ms"]["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| c.as_u64().expect("count"))
        .collect();
    let until = from + counts.len() as f64 * 100.0;
    let attempts = lines
        .iter()
        .filter(|l| l["kind"] == "connecting")
        .filter(|l| {
            let t = l["t_ms"].as_f64().expect("t");
            (t / 100.0).floor() >= (from / 100.0).floor()
                && (t / 100.0).floor() < (until / 100.0).floor()
        })
        .count() as u64;
    assert_eq!(counts.iter().sum::<u64>(), attempts);
    assert!(burst["peak_attempts_per_s"].as_u64().expect("peak") > 0);
    let connecting = lines.iter().filter(|l| l["kind"] == "connecting").count() as u64;
    assert_eq!(summary["attempts"], connecting);
    // Periodic summaries came before the last one.
    assert!(lines.iter().filter(|l| l["kind"] == "summary").count() >= 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_closes_one_batch_per_phase() {
    let server = server(Duration::from_millis(1500), Duration::ZERO).await;
    let policy = policy_file();
    let path = policy.path().to_string_lossy().into_owned();
    let url = server.url("/rolling?batches=4");
    let (lines, status) = watch_json(
        &url,
        &[
            "--clients",
            "200",
            "--seed",
            "3",
            "--duration",
            "6300ms",
            "--policy",
            &path,
        ],
    )
    .await;
    assert_eq!(status, Some(0));
    let summary = final_summary(&lines);
    let bursts = summary["bursts"].as_array().expect("bursts");
    assert!(bursts.len() >= 4, "a burst per phase: {summary}");
    // Connections join the batches in turn, so the first batch is exactly a
    // quarter; later ones also hold clients that reconnected since.
    assert_eq!(bursts[0]["clients"], 50, "{}", bursts[0]);
    for b in bursts {
        let n = b["clients"].as_u64().expect("clients");
        assert!((20..200).contains(&n), "{b}");
        assert_eq!(b["code"], 1012);
    }
    // The first batch comes back inside the quick restart window; later
    // ones met a connection shorter than min-uptime, so the policy
    // continues as going away with a growing window (some are still
    // waiting when the run ends).
    assert_eq!(bursts[0]["reopened"], 50, "{}", bursts[0]);
    assert!(attempts_keep_to_their_windows(&lines, 250.0) > 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_capacity_clients_wait_for_the_retry_after() {
    let server = server(Duration::from_secs(6), Duration::ZERO).await;
    let url = server.url("/capacity?max=150");
    let (lines, status) = watch_json(
        &url,
        &["--clients", "200", "--seed", "5", "--duration", "3s"],
    )
    .await;
    assert_eq!(status, Some(0));
    let mut open = 0i64;
    let mut most = 0i64;
    for l in lines.iter().filter(|l| l["kind"] != "summary") {
        match l["kind"].as_str() {
            Some("open") => open += 1,
            Some("close") if l["code"] != 1006 || l["trigger"] == "user" => open -= 1,
            _ => {}
        }
        most = most.max(open);
    }
    assert!(most <= 150, "never more than the capacity open: {most}");
    let refused: Vec<&Value> = lines
        .iter()
        .filter(|l| l["kind"] == "error" && l["http_status"] == 503)
        .collect();
    assert!(refused.len() >= 50, "the 50 beyond capacity are refused");
    assert!(refused.iter().all(|e| e["retry_after_ms"] == 2000));
    for (client, events) in by_client(&lines) {
        for pair in events.windows(2) {
            if pair[0]["kind"] == "close" && pair[0]["trigger"] == "http-503" {
                assert_eq!(pair[0]["class"], "try-again-later", "client {client}");
                assert_eq!(pair[1]["window_ms"], serde_json::json!([2000, 2200]));
            }
        }
    }
    let summary = final_summary(&lines);
    let closes = summary["closes"].as_array().expect("closes");
    assert!(
        closes
            .iter()
            .any(|c| c["trigger"] == "http-503" && c["class"] == "try-again-later")
    );
    assert!(attempts_keep_to_their_windows(&lines, 250.0) >= 50);
}

#[tokio::test]
async fn bad_input_exits_2_with_what_to_do() {
    let run = Bin::wsprobe(&["watch", "ws://127.0.0.1:9/", "--clients", "0", "--headless"])
        .run()
        .await;
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("--clients 0"), "{}", run.stderr);

    // A hard limit of 256 open files cannot hold 1000 clients.
    let exe = crate::support::wsprobe_exe().display().to_string();
    let script =
        format!("ulimit -n 256 && exec {exe} watch ws://127.0.0.1:9/ --clients 1000 --headless");
    let run = Bin::program(std::path::Path::new("bash"), &["-c", &script])
        .run()
        .await;
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("open files") && run.stderr.contains("--metrics"),
        "{}",
        run.stderr
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    for args in [
        vec![
            "watch",
            "ws://127.0.0.1:9/",
            "--headless",
            "--metrics",
            &addr,
        ],
        vec!["ws://127.0.0.1:9/", "--headless", "--metrics", &addr],
    ] {
        let run = Bin::wsprobe(&args).run().await;
        assert_eq!(run.status, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("in use"), "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_give_up_make_the_exit_status_1() {
    let server = server(Duration::from_secs(6), Duration::ZERO).await;
    let url = server.url("/reject/404");
    let run = Bin::wsprobe(&["watch", &url, "--clients", "3", "--headless", "--seed", "1"])
        .run()
        .await;
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    let out = run.out();
    assert!(out.contains("gave up 3"), "{out}");
    assert!(out.contains("http-404"), "{out}");
    assert!(out.contains("fatal"), "{out}");
}
