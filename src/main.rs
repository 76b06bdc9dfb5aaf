//! The `flightdeck` binary: crypto provider, error hooks, command line, then the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // kube and reqwest both use rustls; pick ring once for the whole process before either starts.
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Err(error) = flightdeck::ui::terminal::install_hooks() {
        eprintln!("flightdeck: cannot install error hooks: {error}");
    }
    let cli = flightdeck::cli::Cli::parse();
    match flightdeck::run(cli) {
        Ok(code) => code,
        Err(error) => {
            flightdeck::ui::terminal::restore();
            eprintln!("flightdeck: {error:?}");
            ExitCode::FAILURE
        }
    }
}
