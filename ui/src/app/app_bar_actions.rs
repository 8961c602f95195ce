//! Plugins' app-bar actions (placement `AppBar`): buttons in the app bar that run a plugin
//! action about no object in the current cluster (the first one, when several are shown).
//! An answer with a view opens it in a dialog; a `confirm` text is asked first.

use dioxus::prelude::*;

use super::actions::{ConfirmDialog, report_answer, use_notifications};
use super::{Shared, action_api};
use crate::actions::ActionRequest;
use crate::model::ActionSpec;

/// Runs an app-bar action in `cluster`, reporting what it answered.
fn run(spec: &ActionSpec, cluster: String) {
    let notifications = use_notifications();
    let navigator = navigator();
    let request = ActionRequest {
        cluster: cluster.clone(),
        action: spec.qualified_id(),
        target: None,
        params: None,
    };
    let label = spec.label.clone();
    spawn(async move {
        match action_api::run(&request).await {
            Ok(answer) => report_answer(
                &answer,
                &cluster,
                &format!("{label} done"),
                &format!("{label} ({cluster})"),
                notifications,
                navigator,
            ),
            Err(failure) => notifications.error(failure.text()),
        }
    });
}

/// The app bar's plugin buttons for `cluster`.
#[component]
pub fn AppBarActions(cluster: String) -> Element {
    let shared = use_context::<Shared>();
    let mut asking = use_signal(|| None::<ActionSpec>);
    let actions: Vec<ActionSpec> = match &*shared.registry.read() {
        Some(Ok(r)) => r
            .actions
            .iter()
            .filter(|a| a.is_app_bar())
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    if actions.is_empty() {
        return rsx! {};
    }
    rsx! {
        div { class: "appbar-actions", role: "group", aria_label: "Plugin actions",
            for spec in actions {
                button {
                    key: "{spec.plugin}/{spec.id}",
                    class: "appbar-button",
                    "data-action": "{spec.qualified_id()}",
                    title: "{spec.label} (plugin {spec.plugin}, cluster {cluster})",
                    onclick: {
                        let (spec, cluster) = (spec.clone(), cluster.clone());
                        move |_| match spec.confirm {
                            Some(_) => asking.set(Some(spec.clone())),
                            None => run(&spec, cluster.clone()),
                        }
                    },
                    "{spec.label}"
                }
            }
        }
        if let Some(spec) = asking() {
            ConfirmDialog {
                title: spec.label.clone(),
                question: spec.confirm.clone().unwrap_or_default(),
                confirm: spec.label.clone(),
                danger: false,
                oncancel: move |_| asking.set(None),
                onconfirm: {
                    let cluster = cluster.clone();
                    move |_| {
                        asking.set(None);
                        run(&spec, cluster.clone());
                    }
                },
            }
        }
    }
}
