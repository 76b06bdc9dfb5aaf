//! View models: pure functions of the store (and a clock) producing display rows of text plus
//! semantic theme slots. Widgets draw them; they never reach into the store.

pub mod analysis_run_detail;
pub mod application_detail;
pub mod cell;
pub mod detail;
pub mod events;
pub mod filter;
pub mod kargo;
pub mod lists;
pub mod metric_chart;
pub mod metrics;
pub mod pipeline;
pub mod rollout_detail;
pub mod slots;
pub mod sort;
pub mod waiting;
pub mod workflow_detail;
