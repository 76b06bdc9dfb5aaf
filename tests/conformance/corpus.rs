//! The cases: kubectl's everyday commands, and everything `tests/apiserver_*.rs` sends, as
//! sequences of kubectl command lines. Each case runs in a namespace of its own (`{ns}`), made
//! before its steps (with a JSON apply, which every server under test takes).

pub enum Step {
    /// One kubectl command line (`{ns}` replaced; single quotes group words), with its stdin.
    Run {
        line: &'static str,
        stdin: Option<&'static str>,
    },
    /// A watch started by `line`, the steps `during` run while it is open, then stopped: its
    /// output is the event sequence.
    Watch {
        line: &'static str,
        during: Vec<Step>,
    },
}

pub struct Case {
    pub name: &'static str,
    pub steps: Vec<Step>,
}

fn run(line: &'static str) -> Step {
    Step::Run { line, stdin: None }
}

fn with_stdin(line: &'static str, stdin: &'static str) -> Step {
    Step::Run {
        line,
        stdin: Some(stdin),
    }
}

fn case(name: &'static str, steps: Vec<Step>) -> Case {
    Case { name, steps }
}

pub const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n";

const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {ns}
  labels: {tier: front}
data:
  mode: calm
";

const CONFIGMAP_CHANGED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {ns}
  labels: {tier: front}
data:
  mode: alert
";

const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: demo-app
  namespace: {ns}
  labels: {app: demo-app}
spec:
  replicas: 5
  selector: {matchLabels: {app: demo-app}}
  template:
    metadata: {labels: {app: demo-app}}
    spec:
      containers:
      - name: demo-app
        image: localhost:30087/demo-app:abc123
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {duration: 2m}
";

const ROLLOUT_INVALID: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: broken
  namespace: {ns}
spec:
  replicas: five
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec:
      containers:
      - name: broken
        image: broken:1
";

const WORKFLOW: &str = "apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: demo-app-ci-
  namespace: {ns}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, hi]}
";

const WORKFLOW_NAMED: &str = "apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: build-1
  namespace: {ns}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [echo, hi]}
";

const STATEFULSET: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: {ns}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: postgres:17
";

const DAEMONSET: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: {ns}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: agent
        image: busybox:1.37
";

