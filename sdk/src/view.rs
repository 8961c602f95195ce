//! View trees: a nested builder over the flat node list the WIT contract carries.
//!
//! WIT has no recursive types, so a [`View`] is a list of nodes whose containers name their
//! children by index. Plugins build a tree of [`NodeBuilder`]s and call [`NodeBuilder::build`].

pub use crate::wit::headlamp::plugin::types::{
    ChartKind, Condition, Datum, GraphEdge, GraphVertex, KeyValue, Node, NodeKind, TableNode, View,
};
use crate::{Cell, Tone};

/// Why a view tree is malformed (the kernel refuses such views).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ViewError {
    /// `root` or a child index points past the node list.
    #[error("node index {index} is out of range (the view has {len} nodes)")]
    OutOfRange {
        /// The bad index.
        index: u32,
        /// How many nodes there are.
        len: usize,
    },
    /// A node other than a stack or section has children.
    #[error("node {0} is not a container but has children")]
    ChildrenOnLeaf(u32),
    /// A node is reachable twice (a cycle or a shared child).
    #[error("node {0} is reachable more than once")]
    Shared(u32),
}

/// One node of a view tree under construction, with its children nested.
#[derive(Debug, Clone)]
pub struct NodeBuilder {
    kind: NodeKind,
    children: Vec<NodeBuilder>,
}

impl NodeBuilder {
    fn leaf(kind: NodeKind) -> Self {
        Self {
            kind,
            children: Vec::new(),
        }
    }

    /// Appends a child. Only stacks and sections show children; [`View::validate`] rejects others.
    pub fn child(mut self, child: NodeBuilder) -> Self {
        self.children.push(child);
        self
    }

    /// Appends several children.
    pub fn children(mut self, children: impl IntoIterator<Item = NodeBuilder>) -> Self {
        self.children.extend(children);
        self
    }

    /// Flattens the tree into the WIT form; the root comes first.
    pub fn build(self) -> View {
        let mut nodes = Vec::new();
        let root = push(&mut nodes, self);
        View { nodes, root }
    }
}

fn push(nodes: &mut Vec<Node>, builder: NodeBuilder) -> u32 {
    let index = nodes.len();
    nodes.push(Node {
        kind: builder.kind,
        children: Vec::new(),
    });
    let children: Vec<u32> = builder
        .children
        .into_iter()
        .map(|c| push(nodes, c))
        .collect();
    nodes[index].children = children;
    u32::try_from(index).expect("a view has fewer than 2^32 nodes")
}

impl From<NodeBuilder> for View {
    fn from(builder: NodeBuilder) -> Self {
        builder.build()
    }
}

