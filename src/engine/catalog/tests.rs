use super::*;
use crate::engine::event::{CloseInfo, Initiator};
use crate::engine::policy::{Class, FAILURE_NAMES, Policy, all_failures};

/// (code, key of the entry it finds, on the wire, class under the default policy)
const CODES: &[(u16, &str, OnWire, Class)] = &[
    (1000, "1000", OnWire::Yes, Class::Done),
    (1001, "1001", OnWire::Yes, Class::GoingAway),
    (1002, "1002", OnWire::Yes, Class::Fatal),
    (1003, "1003", OnWire::Yes, Class::Fatal),
    (1004, "1004", OnWire::Reserved, Class::Fatal),
    (1005, "1005", OnWire::Never, Class::GoingAway),
    (1006, "1006", OnWire::Never, Class::Abnormal),
    (1007, "1007", OnWire::Yes, Class::Fatal),
    (1008, "1008", OnWire::Yes, Class::Auth),
    (1009, "1009", OnWire::Yes, Class::Fatal),
    (1010, "1010", OnWire::Yes, Class::Fatal),
    (1011, "1011", OnWire::Yes, Class::ServerError),
    (1012, "1012", OnWire::Yes, Class::ServiceRestart),
    (1013, "1013", OnWire::Yes, Class::TryAgainLater),
    (1014, "1014", OnWire::Yes, Class::Abnormal),
    (1015, "1015", OnWire::Never, Class::Fatal),
    (3000, "3000", OnWire::Yes, Class::Auth),
    (3003, "3003", OnWire::Yes, Class::Auth),
    (3008, "3008", OnWire::Yes, Class::Abnormal),
    // Range boundaries.
    (0, "0-999", OnWire::Invalid, Class::Fatal),
    (999, "0-999", OnWire::Invalid, Class::Fatal),
    (1016, "1016-2999", OnWire::Reserved, Class::Fatal),
    (2999, "1016-2999", OnWire::Reserved, Class::Fatal),
    (3001, "3000-3999", OnWire::Yes, Class::Abnormal),
    (3999, "3000-3999", OnWire::Yes, Class::Abnormal),
    (4000, "4000-4999", OnWire::Yes, Class::Abnormal),
    (4999, "4000-4999", OnWire::Yes, Class::Abnormal),
    (5000, "5000-65535", OnWire::Invalid, Class::Fatal),
    (65535, "5000-65535", OnWire::Invalid, Class::Fatal),
];

/// (name as typed, key, trigger, class under the default policy)
const FAILURES: &[(&str, &str, Trigger, Class)] = &[
    ("http-400", "http-400", Trigger::Http(400), Class::Fatal),
    ("http-401", "http-401", Trigger::Http(401), Class::Auth),
    ("HTTP-403", "http-403", Trigger::Http(403), Class::Auth),
    ("http-404", "http-404", Trigger::Http(404), Class::Fatal),
    ("http-426", "http-426", Trigger::Http(426), Class::Fatal),
    (
        "http-429",
        "http-429",
        Trigger::Http(429),
        Class::TryAgainLater,
    ),
    ("http-500", "http-500", Trigger::Http(500), Class::Abnormal),
    ("http-502", "http-502", Trigger::Http(502), Class::Abnormal),
    (
        "Http-503",
        "http-503",
        Trigger::Http(503),
        Class::TryAgainLater,
    ),
    ("dns", "dns", Trigger::Dns, Class::Abnormal),
    ("Refused", "refused", Trigger::Refused, Class::Abnormal),
    ("timeout", "timeout", Trigger::Timeout, Class::Abnormal),
    (" TLS ", "tls", Trigger::Tls, Class::Fatal),
    ("not-http", "not-http", Trigger::NotHttp, Class::Fatal),
    ("Liveness", "liveness", Trigger::Liveness, Class::Abnormal),
    (
        "protocol-violation",
        "protocol-violation",
        Trigger::Violation,
        Class::Fatal,
    ),
    ("capacity", "capacity", Trigger::Capacity, Class::Fatal),
    ("user", "user", Trigger::User, Class::Done),
    ("proxy-dns", "proxy-dns", Trigger::ProxyDns, Class::Abnormal),
    (
        "proxy-refused",
        "proxy-refused",
        Trigger::ProxyRefused,
        Class::Abnormal,
    ),
    (
        "proxy-timeout",
        "proxy-timeout",
        Trigger::ProxyTimeout,
        Class::Abnormal,
    ),
    ("proxy-tls", "proxy-tls", Trigger::ProxyTls, Class::Fatal),
    (
        "Proxy-407",
        "proxy-407",
        Trigger::ProxyHttp(407),
        Class::Auth,
    ),
    (
        "proxy-403",
        "proxy-403",
        Trigger::ProxyHttp(403),
        Class::Auth,
    ),
    (
        "proxy-502",
        "proxy-502",
        Trigger::ProxyHttp(502),
        Class::Abnormal,
    ),
    ("proxy-auth", "proxy-auth", Trigger::ProxyAuth, Class::Auth),
    (
        "proxy-socks",
        "proxy-socks",
        Trigger::ProxySocks,
        Class::Abnormal,
    ),
    (
        "proxy-protocol",
        "proxy-protocol",
        Trigger::ProxyProtocol,
        Class::Fatal,
    ),
    // Statuses without an entry of their own share one.
    ("http-418", "http-NNN", Trigger::Http(200), Class::Fatal),
    ("http-200", "http-NNN", Trigger::Http(200), Class::Fatal),
    (
        "proxy-400",
        "proxy-NNN",
        Trigger::ProxyHttp(400),
        Class::Fatal,
    ),
];

