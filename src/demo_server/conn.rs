//! One connection: read the request, decide the answer (an HTTP status or
//! the upgrade), and hand an upgraded connection to its scenario.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::Shared;
use super::fleet::Member;
use super::hold;
use super::http::{self, ReadError, Request, Response};
use super::menu::retry_after_secs;
use super::play;
use super::scenario::{RouteError, Scenario, Target};
use crate::duration::format_duration;

/// How long a client may take to send its request head.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// What to do with a request.
#[derive(Debug)]
enum Answer {
    /// Answer with this HTTP response and close; the text says why, for the log.
    Respond(Response, String),
    /// Turn a handshake away without a log line (a fleet group's downtime
    /// or full capacity: thousands at once), counted instead.
    Refuse(Response),
    /// Switch protocols and run the scenario.
    Upgrade {
        scenario: Scenario,
        key: String,
        protocol: Option<String>,
        /// The connection's place in its fleet group (`/deploy`, …).
        member: Option<Member>,
    },
}

/// Serves one accepted TCP connection to its end, logging what happened.
pub(super) async fn handle(shared: Arc<Shared>, mut stream: TcpStream, peer: SocketAddr, id: u64) {
    let who = format!("#{id} {peer}");
    let (request, leftover) = match http::read_request(&mut stream, HANDSHAKE_LIMIT).await {
        Ok(read) => read,
        Err(ReadError::Closed) => {
            shared.emit(format!("{who} closed before sending a request"));
            return;
        }
        Err(ReadError::TimedOut) => {
            shared.emit(format!(
                "{who} sent no whole request in {HANDSHAKE_LIMIT:?}; dropped"
            ));
            return;
        }
        Err(ReadError::TooLarge) => {
            let resp = Response::new(431, "The request head is larger than 16 KiB.\n");
            http::respond_and_close(stream, &resp).await;
            shared.emit(format!("{who} → HTTP 431 (request head too large)"));
            return;
        }
        Err(ReadError::Malformed(why)) => {
            let resp = Response::new(400, format!("Not an HTTP request: {why}.\n"));
            http::respond_and_close(stream, &resp).await;
            shared.emit(format!("{who} → HTTP 400 ({why})"));
            return;
        }
    };
    let line = format!("{who} {} {}", request.method, request.target);
    match answer(&shared, &request) {
        Answer::Respond(resp, why) => {
            http::respond_and_close(stream, &resp).await;
            shared.emit(format!("{line} → HTTP {} ({why})", resp.status));
        }
        Answer::Refuse(resp) => {
            shared.fleet.refused.fetch_add(1, Ordering::Relaxed);
            http::respond_and_close(stream, &resp).await;
        }
        Answer::Upgrade {
            member: Some(member),
            key,
            protocol,
            ..
        } => {
            // Fleet paths log their waves, not each of their thousands of
            // connections; boxed, so only these connections pay for it.
            let reply = http::switching_protocols(&key, protocol.as_deref());
            if stream.write_all(&reply).await.is_ok() {
                shared.fleet.accepted.fetch_add(1, Ordering::Relaxed);
                Box::pin(hold::hold(&shared, member, stream, leftover)).await;
            }
        }
        Answer::Upgrade {
            scenario,
            key,
            protocol,
            member: None,
        } => {
            let reply = http::switching_protocols(&key, protocol.as_deref());
            if let Err(e) = stream.write_all(&reply).await {
                shared.emit(format!("{line} → could not answer 101: {e}"));
                return;
            }
            shared.fleet.accepted.fetch_add(1, Ordering::Relaxed);
            shared.emit(format!("{line} → 101, scenario {}", scenario.name()));
            let started = tokio::time::Instant::now();
            let outcome = Box::pin(play::scenario(&shared, &scenario, stream, leftover)).await;
            shared.emit(format!(
                "{who} {} [{}] after {}: {outcome}",
                request.target,
                scenario.name(),
                format_duration(started.elapsed())
            ));
        }
    }
}

