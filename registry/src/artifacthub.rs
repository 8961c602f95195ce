//! Artifact Hub: its package API, and the archives its headlamp-rs entries point at.
//!
//! A headlamp-rs package on Artifact Hub is a `headlamp-plugin package` archive hosted
//! anywhere (a release asset, say); the package's annotations carry its URL and sha256.

use crate::archive::unpack;
use crate::oci::http_client;
use crate::{Error, Result, sha256_hex};

/// The public Artifact Hub.
pub const DEFAULT_BASE_URL: &str = "https://artifacthub.io";

/// Annotation: where the package archive is downloaded from.
pub const ARCHIVE_URL: &str = "headlamp/plugin/archive-url";
/// Annotation: `sha256:<hex>` of the archive.
pub const ARCHIVE_CHECKSUM: &str = "headlamp/plugin/archive-checksum";
/// Annotation: the Headlamp versions the package works with (a node-semver range).
pub const VERSION_COMPAT: &str = "headlamp/plugin/version-compat";
/// Annotation: what runs the package; ours is `wasm-component`.
pub const RUNTIME: &str = "headlamp/plugin/runtime";
/// Annotation: the same component as an OCI artifact.
pub const OCI_REF: &str = "headlamp/plugin/oci-ref";
/// Annotation: the `headlamp:plugin` WIT version.
pub const WIT: &str = "headlamp/plugin/wit";

/// The `version-compat` of every headlamp-rs package: a node-semver range no version satisfies.
///
/// Upstream Headlamp's plugin manager installs a package only if
/// `semver.satisfies(headlampVersion, data['headlamp/plugin/version-compat'])`, else it throws
/// "Headlamp version is not compatible with the plugin". `0.0.0-0` is the lowest version semver
/// can express, so `<0.0.0-0` is a valid range that matches nothing: no upstream Headlamp
/// release, past or future, will try to load a wasm component as a JS plugin. A range like
/// `>=1000.0.0` would only postpone the problem; an invalid range could be read differently by
/// other tools.
pub const NEVER_COMPATIBLE: &str = "<0.0.0-0";

/// `artifacthub:REPO/NAME[@VERSION]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRef {
    /// The Artifact Hub repository name.
    pub repo: String,
    /// The package name.
    pub name: String,
    /// A version, or the latest.
    pub version: Option<String>,
}

impl PackageRef {
    /// Parses `artifacthub:REPO/NAME[@VERSION]`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::Usage(format!(
                "`{text}` is not an Artifact Hub reference: write artifacthub:REPO/NAME or artifacthub:REPO/NAME@VERSION"
            ))
        };
        let rest = text.strip_prefix("artifacthub:").ok_or_else(bad)?;
        let (path, version) = match rest.split_once('@') {
            Some((p, v)) => (p, Some(v.to_string())),
            None => (rest, None),
        };
        let (repo, name) = path.split_once('/').ok_or_else(bad)?;
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !ok(repo) || !ok(name) || version.as_deref().is_some_and(|v| !ok(v)) {
            return Err(bad());
        }
        Ok(Self {
            repo: repo.to_string(),
            name: name.to_string(),
            version,
        })
    }
}

impl std::fmt::Display for PackageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "artifacthub:{}/{}", self.repo, self.name)?;
        if let Some(v) = &self.version {
            write!(f, "@{v}")?;
        }
        Ok(())
    }
}

/// A package downloaded through Artifact Hub, its checksum verified.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The component.
    pub wasm: Vec<u8>,
    /// `artifacthub:REPO/NAME@VERSION`.
    pub source: String,
    /// `sha256:<hex>` of the archive.
    pub digest: String,
    /// The package's name.
    pub name: String,
}

/// Artifact Hub's kind number for Headlamp plugins (its `kind` search filter).
pub const HEADLAMP_PLUGIN_KIND: u32 = 21;

/// One hit of a search: enough to list it and look it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The package, as [`lookup`] takes it (no version: the latest).
    pub reference: PackageRef,
    /// The latest version.
    pub version: String,
    /// What it does.
    pub description: String,
}

/// Headlamp plugins on Artifact Hub at `base_url` matching `query` (all of them, newest
/// first, when `query` is empty), at most `limit` (Artifact Hub caps a page at 60).
pub fn search(query: &str, base_url: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let client = http_client()?;
    let url = format!("{}/api/v1/packages/search", base_url.trim_end_matches('/'));
    let mut params = vec![
        ("kind", HEADLAMP_PLUGIN_KIND.to_string()),
        ("limit", limit.clamp(1, 60).to_string()),
        ("offset", "0".to_string()),
    ];
    if !query.trim().is_empty() {
        params.push(("ts_query_web", query.trim().to_string()));
    }
    let url = reqwest::Url::parse_with_params(&url, &params).map_err(|e| {
        Error::Usage(format!(
            "the Artifact Hub address {base_url} is not a URL: {e}"
        ))
    })?;
    let response = client
        .get(url.clone())
        .send()
        .map_err(|e| Error::Remote(format!("searching Artifact Hub ({url}): {e}")))?;
    if !response.status().is_success() {
        return Err(Error::Remote(format!(
            "Artifact Hub answered {} to the search {url}",
            response.status()
        )));
    }
    let answer: serde_json::Value = response
        .json()
        .map_err(|e| Error::Remote(format!("Artifact Hub's search answer is not JSON: {e}")))?;
    Ok(answer["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(SearchHit {
                reference: PackageRef {
                    repo: p["repository"]["name"].as_str()?.to_string(),
                    name: p["name"].as_str()?.to_string(),
                    version: None,
                },
                version: p["version"].as_str().unwrap_or_default().to_string(),
                description: p["description"].as_str().unwrap_or_default().to_string(),
            })
        })
        .collect())
}

