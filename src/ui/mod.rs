//! The terminal user interface: the app state and its update function, the event loop (the
//! single writer of that state), the terminal guard, and the drawing code.

pub mod actions;
pub mod app;
mod arrivals;
pub mod context;
pub mod draw;
pub mod event_loop;
pub mod help;
pub mod host;
pub mod input;
pub mod keys;
pub mod logs;
pub mod metrics;
pub mod msg;
pub mod navigation;
pub mod palette;
pub mod pipeline_cache;
pub mod prompts;
pub mod screen;
pub mod scroll;
pub mod symbols;
pub mod table;
pub mod terminal;
pub mod watch_plan;
mod why;
