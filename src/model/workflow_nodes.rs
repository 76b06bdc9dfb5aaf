//! A Workflow's node tree as `argo get` walks it: the node map read from `status.nodes`, or
//! decoded from `status.compressedNodes` (base64 of compressed JSON, as the controller writes it
//! when the map is large: gzip, or zstd or brotli from Argo 4.1), or reported as offloaded to the Argo server's database (which flightdeck
//! does not reach: it reads only the Kubernetes API). Each Pod node knows its pod's name, derived
//! as the controller names pods (v1: the node ID; v2: `<workflow>-<template>-<fnv32a(node name)>`).
//! Pure.

use std::borrow::Cow;
use std::io::Read;

use crate::model::json::At;
use base64::Engine;
use serde_json::{Map, Value};

use super::json::str_at;

/// Decompressed node maps larger than this are refused (a guard against gzip bombs).
const MAX_DECOMPRESSED: u64 = 256 * 1024 * 1024;

/// Nodes listed at most; the rest are counted, not walked.
pub const MAX_NODES: usize = 5_000;

/// FNV-1a, 32 bits: how Argo hashes node names into node IDs and pod names.
pub fn fnv32a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// `Workflow.NodeID`: the workflow's own name, else `<workflow>-<fnv32a(name)>`.
pub fn node_id(workflow_name: &str, name: &str) -> String {
    if name == workflow_name {
        workflow_name.to_string()
    } else {
        format!("{workflow_name}-{}", fnv32a(name))
    }
}

/// One node of the tree, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepNode {
    /// The root's name, else the display name (`build`, `[0]`…).
    pub name: String,
    /// Nesting for display (step groups are structure: their children share their depth).
    pub depth: usize,
    /// `Pod`, `Steps`, `DAG`, `Retry`, `Skipped`…
    pub kind: String,
    /// The template it ran (`templateRef` as `name/template`).
    pub template: String,
    pub phase: String,
    pub started: Option<i64>,
    pub finished: Option<i64>,
    pub message: String,
    /// The pod that runs it (Pod nodes only).
    pub pod: Option<String>,
}

/// The tree, or why there is none to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeTree {
    /// The nodes in display order, and how many more were left out past `MAX_NODES`.
    Nodes(Vec<StepNode>, usize),
    /// No nodes yet (the controller has not started it).
    Empty,
    /// The node map cannot be read: why.
    Unavailable(String),
}

/// Reads the node map: plain, compressed, or offloaded.
pub fn node_map(workflow: &Value) -> Result<Option<Cow<'_, Map<String, Value>>>, String> {
    if let Some(nodes) = workflow.at("/status/nodes").and_then(Value::as_object) {
        return Ok(Some(Cow::Borrowed(nodes)));
    }
    if let Some(compressed) = workflow
        .at("/status/compressedNodes")
        .and_then(Value::as_str)
    {
        return decompress(compressed).map(|nodes| Some(Cow::Owned(nodes)));
    }
    if let Some(version) = workflow.at("/status/offloadNodeStatusVersion") {
        let version = version
            .as_str()
            .map_or_else(|| version.to_string(), str::to_string);
        return Err(format!(
            "the node tree is offloaded to the Argo server's database (version {version}); \
             flightdeck reads only the Kubernetes API"
        ));
    }
    Ok(None)
}

/// Decodes `status.compressedNodes` into `status.nodes` in place (once, when a detail view
/// receives the object, so drawing does not decode every frame). A map that cannot be decoded
/// is left as it is; `tree` then says why.
pub fn inflate(workflow: &mut Value) {
    let decoded = match workflow.at("/status/compressedNodes") {
        Some(Value::String(compressed)) => decompress(compressed),
        _ => return,
    };
    if let (Ok(nodes), Some(status)) = (
        decoded,
        workflow.get_mut("status").and_then(Value::as_object_mut),
    ) {
        status.remove("compressedNodes");
        status.insert("nodes".into(), Value::Object(nodes));
    }
}

