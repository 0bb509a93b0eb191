//! Tests of the policy file: parsing, errors that name their place, and
//! `policy show` round-tripping exactly.

use std::time::Duration;

use super::*;
use crate::engine::policy::{FAILURE_NAMES, HTTP_NAME, all_failures};

#[test]
fn empty_file_is_the_default_policy() {
    assert_eq!(parse("p.toml", "").unwrap(), Policy::default());
}

#[test]
fn numbers_and_mappings_can_be_changed() {
    let text = r#"
preset = "discord"
min-uptime = "10s"
[classes.going-away]
floor = "2s"
cap = "10s"
[codes]
"4000-4099" = "fatal"
"4050" = "auth"
[failures]
"http-503" = "abnormal"
"#;
    let p = parse("p.toml", text).unwrap();
    assert_eq!(p.min_uptime, Duration::from_secs(10));
    assert_eq!(p.classes.going_away.floor.0, Duration::from_secs(2));
    assert_eq!(p.classify(Trigger::Code(4050)), Class::Auth);
    assert_eq!(p.classify(Trigger::Code(4001)), Class::Fatal);
    assert_eq!(p.classify(Trigger::Code(4200)), Class::Abnormal);
    assert_eq!(p.classify(Trigger::Http(503)), Class::Abnormal);
    assert_eq!(p.preset, Some(Preset::Discord));
}

#[test]
fn a_bad_value_names_file_line_and_key() {
    let text = "min-uptime = \"5s\"\n[classes.going-away]\nfloor = \"soon\"\n";
    let err = parse("mine.toml", text).unwrap_err();
    assert_eq!(err.line, 3);
    assert_eq!(err.key, "classes.going-away.floor");
    assert!(
        err.to_string()
            .starts_with("mine.toml:3: classes.going-away.floor:")
    );
    assert!(err.message.contains("invalid duration"), "{}", err.message);
}

