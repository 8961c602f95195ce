//! The plugin catalog: Artifact Hub's Headlamp plugins, searched, installed into the user's
//! plugin folder with their checksum verified, updated and removed, all loaded live.
//!
//! The registry client is blocking; every call runs on tokio's blocking pool.

use std::path::PathBuf;

use headlamp_registry::artifacthub::{self, PackageRef, RUNTIME, WIT};
use serde::Serialize;
use serde_json::Value;

use super::user_state::Installed;
use super::{ManageError, PluginManager, identify};
use crate::host::{PluginOrigin, PluginSource};
use crate::inspect::{check_compatible, host_api_version};

/// At most this many search hits are looked up (one request each).
pub const SEARCH_LIMIT: usize = 20;

/// At most this many versions of one package are looked up (one request each).
pub const VERSIONS_LIMIT: usize = 20;

/// Whether this kernel can run a package version, from its Artifact Hub annotations.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Compatibility {
    /// It can.
    pub compatible: bool,
    /// The `headlamp:plugin` WIT version it declares.
    pub wit: Option<String>,
    /// Why it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Judges a package version by its `data` (annotations) against this kernel's WIT version.
pub fn compatibility(data: &Value) -> Compatibility {
    let wit = data[WIT].as_str().map(str::to_string);
    let no = |reason: String| Compatibility {
        compatible: false,
        wit: wit.clone(),
        reason: Some(reason),
    };
    if data[RUNTIME].as_str() != Some("wasm-component") {
        return no(format!(
            "not a headlamp-rs plugin ({RUNTIME} is {}): probably a JavaScript plugin for upstream Headlamp",
            data[RUNTIME].as_str().unwrap_or("not set")
        ));
    }
    let Some(text) = wit.as_deref() else {
        return no(format!(
            "the package does not say which WIT version it targets ({WIT})"
        ));
    };
    match semver::Version::parse(text) {
        Err(e) => no(format!("its WIT version {text:?} is not a version: {e}")),
        Ok(version) => match check_compatible(&version) {
            Ok(()) => Compatibility {
                compatible: true,
                wit: wit.clone(),
                reason: None,
            },
            Err(e) => no(e.to_string()),
        },
    }
}

/// One package of a search.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogEntry {
    /// `REPO/NAME` on Artifact Hub.
    pub package: String,
    /// The package's name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The latest version.
    pub latest: String,
    /// Every version listed, newest first as Artifact Hub lists them.
    pub versions: Vec<String>,
    /// Whether the latest version runs in this kernel.
    pub compatibility: Compatibility,
    /// What is installed from this package, if anything (plugin id and version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed: Option<InstalledAs>,
}

/// An installed package: the plugin id it loaded as and its version.
#[derive(Debug, Clone, Serialize)]
pub struct InstalledAs {
    /// The plugin's id.
    pub plugin: String,
    /// The version installed.
    pub version: String,
}

/// One version of a package.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogVersion {
    /// The version.
    pub version: String,
    /// Whether it runs in this kernel.
    pub compatibility: Compatibility,
}

/// What an install or update did.
#[derive(Debug, Clone, Serialize)]
pub struct InstallOutcome {
    /// The plugin's id.
    pub name: String,
    /// The version now running.
    pub version: String,
    /// The version it replaced, if one was installed.
    pub replaced: Option<String>,
    /// `sha256:<hex>` of the archive, as verified.
    pub digest: String,
}

fn remote(e: headlamp_registry::Error) -> ManageError {
    match e {
        headlamp_registry::Error::Usage(m) => ManageError::Invalid(m),
        headlamp_registry::Error::Integrity(m) => ManageError::Rejected(m),
        other => ManageError::Remote(other.to_string()),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ManageError> + Send + 'static,
) -> Result<T, ManageError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ManageError::Remote(format!("the catalog request failed: {e}")))?
}

/// `REPO/NAME` as a reference, with `version`.
fn package_ref(package: &str, version: Option<String>) -> Result<PackageRef, ManageError> {
    let mut reference = PackageRef::parse(&format!("artifacthub:{package}")).map_err(|_| {
        ManageError::Invalid(format!(
            "{package:?} is not an Artifact Hub package: write REPO/NAME (as the catalog lists it)"
        ))
    })?;
    reference.version = version;
    Ok(reference)
}

