//! Saved endpoints: `wsprobe @NAME` picks `[endpoint.NAME]` from the config
//! file; header values may name environment variables (`"Bearer
//! ${TOKEN}"`) so that secrets stay out of the file; `wsprobe endpoints`
//! lists them with secrets redacted.

use std::fmt::Write as _;

use crate::engine::target;
use crate::text::escape;
use crate::usage::UsageError;

use super::file::{Choice, EndpointFile, LoadedFile, valid_name};
use super::source::{Env, Source, Sourced};

/// The endpoint `@NAME` chose, and the file that holds it.
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'a> {
    /// Its name.
    pub name: &'a str,
    /// The config file.
    pub file: &'a LoadedFile,
    /// What the file says about it.
    pub endpoint: &'a EndpointFile,
}

impl Chosen<'_> {
    /// The source of the endpoint's `key` (`policy`, `headers.Authorization`).
    pub fn source(&self, key: &str) -> Source {
        let dotted = format!("endpoint.{}.{key}", self.name);
        Source::Endpoint {
            name: self.name.to_string(),
            path: self.file.path.clone(),
            line: self.file.line(&dotted),
            key: dotted,
        }
    }

    /// Its headers, each value with `${VAR}` replaced from `env` and
    /// checked as `-H` checks a header. An unset variable is an error that
    /// names it.
    pub fn headers(&self, env: &Env) -> Result<Vec<Sourced<(String, String)>>, UsageError> {
        let mut out = Vec::new();
        for (name, template) in &self.endpoint.headers {
            let source = self.source(&format!("headers.{name}"));
            let value = expand(template, env).map_err(|e| source.complain(&e))?;
            let header = target::parse_header(&format!("{name}: {value}"))
                .map_err(|e| source.complain(&e.to_string()))?;
            out.push(Sourced::new(header, source));
        }
        Ok(out)
    }
}

/// Finds `[endpoint.NAME]` for `@NAME`. Without a config file, or without
/// that name in it, the error says where endpoints are saved and which exist.
pub fn choose<'a>(
    name: &str,
    file: Option<&'a LoadedFile>,
    choice: &Choice,
) -> Result<Chosen<'a>, UsageError> {
    let shown = escape(name);
    let Some(file) = file else {
        return Err(UsageError::new(match choice {
            Choice::None => format!(
                "@{shown}: no config file is read (--no-config, or no config directory), \
                 so there are no saved endpoints; give a URL instead"
            ),
            _ => format!(
                "@{shown}: the config file {} does not exist; save the endpoint there as \
                 [endpoint.{shown}] with url = \"wss://host/path\"",
                escape(
                    &choice
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                )
            ),
        }));
    };
    if let Some((name, endpoint)) = file.file.endpoint.get_key_value(name) {
        return Ok(Chosen {
            name,
            file,
            endpoint,
        });
    }
    let names: Vec<&str> = file.file.endpoint.keys().map(String::as_str).collect();
    let mut msg = format!(
        "@{shown}: no endpoint of that name in {}",
        escape(&file.path.display().to_string())
    );
    if !valid_name(name) {
        msg.push_str(" (a name is letters, digits, `-`, `_` and `.`)");
    }
    if names.is_empty() {
        let _ = write!(
            msg,
            "; it saves none yet: add [endpoint.{shown}] with url = \"wss://host/path\""
        );
    } else {
        let _ = write!(msg, "; saved: {}", escape(&names.join(", ")));
        if let Some(near) = names
            .iter()
            .min_by_key(|n| strsim::osa_distance(n, name))
            .filter(|n| strsim::osa_distance(n, name) <= 2)
        {
            let _ = write!(msg, " — did you mean @{}?", escape(near));
        }
    }
    Err(UsageError::new(msg))
}

/// Replaces each `${NAME}` in `template` by the variable's value; `$$`
/// writes one `$`, and any other `$` stays as it is. Returns what is wrong
/// (an unset variable by name) on failure.
pub fn expand(template: &str, env: &Env) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else if let Some(inner) = tail.strip_prefix("${") {
            let Some(end) = inner.find('}') else {
                return Err(
                    "`${` without a closing `}`; write ${NAME} (or $$ for a literal $)".into(),
                );
            };
            let var = &inner[..end];
            let valid = var
                .chars()
                .next()
                .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
                && var.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
            if !valid {
                return Err(format!(
                    "`${{{var}}}` is not a variable name; use letters, digits and _"
                ));
            }
            let value = env.get(var).ok_or_else(|| {
                format!("the environment variable {var} is not set; export it (e.g. export {var}=…) or change the header")
            })?;
            out.push_str(value);
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The variables a template names, for listings.
pub fn variables(template: &str) -> Vec<&str> {
    let mut vars = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        let inner = &rest[at + 2..];
        let Some(end) = inner.find('}') else { break };
        if at > 0 && rest[..at].ends_with('$') {
            rest = &inner[end + 1..];
            continue;
        }
        vars.push(&inner[..end]);
        rest = &inner[end + 1..];
    }
    vars
}

