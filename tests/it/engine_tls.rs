//! wss:// with a CA and certificates made at test time: an unknown issuer,
//! --cacert, --insecure, and a certificate for another name.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::support::{self, run};

/// A CA and a server certificate for `names`, both made now.
struct Pki {
    ca_pem: String,
    acceptor: TlsAcceptor,
}

fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().expect("test PKI");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("test PKI");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "wsprobe test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("test PKI");
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().expect("test PKI");
    let leaf = CertificateParams::new(names.iter().map(ToString::to_string).collect::<Vec<_>>())
        .expect("test PKI")
        .signed_by(&leaf_key, &issuer)
        .expect("test PKI");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("test PKI")
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(leaf.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
    .expect("test PKI");
    Pki {
        ca_pem: ca_cert.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}

/// Asserts a run that opened over TLS, got the message and ended with 1000.
fn assert_opened(run: &support::Finished, insecure: bool) {
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "message", "close", "give_up"],
        "{}",
        run.dump()
    );
    assert_eq!(run.first("open")["insecure"], insecure);
    assert_eq!(run.first("message")["text"], "hello over tls");
    assert!(run.end.success);
}

#[tokio::test]
async fn an_unknown_issuer_is_a_tls_error_and_fatal() {
    let pki = pki(&["127.0.0.1"]);
    let server = crate::support::pki::wss_server(pki.acceptor).await;
    let run = run(support::settings(server.wss("/"))).await;
    support::assert_failed_attempt(&run.events, "tls", 1015);
    let message = run.events[1]["message"].as_str().unwrap_or_default();
    assert!(message.contains("unknown issuer"), "{message}");
    assert!(message.contains("--cacert"), "{message}");
    assert_eq!(run.kinds().len(), 4, "{}", run.dump());
    assert!(!run.end.success);
}

#[tokio::test]
async fn cacert_makes_the_private_ca_trusted() {
    let pki = pki(&["127.0.0.1"]);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let server = crate::support::pki::wss_server(pki.acceptor).await;
    let mut s = support::settings(server.wss("/"));
    s.cacert = Some(ca);
    assert_opened(&run(s).await, false);
}

#[tokio::test]
async fn insecure_skips_the_checks_and_says_so() {
    let pki = pki(&["127.0.0.1"]);
    let server = crate::support::pki::wss_server(pki.acceptor).await;
    let mut s = support::settings(server.wss("/"));
    s.insecure = true;
    assert_opened(&run(s).await, true);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_a_tls_error_naming_both() {
    let pki = pki(&["other.example"]);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let server = crate::support::pki::wss_server(pki.acceptor).await;
    let mut s = support::settings(server.wss("/"));
    s.cacert = Some(ca);
    let run = run(s).await;
    support::assert_failed_attempt(&run.events, "tls", 1015);
    let message = run.events[1]["message"].as_str().unwrap_or_default();
    assert!(message.contains("127.0.0.1"), "{message}");
    assert!(message.contains("other.example"), "{message}");
}
