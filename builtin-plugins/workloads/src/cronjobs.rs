//! CronJobs: the schedule in words, suspend and active columns, the details view with the
//! jobs it made, and the actions suspend, resume and trigger now.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::{Value, json};

use crate::details::{self, array_at, kv, str_at, text_at};
use crate::kinds::{CRON_JOB, JOB};
use crate::{jobs, schedule};

/// The row action that suspends a cron job.
pub const SUSPEND: &str = "cronjob-suspend";
/// The row action that resumes a suspended cron job.
pub const RESUME: &str = "cronjob-resume";
/// The row action that creates a job from the cron job's template now.
pub const TRIGGER: &str = "cronjob-trigger";

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    When,
    Suspend,
    Active,
}

/// The table's columns after name and namespace, as Headlamp shows them.
pub(crate) fn columns() -> Vec<Column> {
    vec![
        Column::json_path("schedule", "Schedule", ".spec.schedule"),
        Column::computed("when", "When"),
        Column::computed("suspend", "Suspend"),
        Column::computed("active", "Active"),
        Column::json_path("last-schedule", "Last Schedule", ".status.lastScheduleTime")
            .format(CellFormat::Age),
    ]
}

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

/// Cells of `columns` for each cron job in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "cron job",
        columns,
        objects,
        |id| match id {
            "when" => Ok(Computed::When),
            "suspend" => Ok(Computed::Suspend),
            "active" => Ok(Computed::Active),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `cronjobs` (only `when`, `suspend` and `active`)"
            )),
        },
        |cron: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::When => when_cell(cron),
                    Computed::Suspend => suspend_cell(cron),
                    Computed::Active => {
                        Cell::number(array_at(cron, &["status", "active"]).len() as f64)
                    }
                })
                .collect()
        },
    )
}

fn when_cell(cron: &Value) -> Cell {
    match schedule::describe(str_at(cron, &["spec", "schedule"]).unwrap_or_default()) {
        Ok(words) => Cell::text(words),
        Err(e) => Cell::text(e).tone(Tone::Error),
    }
}

fn suspended(cron: &Value) -> bool {
    cron.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true)
}

fn suspend_cell(cron: &Value) -> Cell {
    if suspended(cron) {
        Cell::text("True").tone(Tone::Warning)
    } else {
        Cell::text("False")
    }
}

/// Metadata and schedule, the jobs it made (newest first), events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now: u64) -> Result<View, String> {
    let cron = object.value()?;
    let mut pairs = details::metadata(cron, now);
    let when = schedule::describe(str_at(cron, &["spec", "schedule"]).unwrap_or_default())
        .unwrap_or_else(|e| e);
    pairs.extend([
        kv("Schedule", text_at(cron, &["spec", "schedule"])),
        kv("When", when),
        kv(
            "Time zone",
            // Without one the controller uses its own local time.
            str_at(cron, &["spec", "timeZone"]).unwrap_or("controller's local time"),
        ),
        kv("Suspend", if suspended(cron) { "True" } else { "False" }),
        kv(
            "Concurrency policy",
            str_at(cron, &["spec", "concurrencyPolicy"]).unwrap_or("Allow"),
        ),
        kv(
            "Last schedule",
            text_at(cron, &["status", "lastScheduleTime"]),
        ),
        kv(
            "Last successful",
            text_at(cron, &["status", "lastSuccessfulTime"]),
        ),
        kv(
            "Images",
            array_at(
                cron,
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "spec",
                    "containers",
                ],
            )
            .iter()
            .filter_map(|c| str_at(c, &["image"]))
            .collect::<Vec<_>>()
            .join(", "),
        ),
    ]);
    Ok(View::stack()
        .child(details::header(cron, pairs))
        .child(jobs_section(cluster, cron, now))
        .child(details::events_section(cluster, cron, now))
        .child(details::yaml_section(cron, "cron job")?)
        .build())
}

/// "Jobs": those the cron job controls, newest first, each linked.
fn jobs_section(cluster: &str, cron: &Value, now: u64) -> NodeBuilder {
    let section = View::section("Jobs");
    let namespace = text_at(cron, &["metadata", "namespace"]);
    let list = match cluster::list(
        cluster,
        &JOB.gvk(),
        &ListOptions::default().namespace(&namespace),
    ) {
        Ok(list) => list.items,
        Err(e) => return section.child(View::error(format!("Could not list the jobs: {e}"))),
    };
    let uid = str_at(cron, &["metadata", "uid"]);
    let mut owned: Vec<&Value> = list
        .iter()
        .filter_map(|j| j.value().ok())
        .filter(|j| uid.is_some() && details::controller_uid(j) == uid)
        .collect();
    owned.sort_by(|a, b| {
        let created = |j: &Value| text_at(j, &["metadata", "creationTimestamp"]);
        created(b)
            .cmp(&created(a))
            .then_with(|| text_at(b, &["metadata", "name"]).cmp(&text_at(a, &["metadata", "name"])))
    });
    let rows = owned
        .into_iter()
        .map(|job| {
            let name = text_at(job, &["metadata", "name"]);
            let status = jobs::status(job);
            vec![
                Cell::text(name.clone()).link(JOB.route(&namespace, &name)),
                Cell::text(jobs::completions(job)),
                Cell::text(status).tone(jobs::status_tone(status)),
                Cell::text(
                    jobs::duration_millis(job, now)
                        .map(crate::duration::human)
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    section.child(headlamp_plugin_sdk::details::table_or_empty(
        &["Name", "Completions", "Status", "Duration"],
        rows,
        "No jobs: it has not run yet, or its jobs were cleaned up.",
    ))
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
