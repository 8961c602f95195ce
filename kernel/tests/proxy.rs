//! The proxy `/clusters/{cluster}/...` with the real kubectl, against kube-sim (TLS, demo world)
//! behind a kernel served in-process on a loopback port.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use common::test_limits;
use headlamp_kernel::api::{self, AppState};
use headlamp_kernel::cluster::{Cluster, ClusterName, ClusterRegistry};
use headlamp_kernel::host::PluginHost;
use headlamp_kernel::identity::AuthMode;
use kube_sim::{Sim, SimConfig, SimHandle};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::time::timeout;

const KUBECTL: &str = "/usr/bin/kubectl";

/// Every wait in these tests is bounded by this.
const WAIT: Duration = Duration::from_secs(20);

/// kube-sim behind a kernel, and a directory for kubeconfigs and kubectl's cache.
struct Setup {
    sim: SimHandle,
    /// `http://127.0.0.1:PORT`, the kernel.
    kernel: String,
    /// `https://127.0.0.1:PORT`, the same kernel behind TLS (kubectl sends tokens only over
    /// TLS), and the CA that signed its certificate.
    kernel_tls: (String, String),
    dir: tempfile::TempDir,
}

/// Serves `app` over HTTPS on a loopback port, the way a TLS-terminating ingress would put
/// the kernel in front of kubectl; returns the base URL and the CA certificate (PEM).
async fn serve_tls(app: axum::Router) -> (String, String) {
    let tls = kube_sim::tls::generate().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let acceptor = tls.acceptor.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            });
        }
    });
    (url, tls.ca_pem)
}

