//! The kubeconfig that points kube-rs and kubectl at the embedded server (context
//! `flightdeck-demo`), optionally acting as a particular demo user: by bearer token (kube-rs) and
//! by impersonation (`as:`, which kubectl sends even over plain HTTP).

use std::path::Path;

/// The kubeconfig text for a server at `url`.
pub fn kubeconfig(url: &str, namespace: &str, user: Option<(&str, &str)>) -> String {
    let user = match user {
        Some((token, name)) => format!("{{ token: \"{token}\", as: \"{name}\" }}"),
        None => "{}".to_string(),
    };
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: flightdeck-demo\nclusters:\n- name: flightdeck-demo\n  cluster:\n    server: {url}\ncontexts:\n- name: flightdeck-demo\n  context:\n    cluster: flightdeck-demo\n    user: flightdeck-demo\n    namespace: {namespace}\nusers:\n- name: flightdeck-demo\n  user: {user}\npreferences: {{}}\n"
    )
}

/// Writes the kubeconfig to `path` (creating its directory).
/// `user` is (token, user name).
pub fn write(
    path: &Path,
    url: &str,
    namespace: &str,
    user: Option<(&str, &str)>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, kubeconfig(url, namespace, user))
}
