//! Checks written in Rust for what the expression language cannot say well:
//! aggregated findings that name every missing body, function clashes with
//! both places labelled, and remit similarity with the shared passages.
//! Their metadata, provenance, severity and message templates live in YAML.

use crate::diagnostic::Label;
use crate::model::{BlockId, Model, Val};
use crate::source::{FileId, Span};

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
    pub run: fn(&Model, Params) -> Vec<Hit>,
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "hwb-statutory-members",
        scope: "hwb",
        vars: &["missing"],
        params: &[],
        messages: &[],
        run: hwb_members,
    },
    Builtin {
        name: "icp-regard",
        scope: "icp",
        vars: &["missing", "party"],
        params: &[],
        messages: &["empty_by"],
        run: icp_regard,
    },
    Builtin {
        name: "hwb-icp-function-clash",
        scope: "hwb",
        vars: &["functions"],
        params: &[],
        messages: &[],
        run: function_clash,
    },
    Builtin {
        name: "hwb-icp-remit-similarity",
        scope: "hwb",
        vars: &["similarity", "shared"],
        params: &["threshold"],
        messages: &[],
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

/// "A, B and C".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn words(model: &Model, b: BlockId, key: &str) -> Vec<String> {
    match model.block(b).attr(key).map(|a| &a.value) {
        Some(Val::List(v)) => v
            .iter()
            .filter_map(|x| {
                if let Val::Word(w) = x {
                    Some(w.clone())
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
        Some(Val::Word(w)) => Some(w.clone()),
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

fn icp_of(model: &Model, b: BlockId) -> Option<BlockId> {
    model
        .block(b)
        .system
        .and_then(|s| model.of_system(s, "icp").into_iter().next())
}

/// STA012: the members the Health and Social Care Act 2012 s194(2) requires.
fn hwb_members(model: &Model, _: Params) -> Vec<Hit> {
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
        if !(has_post("councillor")
            || has_cat("la_elected")
            || members.iter().any(|m| yes(model, *m, "councillor")))
        {
            missing.push("an elected councillor");
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
            if !has_post(post) {
                missing.push(what);
            }
        }
        if !has_cat("icb") {
            missing.push("a representative of the ICB");
        }
        if !missing.is_empty() {
            let b = model.block(h);
            hits.push(Hit {
                block: h,
                file: b.file,
                span: b.header,
                message: None,
                vars: vec![(
                    "missing",
                    and_list(&missing.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
                )],
                labels: Vec::new(),
            });
        }
    }
    hits
}

/// CCN141: a `regard` block for the ICB and each upper-tier authority, each
/// with a non-empty `by`; one finding names every body without one.
fn icp_regard(model: &Model, _: Params) -> Vec<Hit> {
    let mut hits = Vec::new();
    for icp in model.of_kind("icp") {
        let b = model.block(icp);
        let Some(system) = b.system else { continue };
        let mut parties: Vec<BlockId> =
            model.of_system(system, "icb").into_iter().take(1).collect();
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
                    span: model.block(*m).header,
                    message: format!(
                        "{} has no agreed way to show regard to the strategy",
                        model.block(*m).display()
                    ),
                })
                .collect();
            hits.push(Hit {
                block: icp,
                file: b.file,
                span: b.header,
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
                    span,
                    message: Some("empty_by"),
                    vars: vec![("missing", String::new()), ("party", party)],
                    labels: Vec::new(),
                });
            }
        }
    }
    hits
}

/// CCN122: a function on both sides of a division, or in both the HWB's and
/// the ICP's `functions`.
fn function_clash(model: &Model, _: Params) -> Vec<Hit> {
    let mut hits = Vec::new();
    for h in model.of_kind("hwb") {
        let Some(icp) = icp_of(model, h) else {
            continue;
        };
        let hb = model.block(h);
        let mut clashes: Vec<String> = Vec::new();
        let mut primary: Option<(FileId, Span)> = None;
        let mut labels = Vec::new();
        for d in model.children_of(h, "division") {
            let (hw, ic) = (words(model, d, "hwb"), words(model, d, "icp"));
            let both: Vec<String> = hw.iter().filter(|w| ic.contains(w)).cloned().collect();
            if !both.is_empty() {
                let db = model.block(d);
                primary.get_or_insert((db.file, db.header));
                if let Some(a) = db.attr("icp") {
                    labels.push(Label {
                        file: db.file,
                        span: a.span,
                        message: format!(
                            "the division gives {} to the ICP as well",
                            and_list(&quote(&both))
                        ),
                    });
                }
                clashes.extend(both);
            }
        }
        let (hf, icf) = (words(model, h, "functions"), words(model, icp, "functions"));
        let both: Vec<String> = hf.iter().filter(|w| icf.contains(w)).cloned().collect();
        if !both.is_empty() {
            if let Some(a) = hb.attr("functions") {
                if primary.is_none() {
                    primary = Some((hb.file, a.span));
                } else {
                    labels.push(Label {
                        file: hb.file,
                        span: a.span,
                        message: "the board lists it among its functions".into(),
                    });
                }
            }
            let ib = model.block(icp);
            if let Some(a) = ib.attr("functions") {
                labels.push(Label {
                    file: ib.file,
                    span: a.span,
                    message: format!("{} lists {} too", ib.display(), and_list(&quote(&both))),
                });
            }
            clashes.extend(both);
        }
        if let Some((file, span)) = primary {
            clashes.sort();
            clashes.dedup();
            hits.push(Hit {
                block: h,
                file,
                span,
                message: None,
                vars: vec![("functions", and_list(&quote(&clashes)))],
                labels,
            });
        }
    }
    hits
}

fn quote(v: &[String]) -> Vec<String> {
    v.iter().map(|w| format!("`{w}`")).collect()
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Word-level similarity of two texts (0–1), as the `similar` crate measures it.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalise(&a.to_lowercase()), normalise(&b.to_lowercase()));
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    similar::TextDiff::from_words(a.as_str(), b.as_str()).ratio() as f64
}

