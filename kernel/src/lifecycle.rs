//! Start and stop: `/readyz`, the gate that holds the API until the kernel is ready, and the
//! process-wide shutdown signal the stream closes its WebSockets on.
//!
//! A load balancer (or a Kubernetes readiness probe) must not send viewers to a replica whose
//! plugins are still compiling, and a replica that is stopping must tell its browsers to
//! reconnect elsewhere: WebSockets are closed with 1012 ("service restart"), which the UI
//! treats as "reconnect", rather than dropped.

use std::sync::{Arc, LazyLock, RwLock};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::watch;

/// The WebSocket close code sent on shutdown: 1012, "service restart" (RFC 6455 registry).
pub const CLOSE_SERVICE_RESTART: u16 = 1012;

/// Set once, when the process begins to stop. A process-wide value, like the signal that
/// triggers it: every socket of every router in the process must see it.
static SHUTDOWN: LazyLock<watch::Sender<bool>> = LazyLock::new(|| watch::channel(false).0);

/// Begins the shutdown: `/readyz` turns 503 and every stream WebSocket is closed with 1012.
pub fn begin_shutdown() {
    SHUTDOWN.send_replace(true);
}

/// Whether the shutdown has begun.
pub fn shutting_down() -> bool {
    *SHUTDOWN.borrow()
}

/// Resolves once the shutdown has begun (at once if it already has).
pub async fn shutdown_begun() {
    let mut receiver = SHUTDOWN.subscribe();
    // The sender is a static and never dropped, so this only returns on `true`.
    let _ = receiver.wait_for(|stopping| *stopping).await;
}

/// What the kernel still waits for before it serves viewers.
#[derive(Debug, Default)]
pub struct Readiness {
    pending: RwLock<Vec<String>>,
}

impl Readiness {
    /// Not ready until every one of `pending` (e.g. "plugins are loading") is [`done`](Self::done).
    pub fn waiting_for(pending: impl IntoIterator<Item = impl Into<String>>) -> Arc<Self> {
        Arc::new(Self {
            pending: RwLock::new(pending.into_iter().map(Into::into).collect()),
        })
    }

    /// Marks `what` as done.
    pub fn done(&self, what: &str) {
        self.pending
            .write()
            .expect("readiness")
            .retain(|p| p != what);
    }

    /// Why the kernel is not ready; empty when it is.
    pub fn reasons(&self) -> Vec<String> {
        let mut reasons = self.pending.read().expect("readiness").clone();
        if shutting_down() {
            reasons.push("the kernel is shutting down".into());
        }
        reasons
    }
}

/// `GET /readyz`: 200 `ok` when ready, else 503 with the reasons.
pub fn router(readiness: Arc<Readiness>) -> Router {
    Router::new()
        .route("/readyz", get(readyz))
        .with_state(readiness)
}

async fn readyz(State(readiness): State<Arc<Readiness>>) -> Response {
    let reasons = readiness.reasons();
    if reasons.is_empty() {
        "ok".into_response()
    } else {
        not_ready(reasons)
    }
}

fn not_ready(reasons: Vec<String>) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "error": format!("not ready: {}; retry shortly", reasons.join(", ")),
            "reasons": reasons,
        })),
    )
        .into_response()
}

/// Holds every request but the probes (`/healthz`, `/readyz`) with 503 until `readiness`
/// has nothing pending, so that a viewer never sees a half-loaded plugin set.
pub fn gate(app: Router, readiness: Arc<Readiness>) -> Router {
    app.layer(middleware::from_fn_with_state(readiness, hold_until_ready))
}

async fn hold_until_ready(
    State(readiness): State<Arc<Readiness>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let probe = path == "/healthz" || path == "/readyz";
    // Only what is still pending holds requests: a stopping kernel keeps serving the
    // requests already routed to it while the load balancer drains it.
    let pending = readiness.pending.read().expect("readiness").clone();
    if probe || pending.is_empty() {
        next.run(request).await
    } else {
        not_ready(pending)
    }
}
