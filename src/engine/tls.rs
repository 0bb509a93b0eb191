//! TLS with rustls: the system's roots plus the webpki roots, an optional
//! extra CA, or no verification at all (`--insecure`), and failures explained.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::engine::error::EngineError;

/// Builds the client configuration once per run.
pub fn client_config(
    insecure: bool,
    cacert: Option<&Path>,
) -> Result<Arc<ClientConfig>, EngineError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| EngineError::tls(format!("TLS set-up failed: {e}")))?;
    let config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // Missing or unreadable system roots are not fatal: webpki roots remain.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(path) = cacert {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| {
                    EngineError::tls(format!(
                        "--cacert {}: cannot read it as PEM ({e}); give a PEM file with a CA certificate",
                        crate::text::escape(&path.display().to_string())
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    EngineError::tls(format!("--cacert {}: bad PEM ({e})", crate::text::escape(&path.display().to_string())))
                })?;
            if certs.is_empty() {
                return Err(EngineError::tls(format!(
                    "--cacert {}: no certificate found; the file must hold a PEM \"CERTIFICATE\" block",
                    crate::text::escape(&path.display().to_string())
                )));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    EngineError::tls(format!(
                        "--cacert {}: unusable certificate ({e})",
                        crate::text::escape(&path.display().to_string())
                    ))
                })?;
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// The server name to verify, from the URL's host.
pub fn server_name(host: &str) -> io::Result<ServerName<'static>> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_string()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{host}` is not a valid TLS server name"),
        )
    })
}

/// A plain-language explanation of a TLS failure, naming the cause.
pub fn explain(err: &io::Error, host: &str) -> String {
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::InvalidCertificate(cert)) => match cert {
            CertificateError::UnknownIssuer => format!(
                "unknown issuer: the certificate of {host} is not signed by a trusted CA \
                 (self-signed or private CA? pass --cacert FILE, or --insecure to skip the check)"
            ),
            CertificateError::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
                format!(
                    "name mismatch: the certificate is not valid for {host}; it was issued for {} \
                     (connect with one of those names, or reissue the certificate for {host})",
                    presented.join(", ")
                )
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!(
                    "name mismatch: the certificate is not valid for {host} \
                     (connect with the name the certificate was issued for)"
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => format!(
                "expired: the certificate of {host} has expired (renew it, or check this machine's clock)"
            ),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => format!(
                "not valid yet: the certificate of {host} starts in the future (check the clocks)"
            ),
            CertificateError::Revoked => format!("revoked: the certificate of {host} was revoked"),
            other => format!("bad certificate from {host}: {other:?}"),
        },
        Some(other) => format!("handshake failure with {host}: {other}"),
        None => format!("handshake failure with {host}: {err} (is this port really serving TLS?)"),
    }
}

/// Whether an io error came out of the TLS layer.
pub fn is_tls_error(err: &io::Error) -> bool {
    err.get_ref()
        .is_some_and(|e| e.downcast_ref::<rustls::Error>().is_some())
        || err.kind() == io::ErrorKind::InvalidData
}

/// `--insecure`: accepts any certificate but still checks handshake signatures.
#[derive(Debug)]
struct AcceptAnything(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
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
            &self.0.signature_verification_algorithms,
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
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
