//! A single linear pass over the text before pest sees it. It finds the
//! comments (pest skips them), reports unterminated strings at their opening
//! quote (pest would report the end of the file), and bounds the nesting
//! depth: pest's call limit does not bound stack depth, so a file nested
//! 100,000 blocks deep must be refused here, not in the recursive grammar.
//!
//! It never stops at the first error. Each error says which bytes to blank
//! so that the text becomes lexically sound again (`fix`: a stray `}`, the
//! rest of an unterminated string's line) and which region can therefore not
//! be checked (`unchecked`). The [`Walker`] below then finds statements and
//! top-level blocks in the repaired text, for recovery in `parse`.

use super::SyntaxError;
use crate::source::Span;

/// Deepest nesting of `{` and `[` accepted. The v0 schema needs three
/// levels (strategy > priority > ambition); 64 leaves room for extensions.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Span of the whole comment, `#` included.
    pub span: Span,
    /// True when nothing but white space precedes it on its line.
    pub own_line: bool,
}

impl Comment {
    /// What follows `icslint:` in this comment, if it is an icslint
    /// directive (`# icslint: allow CCN016 -- reason`); `text` is the
    /// file's.
    pub fn directive<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.span.start + 1..self.span.end)?
            .trim()
            .strip_prefix("icslint:")
    }
}

/// What an error leaves unchecked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unchecked {
    /// Nothing: the repair loses no content (a stray `}`).
    Nothing,
    /// The statement (attribute or block) containing this byte.
    Statement(usize),
    /// Exactly these bytes.
    Span(Span),
}

pub(super) struct ScanError {
    pub error: SyntaxError,
    /// Bytes to blank before anything else, so that brackets balance and
    /// every string ends.
    pub fix: Option<Span>,
    pub unchecked: Unchecked,
}

pub(super) struct Scan {
    pub comments: Vec<Comment>,
    pub errors: Vec<ScanError>,
}

