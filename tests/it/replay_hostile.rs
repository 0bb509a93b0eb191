//! Recordings nobody should trust: escape sequences in recorded text, a
//! cut-off last line, files that are not recordings, records from other
//! versions, and a recording of about 200 MB replayed with bounded memory.

use std::io::Write as _;

use crate::support::record::wsprobe;

const SESSION: &str = r#"{"t_ms":0.0,"ts":"2026-11-29T12:00:00.000Z","kind":"session","version":"0.1.0","command_line":["wsprobe","ws://h/"],"seed":1,"policy":""}"#;

/// A short recording, one record per line.
fn recording(lines: &[&str]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("test setup");
    for l in lines {
        writeln!(f, "{l}").expect("test setup");
    }
    f.flush().expect("test setup");
    f
}

const CONNECTING: &str = r#"{"seq":0,"t_ms":1.0,"ts":"2026-11-29T12:00:00.001Z","kind":"connecting","attempt":1,"url":"ws://h/"}"#;
const OPEN: &str = r#"{"seq":1,"t_ms":2.5,"kind":"open","attempt":1,"status":101,"subprotocol":null,"handshake_ms":1.5,"headers":{"server":"x"},"insecure":false}"#;
const CLOSE: &str = r#"{"seq":3,"t_ms":9.0,"kind":"close","code":1000,"name":"Normal Closure","reason":"","initiator":"server","wire":true,"clean":true,"trigger":"close 1000","class":"done"}"#;
const GIVE_UP: &str = r#"{"seq":4,"t_ms":9.0,"kind":"give_up","reason":"done"}"#;

#[tokio::test]
async fn escape_sequences_in_recorded_text_stay_escaped() {
    let message = r#"{"seq":2,"t_ms":3.0,"kind":"message","dir":"in","type":"text","len":30,"text":"\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil"}"#;
    let close = r#"{"seq":3,"t_ms":9.0,"kind":"close","code":4000,"name":"\u001b[31mfake","reason":"\u001b[1;1H","initiator":"server","wire":true,"clean":true,"trigger":"close 4000","class":"abnormal"}"#;
    let reconnect = r#"{"seq":4,"t_ms":9.0,"kind":"reconnect","attempt":2,"delay_ms":5,"window_ms":[1,9],"due_t_ms":14.0,"rule":"\u001b]52;c;Y2xpcA==\u0007"}"#;
    let f = recording(&[SESSION, CONNECTING, OPEN, message, close, reconnect]);
    let path = f.path().to_str().unwrap();
    for mode in ["--headless", "--summary"] {
        let out = wsprobe(&["replay", path, mode], None, &[]).await;
        assert_eq!(out.status, Some(0), "{mode}: {}", out.stderr);
        for bad in [0x1b_u8, 0x07] {
            assert!(
                !out.stdout.contains(&bad),
                "{mode}: raw {bad:#x} in\n{}",
                out.text()
            );
        }
        let text = out.text();
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{mode}: {text}"
        );
        if mode == "--headless" {
            assert!(text.contains("\\x1b]0;pwned"), "{text}");
        }
    }
}

#[tokio::test]
async fn a_cut_off_last_line_replays_up_to_it_and_says_so() {
    let full = recording(&[SESSION, CONNECTING, OPEN, CLOSE, GIVE_UP]);
    let whole = wsprobe(
        &["replay", full.path().to_str().unwrap(), "--headless"],
        None,
        &[],
    )
    .await;
    assert_eq!(whole.status, Some(0));
    assert_eq!(whole.text().lines().count(), 4);
    let mut cut = tempfile::NamedTempFile::new().unwrap();
    let text = format!(
        "{SESSION}\n{CONNECTING}\n{OPEN}\n{CLOSE}\n{}",
        &GIVE_UP[..20]
    );
    cut.write_all(text.as_bytes()).unwrap();
    let path = cut.path().to_str().unwrap();
    let out = wsprobe(&["replay", path, "--headless"], None, &[]).await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let whole_text = whole.text();
    let first_three: Vec<&str> = whole_text.lines().take(3).collect();
    let got = out.text();
    assert_eq!(got.lines().collect::<Vec<_>>(), first_three);
    assert!(got.ends_with('\n'));
    assert!(out.stderr.contains("line 5 is cut off"), "{}", out.stderr);
    let summary = wsprobe(&["replay", path, "--summary"], None, &[]).await;
    assert_eq!(summary.status, Some(0));
    assert!(
        summary.stderr.contains("line 5 is cut off"),
        "{}",
        summary.stderr
    );
}

