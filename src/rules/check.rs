//! The check language: parser (tokens from pest, `grammar/check.pest`;
//! an operator-precedence parser with explicit stacks), name resolution
//! and static types. Every expression of a pack is compiled when the pack
//! loads; an unknown key or a type error (money compared with a date) is an
//! error against the YAML, with a span, never a surprise at run time.

use super::frozen;
use crate::model::schema::{self, Ty};
use crate::source::Span;
use crate::syntax::{literal, Date, Duration, Unit};
use pest::iterators::Pair;
use pest::Parser as _;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/check.pest"]
struct CheckParser;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Add,
    Sub,
    Mul,
    Div,
    In,
}

pub use super::funcs::Func;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum E {
    Word(String),
    Str(String),
    Num(f64),
    Percent(f64),
    Money(f64),
    Date(#[serde(with = "frozen::DateDef")] Date),
    /// A duration as written (`every` is dropped: a frequency is its period).
    Duration(#[serde(with = "frozen::DurationDef")] Duration),
    Bool(bool),
    Missing,
    List(Vec<Node>),
    /// A bare name before resolution.
    Name(String),
    /// The element in context: the scope block, the `for_each` element, or the element of `any`/`all`/a filter.
    Current,
    /// The block the rule runs on.
    SelfBlock,
    /// A `let` binding or a parameter.
    Var(String),
    Field(Box<Node>, String),
    Filter(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Is(Box<Node>, String),
    Call(#[serde(with = "frozen::func")] Func, Vec<Node>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub e: E,
    /// Byte span within the expression text.
    pub span: Span,
}

/// Static types of the check language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum T {
    Any,
    Bool,
    Num,
    Percent,
    Money,
    Date,
    Duration,
    Range,
    Str,
    Word,
    Block(#[serde(with = "frozen::opt_static_str")] frozen::OptKind),
    List(Box<T>),
    Missing,
}

impl T {
    pub fn describe(&self) -> String {
        match self {
            T::Any => "a value".into(),
            T::Bool => "yes/no".into(),
            T::Num => "a number".into(),
            T::Percent => "a percentage".into(),
            T::Money => "money".into(),
            T::Date => "a date".into(),
            T::Duration => "a duration".into(),
            T::Range => "a date range".into(),
            T::Str => "text".into(),
            T::Word => "a word".into(),
            T::Block(Some(k)) => format!("{} `{k}` block", schema::article(k)),
            T::Block(None) => "a block".into(),
            T::List(t) => format!(
                "a list of {}",
                t.describe()
                    .trim_start_matches("a ")
                    .trim_start_matches("an ")
            ),
            T::Missing => "missing".into(),
        }
    }
    pub(super) fn elem(&self) -> T {
        match self {
            T::List(t) => (**t).clone(),
            T::Any => T::Any,
            other => other.clone(),
        }
    }
    pub(super) fn is_list_like(&self) -> bool {
        matches!(self, T::List(_) | T::Any | T::Missing)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub span: Span,
    pub message: String,
}

pub(super) fn err<T>(span: Span, message: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError {
        span,
        message: message.into(),
    })
}

// ---------------------------------------------------------------- parsing

/// Deepest nesting accepted in an expression, for brackets (`(` and `[`)
/// and for the tree alike: a chain of 65 `and`, `not`, `+` or path steps is
/// refused as 65 brackets are. Parsing, compiling and evaluating recurse on
/// the tree, so this bounds their stack in every build and on any thread.
pub const MAX_EXPR_DEPTH: usize = 64;

/// One token of an expression (the pest grammar is only a lexer).
struct Tok<'a> {
    rule: Rule,
    span: Span,
    pair: Pair<'a, Rule>,
}

/// A node and the depth of the tree under it (a leaf is 1).
struct P {
    node: Node,
    depth: usize,
}

pub fn parse(text: &str) -> Result<Node, CompileError> {
    // Brackets first: the parser recurses into them.
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' | '[' if !in_string => {
                depth += 1;
                if depth > MAX_EXPR_DEPTH {
                    return err(Span::new(i, i + 1), too_deep());
                }
            }
            ')' | ']' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let pairs = CheckParser::parse(Rule::tokens, text).map_err(|e| {
        let pos = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        unexpected(text, pos)
    })?;
    let toks: Vec<Tok> = pairs
        .flat_map(|p| p.into_inner())
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|pair| Tok {
            rule: pair.as_rule(),
            span: sp(&pair),
            pair,
        })
        .collect();
    Ok(Parser::new(text, toks).run()?.node)
}

fn too_deep() -> String {
    format!(
        "the expression is nested more than {MAX_EXPR_DEPTH} levels deep \
         (brackets, or a chain of operators such as `and`, `not`, `+` or `.`); \
         split it with `let`"
    )
}

/// "unexpected `X` in the expression", or "ends too early" at the end.
fn unexpected(text: &str, pos: usize) -> CompileError {
    let found = text[pos.min(text.len())..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect::<String>();
    CompileError {
        span: Span::new(
            pos,
            (pos + found.len()).max(pos + 1).min(text.len().max(pos)),
        ),
        message: if found.is_empty() {
            "the expression ends too early".into()
        } else {
            format!("unexpected `{found}` in the expression")
        },
    }
}

fn sp(p: &Pair<Rule>) -> Span {
    Span::new(p.as_span().start(), p.as_span().end())
}

pub(super) fn node(e: E, span: Span) -> Node {
    Node { e, span }
}

fn leaf(e: E, span: Span) -> P {
    P {
        node: node(e, span),
        depth: 1,
    }
}

/// A node over children of the given depth, refused past the limit.
fn over(e: E, span: Span, below: usize) -> Result<P, CompileError> {
    if below >= MAX_EXPR_DEPTH {
        return err(span, too_deep());
    }
    Ok(P {
        node: node(e, span),
        depth: below + 1,
    })
}

fn duration(p: Pair<Rule>) -> Duration {
    let mut inner = p.into_inner();
    let amount = literal::number(inner.next().map_or("0", |x| x.as_str()));
    let unit = Unit::from_word(inner.next().map_or("", |x| x.as_str()));
    Duration { amount, unit }
}

/// What an operator-stack entry is.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    /// A binary operator and its precedence.
    Bin(BinOp, u8, usize),
    /// `not` or `-` in front of an operand, with where it starts.
    Not(usize),
    Neg(usize),
    /// An open bracket: what it opens, where, how many items are complete,
    /// and whether its group had used its comparison.
    Open(Open, Span, usize, bool),
}

#[derive(Clone, Copy, PartialEq)]
enum Open {
    Paren,
    Call(Func, usize),
    List,
    Filter,
}

const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_CMP: u8 = 4;
const PREC_ADD: u8 = 5;
const PREC_MUL: u8 = 6;
const PREC_NEG: u8 = 7;

impl Op {
    fn prec(&self) -> u8 {
        match self {
            Op::Bin(_, p, _) => *p,
            Op::Not(_) => PREC_NOT,
            Op::Neg(_) => PREC_NEG,
            Op::Open(..) => 0,
        }
    }
}

/// What came before, for the places the grammar allows `not` and `-`.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    /// The start, an open bracket, a comma, `and`, `or` or `not`.
    NotLevel,
    /// `-` in front of an operand.
    Neg,
    /// Any other operator.
    Op,
}

/// An operator-precedence parser with explicit stacks, so nothing recurses
/// however long the chains or deep the brackets; it accepts exactly the
/// grammar in `grammar/check.pest`'s header.
struct Parser<'a> {
    text: &'a str,
    toks: Vec<Tok<'a>>,
    at: usize,
    vals: Vec<P>,
    ops: Vec<Op>,
    /// The current group (bracket level) has its one comparison.
    cmp_used: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, toks: Vec<Tok<'a>>) -> Self {
        Parser {
            text,
            toks,
            at: 0,
            vals: Vec::new(),
            ops: Vec::new(),
            cmp_used: false,
        }
    }

    fn unexpected_at(&self, at: usize) -> CompileError {
        let pos = self.toks.get(at).map_or(self.text.len(), |t| t.span.start);
        unexpected(self.text, pos)
    }

    fn pop(&mut self) -> P {
        self.vals.pop().expect("an operand for every operator")
    }

    /// Apply the operator on top of the stack to its operands.
    fn reduce(&mut self) -> Result<(), CompileError> {
        let op = self.ops.pop().expect("an operator to reduce");
        let made = match op {
            Op::Bin(op, _, _) => {
                let rhs = self.pop();
                let lhs = self.pop();
                let span = Span::new(lhs.node.span.start, rhs.node.span.end);
                let below = lhs.depth.max(rhs.depth);
                over(
                    E::Bin(op, Box::new(lhs.node), Box::new(rhs.node)),
                    span,
                    below,
                )?
            }
            Op::Not(start) | Op::Neg(start) => {
                let e = self.pop();
                let span = Span::new(start, e.node.span.end);
                let e2 = if matches!(op, Op::Not(_)) {
                    E::Not(Box::new(e.node))
                } else {
                    E::Neg(Box::new(e.node))
                };
                over(e2, span, e.depth)?
            }
            Op::Open(..) => unreachable!("brackets are closed, not reduced"),
        };
        self.vals.push(made);
        Ok(())
    }

    /// Reduce every operator that binds at least as tightly as `prec`.
    fn reduce_to(&mut self, prec: u8) -> Result<(), CompileError> {
        while self
            .ops
            .last()
            .is_some_and(|o| o.prec() >= prec && prec > 0)
        {
            self.reduce()?;
        }
        Ok(())
    }

    /// Reduce to the innermost open bracket and take it off the stack.
    fn close_group(&mut self) -> Result<Option<(Open, Span, usize, bool)>, CompileError> {
        while let Some(op) = self.ops.last() {
            if let Op::Open(kind, span, n, cmp) = *op {
                self.ops.pop();
                return Ok(Some((kind, span, n, cmp)));
            }
            self.reduce()?;
        }
        Ok(None)
    }

    fn run(mut self) -> Result<P, CompileError> {
        let mut operand = true;
        let mut prev = Prev::NotLevel;
        // A comma just ended an item of a list (a trailing comma may close it).
        let mut after_comma = false;
        while self.at < self.toks.len() {
            let at = self.at;
            let (rule, span) = (self.toks[at].rule, self.toks[at].span);
            let text = self.toks[at].pair.as_str();
            self.at += 1;
            if operand {
                match rule {
                    Rule::not_op if prev == Prev::NotLevel => {
                        self.ops.push(Op::Not(span.start));
                    }
                    Rule::add_op if text == "-" && prev != Prev::Neg => {
                        self.ops.push(Op::Neg(span.start));
                        prev = Prev::Neg;
                        continue;
                    }
                    Rule::lparen => {
                        self.open(Open::Paren, span);
                    }
                    Rule::lbracket => {
                        self.open(Open::List, span);
                    }
                    Rule::name
                        if self
                            .toks
                            .get(self.at)
                            .is_some_and(|t| t.rule == Rule::lparen) =>
                    {
                        let Some(f) = Func::find(text) else {
                            let known: Vec<&str> = Func::names().collect();
                            let hint = schema::suggest(text, known.iter().copied())
                                .map_or(format!("known functions: {}", known.join(", ")), |s| {
                                    format!("did you mean `{s}`?")
                                });
                            return err(span, format!("unknown function `{text}`: {hint}"));
                        };
                        self.at += 1;
                        self.open(Open::Call(f, f.def().arity), span);
                    }
                    Rule::rparen | Rule::rbracket => {
                        // `count()`, `[]`, and a list's trailing comma.
                        let empty_ok = match self.ops.last() {
                            Some(Op::Open(Open::Call(..), _, 0, _)) => {
                                rule == Rule::rparen && !after_comma
                            }
                            Some(Op::Open(Open::List, _, n, _)) => {
                                rule == Rule::rbracket && (*n == 0) != after_comma
                            }
                            _ => false,
                        };
                        if !empty_ok
                            || prev == Prev::Neg
                            || matches!(self.ops.last(), Some(Op::Not(_)))
                        {
                            return Err(self.unexpected_at(at));
                        }
                        self.close(span, false)?;
                        operand = false;
                        prev = Prev::Op;
                        after_comma = false;
                        continue;
                    }
                    _ => {
                        let Some(v) = self.literal(rule, span, at)? else {
                            return Err(self.unexpected_at(at));
                        };
                        self.vals.push(v);
                        operand = false;
                    }
                }
                // After `not` or an open bracket, a new `not` may come.
                if operand {
                    prev = Prev::NotLevel;
                }
                after_comma = false;
                continue;
            }
            // After an operand: an operator, a postfix, a comma or a closing bracket.
            prev = Prev::Op;
            match rule {
                Rule::dot => {
                    let Some(name) = self.toks.get(self.at).filter(|t| t.rule == Rule::name) else {
                        return Err(self.unexpected_at(self.at));
                    };
                    let (nspan, field) = (name.span, name.pair.as_str().to_string());
                    self.at += 1;
                    let base = self.pop();
                    let whole = Span::new(base.node.span.start, nspan.end);
                    let v = over(E::Field(Box::new(base.node), field), whole, base.depth)?;
                    self.vals.push(v);
                }
                Rule::lbracket => {
                    self.open(Open::Filter, span);
                    operand = true;
                    prev = Prev::NotLevel;
                }
                Rule::is_op => {
                    self.reduce_to(PREC_ADD)?;
                    let Some(name) = self
                        .toks
                        .get(self.at)
                        .filter(|t| t.rule == Rule::name && !self.cmp_used)
                    else {
                        return Err(self.unexpected_at(if self.cmp_used { at } else { self.at }));
                    };
                    let (nspan, word) = (name.span, name.pair.as_str().to_string());
                    self.at += 1;
                    let base = self.pop();
                    let whole = Span::new(base.node.span.start, nspan.end);
                    let v = over(E::Is(Box::new(base.node), word), whole, base.depth)?;
                    self.vals.push(v);
                    self.cmp_used = true;
                }
                Rule::or_op
                | Rule::and_op
                | Rule::cmp_op
                | Rule::in_op
                | Rule::add_op
                | Rule::mul_op => {
                    let (op, prec) = match (rule, text) {
                        (Rule::or_op, _) => (BinOp::Or, PREC_OR),
                        (Rule::and_op, _) => (BinOp::And, PREC_AND),
                        (Rule::in_op, _) => (BinOp::In, PREC_CMP),
                        (Rule::cmp_op, "==") => (BinOp::Eq, PREC_CMP),
                        (Rule::cmp_op, "!=") => (BinOp::Ne, PREC_CMP),
                        (Rule::cmp_op, "<=") => (BinOp::Le, PREC_CMP),
                        (Rule::cmp_op, ">=") => (BinOp::Ge, PREC_CMP),
                        (Rule::cmp_op, "<") => (BinOp::Lt, PREC_CMP),
                        (Rule::cmp_op, _) => (BinOp::Gt, PREC_CMP),
                        (_, "+") => (BinOp::Add, PREC_ADD),
                        (_, "-") => (BinOp::Sub, PREC_ADD),
                        (_, "*") => (BinOp::Mul, PREC_MUL),
                        _ => (BinOp::Div, PREC_MUL),
                    };
                    if prec == PREC_CMP {
                        if self.cmp_used {
                            return Err(self.unexpected_at(at));
                        }
                        self.cmp_used = true;
                    } else if prec <= PREC_AND {
                        self.cmp_used = false;
                    }
                    self.reduce_to(prec)?;
                    self.ops.push(Op::Bin(op, prec, span.start));
                    operand = true;
                    if prec <= PREC_AND {
                        prev = Prev::NotLevel;
                    }
                }
                Rule::comma => {
                    // Reduce the item and count it; the bracket stays open.
                    while let Some(op) = self.ops.last() {
                        if matches!(op, Op::Open(..)) {
                            break;
                        }
                        self.reduce()?;
                    }
                    match self.ops.last_mut() {
                        Some(Op::Open(Open::Call(..) | Open::List, _, n, _)) => *n += 1,
                        _ => return Err(self.unexpected_at(at)),
                    }
                    self.cmp_used = false;
                    operand = true;
                    prev = Prev::NotLevel;
                    after_comma = true;
                    continue;
                }
                Rule::rparen | Rule::rbracket => {
                    let fits = self.ops.iter().rev().find_map(|o| match o {
                        Op::Open(k, ..) => Some(*k),
                        _ => None,
                    });
                    let ok = match fits {
                        Some(Open::Paren | Open::Call(..)) => rule == Rule::rparen,
                        Some(Open::List | Open::Filter) => rule == Rule::rbracket,
                        None => false,
                    };
                    if !ok {
                        return Err(self.unexpected_at(at));
                    }
                    self.close(span, true)?;
                }
                _ => return Err(self.unexpected_at(at)),
            }
            after_comma = false;
        }
        if operand {
            return Err(self.unexpected_at(self.toks.len()));
        }
        while let Some(op) = self.ops.last() {
            if matches!(op, Op::Open(..)) {
                return Err(self.unexpected_at(self.toks.len()));
            }
            self.reduce()?;
        }
        Ok(self.pop())
    }

    fn open(&mut self, kind: Open, span: Span) {
        self.ops.push(Op::Open(kind, span, 0, self.cmp_used));
        self.cmp_used = false;
    }

    /// Close the innermost bracket at `close`; `item` says whether an item
    /// ends here (not after `(` or a trailing comma).
    fn close(&mut self, close: Span, item: bool) -> Result<(), CompileError> {
        let Some((kind, open, n, cmp)) = self.close_group()? else {
            unreachable!("the caller checked for an open bracket");
        };
        self.cmp_used = cmp;
        let n = n + usize::from(item);
        let made = match kind {
            Open::Paren => return Ok(()),
            Open::Call(f, arity) => {
                let args = self.take(n);
                let whole = Span::new(open.start, close.end);
                if args.len() != arity {
                    return err(
                        whole,
                        format!(
                            "`{}` takes {arity} argument{}, found {}",
                            f.name(),
                            if arity == 1 { "" } else { "s" },
                            args.len()
                        ),
                    );
                }
                let below = args.iter().map(|a| a.depth).max().unwrap_or(0);
                over(
                    E::Call(f, args.into_iter().map(|a| a.node).collect()),
                    whole,
                    below,
                )?
            }
            Open::List => {
                let items = self.take(n);
                let below = items.iter().map(|a| a.depth).max().unwrap_or(0);
                let whole = Span::new(open.start, close.end);
                over(
                    E::List(items.into_iter().map(|a| a.node).collect()),
                    whole,
                    below,
                )?
            }
            Open::Filter => {
                let pred = self.pop();
                let base = self.pop();
                let whole = Span::new(base.node.span.start, close.end);
                let below = base.depth.max(pred.depth);
                over(
                    E::Filter(Box::new(base.node), Box::new(pred.node)),
                    whole,
                    below,
                )?
            }
        };
        self.vals.push(made);
        Ok(())
    }

    fn take(&mut self, n: usize) -> Vec<P> {
        let at = self.vals.len() - n;
        self.vals.split_off(at)
    }

    fn literal(&self, rule: Rule, span: Span, at: usize) -> Result<Option<P>, CompileError> {
        let pair = self.toks[at].pair.clone();
        let text = pair.as_str();
        let e = match rule {
            Rule::name => E::Name(text.to_string()),
            Rule::number => E::Num(literal::number(text)),
            Rule::percent => E::Percent(literal::number(text.trim_end_matches('%'))),
            Rule::money => E::Money(literal::money(text)),
            Rule::date => {
                let d = literal::date(text);
                if !d.is_valid() {
                    return err(span, format!("{text} is not a calendar date"));
                }
                E::Date(d)
            }
            Rule::duration => E::Duration(duration(pair)),
            Rule::frequency => E::Duration(duration(
                pair.into_inner()
                    .next()
                    .expect("every is followed by a duration"),
            )),
            Rule::string => E::Str(
                pair.into_inner()
                    .next()
                    .map_or("", |s| s.as_str())
                    .to_string(),
            ),
            Rule::boolean => E::Bool(matches!(text, "yes" | "true")),
            _ => return Ok(None),
        };
        Ok(Some(leaf(e, span)))
    }
}

