//! `application/vnd.kubernetes.protobuf` bodies of built-in kinds, read and written through the
//! real descriptors of Kubernetes' API groups (`proto/kubernetes.binpb.gz`, made by
//! `proto/generate` from upstream's generated.proto): the envelope is the magic `k8s\0` and a
//! `runtime.Unknown` carrying the apiVersion, the kind and the object's bytes. Objects convert to
//! and from their JSON form as the Go types marshal it: Time as RFC 3339, IntOrString as a number
//! or a string, Quantity as its string, bytes as base64, RawExtension and FieldsV1 as embedded
//! JSON; a zero scalar appears in JSON only where the Go field keeps it, and an inline struct's
//! fields sit in its parent's object (`proto/kubernetes-go-fields.txt.gz`).

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use base64::Engine;
use prost::Message;
use prost_reflect::ReflectMessage;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor,
    Value as Field,
};
use serde_json::{Map, Value, json};

/// The media type, as clients send it in Content-Type and Accept.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
const MAGIC: &[u8] = b"k8s\0";
const UNKNOWN: &str = "k8s.io.apimachinery.pkg.runtime.Unknown";
const META: &str = "k8s.io.apimachinery.pkg.apis.meta.v1";

/// What the Go JSON of a message's field does that its descriptor does not say
/// (`proto/go_fields.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A scalar whose zero value the JSON keeps.
    Kept,
    /// A struct embedded with `json:",inline"`: its fields sit in the parent's object.
    Inline,
    /// A struct held by value: written even when empty.
    Struct,
    /// A list, map or pointer without `omitempty`: written as null when nil.
    Present,
}

struct Schema {
    pool: DescriptorPool,
    /// message full name -> field name -> role, for the fields that have one
    roles: HashMap<String, HashMap<String, Role>>,
}

impl Schema {
    fn role(&self, message: &MessageDescriptor, field: &FieldDescriptor) -> Option<Role> {
        self.roles
            .get(message.full_name())?
            .get(field.name())
            .copied()
    }
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn schema() -> Result<&'static Schema, String> {
    static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let descriptors = gunzip(include_bytes!("../proto/kubernetes.binpb.gz"))?;
            let pool = DescriptorPool::decode(descriptors.as_slice()).map_err(|e| e.to_string())?;
            let fields = gunzip(include_bytes!("../proto/kubernetes-go-fields.txt.gz"))?;
            let mut roles: HashMap<String, HashMap<String, Role>> = HashMap::new();
            for line in String::from_utf8_lossy(&fields).lines() {
                let mut words = line.split(' ');
                let (Some(message), Some(field), Some(role)) =
                    (words.next(), words.next(), words.next())
                else {
                    continue;
                };
                let role = match role {
                    "kept" => Role::Kept,
                    "inline" => Role::Inline,
                    "struct" => Role::Struct,
                    "present" => Role::Present,
                    _ => continue,
                };
                roles
                    .entry(message.to_string())
                    .or_default()
                    .insert(field.to_string(), role);
            }
            Ok(Schema { pool, roles })
        })
        .as_ref()
        .map_err(|e| format!("the protobuf descriptors do not load: {e}"))
}

/// Whether a Content-Type (or one entry of Accept) names protobuf.
pub fn is_protobuf(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or_default().trim() == MEDIA_TYPE
}

/// The message of a built-in kind: `apps/v1` `Deployment` is `k8s.io.api.apps.v1.Deployment`
/// (the group's first label names the package); meta kinds (`DeleteOptions`, `Status`) live in
/// apimachinery.
fn message_of(schema: &Schema, api_version: &str, kind: &str) -> Option<MessageDescriptor> {
    let (group, version) = api_version
        .rsplit_once('/')
        .unwrap_or(("core", api_version));
    let label = group.split('.').next().unwrap_or(group);
    schema
        .pool
        .get_message_by_name(&format!("k8s.io.api.{label}.{version}.{kind}"))
        .or_else(|| schema.pool.get_message_by_name(&format!("{META}.{kind}")))
}