#[test]
fn an_unknown_key_is_named() {
    let err = parse("p.toml", "[classes.abnormal]\nflor = \"1s\"\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert_eq!(err.key, "classes.abnormal.flor");
    assert!(err.message.contains("unknown field"), "{}", err.message);
}

#[test]
fn bad_mappings_are_named() {
    let err = parse("p.toml", "[codes]\n\"40x0\" = \"fatal\"\n").unwrap_err();
    assert_eq!((err.line, err.key.as_str()), (2, "codes.40x0"));
    let err = parse("p.toml", "[failures]\nhttp-999x = \"fatal\"\n").unwrap_err();
    assert_eq!((err.line, err.key.as_str()), (2, "failures.http-999x"));
    let err = parse("p.toml", "[codes]\n\"4000\" = \"sometimes\"\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("unknown variant"), "{}", err.message);
}

#[test]
fn validation_errors_are_named() {
    let err = parse(
        "p.toml",
        "[classes.abnormal]\nbase = \"10s\"\ncap = \"1s\"\n",
    )
    .unwrap_err();
    assert_eq!((err.line, err.key.as_str()), (3, "classes.abnormal.cap"));
}

/// A user's file with odd mappings: overlapping ranges inside a catalog
/// range, a remapped 1000, a split of the invalid ranges, failures that
/// `policy show` does not list on its own, and changed numbers.
const ODD: &str = r#"
min-uptime = "7s"
max-retry-after = "90s"
[liveness]
ping-interval = "4s"
ping-timeout = "9s"
[classes.abnormal]
floor = "1500ms"
base = "250ms"
cap = "2m"
max-retries = 3
[classes.service-restart]
first-low = "2s"
first-high = "3s"
then = "abnormal"
then-k = 2
[codes]
"3500" = "fatal"
"3400-3600" = "auth"
"1000" = "abnormal"
"3000-3001" = "going-away"
"4000-4999" = "fatal"
"4998-4999" = "done"
"500-600" = "server-error"
"60000" = "try-again-later"
[failures]
http-418 = "abnormal"
not-http = "abnormal"
http-503 = "fatal"
user = "going-away"
liveness = "auth"
"#;

/// Every policy the round trip is checked on.
fn policies() -> Vec<(&'static str, Policy)> {
    let odd = parse("odd.toml", ODD).unwrap();
    vec![
        ("default", Policy::default()),
        (
            "reconnect-on-normal",
            Policy {
                reconnect_on_normal: true,
                ..Policy::default()
            },
        ),
        (
            "graphql-ws",
            Policy {
                preset: Some(Preset::GraphqlWs),
                ..Policy::default()
            },
        ),
        (
            "discord",
            Policy {
                preset: Some(Preset::Discord),
                ..Policy::default()
            },
        ),
        (
            "odd with discord and reconnect-on-normal",
            Policy {
                preset: Some(Preset::Discord),
                reconnect_on_normal: true,
                ..odd.clone()
            },
        ),
        ("odd", odd),
    ]
}

#[test]
fn shown_policy_classifies_every_code_and_failure_the_same() {
    for (name, policy) in policies() {
        let text = show(&policy);
        let back = parse("shown.toml", &text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let triggers = (0..=u16::MAX).map(Trigger::Code).chain(all_failures());
        for t in triggers {
            assert_eq!(
                back.classify(t),
                policy.classify(t),
                "{name}: {} classifies differently after show:\n{text}",
                t.name()
            );
        }
        assert_eq!(back.classes, policy.classes, "{name}");
        assert_eq!(back.preset, policy.preset, "{name}");
        assert_eq!(back.reconnect_on_normal, policy.reconnect_on_normal);
        assert_eq!(
            (back.min_uptime, back.max_retry_after),
            (policy.min_uptime, policy.max_retry_after),
            "{name}"
        );
        assert_eq!(
            (back.ping_interval, back.ping_timeout),
            (policy.ping_interval, policy.ping_timeout),
            "{name}"
        );
        // Showing the shown policy changes nothing.
        assert_eq!(show(&back), text, "{name}");
    }
}

#[test]
fn the_odd_file_really_is_odd() {
    // The round trip above means little unless these differ from the defaults.
    let odd = parse("odd.toml", ODD).unwrap();
    let default = Policy::default();
    for t in [
        Trigger::Code(3500),
        Trigger::Code(3450),
        Trigger::Code(1000),
        Trigger::Code(3001),
        Trigger::Code(4500),
        Trigger::Code(4999),
        Trigger::Code(550),
        Trigger::Code(60000),
        Trigger::Http(418),
        Trigger::Http(503),
        Trigger::NotHttp,
        Trigger::User,
        Trigger::Liveness,
    ] {
        assert_ne!(odd.classify(t), default.classify(t), "{}", t.name());
    }
    assert_ne!(odd.classes, default.classes);
}

/// The `[codes]` lines of a shown policy: (key, class).
fn shown_codes(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip_while(|l| l.trim() != "[codes]")
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| {
            (
                k.trim_matches('"').to_string(),
                v.trim_matches('"').to_string(),
            )
        })
        .collect()
}

#[test]
fn shown_codes_follow_the_catalog_keys() {
    let text = show(&Policy::default());
    let codes = shown_codes(&text);
    let keys: Vec<&str> = codes.iter().map(|(k, _)| k.as_str()).collect();
    let expected: Vec<&str> = [
        "0-999",
        "1001",
        "1002",
        "1003",
        "1004",
        "1005",
        "1006",
        "1007",
        "1008",
        "1009",
        "1010",
        "1011",
        "1012",
        "1013",
        "1014",
        "1015",
        "1016-2999",
        "3000-3999",
        "3000",
        "3003",
        "3008",
        "4000-4999",
        "5000-65535",
    ]
    .to_vec();
    assert_eq!(keys, expected, "{text}");
    let class_of = |key: &str| {
        codes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, c)| c.as_str())
    };
    assert_eq!(class_of("3000-3999"), Some("abnormal"));
    assert_eq!(class_of("3000"), Some("auth"));
}

