//! What the server serves: resource definitions read from the real CRDs (group, versions, plural,
//! kind, scope, short names, categories, status/scale subresources, printer columns, schema),
//! plus the core kinds the cockpit needs.

use serde_json::{Value, json};

/// Where the scale subresource reads and writes replicas (CRD `subresources.scale`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalePaths {
    /// e.g. `.spec.replicas`
    pub spec_replicas: String,
    /// e.g. `.status.replicas`
    pub status_replicas: String,
    /// e.g. `.status.selector`; `None` = build it from `.spec.selector.matchLabels`.
    pub label_selector: Option<String>,
}

/// One served resource (one group/version/plural).
#[derive(Debug, Clone)]
pub struct ResourceDef {
    /// API group; empty for the core group.
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub list_kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub status_subresource: bool,
    /// The scale subresource's JSON paths, if the kind has one.
    pub scale: Option<ScalePaths>,
    /// A custom resource (CRD rules for generation, updates and patch types).
    pub custom: bool,
    /// `openAPIV3Schema` of this version, for validation.
    pub schema: Option<Value>,
    /// `additionalPrinterColumns` of this version.
    pub printer_columns: Vec<Value>,
    /// Field selectors beyond `metadata.name`/`metadata.namespace`.
    pub extra_fields: &'static [&'static str],
    /// Verbs served (SelfSubjectAccessReview has only `create`).
    pub verbs: &'static [&'static str],
}

