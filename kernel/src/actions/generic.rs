//! The actions that are one call: delete, scale, rollout-restart, cordon/uncordon.

use kube::api::{DeleteParams, Patch, PatchParams};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ActionAnswer, ActionError, Target};

/// The pod-template annotation a rollout restart sets, as `kubectl rollout restart` does.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

pub(super) async fn delete(on: &Target<'_>) -> Result<ActionAnswer, ActionError> {
    on.api()
        .delete(on.name, &DeleteParams::default())
        .await
        .map_err(ActionError::kube(on.what))?;
    Ok(ActionAnswer::done(format!("{} deleted", on.describe)))
}

/// The params of `scale`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleParams {
    replicas: u32,
}

pub(super) async fn scale(on: &Target<'_>, params: &Value) -> Result<ActionAnswer, ActionError> {
    let ScaleParams { replicas } = serde_json::from_value(params.clone()).map_err(|e| {
        ActionError::BadRequest(format!(
            "scale takes params {{\"replicas\": N}} with N a whole number >= 0: {e}"
        ))
    })?;
    let patch = Patch::Merge(json!({ "spec": { "replicas": replicas } }));
    let scale = on
        .api()
        .patch_scale(on.name, &PatchParams::default(), &patch)
        .await
        .map_err(ActionError::kube(on.what))?;
    Ok(ActionAnswer::with_object(
        format!("{} scaled to {replicas} replicas", on.describe),
        serde_json::to_value(scale).unwrap_or(Value::Null),
    ))
}

pub(super) async fn rollout_restart(on: &Target<'_>) -> Result<ActionAnswer, ActionError> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // The same patch as `kubectl rollout restart`: a changed pod template makes the
    // controller replace every pod.
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}});
    let object = on.patch(Patch::Strategic(patch)).await?;
    Ok(ActionAnswer::with_object(
        format!("{} restarted at {now}", on.describe),
        object,
    ))
}

pub(super) async fn set_unschedulable(
    on: &Target<'_>,
    cordon: bool,
) -> Result<ActionAnswer, ActionError> {
    // Uncordoning removes the field, as the API server stores `false` (omitempty).
    let value = if cordon {
        Value::Bool(true)
    } else {
        Value::Null
    };
    let object = on
        .patch(Patch::Merge(json!({"spec": {"unschedulable": value}})))
        .await?;
    let done = if cordon { "cordoned" } else { "uncordoned" };
    Ok(ActionAnswer::with_object(
        format!("{} {done}", on.describe),
        object,
    ))
}