fn is_eol(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The end of the line that `i` is on (the first `\n` or `\r` at or after it).
fn eol(b: &[u8], i: usize) -> usize {
    let i = i.min(b.len());
    memchr::memchr2(b'\n', b'\r', &b[i..]).map_or(b.len(), |n| i + n)
}

/// The first byte at or after `from` that can end or escape within a `"`
/// string (`"`, `\\`, `\n`, `\r`), or `b.len()`: a string's text is
/// passed over a vector at a time (the scanner and the fast reader both
/// read every string of every document).
pub(super) fn string_stop(b: &[u8], from: usize) -> usize {
    let hay = &b[from.min(b.len())..];
    let j = memchr::memchr3(b'"', b'\\', b'\n', hay).unwrap_or(hay.len());
    from + memchr::memchr(b'\r', &hay[..j]).unwrap_or(j)
}

/// Bytes the scanner acts on; any other byte is code it passes over.
const fn acted_on() -> [bool; 256] {
    let mut t = [false; 256];
    let mut k = 0;
    let special = b"\n\r;#\"{[}] \t";
    while k < special.len() {
        t[special[k] as usize] = true;
        k += 1;
    }
    t
}
static ACTED_ON: [bool; 256] = acted_on();

/// Where a `"` string that opens at `start` ends: `Ok(end)` just past its
/// closing quote, or `Err(eol)` when the line ends first.
fn string_end(b: &[u8], start: usize) -> Result<usize, usize> {
    let mut i = start + 1;
    loop {
        i = string_stop(b, i);
        match b.get(i) {
            Some(b'\\') if b.get(i + 1).is_some_and(|&c| !is_eol(c)) => i += 2,
            Some(b'"') => return Ok(i + 1),
            Some(&c) if is_eol(c) => return Err(i),
            None => return Err(i),
            Some(_) => i += 1,
        }
    }
}

/// Where a `"""` text that opens at `start` ends, just past its closing quotes.
fn text_end(b: &[u8], start: usize) -> Option<usize> {
    find(&b[start + 3..], b"\"\"\"").map(|n| start + 3 + n + 3)
}

pub(super) fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut comments = Vec::new();
    let mut errors: Vec<ScanError> = Vec::new();
    // Open brackets and where: the nesting depth is its length.
    let mut open: Vec<(u8, usize)> = Vec::new();
    // Where the current top-level statement began.
    let mut top_start = 0;
    // The error for a too-deep top-level statement, whose region ends when
    // the statement does; further errors inside it are not reported.
    let mut deep: Option<usize> = None;
    let mut line_has_code = false;
    let mut i = 0;
    let err = |span: Span, message: String, help: &str| SyntaxError {
        span,
        message,
        help: Some(help.to_string()),
        unchecked: None,
    };
    let kind_of = |o: u8| {
        if o == b'{' {
            ("block", '}')
        } else {
            ("list", ']')
        }
    };
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' | b';' => {
                if b[i] != b';' {
                    line_has_code = false;
                }
                if open.is_empty() {
                    top_start = i + 1;
                }
                i += 1;
            }
            b'#' => {
                let start = i;
                i = eol(b, i);
                comments.push(Comment {
                    span: Span::new(start, i),
                    own_line: !line_has_code,
                });
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                line_has_code = true;
                match text_end(b, i) {
                    Some(end) => i = end,
                    None => {
                        let end = eol(b, i);
                        if deep.is_none() {
                            errors.push(ScanError {
                                error: err(
                                    Span::new(i, i + 3),
                                    "this text is never closed".into(),
                                    "end the text with `\"\"\"`",
                                ),
                                fix: Some(Span::new(i, end)),
                                unchecked: Unchecked::Statement(i),
                            });
                        }
                        i = end;
                    }
                }
            }
            b'"' => {
                line_has_code = true;
                match string_end(b, i) {
                    Ok(end) => i = end,
                    Err(end) => {
                        if deep.is_none() {
                            let help = "end the string with `\"` on the same line; use `\"\"\"` for text that spans lines";
                            errors.push(ScanError {
                                error: err(
                                    Span::new(i, i + 1),
                                    "this string is never closed".into(),
                                    help,
                                ),
                                fix: Some(Span::new(i, end)),
                                unchecked: Unchecked::Statement(i),
                            });
                        }
                        i = end;
                    }
                }
            }
            c @ (b'{' | b'[') => {
                if open.is_empty() {
                    // A new top-level statement may follow a block on its line.
                    top_start = top_start.max(first_code(b, top_start, i));
                }
                open.push((c, i));
                if open.len() > MAX_DEPTH && deep.is_none() {
                    let message =
                        format!("nested too deeply: more than {MAX_DEPTH} levels of `{{` and `[`");
                    deep = Some(errors.len());
                    errors.push(ScanError {
                        error: err(
                            Span::new(i, i + 1),
                            message,
                            &format!(
                                "ICG documents need at most three levels; the limit is {MAX_DEPTH}"
                            ),
                        ),
                        fix: None,
                        unchecked: Unchecked::Span(Span::new(top_start, b.len())),
                    });
                }
                line_has_code = true;
                i += 1;
            }
            c @ (b'}' | b']') => {
                line_has_code = true;
                let quiet = deep.is_some();
                if c == b'}' {
                    // Lists left open before the end of their block.
                    let lists = open.iter().rev().take_while(|(o, _)| *o == b'[').count();
                    if lists > 0 {
                        let at = open[open.len() - lists].1;
                        open.truncate(open.len() - lists);
                        if !quiet {
                            errors.push(ScanError {
                                error: err(
                                    Span::new(at, at + 1),
                                    "this list is never closed: a `}` comes before its `]`".into(),
                                    "add `]` where the list ends",
                                ),
                                fix: Some(Span::new(at, i)),
                                unchecked: Unchecked::Statement(at),
                            });
                        }
                    }
                    if open.pop().is_none() {
                        errors.push(ScanError {
                            error: err(
                                Span::new(i, i + 1),
                                "this `}` closes nothing".into(),
                                "remove it, or add the block or list it was meant to close",
                            ),
                            fix: Some(Span::new(i, i + 1)),
                            unchecked: Unchecked::Nothing,
                        });
                    }
                } else if open.last().is_some_and(|(o, _)| *o == b'[') {
                    open.pop();
                } else if !quiet {
                    errors.push(ScanError {
                        error: err(
                            Span::new(i, i + 1),
                            "this `]` closes no list".into(),
                            "remove it, or add the `[` that starts the list",
                        ),
                        fix: Some(Span::new(i, i + 1)),
                        unchecked: Unchecked::Statement(i),
                    });
                }
                if open.is_empty() {
                    if let Some(d) = deep.take() {
                        if let Unchecked::Span(s) = &mut errors[d].unchecked {
                            s.end = i + 1;
                        }
                    }
                    top_start = i + 1;
                }
                i += 1;
            }
            b' ' | b'\t' => {
                i += 1;
                while i < b.len() && matches!(b[i], b' ' | b'\t') {
                    i += 1;
                }
            }
            _ => {
                line_has_code = true;
                // The rest of the run of code bytes: one table look-up each.
                i += 1;
                while i < b.len() && !ACTED_ON[b[i] as usize] {
                    i += 1;
                }
            }
        }
    }
    if let (Some(&(o, at)), None) = (open.last(), deep) {
        let (what, close) = kind_of(o);
        errors.push(ScanError {
            error: err(
                Span::new(at, at + 1),
                format!("this {what} is never closed"),
                &format!("add `{close}` where the {what} ends"),
            ),
            fix: None,
            unchecked: Unchecked::Span(Span::new(top_start, b.len())),
        });
    }
    Scan { comments, errors }
}

