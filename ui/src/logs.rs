//! A log viewer's lines: a bounded ring buffer, search with next/previous, highlighting, and
//! the layout of wrapped lines for virtual scrolling.
//!
//! Lines get a sequence number when they arrive (the first line ever is 0); dropping the oldest
//! lines moves the buffer's first number on, so search matches, which are kept as sequence
//! numbers, stay valid while the buffer turns over.

use std::collections::VecDeque;
use std::ops::Range;

/// How many lines a viewer keeps by default.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// One line and its length in characters (what wrapping is computed from).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    chars: u32,
}

/// The last `capacity` lines of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogBuffer {
    lines: VecDeque<Line>,
    first_seq: u64,
    dropped: u64,
    capacity: usize,
}

impl Default for LogBuffer {
    fn default() -> Self {
        LogBuffer::with_capacity(DEFAULT_CAPACITY)
    }
}

impl LogBuffer {
    /// An empty buffer keeping at most `capacity` lines (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        LogBuffer {
            lines: VecDeque::new(),
            first_seq: 0,
            dropped: 0,
            capacity: capacity.max(1),
        }
    }

    /// Appends lines, dropping the oldest beyond the capacity.
    pub fn push<I: IntoIterator<Item = String>>(&mut self, lines: I) {
        for text in lines {
            if self.lines.len() == self.capacity {
                self.lines.pop_front();
                self.first_seq += 1;
                self.dropped += 1;
            }
            let chars = text.chars().count() as u32;
            self.lines.push_back(Line { text, chars });
        }
    }

    /// Forgets every line (they do not count as dropped); numbering goes on.
    pub fn clear(&mut self) {
        self.first_seq += self.lines.len() as u64;
        self.lines.clear();
        self.dropped = 0;
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when no line is held.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The most lines held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The sequence number of the oldest line held.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// The sequence number the next line will get.
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.lines.len() as u64
    }

    /// How many of the oldest lines were dropped to stay within the capacity since the
    /// buffer was last cleared.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The line at `index` (0 is the oldest held).
    pub fn get(&self, index: usize) -> Option<&str> {
        self.lines.get(index).map(|l| l.text.as_str())
    }

    /// The index of the line numbered `seq`, if it is still held.
    pub fn index_of(&self, seq: u64) -> Option<usize> {
        let index = seq.checked_sub(self.first_seq)? as usize;
        (index < self.lines.len()).then_some(index)
    }

    /// Every line held, each followed by a line break: what a download saves.
    pub fn text(&self) -> String {
        let size: usize = self.lines.iter().map(|l| l.text.len() + 1).sum();
        let mut out = String::with_capacity(size);
        for line in &self.lines {
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }

    /// Where each line starts, in visual rows, when lines wrap at `columns` characters; the
    /// last entry is the total. An empty line takes one row.
    pub fn wrapped_rows(&self, columns: u32) -> Vec<u64> {
        let columns = columns.max(1);
        let mut starts = Vec::with_capacity(self.lines.len() + 1);
        let mut row = 0u64;
        for line in &self.lines {
            starts.push(row);
            row += u64::from(line.chars.div_ceil(columns).max(1));
        }
        starts.push(row);
        starts
    }
}

/// A count with thousands separators (`100,000`), as the viewer's notes show counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lowercases ASCII letters only, so byte offsets in the result are those of the original.
fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// The byte ranges of `query` in `line`, ignoring ASCII case, without overlaps.
pub fn matches_in(line: &str, query: &str) -> Vec<Range<usize>> {
    if query.is_empty() {
        return Vec::new();
    }
    let (line_folded, query_folded) = (fold(line), fold(query));
    line_folded
        .match_indices(&query_folded)
        .map(|(start, m)| start..start + m.len())
        .collect()
}

/// A piece of a line as drawn: plain or a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// The text.
    pub text: &'a str,
    /// True for a match of the search.
    pub matched: bool,
}

/// Splits `line` into plain and matching pieces, in order, covering all of it.
pub fn segments<'a>(line: &'a str, query: &str) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let mut at = 0;
    for range in matches_in(line, query) {
        if range.start > at {
            out.push(Segment {
                text: &line[at..range.start],
                matched: false,
            });
        }
        out.push(Segment {
            text: &line[range.clone()],
            matched: true,
        });
        at = range.end;
    }
    if at < line.len() || out.is_empty() {
        out.push(Segment {
            text: &line[at..],
            matched: false,
        });
    }
    out
}

/// A search over a [`LogBuffer`]: the lines that match, and which one is current.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    query: String,
    /// Sequence numbers of the matching lines, ascending.
    hits: VecDeque<u64>,
    /// Position in `hits` of the current match.
    current: Option<usize>,
    /// Lines below this sequence number have been looked at.
    scanned_to: u64,
}

