//! Talking to Kubernetes: which cluster, context and namespace the cockpit targets, the client,
//! and the watchers that feed the store.

pub mod client;
pub mod target;
pub mod watch;
