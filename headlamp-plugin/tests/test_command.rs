//! `headlamp-plugin test` fails, naming the view, on a plugin that misbehaves in the kernel.

mod common;

use std::path::{Path, PathBuf};

use common::{new_plugin, run};

/// Runs `test --json` with `args`; returns (success, report).
fn test_json(args: &[&str]) -> (bool, serde_json::Value) {
    let mut all = vec!["--json", "test"];
    all.extend_from_slice(args);
    let output = run(&all);
    let report = serde_json::from_slice(&output.stdout).expect("test --json prints JSON");
    (output.status.success(), report)
}

/// The check named `view`, which must exist.
fn check<'a>(report: &'a serde_json::Value, view: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["view"] == view)
        .unwrap_or_else(|| panic!("no check {view}: {report:#}"))
}

fn test_plugin(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-plugins")
        .join(format!("headlamp_test_plugin_{name}.wasm"));
    assert!(
        path.is_file(),
        "{}: run `make test-plugins` before the tests",
        path.display()
    );
    path
}

#[test]
fn a_plugin_that_traps_in_rows_fails_with_the_table_named() {
    let wasm = test_plugin("trap");
    let (ok, report) = test_json(&["--wasm", wasm.to_str().unwrap(), "--no-unit-tests"]);
    assert!(!ok, "test passed a trapping plugin: {report:#}");
    let table = check(&report, "table items");
    assert_eq!(table["outcome"], "failed");
    let detail = table["detail"].as_str().unwrap();
    assert!(detail.contains("plugin trap failed"), "{detail}");
    assert!(detail.contains("always panics in rows()"), "{detail}");
    assert_eq!(check(&report, "plugin")["outcome"], "failed");
}

/// SLOW: builds one generated crate (its dependencies are shared with the other tests).
#[test]
fn a_section_that_returns_an_invalid_view_tree_fails_with_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_plugin(tmp.path(), "bad-tree", "details-section");
    let lib = dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    let arm = "Slot::DetailsSection(id) if id == SECTION => {";
    assert!(source.contains(arm), "the template changed: {source}");
    // A root pointing past the node list: the SDK's builder never does this, hand-made trees can.
    let broken = source.replace(
        arm,
        &format!("{arm}\n                if !ctx.cluster.is_empty() {{ return Ok(View {{ nodes: Vec::new(), root: 3 }}); }}"),
    );
    std::fs::write(&lib, broken).unwrap();

    let (ok, report) = test_json(&[dir.to_str().unwrap(), "--no-unit-tests"]);
    assert!(!ok, "test passed an invalid view tree: {report:#}");
    let section = check(&report, "details section bad-tree-rollout");
    assert_eq!(section["outcome"], "failed", "{report:#}");
    let detail = section["detail"].as_str().unwrap();
    // The SDK checks trees before they leave the plugin (the kernel checks them again).
    assert!(detail.contains("plugin bad-tree"), "{detail}");
    assert!(detail.contains("invalid view"), "{detail}");
    assert!(detail.contains("out of range"), "{detail}");
    assert!(detail.contains("on Deployment "), "{detail}");
}
