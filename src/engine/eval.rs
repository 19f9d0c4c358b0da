//! Evaluation of compiled check expressions over the model, and locating
//! where a finding points.

use crate::model::{BlockId, Model, Val};
use crate::rules::check::{BinOp, Func, Node, Piece, E};
use crate::source::{FileId, Span};
use crate::syntax::{fmt_num, Date, Duration, Unit};
use crate::text::{and_list, similarity};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Missing,
    Bool(bool),
    Num(f64),
    Percent(f64),
    Money(f64),
    /// Day number.
    Date(i64),
    /// As written; arithmetic results are in days.
    Duration(Duration),
    Range(i64, i64),
    Str(String),
    Word(String),
    Block(BlockId),
    List(Vec<V>),
}

impl V {
    pub fn truthy(&self) -> bool {
        match self {
            V::Bool(b) => *b,
            V::Missing => false,
            V::List(v) => !v.is_empty(),
            _ => true,
        }
    }
    fn items(&self) -> Vec<V> {
        match self {
            V::List(v) => v.clone(),
            V::Missing => Vec::new(),
            other => vec![other.clone()],
        }
    }
}

pub struct Ctx<'a> {
    pub model: &'a Model,
    pub this: BlockId,
    pub current: V,
    pub vars: &'a HashMap<String, V>,
}

