//! Values the shell completions offer: theme names, presets, failure names.
//! Where an argument also takes other values (a theme file, a close code),
//! its parser names the known values for completion but accepts anything,
//! and the value is checked where it is used, with a message that says
//! what is allowed.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, Command};

use crate::engine::catalog;
use crate::engine::policy::{FAILURE_NAMES, Preset};

/// Every policy preset, in the order help and completions list them.
pub const PRESETS: [Preset; 3] = [Preset::NoJitter, Preset::GraphqlWs, Preset::Discord];

// A new preset must join the list above: this match stops compiling.
const _: fn(Preset) = |p| match p {
    Preset::NoJitter | Preset::GraphqlWs | Preset::Discord => {}
};

/// A string argument whose usual values are known: they are offered to
/// shell completion (and hidden from `--help`, which says them in prose),
/// while any other string still parses.
#[derive(Clone)]
pub struct Hinted {
    values: fn() -> Vec<&'static str>,
}

impl Hinted {
    /// A parser offering the values `values` returns.
    pub fn new(values: fn() -> Vec<&'static str>) -> Self {
        Self { values }
    }
}

impl TypedValueParser for Hinted {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            (self.values)().into_iter().map(PossibleValue::new),
        ))
    }
}

/// The built-in theme names (files in the themes directory complete as files).
pub fn theme_names() -> Vec<&'static str> {
    crate::theme::BUILTIN
        .iter()
        .map(|(name, _)| *name)
        .collect()
}

/// The policy presets' names.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.key()).collect()
}

/// What `explain` and `policy simulate` take: the failure names, the HTTP
/// statuses the catalog explains (`http-503`), and the close codes it
/// names one by one.
pub fn trigger_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = FAILURE_NAMES.iter().map(|f| f.name).collect();
    for entry in catalog::entries() {
        let http = entry.key.starts_with("http-") && entry.key != catalog::OTHER_HTTP_STATUS;
        let one_code = entry.codes().is_some() && !entry.is_range();
        if http || one_code {
            names.push(entry.key);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::Trigger;

    #[test]
    fn every_trigger_name_is_accepted_by_explain() {
        let names = trigger_names();
        assert!(names.contains(&"dns"), "{names:?}");
        assert!(names.contains(&"http-503"), "{names:?}");
        assert!(names.contains(&"1006"), "{names:?}");
        for name in names {
            let ok = name.parse::<u16>().is_ok() || Trigger::parse_failure(name).is_some();
            assert!(ok, "{name}");
        }
    }

    #[test]
    fn presets_parse_back() {
        for name in preset_names() {
            let p: Preset = serde_json::from_value(serde_json::Value::String(name.to_string()))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.key(), name);
        }
    }
}
