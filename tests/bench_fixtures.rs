//! The benchmark's fixtures are objects a cluster accepts: every one of them is created through
//! the embedded API server, which validates custom resources against the real CRD schemas.

use flightdeck::bench::fixtures::{namespaces, objects};
use flightdeck_apiserver::ApiServer;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_is_accepted_by_the_crd_schemas() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = ApiServer::start(Default::default()).await.expect("server");
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().expect("url")))
        .expect("client");
    let namespace_api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    for name in namespaces() {
        let namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": name}}))
            .expect("namespace");
        namespace_api
            .create(&PostParams::default(), &namespace)
            .await
            .expect("namespace created");
    }
    let fixtures = objects(1_000);
    for (kind, object) in &fixtures {
        let (group, version, kind_name, plural) = kind.resource();
        let resource = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(group, version, kind_name),
            plural,
        );
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
        let dynamic: DynamicObject = serde_json::from_value(object.clone()).expect("object");
        if let Err(error) = api.create(&PostParams::default(), &dynamic).await {
            panic!("{kind:?} {}: {error}", object["metadata"]["name"]);
        }
    }
    // every namespace (the bench's and the 3 built-in ones) also holds its `default`
    // ServiceAccount and `kube-root-ca.crt`, as on a real cluster
    assert_eq!(
        server.state.store().len(),
        fixtures.len() + (namespaces().len() + 3) * 3,
        "every fixture stored, plus the namespaces and what each holds from the start"
    );
}
