//! An embedded, Kubernetes-compatible API server (the demo and test cluster): resource
//! definitions from the real CRDs, an object store with one resourceVersion counter and watch
//! history, the real write rules and Status errors, selectors, schema validation, watches,
//! discovery, a minimal OpenAPI v3, tables, pod logs and access reviews. The contract with
//! kube-rs and kubectl is `../shared/design/embedded-apiserver.md`.

pub mod access;
pub mod crds;
pub mod defaults;
pub mod deployments;
pub mod discovery;
pub mod field_set;
pub mod gc;
pub mod handler;
pub mod http;
pub mod kubeconfig;
pub mod kubelet;
pub mod logs;
pub mod managed_fields;
pub mod openapi;
pub mod patch;
pub mod pod_logs;
pub mod printers;
pub mod protobuf;
pub mod proxy;
pub mod query;
pub mod read;
pub mod registry;
pub mod request_log;
pub mod review;
pub mod routes;
pub mod scale;
pub mod selectors;
pub mod server;
pub mod shape;
pub mod state;
pub mod status;
pub mod store;
pub mod table;
pub mod validation;
pub mod watch;
pub mod write;
pub mod writes;

pub use server::ApiServer;
pub use state::ServerOptions;
