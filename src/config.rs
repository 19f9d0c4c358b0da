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
use crate::source::Span;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The regimes icslint knows: the statutory guidance of 2022 and its 2025
/// revision. Every list of valid regimes is derived from [`Regime::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Regime {
    R2022,
    R2025,
}

impl Regime {
    pub const ALL: [Regime; 2] = [Regime::R2022, Regime::R2025];

    pub fn year(self) -> i64 {
        match self {
            Regime::R2022 => 2022,
            Regime::R2025 => 2025,
        }
    }

    pub fn from_year(year: i64) -> Option<Regime> {
        Regime::ALL.into_iter().find(|r| r.year() == year)
    }

    /// "2022 or 2025", for messages.
    pub fn choices() -> String {
        let years: Vec<String> = Regime::ALL.iter().map(|r| r.year().to_string()).collect();
        match years.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => years.concat(),
        }
    }
}

impl std::str::FromStr for Regime {
    type Err = String;
    fn from_str(s: &str) -> Result<Regime, String> {
        s.trim()
            .parse()
            .ok()
            .and_then(Regime::from_year)
            .ok_or_else(|| format!("the regime must be {}", Regime::choices()))
    }
}

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

/// A reason a configuration, or one of its values, cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

impl Problem {
    fn new(span: Span, message: impl Into<String>, help: impl Into<String>) -> Problem {
        Problem {
            span,
            message: message.into(),
            help: help.into(),
        }
    }
}

/// The keys an `icslint.yaml` may have.
pub const KEYS: &str = "regime, packs, severity, params, rules, exclude, select, ignore";

/// The most values (scalars, lists and mappings, aliases expanded) read
/// from one `icslint.yaml`.
pub const MAX_NODES: usize = 20_000;
/// The deepest nesting read from one `icslint.yaml`.
pub const MAX_YAML_DEPTH: usize = 16;

/// The budget of one `icslint.yaml`: far above any real configuration,
/// far below what would take time or memory to refuse.
fn budget() -> serde_saphyr::Budget {
    let mut b = serde_saphyr::Budget::default();
    b.max_depth = MAX_YAML_DEPTH;
    b.max_nodes = MAX_NODES;
    b.max_events = 4 * MAX_NODES;
    b.max_aliases = 1_000;
    b.max_anchors = 1_000;
    b.max_total_scalar_bytes = 16 << 20;
    b.max_documents = 1;
    b
}

/// The largest `icslint.yaml` read, in bytes.
pub const MAX_BYTES: usize = 16 << 20;

/// Decodes the bytes of an `icslint.yaml` or rule pack: UTF-8, with an
/// optional byte-order mark. Returns the text to keep (lossy where the
/// bytes are not UTF-8, so spans still point into it) and, when the bytes
/// cannot be used, why, with the span of the first bad byte.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Problem>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        return (
            text,
            Some(Problem::new(
                Span::new(0, 2),
                "this file is UTF-16 text, not UTF-8",
                "save it as UTF-8",
            )),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (
                text,
                Some(Problem::new(
                    Span::new(at, at + 1),
                    format!(
                        "this file is not UTF-8 text: byte {at} (0x{byte:02X}) is not valid UTF-8"
                    ),
                    "save the file as UTF-8; it was probably saved as Latin-1 or Windows-1252",
                )),
            )
        }
    }
}

/// A YAML mapping read as a list of entries, keeping every key (with its
/// span) in the order written.
struct Entries<K, V>(Vec<(K, V)>);

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Entries<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V2<K, V> {
            type Value = Entries<K, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V2(std::marker::PhantomData))
    }
}

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

/// The byte range of a value, shifted by `base` (a stripped byte-order mark).
fn span_of<T>(v: &Spanned<T>, base: usize) -> Span {
    location_span(&v.referenced, base)
}

fn location_span(l: &serde_saphyr::Location, base: usize) -> Span {
    let s = l.span();
    match (s.byte_offset(), s.byte_len()) {
        (Some(at), Some(len)) => Span::new(base + at as usize, base + (at + len) as usize),
        _ => Span::new(base, base),
    }
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
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    aliases.max_total_replayed_events = MAX_NODES;
    aliases.max_replay_stack_depth = MAX_YAML_DEPTH;
    let options = serde_saphyr::options! {
        budget: Some(budget()),
        alias_limits: aliases,
    };
    let raw: Raw = match serde_saphyr::from_str_with_options(body, options) {
        Ok(r) => r,
        Err(e) => {
            let span = e
                .location()
                .map_or(Span::new(base, base), |l| location_span(&l, base));
            let span = if span.start == span.end {
                // Point at the rest of the line rather than nothing.
                let end = text[span.start..]
                    .find('\n')
                    .map_or(text.len(), |n| span.start + n);
                Span::new(span.start, end)
            } else {
                span
            };
            problems.push(Problem::new(
                span,
                format!("this configuration cannot be used: {}", yaml_message(&e)),
                format!("known keys: {KEYS}; the file is ignored until it is fixed"),
            ));
            return (Config::default(), problems);
        }
    };
    let mut c = Config::default();
    if let Some(r) = raw.regime {
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
    c.select = raw.select.map(|s| prefixes(s, "select"));
    c.ignore = prefixes(raw.ignore, "ignore");
    (c, problems)
}

/// The YAML error's own words, without the position (the span says it);
/// a breach of the budget in plain words.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    if let serde_saphyr::Error::Budget { breach, .. } = e.without_snippet() {
        return match breach {
            B::Depth { .. } => format!("it is nested more than {MAX_YAML_DEPTH} levels deep"),
            B::Documents { .. } => "it holds more than one YAML document (`---`)".to_string(),
            _ => format!(
                "it has more than {MAX_NODES} values (aliases expanded), more than any configuration needs"
            ),
        };
    }
    let mut opts = serde_saphyr::RenderOptions::default();
    opts.snippets = serde_saphyr::SnippetMode::Off;
    let msg = e.render_with_options(opts);
    let msg = msg.lines().next().unwrap_or_default();
    if msg.contains("recursion limit") {
        return format!("it is nested more than {MAX_YAML_DEPTH} levels deep");
    }
    if msg.contains("alias replay limit") {
        return format!(
            "its aliases expand to more than {MAX_NODES} values, more than any configuration needs"
        );
    }
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
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
