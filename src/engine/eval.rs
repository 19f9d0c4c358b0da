//! Evaluation of compiled check expressions over the model, and locating
//! where a finding points.

use crate::model::{BlockId, Model};
use crate::rules::check::{BinOp, Node, Piece, E};
use crate::rules::funcs::{Env, Locate};
use crate::rules::value::eq;
pub use crate::rules::value::{conv, field, text, V};
use crate::source::{FileId, Span};
use crate::syntax::{Duration, Unit};
use std::cell::Cell;
use std::collections::HashMap;

/// Steps of evaluation a rule may take in one run, whatever the size of the
/// workspace: a local pack is untrusted, and three nested quantifiers over
/// thousands of authorities would otherwise run for days. A step is a node
/// evaluated, an element of a list made, or a comparison a function makes
/// (a few tens of nanoseconds). The built-in rule that takes most, STA002,
/// takes 1.4 million steps at 100x national (46 MB of documents), 35 times
/// fewer than this, and about one step per 32 bytes of documents.
pub const STEPS_PER_RULE: u64 = 50_000_000;

/// More steps for a larger workspace: ten per byte of its documents above
/// the fixed allowance, so a rule linear in the workspace never runs out.
pub fn steps_for(document_bytes: usize) -> u64 {
    STEPS_PER_RULE.saturating_add((document_bytes as u64).saturating_mul(10))
}

/// The longest message (or help, label, fix) a rule may render, in bytes:
/// a governance lead reads a finding, not a list of thousands of names.
pub const MAX_MESSAGE: usize = 16 * 1024;

/// What a rule may still spend, shared by every context it evaluates in.
/// Once spent, evaluation returns "missing" at once, so whatever loop is
/// running ends quickly; the engine then drops the rule's findings and
/// reports an ICG012 naming it.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    left: Cell<u64>,
    overrun: Cell<Option<Overrun>>,
    /// A built-in rule's message is cut short rather than the rule stopped:
    /// its templates are ours, and only a document (a system of thousands
    /// of councils) makes its lists long; a statutory finding is never
    /// lost for it.
    cut_messages: bool,
}

/// Why a rule was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overrun {
    /// It needed more than this many steps.
    Steps(u64),
    /// A message it rendered came to more than this many bytes.
    Message(usize),
}

impl Budget {
    pub fn new(limit: u64) -> Budget {
        Budget {
            limit,
            left: Cell::new(limit),
            overrun: Cell::new(None),
            cut_messages: false,
        }
    }

    /// A budget whose messages are cut short at [`MAX_MESSAGE`] rather than
    /// stopping the rule (a built-in pack's).
    pub fn cutting_messages(mut self) -> Budget {
        self.cut_messages = true;
        self
    }

    /// Takes `steps` from what is left; false (and spent) when too few are.
    pub fn spend(&self, steps: u64) -> bool {
        let left = self.left.get();
        if left < steps || self.overrun.get().is_some() {
            self.stop(Overrun::Steps(self.limit));
            return false;
        }
        self.left.set(left - steps);
        true
    }

    fn stop(&self, why: Overrun) {
        self.left.set(0);
        if self.overrun.get().is_none() {
            self.overrun.set(Some(why));
        }
    }

    /// Why the rule was stopped, if it was.
    pub fn overrun(&self) -> Option<Overrun> {
        self.overrun.get()
    }

    /// The steps taken so far.
    pub fn spent(&self) -> u64 {
        self.limit - self.left.get()
    }
}

pub struct Ctx<'a> {
    pub model: &'a Model,
    pub this: BlockId,
    pub current: V,
    pub vars: &'a HashMap<String, V>,
    pub budget: &'a Budget,
    /// A rule's `let`s for the element being checked, and how many of
    /// them this context sees (a `let` sees the ones before it).
    pub lets: Option<(&'a Lets<'a>, usize)>,
}

/// A rule's `let`s for one element, each evaluated the first time it is
/// read, then kept: most are read only by the message, and a message is
/// rendered only for an element that fails, while the `let`s were once
/// all evaluated for every element. A `let` reads as it did then: with
/// the element as the current value, the parameters and the `let`s
/// before it.
pub struct Lets<'a> {
    defs: &'a [(String, Node)],
    this: BlockId,
    current: V,
    vars: &'a HashMap<String, V>,
    values: std::cell::RefCell<Vec<Option<V>>>,
}