impl PluginManager {
    /// Headlamp plugins on Artifact Hub matching `query`, each with its versions and whether
    /// its latest version runs in this kernel.
    pub async fn search_catalog(&self, query: &str) -> Result<Vec<CatalogEntry>, ManageError> {
        let base = self.catalog_url.clone();
        let query = query.to_string();
        let installed = self.installed();
        blocking(move || {
            let hits = artifacthub::search(&query, &base, SEARCH_LIMIT).map_err(remote)?;
            let mut entries = Vec::new();
            for hit in hits {
                let package = format!("{}/{}", hit.reference.repo, hit.reference.name);
                let (versions, data) = match artifacthub::lookup(&hit.reference, &base) {
                    Ok(json) => (artifacthub::versions_of(&json), json["data"].clone()),
                    Err(e) => {
                        tracing::warn!(%package, error = %e, "catalog: package lookup failed");
                        (vec![hit.version.clone()], Value::Null)
                    }
                };
                entries.push(CatalogEntry {
                    installed: installed.iter().find(|(_, i)| i.package == package).map(
                        |(plugin, i)| InstalledAs {
                            plugin: plugin.clone(),
                            version: i.version.clone(),
                        },
                    ),
                    package,
                    name: hit.reference.name,
                    description: hit.description,
                    latest: hit.version,
                    versions,
                    compatibility: compatibility(&data),
                });
            }
            Ok(entries)
        })
        .await
    }

    /// Every version of `package` (`REPO/NAME`) with whether it runs in this kernel.
    pub async fn catalog_versions(
        &self,
        package: &str,
    ) -> Result<Vec<CatalogVersion>, ManageError> {
        let reference = package_ref(package, None)?;
        let base = self.catalog_url.clone();
        blocking(move || {
            let versions = artifacthub::versions(&reference, &base).map_err(remote)?;
            versions
                .into_iter()
                .take(VERSIONS_LIMIT)
                .map(|version| {
                    let json = artifacthub::lookup(
                        &PackageRef {
                            version: Some(version.clone()),
                            ..reference.clone()
                        },
                        &base,
                    )
                    .map_err(remote)?;
                    Ok(CatalogVersion {
                        compatibility: compatibility(&json["data"]),
                        version,
                    })
                })
                .collect()
        })
        .await
    }

