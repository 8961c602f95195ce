//! The headlamp-rs kernel: runs plugins, reaches clusters and serves the UI's API.
//!
//! - [`host`]: the wasmtime plugin host (`PluginHost`), its limits and precompile cache.
//! - [`manifest`], [`inspect`], [`permissions`]: what a plugin is and what it may do.
//! - [`cluster`]: named clusters and the calls plugins make on them.
//! - [`tables`]: rows of resource tables, declarative columns evaluated natively.
//! - [`registry`]: the merged contributions of all plugins.
//! - [`api`]: the HTTP API the UI talks to.
//! - [`watch`]: the watch hub, one shared watch per resource and filter.
//! - [`stream`]: the one WebSocket carrying live tables.
//! - [`ui`]: the browser UI's static bundle, with the fallback for its deep links.

pub mod api;
pub mod cluster;
pub mod columns;
pub mod host;
pub mod inspect;
pub mod kubeconfig;
pub mod loader;
pub mod manifest;
pub mod permissions;
pub mod registry;
pub mod stream;
pub mod tables;
pub mod ui;
pub mod watch;
