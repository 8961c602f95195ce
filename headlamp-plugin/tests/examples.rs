//! The example plugins in `examples/` build, lint clean and pass `test` (in a kernel with the
//! demo cluster) through the CLI, in the workspace, with the size-optimised `plugin` profile
//! the built-in plugins use.
//!
//! SLOW (end to end): the first run compiles the SDK's dependencies for that profile into the
//! shared target dir. Their native tests run with `cargo test --workspace`.

mod common;

use std::path::Path;

use common::{run, run_json};

#[test]
fn every_example_builds_lints_and_passes_test_in_the_demo_kernel() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for name in [
        "pod-restarts",
        "deployment-rollout",
        "namespace-counter",
        "widgets",
    ] {
        let dir = examples.join(name);
        let dir = dir.to_str().unwrap();
        let report = run_json(&["build", dir, "--profile", "plugin"]);
        assert_eq!(report["package"]["name"], name, "{report:#}");
        let lint = run(&["--json", "lint", dir]);
        assert!(
            lint.status.success(),
            "lint of examples/{name} failed:\n{}",
            String::from_utf8_lossy(&lint.stdout)
        );
        // The native tests run with `cargo test --workspace`; here the kernel checks only.
        let wasm = report["wasm"].as_str().unwrap();
        let tested = run(&["--json", "test", dir, "--wasm", wasm, "--no-unit-tests"]);
        assert!(
            tested.status.success(),
            "test of examples/{name} failed:\n{}",
            String::from_utf8_lossy(&tested.stdout)
        );
        let tested: serde_json::Value = serde_json::from_slice(&tested.stdout).unwrap();
        let skipped: Vec<_> = tested["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] == "skipped")
            .collect();
        assert!(skipped.is_empty(), "examples/{name}: {skipped:#?}");
    }
}
