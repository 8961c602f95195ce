//! Checks of what plugins return, so that a buggy plugin cannot hand the UI a broken tree.

use std::collections::HashSet;

use super::bindings::headlamp::plugin::types::{NodeKind, View};
use super::bindings::{Cell, Registration};

/// The largest view tree accepted.
pub const MAX_VIEW_NODES: usize = 20_000;
/// The deepest nesting accepted.
pub const MAX_VIEW_DEPTH: usize = 64;
/// The most cells one `rows` answer may carry.
pub const MAX_CELLS: usize = 500_000;

/// A view tree must be a tree: children in range, each node with one parent, root a root,
/// every node reachable, only containers with children.
pub fn view(view: &View) -> Result<(), String> {
    let count = view.nodes.len();
    if count == 0 {
        return Err("the tree has no nodes".into());
    }
    if count > MAX_VIEW_NODES {
        return Err(format!(
            "the tree has {count} nodes, more than the {MAX_VIEW_NODES} allowed"
        ));
    }
    let root = view.root as usize;
    if root >= count {
        return Err(format!("root {root} is out of range (0..{count})"));
    }
    let mut parent_of = vec![None::<usize>; count];
    for (index, node) in view.nodes.iter().enumerate() {
        let container = matches!(node.kind, NodeKind::Stack | NodeKind::Section(_));
        if !container && !node.children.is_empty() {
            return Err(format!("node {index} is not a container but has children"));
        }
        for &child in &node.children {
            let child = child as usize;
            if child >= count {
                return Err(format!(
                    "node {index} has child {child}, out of range (0..{count})"
                ));
            }
            if child == root {
                return Err(format!("node {index} has the root {root} as a child"));
            }
            if let Some(other) = parent_of[child].replace(index) {
                return Err(format!("node {child} has two parents, {other} and {index}"));
            }
        }
    }
    // Walk from the root: everything reachable, nothing deeper than the limit.
    let mut seen = HashSet::with_capacity(count);
    let mut stack = vec![(root, 1usize)];
    while let Some((index, depth)) = stack.pop() {
        if depth > MAX_VIEW_DEPTH {
            return Err(format!("the tree is deeper than {MAX_VIEW_DEPTH} levels"));
        }
        if !seen.insert(index) {
            return Err(format!("node {index} is part of a cycle"));
        }
        for &child in &view.nodes[index].children {
            stack.push((child as usize, depth + 1));
        }
    }
    if seen.len() != count {
        return Err(format!(
            "{} nodes are not reachable from the root",
            count - seen.len()
        ));
    }
    Ok(())
}

/// A `rows` answer must have one row per object and one cell per requested column.
pub fn rows(rows: &[Vec<Cell>], objects: usize, columns: usize) -> Result<(), String> {
    if rows.len() != objects {
        return Err(format!(
            "{} rows for {objects} objects: return one row per object, in order",
            rows.len()
        ));
    }
    if let Some((index, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != columns) {
        return Err(format!(
            "row {index} has {} cells for {columns} requested columns",
            row.len()
        ));
    }
    if objects.saturating_mul(columns) > MAX_CELLS {
        return Err(format!(
            "{} cells is more than the {MAX_CELLS} allowed in one answer",
            objects * columns
        ));
    }
    Ok(())
}

/// A registration's ids must be non-empty and unique per kind of contribution, and routes
/// must start with `/`.
pub fn registration(registration: &Registration) -> Result<(), String> {
    fn unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
        let mut seen = HashSet::new();
        for id in ids {
            if id.is_empty() {
                return Err(format!("a {what} has an empty id"));
            }
            if !seen.insert(id) {
                return Err(format!("two {what}s have the id {id:?}"));
            }
        }
        Ok(())
    }
    unique(
        "sidebar entry",
        registration.sidebar.iter().map(|e| e.id.as_str()),
    )?;
    unique("route", registration.routes.iter().map(|r| r.id.as_str()))?;
    unique("table", registration.tables.iter().map(|t| t.id.as_str()))?;
    unique(
        "details view",
        registration.details_views.iter().map(|d| d.id.as_str()),
    )?;
    unique("action", registration.actions.iter().map(|a| a.id.as_str()))?;
    for table in &registration.tables {
        unique(
            &format!("column of table {}", table.id),
            table.columns.iter().map(|c| c.id.as_str()),
        )?;
    }
    if let Some(route) = registration
        .routes
        .iter()
        .find(|r| !r.path.starts_with('/'))
    {
        return Err(format!(
            "route {} has path {:?}, which must start with '/'",
            route.id, route.path
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::headlamp::plugin::types::Node;

    fn node(kind: NodeKind, children: &[u32]) -> Node {
        Node {
            kind,
            children: children.to_vec(),
        }
    }

    fn text(t: &str) -> NodeKind {
        NodeKind::Text(t.into())
    }

    #[test]
    fn accepts_a_stack_with_two_children() {
        let v = View {
            nodes: vec![
                node(NodeKind::Stack, &[1, 2]),
                node(text("a"), &[]),
                node(text("b"), &[]),
            ],
            root: 0,
        };
        assert_eq!(super::view(&v), Ok(()));
    }

    #[test]
    fn refuses_a_child_out_of_range() {
        let v = View {
            nodes: vec![node(NodeKind::Stack, &[5])],
            root: 0,
        };
        assert!(super::view(&v).unwrap_err().contains("out of range"));
    }

    #[test]
    fn refuses_a_cycle_through_the_root() {
        let v = View {
            nodes: vec![node(NodeKind::Stack, &[1]), node(NodeKind::Stack, &[0])],
            root: 0,
        };
        assert!(super::view(&v).unwrap_err().contains("root"));
    }

    #[test]
    fn refuses_a_node_with_two_parents() {
        let v = View {
            nodes: vec![
                node(NodeKind::Stack, &[1, 2]),
                node(NodeKind::Stack, &[3]),
                node(NodeKind::Stack, &[3]),
                node(text("x"), &[]),
            ],
            root: 0,
        };
        assert!(super::view(&v).unwrap_err().contains("two parents"));
    }

    #[test]
    fn refuses_children_on_a_leaf() {
        let v = View {
            nodes: vec![node(text("a"), &[1]), node(text("b"), &[])],
            root: 0,
        };
        assert!(super::view(&v).unwrap_err().contains("not a container"));
    }

    #[test]
    fn refuses_unreachable_nodes() {
        let v = View {
            nodes: vec![node(NodeKind::Stack, &[]), node(text("lost"), &[])],
            root: 0,
        };
        assert!(super::view(&v).unwrap_err().contains("not reachable"));
    }

    #[test]
    fn refuses_rows_of_the_wrong_count() {
        let err = super::rows(&[vec![]], 2, 0).unwrap_err();
        assert!(err.contains("1 rows for 2 objects"), "{err}");
    }
}