// ------------------------------------------------------- derived fields

/// The kinds a derived field applies to and its type (`model::derived` declares them).
pub fn derived(name: &str) -> Option<(&'static [&'static str], T)> {
    use crate::model::derived::{find, DerivedTy};
    let d = find(name)?;
    let t = match d.ty {
        DerivedTy::Str => T::Str,
        DerivedTy::Word => T::Word,
        DerivedTy::AnyBlock => T::Block(None),
        DerivedTy::Block(k) => T::Block(Some(k)),
        DerivedTy::Blocks(k) => T::List(Box::new(T::Block(Some(k)))),
    };
    Some((d.kinds, t))
}

pub fn ty_of(ty: Ty) -> T {
    match ty {
        Ty::Str | Ty::Text => T::Str,
        Ty::Int | Ty::Year | Ty::OneOfYears(_) => T::Num,
        Ty::Percent => T::Percent,
        Ty::Money => T::Money,
        Ty::Date => T::Date,
        Ty::Duration | Ty::Every => T::Duration,
        Ty::Bool => T::Bool,
        Ty::Word(_) => T::Word,
        Ty::Ref(k) => T::Block(if k.len() == 1 { Some(k[0]) } else { None }),
        Ty::Words(_) => T::List(Box::new(T::Word)),
        Ty::Refs(k) => T::List(Box::new(T::Block(if k.len() == 1 {
            Some(k[0])
        } else {
            None
        }))),
        Ty::Range => T::Range,
        Ty::RefPercent | Ty::RefStr => T::List(Box::new(T::Block(None))),
    }
}

