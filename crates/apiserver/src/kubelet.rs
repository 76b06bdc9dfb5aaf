//! What the scheduler and a kubelet do to a Pod on a real cluster within moments, done at once:
//! bound to the embedded server's one pretend node and Running with its containers Ready. The
//! embedded server runs no containers; this is what clients (kubectl, the cockpit) then read.

use serde_json::{Value, json};

/// The node every Pod is bound to, and its address.
pub const NODE: &str = "flightdeck-demo-node";
const NODE_IP: &str = "10.0.0.10";

/// Binds `pod` to the node (unless bound already) and marks it Running and Ready since `now`.
pub fn start(pod: &mut Value, now: &str) {
    if pod.pointer("/spec/nodeName").is_none()
        && let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert("nodeName".into(), json!(NODE));
    }
    let containers: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            json!({"image": c["image"], "imageID": "", "lastState": {}, "name": c["name"],
                   "ready": true, "restartCount": 0, "started": true,
                   "state": {"running": {"startedAt": now}}})
        })
        .collect();
    let condition = |kind: &str| json!({"lastProbeTime": null, "lastTransitionTime": now, "status": "True", "type": kind});
    // an address in the pod network, as a CNI would give one
    let [_, _, third, fourth] = uuid::Uuid::new_v4().as_bytes()[..4] else {
        return;
    };
    let pod_ip = format!("10.244.{third}.{}", fourth.max(2));
    pod["status"] = json!({
        "conditions": [condition("Initialized"), condition("Ready"), condition("ContainersReady"), condition("PodScheduled")],
        "containerStatuses": containers, "phase": "Running", "qosClass": "BestEffort", "startTime": now,
        "hostIP": NODE_IP, "hostIPs": [{"ip": NODE_IP}], "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
    });
}

/// Whether the server should start `pod` itself: one nobody owns (`kubectl run`), not bound,
/// with no status of its own. Pods of a controller are that controller's to run.
pub fn starts(pod: &Value) -> bool {
    pod.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
        && pod.pointer("/spec/nodeName").is_none()
        && pod.pointer("/status/phase").is_none()
}
