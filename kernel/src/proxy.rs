//! `/clusters/{cluster}/{path..}`: a pass-through to the cluster's API server, so that
//! `kubectl` (or any Kubernetes client) can use the kernel as its server.
//!
//! Any method, query, header and body is forwarded; the answer streams back as it arrives, so
//! watches and `logs -f` flow live. Protocol upgrades (exec, attach, port-forward over
//! WebSocket or SPDY) are forwarded as upgrades: once both sides switched protocols, bytes are
//! copied both ways untouched.
//!
//! Credentials: the viewer's bearer token when the request carries one (it then replaces the
//! kubeconfig's credentials entirely), otherwise — in local mode only — the kubeconfig's own.
//! The incoming `Authorization` and `Cookie` never reach the API server; the upstream
//! client adds its own.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use hyper_util::rt::TokioIo;

use crate::api::AppState;
use crate::cluster::{Cluster, ClusterError, ClusterRegistry};
use crate::csrf::{CSRF_HEADER, CsrfKey, origin_allowed};
use crate::identity::{AuthMode, MissingToken, Viewer};

/// The largest request body forwarded. Request bodies are buffered (the upstream client
/// takes whole bodies); the API server itself refuses bodies above 3 MiB.
pub const MAX_BODY: usize = 16 << 20;

/// What the proxy needs: the clusters and who may use them.
#[derive(Clone)]
pub struct ProxyState {
    /// The clusters requests are forwarded to.
    pub clusters: Arc<ClusterRegistry>,
    /// Whether a request must carry a viewer's token.
    pub auth: AuthMode,
    /// Verifies the CSRF token of mutating requests authenticated by the login cookie.
    pub csrf: CsrfKey,
    /// Origins besides the kernel's own whose pages may use the proxy.
    pub allowed_origins: Arc<[String]>,
}

impl ProxyState {
    /// The proxy's share of the API's state.
    pub fn from_app(state: &AppState) -> Self {
        Self {
            clusters: state.host.clusters().clone(),
            auth: state.auth,
            csrf: state.csrf.clone(),
            allowed_origins: state.allowed_origins.clone(),
        }
    }
}

/// The routes `/clusters/{cluster}` and `/clusters/{cluster}/{*path}`, any method.
pub fn router(state: ProxyState) -> Router {
    Router::new()
        .route("/clusters/{cluster}", any(forward))
        .route("/clusters/{cluster}/{*path}", any(forward))
        .with_state(state)
}

/// Why a request was not forwarded. Answered as JSON `{"error": ...}`.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The path tries to leave the API server's path space.
    #[error(
        "the path {path:?} is refused by the proxy: {reason}; send a plain API path such as \
         /clusters/CLUSTER/api/v1/pods"
    )]
    BadPath {
        /// The path as received.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No identity in web mode.
    #[error(transparent)]
    MissingToken(#[from] MissingToken),
    /// A page of another site tried to use the proxy.
    #[error(
        "a page from {0} may not use this kernel's proxy: open the UI from the kernel's own \
         address, or start the kernel with --allowed-origin {0}"
    )]
    Origin(String),
    /// A cookie-authenticated change without the CSRF token.
    #[error(
        "this request changes something and is authenticated by the login cookie, so it needs \
         the `{CSRF_HEADER}` header: get the token from GET /api/v1/csrf and send it, or send \
         `Authorization: Bearer TOKEN` instead of the cookie"
    )]
    Csrf,
    /// The cluster is unknown or cannot be used.
    #[error("{0}")]
    Cluster(#[from] ClusterError),
    /// The request body could not be read or is too large.
    #[error(
        "the request body could not be read or is larger than {MAX_BODY} bytes ({0}); send \
         smaller objects"
    )]
    Body(String),
    /// The API server could not be reached.
    #[error(
        "cluster {cluster} could not be reached at {server}: {reason}; check that its API \
         server runs and that the kubeconfig's server address is right"
    )]
    Unreachable {
        /// The cluster's name.
        cluster: String,
        /// Its API server's address.
        server: String,
        /// What failed.
        reason: String,
    },
}

