//! The e2e harness: kube-sim and the kernel in-process on loopback serving the built UI,
//! chromedriver + headless Chromium, and waits and reads over the page.

// Each test file uses a different part of the harness.
#![allow(dead_code, unused_imports)]

pub use std::net::TcpListener;
pub use std::path::{Path, PathBuf};
pub use std::process::{Child, Command, Stdio};
pub use std::sync::Arc;
pub use std::time::{Duration, Instant};

pub use fantoccini::{Client, ClientBuilder, Locator};
pub use headlamp_kernel::api::{AppState, router};
pub use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
pub use headlamp_kernel::host::{Limits, PluginHost};
pub use headlamp_kernel::loader;
pub use k8s_openapi::api::core::v1::Pod;
pub use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
pub use kube_sim::{Sim, SimConfig, SimHandle};
pub use serde_json::json;

/// Every wait is bounded by this.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// kube-sim, the kernel with its built-in plugins, served on a loopback port.
pub struct Kernel {
    /// Where the kernel serves, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The kube-sim behind it.
    pub sim: SimHandle,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Kernel {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn start_kernel(config: SimConfig) -> Kernel {
    start_kernel_with(config, AppState::local).await
}

/// As [`start_kernel`], with the kernel's settings made by `state` (web mode, say).
pub async fn start_kernel_with(
    config: SimConfig,
    state: impl FnOnce(Arc<PluginHost>) -> AppState,
) -> Kernel {
    let bundle = workspace().join("target/ui/index.html");
    assert!(
        bundle.is_file(),
        "{} is missing: run `make ui` before this test",
        bundle.display()
    );
    let sim = Sim::start(config).await.unwrap();
    let clusters = ClusterRegistry::new();
    // From connection settings (as admin), so that web mode can call it as the viewer too.
    let settings = sim.config_for("admin").unwrap();
    clusters.insert(Cluster::from_config(ClusterName::new("demo"), settings).unwrap());
    // Debug builds run plugins slower than the product's defaults allow for.
    let limits = Limits {
        call_deadline: Duration::from_secs(5),
        ..Limits::default()
    };
    let host = Arc::new(PluginHost::new(limits, None, Arc::new(clusters)).unwrap());
    let sources = loader::builtin_sources();
    assert!(
        sources.len() >= 2,
        "the kernel was built without its built-in plugins: run `make plugins` first"
    );
    let report = loader::load_all(&host, sources).await;
    assert!(
        report.failed.is_empty(),
        "plugins failed: {:?}",
        report.failed
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state(host));
    let server = tokio::spawn(async move {
        axum_serve(listener, app).await;
    });
    Kernel { url, sim, server }
}

pub async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) {
    axum::serve(listener, app).await.unwrap();
}

/// chromedriver on a free loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// Starts chromedriver, or says why the browser tests cannot run here.
pub fn start_driver() -> Result<Driver, String> {
    let driver = which("chromedriver")
        .ok_or("chromedriver is not installed (Debian: apt-get install chromium-driver; scripts/setup.sh does it)")?;
    which("chromium").ok_or("chromium is not installed (Debian: apt-get install chromium)")?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("chromedriver did not start: {e}"))?;
    Ok(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    })
}

pub async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": which("chromium").unwrap(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"]
        }),
    );
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await
        {
            Ok(client) => return client,
            Err(e) if started.elapsed() < WAIT => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!(
                "no WebDriver session from chromedriver at {}: {e}",
                driver.url
            ),
        }
    }
}

/// Polls `check` until it returns `Some`, failing with `what` after [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The names of the table rows in the DOM.
pub async fn row_names(client: &Client) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(rows) = client
        .find_all(Locator::Css("div[role=row][data-name]"))
        .await
    {
        for row in rows {
            if let Ok(Some(name)) = row.attr("data-name").await {
                names.push(name);
            }
        }
    }
    names
}

/// The cells' texts of the row named `name`.
pub async fn row_cells(client: &Client, name: &str) -> Option<Vec<String>> {
    let row = client
        .find(Locator::Css(&format!("div[role=row][data-name='{name}']")))
        .await
        .ok()?;
    let mut texts = Vec::new();
    for cell in row.find_all(Locator::Css("[role=cell]")).await.ok()? {
        texts.push(cell.text().await.ok()?);
    }
    Some(texts)
}

pub async fn screenshot(client: &Client, name: &str) {
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub async fn text_of(client: &Client, css: &str) -> Option<String> {
    client.find(Locator::Css(css)).await.ok()?.text().await.ok()
}
