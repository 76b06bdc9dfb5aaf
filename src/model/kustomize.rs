//! Editing a kustomization's image tag in place, keeping every other line as written (so the
//! commit's diff is the one line that changed). Pure.

/// Sets `newTag:` of the first image entry in a kustomization's text (keeps everything else).
pub fn set_kustomize_tag(kustomization: &str, tag: &str) -> Option<String> {
    let mut replaced = false;
    let lines: Vec<String> = kustomization
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if !replaced && trimmed.starts_with("newTag:") {
                replaced = true;
                let indent = &line[..line.len() - trimmed.len()];
                format!("{indent}newTag: {tag}")
            } else {
                line.to_string()
            }
        })
        .collect();
    replaced.then(|| lines.join("\n") + "\n")
}

/// The `newTag:` of a kustomization's text.
pub fn kustomize_tag(kustomization: &str) -> Option<String> {
    kustomization.lines().find_map(|line| {
        line.trim()
            .strip_prefix("newTag:")
            .map(|tag| tag.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_reads_the_tag_keeping_the_rest() {
        let text = "images:\n- name: r/app\n  newTag: v1 # pinned\nnamespace: x\n";
        assert_eq!(kustomize_tag(text).as_deref(), Some("v1 # pinned"));
        assert_eq!(
            set_kustomize_tag(text, "v2").as_deref(),
            Some("images:\n- name: r/app\n  newTag: v2\nnamespace: x\n")
        );
        assert_eq!(set_kustomize_tag("resources: []\n", "v2"), None);
    }
}
