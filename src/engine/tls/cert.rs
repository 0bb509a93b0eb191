//! What a certificate says, read with x509-parser: subject, issuer, the
//! names it is valid for, its validity, whether it is a CA. These are the
//! facts of the `open` event's `tls` object and of the TLS error messages.

use std::net::IpAddr;

use rustls::pki_types::CertificateDer;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The facts of one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertFacts {
    /// `CN=example.com, O=Example`.
    pub subject: String,
    /// The issuer's name, in the same form.
    pub issuer: String,
    /// The subject alternative names: `DNS:example.com`, `IP:127.0.0.1`.
    pub sans: Vec<String>,
    /// Valid from, seconds since the Unix epoch.
    pub not_before: i64,
    /// Valid until, seconds since the Unix epoch.
    pub not_after: i64,
    /// `basicConstraints CA:TRUE`.
    pub is_ca: bool,
}

impl CertFacts {
    /// Reads a DER certificate; `None` when it does not parse.
    pub fn read(der: &CertificateDer<'_>) -> Option<CertFacts> {
        let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
        let sans = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|ext| ext.value.general_names.iter().filter_map(san).collect())
            .unwrap_or_default();
        Some(CertFacts {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            sans,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            is_ca: cert.is_ca(),
        })
    }

    /// Whether the certificate names itself as its issuer.
    pub fn self_signed(&self) -> bool {
        self.subject == self.issuer
    }

    /// `valid from 2025-01-01T00:00:00Z until 2026-01-01T00:00:00Z`.
    pub fn validity(&self) -> String {
        format!(
            "valid from {} until {}",
            utc(self.not_before),
            utc(self.not_after)
        )
    }

    /// The names it is valid for, for a message: the SANs, else the subject.
    pub fn names(&self) -> String {
        if self.sans.is_empty() {
            format!("no alternative names (subject {})", self.subject)
        } else {
            self.sans.join(", ")
        }
    }
}

/// One subject alternative name as openssl prints it.
fn san(name: &GeneralName<'_>) -> Option<String> {
    Some(match name {
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::IPAddress(b) => match b.len() {
            4 => format!("IP:{}", IpAddr::from(<[u8; 4]>::try_from(*b).ok()?)),
            16 => format!("IP:{}", IpAddr::from(<[u8; 16]>::try_from(*b).ok()?)),
            _ => return None,
        },
        GeneralName::RFC822Name(m) => format!("email:{m}"),
        GeneralName::URI(u) => format!("URI:{u}"),
        _ => return None,
    })
}

/// Seconds since the Unix epoch as RFC 3339 UTC (`2026-01-31T12:00:00Z`).
pub fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_767_225_599), "2025-12-31T23:59:59Z");
        assert_eq!(utc(-1), "1969-12-31T23:59:59Z");
    }
}
