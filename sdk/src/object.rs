//! Kubernetes objects as they cross the boundary: JSON text, parsed on demand.

use std::cell::OnceCell;
use std::fmt;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why an object could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// The JSON does not fit the requested type.
    #[error("object is not a valid {target}: {message}")]
    Parse {
        /// The type asked for.
        target: &'static str,
        /// What serde found.
        message: String,
    },
}

impl From<ObjectError> for String {
    fn from(e: ObjectError) -> Self {
        e.to_string()
    }
}

/// One Kubernetes object as JSON, with typed and untyped views of it.
///
/// Parsing is lazy: [`Object::parse`] reads the text straight into a typed struct (the cheapest
/// path for table rows), [`Object::value`] parses once into a `serde_json::Value` and keeps it.
pub struct Object {
    json: String,
    value: OnceCell<Result<Value, String>>,
}

impl Object {
    /// Wraps the JSON text of an object.
    pub fn new(json: impl Into<String>) -> Self {
        Self {
            json: json.into(),
            value: OnceCell::new(),
        }
    }

    /// An object from a JSON value (handy in tests).
    pub fn from_value(value: &Value) -> Self {
        Self::new(value.to_string())
    }

    /// The JSON text as the kernel sent it.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Parses the object into a typed struct, such as `k8s_openapi::api::core::v1::Namespace`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ObjectError> {
        serde_json::from_str(&self.json).map_err(|e| ObjectError::Parse {
            target: short_type_name::<T>(),
            message: e.to_string(),
        })
    }

    /// Parses the object into a type that borrows from the JSON text (`&str`, `Cow<str>` fields
    /// with `#[serde(borrow)]`): the fastest way to read a few fields of many objects.
    pub fn parse_borrowed<'a, T: Deserialize<'a>>(&'a self) -> Result<T, ObjectError> {
        serde_json::from_str(&self.json).map_err(|e| ObjectError::Parse {
            target: short_type_name::<T>(),
            message: e.to_string(),
        })
    }

    /// The object as an untyped JSON value, parsed on first use.
    pub fn value(&self) -> Result<&Value, ObjectError> {
        let parsed = self
            .value
            .get_or_init(|| serde_json::from_str(&self.json).map_err(|e| e.to_string()));
        parsed.as_ref().map_err(|message| ObjectError::Parse {
            target: "JSON value",
            message: message.clone(),
        })
    }

    /// A string at a path of keys, such as `&["metadata", "name"]`.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        let mut v = self.value().ok()?;
        for key in path {
            v = v.get(key)?;
        }
        v.as_str()
    }

    /// `metadata.name`.
    pub fn name(&self) -> Option<&str> {
        self.str_at(&["metadata", "name"])
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> Option<&str> {
        self.str_at(&["metadata", "namespace"])
    }
}

impl Clone for Object {
    fn clone(&self) -> Self {
        Self::new(self.json.clone())
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Object").field(&self.json).finish()
    }
}

impl From<String> for Object {
    fn from(json: String) -> Self {
        Self::new(json)
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Namespace;

    #[test]
    fn parse_reads_a_namespace_into_k8s_openapi() {
        let o = Object::new(r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}"#);
        let ns: Namespace = o.parse().unwrap();
        assert_eq!(ns.metadata.name.as_deref(), Some("a"));
        assert_eq!(o.name(), Some("a"));
    }

    #[test]
    fn parse_of_wrong_kind_names_the_type() {
        let o = Object::new(r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}"#);
        let err = o.parse::<Namespace>().unwrap_err().to_string();
        assert!(err.contains("Namespace"), "{err}");
    }

    #[test]
    fn value_of_broken_json_is_an_error() {
        let o = Object::new("{not json");
        assert!(o.value().is_err());
        assert_eq!(o.name(), None);
    }
}
