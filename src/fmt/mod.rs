//! The ICG formatter: one canonical layout (README, "Formatting").
//!
//! It reads the AST and the comments the pre-scan collected, and writes
//! every value from its own source text, so numbers, strings and texts keep
//! the bytes the author wrote (`1_503_000` stays). Only white space, the
//! `;` between attributes and the `,` between list elements change. A file
//! that does not parse is refused, and the result is re-parsed and compared
//! with the input before anyone sees it: a formatter bug becomes an error,
//! never a lost byte.
//!
//! This module knows only `syntax/`: no rules, no output formats, no I/O.

mod insert;
pub use insert::insert_into_block;

use crate::source::Span;
use crate::syntax::{self, Attr, Block, Comment, SyntaxError, Value, ValueKind};

/// Lines longer than this get their lists wrapped, and `;`-joined blocks
/// are spread over several lines.
pub const WIDTH: usize = 100;
/// Spaces per level of nesting.
pub const INDENT: usize = 4;

/// Why a text was not formatted.
#[derive(Debug)]
pub enum Error {
    /// The text is not valid ICG (its ICG001 errors); it is left alone.
    Syntax(Vec<SyntaxError>),
    /// The formatter's own output would differ from the input in more than
    /// layout. A bug, reported rather than written.
    Unsafe(String),
}

/// Formats one file's text. Returns the input unchanged (byte for byte)
/// when it is already in the canonical layout.
pub fn format(text: &str) -> Result<String, Error> {
    let parsed = syntax::parse(text);
    if !parsed.errors.is_empty() {
        return Err(Error::Syntax(parsed.errors));
    }
    let mut f = Fmt {
        text,
        comments: &parsed.comments,
        next: 0,
        last: 0,
        lines: Vec::new(),
    };
    let body_start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    f.last = body_start;
    for (i, b) in parsed.file.blocks.iter().enumerate() {
        f.leading(
            b.span.start,
            0,
            if i == 0 { Blank::Never } else { Blank::Always },
        );
        f.block(b, 0);
    }
    f.leading(text.len(), 0, Blank::Keep);
    if f.next != f.comments.len() {
        return Err(Error::Unsafe("a comment could not be placed".into()));
    }
    let nl = if line_ending_is_crlf(text) {
        "\r\n"
    } else {
        "\n"
    };
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..body_start]);
    out.push_str(&render(&f.lines, nl));
    verify(text, &parsed, &out)?;
    Ok(out)
}

/// The file's line ending: that of its first line.
fn line_ending_is_crlf(text: &str) -> bool {
    text.find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r')
}

/// One output line: indented code and an optional trailing comment, which
/// is aligned with those of the lines around it. `code` may hold line
/// breaks of its own (a `"""` text written across lines).
#[derive(Debug, Default)]
struct Line {
    code: String,
    comment: Option<String>,
}

impl Line {
    /// Width of the last physical line of the code, in characters.
    fn tail_width(&self) -> usize {
        let last = self.code.rsplit('\n').next().unwrap_or("");
        last.chars().count()
    }
}

/// Trailing comments on consecutive lines start in one column: two spaces
/// after the longest code among them. A line without a trailing comment
/// (or a blank line) ends the group.
fn render(lines: &[Line], nl: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j < lines.len() && lines[j].comment.is_some() && !lines[j].code.trim().is_empty() {
            j += 1;
        }
        if j == i {
            push_line(&mut out, &lines[i], 0, nl);
            i += 1;
            continue;
        }
        let column = lines[i..j].iter().map(Line::tail_width).max().unwrap_or(0) + 2;
        for line in &lines[i..j] {
            push_line(&mut out, line, column, nl);
        }
        i = j;
    }
    out
}

fn push_line(out: &mut String, line: &Line, column: usize, nl: &str) {
    // Generated line breaks only: a text's own breaks are in `code` as written.
    out.push_str(&line.code);
    if let Some(c) = &line.comment {
        if line.code.trim().is_empty() {
            // An own-line comment: `code` is its indentation.
        } else {
            let pad = column.saturating_sub(line.tail_width()).max(2);
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(c);
    }
    out.push_str(nl);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Blank {
    /// No blank line before the item (first in a block or file).
    Never,
    /// One blank line, where the author left one or more.
    Keep,
    /// Exactly one blank line (between top-level blocks).
    Always,
}

struct Fmt<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// The first comment not yet written.
    next: usize,
    /// End of the last piece of source written.
    last: usize,
    lines: Vec<Line>,
}

enum Item<'a> {
    Attr(&'a Attr),
    Block(&'a Block),
}

impl Item<'_> {
    fn span(&self) -> Span {
        match self {
            Item::Attr(a) => a.span,
            Item::Block(b) => b.span,
        }
    }
}

fn items(b: &Block) -> Vec<Item<'_>> {
    let mut v: Vec<Item> = b
        .attrs
        .iter()
        .map(Item::Attr)
        .chain(b.children.iter().map(Item::Block))
        .collect();
    v.sort_by_key(|i| i.span().start);
    v
}

