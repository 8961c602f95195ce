//! The headlamp-rs plugin SDK.
//!
//! A plugin is a WebAssembly component (`wasm32-wasip2`) that the headlamp-rs kernel loads. This
//! crate hides the WIT bindings behind a Rust API: implement [`Plugin`], call
//! [`export_plugin!`], and build the crate as a `cdylib` for `wasm32-wasip2`.
//!
//! ```ignore
//! use headlamp_plugin_sdk::prelude::*;
//!
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
//!         Ok(Registration::new().page_route("/hello", "Hello", "hello"))
//!     }
//!     fn render(&self, _slot: &Slot, _ctx: &RenderContext) -> Result<View, String> {
//!         Ok(View::stack().child(View::text("Hello from a plugin")).build())
//!     }
//! }
//!
//! headlamp_plugin_sdk::export_plugin!(Hello);
//! ```
//!
//! On the host (`cargo test`), the cluster and host functions talk to a fake cluster, and
//! [`testing::Harness`] drives a plugin the way the kernel would.

#![warn(missing_docs)]

mod backend;
pub mod cluster;
pub mod details;
pub mod format;
mod guest;
mod gvk;
pub mod host;
pub mod kind;
mod object;
mod plugin;
pub mod prelude;
mod registration;
mod table;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
mod view;
pub mod watch;

#[doc(hidden)]
#[allow(missing_docs)]
pub mod wit {
    //! The raw bindings generated from `wit/`; plugin code should not need them.
    wit_bindgen::generate!({
        path: "../wit",
        world: "headlamp-plugin",
        additional_derives: [PartialEq],
    });
}

pub use gvk::Gvk;
pub use k8s_openapi;
pub use object::{Object, ObjectError};
pub use plugin::{
    ActionContext, ActionResult, InitContext, Plugin, RenderContext, RowsContext, Slot, WatchEvent,
};
pub use registration::{
    Action, ActionPlacement, DetailsSection, DetailsView, ExtraColumn, KindIcon, OverviewSection,
    Registration, ResourceTable, Route, RouteTarget, Setting, SettingType, SidebarEntry, SortSpec,
    Theme,
};
pub use serde_json;
pub use table::{Cell, CellFormat, Column, ColumnSource, Tone, rows_by};
pub use view::{
    ChartKind, Condition, Datum, GraphEdge, GraphVertex, KeyValue, Node, NodeBuilder, NodeKind,
    TableNode, View, ViewError,
};

/// Exports a plugin: makes the component call `$plugin` and embeds the crate's `plugin.toml`.
///
/// The argument is an expression building the plugin (for a unit struct, its name). It runs once,
/// when the kernel calls `init`. The manifest lands in a custom section named
/// `headlamp-plugin-manifest` of the component's core module, where the kernel reads it before
/// compiling.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:expr) => {
        #[cfg(target_arch = "wasm32")]
        #[unsafe(link_section = "headlamp-plugin-manifest")]
        #[used]
        static __HEADLAMP_PLUGIN_MANIFEST: [u8; include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/plugin.toml"
        ))
        .len()] = *include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/plugin.toml"));

        // Native builds do not carry the section, but a missing manifest should still fail there.
        #[cfg(not(target_arch = "wasm32"))]
        const _: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/plugin.toml"));

        /// Called by the SDK's exports (by symbol name) the first time the kernel calls `init`.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        pub extern "Rust" fn __headlamp_plugin_create() -> ::std::boxed::Box<dyn $crate::Plugin> {
            ::std::boxed::Box::new($plugin)
        }
    };
}
