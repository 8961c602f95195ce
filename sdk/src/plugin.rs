//! The [`Plugin`] trait and the contexts the kernel passes to it.

use crate::wit::exports::headlamp::plugin::views;
use crate::{Object, Registration, View};

pub use crate::wit::exports::headlamp::plugin::actions::ActionResult;
pub use crate::wit::exports::headlamp::plugin::plugin::InitContext;
pub use views::Slot;

/// A headlamp-rs plugin. Only [`Plugin::init`] is required; every other call has a default that
/// says clearly what the plugin did not register.
///
/// The kernel calls one method at a time, so `&mut self` methods may keep state without locks.
pub trait Plugin: 'static {
    /// Called once after the component starts; returns everything the plugin contributes.
    fn init(&mut self, ctx: &InitContext) -> Result<Registration, String>;

    /// Renders a view for a slot this plugin registered (a details view, section, page, ...).
    fn render(&self, slot: &Slot, _ctx: &RenderContext) -> Result<View, String> {
        Err(format!(
            "this plugin registered no view for {}",
            describe_slot(slot)
        ))
    }

    /// Cells of the computed `columns` of `ctx.table`, one row per object, in the order asked.
    ///
    /// Each row must have exactly one cell per requested column. `ctx.cluster` is where the
    /// objects were listed, for columns that look up related objects.
    fn rows(
        &self,
        ctx: &RowsContext,
        _columns: &[String],
        _objects: &[Object],
    ) -> Result<Vec<Vec<crate::Cell>>, String> {
        Err(format!(
            "this plugin registered no computed columns for table `{}`",
            ctx.table
        ))
    }

    /// Runs the action with id `action`.
    fn invoke(&mut self, action: &str, _ctx: &ActionContext) -> Result<ActionResult, String> {
        Err(format!("this plugin registered no action `{action}`"))
    }

    /// A batch of events of a subscription made with [`crate::watch::subscribe`].
    fn on_watch(&mut self, _subscription: u64, _events: Vec<WatchEvent>) {}
}

/// A human-readable name of a slot, for error messages.
pub(crate) fn describe_slot(slot: &Slot) -> String {
    match slot {
        Slot::DetailsView(id) => format!("details view `{id}`"),
        Slot::DetailsSection(id) => format!("details section `{id}`"),
        Slot::OverviewSection(id) => format!("overview section `{id}`"),
        Slot::Page(id) => format!("page `{id}`"),
    }
}

/// Where the objects of a `rows` call come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowsContext {
    /// The table the rows are for.
    pub table: String,
    /// The cluster the objects were listed from.
    pub cluster: String,
    /// The namespace the viewer filtered to, if any.
    pub namespace: Option<String>,
}

impl RowsContext {
    /// Rows of `table` from `cluster`, all namespaces.
    pub fn new(table: impl Into<String>, cluster: impl Into<String>) -> Self {
        Self {
            table: table.into(),
            cluster: cluster.into(),
            namespace: None,
        }
    }
}

impl From<views::RowsContext> for RowsContext {
    fn from(ctx: views::RowsContext) -> Self {
        Self {
            table: ctx.table,
            cluster: ctx.cluster,
            namespace: ctx.namespace,
        }
    }
}

/// The situation a view is rendered in.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    /// The cluster the viewer is looking at.
    pub cluster: String,
    /// The object of a details page or section.
    pub object: Option<Object>,
    /// The namespace the viewer filtered to, if any.
    pub namespace: Option<String>,
    /// Parameters of the route (`name` -> `default`).
    pub params: Vec<(String, String)>,
}

impl RenderContext {
    /// A context for `cluster` with no object, namespace or parameters.
    pub fn new(cluster: &str) -> Self {
        Self {
            cluster: cluster.to_owned(),
            ..Self::default()
        }
    }

    /// Sets the object (JSON) of a details page.
    pub fn with_object(mut self, json: impl Into<String>) -> Self {
        self.object = Some(Object::new(json));
        self
    }

    /// Sets a route parameter.
    pub fn with_param(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The value of route parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The object, or an error naming what was expected (for details views).
    pub fn require_object(&self) -> Result<&Object, String> {
        self.object
            .as_ref()
            .ok_or_else(|| "the kernel passed no object to render; this view needs one".to_owned())
    }
}

impl From<views::RenderContext> for RenderContext {
    fn from(ctx: views::RenderContext) -> Self {
        Self {
            cluster: ctx.cluster,
            object: ctx.object.map(Object::new),
            namespace: ctx.namespace,
            params: ctx.params,
        }
    }
}

/// The situation an action runs in.
#[derive(Debug, Clone, Default)]
pub struct ActionContext {
    /// The cluster the viewer is looking at.
    pub cluster: String,
    /// The object the action was invoked on.
    pub object: Option<Object>,
    /// The namespace the viewer filtered to, if any.
    pub namespace: Option<String>,
    /// What the user entered in the action's dialog.
    pub input: Option<Object>,
}

impl ActionContext {
    /// A context for `cluster` with no object, namespace or input.
    pub fn new(cluster: &str) -> Self {
        Self {
            cluster: cluster.to_owned(),
            ..Self::default()
        }
    }

    /// Sets the object (JSON) the action runs on.
    pub fn with_object(mut self, json: impl Into<String>) -> Self {
        self.object = Some(Object::new(json));
        self
    }
}

impl From<crate::wit::exports::headlamp::plugin::actions::ActionContext> for ActionContext {
    fn from(ctx: crate::wit::exports::headlamp::plugin::actions::ActionContext) -> Self {
        Self {
            cluster: ctx.cluster,
            object: ctx.object.map(Object::new),
            namespace: ctx.namespace,
            input: ctx.input.map(Object::new),
        }
    }
}

/// One event of a watch.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    /// An object appeared.
    Added(Object),
    /// An object changed.
    Modified(Object),
    /// An object went away (its last state).
    Deleted(Object),
    /// The kernel dropped events and sends the whole current list instead.
    Resynced(Vec<Object>),
    /// The watch failed; the kernel retries.
    Failed(String),
}

impl From<crate::wit::headlamp::plugin::types::WatchEvent> for WatchEvent {
    fn from(event: crate::wit::headlamp::plugin::types::WatchEvent) -> Self {
        use crate::wit::headlamp::plugin::types::WatchEvent as W;
        match event {
            W::Added(o) => Self::Added(Object::new(o)),
            W::Modified(o) => Self::Modified(Object::new(o)),
            W::Deleted(o) => Self::Deleted(Object::new(o)),
            W::Resynced(list) => Self::Resynced(list.into_iter().map(Object::new).collect()),
            W::Failed(message) => Self::Failed(message),
        }
    }
}
