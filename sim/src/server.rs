//! HTTP routing: authenticates, parses Kubernetes API paths, authorizes with RBAC and runs the verb.

use crate::error::{ApiError, ApiResult};
use crate::list::{list, list_response};
use crate::rbac::{self, Attributes, User};
use crate::registry::ResourceDef;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{Store, UpdateMode};
use crate::write::{patch_object, scale_of, write_scale};
use crate::{discovery, exec, logs, table, watch};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Shared state of the HTTP server.
pub struct AppState {
    /// The object store.
    pub store: Store,
    /// Users by bearer token.
    pub users: Vec<User>,
    /// host:port advertised in /api.
    pub server_addr: String,
    /// Period of watch BOOKMARK events.
    pub bookmark_interval: Duration,
    /// Period of new log lines for `logs -f`.
    pub log_interval: Duration,
}

/// The axum router serving the whole API.
pub fn router(state: Arc<AppState>) -> axum::Router {
    axum::Router::new().fallback(dispatch).with_state(state)
}

/// Decoded query string; repeated keys (exec `command`) keep every value.
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Query {
    /// Parses `a=b&c=d`.
    pub fn parse(q: Option<&str>) -> Self {
        Query(
            q.unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }
    /// First value of a parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.as_str())
    }
    /// All values of a parameter.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(kk, _)| kk == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// Whether a boolean parameter is set to true/1.
    pub fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }
}

/// A JSON response with the given status code.
pub fn json_response(code: u16, v: &Value) -> Response {
    let code = http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::OK);
    (
        code,
        [(http::header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(v).unwrap_or_default(),
    )
        .into_response()
}

fn authenticate<'a>(st: &'a AppState, headers: &http::HeaderMap) -> Option<&'a User> {
    let h = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let token = h
        .strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))?
        .trim();
    st.users.iter().find(|u| u.token == token)
}

/// A parsed resource path.
pub(crate) struct Target {
    /// dryRun=All: validate and answer, store nothing.
    pub(crate) dry_run: bool,
    pub(crate) def: ResourceDef,
    pub(crate) ns: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) sub: Option<String>,
}

