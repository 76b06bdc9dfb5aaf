//! The image bump's edit read by real kustomize (`kubectl kustomize`): an overlay with three
//! images, comments and a digest, edited by `set_image`, must render the Deployment with the
//! image that was set and leave the others as they were.

mod common;

use std::process::Command;

use flightdeck::model::kustomize::set_image;

const BASE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: web
        image: registry.example.com/shop/web:v1
      - name: api
        image: registry.example.com/shop/api:v1
      - name: cache
        image: redis:7.0
";

const OVERLAY: &str = "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../base
images:
# the API is pinned by digest
- digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  name: registry.example.com/shop/api
- name: registry.example.com/shop/web
  newTag: v2 # promoted by Kargo
- name: redis
  newTag: \"7.2\"
";

/// The images of the Deployment `kubectl kustomize` renders from `overlay`.
fn rendered_images(overlay: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("base")).expect("base");
    std::fs::create_dir_all(dir.path().join("prod")).expect("prod");
    std::fs::write(dir.path().join("base/deployment.yaml"), BASE).expect("write");
    std::fs::write(
        dir.path().join("base/kustomization.yaml"),
        "resources:\n- deployment.yaml\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("prod/kustomization.yaml"), overlay).expect("write");
    let output = Command::new("kubectl")
        .args(["kustomize", &dir.path().join("prod").display().to_string()])
        .output()
        .expect("kubectl kustomize");
    let (stdout, stderr) = common::cluster::text(&output);
    assert!(output.status.success(), "{stderr}");
    let deployment: serde_json::Value = serde_saphyr::from_str(&stdout).expect("yaml");
    deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .map(|c| c["image"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn kustomize_renders_the_image_that_was_set_and_keeps_the_others() {
    if !common::cluster::kubectl_available() {
        return;
    }
    let digest = "registry.example.com/shop/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(
        rendered_images(OVERLAY),
        ["registry.example.com/shop/web:v2", digest, "redis:7.2"]
    );
    let web = set_image(OVERLAY, "registry.example.com/shop/web", "1.10").expect("web");
    assert!(
        web.contains("  newTag: \"1.10\" # promoted by Kargo\n"),
        "{web}"
    );
    assert_eq!(
        rendered_images(&web),
        ["registry.example.com/shop/web:1.10", digest, "redis:7.2"],
        "1.10 stays a string (unquoted it would render as 1.1)"
    );
    let api = set_image(OVERLAY, "registry.example.com/shop/api", "v3").expect("api");
    assert_eq!(
        rendered_images(&api),
        [
            "registry.example.com/shop/web:v2",
            "registry.example.com/shop/api:v3",
            "redis:7.2"
        ],
        "a tag replaces the digest"
    );
    let without = OVERLAY.replace("- name: redis\n  newTag: \"7.2\"\n", "");
    let added = set_image(&without, "redis", "7.4").expect("redis");
    assert_eq!(
        rendered_images(&added),
        ["registry.example.com/shop/web:v2", digest, "redis:7.4"],
        "a missing entry is added"
    );
    let bare = "resources:\n- ../base\n";
    let created = set_image(bare, "registry.example.com/shop/web", "v9").expect("images key");
    assert_eq!(
        rendered_images(&created),
        [
            "registry.example.com/shop/web:v9",
            "registry.example.com/shop/api:v1",
            "redis:7.0"
        ]
    );
}
