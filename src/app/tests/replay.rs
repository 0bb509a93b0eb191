//! The keys of a replay and of the save prompt.

use super::*;

fn replaying() -> Harness {
    let mut h = Harness::new();
    h.app.replay = Some(ReplayView {
        speed: "1×".into(),
        playing: true,
        position: Duration::ZERO,
        finished: false,
        note: None,
    });
    h.open(0);
    h
}

#[test]
fn replay_keys_steer_the_player() {
    let mut h = replaying();
    assert_eq!(h.char(' '), [Effect::Replay(ReplayControl::TogglePlay)]);
    assert_eq!(h.char('.'), [Effect::Replay(ReplayControl::Step)]);
    assert_eq!(h.char(']'), [Effect::Replay(ReplayControl::NextClose)]);
    assert_eq!(h.char('['), [Effect::Replay(ReplayControl::PreviousClose)]);
    assert!(h.char('g').is_empty());
    for c in "1m30s".chars() {
        h.char(c);
    }
    assert_eq!(
        h.key(KeyCode::Enter),
        [Effect::Replay(ReplayControl::Goto(Duration::from_secs(90)))]
    );
    assert_eq!(h.app.mode, Mode::Normal);
}

#[test]
fn a_bad_time_is_said_and_nothing_moves() {
    let mut h = replaying();
    h.char('g');
    for c in "soon".chars() {
        h.char(c);
    }
    assert!(h.key(KeyCode::Enter).is_empty());
    assert!(
        h.app
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("1m30s")
    );
}

#[test]
fn a_replay_sends_nothing_to_an_engine() {
    let mut h = replaying();
    for c in ['r', 'p', 'c', 'i'] {
        assert!(h.char(c).is_empty(), "{c}");
        assert_eq!(h.app.mode, Mode::Normal, "{c}");
        assert!(h.app.notice.is_some(), "{c}");
    }
    assert_eq!(h.char('q'), [Effect::Quit]);
}

#[test]
fn outside_a_replay_the_keys_keep_their_meaning() {
    let mut h = Harness::new();
    h.open(0);
    h.messages(30, 5);
    assert!(h.char(' ').is_empty());
    h.char('g');
    assert!(!h.app.view.follow, "g still goes to the oldest event");
}

#[test]
fn s_proposes_a_name_and_saves_to_what_was_typed() {
    let mut h = Harness::new();
    h.app.save_name = "wsprobe-h-20261129-120000.jsonl".into();
    h.open(0);
    assert!(h.char('s').is_empty());
    let Mode::Prompt(p) = &h.app.mode else {
        panic!("a prompt: {:?}", h.app.mode);
    };
    assert_eq!(p.purpose, Purpose::Save);
    assert_eq!(p.editor.text, "wsprobe-h-20261129-120000.jsonl");
    for _ in 0..6 {
        h.key(KeyCode::Backspace);
    }
    for c in ".log".chars() {
        h.char(c);
    }
    assert_eq!(
        h.key(KeyCode::Enter),
        [Effect::Save("wsprobe-h-20261129-120000.log".into())]
    );
    h.char('s');
    assert!(h.key(KeyCode::Esc).is_empty(), "Esc cancels");
    assert_eq!(h.app.mode, Mode::Normal);
}