fn indent(depth: usize) -> String {
    " ".repeat(depth * INDENT)
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl<'a> Fmt<'a> {
    fn src(&self, s: Span) -> &'a str {
        &self.text[s.start..s.end]
    }

    fn comment_text(&self, c: &Comment) -> String {
        self.src(c.span).trim_end().to_string()
    }

    /// Whether the author left a blank line between `from` and `to`.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        self.text
            .get(from.min(to)..to)
            .is_some_and(|gap| gap.matches('\n').count() >= 2)
    }

    fn push_blank(&mut self) {
        if self
            .lines
            .last()
            .is_some_and(|l| !l.code.is_empty() || l.comment.is_some())
        {
            self.lines.push(Line::default());
        }
    }

    /// Writes the own-line comments before `pos`, then the blank line the
    /// item at `pos` should have before it.
    fn leading(&mut self, pos: usize, depth: usize, blank: Blank) {
        let mut first = true;
        while self.next < self.comments.len() && self.comments[self.next].span.start < pos {
            let c = self.comments[self.next].clone();
            let before = if first { blank } else { Blank::Keep };
            if before == Blank::Always
                || (before == Blank::Keep && self.blank_between(self.last, c.span.start))
            {
                self.push_blank();
            }
            first = false;
            self.lines.push(Line {
                code: indent(depth),
                comment: Some(self.comment_text(&c)),
            });
            self.last = c.span.end;
            self.next += 1;
        }
        if pos >= self.text.len() {
            return;
        }
        let before = if first { blank } else { Blank::Keep };
        if before == Blank::Always || (before == Blank::Keep && self.blank_between(self.last, pos))
        {
            self.push_blank();
        }
    }

    /// The comment that trails source position `end` on its line, with
    /// only white space and the separators in `between` in the way.
    fn trailing(&mut self, end: usize, between: &[u8]) -> Option<String> {
        let c = self.comments.get(self.next)?;
        let gap = self.text.as_bytes().get(end..c.span.start)?;
        if gap
            .iter()
            .all(|b| *b == b' ' || *b == b'\t' || between.contains(b))
        {
            let text = self.comment_text(c);
            self.last = c.span.end;
            self.next += 1;
            Some(text)
        } else {
            None
        }
    }

    fn has_comment_in(&self, s: Span) -> bool {
        self.comments[self.next..]
            .first()
            .is_some_and(|c| c.span.start < s.end && c.span.start >= s.start)
    }

    fn header(&self, b: &Block) -> String {
        let mut h = b.kind.text.clone();
        if let Some(id) = &b.id {
            h.push(' ');
            h.push_str(&id.text);
        }
        if let Some((_, s)) = &b.name {
            h.push(' ');
            h.push_str(self.src(*s));
        }
        h
    }

    /// The block on one line (`member "Chair" { role chair; person "A" }`),
    /// if the author wrote it on one line.
    fn one_line(&self, b: &Block) -> Option<String> {
        if self.src(b.span).contains('\n') {
            return None;
        }
        let parts: Vec<String> = items(b)
            .iter()
            .map(|i| match i {
                Item::Attr(a) => Some(self.attr_inline(a)),
                Item::Block(c) => self.one_line(c),
            })
            .collect::<Option<_>>()?;
        Some(if parts.is_empty() {
            format!("{} {{}}", self.header(b))
        } else {
            format!("{} {{ {} }}", self.header(b), parts.join("; "))
        })
    }

    fn block(&mut self, b: &Block, depth: usize) {
        self.last = b.header.end;
        if let Some(one) = self.one_line(b) {
            if depth * INDENT + width(&one) <= WIDTH {
                self.last = b.span.end;
                let comment = self.trailing(b.span.end, b";");
                self.lines.push(Line {
                    code: indent(depth) + &one,
                    comment,
                });
                return;
            }
        }
        let open = self.text[b.header.end..]
            .find('{')
            .map_or(b.header.end, |n| b.header.end + n + 1);
        let close = b.span.end.saturating_sub(1);
        let mut comment = self.trailing(open, b"");
        let header_line = self.lines.len();
        self.lines.push(Line {
            code: format!("{}{} {{", indent(depth), self.header(b)),
            comment: None,
        });
        self.last = open;
        for (i, item) in items(b).iter().enumerate() {
            let blank = if i == 0 { Blank::Never } else { Blank::Keep };
            self.leading(item.span().start, depth + 1, blank);
            match item {
                Item::Attr(a) => self.attr(a, depth + 1),
                Item::Block(c) => self.block(c, depth + 1),
            }
        }
        self.leading(close, depth + 1, Blank::Never);
        self.last = b.span.end;
        let after = self.trailing(b.span.end, b";");
        // A block the author wrote on one line keeps its trailing comment on
        // its first line, where `# expect:` and suppressions look for it.
        let was_one_line = !self.src(b.span).contains('\n');
        let closing = match (was_one_line, comment.is_none(), after) {
            (true, true, Some(c)) => {
                comment = Some(c);
                None
            }
            (_, _, c) => c,
        };
        self.lines[header_line].comment = comment;
        self.lines.push(Line {
            code: indent(depth) + "}",
            comment: closing,
        });
    }

    fn attr_inline(&self, a: &Attr) -> String {
        let mut s = a.key.text.clone();
        for v in canonical_values(self.text, a) {
            s.push(' ');
            s.push_str(&self.value_inline(v));
        }
        s
    }

    fn value_inline(&self, v: &Value) -> String {
        match &v.kind {
            ValueKind::List(items) => {
                let inner: Vec<String> = items.iter().map(|i| self.value_inline(i)).collect();
                format!("[{}]", inner.join(", "))
            }
            // `12  months`, `every 1 year`, `2023-04-01 to 2028-03-31`:
            // words separated by spaces and tabs only.
            ValueKind::Duration(_) | ValueKind::Every(_) | ValueKind::Range(..) => self
                .src(v.span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            _ => self.src(v.span).to_string(),
        }
    }

    fn attr(&mut self, a: &Attr, depth: usize) {
        let mut line = indent(depth) + &a.key.text;
        let first_line = self.lines.len();
        let mut wrapped = false;
        for v in canonical_values(self.text, a) {
            line.push(' ');
            self.value(v, depth, &mut line, &mut wrapped);
        }
        self.last = a.span.end;
        let comment = self.trailing(a.span.end, b";");
        self.lines.push(Line {
            code: line,
            comment: None,
        });
        // A wrapped list's comment goes on the attribute's first line, with
        // its key, unless a comment is there already.
        let at = if wrapped && self.lines[first_line].comment.is_none() {
            first_line
        } else {
            self.lines.len() - 1
        };
        if comment.is_some() {
            self.lines[at].comment = comment;
        }
    }

    /// Appends a value to `line`; a list that holds comments or does not
    /// fit is written one element per line, with a trailing comma.
    fn value(&mut self, v: &Value, depth: usize, line: &mut String, wrapped: &mut bool) {
        let ValueKind::List(elems) = &v.kind else {
            line.push_str(&self.value_inline(v));
            return;
        };
        let inline = self.value_inline(v);
        let tail = width(line.rsplit('\n').next().unwrap_or(""));
        if !self.has_comment_in(v.span) && tail + width(&inline) <= WIDTH {
            line.push_str(&inline);
            return;
        }
        *wrapped = true;
        line.push('[');
        self.last = v.span.start + 1;
        let comment = self.trailing(v.span.start + 1, b"");
        self.lines.push(Line {
            code: std::mem::take(line),
            comment,
        });
        for e in elems {
            self.leading(e.span.start, depth + 1, Blank::Keep);
            let mut el = indent(depth + 1);
            let mut inner_wrapped = false;
            self.value(e, depth + 1, &mut el, &mut inner_wrapped);
            el.push(',');
            self.last = e.span.end;
            let comment = self.trailing(e.span.end, b",");
            self.lines.push(Line { code: el, comment });
        }
        self.leading(v.span.end - 1, depth + 1, Blank::Keep);
        self.last = v.span.end;
        *line = indent(depth) + "]";
    }
}

