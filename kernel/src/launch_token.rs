//! The per-run token of a kernel started by a desktop app on a loopback port.
//!
//! A loopback port is open to every process of the machine (and, through DNS rebinding, to web
//! pages of the user's browser). The kernel runs in local mode there, with the kubeconfig's
//! credentials, so without a guard any local process could act on the user's clusters. The
//! launcher (the desktop app) makes a random token for each run; every request must then carry
//! it. The window receives it once, in the query of the first URL (`/?launch-token=T`): the
//! kernel answers with a cookie holding the token and a redirect to the same URL without it, so
//! the UI's own requests (fetches, the WebSocket) carry the cookie without knowing about it.
//! Scripts send the `x-headlamp-launch-token` header instead.
//!
//! It is a separate credential from the viewer's bearer token of [`crate::identity`]: in local
//! mode a bearer token is passed on to the cluster, and this token must never leave the kernel.

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::identity::cookie;

/// The query parameter of the window's first URL.
pub const QUERY: &str = "launch-token";
/// The cookie the kernel sets once the query's token is checked.
pub const COOKIE: &str = "headlamp-launch";
/// The header scripts and tests send the token in.
pub const HEADER: &str = "x-headlamp-launch-token";

/// A random per-run token. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct LaunchToken(Arc<str>);

impl LaunchToken {
    /// A fresh token: 244 random bits (two v4 UUIDs) as 64 hex digits.
    pub fn random() -> Self {
        let mut bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self(hex::encode(bytes).into())
    }

    /// The token itself, to hand to the window (or to a test's client).
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The URL a window opens first: `base` (ending in `/`) with the token in its query.
    pub fn entry_url(&self, base: &str) -> String {
        format!("{base}?{QUERY}={}", self.0)
    }

    /// Whether `sent` is this token, compared in constant time.
    fn matches(&self, sent: &str) -> bool {
        // Comparing digests keeps the time independent of where the strings differ.
        let a = Sha256::digest(self.0.as_bytes());
        let b = Sha256::digest(sent.as_bytes());
        a.iter()
            .zip(b.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
    }
}

impl fmt::Debug for LaunchToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LaunchToken(<hidden>)")
    }
}

/// Puts every route of `app` behind `token` (see the module's documentation).
pub fn gate(app: Router, token: LaunchToken) -> Router {
    app.layer(middleware::from_fn_with_state(token, require_token))
}

async fn require_token(
    State(token): State<LaunchToken>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(sent) = query_token(request.uri()) {
        return if token.matches(sent) {
            enter(request.uri(), &token)
        } else {
            refuse()
        };
    }
    if sent_token(request.headers()).is_some_and(|sent| token.matches(sent)) {
        // The routes behind never see it, so the proxy cannot pass it on to a cluster.
        request.headers_mut().remove(HEADER);
        next.run(request).await
    } else {
        refuse()
    }
}

/// The token of the `x-headlamp-launch-token` header, else of the cookie.
fn sent_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| cookie(headers, COOKIE))
}

fn query_token(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix(QUERY)?.strip_prefix('='))
}

/// The answer to the first URL: the cookie, and the same URL without the token, so that it
/// is neither kept in the history nor shown.
fn enter(uri: &Uri, token: &LaunchToken) -> Response {
    let rest: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with(&format!("{QUERY}=")))
        .collect();
    let location = if rest.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), rest.join("&"))
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
        token.secret()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(location), Ok(cookie)) = (
        HeaderValue::from_str(&location),
        HeaderValue::from_str(&cookie),
    ) {
        headers.insert(header::LOCATION, location);
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

fn refuse() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(serde_json::json!({
            "error": format!(
                "this kernel belongs to a desktop window and needs its launch token: open the \
                 URL the app printed, or send the `{HEADER}` header"
            )
        })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app(token: &LaunchToken) -> Router {
        gate(
            Router::new().route("/api/x", get(|| async { "x" })),
            token.clone(),
        )
    }

    async fn status(app: Router, request: axum::http::Request<Body>) -> Response {
        app.oneshot(request).await.unwrap()
    }

    fn get_req(uri: &str) -> axum::http::request::Builder {
        axum::http::Request::get(uri)
    }

    #[test]
    fn two_tokens_differ_and_are_long() {
        let (a, b) = (LaunchToken::random(), LaunchToken::random());
        assert_ne!(a, b);
        assert_eq!(a.secret().len(), 64);
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let token = LaunchToken::random();
        assert!(!format!("{token:?}").contains(token.secret()));
    }

    #[tokio::test]
    async fn a_request_without_the_token_is_refused() {
        let token = LaunchToken::random();
        let answer = status(app(&token), get_req("/api/x").body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn a_request_with_another_token_is_refused() {
        let token = LaunchToken::random();
        let request = get_req("/api/x")
            .header(HEADER, LaunchToken::random().secret())
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            status(app(&token), request).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[tokio::test]
    async fn the_header_lets_a_request_through() {
        let token = LaunchToken::random();
        let request = get_req("/api/x")
            .header(HEADER, token.secret())
            .body(Body::empty())
            .unwrap();
        assert_eq!(status(app(&token), request).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn the_header_does_not_reach_the_routes_behind_the_gate() {
        let token = LaunchToken::random();
        let echo = Router::new().route(
            "/api/x",
            get(|headers: HeaderMap| async move { headers.contains_key(HEADER).to_string() }),
        );
        let request = get_req("/api/x")
            .header(HEADER, token.secret())
            .body(Body::empty())
            .unwrap();
        let answer = status(gate(echo, token), request).await;
        let body = axum::body::to_bytes(answer.into_body(), 64).await.unwrap();
        assert_eq!(&body[..], b"false");
    }

    #[tokio::test]
    async fn the_cookie_lets_a_request_through() {
        let token = LaunchToken::random();
        let request = get_req("/api/x")
            .header(header::COOKIE, format!("a=b; {COOKIE}={}", token.secret()))
            .body(Body::empty())
            .unwrap();
        assert_eq!(status(app(&token), request).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn the_entry_url_sets_the_cookie_and_drops_the_token_from_the_url() {
        let token = LaunchToken::random();
        let url = token.entry_url("/c/demo/pods");
        let answer = status(
            app(&token),
            get_req(&format!("{url}&ns=default"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            answer.headers()[header::LOCATION],
            "/c/demo/pods?ns=default"
        );
        let cookie = answer.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with(&format!("{COOKIE}={};", token.secret())));
        assert!(cookie.contains("HttpOnly"));
    }

    #[tokio::test]
    async fn an_entry_url_with_a_wrong_token_sets_no_cookie() {
        let token = LaunchToken::random();
        let url = LaunchToken::random().entry_url("/");
        let answer = status(app(&token), get_req(&url).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        assert!(!answer.headers().contains_key(header::SET_COOKIE));
    }
}
