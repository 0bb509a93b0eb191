//! Human durations: `250ms`, `5s`, `1.5s`, `2m`, `1h`, read from the command
//! line and policy files and written, in one style, by every view.

use std::fmt::{self, Write as _};
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
    Ok(whole_micros(secs))
}

/// Seconds rounded to whole microseconds, the finest unit that is written
/// and shown (`0.4ms`): what [`format_duration`] writes then parses back
/// exactly, whatever the sums of `f64` made of the last digits.
fn whole_micros(secs: f64) -> Duration {
    Duration::from_micros((secs * 1_000_000.0).round() as u64)
}

/// Formats a duration in wsprobe's one style, used by every view (TUI,
/// `--headless`, `policy simulate`, `explain`, policy rules, messages):
///
/// - compact units with no space: `ms` below a second, else `h`, `m` and `s`
///   combined largest first, zero parts left out: `250ms`, `5s`, `1m4s`,
///   `2m`, `1h30s`; zero is `0s`;
/// - only the last unit has decimals, at most three, trailing zeros dropped:
///   `2.88s`, `1m4.5s`, `0.4ms` (so milliseconds above a second, and
///   microseconds below one);
/// - every output reads back with [`parse_duration`].
///
/// Measured times in milliseconds go through [`format_millis`], countdowns
/// through [`format_countdown`], windows through [`format_window`]: the same
/// style at the precision each needs.
pub fn format_duration(d: Duration) -> String {
    let us = d.as_nanos().saturating_add(500) / 1000;
    if us == 0 {
        return "0s".to_string();
    }
    if us < 1_000_000 {
        return format!("{}ms", decimal(us / 1000, us % 1000));
    }
    let ms = us.saturating_add(500) / 1000;
    let rest = ms % 60_000;
    let seconds = (rest > 0).then(|| decimal(rest / 1000, rest % 1000));
    units(ms / 60_000, seconds)
}

/// A time measured in milliseconds (a handshake, a ping's round trip) in
/// the style of [`format_duration`], rounded to three significant digits
/// because more would be noise: `0.6ms`, `12.3ms`, `1.23s`.
pub fn format_millis(ms: f64) -> String {
    if !ms.is_finite() || ms <= 0.0 {
        return format_duration(Duration::ZERO);
    }
    let step = 10f64.powi(ms.log10().floor() as i32 - 2);
    let rounded = (ms / step).round() * step;
    format_duration(Duration::try_from_secs_f64(rounded / 1000.0).unwrap_or(Duration::MAX))
}

/// A countdown in the style of [`format_duration`] with exactly one decimal
/// of seconds, rounded up so it shows `0.0s` only when due: `3.8s`, `0.4s`,
/// `1m4.5s`. The TUI's reconnect gauge redraws many times a second; tenths
/// keep it moving without flicker, and a fixed decimal keeps it from
/// jumping between `1s` and `900ms`.
pub fn format_countdown(d: Duration) -> String {
    let tenths = d.as_millis().div_ceil(100);
    let secs = tenths % 600;
    units(tenths / 600, Some(format!("{}.{}", secs / 10, secs % 10)))
}

/// `minutes` as hours and minutes, zero parts left out, then the seconds
/// (already written) if any.
fn units(minutes: u128, seconds: Option<String>) -> String {
    let mut out = String::new();
    if minutes >= 60 {
        let _ = write!(out, "{}h", minutes / 60);
    }
    if !minutes.is_multiple_of(60) {
        let _ = write!(out, "{}m", minutes % 60);
    }
    if let Some(s) = seconds {
        let _ = write!(out, "{s}s");
    }
    out
}

/// The window a reconnect delay is drawn from: `1s-5s`, `500ms-2.5s`.
pub fn format_window(low: Duration, high: Duration) -> String {
    format!("{}-{}", format_duration(low), format_duration(high))
}

