//! Events: the cells of the cluster-wide table (warnings first, then the newest) and the
//! details view of one event, its object linked when a built-in view shows that kind.

use headlamp_plugin_sdk::details::{self, kv, kv_link, str_at, text_at};
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use crate::page::{self, Events};

/// Events.
pub fn event_kind() -> Gvk {
    Gvk::core("v1", "Event")
}

/// Larger than any millisecond timestamp of this millennium, so that a warning's key beats
/// every normal event's.
const WARNING_WEIGHT: f64 = 1e13;

/// The sort key of the table's default order (descending): warnings before normal events,
/// each newest first by when they were last seen.
pub fn order_key(event: &Value) -> f64 {
    let last = details::last_seen(event)
        .and_then(format::parse_rfc3339_millis)
        .unwrap_or(0) as f64;
    if is_warning(event) {
        WARNING_WEIGHT + last
    } else {
        last
    }
}

/// Whether the event's type is Warning.
pub fn is_warning(event: &Value) -> bool {
    str_at(event, &["type"]) == Some("Warning")
}

/// `Kind/name` of the object the event is about, and the route of its details view when a
/// built-in plugin shows that kind.
pub fn involved(event: &Value) -> (String, Option<String>) {
    let object = details::at(event, &["involvedObject"])
        .or_else(|| details::at(event, &["regarding"]))
        .unwrap_or(&Value::Null);
    let kind = text_at(object, &["kind"]);
    let name = text_at(object, &["name"]);
    let group = crate::page::group_of(str_at(object, &["apiVersion"]).unwrap_or("v1"));
    let namespace = str_at(object, &["namespace"]).filter(|ns| !ns.is_empty());
    let route = crate::page::object_route(group, &kind, namespace, &name);
    (format!("{kind}/{name}"), route)
}

/// The type cell: Warning in the warning tone, sorting by [`order_key`].
pub fn type_cell(event: &Value) -> Cell {
    let cell = Cell::text(str_at(event, &["type"]).unwrap_or("Normal")).sort(order_key(event));
    if is_warning(event) {
        cell.tone(Tone::Warning)
    } else {
        cell
    }
}

/// The object cell, linked when it can be.
pub fn object_cell(event: &Value) -> Cell {
    let (text, route) = involved(event);
    match route {
        Some(route) => Cell::text(text).link(route),
        None => Cell::text(text),
    }
}

fn count(event: &Value) -> i64 {
    details::int_at(event, &["count"])
        .or_else(|| details::int_at(event, &["series", "count"]))
        .unwrap_or(1)
}

/// The computed columns, resolved once per call rather than once per row.
#[derive(Clone, Copy)]
enum Computed {
    Type,
    Object,
    Count,
    LastSeen,
}

/// Cells of `columns` for each event in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "event",
        columns,
        objects,
        |id| match id {
            "type" => Ok(Computed::Type),
            "object" => Ok(Computed::Object),
            "count" => Ok(Computed::Count),
            "last-seen" => Ok(Computed::LastSeen),
            other => Err(format!(
                "the cluster plugin computes no column `{other}` of table `{}` (only `type`, `object`, `count` and `last-seen`)",
                crate::EVENTS_TABLE
            )),
        },
        |event: &Value, columns: &[Computed]| {
            columns
                .iter()
                .map(|c| match c {
                    Computed::Type => type_cell(event),
                    Computed::Object => object_cell(event),
                    Computed::Count => Cell::number(count(event) as f64),
                    Computed::LastSeen => {
                        let last = details::last_seen(event).unwrap_or_default();
                        let millis = format::parse_rfc3339_millis(last).unwrap_or(0);
                        Cell::text(last).sort(millis as f64)
                    }
                })
                .collect()
        },
    )
}

/// What happened to which object, from which component, how often and when.
pub(crate) fn view(object: &Object, now_millis: u64) -> Result<View, String> {
    let event = object.value()?;
    let (involved, route) = involved(event);
    let source = str_at(event, &["source", "component"])
        .or_else(|| str_at(event, &["reportingComponent"]))
        .unwrap_or_default();
    let extra = vec![
        kv("Type", str_at(event, &["type"]).unwrap_or("Normal")),
        kv("Reason", text_at(event, &["reason"])),
        match route {
            Some(route) => kv_link("Object", involved, route),
            None => kv("Object", involved),
        },
        kv("Message", text_at(event, &["message"])),
        kv("Source", source),
        kv("Count", count(event).to_string()),
        kv("First seen", text_at(event, &["firstTimestamp"])),
        kv("Last seen", details::last_seen(event).unwrap_or_default()),
    ];
    // An event has no events of its own.
    page::details_page(
        event,
        "event",
        extra,
        Vec::new(),
        Events::Without,
        now_millis,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    fn event(kind: &str, last: &str) -> Value {
        json!({"type": kind, "lastTimestamp": last,
               "involvedObject": {"kind": "Pod", "name": "web", "namespace": "shop", "apiVersion": "v1"}})
    }

    #[test]
    fn warnings_come_before_newer_normal_events() {
        let old_warning = order_key(&event("Warning", "2026-01-01T00:00:00Z"));
        let new_normal = order_key(&event("Normal", "2026-06-01T00:00:00Z"));
        assert!(old_warning > new_normal);
    }

    #[test]
    fn among_events_of_one_type_the_newest_comes_first() {
        let older = order_key(&event("Normal", "2026-01-01T00:00:00Z"));
        let newer = order_key(&event("Normal", "2026-01-01T00:00:01Z"));
        assert!(newer > older);
    }

    #[test]
    fn the_object_links_to_its_details_when_a_built_in_shows_it() {
        let cell = object_cell(&event("Normal", "2026-01-01T00:00:00Z"));
        assert_eq!(cell.text, "Pod/web");
        assert_eq!(cell.link.as_deref(), Some("/pods/shop/web"));
        let widget = json!({"involvedObject": {"kind": "Widget", "name": "w", "namespace": "shop",
                                               "apiVersion": "demo.headlamp.dev/v1"}});
        assert_eq!(object_cell(&widget).link, None);
    }

    #[test]
    fn a_warning_cell_has_the_warning_tone() {
        assert_eq!(
            type_cell(&event("Warning", "2026-01-01T00:00:00Z")).tone,
            Some(Tone::Warning)
        );
        assert_eq!(
            type_cell(&event("Normal", "2026-01-01T00:00:00Z")).tone,
            None
        );
    }
}