impl ProxyError {
    fn status(&self) -> StatusCode {
        match self {
            ProxyError::BadPath { .. } => StatusCode::BAD_REQUEST,
            ProxyError::MissingToken(_) => StatusCode::UNAUTHORIZED,
            ProxyError::Origin(_) | ProxyError::Csrf => StatusCode::FORBIDDEN,
            ProxyError::Cluster(ClusterError::UnknownCluster(_)) => StatusCode::NOT_FOUND,
            ProxyError::Cluster(_) | ProxyError::Unreachable { .. } => StatusCode::BAD_GATEWAY,
            ProxyError::Body(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let message = match &self {
            ProxyError::Cluster(ClusterError::UnknownCluster(name)) => format!(
                "no cluster named {name:?} is configured: GET /api/v1/clusters lists the \
                 clusters this kernel serves"
            ),
            other => other.to_string(),
        };
        (
            self.status(),
            axum::Json(serde_json::json!({ "error": message })),
        )
            .into_response()
    }
}

/// Where a proxied request goes: the cluster's name and the API server's path and query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The cluster, percent-decoded.
    pub cluster: String,
    /// The path and query sent to the API server, as received (still encoded).
    pub path_and_query: String,
}

/// Splits `/clusters/{cluster}/{rest}` and refuses anything that could leave the API
/// server's path space once a server or another proxy normalises it: `.` and `..` segments
/// (also percent-encoded), encoded slashes and backslashes, empty segments (`//host`) and
/// absolute URLs.
pub fn target(uri: &Uri) -> Result<Target, ProxyError> {
    let path = uri.path();
    let bad = |reason| ProxyError::BadPath {
        path: path.to_string(),
        reason,
    };
    let rest = path
        .strip_prefix("/clusters/")
        .ok_or_else(|| bad("it does not start with /clusters/"))?;
    let (cluster, api_path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let cluster = percent_decode(cluster).ok_or_else(|| bad("it has a broken %-escape"))?;
    if cluster.is_empty() {
        return Err(bad("it names no cluster"));
    }
    let segments: Vec<&str> = api_path[1..].split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let decoded = percent_decode(segment).ok_or_else(|| bad("it has a broken %-escape"))?;
        if decoded == "." || decoded == ".." {
            return Err(bad("it has a `.` or `..` segment"));
        }
        if decoded.contains(['/', '\\']) {
            return Err(bad("it has an encoded slash or a backslash"));
        }
        if decoded.is_empty() && i + 1 < segments.len() {
            return Err(bad("it has an empty segment (`//`)"));
        }
        if i == 0 && decoded.contains(':') {
            return Err(bad("it is an absolute URL, not an API path"));
        }
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{api_path}?{query}"),
        None => api_path.to_string(),
    };
    Ok(Target {
        cluster,
        path_and_query,
    })
}

/// Decodes `%XX` escapes; None when an escape is broken or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Headers that describe one connection, not the message (RFC 9110 7.6.1), plus the ones the
/// proxy replaces: the viewer's credentials and the kernel's own CSRF token.
const NOT_FORWARDED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "authorization",
    "cookie",
    CSRF_HEADER,
];

/// The headers to pass on: hop-by-hop ones and those `Connection` names are dropped; for an
/// upgrade, `Connection: Upgrade` and the `Upgrade` header are kept.
fn forwardable(headers: &HeaderMap, upgrade: Option<&HeaderValue>) -> HeaderMap {
    let named_by_connection: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.as_str();
        if NOT_FORWARDED.contains(&lower) || named_by_connection.iter().any(|n| n == lower) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    if let Some(protocol) = upgrade {
        out.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        out.insert(header::UPGRADE, protocol.clone());
    }
    out
}

/// The protocol an upgrade request asks for (`websocket`, `SPDY/3.1`), if it is one.
fn upgrade_protocol(headers: &HeaderMap) -> Option<HeaderValue> {
    let connection_says_upgrade = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    connection_says_upgrade
        .then(|| headers.get(header::UPGRADE).cloned())
        .flatten()
}

