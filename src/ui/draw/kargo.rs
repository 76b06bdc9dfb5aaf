//! Draws the Kargo view: the Warehouses on top, the Freight × Stage matrix (selectable, sortable,
//! filtered) in the middle, the newest Promotions below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::list::{breadcrumbs, filter_title, sorted_titles, table_lines};
use crate::theme::Slot;
use crate::ui::app::App;
use crate::view::cell::Cell;
use crate::view::kargo;

/// Rows of the Warehouses box before it stops growing.
const WAREHOUSE_ROWS: usize = 4;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let view = kargo::build(&app.store, app.scope(), app.filter(), app.now());
    let mut freight = view.freight;
    app.screen().sort.apply(&mut freight);
    let height = |rows: usize| u16::try_from(rows.max(1) + 3).unwrap_or(u16::MAX);
    let [warehouse_area, matrix_area, promotion_area] = Layout::vertical([
        Constraint::Length(height(view.warehouses.len().min(WAREHOUSE_ROWS))),
        Constraint::Min(4),
        Constraint::Length(height(view.promotions.len())),
    ])
    .areas(area);
    let boxed = |title: Vec<Span<'static>>, focused: bool| {
        let border = if focused {
            Slot::BorderFocused
        } else {
            Slot::Border
        };
        Block::bordered()
            .border_set(app.symbols.border)
            .border_style(theme.style(border))
            .title(Line::from(title))
    };
    let titled = |text: &str| vec![Span::styled(format!(" {text} "), theme.style(Slot::Title))];
    let owned = |titles: &[&str]| titles.iter().map(|t| t.to_string()).collect::<Vec<_>>();

    let mut lines = table_lines(
        app,
        &owned(&[
            "PROJECT",
            "WAREHOUSE",
            "STATUS",
            "SUBSCRIPTIONS",
            "FREIGHT",
            "MESSAGE",
        ]),
        &view.warehouses,
        None,
        warehouse_area,
    );
    empty_note(
        app,
        &mut lines,
        view.warehouses.is_empty(),
        crate::model::Kind::Warehouse,
    );
    frame.render_widget(
        Paragraph::new(lines).block(boxed(titled("Warehouses"), false)),
        warehouse_area,
    );

    let rows: Vec<Vec<Cell>> = freight.into_iter().map(|row| row.cells).collect();
    let mut lines = table_lines(
        app,
        &sorted_titles(app),
        &rows,
        Some(app.cursor()),
        matrix_area,
    );
    empty_note(
        app,
        &mut lines,
        rows.is_empty(),
        crate::model::Kind::Freight,
    );
    let mut title = titled(&breadcrumbs(app, area.width));
    title.push(Span::styled(
        format!("Freight × Stage [{}] ", rows.len()),
        theme.style(Slot::Muted),
    ));
    title.extend(filter_title(app));
    frame.render_widget(Paragraph::new(lines).block(boxed(title, true)), matrix_area);

    let mut lines = table_lines(
        app,
        &owned(kargo::PROMOTION_COLUMNS),
        &view.promotions,
        None,
        promotion_area,
    );
    empty_note(
        app,
        &mut lines,
        view.promotions.is_empty(),
        crate::model::Kind::Promotion,
    );
    frame.render_widget(
        Paragraph::new(lines).block(boxed(titled("Newest Promotions"), false)),
        promotion_area,
    );
}

/// Under an empty table: "No Freight (not installed)." and the like.
fn empty_note(app: &App, lines: &mut Vec<Line<'static>>, empty: bool, kind: crate::model::Kind) {
    if empty {
        lines.push(Line::styled(
            format!("No {} ({}).", kind.title(), app.store.describe_watch(kind)),
            app.theme.style(Slot::Muted),
        ));
    }
}
