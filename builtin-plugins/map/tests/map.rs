//! The map plugin, driven natively through the SDK's harness against a fake cluster.

use headlamp_plugin_map::MapPlugin;
use headlamp_plugin_sdk::testing::{CLUSTER, Harness};
use headlamp_plugin_sdk::{Gvk, NodeKind, RenderContext, Slot, View};
use serde_json::json;

fn harness() -> Harness {
    let mut h = Harness::new(MapPlugin);
    h.init().unwrap();
    h.insert(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"nodeName": "node-1"}, "status": {"phase": "Running"}}));
    h.insert(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"}, "spec": {"selector": {"app": "web"}}}));
    h.insert(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}}));
    h.insert(json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-9"}}));
    h.insert(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "other", "namespace": "default"}, "spec": {"nodeName": "node-9"}}));
    h
}

fn graph(view: &View) -> (Vec<String>, Vec<(String, String)>) {
    view.nodes
        .iter()
        .find_map(|n| match &n.kind {
            NodeKind::Graph((vertices, edges)) => Some((
                vertices.iter().map(|v| v.id.clone()).collect(),
                edges
                    .iter()
                    .map(|e| (e.source.clone(), e.target.clone()))
                    .collect(),
            )),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn the_map_of_a_namespace_draws_its_objects_and_the_nodes_they_run_on() {
    let h = harness();
    let ctx = RenderContext::new(CLUSTER).with_param("namespace", "shop");
    let view = h.render(&Slot::Page("map".into()), &ctx).unwrap();
    let (vertices, edges) = graph(&view);
    assert_eq!(
        vertices,
        ["Node/node-1", "Pod/shop/web-1", "Service/shop/web"]
    );
    assert_eq!(
        edges,
        [
            ("Pod/shop/web-1".to_owned(), "Node/node-1".to_owned()),
            ("Service/shop/web".to_owned(), "Pod/shop/web-1".to_owned()),
        ]
    );
}

#[test]
fn a_kind_the_viewer_may_not_list_is_named_and_the_rest_still_drawn() {
    let h = harness();
    h.cluster(|fake| fake.deny(Gvk::core("v1", "Service")));
    let ctx = RenderContext::new(CLUSTER).with_param("namespace", "shop");
    let view = h.render(&Slot::Page("map".into()), &ctx).unwrap();
    assert!(
        view.nodes
            .iter()
            .any(|n| matches!(&n.kind, NodeKind::Error(e) if e.contains("Service"))),
        "{view:?}"
    );
    assert_eq!(graph(&view).0, ["Node/node-1", "Pod/shop/web-1"]);
}

#[test]
fn an_empty_namespace_says_there_is_nothing_to_draw() {
    let h = harness();
    let ctx = RenderContext::new(CLUSTER).with_param("namespace", "empty");
    let view = h.render(&Slot::Page("map".into()), &ctx).unwrap();
    assert!(format!("{view:?}").contains("nothing to draw"), "{view:?}");
}
