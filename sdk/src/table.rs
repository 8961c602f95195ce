//! Table columns and cells.

pub use crate::wit::exports::headlamp::plugin::plugin::{Column, ColumnSource};
pub use crate::wit::headlamp::plugin::types::{Cell, CellFormat, Tone};

impl Column {
    /// A column the kernel fills from a JSONPath into the object (no plugin call).
    pub fn json_path(id: &str, title: &str, path: &str) -> Self {
        Self::with_source(id, title, ColumnSource::JsonPath(path.to_owned()))
    }

    /// A column the plugin fills in [`crate::Plugin::rows`].
    pub fn computed(id: &str, title: &str) -> Self {
        Self::with_source(id, title, ColumnSource::Computed)
    }

    fn with_source(id: &str, title: &str, source: ColumnSource) -> Self {
        Self {
            id: id.to_owned(),
            title: title.to_owned(),
            source,
            format: CellFormat::Text,
            hidden: false,
        }
    }

    /// How the UI formats the cells.
    pub fn format(mut self, format: CellFormat) -> Self {
        self.format = format;
        self
    }

    /// Hidden until the user shows it.
    pub fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
}

impl Cell {
    /// A plain text cell.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            sort: None,
            tone: None,
            link: None,
        }
    }

    /// A number, sorted numerically.
    pub fn number(value: f64) -> Self {
        Self::text(value.to_string()).sort(value)
    }

    /// An empty cell.
    pub fn empty() -> Self {
        Self::text(String::new())
    }

    /// Colours the cell.
    pub fn tone(mut self, tone: Tone) -> Self {
        self.tone = Some(tone);
        self
    }

    /// Makes the cell a link to `route`.
    pub fn link(mut self, route: impl Into<String>) -> Self {
        self.link = Some(route.into());
        self
    }

    /// Sorts by this number instead of the text.
    pub fn sort(mut self, key: f64) -> Self {
        self.sort = Some(key);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_builder_sets_every_field() {
        let c = Cell::text("Active")
            .tone(Tone::Success)
            .link("/x")
            .sort(1.0);
        assert_eq!(c.text, "Active");
        assert_eq!(c.tone, Some(Tone::Success));
        assert_eq!(c.link.as_deref(), Some("/x"));
        assert_eq!(c.sort, Some(1.0));
    }

    #[test]
    fn column_builders_pick_source_format_and_visibility() {
        let c = Column::json_path("age", "Age", ".metadata.creationTimestamp")
            .format(CellFormat::Age)
            .hidden();
        assert_eq!(
            c.source,
            ColumnSource::JsonPath(".metadata.creationTimestamp".into())
        );
        assert_eq!(c.format, CellFormat::Age);
        assert!(c.hidden);
        assert_eq!(Column::computed("x", "X").source, ColumnSource::Computed);
    }
}
