//! The development endpoint `headlamp-plugin start` hot-reloads plugins through.
//!
//! `POST /api/v1/dev/plugins` with the component's bytes as the body
//! (`Content-Type: application/wasm`) and `Authorization: Bearer TOKEN` loads the plugin, or
//! replaces the running plugin of the same name (its name comes from the `plugin.toml` embedded
//! in the component). The old plugin keeps serving until the new one has started; a component
//! that does not load changes nothing and the answer (422) says why.
//!
//! The endpoint exists only when the kernel was started with a dev token (`--dev-token` or
//! `HEADLAMP_DEV_TOKEN`): it runs code handed over the network, so it is off (404) by default,
//! and a missing or wrong token is 401.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::host::{PluginHost, PluginOrigin, PluginSource};

/// The path of the endpoint.
pub const PLUGINS_PATH: &str = "/api/v1/dev/plugins";

/// The largest component accepted: unoptimised dev builds are several MiB.
pub const MAX_COMPONENT_BYTES: usize = 128 << 20;

#[derive(Clone)]
struct DevState {
    host: Arc<PluginHost>,
    /// sha256 of the token: compared in constant time without keeping its length observable.
    token_digest: [u8; 32],
}

/// The dev routes for `host`, or no routes at all (every dev path is 404) without a token.
pub fn router(host: Arc<PluginHost>, token: Option<&str>) -> Router {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Router::new();
    };
    let state = DevState {
        host,
        token_digest: Sha256::digest(token.as_bytes()).into(),
    };
    Router::new()
        .route(PLUGINS_PATH, post(load_plugin))
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES))
        .with_state(state)
}

/// The dev routes of a kernel whose plugin set is pinned by its operator: every load is
/// refused (403) with the reason, whatever the token.
pub fn refusing_router() -> Router {
    Router::new().route(
        PLUGINS_PATH,
        post(|| async {
            (
                StatusCode::FORBIDDEN,
                Json(json!({
                    "error": "this kernel's plugins are pinned by its operator ([plugins] pinned = true in headlamp.toml): plugins cannot be installed or reloaded; ask the operator to add it to the pinned set"
                })),
            )
        }),
    )
}

/// What a successful load answers.
#[derive(Debug, Serialize)]
pub struct Loaded {
    /// The plugin's id.
    pub name: String,
    /// The version now serving.
    pub version: String,
    /// The version it replaced, when one was running.
    pub replaced: Option<String>,
    /// sha256 of the component, hex.
    pub sha256: String,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn authorised(state: &DevState, headers: &HeaderMap) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
    // Constant time: the loop never exits early on the first differing byte.
    given
        .iter()
        .zip(state.token_digest.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

async fn load_plugin(
    State(state): State<DevState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorised(&state, &headers) {
        return error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong dev token: send `Authorization: Bearer TOKEN` with the token the kernel was started with (--dev-token / HEADLAMP_DEV_TOKEN)",
        );
    }
    if body.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "the body is empty: send the component's bytes (Content-Type: application/wasm)",
        );
    }
    let sha256 = hex::encode(Sha256::digest(&body));
    let source = PluginSource {
        sha256: Some(sha256.clone()),
        ..PluginSource::from_bytes(body.to_vec(), PluginOrigin::Memory)
    };
    match state.host.replace(source).await {
        Ok((plugin, previous)) => {
            tracing::info!(plugin = %plugin.id(), version = %plugin.manifest().version, "dev: plugin loaded");
            Json(Loaded {
                name: plugin.id().to_string(),
                version: plugin.manifest().version.to_string(),
                replaced: previous.map(|p| p.manifest().version.to_string()),
                sha256,
            })
            .into_response()
        }
        Err(e) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the component was not loaded (the running version, if any, keeps serving): {e}"
            ),
        ),
    }
}
