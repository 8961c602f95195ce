//! The headlamp-rs kernel: runs plugins, reaches clusters and serves the UI's API.
//!
//! - [`host`]: the wasmtime plugin host (`PluginHost`), its limits and precompile cache.
//! - [`manifest`], [`inspect`], [`permissions`]: what a plugin is and what it may do.
//! - [`cluster`]: named clusters and the calls plugins make on them.
//! - [`tables`]: rows of resource tables, declarative columns evaluated natively.
//! - [`registry`]: the merged contributions of all plugins.
//! - [`launch`]: starting a whole kernel from options (the binary and the desktop app).
//! - [`launch_token`]: the per-run token guarding a desktop app's loopback kernel.
//! - [`lifecycle`]: `/readyz`, the start gate, and the shutdown that closes WebSockets with 1012.
//! - [`pinned`]: the operator's pinned plugin set, verified by digest.
//! - [`config`]: `headlamp.toml`, every flag as a key, checked with line and column.
//! - [`api`]: the HTTP API the UI talks to.
//! - [`dev`]: the hot-reload endpoint of `headlamp-plugin start`, on with a dev token only.
//! - [`actions`]: `POST /api/v1/actions`, the generic actions and plugin actions.
//! - [`access`]: what a viewer may do (can-i, cached per identity), for rows' actions.
//! - [`watch`]: the watch hub, one shared watch per resource and filter.
//! - [`stream`]: the one WebSocket carrying live tables.
//! - [`sessions`]: logs, exec and port-forward sessions on the same WebSocket.
//! - [`proxy`]: `/clusters/{cluster}/...` passed through to the API server (kubectl can use it).
//! - [`ui`]: the browser UI's static bundle, with the fallback for its deep links.

pub mod access;
pub mod actions;
pub mod added_clusters;
pub mod api;
pub mod cluster;
pub mod columns;
pub mod config;
pub mod csrf;
pub mod details;
pub mod dev;
pub mod host;
pub mod identity;
pub mod inspect;
pub mod kubeconfig;
pub mod launch;
pub mod launch_token;
pub mod lifecycle;
pub mod live_view;
pub mod loader;
pub mod manifest;
pub mod oidc;
pub mod permissions;
pub mod pinned;
pub mod plugin_manager;
pub mod proxy;
pub mod registry;
pub mod served;
pub mod sessions;
pub mod stream;
pub mod table_snapshots;
pub mod table_window;
pub mod tables;
pub mod ui;
pub mod watch;
