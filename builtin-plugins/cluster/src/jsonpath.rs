//! The simple JSONPaths of additionalPrinterColumns (`.spec.size`, `.status.conditions[0].type`),
//! evaluated the way kubectl prints them.

use headlamp_plugin_sdk::serde_json::Value;

/// The value at `path`, if the path is simple (dotted fields and numeric indices) and leads
/// somewhere; filters and wildcards are not simple and give `None`.
pub fn eval<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut current = value;
    for segment in path
        .trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
    {
        let (field, mut rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !field.is_empty() {
            current = current.get(field)?;
        }
        while let Some(after) = rest.strip_prefix('[') {
            let (index, tail) = after.split_once(']')?;
            current = current.get(index.parse::<usize>().ok()?)?;
            rest = tail;
        }
    }
    Some(current)
}

/// A value as kubectl prints it in a column: strings bare, other scalars as JSON, nothing for
/// null, and objects or arrays as compact JSON.
pub fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn dotted_paths_and_indices_lead_to_the_value() {
        let v = json!({"spec": {"size": 3}, "status": {"conditions": [{"type": "Ready"}]}});
        assert_eq!(text(eval(&v, ".spec.size")), "3");
        assert_eq!(text(eval(&v, ".status.conditions[0].type")), "Ready");
        assert_eq!(text(eval(&v, "{.spec.size}")), "3");
        assert_eq!(eval(&v, ".spec.color"), None);
        assert_eq!(eval(&v, ".status.conditions[?(@.type==\"Ready\")]"), None);
    }
}
