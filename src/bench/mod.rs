//! The benchmark harness: realistic fixtures, the preloaded API server run in a process of its
//! own (or the fixtures loaded into an existing cluster), and the headless cockpit run that
//! measures it (`flightdeck bench`).

pub mod cluster;
pub mod fixtures;
pub mod load;
pub mod measure;
pub mod run;
pub mod server;
