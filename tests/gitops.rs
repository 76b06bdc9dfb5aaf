//! GitOps changes against real repositories: a bare remote seeded like the demo's, reached as a
//! path and through `git daemon`; image bumps and reverts planned (diff first), committed with
//! the author from git config and pushed; a push rejected by a concurrent commit is rebased when
//! it applies cleanly and kept local (never forced) when it does not; conflicting reverts, dirty
//! and detached working copies are refused with the reason.

use std::path::Path;

use flightdeck::demo::world::git::GitRepos;
use flightdeck::git::{GitError, GitOps};
use git2::Repository;

const DEV: &str = "demo-app/overlays/dev";
const PROD: &str = "demo-app/overlays/prod";
const IMAGE: &str = "localhost:30087/demo-app";

/// A bare remote with the demo's GitOps content, and a place for clones.
fn remote() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp");
    let repos = GitRepos::open_or_create(&dir.path().join("repos")).expect("repos");
    let path = repos.custom_apps.path.display().to_string();
    (dir, path)
}

/// Opens a clone of `remote` in `cache` and gives it an author.
fn clone(remote: &str, cache: &Path, author: &str) -> GitOps {
    let gitops = GitOps::open(remote, cache).expect("open");
    let repo = Repository::open(&gitops.path).expect("clone");
    let mut config = repo.config().expect("config");
    config.set_str("user.name", author).expect("name");
    config
        .set_str("user.email", &format!("{author}@example.com"))
        .expect("email");
    gitops
}

fn remote_head(remote: &str) -> git2::Oid {
    Repository::open_bare(remote)
        .expect("remote")
        .refname_to_id("refs/heads/main")
        .expect("main")
}

fn remote_message(remote: &str) -> String {
    let repo = Repository::open_bare(remote).expect("remote");
    let head = repo.find_commit(remote_head(remote)).expect("head");
    head.message().unwrap_or_default().to_string()
}

#[test]
fn image_bump_and_revert_are_previewed_committed_and_pushed() {
    let (dir, remote) = remote();
    let gitops = clone(&remote, &dir.path().join("cache"), "jane");
    gitops.sync().expect("sync");
    let change = gitops.plan_image_tag(DEV, IMAGE, "v9.9.9").expect("plan");
    assert!(change.diff.contains("-  newTag: v1.0.0"), "{}", change.diff);
    assert!(change.diff.contains("+  newTag: v9.9.9"), "{}", change.diff);
    assert!(
        change
            .diff
            .contains("demo-app/overlays/dev/kustomization.yaml")
    );
    assert_eq!(
        change.message,
        "chore(dev): set image localhost:30087/demo-app:v9.9.9\n"
    );
    let before = remote_head(&remote);
    let bumped = gitops.commit_and_push(&change).expect("push");
    assert_eq!(remote_head(&remote).to_string(), bumped);
    let repo = Repository::open_bare(&remote).expect("remote");
    let commit = repo.find_commit(remote_head(&remote)).expect("commit");
    assert_eq!(
        commit.parent_id(0).expect("parent"),
        before,
        "a plain fast-forward"
    );
    assert_eq!(commit.author().name().ok(), Some("jane"));
    assert_eq!(commit.author().email().ok(), Some("jane@example.com"));

    let log = gitops.log(5).expect("log");
    assert_eq!(log[0].id, bumped);
    let revert = gitops.plan_revert(&bumped).expect("plan revert");
    assert!(revert.diff.contains("-  newTag: v9.9.9") && revert.diff.contains("+  newTag: v1.0.0"));
    assert!(
        revert
            .message
            .starts_with("Revert \"chore(dev): set image localhost:30087/demo-app:v9.9.9\"")
    );
    let reverted = gitops.commit_and_push(&revert).expect("push revert");
    assert_eq!(remote_head(&remote).to_string(), reverted);
    assert!(remote_message(&remote).contains(&format!("This reverts commit {bumped}.")));
    assert_eq!(
        gitops.plan_image_tag(DEV, IMAGE, "v1.0.0").err(),
        Some(GitError::Refused(format!(
            "{DEV}/kustomization.yaml: already sets {IMAGE}:v1.0.0"
        )))
    );
}

#[test]
fn a_rejected_push_is_rebased_when_clean_and_kept_when_not() {
    let (dir, remote) = remote();
    let ours = clone(&remote, &dir.path().join("ours"), "jane");
    let theirs = clone(&remote, &dir.path().join("theirs"), "joe");
    ours.sync().expect("sync");
    theirs.sync().expect("sync");
    // Both plan on the same head; theirs lands first, on another file.
    let mine = ours.plan_image_tag(DEV, IMAGE, "v2").expect("plan");
    let other = theirs.plan_image_tag(PROD, IMAGE, "v3").expect("plan");
    let other_id = theirs.commit_and_push(&other).expect("push");
    let rebased = ours
        .commit_and_push(&mine)
        .expect("rejected, then rebased and pushed");
    let repo = Repository::open_bare(&remote).expect("remote");
    let head = repo.find_commit(remote_head(&remote)).expect("head");
    assert_eq!(head.id().to_string(), rebased);
    assert_eq!(
        head.parent_id(0).expect("parent").to_string(),
        other_id,
        "on top of theirs"
    );

    // Now both change the same line: the replay conflicts, ours stays local, nothing is forced.
    theirs.sync().expect("sync");
    ours.sync().expect("sync");
    let mine = ours.plan_image_tag(DEV, IMAGE, "v7").expect("plan");
    let other = theirs.plan_image_tag(DEV, IMAGE, "v8").expect("plan");
    let other_id = theirs.commit_and_push(&other).expect("push");
    let refused = ours.commit_and_push(&mine).expect_err("conflict");
    assert!(
        matches!(&refused, GitError::Kept { why, branch, .. }
            if why.contains("does not apply cleanly") && branch == "main"),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("stays on the local main")
            && refused.to_string().contains("nothing was forced"),
        "{refused}"
    );
    assert_eq!(
        remote_head(&remote).to_string(),
        other_id,
        "the remote keeps theirs"
    );
    let local = Repository::open(&ours.path).expect("ours");
    let local_head = local
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("commit");
    assert_eq!(
        local_head.message().unwrap_or_default(),
        "chore(dev): set image localhost:30087/demo-app:v7\n",
        "kept"
    );
    let again = ours.sync().expect_err("local commit not on the remote");
    assert!(matches!(again, GitError::Ahead { ahead: 1, .. }), "{again}");
}