    /// Downloads `package` at `version` (the latest when `None`), verifies its checksum and
    /// WIT version, and loads it; a plugin installed from the catalog under the same id is
    /// replaced only once the new one runs. The component is kept in the user's plugin folder.
    pub async fn install(
        &self,
        package: &str,
        version: Option<String>,
    ) -> Result<InstallOutcome, ManageError> {
        let store = self.store()?.clone();
        let reference = package_ref(package, version)?;
        let _changing = self.changing.lock().await;
        let base = self.catalog_url.clone();
        let fetched = blocking(move || {
            artifacthub::fetch(&reference, &base, &|step| tracing::info!("catalog: {step}"))
                .map_err(remote)
        })
        .await?;
        let source = PluginSource {
            manifest: None,
            sha256: Some(headlamp_registry::sha256_hex(&fetched.wasm)),
            ..PluginSource::from_bytes(fetched.wasm.clone(), PluginOrigin::Memory)
        };
        let manifest = identify(&source).ok_or_else(|| {
            ManageError::Rejected(format!(
                "{} has no readable plugin.toml embedded: it was not built with headlamp-plugin",
                fetched.source
            ))
        })?;
        let name = manifest.name.to_string();
        let previous = self.inner().state.installed.get(&name).cloned();
        let taken =
            self.host.plugin(&name).is_some() || self.inner().sources.contains_key(&manifest.name);
        if previous.is_none() && taken {
            return Err(ManageError::Conflict(format!(
                "a plugin named {name} that was not installed from the catalog is already there (a built-in or one of the plugin folders): it cannot be replaced by an install; disable it instead"
            )));
        }
        let folder = store.plugins_dir.join(&name);
        let final_path = folder.join("plugin.wasm");
        let temporary = store.plugins_dir.join(format!(".{name}.wasm.tmp"));
        let write = |path: &PathBuf, bytes: &[u8]| -> Result<(), ManageError> {
            let io = |error| {
                ManageError::State(super::user_state::StateError::Io {
                    path: path.clone(),
                    error,
                })
            };
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::write(path, bytes).map_err(io)
        };
        write(&temporary, &fetched.wasm)?;
        let loaded = self
            .host
            .replace(PluginSource {
                origin: PluginOrigin::File(final_path.clone()),
                ..source
            })
            .await;
        let (plugin, _old) = match loaded {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_file(&temporary);
                return Err(ManageError::Rejected(format!(
                    "{} was downloaded and verified but does not load (nothing was installed{}): {e}",
                    fetched.source,
                    if previous.is_some() {
                        "; the installed version keeps running"
                    } else {
                        ""
                    }
                )));
            }
        };
        let moved = std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::rename(&temporary, &final_path));
        if let Err(error) = moved {
            let _ = std::fs::remove_file(&temporary);
            return Err(ManageError::State(super::user_state::StateError::Io {
                path: final_path,
                error,
            }));
        }
        let version = plugin.manifest().version.to_string();
        let mut state = self.inner().state.clone();
        state.disabled.remove(&name);
        state.installed.insert(
            name.clone(),
            Installed {
                package: package.to_string(),
                version: fetched
                    .source
                    .rsplit_once('@')
                    .map_or(version.clone(), |(_, v)| v.to_string()),
                digest: fetched.digest.clone(),
            },
        );
        self.save(&state)?;
        {
            let mut inner = self.inner();
            inner.state = state;
            inner.sources.insert(
                manifest.name.clone(),
                (
                    PluginSource {
                        manifest: None,
                        origin: PluginOrigin::File(final_path),
                        sha256: Some(headlamp_registry::sha256_hex(&fetched.wasm)),
                        wasm: fetched.wasm,
                    },
                    manifest,
                ),
            );
        }
        tracing::info!(plugin = %name, %version, "plugin installed from the catalog");
        Ok(InstallOutcome {
            name,
            version,
            replaced: previous.map(|p| p.version),
            digest: fetched.digest,
        })
    }

    /// Installs the latest version (or `version`) of the package the plugin `name` was
    /// installed from.
    pub async fn update(
        &self,
        name: &str,
        version: Option<String>,
    ) -> Result<InstallOutcome, ManageError> {
        self.store()?;
        let installed = self.installed().get(name).cloned().ok_or_else(|| {
            ManageError::NotFound(format!(
                "plugin {name} was not installed from the catalog, so it cannot be updated from it"
            ))
        })?;
        self.install(&installed.package, version).await
    }

    /// Unloads the catalog-installed plugin `name` and deletes it from the plugin folder.
    /// Built-ins and plugins of other folders cannot be removed, only disabled.
    pub async fn remove(&self, name: &str) -> Result<(), ManageError> {
        let store = self.store()?.clone();
        let _changing = self.changing.lock().await;
        if !self.inner().state.installed.contains_key(name) {
            return Err(if self.known_id(name).is_ok() {
                ManageError::Conflict(format!(
                    "plugin {name} is not installed from the catalog (it is a built-in or comes from a plugin folder): it cannot be removed, only disabled"
                ))
            } else {
                ManageError::NotFound(format!(
                    "no plugin named {name:?} is installed from the catalog: see GET /api/v1/plugins"
                ))
            });
        }
        let mut state = self.inner().state.clone();
        state.installed.remove(name);
        state.disabled.remove(name);
        state.settings.remove(name);
        self.save(&state)?;
        let folder = store.plugins_dir.join(name);
        if let Err(error) = std::fs::remove_dir_all(&folder)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            return Err(ManageError::State(super::user_state::StateError::Io {
                path: folder,
                error,
            }));
        }
        if let Ok(id) = crate::manifest::PluginId::new(name) {
            self.host.unload(&id);
            self.host.settings().set(&id, Default::default());
            self.inner().sources.remove(&id);
        }
        self.inner().state = state;
        tracing::info!(plugin = %name, "plugin removed");
        Ok(())
    }
}

/// This kernel's WIT version, as the catalog compares it.
pub fn kernel_wit_version() -> String {
    host_api_version().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_component_of_this_kernels_wit_is_compatible() {
        let data = json!({RUNTIME: "wasm-component", WIT: kernel_wit_version()});
        assert!(compatibility(&data).compatible);
    }

    #[test]
    fn another_wit_or_a_javascript_plugin_is_not() {
        let newer = compatibility(&json!({RUNTIME: "wasm-component", WIT: "9.0.0"}));
        assert!(!newer.compatible);
        assert!(newer.reason.unwrap().contains("not compatible"));
        let js = compatibility(&json!({}));
        assert!(js.reason.unwrap().contains("not a headlamp-rs plugin"));
    }
}
