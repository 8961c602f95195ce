//! Details pages and plugin pages: the object (if any) is read as the viewer, the registering
//! plugin renders the view, and what the plugin read on the way is returned too, so a live
//! view knows what to watch.

use std::collections::BTreeMap;

use crate::cluster::{ClusterError, ClusterName, Gvk};
use crate::host::exports::headlamp::plugin::plugin::RouteTarget;
use crate::host::{PluginCallError, PluginHost, RenderContext, Slot, View};
use crate::identity::Identity;
use crate::registry::MergedRegistry;
use crate::watch::{Dependency, WatchKey};

/// Which object a details page shows.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailsQuery {
    /// The cluster.
    pub cluster: String,
    /// The object's namespace, for namespaced kinds.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
}

/// A rendered details view and the objects it was made from.
#[derive(Debug)]
pub struct Rendered {
    /// The view tree, validated.
    pub view: View,
    /// The object shown and everything the plugin read while rendering it.
    pub dependencies: Vec<Dependency>,
}

/// Why a details view could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DetailsError {
    /// No plugin registers the view.
    #[error("no plugin registers a details view {0:?}: see GET /api/v1/registry")]
    UnknownView(String),
    /// The registering plugin is gone.
    #[error("plugin {0} is not loaded")]
    PluginMissing(String),
    /// No plugin registers a route to the page.
    #[error("no plugin registers a page {0:?}: see the routes of GET /api/v1/registry")]
    UnknownPage(String),
    /// The plugin's manifest does not allow reading the object.
    #[error("{0}")]
    NotPermitted(String),
    /// The cluster refused or failed.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// The plugin failed or answered badly.
    #[error(transparent)]
    Plugin(#[from] PluginCallError),
}

/// Renders details view `view_id` for the object `query` names, as `identity`.
pub async fn render(
    host: &PluginHost,
    identity: &Identity,
    view_id: &str,
    query: &DetailsQuery,
) -> Result<Rendered, DetailsError> {
    let registry = MergedRegistry::build(host);
    let view = registry
        .details_view(view_id)
        .ok_or_else(|| DetailsError::UnknownView(view_id.to_string()))?;
    let plugin = host
        .plugin(view.plugin.as_str())
        .ok_or_else(|| DetailsError::PluginMissing(view.plugin.to_string()))?;
    let cluster = host.clusters().get_as(&query.cluster, identity)?;
    let gvk = Gvk::from(view.item.kind.clone());
    // The plugin will see the object, so its manifest must allow reading it.
    let resource = cluster.resource(&gvk).await?;
    plugin
        .check_permission("get", &gvk.group, &resource.api.plural)
        .map_err(DetailsError::NotPermitted)?;
    let object = cluster
        .get(&gvk, query.namespace.as_deref(), &query.name)
        .await?;
    let mut params = vec![("name".to_string(), query.name.clone())];
    if let Some(ns) = &query.namespace {
        params.push(("namespace".to_string(), ns.clone()));
    }
    let context = RenderContext {
        cluster: query.cluster.clone(),
        object: Some(object.to_string()),
        namespace: query.namespace.clone(),
        params,
    };
    let (view, mut dependencies) = plugin
        .render_tracked(identity, &Slot::DetailsView(view_id.to_string()), &context)
        .await?;
    dependencies.insert(
        0,
        Dependency {
            key: WatchKey::new(ClusterName::new(query.cluster.clone()), gvk)
                .in_namespace(query.namespace.clone()),
            name: Some(query.name.clone()),
        },
    );
    Ok(Rendered { view, dependencies })
}

/// Where a plugin page is shown: a cluster, the namespace filter, the route's parameters.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The cluster.
    pub cluster: String,
    /// The namespace the viewer filtered to, if any.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The route's `:param` values.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// Renders page `page_id` (a route target a plugin registered) as `identity`.
pub async fn render_page(
    host: &PluginHost,
    identity: &Identity,
    page_id: &str,
    query: &PageQuery,
) -> Result<Rendered, DetailsError> {
    let registry = MergedRegistry::build(host);
    let route = registry
        .routes
        .iter()
        .find(|r| matches!(&r.item.target, RouteTarget::Page(p) if p == page_id))
        .ok_or_else(|| DetailsError::UnknownPage(page_id.to_string()))?;
    let plugin = host
        .plugin(route.plugin.as_str())
        .ok_or_else(|| DetailsError::PluginMissing(route.plugin.to_string()))?;
    // Refuse an unknown cluster (or a viewer it rejects) before the plugin is asked.
    host.clusters().get_as(&query.cluster, identity)?;
    let context = RenderContext {
        cluster: query.cluster.clone(),
        object: None,
        namespace: query.namespace.clone(),
        params: query
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let (view, dependencies) = plugin
        .render_tracked(identity, &Slot::Page(page_id.to_string()), &context)
        .await?;
    Ok(Rendered { view, dependencies })
}
