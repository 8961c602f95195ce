//! Declarative columns: a JSONPath evaluated by the kernel, no plugin call.
//!
//! Paths are written as in a CRD's `additionalPrinterColumns` (`.spec.replicas`,
//! `.metadata.labels['app']`, `.spec.containers[*].image`); kubectl's `{...}` braces and a
//! leading `$` are accepted too. Several matches are joined with `, `.

use chrono::{DateTime, Utc};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::host::Cell;
use crate::host::headlamp::plugin::types::CellFormat;

/// A compiled column path.
#[derive(Debug, Clone)]
pub struct ColumnPath {
    path: JsonPath,
    format: CellFormat,
}

/// A path that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("column path {path:?} is not a valid JSONPath: {reason}")]
pub struct PathError {
    /// The path as written.
    pub path: String,
    /// What the parser said.
    pub reason: String,
}

impl ColumnPath {
    /// Compiles `path`, to be shown in `format`.
    pub fn parse(path: &str, format: CellFormat) -> Result<Self, PathError> {
        let trimmed = path.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|p| p.strip_suffix('}'))
            .unwrap_or(trimmed);
        let normalised = if inner.starts_with('$') {
            inner.to_string()
        } else if inner.starts_with('.') || inner.starts_with('[') {
            format!("${inner}")
        } else {
            format!("$.{inner}")
        };
        let path = JsonPath::parse(&normalised).map_err(|e| PathError {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Self { path, format })
    }

    /// The cell for one object; a path that matches nothing gives an empty cell.
    pub fn cell(&self, object: &Value) -> Cell {
        let nodes = self.path.query(object);
        let parts: Vec<String> = nodes.iter().map(|v| scalar_text(v)).collect();
        let text = parts.join(", ");
        let sort = match self.format {
            CellFormat::Number => nodes.exactly_one().ok().and_then(Value::as_f64),
            CellFormat::Age => DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|t| t.with_timezone(&Utc).timestamp() as f64),
            CellFormat::Text | CellFormat::Labels => None,
        };
        Cell {
            text,
            sort,
            tone: None,
            link: None,
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(map) if map.values().all(|v| v.is_string()) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"name": "web-1", "labels": {"app": "web", "app.kubernetes.io/part-of": "shop"},
                         "creationTimestamp": "2026-01-02T03:04:05Z"},
            "spec": {"replicas": 3, "containers": [{"image": "nginx:1"}, {"image": "envoy:2"}]}
        })
    }

    fn cell(path: &str, format: CellFormat) -> Cell {
        ColumnPath::parse(path, format).unwrap().cell(&pod())
    }

    #[test]
    fn reads_a_crd_style_path() {
        assert_eq!(cell(".metadata.name", CellFormat::Text).text, "web-1");
    }

    #[test]
    fn accepts_kubectl_braces_and_dollar() {
        assert_eq!(cell("{.metadata.name}", CellFormat::Text).text, "web-1");
        assert_eq!(cell("$.metadata.name", CellFormat::Text).text, "web-1");
    }

    #[test]
    fn joins_several_matches() {
        let c = cell(".spec.containers[*].image", CellFormat::Text);
        assert_eq!(c.text, "nginx:1, envoy:2");
    }

    #[test]
    fn reads_a_label_with_dots_in_its_key() {
        let c = cell(
            ".metadata.labels['app.kubernetes.io/part-of']",
            CellFormat::Text,
        );
        assert_eq!(c.text, "shop");
    }

    #[test]
    fn numbers_sort_numerically() {
        let c = cell(".spec.replicas", CellFormat::Number);
        assert_eq!((c.text.as_str(), c.sort), ("3", Some(3.0)));
    }

    #[test]
    fn ages_sort_by_timestamp() {
        let c = cell(".metadata.creationTimestamp", CellFormat::Age);
        assert_eq!(c.sort, Some(1_767_323_045.0));
    }

    #[test]
    fn a_missing_field_is_an_empty_cell() {
        assert_eq!(cell(".status.phase", CellFormat::Text).text, "");
    }

    #[test]
    fn a_map_is_shown_as_key_value_pairs() {
        let c = cell(".metadata.labels", CellFormat::Labels);
        assert_eq!(c.text, "app=web, app.kubernetes.io/part-of=shop");
    }

    #[test]
    fn an_invalid_path_is_refused_with_the_path() {
        let err = ColumnPath::parse(".spec[", CellFormat::Text).unwrap_err();
        assert_eq!(err.path, ".spec[");
    }
}