async fn dispatch(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let path = req.uri().path().trim_end_matches('/').to_string();
    if matches!(path.as_str(), "/healthz" | "/livez" | "/readyz") {
        return "ok".into_response();
    }
    let Some(user) = authenticate(&st, req.headers()).cloned() else {
        return ApiError::unauthorized().into_response();
    };
    match handle(&st, &user, &path, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(st: &AppState, user: &User, path: &str, req: Request) -> ApiResult<Response> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let reg = st.store.registry();
    let accept_hdr = req
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (group, version, rest) = match segs.as_slice() {
        ["version"] => return Ok(json_response(200, &discovery::version())),
        ["api" | "apis"] if discovery::wants_aggregated(&accept_hdr) => {
            let doc = discovery::aggregated(reg, segs[0] == "api");
            let body = serde_json::to_vec(&doc).unwrap_or_default();
            return Ok((
                [(http::header::CONTENT_TYPE, discovery::AGGREGATED_V2)],
                body,
            )
                .into_response());
        }
        ["api"] => {
            return Ok(json_response(
                200,
                &discovery::core_versions(&st.server_addr),
            ));
        }
        ["apis"] => return Ok(json_response(200, &discovery::group_list(reg))),
        ["apis", g] => {
            return discovery::group(reg, g)
                .map(|d| json_response(200, &d))
                .ok_or_else(|| ApiError::no_route(path));
        }
        ["openapi", "v2"] => {
            // An empty protobuf Document is valid: kubectl then validates nothing client-side.
            return Ok((
                [(
                    http::header::CONTENT_TYPE,
                    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
                )],
                Vec::new(),
            )
                .into_response());
        }
        ["openapi", "v3"] => return Ok(json_response(200, &crate::openapi::v3_root(reg))),
        ["openapi", "v3", "api", v] => {
            return crate::openapi::v3_group_version(reg, "", v)
                .map(|d| json_response(200, &d))
                .ok_or_else(|| ApiError::no_route(path));
        }
        ["openapi", "v3", "apis", g, v] => {
            return crate::openapi::v3_group_version(reg, g, v)
                .map(|d| json_response(200, &d))
                .ok_or_else(|| ApiError::no_route(path));
        }
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Err(ApiError::no_route(path)),
    };
    if rest.is_empty() {
        return discovery::resource_list(reg, group, version)
            .map(|d| json_response(200, &d))
            .ok_or_else(|| ApiError::no_route(path));
    }
    let (ns, rest) = match rest {
        // Subresources of a Namespace object itself, not a namespaced resource.
        ["namespaces", _, "status" | "finalize"] => (None, rest.to_vec()),
        ["namespaces", ns, r, more @ ..] => (Some(ns.to_string()), [&[*r][..], more].concat()),
        r => (None, r.to_vec()),
    };
    let def = reg
        .find(group, version, rest[0])
        .ok_or_else(|| ApiError::no_route(path))?;
    if ns.is_some() && !def.namespaced {
        return Err(ApiError::no_route(path));
    }
    if rest.len() > 3 {
        return Err(ApiError::no_route(path));
    }
    let t = Target {
        dry_run: req
            .uri()
            .query()
            .is_some_and(|q| Query::parse(Some(q)).get("dryRun") == Some("All")),
        def,
        ns,
        name: rest.get(1).map(|s| s.to_string()),
        sub: rest.get(2).map(|s| s.to_string()),
    };
    if let Some(sub) = &t.sub
        && !t.def.has_sub(sub)
    {
        return Err(ApiError::no_route(path));
    }
    let query = Query::parse(req.uri().query());
    let method = req.method().clone();
    let verb = match (&method, t.name.is_some()) {
        (&http::Method::GET, _) if query.flag("watch") => "watch",
        (&http::Method::GET, true) if matches!(t.sub.as_deref(), Some("exec" | "portforward")) => {
            "create"
        }
        (&http::Method::GET, true) => "get",
        (&http::Method::GET, false) => "list",
        (&http::Method::POST, _) => "create",
        (&http::Method::PUT, true) => "update",
        (&http::Method::PATCH, true) => "patch",
        (&http::Method::DELETE, true) => "delete",
        (&http::Method::DELETE, false) => "deletecollection",
        _ => {
            return Err(ApiError::method_not_allowed(format!(
                "{method} is not supported on {path}"
            )));
        }
    };
    if !t.def.has_verb(verb) && t.sub.is_none() {
        return Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({verb} {})",
            t.def.qualified()
        )));
    }
    if t.def.namespaced && t.ns.is_none() && !matches!(verb, "list" | "watch") {
        return Err(ApiError::no_route(path));
    }
    let attrs = Attributes {
        verb: verb.into(),
        group: group.into(),
        resource: t.def.plural.clone(),
        subresource: t.sub.clone().unwrap_or_default(),
        namespace: t.ns.clone().unwrap_or_default(),
        name: t.name.clone().unwrap_or_default(),
    };
    if !rbac::allowed(&st.store, user, &attrs) {
        return Err(ApiError::forbidden(attrs.forbidden_message(&user.name)));
    }
    let accept = req
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let as_table = accept.contains("as=Table");
    let include = query.get("includeObject").unwrap_or("Metadata").to_string();
    let ctype = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let ns = t.ns.clone().unwrap_or_default();
    let name = t.name.clone().unwrap_or_default();
    let store = &st.store;
    match (verb, t.sub.as_deref()) {
        ("watch", _) => {
            let p = watch_params(st, &t, &query, as_table.then_some(include))?;
            let body = Body::from_stream(watch::watch(store.clone(), t.def.clone(), p));
            Ok(([(http::header::CONTENT_TYPE, "application/json")], body).into_response())
        }
        ("list", _) => list(store, &t, &query, as_table, &include),
        ("get", Some("log")) => logs::serve(store, &ns, &name, &query, st.log_interval),
        ("create", Some("portforward")) => {
            let (mut parts, _) = req.into_parts();
            let ws = axum::extract::ws::WebSocketUpgrade::from_request_parts(&mut parts, &()).await.map_err(|_| {
                ApiError::bad_request("pods/portforward is served over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io); kubectl port-forward's SPDY tunnel is not supported")
            })?;
            store.get(&t.def, &ns, &name)?;
            crate::portforward::serve(ws, name.clone(), &query)
        }
        ("create", Some("exec")) => {
            let (mut parts, _) = req.into_parts();
            let ws = axum::extract::ws::WebSocketUpgrade::from_request_parts(&mut parts, &()).await.map_err(|_| {
                ApiError::bad_request("pods/exec is served over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io); use kubectl 1.30 or newer")
            })?;
            let pod = store.get(&t.def, &ns, &name)?;
            exec::serve(ws, pod, &query)
        }
        ("get", Some("scale")) => Ok(json_response(
            200,
            &scale_of(&store.get(&t.def, &ns, &name)?)?,
        )),
        ("get", _) => {
            let o = store.get(&t.def, &ns, &name)?;
            if as_table {
                Ok(json_response(
                    200,
                    &table::table(&t.def, &[o], &include, true),
                ))
            } else {
                Ok(json_response(200, &o))
            }
        }
        ("create", Some("eviction")) => {
            // No disruption budgets are enforced: an eviction is a delete.
            store.delete_with(&t.def, &ns, &name, t.dry_run)?;
            Ok(json_response(
                201,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            ))
        }
        ("create", None) if t.name.is_some() => Err(ApiError::method_not_allowed(format!(
            "POST is not allowed on a named {} ({path}); POST to the collection instead",
            t.def.qualified()
        ))),
        ("create", _) => {
            let body = read_body(req, &ctype, &t.def).await?;
            match t.def.plural.as_str() {
                "selfsubjectaccessreviews" => {
                    Ok(json_response(201, &rbac::access_review(store, user, body)))
                }
                "selfsubjectrulesreviews" => {
                    Ok(json_response(201, &rbac::rules_review(store, user, body)))
                }
                _ => Ok(json_response(
                    201,
                    &store.create_with(&t.def, &ns, body, t.dry_run)?,
                )),
            }
        }
        ("update", Some("scale")) => {
            let body = read_body(req, &ctype, &t.def).await?;
            write_scale(store, &t, &ns, &name, body)
        }
        ("update", sub) => {
            let body = read_body(req, &ctype, &t.def).await?;
            let mode = if sub == Some("status") {
                UpdateMode::Status
            } else {
                UpdateMode::Main
            };
            Ok(json_response(
                200,
                &store.update_with(&t.def, &ns, &name, body, mode, t.dry_run)?,
            ))
        }
        ("patch", sub) => {
            let body = read_body(req, &ctype, &t.def).await?;
            patch_object(store, &t, &ns, &name, sub, &ctype, &body)
        }
        ("delete", _) => {
            // DeleteOptions may come as a body: dryRun and preconditions live there for most clients.
            let opts = read_body(req, "application/json", &t.def)
                .await
                .unwrap_or(Value::Null);
            let dry_run = t.dry_run
                || opts["dryRun"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| v == "All"));
            let pre = &opts["preconditions"];
            if pre.is_object() {
                let cur = store.get(&t.def, &ns, &name)?;
                for field in ["uid", "resourceVersion"] {
                    if let Some(want) = pre[field].as_str()
                        && cur["metadata"][field].as_str() != Some(want)
                    {
                        return Err(ApiError::new(
                            409,
                            "Conflict",
                            format!(
                                "Precondition failed: {field} in precondition: {want}, {field} in object meta: {}",
                                cur["metadata"][field].as_str().unwrap_or("")
                            ),
                        ));
                    }
                }
            }
            Ok(json_response(
                200,
                &store.delete_with(&t.def, &ns, &name, dry_run)?,
            ))
        }
        ("deletecollection", _) => {
            let (items, rv) = store.list(&t.def, t.ns.as_deref());
            let (labels, fields) = selectors(&query)?;
            let mut deleted = vec![];
            for o in items
                .iter()
                .filter(|o| labels.matches(o) && fields.matches(o))
            {
                let n = o["metadata"]["name"].as_str().unwrap_or("");
                if let Ok(d) = store.delete_with(&t.def, &ns, n, t.dry_run) {
                    deleted.push(d);
                }
            }
            Ok(list_response(&t.def, &deleted, rv, None, None))
        }
        _ => Err(ApiError::method_not_allowed(format!(
            "{verb} is not supported on {path}"
        ))),
    }
}

