//! Drawing: a pure function of the app state onto a ratatui frame. Layout is a title bar, the
//! current view, a footer, and at most one overlay on top.

mod detail;
mod footer;
mod home;
mod kargo;
mod list;
mod logs;
mod metric_chart;
mod overlays;
mod pipeline_table;
mod prompts;
mod title;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::App;
use crate::theme::Slot;

/// The smallest terminal the cockpit draws in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, app, area);
        return;
    }
    let [title_area, body_area, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    title::draw(frame, app, title_area);
    match app.view() {
        super::screen::View::Pipeline => home::draw(frame, app, body_area),
        super::screen::View::Detail(_) => detail::draw(frame, app, body_area),
        super::screen::View::Kargo => kargo::draw(frame, app, body_area),
        super::screen::View::Logs => logs::draw(frame, app, body_area),
        super::screen::View::Metrics(_) => metric_chart::draw(frame, app, body_area),
        _ => list::draw(frame, app, body_area),
    }
    footer::draw(frame, app, footer_area);
    overlays::draw(frame, app, body_area);
}

fn draw_too_small(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let lines = vec![
        Line::styled("flightdeck", app.theme.style(Slot::Title)),
        Line::styled(
            format!("terminal too small: {}×{}", area.width, area.height),
            app.theme.style(Slot::Warning),
        ),
        Line::styled(
            format!("need at least {MIN_WIDTH}×{MIN_HEIGHT}"),
            app.theme.style(Slot::Muted),
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

/// A rectangle of `width`×`height` centred in `area` (clamped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
