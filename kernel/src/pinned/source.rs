//! The `source` of a `[[plugin]]` entry: what kind it is, and whether this kernel can fetch it.

use std::path::PathBuf;

use super::{PinError, PinnedPlugin};

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

/// Refuses a remote `source` the kernel could not fetch, at config check time: an OCI
/// reference without a tag or digest, plain `http://` to another machine.
pub(super) fn check_source(entry: &PinnedPlugin) -> Result<(), PinError> {
    let bad = |error: String| PinError::BadSource {
        name: entry.name.clone(),
        origin: entry.source.clone(),
        error,
    };
    match PinSource::parse(&entry.source) {
        PinSource::Oci(text) => {
            let reference =
                headlamp_registry::oci::Reference::parse(&text).map_err(|e| bad(e.to_string()))?;
            if reference.tag_or_digest().is_none() {
                return Err(bad(
                    "it names no tag or digest: write oci://REGISTRY/REPO:TAG or oci://REGISTRY/REPO@sha256:...".into(),
                ));
            }
            Ok(())
        }
        PinSource::Url(text) => {
            let url = reqwest::Url::parse(&text).map_err(|e| bad(format!("not a URL: {e}")))?;
            let host = url.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !matches!(url.scheme(), "https" | "http") {
                return Err(bad(
                    "only https:// (and http:// on this machine) are fetched".into(),
                ));
            }
            if url.scheme() == "http" && !loopback {
                return Err(bad(
                    "plain http:// is refused for anything but this machine (the download would be open to tampering in transit): use https://".into(),
                ));
            }
            Ok(())
        }
        PinSource::Builtin | PinSource::Path(_) => Ok(()),
    }
}
