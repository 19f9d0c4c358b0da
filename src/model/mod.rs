//! The typed model of a workspace: every block of every file in one arena,
//! a workspace-wide symbol table, resolved references, each block's system
//! and each authority's CCN typology.

mod lower;
pub mod schema;
pub mod typology;

pub use lower::lower;
pub use typology::Typology;

use crate::source::{FileId, Span};
use crate::syntax::{Date, Duration};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub u32);

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Text(String),
    Num(f64),
    Percent(f64),
    Money(f64),
    Date(Date),
    /// Durations and frequencies (`every 12 months` is a 12-month duration).
    Duration(Duration),
    Bool(bool),
    Word(String),
    /// A reference, resolved to its block when the ID exists.
    Ref(Option<BlockId>, String),
    List(Vec<Val>),
    Range(Date, Date),
    /// Attributes with several values (`share @hwe 21%`).
    Tuple(Vec<Val>),
}

#[derive(Clone, Debug)]
pub struct Attr {
    pub key: String,
    pub value: Val,
    /// The whole attribute, key to last value.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub kind: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub file: FileId,
    pub span: Span,
    pub header: Span,
    pub attrs: Vec<Attr>,
    pub children: Vec<BlockId>,
    pub parent: Option<BlockId>,
    /// The system this block belongs to (a system's is itself; nested blocks
    /// inherit their top-level block's). Authorities belong to no one system.
    pub system: Option<BlockId>,
}

impl Block {
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.key == key)
    }
    pub fn attrs<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Attr> + 'a {
        self.attrs.iter().filter(move |a| a.key == key)
    }
    /// The display name, else the ID, else the kind.
    pub fn display(&self) -> &str {
        self.name
            .as_deref()
            .or(self.id.as_deref())
            .unwrap_or(&self.kind)
    }
}

#[derive(Debug, Default)]
pub struct Model {
    pub blocks: Vec<Block>,
    /// Top-level blocks, in file order.
    pub top: Vec<BlockId>,
    pub ids: HashMap<String, BlockId>,
    pub typology: HashMap<BlockId, Typology>,
    /// Regime of systems that do not state one.
    pub default_regime: i64,
    /// Regime of a system that does not state one, from the `icslint.yaml`
    /// that applies to the system's file.
    pub configured_regime: HashMap<BlockId, i64>,
}

impl Model {
    pub fn block(&self, id: BlockId) -> &Block {
        &self.blocks[id.0 as usize]
    }
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = BlockId> + 'a {
        self.blocks
            .iter()
            .enumerate()
            .filter(move |(_, b)| b.kind == kind)
            .map(|(i, _)| BlockId(i as u32))
    }
    pub fn children_of<'a>(
        &'a self,
        id: BlockId,
        kind: &'a str,
    ) -> impl Iterator<Item = BlockId> + 'a {
        self.block(id)
            .children
            .iter()
            .copied()
            .filter(move |c| self.block(*c).kind == kind)
    }
    pub fn regime(&self, system: BlockId) -> i64 {
        match self.block(system).attr("regime").map(|a| &a.value) {
            Some(Val::Num(n)) => *n as i64,
            _ => self
                .configured_regime
                .get(&system)
                .copied()
                .unwrap_or(self.default_regime),
        }
    }
    /// `share @system PERCENT` of an authority, as (system, percent).
    pub fn shares(&self, authority: BlockId) -> Vec<(BlockId, f64)> {
        self.block(authority)
            .attrs("share")
            .filter_map(|a| match &a.value {
                Val::Tuple(v) => match (v.first(), v.get(1)) {
                    (Some(Val::Ref(Some(s), _)), Some(Val::Percent(p)))
                        if self.block(*s).kind == "system" =>
                    {
                        Some((*s, *p))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
    pub fn tier(&self, authority: BlockId) -> &str {
        let b = self.block(authority);
        match b.attr("tier").map(|a| &a.value) {
            Some(Val::Word(w)) => w,
            _ => match b.attr("kind").map(|a| &a.value) {
                Some(Val::Word(k)) if k == "district" => "lower",
                Some(Val::Word(k)) if k == "combined" => "strategic",
                _ => "upper",
            },
        }
    }
    /// Authorities with a share above 0% in the system.
    pub fn authorities_of(&self, system: BlockId) -> Vec<BlockId> {
        self.of_kind("authority")
            .filter(|a| {
                self.shares(*a)
                    .iter()
                    .any(|(s, p)| *s == system && *p > 0.0)
            })
            .collect()
    }
    /// Upper-tier authorities with a share above 0% in the system.
    pub fn upper_tier_of(&self, system: BlockId) -> Vec<BlockId> {
        self.authorities_of(system)
            .into_iter()
            .filter(|a| self.tier(*a) == "upper")
            .collect()
    }
    /// Top-level blocks of a kind that belong to the system.
    pub fn of_system(&self, system: BlockId, kind: &str) -> Vec<BlockId> {
        self.top
            .iter()
            .copied()
            .filter(|b| self.block(*b).kind == kind && self.block(*b).system == Some(system))
            .collect()
    }
    pub fn population(&self, authority: BlockId) -> Option<f64> {
        match self.block(authority).attr("population").map(|a| &a.value) {
            Some(Val::Num(n)) => Some(*n),
            _ => None,
        }
    }
}
