//! `plugin.toml`: who a plugin is, which WIT version it targets and what it may touch.

use std::collections::BTreeMap;
use std::fmt;

use semver::Version;
use serde::{Deserialize, Serialize};

/// A plugin's id: lowercase letters, digits and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PluginId(String);

impl PluginId {
    /// Checks the id's spelling.
    pub fn new(id: impl Into<String>) -> Result<Self, ManifestError> {
        let id = id.into();
        let mut chars = id.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !starts_with_letter || !rest_ok || id.len() > 64 {
            return Err(ManifestError::BadName(id));
        }
        Ok(Self(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PluginId {
    type Error = ManifestError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<PluginId> for String {
    fn from(id: PluginId) -> Self {
        id.0
    }
}

impl fmt::Display for PluginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One grant of the manifest: these verbs on these resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// `plural` for the core group, `plural.group` otherwise, `*` for any.
    pub resources: Vec<String>,
    /// Kubernetes verbs (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`), or `*`.
    pub verbs: Vec<String>,
}

/// The parsed and checked `plugin.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginManifest {
    /// The plugin's id.
    pub name: PluginId,
    /// The plugin's own version.
    pub version: Version,
    /// One line saying what the plugin adds.
    #[serde(default)]
    pub description: String,
    /// The `headlamp:plugin` WIT version the plugin was built against.
    pub api: Version,
    /// Licence (SPDX), shown on the Plugins page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Where the source lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What cluster calls the plugin may make.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Defaults of the plugin's settings.
    #[serde(default)]
    pub settings: BTreeMap<String, toml::Value>,
}

/// Verbs a permission may name.
const KNOWN_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete", "*",
];

impl PluginManifest {
    /// Parses and checks a manifest.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let manifest: PluginManifest =
            toml::from_str(text).map_err(|e| ManifestError::Syntax(e.to_string()))?;
        for permission in &manifest.permissions {
            if permission.resources.is_empty() || permission.verbs.is_empty() {
                return Err(ManifestError::EmptyPermission);
            }
            if let Some(verb) = permission
                .verbs
                .iter()
                .find(|v| !KNOWN_VERBS.contains(&v.as_str()))
            {
                return Err(ManifestError::UnknownVerb(verb.clone()));
            }
        }
        Ok(manifest)
    }

    /// The manifest's settings defaults as JSON, the form plugins read them in.
    pub fn setting_default(&self, key: &str) -> Option<String> {
        let value = self.settings.get(key)?;
        serde_json::to_string(value).ok()
    }
}

/// Why a manifest was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ManifestError {
    /// TOML syntax or a missing/mistyped field.
    #[error("plugin.toml is invalid: {0}")]
    Syntax(String),
    /// The name is not a valid plugin id.
    #[error(
        "plugin name {0:?} is invalid: use lowercase letters, digits and '-', starting with a letter (at most 64)"
    )]
    BadName(String),
    /// A `[[permissions]]` entry names no resource or no verb.
    #[error("a [[permissions]] entry needs at least one resource and one verb")]
    EmptyPermission,
    /// A verb outside Kubernetes' verbs.
    #[error(
        "permission verb {0:?} is unknown: use get, list, watch, create, update, patch, delete or *"
    )]
    UnknownVerb(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "cluster"
version = "0.1.0"
description = "Cluster views"
api = "0.1.0"

[[permissions]]
resources = ["namespaces"]
verbs = ["get", "list", "watch"]

[settings]
refresh = 30
"#;

    #[test]
    fn parses_a_complete_manifest() {
        let m = PluginManifest::parse(GOOD).unwrap();
        assert_eq!(m.name.as_str(), "cluster");
        assert_eq!(m.api, Version::new(0, 1, 0));
        assert_eq!(m.permissions[0].verbs, ["get", "list", "watch"]);
        assert_eq!(m.setting_default("refresh").as_deref(), Some("30"));
    }

    #[test]
    fn rejects_a_name_with_capitals() {
        let text = GOOD.replace("\"cluster\"", "\"Cluster\"");
        let err = PluginManifest::parse(&text).unwrap_err();
        assert!(err.to_string().contains("\"Cluster\" is invalid"), "{err}");
    }

    #[test]
    fn rejects_a_version_that_is_not_semver() {
        let text = GOOD.replace("version = \"0.1.0\"", "version = \"one\"");
        let err = PluginManifest::parse(&text).unwrap_err();
        assert!(matches!(err, ManifestError::Syntax(_)), "{err}");
    }

    #[test]
    fn rejects_an_unknown_verb() {
        let text = GOOD.replace("\"watch\"", "\"steal\"");
        assert_eq!(
            PluginManifest::parse(&text).unwrap_err(),
            ManifestError::UnknownVerb("steal".into())
        );
    }

    #[test]
    fn rejects_unknown_keys() {
        let text = format!("{GOOD}\n[extra]\nx = 1\n");
        assert!(PluginManifest::parse(&text).is_err());
    }
}
