//! The CNCF wasm OCI artifact layout `wkg` writes (see DESIGN.md): an image manifest whose
//! config is `application/vnd.wasm.config.v0+json` and whose single layer is the
//! `application/wasm` component.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Media type of the manifest.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of the config: the CNCF wasm config (not oci-client's older `WASM_*` types).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// Media type of the one layer.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// Annotation carrying the plugin id.
pub const ANNOTATION_ID: &str = "dev.headlamp.plugin.id";
/// Annotation carrying the `headlamp:plugin` version.
pub const ANNOTATION_API: &str = "dev.headlamp.plugin.api";

/// A descriptor in an OCI manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the blob.
    pub media_type: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
    /// Annotations (layer title).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An OCI image manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// Always 2.
    pub schema_version: u32,
    /// [`MANIFEST_MEDIA_TYPE`].
    #[serde(default)]
    pub media_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// The layers: exactly one for a wasm artifact.
    pub layers: Vec<Descriptor>,
    /// Manifest annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl ImageManifest {
    /// The plugin id the publisher annotated the artifact with, if any.
    pub fn plugin_id(&self) -> Option<&str> {
        self.annotations.get(ANNOTATION_ID).map(String::as_str)
    }

    /// The component layer, once [`super::Session::manifest`] checked there is exactly one.
    pub fn component(&self) -> Option<&Descriptor> {
        match self.layers.as_slice() {
            [layer] if layer.media_type == LAYER_MEDIA_TYPE => Some(layer),
            _ => None,
        }
    }
}

/// The component part of the wasm config.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComponentConfig {
    /// Top-level export names.
    pub exports: Vec<String>,
    /// Top-level import names.
    pub imports: Vec<String>,
    /// The world the component targets.
    pub target: Option<String>,
}

/// `application/vnd.wasm.config.v0+json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WasmConfig {
    /// Build time (RFC 3339).
    pub created: String,
    /// Who published it (the first of Cargo.toml's `authors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Always `wasm`.
    pub architecture: String,
    /// Always `wasip2`.
    pub os: String,
    /// Digests of the layers.
    pub layer_digests: Vec<String>,
    /// What the component imports and exports.
    pub component: ComponentConfig,
}
