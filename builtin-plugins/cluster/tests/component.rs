//! Builds this plugin as a real component and reads it back: the embedded manifest must survive
//! wasm-component-ld, and the WIT names must be the ones the kernel links against.

use std::path::PathBuf;
use std::process::Command;

use wasmparser::{Encoding, Parser, Payload};

const SECTION: &str = "headlamp-plugin-manifest";

/// What the built component says about itself.
struct Inspected {
    is_component: bool,
    imports: Vec<String>,
    exports: Vec<String>,
    /// (nesting depth, text) of each manifest section; depth 0 is the component itself.
    manifests: Vec<(usize, String)>,
}

fn inspect(wasm: &[u8]) -> Inspected {
    let mut found = Inspected {
        is_component: Parser::is_component(wasm),
        imports: Vec::new(),
        exports: Vec::new(),
        manifests: Vec::new(),
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("the component parses") {
            Payload::Version { encoding, .. } if depth == 0 => {
                assert_eq!(encoding, Encoding::Component);
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    found.imports.push(import.unwrap().name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    found.exports.push(export.unwrap().name.name.to_owned());
                }
            }
            Payload::CustomSection(reader) if reader.name() == SECTION => {
                let text = String::from_utf8(reader.data().to_vec()).expect("manifest is UTF-8");
                found.manifests.push((depth, text));
            }
            _ => {}
        }
    }
    found
}

/// Builds the plugin for wasm32-wasip2 in its own target dir (the outer cargo holds the main one).
fn build_component() -> Vec<u8> {
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-build");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--profile",
            "plugin",
            "--target",
            "wasm32-wasip2",
            "-p",
            env!("CARGO_PKG_NAME"),
        ])
        .env("CARGO_TARGET_DIR", &target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the component failed");
    let path = target_dir.join("wasm32-wasip2/plugin/headlamp_plugin_cluster.wasm");
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn built_component_embeds_manifest_and_speaks_headlamp_plugin_0_1_0() {
    let found = inspect(&build_component());
    assert!(found.is_component, "the build produced a core module");

    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plugin.toml"))
        .expect("plugin.toml exists");
    assert_eq!(found.manifests.len(), 1, "exactly one manifest section");
    // wasm-component-ld keeps custom sections in the core module it wraps, not at the top.
    assert_eq!(found.manifests[0], (1, manifest));

    // The linker keeps only the imports the plugin calls: this one reads the clock, never the
    // cluster (the kernel lists namespaces for its table).
    let headlamp: Vec<&str> = found
        .imports
        .iter()
        .map(String::as_str)
        .filter(|i| i.starts_with("headlamp:"))
        .collect();
    assert_eq!(
        headlamp,
        ["headlamp:plugin/types@0.1.0", "headlamp:plugin/host@0.1.0"]
    );
    for export in ["plugin", "views", "actions", "events"] {
        let name = format!("headlamp:plugin/{export}@0.1.0");
        assert!(
            found.exports.contains(&name),
            "{name} missing from {:?}",
            found.exports
        );
    }
    println!("imports: {:?}", found.imports);
    println!("exports: {:?}", found.exports);
}
