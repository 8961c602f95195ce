//! The operator's pinned plugin set: `[[plugin]]` entries of `headlamp.toml` with
//! `[plugins] pinned = true`.
//!
//! A pinned kernel loads only the listed plugins: built-ins that are not listed stay off, a
//! listed plugin with a built-in's name replaces it, and `--plugins-dir`s are not scanned.
//! Every non-built-in entry carries the sha256 of its component, checked before it is loaded,
//! so what runs is exactly what the operator reviewed.
//!
//! Sources supported by this kernel: `builtin` and local paths (a `.wasm` file, a
//! directory with `plugin.wasm` and an optional `plugin.toml`, or a `.tar.gz` package). `oci://` and `http(s)://`
//! sources are recognised and refused with a clear error until the kernel can pull them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::host::{LoadFailure, PluginHost, PluginOrigin, PluginSource};
use crate::loader::LoadReport;

/// What a pinned kernel does with an entry it cannot load (`[plugins] on_error`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Refuse to start, naming the plugin, its source and the digests (the default).
    #[default]
    Fail,
    /// Log it, list it under `not_loaded` in `GET /api/v1/plugins`, and start without it.
    Skip,
}

/// A `sha256:<64 hex digits>` digest, checked when the file is read so that a typo is
/// reported at its line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Digest(String);

impl Sha256Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// The hex digits, lower case.
    pub fn hex(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sha256Digest {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let hex = text.strip_prefix("sha256:").ok_or_else(|| {
            format!(
                "digest {text:?} must start with `sha256:` (as `headlamp-plugin publish` prints it)"
            )
        })?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "digest {text:?} must be `sha256:` followed by 64 hex digits"
            ));
        }
        Ok(Self(hex.to_ascii_lowercase()))
    }
}

impl From<Sha256Digest> for String {
    fn from(digest: Sha256Digest) -> String {
        digest.to_string()
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

/// One `[[plugin]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedPlugin {
    /// The plugin's name (its manifest's `name`).
    pub name: String,
    /// `builtin`, a local path, `oci://REGISTRY/REPO:TAG` or an `https://` tarball URL.
    pub source: String,
    /// sha256 of the component; required for every non-built-in entry when pinned.
    pub digest: Option<Sha256Digest>,
}

/// Where a pinned plugin comes from, parsed from its `source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSource {
    /// Compiled into the kernel.
    Builtin,
    /// An OCI artifact.
    Oci(String),
    /// A tarball over HTTP(S).
    Url(String),
    /// A `.wasm` file or a plugin directory.
    Path(PathBuf),
}

impl PinSource {
    /// Parses a `source` value.
    pub fn parse(source: &str) -> Self {
        if source == "builtin" {
            Self::Builtin
        } else if source.starts_with("oci://") {
            Self::Oci(source.to_owned())
        } else if source.starts_with("https://") || source.starts_with("http://") {
            Self::Url(source.to_owned())
        } else {
            Self::Path(PathBuf::from(source))
        }
    }
}

/// Why a pinned plugin cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PinError {
    /// Pinned, but the entry has no digest.
    #[error(
        "plugin {name:?} (source {origin}) has no digest, and [plugins] pinned = true requires one: add `digest = \"sha256:...\"` (headlamp-plugin publish prints it)"
    )]
    MissingDigest {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
    },
    /// The same name is listed twice.
    #[error("plugin {name:?} is listed twice in [[plugin]]: keep one entry")]
    Duplicate {
        /// The name.
        name: String,
    },
    /// `builtin`, but no built-in has that name.
    #[error(
        "plugin {name:?} has source `builtin`, but this kernel has no built-in plugin of that name (it has: {available})"
    )]
    UnknownBuiltin {
        /// The entry's name.
        name: String,
        /// The built-ins there are.
        available: String,
    },
    /// The source could not be read.
    #[error("plugin {name:?}: cannot read its source {origin}: {error}")]
    Read {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
        /// What failed.
        error: String,
    },
    /// A source kind this kernel cannot fetch.
    #[error(
        "plugin {name:?}: source {origin} cannot be fetched by this kernel ({kind} sources are not supported yet): pull it with `headlamp-plugin install` and pin the local path"
    )]
    Unsupported {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
        /// `oci://` or `http(s)://`.
        kind: &'static str,
    },
    /// The component is not the one pinned.
    #[error(
        "plugin {name:?} from {origin}: digest mismatch: expected {expected}, actual {actual}; the artifact changed since it was pinned: check it and update the digest, or pin the old one"
    )]
    Mismatch {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
        /// The pinned digest.
        expected: String,
        /// The digest of what was read.
        actual: String,
    },
}

