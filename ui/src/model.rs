//! The kernel's JSON, as the UI reads it (see `docs/api.md`). Only the fields the UI uses are
//! declared; unknown fields are ignored so that additive kernel changes do not break the UI.

use serde::{Deserialize, Serialize};

/// How a cell, badge or chart segment is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    /// Plain.
    Neutral,
    /// Good (running, ready).
    Success,
    /// Needs attention.
    Warning,
    /// Broken.
    Error,
    /// Informational.
    Info,
}

impl Tone {
    /// The CSS class suffix of the tone (`tone-success`).
    pub fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "tone-neutral",
            Tone::Success => "tone-success",
            Tone::Warning => "tone-warning",
            Tone::Error => "tone-error",
            Tone::Info => "tone-info",
        }
    }
}

/// How a column's text is formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum CellFormat {
    /// As is.
    #[default]
    Text,
    /// An RFC 3339 timestamp shown as an age.
    Age,
    /// A number, right-aligned.
    Number,
    /// `k=v,k2=v2` shown as chips.
    Labels,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Cell {
    /// What is shown.
    pub text: String,
    /// Sorts numerically when set.
    #[serde(default)]
    pub sort: Option<f64>,
    /// Colour; none means plain text.
    #[serde(default)]
    pub tone: Option<Tone>,
    /// A plugin route the cell links to.
    #[serde(default)]
    pub link: Option<String>,
}

/// Which object a row shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ObjectKey {
    /// Namespace; none for cluster-scoped kinds.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// UID, stable for the object's life.
    #[serde(default)]
    pub uid: String,
    /// The version these cells were computed from.
    #[serde(default, rename = "resourceVersion")]
    pub resource_version: String,
}

/// One row: the object and its cells in column order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Row {
    /// The object.
    pub object: ObjectKey,
    /// Cells, in the order of the subscription's `columns`.
    pub cells: Vec<Cell>,
    /// The actions the viewer may run on the object (`delete`, `scale`, `plugin:p:a`, ...).
    #[serde(default)]
    pub actions: Vec<String>,
}

/// A group/version/kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gvk {
    /// API group; empty for the core group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

/// A sidebar entry with its children (groups hold links).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SidebarNode {
    /// The contributing plugin.
    pub plugin: String,
    /// Entry id.
    pub id: String,
    /// What is shown.
    pub label: String,
    /// Order among siblings.
    #[serde(default)]
    pub order: i32,
    /// Iconify-style icon name.
    #[serde(default)]
    pub icon: Option<String>,
    /// The plugin route it opens; none for a group heading.
    #[serde(default)]
    pub route: Option<String>,
    /// Child entries.
    #[serde(default)]
    pub children: Vec<SidebarNode>,
}

/// What a route shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum RouteTarget {
    /// A resource table, by id.
    Table(String),
    /// A details view, by id.
    Details(String),
    /// A page the plugin renders, by slot id.
    Page(String),
}

/// A plugin route such as `/pods/:namespace/:name`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RouteSpec {
    /// The contributing plugin.
    pub plugin: String,
    /// The path pattern; `:name` segments are parameters.
    pub path: String,
    /// Page title.
    pub title: String,
    /// What it shows.
    pub target: RouteTarget,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Column {
    /// Column id (matches the subscription's `columns`).
    pub id: String,
    /// Header text.
    pub title: String,
    /// How cells are formatted.
    #[serde(default)]
    pub format: CellFormat,
    /// Hidden unless the user shows it.
    #[serde(default)]
    pub hidden: bool,
}

/// A table's default sort.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SortSpec {
    /// Column id.
    pub column: String,
    /// Descending when true.
    #[serde(default)]
    pub descending: bool,
}

/// A resource table as the registry declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TableSpec {
    /// The contributing plugin.
    pub plugin: String,
    /// Table id, used to subscribe.
    pub id: String,
    /// Title.
    pub title: String,
    /// The listed kind.
    pub kind: Gvk,
    /// The kind's resource name (`deployments`), for API paths.
    #[serde(default)]
    pub plural: String,
    /// Namespaced kinds honour the namespace filter.
    #[serde(default)]
    pub namespaced: bool,
    /// The columns, other plugins' columns spliced in.
    #[serde(default)]
    pub resolved_columns: Vec<Column>,
    /// Default sort.
    #[serde(default)]
    pub default_sort: Option<SortSpec>,
    /// The route a row opens, with `:namespace` and `:name` filled in.
    #[serde(default)]
    pub details_route: Option<String>,
}

