//! Close codes read from the wire: every code a server may send, the empty
//! Close, a TCP drop, and the codes a server must never send — each reported
//! as it travelled and followed by the policy's decision.

use tokio::io::AsyncWriteExt;

use crate::support::{
    self, assert_reconnect, close_frame, closing_server, frame, handshake, run, serve,
};

/// What the policy does after a code (with the fast test policy).
enum Then {
    Stop,
    Reconnect(&'static str, (u64, u64)),
}

#[tokio::test]
async fn every_valid_code_is_reported_as_sent_and_decided_by_the_policy() {
    use Then::{Reconnect, Stop};
    let table = [
        (1000, Stop),
        (1001, Reconnect("going away:", (10, 30))),
        (1002, Stop),
        (1003, Stop),
        (1007, Stop),
        (1008, Stop),
        (1009, Stop),
        (1010, Stop),
        (1011, Reconnect("server error:", (20, 40))),
        (1012, Reconnect("service restart:", (10, 30))),
        (1013, Reconnect("try again later:", (20, 40))),
        (1014, Reconnect("abnormal:", (10, 30))),
        (3000, Stop),
        (3003, Stop),
        (3008, Reconnect("abnormal:", (10, 30))),
        (4000, Reconnect("abnormal:", (10, 30))),
        (4999, Reconnect("abnormal:", (10, 30))),
    ];
    for (code, then) in table {
        let (server, _replies) = closing_server(close_frame(code, b"bye")).await;
        let mut s = support::settings(server.url("/"));
        // Two attempts: the second shows the wait was honoured, then the limit stops it.
        s.max_attempts = Some(2);
        let run = run(s).await;
        let ctx = format!("code {code}:\n{}", run.dump());
        for close in run.all("close") {
            assert_eq!(close["code"], code, "{ctx}");
            assert_eq!(close["wire"], true, "{ctx}");
            assert_eq!(close["initiator"], "server", "{ctx}");
            assert_eq!(close["reason"], "bye", "{ctx}");
            assert_eq!(close["clean"], true, "{ctx}");
            assert!(close.get("received_code").is_none(), "{ctx}");
        }
        match then {
            Stop => {
                assert_eq!(
                    run.kinds(),
                    ["connecting", "open", "close", "give_up"],
                    "{ctx}"
                );
                assert_eq!(run.end.success, code == 1000, "{ctx}");
            }
            Reconnect(rule, window) => {
                assert_eq!(
                    run.kinds(),
                    [
                        "connecting",
                        "open",
                        "close",
                        "reconnect",
                        "connecting",
                        "open",
                        "close",
                        "give_up"
                    ],
                    "{ctx}"
                );
                assert_reconnect(run.after("close"), rule, window);
                let reason = run.last()["reason"].as_str().unwrap_or_default();
                assert!(reason.contains("--max-attempts"), "{ctx}");
                assert!(!run.end.success, "{ctx}");
            }
        }
        assert_eq!(server.accepted(), run.all("connecting").len(), "{ctx}");
    }
}

#[tokio::test]
async fn an_empty_close_is_1005_not_on_the_wire() {
    let (server, mut replies) = closing_server(frame(0x8, &[])).await;
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(2);
    let run = run(s).await;
    let close = run.first("close");
    assert_eq!(close["code"], 1005, "{}", run.dump());
    assert_eq!(close["wire"], false);
    assert_eq!(close["initiator"], "server");
    assert_eq!(close["reason"], "");
    // 1005 from the server: going away.
    assert_reconnect(run.after("close"), "going away:", (10, 30));
    assert_eq!(run.all("connecting").len(), 2);
    // tungstenite answers an empty Close with an empty Close.
    assert_eq!(
        support::within("the server", replies.recv()).await,
        Some(None)
    );
}

#[tokio::test]
async fn a_tcp_drop_is_a_derived_1006_with_its_error() {
    let server = serve(|_, mut tcp| async move {
        handshake(&mut tcp, &[]).await?;
        tcp.shutdown().await?;
        support::drain_to_eof(&mut tcp).await
    })
    .await;
    let mut s = support::settings(server.url("/"));
    s.max_attempts = Some(2);
    let run = run(s).await;
    assert_eq!(
        &run.kinds()[..5],
        ["connecting", "open", "error", "close", "reconnect"],
        "{}",
        run.dump()
    );
    assert_eq!(run.first("error")["class"], "io");
    let close = run.first("close");
    assert_eq!(close["code"], 1006);
    assert_eq!(close["wire"], false);
    assert_eq!(close["initiator"], "local");
    assert_eq!(close["clean"], false);
    assert_reconnect(run.after("close"), "abnormal:", (10, 30));
}

#[tokio::test]
async fn forbidden_codes_are_a_protocol_violation_answered_with_1002() {
    for code in [1004, 1005, 1006, 1015, 999, 5000] {
        let (server, mut replies) = closing_server(close_frame(code, b"nope")).await;
        let run = run(support::settings(server.url("/"))).await;
        let ctx = format!("code {code}:\n{}", run.dump());
        assert_eq!(
            run.kinds(),
            ["connecting", "open", "error", "close", "give_up"],
            "{ctx}"
        );
        let error = run.first("error");
        assert_eq!(error["class"], "protocol", "{ctx}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&code.to_string()), "{ctx}");
        let close = run.first("close");
        assert_eq!(close["code"], 1002, "{ctx}");
        assert_eq!(close["received_code"], code, "{ctx}");
        assert_eq!(close["initiator"], "server", "{ctx}");
        assert_eq!(close["wire"], true, "{ctx}");
        assert_eq!(close["reason"], "nope", "{ctx}");
        assert!(!run.end.success, "{ctx}");
        // The server really got a 1002 back.
        assert_eq!(
            support::within("the server", replies.recv()).await,
            Some(Some(1002)),
            "{ctx}"
        );
    }
}

#[tokio::test]
async fn a_one_byte_close_body_is_a_protocol_error() {
    let (server, _replies) = closing_server(frame(0x8, &[0x03])).await;
    let run = run(support::settings(server.url("/"))).await;
    assert_eq!(
        run.kinds(),
        ["connecting", "open", "error", "close", "give_up"],
        "{}",
        run.dump()
    );
    assert_eq!(run.first("error")["class"], "protocol");
    let close = run.first("close");
    assert_eq!(close["code"], 1002);
    assert_eq!(close["initiator"], "client");
}
