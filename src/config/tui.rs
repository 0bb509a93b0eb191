//! What the TUI and the demo take from the settings: where sent messages
//! are remembered, and the demo's own policy.

use std::time::Duration;

use crate::cli::ConnectArgs;
use crate::engine::settings::Settings;

/// Where the messages sent to `url` are remembered: a file in the user's
/// data directory named by a hash of the URL without its query and user
/// info, so no secret reaches a file name.
pub fn recall_file(url: &url::Url) -> Option<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "wsprobe")?;
    let key = format!(
        "{}://{}:{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0),
        url.path()
    );
    // FNV-1a: stable across releases, unlike the standard hasher.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    Some(
        dirs.data_dir()
            .join("sent")
            .join(format!("{hash:016x}.jsonl")),
    )
}

/// How often the demo pings.
pub const DEMO_PING: Duration = Duration::from_secs(2);

/// The demo's own policy: it reconnects after the cycle's 1000
/// (`reconnect-on-normal`) so it keeps cycling, and pings every 2 s so the
/// round-trip time shows; a `--ping-interval` still wins.
pub fn demo_tweaks(s: &mut Settings, args: &ConnectArgs) {
    s.policy.reconnect_on_normal = true;
    if args.ping_interval.is_none() && s.policy.ping_interval > DEMO_PING {
        s.policy.ping_interval = DEMO_PING;
    }
}