/// A protobuf request body as the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let schema = schema()?;
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the body does not start with the protobuf magic number")?;
    let unknown = schema
        .pool
        .get_message_by_name(UNKNOWN)
        .ok_or("no runtime.Unknown descriptor")?;
    let unknown = DynamicMessage::decode(unknown, envelope).map_err(|e| e.to_string())?;
    let text = |message: &DynamicMessage, name: &str| -> String {
        match message.get_field_by_name(name).as_deref() {
            Some(Field::String(text)) => text.clone(),
            _ => String::new(),
        }
    };
    let type_meta = match unknown.get_field_by_name("typeMeta").as_deref() {
        Some(Field::Message(meta)) => meta.clone(),
        _ => return Err("the envelope names no kind".into()),
    };
    let (api_version, kind) = (text(&type_meta, "apiVersion"), text(&type_meta, "kind"));
    let descriptor = message_of(schema, &api_version, &kind)
        .ok_or_else(|| format!("no protobuf message is known for {api_version} {kind}"))?;
    let raw = match unknown.get_field_by_name("raw").as_deref() {
        Some(Field::Bytes(raw)) => raw.clone(),
        _ => Default::default(),
    };
    let object = DynamicMessage::decode(descriptor, raw).map_err(|e| e.to_string())?;
    let mut value = to_json(schema, &object);
    if let Some(map) = value.as_object_mut() {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(value)
}

/// `nanos` as Go prints a time.Duration (`1h2m3s`, `1.5s`, `250ms`).
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let nanos = nanos.unsigned_abs();
    if nanos < 1_000_000_000 {
        let (value, unit) = match nanos {
            n if n < 1_000 => (n as f64, "ns"),
            n if n < 1_000_000 => (n as f64 / 1e3, "µs"),
            n => (n as f64 / 1e6, "ms"),
        };
        return format!("{sign}{value}{unit}");
    }
    let seconds = nanos as f64 / 1e9;
    let (hours, rest) = (nanos / 3_600_000_000_000, nanos % 3_600_000_000_000);
    let (minutes, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let seconds_part = rest as f64 / 1e9;
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, m) => format!("{sign}{m}m{seconds_part}s"),
        (h, m) => format!("{sign}{h}h{m}m{seconds_part}s"),
    }
}

fn integer(message: &DynamicMessage, name: &str) -> i64 {
    match message.get_field_by_name(name).as_deref() {
        Some(Field::I64(n)) => *n,
        Some(Field::I32(n)) => i64::from(*n),
        _ => 0,
    }
}

/// The JSON of a built-in kind's zero value, as Go marshals `&Kind{}`: struct values as objects,
/// lists, maps and pointers without `omitempty` as null; scalars are left out (whether a zero
/// scalar is there does not matter to its one user, server-side apply's field ownership).
pub fn zero_object(api_version: &str, kind: &str) -> Option<Value> {
    let schema = schema().ok()?;
    let descriptor = message_of(schema, api_version, kind)?;
    Some(zero_json(schema, &descriptor, 0))
}

fn zero_json(schema: &Schema, descriptor: &MessageDescriptor, depth: usize) -> Value {
    let mut object = Map::new();
    for field in descriptor.fields() {
        let role = schema.role(descriptor, &field);
        let zero = match (field.kind(), role) {
            (Kind::Message(message), Some(Role::Struct | Role::Inline))
                if depth < 16 && !is_json_scalar(message.full_name()) =>
            {
                zero_json(schema, &message, depth + 1)
            }
            (Kind::Message(message), Some(Role::Present))
                if !is_json_scalar(message.full_name()) =>
            {
                Value::Null
            }
            (_, Some(Role::Present)) if field.is_list() || field.is_map() => Value::Null,
            _ => continue,
        };
        match zero {
            Value::Object(fields) if role == Some(Role::Inline) => object.extend(fields),
            zero => {
                object.insert(field.name().to_string(), zero);
            }
        }
    }
    Value::Object(object)
}

/// Adds the structs held by value that a built-in object lacks (`status: {}`, a container's
/// `resources: {}`), as Go writes them even when empty: the real server's JSON always has them.
pub fn complete_structs(object: &mut Value) {
    let Ok(schema) = schema() else {
        return;
    };
    let (Some(api_version), Some(kind)) = (
        object.get("apiVersion").and_then(Value::as_str),
        object.get("kind").and_then(Value::as_str),
    ) else {
        return;
    };
    if let Some(descriptor) = message_of(schema, api_version, kind) {
        complete(schema, &descriptor, object, 0);
    }
}

fn complete(schema: &Schema, descriptor: &MessageDescriptor, value: &mut Value, depth: usize) {
    if depth > 16 || !value.is_object() {
        return;
    }
    for field in descriptor.fields() {
        let Kind::Message(message) = field.kind() else {
            continue;
        };
        if field.is_map() || is_json_scalar(message.full_name()) {
            continue;
        }
        let role = schema.role(descriptor, &field);
        if role == Some(Role::Inline) {
            complete(schema, &message, value, depth + 1);
            continue;
        }
        let Some(map) = value.as_object_mut() else {
            return;
        };
        match map.get_mut(field.name()) {
            Some(Value::Array(items)) if field.is_list() => {
                for item in items {
                    complete(schema, &message, item, depth + 1);
                }
            }
            Some(child @ Value::Object(_)) => complete(schema, &message, child, depth + 1),
            None if role == Some(Role::Struct) => {
                let mut child = Value::Object(Map::new());
                complete(schema, &message, &mut child, depth + 1);
                map.insert(field.name().to_string(), child);
            }
            _ => {}
        }
    }
}

