//! Renderers of [`Finding`]s. Each output format is one file; they all read
//! the same neutral finding type.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod plain;
pub mod sarif;
mod statistics;
pub mod transition;

pub use github::render as github;
pub use github::write as write_github;
pub use gitlab::render as gitlab;
pub use gitlab::write as write_gitlab;
pub use human::render as human;
pub use human::write as write_human;
pub use json::render as json;
pub use json::write as write_json;
pub use junit::render as junit;
pub use junit::write as write_junit;
pub use plain::render as plain;
pub use plain::write as write_plain;
pub use sarif::render as sarif;
pub use sarif::write as write_sarif;
pub use statistics::render as statistics;
pub use statistics::render_json as statistics_json;

use crate::diagnostic::Finding;
use crate::source::Sources;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A path as shown to the user: relative to the working directory where possible, `/`-separated.
pub fn display_path(sources: &Sources, file: crate::source::FileId) -> String {
    let p = sources.path(file);
    let shown = cwd().and_then(|c| p.strip_prefix(c).ok()).unwrap_or(p);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A JSON array whose elements are made, written and dropped one at a
/// time: `each(i, &items[i])`. A report of every finding as one value tree
/// was the peak of memory and a quarter of the run.
pub(crate) struct Each<'a, T>(pub &'a [T], pub &'a dyn Fn(usize, &T) -> serde_json::Value);

impl<T> serde::Serialize for Each<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (i, item) in self.0.iter().enumerate() {
            seq.serialize_element(&(self.1)(i, item))?;
        }
        seq.end()
    }
}

/// `value` as pretty JSON and a final newline, written to `out`.
pub(crate) fn write_pretty(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// What a report's `write` gives, as text (tests, the language server).
pub(crate) fn written(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and every report is valid UTF-8.
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The working directory, asked of the system once: every location of
/// every finding is shown relative to it, and each ask is a system call.
pub(crate) fn cwd() -> Option<&'static std::path::Path> {
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// One fingerprint per finding that survives edits elsewhere in the file:
/// a SHA-256 of the rule, the path, the message and the text the finding
/// points at (white space collapsed), never its line number. Findings with
/// the same inputs are told apart by their order (`:1`, `:2`, ...).
/// GitLab Code Quality and SARIF `partialFingerprints` both use it.
pub fn fingerprints(findings: &[Finding], sources: &Sources) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let text = sources
                .get(f.file)
                .text
                .get(f.span.start..f.span.end)
                .unwrap_or("");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut h = Sha256::new();
            for part in [
                f.rule.as_str(),
                &display_path(sources, f.file),
                &f.message,
                &text,
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            let n = seen.entry(hex.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                hex
            } else {
                format!("{hex}:{n}")
            }
        })
        .collect()
}

/// What an explained finding shows beside its message, in every format:
/// who approved the departure, when, until when, and why.
pub fn explained_text(e: &crate::diagnostic::Explanation) -> String {
    let review = e
        .review
        .as_ref()
        .map_or(String::new(), |r| format!(", review by {r}"));
    format!(
        "explained: approved by {} on {}{review}: \"{}\"",
        e.approved_by, e.agreed, e.reason
    )
}

/// Where the finding's text is in the published document, for help texts:
/// "document: NHS Wessex Vale ICB Constitution v3.2, clause 4.2.1 (https://...)".
pub fn citation_text(c: &crate::diagnostic::Citation) -> String {
    match &c.url {
        Some(u) => format!("document: {c} ({u})"),
        None => format!("document: {c}"),
    }
}

/// Our severity as miette's (the human and plain renderers).
fn miette_severity(s: crate::diagnostic::Severity) -> miette::Severity {
    use crate::diagnostic::Severity::*;
    match s {
        Error => miette::Severity::Error,
        Warning => miette::Severity::Warning,
        Advice => miette::Severity::Advice,
    }
}

/// The summary line `icslint check` prints after its findings (and the
/// offline page shows): the unexplained findings by severity, the files
/// checked, and the departures the board explained.
pub fn summary(findings: &[Finding], files: usize) -> String {
    let count = |s: crate::diagnostic::Severity| {
        findings
            .iter()
            .filter(|f| f.severity == s && !f.is_explained())
            .count()
    };
    let explained = findings.iter().filter(|f| f.is_explained()).count();
    let mut s = if findings.len() == explained {
        format!("No findings in {}", plural(files, "file", "files"))
    } else {
        use crate::diagnostic::Severity::{Advice, Error, Warning};
        format!(
            "Found {}, {} and {} in {}",
            plural(count(Error), "error", "errors"),
            plural(count(Warning), "warning", "warnings"),
            plural(count(Advice), "advice", "advice"),
            plural(files, "file", "files")
        )
    };
    // Explained findings are reported, not counted as problems.
    if explained > 0 {
        s.push_str(&format!(
            "; {} explained by the board",
            plural(explained, "departure", "departures")
        ));
    }
    s.push_str(".\n");
    s
}

/// `n` and the word for one or many of it.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
