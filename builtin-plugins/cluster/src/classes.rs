//! PriorityClasses and RuntimeClasses: small cluster-scoped kinds the scheduler reads.

use headlamp_plugin_sdk::details::{self, kv, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::page::{self, Events};

/// PriorityClasses.
pub fn priority_class_kind() -> Gvk {
    Gvk::new("scheduling.k8s.io", "v1", "PriorityClass")
}

/// RuntimeClasses.
pub fn runtime_class_kind() -> Gvk {
    Gvk::new("node.k8s.io", "v1", "RuntimeClass")
}

/// The preemption policy; the API defaults it to `PreemptLowerPriority`.
pub fn preemption(class: &Value) -> &str {
    str_at(class, &["preemptionPolicy"]).unwrap_or("PreemptLowerPriority")
}

/// The computed columns of the priority classes table.
#[derive(Clone, Copy)]
enum Computed {
    GlobalDefault,
    Preemption,
}

/// Cells of `columns` for each priority class in `objects`.
pub(crate) fn priority_rows(
    columns: &[String],
    objects: &[Object],
) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "priority class",
        columns,
        objects,
        |id| match id {
            "global-default" => Ok(Computed::GlobalDefault),
            "preemption" => Ok(Computed::Preemption),
            other => Err(format!(
                "the cluster plugin computes no column `{other}` of table `{}` (only `global-default` and `preemption`)",
                crate::PRIORITY_CLASSES_TABLE
            )),
        },
        |class: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::GlobalDefault => Cell::text(page::flag(class.get("globalDefault"))),
                    Computed::Preemption => Cell::text(preemption(class)),
                })
                .collect()
        },
    )
}

/// Value, whether it is the default, preemption policy and description.
pub(crate) fn priority_view(
    object: &Object,
    cluster: &str,
    now_millis: u64,
) -> Result<View, String> {
    let class = object.value()?;
    let extra = vec![
        kv(
            "Value",
            class
                .get("value")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .to_string(),
        ),
        kv("Global default", page::flag(class.get("globalDefault"))),
        kv("Preemption policy", preemption(class)),
        kv("Description", text_at(class, &["description"])),
    ];
    page::details_page(
        class,
        "priority class",
        extra,
        Vec::new(),
        Events::From(cluster),
        now_millis,
    )
}

/// Handler, pod overhead and the scheduling constraints of its pods.
pub(crate) fn runtime_view(
    object: &Object,
    cluster: &str,
    now_millis: u64,
) -> Result<View, String> {
    let class = object.value()?;
    let extra = vec![
        kv("Handler", text_at(class, &["handler"])),
        kv(
            "Pod overhead",
            details::pairs_text(class.pointer("/overhead/podFixed")),
        ),
        kv(
            "Node selector",
            details::pairs_text(class.pointer("/scheduling/nodeSelector")),
        ),
    ];
    let tolerations = details::array_at(class, &["scheduling", "tolerations"])
        .iter()
        .map(|t| {
            vec![
                Cell::text(text_at(t, &["key"])),
                Cell::text(str_at(t, &["operator"]).unwrap_or("Equal")),
                Cell::text(text_at(t, &["value"])),
                Cell::text(text_at(t, &["effect"])),
            ]
        })
        .collect();
    let parts = vec![View::section("Tolerations").child(details::table_or_empty(
        &["Key", "Operator", "Value", "Effect"],
        tolerations,
        "No tolerations: pods of this class schedule like any other.",
    ))];
    page::details_page(
        class,
        "runtime class",
        extra,
        parts,
        Events::From(cluster),
        now_millis,
    )
}
