//! The built-in workloads plugin against kube-sim's demo world: the cells of each table, a
//! change reaching a table live, the nodes of each details view, the overview page, the row
//! actions of each kind, and the cron job actions.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::plugin_views::*;
use common::socket::*;
use common::*;
use headlamp_kernel::access::Offer;
use headlamp_kernel::actions::{self, ActionRequest, ActionTarget};
use headlamp_kernel::api::{self, AppState};
use headlamp_kernel::cluster::Gvk;
use headlamp_kernel::host::{PluginHost, RenderContext, Slot};
use headlamp_kernel::identity::Identity;
use headlamp_kernel::registry::MergedRegistry;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube_sim::SimHandle;
use serde_json::{Map, Value, json};

/// The rows of `table` once `ready` holds for them; the demo's kubelet makes pods ready a
/// moment after the cluster comes up.
async fn rows_when(
    host: &PluginHost,
    table: &str,
    namespace: Option<&str>,
    ready: impl Fn(&Map<String, Value>) -> bool,
) -> Map<String, Value> {
    let mut current = rows(host, table, namespace).await;
    for _ in 0..100 {
        if ready(&current) {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        current = rows(host, table, namespace).await;
    }
    panic!("the rows of {table} did not settle: {current:?}");
}

/// The texts of `columns` in the row of `object`.
fn texts(rows: &Map<String, Value>, object: &str, columns: &[&str]) -> Vec<String> {
    let row = rows
        .get(object)
        .unwrap_or_else(|| panic!("no row {object} in {:?}", rows.keys().collect::<Vec<_>>()));
    columns
        .iter()
        .map(|c| {
            row[*c]["text"]
                .as_str()
                .unwrap_or_else(|| panic!("no column {c} in row {object}"))
                .to_owned()
        })
        .collect()
}

/// The key of the only row whose name starts with `prefix`.
fn row_named(rows: &Map<String, Value>, prefix: &str) -> String {
    let keys: Vec<&String> = rows.keys().filter(|k| k.starts_with(prefix)).collect();
    assert_eq!(keys.len(), 1, "rows starting with {prefix}: {keys:?}");
    keys[0].clone()
}

fn gvk(group: &str, version: &str, kind: &str) -> Gvk {
    Gvk {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
    }
}

fn cron_jobs(sim: &SimHandle) -> Api<DynamicObject> {
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("batch", "v1", "CronJob"),
        "cronjobs",
    );
    Api::namespaced_with(sim.client(), "shop", &resource)
}

fn jobs(sim: &SimHandle) -> Api<DynamicObject> {
    let resource =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("batch", "v1", "Job"), "jobs");
    Api::namespaced_with(sim.client(), "shop", &resource)
}

/// Runs the action `action` on the cron job `shop/name`, as the kernel itself.
async fn cron_action(host: &PluginHost, action: &str, name: &str) -> String {
    let request = ActionRequest {
        cluster: "demo".into(),
        action: format!("plugin:workloads:{action}"),
        target: Some(ActionTarget {
            kind: gvk("batch", "v1", "CronJob"),
            namespace: Some("shop".into()),
            name: name.into(),
        }),
        params: Value::Null,
    };
    actions::run(host, &Identity::Kernel, &request)
        .await
        .unwrap_or_else(|e| panic!("{action} on {name}: {e}"))
        .message
}

