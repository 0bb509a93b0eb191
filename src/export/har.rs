//! `wsprobe export FILE --har OUT`: a recording as HAR 1.2, one entry per
//! connection attempt, with WebSocket messages as browser devtools write
//! them (`_resourceType: "websocket"`, `_webSocketMessages` of `type`
//! send/receive, `time` in epoch seconds, `opcode` 1 or 2, `data`).
//!
//! Entries are written as the recording is read: an attempt's messages go
//! straight to the file, so a large recording does not have to fit in memory.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

use crate::engine::event::{Dir, EventKind, HttpReply, Payload};
use crate::replay::Ending;
use crate::replay::read::{Item, Reader, Recorded, RecordedSession};
use crate::text::escape;
use crate::usage::UsageError;

/// Converts `input` into `out`; returns notes for stderr (a cut-off recording).
pub fn command(input: &Path, out: &Path) -> anyhow::Result<Vec<String>> {
    let reader = crate::replay::open(input)?;
    let file = File::create(out).map_err(|e| {
        UsageError::new(format!(
            "--har {}: cannot write it ({e}); give a path in a writable folder",
            escape(&out.display().to_string())
        ))
    })?;
    let ending =
        write(reader, BufWriter::new(file)).map_err(|e| crate::replay::bad_file(input, e))?;
    let name = escape(&input.display().to_string()).into_owned();
    if !ending.any {
        return Err(UsageError::new(format!(
            "{name} is empty: not a recording; make one with --record FILE"
        ))
        .into());
    }
    Ok(ending
        .truncated
        .map(|l| format!("{name}: {}", crate::replay::truncated_notice(l)))
        .into_iter()
        .collect())
}

/// Writes the HAR document for the recording `reader` reads.
pub fn write<R: BufRead, W: Write>(mut reader: Reader<R>, out: W) -> anyhow::Result<Ending> {
    let mut har = Har {
        out,
        session: RecordedSession::default(),
        entry: None,
        entries: 0,
    };
    har.out
        .write_all(b"{\"log\":{\"version\":\"1.2\",\"creator\":")?;
    serde_json::to_writer(
        &mut har.out,
        &json!({"name": "wsprobe", "version": env!("CARGO_PKG_VERSION")}),
    )?;
    har.out.write_all(b",\"pages\":[],\"entries\":[")?;
    let mut any = false;
    while let Some(item) = reader.next_item()? {
        any = true;
        match item {
            Item::Session(s) => har.session = s,
            Item::Event(rec) => har.event(&rec)?,
            Item::Unknown => {}
        }
    }
    har.finish_entry()?;
    har.out.write_all(b"]}}\n")?;
    har.out.flush()?;
    Ok(Ending {
        truncated: reader.truncated(),
        any,
    })
}

/// One attempt being written.
struct Entry {
    url: String,
    started: Duration,
    wall: SystemTime,
    rejected: Option<HttpReply>,
    error: Option<String>,
    /// The head (request, response) is written and messages follow.
    streaming: bool,
    messages: u64,
    wait_ms: f64,
    peer: Option<String>,
}

struct Har<W> {
    out: W,
    session: RecordedSession,
    entry: Option<Entry>,
    entries: u64,
}

#[derive(Serialize)]
struct Message<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    time: f64,
    opcode: u8,
    data: &'a str,
}

impl<W: Write> Har<W> {
    /// The wall-clock time of a record: the session's start plus `t` (as
    /// precise as `t_ms`), else its own `ts`, else `t` after the epoch.
    fn wall(&self, rec: &Recorded) -> SystemTime {
        self.session
            .wall
            .map(|w| w + rec.event.t)
            .or(rec.ts)
            .unwrap_or(UNIX_EPOCH + rec.event.t)
    }

