//! The `flightdeck` binary: crypto provider, error hooks, command line, then the library.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator returns freed memory after 100 ms instead of 10 (mimalloc v2's `mi_option_e`;
/// arenas are committed lazily by a define in `.cargo/config.toml`): chosen with `flightdeck
/// bench --objects 100000`, where it kept the steady RSS near glibc's while the ingest took a
/// third less CPU.
fn tune_allocator() {
    const PURGE_DELAY: i32 = 15;
    // SAFETY: a plain integer option, set on the main thread before any other thread starts.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 100) };
}

fn main() -> ExitCode {
    tune_allocator();
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
