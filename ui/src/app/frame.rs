//! The frame around every page: the app bar (cluster chooser, namespace filter) and the
//! sidebar built from the plugins' registry.

use dioxus::prelude::*;

use super::cluster_chooser::ClusterChooser;
use super::{Route, Shared, net};
use crate::model::{Registry, SidebarNode, TableRows};
use crate::routes::{Screen, cluster_path, parse_clusters};

/// The cluster(s) a page is about, as the `/c/{clusters}` segment names them (`a` or `a+b`):
/// the route's, else the last shown, else the first listed.
pub fn current_cluster(shared: &Shared, route: &Route) -> Option<String> {
    if let Route::ClusterPage { cluster, .. } = route {
        return Some(cluster.clone());
    }
    if let Some(c) = shared.cluster.read().clone() {
        return Some(c);
    }
    match &*shared.clusters.read() {
        Some(Ok(list)) => list.first().map(|c| c.name.clone()),
        _ => None,
    }
}

/// The layout: app bar, sidebar, and the page.
#[component]
pub fn Frame() -> Element {
    let shared = use_context::<Shared>();
    let route = use_route::<Route>();
    let cluster = current_cluster(&shared, &route);
    let selection = cluster.as_deref().map(parse_clusters).unwrap_or_default();
    super::settings::use_default_namespace(selection.first().cloned());
    let path = route.to_string();
    rsx! {
        div { class: "app",
            header { class: "appbar", role: "banner",
                Link { class: "brand", to: "/", span { class: "logo", "◎" } " headlamp" }
                ClusterChooser { selection: selection.clone(), path: path.clone() }
                if !selection.is_empty() {
                    NamespaceFilter { clusters: selection.clone() }
                }
                super::search::GlobalSearch {}
                div { class: "spacer" }
                if let Some(first) = selection.first() {
                    super::app_bar_actions::AppBarActions { cluster: first.clone() }
                }
                Link {
                    class: if path == "/plugins" { "appbar-link active" } else { "appbar-link" },
                    to: "/plugins",
                    "Plugins"
                }
                Link {
                    class: if path == "/settings" { "appbar-link active" } else { "appbar-link" },
                    to: "/settings",
                    "Settings"
                }
            }
            nav { class: "sidebar", role: "navigation", aria_label: "Resources",
                Sidebar { cluster: cluster.clone(), path: path.clone() }
            }
            main { class: "content", role: "main", Outlet::<Route> {} }
            super::notify::ConnectionBanner {}
            super::notify::Toasts {}
        }
    }
}

/// The namespace filter: the namespaces of the selected clusters (all of them, merged), from
/// the plugin table of Namespaces. A cluster that cannot list them adds none.
#[component]
fn NamespaceFilter(clusters: Vec<String>) -> Element {
    let mut shared = use_context::<Shared>();
    let registry = shared.registry.read().clone();
    let table = match &registry {
        Some(Ok(r)) => r.namespaces_table().map(|t| t.id.clone()),
        _ => None,
    };
    let names = use_resource(use_reactive!(|(clusters, table)| async move {
        let Some(table) = table else {
            return Ok(Vec::new());
        };
        let path = format!("/api/v1/tables/{table}/rows");
        let lists = clusters.iter().map(|cluster| {
            let (path, body) = (path.clone(), serde_json::json!({ "cluster": cluster }));
            async move { net::post::<TableRows, _>(&path, &body).await }
        });
        let mut names = Vec::new();
        let mut failure = None;
        for answer in futures::future::join_all(lists).await {
            match answer {
                Ok(rows) => names.extend(rows.rows.into_iter().map(|r| r.object.name)),
                Err(e) => failure = Some(e),
            }
        }
        if let (true, Some(e)) = (names.is_empty(), failure) {
            return Err(e);
        }
        names.sort();
        names.dedup();
        Ok::<_, String>(names)
    }));
    let selected = shared.namespace.read().clone();
    let options = match &*names.read() {
        Some(Ok(n)) => n.clone(),
        _ => Vec::new(),
    };
    let failed = matches!(&*names.read(), Some(Err(_)));
    rsx! {
        label { class: "chooser",
            span { class: "chooser-label", "Namespace" }
            select {
                aria_label: "Namespace",
                title: if failed { "the namespaces could not be listed" } else { "" },
                onchange: move |e| {
                    let value = e.value();
                    let namespace = (!value.is_empty()).then_some(value);
                    super::store_namespace(namespace.as_deref());
                    shared.namespace.set(namespace);
                },
                option { value: "", selected: selected.is_none(), "All namespaces" }
                // Keep a remembered namespace selectable even before (or without) the list.
                if let Some(s) = selected.clone().filter(|s| !options.contains(s)) {
                    option { value: "{s}", selected: true, "{s}" }
                }
                for n in options.iter() {
                    option { value: "{n}", selected: selected.as_deref() == Some(n.as_str()), "{n}" }
                }
            }
        }
    }
}

