//! TLS with rustls. Trusted: the operating system's store (with
//! `SSL_CERT_FILE` / `SSL_CERT_DIR` honoured, through rustls-native-certs),
//! the webpki roots, and `--cacert` (each of its certificates also trusted
//! as a server certificate of its own, see [`verify`]); or nothing checked
//! (`--insecure`). `--cert`/`--key` answer a server that asks for a client
//! certificate. Failures are explained in words by [`explain`].

mod cert;
mod explain;
mod verify;

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ClientConnection, RootCertStore};

pub use cert::{CertFacts, utc};
pub use explain::{explain, not_tls};
pub use verify::{ClientCert, Trust, Verifier, Witness};

use crate::engine::error::EngineError;
use crate::engine::event::TlsInfo;
use crate::text::escape;

/// What every TLS handshake of a run shares, loaded once: the trust and
/// the client certificate.
#[derive(Debug)]
pub struct TlsSetup {
    provider: Arc<CryptoProvider>,
    trust: Arc<Trust>,
    client: Option<Arc<CertifiedKey>>,
}

/// `--cacert FILE` and the like, escaped for a message.
fn shown(flag: &str, path: &Path) -> String {
    format!("{flag} {}", escape(&path.display().to_string()))
}

/// Every certificate of a PEM file; `flag` names the option for messages.
fn pem_certs(flag: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, EngineError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| {
            EngineError::tls(format!(
                "{}: cannot read it as PEM ({e}); give a PEM file with a certificate",
                shown(flag, path)
            ))
        })?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| EngineError::tls(format!("{}: bad PEM ({e})", shown(flag, path))))?;
    if certs.is_empty() {
        return Err(EngineError::tls(format!(
            "{}: no certificate found; the file must hold a PEM \"CERTIFICATE\" block",
            shown(flag, path)
        )));
    }
    Ok(certs)
}

impl TlsSetup {
    /// Loads the trust (unless `insecure`) and the client certificate.
    pub fn new(
        insecure: bool,
        cacert: Option<&Path>,
        client: Option<(&Path, &Path)>,
    ) -> Result<TlsSetup, EngineError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let trust = if insecure {
            Trust::Anything
        } else {
            let mut roots = RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            // Missing or unreadable system roots are not fatal: webpki roots remain.
            let native = rustls_native_certs::load_native_certs();
            for e in &native.errors {
                tracing::warn!("system certificates: {e}");
            }
            let (added, ignored) = roots.add_parsable_certificates(native.certs);
            tracing::debug!(added, ignored, "system certificates loaded");
            let pinned = match cacert {
                Some(path) => pem_certs("--cacert", path)?,
                None => Vec::new(),
            };
            for cert in &pinned {
                roots.add(cert.clone()).map_err(|e| {
                    EngineError::tls(format!(
                        "--cacert {}: unusable certificate ({e})",
                        escape(&cacert.unwrap_or(Path::new("")).display().to_string())
                    ))
                })?;
            }
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| EngineError::tls(format!("TLS set-up failed: {e}")))?;
            Trust::Checked {
                webpki,
                pinned: Arc::new(pinned),
            }
        };
        let client = match client {
            Some((cert, key)) => Some(Arc::new(client_key(&provider, cert, key)?)),
            None => None,
        };
        Ok(TlsSetup {
            provider,
            trust: Arc::new(trust),
            client,
        })
    }

    /// The configuration of one handshake with the endpoint (offering the
    /// client certificate) or with a proxy (`to_proxy`: offering none), and
    /// the witness that records what it saw.
    pub fn config(&self, to_proxy: bool) -> Result<(Arc<ClientConfig>, Arc<Witness>), String> {
        let witness = Arc::new(Witness::default());
        let verifier = Verifier {
            trust: self.trust.clone(),
            provider: self.provider.clone(),
            witness: witness.clone(),
        };
        let resolver = ClientCert {
            key: if to_proxy { None } else { self.client.clone() },
            witness: witness.clone(),
        };
        let mut config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS set-up failed: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_client_cert_resolver(Arc::new(resolver));
        if !to_proxy {
            // WebSocket runs over HTTP/1.1 (RFC 6455); servers that insist
            // on ALPN find it offered.
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
        }
        Ok((Arc::new(config), witness))
    }
}

/// Loads `--cert` and `--key` and checks that they belong together.
fn client_key(
    provider: &CryptoProvider,
    cert: &Path,
    key: &Path,
) -> Result<CertifiedKey, EngineError> {
    let chain = pem_certs("--cert", cert)?;
    let der = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        EngineError::tls(format!(
            "{}: no private key read ({e}); give a PEM file with a PKCS#8 \
             (\"PRIVATE KEY\"), PKCS#1 (\"RSA PRIVATE KEY\") or SEC1 (\"EC PRIVATE KEY\") key",
            shown("--key", key)
        ))
    })?;
    CertifiedKey::from_der(chain, der, provider).map_err(|e| {
        let why = match e {
            rustls::Error::InconsistentKeys(_) => format!(
                "{} and {} do not work together: the key must be the private key of the \
                 first certificate in the --cert file",
                shown("--cert", cert),
                shown("--key", key)
            ),
            rustls::Error::InvalidCertificate(_) => format!(
                "{}: its first certificate is not a usable X.509 v3 certificate (a v1 \
                 certificate, as `openssl x509 -req` makes without -extfile, is refused)",
                shown("--cert", cert)
            ),
            other => format!(
                "{}: the key cannot be used ({other}); give an RSA, ECDSA or Ed25519 key",
                shown("--key", key)
            ),
        };
        EngineError::tls(why)
    })
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

/// Whether an io error came out of the TLS layer.
pub fn is_tls_error(err: &io::Error) -> bool {
    err.get_ref()
        .is_some_and(|e| e.downcast_ref::<rustls::Error>().is_some())
        || err.kind() == io::ErrorKind::InvalidData
}

/// What the handshake settled on and the server's certificate, for the
/// `open` event.
pub fn info(conn: &ClientConnection) -> TlsInfo {
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_string(),
    };
    let cipher = conn.negotiated_cipher_suite().map_or_else(
        || "unknown".to_string(),
        |s| {
            let suite = s.suite();
            suite
                .as_str()
                .map_or_else(|| format!("{suite:?}"), str::to_string)
        },
    );
    let facts = conn
        .peer_certificates()
        .and_then(|c| c.first())
        .and_then(CertFacts::read)
        .unwrap_or_default();
    TlsInfo {
        version,
        cipher,
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        subject: facts.subject,
        issuer: facts.issuer,
        sans: facts.sans,
        not_before: utc(facts.not_before),
        not_after: utc(facts.not_after),
    }
}
