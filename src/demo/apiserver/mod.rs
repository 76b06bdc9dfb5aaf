//! An embedded, Kubernetes-compatible API server (the demo and test cluster): resource
//! definitions from the real CRDs, an object store with one resourceVersion counter and watch
//! history, the real Status errors, and label/field selectors. See
//! `../shared/design/embedded-apiserver.md` for the contract with kube-rs and kubectl.

pub mod crds;
pub mod patch;
pub mod query;
pub mod registry;
pub mod routes;
pub mod selectors;
pub mod status;
pub mod store;
pub mod validation;
pub mod writes;
