//! The parts of the watchers' decoder (`slim.rs`) that read a value through without keeping it:
//! a Workflow's node map (is a suspend node active?), an Application's resource list (its
//! Rollouts, and how many others), and strings borrowed from the text where they can be.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::model::rows::application::is_rollout_entry;
use crate::model::rows::workflow::is_active_suspend;

/// The visits that read a value past and give `$value`: every scalar, and those named after it
/// among `seq`, `map` and `str`.
macro_rules! read_past {
    ($type:ty, $value:expr $(, $extra:ident)*) => {
        fn visit_bool<E>(self, _: bool) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$type, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<$type, E> {
            Ok($value)
        }
        $( read_past!(@$extra $type, $value); )*
    };
    (@seq $type:ty, $value:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<$type, A::Error> {
            while access.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
    (@map $type:ty, $value:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<$type, A::Error> {
            while access.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
    (@str $type:ty, $value:expr) => {
        fn visit_str<E>(self, _: &str) -> Result<$type, E> {
            Ok($value)
        }
    };
}

/// Reads a node map without keeping it: whether any node is an active suspend node (each node
/// is read one at a time and dropped).
pub(super) struct SuspendScan;

impl<'de> DeserializeSeed<'de> for SuspendScan {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SuspendScan {
    type Value = bool;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a node map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<bool, A::Error> {
        let mut active = false;
        while access.next_key::<IgnoredAny>()?.is_some() {
            active |= access.next_value::<NodeBrief>()?.active_suspend;
        }
        Ok(active)
    }
    read_past!(bool, false, seq, str);
}

/// Whether one node of the map is an active suspend node, from its `type` and `phase` (anything
/// else, or a node that is not a map, is read past).
struct NodeBrief {
    active_suspend: bool,
}

impl<'de> Deserialize<'de> for NodeBrief {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Brief;
        impl<'de> Visitor<'de> for Brief {
            type Value = NodeBrief;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<NodeBrief, A::Error> {
                let (mut node_type, mut phase) = (None, None);
                while let Some(Text(key)) = access.next_key::<Text<'de>>()? {
                    match key.as_deref().unwrap_or_default() {
                        "type" => node_type = access.next_value::<Text<'de>>()?.0,
                        "phase" => phase = access.next_value::<Text<'de>>()?.0,
                        _ => {
                            access.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(NodeBrief {
                    active_suspend: is_active_suspend(node_type.as_deref(), phase.as_deref()),
                })
            }
            read_past!(
                NodeBrief,
                NodeBrief {
                    active_suspend: false
                },
                seq,
                str
            );
        }
        deserializer.deserialize_any(Brief)
    }
}

/// Reads an Application's resource list keeping only its Rollout entries (group, kind,
/// namespace and name), and counts the others; `None` for anything but a list.
pub(super) struct ManagedScan;

type Managed = Option<(Vec<Value>, usize)>;

impl<'de> DeserializeSeed<'de> for ManagedScan {
    type Value = Managed;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Managed, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ManagedScan {
    type Value = Managed;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a resource list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Managed, A::Error> {
        let (mut rollouts, mut others) = (Vec::new(), 0);
        while let Some(ResourceEntry(entry)) = access.next_element()? {
            match entry {
                Some(fields)
                    if is_rollout_entry(field_of(&fields, "group"), field_of(&fields, "kind")) =>
                {
                    let object = fields
                        .into_iter()
                        .map(|(name, value)| (name.to_string(), Value::String(value.into_owned())))
                        .collect();
                    rollouts.push(Value::Object(object));
                }
                _ => others += 1,
            }
        }
        Ok(Some((rollouts, others)))
    }
    read_past!(Managed, None, map, str);
}

/// The string value of `name` among an entry's fields.
fn field_of<'a>(fields: &'a [(&'static str, Cow<'_, str>)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| *field == name)
        .map(|(_, value)| value.as_ref())
}

/// One entry of a resource list: its string `group`, `kind`, `namespace` and `name` (`None`
/// when it is not a map).
struct ResourceEntry<'de>(Option<Vec<(&'static str, Cow<'de, str>)>>);

impl<'de> Deserialize<'de> for ResourceEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> Visitor<'de> for Entry {
            type Value = ResourceEntry<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a resource")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(Text(key)) = access.next_key::<Text<'de>>()? {
                    let wanted = ["group", "kind", "namespace", "name"]
                        .into_iter()
                        .find(|name| key.as_deref() == Some(*name));
                    match wanted {
                        Some(name) => {
                            if let Text(Some(value)) = access.next_value::<Text<'de>>()? {
                                fields.push((name, value));
                            }
                        }
                        None => {
                            access.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(ResourceEntry(Some(fields)))
            }
            read_past!(ResourceEntry<'de>, ResourceEntry(None), seq, str);
        }
        deserializer.deserialize_any(Entry)
    }
}

/// A string, borrowed from the text where it can be; anything else reads as `None`.
pub(super) struct Text<'de>(pub(super) Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Text<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            read_past!(Text<'de>, Text(None), seq, map);
        }
        deserializer.deserialize_any(Visit)
    }
}
