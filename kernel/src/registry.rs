//! The merged registry: every loaded plugin's contributions as one sidebar, one route table,
//! one set of resource tables (with other plugins' extra columns spliced in).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::host::PluginHost;
use crate::host::exports::headlamp::plugin::plugin::{
    Action, Column, DetailsSection, DetailsView, KindIcon, OverviewSection, ResourceTable, Route,
    Setting, SidebarEntry, Theme,
};
use crate::manifest::PluginId;

/// A contribution and the plugin it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Owned<T> {
    /// The contributing plugin.
    pub plugin: PluginId,
    /// The contribution itself.
    #[serde(flatten)]
    pub item: T,
}

/// A sidebar entry with its children, sorted by order then label.
#[derive(Debug, Clone, Serialize)]
pub struct SidebarNode {
    /// The contributing plugin.
    pub plugin: PluginId,
    /// The entry.
    #[serde(flatten)]
    pub entry: SidebarEntry,
    /// Entries whose parent is this one.
    pub children: Vec<SidebarNode>,
}

/// A table column and the plugin that computes it (the table's owner or an extra column's).
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedColumn {
    /// Who provides the cells of computed columns.
    pub plugin: PluginId,
    /// The column.
    #[serde(flatten)]
    pub column: Column,
}

/// A resource table with every column it shows, in order.
#[derive(Debug, Clone, Serialize)]
pub struct TableSpec {
    /// The table's owner.
    pub plugin: PluginId,
    /// The table as its owner declared it (its own columns are in `columns` too).
    #[serde(flatten)]
    pub table: ResourceTable,
    /// The owner's columns with other plugins' extra columns spliced in.
    #[serde(rename = "resolved_columns")]
    pub resolved: Vec<ResolvedColumn>,
}

/// One plugin's settings form.
#[derive(Debug, Clone, Serialize)]
pub struct PluginSettings {
    /// The plugin.
    pub plugin: PluginId,
    /// Its settings.
    pub settings: Vec<Setting>,
}

/// Everything all plugins contribute.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MergedRegistry {
    /// The sidebar tree.
    pub sidebar: Vec<SidebarNode>,
    /// Every route.
    pub routes: Vec<Owned<Route>>,
    /// Every resource table, by id.
    pub tables: Vec<TableSpec>,
    /// Every details view.
    pub details_views: Vec<Owned<DetailsView>>,
    /// Every details section.
    pub details_sections: Vec<Owned<DetailsSection>>,
    /// Every action.
    pub actions: Vec<Owned<Action>>,
    /// Every overview section.
    pub overview_sections: Vec<Owned<OverviewSection>>,
    /// Every plugin's settings form.
    pub settings: Vec<PluginSettings>,
    /// Every kind icon.
    pub kind_icons: Vec<Owned<KindIcon>>,
    /// Every theme.
    pub themes: Vec<Owned<Theme>>,
    /// Contributions that were dropped because another plugin claimed the same id first.
    pub conflicts: Vec<String>,
}

