//! The local plugins directory: what `install` writes, `list` shows and `remove` deletes.
//!
//! Layout: `PLUGINS/NAME/plugin.wasm`, `PLUGINS/NAME/plugin.toml` (the manifest embedded in the
//! component, so the two can never disagree) and `PLUGINS/NAME/install.json` (where it came from).

use std::path::{Path, PathBuf};

use headlamp_kernel::inspect::inspect;
use headlamp_kernel::manifest::{PluginId, PluginManifest};
use serde::{Deserialize, Serialize};

use crate::project::{sha256_hex, write};
use crate::{Error, Result};

/// File in each plugin directory recording its origin.
pub const RECORD: &str = "install.json";

/// `$XDG_DATA_HOME/headlamp-rs/plugins`, else `~/.local/share/headlamp-rs/plugins`.
pub fn default_plugins_dir() -> Result<PathBuf> {
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(data).join("headlamp-rs/plugins"));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::Usage("neither XDG_DATA_HOME nor HOME is set: pass --dir PLUGINS_DIR".into())
        })?;
    Ok(PathBuf::from(home).join(".local/share/headlamp-rs/plugins"))
}

/// Where an installed plugin came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallRecord {
    /// The plugin's id.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The reference it was installed from (`oci://...`, `artifacthub:...`).
    pub source: String,
    /// Digest of what was verified on download (OCI manifest digest or archive checksum).
    pub digest: String,
    /// `sha256:<hex>` of the installed `plugin.wasm`.
    pub wasm_sha256: String,
    /// The `headlamp:plugin` version it targets.
    pub api: String,
    /// When it was installed (RFC 3339).
    pub installed_at: String,
}

impl std::fmt::Display for InstallRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} (headlamp:plugin@{}) from {} [{}]",
            self.name, self.version, self.api, self.source, self.digest
        )
    }
}

/// What `install` did.
#[derive(Debug, Clone, Serialize)]
pub struct InstallReport {
    /// The plugin's directory.
    pub dir: PathBuf,
    /// Its record.
    pub record: InstallRecord,
}

impl std::fmt::Display for InstallReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Installed {}\n  into {}",
            self.record,
            self.dir.display()
        )
    }
}

/// Checks `wasm` as the kernel will and writes it with its embedded manifest into
/// `plugins_dir/NAME/`, replacing an older install of the same plugin.
pub fn install_component(
    plugins_dir: &Path,
    wasm: &[u8],
    source: &str,
    digest: &str,
    expected_name: Option<&str>,
) -> Result<InstallReport> {
    let info = inspect(wasm).map_err(|e| {
        Error::Integrity(format!("{source} is not a plugin this kernel can run: {e}"))
    })?;
    let text = info.embedded_manifest.ok_or_else(|| {
        Error::Integrity(format!(
            "{source} carries no embedded plugin.toml: it was not built with headlamp-plugin-sdk's export_plugin!"
        ))
    })?;
    let manifest = PluginManifest::parse(&text).map_err(|e| {
        Error::Integrity(format!(
            "{source}: the embedded plugin.toml is invalid: {e}"
        ))
    })?;
    if let Some(expected) = expected_name
        && expected != manifest.name.as_str()
    {
        return Err(Error::Integrity(format!(
            "{source} was published as `{expected}` but its embedded plugin.toml names `{}`: refusing a package that disagrees with itself",
            manifest.name
        )));
    }
    let dir = plugins_dir.join(manifest.name.as_str());
    // Write next to the target and rename, so a failed install never leaves half a plugin.
    let staging = plugins_dir.join(format!(".{}.partial", manifest.name));
    let _ = std::fs::remove_dir_all(&staging);
    write(&staging.join("plugin.wasm"), wasm)?;
    write(&staging.join("plugin.toml"), text.as_bytes())?;
    let record = InstallRecord {
        name: manifest.name.to_string(),
        version: manifest.version.to_string(),
        source: source.to_string(),
        digest: digest.to_string(),
        wasm_sha256: format!("sha256:{}", sha256_hex(wasm)),
        api: info.api_version.to_string(),
        installed_at: chrono::Utc::now().to_rfc3339(),
    };
    let json = serde_json::to_vec_pretty(&record).expect("a record serialises");
    write(&staging.join(RECORD), &json)?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(Error::io("replacing", &dir))?;
    }
    std::fs::rename(&staging, &dir).map_err(Error::io("moving into place", &dir))?;
    Ok(InstallReport { dir, record })
}

/// The installed plugins.
#[derive(Debug, Clone, Serialize)]
pub struct ListReport {
    /// The plugins directory.
    pub dir: PathBuf,
    /// One record per plugin, by name.
    pub plugins: Vec<InstallRecord>,
}

impl std::fmt::Display for ListReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.plugins.is_empty() {
            return write!(f, "no plugins installed in {}", self.dir.display());
        }
        writeln!(f, "{}:", self.dir.display())?;
        let lines: Vec<String> = self.plugins.iter().map(|p| format!("  {p}")).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

