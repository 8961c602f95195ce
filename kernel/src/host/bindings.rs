//! Host bindings of the `headlamp:plugin` world, generated from `wit/`.
//!
//! Imports are async on the host (cluster calls do I/O) while staying plain blocking calls to
//! the guest; exports are called with `call_async` so that a busy plugin yields to the runtime.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "headlamp-plugin",
    imports: { default: async },
    exports: { default: async },
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
});

pub use exports::headlamp::plugin::actions::{ActionContext, ActionResult};
pub use exports::headlamp::plugin::plugin::{InitContext, Registration};
pub use exports::headlamp::plugin::views::{RenderContext, RowsContext, Slot};
pub use headlamp::plugin::types::{Cell, Gvk as WitGvk, View};
