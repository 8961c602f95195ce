//! Just enough Kubernetes protobuf decoding for the bodies kubectl sends that way: its typed
//! clients POST protobuf for `auth can-i` (access reviews) and `create configmap|secret|namespace|serviceaccount`.
//! The decoder is driven by small field tables; kinds without a table get a 415 that says what to do.

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use serde_json::{Map, Value, json};

/// Magic prefix of the Kubernetes protobuf envelope.
const MAGIC: &[u8] = b"k8s\x00";

/// How one protobuf field maps to JSON.
#[derive(Clone, Copy)]
enum F {
    Str(&'static str),
    Bool(&'static str),
    StrList(&'static str),
    StrMap(&'static str),
    BytesMap(&'static str),
    Msg(&'static str, &'static [(u64, F)]),
}

const META: &[(u64, F)] = &[
    (1, F::Str("name")),
    (2, F::Str("generateName")),
    (3, F::Str("namespace")),
    (6, F::Str("resourceVersion")),
    (11, F::StrMap("labels")),
    (12, F::StrMap("annotations")),
    (14, F::StrList("finalizers")),
];
const CONFIGMAP: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::StrMap("data")),
    (3, F::BytesMap("binaryData")),
    (4, F::Bool("immutable")),
];
const SECRET: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::BytesMap("data")),
    (3, F::Str("type")),
    (4, F::StrMap("stringData")),
    (5, F::Bool("immutable")),
];
const NS_SPEC: &[(u64, F)] = &[(1, F::StrList("finalizers"))];
const NAMESPACE: &[(u64, F)] = &[(1, F::Msg("metadata", META)), (2, F::Msg("spec", NS_SPEC))];
const SERVICEACCOUNT: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (4, F::Bool("automountServiceAccountToken")),
];
const RES_ATTRS: &[(u64, F)] = &[
    (1, F::Str("namespace")),
    (2, F::Str("verb")),
    (3, F::Str("group")),
    (4, F::Str("version")),
    (5, F::Str("resource")),
    (6, F::Str("subresource")),
    (7, F::Str("name")),
];
const NONRES_ATTRS: &[(u64, F)] = &[(1, F::Str("path")), (2, F::Str("verb"))];
const SSAR_SPEC: &[(u64, F)] = &[
    (1, F::Msg("resourceAttributes", RES_ATTRS)),
    (2, F::Msg("nonResourceAttributes", NONRES_ATTRS)),
];
const SSAR: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::Msg("spec", SSAR_SPEC)),
];
const SSRR_SPEC: &[(u64, F)] = &[(1, F::Str("namespace"))];
const SSRR: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::Msg("spec", SSRR_SPEC)),
];
const MAP_ENTRY: &[(u64, F)] = &[(1, F::Str("key")), (2, F::Str("value"))];

fn bad() -> ApiError {
    ApiError::bad_request("malformed protobuf body; send application/json instead")
}

fn varint(b: &mut &[u8]) -> ApiResult<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = b.split_first().ok_or_else(bad)?;
        *b = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(bad())
}

/// A field value on the wire: a number (varint/fixed) or a length-delimited payload.
#[derive(Clone, Copy)]
enum Val<'a> {
    Int(u64),
    Bytes(&'a [u8]),
}

impl<'a> Val<'a> {
    fn int(self) -> u64 {
        match self {
            Val::Int(n) => n,
            Val::Bytes(_) => 0,
        }
    }
    fn bytes(self) -> ApiResult<&'a [u8]> {
        match self {
            Val::Bytes(b) => Ok(b),
            Val::Int(_) => Err(bad()),
        }
    }
}

/// Splits a message into (field number, value) pairs.
fn fields(mut b: &[u8]) -> ApiResult<Vec<(u64, Val<'_>)>> {
    let mut out = vec![];
    while !b.is_empty() {
        let key = varint(&mut b)?;
        let val = match key & 7 {
            0 => Val::Int(varint(&mut b)?),
            1 if b.len() >= 8 => {
                b = &b[8..];
                Val::Int(0)
            }
            2 => {
                let len = varint(&mut b)? as usize;
                if len > b.len() {
                    return Err(bad());
                }
                let (payload, rest) = b.split_at(len);
                b = rest;
                Val::Bytes(payload)
            }
            5 if b.len() >= 4 => {
                b = &b[4..];
                Val::Int(0)
            }
            _ => return Err(bad()),
        };
        out.push((key >> 3, val));
    }
    Ok(out)
}

