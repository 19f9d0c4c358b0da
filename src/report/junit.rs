//! `--format junit`: JUnit XML, read by GitLab, Jenkins and Azure DevOps.
//! One test suite per file; in it, one test case per rule that found
//! something in that file (every finding of the rule listed in it), or a
//! single passing case when the file is clean. A case fails when the rule
//! has an error or a warning the board has not explained; advice and
//! explained departures are a passing case that lists them in its
//! `system-out` (advice is not a failed test).
//!
//! The report is valid against the strict Jenkins schema
//! (`jenkins-junit.xsd`, from Jenkins' dtkit `junit-4.xsd`, which JUnit 5
//! validates its own reports against): a test case has only `name`,
//! `classname`, `assertions`, `time` and `status` attributes (no `file`
//! or `line`: the location is in the text), and its children come in the
//! order `skipped`, `error`, `failure`, `system-out`, `system-err`.

use crate::diagnostic::Finding;
use crate::source::{FileId, Sources};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// `s` fit for an XML attribute or text node: markup characters as
/// entities, and each character XML 1.0 forbids even as a reference (a
/// control character other than tab, newline and carriage return, U+FFFE,
/// U+FFFF), which a reason or a title can hold, written as an escape
/// (`\u{1b}`), or no reader accepts the report.
fn escape(s: &str) -> Cow<'_, str> {
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if !s.chars().any(forbidden) {
        return quick_xml::escape::escape(s);
    }
    let safe: String = s
        .chars()
        .map(|c| {
            if forbidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    Cow::Owned(quick_xml::escape::escape(&safe).into_owned())
}

/// Whether a finding makes its test case fail: an error or a warning the
/// board has not explained (advice is not a failed test).
fn failing(f: &Finding) -> bool {
    !f.is_explained() && f.severity > crate::diagnostic::Severity::Advice
}

/// The failing test cases of a file's findings by rule.
fn failures(rules: &BTreeMap<&str, Vec<&Finding>>) -> usize {
    rules
        .values()
        .filter(|found| found.iter().any(|f| failing(f)))
        .count()
}

pub fn render(findings: &[Finding], sources: &Sources, files: &[FileId]) -> String {
    super::written(|out| write(findings, sources, files, out))
}

/// [`render`] written to `out` a file's test suite at a time: the report
/// is several times the size of the documents, and is never held whole.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    files: &[FileId],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut by_file: BTreeMap<FileId, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for f in findings {
        by_file
            .entry(f.file)
            .or_default()
            .entry(f.rule.as_str())
            .or_default()
            .push(f);
    }
    // Files in the order given, then any other file a finding points into
    // (a rule pack, a configuration), in the order of their first finding.
    let given: std::collections::HashSet<FileId> = files.iter().copied().collect();
    let mut order: Vec<FileId> = files.to_vec();
    let mut other = std::collections::HashSet::new();
    for f in findings {
        if !given.contains(&f.file) && other.insert(f.file) {
            order.push(f.file);
        }
    }
    // The totals head the report: counted first.
    let (mut total_tests, mut total_failures) = (0, 0);
    for file in &order {
        let rules = by_file.get(file);
        total_tests += rules.map_or(0, BTreeMap::len).max(1);
        total_failures += rules.map_or(0, failures);
    }
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"icslint\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\">\n"
    )?;
    for file in order {
        let path = super::display_path(sources, file);
        let src = sources.get(file);
        let rules = by_file.remove(&file).unwrap_or_default();
        let tests = rules.len().max(1);
        let mut suites = String::new();
        let failures = failures(&rules);
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
            escape(&path),
        ));
        if rules.is_empty() {
            suites.push_str(&format!(
                "    <testcase name=\"no findings\" classname=\"{}\"/>\n",
                escape(&path),
            ));
        }
        for (rule, all) in rules {
            let (found, passing): (Vec<&Finding>, Vec<&Finding>) =
                all.iter().partition(|f| failing(f));
            let mut out = String::new();
            for f in passing.iter().filter(|f| !f.is_explained()) {
                let (l, c) = src.line_col(f.span.start);
                out.push_str(&format!("{path}:{l}:{c}: advice: {}\n", f.message));
                if let Some(h) = &f.help {
                    out.push_str(&format!("  help: {h}\n"));
                }
                if let Some(c) = &f.citation {
                    out.push_str(&format!("  {}\n", super::citation_text(c)));
                }
            }
            for f in passing.iter().filter(|f| f.is_explained()) {
                let (l, c) = src.line_col(f.span.start);
                if let Some(e) = &f.explanation {
                    out.push_str(&format!(
                        "{path}:{l}:{c}: {}; {}\n",
                        f.message,
                        super::explained_text(e)
                    ));
                    if let Some(c) = &f.citation {
                        out.push_str(&format!("  {}\n", super::citation_text(c)));
                    }
                }
            }
            if found.is_empty() {
                let first = passing[0];
                suites.push_str(&format!(
                    "    <testcase name=\"{rule} {}\" classname=\"{}\">\n      <system-out>{}</system-out>\n    </testcase>\n",
                    escape(&first.name),
                    escape(&path),
                    escape(&out)
                ));
                continue;
            }
            let first = found[0];
            let mut body = String::new();
            for f in &found {
                let (l, c) = src.line_col(f.span.start);
                body.push_str(&format!(
                    "{path}:{l}:{c}: {}: {}\n",
                    f.severity.as_str(),
                    f.message
                ));
                if let Some(h) = &f.help {
                    body.push_str(&format!("  help: {h}\n"));
                }
                if let Some(c) = &f.citation {
                    body.push_str(&format!("  {}\n", super::citation_text(c)));
                }
            }
            let message = if found.len() == 1 {
                first.message.clone()
            } else {
                format!("{} ({} findings)", first.message, found.len())
            };
            // What passes beside the failures (advice, explained
            // departures) follows them, in the schema's order.
            let system_out = if out.is_empty() {
                String::new()
            } else {
                format!("\n      <system-out>{}</system-out>", escape(&out))
            };
            suites.push_str(&format!(
                "    <testcase name=\"{rule} {}\" classname=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>{system_out}\n    </testcase>\n",
                escape(&first.name),
                escape(&path),
                escape(&message),
                first.severity.as_str(),
                escape(&body)
            ));
        }
        suites.push_str("  </testsuite>\n");
        out.write_all(suites.as_bytes())?;
    }
    out.write_all(b"</testsuites>\n")
}
