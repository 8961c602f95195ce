//! HTTP routing: authenticates, parses Kubernetes API paths, authorizes with RBAC and runs the verb.

use crate::error::{ApiError, ApiResult};
use crate::rbac::{self, Attributes, User};
use crate::registry::ResourceDef;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{Store, UpdateMode};
use crate::{discovery, exec, logs, patch, table, watch};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use base64::Engine;
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
struct Target {
    def: ResourceDef,
    ns: Option<String>,
    name: Option<String>,
    sub: Option<String>,
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
    let (group, version, rest) = match segs.as_slice() {
        ["version"] => return Ok(json_response(200, &discovery::version())),
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
                    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
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
        (&http::Method::GET, true) if t.sub.as_deref() == Some("exec") => "create",
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
            store.delete(&t.def, &ns, &name)?;
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
                _ => Ok(json_response(201, &store.create(&t.def, &ns, body)?)),
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
                &store.update(&t.def, &ns, &name, body, mode)?,
            ))
        }
        ("patch", sub) => {
            let body = read_body(req, &ctype, &t.def).await?;
            patch_object(store, &t, &ns, &name, sub, &ctype, &body)
        }
        ("delete", _) => Ok(json_response(200, &store.delete(&t.def, &ns, &name)?)),
        ("deletecollection", _) => {
            let (items, rv) = store.list(&t.def, t.ns.as_deref());
            let (labels, fields) = selectors(&query)?;
            let mut deleted = vec![];
            for o in items
                .iter()
                .filter(|o| labels.matches(o) && fields.matches(o))
            {
                let n = o["metadata"]["name"].as_str().unwrap_or("");
                if let Ok(d) = store.delete(&t.def, &ns, n) {
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

fn selectors(q: &Query) -> ApiResult<(LabelSelector, FieldSelector)> {
    Ok((
        LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?,
        FieldSelector::parse(q.get("fieldSelector").unwrap_or(""))?,
    ))
}

fn parse_rv(q: &Query) -> ApiResult<Option<u64>> {
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

const GONE_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// Serializes borrowed items as a JSON array without copying them.
struct Items<'a, V>(&'a [V]);

impl<V: std::borrow::Borrow<Value>> serde::Serialize for Items<'_, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|v| v.borrow()))
    }
}

/// A `<Kind>List` response; large lists are serialized straight from the shared store objects.
fn list_response<V: std::borrow::Borrow<Value>>(
    def: &ResourceDef,
    items: &[V],
    rv: u64,
    cont: Option<String>,
    remaining: Option<usize>,
) -> Response {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    if let Some(r) = remaining {
        meta["remainingItemCount"] = json!(r);
    }
    #[derive(serde::Serialize)]
    #[serde(
        rename_all = "camelCase",
        bound(serialize = "V: std::borrow::Borrow<Value>")
    )]
    struct Doc<'a, V> {
        kind: String,
        api_version: String,
        metadata: Value,
        items: Items<'a, V>,
    }
    let doc = Doc {
        kind: format!("{}List", def.kind),
        api_version: def.api_version(),
        metadata: meta,
        items: Items(items),
    };
    let body = serde_json::to_vec(&doc).unwrap_or_default();
    ([(http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn list(
    store: &Store,
    t: &Target,
    q: &Query,
    as_table: bool,
    include: &str,
) -> ApiResult<Response> {
    let (labels, fields) = selectors(q)?;
    let rv_param = parse_rv(q)?;
    let (items, current) = store.list_shared(&t.def, t.ns.as_deref());
    if let Some(want) = rv_param.filter(|r| *r > 0) {
        if want > current {
            return Err(ApiError::new(
                504,
                "Timeout",
                format!("Too large resource version: {want}, current: {current}"),
            ));
        }
        if q.get("resourceVersionMatch") == Some("Exact") && want < store.compacted_rv() {
            return Err(ApiError::gone(format!(
                "too old resource version: {want} ({})",
                store.compacted_rv() + 1
            )));
        }
    }
    let mut items: Vec<Arc<Value>> = items
        .into_iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .collect();
    let mut list_rv = current;
    if let Some(token) = q.get("continue").filter(|s| !s.is_empty()) {
        let (rv, after) = decode_continue(token)?;
        if rv < store.compacted_rv() {
            return Err(ApiError::gone(GONE_CONTINUE));
        }
        list_rv = rv;
        items.retain(|o| item_pos(o) > after);
    }
    let limit = q
        .get("limit")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let (mut cont, mut remaining) = (None, None);
    if let Some(limit) = limit
        && items.len() > limit
    {
        remaining = Some(items.len() - limit);
        items.truncate(limit);
        cont = items.last().map(|o| encode_continue(list_rv, &item_pos(o)));
    }
    if as_table {
        let mut tbl = table::table(&t.def, &items, include, true);
        tbl["metadata"] = json!({"resourceVersion": list_rv.to_string()});
        if let Some(c) = cont {
            tbl["metadata"]["continue"] = json!(c);
        }
        return Ok(json_response(200, &tbl));
    }
    Ok(list_response(&t.def, &items, list_rv, cont, remaining))
}

fn item_pos(o: &Value) -> (String, String) {
    let m = &o["metadata"];
    (
        m["namespace"].as_str().unwrap_or("").to_string(),
        m["name"].as_str().unwrap_or("").to_string(),
    )
}

fn encode_continue(rv: u64, pos: &(String, String)) -> String {
    let raw = json!({"rv": rv, "ns": pos.0, "name": pos.1}).to_string();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn decode_continue(token: &str) -> ApiResult<(u64, (String, String))> {
    let bad = || {
        ApiError::bad_request(
            "invalid continue token; start a new list without the continue parameter",
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let rv = v["rv"].as_u64().ok_or_else(bad)?;
    Ok((
        rv,
        (
            v["ns"].as_str().unwrap_or("").to_string(),
            v["name"].as_str().unwrap_or("").to_string(),
        ),
    ))
}

/// The autoscaling/v1 Scale view of a scalable object.
fn scale_of(o: &Value) -> ApiResult<Value> {
    let sel = LabelSelector::from_object(&o["spec"]["selector"]).to_query();
    let m = &o["metadata"];
    Ok(json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"], "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": o["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {"replicas": o["status"]["replicas"].as_i64().unwrap_or(0), "selector": sel},
    }))
}

fn write_scale(
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
    let updated = store.update(&t.def, ns, name, o, UpdateMode::Main)?;
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

fn patch_object(
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
                return Ok(json_response(201, &store.create(&t.def, ns, body.clone())?));
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
        match store.update(&t.def, ns, name, patched, mode) {
            Err(e) if e.reason == "Conflict" && !explicit_rv => continue,
            r => return Ok(json_response(200, &r?)),
        }
    }
    Err(ApiError::conflict(&t.def.qualified(), name))
}
