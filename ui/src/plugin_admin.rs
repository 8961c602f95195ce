//! Plugin management as the UI sees it: settings forms and the Artifact Hub catalog, as the
//! kernel serves them, and the pure decisions the Plugins page makes about them (what a typed
//! value means, which buttons a catalog entry gets).

use serde::Deserialize;
use serde_json::Value;

/// One field of a plugin's settings form (`GET /api/v1/plugins/{name}/settings`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SettingField {
    /// The key the plugin reads.
    pub key: String,
    /// The label.
    pub label: String,
    /// Help text.
    #[serde(default)]
    pub description: String,
    /// `text`, `number`, `boolean` or `choice`.
    pub kind: String,
    /// The values of a `choice`.
    #[serde(default)]
    pub choices: Vec<String>,
    /// The default.
    #[serde(default)]
    pub default: Value,
    /// What the plugin reads now.
    #[serde(default)]
    pub value: Value,
    /// Whether the user set it.
    #[serde(default)]
    pub customised: bool,
}

/// What an input's text means for a setting of `kind`: a number when it reads as one (else the
/// text as typed, which the kernel refuses with a message naming the key), a string otherwise.
pub fn value_of(kind: &str, text: &str) -> Value {
    if kind != "number" {
        return Value::String(text.to_owned());
    }
    let Ok(n) = text.trim().parse::<f64>() else {
        return Value::String(text.to_owned());
    };
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_owned()))
    }
}

/// How a value shows in a text input.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Whether a package version runs in this kernel.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Compatibility {
    /// It does.
    #[serde(default)]
    pub compatible: bool,
    /// Its WIT version.
    #[serde(default)]
    pub wit: Option<String>,
    /// Why it does not.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What is installed from a package.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InstalledAs {
    /// The plugin id.
    pub plugin: String,
    /// The version.
    pub version: String,
}

/// One package of `GET /api/v1/catalog?q=`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CatalogEntry {
    /// `REPO/NAME`.
    pub package: String,
    /// The package's name.
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// The latest version.
    #[serde(default)]
    pub latest: String,
    /// Every version.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Whether the latest version runs here.
    #[serde(default)]
    pub compatibility: Compatibility,
    /// What is installed from it.
    #[serde(default)]
    pub installed: Option<InstalledAs>,
}

/// A button a catalog entry offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogAction {
    /// Install the chosen version.
    Install,
    /// Replace the installed version with the chosen one.
    Update,
    /// Uninstall.
    Remove,
}

/// The buttons of `entry` with `chosen` picked in its version list: Install when nothing is
/// installed (and the latest version is compatible, or another version was picked: the kernel
/// checks it), Update when another version than the installed one is picked, Remove when
/// something is installed.
pub fn offers(entry: &CatalogEntry, chosen: &str) -> Vec<CatalogAction> {
    match &entry.installed {
        None if entry.compatibility.compatible || chosen != entry.latest => {
            vec![CatalogAction::Install]
        }
        None => Vec::new(),
        Some(installed) if installed.version != chosen => {
            vec![CatalogAction::Update, CatalogAction::Remove]
        }
        Some(_) => vec![CatalogAction::Remove],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_input_sends_a_number_and_anything_else_as_typed() {
        assert_eq!(value_of("number", "3"), Value::from(3));
        assert_eq!(value_of("number", "2.5"), Value::from(2.5));
        assert_eq!(value_of("number", "three"), Value::from("three"));
        assert_eq!(value_of("text", "3"), Value::from("3"));
    }

    fn entry(compatible: bool, installed: Option<&str>) -> CatalogEntry {
        CatalogEntry {
            package: "r/p".into(),
            name: "p".into(),
            description: String::new(),
            latest: "2.0.0".into(),
            versions: vec!["2.0.0".into(), "1.0.0".into()],
            compatibility: Compatibility {
                compatible,
                ..Compatibility::default()
            },
            installed: installed.map(|v| InstalledAs {
                plugin: "p".into(),
                version: v.into(),
            }),
        }
    }

    #[test]
    fn an_incompatible_package_offers_no_install_of_its_latest_version() {
        assert!(offers(&entry(false, None), "2.0.0").is_empty());
        assert_eq!(
            offers(&entry(true, None), "2.0.0"),
            vec![CatalogAction::Install]
        );
    }

    #[test]
    fn an_installed_package_offers_update_to_another_version_and_remove() {
        assert_eq!(
            offers(&entry(true, Some("1.0.0")), "2.0.0"),
            vec![CatalogAction::Update, CatalogAction::Remove]
        );
        assert_eq!(
            offers(&entry(true, Some("2.0.0")), "2.0.0"),
            vec![CatalogAction::Remove]
        );
    }
}
