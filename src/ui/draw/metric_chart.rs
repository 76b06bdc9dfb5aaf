//! Draws a Rollout's metric charts: three ratatui `Chart`s (request rate, error rate, p95) with
//! a time axis in minutes before now, the unit, stable and canary lines and the newest values.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

use crate::model::Kind;
use crate::theme::Slot;
use crate::ui::app::App;
use crate::ui::screen::{Subject, View};
use crate::view::metric_chart::{ChartSeries, Panel, analysis, build};

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Span::styled(
            format!(" {} ", super::list::breadcrumbs(app, area.width)),
            theme.style(Slot::Title),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let now = app.now() as f64;
    let panels = match app.view() {
        View::Metrics(Kind::AnalysisRun) => match app.subject() {
            None | Some(Subject { object: None, .. }) => Err("loading…".into()),
            Some(Subject {
                object: Some(Err(error)),
                ..
            }) => Err(format!("cannot fetch the AnalysisRun: {error}")),
            Some(Subject {
                object: Some(Ok(run)),
                analysis_series,
                ..
            }) => analysis(run, analysis_series, app.prometheus_mode(), now),
        },
        _ => match app
            .subject()
            .and_then(|subject| app.store.rollout(&subject.key))
        {
            Some(rollout) => build(&app.metrics_source(), rollout, now),
            None => Err("the Rollout is gone".into()),
        },
    };
    let panels = match panels {
        Ok(panels) => panels,
        Err(why) => {
            frame.render_widget(
                Paragraph::new(Line::styled(why, theme.style(Slot::Muted))),
                inner,
            );
            return;
        }
    };
    let areas = Layout::vertical(
        panels
            .iter()
            .map(|_| Constraint::Ratio(1, panels.len() as u32)),
    )
    .split(inner);
    for (panel, area) in panels.iter().zip(areas.iter()) {
        draw_panel(frame, app, panel, *area);
    }
}

fn draw_panel(frame: &mut Frame<'_>, app: &App, panel: &Panel, area: Rect) {
    let theme = &app.theme;
    let marker = if app.symbols.ascii {
        Marker::Dot
    } else {
        Marker::Braille
    };
    let points = panel.series.iter().flat_map(|s| s.points.iter());
    let earliest = points
        .clone()
        .map(|(t, _)| *t)
        .fold(0.0_f64, f64::min)
        .min(-60.0);
    let highest = points
        .map(|(_, v)| *v)
        .chain(panel.threshold)
        .fold(0.0_f64, f64::max)
        .max(1e-9)
        * 1.1;
    let threshold = panel.threshold.map(|value| ChartSeries {
        label: format!("threshold {value}"),
        slot: Slot::Error,
        points: vec![(earliest, value), (0.0, value)],
    });
    let datasets: Vec<Dataset<'_>> = panel
        .series
        .iter()
        .chain(threshold.as_ref())
        .map(|series| {
            Dataset::default()
                .name(series.label.clone())
                .marker(marker)
                .graph_type(GraphType::Line)
                .style(theme.style(series.slot))
                .data(&series.points)
        })
        .collect();
    let minutes = |seconds: f64| format!("{:.0}m", seconds / 60.0);
    let chart = Chart::new(datasets)
        .block(Block::default().title(Line::from(vec![
            Span::styled(
                format!("{} ({}) ", panel.title, panel.unit),
                theme.style(Slot::Header),
            ),
            Span::styled(panel.last.clone(), theme.style(Slot::Muted)),
        ])))
        .x_axis(
            Axis::default()
                .bounds([earliest, 0.0])
                .labels(vec![
                    Span::styled(minutes(earliest), theme.style(Slot::Muted)),
                    Span::styled("now", theme.style(Slot::Muted)),
                ])
                .style(theme.style(Slot::Border)),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, highest])
                .labels(vec![
                    Span::styled("0", theme.style(Slot::Muted)),
                    Span::styled(format!("{highest:.1}"), theme.style(Slot::Muted)),
                ])
                .style(theme.style(Slot::Border)),
        );
    frame.render_widget(chart, area);
}