const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl ResourceDef {
    /// `workflows.argoproj.io`, or `pods` for the core group (as error messages print it).
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `argoproj.io/v1alpha1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Every field a field selector may use for this kind.
    pub fn selectable_fields(&self) -> Vec<&'static str> {
        let mut fields = vec!["metadata.name"];
        if self.namespaced {
            fields.push("metadata.namespace");
        }
        fields.extend_from_slice(self.extra_fields);
        fields
    }

    /// Why a field selector on `field` is refused, worded as the real server words it for this
    /// kind: kinds with their own selectable fields (and custom resources) say "field label not
    /// supported", Jobs name themselves, the rest list the metadata fields.
    pub fn unsupported_field(&self, field: &str) -> String {
        match (self.group.as_str(), self.kind.as_str()) {
            ("batch", "Job") => format!("field label \"{field}\" not supported for Job"),
            ("", _) if !self.extra_fields.is_empty() => {
                format!("field label not supported: {field}")
            }
            _ if self.custom => format!("field label not supported: {field}"),
            _ => format!(
                "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            ),
        }
    }

    /// Whether `verb` is served.
    pub fn serves(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }

    /// Builds the definitions of every served version of a CRD document.
    pub fn from_crd(crd: &Value) -> Result<Vec<ResourceDef>, String> {
        let spec = crd.get("spec").ok_or("CRD without spec")?;
        let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
        let strings = |value: Option<&Value>| -> Vec<String> {
            value
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let group = text(spec.get("group")).ok_or("CRD without spec.group")?;
        let names = spec.get("names").ok_or("CRD without spec.names")?;
        let plural = text(names.get("plural")).ok_or("CRD without names.plural")?;
        let kind = text(names.get("kind")).ok_or("CRD without names.kind")?;
        let singular = text(names.get("singular")).unwrap_or_else(|| kind.to_ascii_lowercase());
        let list_kind = text(names.get("listKind")).unwrap_or_else(|| format!("{kind}List"));
        let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
        let versions = spec
            .get("versions")
            .and_then(Value::as_array)
            .ok_or("CRD without versions")?;
        Ok(versions
            .iter()
            .filter(|version| {
                version
                    .get("served")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            })
            .filter_map(|version| {
                let subresources = version.get("subresources");
                Some(ResourceDef {
                    group: group.clone(),
                    version: text(version.get("name"))?,
                    plural: plural.clone(),
                    singular: singular.clone(),
                    kind: kind.clone(),
                    list_kind: list_kind.clone(),
                    namespaced,
                    short_names: strings(names.get("shortNames")),
                    categories: strings(names.get("categories")),
                    status_subresource: subresources.and_then(|s| s.get("status")).is_some(),
                    scale: subresources
                        .and_then(|s| s.get("scale"))
                        .map(|scale| ScalePaths {
                            spec_replicas: text(scale.get("specReplicasPath"))
                                .unwrap_or_else(|| ".spec.replicas".into()),
                            status_replicas: text(scale.get("statusReplicasPath"))
                                .unwrap_or_else(|| ".status.replicas".into()),
                            label_selector: text(scale.get("labelSelectorPath")),
                        }),
                    custom: true,
                    schema: version.pointer("/schema/openAPIV3Schema").cloned(),
                    printer_columns: version
                        .get("additionalPrinterColumns")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                    extra_fields: &[],
                    verbs: ALL_VERBS,
                })
            })
            .collect())
    }
}

/// A built-in kind served at `api_version` (`v1`, `apps/v1`), as its registry declares it
/// upstream (`pkg/registry/<group>/<kind>/storage`: short names, the `all` category, status and
/// scale subresources).
struct BuiltIn {
    api_version: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    /// In the `all` category (`kubectl get all`).
    all: bool,
    status: bool,
    /// Has the `scale` subresource (`.spec.replicas`, `.status.replicas`).
    scale: bool,
    fields: &'static [&'static str],
}

const fn built_in(
    api_version: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
) -> BuiltIn {
    BuiltIn {
        api_version,
        plural,
        kind,
        namespaced,
        short,
        all: false,
        status: false,
        scale: false,
        fields: &[],
    }
}

impl BuiltIn {
    const fn all(mut self) -> Self {
        self.all = true;
        self
    }
    const fn status(mut self) -> Self {
        self.status = true;
        self
    }
    const fn scale(mut self) -> Self {
        self.scale = true;
        self
    }
    const fn fields(mut self, fields: &'static [&'static str]) -> Self {
        self.fields = fields;
        self
    }

    fn def(&self) -> ResourceDef {
        let (group, version) = self
            .api_version
            .rsplit_once('/')
            .unwrap_or(("", self.api_version));
        ResourceDef {
            group: group.into(),
            version: version.into(),
            plural: self.plural.into(),
            singular: self.kind.to_ascii_lowercase(),
            kind: self.kind.into(),
            list_kind: format!("{}List", self.kind),
            namespaced: self.namespaced,
            short_names: self.short.iter().map(|s| s.to_string()).collect(),
            categories: if self.all { vec!["all".into()] } else { vec![] },
            status_subresource: self.status,
            scale: self.scale.then(|| ScalePaths {
                spec_replicas: ".spec.replicas".into(),
                status_replicas: ".status.replicas".into(),
                label_selector: None,
            }),
            custom: false,
            schema: None,
            printer_columns: vec![],
            extra_fields: self.fields,
            // reviews are asked, never stored: `create` is their only verb
            verbs: if self.plural.ends_with("reviews") {
                &["create"]
            } else {
                ALL_VERBS
            },
        }
    }
}

/// Field selectors of Pods and Events beyond name and namespace (the API server's lists).
const POD_FIELDS: &[&str] = &[
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.podIPs",
    "status.nominatedNodeName",
];
const EVENT_FIELDS: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
];

/// The built-in kinds served: what the cockpit and the demo world use, and what kubectl's
/// everyday commands create (`create deployment|job|cronjob|ingress|role|…`).
const BUILT_INS: &[BuiltIn] = &[
    built_in("v1", "namespaces", "Namespace", false, &["ns"])
        .status()
        .fields(&["status.phase"]),
    built_in("v1", "pods", "Pod", true, &["po"])
        .all()
        .status()
        .fields(POD_FIELDS),
    built_in("v1", "services", "Service", true, &["svc"])
        .all()
        .status()
        .fields(&["spec.clusterIP", "spec.type"]),
    built_in("v1", "configmaps", "ConfigMap", true, &["cm"]),
    built_in("v1", "secrets", "Secret", true, &[]).fields(&["type"]),
    built_in("v1", "serviceaccounts", "ServiceAccount", true, &["sa"]),
    built_in("v1", "events", "Event", true, &["ev"]).fields(EVENT_FIELDS),
    built_in("apps/v1", "deployments", "Deployment", true, &["deploy"])
        .all()
        .status()
        .scale(),
    built_in("apps/v1", "replicasets", "ReplicaSet", true, &["rs"])
        .all()
        .status()
        .scale()
        .fields(&["status.replicas"]),
    built_in("apps/v1", "statefulsets", "StatefulSet", true, &["sts"])
        .all()
        .status()
        .scale(),
    built_in("apps/v1", "daemonsets", "DaemonSet", true, &["ds"])
        .all()
        .status(),
    built_in(
        "apps/v1",
        "controllerrevisions",
        "ControllerRevision",
        true,
        &[],
    ),
    built_in("batch/v1", "jobs", "Job", true, &[])
        .all()
        .status(),
    built_in("batch/v1", "cronjobs", "CronJob", true, &["cj"])
        .all()
        .status(),
    built_in(
        "networking.k8s.io/v1",
        "ingresses",
        "Ingress",
        true,
        &["ing"],
    )
    .status(),
    built_in("rbac.authorization.k8s.io/v1", "roles", "Role", true, &[]),
    built_in(
        "rbac.authorization.k8s.io/v1",
        "rolebindings",
        "RoleBinding",
        true,
        &[],
    ),
    built_in(
        "rbac.authorization.k8s.io/v1",
        "clusterroles",
        "ClusterRole",
        false,
        &[],
    ),
    built_in(
        "rbac.authorization.k8s.io/v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
        false,
        &[],
    ),
    built_in(
        "authorization.k8s.io/v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        false,
        &[],
    ),
    built_in(
        "authorization.k8s.io/v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        false,
        &[],
    ),
    built_in(
        "authentication.k8s.io/v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        false,
        &[],
    ),
];

/// Every built-in kind's definition.
pub fn core_kinds() -> Vec<ResourceDef> {
    BUILT_INS.iter().map(BuiltIn::def).collect()
}

/// Every served resource.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub defs: Vec<ResourceDef>,
}

impl Registry {
    /// The core kinds plus every CRD in `crds` (path, YAML). A CRD that does not parse is an error.
    pub fn load(crds: &[(&str, &str)]) -> Result<Registry, String> {
        let mut defs = core_kinds();
        for (path, text) in crds {
            let crd: Value = serde_saphyr::from_str(text).map_err(|e| format!("{path}: {e}"))?;
            defs.extend(ResourceDef::from_crd(&crd).map_err(|e| format!("{path}: {e}"))?);
        }
        Ok(Registry { defs })
    }

    /// The definition served at group/version/plural.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceDef> {
        self.defs
            .iter()
            .find(|d| d.group == group && d.version == version && d.plural == plural)
    }

    /// Groups with their versions, in first-seen order (core group excluded).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for def in self.defs.iter().filter(|d| !d.group.is_empty()) {
            match groups.iter_mut().find(|(group, _)| *group == def.group) {
                Some((_, versions)) if !versions.contains(&def.version) => {
                    versions.push(def.version.clone())
                }
                Some(_) => {}
                None => groups.push((def.group.clone(), vec![def.version.clone()])),
            }
        }
        groups
    }

    /// The definitions served in one group/version.
    pub fn in_group_version<'a>(
        &'a self,
        group: &'a str,
        version: &'a str,
    ) -> impl Iterator<Item = &'a ResourceDef> + 'a {
        self.defs
            .iter()
            .filter(move |d| d.group == group && d.version == version)
    }
}

/// The `APIResource` entries of one definition for discovery (the resource and its subresources).
pub fn discovery_entries(def: &ResourceDef) -> Vec<Value> {
    let mut entry = json!({
        "name": def.plural,
        "singularName": def.singular,
        "namespaced": def.namespaced,
        "kind": def.kind,
        "verbs": def.verbs,
    });
    if !def.short_names.is_empty() {
        entry["shortNames"] = json!(def.short_names);
    }
    if !def.categories.is_empty() {
        entry["categories"] = json!(def.categories);
    }
    let mut entries = vec![entry];
    if def.status_subresource {
        entries.push(json!({"name": format!("{}/status", def.plural), "singularName": "", "namespaced": def.namespaced, "kind": def.kind, "verbs": ["get", "patch", "update"]}));
    }
    if def.scale.is_some() {
        entries.push(json!({"name": format!("{}/scale", def.plural), "singularName": "", "namespaced": def.namespaced, "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}));
    }
    if def.plural == "pods" && def.group.is_empty() {
        entries.push(json!({"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_crds_give_the_upstream_facts() {
        let started = std::time::Instant::now();
        let registry = Registry::load(crate::crds::CRDS).expect("CRDs load");
        eprintln!(
            "loaded {} definitions in {:?}",
            registry.defs.len(),
            started.elapsed()
        );
        let def = |group: &str, plural: &str| {
            registry
                .defs
                .iter()
                .find(|d| d.group == group && d.plural == plural)
                .unwrap_or_else(|| panic!("{plural}"))
        };
        let rollout = def("argoproj.io", "rollouts");
        assert!(rollout.status_subresource);
        let scale = rollout
            .scale
            .as_ref()
            .expect("rollouts have a scale subresource");
        assert_eq!(
            (scale.spec_replicas.as_str(), scale.status_replicas.as_str()),
            (".spec.replicas", ".status.HPAReplicas")
        );
        assert_eq!(rollout.short_names, ["ro"]);
        assert_eq!(rollout.printer_columns.len(), 5);
        let workflow = def("argoproj.io", "workflows");
        assert!(!workflow.status_subresource);
        assert_eq!(workflow.short_names, ["wf"]);
        assert!(workflow.schema.is_some());
        assert!(!def("argoproj.io", "applications").status_subresource);
        assert!(def("kargo.akuity.io", "freights").status_subresource);
        assert!(!def("kargo.akuity.io", "projects").namespaced);
        assert_eq!(
            def("kargo.akuity.io", "promotions").short_names,
            ["promo", "promos"]
        );
        assert_eq!(def("", "pods").categories, ["all"]);
        assert!(
            registry
                .find("argoproj.io", "v1alpha1", "analysisruns")
                .is_some()
        );
        assert!(
            registry
                .groups()
                .iter()
                .any(|(group, versions)| group == "kargo.akuity.io" && versions == &["v1alpha1"])
        );
    }
}
