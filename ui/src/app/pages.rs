//! The pages the routes show: home (clusters), plugins, a cluster's plugin route, not found.

use dioxus::prelude::*;

use super::details::DetailsPage;
use super::notify::Notifications;
use super::plugin_manager::Catalog;
use super::plugin_page::PluginPage;
use super::plugin_settings::PluginSettingsForm;
use super::table_view::ResourceTable;
use super::{Shared, net};
use crate::model::{PluginsAnswer, RouteTarget};
use crate::routes::{cluster_path, parse_clusters, resolve};

/// `/`: every cluster of the kernel with its state.
#[component]
pub fn Home() -> Element {
    let shared = use_context::<Shared>();
    let clusters = shared.clusters.read().clone();
    rsx! {
        div { class: "page",
            h1 { "Clusters" }
            match clusters {
                None => rsx! { p { class: "muted", "Loading clusters…" } },
                Some(Err(e)) => rsx! { ErrorBox { message: e } },
                Some(Ok(list)) if list.is_empty() => rsx! {
                    div { class: "empty-box", "No clusters are configured: start the kernel with --demo, or give it a kubeconfig." }
                },
                Some(Ok(list)) => rsx! {
                    table { class: "simple", role: "table",
                        thead { tr { th { "Name" } th { "Status" } th { "Version" } } }
                        tbody {
                            for c in list {
                                tr { key: "{c.name}",
                                    td { Link { to: cluster_path(&c.name, "/"), "{c.name}" } }
                                    td {
                                        match &c.error {
                                            None => rsx! { span { class: "badge tone-success", "Reachable" } },
                                            Some(e) => rsx! { span { class: "badge tone-error", "Unreachable" } " " span { class: "muted", "{e}" } },
                                        }
                                    }
                                    td { {c.version.clone().unwrap_or_default()} }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

/// `/plugins`: every plugin, its version, state and error, an Enabled switch and its settings
/// form; the ones that did not load; and the Artifact Hub catalog.
#[component]
pub fn Plugins() -> Element {
    let mut answer = use_resource(|| net::get::<PluginsAnswer>("/api/v1/plugins"));
    let mut shared = use_context::<Shared>();
    let notifications = use_context::<Notifications>();
    let mut busy = use_signal(|| None::<String>);
    let mut open_settings = use_signal(|| None::<String>);
    let value = answer.read().clone();
    let with_settings: Vec<String> = match &*shared.registry.read() {
        Some(Ok(registry)) => registry.settings.iter().map(|s| s.plugin.clone()).collect(),
        _ => Vec::new(),
    };
    // After a change: this page and the sidebar and routes (the registry) are fetched again.
    let mut refresh = move || {
        answer.restart();
        shared.registry.restart();
    };
    let mut act = move |name: String, path: String, done: String| {
        busy.set(Some(name.clone()));
        spawn(async move {
            let result: Result<serde_json::Value, String> =
                net::send_checked("POST", &path, None).await;
            busy.set(None);
            match result {
                Ok(_) => notifications.success(done),
                Err(e) => notifications.error(format!("{name}: {e}")),
            }
            refresh();
        });
    };
    rsx! {
        div { class: "page",
            h1 { "Plugins" }
            match value {
                None => rsx! { p { class: "muted", "Loading plugins…" } },
                Some(Err(e)) => rsx! { ErrorBox { message: e } },
                Some(Ok(a)) => {
                    let locked = if a.management.allowed {
                        None
                    } else {
                        Some(a.management.reason.clone().unwrap_or_else(|| "Plugins cannot be changed in this kernel.".into()))
                    };
                    rsx! {
                        if let Some(reason) = &locked { p { class: "muted plugins-locked", "{reason}" } }
                        table { class: "simple", role: "table", aria_label: "Plugins",
                            thead { tr { th { "Name" } th { "Version" } th { "API" } th { "Origin" } th { "State" } th { "Description / error" } th { "Enabled" } th {} } }
                            tbody {
                                for p in a.plugins {
                                    tr { key: "{p.name}",
                                        td { strong { "{p.name}" } }
                                        td { "{p.version}" }
                                        td { "{p.api}" }
                                        td {
                                            match &p.installed {
                                                Some(i) => rsx! { "catalog ({i.package})" },
                                                None => rsx! { {p.origin.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_owned()} },
                                            }
                                        }
                                        td {
                                            span {
                                                class: match p.state.as_str() { "ready" => "badge tone-success", "disabled" => "badge tone-neutral", _ => "badge tone-error" },
                                                "{p.state}"
                                            }
                                        }
                                        td {
                                            match &p.error {
                                                Some(e) => rsx! { span { class: "error-text", "{e}" } },
                                                None => rsx! { span { class: "muted", "{p.description}" } },
                                            }
                                        }
                                        td {
                                            input {
                                                r#type: "checkbox",
                                                role: "switch",
                                                class: "plugin-enabled",
                                                aria_label: "Enabled: {p.name}",
                                                title: locked.clone().unwrap_or_default(),
                                                checked: p.enabled,
                                                disabled: locked.is_some() || busy().is_some(),
                                                onchange: {
                                                    let name = p.name.clone();
                                                    move |e: Event<FormData>| {
                                                        let (verb, done) = if e.checked() { ("enable", "enabled") } else { ("disable", "disabled") };
                                                        act(name.clone(), format!("/api/v1/plugins/{name}/{verb}"), format!("{name} {done}"));
                                                    }
                                                },
                                            }
                                        }
                                        td {
                                            if p.state == "failed" {
                                                button {
                                                    class: "button",
                                                    disabled: busy().as_deref() == Some(p.name.as_str()),
                                                    onclick: {
                                                        let name = p.name.clone();
                                                        move |_| act(name.clone(), format!("/api/v1/plugins/{name}/restart"), format!("{name} restarted"))
                                                    },
                                                    "Restart"
                                                }
                                            }
                                            if p.state == "ready" && with_settings.contains(&p.name) {
                                                button {
                                                    class: "button",
                                                    aria_expanded: open_settings().as_deref() == Some(p.name.as_str()),
                                                    onclick: {
                                                        let name = p.name.clone();
                                                        move |_| {
                                                            let shown = open_settings.peek().as_deref() == Some(name.as_str());
                                                            open_settings.set(if shown { None } else { Some(name.clone()) });
                                                        }
                                                    },
                                                    "Settings"
                                                }
                                            }
                                        }
                                    }
                                    if open_settings().as_deref() == Some(p.name.as_str()) && p.state == "ready" {
                                        tr { key: "{p.name}-settings",
                                            td { colspan: "8",
                                                PluginSettingsForm { name: p.name.clone(), locked: locked.clone() }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        if !a.not_loaded.is_empty() {
                            h2 { "Not loaded" }
                            table { class: "simple", role: "table", aria_label: "Plugins that did not load",
                                thead { tr { th { "Plugin" } th { "Error" } } }
                                tbody {
                                    for f in a.not_loaded {
                                        tr { key: "{f.name}", td { "{f.name}" } td { span { class: "error-text", "{f.error}" } } }
                                    }
                                }
                            }
                        }
                        Catalog { locked: locked.clone(), on_change: move |()| refresh() }
                    }
                }
            }
        }
    }
}

/// `/c/{cluster}/{plugin route}`: the table, details view or page the route names.
/// `cluster` may name several clusters (`dev+prod`): tables merge their rows; a details view
/// or page shows the first cluster's (rows link to their own cluster's details).
#[component]
pub fn ClusterPage(cluster: String, rest: Vec<String>) -> Element {
    let mut shared = use_context::<Shared>();
    let route = format!("/{}", rest.join("/"));
    let selection = parse_clusters(&cluster);
    let first = selection
        .first()
        .cloned()
        .unwrap_or_else(|| cluster.clone());
    {
        let cluster = cluster.clone();
        use_effect(use_reactive!(|cluster| {
            if shared.cluster.peek().as_deref() != Some(cluster.as_str()) {
                shared.cluster.set(Some(cluster));
            }
        }));
    }
    let registry = shared.registry.read().clone();
    let namespace = shared.namespace.read().clone();
    // A cluster's home is the first page of the sidebar. The hook runs on every render (hooks
    // keep their order), and acts only on the home path.
    let redirect = match (&registry, route.as_str()) {
        (Some(Ok(r)), "/") => r.first_route().map(|first| cluster_path(&cluster, &first)),
        _ => None,
    };
    use_effect(use_reactive!(|redirect| {
        if let Some(target) = redirect {
            navigator().replace(target);
        }
    }));
    let registry = match registry {
        None => return rsx! { p { class: "muted page", "Loading…" } },
        Some(Err(e)) => return rsx! { div { class: "page", ErrorBox { message: e } } },
        Some(Ok(r)) => r,
    };
    if route == "/" {
        return rsx! { p { class: "muted page", "Opening {cluster}…" } };
    }
    let Some(matched) = resolve(&registry.routes, &route) else {
        return rsx! {
            div { class: "page",
                ErrorBox { message: format!("No plugin serves the page {route} in cluster {cluster}. The plugin that provided it may have been removed; pick a page in the sidebar.") }
            }
        };
    };
    match matched.target().clone() {
        RouteTarget::Table(id) => match registry.table(&id) {
            Some(spec) => {
                let ns = if spec.namespaced { namespace } else { None };
                let key = format!("{cluster}/{id}/{}", ns.clone().unwrap_or_default());
                // Keys count only among siblings: a one-element list makes a new key remount
                // the table (new subscription, fresh sort and scroll) instead of re-rendering it.
                rsx! {
                    for key in std::iter::once(key) {
                        ResourceTable { key: "{key}", clusters: selection.clone(), spec: spec.clone(), namespace: ns.clone() }
                    }
                }
            }
            None => {
                rsx! { div { class: "page", ErrorBox { message: format!("The route {route} names the table {id:?}, which no plugin registers.") } } }
            }
        },
        RouteTarget::Details(view) => {
            let name = matched.param("name").unwrap_or_default().to_owned();
            let ns = matched
                .param("namespace")
                .filter(|n| *n != "-")
                .map(str::to_owned);
            let title = registry
                .details_view(&view)
                .map(|v| v.title.clone())
                .unwrap_or_else(|| matched.route.title.clone());
            let key = format!("{cluster}/{view}/{}/{name}", ns.clone().unwrap_or_default());
            rsx! {
                for key in std::iter::once(key) {
                    DetailsPage { key: "{key}", cluster: first.clone(), view: view.clone(), title: title.clone(), namespace: ns.clone(), name: name.clone() }
                }
            }
        }
        RouteTarget::Page(slot) => {
            let params = matched.params.clone();
            let title = matched.route.title.clone();
            let key = format!(
                "{cluster}/{slot}/{}/{route}",
                namespace.clone().unwrap_or_default()
            );
            rsx! {
                for key in std::iter::once(key) {
                    PluginPage { key: "{key}", cluster: first.clone(), slot: slot.clone(), title: title.clone(), namespace: namespace.clone(), params: params.clone() }
                }
            }
        }
    }
}

/// Any other path.
#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let path = format!("/{}", segments.join("/"));
    rsx! {
        div { class: "page",
            h1 { "Page not found" }
            ErrorBox { message: format!("{path} is not a page of this UI. Pages are / (clusters), /plugins, and /c/<cluster>/<plugin route>.") }
            Link { to: "/", "Go to the clusters" }
        }
    }
}

/// An error shown in place: what failed and what to do, as the kernel said it.
#[component]
pub fn ErrorBox(message: String) -> Element {
    rsx! { div { class: "error-box", role: "alert", "{message}" } }
}
