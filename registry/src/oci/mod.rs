//! The OCI distribution API, spoken with plain HTTP requests, for wasm component artifacts.
//!
//! Uploads are monolithic (POST then PUT with `?digest=`), which every registry supports and
//! suits artifacts of a few hundred KiB.

mod manifest;
mod reference;
mod session;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

pub use manifest::{
    ANNOTATION_API, ANNOTATION_ID, CONFIG_MEDIA_TYPE, ComponentConfig, Descriptor, ImageManifest,
    LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, WasmConfig,
};
pub use reference::Reference;
pub use session::{RegistryOptions, Session, http_client};

use crate::{Error, Result, sha256_hex};
use session::expect;

/// A pulled and verified artifact.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// The manifest digest.
    pub digest: String,
    /// The manifest.
    pub manifest: ImageManifest,
    /// The component bytes (digest checked).
    pub wasm: Vec<u8>,
}

impl Session {
    /// The manifest `reference` names, with its digest, checked against the reference's digest
    /// and `expected` (both manifest digests) and for the wasm artifact layout.
    pub fn manifest(
        &mut self,
        reference: &Reference,
        expected: Option<&str>,
    ) -> Result<(String, ImageManifest)> {
        let Some(tag_or_digest) = reference.tag_or_digest() else {
            return Err(Error::Usage(format!(
                "{reference} names no tag or digest: add :TAG or @sha256:DIGEST"
            )));
        };
        let url = format!("{}/manifests/{tag_or_digest}", self.base);
        let response = self.send("fetching the manifest", |c| {
            c.get(&url).header(ACCEPT, MANIFEST_MEDIA_TYPE)
        })?;
        if response.status() == StatusCode::NOT_FOUND {
            return Err(Error::NotFound {
                reference: reference.to_string(),
                wanted: tag_or_digest.to_string(),
                repository: format!("{}/{}", reference.registry, reference.repository),
                tags: self.tags().unwrap_or_default(),
            });
        }
        let response = expect(response, &[StatusCode::OK], "fetching the manifest")?;
        let body = response
            .bytes()
            .map_err(|e| Error::Remote(format!("reading the manifest of {reference}: {e}")))?;
        let digest = format!("sha256:{}", sha256_hex(&body));
        for (what, want) in [
            ("the reference", reference.digest.as_deref()),
            ("the expected digest", expected),
        ] {
            if let Some(want) = want
                && want != digest
            {
                return Err(Error::Integrity(format!(
                    "digest mismatch for {reference}: {what} asks for {want} but the registry served a manifest with digest {digest}; \
                     the tag was moved or the content was changed: check with the publisher before installing"
                )));
            }
        }
        let manifest: ImageManifest = serde_json::from_slice(&body)
            .map_err(|e| Error::Remote(format!("{reference} is not an OCI image manifest: {e}")))?;
        if manifest.config.media_type != CONFIG_MEDIA_TYPE {
            return Err(Error::Remote(format!(
                "{reference} is not a wasm component artifact: its config is {}, not {CONFIG_MEDIA_TYPE}",
                manifest.config.media_type
            )));
        }
        let [layer] = manifest.layers.as_slice() else {
            return Err(Error::Remote(format!(
                "{reference} has {} layers; a wasm component artifact has exactly one",
                manifest.layers.len()
            )));
        };
        if layer.media_type != LAYER_MEDIA_TYPE {
            return Err(Error::Remote(format!(
                "{reference}'s layer is {}, not {LAYER_MEDIA_TYPE}",
                layer.media_type
            )));
        }
        Ok((digest, manifest))
    }

    /// Downloads the blob `layer` describes, checking its digest and size.
    pub fn blob(&mut self, reference: &Reference, layer: &Descriptor) -> Result<Vec<u8>> {
        let blob_url = format!("{}/blobs/{}", self.base, layer.digest);
        let response = self.send("fetching the component", |c| c.get(&blob_url))?;
        let response = expect(response, &[StatusCode::OK], "fetching the component")?;
        let bytes = response
            .bytes()
            .map_err(|e| Error::Remote(format!("reading the component of {reference}: {e}")))?
            .to_vec();
        let actual = format!("sha256:{}", sha256_hex(&bytes));
        if actual != layer.digest || bytes.len() as u64 != layer.size {
            return Err(Error::Integrity(format!(
                "digest mismatch for the component of {reference}: the manifest lists {} ({} bytes) but the registry sent {actual} ({} bytes); refusing to install it",
                layer.digest,
                layer.size,
                bytes.len()
            )));
        }
        Ok(bytes)
    }

    /// Uploads `manifest` under `tag` and returns its digest, refusing a registry that stored
    /// it as something else (a rewritten manifest would not match what was signed or pinned).
    pub fn push_manifest(&mut self, tag: &str, manifest: &[u8]) -> Result<String> {
        let digest = format!("sha256:{}", sha256_hex(manifest));
        let url = format!("{}/manifests/{tag}", self.base);
        let body = manifest.to_vec();
        let response = self.send("pushing the manifest", |c| {
            c.put(&url)
                .header(CONTENT_TYPE, MANIFEST_MEDIA_TYPE)
                .body(body.clone())
        })?;
        let response = expect(
            response,
            &[StatusCode::CREATED, StatusCode::OK],
            "pushing the manifest",
        )?;
        if let Some(theirs) = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            && theirs != digest
        {
            return Err(Error::Integrity(format!(
                "the registry stored the manifest as {theirs}, not {digest}: it rewrote the manifest; pin {theirs} or use another registry"
            )));
        }
        Ok(digest)
    }
}

/// Fetches the manifest and component of `reference`, checking every digest; `expected` pins
/// the manifest digest.
pub fn pull(
    reference: &Reference,
    options: &RegistryOptions,
    expected: Option<&str>,
) -> Result<Pulled> {
    let mut session = Session::new(reference, options)?;
    let (digest, manifest) = session.manifest(reference, expected)?;
    let layer = manifest.layers[0].clone();
    let wasm = session.blob(reference, &layer)?;
    Ok(Pulled {
        digest,
        manifest,
        wasm,
    })
}

/// Pushes a wasm artifact (its config, component and manifest, made by the caller) to
/// `reference`'s tag; returns the manifest digest.
pub fn push(
    reference: &Reference,
    options: &RegistryOptions,
    config: &[u8],
    wasm: &[u8],
    manifest: &[u8],
) -> Result<String> {
    let Some(tag) = reference
        .tag
        .as_deref()
        .filter(|_| reference.digest.is_none())
    else {
        return Err(Error::Usage(format!(
            "push {reference} to a tag, not a digest: the registry computes the digest"
        )));
    };
    let mut session = Session::new(reference, options)?;
    session.push_blob(config, &format!("sha256:{}", sha256_hex(config)))?;
    session.push_blob(wasm, &format!("sha256:{}", sha256_hex(wasm)))?;
    session.push_manifest(tag, manifest)
}

/// The tags of `reference`'s repository (its tag and digest are ignored).
pub fn tags(reference: &Reference, options: &RegistryOptions) -> Result<Vec<String>> {
    Session::new(reference, options)?.tags()
}
