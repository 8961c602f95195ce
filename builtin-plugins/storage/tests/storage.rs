//! The storage plugin, driven natively through the SDK's harness.

use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_sdk::{NodeKind, RouteTarget, Tone, View};
use headlamp_plugin_storage::{
    CLAIM_VIEW, CLAIMS_TABLE, CLASS_VIEW, CLASSES_TABLE, StoragePlugin, VOLUMES_TABLE,
};
use serde_json::{Value, json};

fn harness() -> Harness {
    let mut h = Harness::new(StoragePlugin);
    h.init().expect("init succeeds");
    h
}

fn claim(name: &str, phase: &str, volume: Option<&str>) -> Value {
    let mut spec = json!({"accessModes": ["ReadWriteOncePod"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "fast"});
    if let Some(volume) = volume {
        spec["volumeName"] = json!(volume);
    }
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "shop", "creationTimestamp": "2024-02-29T00:00:00Z"},
        "spec": spec, "status": {"phase": phase}})
}

fn volume(name: &str, class: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "storageClassName": class,
                 "claimRef": {"namespace": "shop", "name": "data"}},
        "status": {"phase": "Bound"}})
}

fn texts(row: &[headlamp_plugin_sdk::Cell]) -> Vec<&str> {
    row.iter().map(|c| c.text.as_str()).collect()
}

#[test]
fn init_registers_the_storage_group_routes_and_tables() {
    let reg = Harness::new(StoragePlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "storage").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Storage", 30));
    let target = |path: &str| {
        reg.routes
            .iter()
            .find(|r| r.path == path)
            .unwrap()
            .target
            .clone()
    };
    assert_eq!(
        target("/persistentvolumeclaims"),
        RouteTarget::Table(CLAIMS_TABLE.into())
    );
    assert_eq!(
        target("/persistentvolumeclaims/:namespace/:name"),
        RouteTarget::Details(CLAIM_VIEW.into())
    );
    assert_eq!(
        target("/storageclasses/:name"),
        RouteTarget::Details(CLASS_VIEW.into())
    );
    let volumes = reg.tables.iter().find(|t| t.id == VOLUMES_TABLE).unwrap();
    assert!(!volumes.namespaced);
    let ids: Vec<_> = volumes.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "name",
            "capacity",
            "access-modes",
            "reclaim-policy",
            "status",
            "claim",
            "storage-class",
            "age"
        ]
    );
}

#[test]
fn claim_rows_tone_the_status_and_link_volume_and_class() {
    let h = harness();
    let rows = h
        .rows(
            CLAIMS_TABLE,
            &["status", "volume", "access-modes", "storage-class"],
            &[
                claim("data", "Bound", Some("pv-1")).to_string(),
                claim("new", "Pending", None).to_string(),
            ],
        )
        .unwrap();
    assert_eq!(texts(&rows[0]), ["Bound", "pv-1", "RWOP", "fast"]);
    assert_eq!(rows[0][0].tone, Some(Tone::Success));
    assert_eq!(rows[0][1].link.as_deref(), Some("/persistentvolumes/pv-1"));
    assert_eq!(rows[0][3].link.as_deref(), Some("/storageclasses/fast"));
    assert_eq!(texts(&rows[1]), ["Pending", "", "RWOP", "fast"]);
    assert_eq!(rows[1][0].tone, Some(Tone::Warning));
    assert_eq!(rows[1][1].link, None);
}

#[test]
fn an_unknown_column_or_table_is_a_clear_error() {
    let h = harness();
    let err = h
        .rows(
            CLASSES_TABLE,
            &["size"],
            &[claim("a", "Bound", None).to_string()],
        )
        .unwrap_err();
    assert!(err.contains("no column `size`"), "{err}");
    let err = h
        .rows(
            "pods",
            &["status"],
            &[claim("a", "Bound", None).to_string()],
        )
        .unwrap_err();
    assert!(err.contains("no table `pods`"), "{err}");
}

fn key_value<'v>(view: &'v View, section: &str, key: &str) -> &'v headlamp_plugin_sdk::KeyValue {
    let index = view.find_section(section).expect("section exists");
    view.children_of(index)
        .find_map(|n| match &n.kind {
            NodeKind::KeyValues(items) => items.iter().find(|kv| kv.key == key),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no key `{key}` in section `{section}`"))
}

#[test]
fn a_claim_view_links_its_volume_and_class() {
    let h = harness();
    let view = h
        .render_details(
            CLAIM_VIEW,
            &claim("data", "Bound", Some("pv-1")).to_string(),
        )
        .unwrap();
    let volume = key_value(&view, "data", "Volume");
    assert_eq!(
        (volume.value.as_str(), volume.link.as_deref()),
        ("pv-1", Some("/persistentvolumes/pv-1"))
    );
    assert_eq!(key_value(&view, "data", "Requested").value, "1Gi");
    assert_eq!(
        key_value(&view, "data", "Created").value,
        "2024-02-29T00:00:00Z (24h ago)"
    );
}

#[test]
fn a_class_view_lists_only_the_volumes_of_the_class() {
    let h = harness();
    h.insert(volume("pv-1", "fast"));
    h.insert(volume("pv-2", "slow"));
    let class = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"}, "provisioner": "x"});
    let view = h.render_details(CLASS_VIEW, &class.to_string()).unwrap();
    let section = view.find_section("Persistent volumes").unwrap();
    let table = view
        .children_of(section)
        .find_map(|n| match &n.kind {
            NodeKind::Table(t) => Some(t.clone()),
            _ => None,
        })
        .expect("a volumes table");
    assert_eq!(table.rows.len(), 1);
    assert_eq!(texts(&table.rows[0]), ["pv-1", "1Gi", "Bound", "shop/data"]);
    assert_eq!(
        table.rows[0][3].link.as_deref(),
        Some("/persistentvolumeclaims/shop/data")
    );
    assert_eq!(h.calls()[0].verb, "list");
}

#[test]
fn manifest_asks_only_for_reads_of_storage_kinds() {
    let manifest = include_str!("../plugin.toml");
    assert!(manifest.contains(r#"name = "storage""#));
    assert!(manifest.contains(
        r#"resources = ["persistentvolumeclaims", "persistentvolumes", "storageclasses.storage.k8s.io"]"#
    ));
    assert!(manifest.contains(r#"verbs = ["get", "list", "watch"]"#));
}
