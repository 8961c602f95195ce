//! Defences against cross-site requests: a CSRF token on mutating endpoints and an Origin
//! check on the WebSocket.
//!
//! The token is an HMAC of the viewer's identity under a key the kernel holds, so it needs no
//! session store: replicas that share the key (`--csrf-secret`) accept each other's tokens. A
//! page on another site cannot read `GET /api/v1/csrf` (no CORS), so it cannot forge the header.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::identity::{AuthMode, Identity, Viewer};

/// The header a mutating request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The key CSRF tokens are signed with.
#[derive(Clone)]
pub struct CsrfKey(Vec<u8>);

impl CsrfKey {
    /// A key from configuration (shared by replicas).
    pub fn from_secret(secret: &str) -> Self {
        Self(secret.as_bytes().to_vec())
    }

    /// A fresh random key: tokens are valid for this process only.
    pub fn random() -> Self {
        let mut bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self(bytes)
    }

    fn mac(&self, identity: &Identity) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        match identity {
            Identity::Kernel => mac.update(b"kernel"),
            Identity::Bearer(token) => {
                mac.update(b"bearer:");
                mac.update(token.secret().as_bytes());
            }
        }
        mac
    }

    /// The token `identity` must send on mutating requests.
    pub fn token_for(&self, identity: &Identity) -> String {
        hex::encode(self.mac(identity).finalize().into_bytes())
    }

    /// Whether `token` is the one issued to `identity` (compared in constant time).
    pub fn verify(&self, identity: &Identity, token: &str) -> bool {
        match hex::decode(token) {
            Ok(bytes) => self.mac(identity).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

/// A request whose identity sent a valid CSRF token (an axum extractor for mutating routes).
#[derive(Debug, Clone)]
pub struct Checked(pub Identity);

/// Why a mutating request was refused.
#[derive(Debug, thiserror::Error)]
pub enum CsrfRejection {
    /// No identity.
    #[error(transparent)]
    Identity(#[from] crate::identity::MissingToken),
    /// No or a wrong token.
    #[error(
        "this request changes something and needs the `{CSRF_HEADER}` header: get the token from \
         GET /api/v1/csrf (as the same viewer) and send it"
    )]
    Token,
}

impl axum::response::IntoResponse for CsrfRejection {
    fn into_response(self) -> axum::response::Response {
        let status = match self {
            CsrfRejection::Identity(_) => StatusCode::UNAUTHORIZED,
            CsrfRejection::Token => StatusCode::FORBIDDEN,
        };
        (
            status,
            axum::Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

impl<S> FromRequestParts<S> for Checked
where
    AuthMode: FromRef<S>,
    CsrfKey: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Viewer(identity) = Viewer::from_headers(&parts.headers, AuthMode::from_ref(state))?;
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or(CsrfRejection::Token)?;
        if CsrfKey::from_ref(state).verify(&identity, sent) {
            Ok(Checked(identity))
        } else {
            Err(CsrfRejection::Token)
        }
    }
}

/// Whether a WebSocket upgrade may proceed: a browser always sends `Origin`, and it must be the
/// kernel's own (same host as the request) or one the operator allowed. Non-browser clients
/// send no Origin and are judged by their token alone.
pub fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if allowed.iter().any(|a| a == origin) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o == h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::BearerToken;

    #[test]
    fn a_token_is_valid_for_the_identity_it_was_issued_to() {
        let key = CsrfKey::random();
        let token = key.token_for(&Identity::Kernel);
        assert!(key.verify(&Identity::Kernel, &token));
    }

    #[test]
    fn a_token_is_refused_for_another_viewer() {
        let key = CsrfKey::random();
        let alice = Identity::Bearer(BearerToken::new("alice"));
        let bob = Identity::Bearer(BearerToken::new("bob"));
        assert!(!key.verify(&bob, &key.token_for(&alice)));
    }

    #[test]
    fn replicas_sharing_a_secret_accept_each_others_tokens() {
        let one = CsrfKey::from_secret("shared");
        let two = CsrfKey::from_secret("shared");
        assert!(two.verify(&Identity::Kernel, &one.token_for(&Identity::Kernel)));
    }

    fn upgrade(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        if let Some(o) = origin {
            headers.insert(header::ORIGIN, o.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_kernels_own_page_may_open_the_websocket() {
        assert!(origin_allowed(
            &upgrade(Some("http://127.0.0.1:4466"), "127.0.0.1:4466"),
            &[]
        ));
    }

    #[test]
    fn another_sites_page_may_not_open_the_websocket() {
        assert!(!origin_allowed(
            &upgrade(Some("https://evil.example"), "127.0.0.1:4466"),
            &[]
        ));
    }

    #[test]
    fn an_allowed_origin_may_open_the_websocket() {
        let allowed = vec!["https://headlamp.example".to_string()];
        assert!(origin_allowed(
            &upgrade(Some("https://headlamp.example"), "10.0.0.5:4466"),
            &allowed
        ));
    }
}
