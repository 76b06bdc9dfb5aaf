//! The pipeline view model (home): one section per application — its newest CI Workflow — and one
//! row per environment with the chain from Freight to Rollout, as text cells with theme slots.

use crate::model::phase::AnalysisPhase;
use crate::model::time::human_age;
use crate::model::{Kind, rows::WorkflowRow};
use crate::pipeline::{AppPipeline, EnvironmentLane, Join, applications_by_app};
use crate::store::{Store, WatchState};
use crate::theme::Slot;

use super::cell::Cell;
use super::filter::Filter;
use super::slots;

/// The column titles of environment rows.
pub const COLUMNS: &[&str] = &[
    "ENV",
    "SYNC",
    "HEALTH",
    "REV",
    "FREIGHT",
    "IMAGE",
    "ROLLOUT",
    "STEP",
    "WEIGHT",
    "ANALYSIS",
    "BUILD",
    "PROMOTION",
    "METRICS",
];

/// One application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
}

/// What the pipeline view shows: the sections in its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineView {
    pub sections: Vec<Section>,
    /// Sections in all (those the filter keeps), and the index of the first one built.
    pub total: usize,
    pub first: usize,
    /// Each kind's watch state.
    pub watches: Vec<Cell>,
}

fn short(text: &str, length: usize) -> String {
    text.chars().take(length).collect()
}

fn workflow_cell(workflow: &WorkflowRow, now: i64) -> Cell {
    let progress = workflow
        .progress
        .map(|(done, total)| format!(" {done}/{total}"))
        .unwrap_or_default();
    let age = workflow
        .created
        .map(|t| format!(" {}", human_age(now - t)))
        .unwrap_or_default();
    Cell::new(
        format!("{}{progress}{age}", workflow.display_phase()),
        slots::workflow(workflow.phase),
    )
}

/// An application's title line: its name and newest CI Workflow.
fn title(pipeline: &AppPipeline<'_>, now: i64) -> Vec<Cell> {
    let mut title = vec![Cell::new(pipeline.app.clone(), Slot::Title)];
    match pipeline.latest_workflow {
        Some(workflow) => {
            title.push(Cell::muted("  latest build "));
            title.push(Cell::new(workflow.key.name.clone(), Slot::Text));
            if let Some(commit) = &workflow.commit {
                title.push(Cell::muted(format!(" @{}", short(commit, 7))));
            }
            title.push(Cell::muted(" "));
            title.push(workflow_cell(workflow, now));
        }
        None => title.push(Cell::muted("  no CI workflow seen")),
    }
    title
}

fn lane_row(
    store: &Store,
    lane: &EnvironmentLane<'_>,
    metrics: Option<&super::metrics::MetricsSource<'_>>,
    now: i64,
) -> Vec<Cell> {
    let app = lane.application;
    let mut row = vec![
        Cell::new(lane.env.clone(), Slot::Text),
        Cell::new(app.sync.as_str(), slots::sync(app.sync)),
        Cell::new(app.health.as_str(), slots::health(app.health)),
        Cell::muted(short(&app.revision, 7)),
    ];
    row.push(match lane.freight {
        Some(freight) => Cell::new(freight.label(), Slot::Text),
        None => Cell::muted("-"),
    });
    match lane.rollout {
        Some(rollout) => {
            let tag = crate::model::rows::rollout::image_tag(store.rollout_image(rollout));
            row.push(Cell::new(short(tag, 12), Slot::Text));
            // An Application running several Rollouts has a row for each: named.
            let several = app.managed.as_ref().is_some_and(|m| m.rollouts.len() > 1);
            let phase = if several {
                format!("{} {}", rollout.key.name, rollout.phase.as_str())
            } else {
                rollout.phase.as_str().to_string()
            };
            row.push(Cell::new(phase, slots::rollout(rollout.phase)));
            row.push(Cell::new(
                rollout
                    .step
                    .map(|(i, n)| format!("{i}/{n}"))
                    .unwrap_or_else(|| "-".into()),
                Slot::Text,
            ));
            row.push(Cell::new(
                format!("{}/{}", rollout.set_weight, store.actual_weight(rollout)),
                Slot::Text,
            ));
        }
        None => {
            row.push(Cell::muted("-"));
            row.push(Cell::new("Missing", Slot::HealthMissing));
            row.push(Cell::muted("-"));
            row.push(Cell::muted("-"));
        }
    }
    row.push(match lane.analysis {
        Some(run) => {
            let failed = run
                .metrics
                .iter()
                .find(|m| m.phase == AnalysisPhase::Failed)
                .map(|m| format!(" {}", m.name))
                .unwrap_or_default();
            Cell::new(
                format!("{}{failed}", run.phase.as_str()),
                slots::analysis(run.phase),
            )
        }
        None => Cell::muted("-"),
    });
    row.push(match lane.build {
        Some(workflow) => workflow_cell(workflow, now),
        None => Cell::muted("-"),
    });
    row.push(match lane.promotion {
        Some(promotion) => {
            let step = if promotion.phase.is_done() {
                String::new()
            } else {
                format!(" {}/{}", promotion.step.0, promotion.step.1)
            };
            Cell::new(
                format!("{}{step}", promotion.phase.as_str()),
                slots::promotion(promotion.phase),
            )
        }
        None => Cell::muted("-"),
    });
    row.push(super::metrics::cell(metrics, lane.rollout));
    row
}

