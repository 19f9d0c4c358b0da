//! Source texts and byte spans. A `Span` is a byte range into the original
//! text of one file; only `report/` (and the test runner's line matching)
//! turn spans into lines and columns.

use std::path::{Path, PathBuf};

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A [`Span`] in 8 bytes rather than 16, for what the model keeps of
/// every block and attribute (a workspace holds millions). A checked text
/// is under 4 GiB (`workspace` refuses larger files), so its offsets fit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span32 {
    start: u32,
    end: u32,
}

impl Span32 {
    /// `span`, whose offsets are under 4 GiB (larger ones are clamped:
    /// never for a text the workspace accepted).
    pub fn of(span: Span) -> Span32 {
        let narrow = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span32 {
            start: narrow(span.start),
            end: narrow(span.end),
        }
    }
    pub fn start(self) -> usize {
        self.start as usize
    }
    pub fn end(self) -> usize {
        self.end as usize
    }
    pub fn span(self) -> Span {
        Span::new(self.start(), self.end())
    }
}

impl From<Span32> for Span {
    fn from(s: Span32) -> Span {
        s.span()
    }
}

impl From<Span> for Span32 {
    fn from(s: Span) -> Span32 {
        Span32::of(s)
    }
}

/// Index of a file in a [`Sources`] database.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct FileId(pub u32);

#[derive(Debug)]
pub struct Source {
    /// The path as the user gave it (or `<builtin>/NAME.yaml` for built-in packs).
    pub path: PathBuf,
    /// The text, lossily decoded when the file was not UTF-8 (the ICG009
    /// finding says so; the text is kept so the finding can be rendered).
    pub text: String,
    line_starts: LineStarts,
    /// Set while the text is released ([`Sources::release`]): what the
    /// text read again must be.
    released: Option<Released>,
    /// The last column worked out: `(line start, offset, column)`. Findings
    /// are read in order, so the next column on a long line is counted on
    /// from the last, not from the line's start (400,000 findings on one
    /// line of megabytes were quadratic).
    last_col: std::sync::Mutex<Option<(usize, usize, usize)>>,
}

/// What identifies a released text: its length in bytes and a
/// fingerprint of all of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Released {
    pub len: usize,
    pub fingerprint: u64,
}

