//! Edit: replace an object with the viewer's edited version, unless it changed since the
//! viewer loaded it; then answer 409 with the current object and a diff to show.

use kube::api::{DynamicObject, PostParams};
use serde::Deserialize;
use serde_json::Value;

use super::{ActionAnswer, ActionError, Target};
use crate::cluster::{ClusterError, with_type_meta};

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

pub(super) async fn edit(on: &Target<'_>, params: &Value) -> Result<ActionAnswer, ActionError> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
