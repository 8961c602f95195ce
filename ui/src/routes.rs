//! The UI's URL scheme, and matching plugin routes.
//!
//! Plugins declare routes relative to a cluster (`/pods`, `/pods/:namespace/:name`); the UI
//! puts the cluster in front: `/c/{cluster}{route}`, so `/c/demo/pods` is the Pods table of
//! cluster `demo` and `/c/demo/pods/shop/web-0` the details of pod `shop/web-0`. Links that
//! cells and views carry (`/namespaces/default`) are resolved against the current cluster.
//! Besides those: `/` (home: the clusters) and `/plugins`.
//!
//! Several clusters at once (Headlamp's multi-cluster view) are named in the same segment,
//! joined with `+`: `/c/dev+prod/pods` is the Pods of both, merged. The URL is the whole
//! state, so reloads, deep links and back/forward keep the selection.

use crate::model::{RouteSpec, RouteTarget};

/// What a UI path shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// `/`: the clusters.
    Home,
    /// `/plugins`.
    Plugins,
    /// `/c/{cluster}` and below: `route` is the plugin route path, `/` for the cluster's home.
    Cluster {
        /// Cluster name.
        cluster: String,
        /// The plugin route, starting with `/`.
        route: String,
    },
    /// Anything else.
    NotFound(String),
}

impl Screen {
    /// Reads a UI path (no query, no fragment).
    pub fn parse(path: &str) -> Screen {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [] => Screen::Home,
            ["plugins"] => Screen::Plugins,
            ["c", cluster, rest @ ..] => Screen::Cluster {
                cluster: (*cluster).to_owned(),
                route: format!("/{}", rest.join("/")),
            },
            _ => Screen::NotFound(path.to_owned()),
        }
    }

    /// The UI path of this screen.
    pub fn path(&self) -> String {
        match self {
            Screen::Home => "/".into(),
            Screen::Plugins => "/plugins".into(),
            Screen::Cluster { cluster, route } => cluster_path(cluster, route),
            Screen::NotFound(path) => path.clone(),
        }
    }
}

/// The UI path of a plugin route in a cluster.
pub fn cluster_path(cluster: &str, route: &str) -> String {
    let route = route.trim_start_matches('/');
    if route.is_empty() {
        format!("/c/{cluster}")
    } else {
        format!("/c/{cluster}/{route}")
    }
}

/// The separator of clusters in the `/c/{clusters}` segment.
pub const CLUSTER_SEPARATOR: char = '+';

/// The clusters named by a `/c/{clusters}` segment (`dev+prod`), in order, without empty
/// names or repeats; an empty list when it names none.
pub fn parse_clusters(segment: &str) -> Vec<String> {
    let mut clusters: Vec<String> = Vec::new();
    for name in segment.split(CLUSTER_SEPARATOR).map(str::trim) {
        if !name.is_empty() && !clusters.iter().any(|c| c == name) {
            clusters.push(name.to_owned());
        }
    }
    clusters
}

/// The `/c/{clusters}` segment of a selection: the names joined with `+`.
pub fn clusters_segment(clusters: &[String]) -> String {
    clusters.join(&CLUSTER_SEPARATOR.to_string())
}

/// The selection after ticking or unticking `cluster` in the chooser. The last selected
/// cluster cannot be unticked: a cluster page always shows at least one. Ticked clusters
/// keep the order of `known` (the kernel's list), so `/c/a+b` and `/c/b+a` do not both arise
/// from the same choices.
pub fn toggle_cluster(selection: &[String], cluster: &str, known: &[String]) -> Vec<String> {
    let mut next: Vec<String> = selection.to_vec();
    if let Some(i) = next.iter().position(|c| c == cluster) {
        if next.len() > 1 {
            next.remove(i);
        }
        return next;
    }
    next.push(cluster.to_owned());
    let rank = |c: &String| known.iter().position(|k| k == c).unwrap_or(usize::MAX);
    next.sort_by_key(rank);
    next
}

/// A plugin route matched against a path, with the values of its `:parameters`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched<'a> {
    /// The route.
    pub route: &'a RouteSpec,
    /// Parameter names (without `:`) and values.
    pub params: Vec<(String, String)>,
}

impl Matched<'_> {
    /// The value of a parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// What the route shows.
    pub fn target(&self) -> &RouteTarget {
        &self.route.target
    }
}

/// Matches `path` against a pattern such as `/pods/:namespace/:name`.
pub fn match_pattern(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if pattern.len() != path.len() {
        return None;
    }
    let mut params = Vec::new();
    for (p, s) in pattern.iter().zip(&path) {
        match p.strip_prefix(':') {
            Some(name) => params.push((name.to_owned(), (*s).to_owned())),
            None if p == s => {}
            None => return None,
        }
    }
    Some(params)
}

