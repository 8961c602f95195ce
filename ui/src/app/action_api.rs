//! Running actions against the kernel: `GET /api/v1/csrf` once per tab, then
//! `POST /api/v1/actions` with the token; the answer read whatever its status (a 409 carries
//! the diff the editor shows).

use std::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::net;
use crate::actions::{ActionAnswer, ActionRequest};

thread_local! {
    /// The viewer's CSRF token: it is bound to the viewer, who does not change within a tab.
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[derive(serde::Deserialize)]
struct CsrfAnswer {
    token: String,
}

/// The viewer's CSRF token, fetched once per tab (`fresh`: fetched again).
pub(super) async fn csrf_token(fresh: bool) -> Result<String, String> {
    if !fresh && let Some(token) = CSRF.with(|c| c.borrow().clone()) {
        return Ok(token);
    }
    let answer: CsrfAnswer = net::get("/api/v1/csrf")
        .await
        .map_err(|e| format!("no CSRF token from the kernel ({e}), so nothing can be changed"))?;
    CSRF.with(|c| *c.borrow_mut() = Some(answer.token.clone()));
    Ok(answer.token)
}

/// A failed action: the HTTP status and the kernel's answer (its `error`, and for an edit
/// conflict the `diff` and `current` object).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// HTTP status; 0 when the kernel could not be reached.
    pub status: u16,
    /// The answer, with `error` always set.
    pub answer: ActionAnswer,
}

impl Failure {
    fn local(error: String) -> Failure {
        Failure {
            status: 0,
            answer: ActionAnswer {
                error: Some(error),
                ..ActionAnswer::default()
            },
        }
    }

    /// What failed, as the kernel (or Kubernetes) said it.
    pub fn text(&self) -> String {
        self.answer
            .error
            .clone()
            .unwrap_or_else(|| format!("the action failed ({})", self.status))
    }
}

/// Runs an action as the viewer.
pub async fn run(request: &ActionRequest) -> Result<ActionAnswer, Failure> {
    let body = serde_json::to_string(request).map_err(|e| Failure::local(e.to_string()))?;
    let token = csrf_token(false).await.map_err(Failure::local)?;
    match post(&body, &token).await {
        // A token from before a kernel restart with a new secret: fetch a fresh one, once.
        Err(f) if f.status == 403 && f.text().contains("x-csrf-token") => {
            let token = csrf_token(true).await.map_err(Failure::local)?;
            post(&body, &token).await
        }
        other => other,
    }
}

fn js_text(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

async fn post(body: &str, token: &str) -> Result<ActionAnswer, Failure> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let request = web_sys::Request::new_with_str_and_init("/api/v1/actions", &init)
        .map_err(|e| Failure::local(js_text(e)))?;
    let headers = request.headers();
    for (name, value) in [
        ("content-type", "application/json"),
        ("x-csrf-token", token),
    ] {
        headers
            .set(name, value)
            .map_err(|e| Failure::local(js_text(e)))?;
    }
    let window = web_sys::window().ok_or_else(|| Failure::local("no browser window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| {
            Failure::local(format!(
                "the kernel could not be reached ({}); is `headlamp` still running?",
                js_text(e)
            ))
        })?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(|e| Failure::local(js_text(e)))?)
        .await
        .map_err(|e| Failure::local(js_text(e)))?
        .as_string()
        .unwrap_or_default();
    let status = response.status();
    let answer: Option<ActionAnswer> = serde_json::from_str(&text).ok();
    match answer {
        Some(answer) if response.ok() => Ok(answer),
        Some(mut answer) => {
            if answer.error.is_none() {
                answer.error = Some(format!("{status} {}", response.status_text()));
            }
            Err(Failure { status, answer })
        }
        None => Err(Failure {
            status,
            answer: ActionAnswer {
                error: Some(format!("{status} {}: {text}", response.status_text())),
                ..ActionAnswer::default()
            },
        }),
    }
}
