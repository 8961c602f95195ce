//! Properties of the kernel's input parsers, checked on generated input: none panics on
//! arbitrary input, and where an input has a meaning, it is read back as written.
//!
//! Case counts are modest (the whole file runs in seconds); proptest prints the failing input.

use std::io::Write;

use headlamp_kernel::columns::ColumnPath;
use headlamp_kernel::host::headlamp::plugin::types::{CellFormat, Node, NodeKind};
use headlamp_kernel::host::{View, validate};
use headlamp_kernel::manifest::{Permission, PluginId, PluginManifest};
use headlamp_kernel::stream::ClientMessage;
use proptest::prelude::*;
use semver::Version;
use serde_json::{Value, json};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A plugin id as the manifest rules want it.
fn plugin_id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,30}"
}

fn permission() -> impl Strategy<Value = Permission> {
    let resources = prop::collection::vec(
        prop_oneof![
            Just("pods".to_string()),
            Just("deployments.apps".to_string()),
            Just("*".to_string()),
            "[a-z]{1,12}",
        ],
        1..4,
    );
    let verbs = prop::collection::vec(
        prop::sample::select(vec![
            "get", "list", "watch", "create", "patch", "delete", "*",
        ])
        .prop_map(str::to_string),
        1..4,
    );
    (resources, verbs).prop_map(|(resources, verbs)| Permission { resources, verbs })
}

fn manifest() -> impl Strategy<Value = PluginManifest> {
    (
        plugin_id(),
        (0u64..50, 0u64..50, 0u64..50),
        "[ -~]{0,40}",
        prop::option::of("[A-Za-z0-9.-]{1,20}"),
        prop::collection::vec(permission(), 0..4),
    )
        .prop_map(
            |(name, (major, minor, patch), description, license, permissions)| PluginManifest {
                name: PluginId::new(name).unwrap(),
                version: Version::new(major, minor, patch),
                description,
                api: Version::new(0, 1, 0),
                license,
                source: None,
                permissions,
                settings: Default::default(),
            },
        )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_manifest_parser_never_panics_on_arbitrary_text(text in "(?s).{0,200}") {
        let _ = PluginManifest::parse(&text);
    }

    #[test]
    fn the_manifest_parser_never_panics_on_manifest_like_text(
        name in ".{0,20}", version in ".{0,12}", verb in ".{0,8}", resource in ".{0,12}",
    ) {
        let text = format!(
            "name = {name:?}\nversion = {version:?}\napi = \"0.1.0\"\n\n\
             [[permissions]]\nresources = [{resource:?}]\nverbs = [{verb:?}]\n"
        );
        let _ = PluginManifest::parse(&text);
    }

    #[test]
    fn a_plugin_id_is_accepted_exactly_when_it_is_lowercase_kebab_case(id in ".{0,70}") {
        let spelled_right = id.len() <= 64
            && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        prop_assert_eq!(PluginId::new(id.clone()).is_ok(), spelled_right);
        // So an id can never name a path: no separator, no dot.
        if spelled_right {
            prop_assert!(!id.contains(['/', '\\', '.']));
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_manifest_written_as_toml_is_parsed_back_unchanged(manifest in manifest()) {
        let text = toml::to_string(&manifest).unwrap();
        prop_assert_eq!(PluginManifest::parse(&text).unwrap(), manifest);
    }
}

/// Any node list, with children and root anywhere in or just past it.
fn arbitrary_view() -> impl Strategy<Value = View> {
    let node = (
        prop_oneof![Just(NodeKind::Stack), Just(NodeKind::Text("t".into()))],
        prop::collection::vec(0u32..24, 0..4),
    )
        .prop_map(|(kind, children)| Node { kind, children });
    (prop::collection::vec(node, 0..20), 0u32..24).prop_map(|(nodes, root)| View { nodes, root })
}

/// A real tree of `1..60` nodes (so never deeper than the validator's 64 levels): node `i`'s
/// parent is one of the nodes before it; containers are stacks, leaves text.
fn tree() -> impl Strategy<Value = View> {
    (1usize..60)
        .prop_flat_map(|n| {
            let parents: Vec<_> = (1..n).map(|i| 0..i).collect();
            (Just(n), parents)
        })
        .prop_map(|(n, parents)| {
            let mut children = vec![Vec::new(); n];
            for (child, parent) in parents.into_iter().enumerate() {
                children[parent].push(child as u32 + 1);
            }
            let nodes = children
                .into_iter()
                .map(|children| Node {
                    kind: if children.is_empty() {
                        NodeKind::Text("leaf".into())
                    } else {
                        NodeKind::Stack
                    },
                    children,
                })
                .collect();
            View { nodes, root: 0 }
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_view_validator_never_panics(view in arbitrary_view()) {
        let _ = validate::view(&view);
    }

    #[test]
    fn a_tree_is_accepted_and_a_second_parent_for_any_node_is_refused(
        view in tree(), pick in any::<prop::sample::Index>(),
    ) {
        prop_assert_eq!(validate::view(&view), Ok(()));
        // One more edge, from the root to any node but itself, breaks the tree: that node
        // gets a second parent (or the root becomes its own child).
        let mut broken = view.clone();
        let target = pick.index(broken.nodes.len()) as u32;
        broken.nodes[0].kind = NodeKind::Stack;
        broken.nodes[0].children.push(target);
        prop_assert!(validate::view(&broken).is_err());
    }
}

/// A kubeconfig with one context per (name, port), each with its own cluster and user.
fn kubeconfig_yaml(contexts: &[(String, u16)]) -> String {
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": contexts.iter().map(|(n, port)| json!({
            "name": n, "cluster": {"server": format!("https://127.0.0.1:{port}")}
        })).collect::<Vec<_>>(),
        "users": contexts.iter().map(|(n, _)| json!({"name": n, "user": {"token": format!("t-{n}")}}))
            .collect::<Vec<_>>(),
        "contexts": contexts.iter().map(|(n, _)| json!({
            "name": n, "context": {"cluster": n, "user": n}
        })).collect::<Vec<_>>(),
        "current-context": contexts.first().map(|(n, _)| n.clone()).unwrap_or_default(),
    });
    serde_yaml::to_string(&doc).unwrap()
}

