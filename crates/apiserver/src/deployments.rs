//! The Deployment controller, the ReplicaSet controller and a kubelet, at once rather than
//! eventually: after a Deployment is written, its ReplicaSet for the current pod template exists
//! (labelled with the template's hash, the next revision), older ones are scaled to zero, each
//! ReplicaSet has its Pods (Running and Ready at once, as on kwok's fake nodes), and the statuses
//! say so as the real controllers write them. So `kubectl rollout status|restart|history|undo`
//! and `scale` work on the embedded server.

use serde_json::{Value, json};

use super::registry::ResourceDef;
use super::state::State;
use super::store::Store;
use super::{defaults, gc, writes};

const REVISION: &str = "deployment.kubernetes.io/revision";
const HASH_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The pod-template hash: FNV-1a of the template, in the API server's vowel-free alphabet.
fn template_hash(template: &Value) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in template.to_string().bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let mut text = String::new();
    let mut rest = u64::from(hash) * 7919;
    for _ in 0..10 {
        text.push(HASH_ALPHABET[(rest % 27) as usize] as char);
        rest /= 27;
    }
    text
}

fn def<'a>(state: &'a State, group: &str, plural: &str) -> Option<&'a ResourceDef> {
    state.registry.find(group, "v1", plural)
}

fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The objects of `objects` that the object `uid` controls.
fn owned_by<'a>(objects: &'a [Value], uid: &str) -> impl Iterator<Item = &'a Value> {
    objects
        .iter()
        .filter(move |object| gc::is_owned_by(object, uid, true))
}

fn owner_reference(owner: &Value, kind: &str) -> Value {
    json!([{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": kind,
            "name": text(owner, "/metadata/name"), "uid": text(owner, "/metadata/uid")}])
}

/// Stores `object` if it changed (a new spec bumps the generation); creates it when it is new
/// (named, or from its generateName).
fn save(state: &State, store: &mut Store, def: &ResourceDef, namespace: &str, object: Value) {
    let name = text(&object, "/metadata/name").to_string();
    match store.get(def, namespace, &name) {
        Some(stored) if **stored == object => {}
        Some(stored) => {
            let mut object = object;
            if writes::bumps_generation(def, &stored, &object) {
                let generation = stored
                    .pointer("/metadata/generation")
                    .and_then(Value::as_i64);
                object["metadata"]["generation"] = json!(generation.unwrap_or(0) + 1);
            }
            let change = store.put(def, namespace, &name, object);
            state.publish(change);
        }
        None => {
            let status = object.get("status").cloned();
            let taken = |candidate: &str| store.get(def, namespace, candidate).is_some();
            if let Ok((name, mut created)) =
                writes::prepare_create(def, Some(namespace), object, taken)
            {
                if let Some(status) = status {
                    created["status"] = status;
                }
                let change = store.put(def, namespace, &name, created);
                state.publish(change);
            }
        }
    }
}