/// Where each line starts: 32-bit offsets (a line index of a large
/// workspace is millions of entries), or 64-bit ones for a text of 4 GiB
/// or more.
#[derive(Debug)]
enum LineStarts {
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl LineStarts {
    fn of(b: &[u8]) -> LineStarts {
        LineStarts::build(b, u32::try_from(b.len()).is_err())
    }

    fn build(b: &[u8], wide: bool) -> LineStarts {
        // A line ends at `\n`, `\r\n` or a lone `\r` (as in the grammar):
        // `memchr2` finds each candidate (the line index reads every byte
        // of every document, so it goes a vector at a time).
        let starts = memchr::memchr2_iter(b'\n', b'\r', b)
            .filter(|&i| b[i] == b'\n' || b.get(i + 1) != Some(&b'\n'))
            .map(|i| i + 1);
        if wide {
            LineStarts::Wide(std::iter::once(0).chain(starts).collect())
        } else {
            LineStarts::Narrow(std::iter::once(0).chain(starts.map(|i| i as u32)).collect())
        }
    }

    fn len(&self) -> usize {
        match self {
            LineStarts::Narrow(v) => v.len(),
            LineStarts::Wide(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> Option<usize> {
        match self {
            LineStarts::Narrow(v) => v.get(i).map(|&s| s as usize),
            LineStarts::Wide(v) => v.get(i).copied(),
        }
    }

    /// 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        let found = match self {
            // Past 4 GiB is past the end of a narrow text: its last line.
            LineStarts::Narrow(v) => match u32::try_from(offset) {
                Ok(o) => v.binary_search(&o),
                Err(_) => Err(v.len()),
            },
            LineStarts::Wide(v) => v.binary_search(&offset),
        };
        match found {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

impl Source {
    pub fn new(path: PathBuf, text: String) -> Source {
        let line_starts = LineStarts::of(text.as_bytes());
        Source {
            path,
            text,
            line_starts,
            released: None,
            last_col: std::sync::Mutex::new(None),
        }
    }

    fn forget_col(&mut self) {
        *self.last_col.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether the text is released ([`Sources::release`]): `text` is
    /// empty and there is no line index until it is restored.
    pub fn is_released(&self) -> bool {
        self.released.is_some()
    }

    /// What a released text was, which the text read again must be.
    pub fn released(&self) -> Option<Released> {
        self.released
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        debug_assert!(
            !self.is_released(),
            "{}: a released text is read before it is restored",
            self.path.display()
        );
        self.line_starts.line_of(offset)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let offset = offset.min(self.text.len());
        let count = |from: usize, to: usize| {
            self.text
                .get(from..to)
                .map_or(to - from, |s| s.chars().count())
        };
        // Another thread holding it: count from the line's start.
        let Ok(mut last) = self.last_col.try_lock() else {
            return (line, count(start, offset) + 1);
        };
        let col = match *last {
            Some((s, at, col)) if s == start && at <= offset && self.text.is_char_boundary(at) => {
                col + count(at, offset)
            }
            _ => count(start, offset),
        };
        if self.text.is_char_boundary(offset) {
            *last = Some((start, offset, col));
        }
        (line, col + 1)
    }

    /// Byte offset where a 1-based line starts (a line of the text).
    fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line - 1)
            .expect("a line number of this text")
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte span of a 1-based line, without its line ending.
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |e| e - 1);
        let end = if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        Span::new(start, end.max(start))
    }
}

/// Every text a run has read: `.icg` files, pack files, configuration.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<Source>,
}

impl Sources {
    pub fn add(&mut self, path: impl Into<PathBuf>, text: String) -> FileId {
        self.files.push(Source::new(path.into(), text));
        FileId(self.files.len() as u32 - 1)
    }
    pub fn get(&self, id: FileId) -> &Source {
        &self.files[id.0 as usize]
    }
    /// Replaces the text of a file (an editor's unsaved buffer), keeping its id.
    pub fn set_text(&mut self, id: FileId, text: String) {
        let path = std::mem::take(&mut self.files[id.0 as usize].path);
        self.files[id.0 as usize] = Source::new(path, text);
    }
    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// Moves a file's text out (to be parsed elsewhere), leaving it empty;
    /// its line index stays. [`Sources::put_text`] gives it back, or
    /// [`Sources::release`] lets it go.
    pub fn take_text(&mut self, id: FileId) -> String {
        self.files[id.0 as usize].forget_col();
        std::mem::take(&mut self.files[id.0 as usize].text)
    }

    /// Gives back a text [`Sources::take_text`] took, unchanged.
    pub fn put_text(&mut self, id: FileId, text: String) {
        self.files[id.0 as usize].forget_col();
        self.files[id.0 as usize].text = text;
    }

    /// Lets a taken text go, and its line index with it, until
    /// [`Sources::restore`] is given the same text again (a check of a
    /// large workspace needs a file's text only to lower it, and then to
    /// report its findings). `what` identifies the text that was checked.
    pub fn release(&mut self, id: FileId, what: Released) {
        let src = &mut self.files[id.0 as usize];
        src.forget_col();
        src.text = String::new();
        src.line_starts = LineStarts::Narrow(Vec::new());
        src.released = Some(what);
    }

    /// Puts back a released file's text, read again (with the fingerprint
    /// it had), as `src`, which has its line index.
    pub fn restore(&mut self, id: FileId, src: Source) {
        self.files[id.0 as usize] = src;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_counted_on_from_the_last_agree_with_a_count_from_the_start() {
        let text = "ab\né€x  yz€\n\u{1F600}q€r\n".repeat(3);
        let src = Source::new(PathBuf::from("t"), text.clone());
        let fresh = |at: usize| {
            let line = Source::new(PathBuf::from("t"), text.clone()).line_col(at);
            line
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        // In order, backwards, and jumping about.
        let mut order = offsets.clone();
        order.extend(offsets.iter().rev());
        order.extend(offsets.iter().step_by(3).chain(offsets.iter().step_by(2)));
        for at in order {
            assert_eq!(src.line_col(at), fresh(at), "at {at}");
        }
    }

    #[test]
    fn every_line_ending_ends_a_line() {
        for (text, third) in [
            ("a\nb\nccc\n", 4),
            ("a\r\nb\r\nccc\r\n", 6),
            ("a\rb\rccc\r", 4),
            ("a\r\nb\rccc", 5),
        ] {
            let s = Source::new("f".into(), text.to_string());
            assert_eq!(s.line_col(third + 1), (3, 2), "{text:?}");
            assert_eq!(s.line_count(), if text.ends_with('c') { 3 } else { 4 });
            let l = s.line_span(3);
            assert_eq!(&text[l.start..l.end], "ccc", "{text:?}");
            let l = s.line_span(1);
            assert_eq!(&text[l.start..l.end], "a", "{text:?}");
        }
    }

    /// A text of 4 GiB or more keeps 64-bit line starts; both forms find
    /// the same lines (the narrow form is the one every other test uses).
    #[test]
    fn narrow_and_wide_line_starts_agree() {
        let text = "a\nbb\r\n\rccc\n\n";
        let b = text.as_bytes();
        let (narrow, wide) = (LineStarts::build(b, false), LineStarts::build(b, true));
        assert!(matches!(narrow, LineStarts::Narrow(_)) && matches!(wide, LineStarts::Wide(_)));
        assert_eq!(narrow.len(), 6);
        assert_eq!(wide.len(), narrow.len());
        for i in 0..=narrow.len() {
            assert_eq!(narrow.get(i), wide.get(i));
        }
        for offset in 0..=b.len() + 1 {
            assert_eq!(narrow.line_of(offset), wide.line_of(offset), "at {offset}");
        }
        assert_eq!(narrow.line_of(usize::MAX), narrow.len());
    }
}
