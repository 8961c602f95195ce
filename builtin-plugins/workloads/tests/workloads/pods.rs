//! The computed cells of the pods table.

use headlamp_plugin_sdk::Tone;
use headlamp_plugin_workloads::PODS_TABLE;
use serde_json::{Value, json};

use crate::fixtures::*;

/// The ready, status and restarts cells of one pod.
fn cells(pod: &Value) -> (String, String, Option<Tone>, String, Option<f64>) {
    let h = harness();
    let rows = h
        .rows(
            PODS_TABLE,
            &["ready", "status", "restarts"],
            &[pod.to_string()],
        )
        .unwrap();
    let [ready, status, restarts] = &rows[0][..] else {
        panic!("three cells expected, got {:?}", rows[0]);
    };
    (
        ready.text.clone(),
        status.text.clone(),
        status.tone,
        restarts.text.clone(),
        restarts.sort,
    )
}

fn status_of(pod: &Value) -> (String, Option<Tone>) {
    let (_, status, tone, _, _) = cells(pod);
    (status, tone)
}

#[test]
fn running_ready_pod_is_running_and_green() {
    let (ready, status, tone, restarts, _) = cells(&running_ready());
    assert_eq!(ready, "1/1");
    assert_eq!((status.as_str(), tone), ("Running", Some(Tone::Success)));
    assert_eq!(restarts, "0");
}

#[test]
fn crash_looping_container_shows_its_waiting_reason_in_red() {
    let (ready, status, tone, restarts, sort) = cells(&crash_looping());
    assert_eq!(ready, "1/2");
    assert_eq!(
        (status.as_str(), tone),
        ("CrashLoopBackOff", Some(Tone::Error))
    );
    assert_eq!(restarts, "7 (5m ago)");
    assert_eq!(sort, Some(7.0));
}

#[test]
fn image_pull_back_off_is_an_error() {
    let (ready, status, tone, _, _) = cells(&image_pull_back_off());
    assert_eq!(ready, "0/1");
    assert_eq!(
        (status.as_str(), tone),
        ("ImagePullBackOff", Some(Tone::Error))
    );
}

#[test]
fn running_init_container_shows_init_progress() {
    let (ready, status, tone, _, _) = cells(&init_running());
    assert_eq!(ready, "0/1");
    assert_eq!((status.as_str(), tone), ("Init:1/2", Some(Tone::Warning)));
}

#[test]
fn crash_looping_init_container_counts_its_restarts() {
    let (_, status, tone, restarts, _) = cells(&init_crash_looping());
    assert_eq!(
        (status.as_str(), tone),
        ("Init:CrashLoopBackOff", Some(Tone::Error))
    );
    assert_eq!(restarts, "3 (2h ago)");
}

#[test]
fn failed_init_container_without_reason_shows_its_exit_code() {
    let mut pod = init_crash_looping();
    pod["status"]["initContainerStatuses"][0]["state"] =
        json!({"terminated": {"exitCode": 3, "finishedAt": "2024-02-29T22:00:00Z"}});
    assert_eq!(
        status_of(&pod),
        ("Init:ExitCode:3".into(), Some(Tone::Error))
    );
}

#[test]
fn completed_pod_is_completed() {
    let (ready, status, tone, restarts, _) = cells(&completed());
    assert_eq!(ready, "0/1");
    assert_eq!((status.as_str(), tone), ("Completed", Some(Tone::Success)));
    assert_eq!(restarts, "0");
}

#[test]
fn deleted_running_pod_is_terminating() {
    assert_eq!(
        status_of(&terminating()),
        ("Terminating".into(), Some(Tone::Warning))
    );
}

#[test]
fn deleted_pod_that_already_succeeded_keeps_its_status() {
    let mut pod = completed();
    pod["metadata"]["deletionTimestamp"] = json!("2024-02-29T23:59:30Z");
    assert_eq!(status_of(&pod).0, "Completed");
}

#[test]
fn deleted_pod_on_a_lost_node_is_unknown() {
    let mut pod = terminating();
    pod["status"]["reason"] = json!("NodeLost");
    assert_eq!(status_of(&pod), ("Unknown".into(), Some(Tone::Warning)));
}

#[test]
fn unscheduled_pod_is_pending() {
    let (ready, status, tone, restarts, _) = cells(&pending_unscheduled());
    assert_eq!(ready, "0/1");
    assert_eq!((status.as_str(), tone), ("Pending", Some(Tone::Warning)));
    assert_eq!(restarts, "0");
}

