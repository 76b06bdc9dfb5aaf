//! The benchmark against an existing cluster (`flightdeck bench --write-fixtures --kubeconfig
//! FILE`): the server process's part (`bench-server --cluster`) — the fixtures written into the cluster where they are missing (the status
//! through the `status` subresource where the kind has one, as controllers write it), then the
//! same `churn RATE SECONDS` protocol as the embedded server's, each change a merge patch.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use futures::StreamExt;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

use super::fixtures::{namespaces, objects};
use super::server::{answer_churn, touched};
use crate::model::{Kind, ObjectKey};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use kube::api::ObjectMeta;

/// An existing cluster to measure against, as kubectl names it.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub kubeconfig: PathBuf,
    pub context: Option<String>,
}

impl Cluster {
    /// The client configuration for it.
    pub async fn config(&self) -> Result<kube::Config, String> {
        let kubeconfig = Kubeconfig::read_from(&self.kubeconfig)
            .map_err(|e| format!("cannot read {}: {e}", self.kubeconfig.display()))?;
        let options = KubeConfigOptions {
            context: self.context.clone(),
            ..KubeConfigOptions::default()
        };
        kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| format!("kubeconfig {}: {e}", self.kubeconfig.display()))
    }

    /// kubectl's arguments naming it.
    pub fn kubectl_args(&self) -> Vec<String> {
        let mut args = vec![
            "--kubeconfig".to_string(),
            self.kubeconfig.display().to_string(),
        ];
        if let Some(context) = &self.context {
            args.extend(["--context".to_string(), context.clone()]);
        }
        args
    }
}

/// Requests in flight at once while loading and churning.
const IN_FLIGHT: usize = 32;

/// `flightdeck bench-server --cluster --kubeconfig FILE --objects N`: loads the fixtures, prints the
/// cluster's URL, then churns on request until stdin closes.
pub async fn serve(config: kube::Config, count: usize) -> Result<(), String> {
    let url = config.cluster_url.to_string();
    let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
    let with_status = status_subresources(&client).await?;
    load(&client, count, &with_status).await?;
    println!("{url}");
    answer_churn(|rate, seconds| churn(&client, (count, &with_status), rate, seconds)).await;
    Ok(())
}

fn api(client: &kube::Client, kind: Kind, namespace: &str) -> Api<DynamicObject> {
    let (group, version, kind_name, plural) = kind.resource();
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    Api::namespaced_with(client.clone(), namespace, &resource)
}

/// The fixture kinds the cluster serves with a `status` subresource; an error naming the kinds
/// it does not serve at all (their CRDs are not installed).
async fn status_subresources(client: &kube::Client) -> Result<BTreeSet<Kind>, String> {
    let kinds: BTreeSet<Kind> = objects(1).into_iter().map(|(kind, _)| kind).collect();
    let mut with_status = BTreeSet::new();
    let mut missing = Vec::new();
    for kind in kinds {
        let (group, version, _, plural) = kind.resource();
        let resources = if group.is_empty() {
            client.list_core_api_resources(version).await
        } else {
            client
                .list_api_group_resources(&format!("{group}/{version}"))
                .await
        };
        let names: Vec<String> = resources
            .map(|list| list.resources.into_iter().map(|r| r.name).collect())
            .unwrap_or_default();
        if !names.iter().any(|name| name == plural) {
            missing.push(format!("{plural}.{group}"));
        } else if names.contains(&format!("{plural}/status")) {
            with_status.insert(kind);
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "the cluster does not serve {}: install the CRDs first (kubectl apply --server-side -R -f demo/crds)",
            missing.join(", ")
        ));
    }
    Ok(with_status)
}

