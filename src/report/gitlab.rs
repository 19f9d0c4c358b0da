//! `--format gitlab`: GitLab Code Quality JSON (an array of issues in the
//! Code Climate subset GitLab reads). Fingerprints are stable across edits
//! elsewhere in the file, so merge requests show new and fixed findings.

use crate::diagnostic::{Finding, Severity};
use crate::source::Sources;
use serde_json::{json, Value};

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and serde_json writes valid UTF-8.
    let _ = write(findings, sources, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`] written to `out` one issue at a time.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    struct Issues<'a>(&'a [Finding], &'a Sources, Vec<String>);
    impl serde::Serialize for Issues<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq;
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for (f, print) in self.0.iter().zip(&self.2) {
                seq.serialize_element(&issue(f, self.1, print))?;
            }
            seq.end()
        }
    }
    let prints = super::fingerprints(findings, sources);
    serde_json::to_writer_pretty(&mut *out, &Issues(findings, sources, prints))?;
    out.write_all(b"\n")
}

/// One finding as a Code Quality issue.
fn issue(f: &Finding, sources: &Sources, fingerprint: &str) -> Value {
    let src = sources.get(f.file);
    let (begin, _) = src.line_col(f.span.start);
    let (end, _) = src.line_col(f.span.end.max(f.span.start));
    let mut description = match &f.help {
        Some(h) => format!("{} {}: {} {}", f.rule, f.name, f.message, h),
        None => format!("{} {}: {}", f.rule, f.name, f.message),
    };
    if let Some(e) = f.explanation.as_ref().filter(|_| f.is_explained()) {
        description = format!("{description} ({})", super::explained_text(e));
    }
    if let Some(c) = &f.citation {
        description = format!("{description} ({})", super::citation_text(c));
    }
    json!({
        "type": "issue",
        "check_name": f.rule,
        "description": description,
        "severity": match f.severity {
            _ if f.is_explained() => "info",
            Severity::Error => "major",
            Severity::Warning => "minor",
            Severity::Advice => "info",
        },
        "fingerprint": fingerprint,
        "location": {
            "path": super::display_path(sources, f.file),
            "lines": {"begin": begin, "end": end},
        },
    })
}
