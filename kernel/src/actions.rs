//! Actions, `POST /api/v1/actions`: the generic ones (delete, scale, rollout restart,
//! cordon/uncordon/drain, edit) run straight against the cluster, plugin actions
//! (`plugin:{plugin-id}:{action-id}`) are handed to the plugin's `actions.invoke`.
//!
//! Every call runs as the viewer, so the API server's RBAC decides; its refusal is passed on
//! with its own text and status. The kernel adds what failed and on which object.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{
    Api, DeleteParams, DynamicObject, EvictParams, ListParams, Patch, PatchParams, PostParams,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::access::Need;
use crate::api::AppState;
use crate::cluster::{Cluster, ClusterError, Gvk, Resource, with_type_meta};
use crate::csrf::Checked;
use crate::host::{ActionContext, ActionResult, PluginCallError, PluginHost, View};
use crate::identity::Identity;
use crate::registry::MergedRegistry;

/// The pod-template annotation a rollout restart sets, as `kubectl rollout restart` does.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The annotation of a mirror pod (a static pod the kubelet mirrors); a drain leaves it.
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

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
        verb,
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
        verb: "list",
        resource: Some(("", "pods")),
        subresource: "",
        cluster_wide: true,
    },
    Need {
        verb: "create",
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

/// A pod a drain did not evict, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PodNote {
    /// `namespace/name`.
    pub pod: String,
    /// Why it was skipped, or what the API server said.
    pub reason: String,
}

/// What a drain did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DrainReport {
    /// Pods evicted, as `namespace/name`.
    pub evicted: Vec<String>,
    /// Pods left on purpose (DaemonSet-owned, mirror, already terminating).
    pub skipped: Vec<PodNote>,
    /// Pods whose eviction the API server refused.
    pub failed: Vec<PodNote>,
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
        return plugin_action(host, identity, request, name).await;
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
        GenericAction::Delete => delete(&on).await,
        GenericAction::Scale => scale(&on, &request.params).await,
        GenericAction::RolloutRestart => rollout_restart(&on).await,
        GenericAction::Cordon => set_unschedulable(&on, true).await,
        GenericAction::Uncordon => set_unschedulable(&on, false).await,
        GenericAction::Drain => drain(&on).await,
        GenericAction::Edit => edit(&on, &request.params).await,
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

async fn delete(on: &Target<'_>) -> Result<ActionAnswer, ActionError> {
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

async fn scale(on: &Target<'_>, params: &Value) -> Result<ActionAnswer, ActionError> {
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

async fn rollout_restart(on: &Target<'_>) -> Result<ActionAnswer, ActionError> {
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

async fn set_unschedulable(on: &Target<'_>, cordon: bool) -> Result<ActionAnswer, ActionError> {
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

/// Why a drain leaves a pod where it is, if it does.
fn drain_skips(pod: &Pod) -> Option<String> {
    let meta = &pod.metadata;
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.kind == "DaemonSet")
    {
        return Some(format!(
            "managed by DaemonSet {}: it would be recreated on this node",
            owner.name
        ));
    }
    if meta
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION))
    {
        return Some("a mirror pod: the kubelet manages it, not the API server".into());
    }
    if meta.deletion_timestamp.is_some() {
        return Some("already terminating".into());
    }
    None
}

async fn drain(on: &Target<'_>) -> Result<ActionAnswer, ActionError> {
    set_unschedulable(on, true).await?;
    let client = on.cluster.client().clone();
    let pods = Api::<Pod>::all(client.clone())
        .list(&ListParams::default().fields(&format!("spec.nodeName={}", on.name)))
        .await
        .map_err(ActionError::kube(on.what))?;
    let mut report = DrainReport::default();
    let mut to_evict = Vec::new();
    for pod in pods.items {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let key = format!("{namespace}/{name}");
        match drain_skips(&pod) {
            Some(reason) => report.skipped.push(PodNote { pod: key, reason }),
            None => to_evict.push((namespace, name, key)),
        }
    }
    let evictions = futures::future::join_all(to_evict.into_iter().map(|(ns, name, key)| {
        let api = Api::<Pod>::namespaced(client.clone(), &ns);
        async move {
            let result = api.evict(&name, &EvictParams::default()).await;
            (key, result)
        }
    }))
    .await;
    let mut first_refusal = None;
    for (key, result) in evictions {
        match result.map_err(ClusterError::from) {
            // A pod that is already gone needs no eviction.
            Ok(_) | Err(ClusterError::NotFound(_)) => report.evicted.push(key),
            Err(error) => {
                first_refusal.get_or_insert_with(|| cluster_status(&error));
                report.failed.push(PodNote {
                    pod: key,
                    reason: error.to_string(),
                });
            }
        }
    }
    let counts = format!(
        "{} pods evicted, {} skipped",
        report.evicted.len(),
        report.skipped.len()
    );
    if let Some(status) = first_refusal {
        return Err(ActionError::Drain {
            message: format!(
                "{} is cordoned but not drained: {counts}, {} could not be evicted (see \
                 drain.failed); fix what the API server says and drain again",
                on.describe,
                report.failed.len()
            ),
            status,
            report,
        });
    }
    Ok(ActionAnswer {
        drain: Some(report),
        ..ActionAnswer::done(format!("{} drained: {counts}", on.describe))
    })
}

/// The params of `edit`: the edited object, as YAML (or JSON) text or as a JSON object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditParams {
    #[serde(default)]
    yaml: Option<String>,
    #[serde(default)]
    object: Option<Value>,
}

