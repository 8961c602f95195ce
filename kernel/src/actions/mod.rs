//! Actions, `POST /api/v1/actions`: the generic ones (delete, scale, rollout restart,
//! cordon/uncordon/drain, edit) run straight against the cluster, plugin actions
//! (`plugin:{plugin-id}:{action-id}`) are handed to the plugin's `actions.invoke`.
//!
//! Every call runs as the viewer, so the API server's RBAC decides; its refusal is passed on
//! with its own text and status. The kernel adds what failed and on which object.
//!
//! - [`generic`]: delete, scale, rollout-restart, cordon/uncordon.
//! - [`drain`]: cordon and evict a node's pods.
//! - [`edit`]: replace an object, refusing with a diff if it changed meanwhile.
//! - [`plugin`]: plugin actions.

mod drain;
mod edit;
mod generic;
mod plugin;

use std::borrow::Cow;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::access::Need;
use crate::api::AppState;
use crate::cluster::{Cluster, ClusterError, Gvk, Resource, with_type_meta};
use crate::csrf::Checked;
use crate::host::{PluginCallError, PluginHost, View};
use crate::identity::Identity;

pub use drain::{DrainReport, PodNote};
pub use edit::yaml_diff;
pub use generic::RESTARTED_AT;

/// What the accepted actions are, for error messages.
const ACCEPTED: &str = "delete, scale (params {\"replicas\": N}), rollout-restart, cordon, \
                        uncordon, drain, edit (params {\"yaml\": \"...\"} or {\"object\": {...}}), \
                        or plugin:{plugin-id}:{action-id}";

/// The request body, for error messages.
const SHAPE: &str = "{\"cluster\": \"...\", \"action\": \"...\", \"target\": {\"kind\": \
                     {\"group\": \"apps\", \"version\": \"v1\", \"kind\": \"Deployment\"}, \
                     \"namespace\": \"...\", \"name\": \"...\"}, \"params\": {...}}";

/// An action the kernel runs itself, without a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenericAction {
    /// Deletes the object.
    Delete,
    /// Sets the replica count through the scale subresource.
    Scale,
    /// Restarts every pod of a workload by changing its pod template.
    RolloutRestart,
    /// Marks a node unschedulable.
    Cordon,
    /// Marks a node schedulable again.
    Uncordon,
    /// Cordons a node and evicts its pods (not DaemonSet-owned or mirror pods).
    Drain,
    /// Replaces the object with an edited version, refusing if it changed meanwhile.
    Edit,
}

const fn need(verb: &'static str, subresource: &'static str) -> Need {
    Need {
        verb: Cow::Borrowed(verb),
        resource: None,
        subresource,
        cluster_wide: false,
    }
}

const DELETE_NEEDS: &[Need] = &[need("delete", "")];
const EDIT_NEEDS: &[Need] = &[need("update", "")];
const SCALE_NEEDS: &[Need] = &[need("patch", "scale")];
const PATCH_NEEDS: &[Need] = &[need("patch", "")];
const DRAIN_NEEDS: &[Need] = &[
    need("patch", ""),
    Need {
        verb: Cow::Borrowed("list"),
        resource: Some(("", "pods")),
        subresource: "",
        cluster_wide: true,
    },
    Need {
        verb: Cow::Borrowed("create"),
        resource: Some(("", "pods")),
        subresource: "eviction",
        cluster_wide: true,
    },
];

impl GenericAction {
    /// Every generic action, in the order rows list them.
    pub const ALL: [GenericAction; 7] = [
        GenericAction::Edit,
        GenericAction::Delete,
        GenericAction::Scale,
        GenericAction::RolloutRestart,
        GenericAction::Cordon,
        GenericAction::Uncordon,
        GenericAction::Drain,
    ];

    /// The action's id in requests and rows.
    pub fn id(self) -> &'static str {
        match self {
            GenericAction::Delete => "delete",
            GenericAction::Scale => "scale",
            GenericAction::RolloutRestart => "rollout-restart",
            GenericAction::Cordon => "cordon",
            GenericAction::Uncordon => "uncordon",
            GenericAction::Drain => "drain",
            GenericAction::Edit => "edit",
        }
    }

    /// The action with this id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }

    /// Whether the action makes sense for objects of this kind.
    pub fn applies_to(self, gvk: &Gvk) -> bool {
        let apps = |kinds: &[&str]| gvk.group == "apps" && kinds.contains(&gvk.kind.as_str());
        let node = gvk.group.is_empty() && gvk.kind == "Node";
        match self {
            GenericAction::Delete | GenericAction::Edit => true,
            GenericAction::Scale => apps(&["Deployment", "StatefulSet", "ReplicaSet"]),
            GenericAction::RolloutRestart => apps(&["Deployment", "StatefulSet", "DaemonSet"]),
            GenericAction::Cordon | GenericAction::Uncordon | GenericAction::Drain => node,
        }
    }

    /// The kinds the action applies to, for error messages.
    fn kinds(self) -> &'static str {
        match self {
            GenericAction::Delete | GenericAction::Edit => "every kind",
            GenericAction::Scale => "apps Deployment, StatefulSet and ReplicaSet",
            GenericAction::RolloutRestart => "apps Deployment, StatefulSet and DaemonSet",
            GenericAction::Cordon | GenericAction::Uncordon | GenericAction::Drain => "v1 Node",
        }
    }

    /// The permissions the viewer needs, checked to show the action on a row.
    pub fn needs(self) -> &'static [Need] {
        match self {
            GenericAction::Delete => DELETE_NEEDS,
            GenericAction::Edit => EDIT_NEEDS,
            GenericAction::Scale => SCALE_NEEDS,
            GenericAction::RolloutRestart | GenericAction::Cordon | GenericAction::Uncordon => {
                PATCH_NEEDS
            }
            GenericAction::Drain => DRAIN_NEEDS,
        }
    }
}

