//! `wsprobe policy show`: the effective policy as a policy file. Parsed back,
//! the file classifies every close code and every failure name exactly like
//! the policy it was printed from; its keys follow the catalog, so it reads
//! like the `wsprobe codes` table.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serializer;

use super::{Liveness, PolicyFile};
use crate::duration::Dur;
use crate::engine::catalog;
use crate::engine::policy::{Class, CodeRange, FAILURE_NAMES, Policy, Trigger, failure_names_text};

/// The effective policy as TOML, every mapping spelled out, ready to edit.
pub fn show(policy: &Policy) -> String {
    let file = PolicyFile {
        preset: policy.preset,
        min_uptime: Dur(policy.min_uptime),
        reconnect_on_normal: policy.reconnect_on_normal,
        max_retry_after: Dur(policy.max_retry_after),
        liveness: Liveness {
            ping_interval: Dur(policy.ping_interval),
            ping_timeout: Dur(policy.ping_timeout),
        },
        classes: policy.classes.clone(),
        codes: code_mappings(policy)
            .into_iter()
            .map(|(range, class)| (range.to_string(), class))
            .collect(),
        failures: failure_mappings(policy),
    };
    let body = toml::to_string_pretty(&file).unwrap_or_else(|e| format!("# cannot render: {e}\n"));
    format!("{}\n{body}", header())
}

/// The comment that opens the file: how to use it and how it is read.
fn header() -> String {
    let mut out = String::from(
        "# wsprobe reconnect policy. Use it with: wsprobe URL --policy FILE\n\
         # Classes: done going-away abnormal service-restart try-again-later server-error fatal auth.\n\
         # Full jitter draws from [floor, floor + min(cap, base*2^k)]; equal jitter from [t/2, t]\n\
         # with t = min(cap, base*2^k); k counts consecutive failures. A Retry-After R (clipped to\n\
         # max-retry-after) is the minimum: [R, 1.1R] when R is past the class's window, else it\n\
         # raises the window's start.\n\
         # [codes] maps a code (\"4000\") or a range (\"4000-4099\") to a class; where keys overlap,\n\
         # the narrowest wins. Below, every code and range of the catalog is listed, a range split\n\
         # where its codes differ. 1000 is done and listed only when mapped to something else;\n\
         # reconnect-on-normal = true makes it going-away whatever [codes] says.\n\
         # preset = \"graphql-ws\" or \"discord\" maps those protocols' codes; [codes] beats the\n\
         # preset and already spells out what it maps.\n\
         # [failures] maps a failure name to a class; a name not listed keeps its built-in class.\n",
    );
    let names = format!("Failure names: {}.", failure_names_text());
    for line in crate::text::wrap_words(&names, 90, 90) {
        out.push_str("# ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The class of every close code, as keys that follow the catalog: its single
/// codes, and its ranges, each split into sub-ranges only where the class
/// changes inside it. Every printed key maps all the codes it decides (those
/// no narrower key covers) to one class.
fn code_mappings(policy: &Policy) -> Vec<(CodeRange, Class)> {
    let class = |code| policy.classify(Trigger::Code(code));
    let spans: Vec<_> = catalog::entries()
        .iter()
        .filter_map(catalog::Entry::codes)
        .collect();
    let singles: BTreeSet<u16> = spans
        .iter()
        .filter(|r| r.start() == r.end())
        .map(|r| *r.start())
        .collect();
    let mut out = Vec::new();
    for span in &spans {
        let (lo, hi) = (*span.start(), *span.end());
        if lo == hi {
            // Without a mapping, 1000 follows reconnect-on-normal: leave it to the flag.
            let flag_decides =
                lo == 1000 && (policy.reconnect_on_normal || class(lo) == Class::Done);
            if !flag_decides {
                out.push((CodeRange { lo, hi }, class(lo)));
            }
            continue;
        }
        // The codes this range decides: those without a key of their own.
        // Each change of class among them starts a new sub-range; the first
        // starts at the range's start and the last ends at its end, so the
        // sub-ranges tile the range.
        let mut runs: Vec<(u16, Class)> = Vec::new();
        for code in (lo..=hi).filter(|c| !singles.contains(c)) {
            let c = class(code);
            match runs.last() {
                Some((_, last)) if *last == c => {}
                None => runs.push((lo, c)),
                Some(_) => runs.push((code, c)),
            }
        }
        for (i, &(start, c)) in runs.iter().enumerate() {
            let end = runs.get(i + 1).map_or(hi, |(next, _)| next - 1);
            out.push((CodeRange { lo: start, hi: end }, c));
        }
    }
    out
}

/// The class of every failure the catalog has an entry for, every named
/// failure, and every failure the policy maps; any other keeps its built-in
/// class when the file is read back.
fn failure_mappings(policy: &Policy) -> BTreeMap<String, Class> {
    let from_catalog = catalog::entries()
        .iter()
        .filter(|e| e.codes().is_none())
        .filter_map(|e| Trigger::parse_failure(e.key));
    let named = FAILURE_NAMES.iter().map(|f| f.trigger);
    let mapped = policy
        .failures
        .keys()
        .filter_map(|k| Trigger::parse_failure(k));
    from_catalog
        .chain(named)
        .chain(mapped)
        .map(|t| (t.key(), policy.classify(t)))
        .collect()
}

/// Writes `[codes]` in numeric order, a range before the codes inside it
/// (`3000-3999`, `3000`, `3003`), instead of in string order.
pub(super) fn in_code_order<S: Serializer>(
    codes: &BTreeMap<String, Class>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut entries: Vec<_> = codes.iter().collect();
    entries.sort_by_key(|(k, _)| CodeRange::parse(k).map(|r| (r.lo, Reverse(r.hi))));
    s.collect_map(entries)
}

/// Writes `[failures]` with HTTP statuses first, in numeric order, then a
/// proxy's statuses, then the named failures in the order of
/// [`FAILURE_NAMES`].
pub(super) fn in_failure_order<S: Serializer>(
    failures: &BTreeMap<String, Class>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let rank = |key: &str| match Trigger::parse_failure(key) {
        Some(Trigger::Http(status)) => (0, usize::from(status)),
        Some(Trigger::ProxyHttp(status)) => (1, usize::from(status)),
        Some(t) => (
            2,
            FAILURE_NAMES
                .iter()
                .position(|f| f.trigger == t)
                .unwrap_or(0),
        ),
        None => (3, 0),
    };
    let mut entries: Vec<_> = failures.iter().collect();
    entries.sort_by_key(|(k, _)| rank(k));
    s.collect_map(entries)
}
