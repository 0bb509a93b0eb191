//! `wsprobe replay --speed max` of a 1 000 000-event recording with the TUI
//! on screen: the real binary in a 160×48 pseudo-terminal, measured from
//! outside — events applied per second (from start until the footer says
//! the recording ended) and the peak memory (`VmHWM`, default history of
//! 100 000 events; the recording is streamed, not held).
//!
//! `cargo bench --bench replay` (Linux: reads `/proc`). Run without
//! `--bench` (as `cargo test --benches` does), it only says how to run it.

#[allow(
    dead_code,
    unused_imports,
    reason = "the benchmark uses only the pseudo-terminal driver of the tests' helpers"
)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::io::Write as _;
use std::time::{Duration, Instant};

use support::pty::Pty;
use support::wsprobe_exe as wsprobe;

const EVENTS: u64 = 1_000_000;
/// Messages per connection attempt (plus connecting, open, close, reconnect).
const PER_ATTEMPT: u64 = 9_996;
const LIMIT: Duration = Duration::from_secs(600);

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("replay measures the running TUI; use `cargo bench --bench replay`");
        return;
    }
    if !std::path::Path::new("/proc/self/stat").exists() {
        println!("replay reads /proc and runs on Linux only");
        return;
    }
    let file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("a temporary file");
    let size = write_recording(file.path());
    println!(
        "replay --speed max: {EVENTS} events, {:.1} MiB, in a 160×48 terminal",
        size as f64 / 1_048_576.0
    );
    let path = file.path().to_str().expect("a UTF-8 path");
    let started = Instant::now();
    let mut pty = Pty::spawn_sized(wsprobe(), &["replay", path, "--speed", "max"], &[], 160, 48);
    let pid = pty.pid();
    pty.wait_within("the end of the recording", LIMIT, |s| {
        s.contents().contains("replay ■")
    });
    let took = started.elapsed();
    let peak = peak_memory_kib(pid) as f64 / 1024.0;
    println!(
        "  replayed in {:.2} s: {:.0} events/s",
        took.as_secs_f64(),
        EVENTS as f64 / took.as_secs_f64()
    );
    println!("  peak memory (VmHWM): {peak:.1} MiB");
    pty.send("q");
    let code = pty.wait_exit();
    assert_eq!(code, 0, "wsprobe exited with {code}");
}

/// A recording like a long busy run: attempts of ~10 000 text messages of
/// 40–90 bytes, each ending in a 1006 and a reconnect. Returns its size.
fn write_recording(path: &std::path::Path) -> u64 {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(
        w,
        r#"{{"t_ms":0.0,"ts":"2026-11-29T12:00:00.000Z","kind":"session","version":"0.1.0","command_line":["wsprobe","ws://h/"],"seed":1,"policy":""}}"#
    )
    .expect("write");
    let mut seq = 0u64;
    let mut t = 0.0f64;
    let mut attempt = 1u32;
    let mut line = |w: &mut std::io::BufWriter<std::fs::File>, t: f64, body: &str| {
        writeln!(w, r#"{{"seq":{seq},"t_ms":{t:.3},{body}}}"#).expect("write");
        seq += 1;
    };
    let mut written = 0u64;
    while written < EVENTS {
        line(
            &mut w,
            t,
            &format!(r#""kind":"connecting","attempt":{attempt},"url":"ws://h/""#),
        );
        line(
            &mut w,
            t,
            &format!(r#""kind":"open","attempt":{attempt},"handshake_ms":1.2,"headers":{{}}"#),
        );
        for i in 0..PER_ATTEMPT {
            t += 0.1;
            let text = format!(
                r#"{{\"n\":{i},\"payload\":\"{}\"}}"#,
                "x".repeat(20 + (i % 50) as usize)
            );
            let dir = if i % 5 == 0 { "out" } else { "in" };
            line(
                &mut w,
                t,
                &format!(
                    r#""kind":"message","dir":"{dir}","type":"text","len":{},"text":"{text}""#,
                    text.len() - 6
                ),
            );
        }
        line(
            &mut w,
            t,
            r#""kind":"close","code":1006,"initiator":"local","wire":false,"clean":false,"trigger":"close 1006","class":"abnormal""#,
        );
        line(
            &mut w,
            t,
            &format!(
                r#""kind":"reconnect","attempt":{},"delay_ms":100,"window_ms":[0,200],"due_t_ms":{:.3},"rule":"abnormal""#,
                attempt + 1,
                t + 100.0
            ),
        );
        written += PER_ATTEMPT + 4;
        t += 100.0;
        attempt += 1;
    }
    w.flush().expect("flush");
    std::fs::metadata(path).expect("size").len()
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
