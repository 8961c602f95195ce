//! Cluster access: the named clusters the kernel knows and the calls plugins make on them.
//!
//! Every call names a kind by group/version/kind; the plural and scope come from the API
//! server's own discovery, cached per cluster, so a CRD needs nothing special.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiCapabilities, ApiResource, Scope};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::identity::Identity;

/// The name of a cluster, as the kubeconfig context or the operator calls it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClusterName(String);

impl ClusterName {
    /// Wraps a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClusterName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Kubernetes group/version/kind; the core group is empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gvk {
    /// API group, empty for core.
    pub group: String,
    /// API version, such as `v1`.
    pub version: String,
    /// Kind, such as `Namespace`.
    pub kind: String,
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}/{}", self.version, self.kind)
        } else {
            write!(f, "{}/{}/{}", self.group, self.version, self.kind)
        }
    }
}

/// A served resource: its plural and whether it lives in namespaces.
#[derive(Debug, Clone)]
pub struct Resource {
    /// What kube needs to build URLs.
    pub api: ApiResource,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Verbs discovery lists for it.
    pub verbs: Vec<String>,
}

/// A failed cluster call, classified the way plugins and the UI need it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ClusterError {
    /// No cluster has that name.
    #[error("no cluster named {0:?} is configured: check the cluster list")]
    UnknownCluster(String),
    /// RBAC refused the viewer.
    #[error("{0}")]
    Forbidden(String),
    /// The object or kind does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A conflicting change happened first.
    #[error("{0}")]
    Conflict(String),
    /// The request or object was invalid.
    #[error("{0}")]
    Invalid(String),
    /// The API server could not be reached or failed.
    #[error("{0}")]
    Unavailable(String),
}

impl From<kube::Error> for ClusterError {
    fn from(error: kube::Error) -> Self {
        match error {
            kube::Error::Api(status) => {
                let text = if status.message.is_empty() {
                    format!("the API server answered {} {}", status.code, status.reason)
                } else {
                    status.message.clone()
                };
                match status.code {
                    // The server's own text is a bare "Unauthorized": say what it means.
                    401 => ClusterError::Forbidden(format!(
                        "the API server refused the credentials (401 {}): the token or \
                         certificate is invalid or expired; log in again or renew the user's \
                         credentials in the kubeconfig",
                        status.reason
                    )),
                    403 => ClusterError::Forbidden(text),
                    404 => ClusterError::NotFound(text),
                    409 => ClusterError::Conflict(text),
                    400 | 422 => ClusterError::Invalid(text),
                    _ => ClusterError::Unavailable(text),
                }
            }
            other => ClusterError::Unavailable(unreachable_text(&other)),
        }
    }
}

/// Why the API server could not be reached. kube's own text ("client error (Connect)") hides
/// the cause, such as a certificate the cluster's CA did not sign: it is in the error's sources.
fn unreachable_text(error: &kube::Error) -> String {
    let mut text = format!("the API server could not be reached: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    if text.contains("certificate") {
        text.push_str(
            "; check the cluster's certificate-authority(-data) in the kubeconfig: it must be \
             the CA that signed the API server's certificate",
        );
    }
    text
}

/// Options of a list call.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// None for all namespaces or a cluster-scoped kind.
    pub namespace: Option<String>,
    /// A label selector such as `app=web`.
    pub label_selector: Option<String>,
    /// A field selector such as `status.phase=Running`.
    pub field_selector: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// The previous page's continue token.
    pub continue_token: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ObjectPage {
    /// The objects, each with `apiVersion` and `kind` set.
    pub items: Vec<Value>,
    /// Set when more pages follow.
    pub continue_token: Option<String>,
    /// The list's resourceVersion.
    pub resource_version: String,
}

/// How a patch body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// RFC 7386 JSON merge patch.
    Merge,
    /// RFC 6902 JSON patch.
    Json,
    /// Kubernetes strategic merge patch.
    Strategic,
}

