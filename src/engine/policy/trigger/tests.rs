//! The failure-name table: one row per variant, names that parse back,
//! help texts, and the built-in classes of the proxy failures.

use super::*;

/// One trigger of every variant; the match makes a new variant fail to
/// compile here until it is added (and so gets a row in the table).
fn one_of_each() -> Vec<Trigger> {
    let all = [
        Trigger::Code(1000),
        Trigger::User,
        Trigger::Http(503),
        Trigger::Dns,
        Trigger::Refused,
        Trigger::Timeout,
        Trigger::Tls,
        Trigger::NotHttp,
        Trigger::Liveness,
        Trigger::Violation,
        Trigger::Capacity,
        Trigger::ProxyDns,
        Trigger::ProxyRefused,
        Trigger::ProxyTimeout,
        Trigger::ProxyTls,
        Trigger::ProxyHttp(407),
        Trigger::ProxyAuth,
        Trigger::ProxySocks,
        Trigger::ProxyProtocol,
    ];
    for t in all {
        match t {
            Trigger::Code(_)
            | Trigger::User
            | Trigger::Http(_)
            | Trigger::Dns
            | Trigger::Refused
            | Trigger::Timeout
            | Trigger::Tls
            | Trigger::NotHttp
            | Trigger::Liveness
            | Trigger::Violation
            | Trigger::Capacity
            | Trigger::ProxyDns
            | Trigger::ProxyRefused
            | Trigger::ProxyTimeout
            | Trigger::ProxyTls
            | Trigger::ProxyHttp(_)
            | Trigger::ProxyAuth
            | Trigger::ProxySocks
            | Trigger::ProxyProtocol => {}
        }
    }
    all.to_vec()
}

#[test]
fn every_failure_variant_has_one_row() {
    for t in one_of_each() {
        let rows = FAILURE_NAMES.iter().filter(|f| f.trigger == t).count();
        let expected = usize::from(!matches!(
            t,
            Trigger::Code(_) | Trigger::Http(_) | Trigger::ProxyHttp(_)
        ));
        assert_eq!(rows, expected, "{t:?}");
    }
    for (i, f) in FAILURE_NAMES.iter().enumerate() {
        assert!(
            FAILURE_NAMES[..i].iter().all(|o| o.name != f.name),
            "duplicate {}",
            f.name
        );
        assert!(!f.description.is_empty(), "{}", f.name);
    }
}

#[test]
fn names_parse_back_to_their_trigger() {
    let mut count = 0;
    for t in all_failures() {
        count += 1;
        assert_eq!(Trigger::parse_failure(&t.key()), Some(t), "{}", t.key());
        assert_eq!(Trigger::parse_name(&t.name()), Some(t), "{}", t.name());
        let listed = match t {
            Trigger::Http(_) => HTTP_NAME.pattern.to_string(),
            Trigger::ProxyHttp(_) => PROXY_NAME.pattern.to_string(),
            other => other.key(),
        };
        assert!(failure_names_text().contains(&listed), "{listed}");
    }
    // 499 HTTP statuses (100-599 without 101), 300 proxy statuses
    // (300-599) and the named rows.
    assert_eq!(count, 499 + 300 + FAILURE_NAMES.len());
    for code in [0, 1000, 4321, u16::MAX] {
        assert_eq!(Trigger::parse_failure(&code.to_string()), None);
        assert_eq!(
            Trigger::parse_name(&format!("close {code}")),
            Some(Trigger::Code(code))
        );
    }
}

#[test]
fn odd_spellings_are_not_failures() {
    for bad in [
        "http-101",
        "http-99",
        "http-600",
        "http-0503",
        "http-+50",
        "http-50",
        "http-NNN",
        "HTTP-503",
        "DNS",
        "violation",
        "",
        "http-",
        "proxy-200",
        "proxy-299",
        "proxy-600",
        "proxy-0407",
        "proxy-NNN",
        "PROXY-407",
        "proxy",
    ] {
        assert_eq!(Trigger::parse_failure(bad), None, "{bad:?}");
    }
}

#[test]
fn help_lists_every_name_with_its_description() {
    let help = failure_names_help(2);
    assert!(help.contains(HTTP_NAME.pattern) && help.contains(HTTP_NAME.description));
    assert!(help.contains(PROXY_NAME.pattern) && help.contains(PROXY_NAME.description));
    for f in FAILURE_NAMES {
        let line = help
            .lines()
            .find(|l| l.split_whitespace().next() == Some(f.name))
            .unwrap_or_else(|| panic!("{} missing:\n{help}", f.name));
        assert!(
            line.starts_with("  ") && line.ends_with(f.description),
            "{line}"
        );
    }
}

#[test]
fn proxy_failures_have_the_classes_their_fix_needs() {
    let class = |t| default_class(t, false);
    assert_eq!(class(Trigger::ProxyHttp(407)), Class::Auth);
    assert_eq!(class(Trigger::ProxyHttp(403)), Class::Auth);
    assert_eq!(class(Trigger::ProxyHttp(502)), Class::Abnormal);
    assert_eq!(class(Trigger::ProxyHttp(503)), Class::TryAgainLater);
    assert_eq!(class(Trigger::ProxyHttp(400)), Class::Fatal);
    assert_eq!(class(Trigger::ProxyRefused), Class::Abnormal);
    assert_eq!(class(Trigger::ProxyTimeout), Class::Abnormal);
    assert_eq!(class(Trigger::ProxyDns), Class::Abnormal);
    assert_eq!(class(Trigger::ProxySocks), Class::Abnormal);
    assert_eq!(class(Trigger::ProxyAuth), Class::Auth);
    assert_eq!(class(Trigger::ProxyTls), Class::Fatal);
    assert_eq!(class(Trigger::ProxyProtocol), Class::Fatal);
    assert_eq!(
        Trigger::parse_failure("proxy-407"),
        Some(Trigger::ProxyHttp(407))
    );
    assert_eq!(Trigger::ProxyHttp(502).name(), "proxy-502");
}
