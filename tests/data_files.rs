//! Every shipped theme and keymap parses without a warning, and broken files give the expected
//! warnings (file, line, what is wrong) while the rest of the file still applies.

mod common;

use std::path::Path;

use flightdeck::keymap::{Action, KeyChord, Keymap, Layer};
use flightdeck::settings::Warning;
use flightdeck::theme::{ColorDepth, Slot, Theme};
use ratatui::style::{Color, Modifier};

fn shipped(folder: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("folder exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| {
            path.file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn rendered(warnings: &[Warning]) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn every_shipped_theme_is_embedded_complete_and_clean() {
    let names = shipped("themes");
    assert!(names.len() >= 5, "{names:?}");
    let catalog = Theme::catalog(None);
    for name in &names {
        let source = catalog
            .builtin(name)
            .unwrap_or_else(|| panic!("themes/{name}.toml is not embedded"));
        let on_disk = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("themes")
                .join(format!("{name}.toml")),
        )
        .expect("read");
        assert_eq!(source.text, on_disk);
        let (theme, warnings) = Theme::load(&catalog, name, ColorDepth::TrueColor);
        assert_eq!(rendered(&warnings), Vec::<String>::new(), "theme {name}");
        assert_eq!(theme.name, *name);
    }
    for required in ["default", "light", "high-contrast", "colorblind", "mono"] {
        assert!(
            names.iter().any(|n| n == required),
            "missing theme {required}"
        );
    }
}

#[test]
fn mono_has_no_colours_and_keeps_meaning_in_modifiers() {
    let (theme, _) = Theme::load(&Theme::catalog(None), "mono", ColorDepth::TrueColor);
    assert_eq!(theme.depth, ColorDepth::None);
    for slot in Slot::ALL {
        let style = theme.style(*slot);
        assert!(
            style.fg.is_none_or(|c| c == Color::Reset)
                && style.bg.is_none_or(|c| c == Color::Reset),
            "{slot:?} has a colour: {style:?}"
        );
    }
    assert!(
        theme
            .style(Slot::Selection)
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    assert!(
        theme
            .style(Slot::HealthDegraded)
            .add_modifier
            .contains(Modifier::BOLD)
    );
}

#[test]
fn colours_follow_the_terminal_depth() {
    let catalog = Theme::catalog(None);
    let (truecolor, _) = Theme::load(&catalog, "default", ColorDepth::TrueColor);
    let (indexed, _) = Theme::load(&catalog, "default", ColorDepth::Ansi256);
    let (sixteen, _) = Theme::load(&catalog, "default", ColorDepth::Ansi16);
    assert!(matches!(
        truecolor.style(Slot::HealthDegraded).fg,
        Some(Color::Rgb(..))
    ));
    assert!(matches!(
        indexed.style(Slot::HealthDegraded).fg,
        Some(Color::Indexed(_))
    ));
    assert_eq!(
        sixteen.style(Slot::HealthDegraded).fg,
        Some(Color::LightRed)
    );
    assert_eq!(
        sixteen.style(Slot::HealthHealthy).fg,
        Some(Color::LightGreen)
    );
}

#[test]
fn every_shipped_keymap_is_embedded_and_clean() {
    let names = shipped("keymaps");
    assert!(names.len() >= 2, "{names:?}");
    let catalog = Keymap::catalog(None);
    for name in &names {
        assert!(
            catalog.builtin(name).is_some(),
            "keymaps/{name}.toml is not embedded"
        );
        let (keymap, warnings) = Keymap::load(&catalog, name, None);
        assert_eq!(rendered(&warnings), Vec::<String>::new(), "keymap {name}");
        for action in [
            Action::Quit,
            Action::Help,
            Action::CommandPalette,
            Action::Filter,
            Action::Back,
        ] {
            assert!(
                !keymap.keys_for(Layer::Pipeline, action).is_empty(),
                "{name}: {action:?} has no key"
            );
        }
    }
}

#[test]
fn default_keymap_is_k9s_like() {
    let (keymap, _) = Keymap::load(&Keymap::catalog(None), "default", None);
    let key = |text: &str| KeyChord::parse(text).expect("key");
    let expected = [
        (":", Action::CommandPalette),
        ("/", Action::Filter),
        ("?", Action::Help),
        ("esc", Action::Back),
        ("j", Action::SelectNext),
        ("k", Action::SelectPrev),
        ("g", Action::SelectFirst),
        ("G", Action::SelectLast),
        ("ctrl-d", Action::PageDown),
        ("ctrl-u", Action::PageUp),
        ("enter", Action::Open),
        ("tab", Action::NextPane),
        ("q", Action::Quit),
    ];
    for (text, action) in expected {
        assert_eq!(
            keymap.lookup(Layer::Pipeline, key(text)),
            Some(action),
            "{text}"
        );
    }
    // In prompts, letters are typed, not looked up globally.
    assert_eq!(keymap.lookup(Layer::Palette, key("q")), None);
    assert_eq!(
        keymap.lookup(Layer::Palette, key("esc")),
        Some(Action::Cancel)
    );
}

#[test]
fn emacs_keymap_unbinds_and_rebinds_defaults() {
    let (keymap, _) = Keymap::load(&Keymap::catalog(None), "emacs", None);
    let key = |text: &str| KeyChord::parse(text).expect("key");
    assert_eq!(keymap.lookup(Layer::Pipeline, key("j")), None);
    assert_eq!(keymap.lookup(Layer::Pipeline, key("ctrl-d")), None);
    assert_eq!(
        keymap.lookup(Layer::Pipeline, key("ctrl-n")),
        Some(Action::SelectNext)
    );
    assert_eq!(keymap.lookup(Layer::Pipeline, key("q")), Some(Action::Quit));
}

#[test]
fn broken_keymap_gives_warnings_with_lines_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.toml");
    let text = "[meta]\nparent = \"default\"\n\n[global]\n\"x\" = \"quit\"\n\"y\" = \"launch-rockets\"\n\"hyper-z\" = \"help\"\n\"C-x\" = \"help\"\n\"ctrl-x\" = \"redraw\"\n\"w\" = 3\n\n[pipeline]\n\"a\" = \"accept\"\n\n[nonsense]\n\"b\" = \"quit\"\n";
    std::fs::write(&path, text).expect("write");
    let spec = path.display().to_string();
    let (keymap, warnings) = Keymap::load(&Keymap::catalog(None), &spec, None);
    assert_eq!(
        rendered(&warnings),
        [
            format!(
                "{spec}:6: [global] `y`: unknown action `launch-rockets`; ignored (see `flightdeck keys --all`)"
            ),
            format!("{spec}:7: [global] unknown modifier `hyper` in key `hyper-z`; ignored"),
            format!(
                "{spec}:9: [global] key `ctrl-x` is bound twice (also on line 8); this one wins"
            ),
            format!("{spec}:10: `w` must be a string, found an integer; ignored"),
            format!(
                "{spec}:13: [pipeline] `a`: action `accept` does nothing in this section; ignored"
            ),
            format!(
                "{spec}:15: unknown section [nonsense] (known: meta, global, pipeline, list, help, detail, warnings, palette, filter, confirm, choose); ignored"
            ),
        ]
    );
    let key = |text: &str| KeyChord::parse(text).expect("key");
    assert_eq!(keymap.lookup(Layer::Pipeline, key("x")), Some(Action::Quit));
    assert_eq!(
        keymap.lookup(Layer::Pipeline, key("ctrl-x")),
        Some(Action::Redraw)
    );
    assert_eq!(
        keymap.lookup(Layer::Pipeline, key("?")),
        Some(Action::Help),
        "the parent's bindings still apply"
    );
}

#[test]
fn invalid_toml_is_one_warning_and_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[global]\n\"q\" = \"quit\"\n\"r\" = \n").expect("write");
    let spec = path.display().to_string();
    let (keymap, warnings) = Keymap::load(&Keymap::catalog(None), &spec, None);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].line, Some(3));
    assert!(
        warnings[0].message.starts_with("not valid TOML"),
        "{}",
        warnings[0]
    );
    assert!(keymap.bindings(Layer::Global).is_empty());
}

