//! HTTP to the kernel (`fetch`), timers and the clock, for the browser.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn js_error(value: JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            value
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{value:?}"))
}

/// `GET path`, the JSON answer read as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, String> {
    request("GET", path, None, &[]).await
}

/// `POST path` with a JSON body, the JSON answer read as `T`.
pub async fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, String> {
    let body = serde_json::to_string(body).map_err(|e| e.to_string())?;
    request("POST", path, Some(body), &[]).await
}

/// A request that changes something: `method path` with an optional JSON body and the
/// viewer's CSRF token, the JSON answer read as `T`.
pub async fn send_checked<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<T, String> {
    let body = body.map(|b| b.to_string());
    let token = super::action_api::csrf_token(false).await?;
    match request(method, path, body.clone(), &[("x-csrf-token", &token)]).await {
        // A token from before a kernel restart with a new secret: fetch a fresh one, once.
        Err(e) if e.starts_with("403") && e.contains("x-csrf-token") => {
            let token = super::action_api::csrf_token(true).await?;
            request(method, path, body, &[("x-csrf-token", &token)]).await
        }
        other => other,
    }
}

/// One request. A failed answer becomes the kernel's own `{"error": ...}` message (which says
/// what failed and what to do), prefixed with the status.
async fn request<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Result<T, String> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(js_error)?;
    if body.is_some() {
        request
            .headers()
            .set("content-type", "application/json")
            .map_err(js_error)?;
    }
    for (name, value) in headers {
        request.headers().set(name, value).map_err(js_error)?;
    }
    let window = web_sys::window().ok_or("no browser window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| {
            format!(
                "the kernel could not be reached ({}); is `headlamp` still running?",
                js_error(e)
            )
        })?
        .dyn_into()
        .map_err(js_error)?;
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("error")?.as_str().map(str::to_owned))
            .unwrap_or(text);
        return Err(format!(
            "{} {}: {message}",
            response.status(),
            response.status_text()
        ));
    }
    serde_json::from_str(&text).map_err(|e| format!("{path} answered unexpected JSON: {e}"))
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Seconds since the Unix epoch.
pub fn now() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// Milliseconds on the page's high-resolution clock (`performance.now()`).
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The browser window's inner height in pixels.
pub fn window_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(900.0)
}
