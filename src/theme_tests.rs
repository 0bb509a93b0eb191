use super::*;

#[test]
fn every_builtin_parses() {
    let themes = Theme::builtins().expect("built-ins parse");
    let names: Vec<_> = themes.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["default", "light", "high-contrast", "mono"]);
}

#[test]
fn every_file_in_themes_dir_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("themes/ exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            load_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            count += 1;
        }
    }
    assert!(count >= 4);
}

#[test]
fn themes_differ() {
    let themes = Theme::builtins().expect("built-ins parse");
    for (i, a) in themes.iter().enumerate() {
        for b in &themes[i + 1..] {
            assert_ne!((a.fg, a.bg, a.accent), (b.fg, b.bg, b.accent), "{a} vs {b}");
        }
    }
}

#[test]
fn a_partial_theme_takes_the_rest_from_default() {
    let default = Theme::builtin("default").expect("exists").expect("parses");
    let theme = parse(
        "accent = \"red\"\nerror = \"#010203\"\n",
        "mine",
        "mine.toml",
    )
    .expect("ok");
    assert_eq!(theme.accent, Color::Red);
    assert_eq!(theme.error, Color::Rgb(1, 2, 3));
    assert_eq!(theme.fg, default.fg);
    assert_eq!(theme.selection, default.selection);
    assert_eq!(theme.name, "mine");
}

#[test]
fn an_unknown_key_names_file_line_and_key() {
    let err =
        parse("fg = \"red\"\n\nacent = \"blue\"\n", "x", "themes/x.toml").expect_err("must fail");
    let text = err.to_string();
    assert!(text.contains("themes/x.toml"), "{text}");
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("`acent`"), "{text}");
}

#[test]
fn a_bad_colour_names_file_line_and_key() {
    let err = parse("\nwarn = \"orangeish\"\n", "x", "x.toml").expect_err("must fail");
    let text = err.to_string();
    assert!(text.contains("line 2") && text.contains("`warn`"), "{text}");
    assert!(text.contains("orangeish"), "{text}");
    let err = parse("ok = \"#12345\"\n", "x", "x.toml").expect_err("must fail");
    assert!(err.to_string().contains("`ok`"));
    let err = parse("ok = 3\n", "x", "x.toml").expect_err("must fail");
    assert!(err.to_string().contains("integer"), "{err}");
}

#[test]
fn a_syntax_error_names_the_line() {
    let err = parse("fg = \"red\"\nbg = \n", "x", "x.toml").expect_err("must fail");
    let text = err.to_string();
    assert!(text.contains("x.toml") && text.contains("line 2"), "{text}");
}

#[test]
fn select_prefers_search_dirs_then_builtins() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("light.toml"), "accent = \"red\"\n").expect("write");
    std::fs::write(dir.path().join("ocean.toml"), "accent = \"blue\"\n").expect("write");
    let dirs = [dir.path().to_path_buf()];
    assert_eq!(
        select(Some("light"), false, &dirs).expect("ok").accent,
        Color::Red
    );
    assert_eq!(
        select(Some("ocean"), false, &dirs).expect("ok").accent,
        Color::Blue
    );
    assert_eq!(select(Some("mono"), false, &dirs).expect("ok").name, "mono");
    let err = select(Some("nope"), false, &dirs)
        .expect_err("must fail")
        .to_string();
    assert!(
        err.contains("nope") && err.contains("ocean") && err.contains("mono"),
        "{err}"
    );
    let names: Vec<_> = available(&dirs).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["light", "ocean", "default", "high-contrast", "mono"]
    );
}

#[test]
fn select_loads_a_file_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("custom.toml");
    std::fs::write(&file, "sent = \"yellow\"\n").expect("write");
    let theme = select(file.to_str(), false, &[]).expect("ok");
    assert_eq!((theme.name.as_str(), theme.sent), ("custom", Color::Yellow));
    let missing = select(Some("./missing.toml"), false, &[])
        .expect_err("must fail")
        .to_string();
    assert!(missing.contains("missing.toml"), "{missing}");
}

#[test]
fn no_color_selects_mono_unless_a_theme_is_named() {
    assert_eq!(select(None, true, &[]).expect("ok").name, "mono");
    assert_eq!(select(None, false, &[]).expect("ok").name, "default");
    assert_eq!(select(Some("light"), true, &[]).expect("ok").name, "light");
}

#[test]
fn mono_uses_modifiers_not_colours() {
    let mono = Theme::builtin("mono").expect("exists").expect("parses");
    assert!(mono.selection().add_modifier.contains(Modifier::REVERSED));
    assert_eq!(mono.selection().bg, None);
    assert!(mono.error().add_modifier.contains(Modifier::BOLD));
    for style in [mono.base(), mono.ok(), mono.sent(), mono.received()] {
        assert!(matches!(style.fg, None | Some(Color::Reset)));
    }
}
