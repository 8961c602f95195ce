//! Jobs: completions, duration and status as kubectl prints them (`printJob`), and the
//! details view.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, PodsOf, array_at, int_at, kv, str_at, text_at};
use crate::duration;

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Completions,
    Duration,
    Status,
}

/// The table's columns after name and namespace.
pub(crate) fn columns() -> Vec<Column> {
    vec![
        Column::computed("completions", "Completions"),
        Column::computed("duration", "Duration"),
        Column::computed("status", "Status"),
    ]
}

/// Cells of `columns` for each job in `objects`; `now` times the jobs still running.
pub(crate) fn rows(
    columns: &[String],
    objects: &[Object],
    now: u64,
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "job",
        columns,
        objects,
        |id| match id {
            "completions" => Ok(Computed::Completions),
            "duration" => Ok(Computed::Duration),
            "status" => Ok(Computed::Status),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `jobs` (only `completions`, `duration` and `status`)"
            )),
        },
        |job: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::Completions => {
                        let succeeded = int_at(job, &["status", "succeeded"]).unwrap_or(0);
                        Cell::text(completions(job)).sort(succeeded as f64)
                    }
                    Computed::Duration => match duration_millis(job, now) {
                        Some(ms) => Cell::text(duration::human(ms)).sort(ms as f64),
                        None => Cell::empty(),
                    },
                    Computed::Status => status_cell(job),
                })
                .collect()
        },
    )
}

/// kubectl's COMPLETIONS: `succeeded/completions`, or `n/1 of p` for a work queue with
/// parallelism above one.
pub fn completions(job: &Value) -> String {
    let succeeded = int_at(job, &["status", "succeeded"]).unwrap_or(0);
    match int_at(job, &["spec", "completions"]) {
        Some(total) => format!("{succeeded}/{total}"),
        None => match int_at(job, &["spec", "parallelism"]).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    }
}

/// From the start to the completion, or to `now` while running; none before it starts.
pub fn duration_millis(job: &Value, now: u64) -> Option<i64> {
    let start = str_at(job, &["status", "startTime"]).and_then(format::parse_rfc3339_millis)?;
    let end = match str_at(job, &["status", "completionTime"]) {
        Some(done) => format::parse_rfc3339_millis(done)?,
        None => i64::try_from(now).ok()?,
    };
    Some(end - start)
}

/// kubectl's STATUS: the first of Complete, Failed, Terminating, Suspended, FailureTarget,
/// SuccessCriteriaMet that holds, else Running.
pub fn status(job: &Value) -> &'static str {
    let holds = |kind: &str| {
        array_at(job, &["status", "conditions"])
            .iter()
            .any(|c| str_at(c, &["type"]) == Some(kind) && str_at(c, &["status"]) == Some("True"))
    };
    if holds("Complete") {
        "Complete"
    } else if holds("Failed") {
        "Failed"
    } else if job.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if holds("Suspended") {
        "Suspended"
    } else if holds("FailureTarget") {
        "FailureTarget"
    } else if holds("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    }
}

/// The tone of a status: done, broken, or on its way.
pub fn status_tone(status: &str) -> Tone {
    match status {
        "Complete" | "SuccessCriteriaMet" => Tone::Success,
        "Failed" | "FailureTarget" => Tone::Error,
        "Suspended" => Tone::Neutral,
        _ => Tone::Warning,
    }
}

/// The reason of the failure (`BackoffLimitExceeded`), when the job failed.
pub fn failure_reason(job: &Value) -> Option<&str> {
    array_at(job, &["status", "conditions"])
        .iter()
        .find(|c| str_at(c, &["type"]) == Some("Failed") && str_at(c, &["status"]) == Some("True"))
        .and_then(|c| str_at(c, &["reason"]))
}

fn status_cell(job: &Value) -> Cell {
    let status = status(job);
    Cell::text(status).tone(status_tone(status))
}

