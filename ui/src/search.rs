//! The app bar's global search: matching and ranking object names.
//!
//! The UI searches what it has loaded (the rows of the tables it has shown), so a search
//! costs no kernel call and finds objects of every selected cluster. Ranking puts the
//! likeliest object first: the exact name, then names starting with the query, then names
//! where it starts a word (`web` in `shop-web-0`), then anywhere in the name, then the
//! query's letters in order (`wb0` finds `web-0`). Ties go to the shorter name.

/// An object the search can find.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchItem {
    /// Object name.
    pub name: String,
    /// Namespace; none for cluster-scoped objects.
    pub namespace: Option<String>,
    /// What it is (the kind, as its table names it).
    pub kind: String,
    /// The cluster it lives in.
    pub cluster: String,
    /// The UI path of its details page; none when its table declares no details route.
    pub path: Option<String>,
}

/// How well a name matches: lower is better; none when it does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// The whole name.
    Exact,
    /// The start of the name.
    Prefix,
    /// The start of a word of the name (after `-`, `.`, `_`, `/` or `:`).
    WordStart,
    /// Anywhere in the name.
    Substring,
    /// Every character of the query, in order.
    Subsequence,
}

fn is_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '_' | '/' | ':')
}

/// Ranks `name` against `query` (ASCII case-insensitive). An empty query matches nothing.
pub fn rank(query: &str, name: &str) -> Option<Rank> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return None;
    }
    let name = name.to_lowercase();
    if name == query {
        return Some(Rank::Exact);
    }
    if name.starts_with(&query) {
        return Some(Rank::Prefix);
    }
    let mut found = false;
    for (i, _) in name.match_indices(&query) {
        found = true;
        if name[..i].ends_with(is_separator) {
            return Some(Rank::WordStart);
        }
    }
    if found {
        return Some(Rank::Substring);
    }
    let mut rest = name.chars();
    query
        .chars()
        .all(|q| rest.any(|c| c == q))
        .then_some(Rank::Subsequence)
}

/// The best `limit` matches of `query` among `items`, best first: by rank, then shorter
/// names, then name, namespace, kind and cluster (so the order is stable).
pub fn search<'a>(
    items: impl IntoIterator<Item = &'a SearchItem>,
    query: &str,
    limit: usize,
) -> Vec<&'a SearchItem> {
    let mut found: Vec<(Rank, &SearchItem)> = items
        .into_iter()
        .filter_map(|item| rank(query, &item.name).map(|r| (r, item)))
        .collect();
    found.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.name.len().cmp(&b.name.len()))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.cluster.cmp(&b.cluster))
    });
    found.truncate(limit);
    found.into_iter().map(|(_, item)| item).collect()
}

/// The option the arrow keys move to in a list of `len` results: down from the last wraps to
/// the first, up from the first (or from none) to the last.
pub fn step(current: Option<usize>, len: usize, down: bool) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match (current, down) {
        (None, true) => 0,
        (None, false) => len - 1,
        (Some(i), true) => (i + 1) % len,
        (Some(i), false) => (i + len - 1) % len,
    })
}

/// Whether a key press is the shortcut that focuses the search: `/` (when not typing in a
/// field), or Ctrl+K / ⌘K anywhere.
pub fn is_shortcut(key: &str, ctrl_or_meta: bool, typing: bool) -> bool {
    match key {
        "k" | "K" => ctrl_or_meta,
        "/" => !typing && !ctrl_or_meta,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, ns: &str, kind: &str, cluster: &str) -> SearchItem {
        SearchItem {
            name: name.into(),
            namespace: Some(ns.into()),
            kind: kind.into(),
            cluster: cluster.into(),
            path: None,
        }
    }

    #[test]
    fn ranks_exact_then_prefix_then_word_then_substring_then_letters() {
        assert_eq!(rank("web", "WEB"), Some(Rank::Exact));
        assert_eq!(rank("web", "web-0"), Some(Rank::Prefix));
        assert_eq!(rank("web", "shop-web-0"), Some(Rank::WordStart));
        assert_eq!(rank("eb", "web-0"), Some(Rank::Substring));
        assert_eq!(rank("wb0", "web-0"), Some(Rank::Subsequence));
        assert_eq!(rank("zz", "web-0"), None);
        assert_eq!(rank("  ", "web-0"), None, "an empty query matches nothing");
        // A later occurrence at a word start still counts as a word start.
        assert_eq!(rank("db", "xdb-db"), Some(Rank::WordStart));
    }

    #[test]
    fn results_come_best_first_and_are_limited() {
        let items = vec![
            item("shop-web-0", "shop", "Pod", "a"),
            item("web-0", "shop", "Pod", "b"),
            item("web-0", "shop", "Pod", "a"),
            item("web", "shop", "Service", "a"),
            item("postgres-0", "shop", "Pod", "a"),
            item("cobweb", "x", "ConfigMap", "a"),
        ];
        let found: Vec<(String, String)> = search(&items, "web", 10)
            .into_iter()
            .map(|i| (i.name.clone(), i.cluster.clone()))
            .collect();
        let expected = [
            ("web", "a"),
            ("web-0", "a"),
            ("web-0", "b"),
            ("shop-web-0", "a"),
            ("cobweb", "a"),
        ]
        .map(|(n, c)| (n.to_string(), c.to_string()));
        assert_eq!(found, expected);
        assert_eq!(search(&items, "web", 2).len(), 2);
    }

    #[test]
    fn arrow_keys_wrap_around_the_results() {
        assert_eq!(step(None, 3, true), Some(0));
        assert_eq!(step(Some(2), 3, true), Some(0));
        assert_eq!(step(Some(0), 3, false), Some(2));
        assert_eq!(step(None, 3, false), Some(2));
        assert_eq!(step(Some(1), 0, true), None);
    }

    #[test]
    fn slash_focuses_the_search_unless_typing_and_ctrl_k_always() {
        assert!(is_shortcut("/", false, false));
        assert!(!is_shortcut("/", false, true));
        assert!(is_shortcut("k", true, true));
        assert!(!is_shortcut("k", false, false));
    }
}
