//! Close-payload decoding: what `close_from_wire` makes of the payload the
//! tap kept, next to the frame tungstenite handed over.
//!
//! Input: one mode byte, then the payload bytes. Mode bit 0: the tap saw the
//! payload (else `None`, as when the tap missed it). Mode bit 1: tungstenite
//! handed over a frame. The frame is the one tungstenite makes of the same
//! payload (it replaces a code it does not allow with 1002), or, when the
//! tap saw nothing, of the payload bytes themselves.
//!
//! Checks: no panic; a code outside `may_be_sent` is never reported as the
//! code that came on the wire: such a code ends as 1002 with the received
//! code kept aside; the reason is the payload's, decoded lossily.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use wsprobe::engine::catalog::may_be_sent;
use wsprobe::engine::close_from_wire;
use wsprobe::engine::policy::Trigger;

/// The Close frame tungstenite reports for `payload`, or `None` where it
/// fails the connection instead (one byte, or a reason that is not UTF-8).
fn tungstenite_frame(payload: &[u8]) -> Option<Option<CloseFrame>> {
    match payload {
        [] => Some(None),
        [_] => None,
        [a, b, reason @ ..] => {
            let reason = std::str::from_utf8(reason).ok()?;
            let code = CloseCode::from(u16::from_be_bytes([*a, *b]));
            Some(Some(if code.is_allowed() {
                CloseFrame {
                    code,
                    reason: reason.to_owned().into(),
                }
            } else {
                CloseFrame {
                    code: CloseCode::Protocol,
                    reason: "Protocol violation".into(),
                }
            }))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let raw = (mode & 1 != 0).then_some(payload);
    let frame = if mode & 2 != 0 {
        tungstenite_frame(payload).flatten()
    } else {
        None
    };
    let (info, violation) = close_from_wire(raw, frame.as_ref());

    if info.wire {
        assert!(
            may_be_sent(info.code),
            "code {} reported as sent on the wire",
            info.code
        );
    } else {
        assert_eq!(info.code, 1005, "only 1005 is reported without a frame");
    }
    if let Some(code) = violation {
        assert!(!may_be_sent(code));
        assert_eq!(info.code, 1002);
        assert_eq!(info.received_code, Some(code));
        assert_eq!(info.trigger, Trigger::Violation);
    }
    assert_eq!(info.name, wsprobe::engine::catalog::name_of(info.code));
    match raw {
        Some([a, b, rest @ ..]) => {
            let code = u16::from_be_bytes([*a, *b]);
            assert_eq!(info.reason, String::from_utf8_lossy(rest));
            if may_be_sent(code) {
                assert_eq!((info.code, violation), (code, None));
                assert_eq!(info.trigger, Trigger::Code(code));
            } else {
                assert_eq!(violation, Some(code));
            }
        }
        Some(_) => assert!(info.reason.is_empty()),
        None => assert_eq!(violation, None),
    }
});
