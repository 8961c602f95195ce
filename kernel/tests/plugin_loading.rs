//! Loading: WIT version checks, manifests, plugin directories and the precompile cache.

mod common;

use std::sync::Arc;

use common::*;
use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::{LoadError, PluginHost, PluginOrigin, PluginSource};
use headlamp_kernel::loader;

/// The cluster plugin as if built against `headlamp:plugin@{version}`: every interface name
/// is rewritten in place (same length, so the binary stays well-formed).
fn component_for_wit_version(version: &str) -> Vec<u8> {
    assert_eq!(version.len(), "0.1.0".len());
    let mut wasm = cluster_plugin();
    let from = b"headlamp:plugin/";
    let mut i = 0;
    while let Some(found) = wasm[i..].windows(from.len()).position(|w| w == from) {
        let start = i + found;
        let at = start + wasm[start..].iter().position(|&b| b == b'@').unwrap();
        wasm[at + 1..at + 6].copy_from_slice(version.as_bytes());
        i = at + 6;
    }
    wasm
}

#[tokio::test]
async fn a_component_for_an_unknown_wit_major_is_refused_clearly() {
    let host = host();
    let err = host
        .load(source(component_for_wit_version("1.0.0")))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("headlamp:plugin@1.0.0"), "{text}");
    assert!(text.contains("not compatible"), "{text}");
    assert_eq!(host.failures().len(), 1);
}

#[tokio::test]
async fn a_component_for_a_newer_pre_1_0_minor_is_refused() {
    let err = host()
        .load(source(component_for_wit_version("0.2.0")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("headlamp:plugin@0.2.0"), "{err}");
    assert!(err.to_string().contains("not compatible"), "{err}");
}

#[tokio::test]
async fn a_core_module_is_refused_with_how_to_build_a_component() {
    let module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00].to_vec();
    let err = host().load(source(module)).await.unwrap_err();
    assert!(err.to_string().contains("wasm32-wasip2"), "{err}");
}

#[tokio::test]
async fn the_embedded_manifest_is_read_from_the_component() {
    let host = host();
    let plugin = host.load(source(cluster_plugin())).await.unwrap();
    assert_eq!(plugin.manifest().name.as_str(), "cluster");
    assert!(!plugin.manifest().permissions.is_empty());
}

#[tokio::test]
async fn a_manifest_beside_the_component_that_disagrees_is_refused() {
    let mut src = source(cluster_plugin());
    src.manifest = Some("name = \"other\"\nversion = \"9.9.9\"\napi = \"0.1.0\"\n".into());
    let err = host().load(src).await.unwrap_err();
    assert!(matches!(err, LoadError::ManifestMismatch), "{err}");
}

#[tokio::test]
async fn the_same_plugin_twice_is_refused() {
    let host = host();
    host.load(source(cluster_plugin())).await.unwrap();
    let err = host.load(source(cluster_plugin())).await.unwrap_err();
    assert!(err.to_string().contains("already loaded"), "{err}");
}

#[tokio::test]
async fn a_plugins_dir_loads_good_plugins_and_reports_broken_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trap.wasm"), test_plugin("trap")).unwrap();
    std::fs::write(dir.path().join("garbage.wasm"), b"this is not wasm").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
    let folder = dir.path().join("broken-manifest");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("plugin.wasm"), test_plugin("spin")).unwrap();
    std::fs::write(folder.join("plugin.toml"), "name = [").unwrap();
    let host = host();
    let sources = loader::dir_sources(&host, dir.path());
    let report = loader::load_all(&host, sources).await;
    assert_eq!(report.loaded, ["trap"]);
    let failures = host.failures();
    assert_eq!(failures.len(), 2, "{failures:?}");
    let garbage = failures
        .iter()
        .find(|f| f.name.ends_with("garbage.wasm"))
        .unwrap();
    assert!(
        garbage.error.contains("not a WebAssembly file"),
        "{}",
        garbage.error
    );
    assert!(
        failures
            .iter()
            .any(|f| f.error.contains("differs from the one embedded")
                || f.error.contains("plugin.toml is invalid")),
        "{failures:?}"
    );
}

fn cached_host(dir: &std::path::Path) -> PluginHost {
    PluginHost::new(
        test_limits(),
        Some(dir.to_path_buf()),
        Arc::new(ClusterRegistry::new()),
    )
    .unwrap()
}

#[tokio::test]
async fn a_second_start_loads_from_the_precompile_cache_without_compiling() {
    let cache = tempfile::tempdir().unwrap();
    let first = cached_host(cache.path());
    first.load(source(cluster_plugin())).await.unwrap();
    assert_eq!(
        (first.cache_stats().compiled, first.cache_stats().loaded),
        (1, 0)
    );
    drop(first);
    let second = cached_host(cache.path());
    second.load(source(cluster_plugin())).await.unwrap();
    assert_eq!(
        (second.cache_stats().compiled, second.cache_stats().loaded),
        (0, 1)
    );
}

#[tokio::test]
async fn a_corrupted_cache_file_is_detected_and_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    cached_host(cache.path())
        .load(source(cluster_plugin()))
        .await
        .unwrap();
    let artifact = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .unwrap();
    let mut bytes = std::fs::read(&artifact).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&artifact, bytes).unwrap();
    let host = cached_host(cache.path());
    host.load(source(cluster_plugin())).await.unwrap();
    let stats = host.cache_stats();
    assert_eq!((stats.rejected, stats.compiled, stats.loaded), (1, 1, 0));
    // The rebuilt file is good again.
    let again = cached_host(cache.path());
    again.load(source(cluster_plugin())).await.unwrap();
    assert_eq!(again.cache_stats().loaded, 1);
}

#[tokio::test]
async fn a_plugin_file_is_reported_with_its_path() {
    let host = host();
    let path = std::path::PathBuf::from("/plugins/bad.wasm");
    let err = host
        .load(PluginSource::from_bytes(
            b"nope".to_vec(),
            PluginOrigin::File(path.clone()),
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a WebAssembly file"));
    assert_eq!(host.failures()[0].origin, PluginOrigin::File(path));
}