fn decompress(compressed: &str) -> Result<Map<String, Value>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compressed.trim())
        .map_err(|e| format!("compressed nodes are not base64: {e}"))?;
    // Argo up to 4.0 writes gzip; 4.1+ may write zstd or brotli (which has no magic bytes).
    let mut json = Vec::new();
    let read = match bytes.as_slice() {
        [0x1f, 0x8b, ..] => flate2::read::GzDecoder::new(bytes.as_slice())
            .take(MAX_DECOMPRESSED + 1)
            .read_to_end(&mut json)
            .map_err(|e| format!("compressed nodes are not valid gzip: {e}")),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
            .map_err(|e| format!("compressed nodes are not valid zstd: {e}"))
            .and_then(|decoder| {
                decoder
                    .take(MAX_DECOMPRESSED + 1)
                    .read_to_end(&mut json)
                    .map_err(|e| format!("compressed nodes are not valid zstd: {e}"))
            }),
        _ => brotli_decompressor::Decompressor::new(bytes.as_slice(), 64 * 1024)
            .take(MAX_DECOMPRESSED + 1)
            .read_to_end(&mut json)
            .map_err(|_| "compressed nodes are neither gzip, zstd nor brotli".to_string()),
    };
    read?;
    if json.len() as u64 > MAX_DECOMPRESSED {
        return Err(format!(
            "compressed nodes expand past {} MiB; not shown",
            MAX_DECOMPRESSED >> 20
        ));
    }
    match serde_json::from_slice::<Value>(&json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("compressed nodes are not a node map".into()),
        Err(e) => Err(format!("compressed nodes are not JSON: {e}")),
    }
}

