//! GET of one object and LIST (one namespace or all, label and field selectors), answered as
//! JSON or, when kubectl asks for it, as a Table.

use serde_json::{Value, json};

use super::handler::ResourceRequest;
use super::selectors::FieldSelector;
use super::state::State;
use super::status::ApiError;
use super::table;
use crate::model::LabelSelector;

/// Both selectors of a list or watch request.
pub struct Filter {
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Filter {
    /// Parses the selectors of `request` (400 on a bad one, as the API server checks first).
    pub fn from_request(request: &ResourceRequest<'_>) -> Result<Filter, ApiError> {
        let labels = LabelSelector::parse(request.query.get("labelSelector").unwrap_or_default())
            .map_err(ApiError::bad_request)?;
        let fields = FieldSelector::parse(
            request.query.get("fieldSelector").unwrap_or_default(),
            &request.def.selectable_fields(),
        )
        .map_err(ApiError::bad_request)?;
        Ok(Filter {
            namespace: request.path.namespace.clone(),
            labels,
            fields,
        })
    }

    /// Whether `object` passes the namespace and both selectors.
    pub fn matches(&self, object: &Value) -> bool {
        let namespace_ok = self.namespace.as_deref().is_none_or(|ns| {
            object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                == Some(ns)
        });
        namespace_ok
            && self.labels.matches_json(
                object
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object),
            )
            && self.fields.matches(object)
    }
}

/// GET `…/NAME` (and `…/NAME/status`, which returns the whole object as the API server does).
pub fn get(
    state: &State,
    request: &ResourceRequest<'_>,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let namespace = request.path.namespace.as_deref().unwrap_or_default();
    let object = state
        .store()
        .get(request.def, namespace, name)
        .ok_or_else(|| ApiError::not_found(request.def, name))?;
    if table::wanted(request.accept.as_deref()) {
        let rv = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        return Ok((
            200,
            table::table(request.def, &[object.as_ref().clone()], &rv, true),
        ));
    }
    Ok((200, object.as_ref().clone()))
}

/// LIST of a collection.
pub fn list(state: &State, request: &ResourceRequest<'_>) -> Result<(u16, Value), ApiError> {
    let filter = Filter::from_request(request)?;
    let (items, rv) = {
        let store = state.store();
        let items: Vec<Value> = store
            .list(request.def, filter.namespace.as_deref())
            .into_iter()
            .filter(|o| filter.matches(o))
            .map(|o| o.as_ref().clone())
            .collect();
        (items, store.current_rv())
    };
    if table::wanted(request.accept.as_deref()) {
        return Ok((
            200,
            table::table(request.def, &items, &rv.to_string(), true),
        ));
    }
    Ok((
        200,
        json!({
            "kind": request.def.list_kind,
            "apiVersion": request.def.api_version(),
            "metadata": {"resourceVersion": rv.to_string()},
            "items": items,
        }),
    ))
}
