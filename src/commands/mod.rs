//! The subcommands that print and exit: `keys`, `themes`, `config check`, `completions`, and
//! the `demo` placeholder.

pub mod config_check;
pub mod demo;
pub mod keys;
pub mod themes;

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;

/// Prints completions for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "flightdeck", out);
}