/// Metadata and progress, conditions, pods, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now: u64) -> Result<View, String> {
    let job = object.value()?;
    let status = status(job);
    let mut pairs = details::metadata(job, now);
    let shown = match failure_reason(job) {
        Some(reason) => format!("{status}: {reason}"),
        None => status.to_owned(),
    };
    pairs.extend([
        kv("Status", shown.clone()),
        kv("Completions", completions(job)),
        kv(
            "Parallelism",
            int_at(job, &["spec", "parallelism"])
                .unwrap_or(1)
                .to_string(),
        ),
        kv(
            "Backoff limit",
            int_at(job, &["spec", "backoffLimit"])
                .unwrap_or(6)
                .to_string(),
        ),
        kv("Started", text_at(job, &["status", "startTime"])),
        kv("Completed", text_at(job, &["status", "completionTime"])),
        kv(
            "Duration",
            duration_millis(job, now)
                .map(duration::human)
                .unwrap_or_default(),
        ),
        kv("Images", details::template_images(job)),
    ]);
    let header = details::header(job, pairs).child(View::badge(shown, status_tone(status)));
    let count = |field: &str| int_at(job, &["status", field]).unwrap_or(0).to_string();
    let pods = View::section("Pod counts").child(View::key_values([
        ("Active", count("active")),
        ("Succeeded", count("succeeded")),
        ("Failed", count("failed")),
    ]));
    Ok(View::stack()
        .child(header)
        .child(pods)
        .child(details::conditions_section(job))
        .child(details::pods_section(cluster, job, PodsOf::Owned, now))
        .child(details::events_section(cluster, job, now))
        .child(details::yaml_section(job, "job")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn with_conditions(conditions: &[(&str, &str)]) -> Value {
        let conditions: Vec<Value> = conditions
            .iter()
            .map(|(t, s)| json!({"type": t, "status": s, "reason": "BackoffLimitExceeded"}))
            .collect();
        json!({"metadata": {"name": "j"}, "status": {"conditions": conditions}})
    }

    #[test]
    fn completions_follow_kubectl_for_fixed_counts_and_work_queues() {
        let job = |spec: Value| json!({"spec": spec, "status": {"succeeded": 2}});
        assert_eq!(completions(&job(json!({"completions": 3}))), "2/3");
        assert_eq!(completions(&job(json!({"parallelism": 4}))), "2/1 of 4");
        assert_eq!(completions(&job(json!({}))), "2/1");
    }

    #[test]
    fn duration_runs_from_start_to_completion_or_now() {
        let done = json!({"status": {"startTime": "2024-03-01T00:00:00Z", "completionTime": "2024-03-01T00:03:20Z"}});
        assert_eq!(duration_millis(&done, 0), Some(200_000));
        let running = json!({"status": {"startTime": "2024-03-01T00:00:00Z"}});
        assert_eq!(
            duration_millis(&running, 1_709_251_200_000 + 45_000),
            Some(45_000)
        );
        assert_eq!(duration_millis(&json!({"status": {}}), 0), None);
    }

    #[test]
    fn status_takes_the_first_condition_in_kubectls_order() {
        assert_eq!(status(&with_conditions(&[])), "Running");
        assert_eq!(
            status(&with_conditions(&[
                ("Failed", "True"),
                ("Complete", "True")
            ])),
            "Complete"
        );
        assert_eq!(status(&with_conditions(&[("Failed", "True")])), "Failed");
        assert_eq!(
            status(&with_conditions(&[
                ("Complete", "False"),
                ("Suspended", "True")
            ])),
            "Suspended"
        );
        let mut deleting = with_conditions(&[("Suspended", "True")]);
        deleting["metadata"]["deletionTimestamp"] = json!("2024-03-01T00:00:00Z");
        assert_eq!(status(&deleting), "Terminating");
    }

    #[test]
    fn a_failed_job_names_its_reason() {
        let failed = with_conditions(&[("Failed", "True")]);
        assert_eq!(failure_reason(&failed), Some("BackoffLimitExceeded"));
        assert_eq!(status_tone(status(&failed)), Tone::Error);
        assert_eq!(
            failure_reason(&with_conditions(&[("Complete", "True")])),
            None
        );
    }
}
