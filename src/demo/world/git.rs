//! The demo world's real Git repositories: bare repos `demo-app` (the application's source) and
//! `custom-apps` (the GitOps manifests), created under the state directory and seeded from
//! `demo/`. Writers (the simulated developer, the CI pipeline, Kargo promotions) commit straight
//! into the bare repos' `main` with git2, building trees in memory, so every change is a real
//! commit anyone can clone, log, diff or revert.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::{ObjectType, Oid, Repository, Signature};

/// Seed content of the GitOps repository (path in repo, text).
const CUSTOM_APPS: &[(&str, &str)] = &[
    (
        "demo-app/base/kustomization.yaml",
        include_str!("../../../demo/gitops/custom-apps/demo-app/base/kustomization.yaml"),
    ),
    (
        "demo-app/base/rollout.yaml",
        include_str!("../../../demo/gitops/custom-apps/demo-app/base/rollout.yaml"),
    ),
    (
        "demo-app/base/services.yaml",
        include_str!("../../../demo/gitops/custom-apps/demo-app/base/services.yaml"),
    ),
    (
        "demo-app/base/analysis-templates.yaml",
        include_str!("../../../demo/gitops/custom-apps/demo-app/base/analysis-templates.yaml"),
    ),
    (
        "demo-app/overlays/dev/kustomization.yaml",
        include_str!("../../../demo/gitops/custom-apps/demo-app/overlays/dev/kustomization.yaml"),
    ),
    (
        "demo-app/overlays/staging/kustomization.yaml",
        include_str!(
            "../../../demo/gitops/custom-apps/demo-app/overlays/staging/kustomization.yaml"
        ),
    ),
    (
        "demo-app/overlays/prod/kustomization.yaml",
        include_str!("../../../demo/gitops/custom-apps/demo-app/overlays/prod/kustomization.yaml"),
    ),
];

/// Seed content of the application's source repository.
const DEMO_APP: &[(&str, &str)] = &[
    (
        "server.js",
        include_str!("../../../demo/source/demo-app/server.js"),
    ),
    (
        "Dockerfile",
        include_str!("../../../demo/source/demo-app/Dockerfile"),
    ),
    (
        "BUILD_QUALITY",
        include_str!("../../../demo/source/demo-app/BUILD_QUALITY"),
    ),
];

/// The URL the manifests use for the GitOps repo (the seed's Gitea); mapped to the local repo.
pub const CUSTOM_APPS_URL: &str = "http://gitea.gitea:3000/gitops/custom-apps.git";
/// The URL of the application's source repo.
pub const DEMO_APP_URL: &str = "http://gitea.gitea:3000/gitops/demo-app.git";

/// One bare repository with a lock for writers.
pub struct Repo {
    pub path: PathBuf,
    lock: Mutex<()>,
}

/// A commit as the world reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub message: String,
    pub author: String,
    pub time: i64,
}

impl Repo {
    /// Opens the bare repo at `path`, creating and seeding it if absent.
    fn open_or_seed(
        path: PathBuf,
        seed: &[(&str, &str)],
        message: &str,
    ) -> Result<Repo, git2::Error> {
        let repo = Repo {
            path,
            lock: Mutex::new(()),
        };
        if !repo.path.join("HEAD").exists() {
            let git = Repository::init_bare(&repo.path)?;
            git.set_head("refs/heads/main")?;
            let changes: Vec<(&str, Option<&str>)> =
                seed.iter().map(|(p, t)| (*p, Some(*t))).collect();
            repo.commit(
                &changes,
                message,
                ("flightdeck demo", "demo@flightdeck.local"),
            )?;
        }
        Ok(repo)
    }

    fn open(&self) -> Result<Repository, git2::Error> {
        Repository::open_bare(&self.path)
    }

    /// The commit `main` points at.
    pub fn head(&self) -> Result<Oid, git2::Error> {
        self.open()?.refname_to_id("refs/heads/main")
    }

