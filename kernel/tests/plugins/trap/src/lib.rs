//! Test plugin whose `rows` panics; in a component the panic aborts, which is a wasm trap.

use headlamp_plugin_sdk::prelude::*;

/// Registers `items` and panics when asked for its rows.
pub struct Trap;

/// The one table the kernel asks for rows: `items`, over namespaces, with one computed column.
fn registration() -> Registration {
    Registration::new().table(
        ResourceTable::new("items", "Items", Gvk::core("v1", "Namespace"), "namespaces")
            .cluster_scoped()
            .column(Column::computed("x", "X")),
    )
}

impl Plugin for Trap {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(registration())
    }

    fn rows(
        &self,
        _ctx: &RowsContext,
        _columns: &[String],
        _objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        panic!("the trap test plugin always panics in rows()");
    }
}

headlamp_plugin_sdk::export_plugin!(Trap);

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::testing::Harness;

    #[test]
    #[should_panic(expected = "always panics")]
    fn rows_panics() {
        let mut h = Harness::new(Trap);
        h.init().unwrap();
        let _ = h.rows("items", &["x"], &["{}"]);
    }
}