/// The sidebar: plugin groups with their links, the current route highlighted.
#[component]
fn Sidebar(cluster: Option<String>, path: String) -> Element {
    let shared = use_context::<Shared>();
    // One cluster's own sidebar leaves out kinds it does not serve (the Gateway API where its
    // CRDs are not installed); until it arrives, if it cannot be read, or with several
    // clusters at once (a kind one of them serves), every plugin's shows.
    let global = shared.registry;
    let served = use_resource(use_reactive!(|cluster| async move {
        // Reading the global registry here asks again whenever it is fetched again (a plugin
        // switched on or off, installed, removed).
        if global.read().is_none() {
            return Ok(None);
        }
        let selected = cluster.as_deref().map(parse_clusters).unwrap_or_default();
        match selected.as_slice() {
            [c] => {
                let c = String::from(js_sys::encode_uri_component(c));
                net::get::<Registry>(&format!("/api/v1/registry?cluster={c}"))
                    .await
                    .map(|r| Some(r.sidebar))
            }
            _ => Ok(None),
        }
    }));
    let registry = shared.registry.read().clone();
    let mut nodes = match registry {
        None => return rsx! { p { class: "muted pad", "Loading…" } },
        Some(Err(e)) => {
            return rsx! { div { class: "error-box", role: "alert", "The plugins' registry could not be read: {e}" } };
        }
        Some(Ok(r)) => match &*served.read() {
            Some(Ok(Some(own))) => own.clone(),
            _ => r.sidebar,
        },
    };
    nodes.sort_by_key(|n| n.order);
    let Some(cluster) = cluster else {
        return rsx! { p { class: "muted pad", "Choose a cluster to see its resources." } };
    };
    let route = match Screen::parse(&path) {
        Screen::Cluster { route, .. } => Some(route),
        _ => None,
    };
    rsx! {
        ul { class: "nav", role: "list",
            for node in nodes {
                SidebarItem { key: "{node.plugin}/{node.id}", node: node.clone(), cluster: cluster.clone(), route: route.clone(), depth: 0 }
            }
        }
    }
}

/// Whether a sidebar link is the current page (or an object below it: `/pods` for a pod).
fn is_active(entry: &str, route: Option<&str>) -> bool {
    route.is_some_and(|r| r == entry || r.starts_with(&format!("{}/", entry.trim_end_matches('/'))))
}

#[component]
fn SidebarItem(node: SidebarNode, cluster: String, route: Option<String>, depth: u8) -> Element {
    let mut children = node.children.clone();
    children.sort_by_key(|n| n.order);
    let active = node
        .route
        .as_deref()
        .is_some_and(|r| is_active(r, route.as_deref()));
    let class = if active {
        "nav-link active"
    } else {
        "nav-link"
    };
    let mut open = use_signal(|| true);
    rsx! {
        li { class: if depth == 0 { "nav-group" } else { "nav-item" },
            match node.route.clone() {
                Some(r) => rsx! {
                    Link {
                        class: "{class}",
                        to: cluster_path(&cluster, &r),
                        span { class: "icon", aria_hidden: "true", {icon_glyph(node.icon.as_deref())} }
                        span { "{node.label}" }
                    }
                },
                None => rsx! {
                    button {
                        class: "nav-heading",
                        aria_expanded: "{open}",
                        title: if open() { "Collapse" } else { "Expand" },
                        onclick: move |_| open.toggle(),
                        span { class: "icon", aria_hidden: "true", {icon_glyph(node.icon.as_deref())} }
                        span { "{node.label}" }
                        span { class: "chevron", aria_hidden: "true", if open() { "▾" } else { "▸" } }
                    }
                },
            }
            if !children.is_empty() && open() {
                ul { role: "list",
                    for child in children {
                        SidebarItem { key: "{child.plugin}/{child.id}", node: child.clone(), cluster: cluster.clone(), route: route.clone(), depth: depth + 1 }
                    }
                }
            }
        }
    }
}

/// A glyph standing in for an Iconify icon name (the bundle carries no icon font).
fn icon_glyph(icon: Option<&str>) -> &'static str {
    let name = icon.unwrap_or("");
    if name.contains("cube") {
        "▣"
    } else if name.contains("rocket") {
        "➚"
    } else if name.contains("folder") {
        "▤"
    } else if name.contains("hexagon") {
        "⬡"
    } else if name.contains("circle") {
        "◔"
    } else if name.contains("server") || name.contains("node") {
        "▥"
    } else {
        "•"
    }
}