/// A details view as the registry declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DetailsViewSpec {
    /// The contributing plugin.
    pub plugin: String,
    /// View id, used with `POST /api/v1/details/{view}`.
    pub id: String,
    /// The kind it shows.
    pub kind: Gvk,
    /// Title.
    pub title: String,
}

/// A plugin action as the registry declares it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ActionSpec {
    /// The contributing plugin.
    pub plugin: String,
    /// Action id within the plugin.
    pub id: String,
    /// Button text.
    pub label: String,
    /// Where it is offered: `{"Row": "pods"}`, `{"DetailsHeader": {gvk}}` or `"AppBar"`.
    #[serde(default)]
    pub placement: serde_json::Value,
    /// The question asked before running it, if any.
    #[serde(default)]
    pub confirm: Option<String>,
}

impl ActionSpec {
    /// The id `POST /api/v1/actions` and rows use: `plugin:{plugin}:{id}`.
    pub fn qualified_id(&self) -> String {
        format!("plugin:{}:{}", self.plugin, self.id)
    }

    /// Whether it is placed in the app bar (an action about no object).
    pub fn is_app_bar(&self) -> bool {
        let name = match &self.placement {
            serde_json::Value::String(s) => s.as_str(),
            serde_json::Value::Object(o) if o.len() == 1 => o.keys().next().map_or("", |k| k),
            _ => "",
        };
        name.to_ascii_lowercase().replace(['-', '_'], "") == "appbar"
    }

    /// The kind whose details header shows it, if it is placed there.
    pub fn details_header(&self) -> Option<Gvk> {
        let object = self.placement.as_object()?;
        let (key, value) = object.iter().next()?;
        let key = key.to_ascii_lowercase().replace(['-', '_'], "");
        (key == "detailsheader")
            .then(|| serde_json::from_value(value.clone()).ok())
            .flatten()
    }
}

/// `GET /api/v1/registry`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Registry {
    /// Sidebar tree.
    #[serde(default)]
    pub sidebar: Vec<SidebarNode>,
    /// Routes.
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
    /// Tables.
    #[serde(default)]
    pub tables: Vec<TableSpec>,
    /// Details views.
    #[serde(default)]
    pub details_views: Vec<DetailsViewSpec>,
    /// Plugin actions (row menus, details headers, app bar).
    #[serde(default)]
    pub actions: Vec<ActionSpec>,
    /// The plugins that declare a settings form (the form itself is fetched per plugin).
    #[serde(default)]
    pub settings: Vec<SettingsOwner>,
    /// Ids claimed twice.
    #[serde(default)]
    pub conflicts: Vec<String>,
}

/// A plugin with a settings form, as the registry names it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SettingsOwner {
    /// The plugin's id.
    pub plugin: String,
}

impl Registry {
    /// The table with this id.
    pub fn table(&self, id: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The details view with this id.
    pub fn details_view(&self, id: &str) -> Option<&DetailsViewSpec> {
        self.details_views.iter().find(|v| v.id == id)
    }

    /// The first table listing this kind: its plural and live rows serve details pages.
    pub fn table_of_kind(&self, kind: &Gvk) -> Option<&TableSpec> {
        self.tables.iter().find(|t| &t.kind == kind)
    }

    /// The plugin action with this qualified id (`plugin:{plugin}:{id}`).
    pub fn action(&self, qualified: &str) -> Option<&ActionSpec> {
        self.actions.iter().find(|a| a.qualified_id() == qualified)
    }

    /// The table listing namespaces, if a plugin declares one (feeds the namespace filter).
    pub fn namespaces_table(&self) -> Option<&TableSpec> {
        self.tables
            .iter()
            .find(|t| t.kind.group.is_empty() && t.kind.kind == "Namespace")
    }

    /// The first route a sidebar link opens: where a cluster's home goes.
    pub fn first_route(&self) -> Option<String> {
        fn walk(nodes: &[SidebarNode]) -> Option<String> {
            let mut sorted: Vec<&SidebarNode> = nodes.iter().collect();
            sorted.sort_by_key(|n| n.order);
            sorted
                .into_iter()
                .find_map(|n| n.route.clone().or_else(|| walk(&n.children)))
        }
        walk(&self.sidebar)
    }
}

/// One cluster of `GET /api/v1/clusters`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClusterInfo {
    /// Name.
    pub name: String,
    /// API server version when reachable.
    #[serde(default)]
    pub version: Option<String>,
    /// Why it is unreachable.
    #[serde(default)]
    pub error: Option<String>,
}

