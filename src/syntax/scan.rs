//! A single linear pass over the text before pest sees it. It finds the
//! comments (pest skips them), reports unterminated strings at their opening
//! quote (pest would report the end of the file), and bounds the nesting
//! depth: pest's call limit does not bound stack depth, so a file nested
//! 100,000 blocks deep must be refused here, not in the recursive grammar.

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

pub(super) struct Scan {
    pub comments: Vec<Comment>,
    pub error: Option<SyntaxError>,
}

pub(super) fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut comments = Vec::new();
    // Open brackets and where: the nesting depth is its length.
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut line_has_code = false;
    let mut i = 0;
    let fail = |comments: Vec<Comment>, span: Span, message: String, help: String| Scan {
        comments,
        error: Some(SyntaxError {
            span,
            message,
            help: Some(help),
        }),
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
            b'\n' => {
                line_has_code = false;
                i += 1;
            }
            b'#' => {
                let start = i;
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                let end = if i > start && b[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                comments.push(Comment {
                    span: Span::new(start, end),
                    own_line: !line_has_code,
                });
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                match find(&b[i + 3..], b"\"\"\"") {
                    Some(n) => i += 3 + n + 3,
                    None => {
                        return fail(
                            comments,
                            Span::new(i, i + 3),
                            "this text is never closed".into(),
                            "end the text with `\"\"\"`".into(),
                        )
                    }
                }
                line_has_code = true;
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\n') | None => {
                            let help = "end the string with `\"` on the same line; use `\"\"\"` for text that spans lines";
                            return fail(
                                comments,
                                Span::new(start, start + 1),
                                "this string is never closed".into(),
                                help.into(),
                            );
                        }
                        Some(_) => i += 1,
                    }
                }
                line_has_code = true;
            }
            c @ (b'{' | b'[') => {
                open.push((c, i));
                if open.len() > MAX_DEPTH {
                    let message =
                        format!("nested too deeply: more than {MAX_DEPTH} levels of `{{` and `[`");
                    return fail(
                        comments,
                        Span::new(i, i + 1),
                        message,
                        format!(
                            "ICG documents need at most three levels; the limit is {MAX_DEPTH}"
                        ),
                    );
                }
                line_has_code = true;
                i += 1;
            }
            c @ (b'}' | b']') => {
                let want = if c == b'}' { b'{' } else { b'[' };
                match open.pop() {
                    Some((o, _)) if o == want => {}
                    Some((o, at)) => {
                        let (what, close) = kind_of(o);
                        let message = format!(
                            "this {what} is never closed: a `{}` comes before its `{close}`",
                            c as char
                        );
                        return fail(
                            comments,
                            Span::new(at, at + 1),
                            message,
                            format!("add `{close}` where the {what} ends"),
                        );
                    }
                    None => {
                        let help = "remove it, or add the block or list it was meant to close";
                        return fail(
                            comments,
                            Span::new(i, i + 1),
                            format!("this `{}` closes nothing", c as char),
                            help.into(),
                        );
                    }
                }
                line_has_code = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                line_has_code = true;
                i += 1;
            }
        }
    }
    if let Some((o, at)) = open.pop() {
        let (what, close) = kind_of(o);
        return fail(
            comments,
            Span::new(at, at + 1),
            format!("this {what} is never closed"),
            format!("add `{close}` where the {what} ends"),
        );
    }
    Scan {
        comments,
        error: None,
    }
}

/// Nesting depth of `{` at `pos`, outside strings and comments.
pub(super) fn depth_at(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i < pos.min(b.len()) {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += 1;
                }
                i += 3;
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    depth
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
