//! The URL the user typed, normalised, and redaction of secrets in URLs and headers.

use url::Url;

use crate::engine::error::EngineError;

pub use crate::engine::redact::{REDACTED, is_secret_header, redact_header, redact_url};

/// Turns what the user typed into a ws:// or wss:// URL: `http(s)://` become
/// `ws(s)://`, no scheme means `ws://`, anything else is a usage error that
/// shows a corrected example.
pub fn normalize_url(input: &str) -> Result<Url, EngineError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(EngineError::url(
            "the URL is empty; give one like ws://localhost:8080/ws",
        ));
    }
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else {
        format!("ws://{input}")
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
            let rest = &with_scheme[other.len() + 3..];
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

/// Parses `Name: value` from `-H`.
pub fn parse_header(raw: &str) -> Result<(String, String), EngineError> {
    let Some((name, value)) = raw.split_once(':') else {
        return Err(EngineError::header(format!(
            "header `{raw}` has no colon; write it like -H \"Authorization: Bearer TOKEN\""
        )));
    };
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(EngineError::header(format!(
            "`{name}` is not a valid header name; use letters, digits and dashes (e.g. X-Api-Key)"
        )));
    }
    let value = value.trim();
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(EngineError::header(format!(
            "the value of header `{name}` contains a line break"
        )));
    }
    Ok((name.to_string(), value.to_string()))
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
    }
}