    /// A file's text at `main` (or `None`).
    pub fn read(&self, path: &str) -> Result<Option<String>, git2::Error> {
        let git = self.open()?;
        let tree = git
            .find_commit(git.refname_to_id("refs/heads/main")?)?
            .tree()?;
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            return Ok(None);
        };
        let blob = git.find_blob(entry.id())?;
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    }

    /// A file's text at revision `rev` (a commit id), or `None` if the file or commit is absent.
    pub fn read_at(&self, rev: &str, path: &str) -> Result<Option<String>, git2::Error> {
        let git = self.open()?;
        let Ok(object) = git.revparse_single(rev) else {
            return Ok(None);
        };
        let Ok(commit) = object.peel_to_commit() else {
            return Ok(None);
        };
        let Ok(entry) = commit.tree()?.get_path(Path::new(path)) else {
            return Ok(None);
        };
        let blob = git.find_blob(entry.id())?;
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    }

    /// Whether `rev` names a commit in this repo.
    pub fn has_commit(&self, rev: &str) -> bool {
        self.open()
            .ok()
            .and_then(|git| {
                git.revparse_single(rev)
                    .ok()
                    .and_then(|o| o.peel_to_commit().ok())
                    .map(|_| ())
            })
            .is_some()
    }

    /// The newest `limit` commits of `main`, newest first.
    pub fn log(&self, limit: usize) -> Result<Vec<CommitInfo>, git2::Error> {
        let git = self.open()?;
        let mut walk = git.revwalk()?;
        walk.push_ref("refs/heads/main")?;
        walk.take(limit)
            .map(|id| {
                let commit = git.find_commit(id?)?;
                Ok(CommitInfo {
                    id: commit.id().to_string(),
                    message: commit.message().unwrap_or_default().trim().to_string(),
                    author: commit.author().name().unwrap_or_default().to_string(),
                    time: commit.time().seconds(),
                })
            })
            .collect()
    }

    /// Commits `changes` (path → new text, or `None` to delete) on top of `main`.
    pub fn commit(
        &self,
        changes: &[(&str, Option<&str>)],
        message: &str,
        author: (&str, &str),
    ) -> Result<Oid, git2::Error> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let git = self.open()?;
        let parent = git
            .refname_to_id("refs/heads/main")
            .ok()
            .map(|id| git.find_commit(id))
            .transpose()?;
        let mut tree_id = match &parent {
            Some(parent) => parent.tree_id(),
            None => git.treebuilder(None)?.write()?,
        };
        for (path, text) in changes {
            let blob = text.map(|text| git.blob(text.as_bytes())).transpose()?;
            tree_id = replace_in_tree(&git, tree_id, path, blob)?;
        }
        let tree = git.find_tree(tree_id)?;
        let signature = Signature::now(author.0, author.1)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        git.commit(
            Some("refs/heads/main"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
    }
}

/// A new tree equal to `tree_id` with the file at `path` set to `blob` (or removed).
fn replace_in_tree(
    git: &Repository,
    tree_id: Oid,
    path: &str,
    blob: Option<Oid>,
) -> Result<Oid, git2::Error> {
    let tree = git.find_tree(tree_id)?;
    let mut builder = git.treebuilder(Some(&tree))?;
    match path.split_once('/') {
        None => match blob {
            Some(blob) => {
                builder.insert(path, blob, 0o100644)?;
            }
            None => {
                if builder.get(path)?.is_some() {
                    builder.remove(path)?;
                }
            }
        },
        Some((dir, rest)) => {
            let sub_id = match tree
                .get_name(dir)
                .filter(|e| e.kind() == Some(ObjectType::Tree))
            {
                Some(entry) => entry.id(),
                None => git.treebuilder(None)?.write()?,
            };
            let new_sub = replace_in_tree(git, sub_id, rest, blob)?;
            if git.find_tree(new_sub)?.is_empty() {
                if builder.get(dir)?.is_some() {
                    builder.remove(dir)?;
                }
            } else {
                builder.insert(dir, new_sub, 0o040000)?;
            }
        }
    }
    builder.write()
}

