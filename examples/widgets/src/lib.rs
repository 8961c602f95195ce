//! A table and details view for Widgets (demo.headlamp.dev/v1)

use headlamp_plugin_sdk::prelude::*;

/// The table of the custom resources.
pub const TABLE: &str = "widgets-widgets";
/// The details view of one custom resource.
pub const DETAILS: &str = "widgets-widget";

/// The custom resource this plugin shows: change it to your CRD's group, version and kind.
pub fn kind() -> Gvk {
    Gvk::new("demo.headlamp.dev", "v1", "Widget")
}

/// The plugin.
pub struct WidgetsPlugin;

impl Plugin for WidgetsPlugin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        // json-path columns are evaluated by the kernel, like a CRD's additionalPrinterColumns.
        let table = ResourceTable::new(TABLE, "Widgets", kind(), "widgets")
            .column(Column::json_path("name", "Name", ".metadata.name"))
            .column(Column::json_path(
                "namespace",
                "Namespace",
                ".metadata.namespace",
            ))
            .column(Column::json_path("size", "Size", ".spec.size"))
            .column(Column::computed("ready", "Ready"))
            .sort_by("name")
            .details_route("/widgets/:namespace/:name");
        Ok(Registration::new()
            .sidebar(
                SidebarEntry::link("widgets", "Widgets", "/widgets").icon("mdi:puzzle-outline"),
            )
            .table_route("/widgets", "Widgets", TABLE)
            .details_route("/widgets/:namespace/:name", "Widget", DETAILS)
            .table(table)
            .details_view(DetailsView::new(DETAILS, kind(), "Widget")))
    }

    fn rows(
        &self,
        ctx: &RowsContext,
        columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        if ctx.table != TABLE {
            return Err(format!(
                "no table `{}` here; this plugin computes `{TABLE}` only",
                ctx.table
            ));
        }
        objects
            .iter()
            .map(|object| columns.iter().map(|_| Ok(ready_cell(object))).collect())
            .collect()
    }

    fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        match slot {
            Slot::DetailsView(id) if id == DETAILS => {
                let object = ctx.require_object()?;
                let value = object.value().map_err(|e| e.to_string())?;
                let spec = headlamp_plugin_sdk::serde_json::to_string_pretty(&value["spec"])
                    .map_err(|e| e.to_string())?;
                Ok(View::stack()
                    .child(View::section("Widget").child(View::key_values([
                        ("Name", object.name().unwrap_or("-").to_string()),
                        ("Namespace", object.namespace().unwrap_or("-").to_string()),
                        ("Ready", ready_cell(object).text),
                    ])))
                    .child(View::section("Spec").child(View::code("json", spec)))
                    .build())
            }
            other => Err(format!(
                "this plugin renders only the details view `{DETAILS}`, not {other:?}"
            )),
        }
    }
}

/// `status.conditions[type=Ready]`, the convention most operators follow.
fn ready_cell(object: &Object) -> Cell {
    let ready = object
        .value()
        .ok()
        .and_then(|v| v["status"]["conditions"].as_array().cloned())
        .and_then(|conditions| conditions.into_iter().find(|c| c["type"] == "Ready"))
        .map(|c| c["status"] == "True");
    match ready {
        Some(true) => Cell::text("Ready").tone(Tone::Success),
        Some(false) => Cell::text("Not ready").tone(Tone::Warning),
        None => Cell::text("Unknown"),
    }
}

headlamp_plugin_sdk::export_plugin!(WidgetsPlugin);
