//! The pipeline joined from what the objects say, on setups that do not follow the demo's naming
//! (issue 24): an Application running several Rollouts, semver tags, one CI template for many
//! applications told apart by its parameters, images pinned by digest, an Application whose
//! resource list contradicts a Rollout named like it, and the `web` / `web-api` prefix case.
//! Objects are decoded as the watchers decode them, and every cell of every row is checked.

use flightdeck::model::{Kind, Row};
use flightdeck::store::{Delta, Store};
use flightdeck::view::pipeline::{COLUMNS, PipelineView, Window, build};
use serde_json::{Value, json};

const NOW: i64 = 1_796_000_000;

/// A store holding `objects`, each decoded as the watchers decode it.
fn store_of(objects: Vec<(Kind, Value)>) -> Store {
    let mut store = Store::default();
    store.apply(objects.into_iter().map(|(kind, object)| {
        let slim = flightdeck::kube::slim::decode(kind, &object.to_string()).expect("JSON");
        Delta::Apply(Row::from_object(kind, &slim))
    }));
    store
}

/// A row as (column, text).
type Cells = Vec<(&'static str, String)>;

/// Each section as its title's text and its rows.
fn sections(view: &PipelineView) -> Vec<(String, Vec<Cells>)> {
    view.sections
        .iter()
        .map(|section| {
            let title = section.title.iter().map(|c| c.text.as_str()).collect();
            let rows = section
                .rows
                .iter()
                .map(|row| {
                    COLUMNS
                        .iter()
                        .zip(row)
                        .map(|(column, cell)| (*column, cell.text.clone()))
                        .collect()
                })
                .collect();
            (title, rows)
        })
        .collect()
}

/// A row's cells: `pairs`, and for the other columns what every lane here shows unless said
/// (synced, healthy, revision 5e1f00d, a Healthy Rollout at its last step, nothing from Kargo or
/// analysis, no metrics source), in column order.
fn cells(pairs: &[(&'static str, &str)]) -> Cells {
    let common = [
        ("SYNC", "Synced"),
        ("HEALTH", "Healthy"),
        ("REV", "5e1f00d"),
        ("FREIGHT", "-"),
        ("ROLLOUT", "Healthy"),
        ("STEP", "3/3"),
        ("WEIGHT", "100/100"),
        ("ANALYSIS", "-"),
        ("PROMOTION", "-"),
        ("METRICS", "no metrics source"),
    ];
    COLUMNS
        .iter()
        .map(|column| {
            let text = pairs.iter().chain(&common).find(|(c, _)| c == column);
            (*column, text.map_or("?", |(_, t)| t).to_string())
        })
        .collect()
}

fn application(
    name: &str,
    labels: Value,
    destination: &str,
    resources: Option<Value>,
) -> (Kind, Value) {
    let mut status = json!({"sync": {"status": "Synced", "revision": "5e1f00d"}, "health": {"status": "Healthy"}});
    if let Some(resources) = resources {
        status["resources"] = resources;
    }
    (
        Kind::Application,
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd", "labels": labels, "creationTimestamp": "2026-11-01T00:00:00Z"},
            "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": destination},
                     "source": {"repoURL": "https://git.acme.io/platform/deploy.git", "path": format!("apps/{name}"), "targetRevision": "main"}},
            "status": status
        }),
    )
}

/// An entry of an Application's `status.resources`, as Argo CD writes it.
fn managed(group: &str, kind: &str, namespace: &str, name: &str) -> Value {
    json!({"group": group, "version": "v1", "kind": kind, "namespace": namespace, "name": name, "status": "Synced", "health": {"status": "Healthy"}})
}

fn rollout(namespace: &str, name: &str, image: &str) -> (Kind, Value) {
    (
        Kind::Rollout,
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": name, "namespace": namespace, "generation": 3},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                     "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 100}]}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": name, "image": image, "env": [{"name": "LOG", "value": "info"}]}]}}},
            "status": {"phase": "Healthy", "observedGeneration": "3", "currentStepIndex": 3, "currentPodHash": "6c9f8b", "stableRS": "6c9f8b",
                       "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                       "conditions": [{"type": "Available", "status": "True"}, {"type": "Healthy", "status": "True"}]}
        }),
    )
}

fn workflow(name: &str, template: &str, created: &str, parameters: Value) -> (Kind, Value) {
    (
        Kind::Workflow,
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"name": name, "namespace": "ci", "creationTimestamp": created,
                         "labels": {"workflows.argoproj.io/workflow-template": template, "workflows.argoproj.io/completed": "true"}},
            "spec": {"workflowTemplateRef": {"name": template}, "arguments": {"parameters": parameters}},
            "status": {"phase": "Succeeded", "progress": "4/4", "startedAt": created, "finishedAt": created}
        }),
    )
}

