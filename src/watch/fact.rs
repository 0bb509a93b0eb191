//! What one client's engine reported, reduced to what the fleet views
//! aggregate: one small `Fact` per lifecycle event (attempt, open, close,
//! reconnect, the end), none per frame. Every value is the engine's own:
//! the close's code, trigger and class, the reconnect's delay, window and
//! due time.

use std::time::Duration;

use crate::engine::event::{CloseInfo, Initiator};
use crate::engine::policy::{Class, Trigger};

/// One lifecycle event of one client, on the fleet's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fact {
    /// The client's number (0-based).
    pub client: u32,
    /// Time since the fleet started.
    pub t: Duration,
    /// What happened.
    pub what: What,
}

/// The lifecycle events the fleet views count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum What {
    /// The client's engine started.
    Launched,
    /// An attempt started; `late_ms` is how long after its announced due
    /// time (the reconnect's `due_t_ms`) it did, for every attempt but the first.
    Connecting {
        /// 1-based attempt number.
        attempt: u32,
        /// Lateness against the announced due time, in milliseconds.
        late_ms: Option<f64>,
    },
    /// The upgrade succeeded.
    Open {
        /// Time from the attempt's start to the open connection.
        handshake_ms: f64,
    },
    /// The attempt ended, as the engine reported it.
    Closed(Ended),
    /// The policy scheduled another attempt.
    Reconnect {
        /// The drawn delay.
        delay_ms: u64,
        /// The window it was drawn from.
        window_ms: [u64; 2],
        /// When the attempt is due, on the fleet's clock.
        due: Duration,
    },
    /// The engine gave up (no further attempt).
    GaveUp,
    /// The client's run is over; `success` as the exit status counts it
    /// (ended by the user, `--duration`, or a policy stop after 1000).
    Ended {
        /// True for an ending that is not a failure.
        success: bool,
    },
}

/// A close event's facts, without its (untrusted) reason text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    /// The code reported.
    pub code: u16,
    /// What the policy was given.
    pub trigger: Trigger,
    /// What the policy concluded.
    pub class: Class,
    /// The forbidden code the server sent, if any.
    pub received_code: Option<u16>,
    /// The attempt had opened (a connection closed, not a handshake failing).
    pub was_open: bool,
}

impl Ended {
    /// The facts of a close event.
    pub fn of(info: &CloseInfo, was_open: bool) -> Self {
        Self {
            code: info.code,
            trigger: info.trigger,
            class: info.class,
            received_code: info.received_code,
            was_open,
        }
    }

    /// A close event with these facts, for catalog lookups.
    pub fn info(&self) -> CloseInfo {
        CloseInfo {
            received_code: self.received_code,
            class: self.class,
            ..CloseInfo::derived(self.code, Initiator::Local, self.trigger)
        }
    }

    /// True when the user (or `--duration`) ended it.
    pub fn by_user(&self) -> bool {
        self.trigger == Trigger::User
    }
}

/// Where a client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientState {
    /// Its engine has not started yet (`--ramp`).
    #[default]
    NotStarted,
    /// An attempt is under way.
    Connecting,
    /// Connected.
    Open,
    /// Waiting for the next attempt.
    Waiting,
    /// Its run is over.
    Stopped,
}

impl ClientState {
    /// The four states the chart stacks, in order (not started is left out).
    pub const CHARTED: [ClientState; 4] = [
        ClientState::Open,
        ClientState::Connecting,
        ClientState::Waiting,
        ClientState::Stopped,
    ];

    /// `open`, `connecting`, `waiting`, `stopped`, `not started`.
    pub fn label(self) -> &'static str {
        match self {
            ClientState::NotStarted => "not started",
            ClientState::Connecting => "connecting",
            ClientState::Open => "open",
            ClientState::Waiting => "waiting",
            ClientState::Stopped => "stopped",
        }
    }

    /// Index into a `[u32; 5]` of counts.
    pub fn index(self) -> usize {
        match self {
            ClientState::Open => 0,
            ClientState::Connecting => 1,
            ClientState::Waiting => 2,
            ClientState::Stopped => 3,
            ClientState::NotStarted => 4,
        }
    }

    /// The state a fact leaves its client in (`None`: unchanged).
    pub fn after(what: &What) -> Option<ClientState> {
        match what {
            What::Launched | What::Connecting { .. } => Some(ClientState::Connecting),
            What::Open { .. } => Some(ClientState::Open),
            What::Closed(_) | What::Reconnect { .. } => Some(ClientState::Waiting),
            What::GaveUp | What::Ended { .. } => Some(ClientState::Stopped),
        }
    }
}

/// A client's jitter seed: the run's seed and the client's number mixed
/// (splitmix64), so neighbouring clients get unrelated draws and the same
/// `--seed` repeats the whole fleet.
pub fn client_seed(seed: u64, client: u32) -> u64 {
    let mut z = seed.wrapping_add(u64::from(client).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_per_client_and_repeat_per_run() {
        assert_eq!(client_seed(7, 3), client_seed(7, 3));
        assert_ne!(client_seed(7, 3), client_seed(7, 4));
        assert_ne!(client_seed(7, 3), client_seed(8, 3));
    }

    #[test]
    fn a_close_keeps_what_the_catalog_needs() {
        let mut info = CloseInfo::derived(1006, Initiator::Local, Trigger::Http(503));
        info.class = Class::TryAgainLater;
        let e = Ended::of(&info, false);
        assert_eq!(e.info().trigger, Trigger::Http(503));
        assert_eq!(e.info().class, Class::TryAgainLater);
        assert!(!e.by_user());
    }
}
