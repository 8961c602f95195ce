//! Two kernel processes with one headlamp.toml serve the same viewer: the token comes with
//! each request, and a CSRF token issued by one replica is accepted by the other (both sign
//! with the shared secret). A third kernel with another secret refuses it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running kernel, killed when dropped.
struct Kernel {
    child: Child,
    url: String,
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, config: &Path) -> Kernel {
    let mut child = Command::new(env!("CARGO_BIN_EXE_headlamp"))
        .env_clear()
        .env("HOME", dir)
        .env("RUST_LOG", "warn")
        .arg("--config")
        .arg(config)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("headlamp starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("headlamp exited before serving")
            .unwrap();
        if let Some(rest) = line.strip_prefix("headlamp is serving on ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Kernel { child, url }
}

fn config(dir: &Path, name: &str, secret: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "cache_dir = {:?}\n[auth]\nmode = \"token\"\ncsrf_secret = \"{secret}\"\n[plugins]\npinned = true\n[[plugin]]\nname = \"cluster\"\nsource = \"builtin\"\n",
            dir.join("cache").to_str().unwrap()
        ),
    )
    .unwrap();
    path
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

const VIEWER: &str = "viewer-token-1";

async fn csrf_token(kernel: &Kernel) -> String {
    let answer: Value = client()
        .get(format!("{}/api/v1/csrf", kernel.url))
        .bearer_auth(VIEWER)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// A mutating request (restart a plugin) with the viewer's token and `csrf`.
async fn restart(kernel: &Kernel, csrf: Option<&str>) -> (u16, String) {
    let mut request = client()
        .post(format!("{}/api/v1/plugins/cluster/restart", kernel.url))
        .bearer_auth(VIEWER);
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap())
}

#[tokio::test]
async fn a_csrf_token_from_one_replica_is_accepted_by_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let shared = config(dir.path(), "headlamp.toml", "shared-secret-of-the-replicas");
    let one = start(dir.path(), &shared);
    let two = start(dir.path(), &shared);
    let token = csrf_token(&one).await;

    let (status, body) = restart(&two, Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    // Without the token, or on a kernel with another secret, the same request is refused.
    assert_eq!(restart(&two, None).await.0, 403);
    let other = config(dir.path(), "other.toml", "another-secret");
    let three = start(dir.path(), &other);
    assert_eq!(restart(&three, Some(&token)).await.0, 403);
    // Requests carry the viewer's token: without it, the replica does not know who asks.
    let anonymous = client()
        .get(format!("{}/api/v1/csrf", two.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
