//! Pinned plugins fetched by the kernel: `oci://` artifacts from a real registry (Debian's
//! `docker-registry`, started on a loopback port with a temporary config and killed when the
//! test ends) and package archives over HTTP from a loopback server, through the real
//! `headlamp` binary. An unpinned plugin in a `--plugins-dir` stays off throughout (the local
//! case has its own test in `pinned_plugins.rs`).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use headlamp_kernel::loader::BUILTIN_PLUGINS;
use headlamp_kernel::pinned::Sha256Digest;
use headlamp_registry::oci::{self, ANNOTATION_ID, ImageManifest, Reference, RegistryOptions};
use serde_json::{Value, json};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// A running `docker-registry`; dropping it kills the process.
struct Registry {
    child: Child,
    addr: String,
    _storage: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry, or says why it cannot and returns `None` (the test then skips).
    fn start() -> Option<Self> {
        if !Path::new(REGISTRY_BIN).exists() {
            eprintln!(
                "SKIPPED: {REGISTRY_BIN} is not installed (`apt-get install docker-registry` provides it)"
            );
            return None;
        }
        let storage = tempfile::tempdir().unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
                storage.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry starts");
        let registry = Registry {
            child,
            addr,
            _storage: storage,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&registry.addr).is_ok() {
                return Some(registry);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "docker-registry did not listen on {} within 20 s",
            registry.addr
        );
    }

    /// Pushes built-in `plugin`'s component to `repo:tag` as `headlamp-plugin publish` lays
    /// it out, annotated with `id`; returns the source to pin and the component's digest.
    fn push(&self, plugin: &str, id: &str, repo: &str, tag: &str) -> (String, String) {
        let wasm = builtin(plugin);
        let (manifest, config) = artifact(wasm, id);
        let source = format!("oci://{}/{repo}:{tag}", self.addr);
        let reference = Reference::parse(&source).unwrap();
        oci::push(
            &reference,
            &RegistryOptions::default(),
            &config,
            wasm,
            &manifest,
        )
        .unwrap();
        (source, Sha256Digest::of(wasm).to_string())
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A built-in plugin's component (`make plugins` builds them before the kernel).
fn builtin(name: &str) -> &'static [u8] {
    BUILTIN_PLUGINS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, wasm, _)| *wasm)
        .unwrap_or_else(|| panic!("no built-in {name}: run `make plugins` before the tests"))
}

/// The CNCF wasm artifact of `wasm`: (manifest, config), as `headlamp-plugin publish` makes it.
fn artifact(wasm: &[u8], id: &str) -> (Vec<u8>, Vec<u8>) {
    let layer_digest = format!("sha256:{}", Sha256Digest::of(wasm).hex());
    let config = serde_json::to_vec(&json!({
        "created": "2026-01-01T00:00:00Z",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer_digest],
        "component": {"exports": [], "imports": [], "target": "headlamp:plugin/headlamp-plugin@0.1.0"},
    }))
    .unwrap();
    let manifest: ImageManifest = serde_json::from_value(json!({
        "schemaVersion": 2,
        "mediaType": oci::MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": oci::CONFIG_MEDIA_TYPE,
            "digest": format!("sha256:{}", Sha256Digest::of(&config).hex()),
            "size": config.len(),
        },
        "layers": [{
            "mediaType": oci::LAYER_MEDIA_TYPE,
            "digest": layer_digest,
            "size": wasm.len(),
            "annotations": {"org.opencontainers.image.title": format!("{id}.wasm")},
        }],
        "annotations": {ANNOTATION_ID: id},
    }))
    .unwrap();
    (serde_json::to_vec(&manifest).unwrap(), config)
}

/// A `headlamp-plugin package` archive of built-in `name`: `NAME/plugin.wasm` and the
/// component's own manifest as `NAME/plugin.toml`.
fn package(name: &str) -> Vec<u8> {
    let wasm = builtin(name);
    let manifest = headlamp_kernel::inspect::inspect(wasm)
        .unwrap()
        .embedded_manifest
        .expect("built-ins embed their manifest");
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (file, data) in [("plugin.wasm", wasm), ("plugin.toml", manifest.as_bytes())] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("{name}/{file}"), data)
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
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