#[tokio::test]
async fn the_sidebar_opens_the_overview_and_lists_the_kinds_in_headlamps_order() {
    let (_sim, host) = demo().await;
    let kernel = serve_kernel(host).await;
    let registry = registry_json(&kernel, None).await;
    let sidebar = registry["sidebar"].as_array().unwrap();
    let group = sidebar.iter().find(|e| e["id"] == "workloads").unwrap();
    assert_eq!(group["route"], "/workloads");
    let routes: Vec<&str> = group["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["route"].as_str().unwrap())
        .collect();
    assert_eq!(
        routes,
        [
            "/pods",
            "/deployments",
            "/statefulsets",
            "/daemonsets",
            "/replicasets",
            "/jobs",
            "/cronjobs"
        ]
    );
}

#[tokio::test]
async fn replica_sets_show_their_counts_and_link_their_deployment() {
    let (_sim, host) = demo().await;
    let rows = rows_when(&host, "replicasets", Some("shop"), |rows| {
        rows.keys()
            .filter(|k| k.starts_with("shop/frontend-"))
            .any(|k| texts(rows, k, &["ready"]) == ["3"])
    })
    .await;
    let frontend = row_named(&rows, "shop/frontend-");
    assert_eq!(
        texts(&rows, &frontend, &["desired", "current", "ready"]),
        ["3", "3", "3"]
    );
    assert_eq!(
        rows[&frontend]["controlled-by"],
        json!({"text": "Deployment/frontend", "link": "/deployments/shop/frontend"})
    );
    assert_eq!(rows[&frontend]["ready"]["tone"], "Success");
}

#[tokio::test]
async fn stateful_and_daemon_sets_show_ready_and_scheduling_counts() {
    let (_sim, host) = demo().await;
    let sets = rows_when(&host, "statefulsets", None, |rows| {
        texts(rows, "shop/postgres", &["ready"]) == ["1/1"]
    })
    .await;
    assert_eq!(
        sets["shop/postgres"]["ready"],
        json!({"text": "1/1", "tone": "Success"})
    );
    assert_eq!(
        texts(&sets, "shop/postgres", &["images"]),
        ["postgres:16.4"]
    );
    let daemons = rows_when(&host, "daemonsets", None, |rows| {
        texts(rows, "monitoring/node-exporter", &["ready"]) == ["3"]
    })
    .await;
    assert_eq!(
        texts(
            &daemons,
            "monitoring/node-exporter",
            &[
                "desired",
                "current",
                "ready",
                "up-to-date",
                "available",
                "node-selector"
            ]
        ),
        ["3", "3", "3", "3", "3", ""]
    );
}

#[tokio::test]
async fn jobs_show_completions_duration_and_status() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "jobs", Some("shop")).await;
    for job in ["shop/db-migrate", "shop/nightly-report-29000000"] {
        let [completions, duration] =
            <[String; 2]>::try_from(texts(&rows, job, &["completions", "duration"])).unwrap();
        assert_eq!(completions, "1/1");
        // The demo stamps start and completion with two clock reads, which may straddle a second.
        assert!(duration == "0s" || duration == "1s", "{job}: {duration}");
        assert_eq!(
            rows[job]["status"],
            json!({"text": "Complete", "tone": "Success"})
        );
    }
}

#[tokio::test]
async fn cron_jobs_show_the_schedule_in_words_suspend_and_active() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "cronjobs", None).await;
    assert_eq!(
        texts(
            &rows,
            "shop/nightly-report",
            &["schedule", "when", "suspend", "active"]
        ),
        ["0 2 * * *", "every day at 02:00", "False", "0"]
    );
    assert_eq!(
        texts(&rows, "monitoring/heartbeat", &["schedule", "when"]),
        ["* * * * *", "every minute"]
    );
}

#[tokio::test]
async fn the_autoscalers_table_matches_its_snapshot() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "horizontalpodautoscalers", None).await;
    let expected = json!({
        "shop/frontend": {
            "name": {"text": "frontend"},
            "namespace": {"text": "shop"},
            "reference": {"text": "Deployment/frontend", "link": "/deployments/shop/frontend"},
            "targets": {"text": "cpu: 42%/70%"},
            "min-pods": {"text": "2"},
            "max-pods": {"text": "10"},
            "replicas": {"text": "3"}
        }
    });
    assert_eq!(Value::Object(rows), expected);
}

#[tokio::test]
async fn disruption_budgets_show_the_budget_allowed_disruptions_and_selector() {
    let (_sim, host) = demo().await;
    let rows = rows(&host, "poddisruptionbudgets", None).await;
    assert_eq!(
        texts(
            &rows,
            "shop/frontend",
            &[
                "min-available",
                "max-unavailable",
                "allowed-disruptions",
                "selector"
            ]
        ),
        ["2", "N/A", "1", "app=frontend"]
    );
}

