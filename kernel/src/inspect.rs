//! Reads what a `.wasm` file says about itself before anything is compiled: is it a component,
//! which `headlamp:plugin` version does it target, and which manifest did its build embed.

use semver::Version;
use wasmparser::{Encoding, Parser, Payload};

/// The WIT package every plugin talks through.
pub const WIT_PACKAGE: &str = "headlamp:plugin";

/// The custom section the SDK's `export_plugin!` writes `plugin.toml` into.
pub const MANIFEST_SECTION: &str = "headlamp-plugin-manifest";

/// The WIT version this kernel serves.
pub fn host_api_version() -> Version {
    Version::new(0, 1, 0)
}

/// What a component declares about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentInfo {
    /// The `headlamp:plugin` version of its imports and exports.
    pub api_version: Version,
    /// `plugin.toml` as embedded at build time, if the build embedded it.
    pub embedded_manifest: Option<String>,
    /// Names of the component's top-level imports, such as `headlamp:plugin/cluster@0.1.0`.
    pub imports: Vec<String>,
    /// Names of the component's top-level exports, such as `headlamp:plugin/views@0.1.0`.
    pub exports: Vec<String>,
}

/// Why a file is not a plugin this kernel can run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InspectError {
    /// Not WebAssembly at all, or truncated.
    #[error("not a WebAssembly file: {0}")]
    NotWasm(String),
    /// A core module, not a component.
    #[error(
        "this is a core WebAssembly module, not a component: build the plugin for wasm32-wasip2 (headlamp-plugin build does)"
    )]
    CoreModule,
    /// A component that does not speak `headlamp:plugin`.
    #[error(
        "the component exports no headlamp:plugin interface: it was not built with headlamp-plugin-sdk"
    )]
    NotAPlugin,
    /// Its imports and exports disagree on the version.
    #[error("the component mixes headlamp:plugin versions {0} and {1}: rebuild it")]
    MixedVersions(Version, Version),
    /// Built against a version this kernel does not serve.
    #[error("{0}")]
    Incompatible(String),
    /// The embedded manifest is not UTF-8.
    #[error("the embedded plugin.toml is not UTF-8")]
    ManifestNotText,
}

/// Reads the component's headlamp version, imports and embedded manifest.
pub fn inspect(wasm: &[u8]) -> Result<ComponentInfo, InspectError> {
    let mut depth = 0usize;
    let mut version: Option<Version> = None;
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut manifest = None;
    let mut note_version = |name: &str| -> Result<(), InspectError> {
        if let Some(found) = headlamp_version(name) {
            match &version {
                Some(v) if *v != found => {
                    return Err(InspectError::MixedVersions(v.clone(), found));
                }
                _ => version = Some(found),
            }
        }
        Ok(())
    };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| InspectError::NotWasm(e.message().to_string()))?;
        match payload {
            Payload::Version {
                encoding: Encoding::Module,
                ..
            } if depth == 0 => return Err(InspectError::CoreModule),
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    let import = import.map_err(|e| InspectError::NotWasm(e.to_string()))?;
                    note_version(import.name.name)?;
                    imports.push(import.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    let export = export.map_err(|e| InspectError::NotWasm(e.to_string()))?;
                    note_version(export.name.name)?;
                    exports.push(export.name.name.to_string());
                }
            }
            Payload::CustomSection(reader) if reader.name() == MANIFEST_SECTION => {
                let text = std::str::from_utf8(reader.data())
                    .map_err(|_| InspectError::ManifestNotText)?;
                manifest = Some(text.to_string());
            }
            _ => {}
        }
    }
    let api_version = version.ok_or(InspectError::NotAPlugin)?;
    check_compatible(&api_version)?;
    Ok(ComponentInfo {
        api_version,
        embedded_manifest: manifest,
        imports,
        exports,
    })
}

/// `headlamp:plugin/cluster@0.1.0` -> `0.1.0`.
fn headlamp_version(name: &str) -> Option<Version> {
    let rest = name.strip_prefix(WIT_PACKAGE)?.strip_prefix('/')?;
    let (_, version) = rest.split_once('@')?;
    Version::parse(version).ok()
}

/// Whether this kernel can run a plugin built against `plugin`.
///
/// Same major; for 0.x the same minor as well (semver's rule, and wasmtime's linker's);
/// never newer than the kernel, whose older imports would be missing.
pub fn check_compatible(plugin: &Version) -> Result<(), InspectError> {
    let host = host_api_version();
    let same_line = plugin.major == host.major && (host.major > 0 || plugin.minor == host.minor);
    if !same_line {
        return Err(InspectError::Incompatible(format!(
            "the plugin was built against headlamp:plugin@{plugin}, but this kernel serves \
             headlamp:plugin@{host}, which is not compatible (a different major version, or a \
             different minor before 1.0): rebuild the plugin with a headlamp-plugin-sdk for \
             {}.{}.x or run a kernel that serves {plugin}",
            host.major, host.minor
        )));
    }
    if plugin > &host {
        return Err(InspectError::Incompatible(format!(
            "the plugin was built against headlamp:plugin@{plugin}, newer than this kernel's \
             {host}: upgrade the kernel"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_from_an_interface_name() {
        assert_eq!(
            headlamp_version("headlamp:plugin/cluster@0.1.0"),
            Some(Version::new(0, 1, 0))
        );
        assert_eq!(headlamp_version("wasi:io/streams@0.2.6"), None);
    }

    #[test]
    fn accepts_the_kernels_own_version() {
        assert!(check_compatible(&host_api_version()).is_ok());
    }

    #[test]
    fn refuses_another_major() {
        let err = check_compatible(&Version::new(1, 0, 0)).unwrap_err();
        assert!(err.to_string().contains("not compatible"), "{err}");
    }

    #[test]
    fn refuses_a_newer_patch() {
        let err = check_compatible(&Version::new(0, 1, 9)).unwrap_err();
        assert!(err.to_string().contains("upgrade the kernel"), "{err}");
    }

    #[test]
    fn refuses_bytes_that_are_not_wasm() {
        assert!(matches!(
            inspect(b"not wasm at all"),
            Err(InspectError::NotWasm(_))
        ));
    }

    #[test]
    fn refuses_a_core_module() {
        // The smallest valid core module: magic + version 1.
        let module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        assert_eq!(inspect(&module), Err(InspectError::CoreModule));
    }
}