#[test]
fn conflicting_revert_dirty_and_detached_copies_are_refused() {
    let (dir, remote) = remote();
    let gitops = clone(&remote, &dir.path().join("cache"), "jane");
    gitops.sync().expect("sync");
    let first = gitops
        .commit_and_push(&gitops.plan_image_tag(DEV, IMAGE, "v5").expect("plan"))
        .expect("push");
    gitops
        .commit_and_push(&gitops.plan_image_tag(DEV, IMAGE, "v6").expect("plan"))
        .expect("push");
    let conflict = gitops.plan_revert(&first).expect_err("conflicts");
    let conflict = conflict.to_string();
    assert!(
        conflict
            .contains("conflicts with later changes in demo-app/overlays/dev/kustomization.yaml"),
        "{conflict}"
    );
    assert!(conflict.ends_with("nothing was changed"));

    // A working copy of the user's own, used in place: dirty or detached is refused.
    let work = dir.path().join("work");
    let repo = Repository::clone(&remote, &work).expect("clone");
    let file = work.join(DEV).join("kustomization.yaml");
    std::fs::write(&file, "edited by hand\n").expect("edit");
    let in_place =
        GitOps::open(&work.display().to_string(), &dir.path().join("unused")).expect("open");
    assert_eq!(in_place.path, work);
    let dirty = in_place.sync().expect_err("dirty");
    assert!(
        matches!(&dirty, GitError::Dirty { files, .. } if files.contains("kustomization.yaml")),
        "{dirty:?}"
    );
    assert!(
        dirty.to_string().contains("never resets your work"),
        "{dirty}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "edited by hand\n",
        "untouched"
    );
    let head = repo
        .head()
        .expect("head")
        .peel_to_commit()
        .expect("commit")
        .id();
    repo.set_head_detached(head).expect("detach");
    let detached = GitOps::open(&work.display().to_string(), &dir.path().join("unused")).err();
    assert_eq!(detached, Some(GitError::DetachedHead));
}

#[test]
fn pushes_over_git_daemon_and_without_an_author_says_how_to_set_one() {
    let (dir, remote) = remote();
    let Some(daemon) =
        flightdeck::demo::world::git_daemon::GitDaemon::start(&dir.path().join("repos"))
    else {
        eprintln!("SKIPPED: git is not installed");
        return;
    };
    let url = format!("{}/custom-apps", daemon.url);
    let gitops = clone(&url, &dir.path().join("cache"), "jane");
    // git daemon needs a moment to listen.
    let mut synced = gitops.sync();
    for _ in 0..50 {
        if synced.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        synced = gitops.sync();
    }
    synced.expect("sync over git://");
    let pushed = gitops
        .commit_and_push(&gitops.plan_image_tag(DEV, IMAGE, "v4").expect("plan"))
        .expect("push over git://");
    assert_eq!(remote_head(&remote).to_string(), pushed);

    let anonymous = GitOps::open(&remote, &dir.path().join("anonymous")).expect("open");
    let repo = Repository::open(&anonymous.path).expect("clone");
    let mut config = repo.config().expect("config");
    let _ = config.set_str("user.name", "");
    let change = anonymous.plan_image_tag(DEV, IMAGE, "v10").expect("plan");
    // An empty name in the repository's config overrides any global one.
    let message = anonymous.commit_and_push(&change).expect_err("no author");
    assert_eq!(message, GitError::NoAuthor);
    assert!(message.to_string().contains("set user.name and user.email"));
    assert_eq!(
        remote_head(&remote).to_string(),
        pushed,
        "nothing was pushed"
    );
}

#[test]
fn an_unreachable_remote_is_explained_without_its_credentials() {
    let dir = tempfile::tempdir().expect("temp");
    let unreachable = GitOps::open("git://127.0.0.1:1/custom-apps", dir.path())
        .err()
        .expect("unreachable")
        .to_string();
    assert!(
        unreachable.starts_with("cannot clone git://127.0.0.1:1/custom-apps"),
        "{unreachable}"
    );
    let with_password = GitOps::open("http://jane:s3cret@127.0.0.1:1/custom-apps.git", dir.path())
        .err()
        .expect("unreachable")
        .to_string();
    assert!(!with_password.contains("s3cret"), "{with_password}");
    assert!(with_password.contains("***@127.0.0.1:1"), "{with_password}");
}
