//! The HTTP API the UI talks to. Handlers are plain async fns; the kernel's state is an
//! extractor. Every error is JSON `{"error": "..."}` with a status that fits it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cluster::{ClusterError, Gvk};
use crate::host::{
    LoadFailure, PluginCallError, PluginHost, PluginOrigin, PluginStatus, RenderContext, Slot, View,
};
use crate::registry::MergedRegistry;
use crate::tables::{self, RowsQuery, TableError, TableRows};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The plugin host (and through it, the clusters).
    pub host: Arc<PluginHost>,
}

/// The API's routes, the WebSocket `/api/v1/stream` included.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/registry", get(registry))
        .route("/api/v1/plugins", get(plugins))
        .route("/api/v1/plugins/{name}/restart", post(restart_plugin))
        .route("/api/v1/clusters", get(clusters))
        .route("/api/v1/tables/{table}/rows", post(table_rows))
        .route("/api/v1/details/{view}", post(details))
        .with_state(state.clone())
        .merge(crate::stream::router(crate::stream::StreamState::new(
            state.host,
        )))
        .merge(crate::ui::router())
}

/// An error answer: a status and a message saying what failed and what to do.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

impl From<TableError> for ApiError {
    fn from(e: TableError) -> Self {
        let status = match &e {
            TableError::UnknownTable(_) => StatusCode::NOT_FOUND,
            TableError::NotPermitted(_) => StatusCode::FORBIDDEN,
            TableError::BadPath { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            TableError::Cluster { error, .. } => cluster_status(error),
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<PluginCallError> for ApiError {
    fn from(e: PluginCallError) -> Self {
        let status = match &e {
            PluginCallError::Plugin { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_GATEWAY,
        };
        ApiError::new(status, e.to_string())
    }
}

fn cluster_status(error: &ClusterError) -> StatusCode {
    match error {
        ClusterError::UnknownCluster(_) | ClusterError::NotFound(_) => StatusCode::NOT_FOUND,
        ClusterError::Forbidden(_) => StatusCode::FORBIDDEN,
        ClusterError::Conflict(_) => StatusCode::CONFLICT,
        ClusterError::Invalid(_) => StatusCode::BAD_REQUEST,
        ClusterError::Unavailable(_) => StatusCode::BAD_GATEWAY,
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn registry(State(state): State<AppState>) -> Json<MergedRegistry> {
    Json(MergedRegistry::build(&state.host))
}

/// One plugin as the Plugins page shows it.
#[derive(Debug, Serialize)]
pub struct PluginInfo {
    /// The plugin's id.
    pub name: String,
    /// Its version.
    pub version: String,
    /// What it adds.
    pub description: String,
    /// The WIT version it targets.
    pub api: String,
    /// Where it came from.
    pub origin: PluginOrigin,
    /// `ready` or `failed`.
    pub state: &'static str,
    /// Why it failed.
    pub error: Option<String>,
}

/// The Plugins page: running plugins and the ones that could not load.
#[derive(Debug, Serialize)]
pub struct PluginsAnswer {
    /// Loaded plugins, ready or failed.
    pub plugins: Vec<PluginInfo>,
    /// Plugins that could not be loaded.
    pub not_loaded: Vec<LoadFailure>,
}

async fn plugins(State(state): State<AppState>) -> Json<PluginsAnswer> {
    let plugins = state
        .host
        .plugins()
        .iter()
        .map(|p| {
            let m = p.manifest();
            let (state, error) = match p.status() {
                PluginStatus::Ready => ("ready", None),
                PluginStatus::Failed(reason) => ("failed", Some(reason)),
            };
            PluginInfo {
                name: m.name.to_string(),
                version: m.version.to_string(),
                description: m.description.clone(),
                api: m.api.to_string(),
                origin: p.origin().clone(),
                state,
                error,
            }
        })
        .collect();
    Json(PluginsAnswer {
        plugins,
        not_loaded: state.host.failures(),
    })
}

async fn restart_plugin(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let plugin = state.host.plugin(&name).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no plugin named {name:?} is loaded: see GET /api/v1/plugins"),
        )
    })?;
    plugin.restart().await.map_err(|reason| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            format!("plugin {name} could not be restarted: {reason}"),
        )
    })?;
    Ok(Json(json!({ "name": name, "state": "ready" })))
}

/// A cluster as the cluster chooser shows it.
#[derive(Debug, Serialize)]
pub struct ClusterInfo {
    /// The cluster's name.
    pub name: String,
    /// The API server's version when reachable.
    pub version: Option<String>,
    /// Why it is unreachable.
    pub error: Option<String>,
}

async fn clusters(State(state): State<AppState>) -> Json<Vec<ClusterInfo>> {
    let clusters: Vec<_> = state.host.clusters().iter().cloned().collect();
    let answers = futures::future::join_all(clusters.iter().map(|c| async move {
        let (version, error) = match c.server_version().await {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e.to_string())),
        };
        ClusterInfo {
            name: c.name().to_string(),
            version,
            error,
        }
    }))
    .await;
    let broken = state
        .host
        .clusters()
        .broken()
        .map(|(name, error)| ClusterInfo {
            name: name.to_string(),
            version: None,
            error: Some(error.to_string()),
        });
    Json(answers.into_iter().chain(broken).collect())
}

async fn table_rows(
    State(state): State<AppState>,
    Path(table): Path<String>,
    Json(query): Json<RowsQuery>,
) -> Result<Json<TableRows>, ApiError> {
    let registry = MergedRegistry::build(&state.host);
    Ok(Json(
        tables::rows(&state.host, &registry, &table, &query).await?,
    ))
}

/// Which object a details page shows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailsQuery {
    /// The cluster.
    pub cluster: String,
    /// The object's namespace, for namespaced kinds.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
}

async fn details(
    State(state): State<AppState>,
    Path(view_id): Path<String>,
    Json(query): Json<DetailsQuery>,
) -> Result<Json<View>, ApiError> {
    let registry = MergedRegistry::build(&state.host);
    let view = registry.details_view(&view_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no plugin registers a details view {view_id:?}: see GET /api/v1/registry"),
        )
    })?;
    let plugin = state.host.plugin(view.plugin.as_str()).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("plugin {} is not loaded", view.plugin),
        )
    })?;
    let cluster = state
        .host
        .clusters()
        .get(&query.cluster)
        .map_err(|e| ApiError::new(cluster_status(&e), e.to_string()))?;
    let gvk = Gvk::from(view.item.kind.clone());
    // The plugin will see the object, so its manifest must allow reading it.
    let resource = cluster
        .resource(&gvk)
        .await
        .map_err(|e| ApiError::new(cluster_status(&e), e.to_string()))?;
    plugin
        .check_permission("get", &gvk.group, &resource.api.plural)
        .map_err(|refusal| ApiError::new(StatusCode::FORBIDDEN, refusal))?;
    let object = cluster
        .get(&gvk, query.namespace.as_deref(), &query.name)
        .await
        .map_err(|e| ApiError::new(cluster_status(&e), e.to_string()))?;
    let mut params = vec![("name".to_string(), query.name.clone())];
    if let Some(ns) = &query.namespace {
        params.push(("namespace".to_string(), ns.clone()));
    }
    let context = RenderContext {
        cluster: query.cluster.clone(),
        object: Some(object.to_string()),
        namespace: query.namespace.clone(),
        params,
    };
    let tree = plugin
        .render(&Slot::DetailsView(view_id.clone()), &context)
        .await?;
    Ok(Json(tree))
}
