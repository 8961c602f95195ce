//! `headlamp-plugin start` end to end: a kernel with a dev token in this process, the CLI
//! watching a generated crate; edits are rebuilt and hot-reloaded, a broken edit is not.
//!
//! SLOW: three incremental builds of one generated crate.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use common::{cli, new_plugin};
use headlamp_kernel::api::{AppState, router};
use headlamp_kernel::cluster::ClusterRegistry;
use headlamp_kernel::host::{Limits, PluginHost, PluginStatus};
use serde_json::Value;

const TOKEN: &str = "start-test-token";

/// Kills the CLI when the test ends, whichever way it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next event matching `wanted`, skipping others; panics after `within`.
fn wait_for(
    events: &mpsc::Receiver<Value>,
    within: Duration,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + within;
    loop {
        let left = deadline
            .checked_duration_since(std::time::Instant::now())
            .expect("timed out waiting for a start event");
        let event = events
            .recv_timeout(left)
            .expect("start printed no matching event");
        eprintln!("start: {event}");
        if wanted(&event) {
            return event;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_hot_reloaded_and_a_broken_build_keeps_the_last_good_one() {
    let host = Arc::new(
        PluginHost::new(Limits::default(), None, Arc::new(ClusterRegistry::new())).unwrap(),
    );
    let app = router(AppState::local(host.clone()))
        .merge(headlamp_kernel::dev::router(host.clone(), Some(TOKEN)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let kernel = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let tmp = tempfile::tempdir().unwrap();
    let dir = new_plugin(tmp.path(), "hot", "table");
    let mut child = cli()
        .args(["--json", "start", dir.to_str().unwrap()])
        .args([
            "--kernel",
            &kernel,
            "--dev-token",
            TOKEN,
            "--debounce-ms",
            "200",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let (tx, events) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let event: Value = serde_json::from_str(&line).expect("start --json prints JSON lines");
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    let build_time = Duration::from_secs(600);

    let first = wait_for(&events, build_time, |e| {
        e["event"] != "built" && e["event"] != "changed"
    });
    assert_eq!(first["event"], "loaded", "{first}");
    assert_eq!(first["version"], "0.1.0");
    assert_eq!(
        host.plugin("hot").unwrap().manifest().version.to_string(),
        "0.1.0"
    );

    // A new version: plugin.toml is embedded in the component, so this is a rebuild.
    let manifest = dir.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
    let changed = wait_for(&events, Duration::from_secs(30), |e| {
        e["event"] == "changed"
    });
    assert_eq!(changed["files"], serde_json::json!(["plugin.toml"]));
    let reloaded = wait_for(&events, build_time, |e| e["event"] != "built");
    assert_eq!(reloaded["event"], "loaded", "{reloaded}");
    assert_eq!(reloaded["version"], "0.2.0");
    assert_eq!(reloaded["replaced"], "0.1.0");
    let served = host.plugin("hot").unwrap();
    assert_eq!(served.manifest().version.to_string(), "0.2.0");

    // A syntax error: the build fails, the kernel keeps serving 0.2.0.
    let lib = dir.join("src/lib.rs");
    let mut source = std::fs::read_to_string(&lib).unwrap();
    source.push_str("\nfn broken( {\n");
    std::fs::write(&lib, source).unwrap();
    let failed = wait_for(&events, build_time, |e| e["event"] != "changed");
    assert_eq!(failed["event"], "build-failed", "{failed}");
    assert!(
        failed["error"].as_str().unwrap().contains("src/lib.rs"),
        "{failed}"
    );
    let still = host.plugin("hot").unwrap();
    assert!(Arc::ptr_eq(&served, &still));
    assert_eq!(still.status(), PluginStatus::Ready);
}
