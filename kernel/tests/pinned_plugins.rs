//! The operator's pinned plugin set, through the real `headlamp` binary: only the listed
//! plugins load, digests are verified, `on_error = "skip"` starts without the broken entry,
//! and nothing can be installed into a pinned kernel.
//!
//! Sources here are local files; `oci://` and `https://` sources are tested in
//! `pinned_registry.rs`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use headlamp_kernel::loader::BUILTIN_PLUGINS;
use headlamp_kernel::pinned::Sha256Digest;
use serde_json::Value;

/// A built-in plugin's component, written to `dir` as `NAME.wasm`; returns its path and digest.
fn plugin_file(dir: &Path, name: &str) -> (String, String) {
    let (_, wasm, _) = BUILTIN_PLUGINS
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no built-in {name}: run `make plugins` before the tests"));
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, wasm).unwrap();
    (
        path.to_str().unwrap().to_owned(),
        Sha256Digest::of(wasm).to_string(),
    )
}

/// A running kernel, killed when dropped so that a failing test leaves no process behind.
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

fn command(dir: &Path, config: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_headlamp"));
    command
        .env_clear()
        .env("HOME", dir)
        .env("RUST_LOG", "warn")
        .args(["--config", config, "--listen", "127.0.0.1:0"])
        .args(["--cache-dir", dir.join("cache").to_str().unwrap()])
        .args(extra);
    command
}

/// Starts the kernel and waits for the line that says where it serves.
fn start(dir: &Path, config: &str, extra: &[&str]) -> Kernel {
    let mut child = command(dir, config, extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("headlamp starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("headlamp exited before serving")
            .unwrap();
        if let Some(rest) = line.strip_prefix("headlamp is serving on ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    // Keep draining stdout so the kernel never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Kernel { child, url }
}

/// A client; reqwest is built without a TLS provider of its own, so ring is installed first.
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn plugins(kernel: &Kernel) -> Value {
    client()
        .get(format!("{}/api/v1/plugins", kernel.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn names(answer: &Value, list: &str) -> Vec<String> {
    let mut names: Vec<String> = answer[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("headlamp.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn only_the_pinned_plugins_load() {
    let dir = tempfile::tempdir().unwrap();
    let (workloads, digest) = plugin_file(dir.path(), "workloads");
    // An unpinned plugin in a plugins directory, and the built-in `cluster`: neither may load.
    let extra = dir.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    plugin_file(&extra, "cluster");
    let config = write_config(
        dir.path(),
        &format!(
            "[plugins]\npinned = true\ndirs = [{extra:?}]\n\n[[plugin]]\nname = \"workloads\"\nsource = {workloads:?}\ndigest = \"{digest}\"\n",
            extra = extra.to_str().unwrap()
        ),
    );
    let kernel = start(dir.path(), &config, &["--dev-token", "t0ken"]);
    let answer = plugins(&kernel).await;
    assert_eq!(names(&answer, "plugins"), ["workloads"], "{answer}");
    assert_eq!(
        answer["plugins"][0]["origin"]["path"].as_str(),
        Some(workloads.as_str()),
        "{answer}"
    );
    assert_eq!(
        names(&answer, "not_loaded"),
        Vec::<String>::new(),
        "{answer}"
    );

    // Installing through the dev endpoint is refused, even with the right token.
    let refused = client()
        .post(format!("{}/api/v1/dev/plugins", kernel.url))
        .bearer_auth("t0ken")
        .header("content-type", "application/wasm")
        .body(b"\0asm".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let text = refused.text().await.unwrap();
    assert!(text.contains("pinned"), "{text}");
}

#[tokio::test]
async fn a_builtin_can_be_pinned_beside_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (workloads, digest) = plugin_file(dir.path(), "workloads");
    let config = write_config(
        dir.path(),
        &format!(
            "[plugins]\npinned = true\n\n[[plugin]]\nname = \"cluster\"\nsource = \"builtin\"\n\n[[plugin]]\nname = \"workloads\"\nsource = {workloads:?}\ndigest = \"{digest}\"\n"
        ),
    );
    let kernel = start(dir.path(), &config, &[]);
    let answer = plugins(&kernel).await;
    assert_eq!(
        names(&answer, "plugins"),
        ["cluster", "workloads"],
        "{answer}"
    );
}

#[test]
fn a_wrong_digest_refuses_to_start_with_the_plugin_and_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let (workloads, actual) = plugin_file(dir.path(), "workloads");
    let expected = format!("sha256:{}", "0".repeat(64));
    let config = write_config(
        dir.path(),
        &format!(
            "[plugins]\npinned = true\n\n[[plugin]]\nname = \"workloads\"\nsource = {workloads:?}\ndigest = \"{expected}\"\n"
        ),
    );
    let output = command(dir.path(), &config, &[]).output().unwrap();
    assert!(
        !output.status.success(),
        "a wrong digest started the kernel"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    for needle in ["\"workloads\"", &workloads, &expected, &actual] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("serving"),
        "it served anyway"
    );
}

#[tokio::test]
async fn on_error_skip_starts_and_lists_the_skipped_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let (workloads, digest) = plugin_file(dir.path(), "workloads");
    let (cluster, _) = plugin_file(dir.path(), "cluster");
    let wrong = format!("sha256:{}", "1".repeat(64));
    let config = write_config(
        dir.path(),
        &format!(
            "[plugins]\npinned = true\non_error = \"skip\"\n\n[[plugin]]\nname = \"workloads\"\nsource = {workloads:?}\ndigest = \"{digest}\"\n\n[[plugin]]\nname = \"cluster\"\nsource = {cluster:?}\ndigest = \"{wrong}\"\n"
        ),
    );
    let kernel = start(dir.path(), &config, &[]);
    let answer = plugins(&kernel).await;
    assert_eq!(names(&answer, "plugins"), ["workloads"], "{answer}");
    assert_eq!(names(&answer, "not_loaded"), ["cluster"], "{answer}");
    let reason = answer["not_loaded"][0]["error"].as_str().unwrap();
    assert!(
        reason.contains("digest mismatch") && reason.contains(&wrong),
        "{reason}"
    );
}

#[test]
fn a_pinned_entry_without_a_digest_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let (workloads, _) = plugin_file(dir.path(), "workloads");
    let config = write_config(
        dir.path(),
        &format!(
            "[plugins]\npinned = true\n\n[[plugin]]\nname = \"workloads\"\nsource = {workloads:?}\n"
        ),
    );
    let output = Command::new(env!("CARGO_BIN_EXE_headlamp"))
        .env_clear()
        .args(["config", "check", &config])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"workloads\"") && stderr.contains("no digest"),
        "{stderr}"
    );
}
