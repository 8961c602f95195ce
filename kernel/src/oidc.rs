//! Logging in through an OpenID Connect issuer (authorization code flow), for web mode.
//!
//! `/auth/login` sends the browser to the issuer; `/auth/callback` trades the code for tokens
//! and stores the ID token in the `headlamp-token` cookie, which [`crate::identity`] then uses
//! as the viewer's bearer token for every cluster call. The kernel keeps no session: the state
//! parameter travels in a short-lived cookie, so any replica can finish a login.
//!
//! The kernel does not judge the ID token itself: the API server, configured with the same
//! issuer (`--oidc-issuer-url`), verifies it on every call, and that is where RBAC applies.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::sync::OnceCell;

use crate::identity::TOKEN_COOKIE;

/// The cookie carrying the login's state parameter between `/auth/login` and the callback.
const STATE_COOKIE: &str = "headlamp-oidc-state";

/// How the kernel reaches the issuer and who it is to it.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL (`https://accounts.example.com`); discovery is read from
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// The client id registered with the issuer.
    pub client_id: String,
    /// The client secret, when the issuer requires one.
    pub client_secret: Option<String>,
    /// Where the issuer sends the browser back: the kernel's public URL + `/auth/callback`.
    pub redirect_url: String,
    /// Scopes asked for; `openid` is always included.
    pub scopes: Vec<String>,
}

/// The issuer's endpoints, from its discovery document.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    authorization_endpoint: String,
    token_endpoint: String,
}

/// The token endpoint's answer.
#[derive(Debug, Deserialize)]
struct Tokens {
    id_token: Option<String>,
}

/// A configured OIDC login.
pub struct OidcLogin {
    settings: OidcSettings,
    http: reqwest::Client,
    discovery: OnceCell<Discovery>,
}

/// A login step that failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The issuer could not be asked.
    #[error("the OIDC issuer {issuer} could not be reached or answered badly: {error}")]
    Issuer {
        /// The issuer.
        issuer: String,
        /// What failed.
        error: String,
    },
    /// The callback does not belong to a login started here.
    #[error("this login was not started here or has expired: start again at /auth/login")]
    State,
    /// The issuer refused the login.
    #[error("the OIDC issuer refused the login: {0}")]
    Refused(String),
}

impl IntoResponse for OidcError {
    fn into_response(self) -> Response {
        let status = match self {
            OidcError::Issuer { .. } => StatusCode::BAD_GATEWAY,
            OidcError::State | OidcError::Refused(_) => StatusCode::BAD_REQUEST,
        };
        (
            status,
            axum::Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

impl OidcLogin {
    /// A login through `settings`' issuer.
    pub fn new(settings: OidcSettings) -> Self {
        Self {
            settings,
            http: reqwest::Client::new(),
            discovery: OnceCell::new(),
        }
    }

    async fn discovery(&self) -> Result<&Discovery, OidcError> {
        self.discovery
            .get_or_try_init(|| async {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    self.settings.issuer.trim_end_matches('/')
                );
                self.http
                    .get(&url)
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| self.issuer_error(e))?
                    .json::<Discovery>()
                    .await
                    .map_err(|e| self.issuer_error(e))
            })
            .await
    }

    fn issuer_error(&self, error: impl std::fmt::Display) -> OidcError {
        OidcError::Issuer {
            issuer: self.settings.issuer.clone(),
            error: error.to_string(),
        }
    }

    fn secure(&self) -> bool {
        self.settings.redirect_url.starts_with("https://")
    }
}

/// `/auth/login`, `/auth/callback` and `/auth/logout`.
pub fn router(login: Option<Arc<OidcLogin>>) -> Router {
    Router::new()
        .route("/auth/login", get(start))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
        .with_state(login)
}

fn not_configured() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"error":
            "this kernel has no OIDC issuer configured: start it with --oidc-issuer, \
             --oidc-client-id and --oidc-redirect-url, or send a bearer token"})),
    )
        .into_response()
}

fn cookie(name: &str, value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

async fn start(State(login): State<Option<Arc<OidcLogin>>>) -> Response {
    let Some(login) = login else {
        return not_configured();
    };
    let discovery = match login.discovery().await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let state = uuid::Uuid::new_v4().simple().to_string();
    let mut scopes = vec!["openid".to_string()];
    scopes.extend(
        login
            .settings
            .scopes
            .iter()
            .filter(|s| *s != "openid")
            .cloned(),
    );
    let mut url = match reqwest::Url::parse(&discovery.authorization_endpoint) {
        Ok(url) => url,
        Err(e) => return login.issuer_error(e).into_response(),
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &login.settings.client_id)
        .append_pair("redirect_uri", &login.settings.redirect_url)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", &state);
    (
        [(
            header::SET_COOKIE,
            cookie(STATE_COOKIE, &state, 600, login.secure()),
        )],
        Redirect::to(url.as_str()),
    )
        .into_response()
}

/// What the issuer sends back.
#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(login): State<Option<Arc<OidcLogin>>>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(login) = login else {
        return not_configured();
    };
    match finish(&login, &headers, query).await {
        Ok(id_token) => (
            [(
                header::SET_COOKIE,
                // A day at most; the API server refuses the token once it expires anyway.
                cookie(TOKEN_COOKIE, &id_token, 86_400, login.secure()),
            )],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

async fn finish(
    login: &OidcLogin,
    headers: &HeaderMap,
    query: CallbackQuery,
) -> Result<String, OidcError> {
    if let Some(error) = query.error {
        let detail = query.error_description.unwrap_or_default();
        return Err(OidcError::Refused(
            format!("{error} {detail}").trim().into(),
        ));
    }
    let expected = crate::identity::cookie(headers, STATE_COOKIE).ok_or(OidcError::State)?;
    if query.state.as_deref() != Some(expected) {
        return Err(OidcError::State);
    }
    let code = query
        .code
        .ok_or_else(|| OidcError::Refused("the issuer sent no code".into()))?;
    let discovery = login.discovery().await?;
    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", login.settings.redirect_url.clone()),
        ("client_id", login.settings.client_id.clone()),
    ];
    if let Some(secret) = &login.settings.client_secret {
        form.push(("client_secret", secret.clone()));
    }
    let answer = login
        .http
        .post(&discovery.token_endpoint)
        .form(&form)
        .send()
        .await
        .map_err(|e| login.issuer_error(e))?;
    if !answer.status().is_success() {
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        return Err(OidcError::Refused(format!(
            "the token endpoint answered {status}: {body}"
        )));
    }
    let tokens: Tokens = answer.json().await.map_err(|e| login.issuer_error(e))?;
    tokens.id_token.ok_or_else(|| {
        OidcError::Refused("the issuer sent no ID token: is the `openid` scope allowed?".into())
    })
}

async fn logout(State(login): State<Option<Arc<OidcLogin>>>) -> Response {
    let secure = login.is_some_and(|l| l.secure());
    (
        [(header::SET_COOKIE, cookie(TOKEN_COOKIE, "", 0, secure))],
        StatusCode::NO_CONTENT,
    )
        .into_response()
}
