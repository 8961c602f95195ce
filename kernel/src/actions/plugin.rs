//! Plugin actions, `plugin:{plugin-id}:{action-id}`: handed to the plugin's `actions.invoke`
//! with the target object, read as the viewer.

use super::{ActionAnswer, ActionError, ActionRequest};
use crate::host::{ActionContext, ActionResult, PluginCallError, PluginHost};
use crate::identity::Identity;
use crate::registry::MergedRegistry;

/// Runs the plugin action `name` (`{plugin-id}:{action-id}`) as `identity`.
pub(super) async fn run(
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
