//! Screen snapshots (ratatui TestBackend + insta) of the first screen and the overlays, and
//! cell-level checks that meaning reaches the screen as theme styles.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use flightdeck::cli::Options;
use flightdeck::theme::Slot;
use flightdeck::ui::app::App;
use flightdeck::ui::draw::draw;
use flightdeck::ui::msg::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|frame| draw(frame, app)).expect("draw");
    terminal
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

#[test]
fn first_screen_80x24() {
    insta::assert_snapshot!(screen(&common::app(), 80, 24).backend());
}

#[test]
fn first_screen_160x48() {
    insta::assert_snapshot!(screen(&common::app(), 160, 48).backend());
}

#[test]
fn help_overlay_80x24() {
    let mut app = common::app();
    app.size = (80, 24);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
}

#[test]
fn help_overlay_160x48() {
    let mut app = common::app();
    app.size = (160, 48);
    press(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app, 160, 48).backend());
}

#[test]
fn help_scrolls_to_its_end_and_back() {
    let mut app = common::app();
    app.size = (80, 24);
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('G'));
    let bottom = text(&screen(&app, 80, 24));
    assert!(bottom.contains("Clear the prompt"), "{bottom}");
    assert!(!bottom.contains("keymap default"), "{bottom}");
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('g'));
    let top = text(&screen(&app, 80, 24));
    assert!(top.contains("keymap default"), "{top}");
}

#[test]
fn palette_80x24() {
    let mut app = common::app();
    press(&mut app, KeyCode::Char(':'));
    press(&mut app, KeyCode::Char('h'));
    insta::assert_snapshot!(screen(&app, 80, 24).backend());
}

#[test]
fn palette_runs_a_command_and_reports_unknown_ones() {
    let mut app = common::app();
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('h'),
        KeyCode::Char('e'),
        KeyCode::Tab,
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    assert!(
        text(&screen(&app, 80, 24)).contains("Show or hide the key bindings"),
        "help opened from the palette"
    );
    press(&mut app, KeyCode::Esc);
    for code in [
        KeyCode::Char(':'),
        KeyCode::Char('z'),
        KeyCode::Char('z'),
        KeyCode::Enter,
    ] {
        press(&mut app, code);
    }
    assert!(text(&screen(&app, 80, 24)).contains("unknown command `zz` (tab completes)"));
}

#[test]
fn filter_prompt_and_applied_filter_are_visible() {
    let mut app = common::app();
    for code in [KeyCode::Char('/'), KeyCode::Char('q'), KeyCode::Char('a')] {
        press(&mut app, code);
    }
    assert!(
        text(&screen(&app, 80, 24)).contains("/qa█"),
        "q is typed, not quit"
    );
    press(&mut app, KeyCode::Enter);
    let shown = text(&screen(&app, 80, 24));
    assert!(shown.contains("Pipeline /qa"), "{shown}");
    assert!(shown.contains("esc clear filter"), "{shown}");
    press(&mut app, KeyCode::Esc);
    assert!(!text(&screen(&app, 80, 24)).contains("/qa"));
}

#[test]
fn too_small_terminal_says_so() {
    let shown = text(&screen(&common::app(), 39, 9));
    assert!(shown.contains("terminal too small: 39×9"), "{shown}");
    assert!(shown.contains("need at least 40×10"), "{shown}");
}

#[test]
fn production_context_turns_the_title_into_a_banner() {
    let loaded = common::loaded(&Options::default(), &[]);
    let banner = loaded.theme.style(Slot::ProductionBanner);
    let app = App::new(loaded, common::target("gke-prod-eu", "shop"));
    let terminal = screen(&app, 80, 24);
    assert!(text(&terminal).contains("PRODUCTION"));
    let cell = &terminal.backend().buffer()[(70, 0)];
    assert_eq!(cell.bg, banner.bg.expect("banner has a background"));
    let plain = screen(&common::app(), 80, 24);
    assert!(!text(&plain).contains("PRODUCTION"));
    assert_ne!(plain.backend().buffer()[(70, 0)].bg, cell.bg);
}

#[test]
fn read_only_badge_and_warnings_count() {
    let options = Options {
        read_only: true,
        theme: Some("no-such-theme".into()),
        ..Options::default()
    };
    let app = App::new(
        common::loaded(&options, &[]),
        common::target("kind-dev", "demo"),
    );
    let shown = text(&screen(&app, 100, 24));
    assert!(shown.contains("READ-ONLY"), "{shown}");
    assert!(shown.contains("⚠ 2"), "{shown}");
    assert!(
        shown.contains("2 problems in settings files; press ! to see them"),
        "{shown}"
    );
}

#[test]
fn ascii_locale_draws_without_unicode() {
    let app = App::new(
        common::loaded(&Options::default(), &[("LANG", "C")]),
        common::target("kind-dev", "demo"),
    );
    let shown = text(&screen(&app, 80, 24));
    assert!(shown.contains("+ Pipeline -"), "{shown}");
    assert!(shown.is_ascii(), "{shown}");
}
