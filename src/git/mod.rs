//! The GitOps repository, through git2: a working copy (the configured path when it is one, else
//! flightdeck's own clone of the configured remote in the state directory), its log, and the two
//! changes flightdeck makes — reverting a commit and setting an image tag in an overlay — planned
//! in memory (the diff is shown before anything is written), then committed with the author from
//! git config and pushed. Never force-pushes: a rejected push is fetched and rebased only when it
//! applies cleanly; otherwise the local commit stays and the message says so.

pub mod credentials;
pub mod intents;

use std::path::{Path, PathBuf};

use git2::{BranchType, Commit, DiffFormat, FetchOptions, Oid, PushOptions, Repository};

/// A commit of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedCommit {
    pub id: String,
    pub summary: String,
    pub author: String,
    pub time: i64,
}

/// A planned change: the commit message and the diff it makes, on top of `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitChange {
    pub message: String,
    pub diff: String,
    /// The commit the change was planned on.
    pub base: String,
    /// The tree to commit (planned in memory).
    pub tree: String,
}

/// The GitOps repository flightdeck works in.
pub struct GitOps {
    repo: Repository,
    /// The branch commits go to.
    branch: String,
    /// Where the working copy is (for messages).
    pub path: PathBuf,
}

/// What can go wrong with the GitOps repository, in words a user can act on (credentials never
/// included).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("no GitOps repository configured (--gitops-repo or gitops_repo in config.toml)")]
    NotConfigured,
    /// libgit2 failed at a step (its message, redacted).
    #[error("{0}")]
    Repository(String),
    /// Local changes flightdeck would have to touch; it never resets them.
    #[error(
        "the working copy {path} has uncommitted changes ({files}); commit or stash them first — flightdeck never resets your work"
    )]
    Dirty { path: String, files: String },
    /// Local commits the remote does not have (an earlier rejected push, or someone's work).
    #[error(
        "{branch} has {ahead} commit(s) not on the remote (an earlier push was rejected?); push or drop them in {path} first"
    )]
    Ahead {
        branch: String,
        ahead: usize,
        path: String,
    },
    #[error("the working copy is on a detached HEAD; check out a branch first")]
    DetachedHead,
    #[error(
        "no author: set user.name and user.email in git config (git config --global user.name …)"
    )]
    NoAuthor,
    #[error("the branch moved since the change was planned; plan it again")]
    Moved,
    /// The change cannot be made as asked (a merge commit, a missing file, a conflict, nothing to
    /// change…); nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// Committed locally, but the push could not be made (unreachable, credentials…).
    #[error("committed {commit} locally but the push failed: {message}")]
    PushFailed { commit: String, message: String },
    /// The push was rejected and the commit could not be replayed on the remote's head: it stays
    /// on the local branch.
    #[error(
        "the push was rejected ({reason}) and {why}; the commit {commit} stays on the local {branch} in {path} — nothing was forced"
    )]
    Kept {
        reason: String,
        why: String,
        commit: String,
        branch: String,
        path: String,
    },
}

pub type GitResult<T> = Result<T, GitError>;

impl From<GitError> for crate::intent::Refusal {
    fn from(error: GitError) -> Self {
        crate::intent::Refusal::from(error.to_string())
    }
}

fn error(context: &str, e: git2::Error) -> GitError {
    GitError::Repository(credentials::redact(&format!("{context}: {}", e.message())))
}

impl GitOps {
    /// Opens `configured`: a non-bare repository is used in place; anything else (a bare repo, a
    /// URL) is cloned once into `cache_dir` and fetched before each change.
    pub fn open(configured: &str, cache_dir: &Path) -> GitResult<GitOps> {
        if let Ok(repo) = Repository::open(configured)
            && !repo.is_bare()
        {
            let branch = current_branch(&repo)?;
            return Ok(GitOps {
                path: PathBuf::from(configured),
                repo,
                branch,
            });
        }
        let name = format!("{:08x}", crate::model::workflow_nodes::fnv32a(configured));
        let path = cache_dir.join(name);
        let repo = match Repository::open(&path) {
            Ok(repo) => repo,
            Err(_) => {
                let mut fetch = FetchOptions::new();
                fetch.remote_callbacks(credentials::callbacks());
                git2::build::RepoBuilder::new()
                    .fetch_options(fetch)
                    .clone(configured, &path)
                    .map_err(|e| error(&format!("cannot clone {configured}"), e))?
            }
        };
        let branch = current_branch(&repo)?;
        Ok(GitOps { path, repo, branch })
    }

