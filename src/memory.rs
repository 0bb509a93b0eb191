//! The process's peak memory, for benchmarks and tests that check a run
//! stays bounded: with `WSPROBE_REPORT_MEMORY=1` in the environment wsprobe
//! prints `wsprobe: peak memory N KiB` on stderr as it exits (Linux only).

/// The environment variable that asks for the report.
pub const REPORT_VAR: &str = "WSPROBE_REPORT_MEMORY";

/// The peak resident set size (`VmHWM` of `/proc/self/status`) in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Prints the report on stderr when the environment asks for it.
pub fn report_if_asked() {
    if std::env::var_os(REPORT_VAR).is_some_and(|v| v == "1")
        && let Some(kib) = peak_rss_kib()
    {
        eprintln!("wsprobe: peak memory {kib} KiB");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_peak_is_read_on_linux() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(super::peak_rss_kib().is_some_and(|k| k > 0));
        }
    }
}
