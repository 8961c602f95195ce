//! The kernel's side of the imports: `cluster`, `watch` and `host`, as plugins see them.
//!
//! Every cluster call passes the manifest gate first; RBAC then applies at the API server.
//! Time spent waiting on a cluster does not count against the plugin's call budget.

use std::future::Future;
use std::time::Instant;

use super::bindings::headlamp::plugin::{cluster, host, types, watch};
use super::state::{PluginNotice, PluginState};
use crate::cluster::{Cluster, ClusterError, ClusterName, Gvk, ListOptions, PatchKind};
use crate::permissions::Request;
use crate::watch::{Dependency, WatchKey};

impl types::Host for PluginState {}

impl From<types::Gvk> for Gvk {
    fn from(g: types::Gvk) -> Self {
        Gvk {
            group: g.group,
            version: g.version,
            kind: g.kind,
        }
    }
}

impl From<Gvk> for types::Gvk {
    fn from(g: Gvk) -> Self {
        types::Gvk {
            group: g.group,
            version: g.version,
            kind: g.kind,
        }
    }
}

impl From<ClusterError> for types::ClusterError {
    fn from(e: ClusterError) -> Self {
        let text = e.to_string();
        match e {
            ClusterError::UnknownCluster(_) => types::ClusterError::UnknownCluster(text),
            ClusterError::Forbidden(_) => types::ClusterError::Forbidden(text),
            ClusterError::NotFound(_) => types::ClusterError::NotFound(text),
            ClusterError::Conflict(_) => types::ClusterError::Conflict(text),
            ClusterError::Invalid(_) => types::ClusterError::Invalid(text),
            ClusterError::Unavailable(_) => types::ClusterError::Unavailable(text),
        }
    }
}

type CallResult<T> = Result<T, types::ClusterError>;

impl PluginState {
    /// Runs a cluster call after the manifest gate, keeping its time out of the guest budget.
    async fn gated<T, F, Fut>(
        &mut self,
        cluster: &str,
        verb: &str,
        gvk: &Gvk,
        call: F,
    ) -> CallResult<T>
    where
        F: FnOnce(std::sync::Arc<Cluster>) -> Fut,
        Fut: Future<Output = Result<T, ClusterError>>,
    {
        let started = Instant::now();
        let result = async {
            let target = self.clusters.get_as(cluster, &self.identity)?;
            let resource = target.resource(gvk).await?;
            let request = Request {
                verb,
                group: &gvk.group,
                resource: &resource.api.plural,
            };
            if !self.permissions.allows(request) {
                return Err(types::ClusterError::PermissionDenied(format!(
                    "plugin {}: {}",
                    self.id,
                    self.permissions.refusal(request)
                )));
            }
            call(target).await.map_err(types::ClusterError::from)
        }
        .await;
        self.budget.add_host_time(started.elapsed());
        if let Err(error) = &result {
            tracing::debug!(plugin = %self.id, %verb, %gvk, ?error, "plugin cluster call failed");
        }
        result
    }

    fn field_manager(&self) -> String {
        format!("headlamp-plugin-{}", self.id)
    }
}

impl cluster::Host for PluginState {
    async fn clusters(&mut self) -> Vec<cluster::ClusterInfo> {
        let started = Instant::now();
        let mut out = Vec::new();
        let clusters = self.clusters.list();
        for c in clusters {
            let (server_version, error) = match c.server_version().await {
                Ok(v) => (Some(v), None),
                Err(e) => (None, Some(e.to_string())),
            };
            out.push(cluster::ClusterInfo {
                name: c.name().to_string(),
                server_version,
                error,
            });
        }
        self.budget.add_host_time(started.elapsed());
        out
    }

    async fn get(
        &mut self,
        cluster: String,
        kind: types::Gvk,
        namespace: Option<String>,
        name: String,
    ) -> CallResult<String> {
        let gvk = Gvk::from(kind);
        self.reads.push(Dependency {
            key: WatchKey::new(ClusterName::new(cluster.clone()), gvk.clone())
                .in_namespace(namespace.clone()),
            name: Some(name.clone()),
        });
        let target = gvk.clone();
        self.gated(&cluster, "get", &gvk, |c| async move {
            c.get(&target, namespace.as_deref(), &name).await
        })
        .await
        .map(|v| v.to_string())
    }

    async fn list(
        &mut self,
        cluster: String,
        kind: types::Gvk,
        options: cluster::ListOptions,
    ) -> CallResult<cluster::ObjectList> {
        let gvk = Gvk::from(kind);
        let target = gvk.clone();
        self.reads.push(Dependency {
            key: WatchKey::new(ClusterName::new(cluster.clone()), gvk.clone())
                .in_namespace(options.namespace.clone())
                .with_labels(options.label_selector.clone()),
            name: None,
        });
        let options = ListOptions {
            namespace: options.namespace,
            label_selector: options.label_selector,
            field_selector: options.field_selector,
            limit: options.limit,
            continue_token: options.continue_token,
        };
        let page = self
            .gated(&cluster, "list", &gvk, |c| async move {
                c.list(&target, &options).await
            })
            .await?;
        Ok(cluster::ObjectList {
            items: page.items.iter().map(|v| v.to_string()).collect(),
            continue_token: page.continue_token,
            resource_version: page.resource_version,
        })
    }

