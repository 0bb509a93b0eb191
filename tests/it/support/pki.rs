//! Certificates made at test time (rcgen) and TLS servers using them: a
//! CA with server and client certificates, an `openssl req -x509`-style
//! self-signed certificate with `CA:TRUE`, servers that require a client
//! certificate, and the files the binary is given.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::{Server, serve};

/// A certificate and its key.
pub struct Made {
    /// The certificate.
    pub cert: Certificate,
    /// Its key.
    pub key: KeyPair,
}

impl Made {
    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// The key as PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }

    fn der(&self) -> CertificateDer<'static> {
        CertificateDer::from(self.cert.der().to_vec())
    }

    fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()))
    }
}

/// A CA: its certificate and the issuer to sign with.
pub struct Ca {
    /// The CA certificate.
    pub made: Made,
    issuer: Issuer<'static, KeyPair>,
}

/// A new CA named `name`.
pub fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().expect("test PKI");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("test PKI");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).expect("test PKI");
    let issuer_key = KeyPair::from_pem(&key.serialize_pem()).expect("test PKI");
    Ca {
        made: Made { cert, key },
        issuer: Issuer::new(params, issuer_key),
    }
}

impl Ca {
    /// A certificate for `names` signed by this CA, changed by `edit`.
    pub fn sign(&self, names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Made {
        let key = KeyPair::generate().expect("test PKI");
        let mut params =
            CertificateParams::new(names.iter().map(ToString::to_string).collect::<Vec<_>>())
                .expect("test PKI");
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("client"),
        );
        edit(&mut params);
        let cert = params.signed_by(&key, &self.issuer).expect("test PKI");
        Made { cert, key }
    }
}

/// What `openssl req -x509 -newkey … -subj /CN=NAME -addext
/// subjectAltName=…` makes: a self-signed certificate with `CA:TRUE` that
/// is also the server's own.
pub fn self_signed_ca(names: &[&str]) -> Made {
    let key = KeyPair::generate().expect("test PKI");
    let mut params =
        CertificateParams::new(names.iter().map(ToString::to_string).collect::<Vec<_>>())
            .expect("test PKI");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("x"));
    let cert = params.self_signed(&key).expect("test PKI");
    Made { cert, key }
}

/// A TLS acceptor serving `leaf`; with `clients`, it requires a client
/// certificate issued by that CA.
pub fn acceptor(leaf: &Made, clients: Option<&Ca>) -> TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("test PKI");
    let builder = match clients {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.made.der()).expect("test PKI");
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .expect("test PKI");
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(vec![leaf.der()], leaf.key_der())
        .expect("test PKI");
    TlsAcceptor::from(Arc::new(config))
}

/// A wss:// server that sends "hello over tls" and closes with 1000.
pub async fn wss_server(acceptor: TlsAcceptor) -> Server {
    serve(move |_, tcp| {
        let acceptor = acceptor.clone();
        async move {
            let tls = acceptor.accept(tcp).await?;
            let mut ws = tokio_tungstenite::accept_async(tls)
                .await
                .map_err(std::io::Error::other)?;
            ws.send(Message::text("hello over tls"))
                .await
                .map_err(std::io::Error::other)?;
            ws.close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }))
            .await
            .map_err(std::io::Error::other)?;
            while ws.next().await.is_some() {}
            Ok(())
        }
    })
    .await
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}
