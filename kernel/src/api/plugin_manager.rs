//! The plugin management routes: enable/disable, settings forms, and the Artifact Hub
//! catalog (see [`crate::plugin_manager`]). Changes need the CSRF token and a kernel that lets
//! its user manage plugins; otherwise they are refused with the reason.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, AppState};
use crate::csrf::Checked;
use crate::plugin_manager::catalog::{CatalogEntry, CatalogVersion, InstallOutcome};
use crate::plugin_manager::settings::SettingField;
use crate::plugin_manager::{ManageError, PINNED_REASON, PluginManager};

/// The routes, to merge into the API's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/plugins/{name}/enable", post(enable))
        .route("/api/v1/plugins/{name}/disable", post(disable))
        .route(
            "/api/v1/plugins/{name}/settings",
            get(get_settings).put(put_settings),
        )
        .route("/api/v1/catalog", get(search))
        .route("/api/v1/catalog/versions", get(versions))
        .route("/api/v1/catalog/install", post(install))
        .route("/api/v1/catalog/update", post(update))
        .route("/api/v1/catalog/installed/{name}", delete(remove))
}

impl From<ManageError> for ApiError {
    fn from(e: ManageError) -> Self {
        let status = match &e {
            ManageError::Forbidden(_) => StatusCode::FORBIDDEN,
            ManageError::NotFound(_) => StatusCode::NOT_FOUND,
            ManageError::Conflict(_) => StatusCode::CONFLICT,
            ManageError::Invalid(_) => StatusCode::BAD_REQUEST,
            ManageError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ManageError::Remote(_) => StatusCode::BAD_GATEWAY,
            ManageError::State(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

fn manager(state: &AppState) -> Result<&Arc<PluginManager>, ApiError> {
    state
        .plugin_manager
        .as_ref()
        .ok_or_else(|| ApiError::new(StatusCode::FORBIDDEN, PINNED_REASON))
}

async fn enable(
    State(state): State<AppState>,
    _checked: Checked,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    manager(&state)?.set_enabled(&name, true).await?;
    Ok(Json(json!({ "name": name, "enabled": true })))
}

async fn disable(
    State(state): State<AppState>,
    _checked: Checked,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    manager(&state)?.set_enabled(&name, false).await?;
    Ok(Json(json!({ "name": name, "enabled": false })))
}

async fn get_settings(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Vec<SettingField>>, ApiError> {
    match &state.plugin_manager {
        Some(manager) => Ok(Json(manager.settings(&name)?)),
        // Without a manager the forms are read-only, with the manifest's defaults.
        None => Ok(Json(
            PluginManager::refusing(state.host.clone(), String::new()).settings(&name)?,
        )),
    }
}

async fn put_settings(
    State(state): State<AppState>,
    _checked: Checked,
    Path(name): Path<String>,
    Json(values): Json<serde_json::Map<String, Value>>,
) -> Result<Json<Vec<SettingField>>, ApiError> {
    Ok(Json(manager(&state)?.put_settings(&name, &values).await?))
}

/// `?q=` of a catalog search.
#[derive(Debug, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<CatalogEntry>>, ApiError> {
    Ok(Json(manager(&state)?.search_catalog(&query.q).await?))
}

/// `?package=REPO/NAME`.
#[derive(Debug, Deserialize)]
struct VersionsQuery {
    package: String,
}

async fn versions(
    State(state): State<AppState>,
    Query(query): Query<VersionsQuery>,
) -> Result<Json<Vec<CatalogVersion>>, ApiError> {
    Ok(Json(
        manager(&state)?.catalog_versions(&query.package).await?,
    ))
}

/// `{"package": "REPO/NAME", "version": "1.2.0"}`; without a version, the latest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstallRequest {
    package: String,
    #[serde(default)]
    version: Option<String>,
}

async fn install(
    State(state): State<AppState>,
    _checked: Checked,
    Json(request): Json<InstallRequest>,
) -> Result<Json<InstallOutcome>, ApiError> {
    Ok(Json(
        manager(&state)?
            .install(&request.package, request.version)
            .await?,
    ))
}

/// `{"name": "PLUGIN", "version": "1.3.0"}`; without a version, the latest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateRequest {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    _checked: Checked,
    Json(request): Json<UpdateRequest>,
) -> Result<Json<InstallOutcome>, ApiError> {
    Ok(Json(
        manager(&state)?
            .update(&request.name, request.version)
            .await?,
    ))
}

async fn remove(
    State(state): State<AppState>,
    _checked: Checked,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    manager(&state)?.remove(&name).await?;
    Ok(Json(json!({ "name": name, "removed": true })))
}
