//! `wsprobe completions SHELL` and `wsprobe man`: both generated from the
//! one command-line definition, so they never disagree with `--help`.

use clap::Command;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

/// The completion script for `shell`.
pub fn completions(shell: Shell, mut cmd: Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "wsprobe", &mut out);
    if shell == Shell::Fish {
        fish_positionals(&mut out, &cmd, &[]);
    }
    out
}

/// `clap_complete`'s fish script completes the values of options only; this
/// adds the known values of positional arguments (`explain CODE`, `policy
/// simulate CODE`, `completions SHELL`).
fn fish_positionals(out: &mut Vec<u8>, cmd: &Command, path: &[&str]) {
    use std::io::Write as _;
    if let Some((first, rest)) = path.split_first() {
        let mut condition = format!("__fish_wsprobe_using_subcommand {first}");
        if !rest.is_empty() {
            condition = format!(
                "{condition}; and __fish_seen_subcommand_from {}",
                rest.join(" ")
            );
        }
        for arg in cmd.get_positionals() {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !values.is_empty() {
                let _ = writeln!(
                    out,
                    "complete -c wsprobe -n \"{condition}\" -f -a \"{}\"",
                    values.join(" ")
                );
            }
        }
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut inner = path.to_vec();
        inner.push(sub.get_name());
        fish_positionals(out, sub, &inner);
    }
}

/// The manual page (roff): the top level as `clap_mangen` renders it, then
/// one section per subcommand (its synopsis, options and examples), then
/// the files and environment wsprobe reads.
pub fn manual(cmd: Command) -> Result<Vec<u8>, std::io::Error> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone()).manual("wsprobe manual");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    subcommand_list(&mut out, &cmd)?;
    examples(&mut out, None, &cmd)?;
    for sub in cmd.get_subcommands() {
        subcommand(&mut out, sub)?;
    }
    files_and_environment(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(one_preamble(&out))
}

/// Each rendered part starts with the same two-line preamble (how to draw
/// a quote); one at the top is enough.
fn one_preamble(page: &[u8]) -> Vec<u8> {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let text = String::from_utf8_lossy(page);
    let rest = text.replace(PREAMBLE, "");
    format!("{PREAMBLE}{rest}").into_bytes()
}

/// `SUBCOMMANDS`: each one with what it does; its own section follows.
fn subcommand_list(out: &mut Vec<u8>, cmd: &Command) -> Result<(), std::io::Error> {
    let mut roff = Roff::new();
    roff.control("SH", ["SUBCOMMANDS"]);
    for sub in cmd.get_subcommands() {
        let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
        roff.control("TP", []);
        roff.text([bold(name)]);
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        roff.text([roman(format!(
            "{about} (see {} below)",
            name.to_uppercase()
        ))]);
    }
    roff.to_writer(out)
}

/// One subcommand (and its own subcommands): `.SH WSPROBE NAME`, then its
/// about, synopsis, options and examples as subsections.
fn subcommand(out: &mut Vec<u8>, sub: &Command) -> Result<(), std::io::Error> {
    let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    let mut head = Roff::new();
    head.control("SH", [name.to_uppercase().as_str()]);
    if let Some(about) = sub.get_about() {
        head.text([roman(about.to_string())]);
    }
    head.to_writer(out)?;
    if sub.has_subcommands() {
        for inner in sub.get_subcommands() {
            subcommand(out, inner)?;
        }
        return Ok(());
    }
    let man = Man::new(sub.clone());
    let mut part = Vec::new();
    man.render_synopsis_section(&mut part)?;
    let has_options = sub
        .get_arguments()
        .any(|a| !a.is_hide_set() && a.get_id() != "help");
    if has_options {
        man.render_options_section(&mut part)?;
    }
    // The subcommand's sections become subsections of its own section.
    let text = String::from_utf8_lossy(&part)
        .replace(".SH SYNOPSIS", ".SS Synopsis")
        .replace(".SH OPTIONS", ".SS Options");
    out.extend_from_slice(text.as_bytes());
    examples(out, Some("SS"), sub)
}

/// The `after_help` text (examples and notes) kept as written, line for
/// line: `.SH EXAMPLES` at the top level, `.SS Examples` below it.
fn examples(out: &mut Vec<u8>, level: Option<&str>, cmd: &Command) -> Result<(), std::io::Error> {
    let Some(text) = cmd.get_after_help() else {
        return Ok(());
    };
    let mut roff = Roff::new();
    match level {
        None => roff.control("SH", ["EXAMPLES"]),
        Some(level) => roff.control(level, ["Examples and notes"]),
    };
    roff.control("nf", []);
    for line in text.to_string().lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff.to_writer(out)
}

/// `FILES` and `ENVIRONMENT`.
fn files_and_environment(out: &mut Vec<u8>) -> Result<(), std::io::Error> {
    let mut roff = Roff::new();
    roff.control("SH", ["FILES"]);
    for (name, what) in [
        (
            "<config dir>/config.toml",
            "Defaults of every connection and display option, and saved endpoints \
             ([endpoint.NAME], used as wsprobe @NAME). <config dir> is \
             $XDG_CONFIG_HOME/wsprobe or ~/.config/wsprobe on Linux, \
             ~/Library/Application Support/wsprobe on macOS and %APPDATA%\\wsprobe\\config \
             on Windows; wsprobe config path prints it.",
        ),
        (
            "<config dir>/themes/NAME.toml",
            "Themes for --theme NAME, besides the built-in ones.",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(what)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*what)]);
    }
    roff.to_writer(out)
}

/// Every environment variable wsprobe reads, for the manual.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "WSPROBE_CONFIG",
        "The config file to read instead of <config dir>/config.toml.",
    ),
    (
        "WSPROBE_THEME, WSPROBE_HISTORY, WSPROBE_COLOR",
        "Defaults of --theme, --history and --color.",
    ),
    (
        "WSPROBE_PING_INTERVAL, WSPROBE_PING_TIMEOUT, WSPROBE_CONNECT_TIMEOUT, \
         WSPROBE_MAX_MESSAGE_SIZE",
        "Defaults of the flags of the same names.",
    ),
    (
        "WSPROBE_POLICY, WSPROBE_PRESET",
        "Defaults of --policy and --preset.",
    ),
    (
        "WSPROBE_PROXY, WSPROBE_CLOCK, WSPROBE_MOUSE",
        "The proxy, the TUI's clock and mouse capture (kept in the settings for \
         the flags that use them).",
    ),
    (
        "NO_COLOR",
        "When set and not empty, no colour (as --color never), unless --color or \
         WSPROBE_COLOR says otherwise.",
    ),
    (
        "CLICOLOR_FORCE",
        "When set and not 0, colour (as --color always).",
    ),
    (
        "COLORTERM, TERM",
        "True colour only when COLORTERM is truecolor or 24bit; else 256 colours when \
         TERM names a 256-colour terminal; else the 16 ANSI colours.",
    ),
    (
        "RUST_LOG",
        "Filters the log lines (--log-file, or stderr when headless); it wins over -v.",
    ),
];
