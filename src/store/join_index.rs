//! The indexes the pipeline joins through, kept up to date row by row as the store changes (so
//! a change costs a few index updates, not a rebuild over every row): Applications by
//! application name, the namespaces they deploy to or are promoted from, Freight by image, and
//! Workflows by commit, parameter value, template and name. They hold keys; rows are read from
//! the store. Pure.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::correlation::DEFAULT_APP_LABEL;
use crate::model::image::ImageRef;
use crate::model::rows::{ApplicationRow, FreightRow, WorkflowRow};
use crate::model::{ObjectKey, Row};

use super::key_set::KeySet;

/// Keys of the joined kinds by what the join looks them up by.
#[derive(Debug, PartialEq, Eq)]
pub struct JoinIndex {
    /// The label grouping Applications (after Kargo Projects and ApplicationSets).
    app_label: String,
    /// Application name → its Argo CD Applications and their environment names.
    applications: BTreeMap<String, BTreeMap<ObjectKey, String>>,
    /// Namespaces the Applications deploy to, and those of their Kargo Projects, counted.
    destinations: BTreeMap<String, usize>,
    projects: BTreeMap<String, usize>,
    /// Changes when the set of `destinations` or `projects` does.
    namespaces_generation: u64,
    /// Freight by `repository:tag` and `repository@digest` of each of its images.
    freight_by_image: HashMap<String, KeySet<ObjectKey>>,
    /// Workflows by each of their parameters' values (the commit they build among them), in
    /// (created, key) order: the last is the newest.
    workflows_by_parameter: HashMap<String, KeySet<(Option<i64>, ObjectKey)>>,
    workflows_by_template: BTreeSet<(String, ObjectKey)>,
    workflows_by_name: BTreeSet<(String, ObjectKey)>,
}

/// Adds or removes one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Add,
    Remove,
}

impl Default for JoinIndex {
    fn default() -> Self {
        JoinIndex::new(DEFAULT_APP_LABEL)
    }
}

impl JoinIndex {
    /// Empty indexes grouping Applications by `app_label`.
    pub fn new(app_label: &str) -> JoinIndex {
        JoinIndex {
            app_label: app_label.to_string(),
            applications: BTreeMap::new(),
            destinations: BTreeMap::new(),
            projects: BTreeMap::new(),
            namespaces_generation: 0,
            freight_by_image: HashMap::new(),
            workflows_by_parameter: HashMap::new(),
            workflows_by_template: BTreeSet::new(),
            workflows_by_name: BTreeSet::new(),
        }
    }

    /// Counts `row` in (or out of) the indexes of its kind.
    pub fn update(&mut self, row: &Row, change: Change) {
        match row {
            Row::Application(application) => self.application(application, change),
            Row::Freight(freight) => self.freight(freight, change),
            Row::Workflow(workflow) => self.workflow(workflow, change),
            _ => {}
        }
    }

    /// Moves the entries of `old` to those of `new` (the same object changed); nothing to do
    /// when the fields the indexes read are unchanged — the usual status update.
    pub fn replace(&mut self, old: &Row, new: &Row) {
        let same = match (old, new) {
            (Row::Application(a), Row::Application(b)) => {
                a.app_and_env(&self.app_label) == b.app_and_env(&self.app_label)
                    && (&a.kargo_stage, &a.destination_namespace)
                        == (&b.kargo_stage, &b.destination_namespace)
            }
            (Row::Freight(a), Row::Freight(b)) => a.image_keys == b.image_keys,
            (Row::Workflow(a), Row::Workflow(b)) => {
                (&a.commit, a.created, &a.template, &a.parameters)
                    == (&b.commit, b.created, &b.template, &b.parameters)
            }
            _ => false,
        };
        if !same {
            self.update(old, Change::Remove);
            self.update(new, Change::Add);
        }
    }

    fn application(&mut self, application: &ApplicationRow, change: Change) {
        let (app, env) = application.app_and_env(&self.app_label);
        let key = application.key.clone();
        match change {
            Change::Add => {
                self.applications.entry(app).or_default().insert(key, env);
            }
            Change::Remove => {
                if let Some(environments) = self.applications.get_mut(&app) {
                    environments.remove(&key);
                    if environments.is_empty() {
                        self.applications.remove(&app);
                    }
                }
            }
        }
        let destination = Some(&application.destination_namespace);
        let project = application.kargo_stage.as_ref().map(|(project, _)| project);
        for (counts, namespace) in [
            (&mut self.destinations, destination),
            (&mut self.projects, project),
        ] {
            let Some(namespace) = namespace.filter(|namespace| !namespace.is_empty()) else {
                continue;
            };
            if count(counts, namespace, change) {
                self.namespaces_generation += 1;
            }
        }
    }

