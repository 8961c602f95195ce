//! CronJobs: the schedule in words, suspend and active columns, and the details view with the
//! jobs it made (the actions are in `cronjob_actions`).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, array_at, kv, str_at, text_at};
use crate::kinds::JOB;
use crate::{jobs, schedule};

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

/// Whether the cron job is suspended.
pub(crate) fn suspended(cron: &Value) -> bool {
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
