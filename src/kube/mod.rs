//! Talking to Kubernetes: which cluster, context and namespace the cockpit targets, the client,
//! a session's watchers that feed the store, object fetches and followed pod logs.

pub mod client;
pub mod demand;
pub mod execute;
pub mod fetch;
pub mod identity;
pub mod logs;
pub mod scope;
pub mod session;
pub mod slim;
mod slim_scans;
pub mod target;
pub mod watch;
