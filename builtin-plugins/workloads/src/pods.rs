//! Computed cells of the pods table.

use headlamp_plugin_sdk::prelude::*;

use crate::pod_status::{self, PodRow, PodSummary};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Ready,
    Status,
    Restarts,
}

/// Cells of `columns` for each pod in `objects`; `now_millis` dates the last restart.
pub(crate) fn pod_rows(
    columns: &[String],
    objects: &[Object],
    now_millis: u64,
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "pod",
        columns,
        objects,
        |id| match id {
            "ready" => Ok(Computed::Ready),
            "status" => Ok(Computed::Status),
            "restarts" => Ok(Computed::Restarts),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `pods` (only `ready`, `status` and `restarts`)"
            )),
        },
        |row: &PodRow, columns: &[Computed]| {
            // One summary per pod serves every column.
            let summary = pod_status::summarize(row);
            columns
                .iter()
                .map(|c| cell(*c, &summary, now_millis))
                .collect()
        },
    )
}

fn cell(column: Computed, pod: &PodSummary, now_millis: u64) -> Cell {
    match column {
        Computed::Ready => ready_cell(pod),
        Computed::Status => {
            Cell::text(pod.reason.as_str()).tone(pod_status::reason_tone(&pod.reason))
        }
        Computed::Restarts => restarts_cell(pod, now_millis),
    }
}

/// `n/m`, sorted by how many are ready.
fn ready_cell(pod: &PodSummary) -> Cell {
    Cell::text(format!("{}/{}", pod.ready, pod.total)).sort(pod.ready as f64)
}

/// `N`, or `N (5m ago)` when the last restart's end is known; sorted by N.
pub(crate) fn restarts_cell(pod: &PodSummary, now_millis: u64) -> Cell {
    let ago = pod
        .last_restart_millis
        .and_then(|then| age_since(then, now_millis));
    let text = match ago {
        Some(ago) => format!("{} ({ago} ago)", pod.restarts),
        None => pod.restarts.to_string(),
    };
    Cell::text(text).sort(f64::from(pod.restarts))
}

/// The SDK's age format measured from milliseconds rather than a timestamp string.
fn age_since(then_millis: i64, now_millis: u64) -> Option<String> {
    let now = i64::try_from(now_millis).ok()?;
    // `format::age` counts from the epoch when given it, so shift "now" instead of the past.
    let elapsed = u64::try_from((now - then_millis).max(0)).ok()?;
    format::age("1970-01-01T00:00:00Z", elapsed)
}
