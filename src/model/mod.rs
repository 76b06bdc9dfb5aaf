//! The pure domain model: per-kind row structs projected from API objects at the edge (tolerant:
//! a missing or mistyped field is "unknown", never a panic), the phases and health values as
//! upstream computes them, and time helpers. No tokio, no ratatui, no kube client here.

pub mod cron;
pub mod freight_availability;
pub mod json;
pub mod key;
pub mod kustomize;
pub mod label_selector;
pub mod labels;
pub mod phase;
pub mod rows;
pub mod semantic;
pub mod sync_windows;
pub mod time;
pub mod workflow_nodes;
pub mod workflow_tree;

pub use key::{Kind, ObjectKey};
pub use label_selector::LabelSelector;
pub use labels::Labels;
pub use rows::Row;