#[test]
fn evicted_pod_shows_the_pod_reason() {
    let mut pod = completed();
    pod["status"]["phase"] = json!("Failed");
    pod["status"]["reason"] = json!("Evicted");
    pod["status"]["containerStatuses"] = json!([]);
    assert_eq!(status_of(&pod), ("Evicted".into(), Some(Tone::Error)));
}

#[test]
fn started_sidecar_counts_as_a_ready_container() {
    let (ready, status, _, _, _) = cells(&with_sidecar());
    assert_eq!(ready, "2/2");
    assert_eq!(status, "Running");
}

#[test]
fn completed_container_beside_a_running_one_is_running_or_not_ready() {
    let mut pod = crash_looping();
    pod["status"]["containerStatuses"][0] = container_status(
        "app",
        false,
        0,
        terminated("Completed", 0, "2024-02-29T23:00:00Z"),
    );
    assert_eq!(status_of(&pod).0, "NotReady");
    pod["status"]["conditions"] = conditions(true, true);
    assert_eq!(status_of(&pod).0, "Running");
}

#[test]
fn killed_container_without_reason_shows_the_signal() {
    let mut pod = running_ready();
    pod["status"]["containerStatuses"][0]["state"] =
        json!({"terminated": {"exitCode": 137, "signal": 9}});
    assert_eq!(status_of(&pod), ("Signal:9".into(), Some(Tone::Error)));
}

#[test]
fn restarts_without_a_last_termination_time_are_just_a_number() {
    let mut pod = running_ready();
    pod["status"]["containerStatuses"][0]["restartCount"] = json!(2);
    let (_, _, _, restarts, sort) = cells(&pod);
    assert_eq!(restarts, "2");
    assert_eq!(sort, Some(2.0));
}

#[test]
fn restarts_take_the_latest_termination_across_containers() {
    let mut pod = crash_looping();
    pod["status"]["containerStatuses"][1]["restartCount"] = json!(1);
    pod["status"]["containerStatuses"][1]["lastState"] =
        terminated("OOMKilled", 137, "2024-02-29T23:59:30Z");
    let (_, _, _, restarts, sort) = cells(&pod);
    assert_eq!(restarts, "8 (30s ago)");
    assert_eq!(sort, Some(8.0));
}

#[test]
fn rows_follow_the_requested_column_order() {
    let h = harness();
    let rows = h
        .rows(
            PODS_TABLE,
            &["restarts", "ready"],
            &[crash_looping().to_string()],
        )
        .unwrap();
    assert_eq!(rows[0][0].text, "7 (5m ago)");
    assert_eq!(rows[0][1].text, "1/2");
}

#[test]
fn unknown_pod_column_is_named_in_the_error() {
    let h = harness();
    let err = h
        .rows(PODS_TABLE, &["cpu"], &[running_ready().to_string()])
        .unwrap_err();
    assert!(err.contains("no column `cpu`"), "{err}");
}

#[test]
fn broken_pod_json_names_the_pod() {
    let h = harness();
    let broken = r#"{"metadata":{"name":"x"},"status":{"containerStatuses":"nope"}}"#;
    let err = h.rows(PODS_TABLE, &["status"], &[broken]).unwrap_err();
    assert!(err.contains("pod x"), "{err}");
}

/// The computed cells of three pods, one line each, tones included.
#[test]
fn pods_table_snapshot() {
    let h = harness();
    let pods = [running_ready(), crash_looping(), init_running()];
    let objects: Vec<String> = pods.iter().map(Value::to_string).collect();
    let rows = h
        .rows(PODS_TABLE, &["ready", "status", "restarts"], &objects)
        .unwrap();
    let text = pods
        .iter()
        .zip(&rows)
        .map(|(pod, cells)| {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| match c.tone {
                    Some(tone) => format!("{} [{tone:?}]", c.text),
                    None => c.text.clone(),
                })
                .collect();
            format!(
                "{} | {}",
                pod["metadata"]["name"].as_str().unwrap(),
                cells.join(" | ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let expected = "\
web | 1/1 | Running [Tone::Success] | 0
api | 1/2 | CrashLoopBackOff [Tone::Error] | 7 (5m ago)
migrate | 0/1 | Init:1/2 [Tone::Warning] | 0";
    assert_eq!(text, expected);
}
