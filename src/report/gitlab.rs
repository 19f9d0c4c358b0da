//! `--format gitlab`: GitLab Code Quality JSON (an array of issues in the
//! Code Climate subset GitLab reads). Fingerprints are stable across edits
//! elsewhere in the file, so merge requests show new and fixed findings.

use crate::diagnostic::{Finding, Severity};
use crate::source::Sources;
use serde_json::{json, Value};

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    super::written(|out| write(findings, sources, out))
}

/// [`render`] written to `out` one issue at a time.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let prints = super::fingerprints(findings, sources);
    let issues = super::Each(findings, &|i, f| issue(f, sources, &prints[i]));
    super::write_pretty(out, &issues)
}

/// One finding as a Code Quality issue.
fn issue(f: &Finding, sources: &Sources, fingerprint: &str) -> Value {
    let src = sources.get(f.file);
    let (begin, _) = src.line_col(f.span.start);
    let (end, _) = src.line_col(f.span.end.max(f.span.start));
    // The message, then the help as a sentence of its own with a label:
    // GitLab shows the description on one line, and "… (not stated) Add
    // `x`" read as one run-on sentence.
    let mut description = format!("{} {}: {}", f.rule, f.name, f.message);
    if let Some(h) = &f.help {
        if !description.ends_with(['.', '?', '!']) {
            description.push('.');
        }
        description.push_str(&format!(" Help: {h}"));
    }
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
