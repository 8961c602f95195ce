//! The cron job actions of the CronJobs row menu: suspend, resume, and trigger now (a job from
//! the template, as `kubectl create job --from=cronjob/X` makes it).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::{Value, json};

use crate::cronjobs::suspended;
use crate::details::{str_at, text_at};
use crate::kinds::{CRON_JOB, JOB};

/// The row action that suspends a cron job.
pub const SUSPEND: &str = "cronjob-suspend";
/// The row action that resumes a suspended cron job.
pub const RESUME: &str = "cronjob-resume";
/// The row action that creates a job from the cron job's template now.
pub const TRIGGER: &str = "cronjob-trigger";

/// The row actions, for the registration.
pub(crate) fn actions() -> [Action; 3] {
    let row = || ActionPlacement::Row(CRON_JOB.table.to_owned());
    [
        Action::new(SUSPEND, "Suspend", row())
            .icon("mdi:pause")
            .requires_verb("patch"),
        Action::new(RESUME, "Resume", row())
            .icon("mdi:play")
            .requires_verb("patch"),
        Action::new(TRIGGER, "Trigger now", row())
            .icon("mdi:play-circle-outline")
            .confirm("Create a job from this cron job's template now?"),
    ]
}

/// The cron job an action runs on, with its namespace and name.
fn target(ctx: &ActionContext) -> Result<(&Value, String, String), String> {
    let object = ctx.object.as_ref().ok_or_else(|| {
        "this action runs on a cron job: invoke it from a row of the CronJobs table".to_owned()
    })?;
    let cron = object.value()?;
    if str_at(cron, &["kind"]).is_some_and(|k| k != CRON_JOB.kind) {
        return Err(format!(
            "this action runs on a cron job, not on a {}",
            text_at(cron, &["kind"])
        ));
    }
    let namespace = text_at(cron, &["metadata", "namespace"]);
    let name = text_at(cron, &["metadata", "name"]);
    Ok((cron, namespace, name))
}

/// Suspends (or resumes) the cron job, as `kubectl patch cronjob X -p '{"spec":{"suspend":true}}'`.
pub(crate) fn set_suspend(ctx: &ActionContext, suspend: bool) -> Result<ActionResult, String> {
    let (cron, namespace, name) = target(ctx)?;
    let done = if suspend { "suspended" } else { "resumed" };
    if suspended(cron) == suspend {
        return Ok(ActionResult::Done(format!(
            "CronJob {namespace}/{name} is already {done}"
        )));
    }
    cluster::patch(
        &ctx.cluster,
        &CRON_JOB.gvk(),
        Some(&namespace),
        &name,
        cluster::PatchKind::Merge,
        &json!({"spec": {"suspend": suspend}}),
    )
    .map_err(|e| format!("could not update CronJob {namespace}/{name}: {e}"))?;
    Ok(ActionResult::Done(format!(
        "CronJob {namespace}/{name} {done}"
    )))
}

/// Creates a job from the cron job's template, as `kubectl create job --from=cronjob/X` does.
pub(crate) fn trigger(ctx: &ActionContext, now_millis: u64) -> Result<ActionResult, String> {
    let (cron, namespace, name) = target(ctx)?;
    let job = job_from(cron, &manual_name(&name, now_millis));
    let created = cluster::create(&ctx.cluster, &JOB.gvk(), Some(&namespace), &job)
        .map_err(|e| format!("could not create a job from CronJob {namespace}/{name}: {e}"))?;
    let job_name = created.name().unwrap_or_default().to_owned();
    Ok(ActionResult::Done(format!(
        "Job {namespace}/{job_name} created from CronJob {namespace}/{name}"
    )))
}

/// `{cronjob}-manual-{time in base 36}`, within the 63 characters a job name may have (its
/// pods carry it as a label).
pub fn manual_name(cron: &str, now_millis: u64) -> String {
    let mut stamp = String::new();
    let mut n = now_millis / 1_000;
    while n > 0 || stamp.is_empty() {
        let digit = (n % 36) as u32;
        stamp.insert(0, char::from_digit(digit, 36).unwrap_or('0'));
        n /= 36;
    }
    let room = 63 - "-manual-".len() - stamp.len();
    let prefix: String = cron.chars().take(room).collect();
    format!("{prefix}-manual-{stamp}")
}

/// The job kubectl makes from a cron job: the template's labels, annotations and spec, marked
/// as a manual run and owned by the cron job.
pub fn job_from(cron: &Value, name: &str) -> Value {
    let template = cron.pointer("/spec/jobTemplate").unwrap_or(&Value::Null);
    let mut annotations = template
        .pointer("/metadata/annotations")
        .cloned()
        .unwrap_or_else(|| json!({}));
    annotations["cronjob.kubernetes.io/instantiate"] = json!("manual");
    let mut metadata = json!({
        "name": name,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1", "kind": CRON_JOB.kind,
            "name": text_at(cron, &["metadata", "name"]),
            "uid": text_at(cron, &["metadata", "uid"]),
            "controller": true,
        }],
    });
    if let Some(labels) = template.pointer("/metadata/labels") {
        metadata["labels"] = labels.clone();
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": JOB.kind,
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_job_name_fits_a_label_value() {
        assert_eq!(manual_name("report", 1_000), "report-manual-1");
        let long = "x".repeat(60);
        let name = manual_name(&long, 1_709_251_200_000);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("-manual-s9n6o0"), "{name}");
    }

    #[test]
    fn a_job_from_a_cron_job_copies_the_template_and_is_owned_by_it() {
        let cron = json!({"metadata": {"name": "report", "namespace": "shop", "uid": "u1"},
            "spec": {"schedule": "0 2 * * *", "jobTemplate": {
                "metadata": {"labels": {"app": "report"}, "annotations": {"team": "a"}},
                "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "r", "image": "busybox"}]}}}}}});
        let job = job_from(&cron, "report-manual-1");
        assert_eq!(job["metadata"]["name"], "report-manual-1");
        assert_eq!(job["metadata"]["labels"], json!({"app": "report"}));
        assert_eq!(
            job["metadata"]["annotations"],
            json!({"team": "a", "cronjob.kubernetes.io/instantiate": "manual"})
        );
        assert_eq!(job["metadata"]["ownerReferences"][0]["uid"], "u1");
        assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
        assert_eq!(job["spec"]["backoffLimit"], 2);
    }
}
