//! The demo world: the seed's GitOps stack simulated end to end on the embedded API server, with
//! real Git repositories and a metrics endpoint.

pub mod git;
