//! File descriptors: a fleet needs one per client (two when the built-in
//! server runs in the same process). The soft limit is raised to the hard
//! one at start; a fleet that still does not fit is refused before anything
//! starts, with what to do about it.

use crate::usage::UsageError;

/// Descriptors kept for everything else (stdio, the runtime, logs, metrics).
pub const HEADROOM: u64 = 64;

/// Raises the soft limit on open files to the hard limit; returns the limit
/// now in force (`None` where it cannot be read).
pub fn raise_nofile() -> Option<u64> {
    #[cfg(unix)]
    {
        let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
        match rlimit::increase_nofile_limit(hard) {
            Ok(now) => Some(now),
            Err(_) => rlimit::getrlimit(rlimit::Resource::NOFILE)
                .ok()
                .map(|(soft, _)| soft),
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The descriptors `clients` clients need (`per_client` each) plus headroom.
pub fn needed(clients: u32, per_client: u64) -> u64 {
    u64::from(clients) * per_client + HEADROOM
}

/// Fails with what to do when `clients` clients cannot fit under `limit`.
pub fn check(clients: u32, per_client: u64, limit: Option<u64>) -> Result<(), UsageError> {
    let Some(limit) = limit else {
        return Ok(());
    };
    let need = needed(clients, per_client);
    if need <= limit {
        return Ok(());
    }
    let fit = limit.saturating_sub(HEADROOM) / per_client.max(1);
    let server = if per_client > 1 {
        " (the built-in server runs in this process too, so each client takes two)"
    } else {
        ""
    };
    Err(UsageError::new(format!(
        "--clients {clients} needs about {need} open files{server}, but this process may \
         open at most {limit} (already raised to the hard limit). Raise the hard limit \
         (`ulimit -Hn {need}` as root, LimitNOFILE= in a systemd unit, or nofile in \
         /etc/security/limits.conf), or run at most {fit} clients here and more watchers \
         on other machines, summed through --metrics"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fleet_over_the_limit_is_refused_with_advice() {
        assert!(check(100, 1, Some(1024)).is_ok());
        assert!(check(100, 1, None).is_ok());
        let err = check(10_000, 2, Some(1024)).map_err(|e| e.to_string());
        let msg = err.err().unwrap_or_default();
        assert!(
            msg.contains("20064 open files") && msg.contains("at most 480 clients"),
            "{msg}"
        );
    }
}
