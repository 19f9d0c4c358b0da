//! Byte offsets ↔ LSP positions. The protocol counts characters in UTF-16
//! code units; a `Span` counts bytes of UTF-8. Only `lsp/` (and `report/`,
//! in characters) turn spans into lines and columns.

use crate::source::Span;
use lsp_types::{Position, Range};

/// Where each line starts, for one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The position of a byte offset (clamped to the text, and rounded
    /// down to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let start = self.starts[line];
        let character = text[start..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position. A character past the end of its line
    /// means the end of the line (before `\r\n`), as the protocol says; a
    /// line past the end means the end of the text; a position inside a
    /// surrogate pair means the character's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(text.len(), |e| e - 1);
        let line = &text[start..end.max(start)];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return start + i;
            }
        }
        start + line.len()
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }

    pub fn span(&self, text: &str, range: Range) -> Span {
        let a = self.offset(text, range.start);
        let b = self.offset(text, range.end);
        Span::new(a.min(b), a.max(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(text: &str) {
        let ix = LineIndex::new(text);
        for (i, _) in text.char_indices().chain([(text.len(), ' ')]) {
            if text[..i].ends_with('\r') {
                continue; // between \r and \n: not a position a client can name
            }
            let p = ix.position(text, i);
            assert_eq!(ix.offset(text, p), i, "offset {i} via {p:?} in {text:?}");
        }
    }

    #[test]
    fn ascii_positions() {
        let t = "system a {}\nicb b {\n}\n";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(t, 0), Position::new(0, 0));
        assert_eq!(ix.position(t, 12), Position::new(1, 0));
        assert_eq!(ix.position(t, 16), Position::new(1, 4));
        assert_eq!(ix.position(t, t.len()), Position::new(3, 0));
        roundtrip(t);
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // é and ’ and £ are one UTF-16 unit each but 2, 3 and 2 bytes.
        let t = "member \"Renée O’Brien\" { budget £3m }";
        let ix = LineIndex::new(t);
        let brace = t.find('{').unwrap();
        assert_eq!(ix.position(t, brace), Position::new(0, 23));
        let pound = t.find('£').unwrap();
        assert_eq!(ix.position(t, pound), Position::new(0, 32));
        assert_eq!(ix.position(t, pound + 2), Position::new(0, 33));
        assert_eq!(ix.offset(t, Position::new(0, 33)), pound + 2);
        roundtrip(t);
    }

    #[test]
    fn astral_characters_are_two_units() {
        let t = "a😀b";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(t, 5), Position::new(0, 3));
        // Inside the surrogate pair: the character's start.
        assert_eq!(ix.offset(t, Position::new(0, 2)), 1);
        roundtrip(t);
    }

    #[test]
    fn crlf_lines() {
        let t = "system a {}\r\nicb é {\r\n}\r\n";
        let ix = LineIndex::new(t);
        let icb = t.find("icb").unwrap();
        assert_eq!(ix.position(t, icb), Position::new(1, 0));
        let brace = t.rfind('{').unwrap();
        assert_eq!(ix.position(t, brace), Position::new(1, 6));
        // Past the end of a line: the end of the line, before "\r\n".
        assert_eq!(ix.offset(t, Position::new(1, 99)), brace + 1);
        assert_eq!(ix.offset(t, Position::new(0, 99)), 11);
        // Past the last line: the end of the text.
        assert_eq!(ix.offset(t, Position::new(9, 0)), t.len());
        roundtrip(t);
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let t = "£1";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(t, 1), Position::new(0, 0));
        assert_eq!(ix.position(t, 99), Position::new(0, 2));
    }
}
