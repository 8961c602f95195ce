//! Secrets: the data count of the table, the details view (keys and sizes, values hidden) and
//! the reveal view (values decoded; binary values as a hex dump).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use headlamp_plugin_sdk::prelude::*;
use headlamp_plugin_sdk::serde_json::Value;

use headlamp_plugin_sdk::details::{self, kv, kv_link, str_at, text_at};

/// The annotation `kubectl apply` leaves, which holds the applied values in the clear.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// How many bytes of a binary value the reveal view dumps.
const HEX_DUMP_LIMIT: usize = 4096;

/// Cells of `columns` for each secret in `objects`.
pub(crate) fn rows(columns: &[String], objects: &[Object]) -> Result<Vec<Vec<Cell>>, String> {
    headlamp_plugin_sdk::rows_by(
        "secret",
        columns,
        objects,
        |id| match id {
            "data" => Ok(()),
            other => Err(format!(
                "the config plugin computes no column `{other}` of table `{}` (only `data`)",
                crate::SECRETS_TABLE
            )),
        },
        |row: &Value, columns: &[()]| {
            columns
                .iter()
                .map(|()| Cell::number(data(row).len() as f64))
                .collect()
        },
    )
}

/// The secret's data entries, by key.
fn data(secret: &Value) -> Vec<(&str, &str)> {
    let mut entries: Vec<(&str, &str)> = secret
        .get("data")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()))
        .collect();
    entries.sort_unstable();
    entries
}

/// The size in bytes of a base64 value once decoded; `None` if it is not base64.
pub fn decoded_len(encoded: &str) -> Option<usize> {
    STANDARD.decode(encoded).ok().map(|bytes| bytes.len())
}

/// `1 byte`, `12 bytes`.
pub fn size_text(bytes: usize) -> String {
    if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

/// A decoded value as a user should see it.
#[derive(Debug, PartialEq)]
pub enum Revealed {
    /// UTF-8 text without control characters other than line breaks and tabs.
    Text(String),
    /// Anything else: its size and a hex dump of its first bytes.
    Binary {
        /// The whole value's size.
        len: usize,
        /// `offset  hex bytes  |ascii|` lines of at most [`HEX_DUMP_LIMIT`] bytes.
        dump: String,
    },
}

/// Decodes a base64 value; the error says what is wrong with it.
pub fn reveal(encoded: &str) -> Result<Revealed, String> {
    let bytes = STANDARD.decode(encoded).map_err(|e| {
        format!(
            "the value is not valid base64 ({e}); the API server should never store such a value"
        )
    })?;
    let len = bytes.len();
    match String::from_utf8(bytes) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
        {
            Ok(Revealed::Text(text))
        }
        Ok(text) => Ok(Revealed::Binary {
            len,
            dump: hex_dump(text.as_bytes()),
        }),
        Err(e) => Ok(Revealed::Binary {
            len,
            dump: hex_dump(e.as_bytes()),
        }),
    }
}

/// `00000000  de ad be ef  |....|`, 16 bytes a line, at most [`HEX_DUMP_LIMIT`] bytes.
pub fn hex_dump(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(HEX_DUMP_LIMIT)];
    let mut out = String::new();
    for (line, chunk) in shown.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}  {:<47}  |{ascii}|\n",
            line * 16,
            hex.join(" ")
        ));
    }
    if bytes.len() > shown.len() {
        out.push_str(&format!("… {} more bytes\n", bytes.len() - shown.len()));
    }
    out
}

/// The secret with every value replaced by its size, and kubectl's last-applied annotation
/// (which repeats the values) hidden: what the YAML section may show.
pub fn redacted(secret: &Value) -> Value {
    let mut out = secret.clone();
    if let Some(data) = out.get_mut("data").and_then(Value::as_object_mut) {
        for value in data.values_mut() {
            let size = value
                .as_str()
                .and_then(decoded_len)
                .map_or_else(|| "not base64".to_owned(), size_text);
            *value = Value::String(format!("<hidden: {size}>"));
        }
    }
    if let Some(applied) = out
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        .and_then(|a| a.get_mut(LAST_APPLIED))
    {
        *applied = Value::String("<hidden: it repeats the secret's values>".to_owned());
    }
    out
}

/// The header both views share: metadata (with the last-applied annotation hidden), type and
/// `extra`.
fn header(secret: &Value, now_millis: u64, extra: Vec<KeyValue>) -> NodeBuilder {
    let shown = redacted(secret);
    let mut pairs = details::metadata(&shown, now_millis);
    pairs.push(kv("Type", str_at(secret, &["type"]).unwrap_or("Opaque")));
    pairs.extend(extra);
    View::section(text_at(secret, &["metadata", "name"])).child(View::key_value_list(pairs))
}