fn assert_texts(e: &Entry) {
    for (field, text) in [
        ("name", e.name),
        ("meaning", e.meaning),
        ("when", e.when),
        ("fix", e.fix),
        ("send_when", e.send_when),
    ] {
        assert!(!text.trim().is_empty(), "{}: empty {field}", e.key);
        // Line continuations in the source must not leave double spaces.
        assert!(!text.contains("  "), "{}: double space in {field}", e.key);
    }
}

#[test]
fn codes_find_the_right_entry() {
    let policy = Policy::default();
    for &(code, key, on_wire, class) in CODES {
        let e = lookup(code);
        assert_eq!(e.key, key, "lookup({code})");
        assert_eq!(e.on_wire, on_wire, "on_wire of {code}");
        assert_eq!(policy.classify(e.trigger), class, "class of {code}");
        assert_eq!(
            policy.classify(Trigger::Code(code)),
            class,
            "class of {code}"
        );
        assert_eq!(
            may_be_sent(code),
            on_wire == OnWire::Yes,
            "may_be_sent({code}) disagrees with on_wire"
        );
        assert_eq!(name_of(code), e.name);
        assert_eq!(by_key(&code.to_string()), Some(e));
        assert_texts(e);
    }
}

#[test]
fn failures_find_the_right_entry() {
    let policy = Policy::default();
    for &(name, key, trigger, class) in FAILURES {
        let e = by_key(name).unwrap_or_else(|| panic!("by_key({name:?})"));
        assert_eq!(e.key, key);
        assert_eq!(e.on_wire, OnWire::NotACode, "{key}");
        assert_eq!(e.trigger, trigger, "{key}");
        assert_eq!(policy.classify(e.trigger), class, "{key}");
        assert_eq!(e.codes(), None, "{key}");
        assert_texts(e);
    }
    // Every failure entry is in the table above: 9 HTTP statuses, the
    // generic HTTP entry, 3 proxy statuses, the generic proxy entry, and
    // the named failures.
    let failure_entries = entries().iter().filter(|e| e.codes().is_none()).count();
    assert_eq!(failure_entries, 14 + FAILURE_NAMES.len());
    assert_eq!(failure_entries, FAILURES.len() - 1);
}

#[test]
fn every_named_failure_has_an_entry_of_its_own() {
    for f in FAILURE_NAMES {
        let e = by_key(f.name).unwrap_or_else(|| panic!("no entry for {}", f.name));
        assert_eq!((e.key, e.trigger), (f.name, f.trigger));
        assert_eq!(by_key(&f.name.to_ascii_uppercase()), Some(e));
        assert_eq!(for_trigger(f.trigger), Some(e));
        assert_eq!(e.on_wire, OnWire::NotACode, "{}", f.name);
    }
}

#[test]
fn every_http_status_finds_its_entry_or_the_generic_one() {
    let generic = entries()
        .iter()
        .find(|e| e.key == OTHER_HTTP_STATUS)
        .expect("a generic HTTP entry");
    for status in (100..=599).filter(|s| *s != 101) {
        let key = format!("http-{status}");
        let e = by_key(&key).unwrap_or_else(|| panic!("no entry for {key}"));
        assert!(e.key == key || e == generic, "{key} found {}", e.key);
        assert_eq!(for_trigger(Trigger::Http(status)), Some(e), "{key}");
    }
    assert_eq!(by_key("http-418"), Some(generic));
    assert_eq!(by_key("HTTP-418"), Some(generic));
    // The generic key is a pattern, not a name anything else accepts.
    for bad in ["http-NNN", "http-101", "http-0503", "http-600"] {
        assert_eq!(by_key(bad), None, "{bad}");
    }
}

