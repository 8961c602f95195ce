//! Whose credentials a cluster call uses, and how a request says who is asking.
//!
//! In local (desktop) mode every call uses the kubeconfig's own credentials. In web mode the
//! viewer's bearer token (an `Authorization: Bearer` header, or the `headlamp-token` cookie set
//! after login) is used for every cluster call, so the API server's RBAC decides what a viewer
//! sees. Tokens never reach plugins: a plugin's cluster calls run as the identity of the request
//! being served, chosen here, and the plugin only ever sees objects.

use std::fmt;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use sha2::{Digest, Sha256};

/// The cookie the login page sets, for browsers that cannot send a header on a WebSocket.
pub const TOKEN_COOKIE: &str = "headlamp-token";

/// A viewer's bearer token. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BearerToken(Arc<str>);

impl BearerToken {
    /// Wraps a token as received.
    pub fn new(token: impl Into<Arc<str>>) -> Self {
        Self(token.into())
    }

    /// The token itself, for the `Authorization` header of a cluster call.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BearerToken(sha256:{})", short_hash(&self.0))
    }
}

/// Whose credentials a cluster call uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Identity {
    /// The kubeconfig's (or the in-cluster service account's) own credentials.
    #[default]
    Kernel,
    /// A viewer's bearer token.
    Bearer(BearerToken),
}

impl Identity {
    /// A name for logs and cache keys that does not reveal the token.
    pub fn label(&self) -> String {
        match self {
            Identity::Kernel => "kernel".to_string(),
            Identity::Bearer(token) => format!("token:{}", short_hash(token.secret())),
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

fn short_hash(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..6])
}

/// How the kernel decides who a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Desktop/local: a token is used when sent, otherwise the kubeconfig's credentials.
    #[default]
    Local,
    /// Web/in-cluster: every request must carry the viewer's token.
    Token,
}

/// The identity of the request being served (an axum extractor).
#[derive(Debug, Clone)]
pub struct Viewer(pub Identity);

/// Why a request has no usable identity.
#[derive(Debug, thiserror::Error)]
#[error(
    "this kernel runs in web mode and the request carries no token: send `Authorization: Bearer \
     TOKEN` or log in so the `{TOKEN_COOKIE}` cookie is set"
)]
pub struct MissingToken;

impl axum::response::IntoResponse for MissingToken {
    fn into_response(self) -> axum::response::Response {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

impl Viewer {
    /// The identity `headers` carry under `mode`.
    pub fn from_headers(headers: &HeaderMap, mode: AuthMode) -> Result<Self, MissingToken> {
        match (token_in(headers), mode) {
            (Some(token), _) => Ok(Viewer(Identity::Bearer(token))),
            (None, AuthMode::Local) => Ok(Viewer(Identity::Kernel)),
            (None, AuthMode::Token) => Err(MissingToken),
        }
    }
}

impl<S> FromRequestParts<S> for Viewer
where
    AuthMode: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = MissingToken;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Viewer::from_headers(&parts.headers, AuthMode::from_ref(state))
    }
}

/// The bearer token of the `Authorization` header, else of the login cookie.
fn token_in(headers: &HeaderMap) -> Option<BearerToken> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let from_cookie = || cookie(headers, TOKEN_COOKIE).filter(|t| !t.is_empty());
    from_header.or_else(from_cookie).map(BearerToken::new)
}

/// The value of cookie `name` among the request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_authorization_header_names_the_viewer() {
        let viewer = Viewer::from_headers(
            &headers(&[("authorization", "Bearer abc")]),
            AuthMode::Token,
        );
        assert_eq!(viewer.unwrap().0, Identity::Bearer(BearerToken::new("abc")));
    }

    #[test]
    fn the_login_cookie_names_the_viewer_when_there_is_no_header() {
        let viewer = Viewer::from_headers(
            &headers(&[("cookie", "theme=dark; headlamp-token=xyz")]),
            AuthMode::Token,
        );
        assert_eq!(viewer.unwrap().0, Identity::Bearer(BearerToken::new("xyz")));
    }

    #[test]
    fn local_mode_without_a_token_uses_the_kubeconfig_credentials() {
        let viewer = Viewer::from_headers(&HeaderMap::new(), AuthMode::Local).unwrap();
        assert_eq!(viewer.0, Identity::Kernel);
    }

    #[test]
    fn web_mode_without_a_token_is_refused_with_how_to_log_in() {
        let error = Viewer::from_headers(&HeaderMap::new(), AuthMode::Token).unwrap_err();
        assert!(error.to_string().contains("Authorization: Bearer"));
    }

    #[test]
    fn a_token_never_appears_in_debug_output() {
        let identity = Identity::Bearer(BearerToken::new("s3cret-token"));
        assert!(!format!("{identity:?} {identity}").contains("s3cret"));
    }
}
