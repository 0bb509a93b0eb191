//! Which proxy an attempt uses, by curl's rules:
//!
//! - `--proxy URL` wins; `--proxy ''` means none;
//! - else, unless `--no-proxy`: `https_proxy`/`HTTPS_PROXY` for `wss://`,
//!   `http_proxy` for `ws://` (the upper-case `HTTP_PROXY` is ignored, as
//!   curl ignores it: under CGI a request's `Proxy:` header arrives as
//!   `HTTP_PROXY`, so a client could choose the proxy), then
//!   `all_proxy`/`ALL_PROXY`; the lower-case name is asked first, empty
//!   values count as unset;
//! - `no_proxy`/`NO_PROXY` (not with `--no-proxy`) lists hosts reached
//!   directly: `*`, host names matching themselves and their subdomains
//!   (with or without a leading dot), IP addresses, CIDR ranges
//!   (`10.0.0.0/8`), and any of these with `:port` to match one port only.
//!
//! A proxy URL without a scheme is `http://`. The environment is read
//! through a function, so the engine itself reads none.

use std::net::IpAddr;

use url::Url;

use super::Proxy;
use crate::engine::error::EngineError;
use crate::engine::redact;
use crate::text::escape;

/// The proxy for `target`: `flag` is `--proxy` (`Some("")` for none),
/// `ignore_env` is `--no-proxy`, `env` looks a variable up.
pub fn choose(
    target: &Url,
    flag: Option<&str>,
    ignore_env: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Url>, EngineError> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let no_proxy = if ignore_env {
        None
    } else {
        var("no_proxy").or_else(|| var("NO_PROXY"))
    };
    let (raw, source) = match flag {
        Some(f) if f.trim().is_empty() => return Ok(None),
        Some(f) => (f.to_string(), "--proxy".to_string()),
        None if ignore_env => return Ok(None),
        None => {
            let names: &[&str] = if target.scheme() == "wss" {
                &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            } else {
                &["http_proxy", "all_proxy", "ALL_PROXY"]
            };
            match names
                .iter()
                .find_map(|n| var(n).map(|v| (v, (*n).to_string())))
            {
                Some(found) => found,
                None => return Ok(None),
            }
        }
    };
    let host = target.host_str().unwrap_or_default();
    let port = target.port_or_known_default().unwrap_or(80);
    if no_proxy.is_some_and(|list| bypass(host, port, &list)) {
        tracing::debug!("{host} is in NO_PROXY: connecting directly");
        return Ok(None);
    }
    parse(&raw, &source).map(Some)
}

/// Reads a proxy URL given by `source` (a flag or a variable name).
pub fn parse(raw: &str, source: &str) -> Result<Url, EngineError> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    // The input is quoted with its password redacted: it may be a secret.
    let shown = escape(&redact::redact_urls(&with_scheme)).into_owned();
    let url = Url::parse(&with_scheme).map_err(|e| {
        EngineError::url(format!(
            "{source}: `{shown}` is not a valid proxy URL ({e}); write it like \
             http://proxy.example:3128 or socks5h://127.0.0.1:1080"
        ))
    })?;
    Proxy::from_url(&url).map_err(|why| EngineError::url(format!("{source}: `{shown}`: {why}")))?;
    Ok(url)
}

/// Whether `NO_PROXY` (`list`) says to reach `host:port` directly.
pub fn bypass(host: &str, port: u16, list: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| matches(entry, &host, ip, port))
}

/// One `NO_PROXY` entry against a host (lowercase, no brackets).
fn matches(entry: &str, host: &str, ip: Option<IpAddr>, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    let (name, want_port) = split_port(entry);
    if want_port.is_some_and(|p| p != port) {
        return false;
    }
    if let Some((net, bits)) = name.split_once('/') {
        let (Ok(net), Ok(bits), Some(ip)) = (net.parse::<IpAddr>(), bits.parse::<u32>(), ip) else {
            return false;
        };
        return in_range(ip, net, bits);
    }
    if let Ok(entry_ip) = name.parse::<IpAddr>() {
        return ip == Some(entry_ip);
    }
    let name = name
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    !name.is_empty()
        && (host == name
            || host
                .strip_suffix(name.as_str())
                .is_some_and(|rest| rest.ends_with('.')))
}

