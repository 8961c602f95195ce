//! An app-bar button that counts the cluster's namespaces

use headlamp_plugin_sdk::prelude::*;

/// The id of the app-bar action.
pub const ACTION: &str = "namespace-counter-count-namespaces";

/// The plugin.
pub struct NamespaceCounterPlugin;

impl Plugin for NamespaceCounterPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(Registration::new()
            .action(Action::new(ACTION, "Namespaces", ActionPlacement::AppBar).icon("mdi:counter")))
    }

    fn invoke(&mut self, action: &str, ctx: &ActionContext) -> Result<ActionResult, String> {
        if action != ACTION {
            return Err(format!(
                "this plugin has no action `{action}`; it runs `{ACTION}` only"
            ));
        }
        // Runs as the viewer: RBAC and plugin.toml's permissions both apply.
        let list = cluster::list(
            &ctx.cluster,
            &Gvk::core("v1", "Namespace"),
            &ListOptions::default(),
        )
        .map_err(|e| format!("listing namespaces: {e:?}"))?;
        // `Show` opens a dialog with a view tree, built like any details view.
        let names: Vec<(String, String)> = list
            .items
            .iter()
            .map(|ns| {
                let phase = ns.str_at(&["status", "phase"]).unwrap_or("-").to_string();
                (ns.name().unwrap_or("?").to_string(), phase)
            })
            .collect();
        Ok(ActionResult::Show(
            View::section(format!("{} namespaces in {}", names.len(), ctx.cluster))
                .child(View::key_values(names))
                .build(),
        ))
    }
}

headlamp_plugin_sdk::export_plugin!(NamespaceCounterPlugin);
