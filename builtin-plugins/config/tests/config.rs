//! The config plugin, driven natively through the SDK's harness.

use headlamp_plugin_config::{
    CONFIGMAP_VIEW, ConfigPlugin, REVEAL_ACTION, SECRET_VALUES_VIEW, SECRET_VIEW, SECRETS_TABLE,
};
use headlamp_plugin_sdk::testing::{CLUSTER, Harness};
use headlamp_plugin_sdk::{
    ActionContext, ActionPlacement, ActionResult, Gvk, NodeKind, RouteTarget, View,
};
use serde_json::{Value, json};

fn harness() -> Harness {
    let mut h = Harness::new(ConfigPlugin);
    h.init().expect("init succeeds");
    h
}

/// A secret holding the text `s3cr3t-pw` and the bytes 00 01 ff 61.
fn secret() -> Value {
    json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop", "uid": "u-db", "creationTimestamp": "2024-02-29T00:00:00Z"},
        "type": "Opaque", "data": {"password": "czNjcjN0LXB3", "blob": "AAH/YQ=="}})
}

fn table(view: &View, section: &str) -> headlamp_plugin_sdk::TableNode {
    let index = view.find_section(section).expect("section exists");
    view.children_of(index)
        .find_map(|n| match &n.kind {
            NodeKind::Table(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no table in section `{section}`"))
}

/// The code blocks under the section titled `title`.
fn code_in(view: &View, title: &str) -> Vec<(String, String)> {
    let index = view.find_section(title).expect("section exists");
    view.children_of(index)
        .filter_map(|n| match &n.kind {
            NodeKind::Code((language, text)) => Some((language.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn init_registers_the_configuration_group_with_a_table_per_kind() {
    let reg = Harness::new(ConfigPlugin).init().unwrap();
    let group = reg.sidebar.iter().find(|e| e.id == "config").unwrap();
    assert_eq!((group.label.as_str(), group.order), ("Configuration", 60));
    let tables: Vec<_> = reg.tables.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        tables,
        [
            "configmaps",
            "secrets",
            "resourcequotas",
            "limitranges",
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations"
        ]
    );
    let reveal = reg
        .routes
        .iter()
        .find(|r| r.path == "/secrets/:namespace/:name/reveal")
        .unwrap();
    assert_eq!(
        reveal.target,
        RouteTarget::Details(SECRET_VALUES_VIEW.into())
    );
}

#[test]
fn the_reveal_action_sits_in_the_secret_header_and_needs_get() {
    let reg = Harness::new(ConfigPlugin).init().unwrap();
    let action = reg.actions.iter().find(|a| a.id == REVEAL_ACTION).unwrap();
    assert_eq!(
        action.placement,
        ActionPlacement::DetailsHeader(Gvk::core("v1", "Secret"))
    );
    assert_eq!(action.requires_verb.as_deref(), Some("get"));
}

#[test]
fn the_reveal_action_navigates_to_the_reveal_view() {
    let mut h = harness();
    let ctx = ActionContext::new(CLUSTER).with_object(secret().to_string());
    let result = h.invoke(REVEAL_ACTION, &ctx).unwrap();
    assert_eq!(
        result,
        ActionResult::Navigate("/secrets/shop/db/reveal".into())
    );
}

#[test]
fn secret_rows_count_the_data_keys() {
    let h = harness();
    let rows = h
        .rows(SECRETS_TABLE, &["data"], &[secret().to_string()])
        .unwrap();
    assert_eq!(rows[0][0].text, "2");
}

#[test]
fn a_secret_view_shows_sizes_but_no_value() {
    let h = harness();
    let view = h
        .render_details(SECRET_VIEW, &secret().to_string())
        .unwrap();
    let data = table(&view, "Data");
    let rows: Vec<Vec<&str>> = data
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .collect();
    assert_eq!(rows, [["blob", "4 bytes"], ["password", "9 bytes"]]);
    let everything = format!("{view:?}");
    for value in ["czNjcjN0LXB3", "s3cr3t-pw", "AAH/YQ=="] {
        assert!(!everything.contains(value), "{value} leaked: {everything}");
    }
    let index = view.find_section("Data").unwrap();
    assert!(view.children_of(index).any(|n| matches!(
        &n.kind,
        NodeKind::Link((label, route)) if label == "Reveal values" && route == "/secrets/shop/db/reveal"
    )));
}

#[test]
fn the_reveal_view_decodes_text_and_dumps_binary() {
    let h = harness();
    let view = h
        .render_details(SECRET_VALUES_VIEW, &secret().to_string())
        .unwrap();
    assert_eq!(
        code_in(&view, "password"),
        [("text".to_owned(), "s3cr3t-pw".to_owned())]
    );
    let blob = code_in(&view, "blob");
    assert_eq!(blob[0].0, "hex");
    assert!(blob[0].1.contains("00 01 ff 61"), "{blob:?}");
}

#[test]
fn a_configmap_view_shows_each_key_as_code() {
    let h = harness();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app", "namespace": "shop"},
        "data": {"app.yaml": "port: 80\n", "MODE": "fast"}});
    let view = h.render_details(CONFIGMAP_VIEW, &cm.to_string()).unwrap();
    assert_eq!(
        code_in(&view, "app.yaml"),
        [("yaml".to_owned(), "port: 80\n".to_owned())]
    );
    assert_eq!(
        code_in(&view, "MODE"),
        [("text".to_owned(), "fast".to_owned())]
    );
    assert!(view.find_section("Events").is_some());
}

#[test]
fn manifest_declares_secrets_on_their_own() {
    let manifest = include_str!("../plugin.toml");
    assert!(manifest.contains(r#"name = "config""#));
    assert!(manifest.contains("resources = [\"secrets\"]\nverbs = [\"get\", \"list\", \"watch\"]"));
}