/// Which part of the pipeline to build: the sections from the `first` shown (counting those the
/// filter keeps) until `lines` lines are filled. Sections outside it are neither joined nor
/// formatted, so thousands of applications cost only what is on screen.
#[derive(Debug, Clone, Copy)]
pub struct Window<'f> {
    pub first: usize,
    pub lines: usize,
    pub filter: Option<&'f Filter>,
}

impl Window<'_> {
    /// As `first`: the last sections that fit.
    pub const LAST: usize = usize::MAX;

    /// Every section, unfiltered.
    pub const ALL: Window<'static> = Window {
        first: 0,
        lines: usize::MAX,
        filter: None,
    };
}

/// The first of the last sections (of `sizes` rows each) that fit in `lines`.
fn last_page(sizes: &[usize], lines: usize) -> usize {
    let mut used = 0;
    let mut first = sizes.len().saturating_sub(1);
    for (index, rows) in sizes.iter().enumerate().rev() {
        used += section_lines(*rows);
        // The last section's blank line may fall off the bottom.
        if used - 1 > lines && index + 1 < sizes.len() {
            break;
        }
        first = index;
    }
    first
}

/// Lines a section takes on screen: its title, the column header, its rows and a blank line.
fn section_lines(rows: usize) -> usize {
    rows + 3
}

/// Builds the sections of the pipeline view in `window` from the store (and the metrics, where
/// there are any) at `now` (Unix seconds).
pub fn build(
    store: &Store,
    metrics: Option<&super::metrics::MetricsSource<'_>>,
    now: i64,
    window: Window<'_>,
) -> PipelineView {
    let join = Join::new(store);
    let section = |app: String, applications| {
        let pipeline = join.pipeline(app, applications);
        let title = title(&pipeline, now);
        // A row is matched with its section's title (the application and its newest build).
        let rows: Vec<Vec<Cell>> = pipeline
            .lanes
            .iter()
            .map(|lane| lane_row(store, lane, metrics, now))
            .filter(|row| {
                window
                    .filter
                    .is_none_or(|f| f.matches_parts(&[&title, row], None))
            })
            .collect();
        Section { title, rows }
    };
    let apps = applications_by_app(store);
    // The first shown stays within what there is (applications may go while scrolled down);
    // `Window::LAST` shows the last page.
    let first_of = |sizes: &[usize]| match window.first {
        Window::LAST => last_page(sizes, window.lines),
        first => first.min(sizes.len().saturating_sub(1)),
    };
    let (total, first, candidates): (usize, usize, Box<dyn Iterator<Item = Section>>) =
        if window.filter.is_some_and(|f| !f.is_empty()) {
            // Rows must be built to be matched: every section is, and those left empty dropped.
            let kept: Vec<Section> = apps
                .map(|(app, applications)| section(app, applications))
                .filter(|section| !section.rows.is_empty())
                .collect();
            let sizes: Vec<usize> = kept.iter().map(|s| s.rows.len()).collect();
            let (total, first) = (kept.len(), first_of(&sizes));
            (total, first, Box::new(kept.into_iter().skip(first)))
        } else {
            let total = apps.len();
            let first = if window.first == Window::LAST {
                let sizes: Vec<usize> = (store.index().applications_by_app())
                    .map(|(_, environments)| environments.len())
                    .collect();
                first_of(&sizes)
            } else {
                window.first.min(total.saturating_sub(1))
            };
            let shown = apps.skip(first);
            let sections = shown.map(|(app, applications)| section(app, applications));
            (total, first, Box::new(sections))
        };
    // Sections until the lines are filled (the last one may be cut off at the bottom).
    let mut used = 0;
    let sections = candidates
        .take_while(|section| {
            let room = used < window.lines;
            used += section_lines(section.rows.len());
            room
        })
        .collect();
    PipelineView {
        sections,
        total,
        first,
        watches: watches(store),
    }
}

