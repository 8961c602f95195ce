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
    /// More clusters, each its own kube-sim: (cluster name, sim).
    pub more: Vec<(String, SimHandle)>,
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
    start_kernel_with_clusters(config, Vec::new(), state).await
}

/// As [`start_kernel`], with more clusters beside `demo`: each name gets a kube-sim of its
/// own (two demo worlds are two clusters with the same object names).
pub async fn start_kernel_with_clusters(
    config: SimConfig,
    more: Vec<(&str, SimConfig)>,
    state: impl FnOnce(Arc<PluginHost>) -> AppState,
) -> Kernel {
    start_kernel_full(config, more, Vec::new(), state).await
}

/// A test plugin built by `make test-plugins` (`target/test-plugins/{file}`).
pub fn test_plugin(file: &str) -> PathBuf {
    let path = workspace().join("target/test-plugins").join(file);
    assert!(
        path.is_file(),
        "{} is missing: run `make test-plugins` before this test",
        path.display()
    );
    path
}

/// As [`start_kernel`], with plugins from these `.wasm` files beside the built-in ones.
pub async fn start_kernel_with_plugins(config: SimConfig, plugins: Vec<PathBuf>) -> Kernel {
    start_kernel_full(config, Vec::new(), plugins, AppState::local).await
}

async fn start_kernel_full(
    config: SimConfig,
    more: Vec<(&str, SimConfig)>,
    plugins: Vec<PathBuf>,
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
    let mut others = Vec::new();
    for (name, config) in more {
        let other = Sim::start(config).await.unwrap();
        let settings = other.config_for("admin").unwrap();
        clusters.insert(Cluster::from_config(ClusterName::new(name), settings).unwrap());
        others.push((name.to_owned(), other));
    }
    // Debug builds run plugins slower than the product's defaults allow for.
    let limits = Limits {
        call_deadline: Duration::from_secs(5),
        ..Limits::default()
    };
    let host = Arc::new(PluginHost::new(limits, None, Arc::new(clusters)).unwrap());
    let mut sources = loader::builtin_sources();
    assert!(
        sources.len() >= 2,
        "the kernel was built without its built-in plugins: run `make plugins` first"
    );
    for path in plugins {
        let wasm = std::fs::read(&path).unwrap();
        sources.push(headlamp_kernel::host::PluginSource::from_bytes(
            wasm,
            headlamp_kernel::host::PluginOrigin::File(path),
        ));
    }
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
    Kernel {
        url,
        sim,
        more: others,
        server,
    }
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

/// Like [`start_kernel`], in web mode (`--auth token`): every request must carry a viewer's
/// token (the UI sends the `headlamp-token` cookie), and kube-sim's RBAC judges that viewer.
pub async fn start_kernel_in_token_mode(config: SimConfig) -> Kernel {
    let sim = Sim::start(config).await.unwrap();
    let clusters = ClusterRegistry::new();
    // From a config rather than a client, so the kernel can make clients with the viewer's
    // token in place of admin's credentials.
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), sim.config_for("admin").unwrap()).unwrap(),
    );
    let limits = Limits {
        call_deadline: Duration::from_secs(5),
        ..Limits::default()
    };
    let host = Arc::new(PluginHost::new(limits, None, Arc::new(clusters)).unwrap());
    let report = loader::load_all(&host, loader::builtin_sources()).await;
    assert!(
        report.failed.is_empty(),
        "plugins failed: {:?}",
        report.failed
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState {
        auth: headlamp_kernel::identity::AuthMode::Token,
        ..AppState::local(host)
    };
    let app = router(state);
    let server = tokio::spawn(async move {
        axum_serve(listener, app).await;
    });
    Kernel {
        url,
        sim,
        more: Vec::new(),
        server,
    }
}

/// Logs the browser in as kube-sim's `user` (the `headlamp-token` cookie, as the OIDC login
/// sets it). The browser must be on a page of the kernel already.
pub async fn log_in_as(client: &Client, kernel: &Kernel, user: &str) {
    let token = kernel.sim.token(user).unwrap().to_string();
    client
        .execute(
            "document.cookie = 'headlamp-token=' + arguments[0] + '; path=/; SameSite=Lax';",
            vec![json!(token)],
        )
        .await
        .unwrap();
}

/// Waits for the element `css`, then clicks it.
pub async fn click(client: &Client, css: &str) {
    let element = eventually(&format!("{css} to click"), || async {
        client.find(Locator::Css(css)).await.ok()
    })
    .await;
    element.click().await.unwrap();
}

/// Whether an element matches `css` now.
pub async fn exists(client: &Client, css: &str) -> bool {
    client
        .find_all(Locator::Css(css))
        .await
        .is_ok_and(|all| !all.is_empty())
}

/// Sets the value of the input or text area `css` and fires `input` and `change`, as typing
/// would (faster than typing a whole YAML document key by key).
pub async fn set_value(client: &Client, css: &str, value: &str) {
    client
        .execute(
            "const e = document.querySelector(arguments[0]);
             const proto = Object.getPrototypeOf(e);
             Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, arguments[1]);
             e.dispatchEvent(new Event('input', { bubbles: true }));
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

/// The texts of the table's column headers.
pub async fn column_titles(client: &Client) -> Vec<String> {
    let mut titles = Vec::new();
    if let Ok(headers) = client.find_all(Locator::Css("[role=columnheader]")).await {
        for h in headers {
            if let Ok(t) = h.text().await {
                titles.push(t.trim_end_matches([' ', '▲', '▼']).to_string());
            }
        }
    }
    titles
}

/// The text of a notification (toast) containing `needle`, once one shows.
pub async fn toast_containing(client: &Client, needle: &str) -> String {
    eventually(&format!("a notification saying {needle:?}"), || async {
        let toasts = client.find_all(Locator::Css(".toasts .toast")).await.ok()?;
        for t in toasts {
            if let Ok(text) = t.text().await
                && text.contains(needle)
            {
                return Some(text);
            }
        }
        None
    })
    .await
}

/// A TCP relay on a loopback port in front of the kernel, so a test can cut the browser's
/// connections (its WebSocket included) as a network failure would, and hold new ones off for
/// a while: the kernel itself keeps running. Stops when dropped.
pub struct Relay {
    /// Where the relay listens, `http://127.0.0.1:PORT`: the browser uses this.
    pub url: String,
    paused: Arc<std::sync::atomic::AtomicBool>,
    connections: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

impl Relay {
    /// Relays to `target` (`http://127.0.0.1:PORT`).
    pub async fn start(target: &str) -> Relay {
        let target = target.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let paused = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let connections = Arc::new(std::sync::Mutex::new(Vec::new()));
        let accept = tokio::spawn({
            let (paused, connections) = (paused.clone(), connections.clone());
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if paused.load(std::sync::atomic::Ordering::SeqCst) {
                        // Refused while paused: the connection closes at once.
                        continue;
                    }
                    let target = target.clone();
                    let task = tokio::spawn(async move {
                        if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    connections.lock().unwrap().push(task.abort_handle());
                }
            }
        });
        Relay {
            url,
            paused,
            connections,
            accept,
        }
    }

    /// Cuts every open connection (both ends are closed).
    pub fn cut(&self) {
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// While paused, new connections are closed as soon as they are accepted.
    pub fn pause(&self, paused: bool) {
        self.paused
            .store(paused, std::sync::atomic::Ordering::SeqCst);
    }
}
