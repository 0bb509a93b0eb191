//! Credentials on the request: HTTP Basic from `-u` or from the URL's
//! `user:password@` (percent-decoded, as browsers and websocat do), which
//! one wins, and the cookies of `-b` joined into one `Cookie` header.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use url::Url;

use crate::engine::redact::REDACTED;
use crate::engine::settings::Settings;

/// A user name and password for HTTP Basic or SOCKS5 authentication. Its
/// `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name, decoded.
    pub user: String,
    /// The password, decoded (may be empty).
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &REDACTED)
            .finish()
    }
}

impl Credentials {
    /// `USER:PASS` split at the first colon; `None` for the password when
    /// there is no colon (the caller may ask for one).
    pub fn split(raw: &str) -> (String, Option<String>) {
        match raw.split_once(':') {
            Some((user, password)) => (user.to_string(), Some(password.to_string())),
            None => (raw.to_string(), None),
        }
    }

    /// The `user:password@` of a URL, percent-decoded; `None` when the URL
    /// has neither.
    pub fn from_url(url: &Url) -> Option<Credentials> {
        if url.username().is_empty() && url.password().is_none() {
            return None;
        }
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        Some(Credentials {
            user: decode(url.username()),
            password: decode(url.password().unwrap_or_default()),
        })
    }

    /// The value of an `Authorization` (or `Proxy-Authorization`) header:
    /// `Basic` and base64 of `user:password`.
    pub fn basic(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.user, self.password))
        )
    }
}

/// Where the `Authorization` header of the upgrade comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSource {
    /// None is sent.
    None,
    /// The user's own `-H Authorization`, sent as given.
    Header,
    /// `-u USER[:PASS]`.
    User(Credentials),
    /// The URL's `user:password@`.
    Url(Credentials),
}

/// Decides the `Authorization` header: an explicit `-H Authorization` wins,
/// then `-u`, then the URL's userinfo.
pub fn source(settings: &Settings) -> AuthSource {
    let explicit = settings
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    if explicit {
        AuthSource::Header
    } else if let Some(user) = &settings.user {
        AuthSource::User(user.clone())
    } else if let Some(url) = Credentials::from_url(&settings.url) {
        AuthSource::Url(url)
    } else {
        AuthSource::None
    }
}

/// The credentials that are given but not sent because another source won,
/// described for a warning (`None` when nothing is overridden).
pub fn overridden(settings: &Settings) -> Option<String> {
    let from_url = Credentials::from_url(&settings.url).is_some();
    match source(settings) {
        AuthSource::Header if settings.user.is_some() && from_url => Some(
            "-H Authorization is sent as given; the credentials of -u and of the URL \
             (user:password@) are not used"
                .into(),
        ),
        AuthSource::Header if settings.user.is_some() => {
            Some("-H Authorization is sent as given; the credentials of -u are not used".into())
        }
        AuthSource::Header if from_url => {
            Some("-H Authorization is sent as given; the URL's user:password@ is not used".into())
        }
        AuthSource::User(_) if from_url => {
            Some("-u wins over the URL's user:password@, which is not used".into())
        }
        _ => None,
    }
}

/// The one `Cookie` header value: the values of every `-H Cookie`, then
/// every `-b`, joined with `; ` (RFC 6265 §5.4 wants a single header).
pub fn cookie_header(settings: &Settings) -> Option<String> {
    let parts: Vec<&str> = settings
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        .map(|(_, v)| v.as_str())
        .chain(settings.cookies.iter().map(String::as_str))
        .map(|v| v.trim().trim_end_matches(';').trim())
        .filter(|v| !v.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> Settings {
        Settings::new(Url::parse(url).unwrap())
    }

    #[test]
    fn url_credentials_are_percent_decoded() {
        let s = settings("ws://al%20ice:p%40ss%3Aw@h/");
        let c = Credentials::from_url(&s.url).unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("al ice", "p@ss:w"));
        assert_eq!(
            c.basic(),
            format!("Basic {}", STANDARD.encode("al ice:p@ss:w"))
        );
        assert_eq!(Credentials::from_url(&settings("ws://h/").url), None);
        assert!(!format!("{c:?}").contains("p@ss"));
    }

    #[test]
    fn an_explicit_header_wins_then_user_then_url() {
        let mut s = settings("ws://u:p@h/");
        assert!(matches!(source(&s), AuthSource::Url(_)));
        assert_eq!(overridden(&s), None);
        s.user = Some(Credentials {
            user: "a".into(),
            password: "b".into(),
        });
        assert!(matches!(source(&s), AuthSource::User(c) if c.user == "a"));
        assert!(overridden(&s).is_some_and(|w| w.contains("-u wins")));
        s.headers = vec![("authorization".into(), "Bearer t".into())];
        assert_eq!(source(&s), AuthSource::Header);
        assert!(overridden(&s).is_some_and(|w| w.contains("-u and of the URL")));
        assert_eq!(
            Credentials::split("x:y:z"),
            ("x".into(), Some("y:z".into()))
        );
        assert_eq!(Credentials::split("x"), ("x".into(), None));
    }

    #[test]
    fn cookies_become_one_header() {
        let mut s = settings("ws://h/");
        assert_eq!(cookie_header(&s), None);
        s.headers = vec![("Cookie".into(), "a=1;".into())];
        s.cookies = vec!["b=2; c=3".into(), " d=4 ".into()];
        assert_eq!(cookie_header(&s).as_deref(), Some("a=1; b=2; c=3; d=4"));
    }
}