/// The type of `name` on a block of `kind`, if it has such a field.
pub fn field_type(kind: Option<&str>, name: &str) -> Option<T> {
    match kind {
        Some(k) => {
            let spec = schema::kind(k)?;
            if let Some(key) = spec.key(name) {
                return Some(ty_of(key.ty));
            }
            if spec.children.contains(&name) {
                return Some(T::List(Box::new(T::Block(
                    schema::kind(name).map(|s| s.name),
                ))));
            }
            match derived(name) {
                Some((kinds, t)) if kinds.is_empty() || kinds.contains(&k) => Some(t),
                _ => None,
            }
        }
        None => {
            if derived(name).is_some()
                || schema::KINDS
                    .iter()
                    .any(|s| s.key(name).is_some() || s.children.contains(&name))
            {
                Some(T::Any)
            } else {
                None
            }
        }
    }
}

fn fields_of(kind: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if let Some(spec) = schema::kind(kind) {
        out.extend(spec.keys.iter().map(|k| k.name));
        out.extend(spec.children.iter().copied());
    }
    out.extend(
        crate::model::derived::DERIVED
            .iter()
            .filter(|d| d.kinds.is_empty() || d.kinds.contains(&kind))
            .map(|d| d.name),
    );
    out
}

// ------------------------------------------------------------- compiling

