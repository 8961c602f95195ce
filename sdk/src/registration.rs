//! Builders for [`Registration`]: everything a plugin contributes, returned from `init`.

use crate::{Column, Gvk};

pub use crate::wit::exports::headlamp::plugin::plugin::{
    Action, ActionPlacement, DetailsSection, DetailsView, ExtraColumn, KindIcon, OverviewSection,
    Registration, ResourceTable, Route, RouteTarget, Setting, SettingType, SidebarEntry, SortSpec,
    Theme,
};

impl Default for Registration {
    fn default() -> Self {
        Self::new()
    }
}

impl Registration {
    /// A registration that contributes nothing yet.
    pub fn new() -> Self {
        Self {
            sidebar: Vec::new(),
            routes: Vec::new(),
            tables: Vec::new(),
            details_views: Vec::new(),
            details_sections: Vec::new(),
            actions: Vec::new(),
            extra_columns: Vec::new(),
            overview_sections: Vec::new(),
            settings: Vec::new(),
            kind_icons: Vec::new(),
            themes: Vec::new(),
        }
    }

    /// Adds a sidebar entry.
    pub fn sidebar(mut self, entry: SidebarEntry) -> Self {
        self.sidebar.push(entry);
        self
    }

    /// Adds a route.
    pub fn route(mut self, route: Route) -> Self {
        self.routes.push(route);
        self
    }

    /// Adds a route at `path` showing the resource table `table` (the route id is the path).
    pub fn table_route(self, path: &str, title: &str, table: &str) -> Self {
        self.route(Route::new(
            path,
            title,
            RouteTarget::Table(table.to_owned()),
        ))
    }

    /// Adds a route at `path` showing the details view `view` (the route id is the path).
    pub fn details_route(self, path: &str, title: &str, view: &str) -> Self {
        self.route(Route::new(
            path,
            title,
            RouteTarget::Details(view.to_owned()),
        ))
    }

    /// Adds a route at `path` showing the page slot `slot` (the route id is the path).
    pub fn page_route(self, path: &str, title: &str, slot: &str) -> Self {
        self.route(Route::new(path, title, RouteTarget::Page(slot.to_owned())))
    }

    /// Adds a resource table.
    pub fn table(mut self, table: ResourceTable) -> Self {
        self.tables.push(table);
        self
    }

    /// Adds a details view.
    pub fn details_view(mut self, view: DetailsView) -> Self {
        self.details_views.push(view);
        self
    }

    /// Adds a section to the details page of a kind.
    pub fn details_section(mut self, section: DetailsSection) -> Self {
        self.details_sections.push(section);
        self
    }

    /// Adds an action button.
    pub fn action(mut self, action: Action) -> Self {
        self.actions.push(action);
        self
    }

    /// Adds a computed column to another table.
    pub fn extra_column(mut self, column: ExtraColumn) -> Self {
        self.extra_columns.push(column);
        self
    }

    /// Adds a section to the cluster overview page.
    pub fn overview_section(mut self, section: OverviewSection) -> Self {
        self.overview_sections.push(section);
        self
    }

    /// Adds an entry of the settings form.
    pub fn setting(mut self, setting: Setting) -> Self {
        self.settings.push(setting);
        self
    }

    /// Sets the icon of a kind.
    pub fn kind_icon(mut self, kind: Gvk, icon: &str) -> Self {
        self.kind_icons.push(KindIcon {
            kind,
            icon: icon.to_owned(),
        });
        self
    }

    /// Adds a colour theme.
    pub fn theme(mut self, theme: Theme) -> Self {
        self.themes.push(theme);
        self
    }
}

impl SidebarEntry {
    /// A group heading with no route of its own.
    pub fn group(id: &str, label: &str) -> Self {
        Self {
            id: id.to_owned(),
            label: label.to_owned(),
            parent: None,
            order: 0,
            icon: None,
            route: None,
        }
    }

    /// An entry that opens `route`.
    pub fn link(id: &str, label: &str, route: &str) -> Self {
        Self {
            route: Some(route.to_owned()),
            ..Self::group(id, label)
        }
    }

    /// Nests the entry under the entry `parent`.
    pub fn parent(mut self, parent: &str) -> Self {
        self.parent = Some(parent.to_owned());
        self
    }