/// Every case, in the order they run.
pub fn cases() -> Vec<Case> {
    let deployment = || run("-n {ns} create deployment web --image=nginx:1.27 --replicas=2");
    let rolled_out = || run("-n {ns} rollout status deployment/web --timeout=25s");
    vec![
        case(
            "create namespace",
            vec![
                run("create namespace {ns}-extra"),
                run("get namespace {ns}-extra -o json"),
            ],
        ),
        case(
            "create configmap",
            vec![
                run("-n {ns} create configmap settings --from-literal=mode=calm"),
                run("-n {ns} get configmap settings -o yaml"),
            ],
        ),
        case(
            "create secret generic",
            vec![
                run("-n {ns} create secret generic creds --from-literal=token=s3cret"),
                run("-n {ns} get secret creds -o json"),
            ],
        ),
        case(
            "create deployment",
            vec![
                deployment(),
                rolled_out(),
                run("-n {ns} get deployment web -o json"),
                run("-n {ns} get replicasets -l app=web -o name"),
            ],
        ),
        case(
            "run",
            vec![
                run("-n {ns} run probe --image=busybox:1.37 --restart=Never -- sleep 1"),
                run("-n {ns} get pod probe -o jsonpath='{.spec}'"),
            ],
        ),
        case(
            "expose",
            vec![
                deployment(),
                run("-n {ns} expose deployment web --port=8080 --target-port=80"),
                run("-n {ns} get service web -o json"),
            ],
        ),
        case(
            "label and annotate",
            vec![
                run("-n {ns} create configmap settings --from-literal=mode=calm"),
                run("-n {ns} label configmap settings tier=front"),
                run("-n {ns} label configmap settings tier=back"),
                run("-n {ns} label configmap settings tier=back --overwrite"),
                run("-n {ns} annotate configmap settings owner=platform"),
                run("-n {ns} label configmap settings tier-"),
                run(
                    "-n {ns} get configmap settings -o jsonpath='{.metadata.labels} {.metadata.annotations}'",
                ),
            ],
        ),
        case(
            "scale",
            vec![
                deployment(),
                run("-n {ns} scale deployment web --replicas=3"),
                run("-n {ns} scale deployment web --current-replicas=2 --replicas=4"),
                run("-n {ns} get deployment web -o jsonpath='{.spec.replicas}'"),
            ],
        ),
        case(
            "rollout restart, status and history",
            vec![
                deployment(),
                rolled_out(),
                run("-n {ns} rollout restart deployment/web"),
                rolled_out(),
                run("-n {ns} rollout history deployment/web"),
            ],
        ),
        case(
            "replace",
            vec![
                with_stdin("create -f -", CONFIGMAP),
                with_stdin("replace -f -", CONFIGMAP_CHANGED),
                run("-n {ns} get configmap settings -o yaml"),
            ],
        ),
        case(
            "delete --cascade=background",
            vec![
                deployment(),
                rolled_out(),
                run("-n {ns} delete deployment web --cascade=background"),
                run("-n {ns} wait --for=delete replicasets -l app=web --timeout=25s"),
                run("-n {ns} get replicasets,pods -l app=web"),
            ],
        ),
        case(
            "delete --cascade=foreground --wait",
            vec![
                deployment(),
                rolled_out(),
                run("-n {ns} delete deployment web --cascade=foreground --wait"),
                run("-n {ns} get replicasets -l app=web"),
            ],
        ),
        case(
            "delete --cascade=orphan",
            vec![
                deployment(),
                rolled_out(),
                run("-n {ns} delete deployment web --cascade=orphan"),
                run(
                    "-n {ns} get replicasets -l app=web -o jsonpath='{.items[*].metadata.ownerReferences}'",
                ),
            ],
        ),
        case(
            "get -w",
            vec![Step::Watch {
                line: "-n {ns} get configmaps -w --output-watch-events -o json",
                during: vec![
                    with_stdin("apply -f -", CONFIGMAP),
                    with_stdin("apply -f -", CONFIGMAP_CHANGED),
                    run("-n {ns} delete configmap settings"),
                ],
            }],
        ),
        case(
            "explain",
            vec![
                run("explain deployment.spec.replicas"),
                run("explain rollouts.spec.strategy.canary.steps"),
            ],
        ),
        case(
            "api-resources and api-versions",
            vec![
                run("api-resources --api-group=argoproj.io"),
                run("api-resources --api-group=apps"),
                run("api-versions"),
            ],
        ),
        case(
            "auth can-i",
            vec![
                run("-n {ns} auth can-i create pods"),
                run("auth can-i list deployments.apps --all-namespaces"),
                run("-n {ns} auth can-i --list"),
            ],
        ),
        case(
            "diff",
            vec![
                with_stdin("apply -f -", CONFIGMAP),
                with_stdin("diff -f -", CONFIGMAP_CHANGED),
                with_stdin("diff -f -", CONFIGMAP),
            ],
        ),
        case(
            "apply client-side",
            vec![
                with_stdin("apply -f -", CONFIGMAP),
                with_stdin("apply -f -", CONFIGMAP),
                with_stdin("apply -f -", CONFIGMAP_CHANGED),
                run("-n {ns} get configmap settings -o yaml"),
            ],
        ),
        case(
            "apply --server-side with a conflict",
            vec![
                with_stdin("apply --server-side -f -", CONFIGMAP),
                with_stdin("apply --server-side -f -", CONFIGMAP),
                with_stdin(
                    "apply --server-side --field-manager=other -f -",
                    CONFIGMAP_CHANGED,
                ),
                with_stdin(
                    "apply --server-side --field-manager=other --force-conflicts -f -",
                    CONFIGMAP_CHANGED,
                ),
                run("-n {ns} get configmap settings -o yaml --show-managed-fields"),
            ],
        ),
        case(
            "errors",
            vec![
                run("-n {ns} get configmap missing"),
                run("-n {ns} create configmap twice"),
                run("-n {ns} create configmap twice"),
                run("-n {ns} get flubbers"),
                run("-n {ns} delete configmap missing"),
            ],
        ),
        case(
            "service account and RBAC",
            vec![
                run("-n {ns} create serviceaccount bot"),
                run("-n {ns} create role reader --verb=get,list --resource=pods"),
                run("-n {ns} create rolebinding bot-reads --role=reader --serviceaccount={ns}:bot"),
                run("-n {ns} get role reader -o yaml"),
                run("-n {ns} get rolebinding bot-reads -o yaml"),
            ],
        ),
        case(
            "jobs and cronjobs",
            vec![
                run(
                    "-n {ns} create cronjob nightly --image=busybox:1.37 --schedule='0 3 * * *' -- echo hi",
                ),
                run("-n {ns} get cronjob nightly -o json"),
                run("-n {ns} create job once --image=busybox:1.37 -- echo hi"),
                run("-n {ns} get job once -o jsonpath='{.spec.template.spec}'"),
            ],
        ),
        case(
            "ingress",
            vec![
                run("-n {ns} create ingress web --rule=example.com/=web:80"),
                run("-n {ns} get ingress web -o json"),
            ],
        ),
        case(
            "statefulset and daemonset",
            vec![
                with_stdin("apply -f -", STATEFULSET),
                with_stdin("apply -f -", DAEMONSET),
                run("-n {ns} get statefulset db -o jsonpath='{.spec}'"),
                run("-n {ns} get daemonset agent -o jsonpath='{.spec}'"),
            ],
        ),
        case(
            "apply a Rollout",
            vec![
                with_stdin("apply -f -", ROLLOUT),
                with_stdin("apply -f -", ROLLOUT),
                run("-n {ns} get rollouts"),
                run("-n {ns} get rollout demo-app -o json"),
            ],
        ),
        case(
            "create a Workflow by generateName",
            vec![
                with_stdin("create -f -", WORKFLOW),
                run("-n {ns} get workflows -o name"),
            ],
        ),
        case(
            "patch types on a custom resource",
            vec![
                with_stdin("apply -f -", ROLLOUT),
                run(
                    "-n {ns} patch rollout demo-app --type=merge -p '{\"spec\":{\"paused\":true}}'",
                ),
                run(
                    "-n {ns} patch rollout demo-app --type=merge -p '{\"spec\":{\"paused\":true}}'",
                ),
                run(
                    "-n {ns} patch rollout demo-app --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]'",
                ),
                run("-n {ns} patch rollout demo-app -p '{\"spec\":{\"replicas\":4}}'"),
                run("-n {ns} get rollout demo-app -o jsonpath='{.spec.paused} {.spec.replicas}'"),
            ],
        ),
        case(
            "status subresource",
            vec![
                with_stdin("apply -f -", ROLLOUT),
                run(
                    "-n {ns} patch rollout demo-app --subresource=status --type=merge -p '{\"status\":{\"phase\":\"Healthy\"}}'",
                ),
                run(
                    "-n {ns} get rollout demo-app -o jsonpath='{.status.phase} {.metadata.generation}'",
                ),
                with_stdin("create -f -", WORKFLOW_NAMED),
                run(
                    "-n {ns} patch workflow build-1 --subresource=status --type=merge -p '{\"status\":{\"phase\":\"Running\"}}'",
                ),
            ],
        ),
        case(
            "an invalid custom resource",
            vec![with_stdin("apply -f -", ROLLOUT_INVALID)],
        ),
        case(
            "get tables",
            vec![
                deployment(),
                run("-n {ns} expose deployment web --port=80"),
                run("-n {ns} create configmap tables --from-literal=a=1 --from-literal=b=2"),
                run("-n {ns} create secret generic tables --from-literal=x=y"),
                rolled_out(),
                run("-n {ns} get pods,deployments,replicasets,services,configmaps,secrets"),
                run("-n {ns} get pods,deployments,replicasets,services -o wide"),
                run("get namespace {ns}"),
            ],
        ),
        case(
            "chunked lists",
            vec![
                run("-n {ns} create configmap one"),
                run("-n {ns} create configmap two"),
                run("-n {ns} create configmap three"),
                run("-n {ns} get configmaps --chunk-size=1 -o name"),
            ],
        ),
        case(
            "selectors",
            vec![
                with_stdin("apply -f -", CONFIGMAP),
                run("-n {ns} create configmap other"),
                run("-n {ns} get configmaps -l tier=front -o name"),
                run("-n {ns} get configmaps --field-selector metadata.name=other -o name"),
                run("-n {ns} get configmaps --field-selector data.mode=calm -o name"),
            ],
        ),
    ]
}