fn is_mutating(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn forward(State(state): State<ProxyState>, request: Request) -> Response {
    match try_forward(&state, request).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn try_forward(state: &ProxyState, mut request: Request) -> Result<Response, ProxyError> {
    let headers = request.headers();
    // A browser page of another site must not ride on the viewer's cookie or the kernel's
    // credentials (exec and port-forward are GET upgrades, so this is not only about writes).
    if !origin_allowed(headers, &state.allowed_origins) {
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("another site");
        return Err(ProxyError::Origin(origin.to_string()));
    }
    let Viewer(identity) = Viewer::from_headers(headers, state.auth)?;
    let by_cookie = !headers.contains_key(header::AUTHORIZATION)
        && headers.contains_key(header::COOKIE)
        && identity != crate::identity::Identity::Kernel;
    if by_cookie && is_mutating(request.method()) {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !sent.is_some_and(|token| state.csrf.verify(&identity, token)) {
            return Err(ProxyError::Csrf);
        }
    }
    let target = target(request.uri())?;
    let cluster = state.clusters.get_as(&target.cluster, &identity)?;
    let protocol = upgrade_protocol(request.headers());
    let client_upgrade = protocol.is_some().then(|| hyper::upgrade::on(&mut request));

    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|e| ProxyError::Body(e.to_string()))?;
    let mut upstream = http::Request::builder()
        .method(parts.method)
        .uri(&target.path_and_query)
        .body(kube::client::Body::from(body))
        .map_err(|e| ProxyError::BadPath {
            path: target.path_and_query.clone(),
            reason: if e.is::<http::uri::InvalidUri>() {
                "it is not a valid URI"
            } else {
                "it cannot be forwarded"
            },
        })?;
    *upstream.headers_mut() = forwardable(&parts.headers, protocol.as_ref());

    let mut answer = cluster
        .client()
        .send(upstream)
        .await
        .map_err(|e| unreachable(&cluster, e))?;

    if answer.status() == StatusCode::SWITCHING_PROTOCOLS
        && let (Some(client_upgrade), Some(protocol)) = (client_upgrade, protocol)
    {
        let server_upgrade = hyper::upgrade::on(&mut answer);
        tokio::spawn(splice(client_upgrade, server_upgrade));
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let upgraded_protocol = answer
            .headers()
            .get(header::UPGRADE)
            .cloned()
            .unwrap_or(protocol);
        *response.headers_mut() = forwardable(answer.headers(), Some(&upgraded_protocol));
        return Ok(response);
    }

    let (parts, body) = answer.into_parts();
    let mut response = Response::new(Body::new(body));
    *response.status_mut() = parts.status;
    *response.headers_mut() = forwardable(&parts.headers, None);
    Ok(response)
}

/// Copies bytes both ways between the client's and the API server's upgraded connections
/// until both ends are closed.
async fn splice(client: hyper::upgrade::OnUpgrade, server: hyper::upgrade::OnUpgrade) {
    let (client, server) = match tokio::try_join!(client, server) {
        Ok(both) => both,
        Err(e) => {
            tracing::debug!("a proxied upgrade did not complete: {e}");
            return;
        }
    };
    let (mut client, mut server) = (TokioIo::new(client), TokioIo::new(server));
    if let Err(e) = tokio::io::copy_bidirectional(&mut client, &mut server).await {
        tracing::debug!("a proxied upgraded connection ended: {e}");
    }
}

fn unreachable(cluster: &Cluster, error: kube::Error) -> ProxyError {
    ProxyError::Unreachable {
        cluster: cluster.name().to_string(),
        server: cluster
            .config()
            .map(|c| c.cluster_url.to_string())
            .unwrap_or_else(|| "its configured address".to_string()),
        reason: error_chain(&error),
    }
}

/// An error with its causes, since a connection failure's useful part is usually the cause.
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderName;

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    #[test]
    fn a_plain_api_path_is_forwarded_with_its_query() {
        let t = target(&uri(
            "/clusters/demo/api/v1/pods?watch=1&labelSelector=a%3Db",
        ))
        .unwrap();
        assert_eq!(t.cluster, "demo");
        assert_eq!(t.path_and_query, "/api/v1/pods?watch=1&labelSelector=a%3Db");
    }

    #[test]
    fn a_cluster_name_is_percent_decoded() {
        let t = target(&uri("/clusters/arn%3Aaws%2Fprod/version")).unwrap();
        assert_eq!(t.cluster, "arn:aws/prod");
        assert_eq!(t.path_and_query, "/version");
    }

    #[test]
    fn the_cluster_root_is_the_servers_root() {
        assert_eq!(target(&uri("/clusters/demo")).unwrap().path_and_query, "/");
    }

    #[test]
    fn dot_segments_are_refused_plain_and_encoded() {
        for path in [
            "/clusters/demo/api/../../etc",
            "/clusters/demo/api/%2e%2e/x",
            "/clusters/demo/api/%2E./x",
            "/clusters/demo/./api",
            "/clusters/demo/api/v1/namespaces%2f..%2fsecrets",
            "/clusters/demo/api%5c..%5cx",
        ] {
            assert!(
                matches!(target(&uri(path)), Err(ProxyError::BadPath { .. })),
                "{path} was accepted"
            );
        }
    }

    #[test]
    fn absolute_urls_and_empty_segments_are_refused() {
        for path in [
            "/clusters/demo/http://evil.example/api",
            "/clusters/demo/https:%2F%2Fevil.example",
            "/clusters/demo//evil.example/api",
            "/clusters/demo/api/%zz",
        ] {
            assert!(
                matches!(target(&uri(path)), Err(ProxyError::BadPath { .. })),
                "{path} was accepted"
            );
        }
    }

    #[test]
    fn hop_by_hop_and_credential_headers_are_not_forwarded() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer viewer"),
            ("cookie", "headlamp-token=viewer"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("transfer-encoding", "chunked"),
            ("accept", "application/json"),
            ("impersonate-user", "jane"),
        ] {
            headers.append(name, value.parse().unwrap());
        }
        let out = forwardable(&headers, None);
        let names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["accept", "impersonate-user"]);
    }

    #[test]
    fn an_upgrade_keeps_its_protocol() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", "Upgrade".parse().unwrap());
        headers.insert("upgrade", "SPDY/3.1".parse().unwrap());
        headers.insert(
            "x-stream-protocol-version",
            "v4.channel.k8s.io".parse().unwrap(),
        );
        let protocol = upgrade_protocol(&headers).unwrap();
        let out = forwardable(&headers, Some(&protocol));
        assert_eq!(out["upgrade"], "SPDY/3.1");
        assert_eq!(out["connection"], "Upgrade");
        assert_eq!(out["x-stream-protocol-version"], "v4.channel.k8s.io");
    }

    #[test]
    fn a_request_without_connection_upgrade_is_not_an_upgrade() {
        let mut headers = HeaderMap::new();
        headers.insert("upgrade", "websocket".parse().unwrap());
        assert!(upgrade_protocol(&headers).is_none());
    }
}
