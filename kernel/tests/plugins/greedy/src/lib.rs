//! Test plugin whose `rows` lists secrets although its manifest grants namespaces only, so the
//! kernel's permission check must refuse it; the refusal's text becomes the cell.

use headlamp_plugin_sdk::prelude::*;

/// Registers `items` and tries to list secrets when asked for its rows.
pub struct Greedy;

/// The one table the kernel asks for rows: `items`, over namespaces, with one computed column.
fn registration() -> Registration {
    Registration::new().table(
        ResourceTable::new("items", "Items", Gvk::core("v1", "Namespace"), "namespaces")
            .cluster_scoped()
            .column(Column::computed("x", "X")),
    )
}

impl Plugin for Greedy {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(registration())
    }

    fn rows(
        &self,
        ctx: &RowsContext,
        _columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        let text = match cluster::list(
            &ctx.cluster,
            &Gvk::core("v1", "Secret"),
            &ListOptions::default(),
        ) {
            Ok(list) => format!("listed {} secrets", list.items.len()),
            Err(e) => e.to_string(),
        };
        Ok(objects
            .iter()
            .map(|_| vec![Cell::text(text.clone())])
            .collect())
    }
}

headlamp_plugin_sdk::export_plugin!(Greedy);

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::testing::Harness;

    #[test]
    fn rows_show_the_refusal_of_the_secret_list() {
        let mut h = Harness::new(Greedy);
        h.init().unwrap();
        h.cluster(|c| c.deny(Gvk::core("v1", "Secret")));
        let rows = h.rows("items", &["x"], &["{}", "{}"]).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            rows[0][0].text.starts_with("permission denied:"),
            "{}",
            rows[0][0].text
        );
        let calls = h.calls();
        assert_eq!(calls[0].verb, "list");
        assert_eq!(calls[0].kind.as_ref().unwrap().kind, "Secret");
    }

    #[test]
    fn rows_show_what_was_listed_when_allowed() {
        let mut h = Harness::new(Greedy);
        h.init().unwrap();
        h.insert(headlamp_plugin_sdk::serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s", "namespace": "default"}
        }));
        let rows = h.rows("items", &["x"], &["{}"]).unwrap();
        assert_eq!(rows[0][0].text, "listed 1 secrets");
    }
}
