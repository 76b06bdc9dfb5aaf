//! Scrolling the overlays that scroll (help, warnings, YAML, `:why`) — and the list selection
//! when no overlay is open — within what they have to show.

use super::app::{App, Overlay};
use super::help::help_sections;
use crate::keymap::Action;

impl App {
    /// Lines in the open scrolling overlay.
    fn overlay_lines(&self) -> usize {
        match &self.overlay {
            Some(Overlay::Help { .. }) => {
                1 + help_sections(&self.keymap, self.view_layer())
                    .iter()
                    .map(|section| 2 + section.rows.len())
                    .sum::<usize>()
            }
            Some(Overlay::Warnings { .. }) => self.warnings.len(),
            Some(Overlay::Yaml {
                text: Some(Ok(text)),
                ..
            }) => text.lines().count() + 1,
            Some(Overlay::Text { lines, .. }) => lines.len(),
            _ => 0,
        }
    }

    pub(super) fn scroll(&mut self, action: Action) {
        if self.overlay.is_none() {
            self.move_selection(action);
            return;
        }
        let lines = self.overlay_lines();
        // The overlay box is the screen less title, footer and a margin of one row each side.
        let box_height = self.size.1.saturating_sub(4);
        let (Some(Overlay::Help { scroll })
        | Some(Overlay::Warnings { scroll })
        | Some(Overlay::Yaml { scroll, .. })
        | Some(Overlay::Text { scroll, .. })) = &mut self.overlay
        else {
            return;
        };
        let wanted = match action {
            Action::SelectNext => scroll.saturating_add(1),
            Action::SelectPrev => scroll.saturating_sub(1),
            Action::SelectFirst => 0,
            Action::SelectLast => u16::MAX,
            Action::PageDown => scroll.saturating_add(10),
            _ => scroll.saturating_sub(10),
        };
        *scroll = clamp_scroll(lines, box_height, wanted);
    }
}

/// The largest useful scroll offset for `lines` in a bordered box of `height` rows.
pub fn clamp_scroll(lines: usize, height: u16, scroll: u16) -> u16 {
    let visible = usize::from(height.saturating_sub(2));
    let max = lines.saturating_sub(visible);
    scroll.min(u16::try_from(max).unwrap_or(u16::MAX))
}
