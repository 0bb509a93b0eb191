//! The invariant checker of the support module rejects what it should: every
//! other test relies on it, so it must not be vacuous.

use serde_json::{Value, json};

use crate::support;

/// A good run: fails once, waits, connects, is closed with 1000.
fn good() -> Vec<Value> {
    vec![
        json!({"seq":0,"t_ms":0.1,"kind":"connecting","attempt":1,"url":"ws://h/"}),
        json!({"seq":1,"t_ms":1.0,"kind":"error","class":"refused","message":"no"}),
        json!({"seq":2,"t_ms":1.1,"kind":"close","code":1006,"name":"?","reason":"","initiator":"local","wire":false,"clean":false}),
        json!({"seq":3,"t_ms":1.2,"kind":"reconnect","attempt":2,"delay_ms":20,"window_ms":[10,30],"due_t_ms":21.2,"rule":"abnormal: x"}),
        json!({"seq":4,"t_ms":21.3,"kind":"connecting","attempt":2,"url":"ws://h/"}),
        json!({"seq":5,"t_ms":22.0,"kind":"open","attempt":2,"status":101,"subprotocol":null,"handshake_ms":0.7,"headers":{},"insecure":false}),
        json!({"seq":6,"t_ms":23.0,"kind":"message","dir":"in","type":"text","len":2,"text":"hi"}),
        json!({"seq":7,"t_ms":24.0,"kind":"close","code":1000,"name":"?","reason":"","initiator":"server","wire":true,"clean":true}),
        json!({"seq":8,"t_ms":24.1,"kind":"give_up","reason":"close 1000: done"}),
    ]
}

fn rejects(events: &[Value], why: &str) {
    let ok = std::panic::catch_unwind(|| support::check(events)).is_ok();
    assert!(!ok, "the checker accepted a run where {why}");
}

/// Renumbers `seq` after an edit.
fn renumber(mut events: Vec<Value>) -> Vec<Value> {
    for (i, e) in events.iter_mut().enumerate() {
        e["seq"] = json!(i);
    }
    events
}

#[test]
fn a_good_run_passes() {
    support::check(&good());
}

#[test]
fn broken_runs_are_rejected() {
    let mut e = good();
    e[4]["seq"] = json!(7);
    rejects(&e, "seq skips");
    let mut e = good();
    e[5]["t_ms"] = json!(20.0);
    rejects(&e, "t_ms goes back");
    let mut e = good();
    e[4]["t_ms"] = json!(15.0);
    e[3]["t_ms"] = json!(1.2);
    rejects(&e, "connecting comes before due_t_ms");
    let mut e = good();
    e.remove(1);
    rejects(&renumber(e), "a derived 1006 has no error");
    let mut e = good();
    e.remove(3);
    rejects(&renumber(e), "a close has no decision");
    let mut e = good();
    e.insert(3, good()[2].clone());
    rejects(&renumber(e), "an attempt closes twice");
    let mut e = good();
    e.remove(8);
    rejects(&e, "the run does not end with give_up");
    let mut e = good();
    e[3]["delay_ms"] = json!(40);
    e[3]["due_t_ms"] = json!(41.2);
    e[4]["t_ms"] = json!(41.3);
    rejects(&e, "the delay lies outside its window");
    let mut e = good();
    e[7]["code"] = json!(1006);
    rejects(&e, "1006 travels on the wire");
    let mut e = good();
    e[3]["attempt"] = json!(3);
    rejects(&e, "the reconnect announces the wrong attempt");
    let mut e = good();
    e.insert(4, json!({"seq":0,"t_ms":2.0,"kind":"paused"}));
    rejects(&renumber(e), "an attempt starts while paused");
    let mut e = good();
    e.insert(
        5,
        json!({"seq":0,"t_ms":21.5,"kind":"message","dir":"in","type":"text","len":1,"text":"x"}),
    );
    rejects(&renumber(e), "a message comes before open");
    let mut e = good();
    e[7]["received_code"] = json!(1005);
    e[7]["code"] = json!(1002);
    rejects(&e, "received_code has no protocol error before it");
}
