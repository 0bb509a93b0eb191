//! TLS failures in words: which check failed, what the certificate says
//! (its names, its dates), and what to do. No Rust debug text reaches the
//! user.

use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::{AlertDescription, CertificateError, InvalidMessage, PeerIncompatible};

use super::cert::{CertFacts, utc};
use super::verify::Witness;

/// Whether bytes a server sent begin like a TLS record (a handshake or an
/// alert, version 3.x): what a TLS port answers to plain HTTP.
pub fn not_tls(reply: &[u8]) -> bool {
    matches!(reply, [0x15 | 0x16, 0x03, ..])
}

/// An alert's name in words (`certificate required`).
fn alert_words(alert: AlertDescription) -> String {
    let name = alert
        .as_str()
        .map_or_else(|| format!("{alert:?}"), str::to_string);
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        let prev_lower = i > 0 && chars[i - 1].is_lowercase();
        if i > 0 && c.is_uppercase() && (prev_lower || next_lower) {
            out.push(' ');
        }
        out.push(c);
    }
    // Keep acronyms (CA, PSK) as they are, everything else in lower case.
    out.split(' ')
        .map(|w| {
            if w.len() > 1 && w.chars().all(char::is_uppercase) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Explains a failed TLS handshake with `host` (the endpoint or, with
/// `what` = "the proxy", a proxy) in plain words. `witness` is what the
/// handshake saw; `client_cert` whether `--cert` was given.
pub fn explain(
    err: &io::Error,
    host: &str,
    witness: Option<&Witness>,
    client_cert: bool,
) -> String {
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    let facts = witness.and_then(Witness::peer);
    let asked = witness.is_some_and(Witness::client_cert_requested);
    match inner {
        Some(rustls::Error::InvalidCertificate(cert)) => certificate(cert, host, facts.as_ref()),
        Some(rustls::Error::AlertReceived(alert)) => {
            let words = alert_words(*alert);
            let client_alert = matches!(
                alert,
                AlertDescription::CertificateRequired
                    | AlertDescription::HandshakeFailure
                    | AlertDescription::BadCertificate
                    | AlertDescription::UnknownCA
                    | AlertDescription::CertificateUnknown
                    | AlertDescription::AccessDenied
                    | AlertDescription::CertificateExpired
            );
            if asked && !client_cert && client_alert {
                format!(
                    "client certificate required: {host} asked for a client certificate and none \
                     was given, so it ended the handshake with the TLS alert `{words}`; pass \
                     --cert FILE --key FILE (mutual TLS)"
                )
            } else if asked && client_cert && client_alert {
                format!(
                    "client certificate refused: {host} ended the handshake with the TLS alert \
                     `{words}` after wsprobe sent the --cert certificate; check that it is issued \
                     by a CA the server trusts, not expired, and meant for client authentication"
                )
            } else if *alert == AlertDescription::ProtocolVersion {
                format!(
                    "protocol version: {host} accepts no TLS version wsprobe speaks (TLS 1.2 and \
                     1.3; the server may offer only TLS 1.0 or 1.1, which are obsolete): the \
                     server's TLS settings need updating"
                )
            } else if *alert == AlertDescription::HandshakeFailure {
                format!(
                    "handshake failure: {host} ended the handshake with the TLS alert `{words}`: \
                     it shares no cipher suite or key exchange with wsprobe, or wants something \
                     wsprobe did not send (a client certificate, a server name)"
                )
            } else {
                format!("the TLS handshake with {host} failed: the server sent the alert `{words}`")
            }
        }
        Some(rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType)) => format!(
            "not TLS: {host} answered in something other than TLS, most likely plain HTTP: \
             this port does not speak TLS; try ws:// instead of wss://"
        ),
        Some(rustls::Error::PeerIncompatible(
            PeerIncompatible::ServerDoesNotSupportTls12Or13
            | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig,
        )) => format!(
            "protocol version: {host} speaks only a TLS version below 1.2, which wsprobe (like \
             browsers) no longer accepts; the server's TLS settings need updating"
        ),
        Some(rustls::Error::PeerIncompatible(_)) => format!(
            "{host} and wsprobe share no TLS parameters (cipher suites, key exchange groups or \
             signature schemes); the server's TLS settings are too old or too narrow"
        ),
        Some(other) => format!("the TLS handshake with {host} failed: {other}"),
        None if err.kind() == io::ErrorKind::UnexpectedEof => format!(
            "{host} closed the connection during the TLS handshake (is this port really \
             serving TLS? a plain ws:// port, or a server refusing the name wsprobe asked for, \
             look like this)"
        ),
        None => format!(
            "the TLS handshake with {host} failed: {err} (is this port really serving TLS?)"
        ),
    }
}

/// A certificate check that failed, with the certificate's own facts.
fn certificate(cert: &CertificateError, host: &str, facts: Option<&CertFacts>) -> String {
    let who = facts.map_or_else(
        || format!("the certificate of {host}"),
        |f| format!("the certificate of {host} ({})", f.subject),
    );
    let dates = facts.map_or_else(String::new, |f| format!(" It is {};", f.validity()));
    match cert {
        CertificateError::UnknownIssuer if facts.is_some_and(CertFacts::self_signed) => format!(
            "self-signed: {who} is signed by itself, not by a CA wsprobe trusts; trust it with \
             --cacert FILE (that certificate, as PEM), or -k/--insecure for a quick test"
        ),
        CertificateError::UnknownIssuer => format!(
            "unknown issuer: {who} is issued by {}, which is not a CA wsprobe trusts (a private \
             CA, or a server that does not send its intermediate certificates?); pass --cacert \
             FILE with the CA, or -k/--insecure to skip the check for a quick test",
            facts.map_or("an unknown CA", |f| f.issuer.as_str())
        ),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!(
                "name mismatch: {who} is not valid for {host}; it is valid for {} (connect with \
                 one of those names, or reissue the certificate with {host} among its subject \
                 alternative names)",
                facts.map_or_else(|| "other names".to_string(), CertFacts::names)
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => format!(
            "expired: {who} has expired.{dates} this machine's clock says {}. Renew the \
             certificate on the server, or fix this machine's clock",
            utc(now())
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => format!(
            "not yet valid: {who} starts in the future.{dates} this machine's clock says {}. \
             Check the clocks of this machine and of whoever issued it",
            utc(now())
        ),
        CertificateError::Revoked => {
            format!("revoked: {who} was revoked by its CA; the server needs a new certificate")
        }
        CertificateError::Other(_) if facts.is_some_and(|f| f.is_ca) => format!(
            "CA used as end entity: {who} is a CA certificate (CA:TRUE, as `openssl req -x509` \
             makes by default) used as the server's own, which TLS clients refuse; pass that \
             very certificate with --cacert FILE (wsprobe then checks its name and dates \
             itself), or reissue the server certificate without CA:TRUE"
        ),
        CertificateError::BadSignature => {
            format!("bad signature: {who} does not match the signature of its issuer")
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            format!(
                "wrong purpose: {who} is not meant for TLS servers (its extended key usage lacks \
                 serverAuth); reissue it for server authentication"
            )
        }
        other => format!("bad certificate: {who} was refused ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_read_as_words() {
        assert_eq!(
            alert_words(AlertDescription::CertificateRequired),
            "certificate required"
        );
        assert_eq!(alert_words(AlertDescription::UnknownCA), "unknown CA");
        assert_eq!(
            alert_words(AlertDescription::HandshakeFailure),
            "handshake failure"
        );
    }

    #[test]
    fn tls_records_are_recognised() {
        assert!(not_tls(&[0x16, 0x03, 0x03, 0x00, 0x10]));
        assert!(not_tls(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x32]));
        assert!(!not_tls(b"HTTP/1.1 400 Bad Request"));
        assert!(!not_tls(&[0x16]));
    }
}
