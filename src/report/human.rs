//! rustc-style terminal output, rendered by miette.

use crate::diagnostic::{Finding, Severity};
use crate::source::{FileId, Sources};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A file for miette, with its line starts indexed once. miette's own
/// `SourceCode` for strings scans from the start of the file on every
/// call, which made output quadratic in the size of a file with many
/// findings; this answers each call from the index, in time proportional
/// to the lines shown. The text is borrowed from the workspace unless it
/// has to be changed (below).
#[derive(Debug, Clone)]
pub(super) struct Src<'t>(Arc<Indexed<'t>>);

#[derive(Debug)]
struct Indexed<'t> {
    name: String,
    /// The text, with each lone `\r` (a classic Mac line end) read as
    /// `\n`: miette splits the lines it prints only at `\n`. Same length,
    /// so spans are unchanged.
    text: Cow<'t, str>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The line of the file this text's first line is: 0, or where an
    /// excerpt starts (`excerpt`).
    first_line: usize,
    /// For an excerpt, each line's elision: the byte in the file's line
    /// its shown part starts at, and the bytes of the `...` before it
    /// (the column miette names is the file's, not the excerpt's).
    windows: Vec<(usize, usize)>,
}

impl<'t> Src<'t> {
    pub(super) fn new(name: String, text: &'t str) -> Src<'t> {
        let b = text.as_bytes();
        let lone_cr = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
        let text = if (0..b.len()).any(lone_cr) {
            let mut bytes = b.to_vec();
            for (i, c) in bytes.iter_mut().enumerate() {
                if lone_cr(i) {
                    *c = b'\n';
                }
            }
            Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()),
            )
        } else {
            Cow::Borrowed(text)
        };
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        Src(Arc::new(Indexed {
            name,
            text,
            line_starts,
            first_line: 0,
            windows: Vec::new(),
        }))
    }
}

fn memchr_newlines(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.iter()
        .enumerate()
        .filter(|(_, c)| **c == b'\n')
        .map(|(i, _)| i + 1)
}

impl Indexed<'_> {
    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }
}

impl SourceCode for Src<'_> {
    /// What miette's own implementation for `str` returns (it is the
    /// reference: the snapshots were made with it), from the index, for
    /// the context miette's graphical handler asks for: none, or as many
    /// lines before as after.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let src = &*self.0;
        let len = src.text.len();
        let start = span.offset();
        let end = start + span.len();
        if start > len || end > len + 1 {
            return Err(MietteError::OutOfBounds);
        }
        let first = src.line_of(start);
        let b = src.text.as_bytes();
        let mut last = src.line_of(end.saturating_sub(1).max(start).min(len));
        // A span that ends with its line end shows one more line after it;
        // a `\r\n` is read as one.
        let crlf = end > start && b.get(end - 1) == Some(&b'\r') && b.get(end) == Some(&b'\n');
        if end > start && (b.get(end - 1) == Some(&b'\n') || crlf) {
            last += 1;
        }
        let line = first.saturating_sub(before);
        let (data_start, column) = if before == 0 {
            let column = start - src.line_starts[first];
            // In an excerpt, the column of the file's line.
            let column = match src.windows.get(first) {
                Some(&(from, dots)) if from > 0 || dots > 0 => from + column.saturating_sub(dots),
                _ => column,
            };
            (start, column)
        } else {
            (src.line_starts[line], 0)
        };

        let data_end = if after == 0 {
            (end + usize::from(crlf)).min(len)
        } else {
            src.line_starts
                .get(last + after + 1)
                .copied()
                .unwrap_or(len)
        }
        .max(data_start);
        // miette counts the line ends from the start of the file to the end
        // of what it returns, and uses that to merge nearby snippets.
        let line_count = src.line_of(data_end);
        Ok(Box::new(MietteSpanContents::new_named(
            src.name.clone(),
            &src.text.as_bytes()[data_start..data_end],
            (data_start, data_end - data_start).into(),
            line + src.first_line,
            column,
            line_count + src.first_line,
        )))
    }
}

/// A line wider than this many bytes is not shown whole in a snippet:
/// a stretch of it around what the finding points at is, with `...` for
/// the rest (as rustc does). Output then grows with the number of
/// findings, not with findings times the length of a line, and miette
/// (whose columns are `u16`) never meets a line it cannot lay out.
pub(super) const WIDE: usize = 200;
/// The stretch of a wide line shown, and how much of it comes before
/// the first thing pointed at.
const SHOWN: usize = 120;
const BEFORE: usize = 40;
/// Lines of context miette shows around a label (both handlers: 1).
const CONTEXT: usize = 1;
/// A label further than this many lines from the finding, in a file with
/// a wide line near one of them, is shown as a snippet of its own.
pub(super) const NEAR: usize = 20;

