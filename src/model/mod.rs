//! The pure domain model: per-kind row structs projected from API objects at the edge (tolerant:
//! a missing or mistyped field is "unknown", never a panic), the phases and health values as
//! upstream computes them, and time helpers (Kubernetes's own value rules come from
//! `flightdeck-apimachinery`). No tokio, no ratatui, no kube client here.

pub mod correlation;
pub mod cron;
pub mod freight_availability;
pub mod image;
pub mod json;
pub mod key;
pub mod kustomize;
pub mod labels;
pub mod phase;
pub mod rows;
pub mod semantic;
pub mod sync_windows;
pub mod workflow_nodes;
pub mod workflow_tree;

pub use flightdeck_apimachinery::{LabelSelector, time};
pub use key::{Kind, ObjectKey};
pub use labels::Labels;
pub use rows::Row;
