//! Draws a detail view (Rollouts from the store; Workflows and Applications from the fetched
//! object) line by line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::model::Kind;
use crate::theme::Slot;
use crate::ui::app::{App, View};

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let lines: Vec<Line<'static>> = match (app.view(), &app.detail) {
        (View::Detail(Kind::Rollout), Some(key)) => {
            crate::view::rollout_detail::build(&app.store, key, app.now())
                .into_iter()
                .map(|cells| {
                    Line::from(
                        cells
                            .into_iter()
                            .map(|c| Span::styled(c.text, theme.style(c.slot)))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect()
        }
        (View::Detail(kind @ (Kind::Workflow | Kind::Application)), Some(key)) => {
            match &app.detail_object {
                None => vec![Line::styled(
                    format!("loading {key}..."),
                    theme.style(Slot::Muted),
                )],
                Some(Err(error)) => vec![Line::styled(
                    format!("cannot fetch {key}: {error}"),
                    theme.style(Slot::Error),
                )],
                Some(Ok(object)) => {
                    let view = if kind == Kind::Workflow {
                        crate::view::workflow_detail::build(object, app.now())
                    } else {
                        crate::view::application_detail::build(object, app.now())
                    };
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
                }
            }
        }
        _ => vec![Line::styled("Nothing to show.", theme.style(Slot::Muted))],
    };
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
