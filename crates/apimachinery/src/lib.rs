//! The few rules of Kubernetes values (what `k8s.io/apimachinery` owns upstream) that both the
//! cockpit and the embedded API server apply: label selectors, timestamps, ages and Go
//! durations, and a `matchLabels` map as selector text. Pure; depends only on `serde_json`.

pub mod label_selector;
pub mod time;

pub use label_selector::LabelSelector;

/// A `matchLabels` map at `pointer` as a label selector (`app=demo,tier=web`); empty if none.
pub fn match_labels(object: &serde_json::Value, pointer: &str) -> String {
    object
        .pointer(pointer)
        .and_then(serde_json::Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn match_labels_reads_the_map_as_selector_text() {
        let object = serde_json::json!({"spec": {"selector": {"matchLabels": {"app": "web", "tier": "front"}}}});
        assert_eq!(
            super::match_labels(&object, "/spec/selector/matchLabels"),
            "app=web,tier=front"
        );
        assert_eq!(super::match_labels(&object, "/spec/missing"), "");
    }
}
