//! The author's core path: `new` -> `build` -> `lint` -> `test` -> `package`, on real cargo
//! builds.
//!
//! SLOW (end to end): these tests compile generated plugins for wasm32-wasip2 (and natively for
//! their own tests). The first run compiles the SDK's dependencies into the shared target dir
//! `target-cli/tmp/plugins`; later runs reuse them.

mod common;

use std::path::Path;
use std::process::Command;

use common::{build, inner_target, new_plugin, run, run_json};

fn sha256_file(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn lint_json(dir: &Path, extra: &[&str]) -> (bool, serde_json::Value) {
    let mut args = vec!["--json", "lint", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = run(&args);
    (
        output.status.success(),
        serde_json::from_slice(&output.stdout).expect("lint --json prints JSON"),
    )
}

/// `test` (cargo test, a no-op rebuild, the kernel checks); asserts it passed and
/// that each of `views` (prefixes of check names) was exercised, not skipped.
fn test_passes(dir: &Path, views: &[&str]) -> serde_json::Value {
    let output = run(&["--json", "test", dir.to_str().unwrap()]);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("test --json prints JSON");
    assert!(output.status.success(), "test failed: {report:#}");
    assert_eq!(report["failed"], 0, "{report:#}");
    let checks = report["checks"].as_array().unwrap();
    for view in ["cargo test", "load"].iter().chain(views) {
        assert!(
            checks
                .iter()
                .any(|c| c["view"].as_str().unwrap().starts_with(view) && c["outcome"] == "passed"),
            "{view} was not exercised: {report:#}"
        );
    }
    report
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn table_template_builds_packages_and_lints_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_plugin(tmp.path(), "team-configs", "table");
    for file in [
        "Cargo.toml",
        "plugin.toml",
        "src/lib.rs",
        "tests/plugin.rs",
        "README.md",
    ] {
        assert!(dir.join(file).is_file(), "new wrote no {file}");
    }

    let report = build(&dir);
    assert_eq!(report["api"], "0.1.0");
    assert_eq!(report["profile"], "release");
    let wasm = Path::new(report["wasm"].as_str().unwrap());
    assert!(
        wasm.starts_with(inner_target()),
        "{wasm:?} outside the shared target dir"
    );
    assert!(report["wasm_size"].as_u64().unwrap() > 1000);

    let archive = dir.join("dist/team-configs-0.1.0.tar.gz");
    let checksum =
        std::fs::read_to_string(dir.join("dist/team-configs-0.1.0.tar.gz.sha256")).unwrap();
    assert_eq!(
        checksum,
        format!("{}  team-configs-0.1.0.tar.gz\n", sha256_file(&archive))
    );
    assert_eq!(report["package"]["sha256"], sha256_file(&archive));
    let listing = Command::new("tar")
        .arg("tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    for file in [
        "team-configs/plugin.wasm",
        "team-configs/plugin.toml",
        "team-configs/README.md",
    ] {
        assert!(
            listing.lines().any(|l| l == file),
            "{file} missing from {listing}"
        );
    }

    let (ok, lint) = lint_json(&dir, &[]);
    assert!(ok, "lint of a generated plugin failed: {lint:#}");
    assert_eq!(lint["wasm"], report["wasm"]);
    let errors: Vec<_> = lint["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The table declares configmaps for the kernel's lists but never calls the cluster itself.
    assert!(
        codes(&lint).contains(&"permissions-unused".to_string()),
        "{lint:#}"
    );

    let tested = test_passes(&dir, &["table team-configs-configmaps"]);
    assert!(
        tested["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .ends_with("tests passed"),
        "{tested:#}"
    );

    // package reuses the build and is reproducible: same inputs, same checksum.
    let packaged = run_json(&["package", dir.to_str().unwrap()]);
    assert_eq!(packaged["sha256"], report["package"]["sha256"]);
}

/// `test` runs each crate's own tests natively too, so no separate `cargo test` is needed.
#[test]
fn every_other_template_builds_lints_and_passes_test_in_the_demo_kernel() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, template, views) in [
        (
            "rollout",
            "details-section",
            &["details section rollout-rollout"][..],
        ),
        (
            "ns-count",
            "app-bar",
            &["action ns-count-count-namespaces"][..],
        ),
        (
            "widgets",
            "crd",
            &["table widgets-widgets", "details view widgets-widget"][..],
        ),
    ] {
        let dir = new_plugin(tmp.path(), name, template);
        let report = build(&dir);
        assert_eq!(report["package"]["name"], name, "{report:#}");
        let (ok, lint) = lint_json(&dir, &[]);
        assert!(ok, "lint of the {template} template failed: {lint:#}");
        test_passes(&dir, views);
    }
}

#[test]
fn lint_flags_cluster_imports_without_permissions_and_a_stale_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    // The app-bar template calls cluster::list, so its component imports headlamp:plugin/cluster.
    let dir = new_plugin(tmp.path(), "ns-counter", "app-bar");
    build(&dir);
    let manifest = dir.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let without = text.split("[[permissions]]").next().unwrap().to_string();
    std::fs::write(&manifest, without).unwrap();

    let (ok, lint) = lint_json(&dir, &[]);
    assert!(
        !ok,
        "lint passed a plugin that calls the cluster without permissions"
    );
    let codes = codes(&lint);
    assert!(
        codes.contains(&"permissions-missing".to_string()),
        "{lint:#}"
    );
    assert!(codes.contains(&"manifest-stale".to_string()), "{lint:#}");

    // Building again embeds the new manifest; the missing permission stays an error.
    build(&dir);
    let (ok, lint) = lint_json(&dir, &[]);
    assert!(!ok);
    let codes = self::codes(&lint);
    assert!(
        codes.contains(&"permissions-missing".to_string()),
        "{lint:#}"
    );
    assert!(!codes.contains(&"manifest-stale".to_string()), "{lint:#}");
}

#[test]
fn package_refuses_a_component_older_than_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_plugin(tmp.path(), "stale-one", "details-section");
    build(&dir);
    let manifest = dir.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
    let output = run(&["package", dir.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("rebuild with `headlamp-plugin build`"),
        "{stderr}"
    );
}

#[test]
fn a_built_archive_installs_and_a_changed_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_plugin(tmp.path(), "archive-demo", "crd");
    build(&dir);
    let archive = dir.join("dist/archive-demo-0.1.0.tar.gz");
    let plugins = tmp.path().join("plugins");
    let plugins_arg = plugins.to_str().unwrap();

    // The checksum comes from the .sha256 file that build wrote beside the archive.
    let report = run_json(&["install", archive.to_str().unwrap(), "--dir", plugins_arg]);
    assert_eq!(report["record"]["name"], "archive-demo");
    assert_eq!(
        report["record"]["digest"],
        format!("sha256:{}", sha256_file(&archive))
    );
    assert!(plugins.join("archive-demo/plugin.wasm").is_file());

    let changed = tmp.path().join("changed.tar.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.push(0);
    std::fs::write(&changed, bytes).unwrap();
    let output = run(&[
        "install",
        changed.to_str().unwrap(),
        "--sha256",
        &sha256_file(&archive),
        "--dir",
        plugins_arg,
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("checksum mismatch"));

    // Without any checksum the archive is refused, not trusted.
    let output = run(&["install", changed.to_str().unwrap(), "--dir", plugins_arg]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pass --sha256"));
}