fn freight(name: &str, alias: &str, images: Value) -> (Kind, Value) {
    (
        Kind::Freight,
        json!({
            "apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Freight",
            "metadata": {"name": name, "namespace": "shop", "labels": {"kargo.akuity.io/alias": alias}, "creationTimestamp": "2026-11-20T00:00:00Z"},
            "alias": alias, "origin": {"kind": "Warehouse", "name": "shop"}, "images": images
        }),
    )
}

/// `shop-prod` deploys three Rollouts into `prod` (and Argo CD says so); a fourth Rollout there
/// belongs to nobody. One `build-and-push` template builds every image, told apart by its
/// `image` parameter or the image it reports as a global output; `web` and `worker` are both at
/// semver 1.4.2.
#[test]
fn an_application_with_several_rollouts_semver_tags_and_one_ci_template() {
    let registry = "registry.acme.io/shop";
    let store = store_of(vec![
        application(
            "shop-prod",
            json!({}),
            "prod",
            Some(json!([
                managed("", "Service", "prod", "web"),
                managed("argoproj.io", "Rollout", "prod", "web"),
                managed("argoproj.io", "Rollout", "prod", "api"),
                managed("", "ConfigMap", "prod", "shop-config"),
                managed("argoproj.io", "Rollout", "prod", "worker"),
            ])),
        ),
        rollout("prod", "web", &format!("{registry}/web:1.4.2")),
        rollout("prod", "api", &format!("{registry}/api:2.0.1")),
        rollout("prod", "worker", &format!("{registry}/worker:1.4.2")),
        rollout("prod", "legacy", &format!("{registry}/legacy:0.9.0")),
        workflow(
            "build-and-push-7k2fq",
            "build-and-push",
            "2026-11-20T09:00:00Z",
            json!([{"name": "image", "value": format!("{registry}/web")}, {"name": "tag", "value": "1.4.2"}]),
        ),
        // api's build says what it pushed in a global output.
        with_outputs(
            workflow(
                "build-and-push-m4x8z",
                "build-and-push",
                "2026-11-21T09:00:00Z",
                json!([{"name": "git-ref", "value": "main"}]),
            ),
            json!([{"name": "pushed", "value": format!("{registry}/api:2.0.1")}]),
        ),
        // Newer, the same tag, another image: not web's build.
        workflow(
            "build-and-push-q9w3e",
            "build-and-push",
            "2026-11-22T09:00:00Z",
            json!([{"name": "image", "value": format!("{registry}/worker")}, {"name": "tag", "value": "1.4.2"}]),
        ),
        freight(
            "f-web",
            "brave-otter",
            json!([{"repoURL": format!("{registry}/web"), "tag": "1.4.2"}]),
        ),
        freight(
            "f-api",
            "calm-heron",
            json!([{"repoURL": format!("{registry}/api"), "tag": "2.0.1"}]),
        ),
        freight(
            "f-worker",
            "eager-lynx",
            json!([{"repoURL": format!("{registry}/worker"), "tag": "1.4.2"}]),
        ),
    ]);
    let view = build(&store, None, NOW, Window::ALL);
    let shown = sections(&view);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    let (title, rows) = &shown[0];
    assert!(
        title.starts_with("shop  latest build build-and-push-q9w3e"),
        "{title}"
    );
    let row = |env: &str, freight: &str, image: &str, rollout: &str, build: &str| {
        cells(&[
            ("ENV", env),
            ("FREIGHT", freight),
            ("IMAGE", image),
            ("ROLLOUT", rollout),
            ("BUILD", build),
        ])
    };
    assert_eq!(
        rows,
        &vec![
            row(
                "prod",
                "brave-otter",
                "1.4.2",
                "web Healthy",
                "Succeeded 4/4 9d"
            ),
            row(
                "prod",
                "calm-heron",
                "2.0.1",
                "api Healthy",
                "Succeeded 4/4 8d"
            ),
            row(
                "prod",
                "eager-lynx",
                "1.4.2",
                "worker Healthy",
                "Succeeded 4/4 7d"
            ),
        ]
    );
    // Which build each lane took, by name: the store's rows behind the cells.
    let join = flightdeck::pipeline::Join::new(&store);
    let applications = flightdeck::pipeline::applications_by_app(&store)
        .next()
        .expect("shop")
        .1;
    let pipeline = join.pipeline("shop".into(), applications);
    let builds: Vec<(&str, &str)> = pipeline
        .lanes
        .iter()
        .map(|lane| {
            (
                lane.rollout.map_or("", |r| r.key.name.as_str()),
                lane.build.map_or("", |w| w.key.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        builds,
        [
            ("web", "build-and-push-7k2fq"),
            ("api", "build-and-push-m4x8z"),
            ("worker", "build-and-push-q9w3e")
        ]
    );
}

/// `web` and `web-api` side by side: `web-api`'s newer builds are not `web`'s.
#[test]
fn web_does_not_take_web_api_builds() {
    let sha = |c: char| c.to_string().repeat(40);
    let store = store_of(vec![
        // `web` without a resource list (never compared yet): its Rollout found by name.
        application(
            "web-dev",
            json!({"app": "web", "env": "dev"}),
            "web-dev",
            None,
        ),
        application(
            "web-api-dev",
            json!({"app": "web-api", "env": "dev"}),
            "web-api-dev",
            Some(json!([managed(
                "argoproj.io",
                "Rollout",
                "web-api-dev",
                "web-api"
            )])),
        ),
        rollout(
            "web-dev",
            "web",
            &format!("registry.acme.io/web:{}", sha('a')),
        ),
        rollout(
            "web-api-dev",
            "web-api",
            &format!("registry.acme.io/web-api:{}", sha('b')),
        ),
        workflow(
            "web-ci-2vx7p",
            "web-ci",
            "2026-11-20T09:00:00Z",
            json!([{"name": "commitSha", "value": sha('a')}]),
        ),
        workflow(
            "web-api-ci-8rt4k",
            "web-api-ci",
            "2026-11-25T09:00:00Z",
            json!([{"name": "commitSha", "value": sha('b')}]),
        ),
    ]);
    let view = build(&store, None, NOW, Window::ALL);
    let titles: Vec<String> = sections(&view)
        .into_iter()
        .map(|(title, _)| title)
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(
        titles[0].starts_with("web  latest build web-ci-2vx7p @aaaaaaa"),
        "{}",
        titles[0]
    );
    assert!(
        titles[1].starts_with("web-api  latest build web-api-ci-8rt4k @bbbbbbb"),
        "{}",
        titles[1]
    );
    let rows: Vec<Vec<Cells>> = sections(&view).into_iter().map(|(_, rows)| rows).collect();
    let row = |tag: &str, build: &str| cells(&[("ENV", "dev"), ("IMAGE", tag), ("BUILD", build)]);
    assert_eq!(
        rows,
        vec![
            vec![row("aaaaaaaaaaaa", "Succeeded 4/4 9d")],
            vec![row("bbbbbbbbbbbb", "Succeeded 4/4 4d")]
        ]
    );
}

/// Argo CD lists what the Application manages and no Rollout is among it: a Rollout named like
/// the application in its namespace is not taken for it. Images pinned by digest find their
/// Freight by digest (a Freight with the same tag and another digest is not it), without Kargo.
#[test]
fn no_guess_against_the_resource_list_and_freight_by_digest() {
    let digest = format!("sha256:{}", "d".repeat(64));
    let store = store_of(vec![
        application(
            "billing-prod",
            json!({}),
            "billing",
            Some(json!([managed("apps", "Deployment", "billing", "billing")])),
        ),
        rollout("billing", "billing", "registry.acme.io/billing:3.2.0"),
        application(
            "ledger-prod",
            json!({}),
            "ledger",
            Some(json!([managed("argoproj.io", "Rollout", "", "ledger")])),
        ),
        rollout(
            "ledger",
            "ledger",
            &format!("registry.acme.io/ledger:3.2.0@{digest}"),
        ),
        freight(
            "f-old",
            "old-push",
            json!([{"repoURL": "registry.acme.io/ledger", "tag": "3.2.0", "digest": format!("sha256:{}", "e".repeat(64))}]),
        ),
        freight(
            "f-pinned",
            "pinned",
            json!([{"repoURL": "registry.acme.io/ledger", "tag": "3.2.0", "digest": digest}]),
        ),
    ]);
    let view = build(&store, None, NOW, Window::ALL);
    let shown = sections(&view);
    let by_title: Vec<(&str, &Cells)> = shown
        .iter()
        .map(|(title, rows)| (title.split_whitespace().next().unwrap_or(""), &rows[0]))
        .collect();
    assert_eq!(
        by_title,
        vec![
            (
                "billing",
                &cells(&[
                    ("ENV", "prod"),
                    ("FREIGHT", "-"),
                    ("IMAGE", "-"),
                    ("ROLLOUT", "Missing"),
                    ("STEP", "-"),
                    ("WEIGHT", "-"),
                    ("ANALYSIS", "-"),
                    ("BUILD", "-"),
                    ("PROMOTION", "-"),
                ])
            ),
            (
                "ledger",
                &cells(&[
                    ("ENV", "prod"),
                    ("FREIGHT", "pinned"),
                    ("IMAGE", "3.2.0"),
                    ("ROLLOUT", "Healthy"),
                    ("STEP", "3/3"),
                    ("WEIGHT", "100/100"),
                    ("ANALYSIS", "-"),
                    ("BUILD", "-"),
                    ("PROMOTION", "-"),
                ])
            ),
        ]
    );
}

/// A management cluster without Kargo: an ApplicationSet generates one Application per region,
/// named by region and labelled by nothing. They group under the set, prod regions after
/// staging; one `build-and-push` template serves every team, and `[apps."shop"]` says which of
/// its Workflows are shop's (the `team` label) and which parameter names the image.
#[test]
fn applicationset_regions_and_a_configured_build_rule() {
    let set_owner = json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "name": "shop", "uid": "u1", "controller": true}]);
    let regional = |name: &str, destination: &str| {
        let (kind, mut object) = application(
            name,
            json!({}),
            destination,
            Some(json!([managed(
                "argoproj.io",
                "Rollout",
                destination,
                "storefront"
            )])),
        );
        object["metadata"]["ownerReferences"] = set_owner.clone();
        (kind, object)
    };
    let image = "registry.acme.io/shop/storefront";
    let objects = vec![
        regional("shop-eu-prod-1", "shop-eu"),
        regional("shop-us-prod-1", "shop-us"),
        regional("shop-eu-staging", "shop-staging"),
        rollout("shop-eu", "storefront", &format!("{image}:2.3.0")),
        rollout("shop-us", "storefront", &format!("{image}:2.2.9")),
        rollout("shop-staging", "storefront", &format!("{image}:2.3.0")),
        // Another team's newer build with the same version, and shop's two builds.
        with_labels(
            workflow(
                "build-and-push-ot7x1",
                "build-and-push",
                "2026-11-24T09:00:00Z",
                json!([{"name": "version", "value": "2.3.0"}, {"name": "image", "value": "registry.acme.io/pay/api"}]),
            ),
            json!({"team": "pay"}),
        ),
        with_labels(
            workflow(
                "build-and-push-sh2a9",
                "build-and-push",
                "2026-11-22T09:00:00Z",
                json!([{"name": "version", "value": "2.3.0"}]),
            ),
            json!({"team": "shop"}),
        ),
        with_labels(
            workflow(
                "build-and-push-sh1b4",
                "build-and-push",
                "2026-11-18T09:00:00Z",
                json!([{"name": "version", "value": "2.2.9"}]),
            ),
            json!({"team": "shop"}),
        ),
    ];
    let mut settings = flightdeck::settings::Settings::default();
    let warnings = settings.apply_file(
        "config.toml",
        "[apps.\"shop\"]\nworkflow_selector = \"team=shop\"\nimage_parameter = \"version\"\n",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut store = Store::new(settings.correlation.clone());
    let bare = store_of(objects);
    for kind in Kind::ALL {
        store.apply(
            bare.rows(*kind)
                .cloned()
                .map(Delta::Apply)
                .collect::<Vec<_>>(),
        );
    }
    let view = build(&store, None, NOW, Window::ALL);
    let shown = sections(&view);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    let (title, rows) = &shown[0];
    assert!(
        title.starts_with("shop  latest build build-and-push-sh2a9"),
        "{title}"
    );
    let row = |env: &str, image: &str, build: &str| {
        cells(&[("ENV", env), ("IMAGE", image), ("BUILD", build)])
    };
    assert_eq!(
        rows,
        &vec![
            row("eu-staging", "2.3.0", "Succeeded 4/4 7d"),
            row("eu-prod-1", "2.3.0", "Succeeded 4/4 7d"),
            row("us-prod-1", "2.2.9", "Succeeded 4/4 11d"),
        ]
    );
    // Without the rule nothing ties a build to shop (no name, no image parameter), and a
    // version alone — the other team's newer 2.3.0 build has it too — is no proof: no guess.
    let unruled = sections(&build(&bare, None, NOW, Window::ALL));
    assert!(
        unruled[0].0.starts_with("shop  no CI workflow seen"),
        "{}",
        unruled[0].0
    );
    assert!(
        unruled[0]
            .1
            .iter()
            .all(|row| row.contains(&("BUILD", "-".to_string())))
    );
}

fn with_outputs((kind, mut object): (Kind, Value), parameters: Value) -> (Kind, Value) {
    object["status"]["outputs"] = json!({"parameters": parameters});
    (kind, object)
}

fn with_labels((kind, mut object): (Kind, Value), labels: Value) -> (Kind, Value) {
    for (key, value) in labels.as_object().expect("labels") {
        object["metadata"]["labels"][key] = value.clone();
    }
    (kind, object)
}
