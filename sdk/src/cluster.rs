//! Reading and changing cluster objects, as the current viewer and within the manifest's permissions.
//!
//! In a component these call the kernel; in native tests they reach [`crate::testing::FakeCluster`].

use serde::Serialize;

use crate::backend;
use crate::wit::headlamp::plugin::cluster as wc;
use crate::{Gvk, Object};

pub use wc::{ApiResource, ClusterInfo, PatchKind};

/// Why a cluster call failed. Every case carries a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// The plugin's manifest does not declare this permission, or the operator did not grant it.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// Kubernetes RBAC refused the viewer.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The object or resource does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The object changed since it was read.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request was malformed or the object invalid.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The cluster could not be reached or failed.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// No cluster with this name is known.
    #[error("unknown cluster: {0}")]
    UnknownCluster(String),
}

impl From<ClusterError> for String {
    fn from(e: ClusterError) -> Self {
        e.to_string()
    }
}

/// Filters and paging of [`list`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOptions {
    /// Only this namespace; `None` lists every namespace (or a cluster-scoped kind).
    pub namespace: Option<String>,
    /// A label selector such as `app=web`.
    pub label_selector: Option<String>,
    /// A field selector such as `metadata.name=web`.
    pub field_selector: Option<String>,
    /// At most this many items per page.
    pub limit: Option<u32>,
    /// The token of the previous page.
    pub continue_token: Option<String>,
}

impl ListOptions {
    /// Lists only `namespace`.
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_owned());
        self
    }

    /// Filters by labels.
    pub fn labels(mut self, selector: &str) -> Self {
        self.label_selector = Some(selector.to_owned());
        self
    }

    /// Filters by fields.
    pub fn fields(mut self, selector: &str) -> Self {
        self.field_selector = Some(selector.to_owned());
        self
    }

    /// Pages of at most `limit` items.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continues after the page that returned `token`.
    pub fn continue_from(mut self, token: &str) -> Self {
        self.continue_token = Some(token.to_owned());
        self
    }

    fn to_wit(&self) -> wc::ListOptions {
        wc::ListOptions {
            namespace: self.namespace.clone(),
            label_selector: self.label_selector.clone(),
            field_selector: self.field_selector.clone(),
            limit: self.limit,
            continue_token: self.continue_token.clone(),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ObjectList {
    /// The objects, with `apiVersion` and `kind` set.
    pub items: Vec<Object>,
    /// Set when there are more pages.
    pub continue_token: Option<String>,
    /// The list's resource version.
    pub resource_version: String,
}

/// The clusters the viewer can see.
pub fn clusters() -> Vec<ClusterInfo> {
    backend::with(|b| b.clusters())
}

/// One object.
pub fn get(
    cluster: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    name: &str,
) -> Result<Object, ClusterError> {
    backend::with(|b| b.get(cluster, kind, namespace, name)).map(Object::new)
}

/// One page of objects of `kind`.
pub fn list(cluster: &str, kind: &Gvk, options: &ListOptions) -> Result<ObjectList, ClusterError> {
    let list = backend::with(|b| b.list(cluster, kind, &options.to_wit()))?;
    Ok(ObjectList {
        items: list.items.into_iter().map(Object::new).collect(),
        continue_token: list.continue_token,
        resource_version: list.resource_version,
    })
}

/// Creates an object; returns it as stored.
pub fn create(
    cluster: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    body: &impl Serialize,
) -> Result<Object, ClusterError> {
    let body = to_json(body)?;
    backend::with(|b| b.create(cluster, kind, namespace, &body)).map(Object::new)
}

/// Server-side applies an object under the plugin's field manager; returns it as stored.
pub fn apply(
    cluster: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    name: &str,
    body: &impl Serialize,
) -> Result<Object, ClusterError> {
    let body = to_json(body)?;
    backend::with(|b| b.apply(cluster, kind, namespace, name, &body)).map(Object::new)
}

/// Patches an object; returns it as stored.
pub fn patch(
    cluster: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    name: &str,
    patch: PatchKind,
    body: &impl Serialize,
) -> Result<Object, ClusterError> {
    let body = to_json(body)?;
    backend::with(|b| b.patch(cluster, kind, namespace, name, patch, &body)).map(Object::new)
}

/// Deletes an object.
pub fn delete(
    cluster: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    name: &str,
) -> Result<(), ClusterError> {
    backend::with(|b| b.delete(cluster, kind, namespace, name))
}

/// Every resource the cluster serves.
pub fn api_resources(cluster: &str) -> Result<Vec<ApiResource>, ClusterError> {
    backend::with(|b| b.api_resources(cluster))
}

/// Whether the viewer may do `verb` on `kind` (in a namespace, on a name).
pub fn can_i(
    cluster: &str,
    verb: &str,
    kind: &Gvk,
    namespace: Option<&str>,
    name: Option<&str>,
) -> Result<bool, ClusterError> {
    backend::with(|b| b.can_i(cluster, verb, kind, namespace, name))
}

fn to_json(body: &impl Serialize) -> Result<String, ClusterError> {
    serde_json::to_string(body)
        .map_err(|e| ClusterError::Invalid(format!("the request body is not valid JSON: {e}")))
}