/// The route `path` opens. When several match, the one with the most literal segments wins
/// (`/pods/new` beats `/pods/:name`), then the first declared.
pub fn resolve<'a>(routes: &'a [RouteSpec], path: &str) -> Option<Matched<'a>> {
    routes
        .iter()
        .filter_map(|route| {
            match_pattern(&route.path, path).map(|params| Matched { route, params })
        })
        .min_by_key(|m| m.params.len())
}

/// Fills a details route's `:namespace` and `:name` from a row's object.
pub fn fill(pattern: &str, namespace: Option<&str>, name: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment {
            ":namespace" => namespace.unwrap_or("-"),
            ":name" => name,
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str, target: RouteTarget) -> RouteSpec {
        RouteSpec {
            plugin: "p".into(),
            path: path.into(),
            title: path.into(),
            target,
        }
    }

    fn routes() -> Vec<RouteSpec> {
        vec![
            route("/pods", RouteTarget::Table("pods".into())),
            route("/pods/:namespace/:name", RouteTarget::Details("pod".into())),
            route(
                "/namespaces/:name",
                RouteTarget::Details("namespace".into()),
            ),
            route(
                "/namespaces/:name/edit",
                RouteTarget::Page("ns-edit".into()),
            ),
            route("/namespaces/new", RouteTarget::Page("ns-new".into())),
        ]
    }

    #[test]
    fn parses_and_prints_ui_paths() {
        for path in [
            "/",
            "/plugins",
            "/c/demo",
            "/c/demo/pods",
            "/c/demo/pods/shop/web-0",
        ] {
            assert_eq!(Screen::parse(path).path(), path);
        }
        assert_eq!(
            Screen::parse("/c/demo/pods/"),
            Screen::Cluster {
                cluster: "demo".into(),
                route: "/pods".into()
            }
        );
        assert_eq!(
            Screen::parse("/c/demo"),
            Screen::Cluster {
                cluster: "demo".into(),
                route: "/".into()
            }
        );
        assert_eq!(Screen::parse("/nope"), Screen::NotFound("/nope".into()));
    }

    #[test]
    fn resolves_tables_and_details_with_their_parameters() {
        let routes = routes();
        let m = resolve(&routes, "/pods").unwrap();
        assert_eq!(m.target(), &RouteTarget::Table("pods".into()));
        let m = resolve(&routes, "/pods/shop/web-0").unwrap();
        assert_eq!(m.target(), &RouteTarget::Details("pod".into()));
        assert_eq!(m.param("namespace"), Some("shop"));
        assert_eq!(m.param("name"), Some("web-0"));
        assert!(resolve(&routes, "/pods/shop").is_none());
        assert!(resolve(&routes, "/services").is_none());
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let routes = routes();
        assert_eq!(
            resolve(&routes, "/namespaces/new").unwrap().target(),
            &RouteTarget::Page("ns-new".into())
        );
        assert_eq!(
            resolve(&routes, "/namespaces/default").unwrap().target(),
            &RouteTarget::Details("namespace".into())
        );
    }

    #[test]
    fn fills_details_routes_from_rows() {
        assert_eq!(
            fill("/pods/:namespace/:name", Some("shop"), "web-0"),
            "/pods/shop/web-0"
        );
        assert_eq!(
            fill("/namespaces/:name", None, "default"),
            "/namespaces/default"
        );
        assert_eq!(
            cluster_path("demo", "/pods/shop/web-0"),
            "/c/demo/pods/shop/web-0"
        );
        assert_eq!(cluster_path("demo", "/"), "/c/demo");
    }

    #[test]
    fn a_cluster_segment_names_one_or_several_clusters() {
        assert_eq!(parse_clusters("demo"), vec!["demo"]);
        assert_eq!(parse_clusters("dev+prod"), vec!["dev", "prod"]);
        assert_eq!(parse_clusters("dev++prod+dev+"), vec!["dev", "prod"]);
        assert!(parse_clusters("").is_empty());
        let both = vec!["dev".to_string(), "prod".to_string()];
        assert_eq!(clusters_segment(&both), "dev+prod");
        assert_eq!(
            cluster_path(&clusters_segment(&both), "/pods"),
            "/c/dev+prod/pods"
        );
        assert_eq!(
            Screen::parse("/c/dev+prod/pods"),
            Screen::Cluster {
                cluster: "dev+prod".into(),
                route: "/pods".into()
            }
        );
    }

    #[test]
    fn toggling_a_cluster_adds_it_in_the_kernels_order_and_keeps_one() {
        let known: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let one = vec!["c".to_string()];
        assert_eq!(toggle_cluster(&one, "a", &known), vec!["a", "c"]);
        assert_eq!(
            toggle_cluster(&["a".into(), "c".into()], "a", &known),
            vec!["c"]
        );
        assert_eq!(
            toggle_cluster(&one, "c", &known),
            vec!["c"],
            "the last one stays"
        );
        // A cluster the kernel does not list goes last.
        assert_eq!(toggle_cluster(&one, "zz", &known), vec!["c", "zz"]);
    }
}
