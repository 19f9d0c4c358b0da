//! `--format json`: one object per finding. The shape is a public,
//! versioned interface (see README, "JSON output").

use crate::diagnostic::Finding;
use crate::source::Sources;
use serde_json::{json, Value};

pub const VERSION: u32 = 1;

pub fn location(
    sources: &Sources,
    file: crate::source::FileId,
    span: crate::source::Span,
) -> Value {
    let src = sources.get(file);
    let (line, column) = src.line_col(span.start);
    let (end_line, end_column) = src.line_col(span.end);
    json!({
        "path": super::display_path(sources, file),
        "start": span.start, "end": span.end,
        "line": line, "column": column, "end_line": end_line, "end_column": end_column,
    })
}

pub fn finding(f: &Finding, sources: &Sources) -> Value {
    json!({
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "location": location(sources, f.file, f.span),
        "labels": f.labels.iter().map(|l| json!({"message": l.message, "location": location(sources, l.file, l.span)})).collect::<Vec<_>>(),
        "help": f.help,
        "provenance": f.provenance,
        // Added for comply-or-explain (fields are only added): `status` is
        // `explained` while an explanation is in force, else `open`;
        // `explanation` and `citation` are null when there is none.
        "status": if f.is_explained() { "explained" } else { "open" },
        "explanation": f.explanation.as_ref().map(|e| {
            let mut v = json!(e);
            v["location"] = location(sources, e.file, e.span);
            v
        }),
        "citation": f.citation.as_ref().map(|c| json!({
            "document": c.document, "version": c.version, "clause": c.clause, "url": c.url,
            "text": c.to_string(),
        })),
        "fixes": f.fix.iter().map(|x| json!({
            "title": x.title,
            "safety": x.safety,
            "edits": x.edits.iter().map(|e| json!({
                "location": location(sources, e.file, e.span),
                "insert": e.insert,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    super::written(|out| write(findings, sources, out))
}

/// [`render`] written to `out` as it is made: a check's report is never
/// held in memory whole (it is about twice the size of the documents).
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // The same text as one `json!` document (keys in order, pretty).
    #[derive(serde::Serialize)]
    struct Document<'a> {
        findings: super::Each<'a, Finding>,
        version: u32,
    }
    let doc = Document {
        findings: super::Each(findings, &|_, f| finding(f, sources)),
        version: VERSION,
    };
    super::write_pretty(out, &doc)
}