impl<'a> Ctx<'a> {
    fn with(&self, current: V) -> Ctx<'a> {
        Ctx {
            model: self.model,
            this: self.this,
            current,
            vars: self.vars,
        }
    }

    pub fn eval(&self, n: &Node) -> V {
        crate::rules::check::enough_stack(|| self.eval_node(n))
    }

    fn eval_node(&self, n: &Node) -> V {
        match &n.e {
            E::Word(w) | E::Name(w) => V::Word(w.clone()),
            E::Str(s) => V::Str(s.clone()),
            E::Num(x) => V::Num(*x),
            E::Percent(x) => V::Percent(*x),
            E::Money(x) => V::Money(*x),
            E::Date(d) => V::Date(d.day_number()),
            E::Duration(d) => V::Duration(*d),
            E::Bool(b) => V::Bool(*b),
            E::Missing => V::Missing,
            E::List(items) => V::List(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .flat_map(|v| v.items())
                    .collect(),
            ),
            E::Current => self.current.clone(),
            E::SelfBlock => V::Block(self.this),
            E::Var(v) => self.vars.get(v).cloned().unwrap_or(V::Missing),
            E::Field(base, name) => field(self.model, &self.eval(base), name),
            E::Filter(base, pred) => {
                let items = self.eval(base).items();
                V::List(
                    items
                        .into_iter()
                        .filter(|it| self.with(it.clone()).eval(pred).truthy())
                        .collect(),
                )
            }
            E::Not(x) => V::Bool(!self.eval(x).truthy()),
            E::Neg(x) => match self.eval(x) {
                V::Num(n) => V::Num(-n),
                V::Percent(n) => V::Percent(-n),
                V::Money(n) => V::Money(-n),
                V::Duration(d) => V::Duration(Duration {
                    amount: -d.amount,
                    unit: d.unit,
                }),
                _ => V::Missing,
            },
            E::Is(x, kind) => {
                let v = self.eval(x);
                V::Bool(
                    !v.items().is_empty()
                        && v.items().iter().all(
                            |i| matches!(i, V::Block(b) if self.model.block(*b).kind == *kind),
                        ),
                )
            }
            E::Bin(op, l, r) => self.bin(*op, l, r),
            E::Call(f, args) => self.call(*f, args),
        }
    }

    fn bin(&self, op: BinOp, l: &Node, r: &Node) -> V {
        match op {
            BinOp::And => return V::Bool(self.eval(l).truthy() && self.eval(r).truthy()),
            BinOp::Or => return V::Bool(self.eval(l).truthy() || self.eval(r).truthy()),
            _ => {}
        }
        let (a, b) = (self.eval(l), self.eval(r));
        match op {
            BinOp::In => V::Bool(b.items().iter().any(|x| eq(&a, x))),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // A list (a path through children) compares element-wise: true if any element does.
                let lefts = match &a {
                    V::List(v) if !matches!(b, V::List(_)) => v.clone(),
                    other => vec![other.clone()],
                };
                V::Bool(lefts.iter().any(|x| compare(op, x, &b)))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, a, b),
            BinOp::And | BinOp::Or => unreachable!(),
        }
    }

    fn call(&self, f: Func, args: &[Node]) -> V {
        let m = self.model;
        match f {
            Func::Count => V::Num(self.eval(&args[0]).items().len() as f64),
            Func::Exists => V::Bool(
                self.eval(&args[0]).truthy() || matches!(self.eval(&args[0]), V::Bool(false)),
            ),
            Func::Any => {
                let items = self.eval(&args[0]).items();
                V::Bool(
                    items
                        .into_iter()
                        .any(|it| self.with(it).eval(&args[1]).truthy()),
                )
            }
            Func::All => {
                let items = self.eval(&args[0]).items();
                V::Bool(
                    items
                        .into_iter()
                        .all(|it| self.with(it).eval(&args[1]).truthy()),
                )
            }
            Func::Covers => {
                let have = self.eval(&args[0]).items();
                V::Bool(
                    self.eval(&args[1])
                        .items()
                        .iter()
                        .all(|need| have.iter().any(|h| eq(h, need))),
                )
            }
            Func::Minus => {
                let take = self.eval(&args[1]).items();
                V::List(
                    self.eval(&args[0])
                        .items()
                        .into_iter()
                        .filter(|x| !take.iter().any(|t| eq(x, t)))
                        .collect(),
                )
            }
            Func::Overlap => {
                let norm = |v: V| -> Vec<String> {
                    let mut s: Vec<String> = v
                        .items()
                        .iter()
                        .map(|x| text(m, x).to_lowercase())
                        .collect();
                    s.sort();
                    s.dedup();
                    s
                };
                let (a, b) = (norm(self.eval(&args[0])), norm(self.eval(&args[1])));
                let inter = a.iter().filter(|x| b.contains(x)).count();
                let union = a.len() + b.len() - inter;
                V::Num(if union == 0 {
                    0.0
                } else {
                    inter as f64 / union as f64
                })
            }
            Func::Similarity => match (self.eval(&args[0]), self.eval(&args[1])) {
                (V::Str(a), V::Str(b)) => V::Num(similarity(&a, &b)),
                _ => V::Missing,
            },
            Func::Contains => match (self.eval(&args[0]), self.eval(&args[1])) {
                (a @ (V::Str(_) | V::Word(_)), b @ (V::Str(_) | V::Word(_))) => V::Bool(
                    text(m, &a)
                        .to_lowercase()
                        .contains(&text(m, &b).to_lowercase()),
                ),
                _ => V::Bool(false),
            },
            Func::Kinds => match &args[0].e {
                E::Word(k) => V::List(m.of_kind(k).map(V::Block).collect()),
                _ => V::Missing,
            },
            Func::Referrers => match &args[0].e {
                E::Word(k) => V::List(
                    m.referrers(self.this)
                        .iter()
                        .copied()
                        .filter(|b| m.block(*b).kind == *k)
                        .map(V::Block)
                        .collect(),
                ),
                _ => V::Missing,
            },
            Func::Typology => match self.eval(&args[0]) {
                V::Block(b) => m
                    .typology
                    .get(&b)
                    .and_then(|t| t.kind)
                    .map_or(V::Missing, |k| V::Num(k as f64)),
                _ => V::Missing,
            },
            Func::Absent => {
                let b = self.eval(&args[0]);
                let keys: Vec<String> = match &args[1].e {
                    E::List(v) => v
                        .iter()
                        .filter_map(|n| {
                            if let E::Word(w) = &n.e {
                                Some(w.clone())
                            } else {
                                None
                            }
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                V::List(
                    keys.into_iter()
                        .filter(|k| !field(m, &b, k).truthy())
                        .map(V::Word)
                        .collect(),
                )
            }
        }
    }

    pub fn render(&self, pieces: &[Piece]) -> String {
        let mut out = String::new();
        for p in pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Expr(n) => out.push_str(&text(self.model, &self.eval(n))),
            }
        }
        out
    }
}

/// A value as a governance lead reads it.
pub fn text(m: &Model, v: &V) -> String {
    match v {
        V::Missing => "(not stated)".into(),
        V::Bool(b) => if *b { "yes" } else { "no" }.into(),
        V::Num(n) => fmt_num(*n),
        V::Percent(p) => format!("{}%", fmt_num(*p)),
        V::Money(x) => money(*x),
        V::Date(d) => Date::from_day_number(*d).to_string(),
        V::Range(a, b) => format!(
            "{} to {}",
            Date::from_day_number(*a),
            Date::from_day_number(*b)
        ),
        V::Duration(d) if d.unit == Unit::Day => duration(d.amount),
        V::Duration(d) => d.to_string(),
        V::Str(s) => s.clone(),
        V::Word(w) => format!("`{w}`"),
        V::Block(b) => m.block(*b).display().to_string(),
        V::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| text(m, i)).collect();
            if parts.is_empty() {
                "(none)".into()
            } else {
                and_list(&parts)
            }
        }
    }
}

