//! The fleet at scale, in one process: N clients (default 10 000, or
//! `FLEET_CLIENTS`) against the built-in server's `/deploy`. Reports the
//! whole process's peak RSS per open client, the watch screen's frame time,
//! the idle CPU of the open fleet, and — after the server's mass 1012 —
//! whether every client came back and how late attempts started against
//! their announced due time. A benchmark, not a test: run it alone with
//! `cargo bench --bench fleet`.

use std::io::BufRead as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;
use wsprobe::demo_server::{DemoServer, ServerConfig};
use wsprobe::engine::settings::Settings;
use wsprobe::theme::Theme;
use wsprobe::watch::state::FleetState;
use wsprobe::watch::view::WatchApp;
use wsprobe::watch::{Board, Fleet, Plan, limits};

fn status_kib(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) of this process, in clock ticks (1/100 s).
fn cpu_ticks() -> u64 {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = text.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // Fields 14 and 15 of stat (utime, stime), counted after the `)`.
    n(11) + n(12)
}

async fn wait_until(
    what: &str,
    limit: Duration,
    state: &Mutex<FleetState>,
    done: impl Fn(&FleetState) -> bool,
) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if done(&state.lock().expect("state")) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("gave up waiting for {what}");
    false
}

/// The scenario server for the bench: in this process when the open-file
/// limit allows two descriptors per client, else (or with
/// `FLEET_SERVER=process`) `wsprobe serve` in a process of its own.
enum Server {
    Inline(DemoServer),
    Process(std::process::Child, String),
}

impl Server {
    async fn start(phase: Duration, separate: bool) -> Self {
        if !separate {
            let server = DemoServer::start(ServerConfig {
                phase,
                restart_downtime: Duration::ZERO,
                ..ServerConfig::local()
            })
            .await
            .expect("server");
            return Server::Inline(server);
        }
        let phase = format!("{}s", phase.as_secs());
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wsprobe"))
            .args(["serve", "--phase", &phase, "--restart-downtime", "0s"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("wsprobe serve");
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        out.read_line(&mut first).expect("the server's first line");
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("ws://"))
            .expect("the server's URL")
            .trim_end_matches('/')
            .to_owned();
        // Its log (a line per connection) is read and dropped.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Server::Process(child, base)
    }

    fn url(&self, path: &str) -> String {
        match self {
            Server::Inline(s) => s.url(path),
            Server::Process(_, base) => format!("{base}{path}"),
        }
    }

    fn stop(self) {
        match self {
            Server::Inline(s) => drop(s),
            Server::Process(mut child, _) => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn main() {
    let n: u32 = std::env::var("FLEET_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let limit = limits::raise_nofile();
    let separate = std::env::var("FLEET_SERVER").is_ok_and(|v| v == "process")
        || limits::check(n, 2, limit).is_err();
    if let Err(e) = limits::check(n, if separate { 1 } else { 2 }, limit) {
        eprintln!("fleet bench: {e}");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let phase = Duration::from_secs(25);
        let server = Server::start(phase, separate).await;
        let whole = if separate {
            "this process: the clients; the server runs in its own"
        } else {
            "whole process, clients and server"
        };
        println!("fleet: the server runs {}", if separate { "in a separate `wsprobe serve`" } else { "in this process" });
        let url = url::Url::parse(&server.url("/deploy")).expect("url");
        let baseline = status_kib("VmRSS:");
        let board = Arc::new(Board::new(n, false, None));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let state = Arc::new(Mutex::new(FleetState::new(n)));
        let folder = state.clone();
        tokio::spawn(async move {
            while let Some(f) = rx.recv().await {
                folder.lock().expect("state").apply(&f);
            }
        });
        let started = Instant::now();
        let fleet = Fleet::start(
            Plan {
                settings: Settings::new(url),
                clients: n,
                ramp: Duration::ZERO,
                seed: 1,
            },
            board,
            tx,
        );
        let all_open = |s: &FleetState| s.counts[0] == n;
        if !wait_until("every client open", Duration::from_secs(20), &state, all_open).await {
            return;
        }
        println!("fleet: {n} clients open after {:.2} s", started.elapsed().as_secs_f64());
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss = status_kib("VmRSS:");
        let hwm = status_kib("VmHWM:");
        println!(
            "memory: peak RSS {hwm} KiB = {:.1} KiB per open client ({whole}); \
             RSS now {rss} KiB, {:.1} KiB per client above the {baseline} KiB before the fleet",
            hwm as f64 / f64::from(n),
            (rss.saturating_sub(baseline)) as f64 / f64::from(n)
        );
        // Idle CPU: 5 s of the open fleet doing nothing.
        let (t0, c0) = (Instant::now(), cpu_ticks());
        tokio::time::sleep(Duration::from_secs(5)).await;
        let cpu = (cpu_ticks() - c0) as f64 / 100.0 / t0.elapsed().as_secs_f64() * 100.0;
        println!("idle CPU of the open fleet: {cpu:.2} % of one core");
        // The screen's frame time on these aggregates.
        let themes = Theme::builtins().expect("themes");
        let mut w = WatchApp::new(n, "bench".into(), 1000, themes.len());
        w.fleet = state.lock().expect("state").clone();
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
        let frames = 200;
        let t = Instant::now();
        for _ in 0..frames {
            let now = std::time::Instant::now();
            terminal
                .draw(|f| wsprobe::watch::ui::render(f, &w, &themes[0], now, started))
                .expect("draw");
        }
        println!(
            "watch screen frame (160x48): {:.3} ms",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(frames)
        );
        // The mass 1012 at the end of the server's phase, and the recovery.
        let back = |s: &FleetState| {
            s.bursts.first().is_some_and(|b| b.reopened.len() as u32 == b.clients)
                && s.counts[0] == n
        };
        let ok = wait_until("every client back after the 1012", phase + Duration::from_secs(20), &state, back).await;
        let s = state.lock().expect("state").clone();
        if let Some(b) = s.bursts.first() {
            let (_, storm) = s.storm(b, usize::MAX);
            println!(
                "mass 1012: {} closed, {} back ({}), 50/95/100 % after {:?}/{:?}/{:?}, peak {} attempts/s",
                b.clients,
                b.reopened.len(),
                if ok { "all" } else { "NOT all" },
                b.recovery(0.5),
                b.recovery(0.95),
                b.recovery(1.0),
                FleetState::peak_per_second(&storm)
            );
        }
        for c in &s.causes {
            println!(
                "ended: {:>6} × {} ({})",
                c.count,
                wsprobe::watch::report::cause_label(&c.ended),
                c.ended.class.label()
            );
        }
        println!(
            "lateness against the announced due time: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} attempts",
            s.lateness.quantile(0.5).unwrap_or(0.0),
            s.lateness.quantile(0.99).unwrap_or(0.0),
            s.lateness.max_ms,
            s.lateness.count
        );
        println!("peak RSS at the end: {:.1} KiB per client", status_kib("VmHWM:") as f64 / f64::from(n));
        fleet.stop(1000);
        let _ = tokio::time::timeout(Duration::from_secs(5), fleet.task).await;
        server.stop();
    });
    runtime.shutdown_background();
}
