//! The Dioxus shell for headlamp-rs: a renderer of what the kernel's plugins declare.
//!
//! The UI knows how to draw a table, a details view, a chart; it does not know what a Pod is.
//! Pure parts (compiled and unit-tested on every target):
//! - [`model`]: the kernel's JSON (registry, stream messages, view trees).
//! - [`table`]: a live table's rows: snapshot + deltas, sorting, filtering.
//! - [`window`]: virtual scrolling maths.
//! - [`routes`]: the URL scheme (one cluster or several) and plugin route matching.
//! - [`search`]: the global search's matching and ranking.
//! - [`format`]: ages and labels.
//! - [`actions`]: actions on objects: labels, prompts, requests, answers, the editor's YAML.
//! - [`prefs`]: the viewer's settings and column choices (kept in `localStorage`).
//! - [`selector`]: checking label selectors typed into a table's label filter.
//! - [`chart`]: charts and relation graphs as SVG.
//! - [`logs`]: a log viewer's ring buffer, search and wrapped-line layout.
//! - [`pod`]: a Pod's containers and ports, for the pod tools.
//! - [`plugin_admin`]: plugin settings forms and the Artifact Hub catalog, and what to offer.
//!
//! The browser app ([`app`]) is compiled for `wasm32` only.

pub mod actions;
pub mod chart;
pub mod format;
pub mod logs;
pub mod model;
pub mod plugin_admin;
pub mod pod;
pub mod prefs;
pub mod routes;
pub mod search;
pub mod selector;
pub mod table;
pub mod window;

#[cfg(target_arch = "wasm32")]
pub mod app;
