//! TLS as a user meets it: an `openssl req -x509`-style certificate (CA:TRUE,
//! self-signed) trusted with --cacert, a bundle of several certificates,
//! mutual TLS (with and without --cert/--key, PKCS#8, PKCS#1 and SEC1
//! keys), -k, `SSL_CERT_FILE` and `SSL_CERT_DIR`, each failure in plain words,
//! and the TLS facts of `open`.

use std::process::Command;

use crate::reach_proxy::probe;
use crate::support::pki::{self, write};
use crate::support::{self, run};

#[tokio::test]
async fn a_self_signed_ca_certificate_is_trusted_with_cacert() {
    let made = pki::self_signed_ca(&["127.0.0.1", "localhost"]);
    let server = pki::wss_server(pki::acceptor(&made, None)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = support::settings(server.wss("/"));
    let failed = run(s.clone()).await;
    support::assert_failed_attempt(&failed.events, "tls", 1015);
    let message = failed.events[1]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("CA used as end entity") && message.contains("--cacert"),
        "{message}"
    );
    assert!(
        !message.contains("Some(") && !message.contains("DnsName"),
        "{message}"
    );
    s.cacert = Some(write(dir.path(), "server.pem", &made.pem()));
    let opened = run(s.clone()).await;
    let open = opened.first("open");
    assert_eq!(open["tls"]["subject"], "CN=127.0.0.1", "{open}");
    assert_eq!(open["tls"]["issuer"], "CN=127.0.0.1");
    assert_eq!(
        open["tls"]["sans"],
        serde_json::json!(["IP:127.0.0.1", "DNS:localhost"])
    );
    assert_eq!(open["tls"]["alpn"], serde_json::Value::Null);
    assert!(
        open["tls"]["cipher"]
            .as_str()
            .unwrap_or_default()
            .starts_with("TLS13_"),
        "{open}"
    );
    assert!(
        open["tls"]["not_after"]
            .as_str()
            .unwrap_or_default()
            .ends_with('Z')
    );
    // Trusted as itself, its name is still checked.
    let other = pki::self_signed_ca(&["other.example"]);
    let server = pki::wss_server(pki::acceptor(&other, None)).await;
    let mut s = support::settings(server.wss("/"));
    s.cacert = Some(write(dir.path(), "other.pem", &other.pem()));
    let failed = run(s).await;
    let message = failed.events[1]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("name mismatch") && message.contains("DNS:other.example"),
        "{message}"
    );
}

#[tokio::test]
async fn a_bundle_of_several_certificates_works() {
    let ca = pki::ca("real CA");
    let leaf = ca.sign(&["127.0.0.1"], |_| {});
    let server = pki::wss_server(pki::acceptor(&leaf, None)).await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = format!(
        "{}{}{}",
        pki::ca("other CA").made.pem(),
        ca.made.pem(),
        pki::self_signed_ca(&["x"]).pem()
    );
    let mut s = support::settings(server.wss("/"));
    s.cacert = Some(write(dir.path(), "bundle.pem", &bundle));
    assert_eq!(run(s).await.first("open")["tls"]["issuer"], "CN=real CA");
}

/// A server that requires a client certificate from `clients`.
async fn mtls() -> (pki::Ca, support::Server, tempfile::TempDir, String) {
    let ca = pki::ca("server CA");
    let leaf = ca.sign(&["127.0.0.1"], |_| {});
    let clients = pki::ca("client CA");
    let server = pki::wss_server(pki::acceptor(&leaf, Some(&clients))).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = write(dir.path(), "ca.pem", &ca.made.pem())
        .display()
        .to_string();
    (clients, server, dir, ca_file)
}

#[tokio::test]
async fn mutual_tls_with_and_without_a_client_certificate() {
    let (clients, server, dir, ca) = mtls().await;
    let url = server.wss("/").to_string();
    let run = probe(&url, &["--cacert", &ca], &[], &[]).await;
    let error = run.first("error");
    assert_eq!(error["class"], "tls");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("client certificate required")
            && message.contains("--cert FILE --key FILE"),
        "{message}"
    );
    let me = clients.sign(&["client"], |_| {});
    let cert = write(dir.path(), "me.pem", &me.pem()).display().to_string();
    let key = write(dir.path(), "me.key", &me.key_pem())
        .display()
        .to_string();
    let run = probe(
        &url,
        &["--cacert", &ca, "--cert", &cert, "--key", &key],
        &[],
        &[],
    )
    .await;
    assert_eq!(run.first("open")["kind"], "open", "{}", run.out.out());
    // A certificate from a CA the server does not trust.
    let stranger = pki::ca("stranger").sign(&["client"], |_| {});
    let cert = write(dir.path(), "s.pem", &stranger.pem())
        .display()
        .to_string();
    let key = write(dir.path(), "s.key", &stranger.key_pem())
        .display()
        .to_string();
    let run = probe(
        &url,
        &["--cacert", &ca, "--cert", &cert, "--key", &key],
        &[],
        &[],
    )
    .await;
    let message = run.first("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("client certificate refused"), "{message}");
    // --cert without --key, a key that is not the certificate's: bad input.
    let out = crate::support::Bin::wsprobe(&[&url, "--json", "--cert", &cert])
        .run()
        .await;
    assert_eq!(out.status, Some(2));
    let other_key = write(dir.path(), "o.key", &me.key_pem())
        .display()
        .to_string();
    let out = crate::support::Bin::wsprobe(&[&url, "--json", "--cert", &cert, "--key", &other_key])
        .run()
        .await;
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("do not work together"),
        "{}",
        out.stderr
    );
}

