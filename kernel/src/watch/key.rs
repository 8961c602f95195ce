//! What identifies a shared watch.

use std::fmt;

use crate::cluster::{ClusterName, Gvk};
use crate::identity::Identity;

/// Subscribers with equal keys share one watch. The identity is part of the key: a viewer
/// only ever shares a watch with requests made under the same credentials, so RBAC holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WatchKey {
    /// The cluster watched.
    pub cluster: ClusterName,
    /// The kind watched.
    pub gvk: Gvk,
    /// One namespace, or all (always `None` for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// A label selector such as `app=web`; `None` for every object.
    pub label_selector: Option<String>,
    /// Whose credentials the watch runs with.
    pub identity: Identity,
}

impl WatchKey {
    /// A key for every object of `gvk` in `cluster`.
    pub fn new(cluster: ClusterName, gvk: Gvk) -> Self {
        Self {
            cluster,
            gvk,
            namespace: None,
            label_selector: None,
            identity: Identity::Kernel,
        }
    }

    /// The same key narrowed to one namespace.
    pub fn in_namespace(mut self, namespace: Option<String>) -> Self {
        self.namespace = namespace;
        self
    }

    /// The same key watched with `identity`'s credentials.
    pub fn as_identity(mut self, identity: Identity) -> Self {
        self.identity = identity;
        self
    }

    /// The same key narrowed by a label selector.
    pub fn with_labels(mut self, selector: Option<String>) -> Self {
        self.label_selector = selector;
        self
    }

    /// Empty strings mean "no filter" to the API server, so they must not make a second watch.
    pub(crate) fn normalised(mut self, namespaced: bool) -> Self {
        self.namespace = self
            .namespace
            .filter(|ns| namespaced && !ns.trim().is_empty());
        self.label_selector = self
            .label_selector
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        self
    }
}

/// Something a rendered view was made from: every object a watch key covers, or one of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dependency {
    /// The objects read (cluster, kind, namespace, labels).
    pub key: WatchKey,
    /// The one object read by name; `None` when a list was read.
    pub name: Option<String>,
}

impl Dependency {
    /// Whether a change to `object` (namespace and name taken from it) touches this dependency.
    pub fn covers(&self, object: &serde_json::Value) -> bool {
        match &self.name {
            None => true,
            Some(name) => object["metadata"]["name"].as_str() == Some(name.as_str()),
        }
    }
}

impl fmt::Display for WatchKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in cluster {}", self.gvk, self.cluster)?;
        if let Some(ns) = &self.namespace {
            write!(f, ", namespace {ns}")?;
        }
        if let Some(sel) = &self.label_selector {
            write!(f, ", labels {sel}")?;
        }
        if self.identity != Identity::Kernel {
            write!(f, ", as {}", self.identity)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> WatchKey {
        WatchKey::new(
            ClusterName::new("demo"),
            Gvk {
                group: String::new(),
                version: "v1".into(),
                kind: "Pod".into(),
            },
        )
    }

    #[test]
    fn a_cluster_scoped_kind_ignores_the_namespace() {
        let k = key().in_namespace(Some("shop".into())).normalised(false);
        assert_eq!(k.namespace, None);
    }

    #[test]
    fn empty_filters_are_the_same_watch_as_no_filters() {
        let k = key()
            .in_namespace(Some(" ".into()))
            .with_labels(Some("".into()))
            .normalised(true);
        assert_eq!(k, key());
    }

    #[test]
    fn a_namespaced_kind_keeps_its_namespace_and_trimmed_selector() {
        let k = key()
            .in_namespace(Some("shop".into()))
            .with_labels(Some(" app=web ".into()))
            .normalised(true);
        assert_eq!(k.namespace.as_deref(), Some("shop"));
        assert_eq!(k.label_selector.as_deref(), Some("app=web"));
        assert_eq!(
            k.to_string(),
            "v1/Pod in cluster demo, namespace shop, labels app=web"
        );
    }

    #[test]
    fn a_dependency_on_one_object_is_touched_only_by_that_object() {
        let on_web = Dependency {
            key: key(),
            name: Some("web".into()),
        };
        let web = serde_json::json!({"metadata": {"name": "web"}});
        let db = serde_json::json!({"metadata": {"name": "db"}});
        assert!(on_web.covers(&web));
        assert!(!on_web.covers(&db));
        let on_all = Dependency {
            key: key(),
            name: None,
        };
        assert!(on_all.covers(&db));
    }
}