/// Passages of at least `min_words` words that two texts share, longest first.
pub fn shared_passages(a: &str, b: &str, min_words: usize) -> Vec<String> {
    let (a, b) = (normalise(a), normalise(b));
    let diff = similar::TextDiff::from_words(a.as_str(), b.as_str());
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    for change in diff.iter_all_changes() {
        if change.tag() == similar::ChangeTag::Equal {
            run.push_str(change.value());
        } else if change.tag() == similar::ChangeTag::Delete
            || change.tag() == similar::ChangeTag::Insert
        {
            if run.split_whitespace().count() >= min_words {
                out.push(run.trim().to_string());
            }
            run.clear();
        }
    }
    if run.split_whitespace().count() >= min_words {
        out.push(run.trim().to_string());
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// CCN124: an HWB remit that says what the ICP remit says.
fn remit_similarity(model: &Model, param: Params) -> Vec<Hit> {
    let mut hits = Vec::new();
    for h in model.of_kind("hwb") {
        let Some(icp) = icp_of(model, h) else {
            continue;
        };
        let (hb, ib) = (model.block(h), model.block(icp));
        let (Some(ha), Some(ia)) = (hb.attr("remit"), ib.attr("remit")) else {
            continue;
        };
        let (Val::Text(ht), Val::Text(it)) = (&ha.value, &ia.value) else {
            continue;
        };
        let score = similarity(ht, it);
        if score >= param(h, "threshold") {
            let passages = shared_passages(ht, it, 6);
            let shared = passages
                .iter()
                .take(3)
                .map(|p| format!("\"{}\"", truncate(p, 90)))
                .collect::<Vec<_>>()
                .join("; ");
            hits.push(Hit {
                block: h,
                file: hb.file,
                span: ha.span,
                message: None,
                vars: vec![
                    ("similarity", format!("{:.0}%", score * 100.0)),
                    (
                        "shared",
                        if shared.is_empty() {
                            "(no long shared passage)".into()
                        } else {
                            shared
                        },
                    ),
                ],
                labels: vec![Label {
                    file: ib.file,
                    span: ia.span,
                    message: format!("the remit of {} says the same", ib.display()),
                }],
            });
        }
    }
    hits
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}
