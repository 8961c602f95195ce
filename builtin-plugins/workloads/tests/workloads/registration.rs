//! What `init` registers, and the errors of calls it did not register.

use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_sdk::{CellFormat, ColumnSource, RouteTarget};
use headlamp_plugin_workloads::{
    DEPLOYMENT_VIEW, DEPLOYMENTS_TABLE, POD_VIEW, PODS_TABLE, WorkloadsPlugin,
};

use crate::fixtures::*;

#[test]
fn init_registers_the_workloads_group_and_its_entries() {
    let reg = Harness::new(WorkloadsPlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "workloads").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Workloads", 20));
    let route_of = |label: &str| {
        let entry = reg.sidebar.iter().find(|e| e.label == label).unwrap();
        assert_eq!(entry.parent.as_deref(), Some("workloads"));
        entry.route.clone()
    };
    assert_eq!(route_of("Pods").as_deref(), Some("/pods"));
    assert_eq!(route_of("Deployments").as_deref(), Some("/deployments"));

    let target = |path: &str| {
        reg.routes
            .iter()
            .find(|r| r.path == path)
            .unwrap()
            .target
            .clone()
    };
    assert_eq!(target("/pods"), RouteTarget::Table(PODS_TABLE.into()));
    assert_eq!(
        target("/pods/:namespace/:name"),
        RouteTarget::Details(POD_VIEW.into())
    );
    assert_eq!(
        target("/deployments"),
        RouteTarget::Table(DEPLOYMENTS_TABLE.into())
    );
    assert_eq!(
        target("/deployments/:namespace/:name"),
        RouteTarget::Details(DEPLOYMENT_VIEW.into())
    );
    let views: Vec<_> = reg.details_views.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(views, [POD_VIEW, DEPLOYMENT_VIEW]);
}

#[test]
fn pods_table_has_kubectl_columns() {
    let reg = Harness::new(WorkloadsPlugin).init().unwrap();
    let t = reg.tables.iter().find(|t| t.id == PODS_TABLE).unwrap();
    assert_eq!(
        (
            t.kind.group.as_str(),
            t.kind.version.as_str(),
            t.kind.kind.as_str()
        ),
        ("", "v1", "Pod")
    );
    assert_eq!(t.plural, "pods");
    assert!(t.namespaced);
    let ids: Vec<_> = t.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "name",
            "namespace",
            "ready",
            "status",
            "restarts",
            "ip",
            "node",
            "age"
        ]
    );
    let source = |id: &str| {
        t.columns
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .source
            .clone()
    };
    assert_eq!(source("ip"), ColumnSource::JsonPath(".status.podIP".into()));
    assert_eq!(
        source("node"),
        ColumnSource::JsonPath(".spec.nodeName".into())
    );
    assert_eq!(source("status"), ColumnSource::Computed);
    assert_eq!(t.columns.last().unwrap().format, CellFormat::Age);
    assert_eq!(t.details_route.as_deref(), Some("/pods/:namespace/:name"));
}

#[test]
fn deployments_table_has_headlamp_columns() {
    let reg = Harness::new(WorkloadsPlugin).init().unwrap();
    let t = reg
        .tables
        .iter()
        .find(|t| t.id == DEPLOYMENTS_TABLE)
        .unwrap();
    assert_eq!(
        (t.kind.group.as_str(), t.kind.kind.as_str()),
        ("apps", "Deployment")
    );
    let ids: Vec<_> = t.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "name",
            "namespace",
            "pods",
            "replicas",
            "conditions",
            "containers",
            "images",
            "age"
        ]
    );
    assert_eq!(
        t.details_route.as_deref(),
        Some("/deployments/:namespace/:name")
    );
}

#[test]
fn rows_of_an_unknown_table_is_a_clear_error() {
    let h = harness();
    let err = h
        .rows("services", &["type"], &[running_ready().to_string()])
        .unwrap_err();
    assert!(err.contains("no table `services`"), "{err}");
}

#[test]
fn manifest_asks_only_for_reads_of_workload_kinds() {
    let manifest = include_str!("../../plugin.toml");
    assert!(manifest.contains(r#"name = "workloads""#));
    assert!(
        manifest
            .contains(r#"resources = ["pods", "deployments.apps", "replicasets.apps", "events"]"#)
    );
    assert!(manifest.contains(r#"verbs = ["get", "list", "watch"]"#));
}