/// One plugin of `GET /api/v1/plugins`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PluginInfo {
    /// Plugin id.
    pub name: String,
    /// Version.
    #[serde(default)]
    pub version: String,
    /// What it adds.
    #[serde(default)]
    pub description: String,
    /// WIT version targeted.
    #[serde(default)]
    pub api: String,
    /// Where it came from (`{"kind": "builtin"}`).
    #[serde(default)]
    pub origin: serde_json::Value,
    /// `ready`, `failed` or `disabled`.
    #[serde(default)]
    pub state: String,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<String>,
    /// Whether it runs (the user may turn it off in a local kernel).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Set when it was installed from the catalog.
    #[serde(default)]
    pub installed: Option<InstalledPackage>,
}

fn yes() -> bool {
    true
}

/// Where a catalog-installed plugin came from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InstalledPackage {
    /// `REPO/NAME` on Artifact Hub.
    pub package: String,
    /// The version installed.
    pub version: String,
}

/// Whether the kernel lets its user change plugins, and why not.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Management {
    /// Changes are allowed.
    #[serde(default)]
    pub allowed: bool,
    /// Why they are not.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A plugin that could not be loaded at all.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LoadFailure {
    /// Its name or path.
    pub name: String,
    /// Why.
    pub error: String,
}

/// `GET /api/v1/plugins`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct PluginsAnswer {
    /// Loaded plugins.
    #[serde(default)]
    pub plugins: Vec<PluginInfo>,
    /// Plugins that failed to load.
    #[serde(default)]
    pub not_loaded: Vec<LoadFailure>,
    /// Whether plugins can be enabled, configured and installed here.
    #[serde(default)]
    pub management: Management,
}

/// `POST /api/v1/tables/{table}/rows`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TableRows {
    /// Column ids.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
}

/// A message the client sends on `/api/v1/stream`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ClientMessage {
    /// Live rows of a table.
    SubscribeTable {
        /// Subscription id, unique on the socket.
        id: String,
        /// Cluster name.
        cluster: String,
        /// Table id.
        table: String,
        /// Namespace filter.
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        /// Label selector.
        #[serde(rename = "labelSelector", skip_serializing_if = "Option::is_none")]
        label_selector: Option<String>,
    },
    /// Ends a subscription, or a logs/exec/port-forward session.
    Unsubscribe {
        /// Subscription id.
        id: String,
    },
    /// A container's log.
    SubscribeLogs {
        /// Session id.
        id: String,
        /// Cluster name.
        cluster: String,
        /// The pod's namespace.
        namespace: String,
        /// Pod name.
        pod: String,
        /// Container; may be left out for a pod with one container.
        #[serde(skip_serializing_if = "Option::is_none")]
        container: Option<String>,
        /// Keep the stream open for new lines.
        follow: bool,
        /// The last terminated instance's log.
        previous: bool,
        /// Start with the last N lines.
        #[serde(rename = "tailLines", skip_serializing_if = "Option::is_none")]
        tail_lines: Option<i64>,
    },
    /// Runs a command in a container.
    Exec {
        /// Session id.
        id: String,
        /// Cluster name.
        cluster: String,
        /// The pod's namespace.
        namespace: String,
        /// Pod name.
        pod: String,
        /// Container; none for the pod's first.
        #[serde(skip_serializing_if = "Option::is_none")]
        container: Option<String>,
        /// The command and its arguments.
        command: Vec<String>,
        /// Allocate a terminal.
        tty: bool,
    },
    /// Input for an exec session (a terminal's keystrokes).
    Stdin {
        /// Session id.
        id: String,
        /// The text typed.
        data: String,
    },
    /// A new terminal size for an exec session.
    Resize {
        /// Session id.
        id: String,
        /// Columns.
        cols: u16,
        /// Rows.
        rows: u16,
    },
    /// Forwards a loopback port of the kernel's host to a pod's port.
    PortForward {
        /// Session id.
        id: String,
        /// Cluster name.
        cluster: String,
        /// The pod's namespace.
        namespace: String,
        /// Pod name.
        pod: String,
        /// The pod's port.
        port: u16,
    },
}

