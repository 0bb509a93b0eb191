//! The reconnect policy: SPEC §4 defaults, table-driven, plus properties that
//! must hold for every input.

use std::time::Duration;

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use wsprobe::engine::policy;
use wsprobe::engine::policy::{Class, Decision, History, Outcome, Policy, Trigger};

const S: fn(u64) -> Duration = Duration::from_secs;
const MS: fn(u64) -> Duration = Duration::from_millis;

fn first(trigger: Trigger) -> Decision {
    let mut rng = StdRng::seed_from_u64(1);
    Policy::default().decide(&mut History::default(), &Outcome::failed(trigger), &mut rng)
}

fn window(d: &Decision) -> (Duration, Duration) {
    match d {
        Decision::Reconnect { window, .. } => *window,
        Decision::Stop { reason, .. } => panic!("expected a reconnect, got stop: {reason}"),
    }
}

#[test]
fn every_trigger_gets_the_class_of_the_spec() {
    use Class::*;
    let table: &[(Trigger, Class)] = &[
        (Trigger::Code(1000), Done),
        (Trigger::User, Done),
        (Trigger::Code(1001), GoingAway),
        (Trigger::Code(1005), GoingAway),
        (Trigger::Code(1006), Abnormal),
        (Trigger::Code(1014), Abnormal),
        (Trigger::Refused, Abnormal),
        (Trigger::Dns, Abnormal),
        (Trigger::Timeout, Abnormal),
        (Trigger::Liveness, Abnormal),
        (Trigger::Http(500), Abnormal),
        (Trigger::Http(502), Abnormal),
        (Trigger::Code(1012), ServiceRestart),
        (Trigger::Code(1013), TryAgainLater),
        (Trigger::Http(429), TryAgainLater),
        (Trigger::Http(503), TryAgainLater),
        (Trigger::Code(1011), ServerError),
        (Trigger::Code(1002), Fatal),
        (Trigger::Code(1003), Fatal),
        (Trigger::Code(1007), Fatal),
        (Trigger::Code(1009), Fatal),
        (Trigger::Code(1010), Fatal),
        (Trigger::Code(1015), Fatal),
        (Trigger::Tls, Fatal),
        (Trigger::Http(400), Fatal),
        (Trigger::Http(404), Fatal),
        (Trigger::Http(426), Fatal),
        (Trigger::Http(200), Fatal),
        (Trigger::Http(301), Fatal),
        (Trigger::NotHttp, Fatal),
        (Trigger::Violation, Fatal),
        (Trigger::Code(1004), Fatal),
        (Trigger::Code(999), Fatal),
        (Trigger::Code(2000), Fatal),
        (Trigger::Code(5000), Fatal),
        (Trigger::Code(1008), Auth),
        (Trigger::Http(401), Auth),
        (Trigger::Http(403), Auth),
        (Trigger::Code(3000), Auth),
        (Trigger::Code(3003), Auth),
        (Trigger::Code(3008), Abnormal),
        (Trigger::Code(3500), Abnormal),
        (Trigger::Code(4000), Abnormal),
        (Trigger::Code(4999), Abnormal),
    ];
    let policy = Policy::default();
    for (trigger, class) in table {
        assert_eq!(policy.classify(*trigger), *class, "{trigger:?}");
        assert_eq!(first(*trigger).class(), *class, "{trigger:?}");
    }
}

#[test]
fn first_windows_match_the_spec() {
    assert_eq!(window(&first(Trigger::Code(1001))), (MS(500), MS(1500)));
    assert_eq!(window(&first(Trigger::Code(1006))), (S(1), S(2)));
    assert_eq!(window(&first(Trigger::Code(1012))), (S(1), S(5)));
    assert_eq!(window(&first(Trigger::Code(1013))), (MS(500), S(1)));
    assert_eq!(window(&first(Trigger::Code(1011))), (S(2), S(4)));
    let Decision::Reconnect { rule, .. } = first(Trigger::Code(1012)) else {
        panic!("1012 must reconnect")
    };
    assert_eq!(rule, "service restart: uniform 1s-5s");
}

#[test]
fn backoff_grows_to_the_cap() {
    let policy = Policy::default();
    let mut h = History::default();
    let mut rng = StdRng::seed_from_u64(9);
    let highs: Vec<Duration> = (0..9)
        .map(|_| window(&policy.decide(&mut h, &Outcome::failed(Trigger::Refused), &mut rng)).1)
        .collect();
    let expected: Vec<Duration> = [2, 3, 5, 9, 17, 33, 61, 61, 61].map(S).to_vec();
    assert_eq!(highs, expected);
}

