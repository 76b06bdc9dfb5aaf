//! The benchmark's API server, run in a process of its own (`flightdeck bench-server`) so the
//! cockpit's memory is measured alone: the embedded server preloaded with the fixtures, its URL
//! printed on the first line of stdout, serving until stdin closes.

use tokio::io::AsyncReadExt;

use super::fixtures::{namespaces, objects};
use crate::demo::apiserver::ApiServer;
use crate::demo::apiserver::write::create_object;

/// Starts the server with `count` fixtures stored (validated as any create is).
pub async fn preloaded(count: usize) -> Result<ApiServer, String> {
    let server = ApiServer::start(Default::default())
        .await
        .map_err(|e| format!("cannot start the API server: {e}"))?;
    let state = &server.state;
    let find = |group: &str, version: &str, plural: &str| {
        state
            .registry
            .find(group, version, plural)
            .ok_or_else(|| format!("the server does not serve {plural}"))
    };
    let namespace_def = find("", "v1", "namespaces")?;
    for name in namespaces() {
        create_object(
            state,
            namespace_def,
            None,
            serde_json::json!({"metadata": {"name": name}}),
            false,
        )
        .map_err(|e| format!("namespace {name}: {}", e.body))?;
    }
    for (kind, object) in objects(count) {
        let (group, version, _, plural) = kind.resource();
        let def = find(group, version, plural)?;
        let namespace = object["metadata"]["namespace"].as_str().map(str::to_string);
        create_object(state, def, namespace.as_deref(), object, false)
            .map_err(|e| format!("{kind:?}: {}", e.body))?;
    }
    Ok(server)
}

/// `flightdeck bench-server --objects N`: serve until stdin closes.
pub async fn serve(count: usize) -> Result<(), String> {
    let server = preloaded(count).await?;
    println!("{}", server.url());
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0u8; 64];
    while stdin
        .read(&mut buffer)
        .await
        .map(|n| n > 0)
        .unwrap_or(false)
    {}
    Ok(())
}