/// A message the server sends on `/api/v1/stream`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// Every row of a subscription; replaces what the client had.
    TableSnapshot {
        /// Subscription id.
        id: String,
        /// Column ids.
        columns: Vec<String>,
        /// Rows.
        rows: Vec<Row>,
        /// Plugins whose cells are missing, and why.
        #[serde(default)]
        errors: Vec<String>,
    },
    /// What changed since the previous message.
    Rows {
        /// Subscription id.
        id: String,
        /// Added or changed rows.
        #[serde(default)]
        upserts: Vec<Row>,
        /// Removed objects.
        #[serde(default)]
        deletes: Vec<ObjectKey>,
    },
    /// Something failed.
    Error {
        /// The subscription it is about, if any.
        #[serde(default)]
        id: Option<String>,
        /// What failed and what to do.
        message: String,
    },
    /// Lines of a log session, oldest first, without line breaks.
    LogLines {
        /// Session id.
        id: String,
        /// The lines.
        lines: Vec<String>,
    },
    /// Output of an exec session.
    Terminal {
        /// Session id.
        id: String,
        /// The text (with a tty, stdout and stderr merged).
        data: String,
    },
    /// A session ended by itself: an exec's exit code, or none for a log stream.
    Exit {
        /// Session id.
        id: String,
        /// The command's exit code.
        #[serde(default)]
        code: Option<i32>,
    },
    /// A port-forward listens at `url`.
    PortForwardReady {
        /// Session id.
        id: String,
        /// `http://127.0.0.1:PORT` on the kernel's host.
        url: String,
    },
    /// Plugins changed: the registry must be fetched again.
    RegistryChanged,
}

impl ServerMessage {
    /// The subscription the message belongs to.
    pub fn id(&self) -> Option<&str> {
        match self {
            ServerMessage::TableSnapshot { id, .. }
            | ServerMessage::Rows { id, .. }
            | ServerMessage::LogLines { id, .. }
            | ServerMessage::Terminal { id, .. }
            | ServerMessage::Exit { id, .. }
            | ServerMessage::PortForwardReady { id, .. } => Some(id),
            ServerMessage::Error { id, .. } => id.as_deref(),
            ServerMessage::RegistryChanged => None,
        }
    }
}

/// A key-value pair of a view.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KeyValue {
    /// Label.
    pub key: String,
    /// Value.
    pub value: String,
    /// Route the value links to.
    #[serde(default)]
    pub link: Option<String>,
}

/// A Kubernetes condition.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Condition {
    /// Condition type.
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Machine-readable reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Human-readable message.
    #[serde(default)]
    pub message: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub last_transition: Option<String>,
}

/// Which chart a chart node draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ChartKind {
    /// A donut.
    Pie,
    /// Horizontal bars.
    Bar,
    /// A half-circle gauge.
    Gauge,
}

/// One value of a chart.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Datum {
    /// Label.
    pub label: String,
    /// Value.
    pub value: f64,
    /// Colour.
    #[serde(default)]
    pub tone: Option<Tone>,
}

/// A vertex of a relation graph.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GraphVertex {
    /// Id edges refer to.
    pub id: String,
    /// Label.
    pub label: String,
    /// Kind shown under the label.
    pub kind: String,
    /// Route it opens.
    #[serde(default)]
    pub link: Option<String>,
    /// Colour.
    #[serde(default)]
    pub tone: Option<Tone>,
}

/// An edge of a relation graph.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GraphEdge {
    /// Source vertex id.
    pub source: String,
    /// Target vertex id.
    pub target: String,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
}

