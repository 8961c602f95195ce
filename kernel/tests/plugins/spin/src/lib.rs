//! Test plugin whose `rows` never returns, so the kernel's deadline has to stop it.

use headlamp_plugin_sdk::prelude::*;

/// Registers `items` and spins forever when asked for its rows.
pub struct Spin;

/// The one table the kernel asks for rows: `items`, over namespaces, with one computed column.
fn registration() -> Registration {
    Registration::new().table(
        ResourceTable::new("items", "Items", Gvk::core("v1", "Namespace"), "namespaces")
            .cluster_scoped()
            .column(Column::computed("x", "X")),
    )
}

impl Plugin for Spin {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(registration())
    }

    fn rows(
        &self,
        _ctx: &RowsContext,
        _columns: &[String],
        _objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        let mut counter = 0u64;
        loop {
            // black_box keeps the optimiser from proving the loop empty and removing it.
            counter = core::hint::black_box(counter).wrapping_add(1);
        }
    }
}

headlamp_plugin_sdk::export_plugin!(Spin);