/// The kernel's API for `host` with the stream, and a socket subscribed to `table` in `shop`,
/// with the column ids of its first snapshot.
async fn subscribed(host: Arc<PluginHost>, table: &str) -> (Socket, Vec<String>) {
    let app = api::router(AppState::local(host));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/api/v1/stream", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut socket = connect(&url).await;
    send(
        &mut socket,
        json!({"type": "subscribe-table", "id": "t", "cluster": "demo", "table": table,
               "namespace": "shop", "labelSelector": null}),
    )
    .await;
    let snapshot = next_where(&mut socket, "snapshot", is("table-snapshot", "t")).await;
    assert_eq!(snapshot["errors"], json!([]), "{snapshot}");
    let columns = snapshot["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (socket, columns)
}

/// Waits for an upsert of `name` whose cell `column` reads `text`.
async fn upsert_where(
    socket: &mut Socket,
    columns: &[String],
    name: &str,
    column: &str,
    text: &str,
) {
    let at = columns.iter().position(|c| c == column).unwrap();
    next_where(socket, &format!("{name} with {column} {text}"), |m| {
        is("rows", "t")(m)
            && m["upserts"].as_array().is_some_and(|rows| {
                rows.iter()
                    .any(|r| r["object"]["name"] == name && r["cells"][at]["text"] == text)
            })
    })
    .await;
}

#[tokio::test]
async fn scaling_a_stateful_set_in_the_cluster_reaches_its_table_live() {
    let (sim, host) = demo().await;
    let (mut socket, columns) = subscribed(Arc::new(host), "statefulsets").await;
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apps", "v1", "StatefulSet"),
        "statefulsets",
    );
    let sets: Api<DynamicObject> = Api::namespaced_with(sim.client(), "shop", &resource);
    sets.patch(
        "postgres",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 2}})),
    )
    .await
    .unwrap();
    upsert_where(&mut socket, &columns, "postgres", "ready", "2/2").await;
}

#[tokio::test]
async fn suspending_a_cron_job_reaches_its_table_live() {
    let (sim, host) = demo().await;
    let host = Arc::new(host);
    let (mut socket, columns) = subscribed(host.clone(), "cronjobs").await;
    let message = cron_action(&host, "cronjob-suspend", "nightly-report").await;
    assert_eq!(message, "CronJob shop/nightly-report suspended");
    upsert_where(&mut socket, &columns, "nightly-report", "suspend", "True").await;
    let stored = cron_jobs(&sim).get("nightly-report").await.unwrap();
    assert_eq!(stored.data["spec"]["suspend"], true);
}

#[tokio::test]
async fn resuming_a_suspended_cron_job_clears_suspend() {
    let (sim, host) = demo().await;
    cron_action(&host, "cronjob-suspend", "nightly-report").await;
    let again = cron_action(&host, "cronjob-suspend", "nightly-report").await;
    assert_eq!(again, "CronJob shop/nightly-report is already suspended");
    let message = cron_action(&host, "cronjob-resume", "nightly-report").await;
    assert_eq!(message, "CronJob shop/nightly-report resumed");
    let stored = cron_jobs(&sim).get("nightly-report").await.unwrap();
    assert_eq!(stored.data["spec"]["suspend"], false);
}

#[tokio::test]
async fn triggering_a_cron_job_creates_a_job_from_its_template_owned_by_it() {
    let (sim, host) = demo().await;
    let message = cron_action(&host, "cronjob-trigger", "nightly-report").await;
    let name = message
        .strip_prefix("Job shop/")
        .and_then(|m| m.strip_suffix(" created from CronJob shop/nightly-report"))
        .unwrap_or_else(|| panic!("{message}"));
    assert!(name.starts_with("nightly-report-manual-"), "{name}");
    let job = jobs(&sim).get(name).await.unwrap();
    let cron = cron_jobs(&sim).get("nightly-report").await.unwrap();
    let owner = &job.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.uid.as_str()),
        ("CronJob", cron.metadata.uid.as_deref().unwrap())
    );
    assert_eq!(
        job.metadata.annotations.as_ref().unwrap()["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    assert_eq!(
        job.data["spec"]["template"]["spec"]["containers"][0]["image"],
        "busybox:1.36"
    );
}

