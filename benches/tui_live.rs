//! The TUI live: the real `wsprobe` in a 160×48 pseudo-terminal against the
//! scenario server, measured from outside.
//!
//! - idle: an open connection with no traffic (`/echo`, pings an hour
//!   apart), CPU time used over 10 s (target < 0.02 s);
//! - flood: 1 000 000 messages of 32 bytes (`/flood`), every one counted
//!   on screen, how long a key press takes to show while they pour in
//!   (`?` until the help overlay appears; target < 100 ms), and the peak
//!   memory (`VmHWM`, default history; target < 100 MiB). Each press comes
//!   right after a frame (the one that closed the overlay again), so it
//!   waits out the whole frame interval (33 ms): these are worst cases;
//! - large flood: 300 text messages of 1 MiB (`/flood`), the peak memory
//!   with the default history (target < 100 MiB: the history keeps one copy
//!   of each text, within its text budget, and the screen reads that copy).
//!
//! `cargo bench --bench tui_live` (Linux: reads `/proc`). Run without
//! `--bench` (as `cargo test --benches` does), it only says how to run it.

#[allow(
    dead_code,
    unused_imports,
    reason = "the benchmark uses only the pseudo-terminal driver of the tests' helpers"
)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::pty::Pty;
use support::scenario::ScenarioServer;
use support::wsprobe_exe;

const COLS: u16 = 160;
const ROWS: u16 = 48;
const IDLE_FOR: Duration = Duration::from_secs(10);
const FLOOD: u64 = 1_000_000;
/// The longest the flood may take to be counted.
const FLOOD_LIMIT: Duration = Duration::from_secs(60);
/// Key presses timed during the flood, at most.
const KEY_SAMPLES: usize = 10;
/// The longest a key may take to show before the benchmark gives up on it.
const KEY_LIMIT: Duration = Duration::from_secs(15);
const HELP_TITLE: &str = "keys · Esc closes";

