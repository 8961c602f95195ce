//! Built-in plugin: the map of a namespace, its objects and their relations drawn as a graph
//! (owner references, services selecting pods, ingresses routing to services, pods on nodes,
//! pods mounting claims, claims bound to volumes), written with the public SDK only.

pub mod graph;

use std::collections::BTreeSet;

use headlamp_plugin_sdk::details::str_at;
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

/// The page slot of the map.
pub const MAP_PAGE: &str = "map";

/// The namespace shown when neither the route nor the viewer's filter names one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The namespaced kinds the map draws.
fn namespaced_kinds() -> [Gvk; 10] {
    [
        Gvk::new("apps", "v1", "Deployment"),
        Gvk::new("apps", "v1", "StatefulSet"),
        Gvk::new("apps", "v1", "DaemonSet"),
        Gvk::new("apps", "v1", "ReplicaSet"),
        Gvk::new("batch", "v1", "CronJob"),
        Gvk::new("batch", "v1", "Job"),
        Gvk::core("v1", "Pod"),
        Gvk::core("v1", "Service"),
        Gvk::new("networking.k8s.io", "v1", "Ingress"),
        Gvk::core("v1", "PersistentVolumeClaim"),
    ]
}

/// The objects of `kind` in `namespace` (`None`: cluster-scoped), each with its `kind` set.
fn list(cluster: &str, kind: &Gvk, namespace: Option<&str>) -> Result<Vec<Value>, ClusterError> {
    let mut options = ListOptions::default();
    if let Some(ns) = namespace {
        options = options.namespace(ns);
    }
    let list = cluster::list(cluster, kind, &options)?;
    Ok(list
        .items
        .iter()
        .filter_map(|o| o.value().ok().cloned())
        .collect())
}

/// Everything the map of `namespace` draws: the namespace's objects, and the nodes and volumes
/// its pods and claims use. Kinds the viewer may not list are left out and named in `skipped`.
pub fn objects(cluster: &str, namespace: &str) -> (Vec<Value>, Vec<String>) {
    let mut objects = Vec::new();
    let mut skipped = Vec::new();
    for kind in namespaced_kinds() {
        match list(cluster, &kind, Some(namespace)) {
            Ok(items) => objects.extend(items),
            Err(e) => skipped.push(format!("{}: {e}", kind.kind)),
        }
    }
    let wanted = |kind: &str, path: &[&str]| -> BTreeSet<String> {
        objects
            .iter()
            .filter(|o| str_at(o, &["kind"]) == Some(kind))
            .filter_map(|o| str_at(o, path).map(str::to_owned))
            .collect()
    };
    let nodes = wanted("Pod", &["spec", "nodeName"]);
    let volumes = wanted("PersistentVolumeClaim", &["spec", "volumeName"]);
    for (kind, names) in [
        (Gvk::core("v1", "Node"), nodes),
        (Gvk::core("v1", "PersistentVolume"), volumes),
    ] {
        if names.is_empty() {
            continue;
        }
        match list(cluster, &kind, None) {
            Ok(items) => {
                objects.extend(items.into_iter().filter(|o| {
                    str_at(o, &["metadata", "name"]).is_some_and(|n| names.contains(n))
                }))
            }
            Err(e) => skipped.push(format!("{}: {e}", kind.kind)),
        }
    }
    (objects, skipped)
}

/// The map plugin.
pub struct MapPlugin;

impl Plugin for MapPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        // A top-level entry after the resource groups, as Headlamp places its map.
        Ok(Registration::new()
            .sidebar(
                SidebarEntry::link("map", "Map", "/map")
                    .icon("mdi:map-outline")
                    .order(90),
            )
            .page_route("/map", "Map", MAP_PAGE)
            .route(Route::new(
                "/map/:namespace",
                "Map",
                RouteTarget::Page(MAP_PAGE.to_owned()),
            )))
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::Page(id) if id == MAP_PAGE => {}
            other => {
                return Err(format!(
                    "the map plugin has no view for {other:?}; it renders only the page `{MAP_PAGE}`"
                ));
            }
        }
        let namespace = ctx
            .param("namespace")
            .or(ctx.namespace.as_deref())
            .unwrap_or(DEFAULT_NAMESPACE);
        let (objects, skipped) = objects(&ctx.cluster, namespace);
        let (vertices, edges) = graph::build(&objects);
        let mut view = View::stack().child(View::text(format!(
            "Namespace {namespace}: {} objects, {} relations.",
            vertices.len(),
            edges.len()
        )));
        if !skipped.is_empty() {
            view = view.child(View::error(format!(
                "Some kinds are not on the map because they could not be listed: {}",
                skipped.join("; ")
            )));
        }
        view = if vertices.is_empty() {
            view.child(View::empty(format!(
                "Namespace {namespace} has nothing to draw: no workloads, pods, services, ingresses or claims."
            )))
        } else {
            view.child(View::graph(vertices, edges))
        };
        Ok(view.build())
    }
}

headlamp_plugin_sdk::export_plugin!(MapPlugin);
