//! Patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch.

use crate::error::{ApiError, ApiResult};
use serde_json::{Map, Value};

/// RFC 7386: objects merge recursively, null deletes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("just made an object");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// Merge keys of list fields in built-in kinds: lists of objects identified by a key merge item by item.
fn merge_key(field: &str, sample: &Value) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "hostAliases" => "ip",
        "ports" if sample.get("containerPort").is_some() => "containerPort",
        "ports" => "port",
        _ => return None,
    })
}

/// Strategic merge patch for built-in kinds: like merge patch, but known lists merge by their key
/// and honour `$patch: delete` / `$patch: replace` directives.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = p.clone();
        p.remove("$patch");
        *target = Value::Object(p);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("just made an object");
    for (k, v) in p {
        if k.starts_with('$') {
            continue;
        }
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Array(items) => {
                let key = items.first().and_then(|s| merge_key(k, s));
                match (key, t.get_mut(k)) {
                    (Some(key), Some(Value::Array(existing))) => merge_list(existing, items, key),
                    _ => {
                        let cleaned: Vec<Value> = items
                            .iter()
                            .filter(|i| i.get("$patch").and_then(Value::as_str) != Some("delete"))
                            .cloned()
                            .collect();
                        t.insert(k.clone(), Value::Array(cleaned));
                    }
                }
            }
            _ => strategic_merge(t.entry(k.clone()).or_insert(Value::Null), v),
        }
    }
}

fn merge_list(existing: &mut Vec<Value>, items: &[Value], key: &str) {
    for item in items {
        let id = item.get(key);
        let pos = existing
            .iter()
            .position(|e| e.get(key) == id && id.is_some());
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (Some(i), false) => strategic_merge(&mut existing[i], item),
            (None, true) => {}
            (None, false) => existing.push(item.clone()),
        }
    }
}

/// Decodes one JSON-pointer token (`~1` is `/`, `~0` is `~`).
fn unescape(tok: &str) -> String {
    tok.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> ApiResult<(String, String)> {
    if path.is_empty() {
        return Err(ApiError::bad_request(
            "json patch: the root path \"\" cannot be patched",
        ));
    }
    let idx = path
        .rfind('/')
        .ok_or_else(|| ApiError::bad_request(format!("json patch: invalid path {path:?}")))?;
    Ok((path[..idx].to_string(), unescape(&path[idx + 1..])))
}

fn parent<'a>(doc: &'a mut Value, path: &str) -> ApiResult<&'a mut Value> {
    doc.pointer_mut(path).ok_or_else(|| {
        ApiError::new(
            422,
            "Invalid",
            format!("json patch: path {path:?} does not exist"),
        )
    })
}

fn add(doc: &mut Value, path: &str, value: Value) -> ApiResult<()> {
    let (p, last) = split_pointer(path)?;
    match parent(doc, &p)? {
        Value::Object(m) => {
            m.insert(last, value);
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>().map_err(|_| bad_index(path))?
            };
            if i > a.len() {
                return Err(bad_index(path));
            }
            a.insert(i, value);
        }
        _ => {
            return Err(ApiError::new(
                422,
                "Invalid",
                format!("json patch: cannot add at {path:?}"),
            ));
        }
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &str) -> ApiResult<Value> {
    let (p, last) = split_pointer(path)?;
    let missing = || {
        ApiError::new(
            422,
            "Invalid",
            format!("json patch: path {path:?} does not exist"),
        )
    };
    match parent(doc, &p)? {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i = last.parse::<usize>().map_err(|_| bad_index(path))?;
            if i >= a.len() {
                return Err(bad_index(path));
            }
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

fn bad_index(path: &str) -> ApiError {
    ApiError::new(
        422,
        "Invalid",
        format!("json patch: array index out of range in {path:?}"),
    )
}

/// RFC 6902: applies add, remove, replace, move, copy and test operations in order.
pub fn json_patch(doc: &mut Value, ops: &Value) -> ApiResult<()> {
    let ops = ops
        .as_array()
        .ok_or_else(|| ApiError::bad_request("json patch must be a JSON array of operations"))?;
    for op in ops {
        let path = op["path"].as_str().unwrap_or("");
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| ApiError::bad_request("json patch: operation needs a value"))
        };
        match op["op"].as_str().unwrap_or("") {
            "add" => add(doc, path, value()?)?,
            "remove" => {
                remove(doc, path)?;
            }
            "replace" => {
                remove(doc, path)?;
                add(doc, path, value()?)?;
            }
            "move" => {
                let v = remove(doc, op["from"].as_str().unwrap_or(""))?;
                add(doc, path, v)?;
            }
            "copy" => {
                let from = op["from"].as_str().unwrap_or("");
                let v = doc
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| ApiError::bad_request(format!("json patch: no {from:?}")))?;
                add(doc, path, v)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(ApiError::new(
                        422,
                        "Invalid",
                        format!("json patch: test failed at {path:?}"),
                    ));
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "json patch: unknown operation {other:?}"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut t = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        strategic_merge(
            &mut t,
            &json!({"spec": {"containers": [{"name": "b", "image": "z"}]}}),
        );
        assert_eq!(t["spec"]["containers"][0]["image"], "x");
        assert_eq!(t["spec"]["containers"][1]["image"], "z");
        let mut m = t.clone();
        merge_patch(&mut m, &json!({"spec": {"containers": [{"name": "b"}]}}));
        assert_eq!(m["spec"]["containers"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn json_patch_ops() {
        let mut d = json!({"a": [1, 2], "b": {"c": 1}});
        json_patch(&mut d, &json!([{"op": "add", "path": "/a/-", "value": 3}, {"op": "replace", "path": "/b/c", "value": 2},
            {"op": "remove", "path": "/a/0"}, {"op": "test", "path": "/b/c", "value": 2}])).unwrap();
        assert_eq!(d, json!({"a": [2, 3], "b": {"c": 2}}));
        assert!(json_patch(&mut d, &json!([{"op": "test", "path": "/b/c", "value": 9}])).is_err());
    }
}
