//! The HTTP API the UI talks to. Handlers are plain async fns; the kernel's state is an
//! extractor. Every error is JSON `{"error": "..."}` with a status that fits it.

use std::sync::Arc;

use axum::extract::{FromRef, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

use crate::access::AccessCache;
use crate::added_clusters::AddedClusters;
use crate::cluster::ClusterError;
use crate::csrf::CsrfKey;
use crate::details::{DetailsError, DetailsQuery};
use crate::host::{LoadFailure, PluginCallError, PluginHost, PluginOrigin, PluginStatus, View};
use crate::identity::{AuthMode, Viewer};
use crate::oidc::OidcLogin;
use crate::registry::MergedRegistry;
use crate::tables::{self, RowsQuery, TableError, TableRows};

mod clusters;
mod plugin_manager;

pub use clusters::ClusterInfo;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The plugin host (and through it, the clusters).
    pub host: Arc<PluginHost>,
    /// Whether requests must carry a viewer's token.
    pub auth: AuthMode,
    /// The key CSRF tokens are signed with.
    pub csrf: CsrfKey,
    /// Origins besides the kernel's own whose pages may open the stream.
    pub allowed_origins: Arc<[String]>,
    /// Where clusters added at run time are kept; `None`: adding is refused.
    pub added_clusters: Option<Arc<AddedClusters>>,
    /// The OIDC login, when an issuer is configured.
    pub oidc: Option<Arc<OidcLogin>>,
    /// Can-i answers for rows' actions, shared with the stream.
    pub access: Arc<AccessCache>,
    /// Enables, configures and installs plugins for a desktop user; `None`: every change is
    /// refused as in a pinned deployment.
    pub plugin_manager: Option<Arc<crate::plugin_manager::PluginManager>>,
}

impl AppState {
    /// Local mode (the kubeconfig's credentials), a fresh CSRF key, no foreign origins.
    pub fn local(host: Arc<PluginHost>) -> Self {
        Self {
            host,
            auth: AuthMode::Local,
            csrf: CsrfKey::random(),
            allowed_origins: Arc::from([]),
            added_clusters: None,
            oidc: None,
            access: Arc::new(AccessCache::default()),
            plugin_manager: None,
        }
    }
}

impl FromRef<AppState> for AuthMode {
    fn from_ref(state: &AppState) -> Self {
        state.auth
    }
}

impl FromRef<AppState> for CsrfKey {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}

/// The API's routes, the WebSocket `/api/v1/stream` included.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/registry", get(registry))
        .route("/api/v1/plugins", get(plugins))
        .route("/api/v1/plugins/{name}/restart", post(restart_plugin))
        .route("/api/v1/csrf", get(csrf_token))
        .route("/api/v1/clusters", get(clusters::list).post(clusters::add))
        .route("/api/v1/clusters/{name}", delete(clusters::remove))
        .route("/api/v1/tables/{table}/rows", post(table_rows))
        .route("/api/v1/details/{view}", post(details))
        .route("/api/v1/pages/{page}", post(page))
        .route("/api/v1/actions", post(crate::actions::handle))
        .merge(plugin_manager::routes())
        .with_state(state.clone())
        .merge(crate::oidc::router(state.oidc.clone()))
        .merge(crate::proxy::router(crate::proxy::ProxyState::from_app(
            &state,
        )))
        .merge(crate::stream::router(crate::stream::StreamState {
            hub: Arc::new(crate::watch::WatchHub::new(state.host.clusters().clone())),
            host: state.host,
            auth: state.auth,
            allowed_origins: state.allowed_origins,
            outbox: crate::stream::OUTBOX,
            access: state.access,
            snapshots: Arc::default(),
        }))
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

/// `GET /api/v1/registry?cluster=NAME`: the cluster narrows the sidebar to what it serves.
#[derive(Debug, serde::Deserialize)]
struct RegistryQuery {
    cluster: Option<String>,
}