impl Search {
    /// The query searched for.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Searches `buffer` for `query` from scratch; the first match becomes current.
    pub fn set_query(&mut self, query: &str, buffer: &LogBuffer) {
        self.query = query.to_owned();
        self.hits.clear();
        self.current = None;
        self.scanned_to = buffer.first_seq();
        self.update(buffer);
        if !self.hits.is_empty() {
            self.current = Some(0);
        }
    }

    /// Catches up with `buffer`: forgets matches on lines it dropped, scans lines it gained.
    pub fn update(&mut self, buffer: &LogBuffer) {
        let first = buffer.first_seq();
        while self.hits.front().is_some_and(|&seq| seq < first) {
            self.hits.pop_front();
            self.current = match self.current {
                Some(0) | None => None,
                Some(i) => Some(i - 1),
            };
        }
        if self.current.is_none() && !self.hits.is_empty() {
            self.current = Some(0);
        }
        if self.query.is_empty() {
            self.scanned_to = buffer.end_seq();
            return;
        }
        let query = fold(&self.query);
        let start = self.scanned_to.max(first);
        for seq in start..buffer.end_seq() {
            let line = buffer.get((seq - first) as usize).unwrap_or_default();
            if fold(line).contains(&query) {
                self.hits.push_back(seq);
            }
        }
        self.scanned_to = buffer.end_seq();
        if self.current.is_none() && !self.hits.is_empty() {
            self.current = Some(0);
        }
    }

    /// Matching lines.
    pub fn count(&self) -> usize {
        self.hits.len()
    }

    /// The current match's position among the matches (0-based) and its line's number.
    pub fn current(&self) -> Option<(usize, u64)> {
        let i = self.current?;
        Some((i, *self.hits.get(i)?))
    }

    /// Moves to the next match, wrapping after the last; returns its line's number.
    pub fn next_match(&mut self) -> Option<u64> {
        if self.hits.is_empty() {
            return None;
        }
        let i = self.current.map_or(0, |i| (i + 1) % self.hits.len());
        self.current = Some(i);
        self.hits.get(i).copied()
    }

    /// Moves to the previous match, wrapping before the first; returns its line's number.
    pub fn previous_match(&mut self) -> Option<u64> {
        if self.hits.is_empty() {
            return None;
        }
        let n = self.hits.len();
        let i = self.current.map_or(n - 1, |i| (i + n - 1) % n);
        self.current = Some(i);
        self.hits.get(i).copied()
    }
}

