//! What would change for each system if it moved from one regime (or one
//! edition of the rule packs) to another: the findings of two runs over the
//! same documents, matched and grouped by system (`icslint transition`).
//!
//! A finding is the same finding in both runs when its rule, file (by path)
//! and span are the same; it *changed* when its severity or message differs.
//! Several findings with the same rule, file and span are paired identical
//! ones first, then in order. No I/O: the caller loads both workspaces
//! ([`crate::workspace::LoadOptions`]) and runs the engine on each. What
//! `compare` reads of a side's model is which systems each finding belongs
//! to: [`placed`] takes that down, so the `from` side's model can go
//! before the `to` side is loaded (`icslint transition` holds one model at
//! a time).

use crate::diagnostic::Finding;
use crate::model::{BlockId, Model};
use crate::source::{FileId, Span, Span32};
use crate::workspace::Workspace;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// One side of a comparison: a workspace and the findings of its run.
/// With `placed`, the systems of its findings are read from it, and the
/// workspace's model is not read (it may have been let go); the `to`
/// side's model is always read (its systems are the groups').
pub struct Side<'a> {
    pub ws: &'a Workspace,
    pub findings: &'a [Finding],
    pub placed: Option<&'a Placed>,
}

/// The systems a side's findings belong to, by the place a finding points
/// at (file and first byte): each system as its file and header, which is
/// how the other side's system is recognised.
#[derive(Debug, Default)]
pub struct Placed(HashMap<(FileId, usize), Vec<(FileId, Span32)>>);

/// The systems of each finding's place, from the model of the workspace
/// `findings` were found in.
pub fn placed(ws: &Workspace, findings: &[Finding]) -> Placed {
    let mut out = HashMap::new();
    for f in findings {
        out.entry((f.file, f.span.start))
            .or_insert_with(|| systems_here(&ws.model, f));
    }
    Placed(out)
}

/// The systems `f`'s place belongs to, as file and header.
fn systems_here(m: &Model, f: &Finding) -> Vec<(FileId, Span32)> {
    systems_at(m, f.file, f.span)
        .into_iter()
        .map(|s| {
            let b = m.block(s);
            (b.file, b.header)
        })
        .collect()
}

/// A finding that differs between the two runs. `before` is a finding of
/// the `from` side (its `FileId`s index the `from` workspace's sources),
/// `after` one of the `to` side.
#[derive(Clone, Debug)]
pub enum Difference {
    /// Found only after the move: work to do.
    Appear(Finding),
    /// Found only before the move: no longer asked for.
    Disappear(Finding),
    /// Found in both, with another severity or message.
    Change {
        before: Box<Finding>,
        after: Box<Finding>,
    },
}

impl Difference {
    /// The finding as it reads after the move, or before it if it disappears.
    pub fn finding(&self) -> &Finding {
        match self {
            Difference::Appear(f) | Difference::Disappear(f) => f,
            Difference::Change { after, .. } => after,
        }
    }

    /// [`Difference::finding`] and the side whose workspace its `FileId`s index.
    fn located<'s, 'w>(&self, from: &'s Side<'w>, to: &'s Side<'w>) -> (&'s Side<'w>, &Finding) {
        let side = match self {
            Difference::Disappear(_) => from,
            _ => to,
        };
        (side, self.finding())
    }
}

/// A system as the work list names it (from the `to` side's model).
#[derive(Clone, Debug)]
pub struct System {
    pub block: BlockId,
    pub id: Option<String>,
    pub name: String,
    /// The regime the system states in its own block, if it states one.
    pub states: Option<i64>,
}

/// The differences of one system, or (`system: None`) of findings that
/// belong to no system (a configuration, a pack, a block without a system).
#[derive(Clone, Debug)]
pub struct Group {
    pub system: Option<System>,
    pub appear: Vec<Difference>,
    pub disappear: Vec<Difference>,
    pub change: Vec<Difference>,
    /// Findings the same on both sides (of the `to` side): what stays to do.
    pub stay: Vec<Finding>,
}

impl Group {
    /// Whether nothing differs (what stays is not a difference).
    pub fn is_empty(&self) -> bool {
        self.appear.is_empty() && self.disappear.is_empty() && self.change.is_empty()
    }
}

/// Every difference, and the same differences grouped by system.
#[derive(Clone, Debug, Default)]
pub struct Transition {
    /// Each difference once, in file and position order.
    pub differences: Vec<Difference>,
    /// One group per system of the `to` side, in file order, then the
    /// group of findings outside any system (when it is not empty). A
    /// finding on an authority with shares in several systems is listed
    /// under each of them.
    pub groups: Vec<Group>,
}

type Key = (String, PathBuf, usize, usize);

fn key(ws: &Workspace, f: &Finding) -> Key {
    (
        f.rule.to_string(),
        ws.sources.path(f.file).to_path_buf(),
        f.span.start,
        f.span.end,
    )
}

