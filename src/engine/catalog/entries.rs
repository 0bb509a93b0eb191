//! The catalog's prose: one entry per close code, range and handshake
//! failure, in display order. Data only; the lookups live in the parent module.

use super::{Entry, OnWire};
use crate::engine::policy::Trigger;

/// Codes above the last valid range; also what [`lookup`] falls back to,
/// although the ranges cover every `u16` (a test checks that).
pub(super) const ABOVE_4999: Entry = Entry {
    key: "5000-65535",
    name: "Invalid: above 4999",
    meaning: "Codes from 5000 up are outside every range RFC 6455 defines, so none \
        of them is a valid close code and none may appear in a Close frame.",
    when: "Only from a broken server or proxy. Typical causes: a code assembled \
        from the wrong two bytes (byte order swapped, so 1000 turns into 59395), an \
        application error number passed straight to close(), or a value that \
        overflowed. The Rust library wsprobe is built on would quietly report such a \
        frame as 1002; wsprobe reads the wire and shows the number that was sent.",
    fix: "This is a bug on the server side, not in your client. wsprobe reports it \
        as a protocol violation, shows the code it received, and answers with 1002 \
        (Protocol Error). Report it to the server's owners with the timeline (the \
        --json output is easiest to attach). Do not retry until the server is fixed: \
        every connection will end the same way.",
    send_when: "Never. Map your reasons to a defined code in 1000-1014, or to a code \
        of your own in 4000-4999.",
    on_wire: OnWire::Invalid,
    trigger: Trigger::Code(5000),
};

