//! The custom resource page, driven natively through the SDK's harness against a fake cluster.

use headlamp_plugin_cluster::{CUSTOM_RESOURCE_PAGE, ClusterPlugin};
use headlamp_plugin_sdk::testing::{CLUSTER, Harness};
use headlamp_plugin_sdk::{NodeKind, RenderContext, Slot, View};
use serde_json::json;

fn harness() -> Harness {
    let mut h = Harness::new(ClusterPlugin);
    h.init().unwrap();
    h.insert(json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "backups.ops.example.com"},
        "spec": {"group": "ops.example.com", "scope": "Cluster",
                 "names": {"kind": "Backup", "plural": "backups"},
                 "versions": [{"name": "v1beta1", "served": true, "storage": false},
                              {"name": "v1", "served": true, "storage": true,
                               "additionalPrinterColumns": [{"name": "Target", "type": "string", "jsonPath": ".spec.target"}]}]}}));
    h.insert(json!({"apiVersion": "ops.example.com/v1", "kind": "Backup",
        "metadata": {"name": "nightly", "uid": "b1"},
        "spec": {"target": "postgres", "schedule": {"cron": "0 2 * * *"}}}));
    h
}

fn render(h: &Harness, params: &[(&str, &str)]) -> Result<View, String> {
    let ctx = params
        .iter()
        .fold(RenderContext::new(CLUSTER), |ctx, (k, v)| {
            ctx.with_param(k, v)
        });
    h.render(&Slot::Page(CUSTOM_RESOURCE_PAGE.into()), &ctx)
}

fn key_value(view: &View, key: &str) -> Option<String> {
    view.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::KeyValues(items) => items.iter().find(|i| i.key == key).map(|i| i.value.clone()),
        _ => None,
    })
}

#[test]
fn a_cluster_scoped_object_is_read_in_the_storage_version_with_its_printer_columns() {
    let h = harness();
    let view = render(
        &h,
        &[
            ("crd", "backups.ops.example.com"),
            ("namespace", "-"),
            ("name", "nightly"),
        ],
    )
    .unwrap();
    assert_eq!(
        key_value(&view, "API version").as_deref(),
        Some("ops.example.com/v1")
    );
    assert_eq!(key_value(&view, "Target").as_deref(), Some("postgres"));
    assert_eq!(key_value(&view, "cron").as_deref(), Some("0 2 * * *"));
    assert!(view.find_section("schedule").is_some());
}

#[test]
fn without_a_crd_the_page_is_the_index_of_definitions() {
    let h = harness();
    let view = render(&h, &[]).unwrap();
    let link = view.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::Table(t) => t.rows[0][0].link.clone(),
        _ => None,
    });
    assert_eq!(link.as_deref(), Some("/crds/backups.ops.example.com"));
}

#[test]
fn an_unknown_crd_is_an_error_naming_it() {
    let h = harness();
    let err = render(
        &h,
        &[
            ("crd", "nope.example.com"),
            ("namespace", "-"),
            ("name", "x"),
        ],
    )
    .unwrap_err();
    assert!(err.contains("nope.example.com"), "{err}");
}
