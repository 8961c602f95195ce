//! Writes that transform the stored object: patches of every type and the scale subresource.

use crate::error::{ApiError, ApiResult};
use crate::patch;
use crate::selectors::LabelSelector;
use crate::server::{Target, json_response};
use crate::store::{Store, UpdateMode};
use axum::response::Response;
use serde_json::{Value, json};

/// The autoscaling/v1 Scale view of a scalable object.
pub(crate) fn scale_of(o: &Value) -> ApiResult<Value> {
    let sel = LabelSelector::from_object(&o["spec"]["selector"]).to_query();
    let m = &o["metadata"];
    Ok(json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"], "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": o["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {"replicas": o["status"]["replicas"].as_i64().unwrap_or(0), "selector": sel},
    }))
}

pub(crate) fn write_scale(
    store: &Store,
    t: &Target,
    ns: &str,
    name: &str,
    scale: Value,
) -> ApiResult<Response> {
    let mut o = store.get(&t.def, ns, name)?;
    let replicas = scale["spec"]["replicas"]
        .as_i64()
        .ok_or_else(|| ApiError::invalid("scale", name, "spec.replicas: Required value"))?;
    if replicas < 0 {
        return Err(ApiError::invalid(
            "scale",
            name,
            format!("spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"),
        ));
    }
    if let Some(rv) = scale["metadata"]["resourceVersion"]
        .as_str()
        .filter(|s| !s.is_empty())
    {
        o["metadata"]["resourceVersion"] = json!(rv);
    }
    o["spec"]["replicas"] = json!(replicas);
    let updated = store.update_with(&t.def, ns, name, o, UpdateMode::Main, t.dry_run)?;
    Ok(json_response(200, &scale_of(&updated)?))
}

fn apply_patch(target: &mut Value, ctype: &str, body: &Value, builtin: bool) -> ApiResult<()> {
    if ctype.starts_with("application/json-patch+json") {
        patch::json_patch(target, body)
    } else if ctype.starts_with("application/merge-patch+json") || !builtin {
        patch::merge_patch(target, body);
        Ok(())
    } else if ctype.starts_with("application/strategic-merge-patch+json")
        || ctype.starts_with("application/apply-patch")
    {
        patch::strategic_merge(target, body);
        Ok(())
    } else {
        Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format ({ctype}); accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
            ),
        ))
    }
}

pub(crate) fn patch_object(
    store: &Store,
    t: &Target,
    ns: &str,
    name: &str,
    sub: Option<&str>,
    ctype: &str,
    body: &Value,
) -> ApiResult<Response> {
    let builtin = t.def.builtin;
    let is_apply = ctype.starts_with("application/apply-patch");
    let explicit_rv = body.pointer("/metadata/resourceVersion").is_some();
    for _ in 0..5 {
        let current = match store.get(&t.def, ns, name) {
            Ok(o) => o,
            Err(e) if is_apply && e.code == 404 && sub.is_none() => {
                return Ok(json_response(
                    201,
                    &store.create_with(&t.def, ns, body.clone(), t.dry_run)?,
                ));
            }
            Err(e) => return Err(e),
        };
        if sub == Some("scale") {
            let mut scale = scale_of(&current)?;
            apply_patch(&mut scale, ctype, body, true)?;
            return write_scale(store, t, ns, name, scale);
        }
        let mut patched = current.clone();
        apply_patch(&mut patched, ctype, body, builtin)?;
        if is_apply {
            patched["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
        }
        let mode = if sub == Some("status") {
            UpdateMode::Status
        } else {
            UpdateMode::Main
        };
        match store.update_with(&t.def, ns, name, patched, mode, t.dry_run) {
            Err(e) if e.reason == "Conflict" && !explicit_rv => continue,
            r => return Ok(json_response(200, &r?)),
        }
    }
    Err(ApiError::conflict(&t.def.qualified(), name))
}
