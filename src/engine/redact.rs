//! Which names carry secrets, and their redaction in URLs, in URLs quoted
//! inside header values, and in headers.
//!
//! The rule works on names alone, so it covers the many spellings servers
//! use (`accessToken`, `x-api-key`, `X-Amz-Signature`, …) without a list of
//! each. A name is *normalised* by dropping a leading `x-`/`x_`, removing
//! every `-` and `_` and lowercasing. It is secret when the normalised name
//!
//! - is one of [`SECRET_WORDS`] (`token`, `auth`, `sig`, `jwt`, …);
//! - ends with one of [`SECRET_SUFFIXES`] (`token`, `secret`, `signature`,
//!   `password`, `passwd`);
//! - starts with `session`;
//! - or ends with `key` where `key` is a word of its own in the name as
//!   written: after `-` or `_` (`private_key`, `X-Api-Key`) or as a
//!   capitalised word (`apiKey`). Plain words that merely end in "key"
//!   (`monkey`, `hockey`, `hotkey`) stay visible.
//!
//! `code` is deliberately not secret: an OAuth authorization code is
//! single-use, short-lived and useless without the client's own credentials,
//! while `code` is a common harmless name (error, country, invite codes)
//! that users need to see when debugging.
//!
//! Header names follow the same rule, plus `Authorization`,
//! `Proxy-Authorization`, `Cookie` and `Set-Cookie`.

use std::borrow::Cow;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "REDACTED";

/// Normalised names that are secret as a whole.
pub const SECRET_WORDS: &[&str] = &[
    "token",
    "key",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "secret",
    "password",
    "passwd",
    "pass",
    "pwd",
    "auth",
    "authorization",
    "bearer",
    "jwt",
    "sig",
    "signature",
    "credential",
    "credentials",
];

/// Endings that make a normalised name secret.
pub const SECRET_SUFFIXES: &[&str] = &["token", "secret", "signature", "password", "passwd"];

/// Normalised header names that are secret besides the name rule.
const SECRET_HEADERS: &[&str] = &["authorization", "proxyauthorization", "cookie", "setcookie"];

/// Headers whose values are URLs (or hold URLs) whose query may carry secrets.
const URL_HEADERS: &[&str] = &["location", "content-location", "link"];

/// The name without a leading `x-`, without `-` and `_`, lowercased.
fn normalise(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let bare = lower
        .strip_prefix("x-")
        .or_else(|| lower.strip_prefix("x_"))
        .unwrap_or(&lower);
    bare.chars().filter(|c| !matches!(c, '-' | '_')).collect()
}

/// Whether `key` ends the name as a word of its own (`api_key`, `apiKey`).
fn ends_with_key_word(name: &str) -> bool {
    let n = name.len();
    if n < 4 || !name.is_char_boundary(n - 3) || !name[n - 3..].eq_ignore_ascii_case("key") {
        return false;
    }
    let before = name.as_bytes()[n - 4];
    let k = name.as_bytes()[n - 3];
    matches!(before, b'-' | b'_')
        || (k == b'K' && (before.is_ascii_lowercase() || before.is_ascii_digit()))
}

/// Whether a query parameter (or any name) carries a secret, by the rule
/// in the module documentation.
pub fn is_secret_name(name: &str) -> bool {
    let norm = normalise(name);
    SECRET_WORDS.contains(&norm.as_str())
        || SECRET_SUFFIXES.iter().any(|s| norm.ends_with(s))
        || norm.starts_with("session")
        || ends_with_key_word(name)
}

/// Whether a header's value is a secret.
pub fn is_secret_header(name: &str) -> bool {
    // The handshake's nonce is no secret: it is fresh per attempt and
    // shown so the Sec-WebSocket-Accept it produced can be checked.
    if name.eq_ignore_ascii_case("sec-websocket-key") {
        return false;
    }
    SECRET_HEADERS.contains(&normalise(name).as_str()) || is_secret_name(name)
}

/// A header value as it may be shown: the whole value redacted when the
/// header is secret, the URLs in `Location`, `Content-Location` and `Link`
/// with their secrets redacted, anything else unchanged.
pub fn redact_header(name: &str, value: &str, show_secrets: bool) -> String {
    if show_secrets {
        value.to_string()
    } else if is_secret_header(name) {
        REDACTED.into()
    } else if URL_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        redact_urls(value).into_owned()
    } else {
        value.to_string()
    }
}

