//! `--format plain`: words a screen reader speaks well. miette's narratable
//! handler writes each finding as one paragraph of sentences, with no box
//! drawing, no columns of symbols and no colour; the first sentence says
//! how serious the finding is, which rule, and where.

use super::human::{snippet, split_labels, Cache, Src};
use crate::diagnostic::{Finding, Severity};
use crate::source::Sources;
use miette::{Diagnostic, LabeledSpan, NarratableReportHandler, SourceCode};
use std::fmt;

struct Spoken<'a> {
    headline: String,
    finding: &'a Finding,
    help: Option<String>,
    source: Src<'a>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Spoken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl fmt::Display for Spoken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl std::error::Error for Spoken<'_> {}

impl Diagnostic for Spoken<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.finding.is_explained() {
            miette::Severity::Advice
        } else {
            super::miette_severity(self.finding.severity)
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
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
}

/// Words for a rule name: `membership-review` is read "membership review".
fn spoken_name(name: &str) -> String {
    name.replace('-', " ")
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    super::written(|out| write(findings, sources, out))
}

/// [`render`], each finding written to `w` as soon as it is rendered.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let handler = NarratableReportHandler::new()
        .with_context_lines(1)
        .with_cause_chain();
    // Each file indexed once (human.rs): miette's own source for a string
    // scans from the start of the file for every finding, which made this
    // output quadratic in the number of findings in a file.
    let mut texts = Cache::new(sources);
    let mut out = String::new();
    for f in findings {
        let src = sources.get(f.file);
        let path = super::display_path(sources, f.file);
        let file = texts.get(f.file);
        let (line, _) = src.line_col(f.span.start);
        let severity = match f.severity {
            _ if f.is_explained() => "Explained",
            Severity::Error => "Error",
            Severity::Warning => "Warning",
            Severity::Advice => "Advice",
        };
        let headline = format!(
            "{severity} {}, {}, in {path} at line {line}. {}.",
            f.rule,
            spoken_name(&f.name),
            capitalised(f.message.trim_end_matches('.'))
        );
        // Labels in other files become sentences of the help: a snippet can
        // only come from the finding's own file.
        // A wide line is shown in part (`human::snippet`); a label far
        // from the finding, like one in another file, is a sentence.
        let mut help = Vec::new();
        let (near, far) = split_labels(&file, f);
        let mut spans = vec![(f.span.start, f.span.end)];
        spans.extend(near.iter().map(|l| (l.span.start, l.span.end)));
        let (source, spans) = snippet(file, &spans);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some("the finding".into()),
            (spans[0].0, spans[0].1 - spans[0].0),
        )];
        for (l, &(a, b)) in near.iter().zip(&spans[1..]) {
            labels.push(LabeledSpan::new_with_span(
                Some(l.message.clone()),
                (a, b - a),
            ));
        }
        for l in far {
            let (l_line, _) = sources.get(l.file).line_col(l.span.start);
            help.push(format!(
                "See also {} at line {l_line}: {}.",
                super::display_path(sources, l.file),
                l.message.trim_end_matches('.')
            ));
        }
        if let Some(h) = &f.help {
            help.insert(0, h.to_string());
        }
        if let Some(e) = f.explanation.as_ref().filter(|_| f.is_explained()) {
            help.insert(0, format!("{}.", capitalised(&super::explained_text(e))));
        }
        if let Some(c) = &f.citation {
            help.push(format!("{}.", capitalised(&super::citation_text(c))));
        }
        if let Some(p) = &f.provenance {
            help.push(format!(
                "Source: {}, {}: {}",
                p.source, p.reference, p.summary
            ));
        }
        if let Some(fix) = f.fix.as_ref().filter(|_| !f.is_explained()) {
            help.push(format!(
                "A fix is available: {}.",
                fix.title.trim_end_matches('.')
            ));
        }
        let d = Spoken {
            headline,
            finding: f,
            help: if help.is_empty() {
                None
            } else {
                Some(help.join("\n"))
            },
            source,
            labels,
        };
        // One paragraph per finding: miette leaves a blank line after the
        // snippet's heading, which a reader would take for a new finding.
        let mut one = String::new();
        let _ = handler.render_report(&mut one, &d);
        out.clear();
        for line in one.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
        w.write_all(out.as_bytes())?;
    }
    Ok(())
}