/// What names mean where an expression is compiled.
#[derive(Clone, Debug)]
pub struct Scope {
    pub current: T,
    pub self_ty: T,
    pub vars: HashMap<String, T>,
}

impl Scope {
    /// No block in context: for parameters, which must be literals.
    pub fn empty() -> Scope {
        Scope {
            current: T::Any,
            self_ty: T::Any,
            vars: HashMap::new(),
        }
    }
}

pub(super) fn block_kind(t: &T) -> Option<Option<&'static str>> {
    match t {
        T::Block(k) => Some(*k),
        T::List(inner) => block_kind(inner),
        T::Any => Some(None),
        _ => None,
    }
}

/// Resolves names and checks types. Returns the compiled node and its type.
pub fn compile(n: Node, sc: &Scope) -> Result<(Node, T), CompileError> {
    enough_stack(|| compile_node(n, sc))
}

/// Run a step of a recursion over an expression tree with enough stack.
/// The tree is at most `MAX_EXPR_DEPTH` deep, but a debug build spends
/// kilobytes per level, and an editor's worker thread may have little
/// stack: when less than 128 KiB is left, `stacker` continues on a fresh
/// 1 MiB segment, so the limit holds in every build and on any thread.
pub fn enough_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 1024 * 1024, f)
}

fn compile_node(n: Node, sc: &Scope) -> Result<(Node, T), CompileError> {
    let span = n.span;
    let (e, t) = match n.e {
        E::Word(w) => (E::Word(w), T::Word),
        E::Str(s) => (E::Str(s), T::Str),
        E::Num(x) => (E::Num(x), T::Num),
        E::Percent(x) => (E::Percent(x), T::Percent),
        E::Money(x) => (E::Money(x), T::Money),
        E::Date(d) => (E::Date(d), T::Date),
        E::Duration(d) => (E::Duration(d), T::Duration),
        E::Bool(b) => (E::Bool(b), T::Bool),
        E::Missing => (E::Missing, T::Missing),
        E::Current => (E::Current, sc.current.clone()),
        E::SelfBlock => (E::SelfBlock, sc.self_ty.clone()),
        E::Var(v) => {
            let t = sc.vars.get(&v).cloned().unwrap_or(T::Any);
            (E::Var(v), t)
        }
        E::Name(name) => match name.as_str() {
            "it" => (E::Current, sc.current.clone()),
            "self" => (E::SelfBlock, sc.self_ty.clone()),
            _ if sc.vars.contains_key(&name) => {
                let t = sc.vars[&name].clone();
                (E::Var(name), t)
            }
            // `missing` is the literal unless a `let` of that name shadows it.
            "missing" => (E::Missing, T::Missing),
            _ => {
                let on = match block_kind(&sc.current) {
                    Some(k) => field_type(k, &name),
                    None => None,
                };
                match on {
                    Some(t) => (
                        E::Field(
                            Box::new(node(E::Current, Span::new(span.start, span.start))),
                            name,
                        ),
                        lift(&sc.current, t),
                    ),
                    None => (E::Word(name), T::Word),
                }
            }
        },
        E::List(items) => {
            let mut out = Vec::new();
            let mut elem = T::Any;
            for it in items {
                let (c, t) = compile(it, sc)?;
                if elem == T::Any || elem == T::Missing {
                    elem = match t {
                        T::List(inner) => *inner,
                        t => t,
                    };
                }
                out.push(c);
            }
            (E::List(out), T::List(Box::new(elem)))
        }
        E::Field(base, name) => {
            let (b, bt) = compile(*base, sc)?;
            let Some(kind) = block_kind(&bt) else {
                return err(
                    span,
                    format!("`.{name}` needs a block, but this is {}", bt.describe()),
                );
            };
            let Some(t) = field_type(kind, &name) else {
                let msg = match kind {
                    Some(k) => {
                        let known = fields_of(k);
                        let hint = schema::suggest(&name, known.iter().copied())
                            .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                        format!(
                            "{} `{k}` block has no key, child or field `{name}`{hint}",
                            cap(schema::article(k))
                        )
                    }
                    None => format!("no block kind has a key, child or field `{name}`"),
                };
                return err(span, msg);
            };
            (E::Field(Box::new(b), name), lift(&bt, t))
        }
        E::Filter(base, pred) => {
            let (b, bt) = compile(*base, sc)?;
            if !bt.is_list_like() && !matches!(bt, T::Block(_)) {
                return err(
                    span,
                    format!("`[...]` filters a list, but this is {}", bt.describe()),
                );
            }
            let inner = Scope {
                current: bt.elem(),
                ..sc.clone()
            };
            let (p, pt) = compile(*pred, &inner)?;
            expect_bool(&p, &pt)?;
            let t = match bt {
                T::List(_) => bt.clone(),
                other => T::List(Box::new(other)),
            };
            (E::Filter(Box::new(b), Box::new(p)), t)
        }
        E::Not(x) => {
            let (c, t) = compile(*x, sc)?;
            expect_bool(&c, &t)?;
            (E::Not(Box::new(c)), T::Bool)
        }
        E::Neg(x) => {
            let (c, t) = compile(*x, sc)?;
            if !matches!(t, T::Num | T::Percent | T::Money | T::Duration | T::Any) {
                return err(span, format!("cannot negate {}", t.describe()));
            }
            (E::Neg(Box::new(c)), t)
        }
        E::Is(x, kind) => {
            let (c, t) = compile(*x, sc)?;
            if block_kind(&t).is_none() {
                return err(
                    span,
                    format!(
                        "`is` tests the kind of a block, but this is {}",
                        t.describe()
                    ),
                );
            }
            if schema::kind(&kind).is_none() {
                let hint = schema::suggest(&kind, schema::kind_names())
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return err(span, format!("`{kind}` is not a block kind{hint}"));
            }
            (E::Is(Box::new(c), kind), T::Bool)
        }
        E::Bin(op, l, r) => {
            let (lc, lt) = compile(*l, sc)?;
            let (rc, rt) = compile(*r, sc)?;
            let t = bin_type(op, &lc, &lt, &rc, &rt, span, sc)?;
            (E::Bin(op, Box::new(lc), Box::new(rc)), t)
        }
        E::Call(f, args) => return super::funcs::type_call(f, args, sc, span),
    };
    Ok((node(e, span), t))
}