/// The pod name of a Pod node, as the controller named it.
pub fn pod_name(workflow: &Value, node_id: &str, node: &Value) -> String {
    let workflow_name = str_at(workflow, "/metadata/name");
    let format = workflow
        .at("/metadata/annotations/workflows.argoproj.io~1pod-name-format")
        .and_then(Value::as_str)
        .unwrap_or("v2");
    let node_name = str_at(node, "/name");
    if format == "v1" {
        return node_id.to_string();
    }
    if node_name == workflow_name {
        return workflow_name.to_string();
    }
    let template = match str_at(node, "/templateName") {
        "" => str_at(node, "/templateRef/template"),
        name => name,
    };
    let mut prefix = if node_name.contains(".inline") {
        workflow_name.to_string()
    } else {
        format!("{workflow_name}-{template}")
    };
    // The name must fit Kubernetes' 253 characters with a dash and a 10-digit hash.
    if prefix.len() > 242 {
        let mut cut = 242;
        while !prefix.is_char_boundary(cut) {
            cut -= 1;
        }
        prefix.truncate(cut);
    }
    format!("{prefix}-{}", fnv32a(node_name))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::workflow_tree::tree;
    use serde_json::json;
    use std::io::Write;

    /// `status.compressedNodes` as the controller writes it: base64 of gzipped JSON.
    pub(in crate::model) fn compress(value: &Value) -> String {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder
            .write_all(value.to_string().as_bytes())
            .expect("gzip");
        base64::engine::general_purpose::STANDARD.encode(encoder.finish().expect("gzip"))
    }

    /// A zstd frame with one raw (uncompressed) block: valid zstd without needing an encoder.
    fn zstd(value: &Value) -> String {
        let data = value.to_string().into_bytes();
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd];
        // Frame header: single segment, 4-byte content size.
        frame.push(0b1010_0000);
        frame.extend_from_slice(&(data.len() as u32).to_le_bytes());
        // Block header: last block, raw, size.
        let header = 1 | ((data.len() as u32) << 3);
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.extend_from_slice(&data);
        base64::engine::general_purpose::STANDARD.encode(frame)
    }

    /// A brotli stream of uncompressed meta-blocks (each up to 64 KiB), then an empty last one.
    fn brotli(value: &Value) -> String {
        let data = value.to_string().into_bytes();
        assert!(data.len() <= 65_536);
        // WBITS=16 (one 0 bit), ISLAST=0, MNIBBLES=4 (00), MLEN-1 in 16 bits, ISUNCOMPRESSED=1,
        // then pad to a byte; then the bytes; then ISLAST=1, ISLASTEMPTY=1.
        struct Bits {
            out: Vec<u8>,
            buffer: u64,
            count: u32,
        }
        impl Bits {
            fn push(&mut self, value: u64, width: u32) {
                self.buffer |= value << self.count;
                self.count += width;
                while self.count >= 8 {
                    self.out.push(self.buffer as u8);
                    self.buffer >>= 8;
                    self.count -= 8;
                }
            }
        }
        let mut bits = Bits {
            out: Vec::new(),
            buffer: 0,
            count: 0,
        };
        bits.push(0, 1); // WBITS 16
        bits.push(0, 1); // ISLAST 0
        bits.push(0, 2); // MNIBBLES 4
        bits.push(data.len() as u64 - 1, 16);
        bits.push(1, 1); // ISUNCOMPRESSED
        let pad = (8 - bits.count % 8) % 8;
        bits.push(0, pad);
        bits.out.extend_from_slice(&data);
        bits.push(1, 1); // ISLAST
        bits.push(1, 1); // ISLASTEMPTY
        bits.push(0, 6);
        let out = bits.out;
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    fn nodes() -> Value {
        json!({
            "ci": {"name": "ci", "type": "Steps", "phase": "Running", "children": ["ci-1"]},
            "ci-1": {"name": "ci[0]", "displayName": "[0]", "type": "StepGroup", "boundaryID": "ci", "children": ["ci-2"]},
            "ci-2": {"name": "ci[0].checkout", "displayName": "checkout", "type": "Pod", "boundaryID": "ci", "templateName": "git", "phase": "Succeeded", "children": ["ci-3"]},
            "ci-3": {"name": "ci[1]", "displayName": "[1]", "type": "StepGroup", "boundaryID": "ci", "startedAt": "2026-11-26T10:00:15Z", "children": ["ci-4", "missing", 7]},
            "ci-4": {"name": "ci[1].build", "displayName": "build", "type": "Pod", "boundaryID": "ci", "templateRef": {"template": "kaniko"}, "phase": "Running", "children": ["ci"]}
        })
    }

    fn names(tree: &NodeTree) -> Vec<(String, usize, Option<String>)> {
        match tree {
            NodeTree::Nodes(nodes, _) => nodes
                .iter()
                .map(|n| (n.name.clone(), n.depth, n.pod.clone()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fnv_matches_argo_node_ids() {
        assert_eq!(fnv32a(""), 0x811c_9dc5);
        assert_eq!(fnv32a("a"), 0xe40c_292c);
    }

    #[test]
    fn plain_and_compressed_trees_are_the_same_with_pod_names() {
        let plain = json!({"metadata": {"name": "ci"}, "status": {"nodes": nodes()}});
        let expected = vec![
            ("ci".to_string(), 0, None),
            (
                "checkout".to_string(),
                1,
                Some(format!("ci-git-{}", fnv32a("ci[0].checkout"))),
            ),
            (
                "build".to_string(),
                1,
                Some(format!("ci-kaniko-{}", fnv32a("ci[1].build"))),
            ),
        ];
        assert_eq!(names(&tree(&plain)), expected);
        let compressed =
            json!({"metadata": {"name": "ci"}, "status": {"compressedNodes": compress(&nodes())}});
        assert_eq!(names(&tree(&compressed)), expected);
        for (codec, encoded) in [("zstd", zstd(&nodes())), ("brotli", brotli(&nodes()))] {
            let workflow =
                json!({"metadata": {"name": "ci"}, "status": {"compressedNodes": encoded}});
            assert_eq!(names(&tree(&workflow)), expected, "{codec}");
        }
        let mut inflated = compressed.clone();
        inflate(&mut inflated);
        assert!(inflated.at("/status/compressedNodes").is_none());
        assert_eq!(names(&tree(&inflated)), expected);
        let v1 = json!({"metadata": {"name": "ci", "annotations": {"workflows.argoproj.io/pod-name-format": "v1"}}, "status": {"nodes": nodes()}});
        assert_eq!(names(&tree(&v1))[1].2.as_deref(), Some("ci-2"));
    }

    #[test]
    fn bad_compressed_offloaded_and_empty_are_explained() {
        let with = |status: Value| tree(&json!({"metadata": {"name": "x"}, "status": status}));
        for (status, says) in [
            (json!({"compressedNodes": "not base64!"}), "not base64"),
            (
                json!({"compressedNodes": "aGVsbG8="}),
                "neither gzip, zstd nor brotli",
            ),
            (json!({"compressedNodes": "H4sIAAAA"}), "not valid gzip"),
            (
                json!({"compressedNodes": compress(&json!([1]))}),
                "not a node map",
            ),
            (json!({"offloadNodeStatusVersion": "fnv:123"}), "offloaded"),
        ] {
            match with(status) {
                NodeTree::Unavailable(why) => assert!(why.contains(says), "{why}"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(with(json!({})), NodeTree::Empty);
        assert_eq!(tree(&json!("garbage")), NodeTree::Empty);
    }

    #[test]
    fn huge_trees_are_capped_and_counted() {
        let mut map = Map::new();
        let children: Vec<String> = (0..MAX_NODES + 10).map(|i| format!("n{i}")).collect();
        map.insert(
            "big".into(),
            json!({"name": "big", "type": "DAG", "children": children}),
        );
        for child in &children {
            map.insert(
                child.clone(),
                json!({"name": child, "displayName": child, "type": "Pod", "boundaryID": "big"}),
            );
        }
        match tree(&json!({"metadata": {"name": "big"}, "status": {"nodes": map}})) {
            NodeTree::Nodes(nodes, left_out) => {
                assert_eq!((nodes.len(), left_out), (MAX_NODES, 11));
            }
            other => panic!("{other:?}"),
        }
    }
}
