//! ResourceQuotas: kubectl's REQUEST and LIMIT cells, and the details view (used against hard
//! per resource, as a table and as gauges).

use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;
use headlamp_plugin_sdk::{ChartKind, Datum};

use headlamp_plugin_sdk::details::{self, kv, text_at};

use crate::quantity;

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Request,
    Limit,
}

/// Cells of `columns` for each quota in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "resource quota",
        columns,
        objects,
        |id| match id {
            "request" => Ok(Computed::Request),
            "limit" => Ok(Computed::Limit),
            other => Err(format!(
                "the config plugin computes no column `{other}` of table `{}` (only `request` and `limit`)",
                crate::QUOTAS_TABLE
            )),
        },
        |row: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| {
                    let limits = matches!(c, Computed::Limit);
                    Cell::text(usage_text(row, limits))
                })
                .collect()
        },
    )
}

/// One resource of a quota: its name, what is used and the hard limit.
#[derive(Debug, PartialEq)]
pub struct Usage {
    /// The resource, such as `requests.cpu`.
    pub resource: String,
    /// `status.used`, empty until the quota controller has counted.
    pub used: String,
    /// `status.hard`, else `spec.hard`.
    pub hard: String,
}

/// Every resource of the quota, by name.
pub fn usage(quota: &Value) -> Vec<Usage> {
    let hard = quota
        .pointer("/status/hard")
        .or_else(|| quota.pointer("/spec/hard"))
        .and_then(Value::as_object);
    let mut out: Vec<Usage> = hard
        .into_iter()
        .flatten()
        .map(|(resource, hard)| Usage {
            resource: resource.clone(),
            used: text_at(quota, &["status", "used", resource]),
            hard: hard.as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    out.sort_by(|a, b| a.resource.cmp(&b.resource));
    out
}

/// kubectl's `pods: 9/50, requests.cpu: 450m/8`: the `limits.*` resources when `limits`,
/// every other resource otherwise (as kubectl splits REQUEST and LIMIT).
pub fn usage_text(quota: &Value, limits: bool) -> String {
    usage(quota)
        .iter()
        .filter(|u| u.resource.starts_with("limits.") == limits)
        .map(|u| {
            let used = if u.used.is_empty() { "0" } else { &u.used };
            format!("{}: {used}/{}", u.resource, u.hard)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Warning from 80 % used, error when used up.
pub fn tone(share: f64) -> Tone {
    if share >= 1.0 {
        Tone::Error
    } else if share >= 0.8 {
        Tone::Warning
    } else {
        Tone::Success
    }
}

/// A gauge of `used` against `hard`, both in the unit of `hard`'s suffix (`0.56/16` for
/// `576Mi` of `16Gi`); `None` when either is not a quantity.
pub fn gauge(usage: &Usage) -> Option<NodeBuilder> {
    let unit = quantity::multiplier(quantity::suffix(&usage.hard))?;
    let hard = quantity::parse(&usage.hard)? / unit;
    let used = quantity::parse(if usage.used.is_empty() {
        "0"
    } else {
        &usage.used
    })? / unit;
    let share = quantity::share(&usage.used, &usage.hard).unwrap_or(0.0);
    let title = format!("{} ({} of {})", usage.resource, usage.used, usage.hard);
    let datum = Datum {
        label: usage.resource.clone(),
        value: used,
        tone: Some(tone(share)),
    };
    Some(View::chart(
        ChartKind::Gauge,
        title,
        vec![datum],
        Some(hard),
    ))
}

/// Metadata, scopes, the usage table and its gauges, events, YAML.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let quota = object.value()?;
    let mut pairs = details::metadata(quota, now_millis);
    pairs.push(kv(
        "Scopes",
        details::strings_at(quota, &["spec", "scopes"]).join(", "),
    ));
    let header =
        View::section(text_at(quota, &["metadata", "name"])).child(View::key_value_list(pairs));
    let usage = usage(quota);
    let rows = usage
        .iter()
        .map(|u| {
            let share = quantity::share(&u.used, &u.hard);
            vec![
                Cell::text(&u.resource),
                Cell::text(&u.used),
                Cell::text(&u.hard),
                match share {
                    Some(s) => Cell::text(format!("{:.0}%", s * 100.0))
                        .sort(s)
                        .tone(tone(s)),
                    None => Cell::empty(),
                },
            ]
        })
        .collect();
    let section = View::section("Usage")
        .child(details::table_or_empty(
            &["Resource", "Used", "Hard", "Percent"],
            rows,
            "The quota limits no resource.",
        ))
        .children(usage.iter().filter_map(gauge));
    Ok(View::stack()
        .child(header)
        .child(section)
        .child(details::events_section(cluster, quota, now_millis))
        .child(details::yaml_section(quota, "resource quota")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::NodeKind;
    use headlamp_plugin_sdk::serde_json::json;

    fn quota() -> Value {
        json!({"spec": {"hard": {"pods": "50", "limits.cpu": "4"}},
               "status": {"hard": {"pods": "50", "requests.memory": "16Gi", "limits.cpu": "4"},
                          "used": {"pods": "9", "requests.memory": "576Mi"}}})
    }

    #[test]
    fn request_and_limit_split_as_kubectl_does() {
        assert_eq!(
            usage_text(&quota(), false),
            "pods: 9/50, requests.memory: 576Mi/16Gi"
        );
        assert_eq!(usage_text(&quota(), true), "limits.cpu: 0/4");
    }

    #[test]
    fn hard_falls_back_to_the_spec_before_the_controller_counts() {
        let q = json!({"spec": {"hard": {"pods": "5"}}});
        assert_eq!(
            usage(&q),
            [Usage {
                resource: "pods".into(),
                used: String::new(),
                hard: "5".into()
            }]
        );
    }

    #[test]
    fn gauges_are_in_the_unit_of_the_hard_limit() {
        let memory = Usage {
            resource: "requests.memory".into(),
            used: "576Mi".into(),
            hard: "16Gi".into(),
        };
        let node = gauge(&memory).unwrap().build();
        let NodeKind::Chart((ChartKind::Gauge, _, data, max)) = &node.nodes[0].kind else {
            panic!("expected a gauge: {node:?}");
        };
        assert_eq!(*max, Some(16.0));
        assert_eq!(data[0].value, 0.5625);
        assert_eq!(data[0].tone, Some(Tone::Success));
    }

    #[test]
    fn tone_warns_from_eighty_percent() {
        assert_eq!(tone(0.5), Tone::Success);
        assert_eq!(tone(0.8), Tone::Warning);
        assert_eq!(tone(1.0), Tone::Error);
    }
}
