//! The real kubectl against kube-sim (demo world, HTTPS: kubectl only sends tokens over TLS).

use kube_sim::{Sim, SimConfig, SimHandle};
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

const KUBECTL: &str = "/usr/bin/kubectl";

struct Cluster {
    sim: SimHandle,
    dir: tempfile::TempDir,
}

impl Cluster {
    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    fn cmd(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(KUBECTL);
        c.arg("--kubeconfig")
            .arg(self.kubeconfig())
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args);
        c.kill_on_drop(true);
        c
    }

    async fn run(&self, args: &[&str]) -> Output {
        tokio::time::timeout(Duration::from_secs(20), self.cmd(args).output())
            .await
            .expect("kubectl timed out")
            .expect("kubectl runs")
    }

    /// Runs kubectl, asserts success and returns stdout.
    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {stderr}\n{stdout}"
        );
        stdout
    }
}

async fn cluster() -> Option<Cluster> {
    if !std::path::Path::new(KUBECTL).exists() {
        println!("skipping: {KUBECTL} is not installed");
        return None;
    }
    let cfg = SimConfig {
        tls: true,
        churn: false,
        tick: Duration::from_millis(50),
        log_interval: Duration::from_millis(100),
        ..SimConfig::demo()
    };
    let sim = Sim::start(cfg).await.expect("sim starts");
    let dir = tempfile::tempdir().unwrap();
    sim.write_kubeconfig(dir.path().join("kubeconfig")).unwrap();
    Some(Cluster { sim, dir })
}

