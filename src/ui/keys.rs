//! Keys into the app: looking a key up in the active layer, typing into the open prompt, and
//! accepting what a prompt holds (palette command, filter, confirmation, choice, form).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::app::{App, Overlay, ToastLevel};
use super::msg::Effect;
use super::palette::{Command, PaletteOutcome};
use crate::keymap::{Action, KeyChord, Layer};

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Option<Effect> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let chord = KeyChord::from_event(&key)?;
        let layer = self.active_layer();
        if let Some(action) = self.keymap.lookup(layer, chord) {
            return self.perform(action);
        }
        if layer.is_text_input() {
            self.type_into_prompt(key);
        }
        None
    }

    /// Unbound keys in a prompt edit its text.
    fn type_into_prompt(&mut self, key: KeyEvent) {
        let plain = !key.modifiers.intersects(
            crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT,
        );
        let (input, palette) = match &mut self.overlay {
            Some(Overlay::Palette(palette)) => (&mut palette.input, true),
            Some(Overlay::Filter(input)) => (input, false),
            Some(Overlay::Confirm(confirmation)) => (&mut confirmation.typed, false),
            Some(Overlay::Choose(choice)) => {
                choice.highlighted = 0;
                (&mut choice.input, false)
            }
            Some(Overlay::Form(form)) => match form.focused_input() {
                Some(input) => (input, false),
                None => return,
            },
            _ => return,
        };
        match key.code {
            KeyCode::Char(c) if plain => input.push(c),
            KeyCode::Backspace => input.backspace(),
            _ => return,
        }
        if palette && let Some(Overlay::Palette(palette)) = &mut self.overlay {
            palette.edited();
        }
        self.dirty = true;
    }

    pub(super) fn accept(&mut self) -> Option<Effect> {
        match self.overlay.take() {
            Some(Overlay::Palette(palette)) => match palette.accept() {
                PaletteOutcome::Run(Command::Action(action)) => self.perform(action),
                PaletteOutcome::Run(Command::Show(view)) => {
                    self.show(view);
                    None
                }
                PaletteOutcome::Unknown(typed) => {
                    let key = self.key_hint(Layer::Palette, Action::Complete);
                    self.notify(
                        ToastLevel::Error,
                        format!("unknown command `{typed}` ({key} completes)"),
                    );
                    None
                }
                PaletteOutcome::Namespace(namespace) => {
                    self.set_namespace(&namespace);
                    None
                }
                PaletteOutcome::Context(name) => self.switch_context(&name),
                PaletteOutcome::Why(app) => {
                    self.explain_pipeline(Some(app));
                    None
                }
                PaletteOutcome::Contexts => {
                    self.list_contexts();
                    None
                }
                PaletteOutcome::Empty => None,
            },
            Some(Overlay::Confirm(confirmation)) => self.confirm(confirmation),
            Some(Overlay::Choose(choice)) => match choice.chosen() {
                Some(intent) => self.ask(intent),
                None => {
                    self.overlay = Some(Overlay::Choose(choice));
                    None
                }
            },
            Some(Overlay::Form(form)) => self.ask(form.intent()),
            Some(Overlay::Filter(input)) => {
                let screen = self.screen_mut();
                screen.filter = crate::view::filter::Filter::parse(input.text());
                screen.cursor = 0;
                if let Some(problem) = self.filter().problem() {
                    let problem = problem.to_string();
                    self.notify(ToastLevel::Warning, problem);
                }
                None
            }
            other => {
                self.overlay = other;
                None
            }
        }
    }
}