/// How many of the kinds needed are live, then every kind that is not (syncing, retrying,
/// forbidden, not installed) or is watched only in some namespaces, with its state, and last the
/// on-demand kinds nothing shown needs — short when all is well, specific when it is not.
fn watches(store: &Store) -> Vec<Cell> {
    let states: Vec<(Kind, WatchState)> = Kind::ALL
        .iter()
        .map(|kind| (*kind, store.state(*kind)))
        .collect();
    let needed = states
        .iter()
        .filter(|(_, state)| *state != WatchState::NotNeeded)
        .count();
    let live = states
        .iter()
        .filter(|(_, state)| *state == WatchState::Live)
        .count();
    let not_live = states
        .iter()
        .filter(|(kind, state)| {
            (*state != WatchState::Live && *state != WatchState::NotNeeded)
                || store.watched_by_namespace(*kind)
        })
        .map(|(kind, state)| {
            Cell::new(
                format!("{} {}", kind.title(), store.describe_watch(*kind)),
                slots::watch(state),
            )
        });
    let not_needed: Vec<&str> = states
        .iter()
        .filter(|(_, state)| *state == WatchState::NotNeeded)
        .map(|(kind, _)| kind.title())
        .collect();
    let summary = Cell::new(
        format!("{live}/{needed} kinds live"),
        if live == needed {
            Slot::Success
        } else {
            Slot::Info
        },
    );
    let on_demand = (!not_needed.is_empty()).then(|| {
        Cell::new(
            format!("{} not needed here", not_needed.join(", ")),
            Slot::Muted,
        )
    });
    std::iter::once(summary)
        .chain(not_live)
        .chain(on_demand)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Delta, Scope};

    #[test]
    fn watches_summarise_live_kinds_and_name_the_others() {
        let mut store = Store::default();
        store.apply(
            Kind::ALL
                .iter()
                .map(|kind| Delta::State(*kind, Scope::Cluster, WatchState::Live)),
        );
        let all_live = watches(&store);
        assert_eq!(all_live.len(), 1);
        assert_eq!(
            all_live[0].text,
            format!("{0}/{0} kinds live", Kind::ALL.len())
        );
        store.apply([Delta::State(
            Kind::Sensor,
            Scope::Cluster,
            WatchState::NotInstalled,
        )]);
        let text: Vec<String> = watches(&store).into_iter().map(|c| c.text).collect();
        assert_eq!(
            text,
            [
                format!("{}/{} kinds live", Kind::ALL.len() - 1, Kind::ALL.len()),
                "Sensors not installed".to_string()
            ]
        );
        // A user who may list Rollouts only in some namespaces: watched there, and said so.
        let mut team = Store::default();
        team.apply(
            Kind::ALL
                .iter()
                .filter(|kind| **kind != Kind::Rollout)
                .map(|kind| Delta::State(*kind, Scope::Cluster, WatchState::Live)),
        );
        team.apply([
            Delta::State(
                Kind::Rollout,
                Scope::Namespace("dev".into()),
                WatchState::Live,
            ),
            Delta::State(
                Kind::Rollout,
                Scope::Namespace("staging".into()),
                WatchState::Forbidden("rollouts is forbidden".into()),
            ),
        ]);
        let text: Vec<String> = watches(&team).into_iter().map(|c| c.text).collect();
        assert_eq!(
            text,
            [
                format!("{0}/{0} kinds live", Kind::ALL.len()),
                "Rollouts live in 1 of 2 namespaces".to_string()
            ]
        );
        // The home: Pods and Events not needed, ReplicaSets only where the pipeline's Rollouts are.
        team.apply([
            Delta::State(Kind::Pod, Scope::Cluster, WatchState::NotNeeded),
            Delta::State(Kind::Event, Scope::Cluster, WatchState::NotNeeded),
        ]);
        let text: Vec<String> = watches(&team).into_iter().map(|c| c.text).collect();
        assert_eq!(
            text,
            [
                format!("{0}/{0} kinds live", Kind::ALL.len() - 2),
                "Rollouts live in 1 of 2 namespaces".to_string(),
                "Pods, Events not needed here".to_string()
            ]
        );
    }
}