/// The URL with its password and secret query values redacted (the rest
/// exactly as written).
pub fn redact_url(url: &url::Url, show_secrets: bool) -> String {
    if show_secrets {
        return url.to_string();
    }
    // A parsed URL knows where its password is: no guessing from the text
    // (a quote or a `%00` in the user part must not hide what follows).
    let mut url = url.clone();
    if url.password().is_some() {
        let _ = url.set_password(Some(REDACTED));
    }
    if let Some(query) = url.query() {
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| redact_pair(pair).into_owned())
            .collect();
        url.set_query(Some(&redacted.join("&")));
    }
    url.to_string()
}

/// Where a URL ends inside a header value (`<…>` in `Link`, quotes, spaces).
fn ends_url(b: u8) -> bool {
    matches!(b, b'>' | b'"' | b'\'' | b' ' | b'\t' | b'<')
}

/// Redacts every password (`scheme://user:PASSWORD@host`) and every secret
/// query value (`?name=VALUE`, by [`is_secret_name`]) in `text`, which may be
/// a URL, a relative reference, or a header value holding several URLs.
/// Everything else stays exactly as written.
pub fn redact_urls(text: &str) -> Cow<'_, str> {
    if !text.contains('?') && !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"://") {
            out.push_str("://");
            i += 3;
            let end = (i..b.len())
                .find(|&j| matches!(b[j], b'/' | b'?' | b'#') || ends_url(b[j]))
                .unwrap_or(b.len());
            let authority = &text[i..end];
            match authority.rfind('@') {
                Some(at) if authority[..at].contains(':') => {
                    let colon = authority.find(':').unwrap_or(at);
                    out.push_str(&authority[..=colon]);
                    out.push_str(REDACTED);
                    out.push_str(&authority[at..]);
                }
                _ => out.push_str(authority),
            }
            i = end;
        } else if b[i] == b'?' {
            out.push('?');
            i += 1;
            let end = (i..b.len())
                .find(|&j| b[j] == b'#' || ends_url(b[j]))
                .unwrap_or(b.len());
            for (n, pair) in text[i..end].split('&').enumerate() {
                if n > 0 {
                    out.push('&');
                }
                out.push_str(&redact_pair(pair));
            }
            i = end;
        } else {
            let next = (i + 1..b.len())
                .find(|&j| b[j] == b'?' || b[j..].starts_with(b"://"))
                .unwrap_or(b.len());
            out.push_str(&text[i..next]);
            i = next;
        }
    }
    Cow::Owned(out)
}

