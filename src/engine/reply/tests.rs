//! Lenient heads, their flaws, and extensions nobody offered.

use super::*;

#[test]
fn a_head_is_read_whatever_its_bytes() {
    let h = Head::parse(
        b"HTTP/1.1 302 Fo\x1bund\r\nLocation: /x?token=t\r\nX\x7f: 1\r\nodd\r\n\r\nbody",
    )
    .unwrap();
    assert_eq!(h.status, 302);
    assert_eq!(h.reason, b"Fo\x1bund");
    assert_eq!(h.get("LOCATION").as_deref(), Some("/x?token=t"));
    assert_eq!(h.lines.len(), 3);
    let flaw = h.flaw(false).unwrap();
    assert!(flaw.contains("Fo\\x1bund"), "{flaw}");
    assert!(Head::parse(b"SSH-2.0-x\r\n").is_none());
    assert!(Head::parse(b"HTTP/1.1 20 OK\r\n").is_none());
    assert_eq!(Head::parse(b"HTTP/1.1 204").unwrap().status, 204);
}

#[test]
fn a_flaw_names_the_header_escaped_and_redacted() {
    let h = Head::parse(b"HTTP/1.1 403 Forbidden\r\nX-Auth-Token: t\x1b\r\n\r\n").unwrap();
    let flaw = h.flaw(false).unwrap();
    assert!(flaw.contains("X-Auth-Token: REDACTED"), "{flaw}");
    let h = Head::parse(b"HTTP/1.1 403 Forbidden\r\nX-Note: a\x1bb\r\n").unwrap();
    assert!(h.flaw(false).unwrap().contains("X-Note: a\\x1bb"));
    let fine = Head::parse(b"HTTP/1.1 403 Forbidden\r\nX-Note: caf\xc3\xa9\r\n").unwrap();
    assert_eq!(fine.flaw(false), None);
    assert_eq!(text(b"caf\xe9 \xc3\xa9"), "caf\\xe9 \u{e9}");
}

#[test]
fn only_offered_extensions_may_be_accepted() {
    let url = url::Url::parse("ws://a.example/").unwrap();
    let mut s = Settings::new(url);
    let h = Head::parse(
        b"HTTP/1.1 101 OK\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n",
    )
    .unwrap();
    assert_eq!(
        h.unoffered_extension(&s).as_deref(),
        Some("permessage-deflate")
    );
    s.headers = vec![(
        "Sec-WebSocket-Extensions".into(),
        "permessage-deflate; client_max_window_bits".into(),
    )];
    assert_eq!(h.unoffered_extension(&s), None);
    assert!(
        Head::parse(b"HTTP/1.1 101 OK\r\n\r\n")
            .unwrap()
            .unoffered_extension(&s)
            .is_none()
    );
}
