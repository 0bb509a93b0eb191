//! What headless mode does when its output or its terminal goes away.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Waits for `child` to exit, killing it past `limit`.
fn wait_within(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the child can be polled") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("wsprobe did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_full_device_is_named_on_stderr() {
    let Ok(full) = std::fs::File::create("/dev/full") else {
        eprintln!("skipped: this system has no /dev/full");
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsprobe"))
        .args(["--headless", "--duration", "5s"])
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let status = wait_within(&mut child, Duration::from_secs(10));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err)
        .expect("stderr is readable");
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write"), "{err}");
    assert!(err.contains("No space left"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_hangup_ends_the_run_like_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsprobe"))
        .args(["--headless"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // Wait for the connection to open: the signal listener is up by then.
    let opened = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("open "));
    assert!(opened, "the demo connection opened");
    let sent = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = wait_within(&mut child, Duration::from_secs(10));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(status.success(), "{status:?}: {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("close        1001")),
        "closed with 1001 like Ctrl-C: {rest:?}"
    );
}
