//! Source texts and byte spans. A `Span` is a byte range into the original
//! text of one file; only `report/` (and the test runner's line matching)
//! turn spans into lines and columns.

use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// Index of a file in a [`Sources`] database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

#[derive(Debug)]
pub struct Source {
    /// The path as the user gave it (or `<builtin>/NAME.yaml` for built-in packs).
    pub path: PathBuf,
    /// The text, lossily decoded when the file was not UTF-8 (the ICG009
    /// finding says so; the text is kept so the finding can be rendered).
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(path: PathBuf, text: String) -> Source {
        // A line ends at `\n`, `\r\n` or a lone `\r` (as in the grammar).
        let b = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            (0..b.len())
                .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
                .map(|i| i + 1),
        );
        Source {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_starts[line - 1];
        let offset = offset.min(self.text.len());
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, col)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte span of a 1-based line, without its line ending.
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.line_starts[line - 1];
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
