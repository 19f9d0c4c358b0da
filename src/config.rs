//! `icslint.yaml`: which packs run, severity overrides, rule parameters,
//! local packs, excluded paths. The nearest `icslint.yaml` in a file's
//! directory or its ancestors applies to that file (as in ruff and ESLint).

use crate::diagnostic::Severity;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
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

/// The compiled `exclude:` patterns of one configuration.
///
/// Matching uses `globset` (ripgrep's matcher): the patterns become one
/// regular-expression automaton, so matching is linear in the path and a
/// pattern of any length never recurses. `*` and `?` stay within one path
/// segment, `**` spans any number of segments; a pattern without `/`
/// matches a name at any depth; a pattern that matches a folder excludes
/// everything inside it.
#[derive(Clone, Debug)]
pub struct Excludes {
    set: GlobSet,
}

impl Default for Excludes {
    fn default() -> Self {
        Excludes {
            set: GlobSet::empty(),
        }
    }
}

/// The longest `exclude:` pattern compiled, in bytes.
pub const MAX_PATTERN: usize = 4096;

/// An `exclude:` pattern that does not compile: its index in the list and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadGlob {
    pub index: usize,
    pub message: String,
}

impl Excludes {
    /// Compiles every pattern; a pattern that does not compile is refused
    /// (the caller reports it) and the others stay in force.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> (Excludes, Vec<BadGlob>) {
        let mut globs = Vec::new();
        let mut bad = Vec::new();
        for (index, p) in patterns.iter().enumerate() {
            let p = p.as_ref();
            // No path is longer (PATH_MAX); compiling a longer pattern would
            // only spend time building an automaton that matches nothing new.
            if p.len() > MAX_PATTERN {
                bad.push(BadGlob {
                    index,
                    message: format!(
                        "it is {} characters long; a pattern may have at most {MAX_PATTERN}",
                        p.len()
                    ),
                });
                continue;
            }
            let p = p.strip_prefix("./").unwrap_or(p);
            let p = p.strip_suffix('/').unwrap_or(p);
            let full = if p.contains('/') {
                p.to_string()
            } else {
                format!("**/{p}")
            };
            match GlobBuilder::new(&full)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
            {
                Ok(g) => globs.push((index, g)),
                Err(e) => bad.push(BadGlob {
                    index,
                    message: e.kind().to_string(),
                }),
            }
        }
        let build = |globs: &[(usize, Glob)]| {
            let mut b = GlobSetBuilder::new();
            for (_, g) in globs {
                b.add(g.clone());
            }
            b.build()
        };
        let set = match build(&globs) {
            Ok(set) => set,
            Err(_) => {
                // The automaton is too large (a pattern of a million `*`):
                // refuse the patterns too large on their own, keep the rest.
                let mut keep = Vec::new();
                for (i, g) in globs {
                    match build(&[(i, g.clone())]) {
                        Ok(_) => keep.push((i, g)),
                        Err(e) => bad.push(BadGlob {
                            index: i,
                            message: e.to_string(),
                        }),
                    }
                }
                match build(&keep) {
                    Ok(set) => set,
                    Err(e) => {
                        bad.extend(keep.iter().map(|(i, _)| BadGlob {
                            index: *i,
                            message: e.to_string(),
                        }));
                        GlobSet::empty()
                    }
                }
            }
        };
        bad.sort_by_key(|b| b.index);
        (Excludes { set }, bad)
    }

    /// Whether a `/`-separated path relative to the configuration's folder
    /// (or any folder above it in that path) is excluded.
    pub fn matches(&self, path: &str) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let path = path.trim_matches('/');
        self.set.is_match(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.set.is_match(&path[..i]))
    }
}

#[cfg(test)]
mod tests {
    use super::Excludes;

    fn glob_match(pattern: &str, path: &str) -> bool {
        let (ex, bad) = Excludes::new(&[pattern]);
        assert!(bad.is_empty(), "{bad:?}");
        ex.matches(path)
    }

    #[test]
    fn globs() {
        assert!(glob_match("drafts", "drafts/a.icg"));
        assert!(glob_match("*.draft.icg", "x/y.draft.icg"));
        assert!(glob_match("drafts/**", "drafts/a/b.icg"));
        assert!(glob_match("**/old/*.icg", "a/b/old/c.icg"));
        assert!(!glob_match("drafts/*.icg", "other/a.icg"));
        assert!(!glob_match("*.icg", "a.yaml"));
        assert!(glob_match("./drafts/", "drafts/a.icg"));
        assert!(!glob_match("*.icg", "drafts/a.yaml"));
        assert!(glob_match("a?c.icg", "abc.icg"));
    }

    #[test]
    fn an_invalid_pattern_is_refused_with_its_index() {
        let (ex, bad) = Excludes::new(&["ok.icg", "[unclosed"]);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].index, 1);
        assert!(ex.matches("ok.icg"), "the valid patterns stay in force");
    }
}
