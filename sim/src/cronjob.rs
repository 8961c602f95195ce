//! The cronjob controller: five-field cron schedules (`*`, `*/n`, `a-b`, `a,b`, `a-b/n`, @hourly...)
//! create Jobs from the template; finished jobs beyond the history limit are deleted.

use crate::controller::{deleting, event, name, ns, owner_uid, uid, write};
use crate::store::Store;
use chrono::{DateTime, Datelike, Duration, SubsecRound, Timelike, Utc};
use serde_json::{Value, json};

/// Whether `value` is in one cron field (`*/15`, `1-5`, `0,30`, `7`).
fn field_matches(field: &str, value: u32, min: u32, max: u32) -> Option<bool> {
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let v: u32 = r.parse().ok()?;
                    (v, if step > 1 { max } else { v })
                }
            },
        };
        if value >= lo && value <= hi && (value - lo).is_multiple_of(step) {
            return Some(true);
        }
    }
    Some(false)
}

/// Whether a schedule fires at minute `t`; None when the schedule cannot be parsed.
pub fn fires_at(schedule: &str, t: DateTime<Utc>) -> Option<bool> {
    let expanded = match schedule.trim() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    let f: Vec<&str> = expanded.split_whitespace().collect();
    if f.len() != 5 {
        return None;
    }
    let dow = t.weekday().num_days_from_sunday();
    Some(
        field_matches(f[0], t.minute(), 0, 59)?
            && field_matches(f[1], t.hour(), 0, 23)?
            && field_matches(f[2], t.day(), 1, 31)?
            && field_matches(f[3], t.month(), 1, 12)?
            && (field_matches(f[4], dow, 0, 7)? || (dow == 0 && field_matches(f[4], 7, 0, 7)?)),
    )
}

/// The latest minute in (after, now] at which the schedule fires, looking back at most a day.
pub fn last_fire(
    schedule: &str,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut t = now.trunc_subsecs(0).with_second(0)?;
    let floor = after.max(now - Duration::days(1));
    while t > floor {
        if fires_at(schedule, t)? {
            return Some(t);
        }
        t -= Duration::minutes(1);
    }
    None
}

fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Starts due jobs and trims finished ones.
pub(crate) fn reconcile(store: &Store) {
    let cj_def = store.def("batch", "cronjobs");
    let job_def = store.def("batch", "jobs");
    let (cronjobs, _) = store.list_shared(&cj_def, None);
    if cronjobs.is_empty() {
        return;
    }
    let (jobs, _) = store.list_shared(&job_def, None);
    let now = Utc::now();
    for cj in cronjobs.iter().filter(|c| !deleting(c)) {
        let mine: Vec<&Value> = jobs
            .iter()
            .map(|j| &**j)
            .filter(|j| owner_uid(j) == Some(uid(cj)))
            .collect();
        let done = |j: &&Value| j["status"]["succeeded"].as_i64().unwrap_or(0) > 0;
        let mut ncj = Value::clone(cj);
        let last = parse_time(&cj["status"]["lastScheduleTime"])
            .or_else(|| parse_time(&cj["metadata"]["creationTimestamp"]));
        let schedule = cj["spec"]["schedule"].as_str().unwrap_or("");
        let due = last.and_then(|l| last_fire(schedule, l, now));
        if let Some(at) = due.filter(|_| cj["spec"]["suspend"] != json!(true)) {
            let tmpl = &cj["spec"]["jobTemplate"];
            let job_name = format!("{}-{}", name(cj), at.timestamp() / 60);
            let job = json!({
                "metadata": {"name": job_name, "labels": tmpl["metadata"]["labels"],
                    "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": at.to_rfc3339()},
                    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name(cj), "uid": uid(cj), "controller": true, "blockOwnerDeletion": true}]},
                "spec": tmpl["spec"],
            });
            if store.create(&job_def, ns(cj), job).is_ok() {
                event(
                    store,
                    cj,
                    "CronJob",
                    "Normal",
                    "SuccessfulCreate",
                    &format!("Created job {job_name}"),
                    "cronjob-controller",
                );
            }
            ncj["status"]["lastScheduleTime"] =
                json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        let active: Vec<Value> = mine
            .iter()
            .filter(|j| !done(j))
            .map(|j| json!({"kind": "Job", "namespace": ns(j), "name": name(j), "uid": uid(j), "apiVersion": "batch/v1"}))
            .collect();
        ncj["status"]["active"] = if active.is_empty() {
            Value::Null
        } else {
            json!(active)
        };
        if let Some(t) = mine
            .iter()
            .filter(|j| done(j))
            .filter_map(|j| j["status"]["completionTime"].as_str())
            .max()
        {
            ncj["status"]["lastSuccessfulTime"] = json!(t);
        }
        if ncj["status"]["active"].is_null() {
            ncj["status"].as_object_mut().map(|m| m.remove("active"));
        }
        write(store, &cj_def, cj, ncj);
        let keep = cj["spec"]["successfulJobsHistoryLimit"]
            .as_u64()
            .unwrap_or(3) as usize;
        let mut finished: Vec<&&Value> = mine.iter().filter(|j| done(j)).collect();
        finished.sort_by_key(|j| {
            j["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or("")
                .to_string()
        });
        let excess = finished.len().saturating_sub(keep);
        for j in finished.into_iter().take(excess) {
            let _ = store.delete(&job_def, ns(j), name(j));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn cron_fields() {
        let t = at("2026-11-25T02:30:00Z"); // a Wednesday
        assert_eq!(fires_at("* * * * *", t), Some(true));
        assert_eq!(fires_at("*/15 * * * *", t), Some(true));
        assert_eq!(fires_at("*/7 * * * *", t), Some(false));
        assert_eq!(fires_at("30 2 * * 3", t), Some(true));
        assert_eq!(fires_at("0,30 1-3 25 11 1-5", t), Some(true));
        assert_eq!(fires_at("0 2 * * *", t), Some(false));
        assert_eq!(fires_at("@daily", t), Some(false));
        assert_eq!(fires_at("bogus", t), None);
    }

    #[test]
    fn last_fire_finds_the_latest_due_minute() {
        let now = at("2026-11-25T02:31:20Z");
        assert_eq!(
            last_fire("* * * * *", at("2026-11-25T02:29:00Z"), now),
            Some(at("2026-11-25T02:31:00Z"))
        );
        assert_eq!(
            last_fire("0 * * * *", at("2026-11-25T02:29:00Z"), now),
            None
        );
        assert_eq!(
            last_fire("0 * * * *", at("2026-11-25T01:59:00Z"), now),
            Some(at("2026-11-25T02:00:00Z"))
        );
    }
}