#[test]
fn for_close_explains_every_trigger() {
    for t in all_failures().chain((0..=u16::MAX).map(Trigger::Code)) {
        let info = CloseInfo::derived(1006, Initiator::Local, t);
        let e = for_close(&info);
        assert_eq!(Some(e), for_trigger(t), "{}", t.name());
        match t {
            Trigger::Code(code) => assert_eq!(e, lookup(code)),
            Trigger::Http(_) => assert!(e.key == t.key() || e.key == OTHER_HTTP_STATUS),
            Trigger::ProxyHttp(_) => assert!(e.key == t.key() || e.key == OTHER_PROXY_STATUS),
            other => assert_eq!(e.key, other.key()),
        }
    }
    // A forbidden code the server sent is explained as that code.
    let mut info = CloseInfo::derived(1002, Initiator::Client, Trigger::Violation);
    assert_eq!(for_close(&info).key, "protocol-violation");
    info.received_code = Some(1005);
    assert_eq!(for_close(&info).key, "1005");
}

#[test]
fn every_code_has_exactly_one_best_entry() {
    for code in 0..=u16::MAX {
        let e = lookup(code);
        let span = e
            .codes()
            .unwrap_or_else(|| panic!("{code} found a failure"));
        assert!(span.contains(&code), "{code} found {}", e.key);
        // The entry found is the narrowest one, and no other entry of that
        // width covers the code.
        let rivals = ENTRIES
            .iter()
            .filter(|o| o.codes().is_some_and(|r| r.contains(&code)))
            .filter(|o| o.codes().map(|r| r.end() - r.start()) == Some(span.end() - span.start()))
            .count();
        assert_eq!(rivals, 1, "{code} is ambiguous");
        assert_eq!(may_be_sent(code), e.on_wire == OnWire::Yes, "{code}");
    }
}

#[test]
fn every_entry_is_consistent() {
    let policy = Policy::default();
    for (i, e) in entries().iter().enumerate() {
        assert_texts(e);
        assert!(
            entries()[..i].iter().all(|o| o.key != e.key),
            "duplicate key {}",
            e.key
        );
        if let Some(span) = e.codes() {
            // A range is classified by a code it really answers for.
            let Trigger::Code(first) = e.trigger else {
                panic!("{}: a code entry needs a code trigger", e.key);
            };
            assert!(span.contains(&first), "{}", e.key);
            assert_eq!(lookup(first), e, "{}", e.key);
            assert_eq!(
                policy.classify(e.trigger),
                policy.classify(Trigger::Code(*span.end())),
                "{}: the range's class differs at its end",
                e.key
            );
        } else if e.key == OTHER_HTTP_STATUS {
            // Classified by a status that has no entry of its own.
            let Trigger::Http(status) = e.trigger else {
                panic!("{}: needs an HTTP trigger", e.key);
            };
            assert_eq!(by_key(&format!("http-{status}")), Some(e));
        } else if e.key == OTHER_PROXY_STATUS {
            let Trigger::ProxyHttp(status) = e.trigger else {
                panic!("{}: needs a proxy status trigger", e.key);
            };
            assert_eq!(by_key(&format!("proxy-{status}")), Some(e));
        } else {
            assert_eq!(by_key(e.key), Some(e));
            assert_eq!(Trigger::parse_failure(e.key), Some(e.trigger), "{}", e.key);
        }
    }
}

#[test]
fn bad_keys_are_rejected() {
    for bad in [
        "", "65536", "99999", "-5", "+5", "abc", "http-999", "1006x", "10 06",
    ] {
        assert_eq!(by_key(bad), None, "{bad:?}");
    }
    // Numbers are close codes, never HTTP statuses.
    assert_eq!(by_key("503").map(|e| e.key), Some("0-999"));
    assert_eq!(by_key("4321").map(|e| e.key), Some("4000-4999"));
    assert_eq!(by_key("4000-4999").map(|e| e.key), Some("4000-4999"));
}

#[test]
fn every_proxy_status_finds_its_entry_or_the_generic_one() {
    let generic = entries()
        .iter()
        .find(|e| e.key == OTHER_PROXY_STATUS)
        .expect("a generic proxy entry");
    assert!(is_generic(generic));
    for status in 300..=599 {
        let key = format!("proxy-{status}");
        let e = by_key(&key).unwrap_or_else(|| panic!("no entry for {key}"));
        assert!(e.key == key || e == generic, "{key} found {}", e.key);
        assert_eq!(for_trigger(Trigger::ProxyHttp(status)), Some(e), "{key}");
    }
    for bad in ["proxy-NNN", "proxy-200", "proxy-600", "proxy-0407"] {
        assert_eq!(by_key(bad), None, "{bad}");
    }
    let info = CloseInfo::derived(1006, Initiator::Local, Trigger::ProxyHttp(418));
    assert_eq!(cause_name(&info), "proxy answered HTTP 418");
}
