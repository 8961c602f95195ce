//! Actions on objects (`POST /api/v1/actions`): what a button says, whether it asks first, the
//! request sent, the answer read back, and the YAML the editor shows.
//!
//! Which actions a viewer may run is the kernel's decision (each row carries its `actions`);
//! this module only presents them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Gvk, Registry, View};

/// The object an action is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Its kind.
    pub kind: Gvk,
    /// Namespace; none for cluster-scoped kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl Target {
    /// `Deployment shop/frontend`, as messages name it.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.kind, self.name),
            None => format!("{} {}", self.kind.kind, self.name),
        }
    }

    /// The object's path under the kernel's proxy (`/clusters/{cluster}`), given the kind's
    /// resource name: `/apis/apps/v1/namespaces/shop/deployments/frontend`.
    pub fn api_path(&self, plural: &str) -> String {
        let base = if self.kind.group.is_empty() {
            format!("/api/{}", self.kind.version)
        } else {
            format!("/apis/{}/{}", self.kind.group, self.kind.version)
        };
        match &self.namespace {
            Some(ns) => format!("{base}/namespaces/{ns}/{plural}/{}", self.name),
            None => format!("{base}/{plural}/{}", self.name),
        }
    }
}

/// The body of `POST /api/v1/actions`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRequest {
    /// Cluster name.
    pub cluster: String,
    /// `delete`, `scale`, ..., or `plugin:{plugin}:{action}`.
    pub action: String,
    /// The object acted on; none for a plugin's app-bar action, which is about no object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The action's parameters, when it takes any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
}

/// What `POST /api/v1/actions` answered, success or not.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ActionAnswer {
    /// Whether the action was done.
    #[serde(default)]
    pub ok: bool,
    /// What was done.
    #[serde(default)]
    pub message: Option<String>,
    /// What failed: Kubernetes' text or the kernel's.
    #[serde(default)]
    pub error: Option<String>,
    /// On an edit conflict: the unified diff from the server's object to the submitted one.
    #[serde(default)]
    pub diff: Option<String>,
    /// On an edit conflict: the object as the server has it now.
    #[serde(default)]
    pub current: Option<Value>,
    /// A plugin action asks the UI to go to this route.
    #[serde(default)]
    pub navigate: Option<String>,
    /// A plugin action's answer to show in a dialog.
    #[serde(default)]
    pub view: Option<View>,
}

impl ActionAnswer {
    /// The line a notification shows: the message, else the error, else a fallback.
    pub fn summary(&self, fallback: &str) -> String {
        self.message
            .clone()
            .or_else(|| self.error.clone())
            .unwrap_or_else(|| fallback.to_owned())
    }
}

/// How the UI asks before running an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// Runs at once.
    None,
    /// A yes/no question.
    Confirm(String),
    /// A replica count.
    Replicas,
    /// The YAML editor.
    Editor,
}

/// The button text of an action.
pub fn label(action: &str, registry: &Registry) -> String {
    match action {
        "edit" => "Edit YAML".into(),
        "delete" => "Delete".into(),
        "scale" => "Scale".into(),
        "rollout-restart" => "Restart".into(),
        "cordon" => "Cordon".into(),
        "uncordon" => "Uncordon".into(),
        "drain" => "Drain".into(),
        other => registry
            .action(other)
            .map(|a| a.label.clone())
            .unwrap_or_else(|| other.rsplit(':').next().unwrap_or(other).to_owned()),
    }
}

/// The actions the kernel runs itself (every other is a plugin's, `plugin:{plugin}:{id}`).
pub const GENERIC_ACTIONS: [&str; 7] = [
    "edit",
    "delete",
    "scale",
    "rollout-restart",
    "cordon",
    "uncordon",
    "drain",
];

/// The action an `action-button` of a plugin's view runs: the WIT node carries "an action of
/// this plugin", so a bare id is qualified with the plugin that rendered the view; an id that
/// is already qualified, or a generic action (`scale`), is kept.
pub fn view_button_action(plugin: &str, action: &str) -> String {
    if action.starts_with("plugin:") || GENERIC_ACTIONS.contains(&action) {
        action.to_owned()
    } else {
        format!("plugin:{plugin}:{action}")
    }
}