/// Brings the Deployment `namespace/name` and everything it owns to its desired state.
pub fn reconcile(state: &State, store: &mut Store, namespace: &str, name: &str) {
    let (Some(deployments), Some(replica_sets)) = (
        def(state, "apps", "deployments"),
        def(state, "apps", "replicasets"),
    ) else {
        return;
    };
    let Some(deployment) = store.get(deployments, namespace, name) else {
        return;
    };
    let mut deployment = deployment.value().clone();
    if deployment.pointer("/metadata/deletionTimestamp").is_some() {
        return;
    }
    let uid = text(&deployment, "/metadata/uid").to_string();
    let replicas = deployment
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let template = deployment
        .pointer("/spec/template")
        .cloned()
        .unwrap_or(json!({}));
    let hash = template_hash(&template);
    let all: Vec<Value> = store
        .list(replica_sets, Some(namespace))
        .iter()
        .map(|s| s.value().clone())
        .collect();
    let owned: Vec<Value> = owned_by(&all, &uid).cloned().collect();
    let revision_of = |rs: &Value| {
        text(
            rs,
            &format!("/metadata/annotations/{}", REVISION.replace('/', "~1")),
        )
        .parse::<i64>()
        .unwrap_or(0)
    };
    let newest = owned.iter().map(revision_of).max().unwrap_or(0);
    let current = owned
        .iter()
        .find(|rs| text(rs, "/metadata/labels/pod-template-hash") == hash);
    let revision = match current {
        Some(rs) if revision_of(rs) == newest => newest,
        _ => newest + 1,
    };
    let new_name = format!("{name}-{hash}");
    let mut new_set = current.cloned().unwrap_or_else(|| {
        let mut template = template.clone();
        template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        let mut selector = deployment
            .pointer("/spec/selector")
            .cloned()
            .unwrap_or(json!({}));
        selector["matchLabels"]["pod-template-hash"] = json!(hash);
        let mut labels = template["metadata"]["labels"].clone();
        labels["pod-template-hash"] = json!(hash);
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
               "metadata": {"name": new_name, "namespace": namespace, "labels": labels,
                            "ownerReferences": owner_reference(&deployment, "Deployment")},
               "spec": {"selector": selector, "template": template}})
    });
    let surge = 1 + replicas / 4;
    new_set["metadata"]["annotations"] = json!({
        "deployment.kubernetes.io/desired-replicas": replicas.to_string(),
        "deployment.kubernetes.io/max-replicas": (replicas + surge).to_string(),
        REVISION: revision.to_string(),
    });
    new_set["spec"]["replicas"] = json!(replicas);
    save(state, store, replica_sets, namespace, new_set);
    for old in owned
        .iter()
        .filter(|rs| text(rs, "/metadata/name") != new_name)
    {
        let mut old = old.clone();
        old["spec"]["replicas"] = json!(0);
        save(state, store, replica_sets, namespace, old);
    }
    // the ReplicaSets' pods and statuses, then the Deployment's
    let mut ready = 0;
    for rs in store.list(replica_sets, Some(namespace)) {
        if gc::is_owned_by(rs.value(), &uid, true) {
            let rs_name = text(rs.value(), "/metadata/name").to_string();
            let count = replica_set(state, store, namespace, &rs_name);
            if rs_name == new_name {
                ready = count;
            }
        }
    }
    let now = writes::timestamp_now();
    let condition = |kind: &str, reason: &str, message: String| {
        json!({"lastTransitionTime": now, "lastUpdateTime": now, "message": message,
               "reason": reason, "status": "True", "type": kind})
    };
    let mut status = json!({
        "observedGeneration": deployment.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
        "replicas": ready, "updatedReplicas": ready, "readyReplicas": ready,
        "availableReplicas": ready, "terminatingReplicas": 0,
        "conditions": [
            condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability.".into()),
            condition("Progressing", "NewReplicaSetAvailable", format!("ReplicaSet \"{new_name}\" has successfully progressed.")),
        ],
    });
    if ready == 0
        && let Some(map) = status.as_object_mut()
    {
        for key in [
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
        ] {
            map.remove(key);
        }
    }
    // conditions keep their times while they say the same
    if let Some(previous) = deployment.pointer("/status/conditions")
        && previous.as_array().map(Vec::len) == Some(2)
        && previous[1]["message"] == status["conditions"][1]["message"]
    {
        status["conditions"] = previous.clone();
    }
    deployment["status"] = status;
    deployment["metadata"]["annotations"][REVISION] = json!(revision.to_string());
    defaults::apply(deployments, &mut deployment);
    save(state, store, deployments, namespace, deployment);
}

/// Makes the ReplicaSet's Pods match its replicas (new ones Running and Ready); writes its
/// status; the number of its Pods.
fn replica_set(state: &State, store: &mut Store, namespace: &str, name: &str) -> i64 {
    let (Some(replica_sets), Some(pods)) =
        (def(state, "apps", "replicasets"), def(state, "", "pods"))
    else {
        return 0;
    };
    let Some(rs) = store.get(replica_sets, namespace, name) else {
        return 0;
    };
    let mut rs = rs.value().clone();
    let uid = text(&rs, "/metadata/uid").to_string();
    let wanted = rs
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let all: Vec<Value> = store
        .list(pods, Some(namespace))
        .iter()
        .map(|s| s.value().clone())
        .collect();
    let mut have: Vec<String> = owned_by(&all, &uid)
        .map(|pod| text(pod, "/metadata/name").to_string())
        .collect();
    while (have.len() as i64) > wanted {
        if let Some(pod) = have.pop()
            && let Some(change) = store.remove(pods, namespace, &pod)
        {
            state.publish(change);
        }
    }
    let now = writes::timestamp_now();
    for _ in have.len() as i64..wanted {
        let mut pod = rs["spec"]["template"].clone();
        pod["metadata"]["generateName"] = json!(format!("{name}-"));
        pod["metadata"]["namespace"] = json!(namespace);
        pod["metadata"]["ownerReferences"] = owner_reference(&rs, "ReplicaSet");
        super::kubelet::start(&mut pod, &now);
        pod["apiVersion"] = json!("v1");
        pod["kind"] = json!("Pod");
        save(state, store, pods, namespace, pod);
    }
    let count = wanted.max(0);
    let mut status = json!({"observedGeneration": rs.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
                            "replicas": count, "terminatingReplicas": 0});
    if count > 0 {
        for key in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] {
            status[key] = json!(count);
        }
    }
    rs["status"] = status;
    save(state, store, replica_sets, namespace, rs);
    count
}
