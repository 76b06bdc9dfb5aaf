//! Benchmark fixtures: `n` objects spread over the watched kinds, shaped and sized like real
//! ones (Applications with resource lists and history, Workflows with node maps, Rollouts with
//! canary steps and status, AnalysisRuns with measurements, Freight, Stages, Promotions,
//! ReplicaSets, the running Pods of the current ReplicaSet with kubelet-style status, and
//! Events), in `NAMESPACES` namespaces. Deterministic, so runs compare. Pure.

use serde_json::{Value, json};

use crate::model::Kind;

/// Namespaces the objects are spread over.
pub const NAMESPACES: usize = 50;

/// One application in one environment: the objects it brings (`PER_UNIT`).
fn unit(index: usize) -> Vec<(Kind, Value)> {
    let namespace = format!("bench-{}", index % NAMESPACES);
    let app = format!("app-{index}");
    let time = "2026-11-26T10:00:00Z";
    let hash = format!("{:010x}", crate::model::workflow_nodes::fnv32a(&app));
    let image = format!("registry.example.com/{app}:{hash}");
    // What Argo CD lists as managed: the Rollout and 19 other resources.
    let resources: Vec<Value> = std::iter::once(json!({"group": "argoproj.io", "version": "v1alpha1", "kind": "Rollout", "namespace": namespace, "name": app, "status": "Synced", "health": {"status": "Healthy"}}))
        .chain((1..20).map(|r| json!({"group": "apps", "version": "v1", "kind": "Deployment", "namespace": namespace, "name": format!("{app}-part-{r}"), "status": "Synced", "health": {"status": "Healthy"}})))
        .collect();
    let history: Vec<Value> = (0..10)
        .map(|h| json!({"id": h, "revision": format!("{:040x}", h * 7919 + index), "deployedAt": time, "source": {"repoURL": "https://git.example.com/gitops.git", "path": format!("{app}/overlays/prod")}}))
        .collect();
    let workflow = format!("{app}-ci-{index:05}");
    let nodes: serde_json::Map<String, Value> = (0..20)
        .map(|n| {
            let id = format!("{workflow}-{n}");
            (id.clone(), json!({"id": id, "name": format!("{workflow}[{n}].step"), "displayName": format!("step-{n}"), "type": "Pod", "phase": "Succeeded", "boundaryID": workflow, "startedAt": time, "finishedAt": time, "templateName": "build", "children": [format!("{workflow}-{}", n + 1)]}))
        })
        .collect();
    let steps = json!([{"setWeight": 20}, {"pause": {"duration": "2m"}}, {"analysis": {"templates": [{"templateName": "success-rate"}]}}, {"setWeight": 50}, {"pause": {"duration": "2m"}}, {"setWeight": 100}]);
    vec![
        (
            Kind::Application,
            json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                "metadata": {"name": app, "namespace": namespace, "labels": {"app": app, "env": "prod"}},
                "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/gitops.git", "path": format!("{app}/overlays/prod"), "targetRevision": "HEAD"}, "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}, "syncPolicy": {"automated": {"prune": true}}},
                "status": {"sync": {"status": "Synced", "revision": format!("{:040x}", index)}, "health": {"status": "Healthy"}, "resources": resources, "history": history, "summary": {"images": [image]}}
            }),
        ),
        (
            Kind::Rollout,
            json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                "metadata": {"name": app, "namespace": namespace, "generation": 1},
                "spec": {"replicas": 5, "selector": {"matchLabels": {"app": app}}, "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "app", "image": image, "ports": [{"containerPort": 8080}]}]}}, "strategy": {"canary": {"steps": steps}}},
                "status": {"phase": "Healthy", "currentStepIndex": 6, "stableRS": hash, "currentPodHash": hash, "observedGeneration": "1", "replicas": 5, "availableReplicas": 5, "readyReplicas": 5, "updatedReplicas": 5}
            }),
        ),
        (
            Kind::ReplicaSet,
            json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": format!("{app}-{hash}"), "namespace": namespace, "labels": {"app": app, "rollouts-pod-template-hash": hash}, "annotations": {"rollout.argoproj.io/revision": "2"}},
                "spec": {"replicas": 5, "selector": {"matchLabels": {"app": app, "rollouts-pod-template-hash": hash}}, "template": {"metadata": {"labels": {"app": app, "rollouts-pod-template-hash": hash}}, "spec": {"containers": [{"name": "app", "image": image}]}}},
                "status": {"replicas": 5, "fullyLabeledReplicas": 5, "readyReplicas": 5, "availableReplicas": 5, "observedGeneration": 1}
            }),
        ),
        (
            Kind::ReplicaSet,
            json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": format!("{app}-old"), "namespace": namespace, "labels": {"app": app, "rollouts-pod-template-hash": "old"}, "annotations": {"rollout.argoproj.io/revision": "1"}},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": app, "rollouts-pod-template-hash": "old"}}, "template": {"metadata": {"labels": {"app": app, "rollouts-pod-template-hash": "old"}}, "spec": {"containers": [{"name": "app", "image": format!("registry.example.com/{app}:old")}]}}},
                "status": {"replicas": 0}
            }),
        ),
        (
            Kind::AnalysisRun,
            json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
                "metadata": {"name": format!("{app}-{hash}-2-2"), "namespace": namespace},
                "spec": {"metrics": [{"name": "success-rate", "interval": "30s", "count": 4, "successCondition": "result[0] >= 0.95", "provider": {"prometheus": {"address": "http://prometheus:9090", "query": format!("sum(rate(http_requests_total{{app=\"{app}\",status!~\"5..\"}}[2m])) / sum(rate(http_requests_total{{app=\"{app}\"}}[2m]))")}}}]},
                "status": {"phase": "Successful", "startedAt": time, "metricResults": [{"name": "success-rate", "phase": "Successful", "count": 4, "successful": 4, "measurements": (0..4).map(|_| json!({"phase": "Successful", "value": "[0.99]", "startedAt": time, "finishedAt": time})).collect::<Vec<_>>()}]}
            }),
        ),
        (
            Kind::Workflow,
            json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                "metadata": {"name": workflow, "namespace": namespace, "labels": {"workflows.argoproj.io/workflow-template": format!("{app}-ci"), "workflows.argoproj.io/completed": "true"}},
                "spec": {"workflowTemplateRef": {"name": format!("{app}-ci")}, "arguments": {"parameters": [{"name": "commitSha", "value": hash}]}},
                "status": {"phase": "Succeeded", "progress": "20/20", "startedAt": time, "finishedAt": time, "nodes": nodes}
            }),
        ),
        (
            Kind::Freight,
            json!({
                "apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Freight",
                "metadata": {"name": format!("{:040x}", index), "namespace": namespace, "labels": {"kargo.akuity.io/alias": format!("{app}-freight")}},
                "alias": format!("{app}-freight"), "origin": {"kind": "Warehouse", "name": "images"},
                "images": [{"repoURL": format!("registry.example.com/{app}"), "tag": hash, "digest": format!("sha256:{:064x}", index)}]
            }),
        ),
        (
            Kind::Stage,
            json!({
                "apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Stage",
                "metadata": {"name": format!("{app}-prod"), "namespace": namespace},
                "spec": {"requestedFreight": [{"origin": {"kind": "Warehouse", "name": "images"}, "sources": {"direct": true}}], "promotionTemplate": {"spec": {"steps": [{"uses": "git-clone", "config": {"repoURL": "https://git.example.com/gitops.git"}}, {"uses": "kustomize-set-image"}, {"uses": "git-commit"}, {"uses": "git-push"}, {"uses": "argocd-update"}]}}}
            }),
        ),
        (
            Kind::Promotion,
            json!({
                "apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Promotion",
                "metadata": {"name": format!("{app}-prod.{index:026}.{}", &hash[..7]), "namespace": namespace},
                "spec": {"stage": format!("{app}-prod"), "freight": format!("{:040x}", index), "steps": [{"uses": "git-clone"}, {"uses": "kustomize-set-image"}, {"uses": "git-commit"}]}
            }),
        ),
    ]
    .into_iter()
    .chain((0..PODS).map(|p| (Kind::Pod, pod(&app, &namespace, &hash, &image, p))))
    .chain([
        (Kind::Event, event(&namespace, ("Rollout", &app), "RolloutCompleted", &format!("Rollout completed update to revision 2 ({hash}): Completed all 6 canary steps"))),
        (Kind::Event, event(&namespace, ("Pod", &format!("{app}-{hash}-0")), "Pulled", &format!("Successfully pulled image \"{image}\" in 1.2s (1.2s including waiting). Image size: 48213120 bytes."))),
    ])
    .collect()
}