/// The versions Artifact Hub lists for the package (`available_versions`).
pub fn versions(reference: &PackageRef, base_url: &str) -> Result<Vec<String>> {
    let package = lookup(
        &PackageRef {
            version: None,
            ..reference.clone()
        },
        base_url,
    )?;
    Ok(versions_of(&package))
}

/// The versions a package's JSON (as [`lookup`] answers) lists; an index without the list
/// still names its latest version.
pub fn versions_of(package: &serde_json::Value) -> Vec<String> {
    let mut versions: Vec<String> = package["available_versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["version"].as_str().map(str::to_string))
        .collect();
    if versions.is_empty()
        && let Some(latest) = package["version"].as_str()
    {
        versions.push(latest.to_string());
    }
    versions
}

/// The package's JSON from Artifact Hub's API at `base_url`.
pub fn lookup(reference: &PackageRef, base_url: &str) -> Result<serde_json::Value> {
    let client = http_client()?;
    let mut url = format!(
        "{}/api/v1/packages/headlamp/{}/{}",
        base_url.trim_end_matches('/'),
        reference.repo,
        reference.name
    );
    if let Some(version) = &reference.version {
        url.push('/');
        url.push_str(version);
    }
    let response = client
        .get(&url)
        .send()
        .map_err(|e| Error::Remote(format!("asking Artifact Hub ({url}): {e}")))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(Error::Remote(format!(
            "{reference} not found on Artifact Hub ({url}): check the repository and package name, and the version"
        )));
    }
    if !response.status().is_success() {
        return Err(Error::Remote(format!(
            "Artifact Hub answered {} for {url}",
            response.status()
        )));
    }
    response.json().map_err(|e| {
        Error::Remote(format!(
            "Artifact Hub's answer for {reference} is not JSON: {e}"
        ))
    })
}

/// Looks the package up and downloads its archive, checksum verified; `step` hears what is
/// being done (for a progress display).
pub fn fetch(reference: &PackageRef, base_url: &str, step: &dyn Fn(String)) -> Result<Fetched> {
    step(format!("Looking up {reference}"));
    let package = lookup(reference, base_url)?;
    let client = http_client()?;
    let data = &package["data"];
    let field = |key: &str| data[key].as_str().map(str::to_string);
    if field(RUNTIME).as_deref() != Some("wasm-component") {
        return Err(Error::Usage(format!(
            "{reference} is not a headlamp-rs plugin (its {RUNTIME} is {}): it is probably a JavaScript plugin for upstream Headlamp",
            field(RUNTIME).unwrap_or_else(|| "not set".into())
        )));
    }
    let archive_url = field(ARCHIVE_URL)
        .ok_or_else(|| Error::Remote(format!("{reference} has no {ARCHIVE_URL} annotation")))?;
    let checksum = field(ARCHIVE_CHECKSUM).ok_or_else(|| {
        Error::Remote(format!(
            "{reference} has no {ARCHIVE_CHECKSUM}: refusing an archive that cannot be verified"
        ))
    })?;
    let expected = checksum
        .split_once(':')
        .filter(|(algo, _)| algo.eq_ignore_ascii_case("sha256"))
        .map(|(_, hex)| hex.to_ascii_lowercase())
        .ok_or_else(|| {
            Error::Integrity(format!(
                "{reference}: checksum `{checksum}` is not sha256:<hex>"
            ))
        })?;
    step(format!("Downloading {archive_url}"));
    let response = client
        .get(&archive_url)
        .send()
        .map_err(|e| Error::Remote(format!("downloading {archive_url}: {e}")))?;
    if !response.status().is_success() {
        return Err(Error::Remote(format!(
            "downloading {archive_url} answered {}",
            response.status()
        )));
    }
    let archive = response
        .bytes()
        .map_err(|e| Error::Remote(format!("downloading {archive_url}: {e}")))?;
    let actual = sha256_hex(&archive);
    if actual != expected {
        return Err(Error::Integrity(format!(
            "checksum mismatch for {archive_url}: Artifact Hub lists sha256:{expected} but the download is sha256:{actual}; refusing to install it (the archive changed after publishing, or the download was tampered with)"
        )));
    }
    let wasm = unpack(&archive)?
        .into_iter()
        .find(|(name, _)| name == "plugin.wasm")
        .map(|(_, data)| data)
        .ok_or_else(|| {
            Error::Integrity(format!(
                "{archive_url} has no plugin.wasm: it is not a headlamp-rs package"
            ))
        })?;
    let name = package["name"]
        .as_str()
        .unwrap_or(&reference.name)
        .to_string();
    let version = package["version"].as_str().map(str::to_string);
    let source = PackageRef {
        version: version.or(reference.version.clone()),
        ..reference.clone()
    };
    Ok(Fetched {
        wasm,
        source: source.to_string(),
        digest: format!("sha256:{actual}"),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_package_reference_with_version() {
        let r = PackageRef::parse("artifacthub:my-repo/my-plugin@0.2.0").unwrap();
        assert_eq!(
            (r.repo.as_str(), r.name.as_str(), r.version.as_deref()),
            ("my-repo", "my-plugin", Some("0.2.0"))
        );
    }

    #[test]
    fn refuses_a_package_reference_without_repository() {
        assert!(PackageRef::parse("artifacthub:my-plugin").is_err());
        assert!(PackageRef::parse("my-repo/my-plugin").is_err());
    }
}
