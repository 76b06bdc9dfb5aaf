//! Draws a detail view (Rollouts from the store; Workflows, Applications and AnalysisRuns from
//! the fetched object) line by line, followed by the Events about the object.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::model::Kind;
use crate::theme::Slot;
use crate::ui::app::{App, View};
use crate::view::cell::Cell;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let styled = |view: Vec<Vec<Cell>>| -> Vec<Line<'static>> {
        view.into_iter()
            .map(|cells| {
                Line::from(
                    cells
                        .into_iter()
                        .map(|c| Span::styled(c.text, theme.style(c.slot)))
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    };
    let mut lines: Vec<Line<'static>> = match (app.view(), &app.detail) {
        (View::Detail(Kind::Rollout), Some(key)) => styled(crate::view::rollout_detail::build(
            &app.store,
            key,
            app.now(),
        )),
        (View::Detail(kind), Some(key)) => match &app.detail_object {
            None => vec![Line::styled(
                format!("loading {key}..."),
                theme.style(Slot::Muted),
            )],
            Some(Err(error)) => vec![Line::styled(
                format!("cannot fetch {key}: {error}"),
                theme.style(Slot::Error),
            )],
            Some(Ok(object)) => styled(match kind {
                Kind::Workflow => crate::view::workflow_detail::build(object, app.now()),
                Kind::Application => crate::view::application_detail::build(object, app.now()),
                Kind::AnalysisRun => crate::view::analysis_run_detail::build(object, app.now()),
                _ => Vec::new(),
            }),
        },
        _ => vec![Line::styled("Nothing to show.", theme.style(Slot::Muted))],
    };
    if let (View::Detail(kind), Some(key)) = (app.view(), &app.detail) {
        lines.extend(styled(crate::view::events::about(
            &app.store,
            kind,
            key,
            app.now(),
        )));
    }
    let title = Span::styled(
        format!(" {} ", super::list::breadcrumbs(app)),
        theme.style(Slot::Title),
    );
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(title);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