#[test]
fn shown_ranges_split_only_where_the_class_changes() {
    let odd = parse("odd.toml", ODD).unwrap();
    let codes = shown_codes(&show(&odd));
    let get = |key: &str| {
        codes
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| panic!("no {key} in {codes:?}"), |(_, v)| v.as_str())
    };
    assert_eq!(get("1000"), "abnormal");
    assert_eq!(get("3000-3001"), "going-away");
    assert_eq!(get("3002-3399"), "abnormal");
    assert_eq!(get("3400-3499"), "auth");
    assert_eq!(get("3500"), "fatal");
    assert_eq!(get("3501-3600"), "auth");
    assert_eq!(get("3601-3999"), "abnormal");
    assert_eq!(get("3000"), "going-away");
    assert_eq!(get("4000-4997"), "fatal");
    assert_eq!(get("4998-4999"), "done");
    assert_eq!(get("0-499"), "fatal");
    assert_eq!(get("500-600"), "server-error");
    assert_eq!(get("601-999"), "fatal");
    assert_eq!(get("5000-59999"), "fatal");
    assert_eq!(get("60000"), "try-again-later");
    assert_eq!(get("60001-65535"), "fatal");
    // Every key decides its codes with one class: no two adjacent sub-ranges
    // of one catalog range share a class.
    for pair in codes.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (ra, rb) = (
            CodeRange::parse(&a.0).unwrap(),
            CodeRange::parse(&b.0).unwrap(),
        );
        if ra.lo != ra.hi && rb.lo != rb.hi && u32::from(ra.hi) + 1 == u32::from(rb.lo) {
            let same_catalog_range = crate::engine::catalog::lookup(ra.hi).key
                == crate::engine::catalog::lookup(rb.lo).key;
            assert!(!(same_catalog_range && a.1 == b.1), "{a:?} and {b:?}");
        }
    }
}

#[test]
fn shown_failures_include_every_name_and_every_mapping() {
    let odd = parse("odd.toml", ODD).unwrap();
    let text = show(&odd);
    let failures = &text[text.find("[failures]").expect("a [failures] table")..];
    for f in FAILURE_NAMES {
        assert!(failures.contains(&format!("\n{} = ", f.name)), "{}", f.name);
    }
    assert!(failures.contains("\nhttp-418 = \"abnormal\""), "{failures}");
    assert!(failures.contains("\nhttp-401 = \"auth\""), "{failures}");
    // HTTP statuses in numeric order, then the names in table order.
    let at = |key: &str| failures.find(&format!("\n{key} = ")).unwrap();
    assert!(at("http-401") < at("http-418") && at("http-418") < at("http-500"));
    assert!(at("http-503") < at("dns") && at("dns") < at("user"));
}

#[test]
fn the_header_names_every_class_and_failure_name() {
    let text = show(&Policy::default());
    let header: String = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    for class in Class::ALL {
        assert!(header.contains(class.key()), "{}", class.key());
    }
    assert!(header.contains(HTTP_NAME.pattern), "{header}");
    for f in FAILURE_NAMES {
        assert!(header.contains(f.name), "{}", f.name);
    }
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        assert!(line.chars().count() <= 96, "{line}");
    }
}

#[test]
fn every_failure_name_is_accepted_and_others_are_refused_with_the_list() {
    for t in all_failures() {
        let text = format!("[failures]\n{} = \"fatal\"\n", t.key());
        let p = parse("p.toml", &text).unwrap_or_else(|e| panic!("{}: {e}", t.key()));
        assert_eq!(p.classify(t), Class::Fatal, "{}", t.key());
    }
    for bad in ["http-0503", "http-101", "violation"] {
        let err = parse("p.toml", &format!("[failures]\n\"{bad}\" = \"fatal\"\n")).unwrap_err();
        assert_eq!(err.key, format!("failures.{bad}"));
        for f in FAILURE_NAMES {
            assert!(err.message.contains(f.name), "{}: {}", f.name, err.message);
        }
        assert!(err.message.contains(HTTP_NAME.pattern), "{}", err.message);
    }
}
