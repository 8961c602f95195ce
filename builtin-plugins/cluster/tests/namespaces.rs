//! The cluster plugin, driven natively through the SDK's harness.

use headlamp_plugin_cluster::{ClusterPlugin, NAMESPACE_VIEW, NAMESPACES_TABLE};
use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_sdk::{
    CellFormat, ColumnSource, KeyValue, NodeKind, RenderContext, RouteTarget, Slot, Tone, View,
};
use serde_json::json;

/// `kubectl get ns team-a -o json`, trimmed of nothing that matters.
fn active() -> String {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "annotations": {"owner": "alice", "cost-center": "42"},
            "creationTimestamp": "2024-02-25T00:00:00Z",
            "labels": {"kubernetes.io/metadata.name": "team-a", "env": "prod"},
            "managedFields": [{
                "apiVersion": "v1", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:env": {}}}},
                "manager": "kubectl-create", "operation": "Update",
                "time": "2024-02-25T00:00:00Z"
            }],
            "name": "team-a",
            "resourceVersion": "4711",
            "uid": "0f6e4d2c-8a4b-4c1e-9a53-3c2b1d7e9f10"
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
    .to_string()
}

fn terminating() -> String {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "creationTimestamp": "2024-02-29T23:00:00Z",
            "deletionTimestamp": "2024-02-29T23:59:00Z",
            "name": "old",
            "uid": "11111111-2222-3333-4444-555555555555"
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {
            "phase": "Terminating",
            "conditions": [{
                "type": "NamespaceContentRemaining",
                "status": "True",
                "reason": "SomeResourcesRemain",
                "message": "Some resources are remaining: pods. has 2 resource instances",
                "lastTransitionTime": "2024-02-29T23:59:05Z"
            }]
        }
    })
    .to_string()
}

fn harness() -> Harness {
    let mut h = Harness::new(ClusterPlugin);
    h.init().expect("init succeeds");
    h
}

#[test]
fn init_registers_sidebar_routes_table_and_details_view() {
    let mut h = Harness::new(ClusterPlugin);
    let reg = h.init().unwrap();

    let group = reg.sidebar.iter().find(|e| e.id == "cluster").unwrap();
    assert_eq!(group.label, "Cluster");
    assert!(group.icon.is_some());
    assert_eq!(group.route, None);
    let entry = reg
        .sidebar
        .iter()
        .find(|e| e.label == "Namespaces")
        .unwrap();
    assert_eq!(entry.parent.as_deref(), Some("cluster"));
    assert_eq!(entry.route.as_deref(), Some("/namespaces"));

    let route = |path: &str| reg.routes.iter().find(|r| r.path == path).unwrap();
    assert_eq!(
        route("/namespaces").target,
        RouteTarget::Table(NAMESPACES_TABLE.into())
    );
    assert_eq!(
        route("/namespaces/:name").target,
        RouteTarget::Details(NAMESPACE_VIEW.into())
    );

    let table = &reg.tables[0];
    assert_eq!(table.id, "namespaces");
    assert_eq!(
        (table.kind.group.as_str(), table.kind.version.as_str()),
        ("", "v1")
    );
    assert_eq!(table.kind.kind, "Namespace");
    assert_eq!(table.plural, "namespaces");
    assert!(!table.namespaced);
    let ids: Vec<_> = table.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["name", "status", "age", "labels"]);
    assert_eq!(
        table.columns[0].source,
        ColumnSource::JsonPath(".metadata.name".into())
    );
    assert_eq!(table.columns[1].source, ColumnSource::Computed);
    assert_eq!(
        table.columns[2].source,
        ColumnSource::JsonPath(".metadata.creationTimestamp".into())
    );
    assert_eq!(table.columns[2].format, CellFormat::Age);
    assert_eq!(table.columns[3].source, ColumnSource::Computed);
    assert_eq!(table.columns[3].format, CellFormat::Labels);
    assert_eq!(table.default_sort.as_ref().unwrap().column, "name");
    assert!(!table.default_sort.as_ref().unwrap().descending);
    assert_eq!(table.details_route.as_deref(), Some("/namespaces/:name"));

    assert_eq!(reg.details_views[0].id, NAMESPACE_VIEW);
    assert_eq!(reg.details_views[0].kind.kind, "Namespace");
}

#[test]
fn rows_give_toned_status_and_sorted_labels_in_requested_order() {
    let h = harness();
    let rows = h
        .rows(
            NAMESPACES_TABLE,
            &["status", "labels"],
            &[active(), terminating()],
        )
        .unwrap();

    assert_eq!(rows[0][0].text, "Active");
    assert_eq!(rows[0][0].tone, Some(Tone::Success));
    assert_eq!(
        rows[0][1].text,
        "env=prod, kubernetes.io/metadata.name=team-a"
    );
    assert_eq!(rows[1][0].text, "Terminating");
    assert_eq!(rows[1][0].tone, Some(Tone::Warning));
    assert_eq!(rows[1][1].text, "");

    let swapped = h
        .rows(NAMESPACES_TABLE, &["labels", "status"], &[active()])
        .unwrap();
    assert_eq!(swapped[0][1].text, "Active");
}