fn money(x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("£{}bn", fmt_num(x / 1e9))
    } else if x.abs() >= 1e6 {
        format!("£{}m", fmt_num(x / 1e6))
    } else if x.abs() >= 1e4 && (x / 1e3).fract() == 0.0 {
        format!("£{}k", fmt_num(x / 1e3))
    } else {
        format!("£{}", fmt_num(x))
    }
}

fn duration(days: f64) -> String {
    let months = days / (365.25 / 12.0);
    let plural = |n: f64, u: &str| format!("{} {u}{}", fmt_num(n), if n == 1.0 { "" } else { "s" });
    if (months - months.round()).abs() < 1e-6 {
        let m = months.round();
        if m % 12.0 == 0.0 && m >= 36.0 {
            plural(m / 12.0, "year")
        } else {
            plural(m, "month")
        }
    } else if days % 7.0 == 0.0 {
        plural(days / 7.0, "week")
    } else {
        plural(days, "day")
    }
}

pub fn conv(v: &Val) -> V {
    match v {
        Val::Str(s) | Val::Text(s) => V::Str(s.clone()),
        Val::Num(n) => V::Num(*n),
        Val::Percent(p) => V::Percent(*p),
        Val::Money(x) => V::Money(*x),
        Val::Date(d) => V::Date(d.day_number()),
        Val::Duration(d) => V::Duration(*d),
        Val::Bool(b) => V::Bool(*b),
        Val::Word(w) => V::Word(w.clone()),
        Val::Ref(Some(b), _) => V::Block(*b),
        Val::Ref(None, _) => V::Missing,
        Val::List(items) => V::List(
            items
                .iter()
                .map(conv)
                .filter(|x| *x != V::Missing)
                .collect(),
        ),
        Val::Range(a, b) => V::Range(a.day_number(), b.day_number()),
        Val::Tuple(items) => items.first().map_or(V::Missing, conv),
    }
}

/// `base.name`: an attribute, the children of a kind, or a derived field.
pub fn field(m: &Model, base: &V, name: &str) -> V {
    match base {
        V::Block(b) => block_field(m, *b, name),
        V::List(items) => V::List(
            items
                .iter()
                .map(|i| field(m, i, name))
                .flat_map(|v| v.items())
                .collect(),
        ),
        _ => V::Missing,
    }
}

fn block_field(m: &Model, id: BlockId, name: &str) -> V {
    let b = m.block(id);
    let spec = b.kind.spec();
    if let Some(key) = spec.key(name) {
        if key.repeatable {
            return V::List(
                b.attrs(name)
                    .map(|a| conv(&a.value))
                    .filter(|v| *v != V::Missing)
                    .collect(),
            );
        }
        if let Some(a) = b.attr(name) {
            return conv(&a.value);
        }
        if name == "regime" && b.kind == "system" {
            return V::Num(m.regime(id) as f64);
        }
        if name != "system" {
            return V::Missing;
        }
    }
    if spec.children.contains(&name) {
        return V::List(m.children_of(id, name).map(V::Block).collect());
    }
    use crate::model::derived::{find, DerivedValue};
    match find(name).map(|d| (d.eval)(m, id)) {
        Some(DerivedValue::Str(s)) => V::Str(s),
        Some(DerivedValue::Block(b)) => b.map_or(V::Missing, V::Block),
        Some(DerivedValue::Blocks(v)) => V::List(v.into_iter().map(V::Block).collect()),
        Some(DerivedValue::Missing) | None => V::Missing,
    }
}

fn eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Missing, _) | (_, V::Missing) => false,
        (V::Word(x) | V::Str(x), V::Word(y) | V::Str(y)) => x == y,
        (V::Num(x), V::Num(y)) | (V::Percent(x), V::Percent(y)) | (V::Money(x), V::Money(y)) => {
            (x - y).abs() < 1e-9
        }
        (V::Duration(x), V::Duration(y)) => (x.days() - y.days()).abs() < 1e-6,
        _ => a == b,
    }
}

