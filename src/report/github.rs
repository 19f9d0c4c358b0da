//! `--format github`: GitHub Actions workflow annotations.

use crate::diagnostic::{Finding, Severity};
use crate::source::Sources;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_prop(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(findings: &[Finding], sources: &Sources) -> String {
    super::written(|out| write(findings, sources, out))
}

/// [`render`], each annotation written to `w` as it is made.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for f in findings {
        let level = match f.severity {
            _ if f.is_explained() => "notice",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "notice",
        };
        let src = sources.get(f.file);
        let (line, col) = src.line_col(f.span.start);
        let (end_line, end_col) = src.line_col(f.span.end);
        let mut msg = f.message.clone();
        if let Some(e) = f.explanation.as_ref().filter(|_| f.is_explained()) {
            msg.push('\n');
            msg.push_str(&super::explained_text(e));
        }
        if let Some(h) = &f.help {
            msg.push('\n');
            msg.push_str(h);
        }
        if let Some(c) = &f.citation {
            msg.push('\n');
            msg.push_str(&super::citation_text(c));
        }
        writeln!(
            w,
            "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
            escape_prop(&super::display_path(sources, f.file)),
            escape_prop(&format!("{} {}", f.rule, f.name)),
            escape_data(&msg)
        )?;
    }
    Ok(())
}
