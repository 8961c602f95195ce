//! `lint` on a deliberately broken plugin directory: every seeded defect is reported, at its
//! line, with a fix, and the exit code says so. No build needed, so this runs in milliseconds.

mod common;

use std::path::Path;

use headlamp_plugin::lint::{LintOptions, LintReport, Severity, run};

/// Line numbers matter: the assertions below name them.
const BROKEN_MANIFEST: &str = r#"name = "My_Plugin"
version = "one"
description = ""
api = "9.0.0"
author = "me"

[[permissions]]
resources = ["Pod"]
verbs = ["get", "steal"]
"#;

const NO_CDYLIB: &str = r#"[package]
name = "broken"
version = "0.1.0"
edition = "2024"

[lib]
crate-type = ["rlib"]
"#;

fn broken_dir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plugin.toml"), BROKEN_MANIFEST).unwrap();
    std::fs::write(tmp.path().join("Cargo.toml"), NO_CDYLIB).unwrap();
    tmp
}

fn lint(dir: &Path, wasm: Option<&Path>, max_size: u64) -> LintReport {
    run(&LintOptions {
        dir: dir.to_path_buf(),
        wasm: wasm.map(Path::to_path_buf),
        max_size,
    })
    .unwrap()
}

fn finding<'a>(report: &'a LintReport, code: &str) -> &'a headlamp_plugin::lint::Finding {
    report
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no `{code}` finding in:\n{report}"))
}

#[test]
fn every_seeded_manifest_defect_is_found_at_its_line() {
    let tmp = broken_dir();
    let report = lint(tmp.path(), None, 1 << 20);
    assert!(report.has_errors());
    let expect = [
        ("manifest-name", Severity::Error, Some(1)),
        ("manifest-semver", Severity::Error, Some(2)),
        ("manifest-description", Severity::Warning, Some(3)),
        ("wit-incompatible", Severity::Error, Some(4)),
        ("manifest-unknown-key", Severity::Error, Some(5)),
        ("permission-resource", Severity::Error, Some(8)),
        ("permission-verb", Severity::Error, Some(9)),
        ("manifest-license", Severity::Warning, None),
        ("readme-missing", Severity::Warning, None),
        ("cargo-crate-type", Severity::Error, Some(7)),
    ];
    for (code, severity, line) in expect {
        let f = finding(&report, code);
        assert_eq!((f.severity, f.line), (severity, line), "{code}: {f}");
        assert!(!f.fix.is_empty(), "{code} has no fix");
    }
    assert!(
        finding(&report, "manifest-name")
            .fix
            .contains("\"my-plugin\"")
    );
    assert!(
        finding(&report, "permission-verb")
            .message
            .contains("steal")
    );
    assert_eq!(
        finding(&report, "cargo-crate-type").file,
        Path::new("Cargo.toml")
    );
}

#[test]
fn a_core_module_and_an_oversized_artifact_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("plugin.toml"),
        "name = \"ok\"\nversion = \"0.1.0\"\ndescription = \"d\"\napi = \"0.1.0\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("README.md"), "# ok\n").unwrap();
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        NO_CDYLIB.replace("[\"rlib\"]", "[\"cdylib\"]"),
    )
    .unwrap();
    let wasm = tmp.path().join("core.wasm");
    // The smallest core module: magic + version 1, i.e. built for wasm32-unknown-unknown.
    std::fs::write(&wasm, [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).unwrap();
    let report = lint(tmp.path(), Some(&wasm), 4);
    let incompatible = finding(&report, "wit-incompatible");
    assert!(
        incompatible.message.contains("core WebAssembly module"),
        "{incompatible}"
    );
    assert_eq!(finding(&report, "size-limit").severity, Severity::Error);
    assert!(report.has_errors());
}

#[test]
fn lint_exits_non_zero_on_errors_and_prints_file_line_and_fix() {
    let tmp = broken_dir();
    let output = common::run(&["lint", tmp.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("error[permission-verb] plugin.toml:9:"),
        "{text}"
    );
    assert!(text.contains("fix: use one of get, list, watch"), "{text}");
}

#[test]
fn a_missing_manifest_is_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Cargo.toml"), NO_CDYLIB).unwrap();
    let report = lint(tmp.path(), None, 1 << 20);
    assert_eq!(
        finding(&report, "manifest-missing").severity,
        Severity::Error
    );
}

#[test]
fn a_toml_syntax_error_points_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plugin.toml"), "name = \"x\"\nversion = \n").unwrap();
    let report = lint(tmp.path(), None, 1 << 20);
    let f = finding(&report, "manifest-syntax");
    assert_eq!(f.line, Some(2), "{f}");
}
