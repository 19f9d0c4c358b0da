//! The conformance report a board reads (`icslint report`): per system, per
//! source (rule pack), per provision (each rule, a recommendation or a
//! duty), where the system stands: complied, explained, not met (with the
//! findings), not applicable (and why), and the source's recommendations
//! that no document can show (attestation required), so the board sees the
//! whole set. Built from the engine's findings and the model; rendered as
//! HTML (`render::html`, with SVG charts from `charts`), Markdown and JSON.
//! No I/O: the caller reads the workspace and writes the result.

pub mod charts;
pub mod render;

use crate::diagnostic::Finding;
use crate::engine::applies::{self, NotApplicable};
use crate::model::{BlockId, Model, Val};
use crate::rules::Pack;
use crate::syntax::fmt_num;
use crate::workspace::Workspace;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The whole report. A public interface like `check --format json`:
/// `version` is 1 and fields are only added.
#[derive(Clone, Debug, Serialize)]
pub struct Conformance {
    pub version: u32,
    /// The day explanations were checked against (`YYYY-MM-DD`).
    pub as_of: String,
    pub systems: Vec<SystemReport>,
    /// Findings in files that belong to no system described here.
    pub unplaced: Vec<FindingView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SystemReport {
    pub id: String,
    pub name: String,
    pub regime: i64,
    /// People served: the system's `population`, else the sum over its
    /// upper-tier authorities of population × share (absent when unknown).
    pub population: Option<f64>,
    pub totals: Totals,
    pub authorities: Vec<AuthorityRow>,
    pub membership: Vec<BodyMembership>,
    pub findings_by_source: Vec<SourceCount>,
    /// Language findings (ICG): a document that could not be read in full
    /// is named here, because its provisions may read as complied.
    pub document_problems: Vec<FindingView>,
    pub sources: Vec<SourceReport>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub complied: usize,
    pub explained: usize,
    pub not_met: usize,
    pub not_applicable: usize,
    /// Deselected by configuration or the command line: not checked, so
    /// neither met nor not applicable.
    pub not_checked: usize,
    pub attestation_required: usize,
}

impl Totals {
    fn add(&mut self, s: Status) {
        match s {
            Status::Complied => self.complied += 1,
            Status::Explained => self.explained += 1,
            Status::NotMet => self.not_met += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::NotChecked => self.not_checked += 1,
        }
    }
    fn merge(&mut self, o: &Totals) {
        self.complied += o.complied;
        self.explained += o.explained;
        self.not_met += o.not_met;
        self.not_applicable += o.not_applicable;
        self.not_checked += o.not_checked;
        self.attestation_required += o.attestation_required;
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AuthorityRow {
    pub id: String,
    pub name: String,
    pub tier: String,
    /// CCN type 1–4; absent for lower-tier and strategic authorities, and
    /// where a population the decision needs is not stated.
    pub typology: Option<u8>,
    pub typology_label: String,
    pub population: Option<f64>,
    /// Percent of the authority's population in this system.
    pub share: f64,
    /// Percent of the system's population that lives in this authority
    /// (upper-tier authorities only, when populations are known).
    pub share_of_system: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Nhs,
    LaOfficer,
    ElectedMember,
    /// Officers and elected members together: the sources' local-authority
    /// minimum counts either.
    LocalAuthority,
    Vcse,
    Independent,
    Other,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Nhs => "NHS",
            Category::LaOfficer => "Local authority officer",
            Category::ElectedMember => "Elected councillor or mayor",
            Category::LocalAuthority => "Local authority, all",
            Category::Vcse => "VCSE",
            Category::Independent => "Independent",
            Category::Other => "Other or not stated",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CategoryRow {
    pub category: Category,
    pub label: &'static str,
    pub members: usize,
    /// The fewest the sources ask for, where they set a number.
    pub recommended: Option<usize>,
    /// Where that number comes from, in words, with the rule IDs.
    pub basis: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberRow {
    pub title: String,
    pub person: Option<String>,
    pub category: Category,
    pub label: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct BodyMembership {
    /// `ICB` or `ICP`.
    pub body: &'static str,
    pub id: String,
    pub name: String,
    pub rows: Vec<CategoryRow>,
    pub members: Vec<MemberRow>,
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct SourceCount {
    pub source: String,
    pub title: String,
    pub error: usize,
    pub warning: usize,
    pub advice: usize,
    pub explained: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceReport {
    pub pack: String,
    pub title: String,
    pub source: String,
    pub published: Option<String>,
    pub totals: Totals,
    pub provisions: Vec<Provision>,
    /// The pack's, shared by every system's report.
    pub attestation: Arc<[AttestationItem]>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Complied,
    Explained,
    NotMet,
    NotApplicable,
    /// Deselected (`packs:`, `select`, `ignore`, `--select`, `--ignore`).
    NotChecked,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Complied => "Complied",
            Status::Explained => "Explained",
            Status::NotMet => "Not met",
            Status::NotApplicable => "Not applicable",
            Status::NotChecked => "Not checked",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// The rule belongs to another regime.
    Regime,
    /// The system has no ICP.
    NoIcp,
    /// The system has no block the rule reads (no framework, no place...).
    NoBlock,
    /// The system's typology (its number or types of upper-tier authorities).
    Typology,
    /// The rule's own `when:` condition.
    Condition,
    /// Deselected by configuration or `--select`/`--ignore`.
    NotSelected,
}

#[derive(Clone, Debug, Serialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Provision {
    /// The rule's ID, name, reference and summary: one copy for every
    /// system's report (at national scale they were a third of its size).
    pub id: Arc<str>,
    pub name: Arc<str>,
    /// `duty` (a statute), `guidance` (national policy) or `recommendation`.
    pub kind: &'static str,
    pub reference: Arc<str>,
    pub summary: Arc<str>,
    pub status: Status,
    pub status_label: &'static str,
    pub reason: Option<Reason>,
    pub findings: Vec<FindingView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AttestationItem {
    pub source: String,
    pub reference: String,
    pub summary: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExplanationView {
    pub reason: String,
    pub approved_by: String,
    pub agreed: String,
    pub review: Option<String>,
    /// The review date has passed: the finding counts as not met again.
    pub review_due: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    pub rule: String,
    /// `error`, `warning`, `advice`, or `explained`.
    pub severity: &'static str,
    pub message: String,
    /// `path:line`.
    pub location: String,
    pub explanation: Option<ExplanationView>,
    /// "Constitution v3.2, clause 4.2.1", where the document names it.
    pub citation: Option<String>,
    pub url: Option<String>,
}

impl FindingView {
    fn explained(&self) -> bool {
        self.explanation.as_ref().is_some_and(|e| !e.review_due)
    }
}

/// The systems a finding belongs to: that of the top-level block it points
/// into, or, for an authority, every system holding part of it.
fn systems_of(m: &Model, tops: &BTreeMap<u32, Vec<BlockId>>, f: &Finding) -> Vec<BlockId> {
    let Some(blocks) = tops.get(&f.file.0) else {
        return Vec::new();
    };
    let Some(&b) = blocks.iter().find(|b| {
        let s = m.block(**b).span;
        s.start() <= f.span.start && f.span.start < s.end().max(s.start() + 1)
    }) else {
        return Vec::new();
    };
    let blk = m.block(b);
    match blk.system {
        Some(s) => vec![s],
        None if blk.kind == "authority" => m.shares(b).into_iter().map(|(s, _)| s).collect(),
        None => Vec::new(),
    }
}

fn view(ws: &Workspace, f: &Finding) -> FindingView {
    let src = ws.sources.get(f.file);
    let line = src.line_of(f.span.start.min(src.text.len()));
    let explanation = f.explanation.as_ref().map(|e| ExplanationView {
        reason: e.reason.clone(),
        approved_by: e.approved_by.clone(),
        agreed: e.agreed.clone(),
        review: e.review.clone(),
        review_due: e.overdue,
    });
    let mut v = FindingView {
        rule: f.rule.to_string(),
        severity: f.severity.as_str(),
        message: f.message.clone(),
        location: format!("{}:{line}", ws.sources.path(f.file).display()),
        explanation,
        citation: f.citation.as_ref().map(|c| c.to_string()),
        url: f.citation.as_ref().and_then(|c| c.url.clone()),
    };
    if v.explained() {
        v.severity = "explained";
    }
    v
}

fn word<'a>(m: &'a Model, b: BlockId, key: &str) -> Option<&'a str> {
    match m.block(b).attr(key).map(|a| &a.value) {
        Some(Val::Word(w)) => Some(w),
        _ => None,
    }
}

fn yes(m: &Model, b: BlockId, key: &str) -> bool {
    matches!(
        m.block(b).attr(key).map(|a| &a.value),
        Some(Val::Bool(true))
    )
}

/// A member's category: elected first (a councillor or a mayor's nominee),
/// then the `category` the document states, then what the role implies.
pub fn category(m: &Model, member: BlockId) -> Category {
    if yes(m, member, "councillor")
        || word(m, member, "category") == Some("la_elected")
        || word(m, member, "post") == Some("councillor")
        || word(m, member, "nominated_by") == Some("mayor")
    {
        return Category::ElectedMember;
    }
    match word(m, member, "category") {
        Some("icb" | "nhs_provider" | "primary_care") => return Category::Nhs,
        Some("la_officer") => return Category::LaOfficer,
        Some("vcse") => return Category::Vcse,
        Some("public") => return Category::Independent,
        Some(_) => return Category::Other,
        None => {}
    }
    if m.block(member).attr("authority").is_some()
        || word(m, member, "nominated_by") == Some("local_authorities")
    {
        return Category::LaOfficer;
    }
    match (word(m, member, "role"), word(m, member, "nominated_by")) {
        (Some("chair" | "non_executive"), _) => Category::Independent,
        (Some("chief_executive" | "executive"), _) => Category::Nhs,
        (_, Some("trusts" | "primary_medical_services")) => Category::Nhs,
        _ => Category::Other,
    }
}

const CATEGORIES: [Category; 7] = [
    Category::Nhs,
    Category::LaOfficer,
    Category::ElectedMember,
    Category::LocalAuthority,
    Category::Vcse,
    Category::Independent,
    Category::Other,
];

/// What the sources ask of a body's membership, per category: the number
/// and its basis. Each number is what the cited rules check.
fn recommended(m: &Model, body: &str, system: BlockId, cat: Category) -> (Option<usize>, String) {
    let regime = m.regime(system);
    let upper = m.upper_tier_of(system);
    let none = |s: &str| (None, s.to_string());
    match (body, cat) {
        ("ICB", Category::Nhs) => (
            Some(6),
            "the chief executive and executive members for finance, medical and nursing \
             (STA002, STA020); partner members nominated by NHS trusts and by primary \
             medical services (STA004, STA005)"
                .into(),
        ),
        ("ICB", Category::Independent) => (
            Some(3),
            "the chair and at least two non-executive members (STA001, STA021)".into(),
        ),
        ("ICB", Category::LocalAuthority) => {
            if upper
                .iter()
                .any(|a| m.typology.get(a).and_then(|t| t.kind) == Some(3))
            {
                (
                    Some(2),
                    "a partner member nominated by the local authorities (STA006), and more \
                     than one because the system serves a Type 3 authority (CCN112)"
                        .into(),
                )
            } else {
                (
                    Some(1),
                    "a partner member nominated by the local authorities, officer or \
                     councillor (STA006)"
                        .into(),
                )
            }
        }
        ("ICB", Category::ElectedMember) => {
            let mayor = m
                .authorities_of(system)
                .into_iter()
                .any(|a| m.tier(a) == "strategic" && yes(m, a, "mayor"));
            if regime == 2025 && mayor {
                (
                    Some(1),
                    "a partner member nominated by the mayor of the strategic authority (NHC003)"
                        .into(),
                )
            } else {
                none(
                    "no number: councillors may sit as partner members (CCN113); where none \
                     does, major decisions need political input (CCN114)",
                )
            }
        }
        ("ICP", Category::Nhs) if regime == 2022 => {
            (Some(1), "a member appointed by the ICB (STA013)".into())
        }
        ("ICP", Category::LocalAuthority) if regime == 2022 => (
            Some(upper.len()),
            format!(
                "a member for each of the {} upper-tier authorities of the system (STA013)",
                upper.len()
            ),
        ),
        (_, Category::LaOfficer) => none("counted in \"Local authority, all\""),
        _ => none("no number set by the sources"),
    }
}

fn membership(m: &Model, system: BlockId) -> Vec<BodyMembership> {
    let mut out = Vec::new();
    for (kind, body) in [("icb", "ICB"), ("icp", "ICP")] {
        for b in m.of_system(system, kind) {
            let members: Vec<MemberRow> = m
                .children_of(b, "member")
                .map(|x| {
                    let c = category(m, x);
                    let person = match m.block(x).attr("person").map(|a| &a.value) {
                        Some(Val::Str(s)) => Some(s.to_string()),
                        _ => None,
                    };
                    MemberRow {
                        title: m.block(x).display().to_string(),
                        person,
                        category: c,
                        label: c.label(),
                    }
                })
                .collect();
            let rows = CATEGORIES
                .iter()
                .filter_map(|&c| {
                    let n = members
                        .iter()
                        .filter(|x| {
                            x.category == c
                                || (c == Category::LocalAuthority
                                    && matches!(
                                        x.category,
                                        Category::LaOfficer | Category::ElectedMember
                                    ))
                        })
                        .count();
                    if c == Category::Other && n == 0 {
                        return None;
                    }
                    let (recommended, basis) = recommended(m, body, system, c);
                    Some(CategoryRow {
                        category: c,
                        label: c.label(),
                        members: n,
                        recommended,
                        basis,
                    })
                })
                .collect();
            out.push(BodyMembership {
                body,
                id: m.block(b).id.as_deref().unwrap_or_default().to_string(),
                name: m.block(b).display().to_string(),
                rows,
                members,
            });
        }
    }
    out
}

fn authorities(m: &Model, system: BlockId) -> Vec<AuthorityRow> {
    let system_pop = crate::model::typology::population_from_authorities(m, system).ok();
    m.authorities_of(system)
        .into_iter()
        .map(|a| {
            let share = m.share_in(a, system);
            let tier = m.tier(a).to_string();
            let t = m.typology.get(&a);
            let typology = t.and_then(|t| t.kind);
            let typology_label = match (tier.as_str(), t, typology) {
                ("lower", ..) => "none (lower tier)".to_string(),
                ("strategic", ..) => "none (strategic authority)".to_string(),
                (_, _, Some(k)) => format!("Type {k}"),
                (_, Some(_), None) => "undecided (a population is not stated)".to_string(),
                (_, None, None) => "none".to_string(),
            };
            let population = m.population(a);
            let share_of_system = match (tier.as_str(), population, system_pop) {
                ("upper", Some(p), Some(s)) if s > 0.0 => Some(p * share / s),
                _ => None,
            };
            AuthorityRow {
                id: m.block(a).id.as_deref().unwrap_or_default().to_string(),
                name: m.block(a).display().to_string(),
                tier,
                typology,
                typology_label,
                population,
                share,
                share_of_system,
            }
        })
        .collect()
}

fn reason(m: &Model, system: BlockId, why: NotApplicable) -> Reason {
    let no_icp = || m.one_of_system(system, "icp").is_none();
    match why {
        NotApplicable::Regime { regime, regimes } => Reason {
            kind: ReasonKind::Regime,
            text: format!(
                "The system is under the {regime} regime; this provision applies under {}",
                regimes
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        },
        NotApplicable::Requires { regime, kind } => Reason {
            kind: if kind == "icp" {
                ReasonKind::NoIcp
            } else {
                ReasonKind::NoBlock
            },
            text: format!(
                "Under the {regime} regime it applies only where {}; the system has none",
                crate::rules::pack::kind_exists(kind)
            ),
        },
        NotApplicable::NoBlock { kinds } if kinds == ["icp"] => Reason {
            kind: ReasonKind::NoIcp,
            text: "The system has no integrated care partnership".into(),
        },
        NotApplicable::NoBlock { kinds } => Reason {
            kind: ReasonKind::NoBlock,
            text: format!(
                "The documents describe no {} for this system",
                kinds.join(" or ")
            ),
        },
        NotApplicable::NoElements { .. } if no_icp() => Reason {
            kind: ReasonKind::NoIcp,
            text: "The system has no integrated care partnership".into(),
        },
        NotApplicable::NoElements { kinds } => Reason {
            kind: ReasonKind::NoBlock,
            text: format!(
                "The system's {} blocks give it nothing to check",
                kinds.join(" and ")
            ),
        },
        NotApplicable::Condition { when }
            if when.contains("typology") || when.contains("upper_tier") =>
        {
            Reason {
                kind: ReasonKind::Typology,
                text: format!(
                    "The system's typology: {}",
                    condition_text(&when).replacen("It applies", "it applies", 1)
                ),
            }
        }
        NotApplicable::Condition { when } => Reason {
            kind: ReasonKind::Condition,
            text: condition_text(&when),
        },
    }
}

/// The `when:` conditions of the built-in packs, in the board's words:
/// a board reads "applies only where the ICB has no councillor member",
/// never `not any(member, …)`. Keyed by the condition as the pack writes
/// it (white space aside); `tests` holds that every built-in rule's
/// `when:` is here.
const CONDITIONS: &[(&str, &str)] = &[
    (
        "parent.type == integrated_care_strategy",
        "to the priorities of an integrated care strategy, and the system's documents set none",
    ),
    (
        "type == integrated_care_strategy",
        "to an integrated care strategy, and none of the system's strategy documents is one",
    ),
    (
        "count(system.upper_tier) >= 2",
        "where two or more upper-tier councils are in the system",
    ),
    (
        "any(system.upper_tier, typology(it) == 3)",
        "where one of the system's upper-tier councils is of CCN Type 3 (it shares its system with three or more other upper-tier councils)",
    ),
    (
        "not any(member, councillor == yes or category == la_elected or post == \"councillor\")",
        "where the ICB has no councillor member",
    ),
    (
        "exists(system.icb)",
        "where the system has an integrated care board",
    ),
    (
        "exists(system.icb) and count(member[role == chair]) > 0",
        "where the system has an integrated care board and the partnership names its chair",
    ),
    ("to is place", "to what is delegated to a place"),
    (
        "not exists(icp) or icp.statutory == no",
        "where the system has no statutory integrated care partnership",
    ),
    (
        "exists(running_cost_per_head)",
        "where the ICB states its running cost per head",
    ),
    (
        "tier == upper and count(systems) > 0",
        "to upper-tier councils that are part of a system",
    ),
    (
        "type == integrated_care_strategy and exists(pooled_arrangements)",
        "where an integrated care strategy says whether arrangements under section 75 were considered, and none of the system's strategies does",
    ),
    (
        "type == integrated_care_strategy and exists(involved)",
        "where an integrated care strategy says who was involved in preparing it, and none of the system's strategies does",
    ),
    (
        "any(member, role == chair and exists(removable_by))",
        "where the ICB's constitution says who may remove its chair, and this one does not",
    ),
    (
        "exists(quorum) and count(member) > 0",
        "where the partnership states its quorum and lists its members, and this system's does not",
    ),
    (
        "exists(conflicts.register)",
        "where the ICB says whether it keeps a register of interests, and this one does not",
    ),
    (
        "type == joint_forward_plan",
        "to a joint forward plan, and none of the system's strategy documents is one",
    ),
];

/// The plain-English text of a `when:` condition: the built-in packs'
/// from [`CONDITIONS`]; a local pack's, which has no words of ours, is
/// described without its expression.
fn condition_text(when: &str) -> String {
    match plain_condition(when) {
        Some(p) => format!("It applies only {p}"),
        None => "It applies only where a condition of its rule pack holds, and nothing in this system meets it".into(),
    }
}

/// [`CONDITIONS`]' words for `when`, white space aside.
fn plain_condition(when: &str) -> Option<&'static str> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let when = norm(when);
    CONDITIONS
        .iter()
        .find(|(w, _)| norm(w) == when)
        .map(|(_, p)| *p)
}

/// Statutes the packs cite: a rule that cites one is a legal duty.
const STATUTES: &[&str] = &["nhs-act-2006", "lgpiha-2007", "hsca-2012"];

/// `duty` (from a statute), `provisional duty` (a Bill's: its pack is not
/// enacted), `guidance` (national policy in the statutory pack: NHS
/// England's constitution guidance, the BCF framework) or `recommendation`
/// (a report's).
fn kind(pack: &Pack, source: &str) -> &'static str {
    if STATUTES.contains(&source) {
        "duty"
    } else if !pack.enacted {
        "provisional duty"
    } else if pack.name == "statutory" {
        "guidance"
    } else {
        "recommendation"
    }
}

/// The files each system's documents are in (for per-file rule
/// selection): its own top-level blocks' and those of every authority with
/// a share in it. One pass over the top-level blocks for all systems: a
/// pass per system and pack was most of the report's time at national scale.
fn files_of_systems(m: &Model) -> BTreeMap<BlockId, Vec<crate::source::FileId>> {
    let mut out: BTreeMap<BlockId, Vec<crate::source::FileId>> = BTreeMap::new();
    for &b in &m.top {
        let blk = m.block(b);
        if let Some(s) = blk.system {
            out.entry(s).or_default().push(blk.file);
        }
        if blk.kind == "authority" {
            for (s, p) in m.shares(b) {
                if p > 0.0 && blk.system != Some(s) {
                    out.entry(s).or_default().push(blk.file);
                }
            }
        }
    }
    for v in out.values_mut() {
        v.sort();
        v.dedup();
    }
    out
}

/// What a pack's provisions and attestation items say whatever the
/// system: made once per pack, shared by every system's report.
struct PackTexts {
    /// Per rule: ID, name, reference, summary.
    rules: Vec<[Arc<str>; 4]>,
    attestation: Arc<[AttestationItem]>,
}

impl PackTexts {
    fn of(pack: &Pack) -> PackTexts {
        PackTexts {
            rules: pack
                .rules
                .iter()
                .map(|r| {
                    [
                        Arc::from(r.id.as_str()),
                        Arc::from(r.name.as_str()),
                        Arc::from(r.provenance.reference.as_str()),
                        Arc::from(r.provenance.summary.as_str()),
                    ]
                })
                .collect(),
            attestation: pack
                .attestation
                .iter()
                .map(|a| AttestationItem {
                    source: a.source.clone(),
                    reference: a.reference.clone(),
                    summary: a.summary.clone(),
                })
                .collect(),
        }
    }
}

fn source_report(
    ws: &Workspace,
    engine: &crate::engine::Engine,
    owner: Option<usize>,
    pack: &Pack,
    system: BlockId,
    files: &[crate::source::FileId],
    texts: &PackTexts,
    findings: &[FindingView],
) -> SourceReport {
    let m = &ws.model;
    let mut totals = Totals::default();
    let provisions = pack
        .rules
        .iter()
        .zip(&texts.rules)
        .map(|(rule, [id, name, reference, summary])| {
            let mine: Vec<FindingView> = findings
                .iter()
                .filter(|f| f.rule == rule.id)
                .cloned()
                .collect();
            let selected = files.iter().any(|f| engine.enabled(owner, pack, rule, *f));
            let (status, why) = if !mine.is_empty() {
                if mine.iter().all(FindingView::explained) {
                    (Status::Explained, None)
                } else {
                    (Status::NotMet, None)
                }
            } else if !selected {
                (
                    Status::NotChecked,
                    Some(Reason {
                        kind: ReasonKind::NotSelected,
                        text: "The configuration (icslint.yaml) or the command line deselects it"
                            .into(),
                    }),
                )
            } else {
                match applies::applies(m, rule, system) {
                    Ok(_) => (Status::Complied, None),
                    Err(why) => (Status::NotApplicable, Some(reason(m, system, why))),
                }
            };
            totals.add(status);
            Provision {
                id: Arc::clone(id),
                name: Arc::clone(name),
                kind: kind(pack, &rule.provenance.source),
                reference: Arc::clone(reference),
                summary: Arc::clone(summary),
                status,
                status_label: status.label(),
                reason: why,
                findings: mine,
            }
        })
        .collect();
    let attestation = Arc::clone(&texts.attestation);
    totals.attestation_required = attestation.len();
    SourceReport {
        pack: pack.name.clone(),
        title: pack.title.clone(),
        source: pack.source.clone(),
        published: pack.published.clone(),
        totals,
        provisions,
        attestation,
    }
}

/// Builds the report from a workspace and the findings `Engine::run`
/// returned for it (with the same options as `engine`). `as_of` is the day
/// an explanation's review date is checked against (`YYYY-MM-DD`).
pub fn build(
    ws: &Workspace,
    engine: &crate::engine::Engine,
    findings: &[Finding],
    as_of: &str,
) -> Conformance {
    let m = &ws.model;
    let mut tops: BTreeMap<u32, Vec<BlockId>> = BTreeMap::new();
    for &b in &m.top {
        tops.entry(m.block(b).file.0).or_default().push(b);
    }
    let systems: Vec<BlockId> = m.of_kind("system").collect();
    let mut per_system: BTreeMap<BlockId, Vec<FindingView>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    for f in findings {
        let v = view(ws, f);
        let at = systems_of(m, &tops, f);
        if at.is_empty() {
            unplaced.push(v);
        } else {
            for s in at {
                per_system.entry(s).or_default().push(v.clone());
            }
        }
    }
    let pack_of: BTreeMap<&str, (&str, &str)> = ws
        .packs
        .iter()
        .flat_map(|(_, p)| {
            p.rules
                .iter()
                .map(move |r| (r.id.as_str(), (p.name.as_str(), p.title.as_str())))
        })
        .collect();
    let files_of = files_of_systems(m);
    let pack_texts: Vec<PackTexts> = ws.packs.iter().map(|(_, p)| PackTexts::of(p)).collect();
    let reports = systems
        .iter()
        .map(|&s| {
            let files = files_of.get(&s).map_or(&[][..], Vec::as_slice);
            let found = per_system.remove(&s).unwrap_or_default();
            let mut by_source: Vec<SourceCount> = Vec::new();
            for f in &found {
                let (source, title) = pack_of
                    .get(f.rule.as_str())
                    .copied()
                    .unwrap_or(("icslint", "The ICG language"));
                let i = match by_source.iter().position(|c| c.source == source) {
                    Some(i) => i,
                    None => {
                        by_source.push(SourceCount {
                            source: source.to_string(),
                            title: title.to_string(),
                            ..SourceCount::default()
                        });
                        by_source.len() - 1
                    }
                };
                let c = &mut by_source[i];
                match f.severity {
                    "explained" => c.explained += 1,
                    "error" => c.error += 1,
                    "warning" => c.warning += 1,
                    _ => c.advice += 1,
                }
            }
            // Sources in the packs' order, the language's own findings last.
            let rank = |src: &str| {
                ws.packs
                    .iter()
                    .position(|(_, p)| p.name == src)
                    .unwrap_or(usize::MAX)
            };
            by_source.sort_by_key(|c| rank(&c.source));
            let sources: Vec<SourceReport> = ws
                .packs
                .iter()
                .zip(&pack_texts)
                .map(|((owner, p), texts)| {
                    source_report(ws, engine, *owner, p, s, files, texts, &found)
                })
                .collect();
            let mut totals = Totals::default();
            for r in &sources {
                totals.merge(&r.totals);
            }
            let blk = m.block(s);
            SystemReport {
                id: blk.id.as_deref().unwrap_or_default().to_string(),
                name: blk.display().to_string(),
                regime: m.regime(s),
                population: crate::model::typology::system_population(m, s).ok(),
                totals,
                authorities: authorities(m, s),
                membership: membership(m, s),
                findings_by_source: by_source,
                document_problems: found
                    .into_iter()
                    .filter(|f| f.rule.starts_with("ICG"))
                    .collect(),
                sources,
            }
        })
        .collect();
    Conformance {
        version: 1,
        as_of: as_of.to_string(),
        systems: reports,
        unplaced,
    }
}

/// A number as the documents write it (`610000` → `610,000`).
pub fn thousands(n: f64) -> String {
    let s = fmt_num(n.round());
    let (neg, digits) = s
        .strip_prefix('-')
        .map_or((false, s.as_str()), |d| (true, d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{condition_text, plain_condition};

    /// Every built-in rule with a `when:` has its condition in plain
    /// English, and no reason a board reads shows check-language syntax.
    #[test]
    fn every_built_in_condition_reads_in_plain_english() {
        let ws = crate::workspace::Workspace::from_texts(&[], crate::config::Config::default());
        let mut seen = 0;
        for (_, pack) in &ws.packs {
            for rule in &pack.rules {
                let Some(when) = &rule.condition else {
                    continue;
                };
                seen += 1;
                assert!(
                    plain_condition(when).is_some(),
                    "{}: `when: {when}` has no plain-English text in conformance::CONDITIONS",
                    rule.id
                );
                let text = condition_text(when);
                for code in ["==", "(", "_", "`", "!=", ">="] {
                    assert!(
                        !text.replace("(it shares", "").contains(code),
                        "{}: {text}",
                        rule.id
                    );
                }
            }
        }
        assert!(seen >= 10, "{seen} rules with a `when:`");
        // A local pack's condition: described, never shown.
        let local = condition_text("count(member[role == vice_chair]) > 1");
        assert!(!local.contains("member["), "{local}");
        assert_eq!(
            condition_text("not any(member,\n  councillor == yes or category == la_elected or post == \"councillor\")"),
            "It applies only where the ICB has no councillor member"
        );
    }
}
