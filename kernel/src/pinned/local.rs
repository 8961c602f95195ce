//! Pinned sources on this machine: a `.wasm`, a plugin directory, or a package archive.

use std::path::Path;

use super::Sha256Digest;
use crate::host::{PluginOrigin, PluginSource};

/// A `.wasm` file, a directory with `plugin.wasm` and an optional `plugin.toml`, or a
/// `.tar.gz` as `headlamp-plugin package` makes it; with the hex sha256 the pin is checked
/// against: the component's, or for an archive the archive's (the checksum `package` prints
/// and Artifact Hub's `archive-checksum` carries).
pub(super) fn read_path(path: &Path) -> Result<(PluginSource, String), String> {
    let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    if path.is_file() && (file_name.ends_with(".tar.gz") || file_name.ends_with(".tgz")) {
        let archive = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return from_archive(&archive, PluginOrigin::File(path.to_owned()));
    }
    let (wasm_path, manifest_path) = if path.is_dir() {
        (path.join("plugin.wasm"), Some(path.join("plugin.toml")))
    } else if path.extension().is_some_and(|e| e == "wasm") {
        (path.to_owned(), None)
    } else if path.exists() {
        return Err("not a .wasm file, a plugin directory or a .tar.gz package".into());
    } else {
        return Err("no such file or directory".into());
    };
    let wasm = std::fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let manifest = match manifest_path.filter(|p| p.exists()) {
        Some(p) => Some(std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let digest = Sha256Digest::of(&wasm).hex().to_owned();
    let source = PluginSource {
        manifest,
        ..PluginSource::from_bytes(wasm, PluginOrigin::File(wasm_path))
    };
    Ok((source, digest))
}

/// The component and `plugin.toml` of a package archive, read in memory (nothing from an
/// archive is written anywhere), with the archive's hex sha256.
pub(super) fn from_archive(
    archive: &[u8],
    origin: PluginOrigin,
) -> Result<(PluginSource, String), String> {
    let digest = Sha256Digest::of(archive).hex().to_owned();
    let files = headlamp_registry::archive::unpack(archive).map_err(|e| e.to_string())?;
    let (mut wasm, mut manifest) = (None, None);
    for (file, data) in files {
        match file.as_str() {
            "plugin.wasm" => wasm = Some(data),
            "plugin.toml" => {
                manifest = Some(
                    String::from_utf8(data)
                        .map_err(|_| "the package's plugin.toml is not UTF-8 text".to_owned())?,
                )
            }
            _ => {}
        }
    }
    let wasm =
        wasm.ok_or("the package has no plugin.wasm: make it with `headlamp-plugin package`")?;
    let source = PluginSource {
        manifest,
        ..PluginSource::from_bytes(wasm, origin)
    };
    Ok((source, digest))
}
