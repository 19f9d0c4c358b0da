//! `--format json`: one object per finding. The shape is a public,
//! versioned interface (see README, "JSON output").

use crate::diagnostic::Finding;
use crate::source::Sources;
use serde::Serialize;
use serde_json::{json, Value};

pub const VERSION: u32 = 1;

pub fn location(
    sources: &Sources,
    file: crate::source::FileId,
    span: crate::source::Span,
) -> Value {
    json!(Location::of(sources, file, span))
}

/// A finding as JSON: [`View`] as a value.
pub fn finding(f: &Finding, sources: &Sources) -> Value {
    json!(View::of(f, sources))
}

// The JSON of a finding is written from these views rather than built as
// a `Value` first: a value is a map allocated per object, and at scale the
// JSON report was a fifth of a check's time. Fields are in the order of
// their names, the order a `Value`'s keys are written in, so the bytes are
// those of `json!` (`finding` is the view as a value).

#[derive(Serialize)]
struct Location {
    column: usize,
    end: usize,
    end_column: usize,
    end_line: usize,
    line: usize,
    path: String,
    start: usize,
}

impl Location {
    fn of(sources: &Sources, file: crate::source::FileId, span: crate::source::Span) -> Location {
        let src = sources.get(file);
        let (line, column) = src.line_col(span.start);
        let (end_line, end_column) = src.line_col(span.end);
        Location {
            column,
            end: span.end,
            end_column,
            end_line,
            line,
            path: super::display_path(sources, file),
            start: span.start,
        }
    }
}

#[derive(Serialize)]
struct View<'a> {
    citation: Option<Value>,
    explanation: Option<Value>,
    fixes: Vec<FixView<'a>>,
    help: Option<&'a str>,
    labels: Vec<LabelView<'a>>,
    location: Location,
    message: &'a str,
    name: &'a str,
    provenance: Option<ProvenanceView<'a>>,
    rule: &'a str,
    severity: crate::diagnostic::Severity,
    status: &'static str,
}

#[derive(Serialize)]
struct LabelView<'a> {
    location: Location,
    message: &'a str,
}

#[derive(Serialize)]
struct FixView<'a> {
    edits: Vec<EditView<'a>>,
    safety: crate::diagnostic::Safety,
    title: &'a str,
}

#[derive(Serialize)]
struct EditView<'a> {
    insert: &'a str,
    location: Location,
}

#[derive(Serialize)]
struct ProvenanceView<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    source: &'a str,
    summary: &'a str,
}

impl<'a> View<'a> {
    fn of(f: &'a Finding, sources: &Sources) -> View<'a> {
        View {
            // `explanation` and `citation` (comply-or-explain; fields are
            // only added) are null when there is none, and rare.
            citation: f.citation.as_ref().map(|c| {
                json!({
                    "document": c.document, "version": c.version, "clause": c.clause, "url": c.url,
                    "text": c.to_string(),
                })
            }),
            explanation: f.explanation.as_ref().map(|e| {
                let mut v = json!(e);
                v["location"] = location(sources, e.file, e.span);
                v
            }),
            fixes: f
                .fix
                .iter()
                .map(|x| FixView {
                    edits: x
                        .edits
                        .iter()
                        .map(|e| EditView {
                            insert: &e.insert,
                            location: Location::of(sources, e.file, e.span),
                        })
                        .collect(),
                    safety: x.safety,
                    title: &x.title,
                })
                .collect(),
            help: f.help.as_deref(),
            labels: f
                .labels
                .iter()
                .map(|l| LabelView {
                    location: Location::of(sources, l.file, l.span),
                    message: &l.message,
                })
                .collect(),
            location: Location::of(sources, f.file, f.span),
            message: &f.message,
            name: &f.name,
            provenance: f.provenance.as_deref().map(|p| ProvenanceView {
                reference: &p.reference,
                source: &p.source,
                summary: &p.summary,
            }),
            rule: &f.rule,
            severity: f.severity,
            // `explained` while an explanation is in force, else `open`.
            status: if f.is_explained() {
                "explained"
            } else {
                "open"
            },
        }
    }
}

/// Every finding's [`View`], made, written and dropped one at a time.
struct Findings<'a>(&'a [Finding], &'a Sources);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            seq.serialize_element(&View::of(f, self.1))?;
        }
        seq.end()
    }
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
    #[derive(Serialize)]
    struct Document<'a> {
        findings: Findings<'a>,
        version: u32,
    }
    let doc = Document {
        findings: Findings(findings, sources),
        version: VERSION,
    };
    super::write_pretty(out, &doc)
}