/// A request to run an action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The cluster.
    pub cluster: String,
    /// `delete`, `scale`, ..., or `plugin:{plugin-id}:{action-id}`.
    pub action: String,
    /// The object acted on; plugin actions of the app bar have none.
    #[serde(default)]
    pub target: Option<ActionTarget>,
    /// The action's input (`{"replicas": 3}` for scale).
    #[serde(default)]
    pub params: Value,
}

/// The object an action is run on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionTarget {
    /// Its kind.
    pub kind: Gvk,
    /// Its namespace, for namespaced kinds.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
}

impl ActionTarget {
    fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.kind, self.name),
            None => format!("{} {}", self.kind.kind, self.name),
        }
    }
}

/// A successful action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionAnswer {
    /// Always true; failures are error answers.
    pub ok: bool,
    /// What was done, for the viewer.
    pub message: String,
    /// The object after the action, when it still exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
    /// What a drain did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drain: Option<DrainReport>,
    /// A plugin asks the UI to go to this route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigate: Option<String>,
    /// A plugin asks the UI to show this view in a dialog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<View>,
}

impl ActionAnswer {
    fn done(message: String) -> Self {
        Self {
            ok: true,
            message,
            object: None,
            drain: None,
            navigate: None,
            view: None,
        }
    }

    fn with_object(message: String, object: Value) -> Self {
        Self {
            object: Some(object),
            ..Self::done(message)
        }
    }
}

/// Why an action was not done.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The request is malformed or the action does not fit the target.
    #[error("{0}")]
    BadRequest(String),
    /// No such plugin action.
    #[error("{0}")]
    NotFound(String),
    /// The kernel refused (a plugin's manifest, or a can-i check before a plugin action).
    #[error("{0}")]
    Forbidden(String),
    /// The cluster refused or failed; its text is kept.
    #[error("{what}: {error}")]
    Cluster {
        /// What was attempted, on which object.
        what: String,
        /// What the cluster said.
        error: ClusterError,
    },
    /// The object changed since the viewer loaded it.
    #[error("{message}")]
    Conflict {
        /// What happened and what to do.
        message: String,
        /// The object as the server has it now.
        current: Box<Value>,
        /// A unified diff from the server's object to the submitted one.
        diff: String,
    },
    /// A drain cordoned the node but could not evict every pod.
    #[error("{message}")]
    Drain {
        /// What happened and what to do.
        message: String,
        /// The status of the first refusal.
        status: StatusCode,
        /// What was evicted, skipped and refused.
        report: DrainReport,
    },
    /// The plugin failed.
    #[error(transparent)]
    Plugin(#[from] PluginCallError),
}

impl ActionError {
    fn cluster(what: &str) -> impl FnOnce(ClusterError) -> ActionError + '_ {
        move |error| ActionError::Cluster {
            what: what.to_string(),
            error,
        }
    }

    fn kube(what: &str) -> impl FnOnce(kube::Error) -> ActionError + '_ {
        move |error| ActionError::Cluster {
            what: what.to_string(),
            error: error.into(),
        }
    }

    /// The HTTP status that fits.
    pub fn status(&self) -> StatusCode {
        match self {
            ActionError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ActionError::NotFound(_) => StatusCode::NOT_FOUND,
            ActionError::Forbidden(_) => StatusCode::FORBIDDEN,
            ActionError::Cluster { error, .. } => cluster_status(error),
            ActionError::Conflict { .. } => StatusCode::CONFLICT,
            ActionError::Drain { status, .. } => *status,
            ActionError::Plugin(PluginCallError::Plugin { .. }) => StatusCode::UNPROCESSABLE_ENTITY,
            ActionError::Plugin(_) => StatusCode::BAD_GATEWAY,
        }
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

impl IntoResponse for ActionError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = json!({ "ok": false, "error": self.to_string() });
        match self {
            ActionError::Conflict { current, diff, .. } => {
                body["current"] = *current;
                body["diff"] = Value::String(diff);
            }
            ActionError::Drain { report, .. } => {
                body["drain"] = serde_json::to_value(report).unwrap_or(Value::Null);
            }
            _ => {}
        }
        (status, Json(body)).into_response()
    }
}

