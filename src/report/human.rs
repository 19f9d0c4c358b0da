//! rustc-style terminal output, rendered by miette.

use crate::diagnostic::{Finding, Severity};
use crate::source::{FileId, Sources};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

type Src = NamedSource<Arc<String>>;

#[derive(Debug)]
struct Rendered {
    code: String,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Src,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
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

struct Cache<'a> {
    sources: &'a Sources,
    named: HashMap<FileId, Src>,
}

impl Cache<'_> {
    fn get(&mut self, f: FileId) -> Src {
        let sources = self.sources;
        self.named
            .entry(f)
            .or_insert_with(|| {
                NamedSource::new(
                    super::display_path(sources, f),
                    Arc::new(sources.get(f).text.clone()),
                )
            })
            .clone()
    }
}

fn help_text(f: &Finding) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(h) = &f.help {
        parts.push(h.clone());
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
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut cache = Cache {
        sources,
        named: HashMap::new(),
    };
    let mut out = String::new();
    for f in findings {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(short_label(f)),
            (f.span.start, f.span.len()),
        )];
        let mut related = Vec::new();
        for l in &f.labels {
            if l.file == f.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    (l.span.start, l.span.len()),
                ));
            } else {
                related.push(Rendered {
                    code: String::new(),
                    message: l.message.clone(),
                    severity: Severity::Advice,
                    help: None,
                    source: cache.get(l.file),
                    labels: vec![LabeledSpan::new_primary_with_span(
                        None,
                        (l.span.start, l.span.len()),
                    )],
                    related: Vec::new(),
                });
            }
        }
        let d = Rendered {
            code: format!("{}({})", f.rule, f.name),
            message: f.message.clone(),
            severity: f.severity,
            help: help_text(f),
            source: cache.get(f.file),
            labels,
            related,
        };
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    out
}

fn short_label(f: &Finding) -> String {
    match f.severity {
        Severity::Error => "here".into(),
        Severity::Warning => "here".into(),
        Severity::Advice => "note".into(),
    }
}
