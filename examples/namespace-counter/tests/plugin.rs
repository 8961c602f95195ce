//! The plugin driven natively, as the kernel drives the component.

use headlamp_plugin_sdk::serde_json::json;
use headlamp_plugin_sdk::testing::{CLUSTER, Harness};
use headlamp_plugin_sdk::{ActionContext, ActionResult};
use namespace_counter::{ACTION, NamespaceCounterPlugin};

#[test]
fn dialog_lists_the_namespaces_of_the_cluster() {
    let mut h = Harness::new(NamespaceCounterPlugin);
    h.init().unwrap();
    for name in ["default", "kube-system"] {
        h.insert(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}));
    }
    let result = h.invoke(ACTION, &ActionContext::new(CLUSTER)).unwrap();
    let ActionResult::Show(view) = result else {
        panic!("expected a dialog, got {result:?}");
    };
    assert!(
        view.find_section(&format!("2 namespaces in {CLUSTER}"))
            .is_some()
    );
}