impl MergedRegistry {
    /// Merges the registrations of every loaded plugin (in plugin-id order: the first claim
    /// of an id wins and later ones are listed in `conflicts`).
    pub fn build(host: &PluginHost) -> Self {
        let mut merged = MergedRegistry::default();
        let mut entries: Vec<(PluginId, SidebarEntry)> = Vec::new();
        let mut claimed = HashSet::new();
        let plugins = host.plugins();
        for plugin in &plugins {
            let id = plugin.id().clone();
            let reg = plugin.registration();
            let mut claim = |what: &str, key: &str, merged: &mut MergedRegistry| {
                let fresh = claimed.insert(format!("{what}:{key}"));
                if !fresh {
                    merged.conflicts.push(format!(
                        "{what} {key:?} of plugin {id} is already taken; ignored"
                    ));
                }
                fresh
            };
            for e in &reg.sidebar {
                if claim("sidebar entry", &e.id, &mut merged) {
                    entries.push((id.clone(), e.clone()));
                }
            }
            for r in &reg.routes {
                if claim("route", &r.path, &mut merged) {
                    merged.routes.push(owned(&id, r));
                }
            }
            for t in &reg.tables {
                if claim("table", &t.id, &mut merged) {
                    merged.tables.push(TableSpec {
                        plugin: id.clone(),
                        table: t.clone(),
                        resolved: t
                            .columns
                            .iter()
                            .map(|c| ResolvedColumn {
                                plugin: id.clone(),
                                column: c.clone(),
                            })
                            .collect(),
                    });
                }
            }
            for d in &reg.details_views {
                if claim("details view", &d.id, &mut merged) {
                    merged.details_views.push(owned(&id, d));
                }
            }
            merged
                .details_sections
                .extend(reg.details_sections.iter().map(|s| owned(&id, s)));
            merged
                .actions
                .extend(reg.actions.iter().map(|a| owned(&id, a)));
            merged
                .overview_sections
                .extend(reg.overview_sections.iter().map(|s| owned(&id, s)));
            if !reg.settings.is_empty() {
                merged.settings.push(PluginSettings {
                    plugin: id.clone(),
                    settings: reg.settings.clone(),
                });
            }
            merged
                .kind_icons
                .extend(reg.kind_icons.iter().map(|k| owned(&id, k)));
            merged
                .themes
                .extend(reg.themes.iter().map(|t| owned(&id, t)));
        }
        // Extra columns go in after every table is known, whichever plugin owns it.
        for plugin in &plugins {
            for extra in &plugin.registration().extra_columns {
                let Some(table) = merged.tables.iter_mut().find(|t| t.table.id == extra.table)
                else {
                    merged.conflicts.push(format!(
                        "plugin {} adds column {:?} to table {:?}, which no plugin registers; ignored",
                        plugin.id(),
                        extra.column.id,
                        extra.table
                    ));
                    continue;
                };
                if table
                    .resolved
                    .iter()
                    .any(|c| c.column.id == extra.column.id)
                {
                    merged.conflicts.push(format!(
                        "plugin {} adds column {:?} to table {:?}, which has one by that id; ignored",
                        plugin.id(),
                        extra.column.id,
                        extra.table
                    ));
                    continue;
                }
                let at = extra
                    .after
                    .as_ref()
                    .and_then(|after| table.resolved.iter().position(|c| &c.column.id == after))
                    .map_or(table.resolved.len(), |i| i + 1);
                table.resolved.insert(
                    at,
                    ResolvedColumn {
                        plugin: plugin.id().clone(),
                        column: extra.column.clone(),
                    },
                );
            }
        }
        merged.sidebar = sidebar_tree(entries, &mut merged.conflicts);
        merged
    }

    /// The table with this id.
    pub fn table(&self, id: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.table.id == id)
    }

    /// The details view with this id.
    pub fn details_view(&self, id: &str) -> Option<&Owned<DetailsView>> {
        self.details_views.iter().find(|d| d.item.id == id)
    }
}

fn owned<T: Clone>(plugin: &PluginId, item: &T) -> Owned<T> {
    Owned {
        plugin: plugin.clone(),
        item: item.clone(),
    }
}

/// Nests entries under their parents; an entry whose parent nobody registered stays at the top.
fn sidebar_tree(
    entries: Vec<(PluginId, SidebarEntry)>,
    conflicts: &mut Vec<String>,
) -> Vec<SidebarNode> {
    let ids: HashSet<String> = entries.iter().map(|(_, e)| e.id.clone()).collect();
    let mut children: BTreeMap<Option<String>, Vec<SidebarNode>> = BTreeMap::new();
    for (plugin, entry) in entries {
        let parent = match &entry.parent {
            Some(p) if ids.contains(p) && p != &entry.id => Some(p.clone()),
            Some(p) => {
                conflicts.push(format!(
                    "sidebar entry {:?} of plugin {plugin} names parent {p:?}, which does not exist; shown at the top",
                    entry.id
                ));
                None
            }
            None => None,
        };
        children.entry(parent).or_default().push(SidebarNode {
            plugin,
            entry,
            children: Vec::new(),
        });
    }
    fn attach(
        parent: Option<String>,
        children: &mut BTreeMap<Option<String>, Vec<SidebarNode>>,
        depth: usize,
    ) -> Vec<SidebarNode> {
        let mut nodes = children.remove(&parent).unwrap_or_default();
        if depth < 8 {
            for node in &mut nodes {
                node.children = attach(Some(node.entry.id.clone()), children, depth + 1);
            }
        }
        nodes.sort_by(|a, b| (a.entry.order, &a.entry.label).cmp(&(b.entry.order, &b.entry.label)));
        nodes
    }
    attach(None, &mut children, 0)
}
