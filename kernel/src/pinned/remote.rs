//! Pinned sources on the network: `oci://` artifacts and `https://` package archives, pulled
//! into the [`BlobCache`] and verified against the pinned digest before anything uses them.
//!
//! The registry client is blocking; [`fetch_all`] runs it on tokio's blocking pool.

use std::collections::HashMap;
use std::path::PathBuf;

use headlamp_registry::oci::{Reference, RegistryOptions, Session};

use super::cache::BlobCache;
use super::{PinError, PinSource, PinnedPlugin, Sha256Digest};

/// The verified bytes of one remote entry: a component (`oci://`) or a package archive
/// (`https://`), with the cache file they are kept in.
#[derive(Debug, Clone)]
pub struct Blob {
    /// The bytes, whose sha256 is the entry's pinned digest.
    pub bytes: Vec<u8>,
    /// `<cache dir>/sha256/<hex>`, or `None` when there is no cache directory.
    pub path: Option<PathBuf>,
}

/// What fetching the remote entries of a set gave, by entry name.
pub type Fetched = HashMap<String, Result<Blob, PinError>>;

/// Fetches every `oci://` and `http(s)://` entry that carries a digest (the rest fail
/// [`super::PinnedSet::check`] first), using the cache where it holds the pinned digest.
pub async fn fetch_all(entries: &[PinnedPlugin], cache: &BlobCache) -> Fetched {
    let remote: Vec<PinnedPlugin> = entries
        .iter()
        .filter(|e| {
            matches!(
                PinSource::parse(&e.source),
                PinSource::Oci(_) | PinSource::Url(_)
            )
        })
        .filter(|e| e.digest.is_some())
        .cloned()
        .collect();
    if remote.is_empty() {
        return Fetched::new();
    }
    let cache = cache.clone();
    let sources: Vec<(String, String)> = remote
        .iter()
        .map(|e| (e.name.clone(), e.source.clone()))
        .collect();
    tokio::task::spawn_blocking(move || {
        remote
            .iter()
            .map(|entry| (entry.name.clone(), fetch_one(entry, &cache)))
            .collect()
    })
    .await
    .unwrap_or_else(|panic| {
        // A panic in the HTTP stack must not pass for a verified plugin.
        sources
            .into_iter()
            .map(|(name, origin)| {
                let error = PinError::Fetch {
                    name: name.clone(),
                    origin,
                    error: format!("the download task failed: {panic}"),
                };
                (name, Err(error))
            })
            .collect()
    })
}

fn fetch_one(entry: &PinnedPlugin, cache: &BlobCache) -> Result<Blob, PinError> {
    let digest = entry
        .digest
        .as_ref()
        .expect("fetch_all keeps only entries with a digest");
    if let Some(bytes) = cache.get(digest) {
        tracing::debug!(
            plugin = entry.name,
            "pinned plugin found in the download cache"
        );
        return Ok(Blob {
            bytes,
            path: cache.path(digest),
        });
    }
    let bytes = match PinSource::parse(&entry.source) {
        PinSource::Oci(text) => pull_component(entry, &text, digest)?,
        PinSource::Url(url) => download_archive(entry, &url, digest)?,
        PinSource::Builtin | PinSource::Path(_) => unreachable!("fetch_all keeps remote entries"),
    };
    let path = match cache.put(digest, &bytes) {
        Ok(path) => path,
        Err(e) => {
            // The bytes are verified in memory: start, but say why the next start downloads again.
            tracing::warn!(
                plugin = entry.name,
                "cannot keep the download in the cache: {e}"
            );
            None
        }
    };
    tracing::info!(plugin = entry.name, source = entry.source, %digest, "pinned plugin downloaded and verified");
    Ok(Blob { bytes, path })
}

/// Pulls the component of an `oci://` entry; the manifest's layer digest is compared with the
/// pin before the layer is downloaded, and the download is checked against it.
fn pull_component(
    entry: &PinnedPlugin,
    text: &str,
    digest: &Sha256Digest,
) -> Result<Vec<u8>, PinError> {
    let fetch_error = |error: headlamp_registry::Error| PinError::Fetch {
        name: entry.name.clone(),
        origin: entry.source.clone(),
        error: error.to_string(),
    };
    let reference = Reference::parse(text).map_err(fetch_error)?;
    // Credentials, when the registry wants them, come from $DOCKER_CONFIG/config.json.
    let mut session = Session::new(&reference, &RegistryOptions::default()).map_err(fetch_error)?;
    let (_, manifest) = session.manifest(&reference, None).map_err(fetch_error)?;
    if let Some(id) = manifest.plugin_id()
        && id != entry.name
    {
        return Err(PinError::NameMismatch {
            name: entry.name.clone(),
            origin: entry.source.clone(),
            found: id.to_owned(),
        });
    }
    let layer = manifest
        .component()
        .expect("Session::manifest checked the single wasm layer")
        .clone();
    if layer.digest != digest.to_string() {
        return Err(PinError::Mismatch {
            name: entry.name.clone(),
            origin: entry.source.clone(),
            expected: digest.to_string(),
            actual: layer.digest,
        });
    }
    session.blob(&reference, &layer).map_err(fetch_error)
}

/// Downloads the package archive of an `https://` entry (`http://` only from this machine) and
/// checks it against the pin.
fn download_archive(
    entry: &PinnedPlugin,
    url: &str,
    digest: &Sha256Digest,
) -> Result<Vec<u8>, PinError> {
    let fail = |error: String| PinError::Fetch {
        name: entry.name.clone(),
        origin: entry.source.clone(),
        error,
    };
    let client = headlamp_registry::oci::http_client().map_err(|e| fail(e.to_string()))?;
    let response = client.get(url).send().map_err(|e| {
        fail(format!(
            "cannot reach the server: {}: check the URL and that the server is up",
            error_chain(&e)
        ))
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!(
            "the server answered {status}: check the URL (it is the package archive `headlamp-plugin package` made, uploaded as is)"
        )));
    }
    let bytes = response
        .bytes()
        .map_err(|e| fail(format!("the download broke off: {}", error_chain(&e))))?
        .to_vec();
    let actual = Sha256Digest::of(&bytes);
    if actual != *digest {
        return Err(PinError::Mismatch {
            name: entry.name.clone(),
            origin: entry.source.clone(),
            expected: digest.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(bytes)
}

/// The error and its causes on one line: reqwest's own message hides "connection refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}