/// Messages whose JSON form is a string or a number, not an object.
fn is_json_scalar(message: &str) -> bool {
    matches!(
        message,
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time"
            | "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"
            | "k8s.io.apimachinery.pkg.apis.meta.v1.Duration"
            | "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
            | "k8s.io.apimachinery.pkg.api.resource.Quantity"
            | "k8s.io.apimachinery.pkg.runtime.RawExtension"
            | "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"
    )
}

/// A message as its JSON form.
fn to_json(schema: &Schema, message: &DynamicMessage) -> Value {
    let name = message.descriptor().full_name().to_string();
    let bytes = |field: &str| match message.get_field_by_name(field).as_deref() {
        Some(Field::Bytes(raw)) => raw.to_vec(),
        _ => Vec::new(),
    };
    match name.as_str() {
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time"
        | "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" => {
            let (seconds, nanos) = (integer(message, "seconds"), integer(message, "nanos"));
            if seconds == 0 && nanos == 0 {
                return Value::Null;
            }
            let text = flightdeck_apimachinery::time::format_timestamp(seconds.max(0) as u64);
            if name.ends_with("MicroTime") {
                json!(text.replace('Z', &format!(".{:06}Z", nanos / 1000)))
            } else {
                json!(text)
            }
        }
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration" => {
            json!(go_duration(integer(message, "duration")))
        }
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => {
            if integer(message, "type") == 1 {
                match message.get_field_by_name("strVal").as_deref() {
                    Some(Field::String(text)) => json!(text),
                    _ => json!(""),
                }
            } else {
                json!(integer(message, "intVal"))
            }
        }
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => {
            match message.get_field_by_name("string").as_deref() {
                Some(Field::String(text)) => json!(text),
                _ => json!("0"),
            }
        }
        "k8s.io.apimachinery.pkg.runtime.RawExtension" => {
            serde_json::from_slice(&bytes("raw")).unwrap_or(Value::Null)
        }
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" => {
            serde_json::from_slice(&bytes("Raw")).unwrap_or(Value::Null)
        }
        _ => {
            let mut object = Map::new();
            for (field, value) in message.fields() {
                let role = schema.role(&message.descriptor(), &field);
                if is_zero(value) && role != Some(Role::Kept) {
                    continue;
                }
                // a zero Time is left out (`omitzero` on the Go fields)
                let converted = field_json(schema, value);
                if role == Some(Role::Inline)
                    && let Value::Object(fields) = converted
                {
                    object.extend(fields);
                } else if !converted.is_null() {
                    object.insert(field.name().to_string(), converted);
                }
            }
            Value::Object(object)
        }
    }
}

fn is_zero(value: &Field) -> bool {
    match value {
        Field::Bool(b) => !b,
        Field::I32(n) => *n == 0,
        Field::I64(n) => *n == 0,
        Field::U32(n) => *n == 0,
        Field::U64(n) => *n == 0,
        Field::F32(n) => *n == 0.0,
        Field::F64(n) => *n == 0.0,
        Field::String(s) => s.is_empty(),
        Field::Bytes(b) => b.is_empty(),
        Field::EnumNumber(n) => *n == 0,
        Field::Message(_) | Field::List(_) | Field::Map(_) => false,
    }
}

fn field_json(schema: &Schema, value: &Field) -> Value {
    match value {
        Field::Bool(b) => json!(b),
        Field::I32(n) => json!(n),
        Field::I64(n) => json!(n),
        Field::U32(n) => json!(n),
        Field::U64(n) => json!(n),
        Field::F32(n) => json!(n),
        Field::F64(n) => json!(n),
        Field::String(s) => json!(s),
        Field::Bytes(b) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
        Field::EnumNumber(n) => json!(n),
        Field::Message(message) => to_json(schema, message),
        Field::List(items) => items.iter().map(|v| field_json(schema, v)).collect(),
        Field::Map(entries) => {
            let mut object = Map::new();
            for (key, value) in entries {
                let key = match key {
                    MapKey::String(s) => s.clone(),
                    MapKey::Bool(b) => b.to_string(),
                    MapKey::I32(n) => n.to_string(),
                    MapKey::I64(n) => n.to_string(),
                    MapKey::U32(n) => n.to_string(),
                    MapKey::U64(n) => n.to_string(),
                };
                object.insert(key, field_json(schema, value));
            }
            Value::Object(object)
        }
    }
}

