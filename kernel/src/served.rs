//! One cluster's sidebar: the merged sidebar without the tables of kinds the cluster does not
//! serve.
//!
//! Plugins register once for every cluster, but clusters differ: the Gateway API, a CRD's
//! kinds, `metrics.k8s.io` exist on some and not on others. Headlamp shows such groups only
//! where they are served; a link that can only end in "not found" is noise. Routes and tables
//! stay registered, so a deep link still opens and says why it is empty.

use std::collections::HashSet;

use futures::future::join_all;

use crate::cluster::{Cluster, ClusterError, Gvk};
use crate::host::exports::headlamp::plugin::plugin::RouteTarget;
use crate::registry::{MergedRegistry, SidebarNode};

/// Drops from `registry.sidebar` every entry whose route shows a table of a kind `cluster`
/// does not serve, and every group left without entries.
///
/// Only a definite "not served" (discovery answers 404) hides an entry: a cluster that is
/// down or refuses discovery keeps its full sidebar, so the pages can say what is wrong.
pub async fn prune_unserved(registry: &mut MergedRegistry, cluster: &Cluster) {
    let kinds: Vec<(String, Gvk)> = registry
        .routes
        .iter()
        .filter_map(|route| match &route.item.target {
            RouteTarget::Table(id) => registry
                .table(id)
                .map(|t| (route.item.path.clone(), Gvk::from(t.table.kind.clone()))),
            _ => None,
        })
        .collect();
    let mut distinct: Vec<&Gvk> = kinds.iter().map(|(_, gvk)| gvk).collect();
    distinct.sort();
    distinct.dedup();
    let answers = join_all(distinct.iter().map(|gvk| cluster.resource(gvk))).await;
    let unserved: HashSet<&Gvk> = distinct
        .into_iter()
        .zip(answers)
        .filter(|(_, answer)| matches!(answer, Err(ClusterError::NotFound(_))))
        .map(|(gvk, _)| gvk)
        .collect();
    if unserved.is_empty() {
        return;
    }
    let hidden: HashSet<&str> = kinds
        .iter()
        .filter(|(_, gvk)| unserved.contains(gvk))
        .map(|(path, _)| path.as_str())
        .collect();
    registry.sidebar = prune(std::mem::take(&mut registry.sidebar), &hidden);
}

/// The tree without entries routed to `hidden` paths, nor groups that end up empty.
fn prune(nodes: Vec<SidebarNode>, hidden: &HashSet<&str>) -> Vec<SidebarNode> {
    nodes
        .into_iter()
        .filter_map(|mut node| {
            if node
                .entry
                .route
                .as_deref()
                .is_some_and(|route| hidden.contains(route))
            {
                return None;
            }
            let had_children = !node.children.is_empty();
            node.children = prune(node.children, hidden);
            let emptied = had_children && node.children.is_empty() && node.entry.route.is_none();
            (!emptied).then_some(node)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::exports::headlamp::plugin::plugin::SidebarEntry;
    use crate::manifest::PluginId;

    fn node(id: &str, route: Option<&str>, children: Vec<SidebarNode>) -> SidebarNode {
        SidebarNode {
            plugin: PluginId::new("network").expect("plugin id"),
            entry: SidebarEntry {
                id: id.into(),
                label: id.into(),
                parent: None,
                order: 0,
                icon: None,
                route: route.map(str::to_string),
            },
            children,
        }
    }

    fn ids(nodes: &[SidebarNode]) -> Vec<String> {
        nodes
            .iter()
            .flat_map(|n| {
                std::iter::once(n.entry.id.clone()).chain(
                    ids(&n.children)
                        .into_iter()
                        .map(move |c| format!("{}/{c}", n.entry.id)),
                )
            })
            .collect()
    }

    #[test]
    fn a_group_whose_every_entry_is_hidden_goes_too() {
        let tree = vec![
            node(
                "gateway",
                None,
                vec![
                    node("gateways", Some("/gateways"), vec![]),
                    node("httproutes", Some("/httproutes"), vec![]),
                ],
            ),
            node(
                "network",
                None,
                vec![node("services", Some("/services"), vec![])],
            ),
        ];
        let hidden = HashSet::from(["/gateways", "/httproutes"]);
        assert_eq!(ids(&prune(tree, &hidden)), ["network", "network/services"]);
    }

    #[test]
    fn a_group_keeps_the_entries_that_are_served() {
        let tree = vec![node(
            "network",
            None,
            vec![
                node("services", Some("/services"), vec![]),
                node("gateways", Some("/gateways"), vec![]),
            ],
        )];
        let hidden = HashSet::from(["/gateways"]);
        assert_eq!(ids(&prune(tree, &hidden)), ["network", "network/services"]);
    }

    #[test]
    fn a_heading_that_never_had_entries_is_left_alone() {
        let tree = vec![node("empty-heading", None, vec![])];
        assert_eq!(ids(&prune(tree, &HashSet::new())), ["empty-heading"]);
    }
}