const IDLE_CPU_TARGET: f64 = 0.02;
const KEY_TARGET: Duration = Duration::from_millis(100);
const MEMORY_TARGET_MIB: f64 = 100.0;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("tui_live measures the running TUI; use `cargo bench --bench tui_live`");
        return;
    }
    if !std::path::Path::new("/proc/self/stat").exists() {
        println!("tui_live reads /proc and runs on Linux only");
        return;
    }
    let server = ScenarioServer::start();
    let mut missed = Vec::new();
    idle(&server, &mut missed);
    flood(&server, &mut missed);
    large_flood(&server, &mut missed);
    if missed.is_empty() {
        println!("\nall targets met");
    } else {
        println!("\ntargets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}

fn spawn(url: &str, extra: &[&str]) -> Pty {
    let mut args = vec![url];
    args.extend_from_slice(extra);
    Pty::spawn_sized(wsprobe_exe(), &args, &[], COLS, ROWS)
}

fn quit(pty: &mut Pty) {
    pty.send("q");
    let code = pty.wait_exit();
    assert_eq!(code, 0, "wsprobe exited with {code}");
}

fn idle(server: &ScenarioServer, missed: &mut Vec<String>) {
    println!("idle: an open /echo connection, no traffic, {IDLE_FOR:?}");
    let mut pty = spawn(
        &server.url("/echo"),
        &["--ping-interval", "1h", "--ping-timeout", "2h"],
    );
    pty.wait_for("the open connection", |s| s.contents().contains("● open"));
    // The first frames after the open are part of opening, not of idling:
    // start once the screen has shown the open state.
    let pid = pty.pid();
    let bytes_before = pty.raw().len();
    let cpu_before = Cpu::of(pid);
    std::thread::sleep(IDLE_FOR);
    let cpu_after = Cpu::of(pid);
    let drawn = pty.raw().len() - bytes_before;
    let used = cpu_after.since(&cpu_before);
    println!(
        "  CPU time: {:.3} s (/proc/{pid}/stat utime+stime, tick {:.0} ms; \
         scheduler: {:.4} s); written to the terminal: {drawn} bytes",
        used.ticks_s,
        1000.0 / cpu_before.ticks_per_s,
        used.sched_s,
    );
    check(
        missed,
        used.ticks_s < IDLE_CPU_TARGET,
        &format!("idle CPU {:.3} s < {IDLE_CPU_TARGET} s", used.ticks_s),
    );
    quit(&mut pty);
}

fn flood(server: &ScenarioServer, missed: &mut Vec<String>) {
    println!("flood: {FLOOD} messages of 32 bytes, default history");
    let url = server.url(&format!("/flood?n={FLOOD}&size=32"));
    let mut pty = spawn(&url, &[]);
    let pid = pty.pid();
    let started = Instant::now();
    let cpu_before = Cpu::of(pid);
    pty.wait_for("the flood to begin", |s| {
        messages_in(s).is_some_and(|n| n > 0)
    });

    // Keys while it pours in: `?` until the overlay shows, Esc until it
    // goes (waiting, so the next `?` is not read as Alt-?).
    let mut during = Vec::new();
    let mut after = Vec::new();
    while during.len() + after.len() < KEY_SAMPLES {
        let before = pty.screen(messages_in).unwrap_or(0);
        pty.send("?");
        let took = pty.wait_within("the help overlay", KEY_LIMIT, |s| {
            s.contents().contains(HELP_TITLE)
        });
        let shown = pty.screen(messages_in).unwrap_or(0);
        if shown < FLOOD && before < FLOOD {
            during.push(took);
        } else {
            after.push(took);
        }
        pty.send("\x1b");
        pty.wait_within("the help overlay to close", KEY_LIMIT, |s| {
            !s.contents().contains(HELP_TITLE)
        });
        if shown >= FLOOD {
            break;
        }
    }

    pty.wait_within("every message counted", FLOOD_LIMIT, |s| {
        messages_in(s).is_some_and(|n| n >= FLOOD)
    });
    let total = started.elapsed();
    let shown = pty.screen(messages_in).unwrap_or(0);
    let cpu = Cpu::of(pid).since(&cpu_before);
    let peak = peak_memory_kib(pid) as f64 / 1024.0;
    println!(
        "  counted: {shown} messages in, on screen {:.2} s after the start \
         ({:.0} msg/s; CPU {:.2} s)",
        total.as_secs_f64(),
        FLOOD as f64 / total.as_secs_f64(),
        cpu.ticks_s,
    );
    check(
        missed,
        shown == FLOOD,
        &format!("{shown} of {FLOOD} messages counted"),
    );
    report_keys("during the flood", &during);
    report_keys("after it ended", &after);
    if during.is_empty() {
        println!("  (the flood ended before a key could be timed during it)");
    }
    let worst = during.iter().max().copied().unwrap_or_default();
    check(
        missed,
        !during.is_empty() && worst < KEY_TARGET,
        &format!("key latency during the flood {worst:.1?} < {KEY_TARGET:?}"),
    );
    println!("  peak memory (VmHWM): {peak:.1} MiB");
    check(
        missed,
        peak < MEMORY_TARGET_MIB,
        &format!("peak memory {peak:.1} MiB < {MEMORY_TARGET_MIB} MiB"),
    );
    quit(&mut pty);
}

const LARGE: u64 = 300;

fn large_flood(server: &ScenarioServer, missed: &mut Vec<String>) {
    println!("large flood: {LARGE} text messages of 1 MiB, default history");
    let url = server.url(&format!("/flood?n={LARGE}&size={}", 1 << 20));
    let mut pty = spawn(&url, &[]);
    let pid = pty.pid();
    let started = Instant::now();
    pty.wait_within("every message counted", FLOOD_LIMIT, |s| {
        messages_in(s).is_some_and(|n| n >= LARGE)
    });
    let total = started.elapsed();
    let peak = peak_memory_kib(pid) as f64 / 1024.0;
    println!(
        "  counted {LARGE} messages of 1 MiB in {:.2} s; peak memory (VmHWM): {peak:.1} MiB",
        total.as_secs_f64()
    );
    check(
        missed,
        peak < MEMORY_TARGET_MIB,
        &format!("peak memory with 1 MiB messages {peak:.1} MiB < {MEMORY_TARGET_MIB} MiB"),
    );
    quit(&mut pty);
}

fn report_keys(when: &str, samples: &[Duration]) {
    if samples.is_empty() {
        return;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  key `?` to help overlay {when}: {} presses, median {:.1} ms, max {:.1} ms",
        sorted.len(),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[sorted.len() - 1]),
    );
}

fn check(missed: &mut Vec<String>, ok: bool, what: &str) {
    println!("  {} {what}", if ok { "ok  " } else { "MISS" });
    if !ok {
        missed.push(what.to_owned());
    }
}

/// The count of messages received, from the sparkline panel's title
/// (`in 123 out 4`).
fn messages_in(s: &vt100::Screen) -> Option<u64> {
    let contents = s.contents();
    let (_, rest) = contents.split_once("msg/s  in ")?;
    rest.split_whitespace().next()?.parse().ok()
}

/// CPU time a process has used so far.
struct Cpu {
    /// utime + stime from `/proc/PID/stat`, in clock ticks.
    ticks: u64,
    ticks_per_s: f64,
    /// The scheduler's run time of each thread alive now, summed (ns).
    sched_ns: u64,
}

/// CPU time used between two readings, in seconds.
struct Used {
    ticks_s: f64,
    sched_s: f64,
}

impl Cpu {
    fn of(pid: u32) -> Self {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read stat");
        // The command name may hold spaces; the fields after it do not.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .expect("stat format")
            .1
            .split_whitespace()
            .collect();
        // utime and stime are fields 14 and 15; `fields` starts at field 3.
        let field = |n: usize| fields[n - 3].parse::<u64>().expect("a number");
        let mut sched_ns = 0;
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for task in tasks.flatten() {
                if let Ok(s) = std::fs::read_to_string(task.path().join("schedstat"))
                    && let Some(ns) = s
                        .split_whitespace()
                        .next()
                        .and_then(|v| v.parse::<u64>().ok())
                {
                    sched_ns += ns;
                }
            }
        }
        Self {
            ticks: field(14) + field(15),
            ticks_per_s: clock_ticks_per_second(),
            sched_ns,
        }
    }

    fn since(&self, before: &Self) -> Used {
        Used {
            ticks_s: (self.ticks - before.ticks) as f64 / self.ticks_per_s,
            sched_s: self.sched_ns.saturating_sub(before.sched_ns) as f64 / 1e9,
        }
    }
}

/// `getconf CLK_TCK`, which is 100 on practically every Linux.
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// `VmHWM` from `/proc/PID/status`, in KiB.
fn peak_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM in status")
}