/// The world's two repositories.
pub struct GitRepos {
    pub custom_apps: Repo,
    pub demo_app: Repo,
}

impl GitRepos {
    /// Opens (or creates and seeds) the repos under `dir`.
    pub fn open_or_create(dir: &Path) -> Result<GitRepos, git2::Error> {
        std::fs::create_dir_all(dir)
            .map_err(|e| git2::Error::from_str(&format!("cannot create {}: {e}", dir.display())))?;
        Ok(GitRepos {
            custom_apps: Repo::open_or_seed(
                dir.join("custom-apps.git"),
                CUSTOM_APPS,
                "Initial GitOps manifests for demo-app",
            )?,
            demo_app: Repo::open_or_seed(dir.join("demo-app.git"), DEMO_APP, "Initial demo-app")?,
        })
    }

    /// The repo a manifest URL names (the seed's Gitea URLs map to the local repos).
    pub fn by_url(&self, url: &str) -> Option<&Repo> {
        let name = url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".git");
        match name {
            "custom-apps" => Some(&self.custom_apps),
            "demo-app" => Some(&self.demo_app),
            _ => None,
        }
    }
}

/// The tag a kustomization sets for the demo's image.
pub fn kustomize_tag(kustomization: &str) -> Option<String> {
    crate::model::kustomize::image_tag(kustomization, super::context::ImageRegistry::REPOSITORY)
}

/// A kustomization with the demo's image set to `tag` (`kustomize edit set image`).
pub fn set_kustomize_tag(kustomization: &str, tag: &str) -> Option<String> {
    crate::model::kustomize::set_image(
        kustomization,
        super::context::ImageRegistry::REPOSITORY,
        tag,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_repos_take_real_commits() {
        let dir = tempfile::tempdir().expect("temp");
        let repos = GitRepos::open_or_create(dir.path()).expect("repos");
        let overlay = "demo-app/overlays/dev/kustomization.yaml";
        let text = repos
            .custom_apps
            .read(overlay)
            .expect("read")
            .expect("present");
        assert_eq!(kustomize_tag(&text).as_deref(), Some("v1.0.0"));
        let updated = set_kustomize_tag(&text, "abc1234").expect("has a tag");
        repos
            .custom_apps
            .commit(
                &[(overlay, Some(&updated))],
                "promote abc1234 to dev",
                ("kargo", "kargo@demo.local"),
            )
            .expect("commit");
        assert_eq!(
            kustomize_tag(
                &repos
                    .custom_apps
                    .read(overlay)
                    .expect("read")
                    .expect("present")
            )
            .as_deref(),
            Some("abc1234")
        );
        let log = repos.custom_apps.log(5).expect("log");
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].message, "promote abc1234 to dev");
        assert_eq!(
            repos
                .custom_apps
                .read("demo-app/base/rollout.yaml")
                .expect("read")
                .map(|t| t.contains("setWeight: 20")),
            Some(true)
        );
        repos
            .demo_app
            .commit(
                &[("new/deep/file.txt", Some("x"))],
                "add",
                ("dev", "dev@demo.local"),
            )
            .expect("nested");
        repos
            .demo_app
            .commit(
                &[("new/deep/file.txt", None)],
                "remove",
                ("dev", "dev@demo.local"),
            )
            .expect("remove");
        assert_eq!(
            repos.demo_app.read("new/deep/file.txt").expect("read"),
            None
        );
        // Reopening finds the same history; a real git can read it.
        let again = GitRepos::open_or_create(dir.path()).expect("reopen");
        assert_eq!(again.custom_apps.log(10).expect("log").len(), 2);
        let output = std::process::Command::new("git")
            .args([
                "--git-dir",
                &again.custom_apps.path.display().to_string(),
                "log",
                "--format=%s",
                "main",
            ])
            .output()
            .expect("git");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "promote abc1234 to dev\nInitial GitOps manifests for demo-app\n"
        );
        assert!(
            repos.by_url(CUSTOM_APPS_URL).is_some() && repos.by_url("http://x/other.git").is_none()
        );
    }
}
