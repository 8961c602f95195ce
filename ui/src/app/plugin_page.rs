//! A plugin page (a route whose target is a `page`, such as an overview or the map): the
//! kernel has the routing plugin render it, and the view tree is drawn. Refreshed every few
//! seconds, as details pages are, so counts and charts follow the cluster.

use dioxus::prelude::*;

use super::net;
use super::pages::ErrorBox;
use super::view::ViewTree;
use crate::model::View;
use crate::routes::cluster_path;

/// How often an open page asks for a fresh rendering.
const REFRESH_MS: i32 = 5_000;

/// Page `slot` of cluster `cluster`, with the namespace filter and the route's parameters.
#[component]
pub fn PluginPage(
    cluster: String,
    slot: String,
    title: String,
    namespace: Option<String>,
    params: Vec<(String, String)>,
) -> Element {
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
        let (cluster, slot, namespace, params) = (
            cluster.clone(),
            slot.clone(),
            namespace.clone(),
            params.clone(),
        );
        use_resource(move || {
            let _ = tick();
            let (cluster, slot, namespace) = (cluster.clone(), slot.clone(), namespace.clone());
            let params: serde_json::Map<String, serde_json::Value> = params
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            async move {
                net::post::<View, _>(
                    &format!("/api/v1/pages/{slot}"),
                    &serde_json::json!({ "cluster": cluster, "namespace": namespace, "params": params }),
                )
                .await
            }
        })
    };
    // Keep the last good tree while a refresh is in flight, so the page does not flicker.
    let mut last = use_signal(|| None::<Result<View, String>>);
    if let Some(result) = tree.read().clone()
        && last.peek().as_ref() != Some(&result)
    {
        last.set(Some(result));
    }
    let prefix = cluster_path(&cluster, "/");
    rsx! {
        div { class: "page plugin-page",
            h1 { "{title}" }
            match last() {
                None => rsx! { p { class: "muted", "Loading…" } },
                Some(Err(e)) => rsx! { ErrorBox { message: e } },
                Some(Ok(tree)) => rsx! { ViewTree { tree, prefix } },
            }
        }
    }
}