/// Creates the namespaces and the objects that are not there yet (409: already loaded).
async fn load(
    client: &kube::Client,
    count: usize,
    with_status: &BTreeSet<Kind>,
) -> Result<(), String> {
    let namespace_api: Api<Namespace> = Api::all(client.clone());
    for name in namespaces() {
        let metadata = ObjectMeta {
            name: Some(name.clone()),
            ..ObjectMeta::default()
        };
        let namespace = Namespace {
            metadata: metadata.clone(),
            ..Namespace::default()
        };
        created(
            namespace_api
                .create(&PostParams::default(), &namespace)
                .await,
        )
        .map_err(|e| format!("namespace {name}: {e}"))?;
        // The Pods run as `default`, which the controller manager would make (admission checks
        // that it exists).
        let account = ServiceAccount {
            metadata: ObjectMeta {
                name: Some("default".into()),
                ..metadata
            },
            ..ServiceAccount::default()
        };
        let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), &name);
        created(accounts.create(&PostParams::default(), &account).await)
            .map_err(|e| format!("service account {name}/default: {e}"))?;
    }
    let fixtures = objects(count);
    let total = fixtures.len();
    let mut done = 0usize;
    let mut writes = futures::stream::iter(fixtures)
        .map(|(kind, object)| write_fixture(client, kind, object, with_status.contains(&kind)))
        .buffer_unordered(IN_FLIGHT);
    while let Some(result) = writes.next().await {
        result?;
        done += 1;
        if done % 5_000 == 0 || done == total {
            eprintln!("bench: {done}/{total} fixtures in the cluster");
        }
    }
    Ok(())
}

/// One fixture created (unless it exists), its status written through the subresource when the
/// kind has one (a create ignores the status there).
async fn write_fixture(
    client: &kube::Client,
    kind: Kind,
    object: Value,
    status_subresource: bool,
) -> Result<(), String> {
    let ObjectKey { namespace, name } = ObjectKey::of(&object);
    let status = object.get("status").cloned();
    let api = api(client, kind, &namespace);
    let fresh = created(api.create(&PostParams::default(), &dynamic(object)?).await)
        .map_err(|e| format!("{kind:?} {namespace}/{name}: {e}"))?;
    if let (true, true, Some(status)) = (fresh, status_subresource, status) {
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await
        .map_err(|e| format!("{kind:?} {namespace}/{name} status: {e}"))?;
    }
    Ok(())
}

fn dynamic(object: Value) -> Result<DynamicObject, String> {
    serde_json::from_value(object).map_err(|e| e.to_string())
}

/// Whether a create made the object (`false`: it was there already).
fn created<T>(result: kube::Result<T>) -> Result<bool, String> {
    match result {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
        Err(error) => Err(error.to_string()),
    }
}

/// Changes `rate` fixtures a second for `seconds`, each a merge patch of a field its row shows
/// (through the status subresource where the field is the status's); returns how many changes
/// the cluster accepted. A cluster slower than the rate is given what it can take.
async fn churn(
    client: &kube::Client,
    (count, with_status): (usize, &BTreeSet<Kind>),
    rate: u64,
    seconds: u64,
) -> u64 {
    let fixtures = objects(count);
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let due = |counter: u64| started + Duration::from_secs_f64(counter as f64 / rate.max(1) as f64);
    let changes = futures::stream::iter(0u64..)
        // Ends at the deadline even when the cluster took fewer than the rate asked for.
        .take_while(|counter| {
            let now = tokio::time::Instant::now();
            std::future::ready(due(*counter) < deadline && now < deadline)
        })
        .map(|counter| {
            let (kind, object) = &fixtures[counter as usize % fixtures.len()];
            async move {
                tokio::time::sleep_until(due(counter)).await;
                patch(client, *kind, object, (counter, with_status.contains(kind))).await
            }
        })
        .buffer_unordered(IN_FLIGHT);
    changes.filter(|ok| std::future::ready(*ok)).count().await as u64
}

/// One churn change; whether the cluster took it.
async fn patch(
    client: &kube::Client,
    kind: Kind,
    object: &Value,
    (counter, status_subresource): (u64, bool),
) -> bool {
    let ObjectKey { namespace, name } = ObjectKey::of(object);
    let (path, value) = touched(kind.resource().3, counter);
    let mut body = value;
    for key in path.iter().rev() {
        body = json!({ *key: body });
    }
    let api = api(client, kind, &namespace);
    let params = PatchParams::default();
    let result = if status_subresource && path.first() == Some(&"status") {
        api.patch_status(&name, &params, &Patch::Merge(body)).await
    } else {
        api.patch(&name, &params, &Patch::Merge(body)).await
    };
    result.is_ok()
}