#[tokio::test]
async fn files_that_are_not_recordings_exit_2_naming_the_line() {
    let cases: [(&[&str], &str); 5] = [
        (&["hello, world"], "line 1: not JSON"),
        (&[r#"{"a":1}"#], "line 1: no `kind`"),
        (&["[1,2,3]"], "line 1: not a wsprobe record"),
        (
            &[SESSION, CONNECTING, "not json at all", GIVE_UP],
            "line 3: not JSON",
        ),
        (
            &[SESSION, r#"{"seq":0,"t_ms":1.0,"kind":"close"}"#],
            "line 2: a `close` record needs `code`",
        ),
    ];
    for (lines, expected) in cases {
        let f = recording(lines);
        let path = f.path().to_str().unwrap();
        for mode in ["--headless", "--summary"] {
            let out = wsprobe(&["replay", path, mode], None, &[]).await;
            assert_eq!(out.status, Some(2), "{lines:?} {mode}: {}", out.stderr);
            assert!(out.stderr.contains(expected), "{lines:?}: {}", out.stderr);
        }
        let har = f.path().with_extension("har");
        let out = wsprobe(&["export", path, "--har", har.to_str().unwrap()], None, &[]).await;
        assert_eq!(out.status, Some(2), "{}", out.stderr);
        assert!(out.stderr.contains(expected), "{}", out.stderr);
    }
    let empty = recording(&[]);
    let out = wsprobe(
        &["replay", empty.path().to_str().unwrap(), "--headless"],
        None,
        &[],
    )
    .await;
    assert_eq!(out.status, Some(2));
    assert!(out.stderr.contains("empty"), "{}", out.stderr);
    let out = wsprobe(
        &["replay", "/no/such/recording.jsonl", "--headless"],
        None,
        &[],
    )
    .await;
    assert_eq!(out.status, Some(2));
    assert!(
        out.stderr.contains("/no/such/recording.jsonl"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn records_from_other_versions_replay() {
    // Unknown fields and kinds (a newer wsprobe), missing optional fields
    // and no session record or ts (an older one).
    let lines = [
        r#"{"seq":0,"t_ms":0.5,"kind":"connecting","attempt":1,"url":"ws://h/","proxy":null,"future":{"x":1}}"#,
        r#"{"seq":1,"t_ms":1.0,"kind":"open","attempt":1,"peer":"127.0.0.1:80","tls":null}"#,
        r#"{"seq":2,"t_ms":1.5,"kind":"telemetry","whatever":true}"#,
        r#"{"seq":3,"t_ms":2.0,"kind":"message","dir":"out","type":"binary","len":3,"hex":"0a0b0c"}"#,
        r#"{"seq":4,"t_ms":3.0,"kind":"close","code":1006,"initiator":"teleport","trigger":"quantum","class":"novel"}"#,
        r#"{"seq":5,"t_ms":3.0,"kind":"give_up","reason":"done"}"#,
    ];
    let f = recording(&lines);
    let out = wsprobe(
        &["replay", f.path().to_str().unwrap(), "--headless"],
        None,
        &[],
    )
    .await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let text = out.text();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("binary 3 B: 0a0b0c"), "{text}");
    assert!(text.contains("1006 Abnormal Closure"), "{text}");
    assert!(
        text.contains("class abnormal"),
        "the built-in class of 1006: {text}"
    );
}

#[tokio::test]
async fn a_large_recording_replays_with_bounded_memory() {
    // About 200 MB: 100 000 messages of 2 KiB in 50 attempts.
    let mut f = tempfile::NamedTempFile::new().unwrap();
    {
        let mut w = std::io::BufWriter::new(f.as_file_mut());
        writeln!(w, "{SESSION}").unwrap();
        let body = "x".repeat(2048);
        let mut seq = 0u64;
        let mut t = 0.0f64;
        for attempt in 1..=50u32 {
            writeln!(w, r#"{{"seq":{seq},"t_ms":{t:.3},"kind":"connecting","attempt":{attempt},"url":"ws://h/"}}"#).unwrap();
            seq += 1;
            writeln!(
                w,
                r#"{{"seq":{seq},"t_ms":{t:.3},"kind":"open","attempt":{attempt}}}"#
            )
            .unwrap();
            seq += 1;
            for _ in 0..2000 {
                t += 0.5;
                writeln!(w, r#"{{"seq":{seq},"t_ms":{t:.3},"kind":"message","dir":"in","type":"text","len":2048,"text":"{body}"}}"#).unwrap();
                seq += 1;
            }
            writeln!(w, r#"{{"seq":{seq},"t_ms":{t:.3},"kind":"close","code":1006,"trigger":"close 1006","class":"abnormal"}}"#).unwrap();
            seq += 1;
            writeln!(w, r#"{{"seq":{seq},"t_ms":{t:.3},"kind":"reconnect","attempt":{},"delay_ms":100,"window_ms":[0,200],"due_t_ms":{:.3},"rule":"r"}}"#, attempt + 1, t + 100.0).unwrap();
            seq += 1;
            t += 100.0;
        }
        w.flush().unwrap();
    }
    let size = f.as_file().metadata().unwrap().len();
    assert!(size > 200_000_000, "{size} bytes");
    let out = wsprobe(
        &["replay", f.path().to_str().unwrap(), "--summary"],
        None,
        &[("WSPROBE_REPORT_MEMORY", "1")],
    )
    .await;
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let text = out.text();
    assert!(text.contains("#50"), "{text}");
    assert!(text.contains("1006 Abnormal Closure ×50"), "{text}");
    let peak_kib: u64 = out
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("wsprobe: peak memory "))
        .and_then(|v| v.trim_end_matches(" KiB").parse().ok())
        .unwrap_or_else(|| panic!("no memory report: {}", out.stderr));
    assert!(
        peak_kib * 1024 < size / 10,
        "peak memory {peak_kib} KiB for a {size}-byte file"
    );
}
