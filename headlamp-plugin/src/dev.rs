//! `headlamp-plugin start`: watch the crate, rebuild on change, hot-reload into a kernel.
//!
//! The kernel must run with a dev token (`headlamp --dev-token TOKEN`); each good build is
//! sent to its `POST /api/v1/dev/plugins` (see the kernel's `dev` module), which replaces the
//! running plugin of the same name. A build or load that fails is reported and changes
//! nothing in the kernel: the last good build keeps serving.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};
use serde::{Deserialize, Serialize};

use crate::build::{self, BuildOptions};
use crate::progress::Ui;
use crate::project::{Project, read};
use crate::{Error, Result};

/// The kernel's default address (`headlamp`'s default `--listen`).
pub const DEFAULT_KERNEL: &str = "http://127.0.0.1:4466";

/// Quiet time after the last change before a rebuild: editors write a file in several steps.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(300);

/// Options of `start`.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// The plugin crate.
    pub dir: PathBuf,
    /// The kernel's base URL.
    pub kernel: String,
    /// The kernel's dev token.
    pub token: String,
    /// Build with the release profile.
    pub release: bool,
    /// Quiet time before a rebuild.
    pub debounce: Duration,
}

/// What the kernel answered to an upload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Loaded {
    /// The plugin's id.
    pub name: String,
    /// The version now serving.
    pub version: String,
    /// The version it replaced, when one was running.
    pub replaced: Option<String>,
    /// sha256 of the component, hex.
    pub sha256: String,
}

/// One step of the watch loop, printed as it happens (one JSON object per line with `--json`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "event")]
pub enum StartEvent {
    /// Files changed; a rebuild starts.
    Changed {
        /// The changed files, relative to the crate.
        files: Vec<PathBuf>,
    },
    /// A build succeeded.
    Built {
        /// The component.
        wasm: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// How long the build took, in milliseconds.
        millis: u64,
    },
    /// A build failed; the kernel keeps the last good one.
    BuildFailed {
        /// cargo's or the checker's message.
        error: String,
    },
    /// The kernel now serves the new build.
    Loaded(Loaded),
    /// The kernel refused the build or could not be reached; it keeps the last good one.
    LoadFailed {
        /// What the kernel said.
        error: String,
    },
}

impl std::fmt::Display for StartEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartEvent::Changed { files } => {
                let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
                write!(f, "changed: {}; rebuilding", names.join(", "))
            }
            StartEvent::Built { wasm, size, millis } => write!(
                f,
                "built {} ({}) in {:.1} s",
                wasm.display(),
                build::human_size(*size),
                *millis as f64 / 1000.0
            ),
            StartEvent::BuildFailed { error } => write!(
                f,
                "build failed; the kernel keeps the last good build:\n{error}"
            ),
            StartEvent::Loaded(l) => match &l.replaced {
                Some(old) => write!(f, "reloaded {} {} (was {old})", l.name, l.version),
                None => write!(f, "loaded {} {}", l.name, l.version),
            },
            StartEvent::LoadFailed { error } => write!(
                f,
                "not loaded; the kernel keeps the last good build: {error}"
            ),
        }
    }
}

/// Sends a component to the kernel's dev endpoint, which loads it or replaces the running
/// plugin of the same name.
pub fn upload(kernel: &str, token: &str, wasm: &[u8]) -> Result<Loaded> {
    let url = format!("{}/api/v1/dev/plugins", kernel.trim_end_matches('/'));
    let response = crate::oci::http_client()?
        .post(&url)
        .bearer_auth(token)
        .header("content-type", "application/wasm")
        .body(wasm.to_vec())
        .send()
        .map_err(|e| {
            Error::Remote(format!(
                "cannot reach the kernel at {kernel}: {e}: is `headlamp --dev-token TOKEN` running there?"
            ))
        })?;
    let status = response.status();
    let text = response.text().unwrap_or_default();
    if status.is_success() {
        return serde_json::from_str(&text).map_err(|e| {
            Error::Remote(format!(
                "{url} answered {status} with an unexpected body ({e}): {text}"
            ))
        });
    }
    let message = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or(text);
    Err(Error::Remote(match status.as_u16() {
        404 => format!(
            "{url} does not exist: start the kernel with --dev-token TOKEN (or HEADLAMP_DEV_TOKEN) to turn hot reload on"
        ),
        401 => format!("the kernel refused the dev token: {message}"),
        _ => format!("the kernel answered {status}: {message}"),
    }))
}

/// Builds the crate and, if that works, uploads it: the events of one round.
pub fn build_and_upload(options: &StartOptions, ui: Ui) -> Vec<StartEvent> {
    let started = Instant::now();
    let build = build::run(
        &BuildOptions {
            dir: options.dir.clone(),
            release: options.release,
            profile: None,
        },
        ui,
    );
    let report = match build {
        Ok(report) => report,
        Err(e) => {
            return vec![StartEvent::BuildFailed {
                error: e.to_string(),
            }];
        }
    };
    let mut events = vec![StartEvent::Built {
        wasm: report.wasm.clone(),
        size: report.wasm_size,
        millis: started.elapsed().as_millis() as u64,
    }];
    let loaded = read(&report.wasm).and_then(|wasm| upload(&options.kernel, &options.token, &wasm));
    events.push(match loaded {
        Ok(loaded) => StartEvent::Loaded(loaded),
        Err(e) => StartEvent::LoadFailed {
            error: e.to_string(),
        },
    });
    events
}

