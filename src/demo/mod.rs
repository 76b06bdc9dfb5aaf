//! The embedded demo world. For now: the Kubernetes-compatible API server that the demo and the
//! tests run against.

pub mod apiserver;
pub mod world;