    /// Position among siblings; lower comes first.
    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }

    /// An Iconify-style icon name such as `mdi:cube-outline`.
    pub fn icon(mut self, icon: &str) -> Self {
        self.icon = Some(icon.to_owned());
        self
    }
}

impl Route {
    /// A route whose id is its path.
    pub fn new(path: &str, title: &str, target: RouteTarget) -> Self {
        Self {
            id: path.to_owned(),
            path: path.to_owned(),
            title: title.to_owned(),
            target,
        }
    }

    /// Gives the route an id other than its path.
    pub fn id(mut self, id: &str) -> Self {
        self.id = id.to_owned();
        self
    }
}

impl ResourceTable {
    /// A table of namespaced objects of `kind`, served as the resource `plural`.
    pub fn new(id: &str, title: &str, kind: Gvk, plural: &str) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            kind,
            plural: plural.to_owned(),
            namespaced: true,
            columns: Vec::new(),
            default_sort: None,
            details_route: None,
        }
    }

    /// Marks the kind as cluster-scoped.
    pub fn cluster_scoped(mut self) -> Self {
        self.namespaced = false;
        self
    }

    /// Appends a column.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Sorts by `column`, ascending, by default.
    pub fn sort_by(mut self, column: &str) -> Self {
        self.default_sort = Some(SortSpec {
            column: column.to_owned(),
            descending: false,
        });
        self
    }

    /// Sorts by `column`, descending, by default.
    pub fn sort_by_desc(mut self, column: &str) -> Self {
        self.default_sort = Some(SortSpec {
            column: column.to_owned(),
            descending: true,
        });
        self
    }

    /// The route a row opens, with `:namespace` and `:name` filled from the row.
    pub fn details_route(mut self, route: &str) -> Self {
        self.details_route = Some(route.to_owned());
        self
    }
}

impl DetailsView {
    /// A details page for `kind`.
    pub fn new(id: &str, kind: Gvk, title: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            title: title.to_owned(),
        }
    }
}

impl DetailsSection {
    /// A section on the details page of `kind`, rendered through the slot `id`.
    pub fn new(id: &str, kind: Gvk, title: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            title: title.to_owned(),
            order: 0,
        }
    }

    /// Position among sections; lower comes first.
    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }
}

impl Action {
    /// A button that runs `invoke(id, ..)`.
    pub fn new(id: &str, label: &str, placement: ActionPlacement) -> Self {
        Self {
            id: id.to_owned(),
            label: label.to_owned(),
            icon: None,
            placement,
            requires_verb: None,
            confirm: None,
        }
    }

    /// An Iconify-style icon name.
    pub fn icon(mut self, icon: &str) -> Self {
        self.icon = Some(icon.to_owned());
        self
    }

    /// Hides the button unless the viewer may do `verb` on the object.
    pub fn requires_verb(mut self, verb: &str) -> Self {
        self.requires_verb = Some(verb.to_owned());
        self
    }

    /// Asks the user this question before running.
    pub fn confirm(mut self, question: &str) -> Self {
        self.confirm = Some(question.to_owned());
        self
    }
}

impl ExtraColumn {
    /// Appends `column` (computed by this plugin) to another plugin's `table`.
    pub fn new(table: &str, column: Column) -> Self {
        Self {
            table: table.to_owned(),
            column,
            after: None,
        }
    }

    /// Places the column after the column `after`.
    pub fn after(mut self, after: &str) -> Self {
        self.after = Some(after.to_owned());
        self
    }
}

impl OverviewSection {
    /// A section of the overview page, rendered through the slot `id`.
    pub fn new(id: &str, title: &str) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            order: 0,
        }
    }

    /// Position among sections; lower comes first.
    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }
}

impl Setting {
    /// A setting with its default value.
    pub fn new(key: &str, label: &str, kind: SettingType, default: &serde_json::Value) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            description: String::new(),
            type_: kind,
            default_value: default.to_string(),
        }
    }

    /// The help text under the setting.
    pub fn description(mut self, text: &str) -> Self {
        self.description = text.to_owned();
        self
    }
}

impl Theme {
    /// A theme with no colour overrides yet.
    pub fn new(id: &str, name: &str, dark: bool) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            dark,
            colors: Vec::new(),
        }
    }

    /// Overrides the colour `name` (such as `primary`) with `value` (such as `#1e88e5`).
    pub fn color(mut self, name: &str, value: &str) -> Self {
        self.colors.push((name.to_owned(), value.to_owned()));
        self
    }
}
