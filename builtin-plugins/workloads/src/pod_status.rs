//! A pod's ready count, status reason and restarts, computed as `kubectl get pods` does
//! (`printPod` in kubernetes/pkg/printers/internalversion/printers.go).

use std::borrow::Cow;

use headlamp_plugin_sdk::format;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The fields of a pod the list needs. Borrowed so that a row allocates almost nothing; serde
/// skips everything else (managedFields, volumes, env) without building it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PodRow<'a> {
    #[serde(borrow)]
    metadata: PodMeta<'a>,
    #[serde(borrow)]
    spec: PodSpec<'a>,
    #[serde(borrow)]
    status: PodStatus<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PodMeta<'a> {
    #[serde(borrow)]
    deletion_timestamp: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PodSpec<'a> {
    #[serde(borrow)]
    init_containers: Vec<InitContainer<'a>>,
    // Only counted: IgnoredAny is zero-sized, so the Vec never allocates.
    containers: Vec<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct InitContainer<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    restart_policy: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PodStatus<'a> {
    #[serde(borrow)]
    phase: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
    #[serde(borrow)]
    conditions: Vec<PodCondition<'a>>,
    #[serde(borrow)]
    init_container_statuses: Vec<ContainerStatus<'a>>,
    #[serde(borrow)]
    container_statuses: Vec<ContainerStatus<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PodCondition<'a> {
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerStatus<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    ready: bool,
    started: Option<bool>,
    restart_count: u32,
    #[serde(borrow)]
    state: State<'a>,
    #[serde(borrow)]
    last_state: State<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct State<'a> {
    #[serde(borrow)]
    waiting: Option<Waiting<'a>>,
    running: Option<IgnoredAny>,
    #[serde(borrow)]
    terminated: Option<Terminated<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Waiting<'a> {
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Terminated<'a> {
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
    exit_code: i32,
    signal: i32,
    #[serde(borrow)]
    finished_at: Option<Cow<'a, str>>,
}

/// What the Ready, Status and Restarts columns show for one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PodSummary {
    /// Containers (and started sidecars) that are ready.
    pub ready: usize,
    /// Containers plus sidecar init containers.
    pub total: usize,
    /// kubectl's STATUS text.
    pub reason: String,
    /// Restarts kubectl counts (init containers only while the pod initialises).
    pub restarts: u32,
    /// When the most recent counted restart ended, in Unix milliseconds.
    pub last_restart_millis: Option<i64>,
}

/// Sidecars are init containers that keep running; kubectl counts them with the containers.
fn is_sidecar(spec: &[InitContainer<'_>], name: &str) -> bool {
    spec.iter()
        .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
}

fn later(current: Option<i64>, state: &State<'_>) -> Option<i64> {
    let finished = state
        .terminated
        .as_ref()
        .and_then(|t| t.finished_at.as_deref())
        .and_then(format::parse_rfc3339_millis);
    current.max(finished)
}

fn non_empty<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// Mirrors `printPod`; the branches keep kubectl's order because later ones overwrite earlier
/// reasons on purpose (a container's waiting reason beats the pod phase, deletion beats all).
pub(crate) fn summarize(pod: &PodRow<'_>) -> PodSummary {
    let status = &pod.status;
    let inits = &pod.spec.init_containers;
    let mut reason: String = non_empty(&status.reason)
        .or(status.phase.as_deref())
        .unwrap_or("Unknown")
        .to_owned();
    if status
        .conditions
        .iter()
        .any(|c| c.kind == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_owned();
    }
    let total = pod.spec.containers.len()
        + inits
            .iter()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"))
            .count();
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart = None;
    let mut sidecar_restarts = 0;
    let mut last_sidecar_restart = None;

    let mut initializing = false;
    for (i, c) in status.init_container_statuses.iter().enumerate() {
        let sidecar = is_sidecar(inits, &c.name);
        restarts += c.restart_count;
        last_restart = later(last_restart, &c.last_state);
        if sidecar {
            sidecar_restarts += c.restart_count;
            last_sidecar_restart = later(last_sidecar_restart, &c.last_state);
        }
        match (&c.state.terminated, &c.state.waiting) {
            (Some(t), _) if t.exit_code == 0 => continue,
            _ if sidecar && c.started == Some(true) => {
                ready += usize::from(c.ready);
                continue;
            }
            (Some(t), _) => {
                reason = match non_empty(&t.reason) {
                    Some(r) => format!("Init:{r}"),
                    None if t.signal != 0 => format!("Init:Signal:{}", t.signal),
                    None => format!("Init:ExitCode:{}", t.exit_code),
                };
            }
            (None, Some(w)) if non_empty(&w.reason).is_some_and(|r| r != "PodInitializing") => {
                reason = format!("Init:{}", non_empty(&w.reason).unwrap_or_default());
            }
            _ => reason = format!("Init:{i}/{}", inits.len()),
        }
        initializing = true;
        break;
    }

    let initialized = status
        .conditions
        .iter()
        .any(|c| c.kind == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        // kubectl walks backwards, so the first container's reason is the one that sticks.
        for c in status.container_statuses.iter().rev() {
            restarts += c.restart_count;
            last_restart = later(last_restart, &c.last_state);
            let state = &c.state;
            if let Some(r) = state.waiting.as_ref().and_then(|w| non_empty(&w.reason)) {
                reason = r.to_owned();
            } else if let Some(t) = &state.terminated {
                reason = match non_empty(&t.reason) {
                    Some(r) => r.to_owned(),
                    None if t.signal != 0 => format!("Signal:{}", t.signal),
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if c.ready && state.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = status
                .conditions
                .iter()
                .any(|c| c.kind == "Ready" && c.status == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_owned();
        }
    }

    if pod.metadata.deletion_timestamp.is_some() {
        let phase = status.phase.as_deref();
        if status.reason.as_deref() == Some("NodeLost") {
            reason = "Unknown".to_owned();
        } else if !matches!(phase, Some("Succeeded" | "Failed")) {
            reason = "Terminating".to_owned();
        }
    }
    PodSummary {
        ready,
        total,
        reason,
        restarts,
        last_restart_millis: if restarts == 0 { None } else { last_restart },
    }
}

/// The tone of a status reason: healthy, on its way somewhere, or broken.
pub(crate) fn reason_tone(reason: &str) -> headlamp_plugin_sdk::Tone {
    use headlamp_plugin_sdk::Tone;
    match reason {
        "Running" | "Completed" | "Succeeded" => Tone::Success,
        "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" | "NotReady"
        | "SchedulingGated" | "Unknown" => Tone::Warning,
        r if r.starts_with("Init:")
            && r[5..].split_once('/').is_some_and(|(a, b)| {
                a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit())
            }) =>
        {
            Tone::Warning
        }
        _ => Tone::Error,
    }
}