#[tokio::test]
async fn rows_offer_the_generic_actions_that_apply_to_their_kind() {
    let (_sim, host) = demo().await;
    let registry = MergedRegistry::build(&host);
    let offers = |table: &str, kind: Gvk| -> Vec<String> {
        Offer::for_table(&registry, table, &kind)
            .into_iter()
            .map(|o| o.id)
            .collect()
    };
    let apps = |kind: &str| gvk("apps", "v1", kind);
    assert_eq!(
        offers("statefulsets", apps("StatefulSet")),
        ["edit", "delete", "scale", "rollout-restart"]
    );
    assert_eq!(
        offers("replicasets", apps("ReplicaSet")),
        ["edit", "delete", "scale"]
    );
    assert_eq!(
        offers("daemonsets", apps("DaemonSet")),
        ["edit", "delete", "rollout-restart"]
    );
    assert_eq!(
        offers("jobs", gvk("batch", "v1", "Job")),
        ["edit", "delete"]
    );
    assert_eq!(
        offers("cronjobs", gvk("batch", "v1", "CronJob")),
        [
            "edit",
            "delete",
            "plugin:workloads:cronjob-suspend",
            "plugin:workloads:cronjob-resume",
            "plugin:workloads:cronjob-trigger"
        ]
    );
}

#[tokio::test]
async fn a_deployment_view_has_its_revisions_pods_and_events() {
    let (_sim, host) = demo().await;
    let mut v = view(&host, "deployment", Some("shop"), "frontend").await;
    for _ in 0..100 {
        if table_rows_in(&v, "Pods") == 3 && table_rows_in(&v, "Events") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        v = view(&host, "deployment", Some("shop"), "frontend").await;
    }
    assert_eq!(
        section_titles(&v),
        [
            "frontend",
            "Replicas",
            "Conditions",
            "Revision history",
            "Pods",
            "Events",
            "YAML"
        ]
    );
    let revisions = table(&v, "Revision history").1;
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    assert_eq!(revisions[0][0]["text"], "1");
    let set = revisions[0][1]["text"].as_str().unwrap();
    assert_eq!(revisions[0][1]["link"], format!("/replicasets/shop/{set}"));
    assert_eq!(revisions[0][2]["text"], "nginx:1.27");
    let pods = table(&v, "Pods").1;
    assert_eq!(pods.len(), 3, "{pods:?}");
    for pod in &pods {
        let name = pod[0]["text"].as_str().unwrap();
        assert_eq!(pod[0]["link"], format!("/pods/shop/{name}"));
    }
    let reasons: Vec<Value> = table(&v, "Events")
        .1
        .into_iter()
        .map(|e| e[1]["text"].clone())
        .collect();
    assert!(reasons.contains(&json!("ScalingReplicaSet")), "{reasons:?}");
}

#[tokio::test]
async fn owned_objects_link_their_owner_and_owners_list_what_they_own() {
    let (_sim, host) = demo().await;
    let job = view(&host, "job", Some("shop"), "nightly-report-29000000").await;
    assert_eq!(
        section_titles(&job),
        [
            "nightly-report-29000000",
            "Pod counts",
            "Conditions",
            "Pods",
            "Events",
            "YAML"
        ]
    );
    assert_eq!(
        key_values(&job, "nightly-report-29000000")["Controlled by"],
        json!({"value": "CronJob/nightly-report", "link": "/cronjobs/shop/nightly-report"})
    );
    assert_eq!(
        table(&job, "Pods").1[0][0],
        json!({"text": "nightly-report-29000000-x7k2p", "link": "/pods/shop/nightly-report-29000000-x7k2p"})
    );
    let pod = view(&host, "pod", Some("shop"), "db-migrate-x7k2p").await;
    assert_eq!(
        key_values(&pod, "db-migrate-x7k2p")["Controlled by"],
        json!({"value": "Job/db-migrate", "link": "/jobs/shop/db-migrate"})
    );
    assert!(section_titles(&pod).contains(&"Events".to_owned()));
    let cron = view(&host, "cronjob", Some("shop"), "nightly-report").await;
    assert_eq!(
        section_titles(&cron),
        ["nightly-report", "Jobs", "Events", "YAML"]
    );
    assert_eq!(
        key_values(&cron, "nightly-report")["When"]["value"],
        "every day at 02:00"
    );
    assert_eq!(
        table(&cron, "Jobs").1[0][0],
        json!({"text": "nightly-report-29000000", "link": "/jobs/shop/nightly-report-29000000"})
    );
}