/// An attribute's values in their canonical order: a share's period is
/// written `from DATE until DATE`, so `until B from A` becomes `from A
/// until B` (the same days). Every other attribute keeps its order.
fn canonical_values<'v>(text: &str, a: &'v Attr) -> Vec<&'v Value> {
    let mut v: Vec<&Value> = a.values.iter().collect();
    let word = |x: &Value| &text[x.span.start..x.span.end];
    if a.key.text == "share"
        && v.len() == 6
        && matches!(v[2].kind, ValueKind::Word(_))
        && matches!(v[4].kind, ValueKind::Word(_))
        && word(v[2]) == "until"
        && word(v[4]) == "from"
    {
        v.swap(2, 4);
        v.swap(3, 5);
    }
    v
}

/// The formatter's guarantee, checked on every run: the output parses, and
/// holds the same blocks, keys and values (as written) and the same
/// comments as the input.
fn verify(input: &str, before: &syntax::Parsed, output: &str) -> Result<(), Error> {
    let after = syntax::parse(output);
    if !after.errors.is_empty() {
        return Err(Error::Unsafe(format!(
            "the formatted text does not parse: {}",
            after.errors[0].message
        )));
    }
    let same_tree = before.file.blocks.len() == after.file.blocks.len()
        && before
            .file
            .blocks
            .iter()
            .zip(&after.file.blocks)
            .all(|(a, b)| same_block(input, a, output, b));
    if !same_tree || comments(input, before) != comments(output, &after) {
        return Err(Error::Unsafe(
            "the formatted text differs from the input in more than layout".into(),
        ));
    }
    Ok(())
}

