//! What `init` registers, and the errors of calls it did not register.

use headlamp_plugin_sdk::testing::Harness;
use headlamp_plugin_sdk::{ActionPlacement, CellFormat, ColumnSource, RouteTarget};
use headlamp_plugin_workloads::{
    DEPLOYMENT_VIEW, DEPLOYMENTS_TABLE, POD_VIEW, PODS_TABLE, RESUME, SUSPEND, TRIGGER,
    WorkloadsPlugin, kinds,
};

use crate::fixtures::*;

#[test]
fn init_registers_the_workloads_group_and_its_entries() {
    let reg = Harness::new(WorkloadsPlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "workloads").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Workloads", 20));
    assert_eq!(group.route.as_deref(), Some("/workloads"));
    assert_eq!(
        target_of(&reg, "/workloads"),
        RouteTarget::Page("workloads-overview".into())
    );
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
    assert_eq!(
        views,
        [
            POD_VIEW,
            DEPLOYMENT_VIEW,
            "statefulset",
            "daemonset",
            "replicaset",
            "job",
            "cronjob",
            "horizontalpodautoscaler",
            "poddisruptionbudget"
        ]
    );
}

fn target_of(reg: &headlamp_plugin_sdk::Registration, path: &str) -> RouteTarget {
    reg.routes
        .iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("no route {path}"))
        .target
        .clone()
}

#[test]
fn every_kind_has_a_table_with_name_namespace_first_and_age_last() {
    let reg = Harness::new(WorkloadsPlugin).init().unwrap();
    for kind in kinds::ALL {
        let t = reg.tables.iter().find(|t| t.id == kind.table).unwrap();
        let ids: Vec<_> = t.columns.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids[..2], ["name", "namespace"], "{}", kind.table);
        assert_eq!(ids.last(), Some(&"age"), "{}", kind.table);
        assert_eq!(t.kind.kind, kind.kind);
        let details = format!("/{}/:namespace/:name", kind.table);
        assert_eq!(t.details_route.as_deref(), Some(details.as_str()));
        assert_eq!(
            target_of(&reg, &details),
            RouteTarget::Details(kind.view.into())
        );
    }
    let cron = reg.tables.iter().find(|t| t.id == "cronjobs").unwrap();
    let ids: Vec<_> = cron.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "name",
            "namespace",
            "schedule",
            "when",
            "suspend",
            "active",
            "last-schedule",
            "age"
        ]
    );
}

#[test]
fn cron_job_actions_sit_in_the_cron_jobs_row_menu() {
    let reg = Harness::new(WorkloadsPlugin).init().unwrap();
    let actions: Vec<_> = reg
        .actions
        .iter()
        .map(|a| (a.id.as_str(), a.placement.clone()))
        .collect();
    let row = || ActionPlacement::Row("cronjobs".into());
    assert_eq!(
        actions,
        [(SUSPEND, row()), (RESUME, row()), (TRIGGER, row())]
    );
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
fn manifest_reads_workload_kinds_and_writes_only_what_cron_job_actions_need() {
    let manifest = include_str!("../../plugin.toml");
    assert!(manifest.contains(r#"name = "workloads""#));
    for kind in kinds::ALL {
        let resource = if kind.group.is_empty() {
            kind.table.to_owned()
        } else {
            format!("{}.{}", kind.table, kind.group)
        };
        assert!(manifest.contains(&format!("\"{resource}\"")), "{resource}");
    }
    assert!(manifest.contains(r#"verbs = ["get", "list", "watch"]"#));
    assert!(manifest.contains("resources = [\"cronjobs.batch\"]\nverbs = [\"patch\"]"));
    assert!(manifest.contains("resources = [\"jobs.batch\"]\nverbs = [\"create\"]"));
    assert_eq!(manifest.matches("verbs = ").count(), 3);
}
