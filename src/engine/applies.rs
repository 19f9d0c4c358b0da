//! Whether a rule applied to a system at all, and if not, why: the
//! conformance report tells "complied" (the rule ran and found nothing)
//! from "not applicable" (it had nothing to run on). Reads the rule as the
//! engine runs it: its regimes, what a regime requires of the system (under
//! the Health Bill's regime the ICP rules apply only where an ICP exists),
//! its scope blocks in the system, its `when:`.

use super::eval::{Ctx, V};
use crate::model::{BlockId, Model};
use crate::rules::pack::Check;
use crate::rules::Rule;
use std::collections::HashMap;

/// Why a rule did not apply to a system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotApplicable {
    // (The plain-English text of each is `NotApplicable::text`.)
    /// The rule runs only under `regimes`; the system is under `regime`.
    Regime { regime: i64, regimes: Vec<i64> },
    /// Under `regime` the rule applies only where the system has a block of
    /// `kind` (`by_regime: { 2026: { requires: icp } }`), and it has none.
    Requires { regime: i64, kind: &'static str },
    /// The system has no block of the rule's scope (no ICP, no framework...).
    NoBlock { kinds: Vec<&'static str> },
    /// Every block of the scope failed the rule's `when:` condition.
    Condition { when: String },
    /// The scope blocks exist, but the rule's `for_each` found nothing in
    /// them to check (CCN123 on an HWB that relates to no ICP).
    NoElements { kinds: Vec<&'static str> },
}

/// The blocks of a kind that belong to a system: the system itself, the
/// authorities with a share in it, or the blocks whose system it is
/// (nested blocks inherit their top-level block's system).
pub fn scope_blocks(m: &Model, kind: &str, system: BlockId) -> Vec<BlockId> {
    match kind {
        "system" => vec![system],
        "authority" => m.authorities_of(system),
        // A top-level kind's blocks of a system are one lookup: a rule asks
        // for every block it checks (`requires: icp`), and a scan of the
        // kind's blocks in the workspace each time was quadratic.
        _ if crate::model::schema::kind(kind).is_some_and(|k| k.top_level()) => {
            m.of_system(system, kind)
        }
        _ => m
            .of_kind(kind)
            .filter(|b| m.block(*b).system == Some(system))
            .collect(),
    }
}

/// `Ok(n)`: the rule ran on `n` blocks (or elements) of the system;
/// `Err(why)`: it had nothing to run on. Parameters take their default
/// values (a `when:` seldom reads one).
pub fn applies(m: &Model, rule: &Rule, system: BlockId) -> Result<usize, NotApplicable> {
    let regime = m.regime(system);
    if !rule.regimes.is_empty() && !rule.regimes.contains(&regime) {
        return Err(NotApplicable::Regime {
            regime,
            regimes: rule.regimes.clone(),
        });
    }
    if let Some(kind) = rule.requires(regime) {
        if scope_blocks(m, kind, system).is_empty() {
            return Err(NotApplicable::Requires { regime, kind });
        }
    }
    let blocks: Vec<BlockId> = rule
        .scope
        .iter()
        .flat_map(|k| scope_blocks(m, k, system))
        .collect();
    if blocks.is_empty() {
        return Err(NotApplicable::NoBlock {
            kinds: rule.scope.clone(),
        });
    }
    let Check::Expr { for_each, when, .. } = &rule.check else {
        return Ok(blocks.len());
    };
    let empty = HashMap::new();
    let mut vars = HashMap::new();
    // As in a run: a rule that cannot finish within it ran on nothing
    // this can tell (the run reported its ICG012).
    let budget = super::eval::Budget::new(super::eval::STEPS_PER_RULE);
    for p in &rule.params {
        let ctx = Ctx {
            model: m,
            this: blocks[0],
            current: V::Missing,
            vars: &empty,
            budget: &budget,
            lets: None,
        };
        vars.insert(p.name.clone(), ctx.eval(&p.value));
    }
    let mut ran = 0;
    for &b in &blocks {
        let elements = match for_each {
            Some(fe) => match (Ctx {
                model: m,
                this: b,
                current: V::Block(b),
                vars: &vars,
                budget: &budget,
                lets: None,
            })
            .eval(fe)
            {
                V::List(v) => v,
                V::Missing => Vec::new(),
                other => vec![other],
            },
            None => vec![V::Block(b)],
        };
        for el in elements {
            let ctx = Ctx {
                model: m,
                this: b,
                current: el,
                vars: &vars,
                budget: &budget,
                lets: None,
            };
            if when.as_ref().is_none_or(|w| ctx.eval(w).truthy()) {
                ran += 1;
            }
        }
    }
    match (ran, when) {
        (0, Some(_)) => Err(NotApplicable::Condition {
            when: rule.condition.clone().unwrap_or_default(),
        }),
        (0, None) => Err(NotApplicable::NoElements {
            kinds: rule.scope.clone(),
        }),
        (n, _) => Ok(n),
    }
}

impl NotApplicable {
    /// Why, in plain English, for a governance lead.
    pub fn text(&self) -> String {
        let list =
            |v: &[i64]| crate::text::and_list(&v.iter().map(|r| r.to_string()).collect::<Vec<_>>());
        match self {
            NotApplicable::Regime { regime, regimes } => format!(
                "the system is under the {regime} regime; this applies under {}",
                list(regimes)
            ),
            NotApplicable::Requires { regime, kind } => format!(
                "under the {regime} regime this applies only where {}, and the system has none",
                crate::rules::pack::kind_exists(kind)
            ),
            NotApplicable::NoBlock { kinds } => {
                format!(
                    "the documents describe no {} for this system",
                    kinds.join(" or ")
                )
            }
            NotApplicable::Condition { when } => format!("it applies only where `{when}`"),
            NotApplicable::NoElements { kinds } => format!(
                "the system's {} blocks give it nothing to check",
                kinds.join(" and ")
            ),
        }
    }
}