async fn registry(
    State(state): State<AppState>,
    Query(query): Query<RegistryQuery>,
) -> Result<Json<MergedRegistry>, ApiError> {
    let mut registry = MergedRegistry::build(&state.host);
    if let Some(name) = &query.cluster {
        let cluster = state
            .host
            .clusters()
            .get(name)
            .map_err(|e| ApiError::new(cluster_status(&e), e.to_string()))?;
        crate::served::prune_unserved(&mut registry, &cluster).await;
    }
    Ok(Json(registry))
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
    /// `ready`, `failed` or `disabled`.
    pub state: &'static str,
    /// Why it failed.
    pub error: Option<String>,
    /// Whether it runs (the user can turn plugins off in a local kernel).
    pub enabled: bool,
    /// Installed from the catalog (so it can be updated and removed): package and version.
    pub installed: Option<crate::plugin_manager::user_state::Installed>,
}

/// The Plugins page: running plugins and the ones that could not load.
#[derive(Debug, Serialize)]
pub struct PluginsAnswer {
    /// Loaded plugins, ready or failed.
    pub plugins: Vec<PluginInfo>,
    /// Plugins that could not be loaded.
    pub not_loaded: Vec<LoadFailure>,
    /// Whether this kernel lets its user enable, configure, install and remove plugins.
    pub management: crate::plugin_manager::Policy,
}

async fn plugins(State(state): State<AppState>) -> Json<PluginsAnswer> {
    let manager = state.plugin_manager.as_deref();
    let installed = manager.map(|m| m.installed()).unwrap_or_default();
    let mut plugins: Vec<PluginInfo> = state
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
                enabled: true,
                installed: installed.get(m.name.as_str()).cloned(),
            }
        })
        .collect();
    for disabled in manager.map(|m| m.disabled()).unwrap_or_default() {
        let m = &disabled.manifest;
        plugins.push(PluginInfo {
            name: m.name.to_string(),
            version: m.version.to_string(),
            description: m.description.clone(),
            api: m.api.to_string(),
            origin: disabled.origin,
            state: "disabled",
            error: None,
            enabled: false,
            installed: installed.get(m.name.as_str()).cloned(),
        });
    }
    plugins.sort_by(|a, b| a.name.cmp(&b.name));
    Json(PluginsAnswer {
        plugins,
        not_loaded: state.host.failures(),
        management: match manager {
            Some(m) => m.policy(),
            None => crate::plugin_manager::Policy {
                allowed: false,
                reason: Some(crate::plugin_manager::PINNED_REASON.to_string()),
            },
        },
    })
}

async fn restart_plugin(
    State(state): State<AppState>,
    _viewer: crate::csrf::Checked,
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

/// The CSRF token the viewer sends in `x-csrf-token` on mutating requests.
async fn csrf_token(
    State(state): State<AppState>,
    Viewer(identity): Viewer,
) -> Json<serde_json::Value> {
    Json(json!({ "token": state.csrf.token_for(&identity), "header": crate::csrf::CSRF_HEADER }))
}

async fn table_rows(
    State(state): State<AppState>,
    Viewer(identity): Viewer,
    Path(table): Path<String>,
    Json(query): Json<RowsQuery>,
) -> Result<Json<TableRows>, ApiError> {
    let registry = MergedRegistry::build(&state.host);
    Ok(Json(
        tables::rows_with_actions(
            &state.host,
            &state.access,
            &identity,
            &registry,
            &table,
            &query,
        )
        .await?,
    ))
}

async fn details(
    State(state): State<AppState>,
    Viewer(identity): Viewer,
    Path(view_id): Path<String>,
    Json(query): Json<DetailsQuery>,
) -> Result<Json<View>, ApiError> {
    let rendered = crate::details::render(&state.host, &identity, &view_id, &query).await?;
    Ok(Json(rendered.view))
}

async fn page(
    State(state): State<AppState>,
    Viewer(identity): Viewer,
    Path(page_id): Path<String>,
    Json(query): Json<crate::details::PageQuery>,
) -> Result<Json<View>, ApiError> {
    let rendered = crate::details::render_page(&state.host, &identity, &page_id, &query).await?;
    Ok(Json(rendered.view))
}

impl From<DetailsError> for ApiError {
    fn from(e: DetailsError) -> Self {
        match e {
            DetailsError::UnknownView(_)
            | DetailsError::UnknownPage(_)
            | DetailsError::PluginMissing(_) => ApiError::new(StatusCode::NOT_FOUND, e.to_string()),
            DetailsError::NotPermitted(_) => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
            DetailsError::Cluster(error) => {
                ApiError::new(cluster_status(&error), error.to_string())
            }
            DetailsError::Plugin(error) => error.into(),
        }
    }
}
