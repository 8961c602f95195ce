//! A details page: asks the kernel to have the view's plugin render the object, then draws
//! the view tree. Refreshed every few seconds, so the page follows the object.

use dioxus::prelude::*;

use super::object_actions::{ObjectActions, PageActions, after_action};
use super::pages::ErrorBox;
use super::pod_tools::PodTabs;
use super::view::ViewObject;
use super::view::ViewTree;
use super::{Shared, net};
use crate::actions::Target;
use crate::model::{RouteTarget, View};
use crate::routes::cluster_path;

/// How often an open details page asks for a fresh rendering.
const REFRESH_MS: i32 = 5_000;

/// The details page of one object.
#[component]
pub fn DetailsPage(
    cluster: String,
    view: String,
    title: String,
    namespace: Option<String>,
    name: String,
) -> Element {
    let shared = use_context::<Shared>();
    let mut tick = use_signal(|| 0u64);
    use_hook(|| {
        spawn(async move {
            loop {
                net::sleep(REFRESH_MS).await;
                tick += 1;
            }
        })
    });
    let tree = {
        let (cluster, view, namespace, name) = (
            cluster.clone(),
            view.clone(),
            namespace.clone(),
            name.clone(),
        );
        use_resource(move || {
            let _ = tick();
            let (cluster, view, namespace, name) = (
                cluster.clone(),
                view.clone(),
                namespace.clone(),
                name.clone(),
            );
            async move {
                net::post::<View, _>(
                    &format!("/api/v1/details/{view}"),
                    &serde_json::json!({ "cluster": cluster, "namespace": namespace, "name": name }),
                )
                .await
            }
        })
    };
    // The view's action buttons act on this object, through the header's dialogs and with the
    // actions its live row allows.
    let open = use_signal(|| None);
    let row_actions = use_signal(|| None);
    use_context_provider(|| PageActions { open, row_actions });
    {
        let (cluster, view, namespace, name) = (
            cluster.clone(),
            view.clone(),
            namespace.clone(),
            name.clone(),
        );
        use_context_provider(move || {
            let registry = match &*shared.registry.peek() {
                Some(Ok(r)) => Some(r.clone()),
                _ => None,
            };
            let spec = registry
                .as_ref()
                .and_then(|r| r.details_view(&view).cloned());
            let table = registry
                .as_ref()
                .zip(spec.as_ref())
                .and_then(|(r, s)| r.table_of_kind(&s.kind).cloned());
            let list_route = registry.as_ref().zip(table.as_ref()).and_then(|(r, t)| {
                r.routes
                    .iter()
                    .find(|route| route.target == RouteTarget::Table(t.id.clone()))
                    .map(|route| cluster_path(&cluster, &route.path))
            });
            spec.map(|spec| ViewObject {
                cluster: cluster.clone(),
                target: Target {
                    kind: spec.kind.clone(),
                    namespace: namespace.clone(),
                    name: name.clone(),
                },
                plural: table.map(|t| t.plural),
                plugin: spec.plugin.clone(),
                done: after_action(list_route, EventHandler::new(move |_| tick += 1)),
            })
        });
    }
    // Keep the last good tree while a refresh is in flight, so the page does not flicker.
    let mut last = use_signal(|| None::<Result<View, String>>);
    if let Some(result) = tree.read().clone()
        && last.peek().as_ref() != Some(&result)
    {
        last.set(Some(result));
    }
    // Pods get the logs, terminal and port-forward tabs, whichever plugin draws their view.
    let pod_namespace = namespace.clone().filter(|_| {
        shared.registry.read().as_ref().is_some_and(|r| {
            r.as_ref().is_ok_and(|r| {
                r.details_view(&view)
                    .is_some_and(|v| v.kind.group.is_empty() && v.kind.kind == "Pod")
            })
        })
    });
    let prefix = cluster_path(&cluster, "/");
    let qualified = match &namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.clone(),
    };
    rsx! {
        div { class: "page details",
            div { class: "toolbar",
                h1 { span { class: "muted kind", "{title} " } "{qualified}" }
                div { class: "spacer" }
                ObjectActions {
                    cluster: cluster.clone(),
                    view: view.clone(),
                    namespace: namespace.clone(),
                    name: name.clone(),
                    refresh: move |_| tick += 1,
                }
            }
            match pod_namespace {
                Some(ns) => rsx! {
                    PodTabs { cluster: cluster.clone(), namespace: ns, name: name.clone(),
                        DetailsBody { last: last(), prefix }
                    }
                },
                None => rsx! { DetailsBody { last: last(), prefix } },
            }
        }
    }
}

/// The plugin's view of the object, or why it is not there.
#[component]
fn DetailsBody(last: Option<Result<View, String>>, prefix: String) -> Element {
    match last {
        None => rsx! { p { class: "muted", "Loading…" } },
        Some(Err(e)) => rsx! { ErrorBox { message: e } },
        Some(Ok(tree)) => rsx! { ViewTree { tree, prefix } },
    }
}