/// A field of each element of a list is a list.
fn lift(base: &T, field: T) -> T {
    match base {
        T::List(_) => match field {
            T::List(x) => T::List(x),
            x => T::List(Box::new(x)),
        },
        _ => field,
    }
}

pub(super) fn expect_bool(n: &Node, t: &T) -> Result<(), CompileError> {
    match t {
        T::Bool | T::Any | T::List(_) => Ok(()),
        T::Block(_) | T::Missing => Ok(()),
        other => err(
            n.span,
            format!(
                "expected a yes/no condition, but this is {}",
                other.describe()
            ),
        ),
    }
}

pub(super) fn scalar(t: &T) -> T {
    match t {
        T::List(x) => scalar(x),
        other => other.clone(),
    }
}

pub(super) fn compatible(a: &T, b: &T) -> bool {
    let (a, b) = (scalar(a), scalar(b));
    matches!(a, T::Any | T::Missing)
        || matches!(b, T::Any | T::Missing)
        || a == b
        || matches!(
            (&a, &b),
            (T::Word, T::Str) | (T::Str, T::Word) | (T::Block(_), T::Block(_))
        )
}

/// For a bare name that resolved to a word: a did-you-mean if it looks like a misspelt key.
fn name_hint(w: &str, sc: &Scope) -> Option<String> {
    let kind = block_kind(&sc.current)??;
    let known = fields_of(kind);
    schema::suggest(w, known.iter().copied()).map(|s| {
        format!(
            "{} `{kind}` block has no key, child or field `{w}`; did you mean `{s}`?",
            cap(schema::article(kind))
        )
    })
}

