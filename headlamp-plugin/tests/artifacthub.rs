//! `publish --artifacthub` and `install artifacthub:...` against a local fixture that serves
//! Artifact Hub's package JSON (built from the `artifacthub-pkg.yml` we wrote, as Artifact Hub
//! builds it) and the archive.
//!
//! SLOW (end to end): builds one generated plugin (dependencies come from the shared target dir).

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use common::{run, run_json};
use serde_json::json;

/// What the fixture serves: the package JSON and the archive bytes.
#[derive(Default, Clone)]
struct Served {
    package: serde_json::Value,
    archive: Vec<u8>,
}

type Shared = Arc<Mutex<Served>>;

/// Starts the fixture on a loopback port; it lives until the test process ends.
fn start_fixture() -> (String, Shared) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/api/v1/packages/headlamp/my-repo/ah-demo", get(package))
        .route(
            "/api/v1/packages/headlamp/my-repo/ah-demo/{version}",
            get(package_version),
        )
        .route("/archives/ah-demo-0.1.0.tar.gz", get(archive))
        .with_state(state.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (addr, state)
}

async fn package(State(state): State<Shared>) -> axum::Json<serde_json::Value> {
    axum::Json(state.lock().unwrap().package.clone())
}

async fn package_version(
    State(state): State<Shared>,
    axum::extract::Path(version): axum::extract::Path<String>,
) -> Result<axum::Json<serde_json::Value>, StatusCode> {
    let package = state.lock().unwrap().package.clone();
    if package["version"] == version.as_str() {
        Ok(axum::Json(package))
    } else {
        Err(StatusCode::NOT_FOUND)
    }
}

async fn archive(State(state): State<Shared>) -> Vec<u8> {
    state.lock().unwrap().archive.clone()
}

/// Builds the plugin and writes its Artifact Hub metadata pointing at the fixture; returns
/// the plugin dir and the artifacthub-pkg.yml as JSON, the shape Artifact Hub's API serves.
fn publish_to(addr: &str, out: &Path) -> (PathBuf, serde_json::Value) {
    let dir = common::new_plugin(out, "ah-demo", "table");
    common::build(&dir);
    let repo = out.join("ah-repo");
    let report = run_json(&[
        "publish",
        "-C",
        dir.to_str().unwrap(),
        "--artifacthub",
        repo.to_str().unwrap(),
        "--archive-url",
        &format!("http://{addr}/archives/ah-demo-0.1.0.tar.gz"),
        "--oci-ref",
        "oci://ghcr.io/me/ah-demo:0.1.0",
    ]);
    assert!(repo.join("artifacthub-repo.yml").is_file(), "{report}");
    let yaml = std::fs::read_to_string(repo.join("ah-demo/0.1.0/artifacthub-pkg.yml")).unwrap();
    let pkg: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
    (dir, pkg)
}

/// Artifact Hub's package JSON: the annotations become `data`.
fn api_json(pkg: &serde_json::Value) -> serde_json::Value {
    json!({
        "package_id": "5f8e-fixture",
        "name": pkg["name"],
        "normalized_name": pkg["name"],
        "display_name": pkg["displayName"],
        "description": pkg["description"],
        "version": pkg["version"],
        "repository": {"name": "my-repo", "kind": 21},
        "data": pkg["annotations"],
    })
}

#[test]
fn artifacthub_metadata_then_install_through_the_api() {
    let (addr, state) = start_fixture();
    let tmp = tempfile::tempdir().unwrap();
    let (dir, pkg) = publish_to(&addr, tmp.path());

    let annotations = &pkg["annotations"];
    assert_eq!(pkg["name"], "ah-demo");
    assert_eq!(pkg["version"], "0.1.0");
    assert_eq!(pkg["displayName"], "Ah Demo");
    assert_eq!(annotations["headlamp/plugin/runtime"], "wasm-component");
    assert_eq!(annotations["headlamp/plugin/version-compat"], "<0.0.0-0");
    assert_eq!(annotations["headlamp/plugin/wit"], "headlamp:plugin@0.1.0");
    assert_eq!(
        annotations["headlamp/plugin/oci-ref"],
        "oci://ghcr.io/me/ah-demo:0.1.0"
    );
    let archive = std::fs::read(dir.join("dist/ah-demo-0.1.0.tar.gz")).unwrap();
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&archive));
    assert_eq!(
        annotations["headlamp/plugin/archive-checksum"],
        format!("sha256:{sha}")
    );

    *state.lock().unwrap() = Served {
        package: api_json(&pkg),
        archive,
    };
    let plugins = tempfile::tempdir().unwrap();
    let base = format!("http://{addr}");
    for reference in [
        "artifacthub:my-repo/ah-demo",
        "artifacthub:my-repo/ah-demo@0.1.0",
    ] {
        let report = run_json(&[
            "install",
            reference,
            "--artifacthub-url",
            &base,
            "--dir",
            plugins.path().to_str().unwrap(),
        ]);
        assert_eq!(
            report["record"]["source"],
            "artifacthub:my-repo/ah-demo@0.1.0"
        );
        assert_eq!(report["record"]["digest"], format!("sha256:{sha}"));
    }
    assert!(plugins.path().join("ah-demo/plugin.wasm").is_file());
    assert!(plugins.path().join("ah-demo/plugin.toml").is_file());

    let missing = run(&[
        "install",
        "artifacthub:my-repo/ah-demo@9.9.9",
        "--artifacthub-url",
        &base,
        "--dir",
        plugins.path().to_str().unwrap(),
    ]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found on Artifact Hub"));
}