/// A JSON object as a protobuf response body, or `None` when its kind has no protobuf message
/// (custom resources, which servers always answer in JSON) or a value does not fit its field.
pub fn encode(value: &Value) -> Option<Vec<u8>> {
    let schema = schema().ok()?;
    let api_version = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    let descriptor = message_of(schema, api_version, kind)?;
    let object = from_json(schema, &descriptor, value)?;
    let unknown_descriptor = schema.pool.get_message_by_name(UNKNOWN)?;
    let mut type_meta = DynamicMessage::new(
        unknown_descriptor
            .get_field_by_name("typeMeta")?
            .kind()
            .as_message()?
            .clone(),
    );
    type_meta.set_field_by_name("apiVersion", Field::String(api_version.into()));
    type_meta.set_field_by_name("kind", Field::String(kind.into()));
    let mut unknown = DynamicMessage::new(unknown_descriptor);
    unknown.set_field_by_name("typeMeta", Field::Message(type_meta));
    unknown.set_field_by_name("raw", Field::Bytes(object.encode_to_vec().into()));
    unknown.set_field_by_name("contentEncoding", Field::String(String::new()));
    unknown.set_field_by_name("contentType", Field::String(String::new()));
    let mut body = MAGIC.to_vec();
    body.extend(unknown.encode_to_vec());
    Some(body)
}

/// The message of `descriptor` that `value` is the JSON form of.
fn from_json(
    schema: &Schema,
    descriptor: &MessageDescriptor,
    value: &Value,
) -> Option<DynamicMessage> {
    let mut message = DynamicMessage::new(descriptor.clone());
    match descriptor.full_name() {
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time"
        | "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" => {
            let text = value.as_str()?;
            let seconds = flightdeck_apimachinery::time::parse_timestamp(text)?;
            message.set_field_by_name("seconds", Field::I64(seconds));
            let nanos = text
                .split_once('.')
                .map(|(_, fraction)| fraction.trim_end_matches('Z'))
                .map(|digits| format!("{digits:0<9}")[..9].parse::<i32>().unwrap_or(0))
                .unwrap_or(0);
            message.set_field_by_name("nanos", Field::I32(nanos));
        }
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration" => {
            let seconds = flightdeck_apimachinery::time::parse_go_duration(value.as_str()?)?;
            message.set_field_by_name(
                "duration",
                Field::I64(seconds.saturating_mul(1_000_000_000)),
            );
        }
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => match value {
            Value::String(text) => {
                message.set_field_by_name("type", Field::I64(1));
                message.set_field_by_name("strVal", Field::String(text.clone()));
            }
            _ => {
                message.set_field_by_name("type", Field::I64(0));
                message.set_field_by_name("intVal", Field::I32(value.as_i64()? as i32));
            }
        },
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            message.set_field_by_name("string", Field::String(text));
        }
        "k8s.io.apimachinery.pkg.runtime.RawExtension" => {
            message.set_field_by_name("raw", Field::Bytes(value.to_string().into()));
        }
        "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" => {
            message.set_field_by_name("Raw", Field::Bytes(value.to_string().into()));
        }
        _ => {
            let object = value.as_object()?;
            for field in descriptor.fields() {
                let inline = schema.role(descriptor, &field) == Some(Role::Inline);
                let item = if inline {
                    // an inline struct reads its fields from this same object
                    value
                } else {
                    // a field the JSON lacks, or null, stays unset
                    match object.get(field.name()) {
                        None | Some(Value::Null) => continue,
                        Some(item) => item,
                    }
                };
                let converted = field_from_json(schema, &field, item)?;
                message.set_field(&field, converted);
            }
        }
    }
    Some(message)
}

fn field_from_json(schema: &Schema, field: &FieldDescriptor, value: &Value) -> Option<Field> {
    if field.is_map() {
        let entry = field.kind();
        let entry = entry.as_message()?;
        let value_field = entry.map_entry_value_field();
        let mut map = std::collections::HashMap::new();
        for (key, item) in value.as_object()? {
            map.insert(
                MapKey::String(key.clone()),
                single_from_json(schema, &value_field.kind(), item)?,
            );
        }
        return Some(Field::Map(map));
    }
    if field.is_list() {
        let items = value.as_array()?;
        return items
            .iter()
            .map(|item| single_from_json(schema, &field.kind(), item))
            .collect::<Option<Vec<_>>>()
            .map(Field::List);
    }
    single_from_json(schema, &field.kind(), value)
}

