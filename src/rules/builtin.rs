//! Checks written in Rust for what the expression language cannot say well:
//! aggregated findings that name every missing body, function clashes with
//! both places labelled, and remit similarity with the shared passages.
//! Their metadata, provenance, severity and message templates live in YAML.

use crate::diagnostic::Label;
use crate::model::{BlockId, Model, Val};
use crate::source::{FileId, Span};
use crate::syntax::Date;

/// One finding from a builtin, before its YAML template is applied.
#[derive(Debug)]
pub struct Hit {
    /// The block in the rule's scope (its system decides the regime).
    pub block: BlockId,
    pub file: FileId,
    pub span: Span,
    /// Which of the rule's `messages:` to use; `None` for `message`.
    pub message: Option<&'static str>,
    /// Values for the template's variables.
    pub vars: Vec<(&'static str, String)>,
    pub labels: Vec<Label>,
}

pub type Params<'a> = &'a dyn Fn(BlockId, &str) -> f64;

pub struct Builtin {
    pub name: &'static str,
    pub scope: &'static str,
    /// Template variables every hit provides.
    pub vars: &'static [&'static str],
    pub params: &'static [&'static str],
    /// Message variants the rule must define under `messages:`.
    pub messages: &'static [&'static str],
    /// The keys and block kinds `run` reads (directly or through the
    /// helpers below), declared because Rust code cannot be inspected: the
    /// note on a syntax error names the rules that ran without what it lost.
    pub reads: &'static [&'static str],
    /// The model, the rule's parameters per block, and the day the run
    /// checks as of (`Options::as_of`: a plan that has run out by then is
    /// out of date).
    pub run: fn(&Model, Params, Date) -> Vec<Hit>,
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "hwb-statutory-members",
        scope: "hwb",
        vars: &["missing"],
        params: &[],
        messages: &[],
        reads: &[
            "member",
            "post",
            "category",
            "councillor",
            "icb",
            "authority",
            "mayor",
            "share",
            "system",
        ],
        run: hwb_members,
    },
    Builtin {
        name: "hwb-regard",
        scope: "hwb",
        vars: &["missing"],
        params: &[],
        messages: &[],
        reads: &[
            "regard",
            "party",
            "by",
            "authority",
            "share",
            "icb",
            "system",
        ],
        run: hwb_regard,
    },
    Builtin {
        name: "joint-forward-plan",
        scope: "strategy",
        vars: &["missing"],
        params: &["min_period"],
        messages: &[],
        reads: &[
            "type",
            "period",
            "published",
            "hwb_opinion",
            "hwb",
            "authority",
            "tier",
            "system",
        ],
        run: joint_forward_plan,
    },
    Builtin {
        name: "place-defined",
        scope: "place",
        vars: &["missing"],
        params: &["min_horizon"],
        messages: &[],
        reads: &["geography", "role", "horizon", "defined_with_authorities"],
        run: place_defined,
    },
    Builtin {
        name: "icp-regard",
        scope: "icp",
        vars: &["missing", "party"],
        params: &[],
        messages: &["empty_by"],
        reads: &[
            "regard",
            "party",
            "by",
            "icb",
            "authority",
            "share",
            "tier",
            "system",
        ],
        run: icp_regard,
    },
    Builtin {
        name: "hwb-icp-division",
        scope: "hwb",
        vars: &["missing"],
        params: &["min_share"],
        messages: &[],
        reads: &[
            "authority",
            "tier",
            "share",
            "icp",
            "division",
            "with",
            "agreed",
            "system",
        ],
        run: division,
    },
    Builtin {
        name: "hwb-icp-function-clash",
        scope: "hwb",
        vars: &["functions", "icps"],
        params: &["min_share"],
        messages: &[],
        reads: &[
            "division",
            "hwb",
            "icp",
            "with",
            "functions",
            "authority",
            "tier",
            "share",
            "system",
        ],
        run: function_clash,
    },
    Builtin {
        name: "hwb-icp-remit-similarity",
        scope: "hwb",
        vars: &["similarity", "shared", "icp"],
        params: &["threshold", "min_share"],
        messages: &[],
        reads: &["remit", "icp", "authority", "tier", "share", "system"],
        run: remit_similarity,
    },
];

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "builtin {}", self.name)
    }
}

pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

pub fn suggest(name: &str) -> Option<&'static str> {
    crate::model::schema::suggest(name, BUILTINS.iter().map(|b| b.name))
}

pub use crate::text::and_list;
use crate::text::Remits;
use std::collections::HashMap;

fn words(model: &Model, b: BlockId, key: &str) -> Vec<String> {
    match model.block(b).attr(key).map(|a| &a.value) {
        Some(Val::List(v)) => v
            .iter()
            .filter_map(|x| {
                if let Val::Word(w) = x {
                    Some(w.to_string())
                } else {
                    None
                }
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn word(model: &Model, b: BlockId, key: &str) -> Option<String> {
    match model.block(b).attr(key).map(|a| &a.value) {
        Some(Val::Word(w)) => Some(w.to_string()),
        _ => None,
    }
}

fn yes(model: &Model, b: BlockId, key: &str) -> bool {
    matches!(
        model.block(b).attr(key).map(|a| &a.value),
        Some(Val::Bool(true))
    )
}

fn reference(model: &Model, b: BlockId, key: &str) -> Option<BlockId> {
    match model.block(b).attr(key).map(|a| &a.value) {
        Some(Val::Ref(t, _)) => *t,
        _ => None,
    }
}

/// The ICPs an HWB relates to: those of its own system and of every system
/// holding at least `min_pct`% of its authority's population.
fn icps_of(model: &Model, hwb: BlockId, min_pct: f64) -> Vec<BlockId> {
    model
        .hwb_systems(hwb, min_pct)
        .into_iter()
        .filter_map(|s| model.one_of_system(s, "icp"))
        .collect()
}

/// Which ICBs the law makes relevant to an HWB (HSCA 2012 s194(2) as
/// amended, LGPIHA 2007 s116B): the ICB of every system whose area includes
/// any part of the authority's area, so any share above 0%.
const RELEVANT_SHARE: f64 = 0.0;

/// Below this share a system's part of an authority is small, and the
/// message says so (the second edition left such ICBs out).
const SMALL_SHARE: f64 = 5.0;

/// "NHS South ICB", followed, where the system holds less than
/// `SMALL_SHARE`% of the board's authority, by the share and why it counts.
fn relevant_icb(model: &Model, hwb: BlockId, system: BlockId) -> String {
    let name = icb_name(model, system);
    let small = authority_of(model, hwb).and_then(|a| {
        model
            .shares(a)
            .into_iter()
            .find(|(s, p)| *s == system && *p < SMALL_SHARE)
            .map(|(_, p)| (a, p))
    });
    match small {
        Some((a, p)) => format!(
            "{name} (whose system holds only {}% of {}'s population: the law covers each ICB whose area includes any part of the authority's)",
            crate::syntax::fmt_num(p),
            model.block(a).display()
        ),
        None => name,
    }
}

/// "NHS Wessex Vale ICB", or "the ICB of Chalk Hills ICS" where the
/// workspace describes no ICB for the system.
fn icb_name(model: &Model, system: BlockId) -> String {
    match model.one_of_system(system, "icb") {
        Some(i) => model.block(i).display().to_string(),
        None => format!("the ICB of {}", model.block(system).display()),
    }
}

fn authority_of(model: &Model, b: BlockId) -> Option<BlockId> {
    reference(model, b, "authority").filter(|a| model.block(*a).kind == "authority")
}

fn hit(model: &Model, block: BlockId, missing: String) -> Hit {
    let b = model.block(block);
    Hit {
        block,
        file: b.file,
        span: b.header.into(),
        message: None,
        vars: vec![("missing", missing)],
        labels: Vec::new(),
    }
}

/// STA012: the members the Health and Social Care Act 2012 s194(2) requires.
fn hwb_members(model: &Model, _: Params, _: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for h in model.of_kind("hwb") {
        let members: Vec<BlockId> = model.children_of(h, "member").collect();
        let has_post = |p: &str| {
            members
                .iter()
                .any(|m| word(model, *m, "post").as_deref() == Some(p))
        };
        let has_cat = |c: &str| {
            members
                .iter()
                .any(|m| word(model, *m, "category").as_deref() == Some(c))
        };
        let mut missing = Vec::new();
        let mut missing_icbs: Vec<String> = Vec::new();
        // Where the authority has an elected mayor, the mayor may sit in the
        // councillor's place (s194(4)); an authority that says `mayor no`
        // has none.
        let no_mayor = authority_of(model, h).filter(|a| {
            matches!(
                model.block(*a).attr("mayor").map(|x| &x.value),
                Some(Val::Bool(false))
            )
        });
        if !(has_post("councillor")
            || has_cat("la_elected")
            || members.iter().any(|m| yes(model, *m, "councillor"))
            || (has_post("elected_mayor") && no_mayor.is_none()))
        {
            missing.push(match no_mayor {
                Some(a) if has_post("elected_mayor") => format!(
                    "an elected councillor (a member with `post elected_mayor` counts only where the authority has an elected mayor, and {} says `mayor no`)",
                    model.block(a).display()
                ),
                _ => "an elected councillor (or the authority's elected mayor)".to_string(),
            });
        }
        for (post, what) in [
            (
                "director_adult_social_services",
                "the director of adult social services",
            ),
            (
                "director_childrens_services",
                "the director of children's services",
            ),
            ("director_public_health", "the director of public health"),
            ("healthwatch", "a representative of local Healthwatch"),
        ] {
            // The Health Bill (regime 2026, provisional) abolishes local
            // Healthwatch: its member falls away.
            let abolished = post == "healthwatch"
                && model
                    .block(h)
                    .system
                    .is_some_and(|s| model.regime(s) >= HEALTHWATCH_ABOLISHED);
            if !has_post(post) && !abolished {
                missing.push(what.to_string());
            }
        }
        // One ICB representative for each relevant ICB (as amended in 2022):
        // a member says which with `icb @id`; one that does not represents
        // the ICB of the board's own system.
        let own = model.block(h).system;
        for s in model.hwb_systems(h, RELEVANT_SHARE) {
            let icb = model.one_of_system(s, "icb");
            let represented = members.iter().any(|m| {
                word(model, *m, "category").as_deref() == Some("icb")
                    && match reference(model, *m, "icb") {
                        Some(i) => Some(i) == icb,
                        None => Some(s) == own,
                    }
            });
            if !represented {
                missing_icbs.push(format!("a representative of {}", relevant_icb(model, h, s)));
            }
        }
        let mut all: Vec<String> = missing;
        all.extend(missing_icbs);
        if !all.is_empty() {
            hits.push(hit(model, h, and_list(&all)));
        }
    }
    hits
}

/// STA014: how the board's own authority and the ICB of each system holding
/// any part of its area have regard to the JSNA and the joint local
/// health and wellbeing strategy (LGPIHA 2007 s116B).
/// The first regime without local Healthwatch (the Health Bill as introduced).
const HEALTHWATCH_ABOLISHED: i64 = crate::model::regime::Regime::R2026.year();

fn hwb_regard(model: &Model, _: Params, _: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for h in model.of_kind("hwb") {
        let regards: Vec<BlockId> = model.children_of(h, "regard").collect();
        let has = |party: BlockId| {
            regards.iter().any(|r| {
                reference(model, *r, "party") == Some(party) && !words(model, *r, "by").is_empty()
            })
        };
        let mut missing = Vec::new();
        if let Some(a) = authority_of(model, h) {
            if !has(a) {
                missing.push(model.block(a).display().to_string());
            }
        }
        for s in model.hwb_systems(h, RELEVANT_SHARE) {
            match model.one_of_system(s, "icb") {
                Some(i) if has(i) => {}
                _ => missing.push(relevant_icb(model, h, s)),
            }
        }
        if !missing.is_empty() {
            hits.push(hit(model, h, and_list(&missing)));
        }
    }
    hits
}

/// STA016: a joint forward plan covers five years or more, is published, and
/// records the opinion of every HWB of an upper-tier authority in its system.
fn joint_forward_plan(model: &Model, param: Params, as_of: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for st in model.of_kind("strategy") {
        if word(model, st, "type").as_deref() != Some("joint_forward_plan") {
            continue;
        }
        let b = model.block(st);
        let mut missing = Vec::new();
        // Where the one fault lies, if only one part fails: its attribute.
        let mut at: Vec<Option<Span>> = Vec::new();
        let min_days = param(st, "min_period");
        match b.attr("period").map(|a| &a.value) {
            Some(Val::Range(from, to)) => {
                // Inclusive of the last day: 2024-04-01 to 2029-03-31 is five years.
                let days = (to.day_number() - from.day_number() + 1) as f64;
                if days + 1.5 < min_days {
                    missing.push(format!(
                        "a period of at least {} (it covers {} to {})",
                        years(min_days),
                        from,
                        to
                    ));
                    at.push(b.attr("period").map(|a| a.span.span()));
                }
                // Prepared before each financial year for the years ahead: a
                // plan whose period has run out plans nothing to come.
                if to.day_number() < as_of.day_number() {
                    missing.push(format!(
                        "a plan for the years ahead (its period ended on {to}, before {as_of}, the day this check is as of)"
                    ));
                    at.push(b.attr("period").map(|a| a.span.span()));
                }
            }
            _ => {
                missing.push(format!("a `period` of at least {}", years(min_days)));
                at.push(None);
            }
        }
        if b.attr("published").is_none() {
            missing.push("a `published` date".to_string());
            at.push(None);
        }
        if let Some(s) = b.system {
            let mut hwbs: Vec<BlockId> = model.of_system(s, "hwb");
            for a in model.upper_tier_of(s) {
                for r in model.referrers(a) {
                    if model.block(*r).kind == "hwb"
                        && authority_of(model, *r) == Some(a)
                        && !hwbs.contains(r)
                    {
                        hwbs.push(*r);
                    }
                }
            }
            let opinions: Vec<BlockId> = match b.attr("hwb_opinion").map(|a| &a.value) {
                Some(Val::List(v)) => v
                    .iter()
                    .filter_map(|x| match x {
                        Val::Ref(Some(t), _) => Some(*t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let absent: Vec<String> = hwbs
                .iter()
                .filter(|h| !opinions.contains(h))
                .map(|h| model.block(*h).display().to_string())
                .collect();
            if !absent.is_empty() {
                missing.push(format!(
                    "the opinion of {} in `hwb_opinion`",
                    and_list(&absent)
                ));
                at.push(b.attr("hwb_opinion").map(|a| a.span.span()));
            }
        }
        if !missing.is_empty() {
            let mut x = hit(model, st, and_list(&missing));
            if let [Some(span)] = at[..] {
                x.span = span;
            }
            hits.push(x);
        }
    }
    hits
}

/// CCN171: a place defined with its councils: geography, role, a horizon of
/// at least `min_horizon`, `defined_with_authorities yes`. Only what is
/// missing is named; the finding points at the one wrong value when nothing
/// is absent, else at the header.
fn place_defined(model: &Model, param: Params, _: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for p in model.of_kind("place") {
        let b = model.block(p);
        let min = param(p, "min_horizon");
        let mut missing = Vec::new();
        let mut absent = false;
        let mut wrong: Option<Span> = None;
        for key in ["geography", "role"] {
            if b.attr(key).is_none() {
                missing.push(format!("a `{key}`"));
                absent = true;
            }
        }
        match b.attr("horizon") {
            Some(a) => {
                if let Val::Duration(d) = &a.value {
                    if d.days() + 1e-6 < min {
                        missing.push(format!(
                            "a `horizon` of at least {} (it says {d})",
                            years(min)
                        ));
                        wrong.get_or_insert(a.span.into());
                    }
                }
            }
            None => {
                missing.push(format!("a `horizon` of at least {}", years(min)));
                absent = true;
            }
        }
        match b.attr("defined_with_authorities") {
            Some(a) if a.value == Val::Bool(true) => {}
            Some(a) => {
                missing.push("`defined_with_authorities yes` (it says no)".to_string());
                wrong.get_or_insert(a.span.into());
            }
            None => {
                missing.push("`defined_with_authorities yes`".to_string());
                absent = true;
            }
        }
        if !missing.is_empty() {
            let mut x = hit(model, p, and_list(&missing));
            if let (false, Some(span)) = (absent, wrong) {
                x.span = span;
            }
            hits.push(x);
        }
    }
    hits
}

fn years(days: f64) -> String {
    let y = (days / 365.25).round();
    if y == 1.0 {
        "1 year".into()
    } else {
        format!("{y} years")
    }
}

/// CCN141: a `regard` block for the ICB and each upper-tier authority, each
/// with a non-empty `by`; one finding names every body without one.
fn icp_regard(model: &Model, _: Params, _: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for icp in model.of_kind("icp") {
        let b = model.block(icp);
        let Some(system) = b.system else { continue };
        let mut parties: Vec<BlockId> = model.one_of_system(system, "icb").into_iter().collect();
        parties.extend(model.upper_tier_of(system));
        let regards: Vec<BlockId> = model.children_of(icp, "regard").collect();
        let missing: Vec<BlockId> = parties
            .iter()
            .copied()
            .filter(|p| {
                !regards
                    .iter()
                    .any(|r| reference(model, *r, "party") == Some(*p))
            })
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|m| model.block(*m).display().to_string())
                .collect();
            let labels = missing
                .iter()
                .map(|m| Label {
                    file: model.block(*m).file,
                    span: model.block(*m).header.into(),
                    message: format!(
                        "{} has no agreed way to show regard to the strategy",
                        model.block(*m).display()
                    ),
                })
                .collect();
            hits.push(Hit {
                block: icp,
                file: b.file,
                span: b.header.into(),
                message: None,
                vars: vec![("missing", and_list(&names)), ("party", String::new())],
                labels,
            });
        }
        for r in regards {
            let rb = model.block(r);
            let empty = match rb.attr("by").map(|a| &a.value) {
                Some(Val::List(v)) => v.is_empty(),
                _ => true,
            };
            if empty {
                let party = reference(model, r, "party").map_or("this party".to_string(), |p| {
                    model.block(p).display().to_string()
                });
                let span = rb.attr("by").map_or(rb.header, |a| a.span);
                hits.push(Hit {
                    block: icp,
                    file: rb.file,
                    span: span.into(),
                    message: Some("empty_by"),
                    vars: vec![("missing", String::new()), ("party", party)],
                    labels: Vec::new(),
                });
            }
        }
    }
    hits
}

/// CCN121: an agreed division of responsibilities with the ICP of each
/// system holding `min_share` or more of the board's authority (a split
/// county's board needs one per ICP: the report's Essex case).
fn division(model: &Model, param: Params, _: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for h in model.of_kind("hwb") {
        if authority_of(model, h).is_some_and(|a| model.tier(a) != "upper") {
            continue;
        }
        let missing: Vec<BlockId> = icps_of(model, h, param(h, "min_share"))
            .into_iter()
            .filter(|icp| {
                !model.children_of(h, "division").any(|d| {
                    reference(model, d, "with") == Some(*icp)
                        && model.block(d).attr("agreed").is_some()
                })
            })
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|i| model.block(*i).display().to_string())
                .collect();
            let mut x = hit(model, h, and_list(&names));
            // A division written for the one ICP but never agreed: point at it.
            if let [icp] = missing[..] {
                if let Some(d) = model
                    .children_of(h, "division")
                    .find(|d| reference(model, *d, "with") == Some(icp))
                {
                    x.span = model.block(d).header.into();
                }
            }
            x.labels = missing
                .iter()
                .map(|i| Label {
                    file: model.block(*i).file,
                    span: model.block(*i).header.into(),
                    message: format!("no agreed division with {}", model.block(h).display()),
                })
                .collect();
            hits.push(x);
        }
    }
    hits
}

/// CCN122: a function on both sides of a division, or in both the HWB's and
/// an ICP's `functions`, for each ICP the board relates to.
fn function_clash(model: &Model, param: Params, _: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    for h in model.of_kind("hwb") {
        let icps = icps_of(model, h, param(h, "min_share"));
        let hb = model.block(h);
        let mut clashes: Vec<String> = Vec::new();
        let mut with: Vec<String> = Vec::new();
        let mut primary: Option<(FileId, Span)> = None;
        let mut labels = Vec::new();
        for d in model.children_of(h, "division") {
            let (hw, ic) = (words(model, d, "hwb"), words(model, d, "icp"));
            let both: Vec<String> = hw.iter().filter(|w| ic.contains(w)).cloned().collect();
            if !both.is_empty() {
                with.push(match reference(model, d, "with") {
                    Some(i) => model.block(i).display().to_string(),
                    None => "the integrated care partnership".to_string(),
                });
                let db = model.block(d);
                primary.get_or_insert((db.file, db.header.into()));
                if let Some(a) = db.attr("icp") {
                    labels.push(Label {
                        file: db.file,
                        span: a.span.into(),
                        message: format!(
                            "the division gives {} to the ICP as well",
                            and_list(&quote(&both))
                        ),
                    });
                }
                clashes.extend(both);
            }
        }
        let hf = words(model, h, "functions");
        for icp in icps {
            let icf = words(model, icp, "functions");
            let both: Vec<String> = hf.iter().filter(|w| icf.contains(w)).cloned().collect();
            if both.is_empty() {
                continue;
            }
            if let Some(a) = hb.attr("functions") {
                if primary.is_none() {
                    primary = Some((hb.file, a.span.into()));
                } else if !labels.iter().any(|l: &Label| l.span == a.span.into()) {
                    labels.push(Label {
                        file: hb.file,
                        span: a.span.into(),
                        message: "the board lists it among its functions".into(),
                    });
                }
            }
            let ib = model.block(icp);
            with.push(ib.display().to_string());
            if let Some(a) = ib.attr("functions") {
                labels.push(Label {
                    file: ib.file,
                    span: a.span.into(),
                    message: format!("{} lists {} too", ib.display(), and_list(&quote(&both))),
                });
            }
            clashes.extend(both);
        }
        if let Some((file, span)) = primary {
            clashes.sort();
            clashes.dedup();
            with.dedup();
            hits.push(Hit {
                block: h,
                file,
                span,
                message: None,
                vars: vec![
                    ("functions", and_list(&quote(&clashes))),
                    ("icps", and_list(&with)),
                ],
                labels,
            });
        }
    }
    hits
}

fn quote(v: &[String]) -> Vec<String> {
    v.iter().map(|w| format!("`{w}`")).collect()
}

/// CCN124: an HWB remit that says what an ICP's remit says, for each ICP
/// the board relates to; the measure is `crate::text::similarity`.
///
/// Each distinct remit is read and its passages indexed once
/// (`text::Remits`), each distinct pair of texts is scored once (copied
/// remits are common: the boilerplate of one system repeated in the next),
/// and the scores are computed on every core when there are many; the hits
/// are those of comparing every pair in turn, in the same order.
fn remit_similarity(model: &Model, param: Params, _: Date) -> Vec<Hit> {
    struct Pair {
        hwb: BlockId,
        icp: BlockId,
        texts: (usize, usize),
        threshold: f64,
    }
    let mut remits = Remits::new();
    let mut numbered: HashMap<&str, usize> = HashMap::new();
    let mut number = |t| *numbered.entry(t).or_insert_with(|| remits.add(t));
    let mut pairs = Vec::new();
    for h in model.of_kind("hwb") {
        let Some(Val::Text(ht)) = model.block(h).attr("remit").map(|a| &a.value) else {
            continue;
        };
        let icps = icps_of(model, h, param(h, "min_share"));
        let threshold = param(h, "threshold");
        for icp in icps {
            let Some(Val::Text(it)) = model.block(icp).attr("remit").map(|a| &a.value) else {
                continue;
            };
            let texts = (number(ht.as_str()), number(it.as_str()));
            pairs.push(Pair {
                hwb: h,
                icp,
                texts,
                threshold,
            });
        }
    }
    let mut distinct: Vec<(usize, usize)> = pairs.iter().map(|p| p.texts).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let scores = score_pairs(&remits, &distinct);
    let score = |t: (usize, usize)| scores[distinct.binary_search(&t).unwrap_or_default()];
    let mut shared: HashMap<(usize, usize), String> = HashMap::new();
    let mut hits = Vec::new();
    for p in pairs {
        let score = score(p.texts);
        if score < p.threshold {
            continue;
        }
        let shared = shared.entry(p.texts).or_insert_with(|| {
            remits
                .shared_passages(p.texts.0, p.texts.1)
                .iter()
                .take(3)
                .map(|p| format!("\"{}\"", truncate(p, 90)))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let (hb, ib) = (model.block(p.hwb), model.block(p.icp));
        let (Some(ha), Some(ia)) = (hb.attr("remit"), ib.attr("remit")) else {
            continue;
        };
        hits.push(Hit {
            block: p.hwb,
            file: hb.file,
            span: ha.span.into(),
            message: None,
            vars: vec![
                ("similarity", format!("{:.0}%", (score * 100.0).floor())),
                ("shared", shared.clone()),
                ("icp", ib.display().to_string()),
            ],
            labels: vec![Label {
                file: ib.file,
                span: ia.span.into(),
                message: format!("the remit of {} says the same", ib.display()),
            }],
        });
    }
    hits
}

/// The words of the shorter texts of pairs that are worth a second thread.
const PARALLEL_WORDS: usize = 200_000;

/// The similarity of each pair of texts, on every core when the pairs are
/// many (the order of the pairs kept).
fn score_pairs(remits: &Remits, pairs: &[(usize, usize)]) -> Vec<f64> {
    let work: usize = pairs
        .iter()
        .map(|&(a, b)| remits.words(a).min(remits.words(b)))
        .sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunks = cores.min(work / PARALLEL_WORDS + 1).max(1);
    if chunks == 1 {
        return pairs
            .iter()
            .map(|&(a, b)| remits.similarity(a, b))
            .collect();
    }
    let size = pairs.len().div_ceil(chunks);
    std::thread::scope(|s| {
        let helpers: Vec<_> = pairs
            .chunks(size.max(1))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|&(a, b)| remits.similarity(a, b))
                        .collect::<Vec<f64>>()
                })
            })
            .collect();
        helpers
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past `PARALLEL_WORDS`, the pairs are scored on several threads: the
    /// scores, in the pairs' order, are those of one thread.
    #[test]
    fn scores_on_every_core_are_those_of_one_thread() {
        let phrases = [
            "the board assesses the health and wellbeing needs of the area",
            "the partnership agrees the integrated care strategy",
            "it signs off the better care fund plan",
            "no partner can deliver these ambitions alone",
        ];
        let texts: Vec<String> = (0..40)
            .map(|i| {
                (0..120)
                    .map(|j| format!("{} {i}{j}", phrases[(i * j + j / 3) % phrases.len()]))
                    .collect::<Vec<_>>()
                    .join(". ")
            })
            .collect();
        let mut remits = Remits::new();
        let ids: Vec<usize> = texts.iter().map(|t| remits.add(t)).collect();
        let pairs: Vec<(usize, usize)> = ids
            .iter()
            .flat_map(|a| ids.iter().map(move |b| (*a, *b)))
            .collect();
        let words: usize = pairs
            .iter()
            .map(|&(a, b)| remits.words(a).min(remits.words(b)))
            .sum();
        assert!(words > 2 * PARALLEL_WORDS, "{words}");
        let one: Vec<f64> = pairs
            .iter()
            .map(|&(a, b)| remits.similarity(a, b))
            .collect();
        assert_eq!(score_pairs(&remits, &pairs), one);
        assert!(one.iter().any(|s| *s > 0.0 && *s < 1.0));
    }
}