pub(super) static ENTRIES: [Entry; 54] = [
    Entry {
        key: "0-999",
        name: "Invalid: below 1000",
        meaning: "RFC 6455 does not use any code below 1000. None of them is a valid \
            close code, and none may appear in a Close frame.",
        when: "Only from a broken server or proxy. Typical causes: an HTTP status \
            (500) or an errno passed to close() as if it were a close code, a code of \
            0 from an uninitialised variable, or the two code bytes written in the \
            wrong order. The Rust library wsprobe is built on would quietly report \
            such a frame as 1002; wsprobe reads the wire and shows the number that \
            was sent.",
        fix: "This is a bug on the server side, not in your client. wsprobe reports \
            it as a protocol violation, shows the code it received, and answers with \
            1002 (Protocol Error). Report it to the server's owners with the timeline \
            (the --json output is easiest to attach). Do not retry until the server \
            is fixed: every connection will end the same way.",
        send_when: "Never. Map your reasons to a defined code in 1000-1014, or to a \
            code of your own in 4000-4999.",
        on_wire: OnWire::Invalid,
        trigger: Trigger::Code(0),
    },
    Entry {
        key: "1000",
        name: "Normal Closure",
        meaning: "The connection was closed on purpose because the work it existed \
            for is finished, and the closing handshake completed. Nothing went wrong.",
        when: "A client logged out or finished its job; a server ended a session \
            deliberately (an export that completed, a user who was signed out, a \
            graphql-ws server after the last subscription ended); you pressed q in \
            wsprobe or --duration ran out. AWS API Gateway also closes with 1000 when \
            the backend deletes a connection through its @connections API, because \
            that API cannot send any other code. Next to 3000-4999, 1000 is the only \
            code browser JavaScript may pass to close().",
        fix: "Nothing to fix if you expected the close. If you did not, find out who \
            sent it (the initiator in the timeline, and the reason text), then look \
            for an early close() in the client or a server handler that ends \
            sessions. A client that must stay connected, such as a live feed, may \
            treat 1000 as going away (wsprobe does with --reconnect-on-normal), but \
            most libraries, graphql-ws and Phoenix among them, stay disconnected \
            after 1000.",
        send_when: "Send it when the session has served its purpose and the peer \
            should not come back on its own: a logout, a finished job, a session you \
            end for good.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1000),
    },
    Entry {
        key: "1001",
        name: "Going Away",
        meaning: "The side that closed is leaving: a server shutting down or draining \
            its connections, or a browser tab that navigated away. The connection and \
            the data were fine; this endpoint will just not serve it any longer.",
        when: "Deploys and scale-downs, when servers drain their clients; a load \
            balancer taking an instance out of rotation; managed gateways enforcing \
            limits: AWS API Gateway closes a WebSocket that was idle for 10 minutes, \
            and any WebSocket after 2 hours, and clients see 1001 in both cases. Sent \
            by a browser, it means the page was closed or reloaded.",
        fix: "Reconnect after a short random delay, so the thousands of clients \
            dropped by the same deploy do not all come back in the same second. If \
            the closes arrive on a fixed schedule, you are hitting a gateway limit: \
            send an application-level keepalive more often than the idle limit (well \
            under 10 minutes for API Gateway) and reconnect on your own terms before \
            a hard lifetime cap such as API Gateway's 2 hours.",
        send_when: "Send it from a server that is shutting down, draining or being \
            replaced, so that clients reconnect, ideally to another instance. If the \
            same service will be back within seconds after a restart, 1012 says so \
            more precisely.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1001),
    },
    Entry {
        key: "1002",
        name: "Protocol Error",
        meaning: "The endpoint received bytes that break the WebSocket framing rules \
            and gave up on the connection. The problem is in the frames themselves, \
            not in what the application put in them.",
        when: "A client that does not mask its frames, or a server that does; \
            reserved bits set without a negotiated extension; an unknown opcode; a \
            fragmented or oversized control frame; a Close frame with a one-byte \
            body. Hand-written WebSocket code and proxies that rewrite traffic are \
            the usual suspects. Many libraries also answer a close code they do not \
            accept with 1002 (tungstenite turns a received 1014 into 1002, for \
            example), so a 1002 can hide another code; wsprobe reads the wire and \
            shows the code that was really sent.",
        fix: "Retrying sends the same bytes and fails the same way, so find the cause \
            first. If the server closed, your client library or something in between \
            produces bad frames: try without the proxy, turn off compression \
            extensions, update the library. If wsprobe closed with 1002, the error \
            event just before the close names the rule the server broke.",
        send_when: "Send it when the peer's frames break RFC 6455 (bad masking, an \
            unknown opcode, a malformed Close frame, a forbidden close code), right \
            before you drop the connection.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1002),
    },
    Entry {
        key: "1003",
        name: "Unsupported Data",
        meaning: "The endpoint received a kind of message it cannot handle at all: \
            binary where it accepts only text, or text where it accepts only binary.",
        when: "Binary frames sent to a JSON API that reads text only; text sent to an \
            endpoint that expects binary (audio, video, telemetry streams); one side \
            switched to a binary encoding such as MessagePack or Protobuf while the \
            other still expects text.",
        fix: "Send the message type the endpoint expects: check the API \
            documentation, and whether your client hands the library strings or byte \
            buffers (wsprobe's --send always sends text). Reconnecting is pointless \
            until the client changes.",
        send_when: "Send it when a message arrives as a frame type your endpoint never \
            accepts. For a message of the right type with bad content, 1007 or 1008 \
            fits better.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1003),
    },
    Entry {
        key: "1004",
        name: "Reserved",
        meaning: "RFC 6455 reserves 1004 without giving it a meaning. A future \
            specification may define it; today no endpoint should send it.",
        when: "Only from a buggy or experimental peer that picked a free-looking \
            number. The RFC does not forbid 1004 in so many words, as it does 1005, \
            1006 and 1015, but the Autobahn test suite and most libraries reject it \
            as a protocol error.",
        fix: "This is a bug on the server side. wsprobe reports it as a protocol \
            violation, shows the 1004 it received, and answers with 1002 (Protocol \
            Error). Report it to the server's owners with the timeline, and do not \
            retry until the server is fixed: every connection will end the same way.",
        send_when: "Never. Use a defined code (1000-1003, 1007-1014) or one of your \
            own in 4000-4999.",
        on_wire: OnWire::Reserved,
        trigger: Trigger::Code(1004),
    },
    Entry {
        key: "1005",
        name: "No Status Received",
        meaning: "The peer closed properly, with a Close frame, but the frame carried \
            no status code. 1005 is the placeholder a WebSocket API reports in that \
            case; it never travels in a frame itself.",
        when: "A server or proxy that closes with an empty Close frame, which many \
            frameworks do when a handler simply returns or close() is called without \
            arguments. Some libraries, python-websockets for one, count it as an \
            ordinary clean close.",
        fix: "The close was orderly but unexplained, so wsprobe reconnects as it \
            would after 1001. If you own the server, make it send a real code (1000 \
            when the session is over, 1001 when it shuts down) so clients can tell \
            the two apart. A server that puts 1005 inside a Close frame breaks the \
            protocol: wsprobe reports that as a violation, with the code received, \
            and answers with 1002.",
        send_when: "Never put 1005 in a Close frame. Sending an empty Close frame \
            makes the peer report 1005 by itself, but a real code is more useful.",
        on_wire: OnWire::Never,
        trigger: Trigger::Code(1005),
    },
    Entry {
        key: "1006",
        name: "Abnormal Closure",
        meaning: "The connection ended without any Close frame: the TCP connection \
            was reset, or simply went away. 1006 is what the client reports locally \
            when that happens; no peer ever sends it.",
        when: "The server process crashed or was killed; a load balancer, NAT \
            gateway or firewall dropped a connection it considered idle (Cloudflare \
            cuts idle proxied WebSockets after about 100 seconds, and its edge \
            servers restart during releases); the network changed under the client \
            (Wi-Fi to mobile, a laptop waking up); wsprobe's liveness check received \
            nothing for the ping timeout. Browsers also turn every failed handshake \
            into 1006 and hide the reason, whereas wsprobe shows the real failure \
            (HTTP status, DNS, TLS) in the error event before the derived 1006.",
        fix: "Reconnect with exponential backoff and jitter, as RFC 6455 §7.2.3 asks, \
            so that a server coming back from a crash is not flooded. Against idle \
            cuts, send pings or application messages more often than the shortest \
            idle timeout on the path (well under 100 s behind Cloudflare). For \
            crashes, read the server logs at the time shown in the timeline. If it \
            happens right after the open, look at the error event that precedes it.",
        send_when: "It cannot be sent; a server causes it by dropping the TCP \
            connection without a Close frame. Do that only to a peer that no longer \
            responds; otherwise close with a real code.",
        on_wire: OnWire::Never,
        trigger: Trigger::Code(1006),
    },
    Entry {
        key: "1007",
        name: "Invalid Frame Payload Data",
        meaning: "A message's content did not match its type, most often a text \
            message that is not valid UTF-8. Some servers also use it for a payload \
            that fails their own validation.",
        when: "Binary data or Latin-1 text sent in a text frame; a multi-byte UTF-8 \
            character split wrongly across fragments; a text frame built from a byte \
            buffer that was never encoded. If wsprobe closes with 1007, the server \
            sent invalid UTF-8 in a text message.",
        fix: "Encode text as UTF-8 before sending it, or send the data as a binary \
            message. Retrying sends the same payload and fails again. When wsprobe \
            was the side that closed, the server is at fault: report it to its owners \
            with the timeline.",
        send_when: "Send it when a text message is not valid UTF-8, or when a \
            message's content contradicts what its type promises.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1007),
    },
    Entry {
        key: "1008",
        name: "Policy Violation",
        meaning: "The peer broke a rule of the endpoint and is being shut out. It is \
            the catch-all 'not allowed' code for when nothing more specific fits, and \
            in practice it often means that authentication or authorisation failed \
            after the connection opened.",
        when: "A token that expired or was rejected after the upgrade, an Origin the \
            server does not accept, a subscription the account has no rights to, too \
            many messages or connections, abusive traffic. Servers that do not want \
            to say why use it too, so the reason text matters.",
        fix: "Read the reason text, then renew the credentials, check the \
            permissions, or slow down. wsprobe stops instead of reconnecting, because \
            the same token or the same behaviour earns the same answer, and a tight \
            reconnect loop can get a client banned. Reconnect once the cause is fixed.",
        send_when: "Send it when a client breaks a rule of your service and neither \
            1003 nor 1009 describes it: failed authentication after the open, a \
            forbidden origin, a rate limit. Add a short reason.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1008),
    },
    Entry {
        key: "1009",
        name: "Message Too Big",
        meaning: "A message was larger than the receiving side is willing to process.",
        when: "AWS API Gateway closes with 1009 for frames over 32 KB or messages \
            over 128 KB; many servers limit messages to somewhere between 64 KB and a \
            few MB; tungstenite's defaults are 64 MiB per message and 16 MiB per \
            frame. If wsprobe closes with 1009, the server sent a message larger than \
            --max-message-size.",
        fix: "Send smaller messages: split large payloads, paginate results, or move \
            bulk data to an HTTP upload and send a reference. If you own the \
            receiving side, raise its limit instead. When wsprobe was the side that \
            closed, raise --max-message-size.",
        send_when: "Send it when an incoming message exceeds your size limit, and \
            document the limit so clients can split their data.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1009),
    },
    Entry {
        key: "1010",
        name: "Mandatory Extension",
        meaning: "The client is closing because the server did not agree to an \
            extension the client cannot work without. The reason text should name \
            the missing extensions.",
        when: "A client that insists on permessage-deflate (or another extension) \
            meeting a server, or a proxy, that drops the Sec-WebSocket-Extensions \
            header. Only clients send it: a server that cannot honour an extension \
            fails the handshake instead.",
        fix: "Enable the extension on the server and on every proxy on the path, or \
            let the client accept a connection without it. Reconnecting as things \
            are changes nothing.",
        send_when: "Only a client sends it, when the server's handshake response \
            left out an extension the client requires. A server should reject the \
            handshake instead.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1010),
    },
    Entry {
        key: "1011",
        name: "Internal Error",
        meaning: "The server ran into an unexpected condition that stopped it from \
            carrying on, typically an unhandled exception in the connection handler. \
            RFC 6455 first registered it as Internal Server Error.",
        when: "A bug triggered by one particular message, a database or downstream \
            service that failed, an exception in a subscription resolver.",
        fix: "Reconnect with backoff, but only a few times: if a particular message \
            crashes the handler, it will crash it again (by default wsprobe gives up after five \
            retries in a row). On the server, look for the exception in the logs at \
            the time shown in the timeline; on the client, look at the last message \
            sent before the close.",
        send_when: "Send it when your handler fails unexpectedly and the connection \
            cannot go on. Do not use it for the client's mistakes (1003, 1007, 1008, \
            1009), or clients will retry for nothing.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1011),
    },
    Entry {
        key: "1012",
        name: "Service Restart",
        meaning: "The server is restarting and closes its connections on purpose. It \
            expects to be back shortly, and clients are meant to reconnect.",
        when: "Deploys, rolling restarts and configuration reloads on servers that \
            announce them; wsprobe's demo restart scenario closes with 1012 and then \
            refuses connections for a moment. The code was registered with IANA \
            after RFC 6455 was published.",
        fix: "Reconnect after a short random delay. The randomness matters: every \
            client received the same close at the same moment. The proposal that \
            registered the code suggests 5-30 s; wsprobe's default waits 1-5 s and, \
            if the server is not back yet, carries on with the going-away backoff.",
        send_when: "Send it just before a planned restart when the same service will \
            accept connections again within seconds. Use 1001 when the instance goes \
            away for good, and 1013 when you are running but overloaded.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1012),
    },
    Entry {
        key: "1013",
        name: "Try Again Later",
        meaning: "The server is running but cannot serve this client right now, \
            usually because it is overloaded, and asks it to come back later.",
        when: "Load shedding at a capacity limit, maintenance windows, limits on \
            concurrent connections. The next handshakes often get HTTP 503 or 429 \
            (wsprobe's overload scenario does both).",
        fix: "Back off for real: wsprobe's default grows the delay up to 2 minutes, \
            and a Retry-After sent with the next handshake becomes the minimum wait. \
            If the service has several addresses, another may have room; the \
            proposal that registered 1013 says to retry only against a different \
            address or when the user asks. Repeated 1013s are a capacity problem for \
            the operator.",
        send_when: "Send it when you shed load or cannot serve for a while; clients \
            will back off. Answer the handshakes that follow with 503 and a \
            Retry-After.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1013),
    },
    Entry {
        key: "1014",
        name: "Bad Gateway",
        meaning: "A gateway or proxy between the client and the application got an \
            invalid answer, or none, from the server behind it. It is the WebSocket \
            counterpart of HTTP 502.",
        when: "Reverse proxies and API gateways whose backend crashed, became \
            unreachable or answered garbage in the middle of a session. The code was \
            registered with IANA after RFC 6455 and is rare. tungstenite, the Rust \
            library wsprobe is built on, does not know 1014 and hands it on as 1002; \
            wsprobe reads the Close frame from the wire, so you see the 1014 that was \
            actually sent.",
        fix: "Reconnect with backoff: the gateway works, the service behind it does \
            not. If it persists, check that upstream service (health checks, logs, \
            timeouts between proxy and backend). Client libraries that reject 1014 \
            as invalid, and report 1002 instead, need an update.",
        send_when: "Send it from a proxy or gateway when the upstream side of a \
            relayed WebSocket session fails.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(1014),
    },
    Entry {
        key: "1015",
        name: "TLS Handshake Failure",
        meaning: "The TLS handshake failed, so the WebSocket connection never came \
            into being. Like 1006, 1015 is a label the client reports locally; it \
            never travels in a frame.",
        when: "A certificate that expired, is self-signed, names another host, or \
            comes from a CA the client does not trust; a missing intermediate \
            certificate; a wrong system clock; wss:// pointed at a plain-text port. \
            Browsers never report 1015, only 1006. wsprobe shows the TLS error, then \
            a derived 1015.",
        fix: "Fix the certificate chain on the server (serve the intermediates), the \
            host name in the URL, or the client's trust store (--cacert FILE for a \
            private CA), and check the clock. --insecure skips verification for a \
            quick test only. A server that puts 1015 inside a Close frame breaks the \
            protocol: wsprobe reports that as a violation, with the code received, \
            and answers with 1002.",
        send_when: "Never put it in a Close frame: a TLS failure happens before any \
            frame can be sent.",
        on_wire: OnWire::Never,
        trigger: Trigger::Code(1015),
    },
    Entry {
        key: "1016-2999",
        name: "Reserved for future use",
        meaning: "Codes kept for future revisions of the protocol and for extensions \
            with a published specification. None is assigned today, so none may be \
            sent.",
        when: "A peer that follows a specification newer than wsprobe knows of, or \
            one that picked a number here for its own purposes (those belong in \
            4000-4999). tungstenite reports such a frame as 1002; wsprobe shows the \
            code that was actually sent.",
        fix: "Treat it as a bug on the server side. wsprobe reports it as a protocol \
            violation, shows the code it received, and answers with 1002 (Protocol \
            Error). Report it to the server's owners with the timeline, and do not \
            retry until the server is fixed: every connection will end the same way.",
        send_when: "Never, unless a future specification assigns the code. Codes for \
            your own application belong in 4000-4999.",
        on_wire: OnWire::Reserved,
        trigger: Trigger::Code(1016),
    },
    Entry {
        key: "3000",
        name: "Unauthorized",
        meaning: "Registered with IANA for the library range: the client has not \
            authenticated, or its credentials are no longer valid. It mirrors HTTP \
            401.",
        when: "A token that expired during a long session, an authentication message \
            the client never sent after the open, a session revoked on the server.",
        fix: "Get fresh credentials (refresh the token, sign in again), then \
            reconnect once. wsprobe stops instead of retrying with credentials that \
            were just refused.",
        send_when: "Send it when the client must authenticate again: credentials \
            missing, expired or invalid.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(3000),
    },
    Entry {
        key: "3003",
        name: "Forbidden",
        meaning: "Registered with IANA for the library range: the client is known, \
            but not allowed to do what it tried. It mirrors HTTP 403.",
        when: "Subscribing to a channel or resource without permission, an account \
            that was suspended or downgraded, a plan that lacks the feature.",
        fix: "Reconnecting does not change permissions: request access, use another \
            account, or stop asking for the forbidden resource, then reconnect.",
        send_when: "Send it when the client is authenticated but not permitted; send \
            3000 instead when new credentials would help.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(3003),
    },
    Entry {
        key: "3008",
        name: "Timeout",
        meaning: "Registered with IANA for the library range: the connection was \
            closed because something took too long. It mirrors HTTP 408.",
        when: "The client did not send its first message (an init or auth message) \
            within the server's window, missed heartbeats, or a request ran past its \
            deadline.",
        fix: "Reconnect with backoff, and make sure the client sends its first \
            message promptly after the open and answers pings. If it keeps \
            happening, compare the server's timeout with the gaps in the timeline.",
        send_when: "Send it when the client exceeded a time limit: initialisation, \
            heartbeat, or a request.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(3008),
    },
    Entry {
        key: "3000-3999",
        name: "Library and framework codes",
        meaning: "Codes for libraries, frameworks and applications, registered with \
            IANA on a first-come, first-served basis. RFC 6455 gives them no meaning; \
            apart from 3000, 3003 and 3008 none is known to be registered.",
        when: "A close chosen by a framework or library the server uses; its \
            documentation defines the meaning.",
        fix: "Look the code up in the documentation of the server's framework. \
            wsprobe treats an unknown code here like an abnormal closure and \
            reconnects with backoff; a policy file can give a particular code another \
            class (for example, stop on a code that means 'banned').",
        send_when: "Register a code with IANA when your library or framework needs a \
            public one. A single application should use 4000-4999 instead.",
        on_wire: OnWire::Yes,
        // 3000 has an entry (and a class) of its own; the range answers for the
        // codes after it, so it is classified by the first of those.
        trigger: Trigger::Code(3001),
    },
    Entry {
        key: "4000-4999",
        name: "Private use",
        meaning: "Codes for private agreement between one application's clients and \
            servers. They cannot be registered, so the same number means different \
            things in different services.",
        when: "Application protocols define their own here: Discord's gateway uses \
            4004 for a bad token and 4014 for intents that were not granted; \
            graphql-ws uses 4400 for a malformed message, 4401 for a subscribe \
            before the connection was acknowledged, 4408 when no init message \
            arrived in time, 4429 for a repeated init. Custom backends pick their own.",
        fix: "Find the meaning in the service's documentation. wsprobe treats these \
            codes like an abnormal closure and reconnects with backoff, unless a \
            preset (graphql-ws, discord) or a policy file maps them: use one, so that \
            codes meaning 'do not come back' stop instead of looping.",
        send_when: "Use this range for your application's own reasons, and document \
            each code together with whether clients should reconnect after it.",
        on_wire: OnWire::Yes,
        trigger: Trigger::Code(4000),
    },
    ABOVE_4999,
    Entry {
        key: "http-400",
        name: "HTTP 400 Bad Request",
        meaning: "The server rejected the upgrade request as malformed or incomplete. \
            There is no close code: the WebSocket never opened.",
        when: "Missing or wrong Sec-WebSocket-Key or Sec-WebSocket-Version headers; a \
            request that is not a GET; a Socket.IO or Engine.IO endpoint called \
            without ?EIO=4&transport=websocket; plain HTTP sent to a TLS port (nginx \
            says so in the body); an API that requires a query parameter you left \
            out.",
        fix: "Read the response body wsprobe shows: servers usually say what is \
            missing. Then fix the URL (path, query, ws:// or wss://), the headers or \
            the subprotocol. Sending the same request again gets the same answer.",
        send_when: "Answer 400 when the upgrade request is malformed or lacks a \
            required parameter, and say which in the body.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(400),
    },
    Entry {
        key: "http-401",
        name: "HTTP 401 Unauthorized",
        meaning: "The server wants authentication, and the upgrade request carried \
            none, or carried credentials it rejected.",
        when: "No Authorization header, cookie or token parameter; an expired token; \
            an AWS API Gateway $connect authorizer that denied the request.",
        fix: "Supply credentials: -H 'Authorization: Bearer ...', a cookie, or the \
            token parameter the API documents; the WWW-Authenticate response header \
            names the scheme the server expects. Renew an expired token. Browsers \
            cannot set headers on a WebSocket, which is why many APIs take the token \
            in the query string or in a subprotocol instead.",
        send_when: "Answer 401, with WWW-Authenticate, when credentials are missing \
            or invalid.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(401),
    },
    Entry {
        key: "http-403",
        name: "HTTP 403 Forbidden",
        meaning: "The server understood the upgrade request and refuses it: the \
            origin, the account's rights or the client's address is not allowed.",
        when: "Origin checks (RFC 6455 suggests 403 for an unacceptable Origin; \
            Phoenix answers 403 when check_origin or connect/3 fails, with an empty \
            body); authorizers that deny (AWS API Gateway); firewall and bot rules \
            (Cloudflare's WAF inspects the upgrade request, Binance blocks by IP); \
            Engine.IO's FORBIDDEN error.",
        fix: "Send an allowed origin with --origin, use credentials with the right \
            permissions, or find out whether a WAF or IP rule blocks you. The same \
            request gets the same 403.",
        send_when: "Answer 403 when the client is identified but not allowed, or its \
            Origin is not one you accept.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(403),
    },
    Entry {
        key: "http-404",
        name: "HTTP 404 Not Found",
        meaning: "There is no WebSocket endpoint at this path on this host.",
        when: "A typo in the path; a missing prefix such as /ws, /socket or /graphql; \
            a route that moved in a deploy; a proxy that sends the request to the \
            wrong backend; a resource that no longer exists (a room, a pod, a \
            session).",
        fix: "Compare the path with the API documentation or the server's routes, \
            with and without a trailing slash. Retrying will not help.",
        send_when: "Answer 404 when the requested endpoint or resource does not exist.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(404),
    },
    Entry {
        key: "http-426",
        name: "HTTP 426 Upgrade Required",
        meaning: "The server wants a different protocol or protocol version than the \
            request offered. For WebSockets this usually means the \
            Sec-WebSocket-Version was not one it supports; the response lists the \
            versions it does.",
        when: "A client speaking an old draft of the protocol (anything but version \
            13), a server that insists on TLS, or a proxy that stripped the Upgrade \
            and Connection headers so the server saw a plain HTTP request.",
        fix: "Look at the Sec-WebSocket-Version header in the response; wsprobe \
            speaks version 13, the only one in use. If a proxy drops the upgrade \
            headers, configure it to pass them on (in nginx: proxy_http_version 1.1 \
            with Upgrade and Connection headers set). Retrying unchanged fails again.",
        send_when: "Answer 426, with a Sec-WebSocket-Version header listing what you \
            support, when the client's version is not one of them.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(426),
    },
    Entry {
        key: "http-429",
        name: "HTTP 429 Too Many Requests",
        meaning: "The server, or a rate limiter in front of it, refuses the upgrade \
            because this client connected too often recently.",
        when: "Reconnect loops without backoff; many clients behind one address; \
            exchange limits (Binance allows 300 connection attempts per 5 minutes per \
            IP and bans repeat offenders, answering 418); rate-limiting rules on the \
            upgrade request at a CDN such as Cloudflare.",
        fix: "Wait before connecting again, and for longer each time it happens. \
            wsprobe honours Retry-After as the minimum delay when the server sends \
            one, and otherwise backs off with growing delays. Connect less \
            often: share one connection instead of opening many, and make sure every \
            reconnect path has a backoff.",
        send_when: "Answer 429 with a Retry-After when a client exceeds your \
            connection-rate limits.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(429),
    },
    Entry {
        key: "http-500",
        name: "HTTP 500 Internal Server Error",
        meaning: "The server failed while handling the upgrade request, before the \
            WebSocket existed: an error in its own code.",
        when: "An exception in the connect handler or an authentication hook, a \
            missing configuration value, a database that is down.",
        fix: "Retry with backoff; if it keeps happening, the server's logs at the \
            time in the timeline hold the cause, and the response body wsprobe shows \
            sometimes names it.",
        send_when: "Answer 500 only for unexpected failures. Client mistakes deserve \
            a 4xx status, so clients do not retry in vain.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(500),
    },
    Entry {
        key: "http-502",
        name: "HTTP 502 Bad Gateway",
        meaning: "A proxy or load balancer in front of the application could not get \
            a valid answer from it.",
        when: "The backend is down or restarting, crashed during the handshake, or is \
            not reachable at the address the proxy uses; a misconfigured ingress. \
            Cloudflare reports similar conditions as 520-523.",
        fix: "Retry with backoff; it usually clears once the backend is back. If it \
            persists, check the backend's health and the proxy's upstream address \
            and error log.",
        send_when: "A gateway answers 502 when its upstream fails; an application \
            server should not.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(502),
    },
    Entry {
        key: "http-503",
        name: "HTTP 503 Service Unavailable",
        meaning: "The server cannot accept connections for the moment: it is \
            overloaded, in maintenance, or has no healthy backend behind its load \
            balancer.",
        when: "Right after a 1013 or during a restart (wsprobe's overload scenario \
            answers 503 with a Retry-After); maintenance pages; a load balancer whose \
            targets all fail their health checks; autoscaling that has not caught up \
            yet.",
        fix: "Back off before retrying: the server asked for time, and an immediate \
            retry only adds to its load. wsprobe treats a Retry-After, when the server \
            sends one, as the minimum delay. 503s that do not go away are a capacity or \
            health-check problem for the operator.",
        send_when: "Answer 503 with a Retry-After when you temporarily cannot accept \
            new connections.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Http(503),
    },
    Entry {
        key: "http-NNN",
        name: "Any other HTTP status",
        meaning: "The server answered the upgrade request with an HTTP status that has no \
            entry of its own here, instead of 101 Switching Protocols. There is no close \
            code: the WebSocket never opened.",
        when: "A 200 with a web page, because the URL points at an ordinary page or a \
            proxy that does not pass upgrades on; a 301, 302, 307 or 308 redirect (the \
            Location header says where to); 405 when the route exists but not for GET; \
            418 from a service that has banned your address for connecting too often; \
            504 when a gateway gave up waiting for the backend.",
        fix: "Read the status, the headers and the body wsprobe shows. For a redirect, \
            connect to the Location it names (with ws:// or wss://). For a 200, find the \
            path that really serves WebSockets. Any 5xx usually clears once the server \
            recovers, so wsprobe retries it with backoff; for everything else, retrying \
            gets the same answer and wsprobe stops.",
        send_when: "Answer the upgrade with 101, or with the most specific error status \
            that fits, and say in the body what the client should change.",
        on_wire: OnWire::NotACode,
        // Classified like the most common case, a plain 200 page; explaining a
        // particular status uses that status.
        trigger: Trigger::Http(200),
    },
    Entry {
        key: "dns",
        name: "DNS lookup failed",
        meaning: "The host name in the URL could not be resolved to an address, so no \
            connection was even attempted.",
        when: "A typo in the host; a name that exists only inside a VPN or a private \
            DNS zone; no network; a resolver that is down or failing for a moment.",
        fix: "Check the spelling, and resolve the name from the same machine (dig or \
            nslookup); connect the VPN if the name is internal. wsprobe retries with \
            backoff because resolution can fail briefly, but a misspelled name will \
            never resolve.",
        send_when: "For operators: make sure the record exists and is published \
            where your clients resolve names.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Dns,
    },
    Entry {
        key: "refused",
        name: "Connection refused",
        meaning: "The host answered, but nothing accepts connections on that port, \
            so the TCP connection was refused.",
        when: "The server is down or restarting (wsprobe's restart scenario refuses \
            connections for a moment); the wrong port; a service listening only on \
            127.0.0.1 while you connect from another machine; a ws:// URL without a \
            port, which means port 80.",
        fix: "Check the port and that the server is running and listening on the \
            right interface (ss -ltnp on its host). During a restart, reconnecting \
            with backoff gets through once it is back.",
        send_when: "For operators: keep accepting during restarts (rolling deploys, \
            socket hand-over), so clients get a 1012 instead of refusals.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Refused,
    },
    Entry {
        key: "timeout",
        name: "Connect timeout",
        meaning: "Connecting did not finish within the connect timeout, which covers \
            the DNS lookup, TCP, TLS and the upgrade together.",
        when: "A firewall or security group that silently drops packets, a wrong IP \
            address, an IPv6 address without a route, a server too overloaded to \
            accept, a slow proxy.",
        fix: "Check that the port is reachable (nc -vz host port) and what the \
            firewalls and security groups allow; raise --connect-timeout if the path \
            is merely slow. wsprobe retries with backoff.",
        send_when: "For operators: answer quickly, or refuse with a 503, rather than \
            leaving connection attempts hanging.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Timeout,
    },
    Entry {
        key: "tls",
        name: "TLS handshake failed",
        meaning: "wsprobe could not set up an encrypted connection it can trust. It \
            is reported as an error, followed by a derived close 1015.",
        when: "A certificate that expired, is self-signed, names another host, or \
            comes from a CA wsprobe does not trust; a server that does not send its \
            intermediate certificates; a wrong clock; wss:// pointed at a plain-text \
            port.",
        fix: "Fix the certificate chain on the server, the host name in the URL, or \
            the trust store (--cacert FILE adds a private CA), and check the clock. \
            --insecure skips verification for a quick test only. Retrying does not \
            help until something changes.",
        send_when: "For operators: serve the full chain for the name clients use, \
            and renew certificates before they expire.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Tls,
    },
    Entry {
        key: "not-http",
        name: "Reply was not HTTP",
        meaning: "Something accepted the connection, but its reply to the upgrade \
            request was not an HTTP response at all, so there is neither a status nor a \
            WebSocket. It is reported as an error, followed by a derived close 1006.",
        when: "A ws:// URL aimed at a port that expects TLS, whose server answers \
            with TLS bytes instead of HTTP; a port that belongs to another kind of service \
            (a database, SSH, a message broker); a tunnel or proxy that answers in its \
            own protocol.",
        fix: "Check the scheme and the port: use wss:// if the service expects TLS, \
            and find out what really listens on that port. Retrying sends the same \
            request to the same service and gets the same reply.",
        send_when: "For operators: serve WebSocket upgrades on a port that speaks HTTP, \
            and publish the URL with the scheme that port expects.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::NotHttp,
    },
    Entry {
        key: "proxy-dns",
        name: "Proxy name did not resolve",
        meaning: "The host name of the proxy (from --proxy or a *_PROXY variable) could \
            not be resolved, so wsprobe never reached the proxy, let alone the \
            endpoint. The endpoint is not to blame.",
        when: "A typo in --proxy or in HTTPS_PROXY, HTTP_PROXY or ALL_PROXY; a proxy \
            name that resolves only on the office network or inside a VPN; a proxy \
            variable left over from another network.",
        fix: "Check the proxy URL wsprobe shows in the connecting event. Fix the \
            variable, connect the VPN, or bypass the proxy: --no-proxy ignores the \
            variables, --proxy '' uses none, NO_PROXY lists hosts to reach directly.",
        send_when: "For operators: publish the proxy's name where the clients resolve \
            names.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyDns,
    },
    Entry {
        key: "proxy-refused",
        name: "Proxy refused the connection",
        meaning: "Nothing accepted the TCP connection at the proxy's address and port. \
            wsprobe never got as far as asking the proxy for the endpoint.",
        when: "The proxy is not running, listens on another port (3128 for Squid, \
            8888 for tinyproxy, 1080 for SOCKS are common), or only on another \
            interface; a stale proxy variable on a laptop that left the office.",
        fix: "Check the proxy's host and port in --proxy or the *_PROXY variables and \
            that the proxy runs (nc -vz proxy port). Without a proxy on this network, \
            use --no-proxy. wsprobe retries with backoff, as a restarting proxy comes \
            back.",
        send_when: "For operators: keep the proxy listening during restarts.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyRefused,
    },
    Entry {
        key: "proxy-timeout",
        name: "Proxy did not answer in time",
        meaning: "The connect timeout ran out while wsprobe was still reaching the \
            proxy or waiting for its answer to the tunnel request; the endpoint was \
            never asked.",
        when: "A firewall that silently drops the packets to the proxy; a proxy \
            address that is not reachable from here; a proxy so busy, or so slow to \
            reach the endpoint itself, that it does not answer.",
        fix: "Check that the proxy's port is reachable (nc -vz proxy port) and \
            whether this network needs the proxy at all (--no-proxy). Raise \
            --connect-timeout if the proxy is merely slow. wsprobe retries with \
            backoff.",
        send_when: "For operators: answer a CONNECT quickly, with a 502 or 504 when \
            the upstream cannot be reached, rather than leaving it hanging.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyTimeout,
    },
    Entry {
        key: "proxy-tls",
        name: "TLS to the proxy failed",
        meaning: "The proxy URL is https://, so wsprobe speaks TLS to the proxy before \
            asking it for a tunnel, and that handshake failed: the proxy's certificate \
            was not trusted, or the proxy does not speak TLS at all.",
        when: "A proxy URL written https:// for a proxy that speaks plain HTTP (most \
            do: the usual form is http://proxy:3128 even for wss:// endpoints); a proxy \
            with a certificate from a private CA.",
        fix: "Write the proxy URL with http:// unless the proxy really expects TLS. \
            For a proxy with a private CA, pass --cacert FILE (it is trusted for the \
            proxy as well as the endpoint). Retrying does not help until something \
            changes.",
        send_when: "For operators: serve the proxy's full certificate chain for the \
            name clients use.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyTls,
    },
    Entry {
        key: "proxy-407",
        name: "Proxy Authentication Required",
        meaning: "The proxy wants credentials before it opens a tunnel (HTTP 407 to \
            the CONNECT request), or did not accept the ones sent. The endpoint was \
            never reached.",
        when: "A corporate proxy that requires a login; credentials missing from the \
            proxy URL, misspelled, expired, or with a special character not \
            percent-encoded; a proxy that accepts only a scheme other than Basic \
            (its Proxy-Authenticate header says which: NTLM, Negotiate).",
        fix: "Put the credentials in the proxy URL, percent-encoded: \
            --proxy http://user:pa%40ss@proxy:3128 (or in HTTPS_PROXY). wsprobe sends \
            them as Proxy-Authorization: Basic. A proxy that asks only for NTLM or \
            Negotiate needs a local helper proxy (cntlm, px). Retrying with the same \
            credentials gets the same answer, so wsprobe stops.",
        send_when: "A proxy answers 407 with a Proxy-Authenticate header naming the \
            schemes it accepts.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyHttp(407),
    },
    Entry {
        key: "proxy-403",
        name: "Proxy refused the tunnel",
        meaning: "The proxy understood the request but will not open a tunnel to this \
            host or port (HTTP 403 to the CONNECT request). The endpoint never saw \
            the connection.",
        when: "The proxy's allow-list does not include the endpoint's host; many \
            proxies allow CONNECT only to port 443 (Squid's SSL_ports, tinyproxy's \
            ConnectPort), so a ws:// endpoint on port 80 or 8080 is refused; the \
            user is not allowed to reach that destination.",
        fix: "Ask the proxy's operators to allow the host and port (Squid: acl \
            SSL_ports and http_access; tinyproxy: ConnectPort), use wss:// on port \
            443 if the endpoint offers it, or reach the host directly by listing it \
            in NO_PROXY. Retrying gets the same answer.",
        send_when: "A proxy answers 403 to destinations its policy does not allow.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyHttp(403),
    },
    Entry {
        key: "proxy-502",
        name: "Proxy: endpoint unreachable",
        meaning: "The proxy accepted the request but could not connect to the \
            endpoint itself (HTTP 502 to the CONNECT request): the failure is between \
            the proxy and the endpoint.",
        when: "The endpoint is down or refuses connections; its name does not \
            resolve from where the proxy is (an internal name asked of an outside \
            proxy); a firewall between the proxy and the endpoint.",
        fix: "Read the body the proxy sent, which often names the cause. Check that \
            the endpoint is up and that its name and port are right from the \
            proxy's side; an internal host may need to be in NO_PROXY. wsprobe \
            retries with backoff, as an endpoint that restarts comes back.",
        send_when: "A proxy answers 502 when it cannot connect to the requested \
            host.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyHttp(502),
    },
    Entry {
        key: "proxy-NNN",
        name: "Proxy: any other HTTP status",
        meaning: "The proxy answered the CONNECT request with an HTTP status that has \
            no entry of its own here, instead of 200: no tunnel was opened and the \
            endpoint was never reached.",
        when: "400 from a proxy that did not understand the request; 405 from a \
            server that is not a proxy at all (a web server given as --proxy); 429 or \
            503 from an overloaded proxy; 504 when the proxy gave up waiting for the \
            endpoint.",
        fix: "Read the status, the headers and the body wsprobe shows: the proxy \
            usually says why. Check that the proxy URL points at a forward proxy that \
            allows CONNECT. A 5xx may clear by itself, so wsprobe retries those with \
            backoff; other statuses repeat and wsprobe stops.",
        send_when: "A proxy answers CONNECT with 200 to open the tunnel, or with the \
            most specific error status, explained in the body.",
        on_wire: OnWire::NotACode,
        // Classified like a proxy that rejected a malformed request; explaining
        // a particular status uses that status.
        trigger: Trigger::ProxyHttp(400),
    },
    Entry {
        key: "proxy-auth",
        name: "SOCKS5 proxy: credentials",
        meaning: "The SOCKS5 proxy wants a user name and password and none was given, \
            or it rejected the ones in the proxy URL. No tunnel was opened.",
        when: "A socks5:// proxy URL without user:password for a proxy that requires \
            them; a wrong or expired password; a special character in the password \
            that is not percent-encoded.",
        fix: "Put the credentials in the proxy URL, percent-encoded: \
            --proxy socks5://user:pa%40ss@proxy:1080. Retrying with the same \
            credentials gets the same answer, so wsprobe stops.",
        send_when: "A SOCKS5 proxy answers the method negotiation with \"no acceptable \
            methods\" (0xFF) or a failed username/password check.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyAuth,
    },
    Entry {
        key: "proxy-socks",
        name: "SOCKS5 proxy could not connect",
        meaning: "The SOCKS5 proxy accepted wsprobe but answered the request for a \
            tunnel with an error reply: the error message gives the reply code in \
            words (general failure, not allowed by the rule set, network or host \
            unreachable, connection refused, TTL expired, command or address type \
            not supported).",
        when: "The endpoint is down or refuses connections from the proxy; the host \
            is unreachable from where the proxy is; the proxy's rules forbid that \
            destination; socks5h:// sent a host name to a proxy that resolves only \
            addresses, or the reverse.",
        fix: "Read the reply in the error message. \"Connection refused\" and \
            \"unreachable\" are about the endpoint as the proxy sees it: check it is \
            up and reachable from the proxy. \"Not allowed\" needs the proxy's rules \
            changed. With an address type not supported, switch between socks5:// \
            (wsprobe resolves the name) and socks5h:// (the proxy does). wsprobe \
            retries with backoff.",
        send_when: "A SOCKS5 proxy answers with the most specific reply code of RFC \
            1928 §6.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxySocks,
    },
    Entry {
        key: "proxy-protocol",
        name: "Proxy answer not understood",
        meaning: "Something answered at the proxy's address, but not in the protocol \
            the proxy URL's scheme names: not an HTTP answer to CONNECT for http:// \
            and https://, not SOCKS5 for socks5:// and socks5h://. Or it closed the \
            connection before answering.",
        when: "A SOCKS proxy written as http:// (or the reverse); a proxy port that \
            belongs to another service; an https:// proxy URL for a proxy that \
            speaks plain HTTP, or http:// for one that expects TLS.",
        fix: "Check the scheme and the port of the proxy URL: http:// for an HTTP \
            proxy (Squid, tinyproxy), socks5:// or socks5h:// for a SOCKS proxy \
            (ssh -D, microsocks, Dante). Retrying gets the same answer.",
        send_when: "For operators: document the proxy's scheme and port next to its \
            address.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::ProxyProtocol,
    },
    Entry {
        key: "liveness",
        name: "No sign of life",
        meaning: "The connection was open, but nothing at all arrived from the server \
            (no message, no ping, no pong) for the whole ping timeout, so wsprobe \
            declared it dead. No Close frame was exchanged: the close is a derived 1006.",
        when: "A NAT gateway, firewall or load balancer that silently dropped an idle \
            connection; a network that went away without a reset, such as a laptop \
            that slept or a mobile link that changed; a server that hangs without \
            closing its sockets.",
        fix: "Reconnect with backoff, which wsprobe does. If it happens after a fixed \
            quiet time, something on the path drops idle connections: ping more often \
            than that (--ping-interval) so the path never sees the connection idle. \
            Raise --ping-timeout only if the server is merely slow to answer pings.",
        send_when: "For server authors: answer pings promptly, and send pings or other \
            traffic of your own so intermediaries keep the connection open.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Liveness,
    },
    Entry {
        key: "protocol-violation",
        name: "Server broke the protocol",
        meaning: "The server broke RFC 6455 while the connection was open, so wsprobe \
            ended the connection itself: with 1002 for bad framing, or with 1007 for \
            text that is not valid UTF-8.",
        when: "A malformed frame (a bad opcode, reserved bits, masking from the server, \
            an oversized control frame); a text message or close reason that is not \
            valid UTF-8; a Close frame carrying a code that may not be sent, in which \
            case wsprobe shows the code it received and explains that code.",
        fix: "This is a bug in the server or in something between you and it. The \
            error event just before the close says which rule was broken: report it \
            to the server's owners with the timeline, or try without the proxy. \
            Retrying would fail the same way, so wsprobe stops.",
        send_when: "For server authors: never send a forbidden close code, send only \
            valid UTF-8 in text messages and close reasons, and let a tested library \
            do the framing.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Violation,
    },
    Entry {
        key: "capacity",
        name: "Message too large",
        meaning: "The server sent a message larger than wsprobe is allowed to accept \
            (--max-message-size), so wsprobe closed the connection with 1009 rather \
            than hold it in memory.",
        when: "A snapshot or history sent in one piece, a file transfer over the \
            WebSocket, a server that batches many updates into one message, or a limit \
            set lower than the messages this service normally sends.",
        fix: "If messages this big are normal for the service, raise \
            --max-message-size. Otherwise ask the server to split or page its data. \
            Reconnecting would get the same message again, so wsprobe stops.",
        send_when: "For server authors: keep messages to a size clients can take, and \
            document the largest message you may send.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::Capacity,
    },
    Entry {
        key: "user",
        name: "Closed by you",
        meaning: "The connection ended because you asked for it: you quit, pressed \
            Ctrl-C, or the time given with --duration ran out. Nothing went wrong on \
            either side.",
        when: "At the end of every run you end yourself. wsprobe closes with 1000 (q and \
            --duration) or 1001 (Ctrl-C and SIGTERM) when a connection is open; while \
            connecting or waiting to reconnect it simply stops.",
        fix: "Nothing needs fixing: the close was your own request, and wsprobe does \
            not reconnect after it.",
        send_when: "Not something a server sends: it names a close made on the \
            client's side.",
        on_wire: OnWire::NotACode,
        trigger: Trigger::User,
    },
];
