//! `icslint.yaml`: which packs run, severity overrides, rule parameters,
//! local packs, excluded paths. The nearest `icslint.yaml` in a file's
//! directory or its ancestors applies to that file (as in ruff and ESLint).
//!
//! Loading never fails quietly: bytes that are not UTF-8, YAML that does not
//! parse or exceeds the budget, unknown keys and values outside their
//! allowed set (a regime, a severity, an empty rule prefix, a glob) are
//! problems with the span of the exact value, reported as ICG013 by the
//! workspace. The YAML is read with `serde-saphyr`, which keeps the position
//! of every value (`Spanned<T>`) and refuses alias bombs, deep nesting and
//! huge documents within a budget instead of expanding them.

use crate::diagnostic::Severity;
pub use crate::model::regime::Regime;
use crate::source::Span;
use crate::yaml::{self, span_of, Entries};
pub use crate::yaml::{decode, Problem};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One configuration, validated.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Regime of systems that do not state one.
    pub regime: Option<Regime>,
    /// Built-in packs to run; absent means all, `[]` means none.
    pub packs: Option<Vec<String>>,
    /// Rule ID → severity.
    pub severity: BTreeMap<String, Severity>,
    /// Rule ID → parameter → value.
    pub params: BTreeMap<String, BTreeMap<String, serde_yaml::Value>>,
    /// Local rule packs, relative to this file.
    pub rules: Vec<PathBuf>,
    /// Glob patterns, relative to this file's directory, of paths to skip.
    pub exclude: Vec<String>,
    /// `exclude`, compiled.
    pub excludes: Excludes,
    /// Only these rule IDs or prefixes (as `--select`), upper-cased.
    pub select: Option<Vec<String>>,
    /// Never these rule IDs or prefixes (as `--ignore`), upper-cased.
    pub ignore: Vec<String>,
    /// Where values were written, for the checks made once the packs are
    /// loaded (unknown rule IDs, packs and parameters).
    pub at: Positions,
}

/// Spans of the values of a configuration that are checked after loading.
#[derive(Clone, Debug, Default)]
pub struct Positions {
    /// The rule IDs used as keys of `severity` and `params`.
    pub rule_ids: Vec<(String, Span)>,
    /// `(rule, parameter)` keys of `params`.
    pub params: Vec<((String, String), Span)>,
    /// Each entry of `packs`, in order.
    pub packs: Vec<Span>,
    /// Each entry of `rules`, in order.
    pub rules: Vec<Span>,
    /// The value of `regime` (`icslint config` says where each setting came from).
    pub regime: Option<Span>,
    /// Each entry of `select`, `ignore` and `exclude`, in order.
    pub select: Vec<Span>,
    pub ignore: Vec<Span>,
    pub exclude: Vec<Span>,
}

impl Positions {
    pub fn rule_id(&self, id: &str) -> Span {
        self.rule_ids
            .iter()
            .find(|(r, _)| r == id)
            .map_or(Span::default(), |(_, s)| *s)
    }
    pub fn param(&self, rule: &str, name: &str) -> Span {
        self.params
            .iter()
            .find(|((r, n), _)| r == rule && n == name)
            .map_or_else(|| self.rule_id(rule), |(_, s)| *s)
    }
}

impl Config {
    pub fn severity_for(&self, rule: &str) -> Option<Severity> {
        self.severity.get(rule).copied()
    }
}

/// The keys an `icslint.yaml` may have.
pub const KEYS: &str = "regime, packs, severity, params, rules, exclude, select, ignore";

/// The most values (scalars, lists and mappings, aliases expanded) read
/// from one `icslint.yaml`.
pub const MAX_NODES: usize = 20_000;
/// The deepest nesting read from one `icslint.yaml`.
pub const MAX_YAML_DEPTH: usize = 16;

/// The largest `icslint.yaml` read, in bytes.
pub const MAX_BYTES: usize = 16 << 20;

type S<T> = Spanned<T>;

/// `icslint.yaml` as written, every value that can be wrong with its span.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    regime: Option<S<i64>>,
    packs: Option<Vec<S<String>>>,
    #[serde(default)]
    severity: Entries<S<String>, S<String>>,
    #[serde(default)]
    params: Entries<S<String>, Entries<S<String>, serde_yaml::Value>>,
    #[serde(default)]
    rules: Vec<S<String>>,
    #[serde(default)]
    exclude: Vec<S<String>>,
    select: Option<Vec<S<String>>>,
    #[serde(default)]
    ignore: Vec<S<String>>,
}