/// Metadata, the keys with their sizes (values hidden) and a link to reveal them, events, the
/// YAML with values hidden.
pub(crate) fn view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let secret = object.value()?;
    let namespace = text_at(secret, &["metadata", "namespace"]);
    let name = text_at(secret, &["metadata", "name"]);
    let rows: Vec<Vec<Cell>> = data(secret)
        .into_iter()
        .map(|(key, value)| {
            let size = decoded_len(value);
            vec![
                Cell::text(key),
                match size {
                    Some(n) => Cell::text(size_text(n)).sort(n as f64),
                    None => Cell::text("not valid base64").tone(Tone::Error),
                },
            ]
        })
        .collect();
    let mut data = View::section("Data").child(details::table_or_empty(
        &["Key", "Size"],
        rows,
        "The secret holds no data.",
    ));
    if !secret
        .get("data")
        .and_then(Value::as_object)
        .is_none_or(|d| d.is_empty())
    {
        data = data
            .child(View::text(
                "Values are hidden. Revealing them reads the secret again as you.",
            ))
            .child(View::link(
                "Reveal values",
                crate::secret_values_route(&namespace, &name),
            ));
    }
    Ok(View::stack()
        .child(header(secret, now_millis, Vec::new()))
        .child(data)
        .child(details::events_section(cluster, secret, now_millis))
        .child(details::yaml_section(&redacted(secret), "secret")?)
        .build())
}

/// Metadata, a link back to the view without values, each value decoded, events, the YAML
/// with values hidden (they are above already).
pub(crate) fn values_view(object: &Object, cluster: &str, now_millis: u64) -> Result<View, String> {
    let secret = object.value()?;
    let namespace = text_at(secret, &["metadata", "namespace"]);
    let name = text_at(secret, &["metadata", "name"]);
    let back = kv_link(
        "Values",
        "Hide values",
        crate::secret_route(&namespace, &name),
    );
    let header = header(secret, now_millis, vec![back]);
    let mut values = View::section("Values");
    let entries = data(secret);
    if entries.is_empty() {
        values = values.child(View::empty("The secret holds no data."));
    }
    for (key, encoded) in entries {
        let section = View::section(key);
        values = values.child(match reveal(encoded) {
            Ok(Revealed::Text(text)) => section.child(View::code("text", text)),
            Ok(Revealed::Binary { len, dump }) => section
                .child(View::text(format!(
                    "Binary, {}; shown as a hex dump.",
                    size_text(len)
                )))
                .child(View::code("hex", dump)),
            Err(e) => section.child(View::error(format!("{key}: {e}"))),
        });
    }
    Ok(View::stack()
        .child(header)
        .child(values)
        .child(details::events_section(cluster, secret, now_millis))
        .child(details::yaml_section(&redacted(secret), "secret")?)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use headlamp_plugin_sdk::serde_json::json;

    #[test]
    fn text_values_are_decoded() {
        assert_eq!(
            reveal("czNjcjN0LXB3"),
            Ok(Revealed::Text("s3cr3t-pw".into()))
        );
        assert_eq!(reveal(""), Ok(Revealed::Text(String::new())));
    }

    #[test]
    fn binary_values_are_dumped_as_hex() {
        let Ok(Revealed::Binary { len, dump }) = reveal("AAH/YQ==") else {
            panic!("expected binary");
        };
        assert_eq!(len, 4);
        assert_eq!(
            dump,
            "00000000  00 01 ff 61                                      |...a|\n"
        );
    }

    #[test]
    fn a_long_binary_value_is_dumped_only_in_part() {
        let dump = hex_dump(&[0u8; HEX_DUMP_LIMIT + 10]);
        assert_eq!(dump.lines().count(), HEX_DUMP_LIMIT / 16 + 1);
        assert!(dump.ends_with("… 10 more bytes\n"), "{dump}");
    }

    #[test]
    fn invalid_base64_is_an_error_not_a_value() {
        let err = reveal("not base64!").unwrap_err();
        assert!(err.contains("not valid base64"), "{err}");
    }

    #[test]
    fn sizes_are_of_the_decoded_bytes() {
        assert_eq!(decoded_len("c2hvcA=="), Some(4));
        assert_eq!(size_text(1), "1 byte");
        assert_eq!(size_text(9), "9 bytes");
    }

    #[test]
    fn redacting_hides_values_and_the_last_applied_annotation() {
        let secret = json!({"metadata": {"name": "db", "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"czNjcjN0LXB3\"}}", "team": "shop"}},
            "data": {"password": "czNjcjN0LXB3"}});
        let shown = redacted(&secret).to_string();
        assert!(!shown.contains("czNjcjN0LXB3"), "{shown}");
        assert!(shown.contains("<hidden: 9 bytes>"), "{shown}");
        assert!(shown.contains("\"team\":\"shop\""), "{shown}");
    }
}
