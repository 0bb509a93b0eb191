//! Command lines clap would take for something else. A misspelt subcommand
//! is a valid host name (`wsprobe explian 1006` would connect to
//! `ws://explian/` and retry forever), and a subcommand's flag written before
//! it makes clap read the subcommand as the URL (`wsprobe --json explain
//! 1006`). Both are caught here, before parsing, so nothing connects.

use std::ffi::OsString;
use std::fmt::Write as _;

use clap::{Arg, Command, CommandFactory};

use crate::cli::Cli;
use crate::usage::UsageError;

/// How many edits (OSA distance: a swap of two letters is one) still make a
/// word a near miss of a subcommand; a short name allows fewer (one per
/// three letters), so that `mail` is a host, not a misspelt `man`.
const MAX_DISTANCE: usize = 2;

/// Checks the raw arguments (program name first) for the traps above.
/// Anything else, including every real mistake clap reports well, passes.
pub fn check(args: &[OsString]) -> Result<(), UsageError> {
    let cli = Cli::command();
    // A non-UTF-8 argument cannot be a subcommand: check only what precedes it.
    let words: Vec<&str> = args.iter().skip(1).map_while(|a| a.to_str()).collect();
    let mut leading: Vec<Vec<&str>> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if word == "--" || matches!(word, "-h" | "--help" | "-V" | "--version") {
            // `--` makes what follows a URL; help and version are clap's.
            return Ok(());
        }
        if !word.starts_with('-') || word == "-" {
            break;
        }
        let takes_value = any_flag(&cli, word)
            .is_some_and(|a| a.get_action().takes_values() && !has_attached_value(word));
        let end = if takes_value { i + 2 } else { i + 1 }.min(words.len());
        leading.push(words[i..end].to_vec());
        i = end;
    }
    let Some(&word) = words.get(i) else {
        return Ok(());
    };
    if let Some(sub) = cli.find_subcommand(word) {
        if leading.is_empty() {
            return Ok(());
        }
        return Err(misplaced(&cli, sub, &leading, &words[i..]));
    }
    match near_miss(&cli, word) {
        Some(name) => Err(UsageError::new(format!(
            "unknown command '{word}' — did you mean '{name}'?\n  \
             (to connect to a host of that name, write ws://{word})"
        ))),
        None => Ok(()),
    }
}

/// The subcommand `word` was probably meant to be, if it is a bare word
/// (no dot, port, path or scheme, not `localhost`, not an `@NAME` saved
/// endpoint) close to one. A bare word close to none is an intranet host
/// name and is left alone.
fn near_miss(cli: &Command, word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    if lower.is_empty() || lower.contains(['.', ':', '/', '@', '[']) || lower == "localhost" {
        return None;
    }
    cli.get_subcommands()
        .map(Command::get_name)
        .filter(|name| *name != "help")
        .filter_map(|name| {
            let distance = strsim::osa_distance(&lower, name);
            let allowed = MAX_DISTANCE.min(name.len() / 3);
            (distance <= allowed || name.starts_with(&lower)).then_some((distance, name))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name.to_string())
}

/// Flags written before a subcommand: say where they go, or that they do
/// not belong to it, and give the command line that works.
fn misplaced(cli: &Command, sub: &Command, leading: &[Vec<&str>], rest: &[&str]) -> UsageError {
    // `policy simulate`: the flags belong after the innermost subcommand.
    let mut path = vec![sub.get_name()];
    let mut target = sub;
    if let Some(inner) = rest.get(1).and_then(|w| sub.find_subcommand(w)) {
        path.push(inner.get_name());
        target = inner;
    }
    let (moved, dropped): (Vec<&Vec<&str>>, Vec<&Vec<&str>>) =
        leading.iter().partition(|f| flag(target, f[0]).is_some());
    let path = path.join(" ");
    let mut parts = Vec::new();
    if !moved.is_empty() {
        parts.push(format!(
            "{} {} after the subcommand",
            names(&moved),
            if moved.len() == 1 { "goes" } else { "go" }
        ));
    }
    if !dropped.is_empty() {
        let live = dropped.iter().all(|f| flag(cli, f[0]).is_some());
        parts.push(format!(
            "{} {} {}, not for `{path}`",
            names(&dropped),
            if dropped.len() == 1 { "is" } else { "are" },
            if live {
                "for connecting to a URL"
            } else {
                "not an option"
            }
        ));
    }
    let mut line = format!("wsprobe {path}");
    let depth = path.split(' ').count();
    for word in moved.iter().flat_map(|f| f.iter()).chain(&rest[depth..]) {
        let _ = write!(line, " {}", quote(word));
    }
    UsageError::new(format!("{}: {line}", parts.join("; ")))
}

/// The argument of `cmd` that `word` (`--name`, `--name=value`, `-H…`) names.
fn flag<'a>(cmd: &'a Command, word: &str) -> Option<&'a Arg> {
    if let Some(long) = word.strip_prefix("--") {
        let name = long.split_once('=').map_or(long, |(n, _)| n);
        cmd.get_arguments().find(|a| a.get_long() == Some(name))
    } else {
        let short = word.chars().nth(1)?;
        cmd.get_arguments().find(|a| a.get_short() == Some(short))
    }
}