async fn read_body(req: Request, ctype: &str, def: &ResourceDef) -> ApiResult<Value> {
    let bytes = axum::body::to_bytes(req.into_body(), 64 << 20)
        .await
        .map_err(|e| ApiError::bad_request(format!("cannot read request body: {e}")))?;
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    if ctype.starts_with("application/vnd.kubernetes.protobuf") {
        crate::proto::decode_body(&bytes, &def.api_version(), &def.kind)
    } else if ctype.contains("yaml") {
        serde_yaml::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("request body is not valid YAML: {e}")))
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))
    }
}

pub(crate) fn selectors(q: &Query) -> ApiResult<(LabelSelector, FieldSelector)> {
    Ok((
        LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?,
        FieldSelector::parse(q.get("fieldSelector").unwrap_or(""))?,
    ))
}

pub(crate) fn parse_rv(q: &Query) -> ApiResult<Option<u64>> {
    match q.get("resourceVersion").filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            ApiError::bad_request(format!("invalid resourceVersion {s:?}: must be a number"))
        }),
    }
}

fn watch_params(
    st: &AppState,
    t: &Target,
    q: &Query,
    table: Option<String>,
) -> ApiResult<watch::WatchParams> {
    let (labels, fields) = selectors(q)?;
    Ok(watch::WatchParams {
        namespace: t.ns.clone(),
        resource_version: parse_rv(q)?,
        send_initial_events: q.flag("sendInitialEvents"),
        bookmarks: q.flag("allowWatchBookmarks"),
        bookmark_interval: st.bookmark_interval,
        timeout: q
            .get("timeoutSeconds")
            .and_then(|s| s.parse().ok())
            .map(Duration::from_secs),
        labels,
        fields,
        table,
    })
}
