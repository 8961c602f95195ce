//! The window: a tao window holding a wry webview on the kernel's URL.
//!
//! The webview stays on the kernel's origin: a link elsewhere (docs, a port-forward's local
//! URL) opens in the system browser, so the launch token's cookie is never sent to another
//! server. It reports when the page has loaded and when the UI has drawn its sidebar (the
//! registry fetched with the token and rendered), which is what the start-up test waits for.

use std::time::Instant;

use anyhow::Context;
use tao::dpi::LogicalSize;
use tao::event_loop::EventLoop;
use tao::window::{Window, WindowBuilder};
use wry::{NewWindowResponse, PageLoadEvent, WebView, WebViewBuilder};

/// Posted to the app once the UI has drawn a sidebar link, or shows its boot error.
const READY_PROBE: &str = r##"
(() => {
  if (window.top !== window) return;
  const poll = setInterval(() => {
    const failed = document.querySelector("#main.boot.error");
    if (failed) {
      clearInterval(poll);
      window.ipc.postMessage("failed:" + failed.textContent);
    } else if (document.querySelector("nav.sidebar a")) {
      clearInterval(poll);
      window.ipc.postMessage("ready");
    }
  }, 25);
})();
"##;

/// The open window; dropping it closes the page, then the window.
pub struct AppWindow {
    // Field order is drop order: the webview before the window that holds it.
    _webview: WebView,
    _window: Window,
}

/// Opens the window on `entry` (the kernel's URL with the launch token); `origin` is the
/// kernel's base URL, the only one the webview may show.
pub fn open<T: 'static>(
    event_loop: &EventLoop<T>,
    origin: &str,
    entry: &str,
    started: Instant,
) -> anyhow::Result<AppWindow> {
    let window = WindowBuilder::new()
        .with_title("headlamp")
        .with_inner_size(LogicalSize::new(1280.0, 800.0))
        .build(event_loop)
        .context("cannot open a window (is a display available? DISPLAY / WAYLAND_DISPLAY)")?;
    let stay = origin.to_owned();
    let new_window = origin.to_owned();
    let builder = WebViewBuilder::new()
        .with_url(entry)
        .with_initialization_script(READY_PROBE)
        .with_navigation_handler(move |url| {
            if url.starts_with(&stay) {
                true
            } else {
                open_elsewhere(&url);
                false
            }
        })
        .with_new_window_req_handler(move |url, _| {
            if url.starts_with(&new_window) {
                // The UI's own pages stay in this window's history.
                NewWindowResponse::Deny
            } else {
                open_elsewhere(&url);
                NewWindowResponse::Deny
            }
        })
        .with_on_page_load_handler(|event, url| {
            if let PageLoadEvent::Finished = event {
                println!("headlamp-desktop: page loaded: {}", without_query(&url));
            }
        })
        .with_ipc_handler(move |message| match message.body().as_str() {
            "ready" => println!(
                "headlamp-desktop: UI ready after {} ms",
                started.elapsed().as_millis()
            ),
            other => {
                let why = other.strip_prefix("failed:").unwrap_or(other);
                eprintln!("headlamp-desktop: the UI did not start: {why}");
            }
        });
    let webview = build(builder, &window).context("cannot create the webview")?;
    Ok(AppWindow {
        _webview: webview,
        _window: window,
    })
}

#[cfg(any(target_os = "windows", target_os = "macos"))]
fn build(builder: WebViewBuilder<'_>, window: &Window) -> wry::Result<WebView> {
    builder.build(window)
}

#[cfg(not(any(target_os = "windows", target_os = "macos")))]
fn build(builder: WebViewBuilder<'_>, window: &Window) -> wry::Result<WebView> {
    use tao::platform::unix::WindowExtUnix;
    use wry::WebViewBuilderExtUnix;
    let vbox = window.default_vbox().ok_or(wry::Error::MessageSender)?;
    builder.build_gtk(vbox)
}

/// `url` without its query, so that a token in it is never printed.
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Opens `url` in the user's browser (best effort: a failure is logged).
fn open_elsewhere(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        tracing::warn!("cannot open {url} in the browser with {opener}: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_urls_lose_their_query() {
        assert_eq!(
            without_query("http://127.0.0.1:1/?launch-token=secret"),
            "http://127.0.0.1:1/"
        );
        assert_eq!(
            without_query("http://127.0.0.1:1/c/demo"),
            "http://127.0.0.1:1/c/demo"
        );
    }
}
