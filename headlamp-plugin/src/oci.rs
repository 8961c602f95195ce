//! `publish oci://...` and `install oci://...`: the component as a CNCF wasm OCI artifact.
//!
//! The registry client (sessions, auth, pull, tags) is `headlamp-registry`; this module makes
//! the artifact from a plugin crate and installs what was pulled.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::build::verify_component;
use crate::installed::{InstallReport, install_component};
use crate::progress::Ui;
use crate::project::{Project, read, sha256_hex};
use crate::{Error, Result};

pub use headlamp_registry::oci::{
    ANNOTATION_API, ANNOTATION_ID, CONFIG_MEDIA_TYPE, ComponentConfig, Descriptor, ImageManifest,
    LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, Pulled, Reference, RegistryOptions, Session, WasmConfig,
    http_client, pull, tags,
};

/// Options of `publish oci://`.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// Where to push; the tag defaults to the plugin's version.
    pub reference: String,
    /// The plugin crate.
    pub dir: PathBuf,
    /// The component (default: the latest build).
    pub wasm: Option<PathBuf>,
    /// How to reach the registry.
    pub registry: RegistryOptions,
}

/// What was pushed.
#[derive(Debug, Clone, Serialize)]
pub struct PublishReport {
    /// `oci://registry/repo:tag`.
    pub reference: String,
    /// The manifest digest, to pin with `@sha256:...`.
    pub digest: String,
    /// The layer (component) digest.
    pub layer_digest: String,
    /// The component's size.
    pub size: u64,
}

impl std::fmt::Display for PublishReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Pushed {} ({} bytes)", self.reference, self.size)?;
        write!(f, "digest: {}", self.digest)
    }
}

/// The manifest and config of a component, ready to push.
pub fn artifact(
    project: &Project,
    wasm: &[u8],
    imports: Vec<String>,
    exports: Vec<String>,
    api: &str,
    created: chrono::DateTime<chrono::Utc>,
) -> (Vec<u8>, Vec<u8>) {
    let layer_digest = format!("sha256:{}", sha256_hex(wasm));
    let manifest = &project.manifest;
    let config = WasmConfig {
        created: created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        author: cargo_author(&project.dir),
        architecture: "wasm".into(),
        os: "wasip2".into(),
        layer_digests: vec![layer_digest.clone()],
        component: ComponentConfig {
            exports,
            imports,
            target: Some(format!("headlamp:plugin/headlamp-plugin@{api}")),
        },
    };
    let config = serde_json::to_vec(&config).expect("config serialises");
    let mut annotations = std::collections::BTreeMap::new();
    annotations.insert(
        "org.opencontainers.image.title".to_string(),
        manifest.name.to_string(),
    );
    annotations.insert(
        "org.opencontainers.image.version".to_string(),
        manifest.version.to_string(),
    );
    annotations.insert(
        "org.opencontainers.image.description".to_string(),
        manifest.description.clone(),
    );
    if let Some(source) = manifest
        .source
        .clone()
        .or_else(|| cargo_field(&project.dir, "repository"))
    {
        annotations.insert("org.opencontainers.image.source".to_string(), source);
    }
    if let Some(license) = manifest
        .license
        .clone()
        .or_else(|| cargo_field(&project.dir, "license"))
    {
        annotations.insert("org.opencontainers.image.licenses".to_string(), license);
    }
    annotations.insert(ANNOTATION_ID.to_string(), manifest.name.to_string());
    annotations.insert(ANNOTATION_API.to_string(), api.to_string());
    let image = ImageManifest {
        schema_version: 2,
        media_type: Some(MANIFEST_MEDIA_TYPE.into()),
        config: Descriptor {
            media_type: CONFIG_MEDIA_TYPE.into(),
            digest: format!("sha256:{}", sha256_hex(&config)),
            size: config.len() as u64,
            annotations: Default::default(),
        },
        layers: vec![Descriptor {
            media_type: LAYER_MEDIA_TYPE.into(),
            digest: layer_digest,
            size: wasm.len() as u64,
            annotations: [(
                "org.opencontainers.image.title".to_string(),
                format!("{}.wasm", manifest.name),
            )]
            .into(),
        }],
        annotations,
    };
    (
        serde_json::to_vec(&image).expect("manifest serialises"),
        config,
    )
}

/// When the component was built: `SOURCE_DATE_EPOCH` if set, else the file's mtime, so pushing
/// the same build twice gives the same manifest digest.
fn build_time(wasm: &Path) -> chrono::DateTime<chrono::Utc> {
    let from_env = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
    from_env
        .or_else(|| {
            let modified = std::fs::metadata(wasm).ok()?.modified().ok()?;
            Some(chrono::DateTime::<chrono::Utc>::from(modified))
        })
        .unwrap_or_else(chrono::Utc::now)
}

fn cargo_field(dir: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    table.get("package")?.get(key)?.as_str().map(str::to_string)
}

fn cargo_author(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    table
        .get("package")?
        .get("authors")?
        .as_array()?
        .first()?
        .as_str()
        .map(str::to_string)
}

/// Pushes the component.
pub fn publish(options: &PublishOptions, ui: Ui) -> Result<PublishReport> {
    let mut reference = Reference::parse(&options.reference)?;
    if reference.digest.is_some() {
        return Err(Error::Usage(
            "publish to a tag, not a digest: the registry computes the digest (it is printed after the push)".into(),
        ));
    }
    let project = Project::load(&options.dir)?;
    let tag = reference
        .tag
        .get_or_insert_with(|| project.manifest.version.to_string())
        .clone();
    let wasm_path = project.require_wasm(options.wasm.as_deref())?;
    let wasm = read(&wasm_path)?;
    let info = verify_component(&project, &wasm_path, &wasm)?;
    let (manifest, config) = artifact(
        &project,
        &wasm,
        info.imports.clone(),
        info.exports.clone(),
        &info.api_version.to_string(),
        build_time(&wasm_path),
    );
    let spinner = ui.spinner(format!("Pushing {reference}"));
    let mut session = Session::new(&reference, &options.registry)?;
    spinner.set(format!("Pushing {reference}: config"));
    session.push_blob(&config, &format!("sha256:{}", sha256_hex(&config)))?;
    spinner.set(format!(
        "Pushing {reference}: component ({} bytes)",
        wasm.len()
    ));
    let layer_digest = format!("sha256:{}", sha256_hex(&wasm));
    session.push_blob(&wasm, &layer_digest)?;
    spinner.set(format!("Pushing {reference}: manifest"));
    let digest = session.push_manifest(&tag, &manifest)?;
    Ok(PublishReport {
        reference: reference.to_string(),
        digest,
        layer_digest,
        size: wasm.len() as u64,
    })
}

/// Pulls `reference` and installs it into `plugins_dir`.
pub fn install(
    reference: &str,
    plugins_dir: &Path,
    options: &RegistryOptions,
    expected: Option<&str>,
    ui: Ui,
) -> Result<InstallReport> {
    let reference = Reference::parse(reference)?;
    let spinner = ui.spinner(format!("Pulling {reference}"));
    let pulled = pull(&reference, options, expected)?;
    drop(spinner);
    let name = pulled
        .manifest
        .annotations
        .get(ANNOTATION_ID)
        .map(String::as_str);
    install_component(
        plugins_dir,
        &pulled.wasm,
        &reference.to_string(),
        &pulled.digest,
        name,
    )
}
