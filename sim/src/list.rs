//! Lists: selectors, limit/continue paging, resourceVersion checks and Table or <Kind>List output.

use crate::error::{ApiError, ApiResult};
use crate::registry::ResourceDef;
use crate::server::{Query, Target, json_response, parse_rv, selectors};
use crate::store::Store;
use crate::table;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;

const GONE_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// Serializes borrowed items as a JSON array without copying them.
struct Items<'a, V>(&'a [V]);

impl<V: std::borrow::Borrow<Value>> serde::Serialize for Items<'_, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|v| v.borrow()))
    }
}

/// A `<Kind>List` response; large lists are serialized straight from the shared store objects.
pub(crate) fn list_response<V: std::borrow::Borrow<Value>>(
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

pub(crate) fn list(
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
        items.retain(|o| item_pos(o) > (after.0.as_str(), after.1.as_str()));
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

/// (namespace, name): the list order, and what a continue token remembers.
fn item_pos(o: &Value) -> (&str, &str) {
    let m = &o["metadata"];
    (
        m["namespace"].as_str().unwrap_or(""),
        m["name"].as_str().unwrap_or(""),
    )
}

fn encode_continue(rv: u64, pos: &(&str, &str)) -> String {
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
