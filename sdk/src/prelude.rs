//! `use headlamp_plugin_sdk::prelude::*;` brings in what most plugins use.

pub use crate::cluster::{self, ClusterError, ListOptions};
pub use crate::host::{self, LogLevel};
pub use crate::watch;
pub use crate::{
    Action, ActionContext, ActionPlacement, ActionResult, Cell, CellFormat, Column, Condition,
    DetailsSection, DetailsView, Gvk, InitContext, KeyValue, Node, NodeBuilder, NodeKind, Object,
    Plugin, Registration, RenderContext, ResourceTable, Route, RouteTarget, RowsContext,
    SidebarEntry, Slot, Tone, View, WatchEvent, format,
};