/// Watches a crate's sources: everything under it except build output and hidden files.
pub struct SourceWatcher {
    dir: PathBuf,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    _watcher: notify::RecommendedWatcher,
}

impl SourceWatcher {
    /// Starts watching `dir` recursively.
    pub fn new(dir: &Path) -> Result<Self> {
        let dir = dir.canonicalize().map_err(Error::io("resolving", dir))?;
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })
        .map_err(|e| Error::Toolchain(format!("cannot watch files: {e}")))?;
        watcher.watch(&dir, RecursiveMode::Recursive).map_err(|e| {
            Error::Toolchain(format!(
                "cannot watch {}: {e} (on Linux, raise fs.inotify.max_user_watches)",
                dir.display()
            ))
        })?;
        Ok(Self {
            dir,
            events,
            _watcher: watcher,
        })
    }

    /// Whether a change to `path` can change the build.
    fn relevant(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.dir) else {
            return false;
        };
        let mut parts = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy());
        let Some(first) = parts.next() else {
            return false;
        };
        // The build writes target/, dist/ and Cargo.lock: watching them would rebuild forever.
        if first == "target" || first == "dist" || relative == Path::new("Cargo.lock") {
            return false;
        }
        let name = relative
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let hidden = relative
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        // Editors' swap and backup files.
        !(hidden || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp"))
    }

    /// Blocks until a relevant file changes, then until nothing changed for `debounce`;
    /// returns the changed files (relative), or `None` when `timeout` passes first.
    pub fn next_change(
        &self,
        debounce: Duration,
        timeout: Option<Duration>,
    ) -> Option<Vec<PathBuf>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut changed: Vec<PathBuf> = Vec::new();
        loop {
            let wait = if changed.is_empty() {
                match deadline {
                    Some(d) => d.checked_duration_since(Instant::now())?,
                    None => Duration::from_secs(3600),
                }
            } else {
                debounce
            };
            match self.events.recv_timeout(wait) {
                Ok(Ok(event)) => {
                    if matches!(event.kind, notify::EventKind::Access(_)) {
                        continue;
                    }
                    for path in event.paths {
                        if self.relevant(&path) {
                            let relative =
                                path.strip_prefix(&self.dir).unwrap_or(&path).to_path_buf();
                            if !changed.contains(&relative) {
                                changed.push(relative);
                            }
                        }
                    }
                }
                Ok(Err(e)) => tracing::warn!("file watcher: {e}"),
                Err(mpsc::RecvTimeoutError::Timeout) if !changed.is_empty() => {
                    // Editors and `sed -i` write through temporary files that are gone by
                    // now: name the files that are there, unless only deletions happened.
                    let present: Vec<PathBuf> = changed
                        .iter()
                        .filter(|p| self.dir.join(p).exists())
                        .cloned()
                        .collect();
                    let mut changed = if present.is_empty() { changed } else { present };
                    changed.sort();
                    return Some(changed);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

/// Builds and loads once, then rebuilds and reloads on every change, forever. Each event goes
/// to `report` as it happens.
pub fn run(options: &StartOptions, ui: Ui, mut report: impl FnMut(&StartEvent)) -> Result<()> {
    // Fail fast on a directory that is not a plugin crate, before watching it.
    Project::load(&options.dir)?;
    let watcher = SourceWatcher::new(&options.dir)?;
    for event in build_and_upload(options, ui) {
        report(&event);
    }
    while let Some(files) = watcher.next_change(options.debounce, None) {
        report(&StartEvent::Changed { files });
        for event in build_and_upload(options, ui) {
            report(&event);
        }
    }
    Err(Error::Toolchain(
        "the file watcher stopped; run `headlamp-plugin start` again".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_writes_is_one_change_and_build_output_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("src")).unwrap();
        std::fs::create_dir_all(tmp.path().join("target/debug")).unwrap();
        let watcher = SourceWatcher::new(tmp.path()).unwrap();
        // Give the watcher time to be in place before the writes (inotify is synchronous,
        // other backends are not).
        std::thread::sleep(Duration::from_millis(100));
        for i in 0..5 {
            std::fs::write(tmp.path().join("src/lib.rs"), format!("// {i}")).unwrap();
            std::fs::write(tmp.path().join("target/debug/out.wasm"), "x").unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
        std::fs::write(tmp.path().join("plugin.toml"), "name = 'x'").unwrap();
        // A temporary file that is gone before the rebuild is not reported.
        std::fs::write(tmp.path().join("sedAbC123"), "x").unwrap();
        std::fs::remove_file(tmp.path().join("sedAbC123")).unwrap();
        let changed = watcher
            .next_change(Duration::from_millis(200), Some(Duration::from_secs(5)))
            .expect("a change");
        assert_eq!(
            changed,
            vec![PathBuf::from("plugin.toml"), PathBuf::from("src/lib.rs")]
        );
        // Only build output changes: nothing to rebuild.
        std::fs::write(tmp.path().join("target/debug/out.wasm"), "y").unwrap();
        std::fs::write(tmp.path().join("src/.lib.rs.swp"), "y").unwrap();
        std::fs::write(tmp.path().join("Cargo.lock"), "y").unwrap();
        assert_eq!(
            watcher.next_change(Duration::from_millis(100), Some(Duration::from_millis(500))),
            None
        );
    }
}