impl<'t> Src<'t> {
    /// The 0-based line of `offset`.
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.0.line_of(offset.min(self.0.text.len()))
    }

    fn line_range(&self, line: usize) -> (usize, usize) {
        let src = &*self.0;
        let start = src.line_starts[line];
        let end = src
            .line_starts
            .get(line + 1)
            .map_or(src.text.len(), |&n| n - 1);
        (start, end.max(start))
    }

    /// The lines a snippet of `spans` shows: each span's lines and the
    /// context around them.
    fn shown_lines(&self, spans: &[(usize, usize)]) -> (usize, usize) {
        let last = self.0.line_starts.len() - 1;
        let lo = spans
            .iter()
            .map(|&(a, _)| self.line_of(a))
            .min()
            .unwrap_or(0);
        let hi = spans
            .iter()
            .map(|&(a, b)| self.line_of(b.max(a + 1) - 1).max(self.line_of(a)))
            .max()
            .unwrap_or(0);
        (lo.saturating_sub(CONTEXT), (hi + CONTEXT + 1).min(last))
    }

    /// Whether a snippet of `spans` would show a line wider than [`WIDE`].
    pub(super) fn has_wide_line(&self, spans: &[(usize, usize)]) -> bool {
        spans.iter().any(|&span| {
            let (lo, hi) = self.shown_lines(&[span]);
            (lo..=hi).any(|l| {
                let (a, b) = self.line_range(l);
                b - a > WIDE
            })
        })
    }

    /// A text for the snippet of `spans` (byte ranges into this text):
    /// the lines it shows, each line wider than [`WIDE`] cut to a stretch
    /// around the spans on it, with the spans moved to match. Line numbers
    /// and the column in the heading stay the file's.
    pub(super) fn excerpt(&self, spans: &[(usize, usize)]) -> (Src<'t>, Vec<(usize, usize)>) {
        let text: &str = &self.0.text;
        let (lo, hi) = self.shown_lines(spans);
        let mut out = String::new();
        // Per line: file offsets (line start and end, shown from, shown
        // to), where `shown from` lands in the excerpt, and the `...`
        // before it.
        let mut lines: Vec<(usize, usize, usize, usize, usize, usize)> = Vec::new();
        let mut windows = Vec::new();
        for l in lo..=hi {
            let (a, b) = self.line_range(l);
            let (from, to) = if b - a <= WIDE {
                (a, b)
            } else {
                let on_line = || spans.iter().filter(|&&(s, e)| s <= b && e >= a);
                let first = on_line().map(|&(s, _)| s.clamp(a, b)).min().unwrap_or(a);
                let end = on_line().map(|&(_, e)| e.clamp(a, b)).max().unwrap_or(a);
                let from = first.saturating_sub(BEFORE).max(a);
                let to = (end + BEFORE).min(from + SHOWN).clamp(first, b);
                (floor_char(text, from), floor_char(text, to))
            };
            let dots = if from > a { 3 } else { 0 };
            windows.push((from - a, dots));
            out.push_str(&"..."[..dots]);
            lines.push((a, b, from, to, out.len(), dots));
            out.push_str(&text[from..to]);
            if to < b {
                out.push_str("...");
            }
            if l < hi || b < text.len() {
                out.push('\n');
            }
        }
        // A position of the file in the excerpt: before the shown stretch
        // of its line, the line's start (the `...` stands for it); after
        // it, past the `...` after.
        let map = |pos: usize| -> usize {
            let i = lines.partition_point(|&(a, ..)| a <= pos).saturating_sub(1);
            let (_, b, from, to, at, dots) = lines[i];
            if pos < from {
                at - dots
            } else if pos <= to {
                at + pos - from
            } else {
                at + (to - from) + if to < b { 3 } else { 0 }
            }
        };
        let moved = spans
            .iter()
            .map(|&(s, e)| {
                let s2 = map(s);
                (s2, map(e).max(s2))
            })
            .collect();
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(out.as_bytes()));
        let src = Src(Arc::new(Indexed {
            name: self.0.name.clone(),
            text: Cow::Owned(out),
            line_starts,
            first_line: lo,
            windows,
        }));
        (src, moved)
    }
}

/// The char boundary at or before `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The source and spans a snippet of `spans` in `src` is drawn from: the
/// file itself, or its excerpt when it would show a wide line.
pub(super) fn snippet<'t>(
    src: Src<'t>,
    spans: &[(usize, usize)],
) -> (Src<'t>, Vec<(usize, usize)>) {
    if src.has_wide_line(spans) {
        src.excerpt(spans)
    } else {
        (src, spans.to_vec())
    }
}

