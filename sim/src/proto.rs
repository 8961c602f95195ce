//! Just enough Kubernetes protobuf decoding for the bodies kubectl sends that way: its typed
//! clients POST protobuf for `auth can-i` (access reviews) and the `kubectl create <kind>` generators.
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
    Int(&'static str),
    /// An int Go sends even when unset (non-pointer, omitempty in JSON): 0 means absent.
    Int0(&'static str),
    IntOrStr(&'static str),
    MsgList(&'static str, &'static [(u64, F)]),
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
const ENV: &[(u64, F)] = &[(1, F::Str("name")), (2, F::Str("value"))];
const CONTAINER_PORT: &[(u64, F)] = &[
    (1, F::Str("name")),
    (2, F::Int0("hostPort")),
    (3, F::Int("containerPort")),
    (4, F::Str("protocol")),
];
const CONTAINER: &[(u64, F)] = &[
    (1, F::Str("name")),
    (2, F::Str("image")),
    (3, F::StrList("command")),
    (4, F::StrList("args")),
    (5, F::Str("workingDir")),
    (6, F::MsgList("ports", CONTAINER_PORT)),
    (7, F::MsgList("env", ENV)),
    (14, F::Str("imagePullPolicy")),
];
const POD_SPEC: &[(u64, F)] = &[
    (2, F::MsgList("containers", CONTAINER)),
    (3, F::Str("restartPolicy")),
    (4, F::Int("terminationGracePeriodSeconds")),
    (6, F::Str("dnsPolicy")),
    (7, F::StrMap("nodeSelector")),
    (8, F::Str("serviceAccountName")),
    (10, F::Str("nodeName")),
    (20, F::MsgList("initContainers", CONTAINER)),
];
const POD_TEMPLATE: &[(u64, F)] = &[(1, F::Msg("metadata", META)), (2, F::Msg("spec", POD_SPEC))];
const LABEL_SELECTOR: &[(u64, F)] = &[(1, F::StrMap("matchLabels"))];
const STRATEGY: &[(u64, F)] = &[(1, F::Str("type"))];
const DEPLOYMENT_SPEC: &[(u64, F)] = &[
    (1, F::Int("replicas")),
    (2, F::Msg("selector", LABEL_SELECTOR)),
    (3, F::Msg("template", POD_TEMPLATE)),
    (4, F::Msg("strategy", STRATEGY)),
    (5, F::Int0("minReadySeconds")),
    (6, F::Int("revisionHistoryLimit")),
    (7, F::Bool("paused")),
    (9, F::Int("progressDeadlineSeconds")),
];
const DEPLOYMENT: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::Msg("spec", DEPLOYMENT_SPEC)),
];
const SERVICE_PORT: &[(u64, F)] = &[
    (1, F::Str("name")),
    (2, F::Str("protocol")),
    (3, F::Int("port")),
    (4, F::IntOrStr("targetPort")),
    (5, F::Int0("nodePort")),
];
const SERVICE_SPEC: &[(u64, F)] = &[
    (1, F::MsgList("ports", SERVICE_PORT)),
    (2, F::StrMap("selector")),
    (3, F::Str("clusterIP")),
    (4, F::Str("type")),
    (10, F::Str("externalName")),
];
const SERVICE: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::Msg("spec", SERVICE_SPEC)),
];
const JOB_SPEC: &[(u64, F)] = &[
    (1, F::Int("parallelism")),
    (2, F::Int("completions")),
    (3, F::Int("activeDeadlineSeconds")),
    (4, F::Msg("selector", LABEL_SELECTOR)),
    (5, F::Bool("manualSelector")),
    (6, F::Msg("template", POD_TEMPLATE)),
    (7, F::Int("backoffLimit")),
    (10, F::Bool("suspend")),
];
const JOB: &[(u64, F)] = &[(1, F::Msg("metadata", META)), (2, F::Msg("spec", JOB_SPEC))];
const JOB_TEMPLATE: &[(u64, F)] = &[(1, F::Msg("metadata", META)), (2, F::Msg("spec", JOB_SPEC))];
const CRONJOB_SPEC: &[(u64, F)] = &[
    (1, F::Str("schedule")),
    (2, F::Int("startingDeadlineSeconds")),
    (3, F::Str("concurrencyPolicy")),
    (4, F::Bool("suspend")),
    (5, F::Msg("jobTemplate", JOB_TEMPLATE)),
    (6, F::Int("successfulJobsHistoryLimit")),
    (7, F::Int("failedJobsHistoryLimit")),
    (8, F::Str("timeZone")),
];
const CRONJOB: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::Msg("spec", CRONJOB_SPEC)),
];
const POLICY_RULE: &[(u64, F)] = &[
    (1, F::StrList("verbs")),
    (2, F::StrList("apiGroups")),
    (3, F::StrList("resources")),
    (4, F::StrList("resourceNames")),
    (5, F::StrList("nonResourceURLs")),
];
const ROLE: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::MsgList("rules", POLICY_RULE)),
];
const SUBJECT: &[(u64, F)] = &[
    (1, F::Str("kind")),
    (2, F::Str("apiGroup")),
    (3, F::Str("name")),
    (4, F::Str("namespace")),
];
const ROLE_REF: &[(u64, F)] = &[
    (1, F::Str("apiGroup")),
    (2, F::Str("kind")),
    (3, F::Str("name")),
];
const ROLE_BINDING: &[(u64, F)] = &[
    (1, F::Msg("metadata", META)),
    (2, F::MsgList("subjects", SUBJECT)),
    (3, F::Msg("roleRef", ROLE_REF)),
];
const INT_OR_STRING: &[(u64, F)] = &[
    (1, F::Int("type")),
    (2, F::Int("intVal")),
    (3, F::Str("strVal")),
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
                // Go's protobuf writes unset strings as ""; JSON clients would have omitted them.
                let t = text(v);
                if !t.is_empty() {
                    o.insert(name.into(), json!(t));
                }
            }
            F::Int(name) => {
                // int32/int64 both travel as varints; negative values are two's complement.
                o.insert(name.into(), json!(v.int() as i64));
            }
            F::Int0(name) => {
                if v.int() != 0 {
                    o.insert(name.into(), json!(v.int() as i64));
                }
            }
            F::IntOrStr(name) => {
                let ios = decode(v.bytes()?, INT_OR_STRING)?;
                let val = if ios["type"] == json!(1) {
                    ios["strVal"].clone()
                } else {
                    json!(ios["intVal"].as_i64().unwrap_or(0))
                };
                o.insert(name.into(), val);
            }
            F::MsgList(name, inner) => {
                let item = decode(v.bytes()?, inner)?;
                let list = o.entry(name).or_insert_with(|| json!([]));
                list.as_array_mut().ok_or_else(bad)?.push(item);
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
        "Deployment" => DEPLOYMENT,
        "Service" => SERVICE,
        "Job" => JOB,
        "CronJob" => CRONJOB,
        "Role" | "ClusterRole" => ROLE,
        "RoleBinding" | "ClusterRoleBinding" => ROLE_BINDING,
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
            decode_body(&body, "v1", "PersistentVolume")
                .unwrap_err()
                .code,
            415
        );
    }
}
