//! `icslint.yaml`: which packs run, severity overrides, rule parameters,
//! local packs, excluded paths. The nearest `icslint.yaml` in a file's
//! directory or its ancestors applies to that file (as in ruff and ESLint).

use crate::diagnostic::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Regime of systems that do not state one (2022 or 2025).
    pub regime: Option<i64>,
    /// Built-in packs to run; absent means all, `[]` means none.
    pub packs: Option<Vec<String>>,
    /// Rule ID → error | warning | advice.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Rule ID → parameter → value.
    #[serde(default)]
    pub params: BTreeMap<String, BTreeMap<String, serde_yaml::Value>>,
    /// Local rule packs, relative to this file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Glob patterns, relative to this file's directory, of paths to skip.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Only these rule IDs or prefixes (as `--select`).
    pub select: Option<Vec<String>>,
    /// Never these rule IDs or prefixes (as `--ignore`).
    #[serde(default)]
    pub ignore: Vec<String>,
}

impl Config {
    pub fn severity_for(&self, rule: &str) -> Option<Severity> {
        self.severity.get(rule).and_then(|s| Severity::parse(s))
    }
}

/// Matches `pattern` against a `/`-separated relative path: `*` is any run of
/// characters within one segment, `?` one character, `**` any number of
/// segments. A pattern without `/` matches a name at any depth.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if !pattern.contains('/') {
        return segs
            .iter()
            .any(|s| seg_match(pattern.as_bytes(), s.as_bytes()));
    }
    let pats: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    segs_match(&pats, &segs) || (0..segs.len()).any(|n| segs_match(&pats, &segs[..n]))
}

fn segs_match(p: &[&str], s: &[&str]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(&"**"), _) => segs_match(&p[1..], s) || (!s.is_empty() && segs_match(p, &s[1..])),
        (Some(pp), Some(ss)) => {
            seg_match(pp.as_bytes(), ss.as_bytes()) && segs_match(&p[1..], &s[1..])
        }
        _ => false,
    }
}

fn seg_match(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => seg_match(&p[1..], s) || (!s.is_empty() && seg_match(p, &s[1..])),
        (Some(b'?'), Some(_)) => seg_match(&p[1..], &s[1..]),
        (Some(a), Some(b)) => a == b && seg_match(&p[1..], &s[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("drafts", "drafts/a.icg"));
        assert!(glob_match("*.draft.icg", "x/y.draft.icg"));
        assert!(glob_match("drafts/**", "drafts/a/b.icg"));
        assert!(glob_match("**/old/*.icg", "a/b/old/c.icg"));
        assert!(!glob_match("drafts/*.icg", "other/a.icg"));
        assert!(!glob_match("*.icg", "a.yaml"));
    }
}
