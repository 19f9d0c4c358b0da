//! The rule-pack schema (a public interface: see README, "Writing a rule
//! pack") and its loader. Built-in packs are compiled in with
//! `include_str!` and loaded exactly like a user's own pack.

// A rule that fails to compile is reported as a whole Finding; loading is a
// cold path, so the large error variant costs nothing worth boxing for.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use super::builtin::{self, Builtin};
use super::check::{self, compile_template, CompileError, Node, Piece, Scope, T};
use super::frozen;
use crate::diagnostic::{icg, Finding, Provenance, Severity};
use crate::model::regime::Regime;
use crate::model::schema;
use crate::source::{FileId, Span};
use crate::yaml::{self, Entries};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::HashMap;

pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("statutory", include_str!("../../rules/statutory.yaml")),
    ("ccn-2022", include_str!("../../rules/ccn-2022.yaml")),
    ("hfma-2021", include_str!("../../rules/hfma-2021.yaml")),
    (
        "nhsconfed-2025",
        include_str!("../../rules/nhsconfed-2025.yaml"),
    ),
    (
        "health-bill-2026",
        include_str!("../../rules/health-bill-2026.yaml"),
    ),
];

type S<T> = Spanned<T>;

/// The most values (aliases expanded) read from one rule pack: far above
/// any real pack (the largest built-in pack, 31 rules, is 1,132 lines),
/// far below what takes time or memory to refuse.
pub const MAX_NODES: usize = 50_000;
/// The deepest nesting read from one rule pack (a rule needs five levels).
pub const MAX_YAML_DEPTH: usize = 24;
/// The largest rule pack read, in bytes.
pub const MAX_BYTES: usize = 16 << 20;

/// The fields of a pack and of a rule, for suggestions.
const PACK_FIELDS: &[&str] = &[
    "pack",
    "title",
    "source",
    "published",
    "enacted",
    "rules",
    "attestation",
    "unconfirmed",
    "context",
];
const RULE_FIELDS: &[&str] = &[
    "id",
    "name",
    "provenance",
    "explainable",
    "severity",
    "regimes",
    "by_regime",
    "scope",
    "for_each",
    "when",
    "let",
    "assert",
    "at",
    "labels",
    "builtin",
    "params",
    "message",
    "messages",
    "help",
    "description",
    "why",
    "examples",
    "fix",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackDef {
    pack: String,
    title: String,
    source: String,
    published: Option<String>,
    /// `enacted: false`: the pack's source is a Bill, not law. Every rule's
    /// severity is capped at warning and every message must say
    /// "provisional" (ICG012 otherwise). Default: enacted.
    enacted: Option<S<bool>>,
    rules: Vec<RuleDef>,
    #[serde(default)]
    attestation: Vec<AttestationDef>,
    #[serde(default)]
    unconfirmed: Vec<UnconfirmedDef>,
    #[serde(default)]
    context: Vec<ContextDef>,
}

/// `context: [{ rules: [STA030], source: "...", url: "...", summary: "..." }]`:
/// a stakeholder's position on what a rule asks, for a briefing (not a
/// requirement; `transition --format markdown|html` cites it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextDef {
    #[serde(default)]
    rules: Vec<S<String>>,
    source: S<String>,
    url: Option<S<String>>,
    summary: S<String>,
}

/// A stakeholder's position on what rules of a pack ask, with its source.
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct Context {
    pub rules: Vec<String>,
    pub source: String,
    pub url: Option<String>,
    pub summary: String,
}

/// `unconfirmed: [{ ref: "HB01", rules: [STA001], summary: "..." }]`: what
/// the pack's sources were searched for and do not say, and the rules (of
/// any pack) left as they are because of it. `explain` shows it under
/// each rule named.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnconfirmedDef {
    #[serde(rename = "ref")]
    reference: S<String>,
    #[serde(default)]
    rules: Vec<S<String>>,
    summary: S<String>,
}

/// What a pack's sources are silent on, and the rules it leaves as they are.
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct Unconfirmed {
    pub reference: String,
    pub rules: Vec<String>,
    pub summary: String,
}

/// The most a rule of a pack that is not enacted (a Bill) may report.
pub const PROVISIONAL_CAP: Severity = Severity::Warning;
/// The word every message of a pack that is not enacted must contain.
pub const PROVISIONAL_WORD: &str = "provisional";