/// Where a cluster's settings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterSource {
    /// A context of the user's kubeconfig.
    Kubeconfig,
    /// Added through `POST /api/v1/clusters` and kept in the config dir.
    Added,
    /// The embedded demo cluster.
    Demo,
    /// The service account of the pod the kernel runs in.
    InCluster,
    /// Built by code (tests, embedders).
    Other,
}

/// One connected cluster, as seen by one identity.
///
/// The discovery cache, the server version and the viewers' clients are shared by every
/// identity's view of the same cluster ([`Cluster::as_identity`]): RBAC decides what a viewer
/// may do, not what the server serves.
pub struct Cluster {
    name: ClusterName,
    source: ClusterSource,
    client: kube::Client,
    identity: Identity,
    shared: Arc<Shared>,
}

struct Shared {
    /// The connection settings, for building clients with a viewer's token.
    config: Option<kube::Config>,
    resources: Mutex<HashMap<Gvk, Resource>>,
    version: Mutex<Option<String>>,
    viewers: Mutex<HashMap<Identity, (Arc<Cluster>, Instant)>>,
}

/// How long a viewer's client is kept after its last use.
const VIEWER_CLIENT_TTL: Duration = Duration::from_secs(600);

impl Cluster {
    /// A cluster reached through `client` only (no viewer identities: tests and fixtures).
    pub fn new(name: ClusterName, client: kube::Client) -> Self {
        Self::build(name, client, None)
    }

    /// A cluster from connection settings; viewers' tokens are used with the same settings.
    pub fn from_config(name: ClusterName, config: kube::Config) -> Result<Self, ClusterError> {
        let client = kube::Client::try_from(config.clone()).map_err(|e| {
            ClusterError::Unavailable(format!("cannot build a client for cluster {name}: {e}"))
        })?;
        Ok(Self::build(name, client, Some(config)))
    }

