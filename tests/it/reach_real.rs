//! Against real, widely used proxies when they are installed: tinyproxy
//! (HTTP CONNECT, with and without Basic credentials) and microsocks
//! (SOCKS5, with and without a user). Each is started on a free port with
//! its configuration in a temporary folder; a test without the program
//! prints why it skipped.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::reach_proxy::probe;
use crate::support::closes_with;

/// The program's path, if it is installed.
fn installed(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|p| p.is_file())
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something listens on the port.
async fn listening(port: u16) -> bool {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A running proxy program, killed when dropped.
struct Running {
    _child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// tinyproxy on a free port; `auth` adds `BasicAuth USER PASS`.
async fn tinyproxy(exe: &PathBuf, auth: Option<(&str, &str)>) -> Running {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut conf = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 10\nAllow 127.0.0.1\nLogLevel Error\n"
    );
    if let Some((u, p)) = auth {
        let _ = writeln!(conf, "BasicAuth {u} {p}");
    }
    // As root tinyproxy drops to an unprivileged user.
    conf.push_str("User nobody\nGroup nogroup\n");
    let path = dir.path().join("tinyproxy.conf");
    std::fs::write(&path, conf).expect("write the config");
    let child = Command::new(exe)
        .args(["-d", "-c"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start tinyproxy");
    assert!(listening(port).await, "tinyproxy did not listen on {port}");
    Running {
        _child: child,
        port,
        _dir: dir,
    }
}

/// microsocks on a free port; `auth` adds `-u USER -P PASS`.
async fn microsocks(exe: &PathBuf, auth: Option<(&str, &str)>) -> Running {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut cmd = Command::new(exe);
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((u, p)) = auth {
        cmd.args(["-u", u, "-P", p]);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start microsocks");
    assert!(listening(port).await, "microsocks did not listen on {port}");
    Running {
        _child: child,
        port,
        _dir: dir,
    }
}

#[tokio::test]
async fn tinyproxy_tunnels_and_asks_for_credentials() {
    let Some(exe) = installed("tinyproxy") else {
        println!("skipped: tinyproxy not installed");
        return;
    };
    let server = closes_with(1000).await;
    let url = server.url("/").to_string();
    let open = tinyproxy(&exe, None).await;
    let proxy = format!("http://127.0.0.1:{}", open.port);
    let run = probe(&url, &["--proxy", &proxy], &[], &[]).await;
    run.assert_opened();
    assert_eq!(
        run.first("open")["peer"],
        format!("127.0.0.1:{}", open.port)
    );
    let guarded = tinyproxy(&exe, Some(("tiny", "t1ny-s3cret"))).await;
    let good = format!("http://tiny:t1ny-s3cret@127.0.0.1:{}", guarded.port);
    let run = probe(&url, &["--proxy", &good], &[], &["t1ny-s3cret"]).await;
    run.assert_opened();
    let none = format!("http://127.0.0.1:{}", guarded.port);
    let run = probe(&url, &[], &[("http_proxy", &none)], &[]).await;
    let message = run.assert_proxy_failure("proxy-407");
    assert!(message.contains("credentials"), "{message}");
}

#[tokio::test]
async fn microsocks_tunnels_with_and_without_a_user() {
    let Some(exe) = installed("microsocks") else {
        println!("skipped: microsocks not installed");
        return;
    };
    let server = closes_with(1000).await;
    let url = format!("ws://localhost:{}/", server.addr.port());
    let open = microsocks(&exe, None).await;
    for scheme in ["socks5", "socks5h"] {
        let proxy = format!("{scheme}://127.0.0.1:{}", open.port);
        let run = probe(&url, &["--proxy", &proxy], &[], &[]).await;
        run.assert_opened();
    }
    let guarded = microsocks(&exe, Some(("micro", "m1cro-s3cret"))).await;
    let good = format!("socks5h://micro:m1cro-s3cret@127.0.0.1:{}", guarded.port);
    let run = probe(&url, &["--proxy", &good], &[], &["m1cro-s3cret"]).await;
    run.assert_opened();
    let bad = format!("socks5h://micro:wr0ng-s3cret@127.0.0.1:{}", guarded.port);
    let run = probe(&url, &["--proxy", &bad], &[], &["wr0ng-s3cret"]).await;
    run.assert_proxy_failure("proxy-auth");
}