/// `attestation: [{ ref: "Recommendation 1", summary: "..." }]`: what the
/// source recommends that no governance document can show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttestationDef {
    source: Option<String>,
    #[serde(rename = "ref")]
    reference: S<String>,
    summary: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvDef {
    source: String,
    #[serde(rename = "ref")]
    reference: String,
    summary: String,
}

/// `scope: council` or `scope: [council, place]`; each name with its span
/// (a single name takes the span of the whole value).
#[derive(Debug)]
enum ScopeDef {
    One(String),
    Many(Vec<S<String>>),
}

impl<'de> Deserialize<'de> for ScopeDef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ScopeDef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a block kind or a list of block kinds")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ScopeDef, E> {
                Ok(ScopeDef::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ScopeDef, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element()? {
                    out.push(x);
                }
                Ok(ScopeDef::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelDef {
    each: S<String>,
    message: S<String>,
}

/// How a rule speaks under one regime: `by_regime: { 2025: { severity: advice, message: "..." } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegimeDef {
    severity: Option<S<String>>,
    message: Option<S<String>>,
    /// `requires: icp`: under this regime the rule applies only where the
    /// system has a block of this kind (the Health Bill makes ICPs
    /// optional, so the ICP rules apply only where an ICP exists).
    requires: Option<S<String>>,
}

/// A rule's severity and message under one regime, where they differ.
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct RegimeVariant {
    pub regime: i64,
    pub severity: Severity,
    pub message: Option<Vec<Piece>>,
    /// The block kind the system must have for the rule to apply under
    /// this regime (`requires: icp`).
    #[serde(with = "frozen::opt_static_str")]
    pub requires: frozen::OptKind,
}

#[derive(Debug, Default, Deserialize, serde::Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fail: String,
    #[serde(default)]
    pub pass: String,
}

/// A rule as written: every value that can be wrong carries its span.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: S<String>,
    name: S<String>,
    provenance: ProvDef,
    severity: S<String>,
    #[serde(default)]
    regimes: Vec<S<i64>>,
    #[serde(default)]
    by_regime: Entries<S<i64>, RegimeDef>,
    scope: S<ScopeDef>,
    for_each: Option<S<String>>,
    when: Option<S<String>>,
    #[serde(rename = "let", default)]
    lets: Entries<S<String>, S<serde_yaml::Value>>,
    assert: Option<S<String>>,
    at: Option<S<String>>,
    #[serde(default)]
    labels: Vec<LabelDef>,
    builtin: Option<S<String>>,
    #[serde(default)]
    params: Entries<S<String>, S<serde_yaml::Value>>,
    message: S<String>,
    #[serde(default)]
    messages: Entries<S<String>, S<serde_yaml::Value>>,
    help: S<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    why: String,
    #[serde(default)]
    examples: Examples,
    fix: Option<FixDef>,
    /// A recommendation ("should") a board may depart from with an
    /// `explain` block; statutory duties leave it out (false).
    #[serde(default)]
    explainable: bool,
}

/// `fix: { insert: "membership_review every 12 months", into: self, title: "..." }`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixDef {
    insert: S<String>,
    #[serde(default)]
    into: Option<S<String>>,
    title: S<String>,
}

/// A rule's fix: a line (a template, like the message) inserted at the
/// right indentation in the block the rule ran on, or replacing the
/// attribute with the same key there. Always unsafe: it changes what the
/// document says.
#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct RuleFix {
    pub insert: Vec<Piece>,
    pub title: Vec<Piece>,
}

#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub enum At {
    Header,
    Path(Node),
}

#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    /// A literal expression (`5`, `£19`, `3 years`, `0.6`).
    pub value: Node,
    pub ty: T,
    pub text: String,
}

#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub enum Check {
    Expr {
        for_each: Option<Node>,
        when: Option<Node>,
        lets: Vec<(String, Node)>,
        assert: Node,
        at: Option<At>,
    },
    Builtin(#[serde(with = "frozen::builtin")] &'static Builtin),
}

