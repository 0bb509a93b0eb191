//! Helpers for the recording tests: the built binary with a timeout, the
//! scenario server with short phases, a fast reconnect policy, and a small
//! JSON Schema checker for the HAR schema in `tests/data`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use wsprobe::demo_server::{DemoServer, ServerConfig};

/// The bound on every run of the binary.
pub const LIMIT: Duration = Duration::from_secs(60);

/// What a run of the binary gave.
pub struct Out {
    /// Exit status (`None`: killed by a signal).
    pub status: Option<i32>,
    /// stdout.
    pub stdout: Vec<u8>,
    /// stderr, lossily decoded.
    pub stderr: String,
}

impl Out {
    /// stdout as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `wsprobe ARGS` with `stdin` as its input (empty when `None`) and
/// `env` added, killed after [`LIMIT`].
pub async fn wsprobe(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Out {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_wsprobe"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("a stdin pipe");
        let input = input.to_vec();
        tokio::spawn(async move {
            let _ = pipe.write_all(&input).await;
            // Keep the pipe open until the run ends: closing it is not a
            // signal to stop.
            tokio::time::sleep(LIMIT).await;
        });
    }
    let out = tokio::time::timeout(LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("wsprobe {} took longer than {LIMIT:?}", args.join(" ")))
        .expect("the binary runs");
    Out {
        status: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The scenario server with phases short enough for a test: `/cycle` goes
/// through restart, overload (a 503 on the next handshake), drop, going
/// away and normal in about a second.
pub async fn server() -> DemoServer {
    let cfg = ServerConfig {
        phase: Duration::from_millis(150),
        tick: Duration::from_millis(40),
        restart_downtime: Duration::from_millis(150),
        overload_window: Duration::from_millis(250),
        retry_after: Duration::ZERO,
        ..ServerConfig::local()
    };
    DemoServer::start(cfg).await.expect("the server starts")
}

/// A policy whose delays are a few milliseconds, written to `dir`.
pub fn fast_policy(dir: &Path) -> String {
    let path = dir.join("fast.toml");
    std::fs::write(
        &path,
        r#"
[classes.going-away]
floor = "5ms"
base = "5ms"
cap = "20ms"
[classes.abnormal]
floor = "5ms"
base = "5ms"
cap = "20ms"
[classes.service-restart]
first-low = "5ms"
first-high = "10ms"
[classes.try-again-later]
base = "10ms"
cap = "20ms"
"#,
    )
    .expect("write the policy");
    path.display().to_string()
}

/// The JSON lines of a file.
pub fn json_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("read the recording")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Checks `value` against the subset of JSON Schema the HAR schema uses
/// (`type`, `required`, `properties`, `items`, `minimum`, local `$ref`);
/// returns every violation with its path.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, value, "$", &mut errors);
    errors
}

fn check(root: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix("#/")
            .expect("a local $ref")
            .split('/')
            .fold(root, |v, key| &v[key]);
        assert!(!target.is_null(), "unresolved $ref {r}");
        return check(root, target, value, path, errors);
    }
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        let ok = match ty {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => panic!("the checker does not know type {other}"),
        };
        if !ok {
            errors.push(format!("{path}: not {ty}: {value}"));
            return;
        }
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && n < min
    {
        errors.push(format!("{path}: {n} is below {min}"));
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for field in required.iter().filter_map(Value::as_str) {
            if value.get(field).is_none() {
                errors.push(format!("{path}: `{field}` is missing"));
            }
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            if let Some(v) = value.get(name) {
                check(root, sub, v, &format!("{path}.{name}"), errors);
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            check(root, items, v, &format!("{path}[{i}]"), errors);
        }
    }
}
