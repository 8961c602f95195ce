//! A bench figure with its target from DESIGN.md, the table every bench prints, and the JSON
//! file every bench writes to `target/bench/` (merged into `results.json` by `--bench results`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One measured figure, as printed and as stored in `target/bench/*.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure {
    /// What was measured; stable across commits, so two runs can be compared by name.
    pub figure: String,
    /// The measurement, in `unit`.
    pub value: f64,
    /// The unit of `value` and of the target.
    pub unit: String,
    /// The target from DESIGN.md ("< 300"), empty when it sets none.
    pub target: String,
    /// "pass", "short", or empty when there is no target.
    pub status: String,
}

impl Figure {
    /// A figure without a target.
    pub fn new(figure: &str, value: f64, unit: &str) -> Self {
        Figure {
            figure: figure.to_string(),
            value,
            unit: unit.to_string(),
            target: String::new(),
            status: String::new(),
        }
    }

    /// Sets the target as DESIGN.md words it, `"< 300"`, `"<= 3"`, `">= 50000"` or `"= 1"`
    /// (in the figure's unit), and judges the value against it.
    pub fn target(mut self, target: &str) -> Self {
        let (op, limit) = target
            .split_once(' ')
            .and_then(|(op, n)| Some((op, n.parse::<f64>().ok()?)))
            .unwrap_or_else(|| panic!("bench bug: target {target:?} is not \"OP NUMBER\""));
        let pass = match op {
            "<" => self.value < limit,
            "<=" => self.value <= limit,
            ">=" => self.value >= limit,
            "=" => self.value == limit,
            _ => panic!("bench bug: target {target:?} has no operator <, <=, >= or ="),
        };
        self.target = target.to_string();
        self.status = if pass { "pass" } else { "short" }.to_string();
        self
    }
}
/// A value as a reader wants it: whole numbers plain, small ones with a few decimals.
pub fn number(value: f64) -> String {
    let magnitude = value.abs();
    if value.fract() == 0.0 || magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 0.1 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    }
}

/// `target/bench/` of the workspace.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench")
}

/// Prints `figures` as one Markdown table, each row with its target and verdict.
pub fn print_table(figures: &[Figure]) {
    let width = figures
        .iter()
        .map(|f| f.figure.len())
        .max()
        .unwrap_or(0)
        .max("figure".len());
    println!(
        "\n| {:<width$} | {:>10} | {:<5} | {:<9} | {:<6} |",
        "figure", "value", "unit", "target", "status"
    );
    println!(
        "|{:-<w$}|{:-<12}|{:-<7}|{:-<11}|{:-<8}|",
        "",
        "",
        "",
        "",
        "",
        w = width + 2
    );
    for f in figures {
        println!(
            "| {:<width$} | {:>10} | {:<5} | {:<9} | {:<6} |",
            f.figure,
            number(f.value),
            f.unit,
            f.target,
            f.status
        );
    }
}

/// Writes `figures` to `target/bench/{name}.json`, pretty, so a diff between runs reads well.
pub fn write(name: &str, figures: &[Figure]) -> std::io::Result<PathBuf> {
    let dir = dir();
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(figures).map_err(std::io::Error::other)?;
    std::fs::write(&path, json + "\n")?;
    Ok(path)
}

/// Prints the table and writes the bench's JSON file; a file that cannot be written is
/// reported but the printed figures stand.
pub fn finish(name: &str, figures: &[Figure]) {
    print_table(figures);
    match write(name, figures) {
        Ok(path) => println!("\nwrote {}", path.display()),
        Err(e) => eprintln!("cannot write target/bench/{name}.json: {e}"),
    }
}