fn bin_type(
    op: BinOp,
    l: &Node,
    lt: &T,
    r: &Node,
    rt: &T,
    span: Span,
    sc: &Scope,
) -> Result<T, CompileError> {
    use BinOp::*;
    let mismatch = |what: &str| {
        err(
            span,
            format!("cannot {what} {} with {}", lt.describe(), rt.describe()),
        )
    };
    match op {
        And | Or => {
            expect_bool(l, lt)?;
            expect_bool(r, rt)?;
            Ok(T::Bool)
        }
        Eq | Ne => {
            if compatible(lt, rt) {
                Ok(T::Bool)
            } else {
                mismatch("compare")
            }
        }
        Lt | Le | Gt | Ge => {
            let (a, b) = (scalar(lt), scalar(rt));
            let ordered = |t: &T| {
                matches!(
                    t,
                    T::Num | T::Percent | T::Money | T::Date | T::Duration | T::Any | T::Missing
                )
            };
            if !ordered(&a) || !ordered(&b) {
                let (bad, bad_node) = if ordered(&a) { (rt, r) } else { (lt, l) };
                if let E::Word(w) = &bad_node.e {
                    if let Some(hint) = name_hint(w, sc) {
                        return err(bad_node.span, hint);
                    }
                }
                return err(span, format!("`<`, `<=`, `>` and `>=` compare numbers, percentages, money, dates and durations, not {}", bad.describe()));
            }
            if compatible(&a, &b) {
                Ok(T::Bool)
            } else {
                mismatch("compare")
            }
        }
        In => {
            if !rt.is_list_like() {
                return err(
                    span,
                    format!(
                        "the right side of `in` must be a list, but it is {}",
                        rt.describe()
                    ),
                );
            }
            if compatible(lt, &rt.elem()) {
                Ok(T::Bool)
            } else {
                mismatch("compare")
            }
        }
        Add | Sub => match (scalar(lt), scalar(rt)) {
            _ if matches!(lt, T::List(_)) && matches!(rt, T::List(_)) && op == Add => {
                Ok(lt.clone())
            }
            (T::Date, T::Duration) => Ok(T::Date),
            (T::Date, T::Date) if op == Sub => Ok(T::Duration),
            (a, b) if a == b && matches!(a, T::Num | T::Percent | T::Money | T::Duration) => Ok(a),
            (T::Any, x) | (x, T::Any) => Ok(x),
            _ => err(
                span,
                format!(
                    "cannot {} {} and {}",
                    if op == Add { "add" } else { "subtract" },
                    lt.describe(),
                    rt.describe()
                ),
            ),
        },
        Mul | Div => match (scalar(lt), scalar(rt)) {
            (a, T::Num) if matches!(a, T::Num | T::Percent | T::Money | T::Duration) => Ok(a),
            (T::Num, b) if op == Mul && matches!(b, T::Percent | T::Money | T::Duration) => Ok(b),
            (a, b) if op == Div && a == b && matches!(a, T::Money | T::Duration | T::Percent) => {
                Ok(T::Num)
            }
            (T::Any, x) | (x, T::Any) => Ok(x),
            _ => err(
                span,
                format!(
                    "cannot {} {} by {}",
                    if op == Mul { "multiply" } else { "divide" },
                    lt.describe(),
                    rt.describe()
                ),
            ),
        },
    }
}

