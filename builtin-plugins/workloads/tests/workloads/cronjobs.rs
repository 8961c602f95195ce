//! The cron job actions and details view, against the SDK's fake cluster.

use headlamp_plugin_sdk::testing::CLUSTER;
use headlamp_plugin_sdk::{ActionContext, ActionResult, Gvk, NodeKind};
use headlamp_plugin_workloads::{RESUME, SUSPEND, TRIGGER};
use serde_json::{Value, json};

use crate::fixtures::*;

fn cron(suspend: bool) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "report", "namespace": "shop", "uid": "cron-uid",
                     "creationTimestamp": "2024-02-20T10:00:00Z"},
        "spec": {"schedule": "*/5 * * * *", "suspend": suspend, "jobTemplate": {
            "metadata": {"labels": {"app": "report"}},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "r", "image": "busybox:1.36"}]}}}}}})
}

fn job_kind() -> Gvk {
    Gvk::new("batch", "v1", "Job")
}

fn done(result: ActionResult) -> String {
    match result {
        ActionResult::Done(message) => message,
        other => panic!("expected Done, got {other:?}"),
    }
}

#[test]
fn suspend_patches_the_cron_job_and_resume_undoes_it() {
    let mut h = harness();
    h.insert(cron(false));
    let ctx = ActionContext::new(CLUSTER).with_object(cron(false).to_string());
    assert_eq!(
        done(h.invoke(SUSPEND, &ctx).unwrap()),
        "CronJob shop/report suspended"
    );
    let stored = h.cluster(|c| c.objects(&Gvk::new("batch", "v1", "CronJob"))[0].clone());
    assert_eq!(stored["spec"]["suspend"], true);
    let ctx = ActionContext::new(CLUSTER).with_object(stored.to_string());
    assert_eq!(
        done(h.invoke(RESUME, &ctx).unwrap()),
        "CronJob shop/report resumed"
    );
}

#[test]
fn trigger_creates_a_manual_job_owned_by_the_cron_job() {
    let mut h = harness();
    h.insert(cron(false));
    let ctx = ActionContext::new(CLUSTER).with_object(cron(false).to_string());
    let message = done(h.invoke(TRIGGER, &ctx).unwrap());
    assert!(message.starts_with("Job shop/report-manual-"), "{message}");
    let jobs = h.cluster(|c| {
        c.objects(&job_kind())
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    });
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["metadata"]["ownerReferences"][0]["uid"], "cron-uid");
    assert_eq!(jobs[0]["metadata"]["labels"]["app"], "report");
}

#[test]
fn an_action_without_a_cron_job_says_where_to_run_it() {
    let mut h = harness();
    let err = h.invoke(SUSPEND, &ActionContext::new(CLUSTER)).unwrap_err();
    assert!(err.contains("runs on a cron job"), "{err}");
    let err = h
        .invoke("explode", &ActionContext::new(CLUSTER))
        .unwrap_err();
    assert!(err.contains("no action `explode`"), "{err}");
}

#[test]
fn the_cron_job_view_lists_its_jobs_newest_first() {
    let h = harness();
    for (name, created) in [
        ("report-1", "2024-02-29T10:00:00Z"),
        ("report-2", "2024-02-29T11:00:00Z"),
    ] {
        h.insert(json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": "shop", "creationTimestamp": created,
                "ownerReferences": [{"kind": "CronJob", "name": "report", "uid": "cron-uid", "controller": true}]},
            "spec": {"completions": 1},
            "status": {"succeeded": 1, "startTime": created, "completionTime": created,
                "conditions": [{"type": "Complete", "status": "True"}]}}));
    }
    let view = h
        .render_details("cronjob", &cron(false).to_string())
        .unwrap();
    let jobs = view.find_section("Jobs").unwrap();
    let table = view
        .children_of(jobs)
        .find_map(|n| match &n.kind {
            NodeKind::Table(t) => Some(t.clone()),
            _ => None,
        })
        .expect("a jobs table");
    let names: Vec<&str> = table.rows.iter().map(|r| r[0].text.as_str()).collect();
    assert_eq!(names, ["report-2", "report-1"]);
    assert_eq!(
        table.rows[0][0].link.as_deref(),
        Some("/jobs/shop/report-2")
    );
    assert_eq!(table.rows[0][2].text, "Complete");
}
