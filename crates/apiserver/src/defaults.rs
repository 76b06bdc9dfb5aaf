//! What the real API server fills into built-in objects on every write, before storing them:
//! the defaulting functions of `k8s.io/kubernetes/pkg/apis/<group>/v1/defaults.go` for the kinds
//! served here (pod templates, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Services,
//! Secrets, Namespaces, Ingresses), the admission plugins that change Pods on create
//! (ServiceAccount, Priority, DefaultTolerationSeconds), and Go's JSON rule that an empty map
//! or list of metadata is not written. Values checked against the real control plane
//! (`tests/conformance`).

use serde_json::{Map, Value, json};

use super::registry::ResourceDef;

/// Sets `key` to `value` where it is missing (or null).
fn default(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.into(), value);
    }
}

/// The object at `key` of `map`, made an (empty) object where missing.
fn child<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    if !map.get(key).is_some_and(Value::is_object) {
        map.insert(key.into(), json!({}));
    }
    map.get_mut(key)
        .and_then(Value::as_object_mut)
        .expect("just made an object")
}

/// Fills defaults into `object` of kind `def`, and the empty structs Go writes for built-in kinds
/// (a no-op for custom resources).
pub fn apply(def: &ResourceDef, object: &mut Value) {
    tidy_metadata(object);
    if def.custom {
        return;
    }
    let Some(map) = object.as_object_mut() else {
        return;
    };
    match (def.group.as_str(), def.plural.as_str()) {
        ("", "namespaces") => namespace(map),
        ("", "secrets") => default(map, "type", json!("Opaque")),
        ("", "services") => service(map),
        ("", "pods") => pod_spec(child(map, "spec"), "Always"),
        ("apps", "deployments") => deployment(child(map, "spec")),
        ("apps", "replicasets") => {
            let spec = child(map, "spec");
            default(spec, "replicas", json!(1));
            template(spec, "Always");
        }
        ("apps", "statefulsets") => stateful_set(child(map, "spec")),
        ("apps", "daemonsets") => {
            let spec = child(map, "spec");
            default(spec, "revisionHistoryLimit", json!(10));
            default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
            );
            template(spec, "Always");
        }
        ("batch", "jobs") => job(child(map, "spec")),
        ("batch", "cronjobs") => {
            let spec = child(map, "spec");
            default(spec, "concurrencyPolicy", json!("Allow"));
            default(spec, "suspend", json!(false));
            default(spec, "successfulJobsHistoryLimit", json!(3));
            default(spec, "failedJobsHistoryLimit", json!(1));
            let job_spec = child(child(spec, "jobTemplate"), "spec");
            template(job_spec, "OnFailure");
        }
        ("networking.k8s.io", "ingresses") => {
            for rule in array_items(child(map, "spec"), "rules") {
                if let Some(http) = rule.get_mut("http").and_then(Value::as_object_mut) {
                    for path in array_items(http, "paths") {
                        default(path, "pathType", json!("ImplementationSpecific"));
                    }
                }
            }
        }
        _ => {}
    }
    // and the structs Go writes even when empty (`status: {}`, `status.loadBalancer: {}`)
    super::protobuf::complete_structs(object);
}

/// The objects of the list at `key` (none when it is not a list).
fn array_items<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    map.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// Go leaves empty labels, annotations, finalizers and ownerReferences out of JSON.
fn tidy_metadata(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.retain(|key, value| {
            let listed = ["labels", "annotations", "finalizers", "ownerReferences"];
            !(listed.contains(&key.as_str())
                && (value.is_null()
                    || value.as_object().is_some_and(Map::is_empty)
                    || value.as_array().is_some_and(Vec::is_empty)))
        });
    }
}

fn namespace(map: &mut Map<String, Value>) {
    let name = map
        .get("metadata")
        .and_then(|m| m.get("name"))
        .cloned()
        .unwrap_or(Value::Null);
    let metadata = child(map, "metadata");
    child(metadata, "labels").insert("kubernetes.io/metadata.name".into(), name);
    default(child(map, "spec"), "finalizers", json!(["kubernetes"]));
    default(child(map, "status"), "phase", json!("Active"));
}

fn service(map: &mut Map<String, Value>) {
    let spec = child(map, "spec");
    default(spec, "type", json!("ClusterIP"));
    default(spec, "sessionAffinity", json!("None"));
    default(spec, "internalTrafficPolicy", json!("Cluster"));
    if spec.get("type") != Some(&json!("ExternalName")) {
        // an address from the default service range, 10.96.0.0/12
        let address = format!(
            "10.{}.{}.{}",
            96 + rand::random::<u8>() % 16,
            rand::random::<u8>(),
            1 + rand::random::<u8>() % 254
        );
        default(spec, "clusterIP", json!(address));
        let cluster_ip = spec.get("clusterIP").cloned().unwrap_or_default();
        default(spec, "clusterIPs", json!([cluster_ip]));
        default(spec, "ipFamilies", json!(["IPv4"]));
        default(spec, "ipFamilyPolicy", json!("SingleStack"));
    }
    for port in array_items(spec, "ports") {
        default(port, "protocol", json!("TCP"));
        let number = port.get("port").cloned().unwrap_or(Value::Null);
        default(port, "targetPort", number);
    }
}