fn text(v: Val<'_>) -> String {
    match v {
        Val::Int(n) => n.to_string(),
        Val::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

fn decode(b: &[u8], schema: &[(u64, F)]) -> ApiResult<Value> {
    let mut o = Map::new();
    for (n, v) in fields(b)? {
        let Some((_, f)) = schema.iter().find(|(k, _)| *k == n) else {
            continue;
        };
        match *f {
            F::Str(name) => {
                o.insert(name.into(), json!(text(v)));
            }
            F::Bool(name) => {
                o.insert(name.into(), json!(v.int() != 0));
            }
            F::StrList(name) => {
                let list = o.entry(name).or_insert_with(|| json!([]));
                list.as_array_mut().ok_or_else(bad)?.push(json!(text(v)));
            }
            F::StrMap(name) | F::BytesMap(name) => {
                let entry = decode(v.bytes()?, MAP_ENTRY)?;
                let key = entry["key"].as_str().unwrap_or("").to_string();
                let mut val = entry.get("value").cloned().unwrap_or(json!(""));
                if matches!(f, F::BytesMap(_)) {
                    val = json!(
                        base64::engine::general_purpose::STANDARD
                            .encode(val.as_str().unwrap_or(""))
                    );
                }
                o.entry(name).or_insert_with(|| json!({}))[key] = val;
            }
            F::Msg(name, inner) => {
                o.insert(name.into(), decode(v.bytes()?, inner)?);
            }
        }
    }
    Ok(Value::Object(o))
}

/// Decodes a protobuf request body of `kind` to JSON; 415 for kinds this decoder has no table for.
pub fn decode_body(body: &[u8], api_version: &str, kind: &str) -> ApiResult<Value> {
    let schema = match kind {
        "ConfigMap" => CONFIGMAP,
        "Secret" => SECRET,
        "Namespace" => NAMESPACE,
        "ServiceAccount" => SERVICEACCOUNT,
        "SelfSubjectAccessReview" => SSAR,
        "SelfSubjectRulesReview" => SSRR,
        other => {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "kube-sim cannot decode protobuf {other} bodies; create it from YAML instead, e.g. `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`"
                ),
            ));
        }
    };
    let inner = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| ApiError::bad_request("protobuf body lacks the k8s envelope"))?;
    let raw = fields(inner)?
        .into_iter()
        .find(|(n, _)| *n == 2)
        .map(|(_, v)| v.bytes())
        .transpose()?
        .unwrap_or_default();
    let mut obj = decode(raw, schema)?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(field: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![(field << 3) | 2, payload.len() as u8];
        v.extend_from_slice(payload);
        v
    }

    fn envelope(kind: &[u8], raw: &[u8]) -> Vec<u8> {
        [
            MAGIC.to_vec(),
            ld(1, &[ld(1, b"v1"), ld(2, kind)].concat()),
            ld(2, raw),
        ]
        .concat()
    }

    #[test]
    fn decodes_access_review() {
        let attrs = [ld(1, b"default"), ld(2, b"delete"), ld(5, b"pods")].concat();
        let body = envelope(
            b"SelfSubjectAccessReview",
            &[ld(1, b""), ld(2, &ld(1, &attrs))].concat(),
        );
        let v = decode_body(&body, "authorization.k8s.io/v1", "SelfSubjectAccessReview").unwrap();
        assert_eq!(
            v["spec"]["resourceAttributes"],
            json!({"namespace": "default", "verb": "delete", "resource": "pods"})
        );
    }

    #[test]
    fn decodes_configmap_with_labels_and_data() {
        let meta = [
            ld(1, b"cm"),
            ld(11, &[ld(1, b"app"), ld(2, b"web")].concat()),
        ]
        .concat();
        let body = envelope(
            b"ConfigMap",
            &[ld(1, &meta), ld(2, &[ld(1, b"a"), ld(2, b"b")].concat())].concat(),
        );
        let v = decode_body(&body, "v1", "ConfigMap").unwrap();
        assert_eq!(
            v["metadata"],
            json!({"name": "cm", "labels": {"app": "web"}})
        );
        assert_eq!(v["data"], json!({"a": "b"}));
        assert_eq!(
            decode_body(&body, "apps/v1", "Deployment")
                .unwrap_err()
                .code,
            415
        );
    }
}
