//! Writes: POST (create), PUT (update), PATCH (merge, JSON, apply, strategic for core kinds) on
//! the resource and its status subresource, DELETE of one object or a collection. Each write runs
//! the rules of `writes`, validation against the CRD schema, then stores and publishes the change
//! under the store lock, so watchers see changes in resourceVersion order.

use std::sync::Arc;

use serde_json::{Value, json};

use super::handler::ResourceRequest;
use super::managed_fields::{self, Manager, Operation};
use super::patch::{self, CORE_PATCH_TYPES, CUSTOM_PATCH_TYPES, PatchType};
use super::read::Filter;
use super::registry::ResourceDef;
use super::state::State;
use super::status::{self, ApiError};
use super::validation;
use super::writes::{self, Endpoint};
use super::{deployments, gc, kubelet};

/// Decodes a JSON, YAML or protobuf request body into an object.
pub fn decode_body(request: &ResourceRequest<'_>) -> Result<Value, ApiError> {
    let content_type = request
        .content_type
        .as_deref()
        .unwrap_or("application/json");
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let value: Value = match media {
        "application/json" | "" | "*/*" => serde_json::from_slice(&request.body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        super::protobuf::MEDIA_TYPE => super::protobuf::decode(&request.body).map_err(|e| {
            ApiError::bad_request(format!("the protobuf body does not decode: {e}"))
        })?,
        "application/yaml" => {
            let text = std::str::from_utf8(&request.body)
                .map_err(|_| ApiError::bad_request("the YAML body is not UTF-8"))?;
            serde_saphyr::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error converting YAML to JSON: {e}")))?
        }
        _ => {
            return Err(ApiError::unsupported_media_type(&[
                "application/json",
                "application/yaml",
                super::protobuf::MEDIA_TYPE,
            ]));
        }
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    Ok(value)
}

fn dry_run(request: &ResourceRequest<'_>) -> bool {
    request.query.get("dryRun").is_some_and(|v| v == "All")
}

/// Prunes and validates a custom resource against its schema.
fn validate(
    state: &State,
    def: &ResourceDef,
    name: &str,
    object: &mut Value,
) -> Result<(), ApiError> {
    let (Some(schema), Some(compiled)) = (def.schema.as_ref(), state.validator(def)) else {
        return Ok(());
    };
    validation::prune(schema, object);
    match compiled {
        Ok(validator) => validator.check(def, name, object),
        Err(problem) => {
            tracing::warn!(kind = %def.kind, %problem, "schema does not compile; not validating");
            Ok(())
        }
    }
}

/// The manager of a request's write (`managed_fields`).
fn manager(request: &ResourceRequest<'_>, operation: Operation) -> Manager {
    Manager::of_request(
        request.query.get("fieldManager"),
        request.user_agent.as_deref(),
        operation,
        request.def,
        request.path.subresource.as_deref(),
    )
}

/// POST to a collection.
pub fn create(state: &State, request: &ResourceRequest<'_>) -> Result<(u16, Value), ApiError> {
    let body = decode_body(request)?;
    create_object(
        state,
        request.def,
        request.path.namespace.as_deref(),
        body,
        dry_run(request),
        Some(&manager(request, Operation::Update)),
    )
}

/// Creates `body` in `namespace` (shared by POST and apply-creates). A create by an updating
/// `manager` is recorded in managedFields (an apply-create comes with them); objects the server
/// makes itself have none.
pub fn create_object(
    state: &State,
    def: &ResourceDef,
    namespace: Option<&str>,
    body: Value,
    dry_run: bool,
    manager: Option<&Manager>,
) -> Result<(u16, Value), ApiError> {
    let mut store = state.store();
    let namespace_key = namespace.unwrap_or_default();
    if def.namespaced
        && let Some(namespaces) = state.registry.find("", "v1", "namespaces")
        && store.get(namespaces, "", namespace_key).is_none()
    {
        return Err(ApiError::not_found(namespaces, namespace_key));
    }
    let (name, mut object) = writes::prepare_create(def, namespace, body, |name| {
        store.get(def, namespace_key, name).is_some()
    })?;
    validate(state, def, &name, &mut object)?;
    if let Some(manager) = manager.filter(|m| m.operation == Operation::Update) {
        managed_fields::record_update(def, None, &mut object, manager, &writes::timestamp_now());
    }
    // after the creator's ownership: the binding and the status are the scheduler's and the
    // kubelet's
    if def.group.is_empty() && def.plural == "pods" && kubelet::starts(&object) {
        kubelet::start(&mut object, &writes::timestamp_now());
    }
    if dry_run {
        return Ok((201, object));
    }
    let change = store.put(def, namespace_key, &name, object);
    state.publish(change.clone());
    if is_deployment(def) {
        deployments::reconcile(state, &mut store, namespace_key, &name);
    }
    if def.group.is_empty() && def.plural == "namespaces" {
        // the CA ConfigMap is kube-controller-manager's; the ServiceAccount, as on a real
        // cluster, records no manager
        let controllers = Manager {
            name: "kube-controller-manager".into(),
            operation: Operation::Update,
            api_version: "v1".into(),
            subresource: None,
        };
        for (plural, object) in namespace_furnishings(&name) {
            if let Some(def) = state.registry.find("", "v1", plural)
                && let Ok((object_name, mut object)) =
                    writes::prepare_create(def, Some(&name), object, |_| false)
            {
                if plural == "configmaps" {
                    let now = writes::timestamp_now();
                    managed_fields::record_update(def, None, &mut object, &controllers, &now);
                }
                let furnished = store.put(def, &name, &object_name, object);
                state.publish(furnished);
            }
        }
    }
    Ok((201, change.object.value().clone()))
}

/// What a real cluster's controllers put into every new namespace within moments: the
/// `default` ServiceAccount (serviceaccounts-controller) and the `kube-root-ca.crt` ConfigMap
/// (root-ca-cert-publisher). The embedded server speaks plain HTTP and has no CA: the bundle
/// is a placeholder that says so.
fn namespace_furnishings(namespace: &str) -> [(&'static str, Value); 2] {
    [
        (
            "serviceaccounts",
            json!({"metadata": {"name": "default", "namespace": namespace}}),
        ),
        (
            "configmaps",
            json!({
                "metadata": {
                    "name": "kube-root-ca.crt",
                    "namespace": namespace,
                    "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."},
                },
                "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n(none: the embedded API server serves plain HTTP)\n-----END CERTIFICATE-----\n"},
            }),
        ),
    ]
}

fn is_deployment(def: &ResourceDef) -> bool {
    def.group == "apps" && def.plural == "deployments"
}

fn endpoint(request: &ResourceRequest<'_>) -> Result<Endpoint, ApiError> {
    match request.path.subresource.as_deref() {
        None | Some("scale") => Ok(Endpoint::Main),
        Some("status") if request.def.status_subresource => Ok(Endpoint::Status),
        _ => Err(ApiError::no_such_resource()),
    }
}

/// PUT or PATCH of `…/NAME/scale`: changes the replicas through the main update rules and
/// answers with the new Scale.
pub fn update_scale(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let paths = request
        .def
        .scale
        .clone()
        .ok_or_else(ApiError::no_such_resource)?;
    let manager = manager(request, Operation::Update);
    let (code, object) = store_update(state, request, name, Endpoint::Main, &manager, |stored| {
        super::scale::updated(request.def, request, stored)
    })?;
    Ok((code, super::scale::scale_of(&paths, &object)))
}

/// Runs an update of `name` to `incoming` through `endpoint`, storing it unless nothing changed.
/// An updating `manager` is recorded in managedFields (an apply's result carries them).
fn store_update(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
    endpoint: Endpoint,
    manager: &Manager,
    incoming: impl FnOnce(&Value) -> Result<Value, ApiError>,
) -> Result<(u16, Value), ApiError> {
    let def = request.def;
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let mut store = state.store();
    let stored = store
        .get(def, namespace, name)
        .ok_or_else(|| ApiError::not_found(def, name))?;
    let incoming = incoming(&stored)?;
    let Some(mut next) = writes::prepare_update(def, endpoint, name, &stored, incoming)? else {
        return Ok((200, stored.value().clone()));
    };
    validate(state, def, name, &mut next)?;
    if manager.operation == Operation::Update {
        managed_fields::record_update(
            def,
            Some(&stored),
            &mut next,
            manager,
            &writes::timestamp_now(),
        );
    }
    if next == **stored {
        return Ok((200, stored.value().clone()));
    }
    if dry_run(request) {
        return Ok((200, next));
    }
    // An object being deleted goes once its last finalizer is removed.
    let finalized = next.pointer("/metadata/deletionTimestamp").is_some()
        && next
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
    let change = store.put(def, namespace, name, next);
    state.publish(change.clone());
    if finalized && let Some(removed) = store.remove(def, namespace, name) {
        state.publish(removed);
    } else if is_deployment(def) {
        deployments::reconcile(state, &mut store, namespace, name);
    }
    Ok((200, change.object.value().clone()))
}

/// PUT to `…/NAME` or `…/NAME/status`.
pub fn update(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let endpoint = endpoint(request)?;
    let body = decode_body(request)?;
    let manager = manager(request, Operation::Update);
    store_update(state, request, name, endpoint, &manager, |_| Ok(body))
}

/// PATCH of `…/NAME` or `…/NAME/status`.
pub fn patch(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let def = request.def;
    let accepted = if def.custom {
        CUSTOM_PATCH_TYPES
    } else {
        CORE_PATCH_TYPES
    };
    let content_type = request.content_type.as_deref().unwrap_or_default();
    let patch_type = PatchType::from_content_type(content_type)
        .filter(|t| *t != PatchType::Strategic || !def.custom)
        .ok_or_else(|| ApiError::unsupported_media_type(accepted))?;
    let endpoint = endpoint(request)?;
    if patch_type != PatchType::Apply {
        let manager = manager(request, Operation::Update);
        return store_update(state, request, name, endpoint, &manager, |stored| {
            let mut patched = patch::apply(patch_type, stored, &request.body)?;
            // A patch that does not carry a resourceVersion applies to whatever is stored now.
            if patched
                .pointer("/metadata/resourceVersion")
                .is_none_or(Value::is_null)
            {
                patched["metadata"]["resourceVersion"] =
                    stored["metadata"]["resourceVersion"].clone();
            }
            Ok(patched)
        });
    }
    if request.query.get("fieldManager").is_none_or(str::is_empty) {
        let mut error = ApiError::invalid(
            def,
            "PatchOptions.meta.k8s.io",
            "",
            &[(
                "fieldManager".into(),
                "Required value: is required for apply patch".into(),
            )],
        );
        error.body["message"] = json!(
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
        );
        return Err(error);
    }
    let config = patch::decode_apply(&request.body)?;
    let manager = manager(request, Operation::Apply);
    let force = request.query.get("force") == Some("true");
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let exists = state.store().get(def, namespace, name).is_some();
    if !exists && endpoint == Endpoint::Main {
        let mut created = managed_fields::apply(
            def,
            None,
            &config,
            &manager,
            force,
            &writes::timestamp_now(),
        )?;
        created["metadata"]["name"] = json!(name);
        return create_object(
            state,
            def,
            request.path.namespace.as_deref(),
            created,
            dry_run(request),
            Some(&manager),
        );
    }
    store_update(state, request, name, endpoint, &manager, |stored| {
        let mut applied = managed_fields::apply(
            def,
            Some(stored),
            &config,
            &manager,
            force,
            &writes::timestamp_now(),
        )?;
        // An apply applies to whatever is stored now, unless it names a resourceVersion.
        if config
            .pointer("/metadata/resourceVersion")
            .is_none_or(Value::is_null)
        {
            applied["metadata"]["resourceVersion"] = stored["metadata"]["resourceVersion"].clone();
        }
        Ok(applied)
    })
}

/// DELETE of `…/NAME`.
pub fn delete(
    state: &Arc<State>,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    if request.path.subresource.is_some() {
        return Err(ApiError::method_not_allowed(request.def));
    }
    let def = request.def;
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let options: Value = if request.body.is_empty() {
        json!({})
    } else {
        decode_body(request).map_err(|e| {
            ApiError::bad_request(format!("invalid DeleteOptions: {}", e.body["message"]))
        })?
    };
    let propagation = gc::Propagation::of(&options, request.query.get("propagationPolicy"))
        .map_err(ApiError::bad_request)?;
    let dry_run = dry_run(request)
        || options
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "All"));
    let mut store = state.store();
    let stored = store
        .get(def, namespace, name)
        .ok_or_else(|| ApiError::not_found(def, name))?;
    if let Some(preconditions) = options.get("preconditions") {
        let mismatch = |field: &str| {
            preconditions
                .get(field)
                .and_then(Value::as_str)
                .is_some_and(|wanted| {
                    stored
                        .pointer(&format!("/metadata/{field}"))
                        .and_then(Value::as_str)
                        != Some(wanted)
                })
        };
        if mismatch("uid") || mismatch("resourceVersion") {
            return Err(ApiError::conflict(def, name));
        }
    }
    let has_finalizers = stored
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if dry_run {
        return Ok((200, stored.value().clone()));
    }
    if has_finalizers {
        if stored.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok((200, stored.value().clone()));
        }
        let mut marked = stored.value().clone();
        marked["metadata"]["deletionTimestamp"] = json!(writes::timestamp_now());
        let change = store.put(def, namespace, name, marked);
        state.publish(change.clone());
        return Ok((200, change.object.value().clone()));
    }
    let is_namespace = def.plural == "namespaces" && def.group.is_empty();
    if is_namespace && ["default", "kube-system", "kube-public"].contains(&name) {
        let mut error =
            ApiError::forbidden(def, &request.user.name, "delete", None, Some(name), None);
        error.body["message"] = json!(format!(
            "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
        ));
        return Err(error);
    }
    if is_namespace {
        // The namespace's objects go with it (the namespace controller's job on a real cluster).
        for other in state.registry.defs.iter().filter(|d| d.namespaced) {
            for object in store.list(other, Some(name)) {
                let object_name = object
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if let Some(change) = store.remove(other, name, &object_name) {
                    state.publish(change);
                }
            }
        }
    }
    if let Some(finalizer) = propagation.finalizer()
        && !is_namespace
    {
        // marked now; the garbage collector sees to the dependents, then to the owner
        let mut marked = stored.value().clone();
        marked["metadata"]["deletionTimestamp"] = json!(writes::timestamp_now());
        marked["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        marked["metadata"]["finalizers"] = json!([finalizer]);
        let change = store.put(def, namespace, name, marked);
        state.publish(change.clone());
        drop(store);
        gc::finish_later(
            state.clone(),
            def.clone(),
            namespace.to_string(),
            name.to_string(),
            propagation,
        );
        return Ok((200, change.object.value().clone()));
    }
    let uid = stored
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let change = store
        .remove(def, namespace, name)
        .ok_or_else(|| ApiError::not_found(def, name))?;
    state.publish(change.clone());
    gc::collect(state, &mut store, namespace, &uid, propagation);
    drop(store);
    state.forget_pod_logs(def, namespace, name);
    if def.custom {
        return Ok((200, status::deleted(def, name, &uid)));
    }
    Ok((200, change.object.value().clone()))
}

/// DELETE of a collection (with selectors): returns the list of deleted objects.
pub fn delete_collection(
    state: &State,
    request: &ResourceRequest<'_>,
) -> Result<(u16, Value), ApiError> {
    let filter = Filter::from_request(request)?;
    let def = request.def;
    let mut store = state.store();
    let victims: Vec<Value> = store
        .list(def, filter.namespace.as_deref())
        .into_iter()
        .filter(|o| filter.matches(o))
        .map(|o| o.value().clone())
        .collect();
    let mut deleted = Vec::new();
    for object in victims {
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(change) = store.remove(def, &namespace, &name) {
            state.publish(change.clone());
            deleted.push(change.object.value().clone());
        }
    }
    let rv = store.current_rv();
    Ok((
        200,
        json!({"kind": def.list_kind, "apiVersion": def.api_version(), "metadata": {"resourceVersion": rv.to_string()}, "items": deleted}),
    ))
}
