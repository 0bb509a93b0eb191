//! The upgrade request as it goes on the wire: the URL's path and query,
//! the handshake's own headers, the user's `-H` headers, subprotocols,
//! Origin, the `Authorization` chosen by [`auth::source`] and the one
//! `Cookie` header; and the same headers as the `open` event shows them,
//! secrets redacted.

use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::header::{AUTHORIZATION, COOKIE, HOST};
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};

use crate::engine::auth::{self, AuthSource};
use crate::engine::dial::Failure;
use crate::engine::event::ErrorClass;
use crate::engine::policy::Trigger;
use crate::engine::redact;
use crate::engine::settings::Settings;

/// The handshake headers tungstenite writes first, in its order.
const FIRST: [&str; 5] = [
    "host",
    "connection",
    "upgrade",
    "sec-websocket-version",
    "sec-websocket-key",
];

fn bad_header(e: &dyn std::fmt::Display) -> Failure {
    Failure::new(
        ErrorClass::Protocol,
        Trigger::Violation,
        format!("bad header: {e}"),
    )
}

/// Builds the upgrade request for `settings`.
#[expect(
    clippy::result_large_err,
    reason = "one failure ends one attempt; its size does not matter"
)]
pub(crate) fn build(settings: &Settings) -> Result<Request, Failure> {
    // The credentials travel in Authorization, never in the request itself.
    let mut url = settings.url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut request = url.as_str().into_client_request().map_err(|e| {
        Failure::new(
            ErrorClass::Protocol,
            Trigger::Violation,
            format!("cannot build the request: {e}"),
        )
    })?;
    let headers = request.headers_mut();
    for (name, value) in &settings.headers {
        let name: HeaderName = name.parse().map_err(|e| bad_header(&e))?;
        if name == COOKIE {
            // Joined with the -b cookies below.
            continue;
        }
        let value = HeaderValue::from_str(value).map_err(|e| bad_header(&e))?;
        if name == HOST {
            // The user's Host replaces the one from the URL (a virtual host
            // behind an address); appended, tungstenite would drop it.
            headers.insert(name, value);
        } else {
            headers.append(name, value);
        }
    }
    if !settings.protocols.is_empty() {
        let joined = settings.protocols.join(", ");
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(&joined).map_err(|e| bad_header(&e))?,
        );
    }
    if let Some(origin) = &settings.origin {
        headers.insert(
            "origin",
            HeaderValue::from_str(origin).map_err(|e| bad_header(&e))?,
        );
    }
    let basic = match auth::source(settings) {
        AuthSource::User(c) | AuthSource::Url(c) => Some(c.basic()),
        AuthSource::Header | AuthSource::None => None,
    };
    if let Some(basic) = basic {
        let mut value = HeaderValue::from_str(&basic).map_err(|e| bad_header(&e))?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    if let Some(cookie) = auth::cookie_header(settings) {
        let mut value = HeaderValue::from_str(&cookie).map_err(|e| bad_header(&e))?;
        value.set_sensitive(true);
        headers.insert(COOKIE, value);
    }
    Ok(request)
}

/// The request's headers in the order they are written, lowercase names,
/// values redacted by [`redact::redact_header`].
pub(crate) fn shown(request: &Request, show_secrets: bool) -> Vec<(String, String)> {
    let map = request.headers();
    let value = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    let first = FIRST
        .iter()
        .filter_map(|name| map.get(*name).map(|v| (name.to_string(), value(v))));
    let rest = map
        .iter()
        .filter(|(n, _)| !FIRST.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str().to_string(), value(v)));
    first
        .chain(rest)
        .map(|(n, v)| {
            let v = redact::redact_header(&n, &v, show_secrets);
            (n, v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::auth::Credentials;

    #[test]
    fn credentials_become_headers_and_are_shown_redacted() {
        let url = url::Url::parse("ws://me:s%40cret@h.example:8080/ws?room=1").unwrap();
        let mut s = Settings::new(url);
        s.cookies = vec!["sid=abc".into()];
        s.headers = vec![("X-Trace".into(), "1".into())];
        let req = build(&s).unwrap();
        assert_eq!(req.uri().to_string(), "ws://h.example:8080/ws?room=1");
        let auth = req.headers()[AUTHORIZATION].to_str().unwrap();
        assert_eq!(auth, Credentials::from_url(&s.url).unwrap().basic());
        let shown = shown(&req, false);
        let names: Vec<&str> = shown.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..5], FIRST);
        assert!(shown.contains(&("authorization".into(), "REDACTED".into())));
        assert!(shown.contains(&("cookie".into(), "REDACTED".into())));
        assert!(shown.contains(&("x-trace".into(), "1".into())));
        assert!(shown.contains(&("host".into(), "h.example:8080".into())));
    }

    #[test]
    fn an_explicit_authorization_is_sent_as_given() {
        let url = url::Url::parse("ws://me:pw@h.example/").unwrap();
        let mut s = Settings::new(url);
        s.headers = vec![("Authorization".into(), "Bearer t".into())];
        let req = build(&s).unwrap();
        let all: Vec<_> = req.headers().get_all(AUTHORIZATION).iter().collect();
        assert_eq!(all, ["Bearer t"]);
    }
}