async fn eventually(c: &Cluster, args: &[&str], what: &str, pred: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..60 {
        last = c.ok(args).await;
        if pred(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}; last output:\n{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_pods_prints_table_with_demo_pods() {
    let Some(c) = cluster().await else { return };
    let out = c.ok(&["get", "pods", "-n", "shop"]).await;
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert!(
        out.lines()
            .any(|l| l.starts_with("frontend-") && l.contains("1/1") && l.contains("Running")),
        "{out}"
    );
    assert!(out.contains("CrashLoopBackOff"), "{out}");
    let deps = c.ok(&["get", "deployments", "-A"]).await;
    let header: Vec<&str> = deps.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAMESPACE",
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE"
        ]
    );
    let widgets = c.ok(&["get", "widgets", "-n", "shop"]).await;
    assert!(
        widgets.starts_with("NAME") && widgets.contains("SIZE") && widgets.contains("widget-a"),
        "{widgets}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_o_yaml_prints_the_object() {
    let Some(c) = cluster().await else { return };
    let out = c
        .ok(&["get", "service", "frontend", "-n", "shop", "-o", "yaml"])
        .await;
    assert!(
        out.contains("kind: Service")
            && out.contains("name: frontend")
            && out.contains("type: LoadBalancer"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_creates_then_configures() {
    let Some(c) = cluster().await else { return };
    let file = c.dir.path().join("cm.yaml");
    std::fs::write(&file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  a: \"1\"\n").unwrap();
    let f = file.to_str().unwrap();
    assert!(
        c.ok(&["apply", "-f", f])
            .await
            .contains("configmap/applied created")
    );
    std::fs::write(&file, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  a: \"2\"\n").unwrap();
    assert!(
        c.ok(&["apply", "-f", f])
            .await
            .contains("configmap/applied configured")
    );
    assert_eq!(
        c.ok(&["get", "configmap", "applied", "-o", "jsonpath={.data.a}"])
            .await,
        "2"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_changes_the_number_of_pods() {
    let Some(c) = cluster().await else { return };
    assert!(
        c.ok(&["scale", "deployment", "hello", "--replicas=4"])
            .await
            .contains("deployment.apps/hello scaled")
    );
    eventually(
        &c,
        &["get", "pods", "-l", "app=hello", "--no-headers"],
        "4 hello pods",
        |o| o.lines().filter(|l| l.contains("Running")).count() == 4,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollout_restart_replaces_pods() {
    let Some(c) = cluster().await else { return };
    let before = c
        .ok(&["get", "pods", "-l", "app=hello", "-o", "name"])
        .await;
    assert!(
        c.ok(&["rollout", "restart", "deployment/hello"])
            .await
            .contains("restarted")
    );
    let after = eventually(
        &c,
        &["get", "pods", "-l", "app=hello", "-o", "name"],
        "new pods",
        |o| o.lines().count() == 2 && o.lines().all(|l| !before.contains(l)),
    )
    .await;
    assert_eq!(after.lines().count(), 2);
    c.ok(&["rollout", "status", "deployment/hello", "--timeout=10s"])
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_the_object() {
    let Some(c) = cluster().await else { return };
    assert!(
        c.ok(&["delete", "configmap", "frontend-config", "-n", "shop"])
            .await
            .contains("deleted")
    );
    let out = c
        .run(&["get", "configmap", "frontend-config", "-n", "shop"])
        .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NotFound"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_print_generated_lines() {
    let Some(c) = cluster().await else { return };
    let out = c
        .ok(&[
            "logs",
            "-n",
            "shop",
            "postgres-0",
            "--tail=1",
            "--timestamps",
        ])
        .await;
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("[postgres]") && out.contains("Z "), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_streams_new_lines() {
    let Some(c) = cluster().await else { return };
    let mut child = c
        .cmd(&["logs", "-f", "-n", "shop", "postgres-0", "--tail=1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = Vec::new();
    let read = async {
        use tokio::io::AsyncReadExt;
        let mut chunk = [0u8; 1024];
        while buf.iter().filter(|b| **b == b'\n').count() < 3 {
            let n = stdout.read(&mut chunk).await.unwrap();
            assert!(n > 0, "logs -f ended early");
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("3 lines within 10s");
    child.kill().await.unwrap();
    assert!(
        String::from_utf8_lossy(&buf)
            .lines()
            .all(|l| l.starts_with("[postgres]"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_echo_prints_hi() {
    let Some(c) = cluster().await else { return };
    assert_eq!(
        c.ok(&["exec", "-n", "shop", "postgres-0", "--", "echo", "hi"])
            .await,
        "hi\n"
    );
    let out = c
        .run(&["exec", "-n", "shop", "postgres-0", "--", "false"])
        .await;
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_can_i_answers_per_user() {
    let Some(c) = cluster().await else { return };
    assert_eq!(
        c.ok(&["auth", "can-i", "delete", "pods"]).await.trim(),
        "yes"
    );
    let out = c
        .run(&[
            "--context",
            "kube-sim-viewer",
            "auth",
            "can-i",
            "delete",
            "pods",
        ])
        .await;
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "no");
    assert_eq!(
        c.ok(&[
            "--context",
            "kube-sim-viewer",
            "auth",
            "can-i",
            "list",
            "pods"
        ])
        .await
        .trim(),
        "yes"
    );
    let denied = c
        .run(&[
            "--context",
            "kube-sim-viewer",
            "delete",
            "pod",
            "postgres-0",
            "-n",
            "shop",
        ])
        .await;
    assert!(
        String::from_utf8_lossy(&denied.stderr)
            .contains("User \"viewer\" cannot delete resource \"pods\"")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_resources_lists_builtins_and_crds() {
    let Some(c) = cluster().await else { return };
    let out = c.ok(&["api-resources"]).await;
    for needle in [
        "deployments",
        "customresourcedefinitions",
        "widgets",
        "horizontalpodautoscalers",
        "endpointslices",
    ] {
        assert!(out.contains(needle), "missing {needle}:\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("pods ")
        && l.contains(" po ")
        && l.contains("true")
        && l.contains("Pod")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_watch_receives_a_change() {
    let Some(c) = cluster().await else { return };
    let mut child = c
        .cmd(&["get", "configmaps", "-n", "shop", "--watch"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = Vec::new();
    use tokio::io::AsyncReadExt;
    let mut chunk = [0u8; 4096];
    let initial = async {
        while !String::from_utf8_lossy(&buf).contains("frontend-config") {
            let n = stdout.read(&mut chunk).await.unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(10), initial)
        .await
        .expect("initial list");
    c.ok(&[
        "create",
        "configmap",
        "watched",
        "-n",
        "shop",
        "--from-literal=a=b",
    ])
    .await;
    let change = async {
        while !String::from_utf8_lossy(&buf).contains("watched") {
            let n = stdout.read(&mut chunk).await.unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(10), change)
        .await
        .expect("watch shows the new configmap");
    child.kill().await.unwrap();
    drop(c.sim);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_generators_work_and_jobs_complete() {
    let Some(c) = cluster().await else { return };
    // kubectl's typed clients send these as protobuf.
    assert!(
        c.ok(&[
            "create",
            "deployment",
            "gen",
            "--image=nginx",
            "--replicas=2",
            "--port=80"
        ])
        .await
        .contains("deployment.apps/gen created")
    );
    assert!(
        c.ok(&[
            "create",
            "job",
            "once",
            "--image=busybox",
            "--",
            "echo",
            "hi"
        ])
        .await
        .contains("job.batch/once created")
    );
    assert!(
        c.ok(&["create", "service", "nodeport", "gen", "--tcp=80:80"])
            .await
            .contains("service/gen created")
    );
    eventually(
        &c,
        &["get", "pods", "-l", "app=gen", "--no-headers"],
        "2 gen pods",
        |o| o.lines().filter(|l| l.contains("Running")).count() == 2,
    )
    .await;
    eventually(
        &c,
        &["get", "job", "once", "--no-headers"],
        "job complete",
        |o| o.contains("Complete") && o.contains("1/1"),
    )
    .await;
    let svc = c.ok(&["get", "service", "gen", "--no-headers"]).await;
    assert!(svc.contains("NodePort") && svc.contains("80:3"), "{svc}");
}
