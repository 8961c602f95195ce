//! `publish oci://...` and `install oci://...`: the component as a CNCF wasm OCI artifact,
//! spoken over the OCI distribution API with plain HTTP requests.
//!
//! The layout is the one `wkg` writes (see DESIGN.md): an image manifest whose config is
//! `application/vnd.wasm.config.v0+json` and whose single layer is the `application/wasm`
//! component. Uploads are monolithic (POST then PUT with `?digest=`), which every registry
//! supports and suits artifacts of a few hundred KiB.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LOCATION, WWW_AUTHENTICATE};
use serde::{Deserialize, Serialize};

use crate::build::verify_component;
use crate::installed::{InstallReport, install_component};
use crate::progress::Ui;
use crate::project::{Project, read, sha256_hex};
use crate::{Error, Result};

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

/// `oci://registry[:port]/repository[:tag|@digest]`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    /// `path/to/repo`.
    pub repository: String,
    /// The tag, if given.
    pub tag: Option<String>,
    /// The digest (`sha256:...`), if given.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses a reference, with or without the `oci://` prefix.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "`{text}` is not an OCI reference ({why}): write oci://REGISTRY/REPOSITORY:TAG, e.g. oci://ghcr.io/me/my-plugin:0.1.0"
            ))
        };
        let rest = text.strip_prefix("oci://").unwrap_or(text);
        let (registry, path) = rest.split_once('/').ok_or_else(|| bad("no repository"))?;
        if registry.is_empty() || path.is_empty() {
            return Err(bad("empty registry or repository"));
        }
        let (path, digest) = match path.split_once('@') {
            Some((p, d)) => {
                if !d.starts_with("sha256:") || d.len() != 71 {
                    return Err(bad("digests look like sha256:<64 hex>"));
                }
                (p, Some(d.to_string()))
            }
            None => (path, None),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_string())),
            _ => (path, None),
        };
        if repository.is_empty()
            || !repository
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        {
            return Err(bad(
                "repositories are lowercase letters, digits, '.', '_', '-' and '/'",
            ));
        }
        Ok(Self {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// The tag or digest to fetch.
    fn reference(&self) -> Option<&str> {
        self.digest.as_deref().or(self.tag.as_deref())
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// How to reach and log in to a registry.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// User name; with `password`, wins over Docker's config file.
    pub username: Option<String>,
    /// Password or token.
    pub password: Option<String>,
    /// Use `http://` (default for localhost and 127.0.0.1, which registries serve without TLS).
    pub plain_http: bool,
    /// Docker's config file (default: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

/// A registry session: base URL, credentials and the bearer token once one was issued.
struct Registry {
    client: Client,
    base: String,
    registry: String,
    basic: Option<(String, String)>,
    bearer: Option<String>,
}

/// Builds the HTTP client, installing the TLS provider the workspace leaves out.
pub fn http_client() -> Result<Client> {
    // Errors only when another provider is installed already, which serves as well.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(Duration::from_secs(300))
        .user_agent(concat!("headlamp-plugin/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Remote(format!("creating the HTTP client: {e}")))
}

impl Registry {
    fn new(reference: &Reference, options: &RegistryOptions) -> Result<Self> {
        let host = reference.registry.split(':').next().unwrap_or_default();
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        let scheme = if options.plain_http || loopback {
            "http"
        } else {
            "https"
        };
        let basic = match (&options.username, &options.password) {
            (Some(u), Some(p)) => Some((u.clone(), p.clone())),
            (Some(_), None) | (None, Some(_)) => {
                return Err(Error::Usage(
                    "give both --username and --password (or neither, to use ~/.docker/config.json)".into(),
                ));
            }
            (None, None) => crate::docker_auth::credentials(
                &reference.registry,
                options.docker_config.as_deref(),
            ),
        };
        Ok(Self {
            client: http_client()?,
            base: format!(
                "{scheme}://{}/v2/{}",
                reference.registry, reference.repository
            ),
            registry: reference.registry.clone(),
            basic,
            bearer: None,
        })
    }

    /// Sends a request; on 401 follows the registry's challenge (basic, or a bearer token from
    /// its token service) once and retries.
    fn send(&mut self, what: &str, build: impl Fn(&Client) -> RequestBuilder) -> Result<Response> {
        let attempt = |this: &Self| {
            let mut request = build(&this.client);
            if let Some(token) = &this.bearer {
                request = request.bearer_auth(token);
            }
            request.send().map_err(|e| {
                Error::Remote(format!(
                    "{what}: cannot reach {}: {e}: check the registry address (use --plain-http for a registry without TLS)",
                    this.registry
                ))
            })
        };
        let response = attempt(self)?;
        tracing::debug!(what, status = %response.status(), url = %response.url(), "registry answered");
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let challenge = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let Some((user, password)) = self.basic.clone() else {
            if !challenge.to_ascii_lowercase().starts_with("bearer") {
                return Err(self.denied(what));
            }
            // Anonymous bearer tokens: public repositories on GHCR, Docker Hub and others.
            self.bearer = Some(self.token(&challenge, None)?);
            return self.finish(what, attempt(self)?);
        };
        if challenge.to_ascii_lowercase().starts_with("bearer") {
            self.bearer = Some(self.token(&challenge, Some((&user, &password)))?);
            return self.finish(what, attempt(self)?);
        }
        let response = build(&self.client)
            .basic_auth(&user, Some(&password))
            .send()
            .map_err(|e| Error::Remote(format!("{what}: {e}")))?;
        self.finish(what, response)
    }

    fn finish(&self, what: &str, response: Response) -> Result<Response> {
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(self.denied(what));
        }
        Ok(response)
    }

    fn denied(&self, what: &str) -> Error {
        Error::Remote(format!(
            "{what}: {} refused the credentials (401): log in with `docker login {}` or pass --username and --password",
            self.registry, self.registry
        ))
    }

    /// Asks the token service named in a `Bearer realm=...,service=...,scope=...` challenge.
    fn token(&self, challenge: &str, basic: Option<(&str, &str)>) -> Result<String> {
        let params = parse_challenge(challenge);
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                Error::Remote(format!(
                    "{} asked for a bearer token without a realm: {challenge}",
                    self.registry
                ))
            })?;
        let query: Vec<(String, String)> = params
            .into_iter()
            .filter(|(k, _)| k == "service" || k == "scope")
            .collect();
        let url = reqwest::Url::parse_with_params(&realm, &query).map_err(|e| {
            Error::Remote(format!(
                "{} named an invalid token realm {realm}: {e}",
                self.registry
            ))
        })?;
        let mut request = self.client.get(url);
        if let Some((user, password)) = basic {
            request = request.basic_auth(user, Some(password));
        }
        let response = request
            .send()
            .map_err(|e| Error::Remote(format!("getting a token from {realm}: {e}")))?;
        if !response.status().is_success() {
            return Err(self.denied("getting a registry token"));
        }
        let body: serde_json::Value = response
            .json()
            .map_err(|e| Error::Remote(format!("reading the token from {realm}: {e}")))?;
        body["token"]
            .as_str()
            .or_else(|| body["access_token"].as_str())
            .map(str::to_string)
            .ok_or_else(|| Error::Remote(format!("{realm} answered without a token")))
    }

    /// Uploads a blob unless the registry has it already.
    fn push_blob(&mut self, bytes: &[u8], digest: &str) -> Result<()> {
        let url = format!("{}/blobs/{digest}", self.base);
        let head = self.send("checking a blob", |c| c.head(&url))?;
        if head.status().is_success() {
            return Ok(());
        }
        let start = format!("{}/blobs/uploads/", self.base);
        let response = self.send("starting a blob upload", |c| c.post(&start))?;
        let response = expect(response, &[StatusCode::ACCEPTED], "starting a blob upload")?;
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::Remote("the registry started an upload without a Location".into())
            })?;
        let mut upload = if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else {
            let origin = self.base.split("/v2/").next().unwrap_or_default();
            format!("{origin}{location}")
        };
        upload.push(if upload.contains('?') { '&' } else { '?' });
        upload.push_str(&format!("digest={digest}"));
        let body = bytes.to_vec();
        let response = self.send("uploading a blob", |c| {
            c.put(&upload)
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body.clone())
        })?;
        expect(response, &[StatusCode::CREATED], "uploading a blob")?;
        Ok(())
    }
}

