//! kube-sim: an in-memory Kubernetes API server for the demo cluster and every test.
//!
//! Start one with [`Sim::start`]; the returned [`SimHandle`] gives its URL, a kubeconfig,
//! kube-rs clients per user and direct access to the [`Store`]. Dropping the handle stops it.

#![warn(missing_docs)]

pub mod controller;
pub mod cronjob;
pub mod demo;
pub mod deployment;
pub mod discovery;
pub mod endpoints;
pub mod error;
pub mod exec;
pub mod kubelet;
pub mod list;
pub mod load;
pub mod logs;
pub mod openapi;
pub mod patch;
pub mod portforward;
pub mod proto;
pub mod rbac;
pub mod registry;
pub mod selectors;
pub mod server;
pub mod store;
pub mod table;
pub mod tls;
pub mod watch;
pub mod write;

pub use error::{ApiError, SimError};
pub use rbac::User;
pub use registry::{Registry, ResourceDef};
pub use store::{Store, UpdateMode, WatchStats};

use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::{JoinHandle, JoinSet};

/// Settings of one simulated cluster.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Populate the demo world.
    pub demo: bool,
    /// Run the controllers (deployments -> replica sets -> pods, GC, pod start-up).
    pub controllers: bool,
    /// Random churn: container restarts, events, metrics drift. Off for deterministic tests.
    pub churn: bool,
    /// Controller period.
    pub tick: Duration,
    /// Number of change events kept for watch resume and continue tokens.
    pub history_window: usize,
    /// Period of watch BOOKMARK events.
    pub bookmark_interval: Duration,
    /// Period of new lines in `logs -f`.
    pub log_interval: Duration,
    /// Users and their bearer tokens.
    pub users: Vec<User>,
    /// Load mode: (pods, modifications per second).
    pub load: Option<(usize, usize)>,
    /// Serve HTTPS with a generated self-signed CA.
    pub tls: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        let token = || uuid::Uuid::new_v4().simple().to_string();
        SimConfig {
            port: 0,
            demo: false,
            controllers: true,
            churn: false,
            tick: Duration::from_millis(200),
            history_window: 10_000,
            bookmark_interval: Duration::from_secs(30),
            log_interval: Duration::from_secs(1),
            users: vec![
                User {
                    name: "admin".into(),
                    token: format!("admin-{}", token()),
                    groups: vec!["system:masters".into()],
                },
                User {
                    name: "viewer".into(),
                    token: format!("viewer-{}", token()),
                    groups: vec!["viewers".into()],
                },
            ],
            load: None,
            tls: false,
        }
    }
}

impl SimConfig {
    /// The demo cluster with churn on (`headlamp --demo`).
    pub fn demo() -> Self {
        SimConfig {
            demo: true,
            churn: true,
            ..Default::default()
        }
    }

    /// Load mode: `pods` pods in namespace `load` and `events_per_sec` modifications per second.
    pub fn load(pods: usize, events_per_sec: usize) -> Self {
        SimConfig {
            load: Some((pods, events_per_sec)),
            ..Default::default()
        }
    }
}

/// Entry point: starts simulated clusters.
pub struct Sim;

/// A running simulator; dropping it stops the server and its background tasks.
pub struct SimHandle {
    /// Base URL ("http://127.0.0.1:PORT").
    pub url: String,
    /// Kubeconfig YAML with one context per user (current: admin).
    pub kubeconfig: String,
    store: Store,
    users: Vec<User>,
    ca_pem: Option<String>,
    /// What the server needs to listen again after [`SimHandle::stop_server`].
    listen: Listen,
    /// The accept loop; `None` while the server is stopped.
    server: Option<JoinHandle<()>>,
    tasks: Vec<JoinHandle<()>>,
}

/// The address, routes and TLS settings of the API server.
struct Listen {
    addr: std::net::SocketAddr,
    router: axum::Router,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
}

impl Sim {
    /// Builds the store, binds 127.0.0.1, and starts the server and background tasks.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let store = Store::new(Registry::default(), config.history_window);
        bootstrap(&store, &config.users);
        if config.demo {
            demo::populate(&store);
        }
        let addr = format!("127.0.0.1:{}", config.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: addr.clone(),
                source,
            })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let tls = if config.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{local}");
        let state = Arc::new(server::AppState {
            store: store.clone(),
            users: config.users.clone(),
            server_addr: local.to_string(),
            bookmark_interval: config.bookmark_interval,
            log_interval: config.log_interval,
        });
        let router = server::router(state);
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let server = Some(tokio::spawn(accept_loop(
            listener,
            router.clone(),
            acceptor.clone(),
        )));
        let listen = Listen {
            addr: local,
            router,
            acceptor,
        };
        let mut tasks = Vec::new();
        if config.controllers {
            tasks.push(tokio::spawn(controller::run(
                store.clone(),
                config.tick,
                config.churn,
            )));
        }
        if let Some((pods, eps)) = config.load {
            load::populate(&store, pods);
            tasks.push(tokio::spawn(load::run(store.clone(), eps)));
        }
        let ca_pem = tls.map(|t| t.ca_pem);
        let kubeconfig = kubeconfig_yaml(&url, &config.users, ca_pem.as_deref());
        Ok(SimHandle {
            url,
            kubeconfig,
            store,
            users: config.users,
            ca_pem,
            listen,
            server,
            tasks,
        })
    }
}

