//! Merges the figures every bench wrote to `target/bench/{bench}.json` into one table and
//! `target/bench/results.json`, the file two commits are compared by. With
//! `BENCH_BASELINE=path/to/older/results.json` it also prints each figure beside the older one.
//!
//! `make bench` runs it last; `cargo bench -p headlamp-kernel --bench results` re-prints the
//! table from the files the benches left.

#[path = "support/report.rs"]
#[allow(
    dead_code,
    reason = "the merger reads figures; only the benches make them"
)]
mod report;

use std::path::Path;

use report::{Figure, number};

/// The benches, in the order their figures are shown.
const BENCHES: [&str; 3] = ["plugin_host", "plugin_rows", "live_tables"];

/// A bench's figures, or why there are none.
fn read(path: &Path) -> Result<Vec<Figure>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a list of figures: {e}; run its bench again",
            path.display()
        )
    })
}

/// The figures of `baseline` beside the new ones, by name, with the relative change.
fn compare(figures: &[Figure], before: &[Figure], baseline: &Path) {
    println!("\ncompared with {}:\n", baseline.display());
    println!("| figure | before | now | unit | change |");
    println!("|---|---:|---:|---|---:|");
    for f in figures {
        let old = before.iter().find(|b| b.figure == f.figure);
        let (old_text, change) = match old {
            Some(b) if b.value != 0.0 => (
                number(b.value),
                format!("{:+.1}%", (f.value - b.value) / b.value * 100.0),
            ),
            Some(b) => (number(b.value), String::new()),
            None => (String::new(), "new".to_string()),
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            f.figure,
            old_text,
            number(f.value),
            f.unit,
            change
        );
    }
}

fn main() {
    // Read first: the baseline may be the results.json about to be replaced.
    let baseline = std::env::var_os("BENCH_BASELINE").map(|path| {
        let path = Path::new(&path).to_path_buf();
        let before = read(&path).unwrap_or_else(|e| {
            panic!("BENCH_BASELINE: {e}; point it at the results.json of an earlier run")
        });
        (path, before)
    });
    let dir = report::dir();
    let mut figures = Vec::new();
    let mut missing = Vec::new();
    for bench in BENCHES {
        match read(&dir.join(format!("{bench}.json"))) {
            Ok(found) => figures.extend(found),
            Err(e) => missing.push(format!(
                "{e}; run `cargo bench -p headlamp-kernel --bench {bench}` first"
            )),
        }
    }
    report::finish("results", &figures);
    let short = figures.iter().filter(|f| f.status == "short").count();
    let judged = figures.iter().filter(|f| !f.status.is_empty()).count();
    println!("{} of {judged} figures with a target pass", judged - short);
    for e in &missing {
        eprintln!("missing: {e}");
    }
    if let Some((path, before)) = baseline {
        compare(&figures, &before, &path);
    }
}
