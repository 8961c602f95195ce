//! `/api/v1/clusters`: the cluster chooser's list, and clusters added or removed at run time.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::{ApiError, AppState};
use crate::added_clusters::{AddedClustersError, NewCluster};
use crate::cluster::{Cluster, ClusterName, ClusterSource};
use crate::csrf::Checked;
use crate::identity::AuthMode;
use crate::kubeconfig;

/// How long the list waits for one API server before calling it unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A cluster as the cluster chooser shows it.
#[derive(Debug, Serialize)]
pub struct ClusterInfo {
    /// The cluster's name.
    pub name: String,
    /// Whether its API server answered just now.
    pub reachable: bool,
    /// The API server's version when reachable.
    pub version: Option<String>,
    /// Why it is unreachable or unusable.
    pub error: Option<String>,
    /// Where it comes from.
    pub source: ClusterSource,
}

/// Every cluster, each asked for its version now (in parallel, with a timeout).
pub(super) async fn list(State(state): State<AppState>) -> Json<Vec<ClusterInfo>> {
    let clusters = state.host.clusters().list();
    let answers = futures::future::join_all(clusters.iter().map(|c| probe(c))).await;
    let mut out: Vec<ClusterInfo> = clusters
        .iter()
        .zip(answers)
        .map(|(c, answer)| {
            let (version, error) = match answer {
                Ok(v) => (Some(v), None),
                Err(e) => (None, Some(e)),
            };
            ClusterInfo {
                name: c.name().to_string(),
                reachable: version.is_some(),
                version,
                error,
                source: c.source(),
            }
        })
        .collect();
    out.extend(
        state
            .host
            .clusters()
            .broken()
            .into_iter()
            .map(|broken| ClusterInfo {
                name: broken.name.to_string(),
                reachable: false,
                version: None,
                error: Some(broken.error),
                source: broken.source,
            }),
    );
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Json(out)
}

async fn probe(cluster: &Cluster) -> Result<String, String> {
    match tokio::time::timeout(PROBE_TIMEOUT, cluster.probe_version()).await {
        Ok(answer) => answer.map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "the API server did not answer within {}s: check the network path to it",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

/// Adds a cluster from a kubeconfig context or a server + token, keeps it in the config dir,
/// and answers with its reachability. Only in local mode: in web mode the operator configures
/// clusters.
pub(super) async fn add(
    State(state): State<AppState>,
    _checked: Checked,
    Json(request): Json<NewCluster>,
) -> Result<(StatusCode, Json<ClusterInfo>), ApiError> {
    refuse_in_web_mode(&state)?;
    let store = state.added_clusters.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "this kernel has no config dir to keep added clusters in: start it with --config-dir",
        )
    })?;
    let config = request.to_kubeconfig().map_err(bad_request)?;
    let name = ClusterName::new(request.name.trim());
    if state.host.clusters().contains(&name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("a cluster named {name} exists already: remove it first or pick another name"),
        ));
    }
    let cluster = kubeconfig::cluster_from(&config, name.as_str())
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    store.add(&config).map_err(storage_error)?;
    let cluster = cluster.with_source(ClusterSource::Added);
    let answer = probe(&cluster).await;
    state.host.clusters().insert(cluster);
    tracing::info!(cluster = %name, reachable = answer.is_ok(), "cluster added");
    let (version, error) = match answer {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    };
    Ok((
        StatusCode::CREATED,
        Json(ClusterInfo {
            name: name.to_string(),
            reachable: version.is_some(),
            version,
            error,
            source: ClusterSource::Added,
        }),
    ))
}

/// Removes a cluster added through the API. Clusters from a kubeconfig are removed there.
pub(super) async fn remove(
    State(state): State<AppState>,
    _checked: Checked,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    refuse_in_web_mode(&state)?;
    let name = ClusterName::new(name);
    let added = match &state.added_clusters {
        Some(store) => store.remove(&name).map_err(storage_error)?,
        None => false,
    };
    if added {
        state.host.clusters().remove(&name);
        tracing::info!(cluster = %name, "cluster removed");
        return Ok(StatusCode::NO_CONTENT);
    }
    if state.host.clusters().contains(&name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "cluster {name} was not added through headlamp (it comes from your kubeconfig, \
                 the demo or the pod's service account): remove its context from the kubeconfig"
            ),
        ));
    }
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no cluster named {name}: see GET /api/v1/clusters"),
    ))
}

fn refuse_in_web_mode(state: &AppState) -> Result<(), ApiError> {
    match state.auth {
        AuthMode::Local => Ok(()),
        AuthMode::Token => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "in web mode the operator configures clusters (kubeconfig or in-cluster); they cannot be added or removed through the API",
        )),
    }
}

fn bad_request(error: AddedClustersError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, error.to_string())
}

fn storage_error(error: AddedClustersError) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}