#[tokio::test]
async fn set_autoscaler_and_budget_views_show_their_pods_and_targets() {
    let (_sim, host) = demo().await;
    let mut set = view(&host, "statefulset", Some("shop"), "postgres").await;
    for _ in 0..100 {
        if table_rows_in(&set, "Pods") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        set = view(&host, "statefulset", Some("shop"), "postgres").await;
    }
    assert_eq!(
        section_titles(&set),
        [
            "postgres",
            "Replicas",
            "Conditions",
            "Pods",
            "Events",
            "YAML"
        ]
    );
    assert_eq!(
        table(&set, "Pods").1[0][0],
        json!({"text": "postgres-0", "link": "/pods/shop/postgres-0"})
    );
    let hpa = view(&host, "horizontalpodautoscaler", Some("shop"), "frontend").await;
    assert_eq!(
        key_values(&hpa, "frontend")["Reference"],
        json!({"value": "Deployment/frontend", "link": "/deployments/shop/frontend"})
    );
    assert_eq!(
        table(&hpa, "Metrics").1,
        [vec![
            json!({"text": "cpu"}),
            json!({"text": "Resource"}),
            json!({"text": "42%"}),
            json!({"text": "70%"})
        ]]
    );
    let pdb = view(&host, "poddisruptionbudget", Some("shop"), "frontend").await;
    assert_eq!(
        section_titles(&pdb),
        ["frontend", "Status", "Conditions", "Pods", "Events", "YAML"]
    );
    assert_eq!(table(&pdb, "Pods").1.len(), 3);
    let daemons = view(&host, "daemonset", Some("monitoring"), "node-exporter").await;
    assert_eq!(
        section_titles(&daemons),
        [
            "node-exporter",
            "Scheduling",
            "Conditions",
            "Pods",
            "Events",
            "YAML"
        ]
    );
}

#[tokio::test]
async fn the_overview_charts_each_kind_and_links_its_table() {
    let (_sim, host) = demo().await;
    let plugin = host.plugin("workloads").unwrap();
    let context = RenderContext {
        cluster: "demo".into(),
        object: None,
        namespace: Some("shop".into()),
        params: Vec::new(),
    };
    let render = || async {
        let view = plugin
            .render(
                &Identity::Kernel,
                &Slot::Page("workloads-overview".into()),
                &context,
            )
            .await
            .unwrap();
        serde_json::to_value(&view).unwrap()
    };
    let chart = |view: &Value, title: &str| -> Value {
        section(view, title)
            .into_iter()
            .find_map(|n| n["kind"].get("Chart"))
            .unwrap_or_else(|| panic!("no chart in {title}"))
            .clone()
    };
    let slices = |chart: &Value| -> Vec<(String, f64)> {
        chart[2]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["label"].as_str().unwrap().to_owned(),
                    d["value"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let mut v = render().await;
    for _ in 0..100 {
        if slices(&chart(&v, "Deployments"))[0] == ("Ready".to_owned(), 3.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        v = render().await;
    }
    assert_eq!(
        section_titles(&v),
        [
            "Pods",
            "Deployments",
            "Stateful Sets",
            "Daemon Sets",
            "Replica Sets",
            "Jobs",
            "CronJobs"
        ]
    );
    // frontend, cart and checkout are ready; recommendations crash-loops.
    let deployments = chart(&v, "Deployments");
    assert_eq!(deployments[1], "4 Deployments");
    assert_eq!(
        slices(&deployments),
        [("Ready".to_owned(), 3.0), ("Not ready".to_owned(), 1.0)]
    );
    assert_eq!(slices(&chart(&v, "Jobs")), [("Complete".to_owned(), 2.0)]);
    let link = section(&v, "Deployments")
        .into_iter()
        .find_map(|n| n["kind"].get("Link"))
        .unwrap()
        .clone();
    assert_eq!(link, json!(["All deployments", "/deployments"]));
}