impl PinError {
    /// The entry this error is about.
    pub fn plugin(&self) -> &str {
        match self {
            Self::MissingDigest { name, .. }
            | Self::Duplicate { name }
            | Self::UnknownBuiltin { name, .. }
            | Self::Read { name, .. }
            | Self::Unsupported { name, .. }
            | Self::Mismatch { name, .. } => name,
        }
    }
}

/// The pinned set of a config: the entries and what to do with a broken one.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnedSet {
    /// The `[[plugin]]` entries, in file order.
    pub entries: Vec<PinnedPlugin>,
    /// `[plugins] on_error`.
    pub on_error: OnError,
}

/// What resolving a pinned set gave: sources to load, and entries that cannot be loaded.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Components read and verified, in file order.
    pub sources: Vec<PluginSource>,
    /// Entries that failed, with why.
    pub errors: Vec<PinError>,
}

impl PinnedSet {
    /// Checks what can be checked without reading any source: a digest on every
    /// non-built-in entry, no name twice.
    pub fn check(&self) -> Result<(), PinError> {
        let mut seen = std::collections::HashSet::new();
        for entry in &self.entries {
            if !seen.insert(entry.name.as_str()) {
                return Err(PinError::Duplicate {
                    name: entry.name.clone(),
                });
            }
            if entry.digest.is_none() && PinSource::parse(&entry.source) != PinSource::Builtin {
                return Err(PinError::MissingDigest {
                    name: entry.name.clone(),
                    origin: entry.source.clone(),
                });
            }
        }
        Ok(())
    }

    /// Reads and verifies every entry; `builtins` are the kernel's (name, wasm, sha256 hex).
    pub fn resolve(&self, builtins: &[(&str, &[u8], &str)]) -> Resolved {
        let mut resolved = Resolved::default();
        for entry in &self.entries {
            match resolve_one(entry, builtins) {
                Ok(source) => resolved.sources.push(source),
                Err(error) => resolved.errors.push(error),
            }
        }
        resolved
    }
}

/// Entries of a pinned set that stopped the start (`on_error = "fail"`).
#[derive(Debug, thiserror::Error)]
#[error("the pinned plugin set cannot be loaded:\n{}", .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
pub struct PinnedSetError(pub Vec<PinError>);

/// Resolves `set` and loads it into `host`: nothing else is loaded. Entries that cannot be
/// read or verified fail the whole start (`OnError::Fail`, before anything is loaded) or are
/// recorded as not loaded (`OnError::Skip`); a component that does not start is recorded by
/// the host like any other plugin's.
pub async fn load(
    host: &PluginHost,
    set: &PinnedSet,
    builtins: &[(&str, &[u8], &str)],
) -> Result<LoadReport, PinnedSetError> {
    let resolved = set.resolve(builtins);
    if !resolved.errors.is_empty() {
        match set.on_error {
            OnError::Fail => return Err(PinnedSetError(resolved.errors)),
            OnError::Skip => {
                for error in &resolved.errors {
                    tracing::warn!(plugin = error.plugin(), "pinned plugin skipped: {error}");
                    let source = set
                        .entries
                        .iter()
                        .find(|e| e.name == error.plugin())
                        .map_or("", |e| e.source.as_str());
                    host.record_failure(skipped(source, error));
                }
            }
        }
    }
    let mut report = crate::loader::load_all(host, resolved.sources).await;
    if set.on_error == OnError::Fail && !report.failed.is_empty() {
        return Err(PinnedSetError(
            report
                .failed
                .drain(..)
                .map(|f| PinError::Read {
                    name: f.name,
                    origin: format!("{:?}", f.origin),
                    error: f.error,
                })
                .collect(),
        ));
    }
    Ok(report)
}

/// The failure to show on the Plugins page for a skipped entry.
pub fn skipped(entry_source: &str, error: &PinError) -> LoadFailure {
    LoadFailure {
        name: error.plugin().to_owned(),
        origin: match PinSource::parse(entry_source) {
            PinSource::Path(path) => PluginOrigin::File(path),
            PinSource::Builtin => PluginOrigin::Builtin,
            _ => PluginOrigin::Memory,
        },
        error: error.to_string(),
    }
}

