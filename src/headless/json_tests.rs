//! Tests of the JSON writer.

use super::*;
use crate::engine::event::{CloseInfo, Dir, Initiator};
use crate::engine::policy::{Class, Trigger};
use std::time::Duration;

fn line(kind: EventKind, micros: u64) -> serde_json::Value {
    let event = EngineEvent {
        seq: 42,
        t: Duration::from_micros(micros),
        kind,
    };
    let mut out = Vec::new();
    write_json(&mut out, &event, &JsonStyle::full(std::time::UNIX_EPOCH)).unwrap();
    assert_eq!(out.split(|b| *b == b'\n').count(), 2, "one line");
    assert_eq!(out.last(), Some(&b'\n'));
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn text_messages_keep_their_exact_text() {
    for text in [
        "plain",
        "quote \" and \\ slash",
        "esc \x1b]0;t\x07 and \u{202e} and \n",
        "",
    ] {
        let v = line(
            EventKind::Message {
                dir: Dir::In,
                payload: Payload::Text(text.into()),
            },
            1_500,
        );
        assert_eq!(v["text"], text);
        assert_eq!(v["len"], text.len());
        assert_eq!(v["kind"], "message");
        assert_eq!(v["type"], "text");
        assert_eq!(v["dir"], "in");
        assert_eq!(v["seq"], 42);
        assert_eq!(v["t_ms"].to_string(), "1.5");
    }
}

#[test]
fn times_have_at_most_three_decimals() {
    // Compare the text: the JSON must carry exactly these digits.
    let t = |micros| line(EventKind::Paused, micros)["t_ms"].to_string();
    assert_eq!(t(0), "0.0");
    assert_eq!(t(1), "0.001");
    assert_eq!(t(1_234_567), "1234.567");
    assert_eq!(t(5_000_100), "5000.1");
}

#[test]
fn other_kinds_share_the_prefix() {
    let v = line(
        EventKind::Close(CloseInfo {
            code: 1002,
            name: "Protocol Error".into(),
            reason: String::new(),
            initiator: Initiator::Server,
            wire: true,
            clean: true,
            received_code: Some(1005),
            trigger: Trigger::Violation,
            class: Class::Fatal,
        }),
        10,
    );
    assert_eq!(v["kind"], "close");
    assert_eq!(v["received_code"], 1005);
    assert_eq!(v["initiator"], "server");
    assert_eq!(v["seq"], 42);
    assert_eq!(v["trigger"], "protocol-violation");
    assert_eq!(v["class"], "fatal");
}

#[test]
fn ts_is_the_start_plus_t() {
    let event = EngineEvent {
        seq: 0,
        t: Duration::from_micros(1_234_567),
        kind: EventKind::Paused,
    };
    let wall = std::time::UNIX_EPOCH + Duration::from_secs(1_795_953_784);
    let mut out = Vec::new();
    write_json(&mut out, &event, &JsonStyle::preview(wall)).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["ts"], "2026-11-29T12:03:05.234Z");
    assert_eq!(v["t_ms"].to_string(), "1234.567");
}

#[test]
fn binary_payloads_are_whole_only_when_asked() {
    let data: Vec<u8> = (0..=255).collect();
    let kind = EventKind::Message {
        dir: Dir::In,
        payload: Payload::Binary {
            len: data.len(),
            head: data.clone(),
        },
    };
    let event = EngineEvent {
        seq: 1,
        t: Duration::ZERO,
        kind,
    };
    let write = |style: JsonStyle| {
        let mut out = Vec::new();
        write_json(&mut out, &event, &style).unwrap();
        serde_json::from_slice::<serde_json::Value>(&out).unwrap()
    };
    let full = write(JsonStyle::full(std::time::UNIX_EPOCH));
    assert_eq!(
        full["hex"].as_str().unwrap().len(),
        128,
        "a 64-byte preview"
    );
    let b64 = full["base64"].as_str().unwrap();
    let engine = base64::engine::general_purpose::STANDARD;
    assert_eq!(base64::Engine::decode(&engine, b64).unwrap(), data);
    let preview = write(JsonStyle::preview(std::time::UNIX_EPOCH));
    assert!(preview.get("base64").is_none());
    assert_eq!(preview["hex"], full["hex"]);
}