#[test]
fn equal_jitter_for_try_again_later_caps_at_two_minutes() {
    let policy = Policy::default();
    let mut h = History {
        failures: 10,
        ..History::default()
    };
    let mut rng = StdRng::seed_from_u64(9);
    let d = policy.decide(&mut h, &Outcome::failed(Trigger::Code(1013)), &mut rng);
    assert_eq!(window(&d), (S(60), S(120)));
}

#[test]
fn a_failed_restart_retry_continues_as_going_away_from_k_1() {
    let policy = Policy::default();
    let mut h = History::default();
    let mut rng = StdRng::seed_from_u64(3);
    let healthy_1012 = Outcome {
        trigger: Trigger::Code(1012),
        uptime: Some(S(60)),
        received_frame: true,
        retry_after: None,
    };
    assert_eq!(
        window(&policy.decide(&mut h, &healthy_1012, &mut rng)),
        (S(1), S(5))
    );
    let second = policy.decide(&mut h, &Outcome::failed(Trigger::Refused), &mut rng);
    assert_eq!(second.class(), Class::GoingAway);
    assert_eq!(window(&second), (MS(500), MS(2500)));
    let third = policy.decide(&mut h, &Outcome::failed(Trigger::Refused), &mut rng);
    assert_eq!(window(&third), (MS(500), MS(4500)));
}

#[test]
fn retry_after_sets_the_window() {
    let mut rng = StdRng::seed_from_u64(3);
    let outcome = Outcome {
        retry_after: Some(S(20)),
        ..Outcome::failed(Trigger::Http(503))
    };
    let d = Policy::default().decide(&mut History::default(), &outcome, &mut rng);
    assert_eq!(window(&d), (S(20), S(22)));
}

#[test]
fn a_short_retry_after_only_raises_the_backoff_window() {
    let policy = Policy::default();
    let mut h = History {
        failures: 4,
        ..History::default()
    };
    let mut rng = StdRng::seed_from_u64(3);
    let outcome = |secs| Outcome {
        retry_after: Some(S(secs)),
        ..Outcome::failed(Trigger::Http(503))
    };
    // k = 4: the class window is [8s, 16s]; Retry-After 0 must not shorten it.
    let d = policy.decide(&mut h, &outcome(0), &mut rng);
    assert_eq!(window(&d), (S(8), S(16)));
    let mut h = History {
        failures: 4,
        ..History::default()
    };
    let d = policy.decide(&mut h, &outcome(10), &mut rng);
    assert_eq!(window(&d), (S(10), S(16)));
    let Decision::Reconnect { rule, .. } = d else {
        panic!("503 reconnects")
    };
    assert!(rule.ends_with("(Retry-After 10s is below it)"), "{rule}");
}

#[test]
fn server_error_stops_after_five_retries() {
    let policy = Policy::default();
    let mut h = History::default();
    let mut rng = StdRng::seed_from_u64(3);
    let decisions: Vec<bool> = (0..7)
        .map(|_| {
            matches!(
                policy.decide(&mut h, &Outcome::failed(Trigger::Code(1011)), &mut rng),
                Decision::Reconnect { .. }
            )
        })
        .collect();
    assert_eq!(decisions, [true, true, true, true, true, false, false]);
}

#[test]
fn healthy_connections_between_1011s_reset_the_retry_limit() {
    let policy = Policy::default();
    let mut h = History::default();
    let mut rng = StdRng::seed_from_u64(3);
    let after_an_hour = Outcome {
        trigger: Trigger::Code(1011),
        uptime: Some(S(3600)),
        received_frame: true,
        retry_after: None,
    };
    for _ in 0..10 {
        let d = policy.decide(&mut h, &after_an_hour, &mut rng);
        assert!(matches!(d, Decision::Reconnect { .. }), "{d:?}");
    }
}

#[test]
fn reconnect_on_normal_turns_1000_into_going_away() {
    let policy = Policy {
        reconnect_on_normal: true,
        ..Policy::default()
    };
    assert_eq!(policy.classify(Trigger::Code(1000)), Class::GoingAway);
    assert_eq!(policy.classify(Trigger::User), Class::Done);
}

#[test]
fn presets_map_application_codes() {
    let p = policy::file::parse("p.toml", "preset = \"graphql-ws\"").unwrap();
    assert_eq!(p.classify(Trigger::Code(4401)), Class::Auth);
    assert_eq!(p.classify(Trigger::Code(4400)), Class::Fatal);
    assert_eq!(p.classify(Trigger::Code(4408)), Class::Abnormal);
    let p = policy::file::parse("p.toml", "preset = \"discord\"").unwrap();
    assert_eq!(p.classify(Trigger::Code(4004)), Class::Auth);
    assert_eq!(p.classify(Trigger::Code(4014)), Class::Fatal);
    assert_eq!(p.classify(Trigger::Code(4008)), Class::TryAgainLater);
}

