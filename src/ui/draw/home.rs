//! The home screen: the pipeline view once the watchers report, and before that (or when there
//! is no cluster) what flightdeck is connecting to and why it cannot.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::keymap::{Action, Layer};
use crate::theme::Slot;
use crate::ui::app::App;

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.theme;
    let mut title = vec![Span::styled(" Pipeline ", theme.style(Slot::Title))];
    title.extend(super::list::filter_title(app));
    let connected = app.cluster_problem.is_none() && app.target.problem.is_none();
    if connected
        && crate::model::Kind::ALL
            .iter()
            .any(|kind| app.store.state(*kind) != crate::store::WatchState::Starting)
    {
        let view = app.pipeline_view();
        super::pipeline_table::draw(frame, app, area, &view, title);
        return;
    }
    let block = Block::bordered()
        .border_set(app.symbols.border)
        .border_style(theme.style(Slot::BorderFocused))
        .title(Line::from(title));
    let text = theme.style(Slot::Text);
    let muted = theme.style(Slot::Muted);
    let label = |name: &str| Span::styled(format!("{name:<13}"), theme.style(Slot::Header));
    let mut lines = match (&app.target.problem, &app.cluster_problem) {
        (Some(_), _) => vec![
            Line::styled("No cluster to connect to.", theme.style(Slot::Warning)),
            Line::default(),
        ],
        (None, Some(problem)) => vec![
            Line::styled("Cannot reach the cluster.", theme.style(Slot::Error)),
            Line::styled(problem.clone(), theme.style(Slot::Error)),
            Line::default(),
        ],
        (None, None) => vec![
            Line::styled("Connecting to the cluster...", theme.style(Slot::Info)),
            Line::default(),
        ],
    };
    match (&app.target.context, &app.target.problem) {
        (Some(context), _) => {
            lines.push(Line::from(vec![
                label("Context"),
                Span::styled(context.clone(), theme.style(Slot::Context)),
            ]));
            let server = app
                .target
                .server
                .clone()
                .unwrap_or_else(|| "unknown server".into());
            lines.push(Line::from(vec![
                label("Server"),
                Span::styled(server, text),
            ]));
        }
        (None, Some(problem)) => lines.push(Line::from(vec![
            label("Context"),
            Span::styled(problem.clone(), theme.style(Slot::Error)),
        ])),
        (None, None) => lines.push(Line::from(vec![
            label("Context"),
            Span::styled("none", muted),
        ])),
    }
    lines.push(Line::from(vec![
        label("Namespace"),
        Span::styled(app.target.scope().to_string(), theme.style(Slot::Namespace)),
    ]));
    let source = |value: &Option<String>, flag: &str| match value {
        Some(value) => Span::styled(format!("{value} (not connected yet)"), text),
        None => Span::styled(format!("not configured ({flag})"), muted),
    };
    lines.push(Line::from(vec![
        label("Prometheus"),
        source(&app.sources.prometheus_url, "--prometheus-url"),
    ]));
    lines.push(Line::from(vec![
        label("GitOps repo"),
        source(&app.sources.gitops_repo, "--gitops-repo"),
    ]));
    lines.push(Line::default());
    let hint = |action: Action| {
        Span::styled(
            app.key_hint(Layer::Pipeline, action),
            theme.style(Slot::KeyHint),
        )
    };
    lines.push(Line::from(vec![
        Span::styled("Press ", muted),
        hint(Action::Help),
        Span::styled(" for keys, ", muted),
        hint(Action::CommandPalette),
        Span::styled(" for commands, ", muted),
        hint(Action::Quit),
        Span::styled(" to quit.", muted),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