/// The comments' texts, sorted: a trailing comment may move to its block's
/// first line.
fn comments<'t>(text: &'t str, p: &syntax::Parsed) -> Vec<&'t str> {
    let mut c: Vec<&str> = p
        .comments
        .iter()
        .map(|c| text[c.span.start..c.span.end].trim_end())
        .collect();
    c.sort_unstable();
    c
}

/// Same kind, ID, name (as written), and the same items in order.
fn same_block(ta: &str, a: &Block, tb: &str, b: &Block) -> bool {
    let src = |t: &str, s: Span| -> String { t[s.start..s.end].to_string() };
    if a.kind.text != b.kind.text
        || a.id.as_ref().map(|i| &i.text) != b.id.as_ref().map(|i| &i.text)
        || a.name.as_ref().map(|n| src(ta, n.1)) != b.name.as_ref().map(|n| src(tb, n.1))
    {
        return false;
    }
    let (ia, ib) = (items(a), items(b));
    ia.len() == ib.len()
        && ia.iter().zip(&ib).all(|(x, y)| match (x, y) {
            // The input's values in the order the output writes them.
            (Item::Attr(x), Item::Attr(y)) => {
                x.key.text == y.key.text
                    && x.values.len() == y.values.len()
                    && canonical_values(ta, x)
                        .into_iter()
                        .zip(&y.values)
                        .all(|(v, w)| same_value(ta, v, tb, w))
            }
            (Item::Block(x), Item::Block(y)) => same_block(ta, x, tb, y),
            _ => false,
        })
}