#[test]
fn broken_user_theme_gives_warnings_and_inherits_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let themes = dir.path().join("themes");
    std::fs::create_dir_all(&themes).expect("mkdir");
    let text = "[meta]\nparent = \"light\"\n\n[palette]\nbrand = \"#12ab34\"\nugly = \"#zzz\"\n\n[health]\nhealthy = \"brand\"\ndegraded = { fg = \"nosuchcolour\", bold = true }\nfine = \"red\"\nsuspended = 7\n\n[ui]\ntitle = { fg = \"brand\", sparkle = true }\n";
    std::fs::write(themes.join("mine.toml"), text).expect("write");
    let catalog = Theme::catalog(Some(dir.path().to_path_buf()));
    let (theme, warnings) = Theme::load(&catalog, "mine", ColorDepth::TrueColor);
    let label = themes.join("mine.toml").display().to_string();
    assert_eq!(
        rendered(&warnings),
        [
            format!(
                "{label}:6: [palette] `ugly`: `#zzz` is not a colour (#rrggbb, #rgb, an ANSI name or reset); ignored"
            ),
            format!(
                "{label}:11: unknown slot `health.fine` (known: healthy, progressing, degraded, suspended, missing, unknown); ignored"
            ),
            format!(
                "{label}:12: `health.suspended` must be a colour or a style table, found an integer; ignored"
            ),
            format!(
                "{label}:15: `ui.title`: unknown style field `sparkle` (fg, bg, bold, dim, italic, underlined, reversed); ignored"
            ),
            format!(
                "{label}:10: `nosuchcolour` is neither a palette name nor a colour; using the terminal's colour"
            ),
        ]
    );
    assert_eq!(
        theme.style(Slot::HealthHealthy).fg,
        Some(Color::Rgb(0x12, 0xab, 0x34))
    );
    assert!(
        theme
            .style(Slot::HealthDegraded)
            .add_modifier
            .contains(Modifier::BOLD)
    );
    let (light, _) = Theme::load(&catalog, "light", ColorDepth::TrueColor);
    assert_eq!(
        theme.style(Slot::SyncSynced),
        light.style(Slot::SyncSynced),
        "unset slots come from the parent"
    );
}

#[test]
fn unknown_theme_and_parent_cycles_fall_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let themes = dir.path().join("themes");
    std::fs::create_dir_all(&themes).expect("mkdir");
    std::fs::write(themes.join("a.toml"), "[meta]\nparent = \"b\"\n").expect("write");
    std::fs::write(themes.join("b.toml"), "[meta]\nparent = \"a\"\n").expect("write");
    let catalog = Theme::catalog(Some(dir.path().to_path_buf()));
    let (theme, warnings) = Theme::load(&catalog, "a", ColorDepth::TrueColor);
    assert!(
        warnings.iter().any(|w| w.message.contains("a cycle?")),
        "{warnings:?}"
    );
    assert_eq!(theme.name, "a");
    let (theme, warnings) = Theme::load(&catalog, "nope", ColorDepth::TrueColor);
    assert_eq!(theme.name, "default");
    assert!(
        warnings[0]
            .message
            .starts_with("unknown theme `nope` (known: a, b, colorblind, default"),
        "{warnings:?}"
    );
}
