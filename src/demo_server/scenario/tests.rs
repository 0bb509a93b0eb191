use super::*;

fn parse(target: &str) -> Result<Target, RouteError> {
    Target::parse(target)
}

#[test]
fn names_and_paths() {
    assert_eq!(parse("/"), Ok(Target::Root));
    assert_eq!(parse("/?x=1"), Ok(Target::Root));
    assert_eq!(parse("/echo"), Ok(Target::Scenario(Scenario::Echo)));
    assert_eq!(parse("/echo/"), Ok(Target::Scenario(Scenario::Echo)));
    assert_eq!(
        parse("/going-away"),
        Ok(Target::Scenario(Scenario::GoingAway))
    );
    assert!(matches!(parse("/nope"), Err(RouteError::NotFound(_))));
    assert!(matches!(parse("/echo/more"), Err(RouteError::NotFound(_))));
}

#[test]
fn close_codes_cover_two_bytes() {
    let code = |t: &str| match parse(t) {
        Ok(Target::Scenario(Scenario::Close(spec))) => Ok(spec.code),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(code("/close/0"), Ok(Some(0)));
    assert_eq!(code("/close/1005"), Ok(Some(1005)));
    assert_eq!(code("/close/65535"), Ok(Some(65535)));
    assert_eq!(code("/close/empty"), Ok(None));
    assert!(matches!(code("/close/65536"), Err(RouteError::Invalid(_))));
    assert!(matches!(code("/close/70000"), Err(RouteError::Invalid(_))));
    assert!(matches!(code("/close/abc"), Err(RouteError::Invalid(_))));
    assert!(matches!(code("/close/-1"), Err(RouteError::Invalid(_))));
    assert!(matches!(parse("/close"), Err(RouteError::Invalid(_))));
}

#[test]
fn close_query_is_decoded() {
    let Ok(Target::Scenario(Scenario::Close(spec))) =
        parse("/close/4000?reason=too%20busy&after=250ms")
    else {
        panic!("not a close");
    };
    assert_eq!(spec.reason, "too busy");
    assert_eq!(spec.after, Duration::from_millis(250));
    assert!(matches!(
        parse("/close/4000?after=soon"),
        Err(RouteError::Invalid(_))
    ));
    assert_eq!(
        Scenario::Close(spec).path(),
        "/close/4000?reason=too+busy&after=250ms"
    );
}

#[test]
fn reasons_are_cut_at_a_char_boundary() {
    let long = "é".repeat(100); // 200 bytes
    let cut = truncate_reason(&long);
    assert!(cut.len() <= MAX_REASON_BYTES);
    assert_eq!(cut.len(), 122);
    assert_eq!(truncate_reason("short"), "short");
}

#[test]
fn statuses_and_flood_bounds() {
    assert_eq!(
        parse("/reject/503"),
        Ok(Target::Scenario(Scenario::Reject(503)))
    );
    assert_eq!(
        parse("/reject/200"),
        Ok(Target::Scenario(Scenario::Reject(200)))
    );
    assert!(matches!(parse("/reject/99"), Err(RouteError::Invalid(_))));
    assert!(matches!(parse("/reject/101"), Err(RouteError::Invalid(_))));
    assert!(matches!(parse("/reject/600"), Err(RouteError::Invalid(_))));
    assert_eq!(
        parse("/flood"),
        Ok(Target::Scenario(Scenario::Flood {
            count: 1000,
            size: 32
        }))
    );
    assert_eq!(
        parse("/flood?n=5&size=0"),
        Ok(Target::Scenario(Scenario::Flood { count: 5, size: 0 }))
    );
    assert!(matches!(parse("/flood?n=x"), Err(RouteError::Invalid(_))));
    assert!(matches!(
        parse("/flood?size=999999999999"),
        Err(RouteError::Invalid(_))
    ));
}

#[test]
fn fleet_paths_take_their_numbers() {
    assert_eq!(
        parse("/deploy"),
        Ok(Target::Scenario(Scenario::Deploy { code: 1012 }))
    );
    assert_eq!(
        parse("/deploy?code=1001"),
        Ok(Target::Scenario(Scenario::Deploy { code: 1001 }))
    );
    assert_eq!(
        parse("/rolling?batches=4"),
        Ok(Target::Scenario(Scenario::Rolling {
            batches: 4,
            code: 1012
        }))
    );
    assert_eq!(
        parse("/capacity?max=50"),
        Ok(Target::Scenario(Scenario::Capacity { max: 50 }))
    );
    assert!(matches!(
        parse("/capacity?max=x"),
        Err(RouteError::Invalid(_))
    ));
    for s in [
        Scenario::Deploy { code: 1001 },
        Scenario::Rolling {
            batches: 3,
            code: 1001,
        },
        Scenario::Capacity { max: 7 },
    ] {
        assert_eq!(s.path().parse::<Scenario>().as_ref(), Ok(&s));
    }
}

#[test]
fn scenario_names_parse_like_paths() {
    assert_eq!("cycle".parse(), Ok(Scenario::Cycle));
    assert_eq!("/drop".parse(), Ok(Scenario::Drop));
    assert_eq!("reject/429".parse(), Ok(Scenario::Reject(429)));
    assert!("".parse::<Scenario>().is_err());
    assert!("bogus".parse::<Scenario>().is_err());
    for s in CYCLE
        .iter()
        .chain([&Scenario::Echo, &Scenario::Silent, &Scenario::Cycle])
    {
        assert_eq!(s.path().parse::<Scenario>().as_ref(), Ok(s));
    }
}
