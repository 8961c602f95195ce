//! Errors: the library's start-up errors and the API errors users see as metav1.Status.

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Errors from starting or driving the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}: {source}; pick another port or pass port 0")]
    Bind {
        /// Address that was tried.
        addr: String,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// Writing a file (e.g. the kubeconfig) failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// File that could not be written.
        path: String,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// A kube client could not be built from the generated kubeconfig.
    #[error("cannot build kube client: {0}")]
    Client(String),
    /// The user name is not configured in the simulator.
    #[error("unknown user {0:?}; configured users are listed in SimConfig::users")]
    UnknownUser(String),
    /// TLS material could not be generated or loaded.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// An error answered to an API client as a metav1.Status object.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// Machine-readable reason (NotFound, Conflict, ...).
    pub reason: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Optional `details` object (name, group, kind, causes).
    pub details: Option<Value>,
}

/// Result type of API operations.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Builds an error with the given code, reason and message.
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    /// 404: the object (or resource) does not exist.
    pub fn not_found(resource: &str, name: &str) -> Self {
        let mut e = Self::new(404, "NotFound", format!("{resource} \"{name}\" not found"));
        e.details = Some(json!({"name": name, "kind": resource_base(resource)}));
        e
    }

    /// 404 for a path that names no known resource.
    pub fn no_route(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    /// 409: an object with this name already exists.
    pub fn already_exists(resource: &str, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "AlreadyExists",
            format!("{resource} \"{name}\" already exists"),
        );
        e.details = Some(json!({"name": name, "kind": resource_base(resource)}));
        e
    }

    /// 409: optimistic concurrency failure on update.
    pub fn conflict(resource: &str, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        );
        e.details = Some(json!({"name": name, "kind": resource_base(resource)}));
        e
    }

    /// 400: the request itself is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 422: the object fails validation.
    pub fn invalid(resource: &str, name: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            422,
            "Invalid",
            format!("{resource} \"{name}\" is invalid: {message}"),
        )
    }

    /// 405: the verb is not supported on this resource.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    /// 410: the requested resourceVersion/continue token fell out of the history window.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    /// 401: no or unknown bearer token.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 403: RBAC denied the request.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// The metav1.Status body for this error.
    pub fn status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

/// "pods" from "pods" or "deployments.apps" (Status details carry the plural).
fn resource_base(resource: &str) -> &str {
    resource.split('.').next().unwrap_or(resource)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = http::StatusCode::from_u16(self.code)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.status()).unwrap_or_default();
        (
            code,
            [(http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}
