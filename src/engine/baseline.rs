//! `--baseline FILE`: findings already recorded there do not fail the run,
//! so a system can adopt icslint today and stop new problems. The baseline
//! is the JSON output of `icslint check --format json`; findings match on
//! rule, path and message (not line), so edits elsewhere do not break it.
//!
//! Paths in the baseline are read relative to the baseline file's folder
//! (where `icslint check --format json > baseline.json` was run), so the
//! same baseline matches whichever directory the check runs from. Findings
//! that mean "this was not checked" (an unreadable or unparsable file, an
//! unusable pack or configuration) are never hidden: a baseline recorded
//! while a file was broken must not keep it unchecked for ever. Nor are
//! explained findings recorded or hidden: they are not failures, and once
//! an explanation lapses its finding must fail, not hide in the baseline.

use crate::diagnostic::Finding;
use crate::source::FileId;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Default)]
pub struct Baseline {
    counts: HashMap<(String, PathBuf, String), usize>,
}

impl Baseline {
    /// Reads a baseline whose relative paths are relative to `base`, the
    /// absolute folder of the baseline file.
    pub fn parse(text: &str, base: &Path) -> Result<Baseline, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let items = v.get("findings").and_then(|f| f.as_array()).ok_or(
            "expected the output of `icslint check --format json` (an object with `findings`)",
        )?;
        let mut counts = HashMap::new();
        for it in items {
            if it.get("status").and_then(|s| s.as_str()) == Some("explained") {
                continue;
            }
            let get = |k: &str| {
                it.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let path = it
                .get("location")
                .and_then(|l| l.get("path"))
                .and_then(|p| p.as_str())
                .unwrap_or_default();
            *counts
                .entry((get("rule"), normalise(&base.join(path)), get("message")))
                .or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Removes the findings the baseline records; returns how many.
    /// `path_of` gives the absolute path of a file.
    pub fn filter(
        &self,
        findings: &mut Vec<Finding>,
        path_of: impl Fn(FileId) -> PathBuf,
    ) -> usize {
        let mut left = self.counts.clone();
        let before = findings.len();
        findings.retain(|f| {
            if super::always_shown(&f.rule) || f.is_explained() {
                return true;
            }
            let key = (
                f.rule.to_string(),
                normalise(&path_of(f.file)),
                f.message.clone(),
            );
            match left.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        before - findings.len()
    }
}

/// Removes `.` and `..` components without touching the file system (the
/// recorded file may no longer exist).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;
    use std::path::Path;

    #[test]
    fn normalise_is_lexical() {
        assert_eq!(
            normalise(Path::new("/a/b/./c/../d.icg")),
            Path::new("/a/b/d.icg")
        );
    }
}
