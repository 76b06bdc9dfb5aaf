//! Owning the real terminal: raw mode and the alternate screen on entry, and a guaranteed
//! restore on every way out — normal exit, error (the guard's `Drop`), panic (a hook chained
//! with color-eyre's), and SIGTERM/SIGHUP (handled as messages by the loop). Also ctrl-z.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{event::DisableBracketedPaste, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether flightdeck currently holds the terminal (raw mode + alternate screen).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The real terminal, restored when dropped.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Takes over the terminal.
    pub fn enter() -> io::Result<TerminalGuard> {
        take_over()?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()));
        match terminal {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }
}

/// Suspends the process to the shell (ctrl-z): gives the terminal back, stops (as the shell's
/// ctrl-z would), and takes the terminal over again when resumed with `fg`.
pub fn suspend_to_shell() -> io::Result<()> {
    restore();
    // SIGTSTP's default action stops the process; `raise` returns after SIGCONT.
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    take_over()
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn take_over() -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, Hide)
}

/// Puts the terminal back in normal mode. Safe to call any number of times, from anywhere.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut stdout = io::stdout();
        // End a synchronized update a panic may have interrupted, then leave.
        let _ = stdout.write_all(b"\x1b[?2026l");
        let _ = execute!(stdout, DisableBracketedPaste, LeaveAlternateScreen, Show);
        let _ = disable_raw_mode();
        let _ = stdout.flush();
    }
}

/// Installs color-eyre's error and panic reports, with the panic hook restoring the terminal
/// first so the report is readable and the shell is usable.
pub fn install_hooks() -> color_eyre::Result<()> {
    let (panic_hook, eyre_hook) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    eyre_hook.install()?;
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!(panic = %info, "panic");
        eprintln!("{}", panic_hook.panic_report(info));
    }));
    Ok(())
}