pub(super) fn raw_word(n: &Node) -> Option<String> {
    match &n.e {
        E::Name(w) | E::Word(w) => Some(w.clone()),
        _ => None,
    }
}

/// Parses and compiles one expression.
pub fn compile_str(text: &str, sc: &Scope) -> Result<(Node, T), CompileError> {
    compile(parse(text)?, sc)
}

/// A message template: literal text with `{expression}` holes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Piece {
    Text(String),
    Expr(Node),
}

/// Compiles a template. `{expr}` is replaced by the value of `expr`;
/// `{{` and `}}` stand for literal braces (as in Rust's `format!`).
pub fn compile_template(text: &str, sc: &Scope) -> Result<Vec<Piece>, CompileError> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with("{{") || rest.starts_with("}}") {
            lit.push(bytes[i] as char);
            i += 2;
        } else if rest.starts_with('{') {
            let Some(close) = rest.find('}') else {
                return err(
                    Span::new(i, i + 1),
                    "this `{` is never closed; write `{{` for a literal brace",
                );
            };
            let inner = &rest[1..close];
            let (mut n, _) = compile_str(inner, sc).map_err(|mut e| {
                e.span = Span::new(e.span.start + i + 1, e.span.end + i + 1);
                e
            })?;
            shift(&mut n, i + 1);
            if !lit.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut lit)));
            }
            out.push(Piece::Expr(n));
            i += close + 1;
        } else if rest.starts_with('}') {
            return err(
                Span::new(i, i + 1),
                "this `}` closes nothing; write `}}` for a literal brace",
            );
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            lit.push(c);
            i += c.len_utf8();
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Text(lit));
    }
    Ok(out)
}

fn shift(n: &mut Node, by: usize) {
    n.span = Span::new(n.span.start + by, n.span.end + by);
    match &mut n.e {
        E::List(v) | E::Call(_, v) => v.iter_mut().for_each(|x| shift(x, by)),
        E::Field(b, _) | E::Not(b) | E::Neg(b) | E::Is(b, _) => shift(b, by),
        E::Filter(a, b) | E::Bin(_, a, b) => {
            shift(a, by);
            shift(b, by);
        }
        _ => {}
    }
}