/// The lines to render when line `i` starts at visual row `starts[i]` (see
/// [`LogBuffer::wrapped_rows`]): those under a viewport scrolled to `scroll_top` px, `viewport`
/// px high, rows `row_height` px, plus `overscan` lines each side; and the spacers' heights.
pub fn wrapped_window(
    starts: &[u64],
    scroll_top: f64,
    viewport: f64,
    row_height: u32,
    overscan: usize,
) -> crate::window::Window {
    let lines = starts.len().saturating_sub(1);
    let total_rows = starts.last().copied().unwrap_or(0);
    let row_height = f64::from(row_height.max(1));
    let first_row = (scroll_top.max(0.0) / row_height).floor() as u64;
    let last_row = first_row + (viewport.max(0.0) / row_height).ceil() as u64 + 1;
    // The line holding a row is the last one starting at or before it.
    let line_at = |row: u64| {
        starts[..lines]
            .partition_point(|&s| s <= row)
            .saturating_sub(1)
    };
    let start = line_at(first_row).saturating_sub(overscan).min(lines);
    let end = (line_at(last_row) + 1 + overscan).min(lines);
    let start = start.min(end);
    crate::window::Window {
        before: (starts[start] as f64 * row_height) as u32,
        after: ((total_rows - starts[end]) as f64 * row_height) as u32,
        rows: start..end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer(lines: &[&str], capacity: usize) -> LogBuffer {
        let mut b = LogBuffer::with_capacity(capacity);
        b.push(lines.iter().map(|s| s.to_string()));
        b
    }

    #[test]
    fn the_buffer_keeps_the_newest_lines_and_counts_the_dropped_ones() {
        let mut b = LogBuffer::with_capacity(3);
        b.push((0..5).map(|i| format!("line {i}")));
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(b.get(0), Some("line 2"));
        assert_eq!(b.get(2), Some("line 4"));
        assert_eq!(b.index_of(4), Some(2));
        assert_eq!(b.index_of(1), None, "a dropped line has no index");
    }

    #[test]
    fn a_hundred_thousand_lines_stay_within_the_capacity() {
        let mut b = LogBuffer::default();
        for batch in 0..110 {
            b.push((0..1_000).map(|i| format!("[app] batch {batch} line {i}")));
        }
        assert_eq!(b.len(), DEFAULT_CAPACITY);
        assert_eq!(b.dropped(), 10_000);
        assert_eq!(b.get(0), Some("[app] batch 10 line 0"));
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_840), "1,840");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn clearing_empties_the_buffer_but_numbering_goes_on() {
        let mut b = buffer(&["a", "b"], 10);
        b.clear();
        assert!(b.is_empty());
        assert_eq!(
            b.dropped(),
            0,
            "cleared lines were not dropped for lack of room"
        );
        b.push(["c".to_string()]);
        assert_eq!(b.first_seq(), 2);
        assert_eq!(b.get(0), Some("c"));
    }

    #[test]
    fn the_download_text_has_one_line_per_line() {
        assert_eq!(buffer(&["a", "", "b"], 10).text(), "a\n\nb\n");
        assert_eq!(LogBuffer::default().text(), "");
    }

    #[test]
    fn matching_ignores_ascii_case_and_keeps_byte_offsets() {
        assert_eq!(matches_in("GET /Api api", "API"), vec![5..8, 9..12]);
        assert_eq!(matches_in("é ERROR é", "error"), vec![3..8]);
        assert!(matches_in("anything", "").is_empty());
    }

    #[test]
    fn segments_cover_the_whole_line_with_matches_marked() {
        let s = segments("a error b error", "ERROR");
        let texts: Vec<(&str, bool)> = s.iter().map(|s| (s.text, s.matched)).collect();
        assert_eq!(
            texts,
            vec![
                ("a ", false),
                ("error", true),
                (" b ", false),
                ("error", true)
            ]
        );
        assert_eq!(
            segments("", "x"),
            vec![Segment {
                text: "",
                matched: false
            }]
        );
    }

    #[test]
    fn search_finds_lines_and_steps_through_them_both_ways() {
        let b = buffer(&["ok", "error 1", "ok", "ERROR 2", "error 3"], 10);
        let mut s = Search::default();
        s.set_query("error", &b);
        assert_eq!(s.count(), 3);
        assert_eq!(s.current(), Some((0, 1)));
        assert_eq!(s.next_match(), Some(3));
        assert_eq!(s.next_match(), Some(4));
        assert_eq!(s.next_match(), Some(1), "next wraps to the first match");
        assert_eq!(
            s.previous_match(),
            Some(4),
            "previous wraps to the last match"
        );
    }

    #[test]
    fn search_follows_new_lines_and_forgets_dropped_ones() {
        let mut b = buffer(&["error a", "ok", "error b"], 3);
        let mut s = Search::default();
        s.set_query("error", &b);
        assert_eq!(s.count(), 2);
        b.push(["error c".to_string(), "ok".to_string()]);
        s.update(&b);
        assert_eq!(s.count(), 2, "error a was dropped, error c was added");
        assert_eq!(s.current(), Some((0, 2)));
        assert_eq!(s.next_match(), Some(3));
    }

    #[test]
    fn an_empty_query_matches_nothing() {
        let b = buffer(&["a", "b"], 10);
        let mut s = Search::default();
        s.set_query("", &b);
        assert_eq!((s.count(), s.next_match(), s.current()), (0, None, None));
    }

    #[test]
    fn wrapped_lines_take_as_many_rows_as_their_length_needs() {
        let b = buffer(&["12345", "", "1234567890a"], 10);
        assert_eq!(b.wrapped_rows(5), vec![0, 1, 2, 5]);
        assert_eq!(b.wrapped_rows(100), vec![0, 1, 2, 3]);
    }

    #[test]
    fn the_wrapped_window_renders_the_lines_under_the_viewport() {
        // 1,000 lines of 3 rows each, rows 20 px: the viewport shows rows 300..331 (one
        // partial row more), lines 100..=110; with 2 lines of overscan each side, 98..113.
        let starts: Vec<u64> = (0..=1_000).map(|i| i * 3).collect();
        let w = wrapped_window(&starts, 6_000.0, 600.0, 20, 2);
        assert_eq!(w.rows, 98..113);
        let rendered: u64 = (starts[w.rows.end] - starts[w.rows.start]) * 20;
        assert_eq!(w.before as u64 + rendered + w.after as u64, 3_000 * 20);
        let empty = wrapped_window(&[0], 0.0, 600.0, 20, 2);
        assert_eq!((empty.rows, empty.before, empty.after), (0..0, 0, 0));
    }
}