/// One `name=value` of a query, with the value redacted when the name
/// (percent-decoded) is secret.
fn redact_pair(pair: &str) -> Cow<'_, str> {
    let Some((name, value)) = pair.split_once('=') else {
        return Cow::Borrowed(pair);
    };
    let decoded = url::form_urlencoded::parse(name.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default();
    if value.is_empty() || !is_secret_name(&decoded) {
        Cow::Borrowed(pair)
    } else {
        Cow::Owned(format!("{name}={REDACTED}"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_in_the_user_part_does_not_hide_the_password() {
        let url = url::Url::parse("ws://a.e'%00le:le%3A802@0.1.88.16/?token=x&a=1").unwrap();
        let shown = super::redact_url(&url, false);
        assert!(!shown.contains("le%3A802"), "{shown}");
        assert!(!shown.contains("token=x"), "{shown}");
        assert!(shown.contains("a=1"), "{shown}");
    }

    #[test]
    fn the_handshake_nonce_is_shown() {
        assert!(!super::is_secret_header("Sec-WebSocket-Key"));
        assert!(super::is_secret_header("X-Api-Key"));
    }

    use super::*;

    #[test]
    fn secret_names_by_rule() {
        // Every name must be secret.
        let secret = [
            "token",
            "access_token",
            "accessToken",
            "authToken",
            "refreshToken",
            "refresh_token",
            "id_token",
            "auth_token",
            "oauth_token",
            "client_secret",
            "Authorization",
            "x-api-key",
            "X-API-KEY",
            "api-key",
            "api_key",
            "apiKey",
            "apikey",
            "API_KEY",
            "key",
            "access-token",
            "bearer",
            "jwt",
            "session",
            "sessionid",
            "SESSIONID",
            "session_token",
            "sessionKey",
            "private_key",
            "privateKey",
            "privatekey",
            "passwd",
            "password",
            "db_password",
            "pass",
            "pwd",
            "auth",
            "sig",
            "signature",
            "X-Amz-Signature",
            "X-Amz-Security-Token",
            "X-Goog-Signature",
            "credential",
            "credentials",
            "secret",
            "x-session-id",
        ];
        for name in secret {
            assert!(is_secret_name(name), "`{name}` should be secret");
        }
    }

    #[test]
    fn plain_names_stay_visible() {
        let plain = [
            "room",
            "id",
            "channel",
            "page",
            "keyboard",
            "keys",
            "monkey",
            "MONKEY",
            "hockey",
            "hotkey",
            "turkey",
            "code",
            "tokens",
            "max_tokens",
            "passage",
            "user",
            "username",
            "v",
            "X-Amz-Credential",
            "X-Amz-Date",
            "expires",
            "keyId",
        ];
        for name in plain {
            assert!(!is_secret_name(name), "`{name}` should stay visible");
        }
    }

    #[test]
    fn secret_headers_by_rule() {
        for name in [
            "Authorization",
            "Proxy-Authorization",
            "Cookie",
            "Set-Cookie",
            "X-Auth-Token",
            "X-Api-Key",
            "X-Session-Id",
            "X-Amz-Security-Token",
        ] {
            assert!(is_secret_header(name), "`{name}` should be secret");
        }
        for name in [
            "Content-Type",
            "Keep-Alive",
            "X-Request-Id",
            "Sec-WebSocket-Accept",
            "Location",
            "Retry-After",
        ] {
            assert!(!is_secret_header(name), "`{name}` should stay visible");
        }
    }

    #[test]
    fn urls_keep_everything_but_their_secrets() {
        let cases = [
            ("ws://a.example/x", "ws://a.example/x"),
            (
                "wss://me:hunter2@a.example/x?token=abc&room=1&API_KEY=zz",
                "wss://me:REDACTED@a.example/x?token=REDACTED&room=1&API_KEY=REDACTED",
            ),
            (
                "/ws?access%5Ftoken=a%20b&q=x+y#frag?token=t",
                "/ws?access%5Ftoken=REDACTED&q=x+y#frag?token=REDACTED",
            ),
            (
                "<https://u:p@cdn.example/a?X-Amz-Signature=s&v=1>; rel=preload, </b?jwt=j>; rel=next",
                "<https://u:REDACTED@cdn.example/a?X-Amz-Signature=REDACTED&v=1>; rel=preload, </b?jwt=REDACTED>; rel=next",
            ),
            ("?token=&flag&room", "?token=&flag&room"),
            ("ws://user@a.example/?id=1", "ws://user@a.example/?id=1"),
        ];
        for (input, want) in cases {
            assert_eq!(redact_urls(input), want, "{input}");
        }
    }

    #[test]
    fn headers_are_redacted_by_name_and_url() {
        assert_eq!(redact_header("Authorization", "Bearer x", false), REDACTED);
        assert_eq!(redact_header("X-Auth-Token", "t", false), REDACTED);
        assert_eq!(redact_header("X-Trace", "1", false), "1");
        assert_eq!(
            redact_header("location", "wss://b.example/?token=t&a=1", false),
            "wss://b.example/?token=REDACTED&a=1"
        );
        assert_eq!(redact_header("X-Auth-Token", "t", true), "t");
    }

    #[test]
    fn a_url_is_redacted_unless_asked() {
        let u = url::Url::parse("wss://me:pw@a.example/x?sessionid=1&room=2").unwrap();
        assert_eq!(
            redact_url(&u, false),
            "wss://me:REDACTED@a.example/x?sessionid=REDACTED&room=2"
        );
        assert_eq!(redact_url(&u, true), u.to_string());
    }
}