/// The first byte from `from` to `to` that is not white space or a
/// separator (so that a region starts at its code, not at a blank line).
fn first_code(b: &[u8], from: usize, to: usize) -> usize {
    (from..to)
        .find(|&k| !matches!(b[k], b' ' | b'\t' | b'\n' | b'\r' | b';'))
        .unwrap_or(to)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A bracket frame of the [`Walker`]: a block (or the top level) with the
/// start of its current statement, or a list.
#[derive(Clone, Copy)]
struct Frame {
    list: bool,
    stmt_start: usize,
}

/// The statements of a repaired text (brackets balanced, every string
/// closed). A statement is one item of a block or of the top level: an
/// attribute with its values (lists included), or a nested block with its
/// header. For each query position (ascending), the span of the innermost
/// statement that contains it; a position on a separator belongs to the
/// statement before it, and one on a block's `}` to that block's last
/// statement.
pub(super) fn statements(b: &[u8], from: usize, to: usize, queries: &[usize]) -> Vec<Span> {
    let mut out = vec![Span::default(); queries.len()];
    let mut frames = vec![Frame {
        list: false,
        stmt_start: from,
    }];
    // (query, index of the block frame it waits on)
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut next = 0;
    let mut i = from;
    let block_frame = |frames: &[Frame]| {
        frames
            .iter()
            .rposition(|f| !f.list)
            .expect("the top level is a block frame")
    };
    loop {
        while next < queries.len() && queries[next] <= i {
            let d = block_frame(&frames);
            out[next].start = frames[d].stmt_start;
            pending.push((next, d));
            next += 1;
        }
        if i >= to {
            break;
        }
        let top = frames.len() - 1;
        match b[i] {
            b'\n' | b'\r' | b';' if !frames[top].list => {
                resolve(&mut pending, &mut out, top, i);
                frames[top].stmt_start = i + 1;
                i += 1;
            }
            b'#' => i = eol(b, i).min(to),
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i = text_end(b, i).unwrap_or_else(|| eol(b, i)).min(to)
            }
            b'"' => i = string_end(b, i).unwrap_or_else(|e| e).min(to),
            c @ (b'{' | b'[') => {
                frames.push(Frame {
                    list: c == b'[',
                    stmt_start: i + 1,
                });
                i += 1;
            }
            b'}' | b']' if frames.len() > 1 => {
                resolve(&mut pending, &mut out, top, i);
                let was_block = !frames[top].list;
                frames.pop();
                let parent = frames.len() - 1;
                if was_block && !frames[parent].list {
                    // A block ends a statement of its parent.
                    resolve(&mut pending, &mut out, parent, i + 1);
                    frames[parent].stmt_start = i + 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    for (q, _) in pending {
        out[q].end = to;
    }
    out
}

fn resolve(pending: &mut Vec<(usize, usize)>, out: &mut [Span], frame: usize, end: usize) {
    pending.retain(|&(q, d)| {
        if d == frame {
            out[q].end = end;
            false
        } else {
            true
        }
    });
}

/// The top-level chunks of a repaired text: each ends just after the `}`
/// of a top-level block; the last runs to the end of the text.
pub(super) fn chunks(b: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut i) = (0usize, 0, 0);
    while i < b.len() {
        match b[i] {
            b'#' => i = eol(b, i),
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i = text_end(b, i).unwrap_or_else(|| eol(b, i))
            }
            b'"' => i = string_end(b, i).unwrap_or_else(|e| e),
            b'{' | b'[' => {
                depth += 1;
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
                if depth == 0 && b[i - 1] == b'}' {
                    out.push(Span::new(start, i));
                    start = i;
                }
            }
            _ => i += 1,
        }
    }
    if start < b.len() {
        out.push(Span::new(start, b.len()));
    }
    out
}

/// Nesting depth of `{` at `pos`, outside strings and comments.
pub(super) fn depth_at(b: &[u8], pos: usize) -> usize {
    let (mut depth, mut i) = (0usize, 0);
    let to = pos.min(b.len());
    while i < to {
        match b[i] {
            b'#' => i = eol(b, i),
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i = text_end(b, i).unwrap_or_else(|| eol(b, i))
            }
            b'"' => i = string_end(b, i).unwrap_or_else(|e| e),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    depth
}
