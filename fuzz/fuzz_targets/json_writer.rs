//! `--json` lines: `headless::write_json` of events built from the input: a
//! text message with arbitrary text, a close with an arbitrary reason, and
//! an error with an arbitrary message and HTTP reply.
//!
//! Checks: the output is exactly one line, ending in `\n`; it parses as JSON;
//! the text, reason, message, headers and body come back exactly; `seq`,
//! `len` and `code` are right; and no character a terminal acts on (C0 but
//! the final newline, DEL, C1, bidi controls) is left raw in the line. The
//! `--headless` line of the same event is one line with nothing raw either.
#![no_main]

use std::time::Duration;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wsprobe::engine::event::{
    CloseInfo, Dir, EngineEvent, ErrorClass, EventKind, HttpReply, Initiator, Payload,
};
use wsprobe::engine::policy::{Class, Trigger};
use wsprobe::headless::{write_human, write_json};
use wsprobe::sanitize::is_unsafe;

fn trigger(u: &mut Unstructured) -> Result<Trigger> {
    Ok(match u.int_in_range(0..=10)? {
        0 => Trigger::Code(u.arbitrary()?),
        1 => Trigger::User,
        2 => Trigger::Http(u.arbitrary()?),
        3 => Trigger::Dns,
        4 => Trigger::Refused,
        5 => Trigger::Timeout,
        6 => Trigger::Tls,
        7 => Trigger::NotHttp,
        8 => Trigger::Liveness,
        9 => Trigger::Violation,
        _ => Trigger::Capacity,
    })
}

fn event(u: &mut Unstructured) -> Result<EngineEvent> {
    let seq = u.arbitrary()?;
    let t = Duration::from_micros(u.arbitrary()?);
    let kind = match u.int_in_range(0..=2)? {
        0 => EventKind::Message {
            dir: if u.arbitrary()? { Dir::In } else { Dir::Out },
            payload: Payload::Text(u.arbitrary()?),
        },
        1 => EventKind::Close(CloseInfo {
            code: u.arbitrary()?,
            name: u.arbitrary()?,
            reason: u.arbitrary()?,
            initiator: *u.choose(&[Initiator::Server, Initiator::Client, Initiator::Local])?,
            wire: u.arbitrary()?,
            clean: u.arbitrary()?,
            received_code: u.arbitrary()?,
            trigger: trigger(u)?,
            class: *u.choose(&Class::ALL)?,
        }),
        _ => EventKind::Error {
            class: *u.choose(&[
                ErrorClass::Dns,
                ErrorClass::Refused,
                ErrorClass::Timeout,
                ErrorClass::Tls,
                ErrorClass::Http,
                ErrorClass::Protocol,
                ErrorClass::Io,
                ErrorClass::Liveness,
                ErrorClass::Capacity,
            ])?,
            message: u.arbitrary()?,
            http: if u.arbitrary()? {
                Some(HttpReply {
                    status: u.arbitrary()?,
                    reason: u.arbitrary()?,
                    headers: u.arbitrary()?,
                    body: u.arbitrary()?,
                })
            } else {
                None
            },
            retry_after_ms: u.arbitrary()?,
        },
    };
    Ok(EngineEvent { seq, t, kind })
}

/// Headers as `write_json` promises them: one key per name, repeated values
/// joined with `, `, in first-seen order.
fn joined(headers: &[(String, String)]) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    for (name, _) in headers {
        if map.contains_key(name) {
            continue;
        }
        let values: Vec<&str> = headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        map.insert(name.clone(), Value::String(values.join(", ")));
    }
    map
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(event) = event(&mut u) else {
        return;
    };
    let mut out = Vec::new();
    let style = wsprobe::headless::JsonStyle::full(std::time::UNIX_EPOCH);
    write_json(&mut out, &event, &style).expect("writing to memory does not fail");

    assert_eq!(out.last(), Some(&b'\n'), "the line is not ended");
    assert_eq!(
        out.iter().filter(|&&b| b == b'\n').count(),
        1,
        "more than one line"
    );
    let line = std::str::from_utf8(&out).expect("the line is UTF-8");
    let body = &line[..line.len() - 1];
    assert!(
        !body.chars().any(is_unsafe),
        "a raw control character in {body:?}"
    );
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["seq"], event.seq);
    assert!(v["t_ms"].is_number());
    assert_eq!(v["kind"], event.kind.name());

    match &event.kind {
        EventKind::Message {
            payload: Payload::Text(text),
            dir,
        } => {
            assert_eq!(v["text"].as_str(), Some(text.as_str()), "text differs");
            assert_eq!(v["len"], text.len());
            assert_eq!(v["dir"], dir.as_str());
            assert_eq!(v["type"], "text");
        }
        EventKind::Close(c) => {
            assert_eq!(
                v["reason"].as_str(),
                Some(c.reason.as_str()),
                "reason differs"
            );
            assert_eq!(v["name"].as_str(), Some(c.name.as_str()));
            assert_eq!(v["code"], c.code);
            assert_eq!(v["trigger"].as_str(), Some(c.trigger.name().as_str()));
            match c.received_code {
                Some(r) => assert_eq!(v["received_code"], r),
                None => assert!(v.get("received_code").is_none()),
            }
        }
        EventKind::Error { message, http, .. } => {
            assert_eq!(v["message"].as_str(), Some(message.as_str()));
            if let Some(h) = http {
                assert_eq!(v["http_status"], h.status);
                assert_eq!(v["http"]["reason"].as_str(), Some(h.reason.as_str()));
                assert_eq!(v["http"]["body"].as_str(), Some(h.body.as_str()));
                assert_eq!(
                    v["http"]["headers"].as_object(),
                    Some(&joined(&h.headers)),
                    "headers differ"
                );
            }
        }
        _ => unreachable!(),
    }

    // The readable line: one line, every network string escaped. A close's
    // name comes from the catalog, not the network, as the engine makes it.
    let mut event = event;
    if let EventKind::Close(c) = &mut event.kind {
        c.name = wsprobe::engine::catalog::name_of(c.code).to_string();
    }
    let mut out = Vec::new();
    write_human(&mut out, &event).expect("writing to memory does not fail");
    let line = std::str::from_utf8(&out).expect("the line is UTF-8");
    let body = line.strip_suffix('\n').expect("the line is ended");
    assert!(!body.contains('\n'), "more than one line: {line:?}");
    assert!(
        !body.chars().any(is_unsafe),
        "a raw control character in {line:?}"
    );
});
