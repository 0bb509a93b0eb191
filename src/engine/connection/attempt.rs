//! One attempt: the dial (which keeps the connect timeout), then the open session.

use tokio::time::Instant;

use super::Engine;
use crate::duration::until;
use crate::engine::control::AttemptEnd;
use crate::engine::control::{Interrupt, Step, ms};
use crate::engine::dial::{self, Failure};
use crate::engine::event::{CloseInfo, EventKind, Initiator};
use crate::engine::policy::{Outcome, Trigger};
use crate::engine::session;

impl Engine {
    /// One attempt: dial (bounded by the connect timeout), then the open session.
    pub(super) async fn attempt(&mut self, attempt: u32) -> AttemptEnd {
        let began = Instant::now();
        // A block, so the dial's borrow of the settings ends before reporting.
        let result = {
            // The dial keeps the connect timeout itself, so a timeout names
            // the hop and the step that stalled.
            let dial = dial::dial(&self.settings, self.tls.as_ref());
            tokio::pin!(dial);
            loop {
                tokio::select! {
                    biased;
                    cmd = self.control.commands.recv() => {
                        match self.control.on_command(cmd, &mut self.out, None).await {
                            Step::Quit(_) => break Err(Interrupt::Quit),
                            Step::ReconnectNow => break Err(Interrupt::ReconnectNow),
                            // Sending or closing needs an open connection.
                            Step::Continue | Step::Open(_) => {}
                        }
                    }
                    () = until(self.deadline) => break Err(Interrupt::Duration),
                    r = &mut dial => break Ok(r),
                }
            }
        };
        let opened = match result {
            Err(interrupt) => {
                let reason = if interrupt == Interrupt::ReconnectNow {
                    "reconnecting at the user's request before the handshake finished"
                } else {
                    "the run ended before the handshake finished"
                };
                return AttemptEnd {
                    outcome: Outcome::failed(Trigger::User),
                    interrupt: Some(interrupt),
                    close: CloseInfo {
                        reason: reason.into(),
                        ..CloseInfo::derived(1006, Initiator::Local, Trigger::User)
                    },
                };
            }
            Ok(r) => r,
        };
        match opened {
            Err(failure) => self.failed(failure).await,
            Ok(opened) => {
                self.out
                    .emit(EventKind::Open {
                        attempt,
                        status: 101,
                        subprotocol: opened.subprotocol.clone(),
                        handshake_ms: began.elapsed().as_secs_f64() * 1000.0,
                        headers: opened.headers.clone(),
                        insecure: self.settings.insecure,
                        request_headers: opened.request_headers.clone(),
                        peer: opened.peer.map(|p| p.to_string()),
                        tls: opened.tls.clone().map(Box::new),
                    })
                    .await;
                let mut s = session::Session {
                    settings: &self.settings,
                    out: &mut self.out,
                    control: &mut self.control,
                    deadline: self.deadline,
                };
                s.run(opened.socket).await
            }
        }
    }

    /// Reports a failed attempt; the close is derived from it.
    async fn failed(&mut self, failure: Failure) -> AttemptEnd {
        tracing::debug!(class = failure.class.as_str(), message = %failure.message, "attempt failed");
        self.out
            .emit(EventKind::Error {
                class: failure.class,
                message: failure.message,
                http: failure.http,
                retry_after_ms: failure.retry_after.map(ms),
            })
            .await;
        AttemptEnd {
            outcome: Outcome {
                retry_after: failure.retry_after,
                ..Outcome::failed(failure.trigger)
            },
            interrupt: None,
            close: CloseInfo::derived(failure.close_code, Initiator::Local, failure.trigger),
        }
    }
}
