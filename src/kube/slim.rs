//! What the watchers decode objects into: the object's JSON with the parts no row reads left
//! out by the parser — never built, so a 100k-object listing does not allocate them only to
//! drop them (performance.md §8.1). Every kind loses the heavy parts named in [`COMMON`]
//! (managedFields, the last-applied annotation, Workflow templates and node maps, Application
//! resource lists and history, …); Pods, ReplicaSets and Rollouts, whose specs and statuses are
//! mostly what no row reads (containers' env, probes, resources; conditions, IDs), keep only
//! what their rows read ([`SlimObject`]'s shape). The row is projected from what is kept; the
//! detail and YAML views fetch the whole object.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use kube::api::{ApiResource, ObjectMeta};
use kube::core::DynamicResourceScope;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::slim_scans::{ManagedScan, SuspendScan, Text};
use crate::model::Kind;
use crate::model::rows::application::OTHER_RESOURCES;
use crate::model::rows::workflow::ACTIVE_SUSPEND_NODE;

/// What the parser keeps of the value at a rule's path.
#[derive(Clone, Copy)]
enum Keep {
    Nothing,
    /// Only these keys of a map.
    Only(&'static [&'static str]),
    /// What a scan of it finds.
    Scan(Scan),
}

/// Values read through without being kept, leaving only what rows read of them.
#[derive(Clone, Copy)]
enum Scan {
    /// A Workflow's node map: whether a suspend node is active.
    SuspendNodes,
    /// An Application's `status.resources`: its Rollouts, and how many other resources.
    ManagedRollouts,
}

/// A path of keys from the object's root (`*`: any item of a list) and what is kept there.
struct Rule(&'static [&'static str], Keep);

use Keep::{Nothing, Only, Scan as Scanned};

/// What no row of any kind reads (`tests/row_fixtures.rs` projects every fixture both ways and
/// compares).
const COMMON: &[Rule] = &[
    Rule(&["metadata", "managedFields"], Nothing),
    Rule(
        &[
            "metadata",
            "annotations",
            "kubectl.kubernetes.io/last-applied-configuration",
        ],
        Nothing,
    ),
    // Workflows and WorkflowTemplates
    Rule(&["spec", "templates"], Nothing),
    Rule(&["status", "nodes"], Scanned(Scan::SuspendNodes)),
    Rule(&["status", "storedTemplates"], Nothing),
    Rule(&["status", "storedWorkflowTemplateSpec"], Nothing),
    // Applications
    Rule(&["status", "resources"], Scanned(Scan::ManagedRollouts)),
    Rule(&["status", "history"], Nothing),
    Rule(&["status", "operationState", "syncResult"], Nothing),
    // AnalysisRuns (the metric definitions; results are kept)
    Rule(&["spec", "metrics"], Nothing),
    // Stages
    Rule(&["spec", "promotionTemplate"], Nothing),
];

/// What the rows of a kind read of its spec and status, where that is far less than they hold.
const fn shape_of(kind: Kind) -> &'static [Rule] {
    match kind {
        // `PodRow`
        Kind::Pod => &[
            Rule(&["spec"], Only(&["containers", "nodeName"])),
            Rule(&["spec", "containers", "*"], Only(&["name"])),
            Rule(&["status"], Only(&["phase", "reason", "containerStatuses"])),
            Rule(
                &["status", "containerStatuses", "*"],
                Only(&["ready", "restartCount", "state"]),
            ),
        ],
        // `ReplicaSetRow`
        Kind::ReplicaSet => &[
            Rule(&["spec"], Only(&["replicas", "template"])),
            Rule(&["spec", "template"], Only(&["spec"])),
            Rule(&["spec", "template", "spec"], Only(&["containers"])),
            Rule(
                &["spec", "template", "spec", "containers", "*"],
                Only(&["image"]),
            ),
            Rule(&["status"], Only(&["availableReplicas"])),
        ],
        // `RolloutRow` reads all of its spec but the pod template's images.
        Kind::Rollout => &[
            Rule(&["spec", "template"], Only(&["spec"])),
            Rule(&["spec", "template", "spec"], Only(&["containers"])),
            Rule(
                &["spec", "template", "spec", "containers", "*"],
                Only(&["image"]),
            ),
        ],
        _ => &[],
    }
}

