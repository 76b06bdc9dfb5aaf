//! The embedded demo world: a simulated GitOps stack (controllers, Git repositories, traffic and
//! metrics) running against the embedded API server of the `flightdeck-apiserver` crate.

pub mod world;
