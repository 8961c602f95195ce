//! Finds plugins to load: the built-ins compiled into the binary and `--plugins-dir`s.
//!
//! A plugins directory holds `NAME.wasm` files (manifest embedded) and/or `NAME/` folders with
//! `plugin.wasm` and an optional `plugin.toml`. Anything broken is reported and skipped.

use std::path::{Path, PathBuf};

use crate::host::{LoadFailure, PluginHost, PluginOrigin, PluginSource};

include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));

/// What loading a set of plugins did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Ids of the plugins now running.
    pub loaded: Vec<String>,
    /// Plugins skipped, with why.
    pub failed: Vec<LoadFailure>,
}

/// The built-in plugins as sources.
pub fn builtin_sources() -> Vec<PluginSource> {
    BUILTIN_PLUGINS
        .iter()
        .map(|(_, wasm, sha256)| PluginSource {
            sha256: Some(sha256.to_string()),
            ..PluginSource::from_bytes(wasm.to_vec(), PluginOrigin::Builtin)
        })
        .collect()
}

/// Plugin sources found in `dir`; entries that could not be read are recorded in `host`.
pub fn dir_sources(host: &PluginHost, dir: &Path) -> Vec<PluginSource> {
    let (sources, failures) = scan_dir(dir);
    for failure in failures {
        host.record_failure(failure);
    }
    sources
}

fn scan_dir(dir: &Path) -> (Vec<PluginSource>, Vec<LoadFailure>) {
    let mut sources = Vec::new();
    let mut failures = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            failures.push(LoadFailure {
                name: dir.display().to_string(),
                origin: PluginOrigin::File(dir.to_path_buf()),
                error: format!("cannot read the plugins directory: {e}"),
            });
            return (sources, failures);
        }
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let (wasm_path, manifest_path) = if path.is_dir() {
            (path.join("plugin.wasm"), Some(path.join("plugin.toml")))
        } else if path.extension().is_some_and(|e| e == "wasm") {
            (path.clone(), None)
        } else {
            continue;
        };
        let read = || -> Result<PluginSource, String> {
            let wasm = std::fs::read(&wasm_path)
                .map_err(|e| format!("cannot read {}: {e}", wasm_path.display()))?;
            let manifest = match &manifest_path {
                Some(p) if p.exists() => Some(
                    std::fs::read_to_string(p)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
                ),
                _ => None,
            };
            Ok(PluginSource {
                manifest,
                ..PluginSource::from_bytes(wasm, PluginOrigin::File(wasm_path.clone()))
            })
        };
        match read() {
            Ok(source) => sources.push(source),
            Err(error) => failures.push(LoadFailure {
                name: path.display().to_string(),
                origin: PluginOrigin::File(path.clone()),
                error,
            }),
        }
    }
    (sources, failures)
}

/// Loads every source into `host`; failures are reported, never fatal.
pub async fn load_all(host: &PluginHost, sources: Vec<PluginSource>) -> LoadReport {
    let mut report = LoadReport::default();
    // `host.load` keeps each failure for the Plugins page; the report repeats it for the caller.
    for source in sources {
        let origin = source.origin.clone();
        match host.load(source).await {
            Ok(plugin) => report.loaded.push(plugin.id().to_string()),
            Err(error) => report.failed.push(LoadFailure {
                name: match &origin {
                    PluginOrigin::File(p) => p.display().to_string(),
                    _ => "built-in".into(),
                },
                origin,
                error: error.to_string(),
            }),
        }
    }
    report
}
