//! Native test support: drive a plugin the way the kernel does, against a fake cluster.
//!
//! On the host, [`crate::cluster`], [`crate::watch`] and [`crate::host`] talk to this thread's
//! [`FakeCluster`]. [`Harness::new`] starts each test from an empty one.
//!
//! ```
//! use headlamp_plugin_sdk::prelude::*;
//! use headlamp_plugin_sdk::testing::{CLUSTER, Harness};
//!
//! /// Shows how many namespaces the cluster has.
//! struct Count;
//!
//! impl Plugin for Count {
//!     fn init(&mut self, _ctx: &InitContext) -> Result<Registration, String> {
//!         Ok(Registration::new().page_route("/count", "Count", "count"))
//!     }
//!     fn render(&self, _slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
//!         let list = cluster::list(&ctx.cluster, &Gvk::core("v1", "Namespace"), &ListOptions::default())?;
//!         Ok(View::text(format!("{} namespaces", list.items.len())).build())
//!     }
//! }
//!
//! let mut h = Harness::new(Count);
//! h.init().unwrap();
//! h.insert(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}));
//! let view = h.render(&Slot::Page("count".into()), &RenderContext::new(CLUSTER)).unwrap();
//! assert!(matches!(&view.nodes[0].kind, NodeKind::Text(t) if t == "1 namespaces"));
//! assert_eq!(h.calls()[0].verb, "list");
//! ```

mod fake;
pub mod sample;

use std::cell::RefCell;

use serde_json::Value;

use crate::{
    ActionContext, ActionResult, Cell, InitContext, Plugin, Registration, RenderContext,
    RowsContext, Slot, View, WatchEvent, guest,
};

pub use fake::{Call, FakeCluster};

/// The cluster name a fresh [`FakeCluster`] knows.
pub const CLUSTER: &str = "test";

thread_local! {
    static FAKE: RefCell<FakeCluster> = RefCell::new(FakeCluster::new());
}

/// Runs `f` with this thread's fake cluster.
pub(crate) fn with_fake<R>(f: impl FnOnce(&mut FakeCluster) -> R) -> R {
    FAKE.with(|fake| f(&mut fake.borrow_mut()))
}

/// Drives a plugin natively the way the kernel drives a component, with the same checks on
/// views and rows, against this thread's [`FakeCluster`].
pub struct Harness {
    plugin: Box<dyn Plugin>,
}

impl Harness {
    /// Wraps `plugin` and gives this thread a fresh, empty [`FakeCluster`].
    pub fn new(plugin: impl Plugin) -> Self {
        with_fake(|fake| *fake = FakeCluster::new());
        Self {
            plugin: Box::new(plugin),
        }
    }

    /// Calls `init` as a kernel of this SDK's API version would.
    pub fn init(&mut self) -> Result<Registration, String> {
        let ctx = InitContext {
            kernel_version: "test".to_owned(),
            api_version: "0.1.0".to_owned(),
        };
        guest::init(self.plugin.as_mut(), &ctx)
    }

    /// Calls `render`; malformed view trees are errors, as in the kernel.
    pub fn render(&self, slot: &Slot, ctx: &RenderContext) -> Result<View, String> {
        guest::render(self.plugin.as_ref(), slot, ctx)
    }

    /// Renders the details view `id` for the object `json` in [`CLUSTER`].
    pub fn render_details(&self, id: &str, json: &str) -> Result<View, String> {
        let ctx = RenderContext::new(CLUSTER).with_object(json);
        self.render(&Slot::DetailsView(id.to_owned()), &ctx)
    }

    /// Calls `rows` for `table` in [`CLUSTER`] with objects as JSON text; a wrong number of
    /// rows or cells is an error.
    pub fn rows(
        &self,
        table: &str,
        columns: &[&str],
        objects: &[impl AsRef<str>],
    ) -> Result<Vec<Vec<Cell>>, String> {
        self.rows_in(&RowsContext::new(table, CLUSTER), columns, objects)
    }

    /// Calls `rows` with a context of the test's choosing.
    pub fn rows_in(
        &self,
        ctx: &RowsContext,
        columns: &[&str],
        objects: &[impl AsRef<str>],
    ) -> Result<Vec<Vec<Cell>>, String> {
        let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        let objects = objects.iter().map(|o| o.as_ref().to_owned()).collect();
        guest::rows(self.plugin.as_ref(), ctx, &columns, objects)
    }

    /// Calls `invoke`.
    pub fn invoke(&mut self, action: &str, ctx: &ActionContext) -> Result<ActionResult, String> {
        guest::invoke(self.plugin.as_mut(), action, ctx)
    }

    /// Delivers a batch of watch events.
    pub fn on_watch(&mut self, subscription: u64, events: Vec<WatchEvent>) {
        self.plugin.on_watch(subscription, events);
    }

    /// Runs `f` with the fake cluster, to add objects or look at what the plugin did.
    pub fn cluster<R>(&self, f: impl FnOnce(&mut FakeCluster) -> R) -> R {
        with_fake(f)
    }

    /// Stores an object in the fake cluster (see [`FakeCluster::insert`]).
    pub fn insert(&self, object: Value) {
        with_fake(|fake| fake.insert(object));
    }

    /// The cluster calls the plugin made so far.
    pub fn calls(&self) -> Vec<Call> {
        with_fake(|fake| fake.calls().to_vec())
    }
}
