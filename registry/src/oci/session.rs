//! One conversation with a registry: its base URL, the credentials, and the bearer token once
//! its token service issued one.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};

use super::Reference;
use crate::{Error, Result};

/// How to reach and log in to a registry.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// User name; with `password`, wins over Docker's config file.
    pub username: Option<String>,
    /// Password or token.
    pub password: Option<String>,
    /// Use `http://` (always done for loopback registries, which are served without TLS).
    pub plain_http: bool,
    /// Docker's config file (default: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

/// Builds the HTTP client, installing the TLS provider the workspace leaves out.
pub fn http_client() -> Result<Client> {
    // Errors only when another provider is installed already, which serves as well.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(Duration::from_secs(300))
        // A registry that drops packets should not hold a caller for the whole timeout.
        .connect_timeout(Duration::from_secs(30))
        .user_agent(concat!("headlamp-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Remote(format!("creating the HTTP client: {e}")))
}

/// A registry session for one repository.
pub struct Session {
    client: Client,
    /// `scheme://host[:port]/v2/repository`.
    pub(crate) base: String,
    pub(crate) registry: String,
    basic: Option<(String, String)>,
    bearer: Option<String>,
}

impl Session {
    /// A session for `reference`'s repository; credentials come from `options`, else from
    /// Docker's config file and credential helpers.
    pub fn new(reference: &Reference, options: &RegistryOptions) -> Result<Self> {
        let scheme = if options.plain_http || reference.is_loopback() {
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
    pub(crate) fn send(
        &mut self,
        what: &str,
        build: impl Fn(&Client) -> RequestBuilder,
    ) -> Result<Response> {
        let attempt = |this: &Self| {
            let mut request = build(&this.client);
            if let Some(token) = &this.bearer {
                request = request.bearer_auth(token);
            }
            request.send().map_err(|e| this.unreachable(what, e))
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
        let bearer = challenge.to_ascii_lowercase().starts_with("bearer");
        let Some((user, password)) = self.basic.clone() else {
            if !bearer {
                return Err(self.denied(what));
            }
            // Anonymous bearer tokens: public repositories on GHCR, Docker Hub and others.
            self.bearer = Some(self.token(&challenge, None)?);
            return self.finish(what, attempt(self)?);
        };
        if bearer {
            self.bearer = Some(self.token(&challenge, Some((&user, &password)))?);
            return self.finish(what, attempt(self)?);
        }
        let response = build(&self.client)
            .basic_auth(&user, Some(&password))
            .send()
            .map_err(|e| self.unreachable(what, e))?;
        self.finish(what, response)
    }

    fn finish(&self, what: &str, response: Response) -> Result<Response> {
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(self.denied(what));
        }
        Ok(response)
    }

    fn denied(&self, what: &str) -> Error {
        Error::Denied {
            what: what.to_string(),
            registry: self.registry.clone(),
        }
    }

    fn unreachable(&self, what: &str, error: reqwest::Error) -> Error {
        Error::Unreachable {
            what: what.to_string(),
            registry: self.registry.clone(),
            reason: error_chain(&error),
        }
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
    pub fn push_blob(&mut self, bytes: &[u8], digest: &str) -> Result<()> {
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

    /// The repository's tags.
    pub fn tags(&mut self) -> Result<Vec<String>> {
        let url = format!("{}/tags/list", self.base);
        let response = self.send("listing tags", |c| c.get(&url))?;
        if response.status() == StatusCode::NOT_FOUND {
            let repository = self.base.split("/v2/").nth(1).unwrap_or_default();
            return Err(Error::Remote(format!(
                "{}/{repository} does not exist in the registry any more: reinstall the plugin from where it moved",
                self.registry
            )));
        }
        let response = expect(response, &[StatusCode::OK], "listing tags")?;
        let body: serde_json::Value = response
            .json()
            .map_err(|e| Error::Remote(format!("reading the tag list of {}: {e}", self.base)))?;
        Ok(body["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect())
    }
}

/// The error and its causes on one line: reqwest's own message hides "connection refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
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
pub(crate) fn expect(response: Response, ok: &[StatusCode], what: &str) -> Result<Response> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
