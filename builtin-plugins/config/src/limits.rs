//! LimitRanges: the types of the table and the details view (limits as kubectl describes
//! them: one row per type and resource).

use std::collections::BTreeSet;

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, array_at, text_at};

/// The limit fields, in kubectl's column order.
const FIELDS: [&str; 5] = [
    "min",
    "max",
    "defaultRequest",
    "default",
    "maxLimitRequestRatio",
];

/// The columns of the limits table.
pub const COLUMNS: [&str; 7] = [
    "Type",
    "Resource",
    "Min",
    "Max",
    "Default Request",
    "Default Limit",
    "Max Limit/Request Ratio",
];

/// Cells of `columns` for each limit range in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "limit range",
        columns,
        objects,
        |id| match id {
            "types" => Ok(()),
            other => Err(format!(
                "the config plugin computes no column `{other}` of table `{}` (only `types`)",
                crate::LIMITS_TABLE
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::text(types(row).join(", ")))
                .collect()
        },
    )
}

/// The types the range limits (`Container`, `Pod`, `PersistentVolumeClaim`), each once.
pub fn types(range: &Value) -> Vec<String> {
    let mut seen = BTreeSet::new();
    array_at(range, &["spec", "limits"])
        .iter()
        .map(|l| text_at(l, &["type"]))
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// One row per type and resource, with the value of each limit field (empty when unset).
pub fn limit_rows(range: &Value) -> Vec<[String; 7]> {
    let mut rows = Vec::new();
    for limit in array_at(range, &["spec", "limits"]) {
        let resources: BTreeSet<&String> = FIELDS
            .iter()
            .filter_map(|f| limit.get(*f).and_then(Value::as_object))
            .flat_map(|m| m.keys())
            .collect();
        for resource in resources {
            let value = |field: &str| text_at(limit, &[field, resource]);
            rows.push([
                text_at(limit, &["type"]),
                resource.clone(),
                value(FIELDS[0]),
                value(FIELDS[1]),
                value(FIELDS[2]),
                value(FIELDS[3]),
                value(FIELDS[4]),
            ]);
        }
    }
    rows
}

/// Metadata, the limits table, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let range = object.value()?;
    let header = View::section(text_at(range, &["metadata", "name"]))
        .child(View::key_value_list(details::metadata(range, now_millis)));
    let rows = limit_rows(range)
        .into_iter()
        .map(|row| row.into_iter().map(Cell::text).collect())
        .collect();
    let limits = View::section("Limits").child(details::table_or_empty(
        &COLUMNS,
        rows,
        "The limit range sets no limits.",
    ));
    Ok(View::stack()
        .child(header)
        .child(limits)
        .child(details::events_section(cluster, range, now_millis))
        .child(details::yaml_section(range, "limit range")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn one_row_per_type_and_resource_in_kubectls_columns() {
        let range = json!({"spec": {"limits": [
            {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "50m"}},
            {"type": "Pod", "max": {"memory": "1Gi"}, "maxLimitRequestRatio": {"memory": "2"}}
        ]}});
        assert_eq!(
            limit_rows(&range),
            [
                ["Container", "cpu", "", "", "50m", "500m", ""].map(String::from),
                ["Container", "memory", "", "", "", "256Mi", ""].map(String::from),
                ["Pod", "memory", "", "1Gi", "", "", "2"].map(String::from),
            ]
        );
    }

    #[test]
    fn types_are_listed_once_in_order() {
        let range =
            json!({"spec": {"limits": [{"type": "Pod"}, {"type": "Container"}, {"type": "Pod"}]}});
        assert_eq!(types(&range), ["Pod", "Container"]);
    }
}