    fn freight(&mut self, freight: &FreightRow, change: Change) {
        for image in &freight.image_keys {
            set_entry(
                &mut self.freight_by_image,
                image,
                freight.key.clone(),
                change,
            );
        }
    }

    fn workflow(&mut self, workflow: &WorkflowRow, change: Change) {
        let key = workflow.key.clone();
        let entry = (workflow.created, key.clone());
        // Only values that could name an image or a tag (not scripts or JSON documents).
        let could_name_an_image =
            |value: &&String| value.len() <= 255 && !value.contains(char::is_whitespace);
        for value in workflow
            .parameters
            .iter()
            .map(|(_, value)| value)
            .filter(could_name_an_image)
        {
            set_entry(
                &mut self.workflows_by_parameter,
                value,
                entry.clone(),
                change,
            );
        }
        let mut entries = vec![(&mut self.workflows_by_name, key.name.clone())];
        if let Some(template) = &workflow.template {
            entries.push((&mut self.workflows_by_template, template.clone()));
        }
        for (set, text) in entries {
            match change {
                Change::Add => set.insert((text, key.clone())),
                Change::Remove => set.remove(&(text, key.clone())),
            };
        }
    }

    /// Every application's Argo CD Applications (keys, with their environments), by name.
    pub fn applications_by_app(
        &self,
    ) -> impl ExactSizeIterator<Item = (&String, &BTreeMap<ObjectKey, String>)> {
        self.applications.iter()
    }

    /// The namespaces the Applications deploy to.
    pub fn destination_namespaces(&self) -> impl Iterator<Item = &String> {
        self.destinations.keys()
    }

    /// The namespaces of the Applications' Kargo Projects (named like the Project).
    pub fn project_namespaces(&self) -> impl Iterator<Item = &String> {
        self.projects.keys()
    }

    /// Changes when the destination or project namespaces do.
    pub fn namespaces_generation(&self) -> u64 {
        self.namespaces_generation
    }

    /// The first Freight (in key order) carrying `image`: by digest when it has one and a
    /// Freight carries it, else by tag.
    pub fn freight_with_image(&self, image: &ImageRef<'_>) -> Option<&ObjectKey> {
        image
            .keys()
            .find_map(|key| self.freight_by_image.get(&key)?.first())
    }

    /// The Workflows with a parameter whose value is `value`, newest first.
    pub fn workflows_with_parameter<'a>(
        &'a self,
        value: &str,
    ) -> impl Iterator<Item = &'a ObjectKey> + use<'a> {
        let found = self.workflows_by_parameter.get(value);
        found
            .into_iter()
            .flat_map(|set| set.iter().rev().map(|(_, key)| key))
    }

    /// The application a Workflow template or name belongs to by naming: the longest
    /// application name it is, or starts with followed by `-` (so `web-api-ci` is `web-api`'s,
    /// not `web`'s).
    pub fn application_named_in<'a>(&'a self, text: &str) -> Option<&'a str> {
        let ends = text.match_indices('-').map(|(i, _)| i).chain([text.len()]);
        ends.rev()
            .find_map(|end| self.applications.get_key_value(&text[..end]))
            .map(|(app, _)| app.as_str())
    }

    /// The Workflows whose template or name is `app` or starts with `app-`.
    pub fn workflows_named_like<'a>(&'a self, app: &'a str) -> impl Iterator<Item = &'a ObjectKey> {
        let prefix = format!("{app}-");
        let like = move |set: &'a BTreeSet<(String, ObjectKey)>| {
            let prefix = prefix.clone();
            set.range((app.to_string(), ObjectKey::new("", ""))..)
                // Names sort `app`, then `app-…` (nothing between: names are DNS labels).
                .take_while(move |(text, _)| text == app || text.starts_with(&prefix))
                .map(|(_, key)| key)
        };
        like(&self.workflows_by_template).chain(like(&self.workflows_by_name))
    }
}

/// Counts `namespace` in (or out of) `counts`; says whether the set of namespaces changed.
fn count(counts: &mut BTreeMap<String, usize>, namespace: &str, change: Change) -> bool {
    match change {
        Change::Add => {
            let count = counts.entry(namespace.to_string()).or_default();
            *count += 1;
            *count == 1
        }
        Change::Remove => {
            let Some(count) = counts.get_mut(namespace) else {
                return false;
            };
            *count -= 1;
            if *count > 0 {
                return false;
            }
            counts.remove(namespace);
            true
        }
    }
}