/// Serves connections; each connection task lives in a JoinSet so stopping the loop closes them all.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let mut conns = JoinSet::new();
    loop {
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    continue;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
        };
        let router = router.clone();
        let tls = tls.clone();
        conns.spawn(async move {
            let svc = hyper_util::service::TowerToHyperService::new(router);
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let result = match tls {
                Some(acc) => match acc.accept(stream).await {
                    Ok(s) => {
                        builder
                            .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(s), svc)
                            .await
                    }
                    Err(e) => {
                        tracing::debug!("TLS handshake failed: {e}");
                        return;
                    }
                },
                None => {
                    builder
                        .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), svc)
                        .await
                }
            };
            if let Err(e) = result {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
}

/// Namespaces every cluster has and the bootstrap RBAC.
fn bootstrap(store: &Store, users: &[User]) {
    let ns = store.def("", "namespaces");
    for n in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let _ = store.create(&ns, "", json!({"metadata": {"name": n, "labels": {"kubernetes.io/metadata.name": n}}, "spec": {"finalizers": ["kubernetes"]}}));
    }
    let groups: Vec<String> = store
        .registry()
        .groups()
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    for (res, obj) in rbac::bootstrap_objects(&groups) {
        let _ = store.create(&store.def("rbac.authorization.k8s.io", res), "", obj);
    }
    let sa = store.def("", "serviceaccounts");
    for n in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let _ = store.create(&sa, n, json!({"metadata": {"name": "default"}}));
    }
    let _ = users;
}

/// A kubeconfig with one context per user; the first user's context is current.
fn kubeconfig_yaml(url: &str, users: &[User], ca_pem: Option<&str>) -> String {
    use base64::Engine;
    let mut cluster = json!({"server": url});
    if let Some(ca) = ca_pem {
        cluster["certificate-authority-data"] =
            json!(base64::engine::general_purpose::STANDARD.encode(ca));
    }
    let ctx_name = |u: &User| {
        if u.name == "admin" {
            "kube-sim".to_string()
        } else {
            format!("kube-sim-{}", u.name)
        }
    };
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kube-sim", "cluster": cluster}],
        "users": users.iter().map(|u| json!({"name": u.name, "user": {"token": u.token}})).collect::<Vec<_>>(),
        "contexts": users.iter().map(|u| json!({"name": ctx_name(u), "context": {"cluster": "kube-sim", "user": u.name, "namespace": "default"}})).collect::<Vec<_>>(),
        "current-context": users.first().map(ctx_name).unwrap_or_default(),
        "preferences": {},
    });
    serde_yaml::to_string(&doc).unwrap_or_default()
}

impl SimHandle {
    /// Kills the API server, as a crash would: the port closes and every connection is cut.
    /// The store and the controllers live on, like etcd and the controller manager, so
    /// [`SimHandle::start_server`] brings back the same objects and resourceVersions.
    pub async fn stop_server(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            // Awaiting the aborted task makes sure its listener and connections are dropped.
            let _ = server.await;
        }
    }

    /// Starts the API server again on the same address after [`SimHandle::stop_server`];
    /// does nothing while it runs.
    pub async fn start_server(&mut self) -> Result<(), SimError> {
        if self.server.is_some() {
            return Ok(());
        }
        let addr = self.listen.addr.to_string();
        let listener = tokio::net::TcpListener::bind(self.listen.addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        self.server = Some(tokio::spawn(accept_loop(
            listener,
            self.listen.router.clone(),
            self.listen.acceptor.clone(),
        )));
        Ok(())
    }

    /// The object store, for tests that modify objects directly.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Configured users.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// The bearer token of `user`, if configured.
    pub fn token(&self, user: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|u| u.name == user)
            .map(|u| u.token.as_str())
    }

    /// Writes the kubeconfig to `path`.
    pub fn write_kubeconfig(&self, path: impl AsRef<std::path::Path>) -> Result<(), SimError> {
        let path = path.as_ref();
        std::fs::write(path, &self.kubeconfig).map_err(|source| SimError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// A kube::Config for `user` pointing at this simulator.
    pub fn config_for(&self, user: &str) -> Result<kube::Config, SimError> {
        let u = self
            .users
            .iter()
            .find(|u| u.name == user)
            .ok_or_else(|| SimError::UnknownUser(user.into()))?;
        let mut cfg = kube::Config::new(
            self.url
                .parse()
                .map_err(|e| SimError::Client(format!("bad url {}: {e}", self.url)))?,
        );
        cfg.auth_info.token = Some(u.token.clone().into());
        cfg.default_namespace = "default".into();
        if let Some(ca) = &self.ca_pem {
            cfg.root_cert = Some(vec![tls::pem_to_der(ca)?]);
        }
        Ok(cfg)
    }

    /// A kube-rs client authenticated as `user`.
    pub fn try_client_for(&self, user: &str) -> Result<kube::Client, SimError> {
        kube::Client::try_from(self.config_for(user)?).map_err(|e| SimError::Client(e.to_string()))
    }

    /// A kube-rs client for `user`; panics if the user is not configured (a test bug).
    pub fn client_for(&self, user: &str) -> kube::Client {
        self.try_client_for(user)
            .unwrap_or_else(|e| panic!("kube-sim client for {user:?}: {e}"))
    }

    /// A kube-rs client as `admin` (cluster-admin).
    pub fn client(&self) -> kube::Client {
        self.client_for("admin")
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        for t in self.tasks.iter().chain(&self.server) {
            t.abort();
        }
    }
}
