//! Virtual scrolling maths: which rows of a long list are in the DOM.
//!
//! Rows have one fixed height, so the window is plain arithmetic: the rows under the viewport
//! plus an overscan on each side, and two spacers standing in for the rows left out so the
//! scrollbar keeps the full list's length.

use std::ops::Range;

/// The rows to render and the space the others take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Indices (into the ordered list) of the rendered rows.
    pub rows: Range<usize>,
    /// Height in pixels of the spacer above the rendered rows.
    pub before: u32,
    /// Height in pixels of the spacer below them.
    pub after: u32,
}

/// The window for a list of `total` rows of `row_height` px, scrolled to `scroll_top` px in
/// a viewport `viewport` px high, with `overscan` extra rows above and below.
pub fn window(
    scroll_top: f64,
    viewport: f64,
    row_height: u32,
    total: usize,
    overscan: usize,
) -> Window {
    let row_height = row_height.max(1) as f64;
    let first_visible = (scroll_top.max(0.0) / row_height).floor() as usize;
    let visible = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first_visible.saturating_sub(overscan).min(total);
    let end = (first_visible + visible + overscan).min(total);
    let start = start.min(end);
    Window {
        before: (start as f64 * row_height) as u32,
        after: ((total - end) as f64 * row_height) as u32,
        rows: start..end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_of_a_long_list_renders_a_screenful_and_the_overscan() {
        let w = window(0.0, 600.0, 30, 10_000, 10);
        assert_eq!(w.rows, 0..31);
        assert_eq!(w.before, 0);
        assert_eq!(w.after, (10_000 - 31) * 30);
    }

    #[test]
    fn the_middle_keeps_the_total_height() {
        let w = window(150_000.0, 600.0, 30, 10_000, 10);
        assert_eq!(w.rows, 4_990..5_031);
        let rendered = (w.rows.end - w.rows.start) as u32 * 30;
        assert_eq!(w.before + rendered + w.after, 10_000 * 30);
    }

    #[test]
    fn the_bottom_and_overscrolling_stay_in_bounds() {
        let w = window(10_000.0 * 30.0, 600.0, 30, 10_000, 10);
        assert_eq!(w.rows.end, 10_000);
        assert_eq!(w.after, 0);
        let w = window(1e9, 600.0, 30, 5, 10);
        assert!(w.rows.start <= w.rows.end && w.rows.end == 5);
    }

    #[test]
    fn short_and_empty_lists_render_everything_or_nothing() {
        assert_eq!(window(0.0, 600.0, 30, 3, 10).rows, 0..3);
        let w = window(0.0, 600.0, 30, 0, 10);
        assert_eq!((w.rows, w.before, w.after), (0..0, 0, 0));
    }
}
