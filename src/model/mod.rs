//! The typed model of a workspace: every block of every file in one arena,
//! a workspace-wide symbol table, resolved references, each block's system
//! and each authority's CCN typology.

pub mod derived;
mod lower;
pub mod regime;
pub mod schema;
pub mod typology;

pub use lower::{lower, lower_beside, Lowering};
pub use typology::Typology;

use crate::source::{FileId, Span32};
use crate::syntax::{Date, Duration};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub u32);

/// The model's strings (IDs, names, string values, references): most are
/// short, and a string of up to 24 bytes is kept inline rather than in an
/// allocation of its own (a model has several per block).
pub type Str = compact_str::CompactString;

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(Str),
    Text(Str),
    Num(f64),
    Percent(f64),
    Money(f64),
    Date(Date),
    /// Durations and frequencies (`every 12 months` is a 12-month duration).
    Duration(Duration),
    Bool(bool),
    /// A word of the schema's vocabulary is borrowed from it
    /// (`Str::const_new`); a word of an open vocabulary is owned, inline
    /// when short, as most are.
    Word(Str),
    /// A reference, resolved to its block when the ID exists.
    Ref(Option<BlockId>, Str),
    List(Vec<Val>),
    Range(Date, Date),
    /// Attributes with several values (`share @hwe 21%`).
    Tuple(Vec<Val>),
}

/// The days a `share` holds: `from` and `until` are both included, and
/// a missing end is open (`share @s 56% until 2026-03-31` holds on every
/// day up to the 31st).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub until: Option<Date>,
}

impl Period {
    /// The period of a `share`'s values as lowered: `[@system, PERCENT]`
    /// then `from DATE` and `until DATE` as a word and a date each.
    pub fn of_share(values: &[Val]) -> Period {
        let mut p = Period::default();
        for pair in values.get(2..).unwrap_or_default().chunks(2) {
            match pair {
                [Val::Word(w), Val::Date(d)] if w == "from" => p.from = Some(*d),
                [Val::Word(w), Val::Date(d)] if w == "until" => p.until = Some(*d),
                _ => {}
            }
        }
        p
    }
    /// Whether the share states a date.
    pub fn is_dated(&self) -> bool {
        self.from.is_some() || self.until.is_some()
    }
    pub fn contains(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.until.is_none_or(|u| day <= u)
    }
    /// Whether two periods have a day in common.
    pub fn overlaps(&self, other: &Period) -> bool {
        let starts = match (self.from, other.from) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let ends = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (starts, ends) {
            (Some(s), Some(e)) => s <= e,
            _ => true,
        }
    }
}

impl std::fmt::Display for Period {
    /// `from 2026-04-01 until 2027-03-31`, `until 2026-03-31`, `every day`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.from, self.until) {
            (Some(a), Some(b)) => write!(f, "from {a} until {b}"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "until {b}"),
            (None, None) => write!(f, "on every day"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Attr {
    /// The schema's entry for it: attributes are many, and their keys few.
    pub key: Key,
    pub value: Val,
    /// The whole attribute, key to last value.
    pub span: Span32,
}

/// A name that is a reference to its entry in the schema: it reads as
/// the entry's name (`block.kind == "hwb"`, `&*a.key`, `{}`), and two are
/// equal when they are the same entry's name.
macro_rules! schema_name {
    ($(#[$doc:meta])* $name:ident($spec:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name(pub &'static $spec);

        impl $name {
            pub fn spec(self) -> &'static $spec {
                self.0
            }
            pub fn as_str(&self) -> &'static str {
                self.0.name
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                self.0.name
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &$name) -> bool {
                self.0.name == other.0.name
            }
        }
        impl Eq for $name {}
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0.name == other
            }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0.name == *other
            }
        }
        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.0.name == other.as_str()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0.name)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0.name)
            }
        }
    };
}

schema_name! {
    /// An attribute's key: one pointer to its entry in the schema, where
    /// its name would be two words (attributes are many, and keys few).
    Key(schema::KeySpec)
}

schema_name! {
    /// A block's kind, so its keys, children and documentation are at hand
    /// without a second lookup.
    Kind(schema::KindSpec)
}

