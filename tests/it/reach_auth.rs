//! Credentials on the upgrade request, checked by the server: Basic from
//! the URL's user:password and from -u, -H Authorization winning (with a
//! note), -b cookies in one header, -u without a password and no
//! terminal, and the request headers of `open` redacted.

use std::sync::{Arc, Mutex};

use crate::reach_proxy::probe;
use crate::support::{Bin, Server, close_frame, close_with, handshake, header, serve};

/// A server that records each upgrade request and closes with 1000.
async fn recording() -> (Server, Arc<Mutex<Vec<String>>>) {
    let heads = Arc::new(Mutex::new(Vec::new()));
    let h = heads.clone();
    let server = serve(move |_, mut tcp| {
        let heads = h.clone();
        async move {
            let head = handshake(&mut tcp, &[]).await?;
            heads.lock().expect("heads").push(head);
            close_with(&mut tcp, &close_frame(1000, b"")).await?;
            Ok(())
        }
    })
    .await;
    (server, heads)
}

fn basic(user: &str, pass: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

#[tokio::test]
async fn the_urls_credentials_are_sent_decoded_and_never_shown() {
    let (server, heads) = recording().await;
    let url = format!("ws://al%20ice:p%40ss-s3cret@{}/ws", server.addr);
    let run = probe(&url, &[], &[], &["p%40ss-s3cret", "p@ss-s3cret"]).await;
    run.assert_opened();
    let head = heads.lock().unwrap()[0].clone();
    assert_eq!(
        header(&head, "authorization"),
        Some(basic("al ice", "p@ss-s3cret").as_str())
    );
    assert!(
        !head.contains("s3cret@"),
        "the request line carries no userinfo:\n{head}"
    );
    let open = run.first("open");
    assert_eq!(open["request_headers"]["authorization"], "REDACTED");
    assert_eq!(open["request_headers"]["host"], server.addr.to_string());
    assert_eq!(open["peer"], server.addr.to_string());
    assert!(
        run.log.contains("request header authorization: REDACTED"),
        "{}",
        run.log
    );
}

#[tokio::test]
async fn user_flag_wins_over_the_url_and_a_header_wins_over_both() {
    let (server, heads) = recording().await;
    let url = format!("ws://url:url-s3cret@{}/", server.addr);
    let run = probe(
        &url,
        &["-u", "flag:flag-s3cret"],
        &[],
        &["url-s3cret", "flag-s3cret"],
    )
    .await;
    run.assert_opened();
    assert_eq!(
        header(&heads.lock().unwrap()[0], "authorization"),
        Some(basic("flag", "flag-s3cret").as_str())
    );
    assert!(run.log.contains("-u wins"), "{}", run.log);
    let run = probe(
        &url,
        &[
            "-H",
            "Authorization: Bearer tok-s3cret",
            "-u",
            "flag:flag-s3cret",
        ],
        &[],
        &["url-s3cret", "flag-s3cret", "tok-s3cret"],
    )
    .await;
    run.assert_opened();
    let head = heads.lock().unwrap()[1].clone();
    assert_eq!(header(&head, "authorization"), Some("Bearer tok-s3cret"));
    assert_eq!(head.matches("uthorization").count(), 1, "{head}");
    assert_eq!(
        run.log.matches("-H Authorization is sent as given").count(),
        1,
        "told once:\n{}",
        run.log
    );
    // Without a log file the note goes to stderr, headless.
    let out = Bin::wsprobe(&[&url, "--json", "-H", "Authorization: Bearer tok-s3cret"])
        .run()
        .await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("the URL's user:password@ is not used")
            && !out.stderr.contains("s3cret"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn cookies_go_in_one_header_and_stay_secret() {
    let (server, heads) = recording().await;
    let url = server.url("/").to_string();
    let run = probe(
        &url,
        &[
            "-b",
            "sid=c00kie-s3cret",
            "-b",
            "theme=dark; lang=en",
            "-H",
            "Cookie: a=1",
        ],
        &[],
        &["c00kie-s3cret"],
    )
    .await;
    run.assert_opened();
    let head = heads.lock().unwrap()[0].clone();
    assert_eq!(head.matches("ookie:").count(), 1, "{head}");
    assert_eq!(
        header(&head, "cookie"),
        Some("a=1; sid=c00kie-s3cret; theme=dark; lang=en")
    );
    assert_eq!(run.first("open")["request_headers"]["cookie"], "REDACTED");
}

#[tokio::test]
async fn a_missing_password_without_a_terminal_is_bad_input() {
    let (server, _) = recording().await;
    let url = server.url("/").to_string();
    let out = Bin::wsprobe(&[&url, "--json", "-u", "alice"]).run().await;
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("USER:PASS"), "{}", out.stderr);
    assert_eq!(server.accepted(), 0);
    let out = Bin::wsprobe(&[&url, "--json", "-b", "jar.txt"]).run().await;
    assert_eq!(out.status, Some(2));
    assert!(out.stderr.contains("name=value"), "{}", out.stderr);
}

#[tokio::test]
async fn show_secrets_shows_them() {
    let (server, _) = recording().await;
    let url = format!("ws://me:visible@{}/", server.addr);
    let run = probe(&url, &["--show-secrets"], &[], &[]).await;
    run.assert_opened();
    assert_eq!(
        run.first("open")["request_headers"]["authorization"],
        basic("me", "visible")
    );
    assert!(
        run.first("connecting")["url"]
            .as_str()
            .unwrap_or_default()
            .contains("me:visible@")
    );
}