    fn event(&mut self, rec: &Recorded) -> io::Result<()> {
        let t = rec.event.t;
        match &rec.event.kind {
            EventKind::Connecting { url, .. } => {
                self.finish_entry()?;
                self.entry = Some(Entry {
                    url: url.clone(),
                    started: t,
                    wall: self.wall(rec),
                    rejected: None,
                    error: None,
                    streaming: false,
                    messages: 0,
                    wait_ms: 0.0,
                    peer: rec.extra.peer.clone(),
                });
            }
            EventKind::Open {
                handshake_ms,
                headers,
                ..
            } => {
                let session = &self.session;
                let Some(entry) = self.entry.as_mut() else {
                    return Ok(());
                };
                entry.wait_ms = *handshake_ms;
                entry.peer = entry.peer.take().or_else(|| rec.extra.peer.clone());
                let request = request(entry, session, rec.extra.request_headers.as_deref());
                let response = json!({
                    "status": 101,
                    "statusText": "Switching Protocols",
                    "httpVersion": "HTTP/1.1",
                    "cookies": [],
                    "headers": header_list(headers),
                    "content": {"size": 0, "mimeType": "x-unknown"},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": 0,
                });
                self.head(&request, &response)?;
            }
            EventKind::Message { dir, payload } => {
                let wall = self.wall(rec);
                let Some(entry) = self.entry.as_mut().filter(|e| e.streaming) else {
                    return Ok(());
                };
                let (opcode, data) = match payload {
                    Payload::Text(text) => (1, std::borrow::Cow::Borrowed(text.as_str())),
                    Payload::Binary { head, .. } => (
                        2,
                        std::borrow::Cow::Owned(
                            base64::engine::general_purpose::STANDARD.encode(head),
                        ),
                    ),
                };
                if entry.messages > 0 {
                    self.out.write_all(b",")?;
                }
                entry.messages += 1;
                let message = Message {
                    ty: if *dir == Dir::Out { "send" } else { "receive" },
                    time: crate::timestamp::epoch_secs(wall),
                    opcode,
                    data: &data,
                };
                serde_json::to_writer(&mut self.out, &message)?;
            }
            EventKind::Error { message, http, .. } => {
                if let Some(entry) = self.entry.as_mut().filter(|e| !e.streaming) {
                    entry.rejected.clone_from(http);
                    entry.error = Some(message.clone());
                    entry.wait_ms = t.saturating_sub(entry.started).as_secs_f64() * 1000.0;
                }
            }
            EventKind::Close(_) => self.finish_entry()?,
            _ => {}
        }
        Ok(())
    }

    /// Writes an entry's opening: when it started, request, response, and
    /// the start of its messages.
    fn head(&mut self, request: &Value, response: &Value) -> io::Result<()> {
        let Some(entry) = self.entry.as_mut() else {
            return Ok(());
        };
        if self.entries > 0 {
            self.out.write_all(b",")?;
        }
        self.entries += 1;
        self.out.write_all(b"{\"startedDateTime\":")?;
        serde_json::to_writer(&mut self.out, &crate::timestamp::rfc3339_millis(entry.wall))?;
        self.out
            .write_all(b",\"_resourceType\":\"websocket\",\"request\":")?;
        serde_json::to_writer(&mut self.out, request)?;
        self.out.write_all(b",\"response\":")?;
        serde_json::to_writer(&mut self.out, response)?;
        if let Some(peer) = &entry.peer {
            let ip = peer.rsplit_once(':').map_or(peer.as_str(), |(ip, _)| ip);
            self.out.write_all(b",\"serverIPAddress\":")?;
            serde_json::to_writer(&mut self.out, ip.trim_matches(['[', ']']))?;
        }
        if let Some(error) = &entry.error {
            self.out.write_all(b",\"_error\":")?;
            serde_json::to_writer(&mut self.out, error)?;
        }
        self.out.write_all(b",\"_webSocketMessages\":[")?;
        entry.streaming = true;
        Ok(())
    }

