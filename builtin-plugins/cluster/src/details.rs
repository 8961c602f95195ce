//! The details view of one namespace.

use headlamp_plugin_sdk::k8s_openapi::api::core::v1::Namespace;
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::{details, format};

/// Header key-values, conditions when there are any, its events, and the object as YAML.
pub(crate) fn namespace(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let ns: Namespace = object.parse()?;
    let meta = &ns.metadata;
    let name = meta.name.clone().unwrap_or_default();
    let phase = ns.status.as_ref().and_then(|s| s.phase.clone());
    let created = details::created(
        object.str_at(&["metadata", "creationTimestamp"]),
        now_millis,
    );
    let header = View::section(name.clone()).child(View::key_values([
        ("Name", name),
        ("Status", phase.unwrap_or_else(|| "Unknown".to_owned())),
        ("UID", meta.uid.clone().unwrap_or_default()),
        ("Created", created),
        ("Labels", format::label_map(meta.labels.as_ref())),
        ("Annotations", format::label_map(meta.annotations.as_ref())),
    ]));

    let conditions: Vec<Condition> = ns
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .map(|c| Condition {
            kind: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
            message: c.message.clone(),
            last_transition: c.last_transition_time.as_ref().map(|t| t.0.to_string()),
        })
        .collect();

    let value = object.value()?;
    let yaml = serde_yaml::to_string(value)
        .map_err(|e| format!("could not show namespace as YAML: {e}"))?;

    let mut view = View::stack().child(header);
    if !conditions.is_empty() {
        view = view.child(View::section("Conditions").child(View::conditions(conditions)));
    }
    Ok(view
        .child(details::events_section(cluster, value, now_millis))
        .child(View::section("YAML").child(View::code("yaml", yaml)))
        .build())
}
