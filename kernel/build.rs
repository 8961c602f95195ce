//! Embeds the built-in plugins (`make plugins` puts them in `target/plugins/`) in the kernel.
//!
//! `HEADLAMP_BUILTIN_PLUGINS` names another directory. Without any, the kernel is built with no
//! built-in plugins and says so when it starts.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo:rerun-if-env-changed=HEADLAMP_BUILTIN_PLUGINS");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = std::env::var_os("HEADLAMP_BUILTIN_PLUGINS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../target/plugins"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries = Vec::new();
    if let Ok(read) = std::fs::read_dir(&dir) {
        for entry in read.flatten() {
            let path = entry.path();
            // Only the built-in plugins: test plugins live beside them for the test suite.
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if let Some(stem) = name.strip_suffix(".wasm")
                && let Some(plugin) = stem.strip_prefix("headlamp_plugin_")
            {
                println!("cargo:rerun-if-changed={}", path.display());
                let absolute = path.canonicalize().unwrap();
                entries.push((plugin.to_string(), absolute));
            }
        }
    }
    entries.sort();
    if entries.is_empty() {
        println!(
            "cargo:warning=no built-in plugins found in {}: run `make plugins` first",
            dir.display()
        );
    }
    let mut code = String::from(
        "/// Built-in plugins compiled into this binary: (name, component bytes, sha256 in hex).\npub static BUILTIN_PLUGINS: &[(&str, &[u8], &str)] = &[\n",
    );
    for (name, path) in entries {
        // The digest is computed here once so that loading a built-in never hashes it again.
        let digest = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
        code.push_str(&format!(
            "    ({name:?}, include_bytes!({:?}), {digest:?}),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_plugins.rs");
    std::fs::write(out, code).unwrap();
}
