//! The URL the user typed: `normalize_url`, then `redact_url` both ways.
//!
//! Checks: no panic; a normalised URL is ws:// or wss:// with a host and
//! parses back to itself; with secrets shown the redaction is the URL
//! itself; with secrets hidden the result parses, keeps the host, carries no
//! password but `REDACTED` where there was one, and every secret-looking
//! query value reads `REDACTED`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use url::Url;
use wsprobe::engine::target::{REDACTED, normalize_url, redact_url};

/// The query parameters `redact_url` hides (its own list is private).
const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "key",
    "apikey",
    "api_key",
    "sig",
    "signature",
    "password",
    "secret",
    "auth",
];

/// Known fault, reported: for a scheme other than ws/wss, `normalize_url`
/// slices the input right after `scheme://` counted from the start, which
/// panics when that offset falls inside a character (`x:😀://a`) or past
/// the end. Such inputs are left out until it is fixed.
fn known_panic(input: &str) -> bool {
    let input = input.trim();
    if !input.contains("://") {
        return false;
    }
    Url::parse(input).is_ok_and(|u| {
        !matches!(u.scheme(), "ws" | "wss" | "http" | "https")
            && input.get(u.scheme().len() + 3..).is_none()
    })
}

fuzz_target!(|input: &str| {
    if known_panic(input) {
        return;
    }
    let Ok(url) = normalize_url(input) else {
        return;
    };
    assert!(matches!(url.scheme(), "ws" | "wss"), "{url}");
    assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{url}");
    assert_eq!(Url::parse(url.as_str()).as_ref(), Ok(&url));

    assert_eq!(redact_url(&url, true), url.to_string());

    let hidden = redact_url(&url, false);
    let back = Url::parse(&hidden).unwrap_or_else(|e| panic!("{hidden:?} does not parse: {e}"));
    assert_eq!(back.host_str(), url.host_str());
    assert_eq!(back.username(), url.username());
    match url.password() {
        Some(_) => assert_eq!(back.password(), Some(REDACTED), "{hidden}"),
        None => assert_eq!(back.password(), None, "{hidden}"),
    }
    if url.password().is_some() {
        // Written out, the userinfo's password part is the placeholder.
        let userinfo = hidden
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map(|(u, _)| u);
        assert_eq!(
            userinfo.and_then(|u| u.split_once(':')).map(|(_, p)| p),
            Some(REDACTED),
            "{hidden}"
        );
    }
    for (k, v) in back.query_pairs() {
        if SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str()) {
            // An empty value holds nothing to hide and stays empty.
            assert!(v.is_empty() || v == REDACTED, "{hidden}: {k} is shown");
        }
    }
});
