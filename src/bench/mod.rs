//! The benchmark harness (issue 8, in progress): fixtures first.

pub mod fixtures;