/// A table inside a view.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TableNode {
    /// Header texts.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// What one view node is (the WIT `node-kind`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum NodeKind {
    /// Vertical container.
    Stack,
    /// Titled container.
    Section(String),
    /// Paragraph.
    Text(String),
    /// Labelled values.
    KeyValues(Vec<KeyValue>),
    /// Small coloured label.
    Badge((String, Tone)),
    /// Label and route.
    Link((String, String)),
    /// Table of cells.
    Table(TableNode),
    /// Kubernetes conditions.
    Conditions(Vec<Condition>),
    /// Kind, title, values, maximum (gauges).
    Chart((ChartKind, String, Vec<Datum>, Option<f64>)),
    /// Language and text.
    Code((String, String)),
    /// Vertices and edges.
    Graph((Vec<GraphVertex>, Vec<GraphEdge>)),
    /// Empty state message.
    Empty(String),
    /// Error state message.
    Error(String),
    /// Label and action id.
    ActionButton((String, String)),
}

/// One node of a view tree.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Children by index into `View::nodes`.
    #[serde(default)]
    pub children: Vec<u32>,
}

/// A flattened view tree: `nodes[root]` is the root.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct View {
    /// Every node.
    pub nodes: Vec<Node>,
    /// Index of the root.
    pub root: u32,
}

impl View {
    /// The node at `index`, if the tree has it (the kernel validates trees; this guards anyway).
    pub fn node(&self, index: u32) -> Option<&Node> {
        self.nodes.get(index as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_view_tree_of_every_node_kind() {
        let json = r#"{"root":0,"nodes":[
          {"kind":"Stack","children":[1,2,3,4,5,6,7,8,9,10,11,12,13]},
          {"kind":{"Section":"Pod"},"children":[]},
          {"kind":{"Text":"hello"},"children":[]},
          {"kind":{"KeyValues":[{"key":"Node","value":"n1","link":null}]},"children":[]},
          {"kind":{"Badge":["Running","Success"]},"children":[]},
          {"kind":{"Link":["web","/pods/shop/web"]},"children":[]},
          {"kind":{"Table":{"columns":["a"],"rows":[[{"text":"x","sort":null,"tone":null,"link":null}]]}},"children":[]},
          {"kind":{"Conditions":[{"kind":"Ready","status":"True","reason":null,"message":null,"last_transition":"2026-01-01T00:00:00Z"}]},"children":[]},
          {"kind":{"Chart":["Gauge","CPU",[{"label":"used","value":2.0,"tone":"Warning"}],4.0]},"children":[]},
          {"kind":{"Code":["yaml","a: 1"]},"children":[]},
          {"kind":{"Graph":[[{"id":"a","label":"A","kind":"Pod","link":null,"tone":null}],[{"source":"a","target":"a","label":null}]]},"children":[]},
          {"kind":{"Empty":"nothing"},"children":[]},
          {"kind":{"Error":"broken"},"children":[]},
          {"kind":{"ActionButton":["Scale","scale"]},"children":[]}
        ]}"#;
        let view: View = serde_json::from_str(json).unwrap();
        assert_eq!(view.nodes.len(), 14);
        assert_eq!(
            view.nodes[4].kind,
            NodeKind::Badge(("Running".into(), Tone::Success))
        );
        assert!(matches!(
            view.nodes[8].kind,
            NodeKind::Chart((ChartKind::Gauge, _, _, Some(4.0)))
        ));
    }