// Rules are tracked as bits of a u32.
const _: () = {
    let mut kind = 0;
    while kind < Kind::ALL.len() {
        assert!(COMMON.len() + shape_of(Kind::ALL[kind]).len() <= 32);
        kind += 1;
    }
};

/// Parses JSON text the way the watchers do for `kind`.
pub fn decode(kind: Kind, text: &str) -> serde_json::Result<Value> {
    Pruned::root(shape_of(kind)).deserialize(&mut serde_json::Deserializer::from_str(text))
}

/// Which kind's shape a [`SlimObject`] is decoded in (a type, as serde decodes without context).
pub trait Shape {
    const KIND: Option<Kind>;
}

/// Any kind without a shape of its own: only [`COMMON`] is left out.
#[derive(Debug, Clone)]
pub struct Common;
impl Shape for Common {
    const KIND: Option<Kind> = None;
}

macro_rules! shapes {
    ($($name:ident: $kind:ident),*) => {$(
        #[doc = concat!("The shape of `", stringify!($kind), "` objects.")]
        #[derive(Debug, Clone)]
        pub struct $name;
        impl Shape for $name {
            const KIND: Option<Kind> = Some(Kind::$kind);
        }
    )*};
}
shapes!(Pods: Pod, ReplicaSets: ReplicaSet, Rollouts: Rollout);

/// An object as the watchers keep it until its row is projected.
#[derive(Debug, Clone)]
pub struct SlimObject<S = Common> {
    /// Name, namespace and resourceVersion (what the watcher itself reads); boxed, as objects
    /// are moved through the watcher's stream several times and the rest of `ObjectMeta` is
    /// large.
    pub metadata: Box<ObjectMeta>,
    /// The object without the parts left out.
    pub value: Value,
    shape: PhantomData<S>,
}

impl<'de, S: Shape> Deserialize<'de> for SlimObject<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let rules = match S::KIND {
            Some(kind) => shape_of(kind),
            None => &[],
        };
        let value = Pruned::root(rules).deserialize(deserializer)?;
        let field = |name: &str| {
            value
                .get("metadata")
                .and_then(|metadata| metadata.get(name))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let metadata = Box::new(ObjectMeta {
            name: field("name"),
            namespace: field("namespace"),
            resource_version: field("resourceVersion"),
            ..ObjectMeta::default()
        });
        Ok(SlimObject {
            metadata,
            value,
            shape: PhantomData,
        })
    }
}

impl<S: Shape + Clone + fmt::Debug> kube::Resource for SlimObject<S> {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn kind(resource: &ApiResource) -> Cow<'_, str> {
        resource.kind.as_str().into()
    }
    fn group(resource: &ApiResource) -> Cow<'_, str> {
        resource.group.as_str().into()
    }
    fn version(resource: &ApiResource) -> Cow<'_, str> {
        resource.version.as_str().into()
    }
    fn api_version(resource: &ApiResource) -> Cow<'_, str> {
        resource.api_version.as_str().into()
    }
    fn plural(resource: &ApiResource) -> Cow<'_, str> {
        resource.plural.as_str().into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// Decodes a value at `depth` keys from the root; `active` has a bit set for each rule (of
/// [`COMMON`], then `shape`) whose first `depth` keys are the ones that led here.
#[derive(Clone, Copy)]
struct Pruned {
    shape: &'static [Rule],
    active: u32,
    depth: usize,
}

/// Where a key leads.
enum Entered {
    /// Into a value decoded under these rules.
    Into(Pruned),
    /// To a value left out.
    LeftOut,
    /// To a value only scanned.
    Scanned(Scan),
}

