//! The manifest gate: may this plugin make this cluster call at all?
//!
//! Pure and synchronous so that every rule is unit-tested; RBAC (the viewer's own credentials)
//! is checked afterwards by the API server itself.

use crate::manifest::Permission;

/// A cluster call a plugin wants to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// The Kubernetes verb.
    pub verb: &'a str,
    /// The API group, empty for the core group.
    pub group: &'a str,
    /// The plural resource name.
    pub resource: &'a str,
}

/// The permissions a plugin's manifest declares.
#[derive(Debug, Clone, Default)]
pub struct PermissionSet {
    grants: Vec<Permission>,
}

impl PermissionSet {
    /// The set declared by a manifest.
    pub fn new(grants: Vec<Permission>) -> Self {
        Self { grants }
    }

    /// Whether any grant covers the request.
    pub fn allows(&self, request: Request<'_>) -> bool {
        self.grants.iter().any(|grant| {
            grant.verbs.iter().any(|v| v == "*" || v == request.verb)
                && grant
                    .resources
                    .iter()
                    .any(|r| resource_matches(r, request.group, request.resource))
        })
    }

    /// The refusal a plugin gets, naming what to add to its manifest.
    pub fn refusal(&self, request: Request<'_>) -> String {
        let qualified = qualified_name(request.group, request.resource);
        format!(
            "the plugin's manifest does not allow {verb} on {qualified}: add \
             [[permissions]] resources = [\"{qualified}\"] verbs = [\"{verb}\"] to plugin.toml",
            verb = request.verb,
        )
    }
}

/// `plural` for the core group, `plural.group` otherwise: how kubectl names resources.
pub fn qualified_name(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

fn resource_matches(pattern: &str, group: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.split_once('.') {
        Some((plural, pattern_group)) => {
            pattern_group == group && (plural == "*" || plural == resource)
        }
        None => group.is_empty() && pattern == resource,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(resources: &[&str], verbs: &[&str]) -> PermissionSet {
        PermissionSet::new(vec![Permission {
            resources: resources.iter().map(|s| s.to_string()).collect(),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
        }])
    }

    fn req<'a>(verb: &'a str, group: &'a str, resource: &'a str) -> Request<'a> {
        Request {
            verb,
            group,
            resource,
        }
    }

    #[test]
    fn allows_a_declared_core_resource_and_verb() {
        assert!(set(&["namespaces"], &["list"]).allows(req("list", "", "namespaces")));
    }

    #[test]
    fn refuses_an_undeclared_verb() {
        assert!(!set(&["namespaces"], &["list"]).allows(req("delete", "", "namespaces")));
    }

    #[test]
    fn refuses_a_resource_of_another_group_with_the_same_plural() {
        assert!(!set(&["deployments"], &["list"]).allows(req("list", "apps", "deployments")));
        assert!(set(&["deployments.apps"], &["list"]).allows(req("list", "apps", "deployments")));
    }

    #[test]
    fn group_wildcard_covers_every_resource_of_the_group() {
        let s = set(&["*.apps"], &["get"]);
        assert!(s.allows(req("get", "apps", "statefulsets")));
        assert!(!s.allows(req("get", "batch", "jobs")));
    }

    #[test]
    fn star_covers_everything() {
        assert!(set(&["*"], &["*"]).allows(req("delete", "", "secrets")));
    }

    #[test]
    fn no_grants_refuse_everything() {
        assert!(!PermissionSet::default().allows(req("get", "", "pods")));
    }

    #[test]
    fn refusal_names_the_manifest_line_to_add() {
        let text = PermissionSet::default().refusal(req("list", "", "secrets"));
        assert!(text.contains("does not allow list on secrets"), "{text}");
        assert!(text.contains("resources = [\"secrets\"]"), "{text}");
    }
}