#[test]
fn an_archive_that_does_not_match_its_checksum_is_refused() {
    let (addr, state) = start_fixture();
    let tmp = tempfile::tempdir().unwrap();
    let (dir, pkg) = publish_to(&addr, tmp.path());
    let mut archive = std::fs::read(dir.join("dist/ah-demo-0.1.0.tar.gz")).unwrap();
    // What a compromised download host might serve: the published archive, changed.
    archive.extend_from_slice(b"tampered");
    *state.lock().unwrap() = Served {
        package: api_json(&pkg),
        archive,
    };
    let plugins = tempfile::tempdir().unwrap();
    let output = run(&[
        "install",
        "artifacthub:my-repo/ah-demo",
        "--artifacthub-url",
        &format!("http://{addr}"),
        "--dir",
        plugins.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("checksum mismatch"), "{stderr}");
    assert!(!plugins.path().join("ah-demo").exists());
}

#[test]
fn a_javascript_headlamp_plugin_is_not_installed() {
    let (addr, state) = start_fixture();
    *state.lock().unwrap() = Served {
        package: json!({
            "name": "ah-demo",
            "version": "0.1.0",
            "data": {
                "headlamp/plugin/archive-url": format!("http://{addr}/archives/ah-demo-0.1.0.tar.gz"),
                "headlamp/plugin/archive-checksum": format!("sha256:{}", "0".repeat(64)),
                "headlamp/plugin/version-compat": ">=0.22",
            }
        }),
        archive: Vec::new(),
    };
    let plugins = tempfile::tempdir().unwrap();
    let output = run(&[
        "install",
        "artifacthub:my-repo/ah-demo",
        "--artifacthub-url",
        &format!("http://{addr}"),
        "--dir",
        plugins.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("probably a JavaScript plugin"));
}

/// Every published version of one package: (version, package JSON, archive file name, archive).
type Versions = Arc<Mutex<Vec<(String, serde_json::Value, String, Vec<u8>)>>>;

/// A fixture for package `ah-up` of `my-repo` with the versions put into the returned list; the
/// package URL without a version answers the newest with `available_versions`, as Artifact Hub
/// does.
fn start_versions_fixture() -> (String, Versions) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let versions: Versions = Arc::default();
    let latest = |State(versions): State<Versions>| async move {
        let versions = versions.lock().unwrap();
        let (_, package, _, _) = versions.last().ok_or(StatusCode::NOT_FOUND)?;
        let mut package = package.clone();
        package["available_versions"] = versions
            .iter()
            .map(|(v, _, _, _)| json!({"version": v, "ts": 1_700_000_000}))
            .collect();
        Ok::<_, StatusCode>(axum::Json(package))
    };
    let one = |State(versions): State<Versions>,
               axum::extract::Path(version): axum::extract::Path<String>| async move {
        versions
            .lock()
            .unwrap()
            .iter()
            .find(|(v, _, _, _)| *v == version)
            .map(|(_, package, _, _)| axum::Json(package.clone()))
            .ok_or(StatusCode::NOT_FOUND)
    };
    let file = |State(versions): State<Versions>,
                axum::extract::Path(file): axum::extract::Path<String>| async move {
        versions
            .lock()
            .unwrap()
            .iter()
            .find(|(_, _, name, _)| *name == file)
            .map(|(_, _, _, archive)| archive.clone())
            .ok_or(StatusCode::NOT_FOUND)
    };
    let app = Router::new()
        .route("/api/v1/packages/headlamp/my-repo/ah-up", get(latest))
        .route(
            "/api/v1/packages/headlamp/my-repo/ah-up/{version}",
            get(one),
        )
        .route("/archives/{file}", get(file))
        .with_state(versions.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (addr, versions)
}

/// SLOW: builds one crate twice (0.1.0 and 0.2.0).
#[test]
fn upgrade_installs_the_newest_version_artifact_hub_lists() {
    let (addr, served) = start_versions_fixture();
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::new_plugin(tmp.path(), "ah-up", "table");
    let repo = tmp.path().join("ah-repo");
    for version in ["0.1.0", "0.2.0"] {
        let manifest = dir.join("plugin.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(
            &manifest,
            text.replace("version = \"0.1.0\"", &format!("version = \"{version}\"")),
        )
        .unwrap();
        common::build(&dir);
        let file = format!("ah-up-{version}.tar.gz");
        run_json(&[
            "publish",
            "-C",
            dir.to_str().unwrap(),
            "--artifacthub",
            repo.to_str().unwrap(),
            "--archive-url",
            &format!("http://{addr}/archives/{file}"),
        ]);
        let yaml =
            std::fs::read_to_string(repo.join(format!("ah-up/{version}/artifacthub-pkg.yml")))
                .unwrap();
        let pkg: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
        let archive = std::fs::read(dir.join("dist").join(&file)).unwrap();
        served
            .lock()
            .unwrap()
            .push((version.to_string(), api_json(&pkg), file, archive));
    }
    let base = format!("http://{addr}");
    let plugins = tmp.path().join("plugins");
    let plugins_str = plugins.to_str().unwrap();
    let installed = run_json(&[
        "install",
        "artifacthub:my-repo/ah-up@0.1.0",
        "--artifacthub-url",
        &base,
        "--dir",
        plugins_str,
    ]);
    assert_eq!(installed["record"]["version"], "0.1.0");

    let upgraded = run_json(&["upgrade", "--artifacthub-url", &base, "--dir", plugins_str]);
    assert_eq!(upgraded["plugins"][0]["state"], "upgraded", "{upgraded:#}");
    assert_eq!(upgraded["plugins"][0]["to"], "0.2.0");
    let listed = run_json(&["list", "--dir", plugins_str]);
    assert_eq!(listed["plugins"][0]["version"], "0.2.0");
    assert_eq!(
        listed["plugins"][0]["source"],
        "artifacthub:my-repo/ah-up@0.2.0"
    );
}