/// `POST /api/v1/actions`.
pub async fn handle(
    State(state): State<AppState>,
    Checked(identity): Checked,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> Result<Json<ActionAnswer>, ActionError> {
    let Json(request) = body.map_err(|rejection| {
        ActionError::BadRequest(format!(
            "the body is not an action request ({}): send JSON {SHAPE}; actions: {ACCEPTED}",
            rejection.body_text()
        ))
    })?;
    run(&state.host, &identity, &request).await.map(Json)
}

/// Runs one action as `identity`.
pub async fn run(
    host: &PluginHost,
    identity: &Identity,
    request: &ActionRequest,
) -> Result<ActionAnswer, ActionError> {
    if let Some(name) = request.action.strip_prefix("plugin:") {
        return plugin::run(host, identity, request, name).await;
    }
    let action = GenericAction::parse(&request.action).ok_or_else(|| {
        ActionError::BadRequest(format!(
            "unknown action {:?}: the accepted actions are {ACCEPTED}",
            request.action
        ))
    })?;
    let target = request.target.as_ref().ok_or_else(|| {
        ActionError::BadRequest(format!(
            "action {} needs a target: {{\"kind\": {{\"group\", \"version\", \"kind\"}}, \
             \"namespace\", \"name\"}}",
            action.id()
        ))
    })?;
    if !action.applies_to(&target.kind) {
        return Err(ActionError::BadRequest(format!(
            "action {} applies to {}, not to {}",
            action.id(),
            action.kinds(),
            target.kind
        )));
    }
    let what = format!("{} {}", action.id(), target.describe());
    let cluster = host
        .clusters()
        .get_as(&request.cluster, identity)
        .map_err(ActionError::cluster(&what))?;
    let resource = cluster
        .resource(&target.kind)
        .await
        .map_err(ActionError::cluster(&what))?;
    let namespace = match (resource.namespaced, target.namespace.as_deref()) {
        (true, Some(ns)) if !ns.is_empty() => Some(ns),
        (true, _) => {
            return Err(ActionError::BadRequest(format!(
                "{} is namespaced: the target needs a namespace",
                target.kind
            )));
        }
        (false, _) => None,
    };
    let on = Target {
        cluster: &cluster,
        resource: &resource,
        namespace,
        name: &target.name,
        describe: target.describe(),
        what: &what,
    };
    if !matches!(action, GenericAction::Scale | GenericAction::Edit) {
        no_params(action, &request.params)?;
    }
    match action {
        GenericAction::Delete => generic::delete(&on).await,
        GenericAction::Scale => generic::scale(&on, &request.params).await,
        GenericAction::RolloutRestart => generic::rollout_restart(&on).await,
        GenericAction::Cordon => generic::set_unschedulable(&on, true).await,
        GenericAction::Uncordon => generic::set_unschedulable(&on, false).await,
        GenericAction::Drain => drain::drain(&on).await,
        GenericAction::Edit => edit::edit(&on, &request.params).await,
    }
}

fn no_params(action: GenericAction, params: &Value) -> Result<(), ActionError> {
    match params {
        Value::Null => Ok(()),
        Value::Object(map) if map.is_empty() => Ok(()),
        _ => Err(ActionError::BadRequest(format!(
            "action {} takes no params: leave \"params\" out",
            action.id()
        ))),
    }
}

/// The resolved object of a generic action.
struct Target<'a> {
    cluster: &'a Cluster,
    resource: &'a Resource,
    namespace: Option<&'a str>,
    name: &'a str,
    /// `Deployment shop/frontend`.
    describe: String,
    /// `scale Deployment shop/frontend`, the prefix of errors.
    what: &'a str,
}

impl Target<'_> {
    fn api(&self) -> Api<DynamicObject> {
        let client = self.cluster.client().clone();
        match self.namespace {
            Some(ns) => Api::namespaced_with(client, ns, &self.resource.api),
            None => Api::all_with(client, &self.resource.api),
        }
    }

    async fn patch(&self, patch: Patch<Value>) -> Result<Value, ActionError> {
        let patched = self
            .api()
            .patch(self.name, &PatchParams::default(), &patch)
            .await
            .map_err(ActionError::kube(self.what))?;
        Ok(with_type_meta(patched, self.resource))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gvk(group: &str, kind: &str) -> Gvk {
        Gvk {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
        }
    }

    #[test]
    fn every_action_id_parses_back_to_itself() {
        for action in GenericAction::ALL {
            assert_eq!(GenericAction::parse(action.id()), Some(action));
        }
        assert_eq!(GenericAction::parse("restart"), None);
    }

    #[test]
    fn workload_and_node_actions_apply_only_to_their_kinds() {
        let deployment = gvk("apps", "Deployment");
        let daemonset = gvk("apps", "DaemonSet");
        let node = gvk("", "Node");
        let pod = gvk("", "Pod");
        assert!(GenericAction::Scale.applies_to(&deployment));
        assert!(!GenericAction::Scale.applies_to(&daemonset));
        assert!(GenericAction::RolloutRestart.applies_to(&daemonset));
        assert!(GenericAction::Drain.applies_to(&node));
        assert!(!GenericAction::Cordon.applies_to(&pod));
        assert!(GenericAction::Delete.applies_to(&pod) && GenericAction::Edit.applies_to(&node));
    }
}