fn compare(op: BinOp, a: &V, b: &V) -> bool {
    if matches!(a, V::Missing) || matches!(b, V::Missing) {
        return false;
    }
    match op {
        BinOp::Eq => eq(a, b),
        BinOp::Ne => !eq(a, b),
        _ => {
            let scalar = |v: &V| match v {
                V::Num(x) | V::Percent(x) | V::Money(x) => Some(*x),
                V::Duration(d) => Some(d.days()),
                _ => None,
            };
            let same_kind = std::mem::discriminant(a) == std::mem::discriminant(b);
            let ord = match (scalar(a), scalar(b)) {
                (Some(x), Some(y)) if same_kind => {
                    // Durations are compared in days, so `1 year` and `12 months` agree.
                    if (x - y).abs() < 1e-6 {
                        std::cmp::Ordering::Equal
                    } else {
                        x.total_cmp(&y)
                    }
                }
                _ => match (a, b) {
                    (V::Date(x), V::Date(y)) => x.cmp(y),
                    _ => return false,
                },
            };
            match op {
                BinOp::Lt => ord.is_lt(),
                BinOp::Le => ord.is_le(),
                BinOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }
        }
    }
}

fn days(n: f64) -> Duration {
    Duration {
        amount: n,
        unit: Unit::Day,
    }
}

fn arith(op: BinOp, a: V, b: V) -> V {
    use V::*;
    let f = |x: f64, y: f64| match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        _ => {
            if y == 0.0 {
                f64::NAN
            } else {
                x / y
            }
        }
    };
    let both = matches!(op, BinOp::Add | BinOp::Sub);
    match (a, b) {
        (List(x), List(y)) if op == BinOp::Add => List(x.into_iter().chain(y).collect()),
        (Num(x), Num(y)) => Num(f(x, y)),
        (Percent(x), Percent(y)) if both => Percent(f(x, y)),
        (Money(x), Money(y)) if both => Money(f(x, y)),
        (Duration(x), Duration(y)) if both && x.unit == y.unit => {
            Duration(crate::syntax::Duration {
                amount: f(x.amount, y.amount),
                unit: x.unit,
            })
        }
        (Duration(x), Duration(y)) if both => Duration(days(f(x.days(), y.days()))),
        (Money(x), Money(y)) | (Percent(x), Percent(y)) => Num(f(x, y)),
        (Duration(x), Duration(y)) => Num(f(x.days(), y.days())),
        (Percent(x), Num(y)) | (Num(y), Percent(x)) => Percent(f(x, y)),
        (Money(x), Num(y)) | (Num(y), Money(x)) => Money(f(x, y)),
        (Duration(x), Num(y)) | (Num(y), Duration(x)) => Duration(crate::syntax::Duration {
            amount: f(x.amount, y),
            unit: x.unit,
        }),
        (Date(d), Duration(x)) => Date(match op {
            BinOp::Sub => d - x.days().round() as i64,
            _ => d + x.days().round() as i64,
        }),
        (Date(x), Date(y)) if op == BinOp::Sub => Duration(days((x - y) as f64)),
        _ => Missing,
    }
}

// ------------------------------------------------------------ locations

/// Where a path leads: the attribute it ends on, or the header of the last
/// block it reached.
pub fn locate(ctx: &Ctx, path: &Node) -> (FileId, Span) {
    let m = ctx.model;
    let header = |b: BlockId| (m.block(b).file, m.block(b).header);
    let start = match &ctx.current {
        V::Block(b) => *b,
        _ => ctx.this,
    };
    let mut segs: Vec<&Node> = Vec::new();
    let mut root = path;
    while let E::Field(base, _) | E::Filter(base, _) = &root.e {
        segs.push(root);
        root = base;
    }
    segs.reverse();
    let (mut value, mut loc) = match &root.e {
        E::Current => (ctx.current.clone(), header(start)),
        E::SelfBlock => (V::Block(ctx.this), header(ctx.this)),
        _ => {
            let v = ctx.eval(root);
            let loc = match v.items().first() {
                Some(V::Block(b)) => header(*b),
                _ => header(start),
            };
            (v, loc)
        }
    };
    let mut owner = loc;
    for seg in segs {
        match &seg.e {
            E::Field(_, name) => {
                let first_block = value.items().into_iter().find_map(|v| {
                    if let V::Block(b) = v {
                        Some(b)
                    } else {
                        None
                    }
                });
                let Some(b) = first_block else { return owner };
                let blk = m.block(b);
                let is_key = blk.kind.spec().key(name).is_some();
                let next = field(m, &V::Block(b), name);
                if is_key {
                    match blk.attr(name) {
                        Some(a) => loc = (blk.file, a.span),
                        None => return header(b),
                    }
                    owner = header(b);
                } else {
                    owner = header(b);
                    match next.items().first() {
                        Some(V::Block(t)) => loc = header(*t),
                        Some(_) => {}
                        None => return header(b),
                    }
                }
                value = next;
            }
            E::Filter(_, pred) => {
                let kept: Vec<V> = value
                    .items()
                    .into_iter()
                    .filter(|it| ctx.with(it.clone()).eval(pred).truthy())
                    .collect();
                match kept.first() {
                    Some(V::Block(t)) => loc = header(*t),
                    Some(_) => {}
                    None => return owner,
                }
                value = V::List(kept);
            }
            _ => {}
        }
    }
    loc
}

