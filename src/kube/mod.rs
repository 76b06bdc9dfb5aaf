//! Talking to Kubernetes: for now, which cluster, context and namespace the cockpit targets.

pub mod target;
