//! Serves the browser UI: the static bundle `make ui` writes (index.html, js, wasm, css).
//!
//! Any path that is not a file of the bundle answers `index.html`, so that the UI's own routes
//! (`/c/demo/pods`) survive a reload or a pasted link; paths under `/api/` never fall back, so a
//! misspelt API call is a JSON 404, not a page. Without a bundle, `/` says how to build one.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

/// The bundle directory chosen at start (`--ui-dir`); unset means [`default_dir`].
static UI_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Sets the bundle directory for the whole process; the first call wins.
///
/// A process-wide setting rather than a field of `AppState`, so the API router and its many
/// constructors (tests included) stay as they are.
pub fn set_dir(dir: PathBuf) {
    let _ = UI_DIR.set(dir);
}

/// Where the bundle is looked for: `--ui-dir`, else `ui/` beside the binary (an installed
/// kernel), else the workspace's `target/ui/` (where `make ui` writes it).
pub fn dir() -> PathBuf {
    UI_DIR.get().cloned().unwrap_or_else(default_dir)
}

/// `ui/` next to the executable when it holds an `index.html`, else `<workspace>/target/ui`.
pub fn default_dir() -> PathBuf {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("ui")));
    match beside {
        Some(d) if d.join("index.html").is_file() => d,
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui"),
    }
}

/// The UI's routes: every path the API does not claim. Merge it last; it holds the fallback.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().fallback(serve)
}

async fn serve(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({
                "error": format!("no API endpoint {path}: see docs/api.md for the endpoints there are")
            })),
        )
            .into_response();
    }
    let dir = dir();
    if let Some(file) = bundle_file(&dir, path)
        && let Ok(bytes) = tokio::fs::read(&file).await
    {
        return file_response(&file, bytes);
    }
    // The SPA fallback: the UI's router reads the path itself.
    let index = dir.join("index.html");
    match tokio::fs::read(&index).await {
        Ok(bytes) => file_response(&index, bytes),
        Err(_) => missing_bundle(&dir),
    }
}

/// The file a request path names inside the bundle, if it is a plain relative path to a file.
/// `..`, absolute and prefixed components are refused, so nothing outside `dir` is served.
fn bundle_file(dir: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let file = dir.join(relative);
    file.is_file().then_some(file)
}

fn file_response(file: &Path, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file)),
    );
    // index.html names the current js/wasm; the browser must ask for it again after a rebuild.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The content type of a bundle file, by extension. `application/wasm` matters: browsers
/// compile wasm while it downloads only with that type.
pub fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn missing_bundle(dir: &Path) -> Response {
    let page = include_str!("index.html").replace("{UI_DIR}", &dir.display().to_string());
    (StatusCode::OK, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_paths_stay_inside_the_bundle() {
        let dir = std::env::temp_dir().join(format!("headlamp-ui-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("assets/app.js"), "x").unwrap();
        assert_eq!(
            bundle_file(&dir, "/assets/app.js"),
            Some(dir.join("assets/app.js"))
        );
        assert_eq!(bundle_file(&dir, "/../etc/passwd"), None);
        assert_eq!(bundle_file(&dir, "/assets/../assets/app.js"), None);
        assert_eq!(bundle_file(&dir, "/"), None);
        assert_eq!(bundle_file(&dir, "/c/demo/pods"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn content_types_fit_the_bundle() {
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("a.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("a.css")), "text/css; charset=utf-8");
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
    }
}