/// Pods per application: the current ReplicaSet's.
const PODS: usize = 3;

/// A Running, Ready pod of the ReplicaSet `app-hash`, as the kubelet reports it.
fn pod(app: &str, namespace: &str, hash: &str, image: &str, index: usize) -> Value {
    let time = "2026-11-26T10:00:00Z";
    let conditions: Vec<Value> = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    .iter()
    .map(|c| json!({"type": c, "status": "True", "lastTransitionTime": time}))
    .collect();
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": format!("{app}-{hash}-{index}"), "namespace": namespace, "uid": format!("{:032x}", crate::model::workflow_nodes::fnv32a(&format!("{app}-{index}"))), "creationTimestamp": time,
            "labels": {"app": app, "rollouts-pod-template-hash": hash},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-{hash}"), "uid": "0", "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"containers": [{"name": "app", "image": image, "ports": [{"containerPort": 8080, "protocol": "TCP"}], "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}, "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]}], "nodeName": format!("node-{}", index % 7), "serviceAccountName": "default", "restartPolicy": "Always",
            "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}, {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}]},
        "status": {"phase": "Running", "hostIP": "10.0.0.7", "podIP": format!("10.1.{}.{}", index % 250, index % 200), "startTime": time, "qosClass": "Burstable",
            "conditions": conditions,
            "containerStatuses": [{"name": "app", "ready": true, "started": true, "restartCount": 0, "image": image, "imageID": format!("{image}@sha256:{:064x}", index), "containerID": format!("containerd://{:064x}", index), "state": {"running": {"startedAt": time}}}]}
    })
}