fn written(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn reading_an_arbitrary_kubeconfig_never_panics_and_an_error_names_the_file(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let file = written(&bytes);
        let path = file.path().to_path_buf();
        if let Err(error) = headlamp_kernel::kubeconfig::read(std::slice::from_ref(&path)) {
            prop_assert!(error.contains(&path.display().to_string()), "{}", error);
        }
    }

    #[test]
    fn a_kubeconfig_is_read_back_with_every_context(
        contexts in prop::collection::btree_map("[a-z][a-z0-9-]{0,15}", 1u16..65535, 1..6),
    ) {
        let contexts: Vec<(String, u16)> = contexts.into_iter().collect();
        let file = written(kubeconfig_yaml(&contexts).as_bytes());
        let read = headlamp_kernel::kubeconfig::read(&[file.path().to_path_buf()]).unwrap();
        let names: Vec<&str> = read.contexts.iter().map(|c| c.name.as_str()).collect();
        let wanted: Vec<&str> = contexts.iter().map(|(n, _)| n.as_str()).collect();
        prop_assert_eq!(names, wanted);
        for (name, port) in &contexts {
            let cluster = read.clusters.iter().find(|c| &c.name == name).unwrap();
            let server = cluster.cluster.as_ref().and_then(|c| c.server.clone());
            prop_assert_eq!(server, Some(format!("https://127.0.0.1:{port}")));
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn a_column_path_never_panics_to_parse_or_evaluate(
        path in prop_oneof![
            "(?s).{0,40}",
            "[.$\\[\\]'*a-z0-9?@()=<>!{}]{0,30}",
        ],
        object in json_value(),
    ) {
        for format in [CellFormat::Text, CellFormat::Number, CellFormat::Age, CellFormat::Labels] {
            if let Ok(column) = ColumnPath::parse(&path, format) {
                let _ = column.cell(&object);
            }
        }
    }

    #[test]
    fn a_field_path_shows_the_fields_text_in_every_spelling(
        key in "[a-z][a-zA-Z0-9]{0,10}", text in ".{0,30}", other in json_value(),
    ) {
        let object = json!({"metadata": {key.clone(): text.clone(), "other": other}});
        for spelling in [
            format!(".metadata.{key}"),
            format!("metadata.{key}"),
            format!("{{.metadata.{key}}}"),
            format!("$.metadata['{key}']"),
        ] {
            let column = ColumnPath::parse(&spelling, CellFormat::Text).unwrap();
            prop_assert_eq!(&column.cell(&object).text, &text, "{}", spelling);
        }
    }

    #[test]
    fn the_client_message_decoder_never_panics_on_arbitrary_text(text in "(?s).{0,200}") {
        let _ = serde_json::from_str::<ClientMessage>(&text);
    }

    #[test]
    fn the_client_message_decoder_never_panics_on_messages_of_every_type_with_any_fields(
        kind in prop::sample::select(vec![
            "subscribe-table", "set-window", "unsubscribe", "subscribe-view", "subscribe-logs",
            "exec", "stdin", "resize", "port-forward", "other",
        ]),
        fields in prop::collection::btree_map(
            prop::sample::select(vec![
                "id", "cluster", "table", "namespace", "window", "sort", "data", "cols", "rows",
                "pod", "container", "command", "port", "view",
            ]),
            json_value(),
            0..6,
        ),
    ) {
        let mut message = serde_json::Map::new();
        message.insert("type".into(), json!(kind));
        message.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
        let _ = serde_json::from_value::<ClientMessage>(Value::Object(message));
    }

    #[test]
    fn a_subscribe_message_decodes_to_exactly_its_fields(
        id in ".{0,20}", cluster in ".{0,20}", table in ".{0,20}",
        namespace in prop::option::of(".{0,20}"),
    ) {
        let mut message = json!({"type": "subscribe-table", "id": id, "cluster": cluster, "table": table});
        if let Some(ns) = &namespace {
            message["namespace"] = json!(ns);
        }
        let decoded: ClientMessage = serde_json::from_str(&message.to_string()).unwrap();
        prop_assert_eq!(decoded, ClientMessage::SubscribeTable {
            id, cluster, table, namespace,
            label_selector: None, namespaces: None, sort: None, window: None,
        });
    }
}