    async fn create(
        &mut self,
        cluster: String,
        kind: types::Gvk,
        namespace: Option<String>,
        body: String,
    ) -> CallResult<String> {
        let gvk = Gvk::from(kind);
        let target = gvk.clone();
        self.gated(&cluster, "create", &gvk, |c| async move {
            c.create(&target, namespace.as_deref(), &body).await
        })
        .await
        .map(|v| v.to_string())
    }

    async fn apply(
        &mut self,
        cluster: String,
        kind: types::Gvk,
        namespace: Option<String>,
        name: String,
        body: String,
    ) -> CallResult<String> {
        let gvk = Gvk::from(kind);
        let target = gvk.clone();
        let manager = self.field_manager();
        self.gated(&cluster, "patch", &gvk, |c| async move {
            c.apply(&target, namespace.as_deref(), &name, &body, &manager)
                .await
        })
        .await
        .map(|v| v.to_string())
    }

    async fn patch(
        &mut self,
        cluster: String,
        kind: types::Gvk,
        namespace: Option<String>,
        name: String,
        patch_type: cluster::PatchKind,
        body: String,
    ) -> CallResult<String> {
        let gvk = Gvk::from(kind);
        let target = gvk.clone();
        let patch_kind = match patch_type {
            cluster::PatchKind::Merge => PatchKind::Merge,
            cluster::PatchKind::Json => PatchKind::Json,
            cluster::PatchKind::Strategic => PatchKind::Strategic,
        };
        self.gated(&cluster, "patch", &gvk, |c| async move {
            c.patch(&target, namespace.as_deref(), &name, patch_kind, &body)
                .await
        })
        .await
        .map(|v| v.to_string())
    }

    async fn delete(
        &mut self,
        cluster: String,
        kind: types::Gvk,
        namespace: Option<String>,
        name: String,
    ) -> CallResult<()> {
        let gvk = Gvk::from(kind);
        let target = gvk.clone();
        self.gated(&cluster, "delete", &gvk, |c| async move {
            c.delete(&target, namespace.as_deref(), &name).await
        })
        .await
    }

    async fn api_resources(&mut self, cluster: String) -> CallResult<Vec<cluster::ApiResource>> {
        // Discovery reveals no object data, so it needs no manifest permission.
        let started = Instant::now();
        let result = async {
            let target = self.clusters.get_as(&cluster, &self.identity)?;
            target.api_resources().await
        }
        .await;
        self.budget.add_host_time(started.elapsed());
        Ok(result?
            .into_iter()
            .map(|(gvk, r)| cluster::ApiResource {
                gvk: gvk.into(),
                plural: r.api.plural,
                namespaced: r.namespaced,
                verbs: r.verbs,
            })
            .collect())
    }

    async fn can_i(
        &mut self,
        cluster: String,
        verb: String,
        kind: types::Gvk,
        namespace: Option<String>,
        name: Option<String>,
    ) -> CallResult<bool> {
        // Asking about the viewer's own rights is always allowed: it changes nothing.
        let started = Instant::now();
        let gvk = Gvk::from(kind);
        let result = async {
            let target = self.clusters.get_as(&cluster, &self.identity)?;
            target
                .can_i(&verb, &gvk, namespace.as_deref(), name.as_deref())
                .await
        }
        .await;
        self.budget.add_host_time(started.elapsed());
        Ok(result?)
    }
}

impl watch::Host for PluginState {
    async fn subscribe(&mut self, request: watch::WatchRequest) -> CallResult<u64> {
        let gvk = Gvk::from(request.kind);
        let id = self.id.clone();
        // The manifest gate applies now; delivery to `events.on-watch` is the watch hub's job.
        self.gated(&request.cluster, "watch", &gvk, |_| async move {
            Err(ClusterError::Unavailable(format!(
                "plugin {id}: this kernel does not deliver watch events to plugins yet; \
                 poll with cluster.list instead"
            )))
        })
        .await
    }

    async fn unsubscribe(&mut self, _subscription: u64) {}
}

impl host::Host for PluginState {
    async fn log(&mut self, level: host::LogLevel, message: String) {
        let plugin = self.id.as_str();
        match level {
            host::LogLevel::Trace => tracing::trace!(plugin, "{message}"),
            host::LogLevel::Debug => tracing::debug!(plugin, "{message}"),
            host::LogLevel::Info => tracing::info!(plugin, "{message}"),
            host::LogLevel::Warn => tracing::warn!(plugin, "{message}"),
            host::LogLevel::Error => tracing::error!(plugin, "{message}"),
        }
    }

    async fn setting(&mut self, key: String) -> Option<String> {
        match self.settings.get(&self.id, &key) {
            Some(value) => Some(value.to_string()),
            None => self.manifest.setting_default(&key),
        }
    }

    async fn notify(&mut self, level: types::Tone, message: String) {
        let tone = match level {
            types::Tone::Neutral => "neutral",
            types::Tone::Success => "success",
            types::Tone::Warning => "warning",
            types::Tone::Error => "error",
            types::Tone::Info => "info",
        };
        self.notices.push(PluginNotice {
            plugin: self.id.clone(),
            kind: "notify",
            tone: Some(tone.into()),
            text: message,
        });
    }

    async fn navigate(&mut self, route: String) {
        self.notices.push(PluginNotice {
            plugin: self.id.clone(),
            kind: "navigate",
            tone: None,
            text: route,
        });
    }

    async fn now_millis(&mut self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}