    /// Fetches the remote and brings the branch up to it: fast-forward only, and only when the
    /// working copy has nothing of its own (no local commits, no uncommitted changes).
    pub fn sync(&self) -> GitResult<()> {
        self.check_clean()?;
        let Ok(mut remote) = self.repo.find_remote("origin") else {
            return Ok(());
        };
        let mut fetch = FetchOptions::new();
        fetch.remote_callbacks(credentials::callbacks());
        remote
            .fetch(&[&self.branch], Some(&mut fetch), None)
            .map_err(|e| error("cannot fetch", e))?;
        let upstream = self.upstream()?;
        let head = self.head()?;
        if head.id() == upstream {
            return Ok(());
        }
        let (ahead, _) = self
            .repo
            .graph_ahead_behind(head.id(), upstream)
            .map_err(|e| error("cannot compare with the remote", e))?;
        if ahead > 0 {
            return Err(GitError::Ahead {
                branch: self.branch.clone(),
                ahead,
                path: self.path.display().to_string(),
            });
        }
        self.move_branch(upstream, "fast-forward to the remote")
    }

    /// The newest `limit` commits of the branch.
    pub fn log(&self, limit: usize) -> GitResult<Vec<LoggedCommit>> {
        let mut walk = self
            .repo
            .revwalk()
            .map_err(|e| error("cannot read the log", e))?;
        walk.push(self.head()?.id())
            .map_err(|e| error("cannot read the log", e))?;
        walk.take(limit)
            .map(|id| {
                let commit = id
                    .and_then(|id| self.repo.find_commit(id))
                    .map_err(|e| error("cannot read the log", e))?;
                Ok(LoggedCommit {
                    id: commit.id().to_string(),
                    summary: commit
                        .summary()
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .to_string(),
                    author: commit.author().name().unwrap_or_default().to_string(),
                    time: commit.time().seconds(),
                })
            })
            .collect()
    }

