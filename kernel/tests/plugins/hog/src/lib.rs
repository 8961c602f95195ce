//! Test plugin whose `rows` allocates and touches memory without bound, to hit the kernel's cap.

use headlamp_plugin_sdk::prelude::*;

/// One block: 1 MiB.
const BLOCK: usize = 1 << 20;
/// Wasm pages are 64 KiB; one write per page makes every page real.
const PAGE: usize = 64 << 10;

/// Registers `items` and eats memory when asked for its rows.
pub struct Hog;

/// The one table the kernel asks for rows: `items`, over namespaces, with one computed column.
fn registration() -> Registration {
    Registration::new().table(
        ResourceTable::new("items", "Items", Gvk::core("v1", "Namespace"), "namespaces")
            .cluster_scoped()
            .column(Column::computed("x", "X")),
    )
}

impl Plugin for Hog {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(registration())
    }

    fn rows(
        &self,
        _ctx: &RowsContext,
        _columns: &[String],
        _objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        let mut blocks: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut block = Vec::new();
            // When the kernel refuses to grow memory, report it instead of aborting, so a test
            // sees either this error or the kernel's own trap, never a silent success.
            if block.try_reserve_exact(BLOCK).is_err() || blocks.try_reserve(1).is_err() {
                return Err(format!(
                    "the hog test plugin ran out of memory after {} MiB",
                    blocks.len()
                ));
            }
            block.resize(BLOCK, 0);
            for at in (0..BLOCK).step_by(PAGE) {
                block[at] = core::hint::black_box(1);
            }
            blocks.push(core::hint::black_box(block));
        }
    }
}

headlamp_plugin_sdk::export_plugin!(Hog);
