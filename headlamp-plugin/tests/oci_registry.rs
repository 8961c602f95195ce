//! `publish oci://` and `install oci://` against a real registry: Debian's `docker-registry`,
//! started on a loopback port with a temporary config and killed when the test ends.
//!
//! SLOW (end to end): builds one generated plugin (dependencies come from the shared target dir).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{run, run_json};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// A running `docker-registry`; dropping it kills the process.
struct Registry {
    child: Child,
    addr: String,
    storage: tempfile::TempDir,
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
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
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
            storage,
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

    /// The file the registry serves for blob `digest`.
    fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.storage
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One built plugin for every test of this file.
fn plugin() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let parent = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oci-fixture");
        let _ = std::fs::remove_dir_all(&parent);
        std::fs::create_dir_all(&parent).unwrap();
        let dir = common::new_plugin(&parent, "oci-demo", "table");
        common::build(&dir);
        dir
    })
}

fn plugin_str() -> &'static str {
    plugin().to_str().unwrap()
}

#[test]
fn publish_then_install_round_trips_through_a_real_registry() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let reference = format!("oci://{}/plugins/oci-demo:0.1.0", registry.addr);
    let pushed = run_json(&["publish", &reference, "-C", plugin_str()]);
    let digest = pushed["digest"].as_str().unwrap().to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{pushed}"
    );

    // The registry serves our manifest byte for byte, in the CNCF wasm layout.
    let client = headlamp_plugin::oci::http_client().unwrap();
    let manifest: serde_json::Value = client
        .get(format!(
            "http://{}/v2/plugins/oci-demo/manifests/0.1.0",
            registry.addr
        ))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    let annotations = &manifest["annotations"];
    assert_eq!(annotations["org.opencontainers.image.title"], "oci-demo");
    assert_eq!(annotations["org.opencontainers.image.version"], "0.1.0");
    assert_eq!(
        annotations["org.opencontainers.image.licenses"],
        "Apache-2.0"
    );
    assert_eq!(annotations["dev.headlamp.plugin.id"], "oci-demo");
    assert_eq!(annotations["dev.headlamp.plugin.api"], "0.1.0");
    let config: serde_json::Value = client
        .get(format!(
            "http://{}/v2/plugins/oci-demo/blobs/{}",
            registry.addr,
            manifest["config"]["digest"].as_str().unwrap()
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["layerDigests"][0], manifest["layers"][0]["digest"]);
    let exports = config["component"]["exports"].as_array().unwrap();
    assert!(
        exports.iter().any(|e| e == "headlamp:plugin/plugin@0.1.0"),
        "{config}"
    );

    // Other OCI tools read it.
    if Path::new("/usr/bin/skopeo").exists() {
        let out = Command::new("skopeo")
            .args(["inspect", "--raw", "--tls-verify=false"])
            .arg(format!("docker://{}/plugins/oci-demo:0.1.0", registry.addr))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        use sha2::Digest;
        assert_eq!(
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(&out.stdout))),
            digest
        );
    } else {
        eprintln!("skopeo not installed: skipped the interoperability check");
    }

    let plugins = tempfile::tempdir().unwrap();
    let dir = plugins.path().to_str().unwrap();
    let installed = run_json(&["install", &reference, "--dir", dir, "--digest", &digest]);
    assert_eq!(installed["record"]["digest"], digest);
    let home = plugins.path().join("oci-demo");
    let wasm = std::fs::read(home.join("plugin.wasm")).unwrap();
    let built =
        std::fs::read(common::inner_target().join("wasm32-wasip2/release/oci_demo.wasm")).unwrap();
    assert_eq!(wasm, built);
    assert_eq!(
        std::fs::read_to_string(home.join("plugin.toml")).unwrap(),
        std::fs::read_to_string(plugin().join("plugin.toml")).unwrap()
    );

    // By digest, too.
    let by_digest = format!("oci://{}/plugins/oci-demo@{digest}", registry.addr);
    run_json(&["install", &by_digest, "--dir", dir]);

    let list = run_json(&["list", "--dir", dir]);
    assert_eq!(list["plugins"][0]["name"], "oci-demo");
    run_json(&["remove", "oci-demo", "--dir", dir]);
    assert!(!home.exists());
    assert!(
        run_json(&["list", "--dir", dir])["plugins"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn installing_a_missing_tag_names_the_tags_that_exist() {
    let Some(registry) = Registry::start() else {
        return;
    };
    run_json(&[
        "publish",
        &format!("oci://{}/plugins/oci-demo:0.1.0", registry.addr),
        "-C",
        plugin_str(),
    ]);
    let plugins = tempfile::tempdir().unwrap();
    let output = run(&[
        "install",
        &format!("oci://{}/plugins/oci-demo:9.9.9", registry.addr),
        "--dir",
        plugins.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`9.9.9` not found"), "{stderr}");
    assert!(stderr.contains("tags published there: 0.1.0"), "{stderr}");
    assert!(!plugins.path().join("oci-demo").exists());
}

#[test]
fn a_pinned_digest_that_does_not_match_is_refused() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let reference = format!("oci://{}/plugins/oci-demo:0.1.0", registry.addr);
    run_json(&["publish", &reference, "-C", plugin_str()]);
    let plugins = tempfile::tempdir().unwrap();
    let wrong = format!("sha256:{}", "0".repeat(64));
    let output = run(&[
        "install",
        &reference,
        "--dir",
        plugins.path().to_str().unwrap(),
        "--digest",
        &wrong,
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("digest mismatch"), "{stderr}");
    assert!(stderr.contains(&wrong), "{stderr}");
    assert!(!plugins.path().join("oci-demo").exists());
}

#[test]
fn a_component_changed_in_the_registry_is_refused() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let reference = format!("oci://{}/plugins/oci-demo:0.1.0", registry.addr);
    let pushed = run_json(&["publish", &reference, "-C", plugin_str()]);
    // Flip one byte of the stored layer: same size, different content.
    let blob = registry.blob_file(pushed["layer_digest"].as_str().unwrap());
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();

    let plugins = tempfile::tempdir().unwrap();
    let output = run(&[
        "install",
        &reference,
        "--dir",
        plugins.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("digest mismatch for the component"),
        "{stderr}"
    );
    assert!(!plugins.path().join("oci-demo").exists());
}

/// SLOW: builds its own crate twice (0.1.0, then 0.2.0), so the shared fixture stays 0.1.0.
#[test]
fn upgrade_installs_the_newest_semver_tag_and_dry_run_changes_nothing() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::new_plugin(tmp.path(), "oci-up", "table");
    let dir_str = dir.to_str().unwrap();
    let repo = format!("oci://{}/plugins/oci-up", registry.addr);
    common::build(&dir);
    run_json(&["publish", &format!("{repo}:0.1.0"), "-C", dir_str]);
    // Not semver: never an upgrade candidate, whatever it holds.
    run_json(&["publish", &format!("{repo}:latest"), "-C", dir_str]);
    let manifest = dir.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
    common::build(&dir);
    let pushed = run_json(&["publish", &format!("{repo}:0.2.0"), "-C", dir_str]);

    let plugins = tmp.path().join("plugins");
    let plugins_str = plugins.to_str().unwrap();
    run_json(&["install", &format!("{repo}:0.1.0"), "--dir", plugins_str]);

    let dry = run_json(&["upgrade", "--dir", plugins_str, "--dry-run"]);
    assert_eq!(dry["plugins"][0]["state"], "would-upgrade", "{dry:#}");
    assert_eq!(dry["plugins"][0]["to"], "0.2.0", "{dry:#}");
    let listed = run_json(&["list", "--dir", plugins_str]);
    assert_eq!(listed["plugins"][0]["version"], "0.1.0");

    let upgraded = run_json(&["upgrade", "oci-up", "--dir", plugins_str]);
    assert_eq!(upgraded["plugins"][0]["state"], "upgraded", "{upgraded:#}");
    let listed = run_json(&["list", "--dir", plugins_str]);
    let record = &listed["plugins"][0];
    assert_eq!(record["version"], "0.2.0");
    assert_eq!(record["source"], format!("{repo}:0.2.0"));
    assert_eq!(record["digest"], pushed["digest"]);

    let again = run_json(&["upgrade", "--dir", plugins_str]);
    assert_eq!(again["plugins"][0]["state"], "up-to-date", "{again:#}");
}
