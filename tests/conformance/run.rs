//! Running a case's steps with the real kubectl against one side (the real control plane or the
//! embedded server) and recording what each step gave, normalised for comparison.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::corpus::{Case, Step};
use super::normalise::{normalise, split_stderr};

/// One server as kubectl reaches it.
pub struct Side {
    pub name: &'static str,
    pub kubeconfig: PathBuf,
    pub context: String,
    /// kubectl's HOME and discovery cache, one per side.
    pub home: PathBuf,
}

/// What one step gave, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub exit: String,
    pub stdout: String,
    pub said: String,
    pub requests: Vec<String>,
}

/// A step's command line: `{ns}` replaced, split like a shell (single quotes group).
fn arguments(line: &str, namespace: &str) -> Vec<String> {
    let line = line.replace("{ns}", namespace);
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

impl Side {
    fn command(&self, line: &str, namespace: &str) -> Command {
        let mut command = Command::new("kubectl");
        command
            .arg("--context")
            .arg(&self.context)
            .arg("-v=6")
            .args(arguments(line, namespace))
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", self.home.join("cache"))
            .env("HOME", &self.home)
            .env_remove("KUBECTL_EXTERNAL_DIFF")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn spawn(&self, line: &str, stdin: Option<&str>, namespace: &str) -> Child {
        let mut child = self.command(line, namespace).spawn().expect("run kubectl");
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            pipe.write_all(text.replace("{ns}", namespace).as_bytes())
                .expect("write stdin");
        }
        drop(pipe);
        child
    }

    /// Runs every step of `case` in `namespace`; the outcome of each.
    pub fn run(&self, case: &Case, namespace: &str) -> Vec<Outcome> {
        case.steps
            .iter()
            .map(|step| self.step(step, namespace))
            .collect()
    }

    pub fn step(&self, step: &Step, namespace: &str) -> Outcome {
        match step {
            Step::Run { line, stdin } => {
                let child = self.spawn(line, *stdin, namespace);
                let mut outcome = finish(child, Duration::from_secs(90), false);
                if line.contains("rollout status") {
                    // the progress lines before the verdict depend on timing, not the server
                    let verdict = outcome.stdout.lines().last().unwrap_or_default();
                    outcome.stdout = verdict.to_string();
                    outcome.requests.clear();
                }
                outcome
            }
            Step::Watch { line, during } => {
                let child = self.spawn(line, None, namespace);
                // let the watch start before anything changes
                std::thread::sleep(Duration::from_millis(1500));
                for step in during {
                    self.step(step, namespace);
                }
                std::thread::sleep(Duration::from_millis(2500));
                finish(child, Duration::ZERO, true)
            }
        }
    }
}

/// Waits for `child` (killing it after `limit`, or at once when `stop`); its outcome.
fn finish(mut child: Child, limit: Duration, stop: bool) -> Outcome {
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let exit = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status
                .code()
                .map_or("signal".to_string(), |c| c.to_string());
        }
        if stop || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break if stop { "stopped" } else { "timed out" }.to_string();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = split_stderr(&err.join().unwrap_or_default());
    Outcome {
        exit,
        stdout: normalise(&out.join().unwrap_or_default()),
        said: stderr.said,
        requests: stderr.requests,
    }
}

/// The first difference between two sides' outcomes of a case, said in a few lines.
pub fn first_difference(case: &Case, real: &[Outcome], embedded: &[Outcome]) -> Option<String> {
    for (index, (r, e)) in real.iter().zip(embedded).enumerate() {
        if r == e {
            continue;
        }
        let step = match &case.steps[index] {
            Step::Run { line, .. } | Step::Watch { line, .. } => line,
        };
        let mut lines = vec![format!("  step {}: kubectl {step}", index + 1)];
        if r.exit != e.exit {
            lines.push(format!("    exit: real {} / embedded {}", r.exit, e.exit));
        }
        if r.requests != e.requests {
            lines.push(format!(
                "    requests: real {:?}\n              embedded {:?}",
                r.requests, e.requests
            ));
        }
        for (what, a, b) in [
            ("stdout", &r.stdout, &e.stdout),
            ("stderr", &r.said, &e.said),
        ] {
            if a != b {
                lines.push(format!("    {what}: {}", line_difference(a, b)));
            }
        }
        return Some(lines.join("\n"));
    }
    None
}

/// The first line where two texts differ.
fn line_difference(real: &str, embedded: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (real.lines().collect(), embedded.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let cut = |s: Option<&&str>| {
        let s = s.copied().unwrap_or("<end>");
        s.chars().take(150).collect::<String>()
    };
    format!(
        "line {}: real {:?} / embedded {:?} ({} / {} lines)",
        at + 1,
        cut(a.get(at)),
        cut(b.get(at)),
        a.len(),
        b.len()
    )
}