/// Lists `plugins_dir`; directories without a readable record are listed from their manifest.
pub fn list(plugins_dir: &Path) -> Result<ListReport> {
    let mut plugins = Vec::new();
    if let Ok(entries) = std::fs::read_dir(plugins_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() || entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let record = std::fs::read(path.join(RECORD))
                .ok()
                .and_then(|b| serde_json::from_slice::<InstallRecord>(&b).ok());
            let record = match record {
                Some(r) => r,
                None => {
                    let Some(m) = std::fs::read_to_string(path.join("plugin.toml"))
                        .ok()
                        .and_then(|t| PluginManifest::parse(&t).ok())
                    else {
                        continue;
                    };
                    InstallRecord {
                        name: m.name.to_string(),
                        version: m.version.to_string(),
                        source: "copied by hand".into(),
                        digest: "-".into(),
                        wasm_sha256: "-".into(),
                        api: m.api.to_string(),
                        installed_at: "-".into(),
                    }
                }
            };
            plugins.push(record);
        }
    }
    plugins.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ListReport {
        dir: plugins_dir.to_path_buf(),
        plugins,
    })
}

/// What `remove` deleted.
#[derive(Debug, Clone, Serialize)]
pub struct RemoveReport {
    /// The plugin's id.
    pub name: String,
    /// The directory deleted.
    pub dir: PathBuf,
}

impl std::fmt::Display for RemoveReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Removed {} ({})", self.name, self.dir.display())
    }
}

/// Deletes `plugins_dir/NAME`.
pub fn remove(plugins_dir: &Path, name: &str) -> Result<RemoveReport> {
    // Only a valid id can name a directory here: no `..` or `/` escapes the plugins dir.
    let id = PluginId::new(name).map_err(|e| Error::Usage(e.to_string()))?;
    let dir = plugins_dir.join(id.as_str());
    if !dir.join("plugin.wasm").is_file() && !dir.join("plugin.toml").is_file() {
        return Err(Error::Usage(format!(
            "no plugin `{name}` is installed in {}: `headlamp-plugin list` shows what is",
            plugins_dir.display()
        )));
    }
    std::fs::remove_dir_all(&dir).map_err(Error::io("removing", &dir))?;
    Ok(RemoveReport {
        name: id.to_string(),
        dir,
    })
}

/// Installs a package archive (`NAME-VERSION.tar.gz` as `build` writes it) from a file or an
/// `http(s)://` URL. The checksum is `sha256` if given, else the `.sha256` file beside the
/// archive; an archive whose checksum cannot be found is refused rather than trusted.
pub fn install_archive(
    location: &str,
    sha256: Option<&str>,
    plugins_dir: &Path,
) -> Result<InstallReport> {
    let remote = location.starts_with("http://") || location.starts_with("https://");
    let fetch = |url: &str| -> Result<Vec<u8>> {
        let response = crate::oci::http_client()?
            .get(url)
            .send()
            .map_err(|e| Error::Remote(format!("downloading {url}: {e}")))?;
        if !response.status().is_success() {
            return Err(Error::Remote(format!(
                "downloading {url} answered {}",
                response.status()
            )));
        }
        Ok(response
            .bytes()
            .map_err(|e| Error::Remote(format!("downloading {url}: {e}")))?
            .to_vec())
    };
    let archive = if remote {
        fetch(location)?
    } else {
        crate::project::read(Path::new(location))?
    };
    let expected = match sha256 {
        Some(given) => given.to_string(),
        None => {
            let sidecar = format!("{location}.sha256");
            let text = if remote {
                fetch(&sidecar)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            } else {
                std::fs::read_to_string(&sidecar).ok()
            };
            text.and_then(|t| t.split_whitespace().next().map(str::to_string))
                .ok_or_else(|| {
                    Error::Integrity(format!(
                        "no checksum for {location}: {sidecar} is missing; pass --sha256 HEX (from the publisher) to install it"
                    ))
                })?
        }
    };
    let expected = expected
        .strip_prefix("sha256:")
        .or_else(|| expected.strip_prefix("SHA256:"))
        .unwrap_or(&expected)
        .to_ascii_lowercase();
    let actual = sha256_hex(&archive);
    if actual != expected {
        return Err(Error::Integrity(format!(
            "checksum mismatch for {location}: expected sha256:{expected} but the archive is sha256:{actual}; refusing to install it"
        )));
    }
    let wasm = crate::package::unpack(&archive)?
        .into_iter()
        .find(|(name, _)| name == "plugin.wasm")
        .map(|(_, data)| data)
        .ok_or_else(|| {
            Error::Integrity(format!(
                "{location} has no plugin.wasm: it is not a headlamp-rs package"
            ))
        })?;
    install_component(
        plugins_dir,
        &wasm,
        location,
        &format!("sha256:{actual}"),
        None,
    )
}
