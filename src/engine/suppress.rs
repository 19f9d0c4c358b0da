//! Inline suppressions: `# icslint: allow CCN016 -- reason`, on the line of
//! the finding or on its own line just above it. The reason is mandatory
//! (ICG008); a suppression that suppressed nothing, for a rule enabled in
//! the run, is reported (ICG010).

use crate::diagnostic::{icg, Finding};
use crate::source::{FileId, Source, Span};
use crate::syntax::Comment;

#[derive(Debug)]
pub struct Suppression {
    pub file: FileId,
    pub span: Span,
    /// The 1-based line whose findings it silences.
    pub line: usize,
    pub ids: Vec<String>,
    pub used: Vec<bool>,
}

/// Reads the suppressions of one file from its comments.
pub fn collect(
    file: FileId,
    src: &Source,
    comments: &[Comment],
    out: &mut Vec<Suppression>,
    findings: &mut Vec<Finding>,
) {
    for (i, c) in comments.iter().enumerate() {
        let Some(rest) = c.directive(&src.text) else {
            continue;
        };
        let rest = rest.trim();
        let Some(rest) = rest.strip_prefix("allow") else {
            findings.push(
                icg::finding(
                    icg::NO_REASON,
                    file,
                    c.span,
                    "this `icslint:` comment is not understood",
                )
                .help("write `# icslint: allow RULE -- reason`"),
            );
            continue;
        };
        let (ids_part, reason) = match rest.split_once("--") {
            Some((ids, reason)) => (ids, reason.trim()),
            None => (rest, ""),
        };
        let ids: Vec<String> = ids_part
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if ids.is_empty() {
            findings.push(
                icg::finding(
                    icg::NO_REASON,
                    file,
                    c.span,
                    "this suppression names no rule",
                )
                .help("write `# icslint: allow RULE -- reason`"),
            );
            continue;
        }
        if reason.is_empty() {
            findings.push(
                icg::finding(icg::NO_REASON, file, c.span, format!("the suppression of {} gives no reason", ids.join(", ")))
                    .help(format!("say why the finding does not apply: `# icslint: allow {} -- reason`; until then it suppresses nothing", ids.join(", "))),
            );
            continue;
        }
        let own_line = src.line_of(c.span.start);
        let line = if c.own_line {
            next_code_line(src, comments, i, own_line)
        } else {
            own_line
        };
        let n = ids.len();
        out.push(Suppression {
            file,
            span: c.span,
            line,
            ids,
            used: vec![false; n],
        });
    }
}

/// The next line after `line` that is neither blank nor only a comment.
fn next_code_line(src: &Source, comments: &[Comment], idx: usize, line: usize) -> usize {
    let mut l = line + 1;
    let mut later = comments[idx + 1..].iter().peekable();
    while l <= src.line_count() {
        let span = src.line_span(l);
        let text = src.text[span.start..span.end].trim();
        let comment_only = text.starts_with('#')
            && later
                .peek()
                .is_some_and(|c| src.line_of(c.span.start) == l && c.own_line);
        while later.peek().is_some_and(|c| src.line_of(c.span.start) <= l) {
            later.next();
        }
        if !text.is_empty() && !comment_only {
            return l;
        }
        l += 1;
    }
    line + 1
}