/// An Event about `object` (kind, name) in `namespace`.
fn event(namespace: &str, (kind, name): (&str, &str), reason: &str, message: &str) -> Value {
    let time = "2026-11-26T10:00:00Z";
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": format!("{name}.{:016x}", crate::model::workflow_nodes::fnv32a(reason)), "namespace": namespace, "creationTimestamp": time},
        "involvedObject": {"kind": kind, "namespace": namespace, "name": name},
        "reason": reason, "message": message, "type": "Normal", "count": 1,
        "firstTimestamp": time, "lastTimestamp": time, "source": {"component": "rollouts-controller"}, "reportingComponent": "rollouts-controller"
    })
}

/// Objects in one unit (one application in one environment).
const PER_UNIT: usize = 9 + PODS + 2;

/// How many objects `objects(n)` makes (whole units; at least one).
pub fn count(n: usize) -> usize {
    n.div_ceil(PER_UNIT).max(1) * PER_UNIT
}

/// `n` objects (whole units; at least one unit).
pub fn objects(n: usize) -> Vec<(Kind, Value)> {
    (0..count(n) / PER_UNIT).flat_map(unit).collect()
}

/// The namespaces the objects live in.
pub fn namespaces() -> Vec<String> {
    (0..NAMESPACES).map(|i| format!("bench-{i}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_spread_over_kinds_and_sized_like_real_ones() {
        let objects = objects(1_000);
        assert_eq!(objects.len(), 1_008);
        assert_eq!(count(1_000), 1_008);
        assert_eq!(count(0), 14);
        let kinds: std::collections::BTreeSet<Kind> = objects.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds.len(), 10);
        let pod = objects.iter().find(|(k, _)| *k == Kind::Pod).expect("pod");
        let crate::model::Row::Pod(row) = crate::model::Row::from_object(Kind::Pod, &pod.1) else {
            panic!("a pod row");
        };
        assert_eq!(
            (row.status.as_str(), row.ready, row.containers),
            ("Running", 1, 1)
        );
        let application = objects
            .iter()
            .find(|(k, _)| *k == Kind::Application)
            .expect("app");
        assert!(
            application.1.to_string().len() > 4_000,
            "resource lists and history"
        );
        let workflow = objects
            .iter()
            .find(|(k, _)| *k == Kind::Workflow)
            .expect("wf");
        assert!(workflow.1.to_string().len() > 5_000, "a node map");
    }
}