fn trigger() -> impl Strategy<Value = Trigger> {
    prop_oneof![
        any::<u16>().prop_map(Trigger::Code),
        prop::sample::select(vec![1000u16, 1001, 1005, 1006, 1011, 1012, 1013, 4000])
            .prop_map(Trigger::Code),
        (100u16..600).prop_map(Trigger::Http),
        Just(Trigger::Dns),
        Just(Trigger::Refused),
        Just(Trigger::Timeout),
        Just(Trigger::Tls),
        Just(Trigger::Liveness),
        Just(Trigger::User),
    ]
}

fn outcome() -> impl Strategy<Value = Outcome> {
    (
        trigger(),
        prop::option::of(0u64..20_000),
        any::<bool>(),
        prop::option::of(0u64..900_000),
    )
        .prop_map(|(trigger, up, frame, ra)| Outcome {
            trigger,
            uptime: up.map(MS),
            received_frame: frame,
            retry_after: ra.map(MS),
        })
}

fn cap_of(policy: &Policy, class: Class) -> Duration {
    match class {
        Class::ServiceRestart => policy.classes.service_restart.first_high.0,
        c => {
            let p = policy.classes.params(c);
            p.floor.0 + p.cap.0
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn delays_stay_inside_windows_and_windows_under_caps(
        outcomes in prop::collection::vec(outcome(), 1..30),
        seed in any::<u64>(),
    ) {
        let policy = Policy::default();
        let mut h = History::default();
        let mut rng = StdRng::seed_from_u64(seed);
        for o in &outcomes {
            if let Decision::Reconnect { delay, window, class, .. } = policy.decide(&mut h, o, &mut rng) {
                prop_assert!(window.0 <= delay && delay <= window.1);
                match o.retry_after {
                    Some(ra) => {
                        let ra = ra.min(policy.max_retry_after);
                        prop_assert!(delay >= ra, "Retry-After is a floor");
                        prop_assert!(window.1 <= (ra.mul_f64(1.1) + MS(1)).max(cap_of(&policy, class)));
                    }
                    None => prop_assert!(window.1 <= cap_of(&policy, class)),
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule(
        outcomes in prop::collection::vec(outcome(), 1..30),
        seed in any::<u64>(),
    ) {
        let run = || {
            let policy = Policy::default();
            let mut h = History::default();
            let mut rng = StdRng::seed_from_u64(seed);
            outcomes.iter().map(|o| policy.decide(&mut h, o, &mut rng)).collect::<Vec<_>>()
        };
        prop_assert_eq!(run(), run());
    }

    #[test]
    fn stop_classes_never_reconnect(o in outcome(), seed in any::<u64>(), failures in 0u32..20) {
        let policy = Policy::default();
        let mut h = History { failures, ..History::default() };
        let d = policy.decide(&mut h, &o, &mut StdRng::seed_from_u64(seed));
        if matches!(policy.classify(o.trigger), Class::Done | Class::Fatal | Class::Auth) {
            let is_stop = matches!(d, Decision::Stop { .. });
            prop_assert!(is_stop);
        }
    }

    #[test]
    fn the_counter_resets_only_after_min_uptime_with_a_frame(
        up_ms in 0u64..20_000, frame in any::<bool>(), failures in 1u32..10,
    ) {
        let policy = Policy::default();
        let mut h = History { failures, ..History::default() };
        let o = Outcome {
            trigger: Trigger::Code(1006),
            uptime: Some(MS(up_ms)),
            received_frame: frame,
            retry_after: None,
        };
        let d = policy.decide(&mut h, &o, &mut StdRng::seed_from_u64(1));
        let healthy = frame && MS(up_ms) >= policy.min_uptime;
        let k = if healthy { 0 } else { failures };
        let expected = policy.classes.abnormal.window(k);
        prop_assert_eq!(window(&d), expected);
        prop_assert_eq!(h.failures, k + 1);
    }

    #[test]
    fn server_error_retries_are_limited(n in 6usize..20, seed in any::<u64>()) {
        let policy = Policy::default();
        let mut h = History::default();
        let mut rng = StdRng::seed_from_u64(seed);
        let retries = (0..n)
            .filter(|_| matches!(
                policy.decide(&mut h, &Outcome::failed(Trigger::Code(1011)), &mut rng),
                Decision::Reconnect { .. }
            ))
            .count();
        prop_assert_eq!(retries, 5);
    }
}
