//! Test plugin whose `rows` answers nine calls and panics on the tenth: a plugin that works
//! for a while and then traps, so the kernel must stop it, say why and let it be restarted.

use std::cell::Cell as Counter;

use headlamp_plugin_sdk::prelude::*;

/// Every how many calls `rows` panics.
pub const TRAP_EVERY: u32 = 10;

/// Registers `items`; counts its `rows` calls and panics on every [`TRAP_EVERY`]th.
#[derive(Default)]
pub struct Flaky {
    calls: Counter<u32>,
}

/// The one table the kernel asks for rows: `items`, over namespaces, with one computed column.
fn registration() -> Registration {
    Registration::new().table(
        ResourceTable::new("items", "Items", Gvk::core("v1", "Namespace"), "namespaces")
            .cluster_scoped()
            .column(Column::computed("x", "X")),
    )
}

impl Plugin for Flaky {
    fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
        Ok(registration())
    }

    fn rows(
        &self,
        _ctx: &RowsContext,
        _columns: &[String],
        objects: &[Object],
    ) -> Result<Vec<Vec<Cell>>, String> {
        let call = self.calls.get() + 1;
        self.calls.set(call);
        if call.is_multiple_of(TRAP_EVERY) {
            panic!("the flaky test plugin panics on call {call}");
        }
        Ok(objects
            .iter()
            .map(|_| vec![Cell::text(format!("call {call}"))])
            .collect())
    }
}

headlamp_plugin_sdk::export_plugin!(Flaky::default());

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::testing::Harness;

    #[test]
    fn the_first_nine_calls_answer_with_their_number() {
        let mut h = Harness::new(Flaky::default());
        h.init().unwrap();
        for call in 1..TRAP_EVERY {
            let rows = h.rows("items", &["x"], &["{}"]).unwrap();
            assert_eq!(rows[0][0].text, format!("call {call}"));
        }
    }

    #[test]
    #[should_panic(expected = "panics on call 10")]
    fn the_tenth_call_panics() {
        let mut h = Harness::new(Flaky::default());
        h.init().unwrap();
        for _ in 0..TRAP_EVERY {
            let _ = h.rows("items", &["x"], &["{}"]);
        }
    }
}
