//! pods/log: deterministic generated log lines, with tailLines, timestamps, previous and follow.

use crate::error::{ApiError, ApiResult};
use crate::server::Query;
use crate::store::Store;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use std::time::Duration;

/// Seconds between two generated historical lines.
const LINE_EVERY_SECS: i64 = 5;
/// At most this many historical lines are kept per container.
const MAX_LINES: i64 = 200;

const MESSAGES: &[&str] = &[
    "INFO  GET /api/items 200 12ms",
    "INFO  GET /healthz 200 1ms",
    "INFO  POST /api/orders 201 48ms",
    "DEBUG cache hit ratio=0.93",
    "INFO  processed batch size=64",
    "WARN  slow upstream response took 812ms",
    "INFO  GET /api/items/42 200 9ms",
    "ERROR upstream connection reset; retrying",
];

/// The text of log line `k` of a container (same input, same line: tests can rely on it).
pub fn line(pod: &str, container: &str, k: i64, previous: bool) -> String {
    let msg = MESSAGES[(k as usize + pod.len()) % MESSAGES.len()];
    let suffix = if previous { " (previous instance)" } else { "" };
    format!("[{container}] {msg} seq={k}{suffix}")
}

fn render(
    pod: &str,
    c: &str,
    k: i64,
    t0: chrono::DateTime<chrono::Utc>,
    ts: bool,
    prev: bool,
) -> String {
    let text = line(pod, c, k, prev);
    if ts {
        let at = t0 + chrono::Duration::seconds(k * LINE_EVERY_SECS);
        format!(
            "{} {text}\n",
            at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        )
    } else {
        format!("{text}\n")
    }
}

/// Picks the container a log request is about, with the real server's error messages.
fn container_of(pod: &Value, q: &Query) -> ApiResult<String> {
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    let names: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    match q.get("container").filter(|c| !c.is_empty()) {
        Some(c) if names.iter().any(|n| n == c) => Ok(c.to_string()),
        Some(c) => Err(ApiError::bad_request(format!(
            "container {c} is not valid for pod {name}"
        ))),
        None if names.len() == 1 => Ok(names[0].clone()),
        None => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

/// Serves GET pods/{name}/log.
pub fn serve(
    store: &Store,
    ns: &str,
    name: &str,
    q: &Query,
    follow_every: Duration,
) -> ApiResult<Response> {
    let pod = store.get(&store.def("", "pods"), ns, name)?;
    let container = container_of(&pod, q)?;
    let previous = q.flag("previous");
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"].as_str() == Some(container.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
    if previous && status["restartCount"].as_i64().unwrap_or(0) == 0 {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        )));
    }
    if pod["status"]["phase"].as_str() == Some("Pending") {
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"
        )));
    }
    let start = pod["status"]["startTime"]
        .as_str()
        .or(pod["metadata"]["creationTimestamp"].as_str())
        .unwrap_or("");
    let t0 = chrono::DateTime::parse_from_rfc3339(start)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|_| chrono::Utc::now());
    let elapsed = (chrono::Utc::now() - t0).num_seconds().max(0);
    let last = elapsed / LINE_EVERY_SECS;
    let mut first = (last - MAX_LINES + 1).max(0);
    if let Some(tail) = q.get("tailLines").and_then(|s| s.parse::<i64>().ok()) {
        first = first.max(last - tail + 1);
    }
    let ts = q.flag("timestamps");
    let mut text = String::new();
    for k in first..=last {
        text.push_str(&render(name, &container, k, t0, ts, previous));
    }
    let plain = [(http::header::CONTENT_TYPE, "text/plain")];
    if !q.flag("follow") || previous {
        return Ok((plain, text).into_response());
    }
    let pod_name = name.to_string();
    let stream = futures::stream::unfold((Some(text), last + 1), move |(initial, k)| {
        let (pod_name, container) = (pod_name.clone(), container.clone());
        async move {
            if let Some(text) = initial {
                return Some((
                    Ok::<_, std::convert::Infallible>(Bytes::from(text)),
                    (None, k),
                ));
            }
            tokio::time::sleep(follow_every).await;
            Some((
                Ok(Bytes::from(render(&pod_name, &container, k, t0, ts, false))),
                (None, k + 1),
            ))
        }
    });
    Ok((plain, Body::from_stream(stream)).into_response())
}