fn deployment(spec: &mut Map<String, Value>) {
    default(spec, "replicas", json!(1));
    default(spec, "revisionHistoryLimit", json!(10));
    default(spec, "progressDeadlineSeconds", json!(600));
    let strategy = child(spec, "strategy");
    default(strategy, "type", json!("RollingUpdate"));
    if strategy.get("type") == Some(&json!("RollingUpdate")) {
        let rolling = child(strategy, "rollingUpdate");
        default(rolling, "maxSurge", json!("25%"));
        default(rolling, "maxUnavailable", json!("25%"));
    }
    template(spec, "Always");
}

fn stateful_set(spec: &mut Map<String, Value>) {
    default(spec, "replicas", json!(1));
    default(spec, "podManagementPolicy", json!("OrderedReady"));
    default(spec, "revisionHistoryLimit", json!(10));
    default(
        spec,
        "persistentVolumeClaimRetentionPolicy",
        json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
    );
    default(
        spec,
        "updateStrategy",
        json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
    );
    template(spec, "Always");
}

fn job(spec: &mut Map<String, Value>) {
    default(spec, "parallelism", json!(1));
    default(spec, "completions", json!(1));
    default(spec, "backoffLimit", json!(6));
    default(spec, "completionMode", json!("NonIndexed"));
    default(spec, "suspend", json!(false));
    default(spec, "manualSelector", json!(false));
    default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    template(spec, "Never");
}

/// A workload's `spec.template`: its pod spec defaulted.
fn template(spec: &mut Map<String, Value>, restart_policy: &str) {
    let template = child(spec, "template");
    child(template, "metadata");
    pod_spec(child(template, "spec"), restart_policy);
}

/// `SetDefaults_PodSpec` and `SetDefaults_Container`.
fn pod_spec(spec: &mut Map<String, Value>, restart_policy: &str) {
    default(spec, "restartPolicy", json!(restart_policy));
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "schedulerName", json!("default-scheduler"));
    default(spec, "securityContext", json!({}));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    for list in ["initContainers", "containers"] {
        for container in array_items(spec, list) {
            let image = container
                .get("image")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // `:latest`, or no tag and no digest, is pulled every time
            let last = image.rsplit('/').next().unwrap_or(image);
            let latest =
                !image.contains('@') && last.split_once(':').is_none_or(|(_, t)| t == "latest");
            let policy = if latest { "Always" } else { "IfNotPresent" };
            default(container, "imagePullPolicy", json!(policy));
            default(container, "resources", json!({}));
            default(
                container,
                "terminationMessagePath",
                json!("/dev/termination-log"),
            );
            default(container, "terminationMessagePolicy", json!("File"));
            for port in array_items(container, "ports") {
                default(port, "protocol", json!("TCP"));
            }
        }
    }
}

/// The admission plugins that change a Pod as it is created: ServiceAccount (the namespace's
/// `default` account and its token volume), Priority, DefaultTolerationSeconds; and Pods'
/// own defaults (`enableServiceLinks`).
pub fn admit_pod(object: &mut Value, token_volume: &str) {
    let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    default(spec, "enableServiceLinks", json!(true));
    default(spec, "priority", json!(0));
    default(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    default(spec, "serviceAccountName", json!("default"));
    let account = spec.get("serviceAccountName").cloned().unwrap_or_default();
    default(spec, "serviceAccount", account);
    let mut tolerations = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerations.iter().any(|t| t["key"] == key) {
            tolerations.push(json!({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": 300}));
        }
    }
    spec.insert("tolerations".into(), json!(tolerations));
    const TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
    let mounted = spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("volumeMounts").and_then(Value::as_array))
        .flatten()
        .any(|m| m["mountPath"] == TOKEN_PATH);
    if mounted || spec.get("automountServiceAccountToken") == Some(&json!(false)) {
        return;
    }
    let mount = json!({"mountPath": TOKEN_PATH, "name": token_volume, "readOnly": true});
    for container in array_items(spec, "containers") {
        let mounts = container.entry("volumeMounts").or_insert_with(|| json!([]));
        if let Some(mounts) = mounts.as_array_mut() {
            mounts.push(mount.clone());
        }
    }
    let volume = json!({"name": token_volume, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
        {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}},
    ]}});
    let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
    if let Some(volumes) = volumes.as_array_mut() {
        volumes.push(volume);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::core_kinds;

    fn def(plural: &str) -> ResourceDef {
        core_kinds()
            .into_iter()
            .find(|d| d.plural == plural)
            .expect("served")
    }

    #[test]
    fn a_deployment_gets_the_real_servers_defaults() {
        let mut deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {}},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27"},
                                                          {"name": "sidecar", "image": "envoy"}]}}}});
        apply(&def("deployments"), &mut deployment);
        assert_eq!(deployment["metadata"], json!({"name": "web"}));
        let spec = &deployment["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(spec["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        let pod = &spec["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(pod["containers"][1]["imagePullPolicy"], "Always");
    }

    #[test]
    fn given_values_are_kept_and_custom_resources_left_alone() {
        let mut job = json!({"spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "OnFailure"}}}});
        apply(&def("jobs"), &mut job);
        assert_eq!(job["spec"]["backoffLimit"], 0);
        assert_eq!(
            job["spec"]["template"]["spec"]["restartPolicy"],
            "OnFailure"
        );
        let rollout_def = ResourceDef {
            custom: true,
            ..def("deployments")
        };
        let mut rollout = json!({"spec": {}});
        apply(&rollout_def, &mut rollout);
        assert_eq!(rollout, json!({"spec": {}}));
    }
}