/// Adds `value` to (or removes it from) the set at `key`, dropping emptied sets.
fn set_entry<T: Ord>(map: &mut HashMap<String, KeySet<T>>, key: &str, value: T, change: Change) {
    match change {
        Change::Add => match map.get_mut(key) {
            Some(set) => set.insert(value),
            None => {
                map.insert(key.to_string(), KeySet::One(value));
            }
        },
        Change::Remove => {
            if map.get_mut(key).is_some_and(|set| set.remove(&value)) {
                map.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::store::{Delta, Scope, Store};
    use serde_json::json;

    /// A deterministic mix of adds, changes (indexed fields or not), deletes and relists of
    /// Applications, Freight and Workflows.
    fn deltas(seed: u64, count: usize) -> Vec<Delta> {
        let mut state = seed;
        let mut next = move |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % below
        };
        (0..count)
            .map(|_| {
                let (name, namespace) = (format!("o{}", next(12)), format!("ns{}", next(3)));
                let tag = format!("t{}", next(4));
                let row = match next(3) {
                    0 => Row::from_object(Kind::Application, &json!({"metadata": {"name": format!("{name}-dev"), "namespace": namespace, "annotations": {"kargo.akuity.io/authorized-stage": format!("p{}:dev", next(2))}}, "spec": {"destination": {"namespace": format!("d{}", next(4))}}, "status": {"sync": {"revision": tag}}})),
                    1 => Row::from_object(Kind::Freight, &json!({"metadata": {"name": name, "namespace": namespace}, "images": [{"repoURL": "r", "tag": tag}]})),
                    _ => Row::from_object(Kind::Workflow, &json!({"metadata": {"name": name, "namespace": namespace, "creationTimestamp": format!("2026-11-2{}T00:00:00Z", next(3)), "labels": {"workflows.argoproj.io/workflow-template": format!("o{}", next(3))}}, "spec": {"arguments": {"parameters": [{"name": "commitSha", "value": tag}]}}})),
                };
                match next(10) {
                    0 => Delta::Delete(row.kind(), row.key().clone()),
                    1 => Delta::Replace(row.kind(), Scope::Namespace(row.key().namespace.clone()), vec![row]),
                    _ => Delta::Apply(row),
                }
            })
            .collect()
    }

    #[test]
    fn kept_up_to_date_it_equals_an_index_built_afresh() {
        for seed in 0..20 {
            let mut store = Store::default();
            for batch in deltas(seed, 400).chunks(7) {
                store.apply(batch.to_vec());
            }
            let mut fresh = JoinIndex::default();
            for kind in [Kind::Application, Kind::Freight, Kind::Workflow] {
                for row in store.rows(kind) {
                    fresh.update(row, Change::Add);
                }
            }
            fresh.namespaces_generation = store.index().namespaces_generation;
            assert_eq!(store.index(), &fresh, "seed {seed}");
        }
    }

    #[test]
    fn lookups_answer_as_the_join_expects() {
        let mut store = Store::default();
        store.apply(deltas(7, 300));
        let index = store.index();
        for (image, keys) in &index.freight_by_image {
            assert_eq!(
                index.freight_with_image(&ImageRef::parse(image)),
                keys.first()
            );
        }
        let newest_with_t2 = store
            .workflows()
            .filter(|w| w.parameters.iter().any(|(_, value)| value == "t2"))
            .max_by_key(|w| (w.created, w.key.clone()))
            .map(|w| &w.key);
        assert_eq!(index.workflows_with_parameter("t2").next(), newest_with_t2);
        let like: BTreeSet<&ObjectKey> = index.workflows_named_like("o1").collect();
        let expected: BTreeSet<&ObjectKey> = store
            .workflows()
            .filter(|w| {
                [Some(w.key.name.as_str()), w.template.as_deref()]
                    .into_iter()
                    .flatten()
                    .any(|text| text == "o1" || text.starts_with("o1-"))
            })
            .map(|w| &w.key)
            .collect();
        assert_eq!(like, expected);
        let generation = index.namespaces_generation();
        // A status change leaves the namespaces (and their generation) alone.
        let application = store.applications().next().expect("an application").clone();
        let mut changed = application.clone();
        changed.revision = "another".into();
        store.apply([Delta::Apply(Row::Application(Box::new(changed)))]);
        assert_eq!(store.index().namespaces_generation(), generation);
    }
}
