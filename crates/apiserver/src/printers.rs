//! The columns `kubectl get` shows for the common built-in kinds, as the real API server's table
//! printers compute them (kubernetes `pkg/printers/internalversion`): a Pod's READY, STATUS and
//! RESTARTS, a Deployment's READY/UP-TO-DATE/AVAILABLE, a Service's TYPE/CLUSTER-IP/PORT(S), a
//! ConfigMap's DATA… Priority 1 columns are the `-o wide` ones. Kinds not here show Name and Age.

use serde_json::{Value, json};

use super::registry::ResourceDef;

/// A computed column: (name, type, priority, cell).
pub type Printed = (&'static str, &'static str, i64, fn(&Value) -> Value);

fn int(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn items<'a>(object: &'a Value, pointer: &str) -> &'a [Value] {
    object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn count(object: &Value, pointer: &str) -> Value {
    json!(
        object
            .pointer(pointer)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    )
}

fn or_none(text: String) -> Value {
    json!(if text.is_empty() {
        "<none>".into()
    } else {
        text
    })
}

/// `app=web,tier=front` of a label map.
fn selector(object: &Value, pointer: &str) -> Value {
    let pairs: Vec<String> = object
        .pointer(pointer)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    or_none(pairs.join(","))
}

fn containers(object: &Value, field: &str, pointer: &str) -> Value {
    let names: Vec<&str> = items(object, pointer)
        .iter()
        .filter_map(|c| c.get(field).and_then(Value::as_str))
        .collect();
    json!(names.join(","))
}

/// `ready/desired` of a workload.
fn ready_of_desired(workload: &Value) -> Value {
    json!(format!(
        "{}/{}",
        int(workload, "/status/readyReplicas"),
        int(workload, "/spec/replicas")
    ))
}

fn template_names(workload: &Value) -> Value {
    containers(workload, "name", "/spec/template/spec/containers")
}

fn template_images(workload: &Value) -> Value {
    containers(workload, "image", "/spec/template/spec/containers")
}

fn match_labels(workload: &Value) -> Value {
    selector(workload, "/spec/selector/matchLabels")
}

fn pod_ready(pod: &Value) -> Value {
    let total = items(pod, "/spec/containers").len();
    let ready = items(pod, "/status/containerStatuses")
        .iter()
        .filter(|c| c["ready"] == true)
        .count();
    json!(format!("{ready}/{total}"))
}

/// The pod's phase, or the reason that says more (`Terminating`, a waiting container's reason).
fn pod_status(pod: &Value) -> Value {
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return json!("Terminating");
    }
    let waiting = items(pod, "/status/containerStatuses")
        .iter()
        .find_map(|c| c.pointer("/state/waiting/reason").and_then(Value::as_str));
    let reason = text(pod, "/status/reason");
    let phase = text(pod, "/status/phase");
    json!(
        waiting
            .or((!reason.is_empty()).then_some(reason))
            .unwrap_or(phase)
    )
}

fn pod_restarts(pod: &Value) -> Value {
    let restarts: i64 = items(pod, "/status/containerStatuses")
        .iter()
        .map(|c| c["restartCount"].as_i64().unwrap_or(0))
        .sum();
    json!(restarts)
}

fn service_ports(service: &Value) -> Value {
    let ports: Vec<String> = items(service, "/spec/ports")
        .iter()
        .map(|p| {
            let node = p["nodePort"]
                .as_i64()
                .map(|n| format!(":{n}"))
                .unwrap_or_default();
            format!(
                "{}{node}/{}",
                p["port"].as_i64().unwrap_or(0),
                p["protocol"].as_str().unwrap_or("TCP")
            )
        })
        .collect();
    or_none(ports.join(","))
}

fn external_ip(service: &Value) -> Value {
    let ingress: Vec<&str> = items(service, "/status/loadBalancer/ingress")
        .iter()
        .filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str()))
        .collect();
    match (text(service, "/spec/type"), ingress.is_empty()) {
        ("LoadBalancer", true) => json!("<pending>"),
        ("ExternalName", _) => json!(text(service, "/spec/externalName")),
        (_, false) => json!(ingress.join(",")),
        _ => json!("<none>"),
    }
}