/// `Bearer realm="x",service="y"` -> `[(realm, x), (service, y)]`.
fn parse_challenge(challenge: &str) -> Vec<(String, String)> {
    let rest = challenge
        .split_once(' ')
        .map(|(_, r)| r)
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect::<String>();
        let key = key.trim().trim_start_matches(',').trim().to_string();
        if key.is_empty() {
            break;
        }
        let value: String = if chars.peek() == Some(&'"') {
            chars.next();
            let v = chars.by_ref().take_while(|c| *c != '"').collect();
            // Skip the comma after the closing quote.
            if chars.peek() == Some(&',') {
                chars.next();
            }
            v
        } else {
            chars.by_ref().take_while(|c| *c != ',').collect()
        };
        out.push((key, value));
    }
    out
}

/// Fails unless the response's status is one of `ok`, quoting the registry's error body.
fn expect(response: Response, ok: &[StatusCode], what: &str) -> Result<Response> {
    if ok.contains(&response.status()) {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().unwrap_or_default();
    Err(Error::Remote(format!(
        "{what}: the registry answered {status}: {}",
        body.trim().chars().take(500).collect::<String>()
    )))
}

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
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub annotations: std::collections::BTreeMap<String, String>,
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
    pub annotations: std::collections::BTreeMap<String, String>,
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
    let digest = format!("sha256:{}", sha256_hex(&manifest));

    let spinner = ui.spinner(format!("Pushing {reference}"));
    let mut registry = Registry::new(&reference, &options.registry)?;
    spinner.set(format!("Pushing {reference}: config"));
    registry.push_blob(&config, &format!("sha256:{}", sha256_hex(&config)))?;
    spinner.set(format!(
        "Pushing {reference}: component ({} bytes)",
        wasm.len()
    ));
    let layer_digest = format!("sha256:{}", sha256_hex(&wasm));
    registry.push_blob(&wasm, &layer_digest)?;
    spinner.set(format!("Pushing {reference}: manifest"));
    let url = format!("{}/manifests/{tag}", registry.base);
    let response = registry.send("pushing the manifest", |c| {
        c.put(&url)
            .header(CONTENT_TYPE, MANIFEST_MEDIA_TYPE)
            .body(manifest.clone())
    })?;
    let response = expect(
        response,
        &[StatusCode::CREATED, StatusCode::OK],
        "pushing the manifest",
    )?;
    if let Some(theirs) = header(response.headers(), "docker-content-digest")
        && theirs != digest
    {
        return Err(Error::Integrity(format!(
            "the registry stored the manifest as {theirs}, not {digest}: it rewrote the manifest; pin {theirs} or use another registry"
        )));
    }
    Ok(PublishReport {
        reference: reference.to_string(),
        digest,
        layer_digest,
        size: wasm.len() as u64,
    })
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_string)
}

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