/// The default location of a failed assert (rules.md: "the first path in
/// assert that exists, else the block header"), refined to the first
/// conjunct that failed, so `a and b and c` points at what is wrong.
pub fn default_location(ctx: &Ctx, assert: &Node) -> (FileId, Span) {
    explain(ctx, assert, false)
}

/// Where to point to explain why `n` evaluated to `value`: the conjunct that
/// failed an `and`, the disjunct that made a negated `or` true, the element
/// that failed an `all`; then the first path there.
fn explain(ctx: &Ctx, n: &Node, value: bool) -> (FileId, Span) {
    crate::rules::check::enough_stack(|| explain_node(ctx, n, value))
}

fn explain_node(ctx: &Ctx, n: &Node, value: bool) -> (FileId, Span) {
    match (&n.e, value) {
        (E::Not(x), v) => return explain(ctx, x, !v),
        (E::Bin(BinOp::And, ..), false) | (E::Bin(BinOp::Or, ..), true) => {
            let mut parts = Vec::new();
            flatten(n, if value { BinOp::Or } else { BinOp::And }, &mut parts);
            if let Some(p) = parts.iter().find(|p| ctx.eval(p).truthy() == value) {
                return explain(ctx, p, value);
            }
        }
        (E::Call(Func::All, args), false) | (E::Call(Func::Any, args), true) => {
            let el = ctx
                .eval(&args[0])
                .items()
                .into_iter()
                .find(|it| ctx.with(it.clone()).eval(&args[1]).truthy() == value);
            // Descend into children only; a referenced block (`chairs @audit`)
            // is explained by the reference itself.
            if let (Some(V::Block(e)), V::Block(cur)) = (&el, &ctx.current) {
                if ctx.model.block(*e).parent == Some(*cur) {
                    return explain(&ctx.with(V::Block(*e)), &args[1], value);
                }
            }
        }
        _ => {}
    }
    match first_path(n) {
        Some(p) => locate(ctx, p),
        None => {
            let b = match &ctx.current {
                V::Block(b) => *b,
                _ => ctx.this,
            };
            (ctx.model.block(b).file, ctx.model.block(b).header)
        }
    }
}

fn flatten<'n>(n: &'n Node, op: BinOp, out: &mut Vec<&'n Node>) {
    match &n.e {
        E::Bin(o, a, b) if *o == op => {
            flatten(a, op, out);
            flatten(b, op, out);
        }
        _ => out.push(n),
    }
}

/// The first path rooted at the element in context (not at `system`, `self` or a variable).
fn first_path(n: &Node) -> Option<&Node> {
    match &n.e {
        E::Field(..) | E::Filter(..) => {
            // Walk to the root, remembering the first field after it.
            let (mut root, mut first) = (n, None);
            while let E::Field(base, _) | E::Filter(base, _) = &root.e {
                if let E::Field(_, f) = &root.e {
                    first = Some(f.as_str());
                }
                root = base;
            }
            (matches!(root.e, E::Current) && first != Some("system")).then_some(n)
        }
        E::Not(x) | E::Neg(x) | E::Is(x, _) => first_path(x),
        E::Bin(_, a, b) => first_path(a).or_else(|| first_path(b)),
        E::Call(Func::Any | Func::All, args) => first_path(&args[0]),
        E::Call(_, args) => args.iter().find_map(first_path),
        E::List(items) => items.iter().find_map(first_path),
        _ => None,
    }
}