#[derive(Clone, Debug)]
pub struct Block {
    pub kind: Kind,
    pub id: Option<Str>,
    pub name: Option<Str>,
    pub file: FileId,
    pub span: Span32,
    pub header: Span32,
    /// Set once, at their exact size (a block is one of many).
    pub attrs: Box<[Attr]>,
    pub children: Box<[BlockId]>,
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
    pub ids: HashMap<Str, BlockId>,
    pub typology: HashMap<BlockId, Typology>,
    /// Regime of systems that do not state one.
    pub default_regime: i64,
    /// Regime of a system that does not state one, from the `icslint.yaml`
    /// that applies to the system's file.
    pub configured_regime: HashMap<BlockId, i64>,
    /// The `document` block of each file that has one: what its findings cite.
    pub documents: HashMap<FileId, BlockId>,
    /// A regime imposed on every system, whatever it states
    /// (`icslint transition` checks each system as if it had moved).
    pub forced_regime: Option<i64>,
    /// The day the run is as of (`--as-of`): the shares in force on it
    /// are the ones every rule, the typology and the report read. Set
    /// when lowering starts (`Lowering::as_of`); a lowering given none is
    /// as of today.
    pub as_of: Option<Date>,
    index: Index,
}

/// Lookups built once after lowering, so rules over a large workspace stay
/// linear: blocks by kind, top-level blocks by system, the authorities with
/// a share in each system, and the blocks that reference each block.
#[derive(Debug, Default)]
struct Index {
    by_kind: HashMap<&'static str, Vec<BlockId>>,
    /// The top-level blocks of each system, by kind, in file order: a
    /// system's ICB is one lookup, not a scan of the system's blocks (a
    /// rule asks it for every ICP, and a system of 40,000 ICPs made that
    /// quadratic).
    by_system: rustc_hash::FxHashMap<BlockId, rustc_hash::FxHashMap<&'static str, Vec<BlockId>>>,
    shares_in: HashMap<BlockId, Vec<BlockId>>,
    /// The blocks that refer to block `i` are `referrers[referred[i]..referred[i + 1]]`:
    /// two flat arrays, where a map of vectors had an allocation and a map
    /// entry for each block referred to (most are).
    referred: Vec<u32>,
    referrers: Vec<BlockId>,
    /// The blocks of each file: lowering adds a file's blocks one after another.
    by_file: HashMap<FileId, std::ops::Range<u32>>,
}

