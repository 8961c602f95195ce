//! Prints what a built plugin carries: component or not, its top-level imports and exports, and
//! where its embedded `plugin.toml` sits.
//!
//! `cargo run -p headlamp-plugin-sdk --example inspect -- path/to/plugin.wasm...`

use wasmparser::{Parser, Payload};

const SECTION: &str = "headlamp-plugin-manifest";

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: inspect <plugin.wasm>...");
        std::process::exit(2);
    }
    for path in paths {
        let wasm = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        println!("{path}: {} bytes", wasm.len());
        println!("  component: {}", Parser::is_component(&wasm));
        let mut depth = 0usize;
        for payload in Parser::new(0).parse_all(&wasm) {
            let payload = match payload {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("  invalid wasm: {e}");
                    std::process::exit(1);
                }
            };
            match payload {
                Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
                Payload::End(_) => depth = depth.saturating_sub(1),
                Payload::ComponentImportSection(reader) if depth == 0 => {
                    for import in reader.into_iter().flatten() {
                        println!("  import {}", import.name.name);
                    }
                }
                Payload::ComponentExportSection(reader) if depth == 0 => {
                    for export in reader.into_iter().flatten() {
                        println!("  export {}", export.name.name);
                    }
                }
                Payload::CustomSection(reader) if reader.name() == SECTION => {
                    let place = if depth == 0 {
                        "the component's top level".to_owned()
                    } else {
                        format!("a nested module (depth {depth})")
                    };
                    println!(
                        "  custom section `{SECTION}` in {place}, {} bytes:",
                        reader.data().len()
                    );
                    for line in String::from_utf8_lossy(reader.data()).lines() {
                        println!("    {line}");
                    }
                }
                _ => {}
            }
        }
    }
}
