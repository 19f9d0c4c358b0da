//! Fields computed from the model rather than written in a file (`name`,
//! `system`, `upper_tier`, `icps`, ...), each declared once: its name, the
//! kinds it applies to, its type, the keys it reads and how it is computed.
//! The check-language compiler types paths with this table and the engine
//! evaluates them with it, so adding a derived field touches this file only.

use super::{BlockId, Model, Val};
use crate::syntax::fmt_num;
use crate::text::and_list;

/// The type of a derived field.
#[derive(Clone, Copy, Debug)]
pub enum DerivedTy {
    Str,
    Word,
    AnyBlock,
    Block(&'static str),
    Blocks(&'static str),
}

/// A derived field's value.
#[derive(Clone, Debug, PartialEq)]
pub enum DerivedValue {
    Str(String),
    Block(Option<BlockId>),
    Blocks(Vec<BlockId>),
    Missing,
}

pub struct Derived {
    pub name: &'static str,
    /// The kinds it applies to; empty: every kind.
    pub kinds: &'static [&'static str],
    pub ty: DerivedTy,
    /// The keys `eval` reads (of the block or of the blocks it finds): a
    /// rule that uses the field depends on them (ICG001's note).
    pub reads: &'static [&'static str],
    pub eval: fn(&Model, BlockId) -> DerivedValue,
}

use DerivedTy::*;
use DerivedValue as D;

fn first(v: Vec<BlockId>) -> DerivedValue {
    D::Block(v.first().copied())
}

pub const DERIVED: &[Derived] = &[
    Derived {
        name: "name",
        kinds: &[],
        ty: Str,
        reads: &[],
        eval: |m, b| D::Str(m.block(b).display().to_string()),
    },
    Derived {
        name: "id",
        kinds: &[],
        ty: Word,
        reads: &[],
        eval: |m, b| {
            m.block(b)
                .id
                .as_ref()
                .map_or(D::Missing, |id| D::Str(id.to_string()))
        },
    },
    Derived {
        name: "parent",
        kinds: &[],
        ty: AnyBlock,
        reads: &[],
        eval: |m, b| D::Block(m.block(b).parent),
    },
    Derived {
        name: "system",
        kinds: &[],
        ty: Block("system"),
        reads: &["system"],
        eval: |m, b| D::Block(m.block(b).system),
    },
    // A member's person, else the title: how two memberships are compared.
    Derived {
        name: "who",
        kinds: &["member"],
        ty: Str,
        reads: &["person"],
        eval: |m, b| match m.block(b).attr("person").map(|a| &a.value) {
            Some(Val::Str(p)) => D::Str(p.to_string()),
            _ => D::Str(m.block(b).display().to_string()),
        },
    },
    Derived {
        name: "icb",
        kinds: &["system"],
        ty: Block("icb"),
        reads: &["system"],
        eval: |m, s| D::Block(m.one_of_system(s, "icb")),
    },
    Derived {
        name: "icp",
        kinds: &["system"],
        ty: Block("icp"),
        reads: &["system"],
        eval: |m, s| D::Block(m.one_of_system(s, "icp")),
    },
    Derived {
        name: "hwbs",
        kinds: &["system"],
        ty: Blocks("hwb"),
        reads: &["system"],
        eval: |m, s| D::Blocks(m.of_system(s, "hwb")),
    },
    Derived {
        name: "places",
        kinds: &["system"],
        ty: Blocks("place"),
        reads: &["system"],
        eval: |m, s| D::Blocks(m.of_system(s, "place")),
    },
    Derived {
        name: "strategies",
        kinds: &["system"],
        ty: Blocks("strategy"),
        reads: &["system"],
        eval: |m, s| D::Blocks(m.of_system(s, "strategy")),
    },
    Derived {
        name: "frameworks",
        kinds: &["system"],
        ty: Blocks("framework"),
        reads: &["system"],
        eval: |m, s| D::Blocks(m.of_system(s, "framework")),
    },
    Derived {
        name: "delegations",
        kinds: &["system"],
        ty: Blocks("delegation"),
        reads: &["system"],
        eval: |m, s| D::Blocks(m.of_system(s, "delegation")),
    },
    Derived {
        name: "authorities",
        kinds: &["system"],
        ty: Blocks("authority"),
        reads: &["share"],
        eval: |m, s| D::Blocks(m.authorities_of(s)),
    },
    Derived {
        name: "upper_tier",
        kinds: &["system"],
        ty: Blocks("authority"),
        reads: &["share", "tier", "kind"],
        eval: |m, s| D::Blocks(m.upper_tier_of(s)),
    },
    // The HWB whose `authority` is this one.
    Derived {
        name: "hwb",
        kinds: &["authority"],
        ty: Block("hwb"),
        reads: &["authority"],
        eval: |m, a| {
            first(
                m.referrers(a)
                    .iter()
                    .copied()
                    .filter(|h| {
                        m.block(*h).kind == "hwb"
                            && matches!(m.block(*h).attr("authority").map(|x| &x.value), Some(Val::Ref(Some(t), _)) if *t == a)
                    })
                    .collect(),
            )
        },
    },
    // The ICPs of the HWB's system and of every system holding 5% or more of its authority.
    Derived {
        name: "icps",
        kinds: &["hwb"],
        ty: Blocks("icp"),
        reads: &["authority", "share", "system"],
        eval: |m, h| {
            D::Blocks(
                m.hwb_systems(h, 5.0)
                    .into_iter()
                    .filter_map(|s| m.one_of_system(s, "icp"))
                    .collect(),
            )
        },
    },
    Derived {
        name: "systems",
        kinds: &["authority"],
        ty: Blocks("system"),
        reads: &["share"],
        eval: |m, a| {
            D::Blocks(
                m.shares(a)
                    .into_iter()
                    .filter(|(_, p)| *p > 0.0)
                    .map(|(s, _)| s)
                    .collect(),
            )
        },
    },
    // "Essex (56%), ... and 12% in systems not described here".
    Derived {
        name: "share_list",
        kinds: &["authority"],
        ty: Str,
        reads: &["share", "population"],
        eval: |m, a| {
            let mut shares = m.shares(a);
            shares.sort_by(|x, y| y.1.total_cmp(&x.1));
            let mut parts: Vec<String> = shares
                .iter()
                .map(|(s, p)| format!("{} ({}%)", m.block(*s).display(), fmt_num(*p)))
                .collect();
            if let Some(t) = m.typology.get(&a).filter(|t| t.remainder >= 0.05) {
                parts.push(format!(
                    "{}% in systems not described here",
                    fmt_num((t.remainder * 100.0).round() / 100.0)
                ));
            }
            D::Str(and_list(&parts))
        },
    },
];

/// The derived field of that name, if there is one.
pub fn find(name: &str) -> Option<&'static Derived> {
    DERIVED.iter().find(|d| d.name == name)
}
