//! Who may do what: users picked by bearer token or by the `Impersonate-User` header (kubectl
//! sends no bearer token over plain HTTP, but does send `as:` impersonation), each with a policy
//! (allow all, read-only, or deny given verb/resource pairs). The same answer drives 403s on requests and the
//! SelfSubjectAccessReview replies, so permission handling can be shown and tested.

use std::collections::HashMap;

/// What a user may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    AllowAll,
    /// get, list and watch only.
    ReadOnly,
    /// Everything except these (verb, resource) pairs; `resource` may be `plural/subresource`,
    /// and `*` matches any verb or resource.
    Deny(Vec<(String, String)>),
}

impl Policy {
    /// Whether `verb` on `resource` (plural, optionally `/subresource`) is allowed, with a reason
    /// when it is not.
    pub fn decide(&self, verb: &str, resource: &str) -> Result<(), String> {
        match self {
            Policy::AllowAll => Ok(()),
            Policy::ReadOnly if matches!(verb, "get" | "list" | "watch") => Ok(()),
            Policy::ReadOnly => Err("demo: read-only user".into()),
            Policy::Deny(pairs) => {
                let hit = pairs.iter().any(|(v, r)| {
                    (v == "*" || v == verb)
                        && (r == "*"
                            || r == resource
                            || resource.split('/').next() == Some(r.as_str()) && !r.contains('/'))
                });
                if hit {
                    Err(format!("demo: {verb} on {resource} is denied by policy"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// A known identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub policy: Policy,
}

/// Users by bearer token and by name; requests naming no known user act as the default user.
#[derive(Debug, Clone)]
pub struct AccessControl {
    pub default_user: User,
    pub tokens: HashMap<String, User>,
}

impl Default for AccessControl {
    fn default() -> Self {
        AccessControl {
            default_user: User {
                name: "demo-admin".into(),
                policy: Policy::AllowAll,
            },
            tokens: HashMap::new(),
        }
    }
}

impl AccessControl {
    /// The user that an `Authorization` header or an `Impersonate-User` header names.
    pub fn user(&self, authorization: Option<&str>, impersonate: Option<&str>) -> &User {
        let by_token = authorization
            .and_then(|value| value.strip_prefix("Bearer "))
            .and_then(|token| self.tokens.get(token.trim()));
        let by_name =
            || impersonate.and_then(|name| self.tokens.values().find(|user| user.name == name));
        by_token.or_else(by_name).unwrap_or(&self.default_user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        assert!(Policy::ReadOnly.decide("list", "rollouts").is_ok());
        assert_eq!(
            Policy::ReadOnly.decide("patch", "rollouts/status"),
            Err("demo: read-only user".into())
        );
        let deny = Policy::Deny(vec![
            ("patch".into(), "rollouts".into()),
            ("delete".into(), "*".into()),
        ]);
        assert!(deny.decide("patch", "rollouts").is_err());
        assert!(
            deny.decide("patch", "rollouts/status").is_err(),
            "denying a resource denies its subresources"
        );
        assert!(deny.decide("patch", "workflows").is_ok());
        assert!(deny.decide("delete", "pods").is_err());
        let status_only = Policy::Deny(vec![("patch".into(), "rollouts/status".into())]);
        assert!(status_only.decide("patch", "rollouts").is_ok());
        assert!(status_only.decide("patch", "rollouts/status").is_err());
    }
}
