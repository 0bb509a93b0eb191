//! The engine-to-writer path: turning received messages into JSON and human
//! lines, and moving events through the engine's channel.

use std::time::Duration;

use wsprobe::engine::event::{Dir, EngineEvent, EventKind, Payload};
use wsprobe::headless::{JsonStyle, write_human, write_json};

const STYLE: JsonStyle = JsonStyle {
    wall: std::time::UNIX_EPOCH,
    whole_binary: false,
};

fn main() {
    divan::main();
}

fn message(seq: u64, text: &str) -> EngineEvent {
    EngineEvent {
        seq,
        t: Duration::from_micros(seq * 7),
        kind: EventKind::Message {
            dir: Dir::In,
            payload: Payload::Text(text.to_string()),
        },
    }
}

/// One 32-byte text message as a JSON line.
#[divan::bench]
fn json_line_32b(bencher: divan::Bencher) {
    let event = message(123_456, "0123456789abcdef0123456789abcdef");
    let mut out = Vec::with_capacity(256);
    bencher.bench_local(|| {
        out.clear();
        write_json(&mut out, divan::black_box(&event), &STYLE).ok();
        divan::black_box(out.len())
    });
}

/// The same message as a human line (escaping included).
#[divan::bench]
fn human_line_32b(bencher: divan::Bencher) {
    let event = message(123_456, "0123456789abcdef0123456789abcdef");
    let mut out = Vec::with_capacity(256);
    bencher.bench_local(|| {
        out.clear();
        write_human(&mut out, divan::black_box(&event)).ok();
        divan::black_box(out.len())
    });
}

/// 10 000 events through a bounded tokio channel, as the engine sends them.
#[divan::bench(sample_count = 20)]
fn channel_10k_events(bencher: divan::Bencher) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    bencher.bench_local(|| {
        rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
            let producer = tokio::spawn(async move {
                for seq in 0..10_000u64 {
                    if tx
                        .send(message(seq, "0123456789abcdef0123456789abcdef"))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            });
            let mut n = 0u32;
            let mut out = Vec::with_capacity(256);
            while let Some(e) = rx.recv().await {
                out.clear();
                write_json(&mut out, &e, &STYLE).ok();
                n += 1;
            }
            producer.await.ok();
            n
        })
    });
}