#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub pack: String,
    pub severity: Severity,
    pub regimes: Vec<i64>,
    /// Severity and message under particular regimes (STA008 is advice under 2025).
    pub by_regime: Vec<RegimeVariant>,
    #[serde(with = "frozen::vec_static_str")]
    pub scope: Vec<&'static str>,
    pub provenance: Provenance,
    pub description: String,
    pub why: String,
    pub examples: Examples,
    pub check: Check,
    pub message: Vec<Piece>,
    #[serde(with = "frozen::sorted_map")]
    pub messages: HashMap<String, Vec<Piece>>,
    pub help: Vec<Piece>,
    pub help_text: String,
    pub message_text: String,
    pub labels: Vec<(Node, Vec<Piece>)>,
    pub params: Vec<Param>,
    pub fix: Option<RuleFix>,
    /// Whether a document may explain a departure from it ("comply or
    /// explain"): the recommendations, never a statutory duty.
    pub explainable: bool,
    /// The pack file and the span of this rule's `id:` in it.
    pub file: FileId,
    pub span: Span,
    /// The rule's `when:` as written: the condition under which it applies
    /// (the conformance report's "not applicable" quotes it).
    pub condition: Option<String>,
    /// The most this rule may report whatever a configuration says: set
    /// (to [`PROVISIONAL_CAP`]) when its pack is not enacted.
    pub max_severity: Option<Severity>,
}

#[derive(Clone, Debug, serde::Serialize, Deserialize)]
pub struct Pack {
    pub name: String,
    pub title: String,
    pub source: String,
    pub published: Option<String>,
    pub builtin: bool,
    pub rules: Vec<Rule>,
    /// What the source recommends that a system's documents cannot show:
    /// a board attests to it (the conformance report lists each item so the
    /// whole recommendation set is seen, not only what a linter can check).
    pub attestation: Vec<Provenance>,
    /// False for a Bill's pack (`enacted: false`): its findings are
    /// provisional and at most warnings.
    pub enacted: bool,
    /// What the pack's sources are silent on (see [`Unconfirmed`]).
    pub unconfirmed: Vec<Unconfirmed>,
    /// Positions on what the pack's rules ask (see [`Context`]).
    pub context: Vec<Context>,
    pub file: FileId,
}

impl Pack {
    /// The notes of `packs` that name `rule` as left unchanged for want of
    /// a confirmed source, with the pack that wrote each.
    pub fn unconfirmed_for<'a>(
        packs: impl IntoIterator<Item = &'a Pack>,
        rule: &str,
    ) -> Vec<(&'a Pack, &'a Unconfirmed)> {
        packs
            .into_iter()
            .flat_map(|p| p.unconfirmed.iter().map(move |u| (p, u)))
            .filter(|(_, u)| u.rules.iter().any(|r| r == rule))
            .collect()
    }
}

/// Adds the built-in packs' texts to `sources` and returns the compiled packs.
/// They are compiled once per process: a workspace that registers them
/// first (as `Workspace` does) gets the same `FileId`s and a copy.
pub fn builtin_packs(sources: &mut crate::source::Sources) -> (Vec<Pack>, Vec<Finding>) {
    let ids = add_builtin_sources(sources);
    compiled_builtin_packs(&ids)
}

type Compiled = (Vec<FileId>, Vec<Pack>, Vec<Finding>);
static COMPILED: std::sync::OnceLock<Compiled> = std::sync::OnceLock::new();

/// Adds the built-in packs' texts to `sources`: their `FileId`s, in order.
pub fn add_builtin_sources(sources: &mut crate::source::Sources) -> Vec<FileId> {
    BUILTIN_PACKS
        .iter()
        .map(|(name, text)| sources.add(format!("<builtin>/{name}.yaml"), text.to_string()))
        .collect()
}

fn compile_builtin(ids: &[FileId]) -> (Vec<Pack>, Vec<Finding>) {
    let (mut packs, mut findings) = (Vec::new(), Vec::new());
    for ((_, text), file) in BUILTIN_PACKS.iter().zip(ids) {
        let (p, f) = load_pack(text, *file, true);
        packs.extend(p);
        findings.extend(f);
    }
    (packs, findings)
}

fn compiled() -> &'static Compiled {
    COMPILED.get_or_init(|| {
        let ids = builtin_ids();
        // The form made ahead (`frozen`), unless it is stale: then the
        // packs are compiled here, as they were made.
        let (p, f) = match frozen::thaw() {
            Some(packs) => (packs, Vec::new()),
            None => compile_builtin(&ids),
        };
        (ids, p, f)
    })
}