/// The kernel with `config`, its caches in `dir/cache`, and a plugins directory holding an
/// unpinned plugin that must never load.
fn command(dir: &Path, config: &str) -> Command {
    let extra = dir.join("unpinned");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(extra.join("network.wasm"), builtin("network")).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_headlamp"));
    command
        .env_clear()
        .env("HOME", dir)
        .env("RUST_LOG", "warn")
        .args(["--config", config, "--listen", "127.0.0.1:0"])
        .args(["--cache-dir", cache_dir(dir).to_str().unwrap()])
        .args(["--plugins-dir", extra.to_str().unwrap()]);
    command
}

fn cache_dir(dir: &Path) -> PathBuf {
    dir.join("cache")
}

/// Starts the kernel and waits for the line that says where it serves.
fn start(dir: &Path, config: &str) -> Kernel {
    let mut child = command(dir, config)
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

/// Runs a kernel that is expected to refuse to start; returns its stderr.
fn refused(dir: &Path, config: &str) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = command(dir, config).output().unwrap();
    assert!(!status.success(), "the kernel started");
    assert!(
        !String::from_utf8_lossy(&stdout).contains("serving"),
        "it served anyway"
    );
    String::from_utf8_lossy(&stderr).into_owned()
}

fn plugins(kernel: &Kernel) -> Value {
    headlamp_registry::oci::http_client()
        .unwrap()
        .get(format!("{}/api/v1/plugins", kernel.url))
        .send()
        .unwrap()
        .json()
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

/// `headlamp.toml` pinning `entries` (name, source, digest).
fn write_config(dir: &Path, on_error: &str, entries: &[(&str, &str, &str)]) -> String {
    let mut text = format!("[plugins]\npinned = true\non_error = \"{on_error}\"\n");
    for (name, source, digest) in entries {
        text.push_str(&format!(
            "\n[[plugin]]\nname = \"{name}\"\nsource = \"{source}\"\ndigest = \"{digest}\"\n"
        ));
    }
    let path = dir.join("headlamp.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn two_plugins_pinned_from_a_registry_load_and_nothing_else() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (workloads, workloads_digest) =
        registry.push("workloads", "workloads", "plugins/workloads", "0.1.0");
    let (storage, storage_digest) = registry.push("storage", "storage", "plugins/storage", "0.1.0");
    let config = write_config(
        dir.path(),
        "fail",
        &[
            ("workloads", &workloads, &workloads_digest),
            ("storage", &storage, &storage_digest),
        ],
    );
    let kernel = start(dir.path(), &config);
    let answer = plugins(&kernel);
    assert_eq!(
        names(&answer, "plugins"),
        ["storage", "workloads"],
        "{answer}"
    );
    assert_eq!(
        names(&answer, "not_loaded"),
        Vec::<String>::new(),
        "{answer}"
    );
    // Each runs from its verified blob in the content-addressed cache.
    let blob = cache_dir(dir.path())
        .join("sha256")
        .join(workloads_digest.trim_start_matches("sha256:"));
    let origins: Vec<&str> = answer["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["origin"]["path"].as_str())
        .collect();
    assert!(origins.contains(&blob.to_str().unwrap()), "{answer}");
}

#[test]
fn a_wrong_digest_refuses_to_start_with_the_plugin_and_both_digests() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, actual) = registry.push("workloads", "workloads", "plugins/workloads", "0.1.0");
    let expected = format!("sha256:{}", "0".repeat(64));
    let config = write_config(dir.path(), "fail", &[("workloads", &source, &expected)]);
    let stderr = refused(dir.path(), &config);
    assert_contains(&stderr, &["\"workloads\"", &source, &expected, &actual]);
    // Nothing unverified is kept.
    let cached = cache_dir(dir.path()).join("sha256");
    let kept = std::fs::read_dir(&cached).map_or(0, |d| d.count());
    assert_eq!(kept, 0, "{} holds a blob", cached.display());
}

#[test]
fn a_missing_tag_refuses_to_start_naming_the_tags_there() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, digest) = registry.push("workloads", "workloads", "plugins/workloads", "0.1.0");
    let missing = source.replace(":0.1.0", ":9.9.9");
    let config = write_config(dir.path(), "fail", &[("workloads", &missing, &digest)]);
    let stderr = refused(dir.path(), &config);
    assert_contains(
        &stderr,
        &[
            "\"workloads\"",
            &missing,
            "`9.9.9` not found",
            "tags published there: 0.1.0",
        ],
    );
}