/// The text `wsprobe endpoints` prints: each endpoint with its URL,
/// headers (secret ones redacted, naming the variables they read),
/// subprotocols and the other keys it sets.
pub fn list(file: Option<&LoadedFile>, choice: &Choice, show_secrets: bool) -> String {
    let Some(file) = file else {
        return match choice.path() {
            Some(path) => format!(
                "No config file at {}; save endpoints there, e.g.\n\n\
                 [endpoint.staging]\nurl = \"wss://staging.example.com/ws\"\n\
                 headers = {{ Authorization = \"Bearer ${{STAGING_TOKEN}}\" }}\n",
                escape(&path.display().to_string())
            ),
            None => "No config file is read (--no-config), so there are no endpoints.\n".into(),
        };
    };
    let path = escape(&file.path.display().to_string()).into_owned();
    if file.file.endpoint.is_empty() {
        return format!(
            "{path} saves no endpoints; add one like\n\n[endpoint.staging]\n\
             url = \"wss://staging.example.com/ws\"\n"
        );
    }
    let mut out = format!("Endpoints in {path} (use as wsprobe @NAME):\n");
    for (name, e) in &file.file.endpoint {
        let raw = e.url.as_deref().unwrap_or_default();
        let url = target::normalize_url(raw).map_or_else(
            |_| escape(raw).into_owned(),
            |u| escape(&target::redact_url(&u, show_secrets)).into_owned(),
        );
        let _ = write!(out, "\n@{}  {url}\n", escape(name));
        for (header, template) in &e.headers {
            let shown = if show_secrets || !target::is_secret_header(header) {
                escape(template).into_owned()
            } else {
                let vars = variables(template);
                if vars.is_empty() {
                    target::REDACTED.to_string()
                } else {
                    let names: Vec<String> = vars.iter().map(|v| format!("${{{v}}}")).collect();
                    format!("{} (from {})", target::REDACTED, escape(&names.join(" ")))
                }
            };
            let _ = writeln!(out, "  {:<16} {}: {shown}", "header", escape(header));
        }
        let mut line = |label: &str, value: Option<String>| {
            if let Some(v) = value {
                let _ = writeln!(out, "  {label:<16} {}", escape(&v));
            }
        };
        let path = |p: &Option<std::path::PathBuf>| {
            p.as_ref()
                .map(|p| file.resolve_path(p).display().to_string())
        };
        line(
            "protocols",
            (!e.protocols.is_empty()).then(|| e.protocols.join(", ")),
        );
        line("origin", e.origin.clone());
        line("cacert", path(&e.cacert));
        line("cert", path(&e.cert));
        line("key", path(&e.key));
        line("proxy", e.proxy.clone());
        line("policy", path(&e.policy));
        line("preset", e.preset.map(|p| p.key().to_string()));
        let c = e.connect();
        line("ping-interval", c.ping_interval.map(|d| d.to_string()));
        line("ping-timeout", c.ping_timeout.map(|d| d.to_string()));
        line("connect-timeout", c.connect_timeout.map(|d| d.to_string()));
        line(
            "max-message-size",
            c.max_message_size.map(|n| n.to_string()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_expand_and_unset_ones_are_named() {
        let env = Env::from_pairs([("TOKEN", "abc"), ("EMPTY", "")]);
        assert_eq!(expand("Bearer ${TOKEN}", &env).unwrap(), "Bearer abc");
        assert_eq!(expand("${TOKEN}${TOKEN}", &env).unwrap(), "abcabc");
        assert_eq!(expand("a$$b $x ${EMPTY}.", &env).unwrap(), "a$b $x .");
        assert_eq!(expand("cost $5", &env).unwrap(), "cost $5");
        let e = expand("Bearer ${NOPE}", &env).unwrap_err();
        assert!(e.contains("NOPE is not set"), "{e}");
        assert!(expand("${TOKEN", &env).unwrap_err().contains("closing"));
        assert!(
            expand("${1X}", &env)
                .unwrap_err()
                .contains("not a variable")
        );
        assert_eq!(variables("Bearer ${A} ${B} $${C}"), ["A", "B"]);
    }
}