/// The same value as written (the spaces inside a duration, a frequency
/// or a range aside).
fn same_value(ta: &str, a: &Value, tb: &str, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_value(ta, v, tb, w))
        }
        (ValueKind::Duration(_), ValueKind::Duration(_))
        | (ValueKind::Every(_), ValueKind::Every(_))
        | (ValueKind::Range(..), ValueKind::Range(..)) => ta[a.span.start..a.span.end]
            .split_whitespace()
            .eq(tb[b.span.start..b.span.end].split_whitespace()),
        (ValueKind::List(_), _) | (_, ValueKind::List(_)) => false,
        _ => ta[a.span.start..a.span.end] == tb[b.span.start..b.span.end],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        match format(s) {
            Ok(t) => t,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn one_attribute_per_line_and_one_blank_line_between_blocks() {
        let input = "system s \"S\" {\n  regime 2022;   population   1_503_000\n}\nicb i \"I\" {\nsystem @s\n\n\n\n    membership_review every   12 months\n}\n";
        assert_eq!(
            fmt(input),
            "system s \"S\" {\n    regime 2022\n    population 1_503_000\n}\n\nicb i \"I\" {\n    system @s\n\n    membership_review every 12 months\n}\n"
        );
    }

    #[test]
    fn short_blocks_written_on_one_line_stay_on_one_line() {
        let input = "icb i \"I\" {\n    member \"Chair\" {role chair;appointed_by nhs_england;}\n    conflicts { }\n}\n";
        assert_eq!(
            fmt(input),
            "icb i \"I\" {\n    member \"Chair\" { role chair; appointed_by nhs_england }\n    conflicts {}\n}\n"
        );
    }

    #[test]
    fn long_lists_wrap_and_short_ones_join() {
        let long: Vec<String> = (0..20).map(|i| format!("word_number_{i}")).collect();
        let input = format!(
            "icb i \"I\" {{\n    disqualify [{}]\n    covers [\n        a,\n        b,\n    ]\n}}\n",
            long.join(",")
        );
        let out = fmt(&input);
        assert!(
            out.contains("    disqualify [\n        word_number_0,\n"),
            "{out}"
        );
        assert!(out.contains("        word_number_19,\n    ]\n"), "{out}");
        assert!(out.contains("    covers [a, b]\n"), "{out}");
    }

    #[test]
    fn comments_stay_where_they_were_and_trailing_ones_align() {
        let input = "# head\nsystem s \"S\" {   # header\n    # about regime\n    regime 2022 # a\n    population 5   # bb\n    # last\n}  # after\n# tail\n";
        assert_eq!(
            fmt(input),
            "# head\nsystem s \"S\" {  # header\n    # about regime\n    regime 2022   # a\n    population 5  # bb\n    # last\n}  # after\n# tail\n"
        );
    }

    #[test]
    fn comments_inside_lists_force_one_element_per_line() {
        let input = "icb i \"I\" {\n    disqualify [a, # first\n      b]\n}\n";
        assert_eq!(
            fmt(input),
            "icb i \"I\" {\n    disqualify [\n        a,  # first\n        b,\n    ]\n}\n"
        );
    }

    #[test]
    fn values_keep_their_bytes_and_crlf_and_bom_survive() {
        let input = "\u{FEFF}authority a \"A\" {\r\n  population 1_503_000\r\n  share @s 56.0%\r\n  remit \"\"\"two\r\nlines\"\"\"\r\n}\r\n";
        let out = fmt(input);
        assert_eq!(
            out,
            "\u{FEFF}authority a \"A\" {\r\n    population 1_503_000\r\n    share @s 56.0%\r\n    remit \"\"\"two\r\nlines\"\"\"\r\n}\r\n"
        );
    }

    #[test]
    fn a_one_line_block_that_is_too_long_keeps_its_comment_on_its_first_line() {
        let names: Vec<String> = (0..8).map(|i| format!("person \"Someone {i}\"")).collect();
        let input = format!(
            "icb i \"I\" {{\n    member \"M\" {{ {} }}  # expect: STA001\n}}\n",
            names.join("; ")
        );
        let out = fmt(&input);
        assert!(
            out.contains("    member \"M\" {  # expect: STA001\n        person \"Someone 0\"\n"),
            "{out}"
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_refused() {
        assert!(matches!(
            format("system s \"S\" {\n"),
            Err(Error::Syntax(_))
        ));
    }

    #[test]
    fn the_check_of_the_output_catches_a_lost_byte() {
        let input = "system s \"S\" {\n    population 1_503_000  # n\n    regime 2022\n}\n";
        let parsed = syntax::parse(input);
        assert!(verify(input, &parsed, input).is_ok());
        for bad in [
            "system s \"S\" {\n    population 1503000  # n\n    regime 2022\n}\n",
            "system s \"S\" {\n    population 1_503_000\n    regime 2022\n}\n",
            "system s \"S\" {\n    regime 2022\n    population 1_503_000  # n\n}\n",
            "system s \"S \" {\n    population 1_503_000  # n\n    regime 2022\n}\n",
            "system s \"S\" {\n    population 1_503_000  # n\n    regime 2022\n",
        ] {
            assert!(
                matches!(verify(input, &parsed, bad), Err(Error::Unsafe(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn formatting_twice_changes_nothing() {
        let input = "system s \"S\" { regime 2022 }   # one\nicb i \"I\" {system @s\n  member \"x\" {\n role chair # c\n }\n\n\n  disqualify [a,b,\n c] # d\n}\n";
        let once = fmt(input);
        assert_eq!(fmt(&once), once);
    }
}
