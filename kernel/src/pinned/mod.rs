//! The operator's pinned plugin set: `[[plugin]]` entries of `headlamp.toml` with
//! `[plugins] pinned = true`.
//!
//! A pinned kernel loads only the listed plugins: built-ins that are not listed stay off, a
//! listed plugin with a built-in's name replaces it, and `--plugins-dir`s are not scanned.
//! Every non-built-in entry carries the sha256 of its component, checked before it is loaded,
//! so what runs is exactly what the operator reviewed.
//!
//! Sources: `builtin`; local paths (a `.wasm` file, a directory with `plugin.wasm` and an
//! optional `plugin.toml`, or a `.tar.gz` package), see [`local`]; `oci://REGISTRY/REPO:TAG`
//! (or `@sha256:...`) artifacts and `https://` package archives, see [`remote`], downloaded
//! into a content-addressed cache ([`cache`]) and verified before they are used.

mod cache;
mod local;
mod remote;
mod source;

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

pub use cache::BlobCache;
pub use remote::{Blob, Fetched};
pub use source::PinSource;

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
    /// The `source` is not one this kernel can fetch.
    #[error("plugin {name:?}: source {origin} is not usable: {error}")]
    BadSource {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
        /// What is wrong and what to write instead.
        error: String,
    },
    /// A registry or web server did not give the artifact.
    #[error(
        "plugin {name:?}: cannot fetch {origin}: {error}; fix the source or the server, or set [plugins] on_error = \"skip\" to start without it"
    )]
    Fetch {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
        /// What the registry or server said.
        error: String,
    },
    /// The package is a different plugin than the entry names.
    #[error(
        "plugin {name:?}: {origin} holds the plugin {found:?}, not {name:?}: fix the entry's name or its source"
    )]
    NameMismatch {
        /// The entry's name.
        name: String,
        /// Its source.
        origin: String,
        /// The name in the package's manifest.
        found: String,
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
            | Self::BadSource { name, .. }
            | Self::Fetch { name, .. }
            | Self::NameMismatch { name, .. }
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
            source::check_source(entry)?;
        }
        Ok(())
    }

    /// Reads and verifies every entry; `builtins` are the kernel's (name, wasm, sha256 hex),
    /// `fetched` what [`remote::fetch_all`] downloaded for the remote entries.
    pub fn resolve(&self, builtins: &[(&str, &[u8], &str)], fetched: &Fetched) -> Resolved {
        let mut resolved = Resolved::default();
        for entry in &self.entries {
            match resolve_one(entry, builtins, fetched) {
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

/// Fetches the remote entries of `set` (through `cache`), resolves it and loads it into
/// `host`: nothing else is loaded. Entries that cannot be fetched, read or verified fail the
/// whole start (`OnError::Fail`, before anything is loaded) or are recorded as not loaded
/// (`OnError::Skip`); a component that does not start is recorded by the host like any other
/// plugin's.
pub async fn load(
    host: &PluginHost,
    set: &PinnedSet,
    builtins: &[(&str, &[u8], &str)],
    cache: &BlobCache,
) -> Result<LoadReport, PinnedSetError> {
    let fetched = remote::fetch_all(&set.entries, cache).await;
    let resolved = set.resolve(builtins, &fetched);
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
    fetched: &Fetched,
) -> Result<PluginSource, PinError> {
    let name = &entry.name;
    let read_error = |error: String| PinError::Read {
        name: name.clone(),
        origin: entry.source.clone(),
        error,
    };
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
        kind @ (PinSource::Oci(_) | PinSource::Url(_)) => {
            let blob = fetched.get(name).cloned().unwrap_or_else(|| {
                Err(read_error(
                    "it was not fetched: a remote source needs a digest".into(),
                ))
            })?;
            let origin = blob.path.map_or(PluginOrigin::Memory, PluginOrigin::File);
            if matches!(kind, PinSource::Oci(_)) {
                let digest = Sha256Digest::of(&blob.bytes).hex().to_owned();
                (PluginSource::from_bytes(blob.bytes, origin), digest)
            } else {
                local::from_archive(&blob.bytes, origin).map_err(read_error)?
            }
        }
        PinSource::Path(path) => local::read_path(&path).map_err(read_error)?,
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
    if let Some(found) = manifest_name(&source)
        && found != *name
    {
        return Err(PinError::NameMismatch {
            name: name.clone(),
            origin: entry.source.clone(),
            found,
        });
    }
    source.sha256 = Some(actual);
    Ok(source)
}

/// The name in the manifest the host will load the source with (beside the component, else
/// embedded); `None` when it cannot be read, which the host then reports with the reason.
fn manifest_name(source: &PluginSource) -> Option<String> {
    let text = match &source.manifest {
        Some(text) => text.clone(),
        None => {
            crate::inspect::inspect(&source.wasm)
                .ok()?
                .embedded_manifest?
        }
    };
    let manifest = crate::manifest::PluginManifest::parse(&text).ok()?;
    Some(manifest.name.to_string())
}

#[cfg(test)]
mod tests;