fn single_from_json(schema: &Schema, kind: &Kind, value: &Value) -> Option<Field> {
    Some(match kind {
        Kind::Bool => Field::Bool(value.as_bool()?),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Field::I32(value.as_i64()? as i32),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Field::I64(value.as_i64()?),
        Kind::Uint32 | Kind::Fixed32 => Field::U32(value.as_u64()? as u32),
        Kind::Uint64 | Kind::Fixed64 => Field::U64(value.as_u64()?),
        Kind::Float => Field::F32(value.as_f64()? as f32),
        Kind::Double => Field::F64(value.as_f64()?),
        Kind::String => Field::String(value.as_str()?.to_string()),
        Kind::Bytes => Field::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(value.as_str()?)
                .ok()?
                .into(),
        ),
        Kind::Enum(_) => Field::EnumNumber(value.as_i64()? as i32),
        Kind::Message(descriptor) => Field::Message(from_json(schema, descriptor, value)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(object: Value) -> Value {
        let body = encode(&object).expect("encodes");
        assert!(body.starts_with(MAGIC));
        decode(&body).expect("decodes")
    }

    #[test]
    fn built_in_objects_survive_the_wire() {
        let deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"},
                         "creationTimestamp": "2026-11-30T10:00:00Z"},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                     "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                      "resources": {"limits": {"cpu": "500m"}}}]}}}
        });
        assert_eq!(round_trip(deployment.clone()), deployment);
        let secret = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "creds"}, "data": {"token": "czNjcmV0"}, "type": "Opaque"});
        assert_eq!(round_trip(secret.clone()), secret);
    }

    #[test]
    fn zeros_appear_only_where_the_go_types_keep_them() {
        // kubectl writes every non-pointer field, zero or not: an empty generateName, a zero
        // generation and a false stdin must not appear; a replicas of 0 must.
        let object = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "probe", "generateName": "", "generation": 0},
            "spec": {"containers": [{"name": "probe", "image": "busybox", "stdin": false}]}});
        let decoded = round_trip(object);
        assert_eq!(decoded["metadata"], json!({"name": "probe"}));
        assert_eq!(decoded["spec"]["containers"][0].get("stdin"), None);
    }

    #[test]
    fn inline_structs_sit_in_their_parents_object() {
        let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "web"},
            "spec": {"rules": [{"host": "shop.example", "http": {"paths": [{"path": "/",
                "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}});
        assert_eq!(round_trip(ingress.clone()), ingress);
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}]}],
                "volumes": [{"name": "data", "emptyDir": {}}]}});
        assert_eq!(round_trip(pod.clone()), pod);
    }

    #[test]
    fn the_zero_object_holds_what_go_marshals_for_an_empty_kind() {
        let deployment = zero_object("apps/v1", "Deployment").expect("a built-in kind");
        // struct values are objects, lists without omitempty null; pointers with omitempty and
        // scalars are not there
        assert_eq!(
            deployment["spec"]["template"]["spec"]["containers"],
            Value::Null
        );
        assert!(deployment["spec"]["strategy"].is_object());
        assert_eq!(deployment["spec"]["strategy"].get("rollingUpdate"), None);
        assert_eq!(deployment["spec"].get("replicas"), None);
        assert_eq!(
            zero_object("v1", "ConfigMap")
                .expect("built in")
                .get("data"),
            None
        );
        assert_eq!(zero_object("argoproj.io/v1alpha1", "Rollout"), None);
    }

    #[test]
    fn structs_held_by_value_are_written_even_when_empty() {
        let mut cronjob = json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "nightly"},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "job", "image": "busybox"}]}}}}}});
        complete_structs(&mut cronjob);
        assert_eq!(cronjob["status"], json!({}));
        let template = &cronjob["spec"]["jobTemplate"]["spec"]["template"];
        assert_eq!(template["metadata"], json!({}));
        assert_eq!(template["spec"]["containers"][0]["resources"], json!({}));
        // pointers stay out
        assert_eq!(template["spec"].get("securityContext"), None);
    }

    #[test]
    fn custom_resources_and_garbage_are_refused() {
        assert!(
            encode(&json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout"})).is_none()
        );
        assert!(decode(b"garbage").is_err());
        assert!(decode(b"k8s\0\xff\xff").is_err());
        let mut truncated = encode(&json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x"}, "data": {"a": "b"}}))
        .expect("encodes");
        truncated.truncate(truncated.len() - 3);
        assert!(decode(&truncated).is_err());
    }

    #[test]
    fn durations_print_as_go_does() {
        assert_eq!(go_duration(90 * 1_000_000_000), "1m30s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(250_000_000), "250ms");
    }
}