fn same(a: &Finding, b: &Finding) -> bool {
    a.severity == b.severity && a.message == b.message
}

/// Compares the findings of two runs over the same documents.
pub fn compare(from: Side, to: Side) -> Transition {
    let mut by_key: BTreeMap<Key, (Vec<&Finding>, Vec<&Finding>)> = BTreeMap::new();
    for f in from.findings {
        by_key.entry(key(from.ws, f)).or_default().0.push(f);
    }
    for f in to.findings {
        by_key.entry(key(to.ws, f)).or_default().1.push(f);
    }
    let mut differences = Vec::new();
    let mut stays: Vec<&Finding> = Vec::new();
    for (mut before, mut after) in by_key.into_values() {
        // Identical findings first, so that a changed one is paired with
        // its counterpart rather than with an unchanged neighbour.
        before.retain(|b| match after.iter().position(|a| same(a, b)) {
            Some(i) => {
                stays.push(after.remove(i));
                false
            }
            None => true,
        });
        let paired = before.len().min(after.len());
        for (b, a) in before.iter().zip(&after) {
            differences.push(Difference::Change {
                before: Box::new((*b).clone()),
                after: Box::new((*a).clone()),
            });
        }
        differences.extend(
            before[paired..]
                .iter()
                .map(|f| Difference::Disappear((*f).clone())),
        );
        differences.extend(
            after[paired..]
                .iter()
                .map(|f| Difference::Appear((*f).clone())),
        );
    }
    // `by_key` ordered them by rule; a work list reads in document order.
    let position = |d: &Difference| {
        let (side, f) = d.located(&from, &to);
        (
            side.ws.sources.path(f.file).to_path_buf(),
            f.span.start,
            f.rule.clone(),
        )
    };
    differences.sort_by_cached_key(position);

    let mut groups: Vec<Group> = to
        .ws
        .model
        .of_kind("system")
        .map(|b| {
            let blk = to.ws.model.block(b);
            Some(System {
                block: b,
                id: blk.id.as_ref().map(ToString::to_string),
                name: blk.display().to_string(),
                states: match blk.attr("regime").map(|a| &a.value) {
                    Some(crate::model::Val::Num(n)) => Some(*n as i64),
                    _ => None,
                },
            })
        })
        .chain([None])
        .map(|system| Group {
            system,
            appear: Vec::new(),
            disappear: Vec::new(),
            change: Vec::new(),
            stay: Vec::new(),
        })
        .collect();
    let outside = groups.len() - 1;
    let group_of = |side: &Side, f: &Finding, groups: &[Group]| -> Vec<usize> {
        // Both sides read the same files, so a system of the `from` side is
        // the one of the `to` side with the same header in the same file
        // (their `FileId`s may differ: another edition loads other packs).
        let here = match side.placed {
            Some(p) => {
                p.0.get(&(f.file, f.span.start))
                    .cloned()
                    .unwrap_or_default()
            }
            None => systems_here(&side.ws.model, f),
        };
        let mut targets: Vec<usize> = here
            .into_iter()
            .filter_map(|(file, header)| {
                groups[..outside].iter().position(|g| {
                    g.system.as_ref().is_some_and(|sys| {
                        let mine = to.ws.model.block(sys.block);
                        mine.header == header
                            && to.ws.sources.path(mine.file) == side.ws.sources.path(file)
                    })
                })
            })
            .collect();
        if targets.is_empty() {
            targets.push(outside);
        }
        targets
    };
    for d in &differences {
        let (side, f) = d.located(&from, &to);
        for g in group_of(side, f, &groups) {
            let list = match d {
                Difference::Appear(_) => &mut groups[g].appear,
                Difference::Disappear(_) => &mut groups[g].disappear,
                Difference::Change { .. } => &mut groups[g].change,
            };
            list.push(d.clone());
        }
    }
    stays.sort_by_cached_key(|f| (to.ws.sources.path(f.file).to_path_buf(), f.span.start));
    for f in stays {
        for g in group_of(&to, f, &groups) {
            groups[g].stay.push(f.clone());
        }
    }
    if groups[outside].is_empty() {
        groups.pop();
    }
    Transition {
        differences,
        groups,
    }
}

