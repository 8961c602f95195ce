//! The viewer's preferences, kept in `localStorage`: theme, table density, a default namespace
//! per cluster, and which columns each table shows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Column;

/// The `localStorage` key of [`Settings`].
pub const SETTINGS_KEY: &str = "headlamp.settings";

/// The colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follows the system's light/dark preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// Every theme, in the order the settings page lists them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The value of `data-theme` on `<html>` (the CSS keys on it) and of the radio buttons.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// What the settings page calls it.
    pub fn title(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }
}

/// How tall table rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Density {
    /// 33 px rows.
    #[default]
    Comfortable,
    /// 26 px rows.
    Compact,
}

impl Density {
    /// Both densities, in the order the settings page lists them.
    pub const ALL: [Density; 2] = [Density::Comfortable, Density::Compact];

    /// The value of `data-density` on `<html>` and of the radio buttons.
    pub fn as_str(self) -> &'static str {
        match self {
            Density::Comfortable => "comfortable",
            Density::Compact => "compact",
        }
    }

    /// What the settings page calls it.
    pub fn title(self) -> &'static str {
        match self {
            Density::Comfortable => "Comfortable",
            Density::Compact => "Compact",
        }
    }

    /// A table row's height in pixels; the CSS (`--row-h`) uses the same numbers, and virtual
    /// scrolling needs the exact figure.
    pub fn row_height(self) -> u32 {
        match self {
            Density::Comfortable => 33,
            Density::Compact => 26,
        }
    }
}

/// Everything the settings page sets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Colour theme.
    pub theme: Theme,
    /// Table density.
    pub density: Density,
    /// The namespace a cluster opens with, by cluster name.
    pub default_namespaces: BTreeMap<String, String>,
}

impl Settings {
    /// Reads stored settings; anything unreadable (an older or hand-edited value) falls back
    /// to the defaults rather than breaking the UI.
    pub fn parse(stored: Option<&str>) -> Settings {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The default namespace of a cluster, if one is set.
    pub fn default_namespace(&self, cluster: &str) -> Option<&str> {
        self.default_namespaces
            .get(cluster)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }
}

/// The `localStorage` key of a table's column choices.
pub fn columns_key(table: &str) -> String {
    format!("headlamp.columns.{table}")
}

/// Which columns the viewer showed or hid in one table, by column id; columns not named keep
/// the plugin's default (`hidden`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ColumnChoices(pub BTreeMap<String, bool>);

impl ColumnChoices {
    /// Reads stored choices; unreadable ones count as none.
    pub fn parse(stored: Option<&str>) -> ColumnChoices {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether a column is shown.
    pub fn shows(&self, column: &Column) -> bool {
        self.0.get(&column.id).copied().unwrap_or(!column.hidden)
    }

    /// Shows or hides a column.
    pub fn set(&mut self, column: &str, shown: bool) {
        self.0.insert(column.to_owned(), shown);
    }

    /// The columns shown, in table order. The first column (the name, which links to the
    /// details) is always shown, so a row can always be opened.
    pub fn visible(&self, columns: &[Column]) -> Vec<Column> {
        columns
            .iter()
            .enumerate()
            .filter(|(i, c)| *i == 0 || self.shows(c))
            .map(|(_, c)| c.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(id: &str, hidden: bool) -> Column {
        Column {
            id: id.into(),
            title: id.into(),
            format: Default::default(),
            hidden,
        }
    }

    #[test]
    fn settings_survive_a_round_trip_and_bad_values_fall_back() {
        let mut settings = Settings {
            theme: Theme::Dark,
            density: Density::Compact,
            ..Settings::default()
        };
        settings
            .default_namespaces
            .insert("demo".into(), "shop".into());
        let again = Settings::parse(Some(&settings.to_json()));
        assert_eq!(again, settings);
        assert_eq!(again.default_namespace("demo"), Some("shop"));
        assert_eq!(again.default_namespace("other"), None);
        assert_eq!(Settings::parse(Some("{not json")), Settings::default());
        assert_eq!(
            Settings::parse(Some(r#"{"theme":"light"}"#)).theme,
            Theme::Light
        );
    }

    #[test]
    fn column_choices_override_the_plugin_default_but_keep_the_name() {
        let columns = [
            column("name", false),
            column("ip", false),
            column("node", true),
        ];
        let mut choices = ColumnChoices::default();
        let ids = |c: &ColumnChoices| -> Vec<String> {
            c.visible(&columns).into_iter().map(|c| c.id).collect()
        };
        assert_eq!(ids(&choices), ["name", "ip"]);
        choices.set("ip", false);
        choices.set("node", true);
        choices.set("name", false);
        assert_eq!(ids(&choices), ["name", "node"]);
        let again = ColumnChoices::parse(Some(&choices.to_json()));
        assert_eq!(again, choices);
    }

    #[test]
    fn compact_rows_are_shorter() {
        assert!(Density::Compact.row_height() < Density::Comfortable.row_height());
    }
}
