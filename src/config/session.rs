//! What a recording says about its own run: the `session` record, with the
//! command line redacted as the engine redacts what it shows.

use crate::engine::settings::Settings;
use crate::engine::target;

/// The `session` record of a run: the version, the command line `args`
/// with secrets redacted as the engine redacts them, the effective policy
/// and the seed.
pub fn session_record(
    settings: &Settings,
    args: &[String],
    wall: std::time::SystemTime,
) -> crate::headless::SessionRecord {
    crate::headless::SessionRecord {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: redact_command_line(args, settings.show_secrets),
        policy: crate::engine::policy::file::show(&settings.policy),
        seed: settings.seed.unwrap_or_default(),
        wall,
    }
}

/// The command line with its secrets redacted: URLs (the endpoint, a
/// proxy) as the engine redacts them, secret header values (`-H`), and the
/// values of `-u/--user` and `-b/--cookie`.
pub fn redact_command_line(args: &[String], show_secrets: bool) -> Vec<String> {
    if show_secrets {
        return args.to_vec();
    }
    let header = |raw: &str| match raw.split_once(':') {
        Some((name, value)) => format!(
            "{name}: {}",
            target::redact_header(name.trim(), value.trim(), false)
        ),
        None => raw.to_string(),
    };
    let mut out = Vec::with_capacity(args.len());
    let mut pending: Option<&str> = None;
    for arg in args {
        let redacted = match pending.take() {
            Some("header") => header(arg),
            Some("user") => redact_user(arg),
            Some(_) => target::REDACTED.to_string(),
            None => {
                let (flag, value) = arg.split_once('=').unwrap_or((arg.as_str(), ""));
                let kind = match flag {
                    "-H" | "--header" => Some("header"),
                    "-u" | "--user" => Some("user"),
                    "-b" | "--cookie" => Some("cookie"),
                    _ => None,
                };
                match kind {
                    Some(k) if arg.contains('=') && flag.starts_with("--") => {
                        let value = match k {
                            "header" => header(value),
                            "user" => redact_user(value),
                            _ => target::REDACTED.to_string(),
                        };
                        format!("{flag}={value}")
                    }
                    Some(k) if arg.len() == 2 || flag.starts_with("--") => {
                        pending = Some(k);
                        arg.clone()
                    }
                    // `-HName: value` glued to its flag.
                    Some("header") => format!("-H{}", header(&arg[2..])),
                    Some(_) => format!("{}{}", &arg[..2], target::REDACTED),
                    None => redact_any_url(arg),
                }
            }
        };
        out.push(redacted);
    }
    out
}

fn redact_user(value: &str) -> String {
    match value.split_once(':') {
        Some((user, _)) => format!("{user}:{}", target::REDACTED),
        None => value.to_string(),
    }
}

/// A URL anywhere in an argument (the endpoint, `--proxy=URL`) redacted.
fn redact_any_url(arg: &str) -> String {
    let Some(i) = arg.find("://") else {
        return arg.to_string();
    };
    let start = arg[..i].rfind('=').map_or(0, |e| e + 1);
    match url::Url::parse(&arg[start..]) {
        Ok(url) => format!("{}{}", &arg[..start], target::redact_url(&url, false)),
        Err(_) => arg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_command_line_is_redacted_like_the_screen() {
        let got = redact_command_line(
            &args(&[
                "wsprobe",
                "wss://u:pw@h/ws?token=abc&x=1",
                "-H",
                "Authorization: Bearer s3cret",
                "--header=Cookie: a=b",
                "-HX-Plain: shown",
                "--user",
                "me:pw",
                "--proxy=http://p:pw@proxy:8080",
                "--send",
                "hello",
            ]),
            false,
        );
        let joined = got.join(" ");
        for secret in ["pw", "abc", "s3cret", "a=b"] {
            assert!(!joined.contains(secret), "{secret} in {joined}");
        }
        assert!(joined.contains("X-Plain: shown"), "{joined}");
        assert!(joined.contains("x=1"), "{joined}");
        assert!(joined.contains("me:REDACTED"), "{joined}");
        assert_eq!(got[10], "hello");
        let shown = redact_command_line(&args(&["wsprobe", "ws://h/?token=abc"]), true);
        assert_eq!(shown[1], "ws://h/?token=abc");
    }
}
