//! Human durations: `250ms`, `5s`, `1.5s`, `2m`, `1h`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written the way people type it (`250ms`, `5s`, `2m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub Duration);

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration `{input}`: {why} (write it like 250ms, 5s, 1.5s, 2m or 1h)")]
pub struct DurationError {
    input: String,
    why: &'static str,
}

/// Parses `250ms`, `5s`, `1.5s`, `2m`, `1h`; a bare number means seconds.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let err = |why| DurationError {
        input: input.to_string(),
        why,
    };
    let mut rest = input.trim();
    if rest.is_empty() {
        return Err(err("it does not start with a number"));
    }
    let mut secs = 0.0;
    // Segments like `1m30s` add up; a bare number is seconds.
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(split);
        if num.is_empty() {
            return Err(err("it does not start with a number"));
        }
        let value: f64 = num.parse().map_err(|_| err("the number is malformed"))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let scale = match unit.trim() {
            "ms" => 0.001,
            "" | "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" => 3600.0,
            _ => return Err(err("unknown unit; use ms, s, m or h")),
        };
        secs += value * scale;
        rest = next;
    }
    if !secs.is_finite() || secs > 1e9 {
        return Err(err("it is too large"));
    }
    Ok(whole_millis(secs))
}

/// Seconds rounded to whole milliseconds, the finest unit that is written
/// and shown: what [`format_duration`] writes then parses back exactly, and
/// no value (such as `0.4ms`) reads as zero only once it is shown.
fn whole_millis(secs: f64) -> Duration {
    Duration::from_millis((secs * 1000.0).round() as u64)
}

/// Formats a duration compactly: `500ms`, `5s`, `1.5s`, `2m`, `1m30s`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms == 0 {
        "0s".to_string()
    } else if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) && ms >= 60_000 {
        if ms.is_multiple_of(3_600_000) {
            format!("{}h", ms / 3_600_000)
        } else {
            format!("{}m", ms / 60_000)
        }
    } else if ms >= 60_000 {
        let m = ms / 60_000;
        let rest = Duration::from_millis((ms % 60_000) as u64);
        format!("{m}m{}", format_duration(rest))
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        let s = format!("{:.3}", d.as_secs_f64());
        format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

impl FromStr for Dur {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(Dur)
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(self.0))
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Secs(f64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Raw::Secs(n) if (0.0..1e9).contains(&n) => Ok(Dur(whole_millis(n))),
            Raw::Secs(n) => Err(serde::de::Error::custom(format!(
                "invalid duration {n}: use a string like \"5s\""
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn values_are_whole_milliseconds() {
        assert_eq!(parse_duration("0.4ms"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("1.6ms"), Ok(Duration::from_millis(2)));
        assert_eq!(parse_duration("0.0004"), Ok(Duration::ZERO));
        let d: Dur = toml::from_str::<toml::Table>("d = 0.0016").unwrap()["d"]
            .clone()
            .try_into()
            .unwrap();
        assert_eq!(d, Dur(Duration::from_millis(2)));
    }

    #[test]
    fn large_values_format_back_to_the_same_text() {
        // Summed in f64, this once came back as 35.599999994s.
        let s = "3777760m35.6s";
        assert_eq!(format_duration(parse_duration(s).unwrap()), s);
    }

    #[test]
    fn a_shown_policy_with_sub_millisecond_values_parses_back() {
        use crate::engine::policy::file::{parse, show};
        let text = "[liveness]\nping-interval = \"1.4ms\"\nping-timeout = 0.0026\n";
        let policy = parse("p.toml", text).unwrap();
        assert_eq!(policy.ping_interval, Duration::from_millis(1));
        let back = parse("shown.toml", &show(&policy)).unwrap();
        assert_eq!(
            (back.ping_interval, back.ping_timeout),
            (policy.ping_interval, policy.ping_timeout)
        );
        // Below half a millisecond is zero, refused where zero is.
        assert!(parse("p.toml", "[liveness]\nping-interval = \"0.4ms\"\n").is_err());
    }

    #[test]
    fn formats_round_trip() {
        for s in ["500ms", "5s", "1.5s", "2m", "1m30s", "1h", "0s"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
    }
}