impl Pruned {
    fn root(shape: &'static [Rule]) -> Pruned {
        let every_rule = (COMMON.len() + shape.len()) as u32;
        Pruned {
            shape,
            active: if every_rule == 32 {
                u32::MAX
            } else {
                (1 << every_rule) - 1
            },
            depth: 0,
        }
    }

    /// The active rules, with their bits.
    fn rules(self) -> impl Iterator<Item = (u32, &'static Rule)> {
        COMMON
            .iter()
            .chain(self.shape)
            .enumerate()
            .filter(move |(i, _)| self.active & (1 << i) != 0)
            .map(|(i, rule)| (1 << i, rule))
    }

    /// The keys kept of a map here, when a rule ends here and says so.
    fn only(self) -> Option<&'static [&'static str]> {
        self.rules().find_map(|(_, Rule(path, keep))| match keep {
            Only(keys) if path.len() == self.depth => Some(*keys),
            _ => None,
        })
    }

    /// The rules that go on past `step` (a key, or `*` for a list's items).
    fn enter(self, step: &str) -> Entered {
        let mut active = 0;
        for (bit, Rule(path, keep)) in self.rules() {
            if path.get(self.depth) == Some(&step) {
                match keep {
                    Nothing if path.len() == self.depth + 1 => return Entered::LeftOut,
                    Scanned(scan) if path.len() == self.depth + 1 => {
                        return Entered::Scanned(*scan);
                    }
                    _ => active |= bit,
                }
            }
        }
        Entered::Into(Pruned {
            shape: self.shape,
            active,
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Pruned {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.active == 0 {
            Value::deserialize(deserializer)
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Pruned {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let only = self.only();
        let mut map = Map::new();
        // Keys borrowed from the text: one left out costs no allocation.
        while let Some(Text(key)) = access.next_key::<Text<'de>>()? {
            let key = key.unwrap_or_default();
            if only.is_some_and(|keys| !keys.contains(&key.as_ref())) {
                access.next_value::<IgnoredAny>()?;
                continue;
            }
            match self.enter(&key) {
                Entered::Into(inner) => {
                    let value = access.next_value_seed(inner)?;
                    map.insert(key.into_owned(), value);
                }
                Entered::Scanned(Scan::SuspendNodes) => {
                    if access.next_value_seed(SuspendScan)? {
                        map.insert(ACTIVE_SUSPEND_NODE.into(), Value::Bool(true));
                    }
                }
                Entered::Scanned(Scan::ManagedRollouts) => {
                    if let Some((rollouts, others)) = access.next_value_seed(ManagedScan)? {
                        map.insert(key.into_owned(), Value::Array(rollouts));
                        if others > 0 {
                            map.insert(OTHER_RESOURCES.into(), others.into());
                        }
                    }
                }
                Entered::LeftOut => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(map))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        match self.enter("*") {
            Entered::Into(inner) => {
                while let Some(item) = access.next_element_seed(inner)? {
                    items.push(item);
                }
            }
            // No rule leaves out or scans a list's items.
            Entered::LeftOut | Entered::Scanned(_) => {
                while access.next_element::<IgnoredAny>()?.is_some() {}
            }
        }
        Ok(Value::Array(items))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn skipped_paths_are_not_kept_and_everything_else_is() {
        let text = json!({
            "metadata": {
                "name": "a", "namespace": "n", "resourceVersion": "7",
                "managedFields": [{"manager": "kubectl"}],
                "annotations": {
                    "kubectl.kubernetes.io/last-applied-configuration": "{…}",
                    "keep": "me"
                },
                "labels": {"managedFields": "a label of that name stays"}
            },
            "spec": {"templates": [{"name": "main"}], "entrypoint": "main"},
            "status": {
                "nodes": {"x": {}}, "phase": "Running",
                "operationState": {"phase": "Running", "syncResult": {"resources": []}},
                "items": [{"nodes": "arrays are kept whole"}]
            }
        })
        .to_string();
        let object: SlimObject = serde_json::from_str(&text).expect("parses");
        assert_eq!(
            object.value,
            json!({
                "metadata": {
                    "name": "a", "namespace": "n", "resourceVersion": "7",
                    "annotations": {"keep": "me"},
                    "labels": {"managedFields": "a label of that name stays"}
                },
                "spec": {"entrypoint": "main"},
                "status": {
                    "phase": "Running",
                    "operationState": {"phase": "Running"},
                    "items": [{"nodes": "arrays are kept whole"}]
                }
            })
        );
        assert_eq!(object.metadata.name.as_deref(), Some("a"));
        assert_eq!(object.metadata.namespace.as_deref(), Some("n"));
        assert_eq!(object.metadata.resource_version.as_deref(), Some("7"));
    }

    #[test]
    fn pods_keep_only_what_their_rows_read_and_lists_items_follow_star_rules() {
        let pod = json!({
            "metadata": {"name": "p", "namespace": "n", "labels": {"app": "a"}},
            "spec": {
                "nodeName": "node-1",
                "containers": [
                    {"name": "app", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
                    "not a container"
                ],
                "volumes": [{"name": "v"}],
                "tolerations": []
            },
            "status": {
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{
                    "name": "app", "ready": true, "restartCount": 2, "imageID": "sha",
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}}
                }]
            }
        });
        let slim = decode(Kind::Pod, &pod.to_string()).expect("parses");
        assert_eq!(
            slim,
            json!({
                "metadata": {"name": "p", "namespace": "n", "labels": {"app": "a"}},
                "spec": {"nodeName": "node-1", "containers": [{"name": "app"}, "not a container"]},
                "status": {
                    "phase": "Running",
                    "containerStatuses": [{
                        "ready": true, "restartCount": 2,
                        "state": {"waiting": {"reason": "CrashLoopBackOff"}}
                    }]
                }
            })
        );
        // Other kinds keep their spec and status whole.
        let event = decode(Kind::Event, &pod.to_string()).expect("parses");
        assert_eq!(event["spec"]["containers"], pod["spec"]["containers"]);
        assert_eq!(event["status"]["conditions"], pod["status"]["conditions"]);
    }

    #[test]
    fn a_node_map_leaves_only_whether_a_suspend_node_is_active() {
        use crate::model::rows::WorkflowRow;
        let workflow = |nodes: Value| json!({"metadata": {"name": "release", "namespace": "argo"}, "status": {"phase": "Running", "nodes": nodes}});
        let waiting = workflow(json!({
            "release": {"type": "DAG", "phase": "Running", "children": ["a"], "outputs": {"parameters": [{"name": "x"}]}},
            "a": {"type": "Suspend", "phase": "Running", "templateName": "approve"},
            "b": 7
        }));
        let slim = decode(Kind::Workflow, &waiting.to_string()).expect("parses");
        assert_eq!(
            slim["status"],
            json!({"phase": "Running", ACTIVE_SUSPEND_NODE: true})
        );
        for object in [&slim, &waiting] {
            assert_eq!(
                WorkflowRow::from_object(object).display_phase(),
                "Running (Suspended)"
            );
        }
        let resumed = workflow(json!({"a": {"type": "Suspend", "phase": "Succeeded"}}));
        let slim = decode(Kind::Workflow, &resumed.to_string()).expect("parses");
        assert_eq!(slim["status"], json!({"phase": "Running"}));
        assert_eq!(WorkflowRow::from_object(&slim).display_phase(), "Running");
        let odd = workflow(json!([1, 2]));
        assert!(decode(Kind::Workflow, &odd.to_string()).is_ok());
    }

    #[test]
    fn odd_shapes_parse_as_they_are() {
        for text in [
            "[]",
            "null",
            "3",
            "\"text\"",
            r#"{"metadata": 5, "status": null}"#,
        ] {
            let object: SlimObject<Pods> = serde_json::from_str(text).expect(text);
            assert_eq!(
                object.value,
                serde_json::from_str::<Value>(text).expect("json")
            );
            assert_eq!(object.metadata.name, None);
        }
        assert!(decode(Kind::Pod, "{\"metadata\":").is_err());
    }
}
