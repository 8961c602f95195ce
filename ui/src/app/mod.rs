//! The browser app: routes, shared state and the frame around every page.

mod action_api;
mod actions;
mod app_bar_actions;
mod cluster_chooser;
mod details;
mod dialog;
mod editor;
mod frame;
mod js;
mod log_viewer;
mod menu;
mod net;
mod notify;
mod object_actions;
mod pages;
mod plugin_manager;
mod plugin_page;
mod plugin_settings;
mod pod_tools;
mod port_forward;
mod search;
mod settings;
mod stream;
mod table_tools;
mod table_view;
mod terminal;
mod view;

use dioxus::prelude::*;

use crate::model::{ClusterInfo, Registry};
use frame::Frame;
use pages::{ClusterPage, Home, NotFound, Plugins};
use settings::SettingsPage;
pub use stream::Stream;

/// The UI's routes (see [`crate::routes`] for the scheme). Plugin routes all live under
/// `/c/:cluster/...`; the catch-all hands them to [`crate::routes::resolve`], because which
/// paths exist is decided by the plugins at run time, not by this enum.
#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Frame)]
        #[route("/")]
        Home {},
        #[route("/plugins")]
        Plugins {},
        #[route("/settings")]
        SettingsPage {},
        #[route("/c/:cluster/:..rest")]
        ClusterPage { cluster: String, rest: Vec<String> },
        #[route("/:..segments")]
        NotFound { segments: Vec<String> },
}

/// What every page shares: the kernel's registry and clusters, the chosen namespace, the clock.
#[derive(Clone, Copy)]
pub struct Shared {
    /// `GET /api/v1/registry`.
    pub registry: Resource<Result<Registry, String>>,
    /// `GET /api/v1/clusters`.
    pub clusters: Resource<Result<Vec<ClusterInfo>, String>>,
    /// The namespace filter; none means all namespaces.
    pub namespace: Signal<Option<String>>,
    /// The cluster last shown, so that `/plugins` and `/` keep the sidebar pointing at it.
    pub cluster: Signal<Option<String>>,
    /// Seconds since the epoch, ticking every few seconds so that ages stay current.
    pub now: Signal<f64>,
}

/// Starts the app in the page's `#main` element.
pub fn launch() {
    dioxus::launch(App);
}

#[component]
fn App() -> Element {
    let registry = use_resource(|| net::get::<Registry>("/api/v1/registry"));
    let clusters = use_resource(|| net::get::<Vec<ClusterInfo>>("/api/v1/clusters"));
    let namespace = use_signal(stored_namespace);
    let cluster = use_signal(|| None);
    let mut now = use_signal(net::now);
    use_context_provider(|| Shared {
        registry,
        clusters,
        namespace,
        cluster,
        now,
    });
    let stream = use_context_provider(Stream::connect);
    use_hook(move || {
        // Another tab (or the catalog) changed the plugins: fetch the sidebar and routes again.
        stream.on_registry_changed(move || {
            let mut registry = registry;
            registry.restart();
        })
    });
    use_context_provider(notify::Notifications::new);
    use_context_provider(search::SearchIndex::default);
    settings::use_settings_provider();
    use_hook(|| {
        spawn(async move {
            loop {
                net::sleep(5_000).await;
                now.set(net::now());
            }
        })
    });
    rsx! { Router::<Route> {} }
}

const NAMESPACE_KEY: &str = "headlamp.namespace";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The namespace filter chosen last time (kept across reloads).
fn stored_namespace() -> Option<String> {
    storage()?
        .get_item(NAMESPACE_KEY)
        .ok()?
        .filter(|s| !s.is_empty())
}

/// Remembers the namespace filter.
pub fn store_namespace(namespace: Option<&str>) {
    if let Some(s) = storage() {
        let _ = s.set_item(NAMESPACE_KEY, namespace.unwrap_or(""));
    }
}