/// The `FileId`s the built-in packs' texts get when a `Sources` registers
/// them first (as [`add_builtin_sources`] on an empty one does).
fn builtin_ids() -> Vec<FileId> {
    (0..BUILTIN_PACKS.len() as u32).map(FileId).collect()
}

/// The built-in packs compiled now from their texts, never from the form
/// made ahead: what `tests/frozen_packs.rs` compares that form with.
pub fn compile_builtin_now() -> (Vec<Pack>, Vec<Finding>) {
    compile_builtin(&builtin_ids())
}

/// Compiles the built-in packs for this process now: `Workspace::load`
/// calls it on a second thread while it reads and parses the files.
pub fn warm_builtin_packs() {
    compiled();
}

/// The built-in packs compiled for the `FileId`s [`add_builtin_sources`]
/// gave (the per-process copy when they are the usual ones).
pub fn compiled_builtin_packs(ids: &[FileId]) -> (Vec<Pack>, Vec<Finding>) {
    let (cached_ids, packs, findings) = compiled();
    if cached_ids == ids {
        (packs.clone(), findings.clone())
    } else {
        compile_builtin(ids)
    }
}

fn bad(file: FileId, span: Span, msg: impl Into<String>) -> Finding {
    icg::finding(icg::BAD_PACK, file, span, msg)
}

/// Where values of one pack were written: spans are shifted by `base` (a
/// byte-order mark left in the text), and an offset inside a string value
/// is mapped back to the character written in the file.
struct Where<'a> {
    text: &'a str,
    base: usize,
}

impl Where<'_> {
    fn span<T>(&self, v: &S<T>) -> Span {
        let s = yaml::span_of(v, self.base);
        Span::new(s.start.min(self.text.len()), s.end.min(self.text.len()))
    }
    /// The span of `value[range]` in the file, `value` being written at `v`.
    fn inside<T>(&self, v: &S<T>, value: &str, range: Span) -> Span {
        let at = self.span(v);
        let raw = &self.text[at.start..at.end];
        let start = yaml::source_offset(raw, at.start, value, range.start);
        let end = yaml::source_offset(raw, at.start, value, range.end.max(range.start + 1));
        Span::new(start, end.max(start + 1).min(self.text.len().max(start)))
    }
}

/// Loads and compiles one pack. A rule that does not compile is left out,
/// with an ICG012 finding pointing at the value in the YAML; the other
/// rules load. The YAML is read within a budget: an alias bomb, a deep or
/// huge document is refused with one finding, never expanded.
pub fn load_pack(text: &str, file: FileId, builtin: bool) -> (Option<Pack>, Vec<Finding>) {
    let mut findings = Vec::new();
    let base = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let body = &text[base..];
    const HELP: &str = "see README, \"Writing a rule pack\", for the fields a pack and a rule take";
    if body.len() > MAX_BYTES {
        findings.push(
            bad(
                file,
                Span::new(0, 0),
                format!(
                    "this rule pack is {} bytes; the most icslint reads is {MAX_BYTES}",
                    body.len()
                ),
            )
            .help(HELP),
        );
        return (None, findings);
    }
    let limits = yaml::Limits {
        max_nodes: MAX_NODES,
        max_depth: MAX_YAML_DEPTH,
        what: "rule pack",
    };
    let def: PackDef = match yaml::from_str(body, base, limits) {
        Ok(d) => d,
        Err((span, message)) => {
            let hint = unknown_field_hint(&message);
            // With a suggestion, the list of every field is noise.
            let message = match message.find(", expected one of") {
                Some(i) if !hint.is_empty() => &message[..i],
                _ => &message,
            };
            findings.push(
                bad(
                    file,
                    span,
                    format!("this rule pack cannot be loaded: {message}{hint}"),
                )
                .help(HELP),
            );
            return (None, findings);
        }
    };
    let at = Where { text, base };
    let mut rules = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    for r in def.rules {
        let id_span = at.span(&r.id);
        if let Some(prev) = seen.get(&r.id.value) {
            findings.push(
                bad(
                    file,
                    id_span,
                    format!("the rule ID {} is used twice in this pack", r.id.value),
                )
                .label(file, *prev, "first used here"),
            );
            continue;
        }
        seen.insert(r.id.value.clone(), id_span);
        match compile_rule(r, &def.pack, file, &at) {
            Ok(rule) => rules.push(rule),
            Err(f) => findings.push(f),
        }
    }
    let enacted = def.enacted.as_ref().is_none_or(|e| e.value);
    if !enacted {
        rules.retain_mut(|r| match provisional(r, file) {
            Ok(()) => true,
            Err(f) => {
                findings.push(f);
                false
            }
        });
    }
    let mut unconfirmed = Vec::new();
    for u in def.unconfirmed {
        for (what, v) in [("ref", &u.reference), ("summary", &u.summary)] {
            if v.value.trim().is_empty() {
                findings.push(bad(
                    file,
                    at.span(v),
                    format!("an unconfirmed item needs a non-empty `{what}`"),
                ));
            }
        }
        unconfirmed.push(Unconfirmed {
            reference: u.reference.value,
            rules: u.rules.into_iter().map(|r| r.value).collect(),
            summary: u.summary.value,
        });
    }
    let mut context = Vec::new();
    for c in def.context {
        for (what, v) in [("source", &c.source), ("summary", &c.summary)] {
            if v.value.trim().is_empty() {
                findings.push(bad(
                    file,
                    at.span(v),
                    format!("a context item needs a non-empty `{what}`"),
                ));
            }
        }
        context.push(Context {
            rules: c.rules.into_iter().map(|r| r.value).collect(),
            source: c.source.value,
            url: c.url.map(|u| u.value),
            summary: c.summary.value,
        });
    }
    let mut attestation = Vec::new();
    for a in def.attestation {
        for (what, v) in [("ref", &a.reference), ("summary", &a.summary)] {
            if v.value.trim().is_empty() {
                findings.push(bad(
                    file,
                    at.span(v),
                    format!("an attestation item needs a non-empty `{what}`"),
                ));
            }
        }
        attestation.push(Provenance {
            source: a.source.unwrap_or_else(|| def.source.clone()),
            reference: a.reference.value,
            summary: a.summary.value,
        });
    }
    let pack = Pack {
        name: def.pack,
        title: def.title,
        source: def.source,
        published: def.published,
        builtin,
        rules,
        attestation,
        enacted,
        unconfirmed,
        context,
        file,
    };
    (Some(pack), findings)
}

