//! Git intents end to end: open the GitOps repository (in place, or flightdeck's clone), bring
//! it up to the remote, plan the change (the diff the confirmation shows), and make it (commit
//! and push). Blocking: the host runs these off the UI loop.

use std::path::Path;

use super::{GitOps, GitResult, LoggedCommit};
use crate::intent::{Intent, Plan};
use crate::kube::execute::Failure;

/// The repository, synced with its remote.
fn open(configured: &str, cache: &Path) -> GitResult<GitOps> {
    let gitops = GitOps::open(configured, cache)?;
    gitops.sync()?;
    Ok(gitops)
}

/// The newest commits, for choosing one to revert.
pub fn log(configured: &str, cache: &Path, limit: usize) -> GitResult<Vec<LoggedCommit>> {
    open(configured, cache)?.log(limit)
}

/// Plans a Git intent.
pub fn prepare(configured: &str, cache: &Path, intent: &Intent) -> GitResult<Plan> {
    let gitops = open(configured, cache)?;
    let change = match intent {
        Intent::RevertCommit { commit, .. } => gitops.plan_revert(commit)?,
        Intent::SetImageTag {
            dir, image, tag, ..
        } => gitops.plan_image_tag(dir, image, tag)?,
        other => {
            let not_git = format!("{} is not a Git change", other.verb());
            return Err(super::GitError::Refused(not_git));
        }
    };
    Ok(Plan {
        intent: intent.clone(),
        requests: Vec::new(),
        cli: intent.git_cli().unwrap_or_default(),
        warning: None,
        git: Some(change),
        also_allowed: Vec::new(),
    })
}

/// Commits and pushes a planned Git change (never in a read-only session).
pub fn execute(
    configured: &str,
    cache: &Path,
    plan: &Plan,
    read_only: bool,
) -> Result<(), Failure> {
    if read_only {
        return Err(Failure::ReadOnly);
    }
    let failed = |message: String| Failure::Failed { message, done: 0 };
    let change = plan
        .git
        .as_ref()
        .ok_or_else(|| failed("no Git change planned".into()))?;
    GitOps::open(configured, cache)
        .and_then(|gitops| gitops.commit_and_push(change))
        .map(|_| ())
        .map_err(|error| failed(error.to_string()))
}
