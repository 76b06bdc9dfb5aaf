//! `git daemon` serving the world's repositories on git://127.0.0.1, where git is installed, so
//! they can be cloned and pushed to like a remote.

use std::path::Path;

/// A `git daemon` serving the repositories on git://127.0.0.1 (stopped when dropped).
pub struct GitDaemon {
    pub url: String,
    child: std::process::Child,
}

impl GitDaemon {
    /// Starts `git daemon` for the repos in `dir` and waits until it listens; `None` when git is
    /// not installed or the daemon does not come up.
    pub fn start(dir: &Path) -> Option<GitDaemon> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = std::process::Command::new("git")
            .args([
                "daemon",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                "--export-all",
                "--enable=receive-pack",
                "--reuseaddr",
            ])
            .arg(format!("--base-path={}", dir.display()))
            .arg(dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let mut daemon = GitDaemon {
            url: format!("git://127.0.0.1:{port}"),
            child,
        };
        // Ready once it accepts connections: a clone straight after start must not be refused.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = daemon.child.try_wait().ok().flatten().is_some();
            if exited || std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Some(daemon)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