#[test]
fn rows_of_a_namespace_without_status_say_unknown() {
    let h = harness();
    let bare = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"new"}}"#;
    let rows = h.rows(NAMESPACES_TABLE, &["status"], &[bare]).unwrap();
    assert_eq!(rows[0][0].text, "Unknown");
    assert_eq!(rows[0][0].tone, Some(Tone::Neutral));
}

#[test]
fn rows_for_a_thousand_namespaces_answer_one_row_each() {
    let h = harness();
    let objects: Vec<String> = (0..1000)
        .map(|i| active().replace("team-a", &format!("team-{i}")))
        .collect();
    let rows = h
        .rows(NAMESPACES_TABLE, &["status", "labels"], &objects)
        .unwrap();
    assert_eq!(rows.len(), 1000);
    assert_eq!(
        rows[999][1].text,
        "env=prod, kubernetes.io/metadata.name=team-999"
    );
}

#[test]
fn rows_of_unknown_table_or_column_name_it_in_the_error() {
    let h = harness();
    let err = h.rows("pods", &["status"], &[active()]).unwrap_err();
    assert!(err.contains("no table `pods`"), "{err}");
    let err = h
        .rows(NAMESPACES_TABLE, &["owner"], &[active()])
        .unwrap_err();
    assert!(err.contains("no column `owner`"), "{err}");
}

#[test]
fn rows_of_broken_json_are_an_error_not_a_panic() {
    let h = harness();
    let err = h
        .rows(NAMESPACES_TABLE, &["status"], &["{\"metadata\": 3"])
        .unwrap_err();
    assert!(err.contains("namespace"), "{err}");
}

fn key_values(view: &View, section: &str) -> Vec<KeyValue> {
    let index = view.find_section(section).expect("section exists");
    match &view
        .children_of(index)
        .next()
        .expect("section has a child")
        .kind
    {
        NodeKind::KeyValues(items) => items.clone(),
        other => panic!("expected key-values, got {other:?}"),
    }
}

#[test]
fn details_view_shows_header_yaml_and_no_conditions_when_there_are_none() {
    let h = harness();
    let view = h.render_details(NAMESPACE_VIEW, &active()).unwrap();

    let kv = key_values(&view, "team-a");
    let get = |key: &str| kv.iter().find(|k| k.key == key).unwrap().value.clone();
    let keys: Vec<_> = kv.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(
        keys,
        ["Name", "Status", "UID", "Created", "Labels", "Annotations"]
    );
    assert_eq!(get("Name"), "team-a");
    assert_eq!(get("Status"), "Active");
    assert_eq!(get("UID"), "0f6e4d2c-8a4b-4c1e-9a53-3c2b1d7e9f10");
    // The fake clock stands at 2024-03-01T00:00:00Z.
    assert_eq!(get("Created"), "2024-02-25T00:00:00Z (5d ago)");
    assert_eq!(
        get("Labels"),
        "env=prod, kubernetes.io/metadata.name=team-a"
    );
    assert_eq!(get("Annotations"), "cost-center=42, owner=alice");

    assert_eq!(view.find_section("Conditions"), None);
    let yaml = view.find_section("YAML").unwrap();
    match &view.children_of(yaml).next().unwrap().kind {
        NodeKind::Code((lang, text)) => {
            assert_eq!(lang, "yaml");
            assert!(text.contains("name: team-a"), "{text}");
            assert!(text.contains("phase: Active"), "{text}");
        }
        other => panic!("expected code, got {other:?}"),
    }
}

#[test]
fn details_view_of_terminating_namespace_lists_its_conditions() {
    let h = harness();
    let view = h.render_details(NAMESPACE_VIEW, &terminating()).unwrap();
    let section = view.find_section("Conditions").expect("conditions shown");
    match &view.children_of(section).next().unwrap().kind {
        NodeKind::Conditions(list) => {
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].kind, "NamespaceContentRemaining");
            assert_eq!(list[0].status, "True");
            assert_eq!(list[0].reason.as_deref(), Some("SomeResourcesRemain"));
            assert_eq!(
                list[0].last_transition.as_deref(),
                Some("2024-02-29T23:59:05Z")
            );
        }
        other => panic!("expected conditions, got {other:?}"),
    }
}

#[test]
fn render_of_unknown_slot_names_the_slot_in_the_error() {
    let h = harness();
    let ctx = RenderContext::new("test").with_object(active());
    let err = h
        .render(&Slot::DetailsView("pod".into()), &ctx)
        .unwrap_err();
    assert!(err.contains("pod"), "{err}");
    let err = h.render(&Slot::Page("nowhere".into()), &ctx).unwrap_err();
    assert!(err.contains("nowhere"), "{err}");
}

#[test]
fn details_view_without_object_is_an_error() {
    let h = harness();
    let err = h
        .render(
            &Slot::DetailsView(NAMESPACE_VIEW.into()),
            &RenderContext::new("test"),
        )
        .unwrap_err();
    assert!(err.contains("no object"), "{err}");
}