/// A rule of a pack that is not enacted: its severities capped at
/// [`PROVISIONAL_CAP`], and every message it can give saying it is
/// provisional (a message that does not is an ICG012 at the rule's `id:`,
/// and the rule is left out: a Bill's finding must never read as law).
fn provisional(r: &mut Rule, file: FileId) -> Result<(), Finding> {
    let says = |pieces: &[Piece]| {
        pieces.iter().any(|p| match p {
            Piece::Text(s) => s.to_lowercase().contains(PROVISIONAL_WORD),
            _ => false,
        })
    };
    let mut silent = Vec::new();
    if !says(&r.message) {
        silent.push("`message`".to_string());
    }
    for v in &r.by_regime {
        if v.message.as_ref().is_some_and(|m| !says(m)) {
            silent.push(format!("the `by_regime` message for {}", v.regime));
        }
    }
    let mut keys: Vec<&String> = r.messages.keys().collect();
    keys.sort();
    for k in keys {
        if !says(&r.messages[k]) {
            silent.push(format!("`messages: {k}`"));
        }
    }
    if !silent.is_empty() {
        return Err(bad(
            file,
            r.span,
            format!(
                "rule {}: its pack is not enacted (`enacted: false`), so every message must say it is {PROVISIONAL_WORD} and cite the clause; {} does not",
                r.id,
                crate::text::and_list(&silent)
            ),
        )
        .help("write, e.g., \"provisional: Health Bill clause 21, not yet law\" into the message"));
    }
    r.severity = r.severity.min(PROVISIONAL_CAP);
    for v in &mut r.by_regime {
        v.severity = v.severity.min(PROVISIONAL_CAP);
    }
    r.max_severity = Some(PROVISIONAL_CAP);
    Ok(())
}

/// "; did you mean `severity`?" for an unknown field of a pack or a rule.
fn unknown_field_hint(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return String::new();
    };
    let Some((field, _)) = rest.split_once('`') else {
        return String::new();
    };
    schema::suggest(field, PACK_FIELDS.iter().chain(RULE_FIELDS).copied())
        .map_or(String::new(), |s| format!("; did you mean `{s}`?"))
}

