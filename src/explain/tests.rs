//! Tests of the items `explain` resolves and of its error message.

use super::*;

#[test]
fn first_sentences_are_whole_sentences() {
    for e in catalog::entries() {
        for text in [e.meaning, e.when, e.fix] {
            let s = first_sentence(text);
            assert!(s.ends_with('.'), "{}: {s:?}", e.key);
            assert!(s.len() >= 30, "{}: suspiciously short: {s:?}", e.key);
        }
    }
}

#[test]
fn bad_input_says_what_is_accepted() {
    for bad in ["99999", "abc", "-5", ""] {
        let err = bad_input(bad).to_string();
        assert!(err.contains(&format!("`{bad}`")), "{err}");
        assert!(err.contains("0 to 65535"), "{err}");
        assert!(err.contains("http-503") && err.contains("dns"), "{err}");
    }
    assert!(bad_input("99999").to_string().contains("out of range"));
    for pattern in ["http-NNN", "HTTP-101", "http-0503"] {
        let err = bad_input(pattern).to_string();
        assert!(err.contains("three digits"), "{err}");
    }
}

#[test]
fn items_classify_the_code_itself() {
    let mut policy = Policy::default();
    policy.codes.insert(
        crate::engine::policy::CodeRange { lo: 4321, hi: 4321 },
        Class::Fatal,
    );
    let item = Item::resolve("4321", &policy).map_err(|e| e.to_string());
    let item = item.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(item.fit(), Fit::InRange);
    assert_eq!(item.class, Class::Fatal);
    assert!(matches!(item.decision, Decision::Stop { .. }));
}

#[test]
fn a_status_without_an_entry_is_classified_as_itself() {
    let mut policy = Policy::default();
    policy.failures.insert("http-418".into(), Class::Abnormal);
    let item = Item::resolve(" HTTP-418 ", &policy).map_err(|e| e.to_string());
    let item = item.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(item.fit(), Fit::OtherStatus);
    assert_eq!(item.entry.key, catalog::OTHER_HTTP_STATUS);
    assert_eq!(
        (item.trigger, item.label.as_str()),
        (Trigger::Http(418), "http-418")
    );
    assert_eq!(item.class, Class::Abnormal);
    assert_eq!(
        item.title(),
        "HTTP 418 (no entry of its own: any other status)"
    );
}

#[test]
fn every_failure_name_resolves_to_its_own_trigger() {
    let policy = Policy::default();
    for t in crate::engine::policy::all_failures() {
        let item = Item::resolve(&t.key(), &policy).map_err(|e| e.to_string());
        let item = item.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(item.trigger, t);
        assert_eq!(item.label, t.key());
        assert_eq!(item.class, policy.classify(t), "{}", t.key());
        // Only causes that end an open connection skip the handshake note.
        let note = item.note().unwrap_or_default();
        assert_eq!(
            note.contains("handshake failure"),
            t.before_open(),
            "{note}"
        );
    }
}