#[derive(Debug)]
struct Rendered<'t> {
    code: String,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Src<'t>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered<'t>>,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(super::miette_severity(self.severity))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

/// The files a report has indexed lately. Findings come sorted by file,
/// so a file is rarely wanted again once its findings are written (a label
/// in another file may be): a few are kept, not one index of every file
/// of the workspace, which at scale was the size of every text again.
pub(super) struct Cache<'a> {
    sources: &'a Sources,
    named: HashMap<FileId, (Src<'a>, u64)>,
    uses: u64,
}

impl<'a> Cache<'a> {
    /// Files kept at once.
    const KEPT: usize = 16;

    pub(super) fn new(sources: &'a Sources) -> Cache<'a> {
        Cache {
            sources,
            named: HashMap::new(),
            uses: 0,
        }
    }

    pub(super) fn get(&mut self, f: FileId) -> Src<'a> {
        self.uses += 1;
        if let Some((src, used)) = self.named.get_mut(&f) {
            *used = self.uses;
            return src.clone();
        }
        if self.named.len() >= Self::KEPT {
            let oldest = self
                .named
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(f, _)| *f);
            if let Some(oldest) = oldest {
                self.named.remove(&oldest);
            }
        }
        let sources = self.sources;
        let src = Src::new(super::display_path(sources, f), &sources.get(f).text);
        self.named.insert(f, (src.clone(), self.uses));
        src
    }
}

fn help_text(f: &Finding) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(e) = f.explanation.as_ref().filter(|_| f.is_explained()) {
        parts.push(super::explained_text(e));
    }
    if let Some(h) = &f.help {
        parts.push(h.to_string());
    }
    if let Some(c) = &f.citation {
        parts.push(super::citation_text(c));
    }
    if let Some(p) = &f.provenance {
        parts.push(format!(
            "source: {}, {}: {}",
            p.source, p.reference, p.summary
        ));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n"))
    }
}

/// Renders findings as miette reports. `color` chooses the theme; `width` the wrap width.
pub fn render(findings: &[Finding], sources: &Sources, color: bool, width: usize) -> String {
    super::written(|out| write(findings, sources, color, width, out))
}

/// [`render`], each finding written to `w` as soon as it is rendered: the
/// report of a large workspace is never held whole.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    color: bool,
    width: usize,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut cache = Cache::new(sources);
    let mut out = String::new();
    for f in findings {
        let file = cache.get(f.file);
        let (near, far) = split_labels(&file, f);
        let mut spans = vec![(f.span.start, f.span.end)];
        spans.extend(near.iter().map(|l| (l.span.start, l.span.end)));
        let (source, spans) = snippet(file, &spans);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(short_label(f)),
            (spans[0].0, spans[0].1 - spans[0].0),
        )];
        for (l, &(a, b)) in near.iter().zip(&spans[1..]) {
            labels.push(LabeledSpan::new_with_span(
                Some(l.message.clone()),
                (a, b - a),
            ));
        }
        let mut related = Vec::new();
        for l in far {
            let (source, spans) = snippet(cache.get(l.file), &[(l.span.start, l.span.end)]);
            related.push(Rendered {
                code: String::new(),
                message: l.message.clone(),
                severity: Severity::Advice,
                help: None,
                source,
                labels: vec![LabeledSpan::new_primary_with_span(
                    None,
                    (spans[0].0, spans[0].1 - spans[0].0),
                )],
                related: Vec::new(),
            });
        }
        let d = Rendered {
            code: format!("{}({})", f.rule, f.name),
            // An explained finding is reported, not failed: miette's advice.
            message: if f.is_explained() {
                format!("explained: {}", f.message)
            } else {
                f.message.clone()
            },
            severity: if f.is_explained() {
                Severity::Advice
            } else {
                f.severity
            },
            help: help_text(f),
            source,
            labels,
            related,
        };
        out.clear();
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
        w.write_all(out.as_bytes())?;
    }
    Ok(())
}

/// A finding's labels in its own file drawn in its snippet, and those
/// drawn as snippets of their own: every label in another file, and, when
/// the snippet would show a line wider than [`WIDE`], a label more than
/// [`NEAR`] lines away (its excerpt would otherwise take in every line
/// between).
pub(super) fn split_labels<'f>(
    file: &Src<'_>,
    f: &'f Finding,
) -> (
    Vec<&'f crate::diagnostic::Label>,
    Vec<&'f crate::diagnostic::Label>,
) {
    let (mut near, mut far): (Vec<_>, Vec<_>) = f.labels.iter().partition(|l| l.file == f.file);
    let mut spans = vec![(f.span.start, f.span.end)];
    spans.extend(near.iter().map(|l| (l.span.start, l.span.end)));
    if file.has_wide_line(&spans) {
        let line = file.line_of(f.span.start);
        let (close, away): (Vec<_>, Vec<_>) = near
            .into_iter()
            .partition(|l| file.line_of(l.span.start).abs_diff(line) <= NEAR);
        near = close;
        far.splice(0..0, away);
    }
    (near, far)
}