/// [`flag`] at the top level or, failing that, in any subcommand: a flag
/// written too early (`--port` before `serve`) still tells whether it
/// takes a value.
fn any_flag<'a>(cli: &'a Command, word: &str) -> Option<&'a Arg> {
    flag(cli, word).or_else(|| {
        cli.get_subcommands()
            .flat_map(|s| std::iter::once(s).chain(s.get_subcommands()))
            .find_map(|s| flag(s, word))
    })
}

/// `--name=value` or `-Hvalue`: the value is in the same word.
fn has_attached_value(word: &str) -> bool {
    if word.starts_with("--") {
        word.contains('=')
    } else {
        word.chars().count() > 2
    }
}

/// The flags' names for a message: `--json`, `--json and --policy`.
fn names(flags: &[&Vec<&str>]) -> String {
    let names: Vec<&str> = flags
        .iter()
        .map(|f| f[0].split_once('=').map_or(f[0], |(n, _)| n))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// A word as it can be pasted into a shell.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Result<(), String> {
        let args: Vec<OsString> = std::iter::once("wsprobe")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect();
        check(&args).map_err(|e| e.to_string())
    }

    #[test]
    fn near_misses_of_a_subcommand_are_refused() {
        for (line, meant) in [
            ("explian 1006", "explain"),
            ("code --headless", "codes"),
            ("--headless code", "codes"),
            ("expla 1006", "explain"),
            ("Polcy show", "policy"),
            ("serv --port 1", "serve"),
            ("endpoint", "endpoints"),
            ("confg show", "config"),
            ("completion zsh", "completions"),
            ("mna", "man"),
        ] {
            let err = run(line).expect_err(line);
            assert!(
                err.contains(&format!("did you mean '{meant}'")),
                "{line}: {err}"
            );
        }
        let err = run("explian 1006").unwrap_err();
        assert!(err.starts_with("unknown command 'explian' — did you mean 'explain'?"));
        assert!(err.contains("ws://explian"), "{err}");
    }

    #[test]
    fn hosts_pass() {
        for line in [
            "intranet",
            "example.com",
            "localhost",
            "code:8080",
            "code.internal",
            "ws://code",
            "codes.example.com/ws",
            "-- code",
            "--send codes ws://h",
            "-H X:y explainer.example",
            "",
            "explain 1006",
            "codes --json",
            "policy simulate 1006 --json",
            "--help",
            "@staging",
            "@config --headless",
            "@codes",
            "--headless @staging",
            "-H X:y @man",
            "mail",
            "db",
            "config show",
            "endpoints",
            "completions bash",
            "man",
        ] {
            assert_eq!(run(line), Ok(()), "{line}");
        }
    }

    #[test]
    fn flags_before_a_subcommand_are_placed_or_refused() {
        assert_eq!(
            run("--json explain 1006").unwrap_err(),
            "--json goes after the subcommand: wsprobe explain --json 1006"
        );
        assert_eq!(
            run("--headless codes").unwrap_err(),
            "--headless is for connecting to a URL, not for `codes`: wsprobe codes"
        );
        assert_eq!(
            run("--json --seed 3 policy simulate 1013").unwrap_err(),
            "--json and --seed go after the subcommand: \
             wsprobe policy simulate --json --seed 3 1013"
        );
        assert_eq!(
            run("--headless policy show").unwrap_err(),
            "--headless is for connecting to a URL, not for `policy show`: wsprobe policy show"
        );
        assert_eq!(
            run("--headless --port 9001 serve").unwrap_err(),
            "--port goes after the subcommand; --headless is for connecting to a URL, \
             not for `serve`: wsprobe serve --port 9001"
        );
        assert_eq!(
            run("--policy=my.toml explain 1006").unwrap_err(),
            "--policy goes after the subcommand: wsprobe explain --policy=my.toml 1006"
        );
    }
}