fn compile_rule(r: RuleDef, pack: &str, file: FileId, at: &Where) -> Result<Rule, Finding> {
    let id = r.id.value.clone();
    let id_span = at.span(&r.id);
    let fail = |span: Span, msg: String| bad(file, span, format!("rule {id}: {msg}"));
    let id_ok = id.len() >= 4
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && id.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if !id_ok {
        return Err(fail(
            id_span,
            "rule IDs are capital letters and digits, like CCN111".into(),
        ));
    }
    if id.starts_with("ICG") {
        return Err(fail(
            id_span,
            "the ICG prefix is reserved for language diagnostics".into(),
        ));
    }
    let name = &r.name.value;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(fail(
            at.span(&r.name),
            format!("the name `{name}` must be kebab-case, like membership-review"),
        ));
    }
    let Some(severity) = Severity::parse(&r.severity.value) else {
        return Err(fail(
            at.span(&r.severity),
            format!(
                "severity `{}` must be error, warning or advice",
                r.severity.value
            ),
        ));
    };
    let regime = |g: &S<i64>| {
        Regime::from_year(g.value).ok_or_else(|| {
            fail(
                at.span(g),
                format!("regime {} is not {}", g.value, Regime::choices()),
            )
        })
    };
    for g in &r.regimes {
        regime(g)?;
    }
    let scope_names: Vec<(String, Span)> = match &r.scope.value {
        ScopeDef::One(s) => vec![(s.clone(), at.span(&r.scope))],
        ScopeDef::Many(v) => v.iter().map(|s| (s.value.clone(), at.span(s))).collect(),
    };
    let mut scope = Vec::new();
    for (s, span) in &scope_names {
        match schema::kind(s) {
            Some(k) => scope.push(k.name),
            None => {
                let hint = schema::suggest(s, schema::kind_names())
                    .map_or(String::new(), |x| format!("; did you mean `{x}`?"));
                return Err(fail(
                    *span,
                    format!("scope `{s}` is not a block kind{hint}"),
                ));
            }
        }
    }
    let scope_ty = T::Block(if scope.len() == 1 {
        Some(scope[0])
    } else {
        None
    });
    let mut sc = Scope {
        current: scope_ty.clone(),
        self_ty: scope_ty,
        vars: HashMap::new(),
    };

    // Errors inside an expression point at its characters in the YAML.
    let at_expr = |key: &str, v: &S<String>, e: CompileError| {
        bad(
            file,
            at.inside(v, &v.value, e.span),
            format!("rule {id}: in `{key}`: {}", e.message),
        )
    };
    // A value written as a number or a word: its text, with its span.
    let scalar = |v: &S<serde_yaml::Value>| S {
        value: yaml_scalar(&v.value),
        referenced: v.referenced,
        defined: v.defined,
    };

    let mut params = Vec::new();
    for (k, v) in &r.params.0 {
        let name = k.value.clone();
        let text = scalar(v);
        let (node, ty) = check::compile_str(&text.value, &Scope::empty())
            .map_err(|e| at_expr("params", &text, e))?;
        if !is_literal(&node) {
            return Err(fail(
                at.span(v),
                format!("parameter `{name}` must be a literal value, like 5, 50%, £19 or 3 years"),
            ));
        }
        sc.vars.insert(name.clone(), ty.clone());
        params.push(Param {
            name,
            value: node,
            ty,
            text: text.value,
        });
    }

    let compile = |key: &str, src: &S<String>, sc: &Scope| {
        check::compile_str(&src.value, sc).map_err(|e| at_expr(key, src, e))
    };

    let check = match (&r.builtin, &r.assert) {
        (Some(b), None) => match builtin::find(&b.value) {
            Some(bi) => {
                let b_span = at.span(b);
                let b = &b.value;
                if !scope.contains(&bi.scope) {
                    return Err(fail(
                        b_span,
                        format!(
                            "builtin `{b}` runs on `{}` blocks; set `scope: {}`",
                            bi.scope, bi.scope
                        ),
                    ));
                }
                for v in bi.vars {
                    sc.vars.insert(v.to_string(), T::Str);
                }
                for p in bi.params {
                    if !params.iter().any(|x| x.name == *p) {
                        return Err(fail(
                            b_span,
                            format!("builtin `{b}` needs the parameter `{p}`"),
                        ));
                    }
                }
                Check::Builtin(bi)
            }
            None => {
                let hint = builtin::suggest(&b.value)
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Err(fail(
                    at.span(b),
                    format!("there is no builtin check `{}`{hint}", b.value),
                ));
            }
        },
        (None, Some(a)) => {
            let for_each = match &r.for_each {
                Some(src) => {
                    let (n, t) = compile("for_each", src, &sc)?;
                    sc.current = match t {
                        T::List(inner) => *inner,
                        T::Block(k) => T::Block(k),
                        other => {
                            return Err(at_expr(
                                "for_each",
                                src,
                                CompileError {
                                    span: n.span,
                                    message: format!(
                                        "`for_each` needs a list of blocks, but this is {}",
                                        other.describe()
                                    ),
                                },
                            ))
                        }
                    };
                    Some(n)
                }
                None => None,
            };
            let when = match &r.when {
                Some(src) => Some(compile("when", src, &sc)?.0),
                None => None,
            };
            let mut lets = Vec::new();
            for (k, v) in &r.lets.0 {
                let name = k.value.clone();
                let (n, t) = compile(&name, &scalar(v), &sc)?;
                sc.vars.insert(name.clone(), t);
                lets.push((name, n));
            }
            let (assert, _) = compile("assert", a, &sc)?;
            let at = match &r.at {
                None => None,
                Some(src) if src.value == "header" => Some(At::Header),
                Some(src) => Some(At::Path(compile("at", src, &sc)?.0)),
            };
            Check::Expr {
                for_each,
                when,
                lets,
                assert,
                at,
            }
        }
        (Some(_), Some(_)) => {
            return Err(fail(
                id_span,
                "give either `assert` or `builtin`, not both".into(),
            ))
        }
        (None, None) => {
            return Err(fail(
                id_span,
                "a rule needs `assert` (an expression) or `builtin` (a check written in Rust)"
                    .into(),
            ))
        }
    };

    let tmpl = |key: &str, src: &S<String>, sc: &Scope| {
        compile_template(&src.value, sc).map_err(|e| at_expr(key, src, e))
    };
    let message = tmpl("message", &r.message, &sc)?;
    let help = tmpl("help", &r.help, &sc)?;
    let mut by_regime = Vec::new();
    for (g, v) in &r.by_regime.0 {
        regime(g)?;
        let sev = match &v.severity {
            None => severity,
            Some(x) => Severity::parse(&x.value).ok_or_else(|| {
                fail(
                    at.span(x),
                    format!("severity `{}` must be error, warning or advice", x.value),
                )
            })?,
        };
        let message = match &v.message {
            Some(m) => Some(tmpl("by_regime", m, &sc)?),
            None => None,
        };
        let requires = match &v.requires {
            None => None,
            Some(k) => match schema::kind(&k.value) {
                Some(kind) => Some(kind.name),
                None => {
                    let hint = schema::suggest(&k.value, schema::kind_names())
                        .map_or(String::new(), |x| format!("; did you mean `{x}`?"));
                    return Err(fail(
                        at.span(k),
                        format!("`requires: {}` is not a block kind{hint}", k.value),
                    ));
                }
            },
        };
        by_regime.push(RegimeVariant {
            regime: g.value,
            severity: sev,
            message,
            requires,
        });
    }
    by_regime.sort_by_key(|v| v.regime);
    let mut messages = HashMap::new();
    for (k, v) in &r.messages.0 {
        let name = k.value.clone();
        messages.insert(name.clone(), tmpl(&name, &scalar(v), &sc)?);
    }
    if let Check::Builtin(bi) = &check {
        for m in bi.messages {
            if !messages.contains_key(*m) {
                let span = r.builtin.as_ref().map_or(id_span, |b| at.span(b));
                return Err(fail(
                    span,
                    format!(
                        "builtin `{}` needs a message for `{m}` under `messages:`",
                        bi.name
                    ),
                ));
            }
        }
    }
    let mut labels = Vec::new();
    for l in &r.labels {
        let (each, t) = compile("each", &l.each, &sc)?;
        let inner = Scope {
            current: match t {
                T::List(x) => *x,
                x => x,
            },
            ..sc.clone()
        };
        labels.push((each, tmpl("message", &l.message, &inner)?));
    }
    let fix = match &r.fix {
        None => None,
        Some(fx) => {
            if let Some(into) = fx.into.as_ref().filter(|i| i.value != "self") {
                return Err(fail(
                    at.span(into),
                    "`fix: into:` takes `self` (the block the rule ran on)".into(),
                ));
            }
            if let Some(why) = ill_formed(&fx.insert.value) {
                return Err(fail(
                    at.span(&fx.insert),
                    format!("`fix: insert:` is not a well-formed ICG line: {why}"),
                ));
            }
            Some(RuleFix {
                insert: tmpl("fix", &fx.insert, &sc)?,
                title: tmpl("fix", &fx.title, &sc)?,
            })
        }
    };
    Ok(Rule {
        id,
        name: r.name.value,
        pack: pack.to_string(),
        severity,
        regimes: r.regimes.iter().map(|g| g.value).collect(),
        by_regime,
        scope,
        provenance: Provenance {
            source: r.provenance.source,
            reference: r.provenance.reference,
            summary: r.provenance.summary,
        },
        description: r.description,
        why: r.why,
        examples: r.examples,
        check,
        message,
        messages,
        help,
        help_text: r.help.value,
        message_text: r.message.value,
        labels,
        params,
        fix,
        explainable: r.explainable,
        file,
        span: id_span,
        condition: r.when.map(|w| w.value),
        max_severity: None,
    })
}