    /// Plans `git revert <commit>` on the branch head (refused if it conflicts).
    pub fn plan_revert(&self, commit: &str) -> GitResult<GitChange> {
        let head = self.head()?;
        let target = self
            .repo
            .revparse_single(commit)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| error(&format!("no commit {commit}"), e))?;
        if target.parent_count() != 1 {
            return Err(GitError::Refused(
                "only commits with one parent can be reverted here".into(),
            ));
        }
        let mut index = self
            .repo
            .revert_commit(&target, &head, 0, None)
            .map_err(|e| error("cannot revert", e))?;
        if index.has_conflicts() {
            let paths: Vec<String> = index
                .conflicts()
                .map(|conflicts| {
                    conflicts
                        .filter_map(Result::ok)
                        .filter_map(|c| c.our.or(c.their))
                        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
                        .collect()
                })
                .unwrap_or_default();
            return Err(GitError::Refused(format!(
                "reverting {} conflicts with later changes in {}; nothing was changed",
                short(&target.id().to_string()),
                paths.join(", ")
            )));
        }
        let tree = index
            .write_tree_to(&self.repo)
            .map_err(|e| error("cannot write the tree", e))?;
        let message = format!(
            "Revert \"{}\"\n\nThis reverts commit {}.\n",
            target.summary().ok().flatten().unwrap_or_default(),
            target.id()
        );
        self.change(&head, tree, message)
    }

    /// Plans `kustomize edit set image IMAGE:TAG` in `dir/kustomization.yaml` (an overlay).
    pub fn plan_image_tag(&self, dir: &str, image: &str, tag: &str) -> GitResult<GitChange> {
        let head = self.head()?;
        let path = format!("{}/kustomization.yaml", dir.trim_end_matches('/'));
        let head_tree = head.tree().map_err(|e| error("cannot read the tree", e))?;
        let entry = head_tree
            .get_path(Path::new(&path))
            .map_err(|_| GitError::Refused(format!("{path} is not in the repository")))?;
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(|e| error(&format!("cannot read {path}"), e))?;
        let refused = |why: String| GitError::Refused(format!("{path}: {why}"));
        let text =
            std::str::from_utf8(blob.content()).map_err(|_| refused("not UTF-8 text".into()))?;
        let updated = crate::model::kustomize::set_image(text, image, tag).map_err(refused)?;
        if updated == text {
            return Err(refused(format!("already sets {image}:{tag}")));
        }
        let blob = self
            .repo
            .blob(updated.as_bytes())
            .map_err(|e| error("cannot write the file", e))?;
        let mut builder = git2::build::TreeUpdateBuilder::new();
        builder.upsert(&path, blob, git2::FileMode::Blob);
        let tree = builder
            .create_updated(&self.repo, &head_tree)
            .map_err(|e| error("cannot build the tree", e))?;
        let environment = dir.trim_end_matches('/').rsplit('/').next().unwrap_or(dir);
        let message = format!("chore({environment}): set image {image}:{tag}\n");
        self.change(&head, tree, message)
    }

    fn change(&self, head: &Commit<'_>, tree: Oid, message: String) -> GitResult<GitChange> {
        let old = head.tree().map_err(|e| error("cannot read the tree", e))?;
        let new = self
            .repo
            .find_tree(tree)
            .map_err(|e| error("cannot read the tree", e))?;
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new), None)
            .map_err(|e| error("cannot diff", e))?;
        let mut text = String::new();
        diff.print(DiffFormat::Patch, |_, _, line| {
            if matches!(line.origin(), '+' | '-' | ' ') {
                text.push(line.origin());
            }
            text.push_str(&String::from_utf8_lossy(line.content()));
            true
        })
        .map_err(|e| error("cannot diff", e))?;
        if text.is_empty() {
            return Err(GitError::Refused("the change would change nothing".into()));
        }
        Ok(GitChange {
            message,
            diff: text,
            base: head.id().to_string(),
            tree: tree.to_string(),
        })
    }

    /// Commits `change` (only if the branch is still where it was planned) and pushes it. On a
    /// rejected push: fetch, replay the commit on the remote's head if it applies cleanly, push
    /// once more; otherwise keep the local commit and say so. Returns the pushed commit id.
    pub fn commit_and_push(&self, change: &GitChange) -> GitResult<String> {
        let head = self.head()?;
        if head.id().to_string() != change.base {
            return Err(GitError::Moved);
        }
        self.check_clean()?;
        let signature = self.repo.signature().map_err(|_| GitError::NoAuthor)?;
        let tree = self
            .repo
            .find_tree(Oid::from_str(&change.tree).map_err(|e| error("bad tree id", e))?)
            .map_err(|e| error("cannot read the planned tree", e))?;
        let commit = self
            .repo
            .commit(
                None,
                &signature,
                &signature,
                &change.message,
                &tree,
                &[&head],
            )
            .map_err(|e| error("cannot commit", e))?;
        self.move_branch(commit, "commit")?;
        match self.push() {
            Ok(()) => Ok(commit.to_string()),
            Err(Push::Failed(message)) => Err(GitError::PushFailed {
                commit: short(&commit.to_string()).to_string(),
                message,
            }),
            Err(Push::Rejected(reason)) => self.replay_and_push(commit, &reason),
        }
    }

    fn replay_and_push(&self, commit: Oid, reason: &str) -> GitResult<String> {
        let kept = |why: String| GitError::Kept {
            reason: reason.to_string(),
            why,
            commit: short(&commit.to_string()).to_string(),
            branch: self.branch.clone(),
            path: self.path.display().to_string(),
        };
        let mut remote = self
            .repo
            .find_remote("origin")
            .map_err(|e| error("no remote", e))?;
        let mut fetch = FetchOptions::new();
        fetch.remote_callbacks(credentials::callbacks());
        remote
            .fetch(&[&self.branch], Some(&mut fetch), None)
            .map_err(|e| kept(format!("fetching failed: {}", e.message())))?;
        let upstream = self.upstream()?;
        let ours = self
            .repo
            .find_commit(commit)
            .map_err(|e| error("cannot read the commit", e))?;
        let theirs = self
            .repo
            .find_commit(upstream)
            .map_err(|e| error("cannot read the remote's head", e))?;
        let mut index = self
            .repo
            .cherrypick_commit(&ours, &theirs, 0, None)
            .map_err(|e| kept(format!("replaying it failed: {}", e.message())))?;
        if index.has_conflicts() {
            return Err(kept(
                "it does not apply cleanly on the remote's new commits".into(),
            ));
        }
        let tree = index
            .write_tree_to(&self.repo)
            .and_then(|id| self.repo.find_tree(id))
            .map_err(|e| error("cannot write the tree", e))?;
        let replayed = self
            .repo
            .commit(
                None,
                &ours.author(),
                &ours.committer(),
                ours.message().unwrap_or_default(),
                &tree,
                &[&theirs],
            )
            .map_err(|e| error("cannot commit", e))?;
        self.move_branch(replayed, "rebase onto the remote")?;
        match self.push() {
            Ok(()) => Ok(replayed.to_string()),
            Err(Push::Rejected(again) | Push::Failed(again)) => Err(kept(format!(
                "the rebased commit was refused too ({again})"
            ))),
        }
    }

    fn push(&self) -> Result<(), Push> {
        let mut remote = self
            .repo
            .find_remote("origin")
            .map_err(|e| Push::Failed(e.message().to_string()))?;
        let rejected = std::cell::RefCell::new(None);
        let mut callbacks = credentials::callbacks();
        callbacks.push_update_reference(|_, status| {
            if let Some(status) = status {
                *rejected.borrow_mut() = Some(status.to_string());
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        // Never `+refs/…`: a plain refspec, so the remote refuses anything but a fast-forward.
        let refspec = format!("refs/heads/{0}:refs/heads/{0}", self.branch);
        let result = remote.push(&[&refspec], Some(&mut options));
        drop(options);
        if let Some(reason) = rejected.into_inner() {
            return Err(Push::Rejected(reason));
        }
        result.map_err(|e| {
            let message = credentials::redact(e.message());
            if e.code() == git2::ErrorCode::NotFastForward || message.contains("non-fast-forward") {
                Push::Rejected(message)
            } else {
                Push::Failed(message)
            }
        })
    }

    fn head(&self) -> GitResult<Commit<'_>> {
        self.repo
            .find_branch(&self.branch, BranchType::Local)
            .and_then(|b| b.get().peel_to_commit())
            .map_err(|e| error(&format!("cannot read {}", self.branch), e))
    }

    fn upstream(&self) -> GitResult<Oid> {
        self.repo
            .refname_to_id(&format!("refs/remotes/origin/{}", self.branch))
            .map_err(|e| error("the remote has no such branch", e))
    }

    /// Points the branch at `id`, and the working tree with it when the repository has one
    /// (only ever from a clean state, so nothing of the user's is overwritten).
    fn move_branch(&self, id: Oid, why: &str) -> GitResult<()> {
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|e| error("cannot read the commit", e))?;
        if !self.repo.is_bare() {
            let mut checkout = git2::build::CheckoutBuilder::new();
            checkout.safe();
            self.repo
                .checkout_tree(commit.as_object(), Some(&mut checkout))
                .map_err(|e| error("cannot update the working tree", e))?;
        }
        self.repo
            .reference(
                &format!("refs/heads/{}", self.branch),
                id,
                true,
                &format!("flightdeck: {why}"),
            )
            .map_err(|e| error("cannot move the branch", e))?;
        Ok(())
    }

    fn check_clean(&self) -> GitResult<()> {
        if self.repo.is_bare() {
            return Ok(());
        }
        let mut options = git2::StatusOptions::new();
        options.include_untracked(false);
        let statuses = self
            .repo
            .statuses(Some(&mut options))
            .map_err(|e| error("cannot read the working copy", e))?;
        if !statuses.is_empty() {
            let files: Vec<String> = statuses
                .iter()
                .filter_map(|s| s.path().ok().map(str::to_string))
                .take(5)
                .collect();
            return Err(GitError::Dirty {
                path: self.path.display().to_string(),
                files: files.join(", "),
            });
        }
        Ok(())
    }
}

enum Push {
    /// The remote refused the update (not a fast-forward, or a hook said no).
    Rejected(String),
    /// The push could not be made (unreachable, credentials, read-only remote…).
    Failed(String),
}

fn current_branch(repo: &Repository) -> GitResult<String> {
    let head = repo
        .head()
        .map_err(|e| error("the repository has no HEAD", e))?;
    if !head.is_branch() {
        return Err(GitError::DetachedHead);
    }
    Ok(head.shorthand().unwrap_or("main").to_string())
}

fn short(id: &str) -> &str {
    &id[..id.len().min(7)]
}