/// Fetches the manifest and component of `reference`, checking every digest; `expected` pins
/// the manifest digest.
pub fn pull(
    reference: &Reference,
    options: &RegistryOptions,
    expected: Option<&str>,
) -> Result<Pulled> {
    let mut registry = Registry::new(reference, options)?;
    let Some(tag_or_digest) = reference.reference() else {
        return Err(Error::Usage(format!(
            "{reference} names no tag or digest: add :TAG or @sha256:DIGEST"
        )));
    };
    let url = format!("{}/manifests/{tag_or_digest}", registry.base);
    let response = registry.send("fetching the manifest", |c| {
        c.get(&url).header(ACCEPT, MANIFEST_MEDIA_TYPE)
    })?;
    if response.status() == StatusCode::NOT_FOUND {
        let tags = list_tags(&mut registry).unwrap_or_default();
        let known = if tags.is_empty() {
            "the repository has no tags (nothing was published there, or the name is wrong)"
                .to_string()
        } else {
            format!("tags published there: {}", tags.join(", "))
        };
        return Err(Error::Remote(format!(
            "{reference}: `{tag_or_digest}` not found in {}/{}; {known}",
            reference.registry, reference.repository
        )));
    }
    let response = expect(response, &[StatusCode::OK], "fetching the manifest")?;
    let body = response
        .bytes()
        .map_err(|e| Error::Remote(format!("reading the manifest of {reference}: {e}")))?;
    let digest = format!("sha256:{}", sha256_hex(&body));
    for (what, want) in [
        ("the reference", reference.digest.as_deref()),
        ("--digest", expected),
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
    let blob_url = format!("{}/blobs/{}", registry.base, layer.digest);
    let response = registry.send("fetching the component", |c| c.get(&blob_url))?;
    let response = expect(response, &[StatusCode::OK], "fetching the component")?;
    let wasm = response
        .bytes()
        .map_err(|e| Error::Remote(format!("reading the component of {reference}: {e}")))?
        .to_vec();
    let actual = format!("sha256:{}", sha256_hex(&wasm));
    if actual != layer.digest || wasm.len() as u64 != layer.size {
        return Err(Error::Integrity(format!(
            "digest mismatch for the component of {reference}: the manifest lists {} ({} bytes) but the registry sent {actual} ({} bytes); refusing to install it",
            layer.digest,
            layer.size,
            wasm.len()
        )));
    }
    Ok(Pulled {
        digest,
        manifest,
        wasm,
    })
}

/// The tags of `reference`'s repository (its tag and digest are ignored).
pub fn tags(reference: &Reference, options: &RegistryOptions) -> Result<Vec<String>> {
    let mut registry = Registry::new(reference, options)?;
    let url = format!("{}/tags/list", registry.base);
    let response = registry.send("listing tags", |c| c.get(&url))?;
    if response.status() == StatusCode::NOT_FOUND {
        return Err(Error::Remote(format!(
            "{}/{} does not exist in the registry any more: reinstall the plugin from where it moved",
            reference.registry, reference.repository
        )));
    }
    let response = expect(response, &[StatusCode::OK], "listing tags")?;
    let body: serde_json::Value = response
        .json()
        .map_err(|e| Error::Remote(format!("reading the tag list of {reference}: {e}")))?;
    Ok(body["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect())
}

fn list_tags(registry: &mut Registry) -> Result<Vec<String>> {
    let url = format!("{}/tags/list", registry.base);
    let response = registry.send("listing tags", |c| c.get(&url))?;
    if !response.status().is_success() {
        return Ok(Vec::new());
    }
    let body: serde_json::Value = response
        .json()
        .map_err(|e| Error::Remote(format!("reading the tag list: {e}")))?;
    Ok(body["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_reference_with_port_path_and_tag() {
        let r = Reference::parse("oci://127.0.0.1:5000/team/my-plugin:0.1.0").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/my-plugin");
        assert_eq!(r.tag.as_deref(), Some("0.1.0"));
        assert_eq!(r.digest, None);
    }

    #[test]
    fn parses_a_reference_by_digest() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("ghcr.io/me/p@{digest}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.digest, Some(digest));
    }

    #[test]
    fn refuses_a_reference_without_repository() {
        let err = Reference::parse("oci://ghcr.io").unwrap_err();
        assert!(
            err.to_string().contains("oci://REGISTRY/REPOSITORY:TAG"),
            "{err}"
        );
    }

    #[test]
    fn reads_a_bearer_challenge() {
        let params = parse_challenge(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:me/p:pull""#,
        );
        assert_eq!(
            params,
            vec![
                ("realm".to_string(), "https://ghcr.io/token".to_string()),
                ("service".to_string(), "ghcr.io".to_string()),
                ("scope".to_string(), "repository:me/p:pull".to_string()),
            ]
        );
    }
}
