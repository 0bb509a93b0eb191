//! JSON for scripts: the same content as the text, as one document on stdout.
//! Field names are `snake_case` and, once published, are only ever added to.

use serde_json::{Value, json};

use super::{Item, client_action, decision_text, differences, summary};
use crate::engine::catalog::{self, Entry};
use crate::engine::policy::{Decision, Policy};

/// `wsprobe codes --json`: an array with one object per entry.
pub(super) fn codes(policy: &Policy) -> String {
    let rows: Vec<Value> = catalog::entries()
        .iter()
        .map(|e| {
            let mut row = entry(e);
            row["class"] = json!(policy.classify(e.trigger).key());
            row
        })
        .collect();
    render(&Value::Array(rows))
}

/// `wsprobe explain --json`: one object for one input; for two, both items
/// with the summary, the differences and the advice; for more, `entries`.
pub(super) fn explain(items: &[Item]) -> String {
    let doc = match items {
        [one] => item(one),
        [a, b] => {
            let mut diffs = serde_json::Map::new();
            for (aspect, texts) in differences(a, b) {
                diffs.insert(aspect.to_string(), json!(texts));
            }
            json!({
                "summary": summary(a, b),
                "entries": [item(a), item(b)],
                "differences": diffs,
                "when_to_use": {
                    "client": [client_action(a), client_action(b)],
                    "server": [a.entry.send_when, b.entry.send_when],
                },
            })
        }
        _ => json!({ "entries": items.iter().map(item).collect::<Vec<_>>() }),
    };
    render(&doc)
}

/// The catalog's own fields.
fn entry(e: &Entry) -> Value {
    json!({
        "key": e.key,
        "name": e.name,
        "on_wire": e.on_wire.as_str(),
        "meaning": e.meaning,
        "when": e.when,
        "fix": e.fix,
        "send_when": e.send_when,
    })
}

/// An explained input: the entry, how the input relates to it, the class
/// and the decision.
fn item(item: &Item) -> Value {
    let mut out = entry(item.entry);
    out["input"] = json!(item.label);
    out["code"] = json!(item.code);
    // What the policy was given, named as events name it (`close 4321`, `http-418`).
    out["trigger"] = json!(item.trigger.name());
    out["note"] = json!(item.note());
    out["class"] = json!(item.class.key());
    out["decision"] = match &item.decision {
        Decision::Stop { class, reason } => json!({
            "action": "stop",
            "class": class.key(),
            "reason": reason,
            "text": decision_text(&item.decision),
        }),
        Decision::Reconnect {
            window,
            class,
            rule,
            ..
        } => json!({
            "action": "reconnect",
            "class": class.key(),
            "window_ms": [window.0.as_millis() as u64, window.1.as_millis() as u64],
            "rule": rule,
            "text": decision_text(&item.decision),
        }),
    };
    out
}

fn render(doc: &Value) -> String {
    // Serialising a `Value` cannot fail (its keys are strings); the fallback
    // only keeps this free of panics.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}
