//! Shared by the integration tests: running the CLI binary and building generated plugins
//! into one shared cargo target directory, so their dependencies compile once.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Cargo target directory shared by every plugin the tests build.
pub fn inner_target() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugins")
}

/// The repository's SDK.
pub fn sdk_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sdk")
        .canonicalize()
        .unwrap()
}

/// The CLI, with cargo pointed at the shared target directory.
pub fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_headlamp-plugin"));
    cmd.env("CARGO_TARGET_DIR", inner_target());
    cmd
}

/// Runs the CLI and returns its output, printing stderr for failing-test diagnosis.
pub fn run(args: &[&str]) -> Output {
    let output = cli().args(args).output().expect("the CLI runs");
    if !output.status.success() {
        eprintln!(
            "headlamp-plugin {args:?} exited {:?}\nstdout:\n{}\nstderr:\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// Runs the CLI with `--json`, expects success and parses stdout.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let output = run(&all);
    assert!(output.status.success(), "headlamp-plugin {args:?} failed");
    serde_json::from_slice(&output.stdout).expect("--json prints JSON")
}

/// `new NAME --template TEMPLATE` in `parent/NAME` against the repository's SDK.
pub fn new_plugin(parent: &Path, name: &str, template: &str) -> PathBuf {
    let dir = parent.join(name);
    let report = run_json(&[
        "new",
        name,
        "--template",
        template,
        "--dir",
        dir.to_str().unwrap(),
        "--sdk-path",
        sdk_path().to_str().unwrap(),
    ]);
    assert_eq!(report["name"], name);
    dir
}

/// `build --release` of the crate at `dir`; returns the JSON report.
pub fn build(dir: &Path) -> serde_json::Value {
    run_json(&["build", dir.to_str().unwrap(), "--release"])
}

/// A freshly generated and built plugin of the `table` template in a temp dir.
pub fn built_table_plugin(name: &str) -> (tempfile::TempDir, PathBuf, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_plugin(tmp.path(), name, "table");
    let report = build(&dir);
    (tmp, dir, report)
}
