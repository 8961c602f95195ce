//! The pod and deployment details views.

use headlamp_plugin_sdk::{NodeKind, RenderContext, Slot, Tone, View};
use headlamp_plugin_workloads::{DEPLOYMENT_VIEW, POD_VIEW};
use serde_json::Value;

use crate::fixtures::*;

fn render(view: &str, object: &Value) -> View {
    harness()
        .render_details(view, &object.to_string())
        .expect("the view renders")
}

/// The titles of the sections directly under the root, in order.
fn sections(view: &View) -> Vec<String> {
    view.children_of(view.root)
        .filter_map(|n| match &n.kind {
            NodeKind::Section(title) => Some(title.clone()),
            _ => None,
        })
        .collect()
}

fn key_value(view: &View, section: &str, key: &str) -> String {
    let index = view.find_section(section).expect("section exists");
    view.children_of(index)
        .find_map(|n| match &n.kind {
            NodeKind::KeyValues(items) => items
                .iter()
                .find(|kv| kv.key == key)
                .map(|kv| kv.value.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no key `{key}` in section `{section}`"))
}

#[test]
fn pod_view_has_metadata_containers_conditions_and_yaml() {
    let view = render(POD_VIEW, &crash_looping());
    assert_eq!(
        sections(&view),
        ["api", "Containers", "Conditions", "Events", "YAML"]
    );
    assert_eq!(key_value(&view, "api", "Namespace"), "shop");
    assert_eq!(key_value(&view, "api", "Status"), "CrashLoopBackOff");
    assert_eq!(key_value(&view, "api", "Ready"), "1/2");
    assert_eq!(key_value(&view, "api", "Node"), "node-1");
    assert_eq!(
        key_value(&view, "api", "Controlled by"),
        "ReplicaSet/api-7d4b9c"
    );
    assert_eq!(
        key_value(&view, "api", "Created"),
        "2024-02-20T10:00:00Z (9d ago)"
    );
    let header = view.find_section("api").unwrap();
    assert!(view.children_of(header).any(
        |n| matches!(&n.kind, NodeKind::Badge((t, tone)) if t == "CrashLoopBackOff" && *tone == Tone::Error)
    ));
}

#[test]
fn pod_containers_table_shows_state_ready_restarts_and_ports() {
    let view = render(POD_VIEW, &crash_looping());
    let section = view.find_section("Containers").unwrap();
    let table = view
        .children_of(section)
        .find_map(|n| match &n.kind {
            NodeKind::Table(t) => Some(t.clone()),
            _ => None,
        })
        .expect("a containers table");
    assert_eq!(
        table.columns,
        ["Name", "Image", "State", "Ready", "Restarts", "Ports"]
    );
    let texts: Vec<Vec<&str>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .collect();
    assert_eq!(
        texts,
        [
            [
                "app",
                "registry.example.com/app:1.4.2",
                "Waiting: CrashLoopBackOff",
                "No",
                "7",
                "http:8080/TCP"
            ],
            [
                "metrics",
                "registry.example.com/metrics:1.4.2",
                "Running",
                "Yes",
                "0",
                "http:8080/TCP"
            ],
        ]
    );
    assert_eq!(table.rows[0][2].tone, Some(Tone::Error));
}

#[test]
fn pod_with_init_containers_has_an_init_containers_section() {
    let view = render(POD_VIEW, &init_running());
    assert_eq!(
        sections(&view),
        [
            "migrate",
            "Init containers",
            "Containers",
            "Conditions",
            "Events",
            "YAML"
        ]
    );
}

#[test]
fn pod_conditions_and_yaml_carry_the_object() {
    let view = render(POD_VIEW, &pending_unscheduled());
    let section = view.find_section("Conditions").unwrap();
    let conditions = view
        .children_of(section)
        .find_map(|n| match &n.kind {
            NodeKind::Conditions(c) => Some(c.clone()),
            _ => None,
        })
        .expect("conditions");
    assert_eq!(conditions[0].kind, "PodScheduled");
    assert_eq!(conditions[0].reason.as_deref(), Some("Unschedulable"));
    let yaml = view.find_section("YAML").unwrap();
    assert!(view.children_of(yaml).any(
        |n| matches!(&n.kind, NodeKind::Code((lang, text)) if lang == "yaml" && text.contains("name: big"))
    ));
}

#[test]
fn deployment_view_has_metadata_replicas_conditions_history_pods_events_and_yaml() {
    let d = deployment(
        "web",
        Some(3),
        2,
        deployment_conditions(&[("Available", "True", "MinimumReplicasAvailable")]),
    );
    let view = render(DEPLOYMENT_VIEW, &d);
    assert_eq!(
        sections(&view),
        [
            "web",
            "Replicas",
            "Conditions",
            "Revision history",
            "Pods",
            "Events",
            "YAML"
        ]
    );
    assert_eq!(key_value(&view, "web", "Selector"), "app=web");
    assert_eq!(key_value(&view, "web", "Strategy"), "RollingUpdate");
    assert_eq!(key_value(&view, "Replicas", "Desired"), "3");
    assert_eq!(key_value(&view, "Replicas", "Available"), "2");
    assert_eq!(key_value(&view, "Replicas", "Unavailable"), "1");
}

#[test]
fn deployment_without_conditions_says_so() {
    let view = render(
        DEPLOYMENT_VIEW,
        &deployment("new", Some(1), 0, deployment_conditions(&[])),
    );
    let section = view.find_section("Conditions").unwrap();
    assert!(
        view.children_of(section)
            .any(|n| matches!(&n.kind, NodeKind::Empty(_)))
    );
}

#[test]
fn unknown_slot_and_missing_object_are_clear_errors() {
    let h = harness();
    let err = h
        .render(&Slot::Page("overview".into()), &RenderContext::new("test"))
        .unwrap_err();
    assert!(
        err.contains("no view for") && err.contains("`pod`"),
        "{err}"
    );
    let err = h
        .render(
            &Slot::DetailsView(POD_VIEW.into()),
            &RenderContext::new("test"),
        )
        .unwrap_err();
    assert!(err.contains("no object"), "{err}");
}
