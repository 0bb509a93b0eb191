//! The server's answer to the upgrade, read from the raw head the tap kept:
//! the headers an `open` shows (as on the wire, secrets redacted), the
//! extensions nobody offered, and every refusal explained, also when
//! tungstenite could not parse the head (a control byte in a header or in
//! the reason phrase keeps its status instead of becoming "not HTTP").

use std::fmt::Write as _;

use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::handshake::client::Response;
use tokio_tungstenite::tungstenite::http::StatusCode;

use crate::engine::dial::{Failure, parse_retry_after};
use crate::engine::event::{ErrorClass, HttpReply};
use crate::engine::head::{HeadRecord, is_tchar};
use crate::engine::policy::Trigger;
use crate::engine::settings::Settings;
use crate::engine::{redact, tls};
use crate::text::escape;

/// An answer's head read leniently: whatever the bytes, the status and the
/// header lines come out, and [`Head::flaw`] says what HTTP forbids in them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Head {
    /// The status code.
    pub status: u16,
    /// The reason phrase as sent.
    pub reason: Vec<u8>,
    /// Header lines in order: name and value as sent (value without the
    /// surrounding white space); a line without a colon has no value.
    pub lines: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

/// Header bytes as text: UTF-8 as it is, any other byte as `\xNN`, so
/// what is shown is what was sent (control characters are escaped later,
/// where the text is used).
fn text(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

/// A byte HTTP allows in a header value or reason phrase (RFC 9110 §5.5).
fn is_field_byte(b: u8) -> bool {
    b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80
}

impl Head {
    /// Reads `HTTP/1.x NNN reason` and the header lines after it; `None`
    /// when the first line is not an HTTP status line.
    pub fn parse(raw: &[u8]) -> Option<Head> {
        let mut lines = raw
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let status_line = lines.next()?;
        let rest = status_line.strip_prefix(b"HTTP/1.")?;
        let digits = rest.get(2..5)?;
        let ends = rest.get(5).is_none_or(|&b| b == b' ');
        if !rest[0].is_ascii_digit()
            || rest[1] != b' '
            || !digits.iter().all(u8::is_ascii_digit)
            || !ends
        {
            return None;
        }
        let status = digits
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        let reason = rest.get(5..).unwrap_or_default();
        let reason = reason.strip_prefix(b" ").unwrap_or(reason).to_vec();
        let lines = lines
            .take_while(|l| !l.is_empty())
            .map(|l| match l.iter().position(|&b| b == b':') {
                Some(i) => (l[..i].to_vec(), Some(l[i + 1..].trim_ascii().to_vec())),
                None => (l.to_vec(), None),
            })
            .collect();
        Some(Head {
            status,
            reason,
            lines,
        })
    }

    /// The head tungstenite parsed, for when no raw head was kept.
    pub fn from_response(response: &Response) -> Head {
        Head {
            status: response.status().as_u16(),
            reason: Vec::new(),
            lines: response
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().as_bytes().to_vec(), Some(v.as_bytes().to_vec())))
                .collect(),
        }
    }

    /// The raw head the tap kept, or else what tungstenite parsed.
    pub fn of(record: &HeadRecord, response: &Response) -> Head {
        Head::parse(&record.bytes()).unwrap_or_else(|| Head::from_response(response))
    }

    /// Every value of a header (case-insensitive name) as text.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.lines.iter().filter_map(move |(n, v)| {
            let v = v.as_ref()?;
            n.eq_ignore_ascii_case(name.as_bytes()).then(|| text(v))
        })
    }

    /// The first value of a header.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values(name).next()
    }

    /// The headers as events carry them: lowercase names, values as text
    /// (bytes that are not UTF-8 as `\xNN`) redacted by [`redact::redact_header`].
    pub fn list(&self, show_secrets: bool) -> Vec<(String, String)> {
        self.lines
            .iter()
            .filter_map(|(n, v)| {
                let name = text(n).to_ascii_lowercase();
                let value = redact::redact_header(&name, &text(v.as_ref()?), show_secrets);
                Some((name, value))
            })
            .collect()
    }

    /// The reason phrase to show: the standard one, else what was sent.
    pub fn reason_text(&self) -> String {
        StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map_or_else(|| escape(&text(&self.reason)).into_owned(), str::to_string)
    }

    /// The first thing in the head that HTTP forbids (and an HTTP parser
    /// refuses), described with the bytes escaped and secrets redacted.
    pub fn flaw(&self, show_secrets: bool) -> Option<String> {
        if !self.reason.iter().all(|&b| is_field_byte(b)) {
            return Some(format!(
                "its reason phrase `{}` holds a control character, which HTTP does not allow",
                escape(&text(&self.reason))
            ));
        }
        self.lines.iter().find_map(|(n, v)| {
            let name = escape(&text(n)).into_owned();
            let Some(v) = v else {
                return Some(format!("its header line `{name}` has no colon"));
            };
            let problem = if n.is_empty() || !n.iter().all(|&b| is_tchar(b)) {
                "a name with a character HTTP does not allow in names"
            } else if !v.iter().all(|&b| is_field_byte(b)) {
                "a control character, which HTTP does not allow"
            } else {
                return None;
            };
            let value = redact::redact_header(&text(n), &text(v), show_secrets);
            Some(format!(
                "its header `{name}: {}` holds {problem}",
                escape(&value)
            ))
        })
    }

    /// The first extension the server accepted that `settings` did not
    /// offer (RFC 6455 §9.1: the client must then fail the connection).
    pub fn unoffered_extension(&self, settings: &Settings) -> Option<String> {
        let names = |value: &str| -> Vec<String> {
            value
                .split(',')
                .filter_map(|e| e.split(';').next())
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect()
        };
        let offered: Vec<String> = settings
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-extensions"))
            .flat_map(|(_, v)| names(v))
            .collect();
        self.values("sec-websocket-extensions")
            .flat_map(|v| names(&v))
            .find(|n| !offered.contains(n))
    }
}

