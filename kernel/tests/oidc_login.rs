//! Logging in through an OpenID Connect issuer: the kernel sends the browser to the issuer,
//! trades the code for an ID token, and from then on the viewer's cluster calls carry it.
//! The issuer here is a fixture that hands out kube-sim's `viewer` token as the ID token.

mod common;

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use common::*;
use headlamp_kernel::api::AppState;
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::identity::AuthMode;
use headlamp_kernel::oidc::{OidcLogin, OidcSettings};
use kube_sim::{Sim, SimConfig, SimHandle};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use std::collections::HashMap;

const CODE: &str = "the-one-code";

/// An issuer that knows one code, and answers it with `id_token`.
async fn issuer(id_token: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let discovery = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
    });
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { Json(discovery) }),
        )
        .route("/token", post(token))
        .with_state(Arc::new(id_token));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn token(
    State(id_token): State<Arc<String>>,
    Form(form): Form<HashMap<String, String>>,
) -> (axum::http::StatusCode, Json<Value>) {
    let good = form.get("grant_type").map(String::as_str) == Some("authorization_code")
        && form.get("code").map(String::as_str) == Some(CODE)
        && form.get("client_id").map(String::as_str) == Some("headlamp");
    if good {
        (
            axum::http::StatusCode::OK,
            Json(json!({"id_token": *id_token, "access_token": "x", "token_type": "Bearer"})),
        )
    } else {
        (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
    }
}

async fn web_kernel(sim: &SimHandle, issuer: String) -> String {
    let clusters = ClusterRegistry::new();
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), sim.config_for("admin").unwrap()).unwrap(),
    );
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    host.load(source(cluster_plugin())).await.unwrap();
    let login = OidcLogin::new(OidcSettings {
        issuer,
        client_id: "headlamp".into(),
        client_secret: Some("shh".into()),
        redirect_url: "http://127.0.0.1/auth/callback".into(),
        scopes: vec!["email".into()],
    });
    serve_app(AppState {
        auth: AuthMode::Token,
        oidc: Some(Arc::new(login)),
        ..AppState::local(Arc::new(host))
    })
    .await
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` part of the `Set-Cookie` header setting `name`.
fn set_cookie(answer: &reqwest::Response, name: &str) -> Option<String> {
    answer
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_string())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}

/// `/auth/login`: where it sends the browser, and the state cookie it sets.
async fn begin(kernel: &str) -> (reqwest::Url, String) {
    let answer = no_redirects()
        .get(format!("{kernel}/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let location: reqwest::Url = answer.headers()[LOCATION]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (
        location,
        set_cookie(&answer, "headlamp-oidc-state").unwrap(),
    )
}

#[tokio::test]
async fn login_sends_the_browser_to_the_issuer_with_a_state_and_the_openid_scope() {
    install_crypto();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let kernel = web_kernel(&sim, issuer("unused".into()).await).await;
    let (location, state_cookie) = begin(&kernel).await;
    assert!(location.path().ends_with("/authorize"));
    let query: HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "headlamp");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["scope"], "openid email");
    assert_eq!(
        format!("headlamp-oidc-state={}", query["state"]),
        state_cookie
    );
}

#[tokio::test]
async fn after_the_callback_the_viewer_sees_rows_as_the_issuers_user() {
    install_crypto();
    let sim = Sim::start(SimConfig {
        churn: false,
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let kernel = web_kernel(&sim, issuer(sim.token("viewer").unwrap().into()).await).await;
    let (location, state_cookie) = begin(&kernel).await;
    let state = location
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();

    // The issuer sends the browser back with a code.
    let answer = no_redirects()
        .get(format!("{kernel}/auth/callback?code={CODE}&state={state}"))
        .header(COOKIE, &state_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let token_cookie = set_cookie(&answer, "headlamp-token").expect("the token cookie");

    let rows = reqwest::Client::new()
        .post(format!("{kernel}/api/v1/tables/namespaces/rows"))
        .header(COOKIE, token_cookie)
        .json(&json!({"cluster": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rows.status(), StatusCode::OK);
    let rows: Value = rows.json().await.unwrap();
    assert!(rows["rows"].as_array().unwrap().len() > 1, "{rows}");
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused() {
    install_crypto();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let kernel = web_kernel(&sim, issuer("unused".into()).await).await;
    let (_, state_cookie) = begin(&kernel).await;
    let answer = no_redirects()
        .get(format!("{kernel}/auth/callback?code={CODE}&state=forged"))
        .header(COOKIE, state_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(set_cookie(&answer, "headlamp-token").is_none());
    let body: Value = answer.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("/auth/login"));
}

#[tokio::test]
async fn a_code_the_issuer_refuses_is_reported_with_its_answer() {
    install_crypto();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let kernel = web_kernel(&sim, issuer("unused".into()).await).await;
    let (location, state_cookie) = begin(&kernel).await;
    let state = location
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let answer = no_redirects()
        .get(format!("{kernel}/auth/callback?code=stale&state={state}"))
        .header(COOKIE, state_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("invalid_grant"),
        "{body}"
    );
}

#[tokio::test]
async fn without_an_issuer_login_says_how_to_configure_one() {
    install_crypto();
    let host = PluginHost::new(test_limits(), None, Arc::new(ClusterRegistry::new())).unwrap();
    let kernel = serve_app(AppState::local(Arc::new(host))).await;
    let answer = no_redirects()
        .get(format!("{kernel}/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let body: Value = answer.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("--oidc-issuer"));
}