/// Runs openssl; false when it is missing or fails.
fn openssl(args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn pkcs1_and_sec1_client_keys_work() {
    if !openssl(&["version"]) {
        println!("skipped: openssl not installed (needed to write PKCS#1 and SEC1 keys)");
        return;
    }
    let (_, server, dir, ca) = mtls().await;
    let url = server.wss("/").to_string();
    let clients = pki::ca("client CA 2");
    let client_ca = write(dir.path(), "clients.pem", &clients.made.pem());
    let client_ca_key = write(dir.path(), "clients.key", &clients.made.key_pem());
    let d = |n: &str| dir.path().join(n).display().to_string();
    // An EC key as SEC1 and an RSA key as PKCS#1, each with a certificate
    // signed by the client CA.
    assert!(openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        &d("ec.key")
    ]));
    assert!(openssl(&[
        "genrsa",
        "-traditional",
        "-out",
        &d("rsa.key"),
        "2048"
    ]));
    // With an extension the certificate is X.509 v3, as TLS needs.
    let ext = write(dir.path(), "client.ext", "extendedKeyUsage=clientAuth\n");
    for key in ["ec.key", "rsa.key"] {
        let csr = d(&format!("{key}.csr"));
        let crt = d(&format!("{key}.crt"));
        assert!(openssl(&[
            "req",
            "-new",
            "-key",
            &d(key),
            "-subj",
            "/CN=client",
            "-out",
            &csr
        ]));
        assert!(openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &client_ca.display().to_string(),
            "-CAkey",
            &client_ca_key.display().to_string(),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext.display().to_string(),
            "-out",
            &crt,
        ]));
        let text = std::fs::read_to_string(d(key)).unwrap();
        assert!(
            text.contains("EC PRIVATE KEY") || text.contains("RSA PRIVATE KEY"),
            "{text}"
        );
        let run = probe(
            &url,
            &["--cacert", &ca, "--cert", &crt, "--key", &d(key)],
            &[],
            &[],
        )
        .await;
        // The server trusts another client CA: the key loaded and was used.
        let message = run.first("error")["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            message.contains("client certificate refused"),
            "{key}: {message}"
        );
    }
}

#[tokio::test]
async fn k_skips_the_checks_and_the_environment_adds_trust() {
    let ca = pki::ca("env CA");
    let leaf = ca.sign(&["127.0.0.1"], |_| {});
    let server = pki::wss_server(pki::acceptor(&leaf, None)).await;
    let url = server.wss("/").to_string();
    let run = probe(&url, &["-k"], &[], &[]).await;
    assert_eq!(run.first("open")["insecure"], true);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ca.pem", &ca.made.pem())
        .display()
        .to_string();
    let run = probe(&url, &[], &[("SSL_CERT_FILE", &file)], &[]).await;
    assert_eq!(run.first("open")["insecure"], false, "{}", run.out.out());
    let certs = tempfile::tempdir().unwrap();
    write(certs.path(), "env-ca.pem", &ca.made.pem());
    let certs_dir = certs.path().display().to_string();
    let run = probe(&url, &[], &[("SSL_CERT_DIR", &certs_dir)], &[]).await;
    assert_eq!(run.first("open")["kind"], "open", "{}", run.out.out());
    let run = probe(&url, &[], &[], &[]).await;
    let message = run.first("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("unknown issuer") && message.contains("CN=env CA"),
        "{message}"
    );
}

#[tokio::test]
async fn expired_and_not_yet_valid_certificates_give_their_dates() {
    let ca = pki::ca("dates CA");
    let dir = tempfile::tempdir().unwrap();
    let ca_file = write(dir.path(), "ca.pem", &ca.made.pem());
    for (past, word) in [(true, "expired"), (false, "not yet valid")] {
        let leaf = ca.sign(&["127.0.0.1"], |p| {
            if past {
                p.not_before = rcgen::date_time_ymd(2001, 1, 1);
                p.not_after = rcgen::date_time_ymd(2002, 1, 1);
            } else {
                p.not_before = rcgen::date_time_ymd(2090, 1, 1);
                p.not_after = rcgen::date_time_ymd(2091, 1, 1);
            }
        });
        let server = pki::wss_server(pki::acceptor(&leaf, None)).await;
        let mut s = support::settings(server.wss("/"));
        s.cacert = Some(ca_file.clone());
        let failed = run(s).await;
        let message = failed.events[1]["message"].as_str().unwrap_or_default();
        let year = if past { "2002-01-01" } else { "2090-01-01" };
        assert!(
            message.starts_with(word) && message.contains(year),
            "{message}"
        );
    }
}

#[tokio::test]
async fn the_wrong_scheme_for_the_port_says_which_to_use() {
    let ca = pki::ca("scheme CA");
    let leaf = ca.sign(&["127.0.0.1"], |_| {});
    let tls = pki::wss_server(pki::acceptor(&leaf, None)).await;
    let failed = run(support::settings(tls.url("/"))).await;
    let message = failed.first("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("this port speaks TLS") && message.contains("wss://"),
        "{message}"
    );
    // A plain HTTP server answers a ClientHello with a 400.
    let plain = support::serve(|_, mut tcp| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut buf = [0u8; 512];
        let _ = tcp.read(&mut buf).await?;
        tcp.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await?;
        support::drain_to_eof(&mut tcp).await
    })
    .await;
    let failed = run(support::settings(plain.wss("/"))).await;
    let message = failed.first("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("ws://"), "{message}");
}