    fn build(name: ClusterName, client: kube::Client, config: Option<kube::Config>) -> Self {
        Self {
            name,
            source: ClusterSource::Other,
            client,
            identity: Identity::Kernel,
            shared: Arc::new(Shared {
                config,
                resources: Mutex::new(HashMap::new()),
                version: Mutex::new(None),
                viewers: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The cluster's name.
    pub fn name(&self) -> &ClusterName {
        &self.name
    }

    /// The same cluster, recorded as coming from `source`.
    pub fn with_source(mut self, source: ClusterSource) -> Self {
        self.source = source;
        self
    }

    /// Where the cluster comes from.
    pub fn source(&self) -> ClusterSource {
        self.source
    }

    /// Asks the API server for its version now (the reachability check of the cluster list),
    /// remembering the answer.
    pub async fn probe_version(&self) -> Result<String, ClusterError> {
        let info = self.client.apiserver_version().await?;
        *self.shared.version.lock().expect("version") = Some(info.git_version.clone());
        Ok(info.git_version)
    }

    /// The connection settings (server URL, TLS, the kubeconfig's own credentials).
    pub fn config(&self) -> Option<&kube::Config> {
        self.shared.config.as_ref()
    }

    /// The identity this view of the cluster calls as.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// This cluster as `identity` sees it: every call made through the answer uses the
    /// viewer's token instead of the kubeconfig's credentials. Clients are kept per viewer
    /// for a while so a page's many calls share one connection pool.
    pub fn as_identity(
        self: &Arc<Self>,
        identity: &Identity,
    ) -> Result<Arc<Cluster>, ClusterError> {
        let Identity::Bearer(token) = identity else {
            return Ok(self.clone());
        };
        let now = Instant::now();
        let mut viewers = self.shared.viewers.lock().expect("viewer clients");
        viewers.retain(|_, (_, used)| now.duration_since(*used) < VIEWER_CLIENT_TTL);
        if let Some((cluster, used)) = viewers.get_mut(identity) {
            *used = now;
            return Ok(cluster.clone());
        }
        let Some(base) = &self.shared.config else {
            return Err(ClusterError::Unavailable(format!(
                "cluster {} has no connection settings to call it with a viewer's token",
                self.name
            )));
        };
        let mut config = base.clone();
        // Only the viewer's token: no client certificate, exec plugin or password of the
        // kubeconfig may leak into a viewer's calls.
        config.auth_info = kube::config::AuthInfo {
            token: Some(token.secret().to_string().into()),
            ..Default::default()
        };
        let client = kube::Client::try_from(config).map_err(|e| {
            ClusterError::Unavailable(format!(
                "cannot build a client for cluster {}: {e}",
                self.name
            ))
        })?;
        let cluster = Arc::new(Cluster {
            name: self.name.clone(),
            source: self.source,
            client,
            identity: identity.clone(),
            shared: self.shared.clone(),
        });
        viewers.insert(identity.clone(), (cluster.clone(), now));
        Ok(cluster)
    }

    /// The API server's version (`v1.32.4`), asked once and then remembered.
    pub async fn server_version(&self) -> Result<String, ClusterError> {
        if let Some(version) = self.shared.version.lock().expect("version").clone() {
            return Ok(version);
        }
        let info = self.client.apiserver_version().await?;
        *self.shared.version.lock().expect("version") = Some(info.git_version.clone());
        Ok(info.git_version)
    }

    /// The client for this cluster, calling as [`Cluster::identity`].
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// The served resource for a kind, from discovery (cached).
    pub async fn resource(&self, gvk: &Gvk) -> Result<Resource, ClusterError> {
        if let Some(found) = self
            .shared
            .resources
            .lock()
            .expect("resource cache")
            .get(gvk)
        {
            return Ok(found.clone());
        }
        let key = GroupVersionKind::gvk(&gvk.group, &gvk.version, &gvk.kind);
        let (api, caps): (ApiResource, ApiCapabilities) =
            kube::discovery::pinned_kind(&self.client, &key)
                .await
                .map_err(|e| match ClusterError::from(e) {
                    ClusterError::NotFound(_) => ClusterError::NotFound(format!(
                        "the cluster {} does not serve {gvk}: is the CRD installed?",
                        self.name
                    )),
                    other => other,
                })?;
        let resource = Resource {
            api,
            namespaced: caps.scope == Scope::Namespaced,
            verbs: caps.operations.clone(),
        };
        self.shared
            .resources
            .lock()
            .expect("resource cache")
            .insert(gvk.clone(), resource.clone());
        Ok(resource)
    }

    fn api(&self, resource: &Resource, namespace: Option<&str>) -> Api<DynamicObject> {
        match (resource.namespaced, namespace) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &resource.api),
            _ => Api::all_with(self.client.clone(), &resource.api),
        }
    }

    /// Reads one object.
    pub async fn get(
        &self,
        gvk: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ClusterError> {
        let resource = self.resource(gvk).await?;
        let object = self.api(&resource, namespace).get(name).await?;
        Ok(with_type_meta(object, &resource))
    }

    /// Lists one page of objects.
    pub async fn list(&self, gvk: &Gvk, options: &ListOptions) -> Result<ObjectPage, ClusterError> {
        let resource = self.resource(gvk).await?;
        let params = ListParams {
            label_selector: options.label_selector.clone(),
            field_selector: options.field_selector.clone(),
            limit: options.limit,
            continue_token: options.continue_token.clone(),
            ..ListParams::default()
        };
        let list = self
            .api(&resource, options.namespace.as_deref())
            .list(&params)
            .await?;
        Ok(ObjectPage {
            continue_token: list.metadata.continue_.filter(|t| !t.is_empty()),
            resource_version: list.metadata.resource_version.unwrap_or_default(),
            items: list
                .items
                .into_iter()
                .map(|o| with_type_meta(o, &resource))
                .collect(),
        })
    }

    /// Lists every object, following continue tokens.
    pub async fn list_all(
        &self,
        gvk: &Gvk,
        options: &ListOptions,
    ) -> Result<Vec<Value>, ClusterError> {
        let mut options = options.clone();
        let mut items = Vec::new();
        loop {
            let page = self.list(gvk, &options).await?;
            items.extend(page.items);
            match page.continue_token {
                Some(token) => options.continue_token = Some(token),
                None => return Ok(items),
            }
        }
    }

    /// Creates an object from JSON.
    pub async fn create(
        &self,
        gvk: &Gvk,
        namespace: Option<&str>,
        body: &str,
    ) -> Result<Value, ClusterError> {
        let resource = self.resource(gvk).await?;
        let object: DynamicObject = parse_body(body)?;
        let created = self
            .api(&resource, namespace)
            .create(&PostParams::default(), &object)
            .await?;
        Ok(with_type_meta(created, &resource))
    }

    /// Server-side apply under `field_manager`.
    pub async fn apply(
        &self,
        gvk: &Gvk,
        namespace: Option<&str>,
        name: &str,
        body: &str,
        field_manager: &str,
    ) -> Result<Value, ClusterError> {
        let resource = self.resource(gvk).await?;
        let value: Value = parse_body(body)?;
        let params = PatchParams::apply(field_manager).force();
        let applied = self
            .api(&resource, namespace)
            .patch(name, &params, &Patch::Apply(value))
            .await?;
        Ok(with_type_meta(applied, &resource))
    }

    /// Patches an object.
    pub async fn patch(
        &self,
        gvk: &Gvk,
        namespace: Option<&str>,
        name: &str,
        kind: PatchKind,
        body: &str,
    ) -> Result<Value, ClusterError> {
        let resource = self.resource(gvk).await?;
        let value: Value = parse_body(body)?;
        let patch =
            match kind {
                PatchKind::Merge => Patch::Merge(value),
                PatchKind::Strategic => Patch::Strategic(value),
                PatchKind::Json => Patch::Json(serde_json::from_value(value).map_err(|e| {
                    ClusterError::Invalid(format!("the JSON patch is invalid: {e}"))
                })?),
            };
        let patched = self
            .api(&resource, namespace)
            .patch(name, &PatchParams::default(), &patch)
            .await?;
        Ok(with_type_meta(patched, &resource))
    }

    /// Deletes an object.
    pub async fn delete(
        &self,
        gvk: &Gvk,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ClusterError> {
        let resource = self.resource(gvk).await?;
        self.api(&resource, namespace)
            .delete(name, &DeleteParams::default())
            .await?;
        Ok(())
    }

    /// Every served resource (preferred versions), from a full discovery.
    pub async fn api_resources(&self) -> Result<Vec<(Gvk, Resource)>, ClusterError> {
        let discovery = kube::Discovery::new(self.client.clone()).run().await?;
        let mut out = Vec::new();
        for group in discovery.groups() {
            for (api, caps) in group.recommended_resources() {
                let gvk = Gvk {
                    group: api.group.clone(),
                    version: api.version.clone(),
                    kind: api.kind.clone(),
                };
                out.push((
                    gvk,
                    Resource {
                        api,
                        namespaced: caps.scope == Scope::Namespaced,
                        verbs: caps.operations.clone(),
                    },
                ));
            }
        }
        Ok(out)
    }

    /// Asks the API server whether this identity may do `verb` (SelfSubjectAccessReview).
    pub async fn can_i(
        &self,
        verb: &str,
        gvk: &Gvk,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<bool, ClusterError> {
        let resource = self.resource(gvk).await?;
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    group: Some(gvk.group.clone()),
                    resource: Some(resource.api.plural.clone()),
                    verb: Some(verb.to_string()),
                    namespace: namespace.map(str::to_string),
                    name: name.map(str::to_string),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let answer = Api::<SelfSubjectAccessReview>::all(self.client.clone())
            .create(&PostParams::default(), &review)
            .await?;
        Ok(answer.status.is_some_and(|s| s.allowed))
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ClusterError> {
    serde_json::from_str(body)
        .map_err(|e| ClusterError::Invalid(format!("the object is not valid JSON: {e}")))
}

/// Lists from the API server omit each item's `apiVersion`/`kind`; plugins expect them.
pub(crate) fn with_type_meta(object: DynamicObject, resource: &Resource) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(
            "apiVersion".into(),
            Value::String(resource.api.api_version.clone()),
        );
        map.insert("kind".into(), Value::String(resource.api.kind.clone()));
    }
    value
}

/// The clusters the kernel serves, by name. Clusters can be added and removed while the
/// kernel runs; readers get a snapshot (`Arc<Cluster>`) that stays valid after a removal.
#[derive(Default)]
pub struct ClusterRegistry {
    inner: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    clusters: BTreeMap<ClusterName, Arc<Cluster>>,
    /// Configured clusters that cannot be used, with where they come from and why (shown,
    /// not dropped).
    broken: BTreeMap<ClusterName, (ClusterSource, String)>,
}

/// A configured cluster that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenCluster {
    /// Its name.
    pub name: ClusterName,
    /// Where its settings come from.
    pub source: ClusterSource,
    /// Why it cannot be used, and what to do.
    pub error: String,
}

impl ClusterRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a cluster.
    pub fn insert(&self, cluster: Cluster) {
        let mut entries = self.inner.write().expect("cluster registry");
        entries.broken.remove(cluster.name());
        entries
            .clusters
            .insert(cluster.name().clone(), Arc::new(cluster));
    }

    /// Records a configured cluster that cannot be used (a broken kubeconfig context).
    pub fn insert_broken(&self, broken: BrokenCluster) {
        let mut entries = self.inner.write().expect("cluster registry");
        entries.clusters.remove(&broken.name);
        entries
            .broken
            .insert(broken.name, (broken.source, broken.error));
    }

    /// Removes a cluster (usable or broken); whether there was one.
    pub fn remove(&self, name: &ClusterName) -> bool {
        let mut entries = self.inner.write().expect("cluster registry");
        entries.clusters.remove(name).is_some() | entries.broken.remove(name).is_some()
    }

    /// Whether a cluster (usable or broken) has this name.
    pub fn contains(&self, name: &ClusterName) -> bool {
        let entries = self.inner.read().expect("cluster registry");
        entries.clusters.contains_key(name) || entries.broken.contains_key(name)
    }

    /// The cluster with this name; a broken one answers with why it cannot be used.
    pub fn get(&self, name: &str) -> Result<Arc<Cluster>, ClusterError> {
        let key = ClusterName::new(name);
        let entries = self.inner.read().expect("cluster registry");
        if let Some(cluster) = entries.clusters.get(&key) {
            return Ok(cluster.clone());
        }
        match entries.broken.get(&key) {
            Some((_, error)) => Err(ClusterError::Unavailable(format!(
                "cluster {name} cannot be used: {error}"
            ))),
            None => Err(ClusterError::UnknownCluster(name.to_string())),
        }
    }

    /// The cluster with this name as `identity` sees it.
    pub fn get_as(&self, name: &str, identity: &Identity) -> Result<Arc<Cluster>, ClusterError> {
        self.get(name)?.as_identity(identity)
    }

    /// Configured clusters that cannot be used, with why.
    pub fn broken(&self) -> Vec<BrokenCluster> {
        let entries = self.inner.read().expect("cluster registry");
        entries
            .broken
            .iter()
            .map(|(name, (source, error))| BrokenCluster {
                name: name.clone(),
                source: *source,
                error: error.clone(),
            })
            .collect()
    }

    /// Every usable cluster, by name.
    pub fn list(&self) -> Vec<Arc<Cluster>> {
        let entries = self.inner.read().expect("cluster registry");
        entries.clusters.values().cloned().collect()
    }
}