/// The systems a place in a document belongs to: that of the top-level
/// block holding it, or for an authority every system it has a share in.
fn systems_at(m: &Model, file: crate::source::FileId, span: Span) -> Vec<BlockId> {
    let Some(top) = m.top.iter().copied().find(|&t| {
        let b = m.block(t);
        b.file == file
            && b.span.start() <= span.start
            && span.start < b.span.end().max(b.span.start() + 1)
    }) else {
        return Vec::new();
    };
    let b = m.block(top);
    match b.system {
        Some(s) => vec![s],
        None if b.kind == "authority" => {
            let mut v: Vec<BlockId> = m
                .shares(top)
                .into_iter()
                .filter(|(_, p)| *p > 0.0)
                .map(|(s, _)| s)
                .collect();
            v.dedup();
            v
        }
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn ws() -> Workspace {
        Workspace::from_texts(
            &[(
                "a.icg",
                "system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" { system @s }\n",
            )],
            crate::config::Config::default(),
        )
    }

    fn finding(ws: &Workspace, rule: &str, at: usize, sev: Severity, msg: &str) -> Finding {
        let file = ws.files[0];
        Finding::new(
            rule.to_string(),
            "name",
            sev,
            file,
            Span::new(at, at + 3),
            msg,
        )
    }

    /// Findings with the same rule, file and span are paired identical ones
    /// first: the one that changed is paired with its counterpart, not with
    /// an unchanged neighbour, and what is left over appears.
    #[test]
    fn findings_at_the_same_place_pair_identical_ones_first() {
        let (a, b) = (ws(), ws());
        let icb = a.sources.get(a.files[0]).text.find("icb").unwrap();
        let before = vec![
            finding(&a, "X001", icb, Severity::Warning, "one"),
            finding(&a, "X001", icb, Severity::Warning, "two"),
            finding(&a, "X002", 0, Severity::Error, "gone"),
        ];
        let after = vec![
            finding(&b, "X001", icb, Severity::Warning, "two"),
            finding(&b, "X001", icb, Severity::Error, "one, reworded"),
            finding(&b, "X001", icb, Severity::Advice, "three"),
        ];
        let t = compare(
            Side {
                ws: &a,
                findings: &before,
                placed: None,
            },
            Side {
                ws: &b,
                findings: &after,
                placed: None,
            },
        );
        let kinds: Vec<String> = t
            .differences
            .iter()
            .map(|d| match d {
                Difference::Appear(f) => format!("+{} {}", f.rule, f.message),
                Difference::Disappear(f) => format!("-{} {}", f.rule, f.message),
                Difference::Change { before, after } => {
                    format!("~{} {} -> {}", after.rule, before.message, after.message)
                }
            })
            .collect();
        assert_eq!(
            kinds,
            ["-X002 gone", "~X001 one -> one, reworded", "+X001 three"]
        );
        // Both are in the one system: X002 at its header, X001 in its ICB.
        assert_eq!(t.groups.len(), 1);
        let g = &t.groups[0];
        assert_eq!(g.system.as_ref().unwrap().id.as_deref(), Some("s"));
        assert_eq!(
            (g.appear.len(), g.disappear.len(), g.change.len()),
            (1, 1, 1)
        );
    }

    /// The `from` side's systems taken down by `placed` group its findings
    /// as its model did, once the model is gone: an authority's finding
    /// under each system it has a share in, and a system's or its ICB's
    /// under that system.
    #[test]
    fn placed_findings_group_as_the_model_did() {
        let text = "system s \"S\" { regime 2022 }\nsystem t \"T\" { regime 2022 }\n\
                    authority a \"A\" {\n tier upper\n share @s 60%\n share @t 40%\n}\n\
                    icb i \"NHS S ICB\" { system @s }\n";
        let load = || Workspace::from_texts(&[("a.icg", text)], crate::config::Config::default());
        let (mut a, b) = (load(), load());
        let at = |ws: &Workspace, what: &str| ws.sources.get(ws.files[0]).text.find(what).unwrap();
        let before = vec![
            finding(&a, "X001", at(&a, "authority"), Severity::Warning, "gone"),
            finding(&a, "X002", at(&a, "icb"), Severity::Warning, "gone"),
            finding(&a, "X003", at(&a, "system t"), Severity::Warning, "gone"),
        ];
        let after: Vec<Finding> = Vec::new();
        let groups = |t: &Transition| -> Vec<(Option<String>, Vec<String>)> {
            t.groups
                .iter()
                .map(|g| {
                    (
                        g.system.as_ref().and_then(|s| s.id.clone()),
                        g.disappear
                            .iter()
                            .map(|d| d.finding().rule.to_string())
                            .collect(),
                    )
                })
                .collect()
        };
        let with_model = groups(&compare(
            Side {
                ws: &a,
                findings: &before,
                placed: None,
            },
            Side {
                ws: &b,
                findings: &after,
                placed: None,
            },
        ));
        let placed = placed(&a, &before);
        a.model = Model::default();
        let without = groups(&compare(
            Side {
                ws: &a,
                findings: &before,
                placed: Some(&placed),
            },
            Side {
                ws: &b,
                findings: &after,
                placed: None,
            },
        ));
        assert_eq!(with_model, without);
        assert_eq!(
            without,
            [
                (
                    Some("s".to_string()),
                    vec!["X001".to_string(), "X002".to_string()]
                ),
                (
                    Some("t".to_string()),
                    vec!["X003".to_string(), "X001".to_string()]
                ),
            ]
        );
    }
}