impl<'a> Lets<'a> {
    pub fn new(
        defs: &'a [(String, Node)],
        this: BlockId,
        current: V,
        vars: &'a HashMap<String, V>,
    ) -> Lets<'a> {
        Lets {
            defs,
            this,
            current,
            vars,
            values: std::cell::RefCell::new(vec![None; defs.len()]),
        }
    }

    /// How many `let`s the rule has.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The value of the `let` named `name` among the first `seen`, if one is.
    fn get(&'a self, ctx: &Ctx<'a>, name: &str, seen: usize) -> Option<V> {
        let i = self.defs[..seen].iter().rposition(|(k, _)| k == name)?;
        if let Some(v) = &self.values.borrow()[i] {
            return Some(v.clone());
        }
        let v = Ctx {
            model: ctx.model,
            this: self.this,
            current: self.current.clone(),
            vars: self.vars,
            budget: ctx.budget,
            lets: Some((self, i)),
        }
        .eval(&self.defs[i].1);
        self.values.borrow_mut()[i] = Some(v.clone());
        Some(v)
    }
}

impl<'a> Ctx<'a> {
    fn with(&self, current: V) -> Ctx<'a> {
        Ctx {
            model: self.model,
            this: self.this,
            current,
            vars: self.vars,
            budget: self.budget,
            lets: self.lets,
        }
    }

    /// A variable: a `let` the context sees, else a parameter.
    fn var(&self, name: &str) -> V {
        if let Some((lets, seen)) = self.lets {
            if let Some(v) = lets.get(self, name, seen) {
                return v;
            }
        }
        self.vars.get(name).cloned().unwrap_or(V::Missing)
    }

    pub fn eval(&self, n: &Node) -> V {
        if !self.budget.spend(1) {
            return V::Missing;
        }
        let v = crate::rules::check::enough_stack(|| self.eval_node(n));
        // A list made is paid for by its length: `authorities` in a loop
        // is as much work as its elements, not one step.
        let cost = match &v {
            V::List(items) => items.len() as u64,
            // A text is copied as it is read: a long one costs more.
            V::Str(s) => s.len() as u64 / 16,
            _ => 0,
        };
        if cost > 0 && !self.budget.spend(cost) {
            return V::Missing;
        }
        v
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
                    .flat_map(V::into_items)
                    .collect(),
            ),
            E::Current => self.current.clone(),
            E::SelfBlock => V::Block(self.this),
            E::Var(v) => self.var(v),
            E::Field(base, name) => field(self.model, &self.eval(base), name),
            E::Filter(base, pred) => {
                let items = self.eval(base).into_items();
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
                    !v.as_items().is_empty()
                        && v.as_items().iter().all(
                            |i| matches!(i, V::Block(b) if self.model.block(*b).kind == *kind),
                        ),
                )
            }
            E::Bin(op, l, r) => self.bin(*op, l, r),
            E::Call(f, args) => (f.def().eval)(self, args),
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
            BinOp::In => V::Bool(b.as_items().iter().any(|x| eq(&a, x))),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // A list (a path through children) compares element-wise: true if any element does.
                let lefts = match &a {
                    V::List(v) if !matches!(b, V::List(_)) => v.as_slice(),
                    other => std::slice::from_ref(other),
                };
                V::Bool(lefts.iter().any(|x| compare(op, x, &b)))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(op, a, b),
            BinOp::And | BinOp::Or => unreachable!(),
        }
    }

    /// A template's text. Past [`MAX_MESSAGE`] bytes the rule is stopped
    /// (the budget says why) and the text cut short.
    pub fn render(&self, pieces: &[Piece]) -> String {
        let mut out = String::new();
        for p in pieces {
            if self.budget.overrun().is_some() {
                break;
            }
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Expr(n) => {
                    let v = self.eval(n);
                    // Reading a value costs its length again (each
                    // element's text).
                    if let V::List(items) = &v {
                        if !self.budget.spend(items.len() as u64) {
                            break;
                        }
                    }
                    out.push_str(&text(self.model, &v))
                }
            }
            if out.len() > MAX_MESSAGE {
                if !self.budget.cut_messages {
                    self.budget.stop(Overrun::Message(MAX_MESSAGE));
                }
                break;
            }
        }
        if out.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(" … (cut short)");
        }
        out
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
    let header = |b: BlockId| (m.block(b).file, m.block(b).header.span());
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
                        Some(a) => loc = (blk.file, a.span.into()),
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
        (E::Call(f, args), _) if f.def().locate == (Locate::Quantifier { explains: value }) => {
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
            (ctx.model.block(b).file, ctx.model.block(b).header.into())
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
        E::Call(f, args) if matches!(f.def().locate, Locate::Quantifier { .. }) => {
            first_path(&args[0])
        }
        E::Call(_, args) => args.iter().find_map(first_path),
        E::List(items) => items.iter().find_map(first_path),
        _ => None,
    }
}

impl Env for Ctx<'_> {
    fn model(&self) -> &Model {
        self.model
    }
    fn this(&self) -> BlockId {
        self.this
    }
    fn eval(&self, n: &Node) -> V {
        Ctx::eval(self, n)
    }
    fn eval_with(&self, current: V, n: &Node) -> V {
        self.with(current).eval(n)
    }
    fn spend(&self, steps: u64) -> bool {
        self.budget.spend(steps)
    }
}
