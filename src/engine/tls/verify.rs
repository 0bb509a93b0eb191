//! The certificate checks of one TLS handshake, and what they saw.
//!
//! [`Verifier`] runs rustls's own `WebPKI` checks (chain to a trusted root,
//! dates, name) and adds one case: a server certificate that is
//! byte-for-byte one of the `--cacert` certificates is trusted as itself,
//! its name and dates checked here. That is what `openssl req -x509`
//! makes (a self-signed certificate with `CA:TRUE`), which `WebPKI` refuses
//! as "CA used as end entity" even when it is the trust anchor. With
//! `--insecure` nothing about the certificate is checked. Either way the
//! handshake signatures are verified, so the server must hold the key of
//! the certificate it shows.
//!
//! A [`Witness`] keeps what the handshake saw: the server's certificate
//! (for the `open` event and for error messages) and whether the server
//! asked for a client certificate.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::cert::CertFacts;

/// What one handshake saw.
#[derive(Debug, Default)]
pub struct Witness {
    asked: AtomicBool,
    peer: Mutex<Option<CertificateDer<'static>>>,
}

impl Witness {
    /// Whether the server sent a `CertificateRequest`.
    pub fn client_cert_requested(&self) -> bool {
        self.asked.load(Ordering::SeqCst)
    }

    /// The facts of the certificate the server showed, if it showed one.
    pub fn peer(&self) -> Option<CertFacts> {
        let der = self.peer.lock().unwrap_or_else(PoisonError::into_inner);
        der.as_ref().and_then(CertFacts::read)
    }

    fn saw(&self, cert: &CertificateDer<'_>) {
        *self.peer.lock().unwrap_or_else(PoisonError::into_inner) = Some(cert.clone().into_owned());
    }
}

/// How the server's certificate is judged.
#[derive(Debug)]
pub enum Trust {
    /// `WebPKI`, plus the `--cacert` certificates trusted as themselves.
    Checked {
        /// rustls's verifier over the trusted roots.
        webpki: Arc<WebPkiServerVerifier>,
        /// The `--cacert` certificates.
        pinned: Arc<Vec<CertificateDer<'static>>>,
    },
    /// `--insecure`: no check of the certificate.
    Anything,
}

/// The server certificate verifier of one handshake (see the module).
#[derive(Debug)]
pub struct Verifier {
    /// How certificates are judged.
    pub trust: Arc<Trust>,
    /// The crypto provider, for the handshake signatures.
    pub provider: Arc<CryptoProvider>,
    /// Where the handshake's facts go.
    pub witness: Arc<Witness>,
}

impl Verifier {
    /// A server certificate the user trusts as itself: only its name and
    /// dates are left to check.
    fn pinned(
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let parsed = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        let facts = CertFacts::read(end_entity).ok_or(rustls::Error::InvalidCertificate(
            CertificateError::BadEncoding,
        ))?;
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if now < facts.not_before {
            return Err(CertificateError::NotValidYet.into());
        }
        if now > facts.not_after {
            return Err(CertificateError::Expired.into());
        }
        Ok(ServerCertVerified::assertion())
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.witness.saw(end_entity);
        match self.trust.as_ref() {
            Trust::Anything => Ok(ServerCertVerified::assertion()),
            Trust::Checked { webpki, pinned } => {
                if pinned.iter().any(|c| c.as_ref() == end_entity.as_ref()) {
                    return Self::pinned(end_entity, server_name, now);
                }
                webpki.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                )
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Offers the `--cert`/`--key` pair (if any) when the server asks, and
/// notes that it asked.
#[derive(Debug)]
pub struct ClientCert {
    /// The certificate chain and key, loaded once.
    pub key: Option<Arc<CertifiedKey>>,
    /// Where the request is noted.
    pub witness: Arc<Witness>,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.witness.asked.store(true, Ordering::SeqCst);
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}
