//! A policy file's `[classes]` tables are overlays: a key that is written
//! changes that number, every other key keeps the class's built-in value.
//! (Read with serde's plain defaults, `[classes.abnormal] floor = "2s"`
//! would also have switched the class's reconnect off.)

use serde::{Deserialize, Deserializer};

use super::{Class, ClassParams, Classes, Jitter, RestartParams};
use crate::duration::Dur;

/// One class as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct ParamsFile {
    reconnect: Option<bool>,
    floor: Option<Dur>,
    base: Option<Dur>,
    cap: Option<Dur>,
    jitter: Option<Jitter>,
    max_retries: Option<u32>,
}

impl ParamsFile {
    fn over(self, built_in: &ClassParams) -> ClassParams {
        ClassParams {
            reconnect: self.reconnect.unwrap_or(built_in.reconnect),
            floor: self.floor.unwrap_or(built_in.floor),
            base: self.base.unwrap_or(built_in.base),
            cap: self.cap.unwrap_or(built_in.cap),
            jitter: self.jitter.unwrap_or(built_in.jitter),
            max_retries: self.max_retries.or(built_in.max_retries),
        }
    }
}

/// The restart rule as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RestartFile {
    reconnect: Option<bool>,
    first_low: Option<Dur>,
    first_high: Option<Dur>,
    then: Option<Class>,
    then_k: Option<u32>,
}

/// `[classes]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct ClassesFile {
    done: ParamsFile,
    going_away: ParamsFile,
    abnormal: ParamsFile,
    service_restart: RestartFile,
    try_again_later: ParamsFile,
    server_error: ParamsFile,
    fatal: ParamsFile,
    auth: ParamsFile,
}

/// Reads `[classes]` over the built-in classes.
pub(super) fn classes<'de, D: Deserializer<'de>>(d: D) -> Result<Classes, D::Error> {
    let file = ClassesFile::deserialize(d)?;
    let b = Classes::default();
    let r = file.service_restart;
    let br = &b.service_restart;
    Ok(Classes {
        done: file.done.over(&b.done),
        going_away: file.going_away.over(&b.going_away),
        abnormal: file.abnormal.over(&b.abnormal),
        service_restart: RestartParams {
            reconnect: r.reconnect.unwrap_or(br.reconnect),
            first_low: r.first_low.unwrap_or(br.first_low),
            first_high: r.first_high.unwrap_or(br.first_high),
            then: r.then.unwrap_or(br.then),
            then_k: r.then_k.unwrap_or(br.then_k),
        },
        try_again_later: file.try_again_later.over(&b.try_again_later),
        server_error: file.server_error.over(&b.server_error),
        fatal: file.fatal.over(&b.fatal),
        auth: file.auth.over(&b.auth),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::file::parse;
    use rand::SeedableRng;

    use super::super::{Class, History, Outcome, Policy, Trigger};

    #[test]
    fn one_key_changes_one_number_and_keeps_the_class_reconnecting() {
        let p = parse("p.toml", "[classes.abnormal]\nfloor = \"10ms\"\n").unwrap();
        let built_in = Policy::default();
        assert!(p.classes.abnormal.reconnect, "the class still reconnects");
        assert_eq!(p.classes.abnormal.floor.0, Duration::from_millis(10));
        assert_eq!(p.classes.abnormal.cap, built_in.classes.abnormal.cap);
        assert_eq!(p.classes.going_away, built_in.classes.going_away);
        let decision = p.decide(
            &mut History::default(),
            &Outcome::failed(Trigger::Refused),
            &mut rand::rngs::StdRng::seed_from_u64(1),
        );
        assert_eq!(decision.class(), Class::Abnormal);
        assert!(
            matches!(decision, super::super::Decision::Reconnect { .. }),
            "{decision:?}"
        );
    }

    #[test]
    fn the_restart_rule_is_an_overlay_too() {
        let p = parse("p.toml", "[classes.service-restart]\nfirst-high = \"9s\"\n").unwrap();
        assert!(p.classes.service_restart.reconnect);
        assert_eq!(
            p.classes.service_restart.first_high.0,
            Duration::from_secs(9)
        );
        assert_eq!(p.classes.service_restart.then, Class::GoingAway);
    }
}