/// The computed columns of `def`'s tables, after Name and before Age (`None`: Name and Age).
pub fn columns(def: &ResourceDef) -> Option<&'static [Printed]> {
    if def.custom {
        return None;
    }
    Some(match (def.group.as_str(), def.plural.as_str()) {
        ("", "pods") => &[
            ("Ready", "string", 0, pod_ready),
            ("Status", "string", 0, pod_status),
            ("Restarts", "string", 0, pod_restarts),
            ("Age", "string", 0, age),
            ("IP", "string", 1, |p| {
                or_none(text(p, "/status/podIP").into())
            }),
            ("Node", "string", 1, |p| {
                or_none(text(p, "/spec/nodeName").into())
            }),
            ("Nominated Node", "string", 1, |p| {
                or_none(text(p, "/status/nominatedNodeName").into())
            }),
            ("Readiness Gates", "string", 1, |_| json!("<none>")),
        ],
        ("apps", "deployments") => &[
            ("Ready", "string", 0, ready_of_desired),
            ("Up-to-date", "string", 0, |d| {
                json!(int(d, "/status/updatedReplicas"))
            }),
            ("Available", "string", 0, |d| {
                json!(int(d, "/status/availableReplicas"))
            }),
            ("Age", "string", 0, age),
            ("Containers", "string", 1, template_names),
            ("Images", "string", 1, template_images),
            ("Selector", "string", 1, match_labels),
        ],
        ("apps", "replicasets") => &[
            ("Desired", "integer", 0, |r| json!(int(r, "/spec/replicas"))),
            ("Current", "integer", 0, |r| {
                json!(int(r, "/status/replicas"))
            }),
            ("Ready", "integer", 0, |r| {
                json!(int(r, "/status/readyReplicas"))
            }),
            ("Age", "string", 0, age),
            ("Containers", "string", 1, template_names),
            ("Images", "string", 1, template_images),
            ("Selector", "string", 1, match_labels),
        ],
        ("apps", "statefulsets") => &[
            ("Ready", "string", 0, ready_of_desired),
            ("Age", "string", 0, age),
            ("Containers", "string", 1, template_names),
            ("Images", "string", 1, template_images),
        ],
        ("", "services") => &[
            ("Type", "string", 0, |s| json!(text(s, "/spec/type"))),
            ("Cluster-IP", "string", 0, |s| {
                or_none(text(s, "/spec/clusterIP").into())
            }),
            ("External-IP", "string", 0, external_ip),
            ("Port(s)", "string", 0, service_ports),
            ("Age", "string", 0, age),
            ("Selector", "string", 1, |s| selector(s, "/spec/selector")),
        ],
        ("", "configmaps") => &[
            ("Data", "integer", 0, |c| {
                let data = count(c, "/data").as_i64().unwrap_or(0);
                json!(data + count(c, "/binaryData").as_i64().unwrap_or(0))
            }),
            ("Age", "string", 0, age),
        ],
        ("", "secrets") => &[
            ("Type", "string", 0, |s| json!(text(s, "/type"))),
            ("Data", "integer", 0, |s| count(s, "/data")),
            ("Age", "string", 0, age),
        ],
        ("", "namespaces") => &[
            ("Status", "string", 0, |n| json!(text(n, "/status/phase"))),
            ("Age", "string", 0, age),
        ],
        _ => return None,
    })
}

fn age(object: &Value) -> Value {
    json!(super::table::age(text(
        object,
        "/metadata/creationTimestamp"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::core_kinds;

    fn cells(kind: &str, object: &Value) -> Vec<(&'static str, Value)> {
        let def = core_kinds()
            .into_iter()
            .find(|d| d.kind == kind)
            .expect("a built-in kind");
        columns(&def)
            .expect("printed")
            .iter()
            .filter(|(name, ..)| *name != "Age")
            .map(|(name, _, _, cell)| (*name, cell(object)))
            .collect()
    }

    #[test]
    fn pods_and_services_print_as_kubectl_shows_them() {
        let pod = json!({"metadata": {"name": "p"}, "spec": {"nodeName": "n1",
                "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "podIP": "10.244.0.7", "containerStatuses": [
                {"ready": true, "restartCount": 2},
                {"ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        assert_eq!(
            cells("Pod", &pod),
            vec![
                ("Ready", json!("1/2")),
                ("Status", json!("CrashLoopBackOff")),
                ("Restarts", json!(3)),
                ("IP", json!("10.244.0.7")),
                ("Node", json!("n1")),
                ("Nominated Node", json!("<none>")),
                ("Readiness Gates", json!("<none>")),
            ]
        );
        let service = json!({"spec": {"type": "NodePort", "clusterIP": "10.96.0.9",
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
            "selector": {"app": "web"}}});
        assert_eq!(
            cells("Service", &service),
            vec![
                ("Type", json!("NodePort")),
                ("Cluster-IP", json!("10.96.0.9")),
                ("External-IP", json!("<none>")),
                ("Port(s)", json!("80:30080/TCP,53/UDP")),
                ("Selector", json!("app=web")),
            ]
        );
        assert!(
            columns(
                &core_kinds()
                    .into_iter()
                    .find(|d| d.kind == "Event")
                    .expect("e")
            )
            .is_none()
        );
    }
}
