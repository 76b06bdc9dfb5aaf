//! The pipeline view model (home): one section per application — its newest CI Workflow — and one
//! row per environment with the chain from Freight to Rollout, as text cells with theme slots.

use crate::model::phase::AnalysisPhase;
use crate::model::time::human_age;
use crate::model::{Kind, rows::WorkflowRow};
use crate::pipeline::{EnvironmentLane, pipelines};
use crate::store::{Store, WatchState};
use crate::theme::Slot;

use super::cell::Cell;
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

/// Everything the pipeline view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineView {
    pub sections: Vec<Section>,
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

fn lane_row(
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
            row.push(Cell::new(short(rollout.image_tag(), 12), Slot::Text));
            row.push(Cell::new(
                rollout.phase.as_str(),
                slots::rollout(rollout.phase),
            ));
            row.push(Cell::new(
                rollout
                    .step
                    .map(|(i, n)| format!("{i}/{n}"))
                    .unwrap_or_else(|| "-".into()),
                Slot::Text,
            ));
            row.push(Cell::new(
                format!("{}/{}", rollout.set_weight, rollout.actual_weight),
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

/// Builds the pipeline view from the store (and the metrics, where there are any) at `now` (Unix
/// seconds).
pub fn build(
    store: &Store,
    metrics: Option<&super::metrics::MetricsSource<'_>>,
    now: i64,
) -> PipelineView {
    let sections = pipelines(store)
        .iter()
        .map(|pipeline| {
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
            Section {
                title,
                rows: pipeline
                    .lanes
                    .iter()
                    .map(|lane| lane_row(lane, metrics, now))
                    .collect(),
            }
        })
        .collect();
    PipelineView {
        sections,
        watches: watches(store),
    }
}

/// How many kinds are live, then every kind that is not (syncing, retrying, forbidden, not
/// installed) with its state — short when all is well, specific when it is not.
fn watches(store: &Store) -> Vec<Cell> {
    let not_live: Vec<Cell> = Kind::ALL
        .iter()
        .filter(|kind| store.state(**kind) != WatchState::Live)
        .map(|kind| {
            let state = store.state(*kind);
            Cell::new(
                format!("{} {}", kind.title(), state.describe()),
                slots::watch(&state),
            )
        })
        .collect();
    let live = Kind::ALL.len() - not_live.len();
    let summary = Cell::new(
        format!("{live}/{} kinds live", Kind::ALL.len()),
        if not_live.is_empty() {
            Slot::Success
        } else {
            Slot::Info
        },
    );
    std::iter::once(summary).chain(not_live).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Delta;

    #[test]
    fn watches_summarise_live_kinds_and_name_the_others() {
        let mut store = Store::default();
        store.apply(
            Kind::ALL
                .iter()
                .map(|kind| Delta::State(*kind, WatchState::Live)),
        );
        let all_live = watches(&store);
        assert_eq!(all_live.len(), 1);
        assert_eq!(
            all_live[0].text,
            format!("{0}/{0} kinds live", Kind::ALL.len())
        );
        store.apply([Delta::State(Kind::Sensor, WatchState::NotInstalled)]);
        let text: Vec<String> = watches(&store).into_iter().map(|c| c.text).collect();
        assert_eq!(
            text,
            [
                format!("{}/{} kinds live", Kind::ALL.len() - 1, Kind::ALL.len()),
                "Sensors not installed".to_string()
            ]
        );
    }
}