    /// Ends the attempt being written (at a close, the next attempt, or the
    /// end of the recording).
    fn finish_entry(&mut self) -> io::Result<()> {
        let Some(entry) = self.entry.as_ref() else {
            return Ok(());
        };
        if !entry.streaming {
            // Never opened: the response is the refused upgrade, or nothing.
            let request = request(entry, &self.session, None);
            let response = match &entry.rejected {
                Some(h) => rejected(h),
                None => json!({
                    "status": 0, "statusText": "", "httpVersion": "", "cookies": [],
                    "headers": [], "content": {"size": 0, "mimeType": "x-unknown"},
                    "redirectURL": "", "headersSize": -1, "bodySize": -1,
                }),
            };
            self.head(&request, &response)?;
        }
        let Some(entry) = self.entry.take() else {
            return Ok(());
        };
        let wait = (entry.wait_ms * 1000.0).round() / 1000.0;
        self.out.write_all(b"],\"time\":")?;
        serde_json::to_writer(&mut self.out, &wait)?;
        self.out.write_all(b",\"cache\":{},\"timings\":")?;
        let timings = json!({
            "blocked": -1, "dns": -1, "connect": -1, "ssl": -1,
            "send": 0, "wait": wait, "receive": 0,
        });
        serde_json::to_writer(&mut self.out, &timings)?;
        self.out.write_all(b"}")
    }
}

/// The response of a refused upgrade: its status, headers and body.
fn rejected(h: &HttpReply) -> Value {
    let mime = h
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map_or("text/plain", |(_, v)| v.as_str());
    let location = h
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map_or("", |(_, v)| v.as_str());
    json!({
        "status": h.status,
        "statusText": h.reason,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": header_list(&h.headers),
        "content": {"size": h.body.len(), "mimeType": mime, "text": h.body},
        "redirectURL": location,
        "headersSize": -1,
        "bodySize": h.body.len(),
    })
}

/// The request as far as it is known: the headers recorded with `open`,
/// else the upgrade's fixed headers and what the command line added.
fn request(
    entry: &Entry,
    session: &RecordedSession,
    recorded: Option<&[(String, String)]>,
) -> Value {
    let url = url::Url::parse(&entry.url).ok();
    let headers = match recorded {
        Some(h) => h.to_vec(),
        None => known_request_headers(url.as_ref(), session),
    };
    let query: Vec<Value> = url
        .as_ref()
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect()
        })
        .unwrap_or_default();
    json!({
        "method": "GET",
        "url": entry.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": header_list(&headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": 0,
    })
}

/// The upgrade's own headers and those the recorded command line asked for
/// (`-H`, `--origin`, `--protocol`; already redacted in the recording).
fn known_request_headers(
    url: Option<&url::Url>,
    session: &RecordedSession,
) -> Vec<(String, String)> {
    let mut h = Vec::new();
    if let Some(host) = url.and_then(url::Url::host_str) {
        let host = match url.and_then(url::Url::port) {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        h.push(("Host".to_string(), host));
    }
    for (k, v) in [
        ("Connection", "Upgrade"),
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Version", "13"),
    ] {
        h.push((k.into(), v.into()));
    }
    let args = &session.command_line;
    let mut protocols = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let (flag, glued) = match args[i].split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (args[i].as_str(), None),
        };
        let value = || glued.clone().or_else(|| args.get(i + 1).cloned());
        let used = match flag {
            "-H" | "--header" => {
                if let Some((k, v)) = value().as_deref().and_then(|v| v.split_once(':')) {
                    h.push((k.trim().to_string(), v.trim().to_string()));
                }
                true
            }
            "--origin" => {
                h.extend(value().map(|v| ("Origin".to_string(), v)));
                true
            }
            "--protocol" => {
                protocols.extend(value());
                true
            }
            _ => false,
        };
        i += if used && glued.is_none() { 2 } else { 1 };
    }
    if !protocols.is_empty() {
        h.push(("Sec-WebSocket-Protocol".into(), protocols.join(", ")));
    }
    h
}

fn header_list(headers: &[(String, String)]) -> Vec<Value> {
    headers
        .iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect()
}