/// Loads an `icslint.yaml` from its text (already decoded). Problems come
/// with the span of the exact value; a value with a problem is left out
/// and the rest of the configuration is used.
pub fn load(text: &str) -> (Config, Vec<Problem>) {
    let mut problems = Vec::new();
    let base = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let body = &text[base..];
    if body.len() > MAX_BYTES {
        problems.push(Problem::new(
            Span::new(0, 0),
            format!(
                "this configuration is {} bytes; the most icslint reads is {MAX_BYTES}",
                body.len()
            ),
            "the file is ignored until it is smaller",
        ));
        return (Config::default(), problems);
    }
    if body
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return (Config::default(), problems);
    }
    let limits = yaml::Limits {
        max_nodes: MAX_NODES,
        max_depth: MAX_YAML_DEPTH,
        what: "configuration",
    };
    let raw: Raw = match yaml::from_str(body, base, limits) {
        Ok(r) => r,
        Err((span, message)) => {
            problems.push(Problem::new(
                span,
                format!("this configuration cannot be used: {message}"),
                format!("known keys: {KEYS}; the file is ignored until it is fixed"),
            ));
            return (Config::default(), problems);
        }
    };
    let mut c = Config::default();
    if let Some(r) = raw.regime {
        c.at.regime = Some(span_of(&r, base));
        match Regime::from_year(r.value) {
            Some(g) => c.regime = Some(g),
            None => problems.push(Problem::new(
                span_of(&r, base),
                format!("regime {} is not a regime icslint knows", r.value),
                format!(
                    "the regimes are {}; systems that state no regime are checked as 2022 until this is fixed",
                    Regime::choices()
                ),
            )),
        }
    }
    if let Some(packs) = raw.packs {
        c.packs = Some(packs.iter().map(|p| p.value.clone()).collect());
        c.at.packs = packs.iter().map(|p| span_of(p, base)).collect();
    }
    for (id, sev) in raw.severity.0 {
        c.at.rule_ids.push((id.value.clone(), span_of(&id, base)));
        match Severity::parse(sev.value.trim()) {
            Some(s) => {
                c.severity.insert(id.value, s);
            }
            None => problems.push(Problem::new(
                span_of(&sev, base),
                format!(
                    "severity `{}` for {} must be error, warning or advice",
                    sev.value, id.value
                ),
                "the rule keeps its own severity until this is fixed",
            )),
        }
    }
    for (id, params) in raw.params.0 {
        c.at.rule_ids.push((id.value.clone(), span_of(&id, base)));
        let entry = c.params.entry(id.value.clone()).or_default();
        for (name, value) in params.0 {
            c.at.params
                .push(((id.value.clone(), name.value.clone()), span_of(&name, base)));
            entry.insert(name.value, value);
        }
    }
    c.rules = raw.rules.iter().map(|r| PathBuf::from(&r.value)).collect();
    c.at.rules = raw.rules.iter().map(|r| span_of(r, base)).collect();
    let (excludes, bad) = Excludes::new(&raw.exclude.iter().map(|e| &e.value).collect::<Vec<_>>());
    for b in bad {
        problems.push(Problem::new(
            span_of(&raw.exclude[b.index], base),
            format!("this `exclude` pattern cannot be used: {}", b.message),
            "write a glob such as `drafts/**` or `*.old.icg`; nothing is excluded by this pattern",
        ));
    }
    c.at.exclude = raw.exclude.iter().map(|e| span_of(e, base)).collect();
    c.exclude = raw.exclude.into_iter().map(|e| e.value).collect();
    c.excludes = excludes;
    let mut prefixes = |list: Vec<S<String>>, key: &str| -> Vec<String> {
        let mut out = Vec::new();
        for p in list {
            let v = p.value.trim();
            if v.is_empty() {
                problems.push(Problem::new(
                    span_of(&p, base),
                    format!("an empty prefix in `{key}` would match every rule"),
                    "name rule IDs or prefixes such as CCN11 or STA; the empty one is left out",
                ));
            } else {
                out.push(v.to_ascii_uppercase());
            }
        }
        out
    };
    let (select_at, ignore_at) = (
        raw.select
            .iter()
            .flatten()
            .map(|p| span_of(p, base))
            .collect(),
        raw.ignore.iter().map(|p| span_of(p, base)).collect(),
    );
    c.select = raw.select.map(|s| prefixes(s, "select"));
    c.ignore = prefixes(raw.ignore, "ignore");
    c.at.select = select_at;
    c.at.ignore = ignore_at;
    (c, problems)
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