/// `host:port`, `[v6]:port`, a bare IPv6 address (with or without a
/// prefix length), or a bare host.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((addr, tail)) => (addr, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (rest, None),
        };
    }
    match entry.rsplit_once(':') {
        // One colon: a port. More: an IPv6 address.
        Some((name, port)) if !name.contains(':') => (name, port.parse().ok()),
        _ => (entry, None),
    }
}

/// Whether `ip` lies in `net/bits`.
fn in_range(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(
        target: &str,
        flag: Option<&str>,
        ignore: bool,
        vars: &[(&str, &str)],
    ) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let env = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        choose(&Url::parse(target).unwrap(), flag, ignore, &env)
            .unwrap()
            .map(|u| u.to_string())
    }

    #[test]
    fn curls_variables_by_scheme() {
        let vars = [
            ("https_proxy", "http://s.example:1"),
            ("HTTP_PROXY", "http://upper.example:2"),
            ("ALL_PROXY", "socks5h://all.example:3"),
        ];
        assert_eq!(
            pick("wss://a.example/", None, false, &vars).as_deref(),
            Some("http://s.example:1/")
        );
        // HTTP_PROXY (upper case) is ignored for ws://, as curl does.
        assert_eq!(
            pick("ws://a.example/", None, false, &vars).as_deref(),
            Some("socks5h://all.example:3")
        );
        assert_eq!(
            pick(
                "ws://a.example/",
                None,
                false,
                &[("http_proxy", "p.example:8")]
            )
            .as_deref(),
            Some("http://p.example:8/")
        );
        assert_eq!(pick("wss://a.example/", None, true, &vars), None);
        assert_eq!(pick("wss://a.example/", Some(""), false, &vars), None);
        assert_eq!(
            pick("wss://a.example/", Some("socks5://f:9"), true, &vars).as_deref(),
            Some("socks5://f:9")
        );
        assert_eq!(
            pick("wss://a.example/", None, false, &[("https_proxy", " ")]),
            None
        );
    }

    #[test]
    fn no_proxy_by_curls_rules() {
        let vars = [
            ("https_proxy", "http://p:1"),
            (
                "NO_PROXY",
                "internal.example, .corp,10.0.0.0/8,[::1]:8443, 192.168.1.5,h.example:9000",
            ),
        ];
        let direct = |u: &str| pick(u, None, false, &vars).is_none();
        assert!(direct("wss://internal.example/"));
        assert!(direct("wss://a.internal.example/"));
        assert!(!direct("wss://notinternal.example/"));
        assert!(direct("wss://x.corp/"));
        assert!(direct("wss://corp/"));
        assert!(direct("wss://10.2.3.4/"));
        assert!(!direct("wss://11.2.3.4/"));
        assert!(direct("wss://[::1]:8443/"));
        assert!(!direct("wss://[::1]:8444/"));
        assert!(direct("wss://192.168.1.5/"));
        assert!(direct("wss://h.example:9000/"));
        assert!(!direct("wss://h.example/"));
        assert!(bypass("anything", 1, "*"));
        assert!(bypass("[fd00::1]", 1, "fd00::/8"));
        assert!(!bypass("a.example", 1, ""));
    }

    #[test]
    fn bad_proxy_urls_name_the_source_and_hide_the_password() {
        let e = parse("ftp://u:hunter2@p", "HTTPS_PROXY")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("HTTPS_PROXY") && e.contains("socks5h://") && !e.contains("hunter2"),
            "{e}"
        );
        let e = parse("http://u:hunter2@", "--proxy")
            .unwrap_err()
            .to_string();
        assert!(e.contains("--proxy") && !e.contains("hunter2"), "{e}");
    }
}
