//! The cockpit's host for the event loop: ctrl-z suspends to the shell, and object fetches for
//! the YAML and detail views run as background tasks on the cluster client, answering with
//! messages.

use std::io;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use tokio::sync::mpsc;

use super::event_loop::Host;
use super::msg::Msg;
use crate::model::{Kind, ObjectKey};

/// The real terminal and cluster.
pub struct CockpitHost {
    pub client: Option<kube::Client>,
    pub sender: mpsc::Sender<Msg>,
}

impl Host for CockpitHost {
    fn suspend(&mut self) -> io::Result<()> {
        super::terminal::suspend_to_shell()
    }

    fn fetch(&mut self, kind: Kind, key: ObjectKey) {
        let sender = self.sender.clone();
        let Some(client) = self.client.clone() else {
            let _ = sender.try_send(Msg::Object(key, Err("not connected to a cluster".into())));
            return;
        };
        tokio::spawn(async move {
            let answer = fetch(client, kind, &key).await;
            let _ = sender.send(Msg::Object(key, answer)).await;
        });
    }
}

/// GETs the object, without `managedFields`.
async fn fetch(
    client: kube::Client,
    kind: Kind,
    key: &ObjectKey,
) -> Result<serde_json::Value, String> {
    let (group, version, kind_name, plural) = kind.resource();
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(group, version, kind_name),
        plural,
    );
    let api: Api<DynamicObject> = if key.namespace.is_empty() {
        Api::all_with(client, &resource)
    } else {
        Api::namespaced_with(client, &key.namespace, &resource)
    };
    let object = api.get(&key.name).await.map_err(|e| e.to_string())?;
    let mut value = serde_json::to_value(&object).map_err(|e| e.to_string())?;
    if let Some(metadata) = value
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        metadata.remove("managedFields");
    }
    Ok(value)
}
