//! A Workflow's nodes as `argo get` draws them (argo-workflows
//! `cmd/argo/commands/common/get.go` `convertToRenderTrees` and `renderNodes`): Steps and DAG
//! nodes contain the nodes that name them as `boundaryID`; StepGroup and Retry nodes hold their
//! `children`; Pod, Skipped, Suspend, HTTP and Plugin nodes are leaves; siblings are ordered by
//! start time, then by item index (`name(3:…)`) or display name (`insertSorted`). The main tree
//! comes first, then the exit handler's (`<workflow>.onExit`). Step groups, single-attempt retry
//! wrappers and omitted skips are not drawn (`filterNode`); the nodes under a drawn node are one
//! level deeper. Pure.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::json::{str_at, time};
use super::workflow_nodes::{MAX_NODES, NodeTree, StepNode, node_id, node_map, pod_name};

/// How a node takes part in the tree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Steps, DAG: contains the nodes of its boundary.
    Boundary,
    /// StepGroup, Retry: holds its `children`.
    Parent,
    /// Pod, Skipped, Suspend, HTTP, Plugin.
    Leaf,
}

fn role(kind: &str) -> Option<Role> {
    match kind {
        "Steps" | "DAG" => Some(Role::Boundary),
        "StepGroup" | "Retry" => Some(Role::Parent),
        "Pod" | "Skipped" | "Suspend" | "HTTP" | "Plugin" => Some(Role::Leaf),
        _ => None,
    }
}

/// `RecoverIndexFromNodeName`: the item index of `step(3:value)`.
fn item_index(display_name: &str) -> Option<i64> {
    let start = display_name.find('(')?;
    let end = display_name.find(':')?;
    display_name.get(start + 1..end)?.parse().ok()
}

/// `insertSorted`: start time (none first), then item indexes when both have one, else names.
fn sibling_order(nodes: &Map<String, Value>, a: &str, b: &str) -> Ordering {
    let (a, b) = (&nodes[a], &nodes[b]);
    let (a_name, b_name) = (str_at(a, "/displayName"), str_at(b, "/displayName"));
    time(a, "/startedAt")
        .cmp(&time(b, "/startedAt"))
        .then_with(|| match (item_index(a_name), item_index(b_name)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => a_name.cmp(b_name),
        })
}

/// The nodes of `workflow` in the order and nesting `argo get` draws them.
pub fn tree(workflow: &Value) -> NodeTree {
    let nodes = match node_map(workflow) {
        Ok(Some(nodes)) if !nodes.is_empty() => nodes,
        Ok(_) => return NodeTree::Empty,
        Err(why) => return NodeTree::Unavailable(why),
    };
    let nodes: &Map<String, Value> = &nodes;
    // Pass 1: who holds which children (StepGroup and Retry nodes).
    let mut held_by: HashMap<&str, &str> = HashMap::new();
    for (id, node) in nodes {
        if role(str_at(node, "/type")) == Some(Role::Parent) {
            for child in node
                .get("children")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(child) = child.as_str() {
                    held_by.insert(child, id);
                }
            }
        }
    }
    // Pass 2: every node under its holder, else its boundary (when that is a Steps or DAG node).
    let mut under: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, node) in nodes {
        if role(str_at(node, "/type")).is_none() {
            continue;
        }
        let parent = match held_by.get(id.as_str()) {
            Some(holder) => Some(*holder),
            None => Some(str_at(node, "/boundaryID"))
                .filter(|b| !b.is_empty())
                .filter(|b| {
                    nodes
                        .get(*b)
                        .is_some_and(|n| role(str_at(n, "/type")) == Some(Role::Boundary))
                }),
        };
        if let Some(parent) = parent {
            under.entry(parent).or_default().push(id);
        }
    }
    for children in under.values_mut() {
        children.sort_by(|a, b| sibling_order(nodes, a, b));
    }
    let name = str_at(workflow, "/metadata/name");
    let mut shown = Vec::new();
    let mut left_out = 0;
    for root in [name.to_string(), node_id(name, &format!("{name}.onExit"))] {
        if nodes
            .get(&root)
            .is_some_and(|n| role(str_at(n, "/type")).is_some())
        {
            let mut walk = Walk {
                workflow,
                nodes,
                under: &under,
                shown: &mut shown,
                left_out: &mut left_out,
                seen: std::collections::HashSet::new(),
            };
            walk.render(&root, 0);
        }
    }
    NodeTree::Nodes(shown, left_out)
}

struct Walk<'a, 'b> {
    workflow: &'a Value,
    nodes: &'a Map<String, Value>,
    under: &'b HashMap<&'a str, Vec<&'a str>>,
    shown: &'b mut Vec<StepNode>,
    left_out: &'b mut usize,
    /// Against cycles in bad data.
    seen: std::collections::HashSet<&'a str>,
}

impl<'a> Walk<'a, '_> {
    /// `renderNodes`: the node (unless filtered), then what is under it, one level deeper
    /// when the node was drawn.
    fn render(&mut self, id: &'a str, depth: usize) {
        if !self.seen.insert(id) {
            return;
        }
        let Some(node) = self.nodes.get(id) else {
            return;
        };
        let kind = str_at(node, "/type");
        let children = self.under.get(id).map(Vec::as_slice).unwrap_or_default();
        let filtered = match kind {
            "Retry" => node
                .get("children")
                .and_then(Value::as_array)
                .is_some_and(|c| c.len() == 1),
            "StepGroup" => true,
            "Skipped" => str_at(node, "/phase") == "Omitted",
            _ => false,
        };
        if !filtered {
            if self.shown.len() >= MAX_NODES {
                *self.left_out += 1;
            } else {
                self.shown.push(step(self.workflow, id, node, depth));
            }
        }
        let child_depth = if filtered { depth } else { depth + 1 };
        for child in children {
            self.render(child, child_depth);
        }
    }
}

fn step(workflow: &Value, id: &str, node: &Value, depth: usize) -> StepNode {
    let kind = str_at(node, "/type");
    let display = str_at(node, "/displayName");
    let template = match (
        str_at(node, "/templateRef/name"),
        str_at(node, "/templateRef/template"),
    ) {
        ("", "") => str_at(node, "/templateName").to_string(),
        (name, template) => format!("{name}/{template}"),
    };
    StepNode {
        name: if display.is_empty() {
            str_at(node, "/name")
        } else {
            display
        }
        .to_string(),
        depth,
        kind: kind.to_string(),
        template,
        phase: str_at(node, "/phase").to_string(),
        started: time(node, "/startedAt"),
        finished: time(node, "/finishedAt"),
        message: str_at(node, "/message").to_string(),
        pod: (kind == "Pod").then(|| pod_name(workflow, id, node)),
    }
}

#[cfg(test)]
#[path = "workflow_tree_tests.rs"]
mod tests;