const EDIT_PARAMS: &str = "edit takes params {\"yaml\": \"<the edited object as YAML or JSON>\"} \
                           or {\"object\": {<the edited object>}}, with the \
                           metadata.resourceVersion it was loaded with";

async fn edit(on: &Target<'_>, params: &Value) -> Result<ActionAnswer, ActionError> {
    let params: EditParams = serde_json::from_value(params.clone())
        .map_err(|e| ActionError::BadRequest(format!("{EDIT_PARAMS}: {e}")))?;
    let submitted: Value = match (params.yaml, params.object) {
        (Some(text), None) => serde_yaml::from_str(&text).map_err(|e| {
            ActionError::BadRequest(format!("the edited object is not valid YAML: {e}"))
        })?,
        (None, Some(object)) => object,
        _ => return Err(ActionError::BadRequest(EDIT_PARAMS.into())),
    };
    check_edited(on, &submitted)?;
    let edited_rv = submitted["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let current = current_object(on).await?;
    if current["metadata"]["resourceVersion"].as_str() != Some(edited_rv.as_str()) {
        return Err(conflict(on, &edited_rv, current, &submitted));
    }
    let object: DynamicObject = serde_json::from_value(submitted.clone()).map_err(|e| {
        ActionError::BadRequest(format!("the edited object is not a Kubernetes object: {e}"))
    })?;
    // A replace carries the resourceVersion, so a change that lands between the check above
    // and this call is still refused by the API server, and answered the same way.
    match on
        .api()
        .replace(on.name, &PostParams::default(), &object)
        .await
        .map_err(ClusterError::from)
    {
        Ok(replaced) => Ok(ActionAnswer::with_object(
            format!("{} saved", on.describe),
            with_type_meta(replaced, on.resource),
        )),
        Err(ClusterError::Conflict(_)) => {
            let current = current_object(on).await?;
            Err(conflict(on, &edited_rv, current, &submitted))
        }
        Err(error) => Err(ActionError::Cluster {
            what: on.what.to_string(),
            error,
        }),
    }
}

/// The edited object must be the target, and say which version it was edited from.
fn check_edited(on: &Target<'_>, submitted: &Value) -> Result<(), ActionError> {
    if !submitted.is_object() {
        return Err(ActionError::BadRequest(format!(
            "the edited object must be a YAML/JSON object; {EDIT_PARAMS}"
        )));
    }
    let meta = &submitted["metadata"];
    if meta["name"].as_str() != Some(on.name) {
        return Err(ActionError::BadRequest(format!(
            "the edited object's metadata.name is {}, but the target is {}: an edit cannot \
             rename an object (create a new one instead)",
            meta["name"], on.describe
        )));
    }
    if let (Some(edited), Some(target)) = (meta["namespace"].as_str(), on.namespace)
        && edited != target
    {
        return Err(ActionError::BadRequest(format!(
            "the edited object's metadata.namespace is {edited}, but the target is {}: an \
             edit cannot move an object",
            on.describe
        )));
    }
    if let Some(kind) = submitted["kind"].as_str()
        && kind != on.resource.api.kind
    {
        return Err(ActionError::BadRequest(format!(
            "the edited object is a {kind}, but the target is {}",
            on.describe
        )));
    }
    if meta["resourceVersion"].as_str().is_none_or(str::is_empty) {
        return Err(ActionError::BadRequest(format!(
            "the edited object has no metadata.resourceVersion: send it with the \
             resourceVersion it was loaded with, so that a change made meanwhile is detected; \
             {EDIT_PARAMS}"
        )));
    }
    Ok(())
}

async fn current_object(on: &Target<'_>) -> Result<Value, ActionError> {
    let current = on
        .api()
        .get(on.name)
        .await
        .map_err(ActionError::kube(on.what))?;
    Ok(with_type_meta(current, on.resource))
}

fn conflict(on: &Target<'_>, edited_rv: &str, current: Value, submitted: &Value) -> ActionError {
    let current_rv = current["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or("?")
        .to_string();
    ActionError::Conflict {
        message: format!(
            "{} was changed since it was loaded (edited from resourceVersion {edited_rv}, the \
             server now has {current_rv}): review the diff, apply your change to the current \
             object and save again",
            on.describe
        ),
        diff: yaml_diff(&current, submitted),
        current: Box::new(current),
    }
}

/// A unified diff from the server's object to the submitted one, as YAML; managed fields are
/// left out of both because nobody edits them and they would drown the change.
pub fn yaml_diff(current: &Value, submitted: &Value) -> String {
    let text = |object: &Value| {
        let mut object = object.clone();
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        serde_yaml::to_string(&object).unwrap_or_default()
    };
    let (current, submitted) = (text(current), text(submitted));
    similar::TextDiff::from_lines(&current, &submitted)
        .unified_diff()
        .context_radius(3)
        .header("server (current)", "submitted")
        .to_string()
}

async fn plugin_action(
    host: &PluginHost,
    identity: &Identity,
    request: &ActionRequest,
    name: &str,
) -> Result<ActionAnswer, ActionError> {
    let (plugin_id, action_id) = name.split_once(':').ok_or_else(|| {
        ActionError::BadRequest(format!(
            "plugin actions are named plugin:{{plugin-id}}:{{action-id}}, not {:?}",
            request.action
        ))
    })?;
    let registry = MergedRegistry::build(host);
    let declared = registry
        .actions
        .iter()
        .find(|a| a.plugin.as_str() == plugin_id && a.item.id == action_id)
        .ok_or_else(|| {
            let known: Vec<String> = registry
                .actions
                .iter()
                .map(|a| format!("plugin:{}:{}", a.plugin, a.item.id))
                .collect();
            ActionError::NotFound(format!(
                "no loaded plugin declares the action {:?}; plugin actions: {}",
                request.action,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })?;
    let plugin = host
        .plugin(plugin_id)
        .ok_or_else(|| ActionError::NotFound(format!("plugin {plugin_id} is not loaded")))?;
    let what = match &request.target {
        Some(target) => format!("{} on {}", request.action, target.describe()),
        None => request.action.clone(),
    };
    let cluster = host
        .clusters()
        .get_as(&request.cluster, identity)
        .map_err(ActionError::cluster(&what))?;
    let (object, namespace) = match &request.target {
        None => (None, None),
        Some(target) => {
            let resource = cluster
                .resource(&target.kind)
                .await
                .map_err(ActionError::cluster(&what))?;
            // The plugin will see the object, so its manifest must allow reading it.
            plugin
                .check_permission("get", &target.kind.group, &resource.api.plural)
                .map_err(ActionError::Forbidden)?;
            let namespace = target.namespace.as_deref().filter(|_| resource.namespaced);
            if let Some(verb) = &declared.item.requires_verb {
                let allowed = cluster
                    .can_i(verb, &target.kind, namespace, Some(&target.name))
                    .await
                    .map_err(ActionError::cluster(&what))?;
                if !allowed {
                    return Err(ActionError::Forbidden(format!(
                        "{what}: this action needs permission to {verb} {}, which you do not have",
                        target.describe()
                    )));
                }
            }
            let object = cluster
                .get(&target.kind, namespace, &target.name)
                .await
                .map_err(ActionError::cluster(&what))?;
            (Some(object.to_string()), namespace.map(str::to_string))
        }
    };
    let context = ActionContext {
        cluster: request.cluster.clone(),
        object,
        namespace,
        input: (!request.params.is_null()).then(|| request.params.to_string()),
    };
    Ok(match plugin.invoke(identity, action_id, &context).await? {
        ActionResult::Done(message) => ActionAnswer::done(message),
        ActionResult::Navigate(route) => ActionAnswer {
            navigate: Some(route.clone()),
            ..ActionAnswer::done(format!("go to {route}"))
        },
        ActionResult::Show(view) => {
            crate::host::validate::view(&view).map_err(|problem| {
                ActionError::Plugin(PluginCallError::Invalid {
                    plugin: plugin.id().clone(),
                    what: "view tree",
                    problem,
                })
            })?;
            ActionAnswer {
                view: Some(view),
                ..ActionAnswer::done(String::new())
            }
        }
    })
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

    #[test]
    fn the_diff_shows_the_changed_line_and_not_managed_fields() {
        let current = json!({"metadata": {"name": "a", "resourceVersion": "9",
                             "managedFields": [{"manager": "kubectl"}]}, "spec": {"replicas": 5}});
        let submitted = json!({"metadata": {"name": "a", "resourceVersion": "7"},
                               "spec": {"replicas": 2}});
        let diff = yaml_diff(&current, &submitted);
        assert!(diff.contains("-  replicas: 5"), "{diff}");
        assert!(diff.contains("+  replicas: 2"), "{diff}");
        assert!(!diff.contains("managedFields"), "{diff}");
    }
}