/// Why a fix's insert text (a template) would not parse inside a block,
/// its `{...}` placeholders taken as words.
fn ill_formed(insert: &str) -> Option<String> {
    let mut text = String::new();
    let mut chars = insert.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                }
                text.push_str("placeholder");
            }
            c => text.push(c),
        }
    }
    if text.trim().is_empty() {
        return Some("it is empty".into());
    }
    let parsed = crate::syntax::parse(&format!("fix_target {{\n{text}\n}}\n"));
    parsed.errors.first().map(|e| e.message.clone())
}

impl Rule {
    /// "all regimes" or "regime 2022, 2025".
    pub fn regimes_text(&self) -> String {
        let mut s = if self.regimes.is_empty() {
            "all regimes".to_string()
        } else {
            format!(
                "regime {}",
                self.regimes
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        for v in &self.by_regime {
            s.push_str(&format!(
                "; {} under regime {}",
                v.severity.as_str(),
                v.regime
            ));
            if let Some(k) = v.requires {
                s.push_str(&format!(", and only where {}", kind_exists(k)));
            }
        }
        s
    }

    /// The block kind a system must have for the rule to apply under
    /// `regime`, if any (`by_regime: { 2026: { requires: icp } }`).
    pub fn requires(&self, regime: i64) -> Option<&'static str> {
        self.by_regime
            .iter()
            .find(|v| v.regime == regime)
            .and_then(|v| v.requires)
    }

    /// The help text as documentation: `{{`/`}}` become braces; `{expr}`
    /// placeholders stay, naming what the finding fills in.
    pub fn help_doc(&self) -> String {
        self.help_text
            .replace("{{", "\u{0}")
            .replace("}}", "\u{1}")
            .replace('\u{0}', "{")
            .replace('\u{1}', "}")
    }
}

/// "an ICP exists", in plain English, for a block kind a rule requires.
pub fn kind_exists(kind: &str) -> String {
    match kind {
        "icp" => "an ICP exists".to_string(),
        "hwb" => "a health and wellbeing board exists".to_string(),
        "icb" => "an ICB exists".to_string(),
        k => format!("a `{k}` block exists"),
    }
}

fn yaml_scalar(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn is_literal(n: &Node) -> bool {
    use check::E;
    match &n.e {
        E::Num(_)
        | E::Percent(_)
        | E::Money(_)
        | E::Date(_)
        | E::Duration(..)
        | E::Bool(_)
        | E::Str(_)
        | E::Word(_) => true,
        E::Neg(x) => is_literal(x),
        E::List(v) => v.iter().all(is_literal),
        _ => false,
    }
}

/// Compiles a parameter override from `icslint.yaml`; it must have the type of the default.
pub fn param_override(p: &Param, v: &serde_yaml::Value) -> Result<Node, String> {
    let text = yaml_scalar(v);
    let (node, ty) = check::compile_str(&text, &Scope::empty()).map_err(|e| e.message)?;
    if !is_literal(&node) {
        return Err(format!("`{text}` is not a literal value"));
    }
    if ty != p.ty {
        return Err(format!(
            "`{}` is {}, but the parameter `{}` takes {} (default {})",
            text,
            ty.describe(),
            p.name,
            p.ty.describe(),
            p.text
        ));
    }
    Ok(node)
}