/// Why a `101` answer cannot be used, if it cannot: an extension nobody
/// offered.
pub(crate) fn switch_failure(head: &Head, settings: &Settings) -> Option<Failure> {
    let ext = head.unoffered_extension(settings)?;
    Some(Failure::new(
        ErrorClass::Protocol,
        Trigger::Violation,
        format!(
            "the server accepted the extension `{}`, which wsprobe did not offer; \
             RFC 6455 §9.1 says to fail the connection (its frames could not be read)",
            escape(&ext)
        ),
    ))
}

/// A refused upgrade: the status, where a redirect points, Retry-After,
/// and `flaw` (what made the head unparsable) when there is one.
fn http_failure(head: &Head, body: &[u8], flaw: Option<String>, settings: &Settings) -> Failure {
    let code = head.status;
    let reason = head.reason_text();
    let retry_after = head
        .get("retry-after")
        .as_deref()
        .and_then(parse_retry_after);
    let mut message =
        format!("the server answered HTTP {code} {reason} instead of 101 Switching Protocols");
    if (300..400).contains(&code) {
        match head.get("location") {
            Some(loc) => {
                let loc = redact::redact_header("location", &loc, settings.show_secrets);
                let _ = write!(
                    message,
                    "; it redirects to {} — connect to that URL instead",
                    escape(&loc)
                );
            }
            None => message.push_str("; it is a redirect without a Location header"),
        }
    } else if code == 200 {
        message.push_str(
            "; this path is a plain HTTP page, or a proxy did not pass the upgrade through",
        );
    }
    if let Some(ra) = retry_after {
        let _ = write!(
            message,
            " (Retry-After: {})",
            crate::duration::format_duration(ra)
        );
    }
    if let Some(flaw) = flaw {
        let _ = write!(message, "; the answer is not valid HTTP: {flaw}");
    }
    Failure {
        http: Some(HttpReply {
            status: code,
            reason,
            headers: head.list(settings.show_secrets),
            body: shown_body(body, settings.show_secrets),
        }),
        retry_after,
        ..Failure::new(ErrorClass::Http, Trigger::Http(code), message)
    }
}

