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

/// Rows for [`crate::Plugin::rows`] in the shape the kernel expects, the fast way: each
/// requested column id is resolved once with `column` (which names the ids it knows when it
/// refuses one), each object is parsed once into `R` borrowing from its JSON (`kind` names the
/// object in parse errors, such as `pod web-1: ...`), and `cells` gives a row's cells for the
/// resolved columns, in order.
pub fn rows_by<'o, R, C>(
    kind: &str,
    columns: &[String],
    objects: &'o [crate::Object],
    column: impl Fn(&str) -> Result<C, String>,
    cells: impl Fn(&R, &[C]) -> Vec<Cell>,
) -> Result<Vec<Vec<Cell>>, String>
where
    R: serde::Deserialize<'o>,
{
    let columns = columns
        .iter()
        .map(|c| column(c))
        .collect::<Result<Vec<C>, String>>()?;
    objects
        .iter()
        .map(|object| {
            let row: R = object.parse_borrowed().map_err(|e| {
                format!(
                    "{kind} {}: {e}",
                    object.name().unwrap_or("(without a name)")
                )
            })?;
            Ok(cells(&row, &columns))
        })
        .collect()
}

#[cfg(test)]
mod rows_by_tests {
    use super::*;
    use crate::Object;

    #[derive(serde::Deserialize)]
    struct Named<'a> {
        #[serde(borrow)]
        metadata: Meta<'a>,
    }

    #[derive(serde::Deserialize)]
    struct Meta<'a> {
        name: &'a str,
    }

    fn rows(columns: &[&str], objects: &[&str]) -> Result<Vec<Vec<Cell>>, String> {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let objects: Vec<Object> = objects.iter().map(|o| Object::new(o.to_string())).collect();
        rows_by(
            "thing",
            &columns,
            &objects,
            |id| match id {
                "name" => Ok(0),
                "shout" => Ok(1),
                other => Err(format!("no column `{other}` (only `name` and `shout`)")),
            },
            |row: &Named, cols: &[u8]| {
                cols.iter()
                    .map(|c| match c {
                        0 => Cell::text(row.metadata.name),
                        _ => Cell::text(row.metadata.name.to_uppercase()),
                    })
                    .collect()
            },
        )
    }

    #[test]
    fn rows_by_gives_one_row_per_object_with_cells_in_column_order() {
        let out = rows(&["shout", "name"], &[r#"{"metadata":{"name":"a"}}"#]).unwrap();
        let texts: Vec<_> = out[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["A", "a"]);
    }

    #[test]
    fn rows_by_refuses_an_unknown_column_with_the_resolvers_words() {
        let err = rows(&["age"], &[r#"{"metadata":{"name":"a"}}"#]).unwrap_err();
        assert_eq!(err, "no column `age` (only `name` and `shout`)");
    }

    #[test]
    fn rows_by_names_the_object_that_does_not_parse() {
        let err = rows(&["name"], &[r#"{"metadata":{"name":"b","uid":1},"x":"#]).unwrap_err();
        assert!(
            err.starts_with("thing b: ") || err.starts_with("thing (without a name): "),
            "{err}"
        );
    }
}