pub(super) fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(kind: &'static str) -> Scope {
        Scope {
            current: T::Block(Some(kind)),
            self_ty: T::Block(Some(kind)),
            vars: HashMap::new(),
        }
    }

    #[test]
    fn bare_names_are_paths_or_words() {
        let (n, _) = compile_str(
            "member[role == partner and nominated_by == local_authorities]",
            &sc("icb"),
        )
        .unwrap();
        let E::Filter(_, pred) = n.e else {
            panic!("{n:?}")
        };
        let E::Bin(BinOp::And, l, _) = pred.e else {
            panic!()
        };
        let E::Bin(BinOp::Eq, a, b) = l.e else {
            panic!()
        };
        assert!(matches!(a.e, E::Field(_, ref f) if f == "role"));
        assert_eq!(b.e, E::Word("partner".into()));
    }

    #[test]
    fn type_errors_have_spans() {
        let e = compile_str("running_cost_per_head < 2023-01-01", &sc("icb")).unwrap_err();
        assert!(
            e.message.contains("cannot compare money with a date"),
            "{}",
            e.message
        );
        assert_eq!(e.span, Span::new(0, 34));
        let e = compile_str("membership_review <= 12", &sc("icb")).unwrap_err();
        assert!(e.message.contains("a duration"), "{}", e.message);
    }

    #[test]
    fn unknown_fields_suggest() {
        let e = compile_str("conflicts.la_partner_protocl == yes", &sc("icb")).unwrap_err();
        assert!(
            e.message.contains("did you mean `la_partner_protocol`"),
            "{}",
            e.message
        );
        let e = compile_str("exists(membershp_review)", &sc("icb")).unwrap_err();
        assert!(e.message.contains("always be true"), "{}", e.message);
    }

    /// Runs `f` on a thread with a 1 MiB stack (a Windows main thread, or
    /// an editor's worker), so a limit that only holds on a big stack fails.
    fn on_small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(f)
            .expect("a thread")
            .join()
            .expect("no stack overflow or panic");
    }

    /// `n` repetitions of `a`, then `mid`, then `n` of `b`.
    fn wrap(a: &str, mid: &str, b: &str, n: usize) -> String {
        format!("{}{mid}{}", a.repeat(n), b.repeat(n))
    }

    #[test]
    fn deep_expressions_are_refused_not_overflowed() {
        on_small_stack(|| {
            let n = 10_000;
            let hostile = [
                wrap("(", "1", ")", 100_000),
                wrap("[", "1", "]", 100_000),
                wrap("count(", "member", ")", n),
                wrap("member[", "yes", "]", n),
                wrap("not ", "yes", "", n),
                wrap("yes and ", "yes", "", n),
                wrap("yes or ", "yes", "", n),
                wrap("1 + ", "1", "", n),
                wrap("2 * ", "2", "", n),
                wrap("", "parent", ".parent", n),
                wrap("(not ", "yes", ")", 60) + &" and yes".repeat(60),
            ];
            for src in &hostile {
                let e = compile_str(src, &sc("icb")).unwrap_err();
                assert!(
                    e.message.contains("nested more than 64 levels deep"),
                    "{}...: {}",
                    &src[..40],
                    e.message
                );
                assert!(e.span.end <= src.len());
            }
            // At the limit every form compiles: parsing, name resolution,
            // typing and the spans' shift in templates all recurse on it.
            let m = MAX_EXPR_DEPTH - 1;
            let fine = [
                wrap("(", "yes", ")", 1_000.min(MAX_EXPR_DEPTH)),
                wrap("[", "1", "]", m),
                wrap("not ", "yes", "", m),
                wrap("yes and ", "yes", "", m),
                wrap("1 + ", "1", "", m),
                wrap("", "parent", ".parent", m - 1) + ".name",
                wrap("count(", "member", ")", m),
                wrap("any([yes], ", "yes", ")", m - 1),
            ];
            for src in &fine {
                compile_str(src, &sc("icb"))
                    .unwrap_or_else(|e| panic!("{}...: {}", &src[..40], e.message));
                compile_template(&format!("x {{{src}}} y"), &sc("icb"))
                    .unwrap_or_else(|e| panic!("{}...: {}", &src[..40], e.message));
            }
            // Brackets inside strings are text, not nesting.
            compile_str(&format!("name == \"{}\"", "(".repeat(100)), &sc("icb")).unwrap();
        });
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        for (src, at, msg) in [
            ("1 +", 3, "the expression ends too early"),
            ("a == == b", 5, "unexpected `==` in the expression"),
            ("a b", 2, "unexpected `b` in the expression"),
            ("a == not b", 5, "unexpected `not` in the expression"),
            ("- - 1", 2, "unexpected `-` in the expression"),
            ("x is yes", 5, "unexpected `yes` in the expression"),
            ("count(a,)", 8, "unexpected `)` in the expression"),
            ("(a", 2, "the expression ends too early"),
            ("a ~ b", 2, "unexpected `~` in the expression"),
        ] {
            let e = parse(src).unwrap_err();
            assert_eq!((e.span.start, e.message.as_str()), (at, msg), "{src}");
        }
        let e = parse("nope(1)").unwrap_err();
        assert_eq!(e.span, Span::new(0, 4));
        assert!(e.message.starts_with("unknown function `nope`"));
        let e = parse("count(1, 2)").unwrap_err();
        assert_eq!(e.span, Span::new(0, 11));
        assert_eq!(e.message, "`count` takes 1 argument, found 2");
    }

    #[test]
    fn literals() {
        for src in [
            "every 12 months <= 1 year",
            "£1.2bn > £500k",
            "56% >= 5%",
            "2023-04-01 + 12 months > 2024-01-01",
            "[a, b, c,]",
            "missing == missing",
        ] {
            compile_str(src, &sc("icb")).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        }
        assert!(parse("1 +").is_err());
    }
}
