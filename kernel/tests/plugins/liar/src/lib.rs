//! Test plugin whose answers break the contract: `render` returns a view "tree" in which a
//! node has two parents, `rows` returns 1 million cells for one object.
//!
//! It is written against the raw WIT bindings, not the SDK: the SDK checks both answers in the
//! guest already, and these tests are about the kernel's own checks.

wit_bindgen::generate!({
    path: "../../../../wit",
    world: "headlamp-plugin",
});

use exports::headlamp::plugin::{actions, events, plugin, views};
use headlamp::plugin::types::{Cell, Gvk, Node, NodeKind, View, WatchEvent};

/// How many cells `rows` returns in the one row of each object.
pub const CELLS: usize = 1_000_000;

/// The exported component; its answers are the lies.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Liar;

fn namespace_kind() -> Gvk {
    Gvk {
        group: String::new(),
        version: "v1".into(),
        kind: "Namespace".into(),
    }
}

impl plugin::Guest for Liar {
    fn init(_context: plugin::InitContext) -> Result<plugin::Registration, String> {
        let column = plugin::Column {
            id: "x".into(),
            title: "X".into(),
            source: plugin::ColumnSource::Computed,
            format: headlamp::plugin::types::CellFormat::Text,
            hidden: false,
        };
        Ok(plugin::Registration {
            sidebar: Vec::new(),
            routes: Vec::new(),
            tables: vec![plugin::ResourceTable {
                id: "items".into(),
                title: "Items".into(),
                kind: namespace_kind(),
                plural: "namespaces".into(),
                namespaced: false,
                columns: vec![column],
                default_sort: None,
                details_route: None,
            }],
            details_views: vec![plugin::DetailsView {
                id: "lie".into(),
                kind: namespace_kind(),
                title: "Lie".into(),
            }],
            details_sections: Vec::new(),
            actions: Vec::new(),
            extra_columns: Vec::new(),
            overview_sections: Vec::new(),
            settings: Vec::new(),
            kind_icons: Vec::new(),
            themes: Vec::new(),
        })
    }
}

impl views::Guest for Liar {
    /// Root 0 holds 1, 1 holds 2, and 2 holds 1 again: a cycle, so node 1 has two parents.
    fn render(_slot: views::Slot, _context: views::RenderContext) -> Result<View, String> {
        let stack = |children: Vec<u32>| Node {
            kind: NodeKind::Stack,
            children,
        };
        Ok(View {
            nodes: vec![stack(vec![1]), stack(vec![2]), stack(vec![1])],
            root: 0,
        })
    }

    /// One row per object, as asked, but each of [`CELLS`] empty cells.
    fn rows(
        _context: views::RowsContext,
        _columns: Vec<String>,
        objects: Vec<String>,
    ) -> Result<Vec<Vec<Cell>>, String> {
        let cell = || Cell {
            text: String::new(),
            sort: None,
            tone: None,
            link: None,
        };
        Ok(objects
            .iter()
            .map(|_| (0..CELLS).map(|_| cell()).collect())
            .collect())
    }
}

impl actions::Guest for Liar {
    fn invoke(
        action: String,
        _context: actions::ActionContext,
    ) -> Result<actions::ActionResult, String> {
        Err(format!("the liar test plugin has no action {action:?}"))
    }
}

impl events::Guest for Liar {
    fn on_watch(_subscription: u64, _events: Vec<WatchEvent>) {}
}

// Only the component exports: a native build (`cargo test --workspace`) just type-checks.
#[cfg(target_arch = "wasm32")]
export!(Liar);

/// The manifest, where the kernel looks for it (as the SDK's `export_plugin!` puts it).
#[cfg(target_arch = "wasm32")]
#[unsafe(link_section = "headlamp-plugin-manifest")]
#[used]
static MANIFEST: [u8; include_bytes!("../plugin.toml").len()] = *include_bytes!("../plugin.toml");