fn collect_refs(v: &Val, out: &mut Vec<BlockId>) {
    match v {
        Val::Ref(Some(b), _) => out.push(*b),
        Val::List(items) | Val::Tuple(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

impl Model {
    pub fn block(&self, id: BlockId) -> &Block {
        &self.blocks[id.0 as usize]
    }
    /// Builds the lookups; called by `lower` once blocks, references and systems are known.
    pub(crate) fn build_index(&mut self) {
        let mut ix = Index::default();
        // Each block's distinct targets, in file order: counted first, so the
        // referrers of every block fit one array (a counting sort by target).
        let mut edges: Vec<(BlockId, BlockId)> = Vec::new();
        let mut refs = Vec::new();
        let mut count = vec![0u32; self.blocks.len() + 1];
        for (i, b) in self.blocks.iter().enumerate() {
            let id = BlockId(i as u32);
            ix.by_kind.entry(b.kind.as_str()).or_default().push(id);
            let r = ix.by_file.entry(b.file).or_insert(id.0..id.0);
            r.end = id.0 + 1;
            refs.clear();
            for a in &b.attrs {
                collect_refs(&a.value, &mut refs);
            }
            refs.sort();
            refs.dedup();
            for r in &refs {
                count[r.0 as usize + 1] += 1;
                edges.push((*r, id));
            }
        }
        for i in 1..count.len() {
            count[i] += count[i - 1];
        }
        let mut next = count.clone();
        let mut referrers = vec![BlockId(0); edges.len()];
        for (target, from) in edges {
            let at = &mut next[target.0 as usize];
            referrers[*at as usize] = from;
            *at += 1;
        }
        ix.referred = count;
        ix.referrers = referrers;
        for &t in &self.top {
            let b = self.block(t);
            if let Some(s) = b.system {
                ix.by_system
                    .entry(s)
                    .or_default()
                    .entry(b.kind.as_str())
                    .or_default()
                    .push(t);
            }
        }
        self.index = ix;
        let mut shares_in: HashMap<BlockId, Vec<BlockId>> = HashMap::new();
        for a in self.of_kind("authority").collect::<Vec<_>>() {
            for (s, p) in self.shares(a) {
                if p > 0.0 && !shares_in.get(&s).is_some_and(|v| v.contains(&a)) {
                    shares_in.entry(s).or_default().push(a);
                }
            }
        }
        self.index.shares_in = shares_in;
    }
    /// The innermost block of `file` whose text holds `offset`, leaving
    /// out `explain` blocks (a finding there is about the block around it).
    /// A file's blocks are in the arena in pre-order, so their starts
    /// increase: the last block starting at or before `offset` is the
    /// innermost candidate, and its ancestors the others (a binary search
    /// and at most `MAX_DEPTH` steps up, not a scan of the file).
    pub fn block_at(&self, file: FileId, offset: usize) -> Option<BlockId> {
        let range = self.index.by_file.get(&file)?.clone();
        let blocks = &self.blocks[range.start as usize..range.end as usize];
        let n = blocks.partition_point(|b| b.span.start() <= offset);
        let mut at = n.checked_sub(1).map(|i| BlockId(range.start + i as u32));
        while let Some(b) = at {
            let blk = self.block(b);
            if blk.kind != "explain" && offset < blk.span.end().max(blk.span.start() + 1) {
                return Some(b);
            }
            at = blk.parent;
        }
        None
    }

    /// What text at `offset` in `file` cites: the file's `document` and the
    /// nearest `clause` above it. A block's first `clause` covers its
    /// header and what comes before a later `clause`; a later one covers
    /// what follows it, nested blocks included; a block without one takes
    /// its parent's, as of where the block starts.
    pub fn citation(&self, file: FileId, offset: usize) -> Option<crate::diagnostic::Citation> {
        let doc = self.block(*self.documents.get(&file)?);
        let text = |key: &str| match doc.attr(key).map(|a| &a.value) {
            Some(Val::Str(s)) => Some(s.to_string()),
            _ => None,
        };
        let mut clause = None;
        let mut at = self
            .block_at(file, offset)
            .filter(|b| self.block(*b).kind != "document");
        let mut pos = offset;
        while let Some(b) = at {
            let blk = self.block(b);
            let mut clauses = blk.attrs("clause").filter_map(|a| match &a.value {
                Val::Str(s) => Some((a.span.start(), s)),
                _ => None,
            });
            let first = clauses.next();
            let found = first
                .into_iter()
                .chain(clauses)
                .take_while(|(start, _)| *start <= pos)
                .last()
                .or(first);
            if let Some((_, c)) = found {
                clause = Some(c.to_string());
                break;
            }
            pos = blk.span.start();
            at = blk.parent;
        }
        Some(crate::diagnostic::Citation {
            document: doc.display().to_string(),
            version: text("version"),
            clause,
            url: text("url"),
        })
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = BlockId> + 'a {
        self.index.by_kind.get(kind).into_iter().flatten().copied()
    }
    /// Blocks with an attribute that refers to `target`, in file order.
    pub fn referrers(&self, target: BlockId) -> &[BlockId] {
        let ix = &self.index;
        match (
            ix.referred.get(target.0 as usize),
            ix.referred.get(target.0 as usize + 1),
        ) {
            (Some(&from), Some(&to)) => &ix.referrers[from as usize..to as usize],
            _ => &[],
        }
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
        if let Some(r) = self.forced_regime {
            return r;
        }
        match self.block(system).attr("regime").map(|a| &a.value) {
            Some(Val::Num(n)) => *n as i64,
            _ => self
                .configured_regime
                .get(&system)
                .copied()
                .unwrap_or(self.default_regime),
        }
    }
    /// The day the model is as of (today if lowering was given none).
    pub fn day(&self) -> Date {
        self.as_of.unwrap_or_else(Date::today)
    }
    /// Whether a `share` attribute holds on the model's day: an undated
    /// share always does, a dated one from its `from` to its `until`
    /// day, both included.
    pub fn share_in_force(&self, attr: &Attr) -> bool {
        match &attr.value {
            Val::Tuple(v) => Period::of_share(v).contains(self.day()),
            _ => false,
        }
    }
    /// The `share` attributes of an authority that hold on the model's day.
    pub fn shares_in_force<'a>(
        &'a self,
        authority: BlockId,
    ) -> impl Iterator<Item = &'a Attr> + 'a {
        let day = self.day();
        self.block(authority)
            .attrs("share")
            .filter(move |a| matches!(&a.value, Val::Tuple(v) if Period::of_share(v).contains(day)))
    }
    /// `share @system PERCENT` of an authority in force on the model's
    /// day, as (system, percent); a system named twice counts once, with
    /// its first share.
    pub fn shares(&self, authority: BlockId) -> Vec<(BlockId, f64)> {
        let mut out: Vec<(BlockId, f64)> = Vec::new();
        for a in self.shares_in_force(authority) {
            if let Val::Tuple(v) = &a.value {
                if let (Some(Val::Ref(Some(s), _)), Some(Val::Percent(p))) = (v.first(), v.get(1)) {
                    if self.block(*s).kind == "system" && !out.iter().any(|(x, _)| x == s) {
                        out.push((*s, *p));
                    }
                }
            }
        }
        out
    }
    /// The sum of an authority's shares in force on the model's day as
    /// written, including shares whose system is unknown (ICG004) and
    /// counting a system named twice once.
    pub fn share_total(&self, authority: BlockId) -> f64 {
        let mut seen: Vec<&str> = Vec::new();
        let mut total = 0.0;
        for a in self.shares_in_force(authority) {
            if let Val::Tuple(v) = &a.value {
                if let (Some(Val::Ref(_, name)), Some(Val::Percent(p))) = (v.first(), v.get(1)) {
                    if !seen.contains(&name.as_str()) {
                        seen.push(name);
                        total += p;
                    }
                }
            }
        }
        total
    }
    /// The share of an authority's population in a system (0 if none).
    pub fn share_in(&self, authority: BlockId, system: BlockId) -> f64 {
        self.shares(authority)
            .into_iter()
            .find(|(s, _)| *s == system)
            .map_or(0.0, |(_, p)| p)
    }
    /// The systems holding at least `min_pct`% of an authority's population,
    /// largest share first: the systems whose ICBs and ICPs it relates to
    /// (the law's and CCN's 5% threshold).
    pub fn systems_holding(&self, authority: BlockId, min_pct: f64) -> Vec<BlockId> {
        let mut v: Vec<(BlockId, f64)> = self
            .shares(authority)
            .into_iter()
            .filter(|(_, p)| *p >= min_pct && *p > 0.0)
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v.into_iter().map(|(s, _)| s).collect()
    }
    /// The systems an HWB relates to: its own, and every system holding at
    /// least `min_pct`% of its authority's population (a split council's
    /// board faces the ICB and ICP of each).
    pub fn hwb_systems(&self, hwb: BlockId, min_pct: f64) -> Vec<BlockId> {
        let b = self.block(hwb);
        let mut out: Vec<BlockId> = b.system.into_iter().collect();
        if let Some(Val::Ref(Some(a), _)) = b.attr("authority").map(|a| &a.value) {
            if self.block(*a).kind == "authority" {
                for s in self.systems_holding(*a, min_pct) {
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
        }
        out
    }
    /// The first block of a kind that belongs to the system (its ICB, its ICP).
    pub fn one_of_system(&self, system: BlockId, kind: &str) -> Option<BlockId> {
        self.system_blocks(system, kind).first().copied()
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
        self.index
            .shares_in
            .get(&system)
            .cloned()
            .unwrap_or_default()
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
        self.system_blocks(system, kind).to_vec()
    }
    /// [`Model::of_system`] without a copy: work in proportion to what is
    /// found, whatever else the system holds.
    pub fn system_blocks(&self, system: BlockId, kind: &str) -> &[BlockId] {
        self.index
            .by_system
            .get(&system)
            .and_then(|k| k.get(kind))
            .map_or(&[], Vec::as_slice)
    }
    pub fn population(&self, authority: BlockId) -> Option<f64> {
        match self.block(authority).attr("population").map(|a| &a.value) {
            Some(Val::Num(n)) => Some(*n),
            _ => None,
        }
    }
}