/// Whether a view's button for `action` can run on the page's object, else why not.
/// `row_actions` are the object's actions from its live row (none until the row arrived).
/// A generic action runs only when the row offers it (the kernel's can-i answer); a plugin
/// action when a loaded plugin declares it (the kernel checks its `requires-verb` on running).
pub fn view_button_state(
    action: &str,
    row_actions: Option<&[String]>,
    registry: &Registry,
) -> Result<(), String> {
    if row_actions.is_some_and(|a| a.iter().any(|x| x == action)) {
        return Ok(());
    }
    if action.starts_with("plugin:") {
        return match registry.action(action) {
            Some(_) => Ok(()),
            None => Err(format!(
                "No loaded plugin declares the action {action}: the plugin that provides it may be disabled or failed"
            )),
        };
    }
    match row_actions {
        None => Err("Checking what you may do with this object…".into()),
        Some(_) => Err(format!(
            "You may not {} this object",
            label(action, registry).to_lowercase()
        )),
    }
}

/// Whether an action destroys or disrupts something (shown in the danger colour).
pub fn is_dangerous(action: &str) -> bool {
    matches!(action, "delete" | "drain")
}

/// What the UI asks before running `action` on `target`.
pub fn prompt(action: &str, target: &Target, registry: &Registry) -> Prompt {
    let what = target.describe();
    match action {
        "edit" => Prompt::Editor,
        "scale" => Prompt::Replicas,
        "delete" => Prompt::Confirm(format!("Delete {what}? This cannot be undone.")),
        "drain" => Prompt::Confirm(format!(
            "Drain {what}? It is cordoned, and its pods (except DaemonSet and mirror pods) are evicted."
        )),
        "rollout-restart" => Prompt::Confirm(format!(
            "Restart {what}? Its pods are replaced one by one, as `kubectl rollout restart` does."
        )),
        "cordon" | "uncordon" => Prompt::None,
        other => match registry.action(other).and_then(|a| a.confirm.clone()) {
            Some(question) => Prompt::Confirm(question),
            None => Prompt::None,
        },
    }
}

/// The order buttons appear in: editing first, destructive last.
pub fn sorted(actions: &[String]) -> Vec<String> {
    let rank = |a: &str| match a {
        "edit" => 0,
        "scale" => 1,
        "rollout-restart" => 2,
        "cordon" | "uncordon" => 3,
        "drain" => 5,
        "delete" => 6,
        _ => 4,
    };
    let mut out = actions.to_vec();
    out.sort_by_key(|a| rank(a));
    out
}

/// Reads the replica count typed into the scale dialog.
pub fn parse_replicas(text: &str) -> Result<u32, String> {
    let text = text.trim();
    text.parse::<u32>().map_err(|_| {
        format!("{text:?} is not a number of replicas: enter a whole number, 0 or more")
    })
}

/// The object as the editor shows it: YAML without `metadata.managedFields` (noise nobody
/// edits; the API server keeps them when an update leaves them out).
pub fn to_editable_yaml(mut object: Value) -> Result<String, String> {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    serde_yaml::to_string(&object)
        .map_err(|e| format!("the object could not be shown as YAML: {e}"))
}