async fn setup(auth: AuthMode) -> Setup {
    let sim = Sim::start(SimConfig {
        tls: true,
        churn: false,
        log_interval: Duration::from_millis(100),
        ..SimConfig::demo()
    })
    .await
    .unwrap();
    let clusters = ClusterRegistry::new();
    clusters.insert(
        Cluster::from_config(ClusterName::new("demo"), sim.config_for("admin").unwrap()).unwrap(),
    );
    let mut unreachable = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
    unreachable.connect_timeout = Some(Duration::from_secs(2));
    clusters.insert(Cluster::from_config(ClusterName::new("gone"), unreachable).unwrap());
    let host = PluginHost::new(test_limits(), None, Arc::new(clusters)).unwrap();
    let state = AppState {
        auth,
        ..AppState::local(Arc::new(host))
    };
    let app = api::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let kernel = format!("http://{}", listener.local_addr().unwrap());
    let kernel_tls = serve_tls(app.clone()).await;
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Setup {
        sim,
        kernel,
        kernel_tls,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    /// A kubeconfig whose server is the kernel's proxy for `demo`: over plain HTTP without a
    /// token, over HTTPS with `token` (kubectl drops tokens on plain HTTP).
    fn kubeconfig(&self, token: Option<&str>) -> PathBuf {
        use base64::Engine;
        let (user, cluster) = match token {
            Some(t) => {
                let (url, ca) = &self.kernel_tls;
                let ca = base64::engine::general_purpose::STANDARD.encode(ca);
                (
                    format!("{{\"token\": \"{t}\"}}"),
                    format!(
                        "{{server: \"{url}/clusters/demo\", certificate-authority-data: {ca}}}"
                    ),
                )
            }
            None => (
                "{}".to_string(),
                format!("{{server: \"{}/clusters/demo\"}}", self.kernel),
            ),
        };
        let yaml = format!(
            "apiVersion: v1\nkind: Config\n\
             clusters: [{{name: proxy, cluster: {cluster}}}]\n\
             users: [{{name: me, user: {user}}}]\n\
             contexts: [{{name: proxy, context: {{cluster: proxy, user: me, namespace: default}}}}]\n\
             current-context: proxy\n"
        );
        let path = self
            .dir
            .path()
            .join(format!("kubeconfig-{}", token.map_or(0, |t| t.len())));
        std::fs::write(&path, yaml).unwrap();
        path
    }

    fn kubectl(&self, kubeconfig: &Path, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(KUBECTL);
        command
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .kill_on_drop(true);
        command
    }

    async fn run(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        timeout(WAIT, self.kubectl(kubeconfig, args).output())
            .await
            .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
            .expect("kubectl runs")
    }

    /// Runs kubectl, asserts success and returns stdout.
    async fn ok(&self, kubeconfig: &Path, args: &[&str]) -> String {
        let out = self.run(kubeconfig, args).await;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

fn have_kubectl() -> bool {
    let found = Path::new(KUBECTL).exists();
    if !found {
        println!("skipping: {KUBECTL} is not installed");
    }
    found
}

/// Sends `raw` as one HTTP/1.1 request to the kernel and returns the status and body.
async fn raw_request(kernel: &str, raw: &str) -> (u16, String) {
    let address = kernel.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    socket.write_all(raw.as_bytes()).await.unwrap();
    let mut answer = String::new();
    timeout(WAIT, socket.read_to_string(&mut answer))
        .await
        .expect("the kernel did not answer")
        .unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_pods_through_the_proxy_lists_the_demo_pods() {
    if !have_kubectl() {
        return;
    }
    let s = setup(AuthMode::Local).await;
    let out = s.ok(&s.kubeconfig(None), &["get", "pods", "-A"]).await;
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("shop") && l.contains("postgres-0")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_logs_follow_streams_lines_as_they_are_written() {
    if !have_kubectl() {
        return;
    }
    let s = setup(AuthMode::Local).await;
    let kubeconfig = s.kubeconfig(None);
    let mut child = s
        .kubectl(
            &kubeconfig,
            &["logs", "-f", "-n", "shop", "postgres-0", "--tail=1"],
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // --tail=1 prints one line at once; the rest only exist if the stream is not buffered.
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let line = timeout(WAIT, lines.next_line())
            .await
            .expect("logs -f stopped delivering lines through the proxy")
            .unwrap();
        match line {
            Some(line) => seen.push(line),
            None => {
                let mut stderr = String::new();
                let _ = child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .await;
                panic!("logs -f ended after {seen:?}: {stderr}");
            }
        }
    }
    assert!(child.try_wait().unwrap().is_none(), "logs -f exited early");
    child.kill().await.unwrap();
    assert_eq!(seen.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_runs_a_command_through_the_proxy() {
    if !have_kubectl() {
        return;
    }
    let s = setup(AuthMode::Local).await;
    let kubeconfig = s.kubeconfig(None);
    let out = s
        .ok(
            &kubeconfig,
            &["exec", "-n", "shop", "postgres-0", "--", "echo", "hi"],
        )
        .await;
    assert_eq!(out, "hi\n");
    let failed = s
        .run(
            &kubeconfig,
            &["exec", "-n", "shop", "postgres-0", "--", "false"],
        )
        .await;
    assert_eq!(failed.status.code(), Some(1), "the exit code is passed on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_token_replaces_the_kernels_credentials() {
    if !have_kubectl() {
        return;
    }
    // The kernel's own credentials are the admin's: a 403 can only come from the viewer's.
    let s = setup(AuthMode::Local).await;
    let viewer = s.kubeconfig(Some(s.sim.token("viewer").unwrap()));
    assert!(
        s.ok(&viewer, &["get", "pods", "-n", "shop"])
            .await
            .contains("postgres-0"),
        "the viewer may read"
    );
    let refused = s
        .run(&viewer, &["create", "configmap", "from-viewer"])
        .await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "the viewer created a configmap");
    assert!(
        stderr.contains("Forbidden") || stderr.contains("forbidden"),
        "{stderr}"
    );
    let refused = s
        .run(&viewer, &["delete", "pod", "-n", "shop", "postgres-0"])
        .await;
    assert!(!refused.status.success(), "the viewer deleted a pod");

    let admin = s.kubeconfig(Some(s.sim.token("admin").unwrap()));
    s.ok(&admin, &["create", "configmap", "from-admin"]).await;
    s.ok(&admin, &["delete", "configmap", "from-admin"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_mode_refuses_a_request_without_a_token() {
    let s = setup(AuthMode::Token).await;
    let answer = reqwest::get(format!("{}/clusters/demo/api/v1/namespaces", s.kernel))
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let body: Value = answer.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer"),
        "{body}"
    );
    let with_token = reqwest::Client::new()
        .get(format!("{}/clusters/demo/api/v1/namespaces", s.kernel))
        .bearer_auth(s.sim.token("viewer").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_cluster_is_404_with_where_to_look() {
    let s = setup(AuthMode::Local).await;
    let answer = reqwest::get(format!("{}/clusters/nope/api/v1/pods", s.kernel))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let body: Value = answer.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("\"nope\"") && error.contains("/api/v1/clusters"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_is_502_with_its_address() {
    let s = setup(AuthMode::Local).await;
    let answer = reqwest::get(format!("{}/clusters/gone/api/v1/pods", s.kernel))
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    let body: Value = answer.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("gone") && error.contains("127.0.0.1:1"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_is_refused() {
    let s = setup(AuthMode::Local).await;
    for path in [
        "/clusters/demo/api/../../healthz",
        "/clusters/demo/api/%2e%2e/%2e%2e/healthz",
        "/clusters/demo//evil.example/api",
        "/clusters/demo/http://evil.example/api",
    ] {
        let (status, body) = raw_request(
            &s.kernel,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains("refused by the proxy"), "{path}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_another_site_may_not_use_the_proxy() {
    let s = setup(AuthMode::Local).await;
    let answer = reqwest::Client::new()
        .delete(format!(
            "{}/clusters/demo/api/v1/namespaces/shop/pods/postgres-0",
            s.kernel
        ))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    let pods: k8s_openapi::api::core::v1::Pod = kube::Api::namespaced(s.sim.client(), "shop")
        .get("postgres-0")
        .await
        .expect("the pod is still there");
    assert_eq!(pods.metadata.name.as_deref(), Some("postgres-0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_authenticated_by_the_cookie_needs_the_csrf_token() {
    let s = setup(AuthMode::Token).await;
    let cookie = format!("headlamp-token={}", s.sim.token("admin").unwrap());
    let url = format!(
        "{}/clusters/demo/api/v1/namespaces/default/configmaps",
        s.kernel
    );
    let body = serde_json::json!({"metadata": {"name": "by-cookie"}});
    let http = reqwest::Client::new();
    let refused = http
        .post(&url)
        .header("cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let error: Value = refused.json().await.unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("x-csrf-token"),
        "{error}"
    );
    let csrf: Value = http
        .get(format!("{}/api/v1/csrf", s.kernel))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = http
        .post(&url)
        .header("cookie", &cookie)
        .header("x-csrf-token", csrf["token"].as_str().unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_watch_sees_a_change_made_after_it_started() {
    if !have_kubectl() {
        return;
    }
    let s = setup(AuthMode::Local).await;
    let kubeconfig = s.kubeconfig(None);
    let mut child = s
        .kubectl(&kubeconfig, &["get", "configmaps", "-n", "default", "-w"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let header = timeout(WAIT, lines.next_line())
        .await
        .expect("kubectl get -w printed nothing")
        .unwrap()
        .unwrap();
    assert!(header.starts_with("NAME"), "{header}");
    // Made only now, so it can reach kubectl only through the open watch.
    let configmaps: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(s.sim.client(), "default");
    let created =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "watched"}})).unwrap();
    configmaps
        .create(&Default::default(), &created)
        .await
        .unwrap();
    let seen = timeout(WAIT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.starts_with("watched ") {
                return line;
            }
        }
        panic!("the watch ended without the new configmap");
    })
    .await
    .expect("the new configmap did not come through the watch");
    assert!(seen.starts_with("watched"), "{seen}");
    child.kill().await.unwrap();
}
