//! The URL the user typed, normalised; the `-H` headers the user gave,
//! checked; and (re-exported) redaction of secrets in URLs and headers.
//! Every message here quotes the user's input escaped, so a control
//! character in an argument cannot steer the terminal.

use url::Url;

use crate::engine::error::EngineError;
use crate::text::escape;

pub use crate::engine::redact::{REDACTED, is_secret_header, redact_header, redact_url};

/// Turns what the user typed into a ws:// or wss:// URL: `http(s)://` become
/// `ws(s)://`, no scheme means `ws://`, anything else is a usage error that
/// shows a corrected example.
pub fn normalize_url(input: &str) -> Result<Url, EngineError> {
    let raw = input.trim();
    let input = escape(raw);
    if input.is_empty() {
        return Err(EngineError::url(
            "the URL is empty; give one like ws://localhost:8080/ws",
        ));
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("ws://{raw}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| {
        EngineError::url(format!(
            "`{input}` is not a valid URL ({e}); write it like ws://host:port/path"
        ))
    })?;
    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            // The scheme need not be followed by `://` (`x:😀://a` is a URL
            // of scheme `x`): take what follows the first `://`, if any.
            let after = with_scheme
                .split_once("://")
                .map_or(with_scheme.as_str(), |(_, rest)| rest);
            let rest = escape(after);
            return Err(EngineError::url(format!(
                "`{other}://` is not a WebSocket scheme; use ws:// or wss:// (for example ws://{rest})"
            )));
        }
    };
    if url.scheme() != scheme {
        // Url refuses to switch between special and non-special schemes in place.
        let rebuilt = format!("{scheme}{}", &url.as_str()[url.scheme().len()..]);
        url = Url::parse(&rebuilt).map_err(|e| EngineError::url(format!("`{input}`: {e}")))?;
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(EngineError::url(format!(
            "`{input}` has no host; write it like ws://localhost:8080/ws"
        )));
    }
    Ok(url)
}

/// Headers the handshake writes itself, and why a second copy would break it.
const HANDSHAKE_HEADERS: &[(&str, &str)] = &[
    (
        "sec-websocket-key",
        "wsprobe sends a fresh key on every attempt and checks the server's \
         Sec-WebSocket-Accept against it",
    ),
    (
        "sec-websocket-version",
        "wsprobe speaks version 13, the only one RFC 6455 defines",
    ),
    (
        "upgrade",
        "the handshake itself asks for `Upgrade: websocket`",
    ),
    (
        "connection",
        "the handshake itself sends `Connection: Upgrade`",
    ),
];

/// Parses `Name: value` from `-H`. Refuses what cannot be sent as typed: a
/// bad name, a control character in the value, and the headers the
/// handshake writes itself (they would be dropped or break the handshake).
pub fn parse_header(raw: &str) -> Result<(String, String), EngineError> {
    let Some((name, value)) = raw.split_once(':') else {
        return Err(EngineError::header(format!(
            "header `{}` has no colon; write it like -H \"Authorization: Bearer TOKEN\"",
            escape(raw)
        )));
    };
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(EngineError::header(format!(
            "-H: `{}` is not a valid header name; use letters, digits and dashes (e.g. X-Api-Key)",
            escape(name)
        )));
    }
    if let Some((_, why)) = HANDSHAKE_HEADERS
        .iter()
        .find(|(h, _)| name.eq_ignore_ascii_case(h))
    {
        return Err(EngineError::header(format!(
            "-H {name}: wsprobe writes this header of the WebSocket handshake itself and a \
             second one would break the handshake ({why}); leave it out"
        )));
    }
    let value = value.trim_matches([' ', '\t']);
    check_header_value(&format!("-H {name}"), value)?;
    Ok((name.to_string(), value.to_string()))
}

/// Refuses a header value (of `-H`, `--origin`, …; `what` names the flag)
/// that holds a control character other than tab: a line break would
/// smuggle in a header of its own, and HTTP allows none of the others.
pub fn check_header_value(what: &str, value: &str) -> Result<(), EngineError> {
    match value.chars().find(|&c| c.is_control() && c != '\t') {
        None => Ok(()),
        Some(c) => {
            let kind = if matches!(c, '\r' | '\n') {
                "a line break"
            } else {
                "a control character"
            };
            // The value itself is not quoted: it may be a secret.
            Err(EngineError::header(format!(
                "{what}: the value contains {kind} ({}); header values must be printable text",
                escape(c.encode_utf8(&mut [0; 4]))
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_normalised() {
        let n = |s| normalize_url(s).map(|u| u.to_string());
        assert_eq!(n("ws://a.example/x").unwrap(), "ws://a.example/x");
        assert_eq!(
            n("http://a.example:8080/x").unwrap(),
            "ws://a.example:8080/x"
        );
        assert_eq!(
            n("https://a.example/x?y=1").unwrap(),
            "wss://a.example/x?y=1"
        );
        assert_eq!(n("localhost:9000/ws").unwrap(), "ws://localhost:9000/ws");
        assert_eq!(n("127.0.0.1").unwrap(), "ws://127.0.0.1/");
    }

    #[test]
    fn a_scheme_without_slashes_is_refused_without_a_panic() {
        let e = normalize_url("x:😀://a").unwrap_err().to_string();
        assert!(e.contains("not a WebSocket scheme"), "{e}");
    }

    #[test]
    fn bad_urls_say_what_to_write() {
        let e = normalize_url("ftp://a.example/x").unwrap_err().to_string();
        assert!(e.contains("ws://a.example/x"), "{e}");
        let e = normalize_url("ws://").unwrap_err().to_string();
        assert!(e.contains("ws://"), "{e}");
        assert!(normalize_url("").is_err());
        assert!(normalize_url("ws://exa mple.com").is_err());
    }

    #[test]
    fn secrets_are_redacted() {
        let u = Url::parse("wss://me:hunter2@a.example/x?token=abc&room=1&API_KEY=zz").unwrap();
        let r = redact_url(&u, false);
        assert!(
            !r.contains("hunter2") && !r.contains("abc") && !r.contains("zz"),
            "{r}"
        );
        assert!(r.contains("room=1"), "{r}");
        assert_eq!(redact_url(&u, true), u.to_string());
        assert_eq!(redact_header("Authorization", "Bearer x", false), REDACTED);
        assert_eq!(redact_header("X-Trace", "1", false), "1");
    }

    #[test]
    fn headers_parse() {
        assert_eq!(
            parse_header("Authorization: Bearer a:b").unwrap(),
            ("Authorization".into(), "Bearer a:b".into())
        );
        assert!(parse_header("NoColon").is_err());
        assert!(parse_header("Bad Name: x").is_err());
        assert_eq!(parse_header("Host: v.example").unwrap().1, "v.example");
        for refused in ["Sec-WebSocket-Key: x", "upgrade: y", "CONNECTION: z"] {
            let e = parse_header(refused).unwrap_err().to_string();
            assert!(e.contains("handshake"), "{e}");
        }
        let e = parse_header("X: a\x1b]0;t\x07").unwrap_err().to_string();
        assert!(
            e.contains("\\x1b") && !e.contains('\x1b') && !e.contains('\x07'),
            "{e}"
        );
        assert!(parse_header("X: \ttabbed\tvalue ").is_ok());
    }
}