/// `whole.fraction` with the fraction in thousandths, trailing zeros dropped.
fn decimal(whole: u128, thousandths: u128) -> String {
    if thousandths == 0 {
        whole.to_string()
    } else {
        let text = format!("{whole}.{thousandths:03}");
        text.trim_end_matches('0').to_string()
    }
}

/// A configured duration exactly as it is used, in the style of
/// [`format_duration`] but with as many decimals as it takes, down to the
/// microsecond (the finest unit [`parse_duration`] keeps): `1.0005s`,
/// `5m33.333333s`. What a setting or a policy file says is shown (and
/// written back by `policy show`) as it is, not rounded for reading.
pub fn format_exact(d: Duration) -> String {
    let us = d.as_micros();
    if us < 1_000_000 {
        return format_duration(Duration::from_micros(us as u64));
    }
    let rest = us % 60_000_000;
    let seconds = (rest > 0).then(|| {
        let (whole, micros) = (rest / 1_000_000, rest % 1_000_000);
        if micros == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{micros:06}")
                .trim_end_matches('0')
                .to_string()
        }
    });
    units(us / 60_000_000, seconds)
}

/// When something happened, in a line of text: seconds since the start,
/// right-aligned, to the millisecond (`[    6.002]`). Headless lines and
/// the scenario server's log both stamp their lines with it; it is a clock
/// reading, not a duration, so it carries no unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub Duration);

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Microseconds first: the precision the JSON keeps, so a replayed
        // recording stamps exactly what the live run did.
        let t = self.0.as_micros() as f64 / 1e6;
        write!(f, "[{t:>9.3}]")
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
        f.write_str(&format_exact(self.0))
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_exact(self.0))
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
            Raw::Secs(n) if (0.0..1e9).contains(&n) => Ok(Dur(whole_micros(n))),
            Raw::Secs(n) => Err(serde::de::Error::custom(format!(
                "invalid duration {n}: use a string like \"5s\""
            ))),
        }
    }
}

