//! Charts and relation graphs of view trees, drawn as SVG text.
//!
//! Built as strings by pure functions (testable without a browser); colours are CSS variables
//! of the theme, so light and dark both work. Every text is XML-escaped.

use std::fmt::Write;

use crate::model::{ChartKind, Datum, GraphEdge, GraphVertex, Tone};

/// Escapes text for SVG/HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of a datum: its tone, else one of a palette by position.
fn colour(tone: Option<Tone>, index: usize) -> String {
    match tone {
        Some(Tone::Neutral) => "var(--neutral)".into(),
        Some(Tone::Success) => "var(--success)".into(),
        Some(Tone::Warning) => "var(--warning)".into(),
        Some(Tone::Error) => "var(--error)".into(),
        Some(Tone::Info) => "var(--info)".into(),
        None => format!("var(--chart-{})", index % 6),
    }
}

/// A chart as an SVG element.
pub fn chart(kind: ChartKind, title: &str, data: &[Datum], max: Option<f64>) -> String {
    match kind {
        ChartKind::Pie => pie(title, data),
        ChartKind::Bar => bar(title, data),
        ChartKind::Gauge => gauge(title, data, max),
    }
}

fn pie(title: &str, data: &[Datum]) -> String {
    let total: f64 = data.iter().map(|d| d.value.max(0.0)).sum();
    let mut svg = format!(
        r#"<svg class="chart pie" viewBox="0 0 220 120" role="img" aria-label="{}">"#,
        escape(title)
    );
    // A donut from stroked circles: each segment is a dash of its share of the circumference.
    let r = 40.0;
    let circumference = 2.0 * std::f64::consts::PI * r;
    let _ = write!(
        svg,
        r#"<circle cx="60" cy="60" r="{r}" fill="none" stroke="var(--border)" stroke-width="18"/>"#
    );
    let mut offset = 0.0;
    if total > 0.0 {
        for (i, d) in data.iter().enumerate() {
            let share = d.value.max(0.0) / total * circumference;
            let _ = write!(
                svg,
                r#"<circle cx="60" cy="60" r="{r}" fill="none" stroke="{}" stroke-width="18" stroke-dasharray="{share:.2} {:.2}" stroke-dashoffset="{:.2}" transform="rotate(-90 60 60)"><title>{}: {}</title></circle>"#,
                colour(d.tone, i),
                circumference - share,
                -offset,
                escape(&d.label),
                number(d.value)
            );
            offset += share;
        }
    }
    let _ = write!(
        svg,
        r#"<text x="60" y="65" text-anchor="middle" class="chart-total">{}</text>"#,
        number(total)
    );
    for (i, d) in data.iter().enumerate().take(6) {
        let y = 18 + i * 16;
        let _ = write!(
            svg,
            r#"<rect x="120" y="{}" width="10" height="10" rx="2" fill="{}"/><text x="136" y="{}" class="chart-label">{} {}</text>"#,
            y - 9,
            colour(d.tone, i),
            y,
            escape(&d.label),
            number(d.value)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn bar(title: &str, data: &[Datum]) -> String {
    let max = data.iter().map(|d| d.value).fold(0.0_f64, f64::max);
    let height = 12 + data.len() * 22;
    let mut svg = format!(
        r#"<svg class="chart bar" viewBox="0 0 320 {height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    for (i, d) in data.iter().enumerate() {
        let y = 6 + i * 22;
        let width = if max > 0.0 {
            d.value.max(0.0) / max * 180.0
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text><rect x="100" y="{y}" width="{width:.1}" height="14" rx="3" fill="{}"/><text x="{:.1}" y="{}" class="chart-label">{}</text>"#,
            y + 11,
            escape(&d.label),
            colour(d.tone, i),
            104.0 + width,
            y + 11,
            number(d.value)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn gauge(title: &str, data: &[Datum], max: Option<f64>) -> String {
    let value: f64 = data.iter().map(|d| d.value).sum();
    let max = max.filter(|m| *m > 0.0).unwrap_or(value.max(1.0));
    let share = (value / max).clamp(0.0, 1.0);
    let r = 50.0;
    let half = std::f64::consts::PI * r;
    let tone = data.first().and_then(|d| d.tone);
    format!(
        r#"<svg class="chart gauge" viewBox="0 0 140 84" role="img" aria-label="{t}"><path d="M 20 70 A 50 50 0 0 1 120 70" fill="none" stroke="var(--border)" stroke-width="14"/><path d="M 20 70 A 50 50 0 0 1 120 70" fill="none" stroke="{c}" stroke-width="14" stroke-dasharray="{a:.2} {half:.2}"/><text x="70" y="66" text-anchor="middle" class="chart-total">{v}/{m}</text><text x="70" y="82" text-anchor="middle" class="chart-label">{p:.0}%</text></svg>"#,
        t = escape(title),
        c = colour(tone, 0),
        a = share * half,
        v = number(value),
        m = number(max),
        p = share * 100.0
    )
}

/// Numbers without a useless `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// Where each vertex of a relation graph goes: columns by distance from the sources (a simple
/// layered layout), rows by order within a column.
pub fn layout(vertices: &[GraphVertex], edges: &[GraphEdge]) -> Vec<(usize, usize)> {
    let index = |id: &str| vertices.iter().position(|v| v.id == id);
    let mut layer = vec![0usize; vertices.len()];
    // Longest path from a source, bounded by the vertex count so cycles cannot loop forever.
    for _ in 0..vertices.len() {
        let mut changed = false;
        for e in edges {
            if let (Some(s), Some(t)) = (index(&e.source), index(&e.target))
                && s != t
                && layer[t] < layer[s] + 1
                && layer[s] + 1 < vertices.len()
            {
                layer[t] = layer[s] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut seen = vec![0usize; vertices.len().max(1)];
    layer
        .iter()
        .map(|&l| {
            let row = seen[l];
            seen[l] += 1;
            (l, row)
        })
        .collect()
}

/// A relation graph as SVG: boxes in layers, arrows between them; linked vertices are `<a>`s
/// whose `href` is `link_prefix` + the vertex's route.
pub fn graph(vertices: &[GraphVertex], edges: &[GraphEdge], link_prefix: &str) -> String {
    const W: usize = 150;
    const H: usize = 40;
    const GX: usize = 60;
    const GY: usize = 18;
    let places = layout(vertices, edges);
    let columns = places.iter().map(|p| p.0 + 1).max().unwrap_or(0);
    let rows = places.iter().map(|p| p.1 + 1).max().unwrap_or(0);
    let width = columns * (W + GX);
    let height = rows * (H + GY) + GY;
    let centre = |i: usize| {
        let (c, r) = places[i];
        (c * (W + GX), GY + r * (H + GY))
    };
    let mut svg = format!(
        r#"<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" role="img" aria-label="relations"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L10 5L0 10z" fill="var(--muted)"/></marker></defs>"#
    );
    for e in edges {
        let s = vertices.iter().position(|v| v.id == e.source);
        let t = vertices.iter().position(|v| v.id == e.target);
        if let (Some(s), Some(t)) = (s, t) {
            let ((sx, sy), (tx, ty)) = (centre(s), centre(t));
            let _ = write!(
                svg,
                r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="var(--muted)" marker-end="url(#arrow)"/>"#,
                sx + W,
                sy + H / 2,
                tx,
                ty + H / 2
            );
            if let Some(label) = &e.label {
                let _ = write!(
                    svg,
                    r#"<text x="{}" y="{}" class="chart-label" text-anchor="middle">{}</text>"#,
                    (sx + W + tx) / 2,
                    (sy + ty + H) / 2 - 4,
                    escape(label)
                );
            }
        }
    }
    for (i, v) in vertices.iter().enumerate() {
        let (x, y) = centre(i);
        let body = format!(
            r#"<rect x="{x}" y="{y}" width="{W}" height="{H}" rx="6" fill="var(--surface)" stroke="{}"/><text x="{}" y="{}" class="graph-label">{}</text><text x="{}" y="{}" class="chart-label">{}</text>"#,
            colour(v.tone.or(Some(Tone::Neutral)), i),
            x + 8,
            y + 17,
            escape(&v.label),
            x + 8,
            y + 32,
            escape(&v.kind)
        );
        match &v.link {
            Some(link) => {
                let _ = write!(
                    svg,
                    r#"<a href="{}{}">{body}</a>"#,
                    escape(link_prefix),
                    escape(link)
                );
            }
            None => svg.push_str(&body),
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(label: &str, value: f64) -> Datum {
        Datum {
            label: label.into(),
            value,
            tone: None,
        }
    }

    #[test]
    fn a_pie_has_one_segment_per_value_and_escapes_labels() {
        let svg = chart(
            ChartKind::Pie,
            "Pods",
            &[datum("<ok>", 3.0), datum("bad", 1.0)],
            None,
        );
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert!(svg.contains("&lt;ok&gt;") && !svg.contains("<ok>"));
        assert!(svg.contains(">4</text>"));
    }

    #[test]
    fn a_gauge_is_clamped_to_its_maximum() {
        let svg = chart(ChartKind::Gauge, "CPU", &[datum("used", 8.0)], Some(4.0));
        assert!(svg.contains("100%"));
        let svg = chart(ChartKind::Gauge, "CPU", &[datum("used", 1.0)], Some(4.0));
        assert!(svg.contains("25%"));
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let svg = chart(
            ChartKind::Bar,
            "x",
            &[datum("a", 2.0), datum("b", 4.0)],
            None,
        );
        assert!(svg.contains(r#"width="90.0""#) && svg.contains(r#"width="180.0""#));
    }

    #[test]
    fn graphs_are_layered_from_their_sources_even_with_cycles() {
        let v = |id: &str| GraphVertex {
            id: id.into(),
            label: id.into(),
            kind: "Pod".into(),
            link: Some(format!("/pods/x/{id}")),
            tone: None,
        };
        let e = |s: &str, t: &str| GraphEdge {
            source: s.into(),
            target: t.into(),
            label: None,
        };
        let vertices = [v("deploy"), v("rs"), v("pod-a"), v("pod-b")];
        let edges = [e("deploy", "rs"), e("rs", "pod-a"), e("rs", "pod-b")];
        assert_eq!(layout(&vertices, &edges), [(0, 0), (1, 0), (2, 0), (2, 1)]);
        let cyclic = [e("deploy", "rs"), e("rs", "deploy")];
        assert!(layout(&vertices[..2], &cyclic).iter().all(|p| p.0 < 2));
        let svg = graph(&vertices, &edges, "/c/demo");
        assert!(svg.contains(r#"href="/c/demo/pods/x/rs""#));
        assert_eq!(svg.matches("<line").count(), 3);
    }
}
