//! Request paths: discovery, version, OpenAPI, and resource paths in their core
//! (`/api/v1/…`) and group (`/apis/G/V/…`) forms, namespaced or cluster-wide, with an optional
//! name and subresource.

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/G`
    Group(String),
    /// `/api/v1` or `/apis/G/V`
    GroupVersion {
        group: String,
        version: String,
    },
    /// `/openapi/v3`
    OpenApiIndex,
    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/G/V`
    OpenApiDocument {
        group: String,
        version: String,
    },
    Health,
    /// `/api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH`: a GET passed to the service.
    ServiceProxy {
        namespace: String,
        service: String,
        path: String,
    },
    Resource(ResourcePath),
    NotFound,
}

/// A resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    pub group: String,
    pub version: String,
    pub plural: String,
    /// The namespace in the URL (`…/namespaces/NS/…`).
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Parses a request path (without the query).
pub fn parse(path: &str) -> Route {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        ["version"] => Route::Version,
        ["healthz"] | ["livez"] | ["readyz"] => Route::Health,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["apis", group] => Route::Group(group.to_string()),
        ["api", version] => Route::GroupVersion {
            group: String::new(),
            version: version.to_string(),
        },
        ["apis", group, version] => Route::GroupVersion {
            group: group.to_string(),
            version: version.to_string(),
        },
        ["openapi", "v3"] => Route::OpenApiIndex,
        ["openapi", "v3", "api", version] => Route::OpenApiDocument {
            group: String::new(),
            version: version.to_string(),
        },
        ["openapi", "v3", "apis", group, version] => Route::OpenApiDocument {
            group: group.to_string(),
            version: version.to_string(),
        },
        [
            "api",
            "v1",
            "namespaces",
            namespace,
            "services",
            service,
            "proxy",
            rest @ ..,
        ] => Route::ServiceProxy {
            namespace: namespace.to_string(),
            service: service.split(':').next().unwrap_or_default().to_string(),
            path: rest.join("/"),
        },
        ["api", version, rest @ ..] => resource(String::new(), version, rest),
        ["apis", group, version, rest @ ..] => resource(group.to_string(), version, rest),
        _ => Route::NotFound,
    }
}

fn resource(group: String, version: &str, rest: &[&str]) -> Route {
    // `namespaces/NS/RESOURCE…` is the namespaced form, except the namespace object's own
    // subresources (`namespaces/NS/status`, `namespaces/NS/finalize`).
    let (namespace, rest) = match rest {
        ["namespaces", namespace, resource, more @ ..]
            if !(["status", "finalize"].contains(resource) && more.is_empty()) =>
        {
            (Some(namespace.to_string()), &rest[2..])
        }
        _ => (None, rest),
    };
    let path = |plural: &str, name: Option<&str>, subresource: Option<&str>| {
        Route::Resource(ResourcePath {
            group: group.clone(),
            version: version.to_string(),
            plural: plural.to_string(),
            namespace: namespace.clone(),
            name: name.map(str::to_string),
            subresource: subresource.map(str::to_string),
        })
    };
    match rest {
        [plural] => path(plural, None, None),
        [plural, name] => path(plural, Some(name), None),
        [plural, name, subresource] => path(plural, Some(name), Some(subresource)),
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource_path(
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        name: Option<&str>,
        subresource: Option<&str>,
    ) -> Route {
        Route::Resource(ResourcePath {
            group: group.into(),
            version: if group.is_empty() {
                "v1".into()
            } else {
                "v1alpha1".into()
            },
            plural: plural.into(),
            namespace: namespace.map(Into::into),
            name: name.map(Into::into),
            subresource: subresource.map(Into::into),
        })
    }

    #[test]
    fn paths() {
        assert_eq!(
            parse("/apis/argoproj.io/v1alpha1/workflows"),
            resource_path("argoproj.io", "workflows", None, None, None)
        );
        assert_eq!(
            parse("/apis/argoproj.io/v1alpha1/namespaces/argo/rollouts/r1/status"),
            resource_path(
                "argoproj.io",
                "rollouts",
                Some("argo"),
                Some("r1"),
                Some("status")
            )
        );
        assert_eq!(
            parse("/api/v1/namespaces/demo"),
            resource_path("", "namespaces", None, Some("demo"), None)
        );
        assert_eq!(
            parse("/api/v1/namespaces/demo/status"),
            resource_path("", "namespaces", None, Some("demo"), Some("status"))
        );
        assert_eq!(
            parse("/api/v1/namespaces/demo/pods"),
            resource_path("", "pods", Some("demo"), None, None)
        );
        assert_eq!(
            parse("/api/v1/namespaces/demo/pods/p/log"),
            resource_path("", "pods", Some("demo"), Some("p"), Some("log"))
        );
        assert_eq!(
            parse("/api/v1/namespaces/demo/events/e/x/y"),
            Route::NotFound
        );
        assert_eq!(
            parse("/apis/argoproj.io/v1alpha1"),
            Route::GroupVersion {
                group: "argoproj.io".into(),
                version: "v1alpha1".into()
            }
        );
        assert_eq!(parse("/api"), Route::CoreVersions);
        assert_eq!(
            parse("/openapi/v3/apis/apps/v1"),
            Route::OpenApiDocument {
                group: "apps".into(),
                version: "v1".into()
            }
        );
        assert_eq!(parse("/nonsense"), Route::NotFound);
    }
}
