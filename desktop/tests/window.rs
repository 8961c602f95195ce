//! The built `headlamp-desktop --demo` under `xvfb-run`: it starts the kernel on a loopback
//! port that only its launch token opens, the window loads the UI and draws the sidebar (the
//! registry fetched with the token's cookie), and SIGTERM stops it with exit code 0.
//!
//! Needs `xvfb-run` (Debian `xvfb`) and webkit2gtk-4.1 (without them the crate does not
//! build); `scripts/setup.sh` installs both. Without `xvfb-run` the test says it is skipped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long the app may take to print a line the test waits for (plugins compile on a cold
/// cache, in a debug build, on a busy machine). Only a hang fails on it.
const PATIENCE: Duration = Duration::from_secs(300);

const TOKEN_HEADER: &str = "x-headlamp-launch-token";

#[test]
fn the_app_serves_its_window_behind_the_token_and_stops_on_sigterm() {
    if Command::new("xvfb-run").arg("--help").output().is_err() {
        eprintln!(
            "SKIPPED the desktop start-up test: xvfb-run is missing (Debian: apt-get install xvfb; \
             scripts/setup.sh installs it as root)"
        );
        return;
    }
    let config_dir = tempfile::tempdir().unwrap();
    let mut app = Command::new("xvfb-run")
        .args([
            "-a",
            env!("CARGO_BIN_EXE_headlamp-desktop"),
            "--demo",
            "--print-url",
        ])
        .arg("--config-dir")
        .arg(config_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("xvfb-run starts");
    let lines = lines_of(&mut app);

    let entry = wait_for(&lines, "url: ");
    let (base, token) = entry
        .split_once("?launch-token=")
        .expect("the printed URL carries the launch token");
    let address = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    assert!(
        address.starts_with("127.0.0.1:"),
        "the kernel listens on loopback only: {address}"
    );

    // Without the token, another local process gets nothing, not even the probes.
    assert_eq!(get(&address, "/healthz", &[]).0, 401);
    assert_eq!(get(&address, "/api/v1/registry", &[]).0, 401);
    let wrong = "0".repeat(64);
    assert_eq!(
        get(&address, "/api/v1/registry", &[(TOKEN_HEADER, &wrong)]).0,
        401
    );
    // With it, the API answers.
    let (status, body) = get(&address, "/healthz", &[(TOKEN_HEADER, token)]);
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, body) = get(&address, "/api/v1/registry", &[(TOKEN_HEADER, token)]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"sidebar\""), "the registry: {body}");

    // The window followed the entry URL: the page loaded, and with the UI bundle built, the UI
    // drew the sidebar from the registry it fetched with the token's cookie.
    let loaded = wait_for(&lines, "headlamp-desktop: page loaded: ");
    assert_eq!(loaded, base, "the token is not kept in the page's URL");
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui/index.html");
    if bundle.is_file() {
        let ready = wait_for(&lines, "headlamp-desktop: UI ready after ");
        eprintln!("the UI was ready after {ready}");
    } else {
        eprintln!(
            "SKIPPED the UI-ready check: no UI bundle at {} (run `make ui`)",
            bundle.display()
        );
    }

    let pid = app_pid(app.id()).expect("headlamp-desktop runs under xvfb-run");
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    wait_for(&lines, "headlamp-desktop: stopped");
    let status = wait_exit(&mut app);
    assert_eq!(
        status.code(),
        Some(0),
        "the app exits cleanly after SIGTERM"
    );
}

/// The app's stdout, line by line, echoed to the test's output.
fn lines_of(app: &mut Child) -> Receiver<String> {
    let stdout = app.stdout.take().unwrap();
    let (send, receive) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("app: {line}");
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// The rest of the first line starting with `prefix`.
fn wait_for(lines: &Receiver<String>, prefix: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return rest.to_string();
                }
            }
            Err(RecvTimeoutError::Timeout) => panic!("the app never printed {prefix:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the app ended before printing {prefix:?}")
            }
        }
    }
}

/// The status of `xvfb-run`, which is its command's.
fn wait_exit(app: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = app.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the app did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pid of `headlamp-desktop`, the child of the `xvfb-run` script `parent`.
fn app_pid(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`; comm is cut to 15 bytes.
            let (comm, rest) = stat.split_once(") ")?;
            let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent && comm.ends_with("(headlamp-deskto")).then_some(pid)
        })
}

/// A plain HTTP/1.1 GET: the status and the body.
fn get(address: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("an HTTP status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
