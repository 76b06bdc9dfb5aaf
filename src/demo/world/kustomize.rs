//! Just enough kustomize for the demo's GitOps repo: an overlay's `resources` (files or
//! directories with their own kustomization), `namespace`, and `images` (`name`, `newName`,
//! `newTag`) — rendered from any revision of the repository.

use serde_json::Value;

use super::git::Repo;

/// The objects `path` (a directory with a kustomization.yaml) renders to at `revision`.
pub fn render(repo: &Repo, revision: &str, path: &str) -> Result<Vec<Value>, String> {
    render_dir(repo, revision, path.trim_end_matches('/'), 0)
}

fn read(repo: &Repo, revision: &str, path: &str) -> Result<String, String> {
    repo.read_at(revision, path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "{path}: no such file at {}",
                &revision[..revision.len().min(7)]
            )
        })
}

fn render_dir(repo: &Repo, revision: &str, dir: &str, depth: usize) -> Result<Vec<Value>, String> {
    if depth > 8 {
        return Err(format!("{dir}: kustomization nesting too deep"));
    }
    let file = format!("{dir}/kustomization.yaml");
    let kustomization: Value = serde_saphyr::from_str(&read(repo, revision, &file)?)
        .map_err(|e| format!("{file}: {e}"))?;
    let mut objects = Vec::new();
    for resource in kustomization
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(resource) = resource.as_str() else {
            continue;
        };
        let target = normalize(&format!("{dir}/{resource}"));
        if target.ends_with(".yaml") || target.ends_with(".yml") {
            let text = read(repo, revision, &target)?;
            let documents: Vec<Value> =
                serde_saphyr::from_multiple(&text).map_err(|e| format!("{target}: {e}"))?;
            objects.extend(documents.into_iter().filter(Value::is_object));
        } else {
            objects.extend(render_dir(repo, revision, &target, depth + 1)?);
        }
    }
    if let Some(namespace) = kustomization.get("namespace").and_then(Value::as_str) {
        for object in &mut objects {
            object["metadata"]["namespace"] = Value::String(namespace.to_string());
        }
    }
    for image in kustomization
        .get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = image.get("name").and_then(Value::as_str) else {
            continue;
        };
        let new_name = image.get("newName").and_then(Value::as_str).unwrap_or(name);
        let tag = image.get("newTag").map(|t| {
            t.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| t.to_string())
        });
        for object in &mut objects {
            for containers in [
                "/spec/template/spec/containers",
                "/spec/template/spec/initContainers",
            ] {
                for container in object
                    .pointer_mut(containers)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    let Some(current) = container.get("image").and_then(Value::as_str) else {
                        continue;
                    };
                    let (repository, current_tag) = split_image(current);
                    if repository == name {
                        let tag = tag.clone().unwrap_or(current_tag.to_string());
                        container["image"] = Value::String(format!("{new_name}:{tag}"));
                    }
                }
            }
        }
    }
    Ok(objects)
}

/// `repo:tag` → (repo, tag); a registry port is not a tag.
pub fn split_image(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, tag),
        _ => (image, "latest"),
    }
}

/// Resolves `.` and `..` in a repository path.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::world::git::GitRepos;

    #[test]
    fn overlays_render_with_their_namespace_and_image() {
        let dir = tempfile::tempdir().expect("temp");
        let repos = GitRepos::open_or_create(dir.path()).expect("repos");
        let head = repos.custom_apps.head().expect("head").to_string();
        let objects =
            render(&repos.custom_apps, &head, "demo-app/overlays/staging").expect("render");
        let kinds: Vec<&str> = objects
            .iter()
            .filter_map(|o| o.get("kind").and_then(Value::as_str))
            .collect();
        assert_eq!(
            kinds,
            [
                "Rollout",
                "Service",
                "Service",
                "AnalysisTemplate",
                "AnalysisTemplate"
            ]
        );
        assert!(
            objects
                .iter()
                .all(|o| o["metadata"]["namespace"] == "demo-app-staging")
        );
        assert_eq!(
            objects[0]["spec"]["template"]["spec"]["containers"][0]["image"],
            "localhost:30087/demo-app:v1.0.0"
        );
        assert_eq!(
            split_image("localhost:30087/demo-app"),
            ("localhost:30087/demo-app", "latest")
        );
        assert_eq!(normalize("a/b/../../base/./x.yaml"), "base/x.yaml");
        assert!(render(&repos.custom_apps, &head, "demo-app/overlays/nowhere").is_err());
    }
}