/// Decides the answer to a request head. Order matters: an overloaded server
/// turns handshakes away before it even looks at the path.
fn answer(shared: &Shared, req: &Request) -> Answer {
    let cfg = &shared.cfg;
    let menu = || shared.menu();
    let upgrade = req.wants_upgrade();
    if let Some(left) = shared.overload_left().filter(|_| upgrade) {
        let secs = retry_after_secs(cfg.retry_after);
        let resp = Response::new(
            503,
            format!(
                "Overloaded on purpose (after /overload); try again in {secs}s. \
                 This lasts another {}.\n",
                format_duration(left)
            ),
        )
        .header("Retry-After", secs.to_string());
        shared.fleet.refused.fetch_add(1, Ordering::Relaxed);
        return Answer::Respond(resp, format!("overloaded, Retry-After: {secs}"));
    }
    let target = match Target::parse(&req.target) {
        Ok(target) => target,
        Err(RouteError::NotFound(path)) => {
            let body = format!(
                "There is no scenario at {path}. These paths exist:\n\n{}",
                menu()
            );
            return Answer::Respond(Response::new(404, body), "no such scenario".into());
        }
        Err(RouteError::Invalid(why)) => {
            let body = format!("Bad request: {why}.\n\nThese paths exist:\n\n{}", menu());
            return Answer::Respond(Response::new(400, body), why);
        }
    };
    if !upgrade {
        let head = req.method == "HEAD";
        if target == Target::Root && (req.method == "GET" || head) {
            let body = format!(
                "wsprobe scenario server. Connect a WebSocket client to one of these paths:\n\n{}",
                menu()
            );
            return Answer::Respond(Response::new(200, body).head_only(head), "the menu".into());
        }
        let body = format!(
            "{} speaks WebSocket: connect with a WebSocket client (ws://), not plain HTTP.\n\n{}",
            req.target,
            menu()
        );
        let resp = Response::new(426, body)
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", "13");
        return Answer::Respond(resp, "not a WebSocket upgrade".into());
    }
    if req.method != "GET" {
        let resp =
            Response::new(405, "A WebSocket handshake must use GET.\n").header("Allow", "GET");
        return Answer::Respond(resp, "handshake not a GET".into());
    }
    if req.header("sec-websocket-version").map(str::trim) != Some("13") {
        let resp = Response::new(426, "This server speaks WebSocket version 13 only.\n")
            .header("Sec-WebSocket-Version", "13");
        return Answer::Respond(resp, "unsupported Sec-WebSocket-Version".into());
    }
    let Some(key) = req.header("sec-websocket-key").filter(|k| !k.is_empty()) else {
        let resp = Response::new(400, "The handshake has no Sec-WebSocket-Key header.\n");
        return Answer::Respond(resp, "no Sec-WebSocket-Key".into());
    };
    if !req.has_token("connection", "upgrade") {
        let resp = Response::new(400, "The handshake has no `Connection: Upgrade` header.\n");
        return Answer::Respond(resp, "no Connection: Upgrade".into());
    }
    let scenario = match target {
        Target::Root => cfg.default_scenario.clone(),
        Target::Scenario(s) => s,
    };
    if let Scenario::Reject(status) = scenario {
        let host = req
            .header("host")
            .map_or_else(|| shared.addr.to_string(), str::to_string);
        return Answer::Respond(
            rejection(status, &host, cfg.retry_after),
            "on purpose".into(),
        );
    }
    let member = match shared.fleet.admit(shared, &scenario) {
        Ok(member) => member,
        Err(resp) => return Answer::Refuse(resp),
    };
    let protocol = req
        .header("sec-websocket-protocol")
        .and_then(|p| p.split(',').map(str::trim).find(|p| !p.is_empty()))
        .map(str::to_string);
    Answer::Upgrade {
        scenario,
        key: key.to_string(),
        protocol,
        member,
    }
}

/// The answer of `/reject/{status}`, with the headers a real server would
/// send with that status.
fn rejection(status: u16, host: &str, retry_after: Duration) -> Response {
    let mut resp = Response::new(
        status,
        format!(
            "wsprobe scenario server: /reject/{status} answers the handshake with {status} on purpose.\n"
        ),
    );
    match status {
        429 | 503 => resp = resp.header("Retry-After", retry_after_secs(retry_after).to_string()),
        401 => resp = resp.header("WWW-Authenticate", "Bearer realm=\"wsprobe\""),
        426 => {
            resp = resp
                .header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13");
        }
        300..=399 => resp = resp.header("Location", format!("ws://{host}/echo")),
        _ => {}
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_carry_their_headers() {
        let r = rejection(503, "h:1", Duration::from_millis(1500));
        assert_eq!(r.get("retry-after"), Some("2"));
        assert_eq!(
            rejection(429, "h:1", Duration::from_secs(7)).get("Retry-After"),
            Some("7")
        );
        assert!(
            rejection(401, "h:1", Duration::ZERO)
                .get("WWW-Authenticate")
                .is_some()
        );
        assert_eq!(
            rejection(426, "h:1", Duration::ZERO).get("Sec-WebSocket-Version"),
            Some("13")
        );
        assert_eq!(
            rejection(301, "h:1", Duration::ZERO).get("Location"),
            Some("ws://h:1/echo")
        );
        assert_eq!(rejection(404, "h:1", Duration::ZERO).get("Location"), None);
    }
}