#[test]
fn the_second_start_uses_the_cache_with_the_registry_stopped() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, digest) = registry.push("workloads", "workloads", "plugins/workloads", "0.1.0");
    let config = write_config(dir.path(), "fail", &[("workloads", &source, &digest)]);
    drop(start(dir.path(), &config));
    drop(registry);
    let kernel = start(dir.path(), &config);
    assert_eq!(names(&plugins(&kernel), "plugins"), ["workloads"]);
}

#[test]
fn an_unreachable_registry_refuses_to_start_naming_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let source = format!("oci://{addr}/plugins/workloads:0.1.0");
    let digest = Sha256Digest::of(builtin("workloads")).to_string();
    let config = write_config(dir.path(), "fail", &[("workloads", &source, &digest)]);
    let stderr = refused(dir.path(), &config);
    assert_contains(
        &stderr,
        &["\"workloads\"", &source, &format!("cannot reach {addr}")],
    );
}

#[test]
fn an_artifact_of_another_plugin_is_refused_by_name() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // `storage`, published where `workloads` is expected.
    let (source, digest) = registry.push("storage", "storage", "plugins/workloads", "0.1.0");
    let config = write_config(dir.path(), "fail", &[("workloads", &source, &digest)]);
    let stderr = refused(dir.path(), &config);
    assert_contains(
        &stderr,
        &["\"workloads\"", &source, "holds the plugin \"storage\""],
    );
}

#[test]
fn on_error_skip_starts_and_lists_the_plugin_that_could_not_be_fetched() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (workloads, workloads_digest) =
        registry.push("workloads", "workloads", "plugins/workloads", "0.1.0");
    let (storage, storage_digest) = registry.push("storage", "storage", "plugins/storage", "0.1.0");
    let missing = storage.replace(":0.1.0", ":2.0.0");
    let config = write_config(
        dir.path(),
        "skip",
        &[
            ("workloads", &workloads, &workloads_digest),
            ("storage", &missing, &storage_digest),
        ],
    );
    let kernel = start(dir.path(), &config);
    let answer = plugins(&kernel);
    assert_eq!(names(&answer, "plugins"), ["workloads"], "{answer}");
    assert_eq!(names(&answer, "not_loaded"), ["storage"], "{answer}");
    let reason = answer["not_loaded"][0]["error"].as_str().unwrap();
    assert_contains(reason, &[&missing, "`2.0.0` not found"]);
}

/// Serves `body` at `/NAME` on a loopback port from its own thread; returns the base URL.
fn serve(name: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                &format!("/{name}"),
                axum::routing::get(move || async move { body }),
            );
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// The package archive of `workloads` served over HTTP: its URL and digest.
fn served_package() -> (String, String) {
    let archive = package("workloads");
    let digest = Sha256Digest::of(&archive).to_string();
    let base = serve("workloads-0.1.0.tar.gz", archive);
    (format!("{base}/workloads-0.1.0.tar.gz"), digest)
}

#[test]
fn a_package_archive_over_http_from_this_machine_loads() {
    let dir = tempfile::tempdir().unwrap();
    let (source, digest) = served_package();
    let config = write_config(dir.path(), "fail", &[("workloads", &source, &digest)]);
    let kernel = start(dir.path(), &config);
    let answer = plugins(&kernel);
    assert_eq!(names(&answer, "plugins"), ["workloads"], "{answer}");
}

#[test]
fn a_package_archive_with_another_digest_refuses_to_start_with_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let (source, actual) = served_package();
    let wrong = format!("sha256:{}", "1".repeat(64));
    let config = write_config(dir.path(), "fail", &[("workloads", &source, &wrong)]);
    let stderr = refused(dir.path(), &config);
    assert_contains(&stderr, &["\"workloads\"", &source, &wrong, &actual]);
}
