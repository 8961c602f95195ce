//! PodDisruptionBudgets: the budget, the disruptions allowed now, the selector, and the
//! details view with the pods it covers.

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::details::{self, PodsOf, int_at, kv};

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    MinAvailable,
    MaxUnavailable,
    Allowed,
    Selector,
}

/// The table's columns after name and namespace, as `kubectl get pdb` prints them.
pub(crate) fn columns() -> Vec<Column> {
    vec![
        Column::computed("min-available", "Min Available"),
        Column::computed("max-unavailable", "Max Unavailable"),
        Column::computed("allowed-disruptions", "Allowed Disruptions"),
        Column::computed("selector", "Selector").format(CellFormat::Labels),
    ]
}

/// Cells of `columns` for each budget in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "pod disruption budget",
        columns,
        objects,
        |id| match id {
            "min-available" => Ok(Computed::MinAvailable),
            "max-unavailable" => Ok(Computed::MaxUnavailable),
            "allowed-disruptions" => Ok(Computed::Allowed),
            "selector" => Ok(Computed::Selector),
            other => Err(format!(
                "the workloads plugin computes no column `{other}` of table `poddisruptionbudgets` (only `min-available`, `max-unavailable`, `allowed-disruptions` and `selector`)"
            )),
        },
        |pdb: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::MinAvailable => Cell::text(int_or_percent(pdb, "minAvailable")),
                    Computed::MaxUnavailable => Cell::text(int_or_percent(pdb, "maxUnavailable")),
                    Computed::Allowed => allowed_cell(pdb),
                    Computed::Selector => {
                        Cell::text(details::selector_text(pdb.pointer("/spec/selector")))
                    }
                })
                .collect()
        },
    )
}

/// An int-or-string field of the spec (`2`, `50%`), or kubectl's `N/A` when unset.
pub fn int_or_percent(pdb: &Value, field: &str) -> String {
    match pdb.get("spec").and_then(|s| s.get(field)) {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => "N/A".to_owned(),
    }
}

/// Disruptions allowed now: red at zero, when no pod may be evicted.
fn allowed_cell(pdb: &Value) -> Cell {
    let allowed = int_at(pdb, &["status", "disruptionsAllowed"]).unwrap_or(0);
    let cell = Cell::number(allowed as f64);
    if allowed == 0 {
        cell.tone(Tone::Warning)
    } else {
        cell
    }
}

/// Metadata and budget, the status counts, conditions, the pods it covers, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now: u64) -> Result<View, String> {
    let pdb = object.value()?;
    let mut pairs = details::metadata(pdb, now);
    pairs.extend([
        kv("Min available", int_or_percent(pdb, "minAvailable")),
        kv("Max unavailable", int_or_percent(pdb, "maxUnavailable")),
        kv(
            "Selector",
            details::selector_text(pdb.pointer("/spec/selector")),
        ),
    ]);
    let count = |field: &str| int_at(pdb, &["status", field]).unwrap_or(0).to_string();
    let status = View::section("Status").child(View::key_values([
        ("Allowed disruptions", count("disruptionsAllowed")),
        ("Current healthy", count("currentHealthy")),
        ("Desired healthy", count("desiredHealthy")),
        ("Expected pods", count("expectedPods")),
    ]));
    Ok(View::stack()
        .child(details::header(pdb, pairs))
        .child(status)
        .child(details::conditions_section(pdb))
        .child(details::pods_section(cluster, pdb, PodsOf::Selected, now))
        .child(details::events_section(cluster, pdb, now))
        .child(details::yaml_section(pdb, "pod disruption budget")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn budgets_are_numbers_percentages_or_not_applicable() {
        let pdb = json!({"spec": {"minAvailable": 2, "maxUnavailable": "25%"}});
        assert_eq!(int_or_percent(&pdb, "minAvailable"), "2");
        assert_eq!(int_or_percent(&pdb, "maxUnavailable"), "25%");
        assert_eq!(int_or_percent(&json!({"spec": {}}), "minAvailable"), "N/A");
    }
}
