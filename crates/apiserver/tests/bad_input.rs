//! Bad input to the embedded API server gets the real Status error (or a clean stream end) and
//! the server keeps serving: malformed bodies, wrong content types, oversized bodies, unknown
//! resources, bad names, bad selectors, patches that do not apply, garbage and future
//! resourceVersions, and clients that vanish mid-stream. Plus randomized inputs for the patch and
//! selector paths, which must never panic.

use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use flightdeck_apimachinery::LabelSelector;
use flightdeck_apiserver::patch::{self, PatchType};
use flightdeck_apiserver::selectors::FieldSelector;
use flightdeck_apiserver::{ApiServer, ServerOptions};
use flightdeck_apiserver::{managed_fields, registry};

const ROLLOUTS: &str = "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts";

struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(server: &ApiServer) -> Http {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Http {
            client: reqwest::Client::new(),
            base: server.url(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        let code = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            code,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, "application/json", Vec::new()).await
    }
}

fn rollout(name: &str) -> String {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": name}, "spec": {"replicas": 1}}).to_string()
}

fn assert_status(result: &(u16, Value), code: u16, reason: &str) {
    assert_eq!(result.0, code, "{}", result.1);
    assert_eq!(result.1["kind"], "Status", "{}", result.1);
    assert_eq!(result.1["code"], code);
    assert_eq!(
        result.1["reason"].as_str().unwrap_or_default(),
        reason,
        "{}",
        result.1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_request_gets_its_status_and_the_server_keeps_serving() {
    let server = ApiServer::start(ServerOptions::default())
        .await
        .expect("server");
    let http = Http::new(&server);
    assert_status(
        &http
            .send("POST", ROLLOUTS, "application/json", "{not json")
            .await,
        400,
        "BadRequest",
    );
    assert_status(
        &http
            .send("POST", ROLLOUTS, "text/plain", rollout("a"))
            .await,
        415,
        "UnsupportedMediaType",
    );
    assert_status(
        &http
            .send(
                "POST",
                ROLLOUTS,
                "application/json",
                vec![b' '; 3 * 1024 * 1024 + 1],
            )
            .await,
        413,
        "RequestEntityTooLarge",
    );
    assert_status(
        &http.get("/apis/nope.example.com/v1/things").await,
        404,
        "NotFound",
    );
    assert_status(
        &http
            .get("/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/missing")
            .await,
        404,
        "NotFound",
    );
    assert_status(
        &http
            .send("POST", ROLLOUTS, "application/json", rollout("Not_DNS"))
            .await,
        422,
        "Invalid",
    );
    assert_status(
        &http
            .send(
                "POST",
                "/apis/argoproj.io/v1alpha1/namespaces/nowhere/rollouts",
                "application/json",
                rollout("a"),
            )
            .await,
        404,
        "NotFound",
    );
    assert_status(
        &http
            .get(&format!("{ROLLOUTS}?labelSelector=a%20in%20b"))
            .await,
        400,
        "BadRequest",
    );
    let (code, body) = http
        .get(&format!("{ROLLOUTS}?fieldSelector=spec.replicas%3D1"))
        .await;
    assert_eq!(
        (code, body["message"].as_str()),
        (400, Some("field label not supported: spec.replicas"))
    );

    let yaml = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: from-yaml}\nspec: {replicas: 1}\n";
    assert_eq!(
        http.send("POST", ROLLOUTS, "application/yaml", yaml)
            .await
            .0,
        201,
        "YAML bodies are accepted"
    );
    assert_status(
        &http
            .send("POST", ROLLOUTS, "application/json", rollout("from-yaml"))
            .await,
        409,
        "AlreadyExists",
    );
    let path = format!("{ROLLOUTS}/from-yaml");
    assert_status(
        &http
            .send(
                "PATCH",
                &path,
                "application/json-patch+json",
                r#"[{"op":"remove","path":"/spec/nope"}]"#,
            )
            .await,
        422,
        "",
    );
    assert_status(
        &http
            .send("PATCH", &path, "application/json-patch+json", "not a patch")
            .await,
        400,
        "BadRequest",
    );
    assert_status(
        &http
            .send(
                "PATCH",
                &path,
                "application/strategic-merge-patch+json",
                "{}",
            )
            .await,
        415,
        "UnsupportedMediaType",
    );
    assert_status(
        &http
            .send(
                "PATCH",
                &path,
                "application/merge-patch+json",
                r#"{"metadata":{"resourceVersion":"1"}}"#,
            )
            .await,
        409,
        "Conflict",
    );
    assert_status(
        &http
            .send("PATCH", &path, "application/apply-patch+yaml", "{}")
            .await,
        422,
        "Invalid",
    );

    for rv in ["garbage", "999999999999999999"] {
        let (code, body) = http
            .get(&format!("{ROLLOUTS}?watch=true&resourceVersion={rv}"))
            .await;
        assert_eq!(code, 200, "watch errors come inside the stream");
        // One event line is also one JSON document.
        let event = body;
        assert_eq!(
            (event["type"].as_str(), event["object"]["code"].as_i64()),
            (Some("ERROR"), Some(410)),
            "{rv}"
        );
    }

    assert_status(
        &http
            .send(
                "DELETE",
                "/api/v1/namespaces/default",
                "application/json",
                "",
            )
            .await,
        403,
        "Forbidden",
    );
    assert_eq!(
        http.send(
            "POST",
            "/api/v1/namespaces",
            "application/json",
            r#"{"metadata":{"name":"gone"}}"#
        )
        .await
        .0,
        201
    );
    assert_eq!(
        http.send(
            "POST",
            "/apis/argoproj.io/v1alpha1/namespaces/gone/rollouts",
            "application/json",
            rollout("r")
        )
        .await
        .0,
        201
    );
    assert_eq!(
        http.send("DELETE", "/api/v1/namespaces/gone", "application/json", "")
            .await
            .0,
        200
    );
    assert_status(
        &http
            .get("/apis/argoproj.io/v1alpha1/namespaces/gone/rollouts/r")
            .await,
        404,
        "NotFound",
    );

    // A client that disconnects mid-stream does not disturb anyone.
    let watch = http
        .client
        .get(format!("{}{ROLLOUTS}?watch=true", http.base))
        .send()
        .await
        .expect("watch");
    drop(watch);
    assert_eq!(http.get(ROLLOUTS).await.0, 200, "still serving");
}

#[test]
fn random_patches_and_selectors_never_panic() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let alphabet: Vec<char> = "ab=!,() in notin<>0-9./\\ \"{}[]:x\u{e9}".chars().collect();
    let fields = ["metadata.name", "metadata.namespace"];
    let object = json!({"metadata": {"name": "a", "labels": {"a": "b"}}, "spec": {"list": [1, 2], "map": {"k": "v"}}});
    let configmaps = registry::core_kinds()
        .into_iter()
        .find(|def| def.kind == "ConfigMap")
        .expect("a built-in kind");
    let applier = managed_fields::Manager::of_request(
        Some("fuzz"),
        None,
        managed_fields::Operation::Apply,
        &configmaps,
        None,
    );
    for _ in 0..5_000 {
        let length = rng.gen_range(0..24);
        let text: String = (0..length)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        if let Ok(selector) = LabelSelector::parse(&text) {
            selector.matches_json(object["metadata"]["labels"].as_object());
        }
        if let Ok(selector) = FieldSelector::parse(&text, &fields, |f| f.to_string()) {
            selector.matches(&object);
        }
        for patch_type in [PatchType::Merge, PatchType::Json, PatchType::Strategic] {
            if let Err(error) = patch::apply(patch_type, &object, text.as_bytes()) {
                assert!((400..500).contains(&error.code), "{error:?}");
            }
        }
        let applied = patch::decode_apply(text.as_bytes()).and_then(|config| {
            managed_fields::apply(&configmaps, Some(&object), &config, &applier, false, "now")
        });
        if let Err(error) = applied {
            assert!((400..500).contains(&error.code), "{error:?}");
        }
    }
    let operations = ["add", "remove", "replace", "move", "copy", "test", "bogus"];
    let paths = [
        "",
        "/",
        "/spec",
        "/spec/list/0",
        "/spec/list/-",
        "/spec/list/9",
        "/spec/map/k",
        "/metadata/~1x",
        "/nope/deeper",
    ];
    for _ in 0..5_000 {
        let op = operations[rng.gen_range(0..operations.len())];
        let path = paths[rng.gen_range(0..paths.len())];
        let from = paths[rng.gen_range(0..paths.len())];
        let body = json!([{"op": op, "path": path, "from": from, "value": rng.gen_range(0..3)}])
            .to_string();
        if let Err(error) = patch::apply(PatchType::Json, &object, body.as_bytes()) {
            assert!((400..500).contains(&error.code), "{error:?}");
        }
    }
}
