//! The subcommands that print and exit: `keys`, `themes`, `config check`, `completions`, and
//! the `demo` placeholder.

pub mod config_check;
pub mod keys;
pub mod themes;

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;

/// Prints completions for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "flightdeck", out);
}

/// What `flightdeck demo` says until the embedded demo world exists.
pub const DEMO_NOT_BUILT: &str = "flightdeck demo: the simulated GitOps cluster (embedded API server, controllers, metrics \
and Git repositories) is not built yet in this version, so there is nothing to show.\n\
Nothing was started. Run `flightdeck` against a real cluster (it reads KUBECONFIG like kubectl).";