/// The start of a refusal's body; URLs in it (a redirect page links to
/// its target) are redacted like those in `Location`.
fn shown_body(body: &[u8], show_secrets: bool) -> String {
    let body = String::from_utf8_lossy(&body[..body.len().min(2048)]);
    if show_secrets {
        body.into_owned()
    } else {
        redact::redact_urls(&body).into_owned()
    }
}

/// A head tungstenite refused: read leniently, a refusal keeps its status
/// and a `101` is a violation; only a reply with no status line is "not HTTP".
fn unparsable(record: &HeadRecord, err: &dyn std::fmt::Display, settings: &Settings) -> Failure {
    let Some(head) = Head::parse(&record.bytes()) else {
        return Failure::new(
            ErrorClass::Protocol,
            Trigger::NotHttp,
            format!(
                "the reply is not HTTP ({err}): is this a WebSocket endpoint? \
                 (wss:// to a plain port, or ws:// to a TLS port, look like this)"
            ),
        );
    };
    let flaw = head
        .flaw(settings.show_secrets)
        .unwrap_or_else(|| format!("the head could not be parsed ({err})"));
    if head.status == 101 {
        Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("the 101 Switching Protocols answer is not valid HTTP: {flaw}"),
        )
    } else {
        http_failure(&head, &[], Some(flaw), settings)
    }
}

/// A ws:// attempt answered with TLS bytes (a handshake record or an
/// alert): the port expects wss://.
fn tls_port(settings: &Settings, record: &HeadRecord) -> Option<Failure> {
    if settings.url.scheme() != "ws" || !tls::not_tls(&record.bytes()) {
        return None;
    }
    let mut wss = settings.url.clone();
    let _ = wss.set_scheme("wss");
    Some(Failure::new(
        ErrorClass::Protocol,
        Trigger::NotHttp,
        format!(
            "this port speaks TLS: the reply to the upgrade request is a TLS record, not \
             HTTP; try wss:// ({})",
            escape(&redact::redact_url(&wss, settings.show_secrets))
        ),
    ))
}

/// Turns a failed handshake into the failure the events report.
pub(crate) fn handshake_failure(err: WsError, settings: &Settings, record: &HeadRecord) -> Failure {
    if !matches!(err, WsError::Http(_))
        && let Some(failure) = tls_port(settings, record)
    {
        return failure;
    }
    match err {
        WsError::Http(response) => {
            crate::engine::debug_log::response(&response, settings.show_secrets);
            let head = Head::of(record, &response);
            let body = response.body().as_deref().unwrap_or_default();
            http_failure(&head, body, None, settings)
        }
        WsError::Protocol(ProtocolError::HttparseError(e)) => unparsable(record, &e, settings),
        WsError::HttpFormat(e) => unparsable(record, &e, settings),
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => Failure::new(
            ErrorClass::Io,
            Trigger::Code(1006),
            "the server closed the connection during the handshake".into(),
        ),
        WsError::Protocol(e) => Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("the upgrade reply breaks the WebSocket handshake: {e}"),
        ),
        WsError::Capacity(e) => Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("the upgrade reply is malformed: {e}"),
        ),
        WsError::Io(e) if tls::is_tls_error(&e) && settings.url.scheme() == "wss" => Failure::new(
            ErrorClass::Tls,
            Trigger::Tls,
            tls::explain(
                &e,
                settings.url.host_str().unwrap_or_default(),
                None,
                settings.cert.is_some(),
            ),
        ),
        WsError::Io(e) => Failure::new(
            ErrorClass::Io,
            Trigger::Code(1006),
            format!("the connection failed during the handshake: {e}"),
        ),
        other => Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("handshake failed: {other}"),
        ),
    }
}

#[cfg(test)]
mod tests;