fn short_label(f: &Finding) -> String {
    if f.is_explained() {
        return "explained".into();
    }
    match f.severity {
        Severity::Error => "here".into(),
        Severity::Warning => "here".into(),
        Severity::Advice => "note".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The indexed source answers exactly as miette's own does, for every
    /// span of some awkward texts (the snapshots rely on it).
    #[test]
    fn indexed_source_reads_spans_as_miette_does() {
        let texts = [
            "",
            "a",
            "\n",
            "ab\ncd\n",
            "ab\ncd",
            "x\r\ny\r\n\r\nz",
            "one\n\ntwo\nthree\n\n",
            "£1\nµ\n",
        ];
        for text in texts {
            let ours = Src::new("f".into(), text);
            for start in 0..=text.len() {
                for len in 0..=(text.len() - start) {
                    // Inside a character or between `\r` and `\n` is no position.
                    let inside = |i: usize| {
                        let b = text.as_bytes();
                        !text.is_char_boundary(i)
                            || (i > 0 && b[i - 1] == b'\r' && b.get(i) == Some(&b'\n'))
                    };
                    if inside(start) || inside(start + len) {
                        continue;
                    }
                    for (before, after) in [(0, 0), (1, 1), (2, 2), (3, 3)] {
                        let span = SourceSpan::from((start, len));
                        let want = text.read_span(&span, before, after);
                        let got = ours.read_span(&span, before, after);
                        let (Ok(want), Ok(got)) = (want, got) else {
                            panic!("{text:?} {start}+{len}: one failed");
                        };
                        let what = format!("{text:?} {start}+{len} ctx {before}/{after}");
                        assert_eq!(got.line(), want.line(), "{what}");
                        assert_eq!(got.column(), want.column(), "{what}");
                        // miette reads one byte for an empty span at 0
                        // without context; only its position is used.
                        if len == 0 && start == 0 && after == 0 {
                            continue;
                        }
                        assert_eq!(got.data(), want.data(), "{what}");
                        assert_eq!(got.span(), want.span(), "{what}");
                        assert_eq!(got.line_count(), want.line_count(), "{what}");
                    }
                }
            }
        }
    }

    #[test]
    fn lone_carriage_returns_are_line_ends() {
        let src = Src::new("f".into(), "a\rbb\rc");
        let got = src.read_span(&SourceSpan::from((3, 1)), 0, 0).unwrap();
        assert_eq!((got.line(), got.column()), (1, 1));
    }

    /// Excerpts of wide lines, for spans anywhere (inside a character,
    /// across lines, ending with a line end, covering a whole wide line):
    /// miette renders them without a panic, and no snippet line is wide.
    #[test]
    fn excerpts_of_wide_lines_render_for_any_span() {
        let wide = format!("a £ {} µ z", "wörd ".repeat(300));
        let texts = [
            format!("short\n{wide}\nshort\n{wide}\r\n{wide}"),
            format!("{wide}\n\n{wide}\n"),
            wide.clone(),
        ];
        let handler =
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        let narrator = miette::NarratableReportHandler::new().with_context_lines(1);
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n.max(1)
        };
        for text in &texts {
            let file = Src::new("f".into(), text);
            for _ in 0..300 {
                let mut spans = Vec::new();
                for _ in 0..1 + next(3) {
                    let a = next(text.len() + 1);
                    let reach = if next(4) == 0 { text.len() } else { 30 };
                    let b = (a + next(reach)).min(text.len());
                    spans.push((a, b));
                }
                let (source, moved) = snippet(file.clone(), &spans);
                assert_eq!(moved.len(), spans.len());
                let d = Rendered {
                    code: "X".into(),
                    message: "m".into(),
                    severity: Severity::Error,
                    help: None,
                    source,
                    labels: moved
                        .iter()
                        .map(|&(a, b)| LabeledSpan::new_with_span(Some("l".into()), (a, b - a)))
                        .collect(),
                    related: Vec::new(),
                };
                for out in [
                    {
                        let mut o = String::new();
                        let _ = handler.render_report(&mut o, &d);
                        o
                    },
                    {
                        let mut o = String::new();
                        let _ = narrator.render_report(&mut o, &d);
                        o
                    },
                ] {
                    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
                    assert!(widest < 2 * WIDE, "{spans:?}: {widest}\n{out}");
                }
            }
        }
    }
}