/// Sleeps until `deadline`, or forever when there is none: one arm of a
/// `select!` that may or may not have a timer (the engine's waits, the
/// scenario server's phases, the TUI's next redraw).
pub async fn until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_duration_is_shown_as_it_is_used() {
        let cases = [
            (Duration::from_micros(1_000_500), "1.0005s"),
            (Duration::from_micros(333_333_333), "5m33.333333s"),
            (Duration::from_micros(400), "0.4ms"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(3600), "1h"),
            (Duration::ZERO, "0s"),
        ];
        for (d, text) in cases {
            assert_eq!(Dur(d).to_string(), text);
            assert_eq!(text.parse::<Dur>().map(|p| p.0), Ok(d), "{text}");
        }
        // A bare number of seconds in a file keeps its microseconds too.
        let toml: Dur =
            toml::from_str::<std::collections::BTreeMap<String, Dur>>("floor = 333.333333333")
                .map(|m| m["floor"])
                .expect("a number of seconds");
        assert_eq!(toml.to_string(), "5m33.333333s");
        // Measured times keep the shorter style.
        assert_eq!(format_duration(Duration::from_micros(1_000_500)), "1.001s");
    }

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
    fn values_are_whole_microseconds() {
        let us = Duration::from_micros;
        assert_eq!(parse_duration("0.4ms"), Ok(us(400)));
        assert_eq!(parse_duration("1.6ms"), Ok(us(1600)));
        assert_eq!(parse_duration("0.0004"), Ok(us(400)));
        assert_eq!(parse_duration("0.0000004"), Ok(Duration::ZERO));
        let d: Dur = toml::from_str::<toml::Table>("d = 0.0016").unwrap()["d"]
            .clone()
            .try_into()
            .unwrap();
        assert_eq!(d, Dur(us(1600)));
    }

    #[test]
    fn large_values_format_back_to_the_same_text() {
        // Summed in f64, this once came back as 35.599999994s.
        let d = parse_duration("3777760m35.6s").unwrap();
        let shown = format_duration(d);
        assert_eq!(shown, "62962h40m35.6s");
        assert_eq!(parse_duration(&shown), Ok(d));
    }

    #[test]
    fn a_shown_policy_with_sub_millisecond_values_parses_back() {
        use crate::engine::policy::file::{parse, show};
        let text = "[liveness]\nping-interval = \"1.4ms\"\nping-timeout = 0.0026\n";
        let policy = parse("p.toml", text).unwrap();
        assert_eq!(policy.ping_interval, Duration::from_micros(1400));
        let back = parse("shown.toml", &show(&policy)).unwrap();
        assert_eq!(
            (back.ping_interval, back.ping_timeout),
            (policy.ping_interval, policy.ping_timeout)
        );
        // Below half a microsecond is zero, refused where zero is.
        assert!(parse("p.toml", "[liveness]\nping-interval = \"0.0004ms\"\n").is_err());
    }

    #[test]
    fn formats_round_trip() {
        for s in [
            "500ms",
            "5s",
            "1.5s",
            "2m",
            "1m30s",
            "1h",
            "0s",
            "2.88s",
            "1m4s",
            "1m4.5s",
            "0.4ms",
            "12.345ms",
            "1h30s",
            "2h3m4.005s",
        ] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
    }

    #[test]
    fn formats_in_one_style() {
        let ms = Duration::from_millis;
        assert_eq!(format_duration(ms(250)), "250ms");
        assert_eq!(format_duration(ms(2_880)), "2.88s");
        assert_eq!(format_duration(ms(60_050)), "1m0.05s");
        assert_eq!(format_duration(ms(64_000)), "1m4s");
        assert_eq!(format_duration(ms(117_340)), "1m57.34s");
        assert_eq!(format_duration(ms(3_600_000)), "1h");
        assert_eq!(format_duration(ms(3_661_000)), "1h1m1s");
        assert_eq!(format_duration(Duration::from_micros(400)), "0.4ms");
        // Nanoseconds round to the nearest microsecond, milliseconds above a second.
        assert_eq!(format_duration(Duration::from_nanos(1_999_999_600)), "2s");
        assert_eq!(
            format_duration(Duration::from_nanos(999_999_400)),
            "999.999ms"
        );
        assert_eq!(format_duration(Duration::from_nanos(100)), "0s");
    }

    #[test]
    fn measured_times_keep_three_significant_digits() {
        assert_eq!(format_millis(0.6), "0.6ms");
        assert_eq!(format_millis(0.723), "0.723ms");
        assert_eq!(format_millis(12.345), "12.3ms");
        assert_eq!(format_millis(250.4), "250ms");
        assert_eq!(format_millis(1_234.5), "1.23s");
        assert_eq!(format_millis(64_567.0), "1m4.6s");
        assert_eq!(format_millis(0.0), "0s");
        assert_eq!(format_millis(f64::NAN), "0s");
    }

    #[test]
    fn countdowns_show_tenths_rounded_up() {
        let ms = Duration::from_millis;
        assert_eq!(format_countdown(ms(3_401)), "3.5s");
        assert_eq!(format_countdown(ms(800)), "0.8s");
        assert_eq!(format_countdown(ms(3_000)), "3.0s");
        assert_eq!(format_countdown(Duration::ZERO), "0.0s");
        assert_eq!(format_countdown(ms(64_500)), "1m4.5s");
        assert_eq!(format_countdown(ms(3_600_000)), "1h0.0s");
        // A countdown reads back as the duration it shows.
        assert_eq!(parse_duration("1m4.5s"), Ok(ms(64_500)));
    }

    #[test]
    fn windows_join_two_durations() {
        let ms = Duration::from_millis;
        assert_eq!(format_window(ms(1_000), ms(5_000)), "1s-5s");
        assert_eq!(format_window(ms(32_000), ms(64_000)), "32s-1m4s");
        assert_eq!(format_window(ms(500), ms(2_500)), "500ms-2.5s");
    }
}