/// Checks the edited text before sending: it must be a YAML mapping that keeps its
/// `metadata.resourceVersion` (the kernel refuses an edit without one).
pub fn check_edited_yaml(text: &str) -> Result<Value, String> {
    let value: Value = serde_yaml::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
    if !value.is_object() {
        return Err(
            "the YAML must be one object (a mapping with apiVersion, kind, metadata, ...)".into(),
        );
    }
    if value["metadata"]["resourceVersion"].as_str().is_none() {
        return Err("metadata.resourceVersion is missing: keep the one the object was loaded with, so a concurrent change is detected".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> Target {
        Target {
            kind: Gvk {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
            },
            namespace: Some("shop".into()),
            name: "frontend".into(),
        }
    }

    #[test]
    fn builds_api_paths_for_core_and_grouped_kinds() {
        assert_eq!(
            deployment().api_path("deployments"),
            "/apis/apps/v1/namespaces/shop/deployments/frontend"
        );
        let node = Target {
            kind: Gvk {
                group: String::new(),
                version: "v1".into(),
                kind: "Node".into(),
            },
            namespace: None,
            name: "node-1".into(),
        };
        assert_eq!(node.api_path("nodes"), "/api/v1/nodes/node-1");
    }

    #[test]
    fn writes_the_request_the_kernel_documents() {
        let request = ActionRequest {
            cluster: "demo".into(),
            action: "scale".into(),
            target: Some(deployment()),
            params: Some(serde_json::json!({"replicas": 3})),
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({"cluster": "demo", "action": "scale",
                "target": {"kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                           "namespace": "shop", "name": "frontend"},
                "params": {"replicas": 3}})
        );
        // An app-bar action is about no object: no target at all.
        let app_bar = ActionRequest {
            cluster: "demo".into(),
            action: "plugin:counter:count".into(),
            target: None,
            params: None,
        };
        assert_eq!(
            serde_json::to_value(&app_bar).unwrap(),
            serde_json::json!({"cluster": "demo", "action": "plugin:counter:count"})
        );
    }

    #[test]
    fn a_view_button_runs_its_plugins_action_or_a_generic_one() {
        assert_eq!(
            view_button_action("backup", "snapshot"),
            "plugin:backup:snapshot"
        );
        assert_eq!(
            view_button_action("backup", "plugin:other:x"),
            "plugin:other:x"
        );
        assert_eq!(view_button_action("backup", "scale"), "scale");
    }

    #[test]
    fn a_view_button_is_enabled_only_when_the_action_may_run() {
        let registry: Registry = serde_json::from_value(serde_json::json!({"actions": [
            {"plugin": "backup", "id": "snapshot", "label": "Snapshot now", "placement": "AppBar"}]}))
        .unwrap();
        let row = vec!["edit".to_string(), "scale".to_string()];
        assert!(view_button_state("scale", Some(&row), &registry).is_ok());
        let refused = view_button_state("delete", Some(&row), &registry).unwrap_err();
        assert!(refused.contains("may not delete"), "{refused}");
        assert!(
            view_button_state("scale", None, &registry)
                .unwrap_err()
                .contains("Checking")
        );
        // A declared plugin action is offered; the kernel checks its verb when it runs.
        assert!(view_button_state("plugin:backup:snapshot", None, &registry).is_ok());
        let missing = view_button_state("plugin:gone:x", Some(&row), &registry).unwrap_err();
        assert!(missing.contains("No loaded plugin declares"), "{missing}");
    }

    #[test]
    fn reads_a_plugin_answer_with_a_view_to_show() {
        let answer: ActionAnswer = serde_json::from_value(serde_json::json!({
            "ok": true, "message": "",
            "view": {"nodes": [{"kind": {"Text": "hello"}, "children": []}], "root": 0}}))
        .unwrap();
        assert_eq!(answer.view.map(|v| v.nodes.len()), Some(1));
    }

    #[test]
    fn asks_before_deleting_but_not_before_cordoning() {
        let registry = Registry::default();
        assert!(
            matches!(prompt("delete", &deployment(), &registry), Prompt::Confirm(q) if q.contains("shop/frontend"))
        );
        assert_eq!(prompt("cordon", &deployment(), &registry), Prompt::None);
        assert_eq!(prompt("scale", &deployment(), &registry), Prompt::Replicas);
    }

    #[test]
    fn labels_plugin_actions_from_the_registry() {
        let registry: Registry = serde_json::from_value(serde_json::json!({"actions": [
            {"plugin": "backup", "id": "snapshot", "label": "Snapshot now",
             "placement": {"Row": "pods"}, "confirm": "Take a snapshot?"}]}))
        .unwrap();
        assert_eq!(label("plugin:backup:snapshot", &registry), "Snapshot now");
        assert_eq!(label("plugin:gone:thing", &registry), "thing");
        assert_eq!(
            prompt("plugin:backup:snapshot", &deployment(), &registry),
            Prompt::Confirm("Take a snapshot?".into())
        );
    }

    #[test]
    fn orders_destructive_actions_last() {
        let actions: Vec<String> = ["delete", "scale", "edit", "rollout-restart"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            sorted(&actions),
            ["edit", "scale", "rollout-restart", "delete"]
        );
    }

    #[test]
    fn refuses_a_replica_count_that_is_not_a_whole_number() {
        assert_eq!(parse_replicas(" 3 "), Ok(3));
        assert!(parse_replicas("-1").unwrap_err().contains("whole number"));
        assert!(parse_replicas("two").is_err());
    }

    #[test]
    fn shows_yaml_without_managed_fields() {
        let yaml = to_editable_yaml(serde_json::json!({"kind": "ConfigMap",
            "metadata": {"name": "a", "resourceVersion": "4", "managedFields": [{"manager": "x"}]}}))
        .unwrap();
        assert!(yaml.contains("resourceVersion: '4'"), "{yaml}");
        assert!(!yaml.contains("managedFields"), "{yaml}");
    }

    #[test]
    fn refuses_edited_yaml_that_is_broken_or_lost_its_resource_version() {
        assert!(
            check_edited_yaml("a: [")
                .unwrap_err()
                .contains("not valid YAML")
        );
        assert!(check_edited_yaml("- 1").unwrap_err().contains("one object"));
        assert!(
            check_edited_yaml("metadata: {name: a}")
                .unwrap_err()
                .contains("resourceVersion")
        );
        assert!(check_edited_yaml("metadata: {name: a, resourceVersion: '4'}").is_ok());
    }
}