fn resolve_one(
    entry: &PinnedPlugin,
    builtins: &[(&str, &[u8], &str)],
) -> Result<PluginSource, PinError> {
    let name = &entry.name;
    let (mut source, actual) = match PinSource::parse(&entry.source) {
        PinSource::Builtin => {
            let (_, wasm, sha) = builtins.iter().find(|(n, _, _)| n == name).ok_or_else(|| {
                PinError::UnknownBuiltin {
                    name: name.clone(),
                    available: builtins
                        .iter()
                        .map(|(n, _, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            let source = PluginSource {
                sha256: Some(sha.to_string()),
                ..PluginSource::from_bytes(wasm.to_vec(), PluginOrigin::Builtin)
            };
            (source, sha.to_string())
        }
        PinSource::Oci(_) => {
            return Err(PinError::Unsupported {
                name: name.clone(),
                origin: entry.source.clone(),
                kind: "oci://",
            });
        }
        PinSource::Url(_) => {
            return Err(PinError::Unsupported {
                name: name.clone(),
                origin: entry.source.clone(),
                kind: "http(s)://",
            });
        }
        PinSource::Path(path) => read_path(&path).map_err(|error| PinError::Read {
            name: name.clone(),
            origin: entry.source.clone(),
            error,
        })?,
    };
    if let Some(expected) = &entry.digest
        && expected.hex() != actual
    {
        return Err(PinError::Mismatch {
            name: name.clone(),
            origin: entry.source.clone(),
            expected: expected.to_string(),
            actual: format!("sha256:{actual}"),
        });
    }
    source.sha256 = Some(actual);
    Ok(source)
}

/// A `.wasm` file, a directory with `plugin.wasm` and an optional `plugin.toml`, or a
/// `.tar.gz` as `headlamp-plugin package` makes it; with the hex sha256 the pin is checked
/// against: the component's, or for an archive the archive's (the checksum `package` prints
/// and Artifact Hub's `archive-checksum` carries).
fn read_path(path: &Path) -> Result<(PluginSource, String), String> {
    let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    if path.is_file() && (file_name.ends_with(".tar.gz") || file_name.ends_with(".tgz")) {
        let archive = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let digest = Sha256Digest::of(&archive).hex().to_owned();
        let (wasm, manifest) = unpack(&archive)?;
        let source = PluginSource {
            manifest,
            ..PluginSource::from_bytes(wasm, PluginOrigin::File(path.to_owned()))
        };
        return Ok((source, digest));
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

/// `NAME/plugin.wasm` and `NAME/plugin.toml` of a package archive, read in memory: nothing
/// from an archive is written anywhere.
fn unpack(archive: &[u8]) -> Result<(Vec<u8>, Option<String>), String> {
    use std::io::Read;
    use std::path::Component;
    let bad = |e: std::io::Error| format!("not a readable .tar.gz package: {e}");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let (mut wasm, mut manifest) = (None, None);
    for entry in tar.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(bad)?.into_owned();
        // Nothing is written, but an entry that climbs out of the package (`../x`, `/etc/x`)
        // was not made by `headlamp-plugin package`: refuse the archive rather than guess.
        if path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(format!(
                "the package has an entry {:?} outside its folder: refused; make packages with \
                 `headlamp-plugin package`",
                path.display().to_string()
            ));
        }
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        match file {
            "plugin.wasm" => {
                let mut data = Vec::new();
                entry.read_to_end(&mut data).map_err(bad)?;
                wasm = Some(data);
            }
            "plugin.toml" => {
                let mut text = String::new();
                entry.read_to_string(&mut text).map_err(bad)?;
                manifest = Some(text);
            }
            _ => {}
        }
    }
    let wasm =
        wasm.ok_or("the package has no plugin.wasm: make it with `headlamp-plugin package`")?;
    Ok((wasm, manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WASM: &[u8] = b"\0asm not really";

    fn entry(name: &str, source: &str, digest: Option<&str>) -> PinnedPlugin {
        PinnedPlugin {
            name: name.into(),
            source: source.into(),
            digest: digest.map(|d| Sha256Digest::try_from(d.to_owned()).unwrap()),
        }
    }

    fn set(entries: Vec<PinnedPlugin>) -> PinnedSet {
        PinnedSet {
            entries,
            on_error: OnError::Fail,
        }
    }

    #[test]
    fn digests_are_checked_for_shape() {
        assert!(Sha256Digest::try_from("abc".to_owned()).is_err());
        assert!(Sha256Digest::try_from("sha256:abc".to_owned()).is_err());
        let d = Sha256Digest::try_from(format!("sha256:{}", "A".repeat(64))).unwrap();
        assert_eq!(d.to_string(), format!("sha256:{}", "a".repeat(64)));
    }

    #[test]
    fn pinned_entries_need_a_digest_except_builtins() {
        let ok = set(vec![entry("cluster", "builtin", None)]);
        assert_eq!(ok.check(), Ok(()));
        let missing = set(vec![entry("x", "/plugins/x.wasm", None)]);
        assert!(matches!(
            missing.check(),
            Err(PinError::MissingDigest { .. })
        ));
        let twice = set(vec![
            entry("cluster", "builtin", None),
            entry("cluster", "builtin", None),
        ]);
        assert!(matches!(twice.check(), Err(PinError::Duplicate { .. })));
    }

    #[test]
    fn a_local_file_is_verified_by_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.wasm");
        std::fs::write(&path, WASM).unwrap();
        let good = Sha256Digest::of(WASM).to_string();
        let source = path.to_str().unwrap();
        let resolved = set(vec![entry("x", source, Some(&good))]).resolve(&[]);
        assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
        assert_eq!(resolved.sources[0].wasm, WASM);

        let wrong = format!("sha256:{}", "0".repeat(64));
        let resolved = set(vec![entry("x", source, Some(&wrong))]).resolve(&[]);
        let text = resolved.errors[0].to_string();
        assert!(
            text.contains("\"x\"") && text.contains(&wrong) && text.contains(&good),
            "{text}"
        );
    }

    #[test]
    fn a_package_archive_is_verified_by_the_archive_digest() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (file, data) in [
            ("plugin.wasm", WASM),
            ("plugin.toml", b"name = \"x\"\n".as_slice()),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, format!("x/{file}"), data)
                .unwrap();
        }
        let archive = builder.into_inner().unwrap().finish().unwrap();
        let path = dir.path().join("x-0.1.0.tar.gz");
        std::fs::write(&path, &archive).unwrap();
        let digest = Sha256Digest::of(&archive).to_string();
        let resolved = set(vec![entry("x", path.to_str().unwrap(), Some(&digest))]).resolve(&[]);
        assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
        assert_eq!(resolved.sources[0].wasm, WASM);
        assert_eq!(
            resolved.sources[0].manifest.as_deref(),
            Some("name = \"x\"\n")
        );
        // The component's own digest is not the archive's: pinning it is a mismatch.
        let component = Sha256Digest::of(WASM).to_string();
        let resolved = set(vec![entry("x", path.to_str().unwrap(), Some(&component))]).resolve(&[]);
        assert!(matches!(resolved.errors[0], PinError::Mismatch { .. }));
    }

    /// A .tar.gz with one entry per (path, data), written as raw header names so that paths
    /// the tar crate's builder refuses (`../x`) can be made too.
    fn archive_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn a_package_entry_that_climbs_out_of_its_folder_is_refused() {
        for path in ["../plugin.wasm", "x/../../plugin.wasm", "/plugin.wasm"] {
            let archive = archive_of(&[(path, WASM)]);
            let error = unpack(&archive).unwrap_err();
            assert!(error.contains("outside its folder"), "{path}: {error}");
        }
        let fine = archive_of(&[("x/plugin.wasm", WASM)]);
        assert_eq!(unpack(&fine).unwrap().0, WASM);
    }

    #[test]
    fn builtins_are_found_by_name_and_remote_sources_are_refused_clearly() {
        let builtins: &[(&str, &[u8], &str)] = &[("cluster", WASM, "ab")];
        let resolved = set(vec![
            entry("cluster", "builtin", None),
            entry("nope", "builtin", None),
            entry(
                "remote",
                "oci://r.example/p:1",
                Some(&Sha256Digest::of(WASM).to_string()),
            ),
        ])
        .resolve(builtins);
        assert_eq!(resolved.sources.len(), 1);
        assert!(resolved.errors[0].to_string().contains("it has: cluster"));
        assert!(
            resolved.errors[1]
                .to_string()
                .contains("oci://r.example/p:1")
        );
    }
}
