//! The Workloads overview page, as Headlamp has one: per kind, how many objects are healthy,
//! on their way, or failing, as a pie chart with a link to the kind's table.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;
use headlamp_plugin_sdk::{ChartKind, Datum};

use crate::details::int_at;
use crate::kinds::{self, Kind};
use crate::pod_status::{self, PodRow};

/// The page slot of the overview.
pub const PAGE: &str = "workloads-overview";
/// The route of the overview.
pub const ROUTE: &str = "/workloads";

/// Where an object stands, for the charts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Health {
    /// Running as asked (ready, complete, scheduled).
    Healthy,
    /// On its way (pending, rolling out, running).
    Progressing,
    /// Broken (failed, crash looping, no ready replicas).
    Failing,
    /// Deliberately idle (a suspended cron job).
    Idle,
}

/// The kinds the page counts: the workloads proper, in the sidebar's order.
const COUNTED: [&Kind; 7] = [
    &kinds::POD,
    &kinds::DEPLOYMENT,
    &kinds::STATEFUL_SET,
    &kinds::DAEMON_SET,
    &kinds::REPLICA_SET,
    &kinds::JOB,
    &kinds::CRON_JOB,
];

/// One section per kind: the chart of its objects' health and a link to its table.
pub(crate) fn page(cluster: &str, namespace: Option<&str>) -> View {
    let mut options = ListOptions::default();
    if let Some(ns) = namespace {
        options = options.namespace(ns);
    }
    let mut page = View::stack();
    for kind in COUNTED {
        let section = View::section(kind.label);
        let objects = match cluster::list(cluster, &kind.gvk(), &options) {
            Ok(list) => list.items,
            Err(e) => {
                page = page.child(section.child(View::error(format!(
                    "Could not list the {}: {e}",
                    kind.label.to_lowercase()
                ))));
                continue;
            }
        };
        let mut counts = [0usize; 4];
        for object in &objects {
            counts[health(kind, object) as usize] += 1;
        }
        page = page.child(
            section
                .child(View::chart(
                    ChartKind::Pie,
                    format!("{} {}", objects.len(), kind.label),
                    data(kind, counts),
                    None,
                ))
                .child(View::link(
                    format!("All {}", kind.label.to_lowercase()),
                    format!("/{}", kind.table),
                )),
        );
    }
    page.build()
}

/// The chart's slices, named as the kind's objects are described, without empty ones.
fn data(kind: &Kind, counts: [usize; 4]) -> Vec<Datum> {
    let labels = labels(kind);
    let tones = [Tone::Success, Tone::Warning, Tone::Error, Tone::Neutral];
    [
        Health::Healthy,
        Health::Progressing,
        Health::Failing,
        Health::Idle,
    ]
    .into_iter()
    .filter(|h| counts[*h as usize] > 0)
    .map(|h| Datum {
        label: labels[h as usize].to_owned(),
        value: counts[h as usize] as f64,
        tone: Some(tones[h as usize]),
    })
    .collect()
}

/// The names of the four states for `kind`'s objects.
fn labels(kind: &Kind) -> [&'static str; 4] {
    match kind.kind {
        "Pod" => ["Running", "Pending", "Failed", "Idle"],
        "Job" => ["Complete", "Running", "Failed", "Suspended"],
        "CronJob" => ["Scheduled", "Running", "Failing", "Suspended"],
        _ => ["Ready", "Updating", "Not ready", "Scaled to zero"],
    }
}

/// Where one object of `kind` stands; an object that does not parse counts as failing.
pub fn health(kind: &Kind, object: &Object) -> Health {
    let Ok(value) = object.value() else {
        return Health::Failing;
    };
    match kind.kind {
        "Pod" => match object.parse_borrowed::<PodRow>() {
            Ok(row) => match pod_status::reason_tone(&pod_status::summarize(&row).reason) {
                Tone::Success => Health::Healthy,
                Tone::Error => Health::Failing,
                _ => Health::Progressing,
            },
            Err(_) => Health::Failing,
        },
        "Job" => match crate::jobs::status(value) {
            "Complete" | "SuccessCriteriaMet" => Health::Healthy,
            "Failed" | "FailureTarget" => Health::Failing,
            "Suspended" => Health::Idle,
            _ => Health::Progressing,
        },
        "CronJob" => {
            if value.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
                Health::Idle
            } else {
                Health::Healthy
            }
        }
        "DaemonSet" => replicas(
            int_at(value, &["status", "desiredNumberScheduled"]).unwrap_or(0),
            int_at(value, &["status", "numberReady"]).unwrap_or(0),
        ),
        // Kubernetes defaults an omitted `spec.replicas` to 1.
        _ => replicas(
            int_at(value, &["spec", "replicas"]).unwrap_or(1),
            int_at(value, &["status", "readyReplicas"]).unwrap_or(0),
        ),
    }
}

/// All ready is healthy; some is on its way; none of a non-zero number is failing.
fn replicas(desired: i64, ready: i64) -> Health {
    if desired == 0 {
        Health::Idle
    } else if ready >= desired {
        Health::Healthy
    } else if ready > 0 {
        Health::Progressing
    } else {
        Health::Failing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn object(value: Value) -> Object {
        Object::new(value.to_string())
    }

    #[test]
    fn replicated_workloads_are_healthy_progressing_failing_or_idle() {
        let d = |want: i64, ready: i64| {
            object(json!({"spec": {"replicas": want}, "status": {"readyReplicas": ready}}))
        };
        assert_eq!(health(&kinds::DEPLOYMENT, &d(3, 3)), Health::Healthy);
        assert_eq!(health(&kinds::DEPLOYMENT, &d(3, 1)), Health::Progressing);
        assert_eq!(health(&kinds::STATEFUL_SET, &d(1, 0)), Health::Failing);
        assert_eq!(health(&kinds::REPLICA_SET, &d(0, 0)), Health::Idle);
    }

    #[test]
    fn pods_jobs_and_cron_jobs_use_their_own_states() {
        let crashing = object(json!({"spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "a", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}));
        assert_eq!(health(&kinds::POD, &crashing), Health::Failing);
        let done =
            object(json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}}));
        assert_eq!(health(&kinds::JOB, &done), Health::Healthy);
        let suspended = object(json!({"spec": {"suspend": true}}));
        assert_eq!(health(&kinds::CRON_JOB, &suspended), Health::Idle);
    }

    #[test]
    fn charts_leave_out_empty_slices_and_name_them_per_kind() {
        let data = data(&kinds::POD, [2, 0, 1, 0]);
        let labels: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["Running", "Failed"]);
        assert_eq!(data[1].tone, Some(Tone::Error));
    }
}