impl View {
    /// A vertical container.
    pub fn stack() -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Stack)
    }

    /// A titled container.
    pub fn section(title: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Section(title.into()))
    }

    /// A paragraph.
    pub fn text(text: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Text(text.into()))
    }

    /// A list of labelled values.
    pub fn key_values<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> NodeBuilder {
        Self::key_value_list(pairs.into_iter().map(|(k, v)| KeyValue {
            key: k.into(),
            value: v.into(),
            link: None,
        }))
    }

    /// A list of labelled values, some of which may link somewhere.
    pub fn key_value_list(items: impl IntoIterator<Item = KeyValue>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::KeyValues(items.into_iter().collect()))
    }

    /// A small coloured label.
    pub fn badge(text: impl Into<String>, tone: Tone) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Badge((text.into(), tone)))
    }

    /// A link to a route.
    pub fn link(label: impl Into<String>, route: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Link((label.into(), route.into())))
    }

    /// A table with column titles and rows of cells.
    pub fn table(columns: Vec<String>, rows: Vec<Vec<Cell>>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Table(TableNode { columns, rows }))
    }

    /// Kubernetes conditions.
    pub fn conditions(conditions: Vec<Condition>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Conditions(conditions))
    }

    /// A chart; `max` is the full scale of a gauge.
    pub fn chart(
        kind: ChartKind,
        title: impl Into<String>,
        data: Vec<Datum>,
        max: Option<f64>,
    ) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Chart((kind, title.into(), data, max)))
    }

    /// A code block in `language` (such as `yaml`).
    pub fn code(language: impl Into<String>, text: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Code((language.into(), text.into())))
    }

    /// A relation graph.
    pub fn graph(vertices: Vec<GraphVertex>, edges: Vec<GraphEdge>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Graph((vertices, edges)))
    }

    /// An empty state with its message.
    pub fn empty(message: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Empty(message.into()))
    }

    /// An error state: what happened and what to do.
    pub fn error(message: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::Error(message.into()))
    }

    /// A button running this plugin's action `action` (the WIT tuple is `(label, action id)`).
    pub fn action_button(label: impl Into<String>, action: impl Into<String>) -> NodeBuilder {
        NodeBuilder::leaf(NodeKind::ActionButton((label.into(), action.into())))
    }

    /// The root node.
    pub fn root_node(&self) -> Option<&Node> {
        self.nodes.get(self.root as usize)
    }

    /// The children of node `index`, in order (nothing for a bad index).
    pub fn children_of(&self, index: u32) -> impl Iterator<Item = &Node> {
        self.nodes
            .get(index as usize)
            .into_iter()
            .flat_map(|n| n.children.iter())
            .filter_map(|&c| self.nodes.get(c as usize))
    }

    /// The index of the first section titled `title`.
    pub fn find_section(&self, title: &str) -> Option<u32> {
        self.nodes
            .iter()
            .position(|n| matches!(&n.kind, NodeKind::Section(t) if t == title))
            .and_then(|i| u32::try_from(i).ok())
    }

    /// Checks what the kernel checks: indices in range, children only on containers, a tree.
    pub fn validate(&self) -> Result<(), ViewError> {
        let len = self.nodes.len();
        let in_range = |index: u32| {
            if (index as usize) < len {
                Ok(())
            } else {
                Err(ViewError::OutOfRange { index, len })
            }
        };
        in_range(self.root)?;
        let mut seen = vec![false; len];
        let mut todo = vec![self.root];
        while let Some(index) = todo.pop() {
            if std::mem::replace(&mut seen[index as usize], true) {
                return Err(ViewError::Shared(index));
            }
            let node = &self.nodes[index as usize];
            let container = matches!(node.kind, NodeKind::Stack | NodeKind::Section(_));
            if !container && !node.children.is_empty() {
                return Err(ViewError::ChildrenOnLeaf(index));
            }
            for &child in &node.children {
                in_range(child)?;
                todo.push(child);
            }
        }
        Ok(())
    }
}

impl Condition {
    /// A condition with its type and status (`True`, `False`, `Unknown`).
    pub fn new(kind: impl Into<String>, status: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            status: status.into(),
            reason: None,
            message: None,
            last_transition: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_flattens_nested_children_into_indices() {
        let view = View::stack()
            .child(View::section("Metadata").child(View::key_values([("Name", "a")])))
            .child(View::code("yaml", "a: 1"))
            .build();
        assert_eq!(view.root, 0);
        assert_eq!(view.nodes.len(), 4);
        let root_children: Vec<_> = view.children_of(view.root).map(|n| &n.kind).collect();
        assert!(matches!(root_children[0], NodeKind::Section(t) if t == "Metadata"));
        assert!(matches!(root_children[1], NodeKind::Code((l, _)) if l == "yaml"));
        let section = view.find_section("Metadata").unwrap();
        let kv: Vec<_> = view.children_of(section).collect();
        assert!(matches!(&kv[0].kind, NodeKind::KeyValues(items) if items[0].value == "a"));
        assert_eq!(view.validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_out_of_range_children_and_cycles() {
        let mut view = View::stack().child(View::text("x")).build();
        view.nodes[0].children.push(7);
        assert_eq!(
            view.validate(),
            Err(ViewError::OutOfRange { index: 7, len: 2 })
        );
        let mut cyclic = View::stack().child(View::stack()).build();
        cyclic.nodes[1].children.push(0);
        assert_eq!(cyclic.validate(), Err(ViewError::Shared(0)));
    }

    #[test]
    fn validate_rejects_children_on_a_leaf() {
        let view = View::text("x").child(View::text("y")).build();
        assert_eq!(view.validate(), Err(ViewError::ChildrenOnLeaf(0)));
    }
}
