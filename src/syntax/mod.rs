//! ICG syntax: a lexical pre-scan (comments, unterminated strings, nesting
//! depth), the pest grammar, and the AST with byte spans. This module knows
//! nothing of rules, output formats or serde; pest types never leave it.

mod ast;
mod dump;
mod fast;
mod parse;
mod scan;

pub use ast::*;
pub use dump::dump;
pub use parse::{parse, parse_in_pieces};
pub use scan::{Comment, MAX_DEPTH};

use crate::source::Span;

/// For the `icg` fuzz target: panics when the fast reader gives a tree that
/// is not the grammar's for a text the scan finds sound (the only texts it
/// is given).
#[doc(hidden)]
pub fn assert_fast_reader_agrees(text: &str) {
    if !scan::scan(text).errors.is_empty() {
        return;
    }
    if let Some(fast) = fast::parse(text) {
        assert_eq!(
            Some(fast),
            parse::pest_blocks(text),
            "the fast reader and the grammar disagree"
        );
    }
}

/// A syntax error in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// What could not be checked because of the error (an attribute, a
    /// block, the rest of the file), when that is more than the span.
    pub unchecked: Option<Span>,
}

impl SyntaxError {
    /// The first line of the unchecked region, for a label: a region can be
    /// the rest of a large file, and a label should not print all of it.
    pub fn unchecked_head(&self, text: &str) -> Option<Span> {
        let region = self.unchecked?;
        let line = text.get(region.start..region.end)?;
        let end = line
            .find(['\n', '\r'])
            .map_or(region.end, |n| region.start + n);
        Some(Span::new(region.start, end))
    }
}

/// The result of parsing one file: as much AST as could be built, the
/// comments (for suppressions and test annotations), and the errors.
#[derive(Debug, Default)]
pub struct Parsed {
    pub file: File,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

impl Parsed {
    /// Adds the next piece of the same file (see [`parse_in_pieces`]).
    pub fn append(&mut self, mut next: Parsed) {
        self.file.blocks.append(&mut next.file.blocks);
        self.comments.append(&mut next.comments);
        self.errors.append(&mut next.errors);
    }
}
