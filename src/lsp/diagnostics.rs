//! Findings → LSP diagnostics. A finding is published in its own file, with
//! its labels as related information, and again in every other file one of
//! its labels points into (a cross-file finding shows wherever it matters).

use super::fix;
use super::position::LineIndex;
use super::uri;
use super::world::Checked;
use crate::catalogue;
use crate::diagnostic::{Finding, Severity};
use crate::source::FileId;
use crate::workspace::Workspace;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range, Uri,
};
use std::collections::{BTreeMap, HashMap};

/// Line indexes of the files a conversion touches.
#[derive(Default)]
pub struct Lines(HashMap<FileId, LineIndex>);

impl Lines {
    pub fn range(&mut self, ws: &Workspace, file: FileId, span: crate::source::Span) -> Range {
        let text = &ws.sources.get(file).text;
        self.0
            .entry(file)
            .or_insert_with(|| LineIndex::new(text))
            .range(text, span)
    }
}

/// An explained finding is a hint: shown, never counted as a problem.
fn severity(f: &Finding) -> DiagnosticSeverity {
    if f.is_explained() {
        return DiagnosticSeverity::HINT;
    }
    match f.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Advice => DiagnosticSeverity::INFORMATION,
    }
}

/// The diagnostic's text: the message, what to write, and where the
/// obligation comes from. Editors in a terminal (Helix, Neovim) print
/// it there: control characters are written as escapes (`safe::terminal`).
pub fn message(f: &Finding) -> String {
    crate::safe::terminal(&message_text(f)).into_owned()
}

fn message_text(f: &Finding) -> String {
    let mut s = f.message.clone();
    if let Some(e) = f.explanation.as_ref().filter(|_| f.is_explained()) {
        s.push('\n');
        s.push_str(&crate::report::explained_text(e));
    }
    if let Some(c) = &f.citation {
        s.push('\n');
        s.push_str(&crate::report::citation_text(c));
    }
    if let Some(h) = &f.help {
        s.push_str("\nhelp: ");
        s.push_str(h);
    }
    if let Some(p) = &f.provenance {
        s.push_str(&format!(
            "\nsource: {}, {}: {}",
            p.source, p.reference, p.summary
        ));
    }
    s
}

/// Whether a finding shows in a file of what a re-check looked at: it is
/// in one, or one of its labels is.
pub fn concerns(f: &Finding, checked: &Checked) -> bool {
    checked.contains(f.file) || f.labels.iter().any(|l| checked.contains(l.file))
}

/// The diagnostics of `findings`, keyed by file (files without findings
/// are absent). Each file's list is complete when every finding that
/// [`concerns`] it is given.
pub fn publish<'a>(
    ws: &Workspace,
    findings: impl IntoIterator<Item = &'a Finding>,
    rules_url: &str,
) -> BTreeMap<FileId, Vec<Diagnostic>> {
    let mut lines = Lines::default();
    let mut out: BTreeMap<FileId, Vec<Diagnostic>> = BTreeMap::new();
    for f in findings {
        let Some(here) = uri::of_file(ws, f.file) else {
            continue;
        };
        let code_description = catalogue::find(ws, &f.rule).and_then(|e| {
            format!("{rules_url}#{}", e.anchor())
                .parse::<Uri>()
                .ok()
                .map(|href| CodeDescription { href })
        });
        let range = lines.range(ws, f.file, f.span);
        let related: Vec<DiagnosticRelatedInformation> = f
            .labels
            .iter()
            .filter_map(|l| {
                Some(DiagnosticRelatedInformation {
                    location: Location::new(
                        uri::of_file(ws, l.file)?,
                        lines.range(ws, l.file, l.span),
                    ),
                    message: crate::safe::terminal(&l.message).into_owned(),
                })
            })
            .collect();
        let base = Diagnostic {
            range,
            severity: Some(severity(f)),
            code: Some(NumberOrString::String(f.rule.to_string())),
            code_description,
            source: Some("icslint".into()),
            message: message(f),
            related_information: None,
            tags: None,
            data: fix::data(ws, f),
        };
        out.entry(f.file).or_default().push(Diagnostic {
            related_information: (!related.is_empty()).then(|| related.clone()),
            ..base.clone()
        });
        // The same finding in each other file a label points into.
        let mut done = vec![f.file];
        for l in &f.labels {
            if done.contains(&l.file) || uri::of_file(ws, l.file).is_none() {
                continue;
            }
            done.push(l.file);
            let mut info = vec![DiagnosticRelatedInformation {
                location: Location::new(here.clone(), range),
                message: format!("{} {}: the finding", f.rule, f.name),
            }];
            info.extend(related.iter().cloned());
            out.entry(l.file).or_default().push(Diagnostic {
                range: lines.range(ws, l.file, l.span),
                message: format!(
                    "{} (see {})\n{}",
                    crate::safe::terminal(&l.message),
                    f.rule,
                    message(f)
                ),
                related_information: Some(info),
                data: Some(serde_json::json!({ "labelOf": f.rule })),
                ..base.clone()
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::icg;
    use crate::source::{FileId, Span};

    /// What an editor in a terminal prints holds no escape sequence.
    #[test]
    fn a_diagnostic_message_carries_no_control_character() {
        let mut f = icg::finding(
            icg::SYNTAX,
            FileId(0),
            Span::new(0, 1),
            "name \u{1b}]52;c;SGVsbG8=\u{7} over\rwrite \u{9b}2J",
        );
        f.help = Some("\u{1b}[2J help".to_string().into());
        let m = super::message(&f);
        assert!(!m.chars().any(|c| c.is_control() && c != '\n'), "{m:?}");
        assert!(m.contains("\\u{1b}]52"), "{m}");
    }
}