    #[test]
    fn reads_stream_messages_and_writes_subscriptions() {
        let snapshot: ServerMessage = serde_json::from_str(
            r#"{"type":"table-snapshot","id":"t1","columns":["name"],"rows":[{"object":{"namespace":null,"name":"default","uid":"u","resourceVersion":"7"},"cells":[{"text":"default","sort":null,"tone":null,"link":null}]}],"errors":[],"resync":false}"#,
        )
        .unwrap();
        assert_eq!(snapshot.id(), Some("t1"));
        let error: ServerMessage =
            serde_json::from_str(r#"{"type":"error","id":null,"message":"bad frame"}"#).unwrap();
        assert_eq!(error.id(), None);
        let subscribe = ClientMessage::SubscribeTable {
            id: "t1".into(),
            cluster: "demo".into(),
            table: "pods".into(),
            namespace: None,
            label_selector: None,
        };
        assert_eq!(
            serde_json::to_value(&subscribe).unwrap(),
            serde_json::json!({"type":"subscribe-table","id":"t1","cluster":"demo","table":"pods"})
        );
    }

    #[test]
    fn reads_row_actions_and_plugin_action_placements() {
        let row: Row = serde_json::from_str(
            r#"{"object":{"namespace":"shop","name":"web","uid":"u","resourceVersion":"3"},"cells":[],"actions":["edit","delete"]}"#,
        )
        .unwrap();
        assert_eq!(row.actions, ["edit", "delete"]);
        let registry: Registry = serde_json::from_str(
            r#"{"tables":[{"plugin":"w","id":"deployments","title":"Deployments","plural":"deployments",
                 "kind":{"group":"apps","version":"v1","kind":"Deployment"}}],
               "actions":[{"plugin":"p","id":"bump","label":"Bump","confirm":null,
                 "placement":{"DetailsHeader":{"group":"apps","version":"v1","kind":"Deployment"}}},
                 {"plugin":"p","id":"hi","label":"Hi","placement":"AppBar"}]}"#,
        )
        .unwrap();
        let kind = registry.tables[0].kind.clone();
        assert_eq!(registry.table_of_kind(&kind).unwrap().plural, "deployments");
        assert_eq!(registry.actions[0].details_header(), Some(kind));
        assert_eq!(registry.actions[1].details_header(), None);
        assert!(registry.actions[1].is_app_bar());
        assert!(!registry.actions[0].is_app_bar());
        assert_eq!(registry.action("plugin:p:bump").unwrap().label, "Bump");
    }

    #[test]
    fn finds_the_first_sidebar_route_by_order() {
        let registry: Registry = serde_json::from_str(
            r#"{"sidebar":[
              {"plugin":"w","id":"workloads","label":"Workloads","order":20,"route":null,"children":[
                {"plugin":"w","id":"pods","label":"Pods","order":10,"route":"/pods","children":[]}]},
              {"plugin":"c","id":"cluster","label":"Cluster","order":0,"route":null,"children":[
                {"plugin":"c","id":"ns","label":"Namespaces","order":10,"route":"/namespaces","children":[]}]}
            ]}"#,
        )
        .unwrap();
        assert_eq!(registry.first_route().as_deref(), Some("/namespaces"));
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    #[test]
    fn session_requests_use_the_kernels_field_names() {
        let logs = ClientMessage::SubscribeLogs {
            id: "l1".into(),
            cluster: "demo".into(),
            namespace: "shop".into(),
            pod: "postgres-0".into(),
            container: None,
            follow: true,
            previous: false,
            tail_lines: Some(100),
        };
        assert_eq!(
            serde_json::to_value(&logs).unwrap(),
            serde_json::json!({"type": "subscribe-logs", "id": "l1", "cluster": "demo", "namespace": "shop",
                "pod": "postgres-0", "follow": true, "previous": false, "tailLines": 100})
        );
        let resize = ClientMessage::Resize {
            id: "x1".into(),
            cols: 80,
            rows: 24,
        };
        assert_eq!(
            serde_json::to_string(&resize).unwrap(),
            r#"{"type":"resize","id":"x1","cols":80,"rows":24}"#
        );
        let forward = ClientMessage::PortForward {
            id: "p1".into(),
            cluster: "demo".into(),
            namespace: "shop".into(),
            pod: "web-0".into(),
            port: 8080,
        };
        assert_eq!(
            serde_json::to_value(&forward).unwrap()["type"],
            "port-forward"
        );
    }

    #[test]
    fn session_events_carry_their_session_id() {
        let read = |json: &str| serde_json::from_str::<ServerMessage>(json).unwrap();
        let lines = read(r#"{"type":"log-lines","id":"l1","lines":["a","b"]}"#);
        assert_eq!(lines.id(), Some("l1"));
        let out = read(r#"{"type":"terminal","id":"x1","stream":"stdout","data":"hi\r\n"}"#);
        assert_eq!(
            out,
            ServerMessage::Terminal {
                id: "x1".into(),
                data: "hi\r\n".into()
            }
        );
        let exit = read(r#"{"type":"exit","id":"l1","code":null}"#);
        assert_eq!(
            exit,
            ServerMessage::Exit {
                id: "l1".into(),
                code: None
            }
        );
        let ready =
            read(r#"{"type":"port-forward-ready","id":"p1","url":"http://127.0.0.1:4000"}"#);
        assert_eq!(ready.id(), Some("p1"));
    }
}
