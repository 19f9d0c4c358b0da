//! The check language: parser (pest, `grammar/check.pest`), name resolution
//! and static types. Every expression of a pack is compiled when the pack
//! loads; an unknown key or a type error (money compared with a date) is an
//! error against the YAML, with a span, never a surprise at run time.

use crate::model::schema::{self, Ty};
use crate::source::Span;
use crate::syntax::{literal, Date, Duration, Unit};
use pest::iterators::Pair;
use pest::Parser as _;
use std::collections::HashMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/check.pest"]
struct CheckParser;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Count,
    Exists,
    Any,
    All,
    Covers,
    Kinds,
    Referrers,
    Typology,
    Similarity,
    Overlap,
    Minus,
    Absent,
    Contains,
}

const FUNCS: &[(&str, Func, usize)] = &[
    ("count", Func::Count, 1),
    ("exists", Func::Exists, 1),
    ("any", Func::Any, 2),
    ("all", Func::All, 2),
    ("covers", Func::Covers, 2),
    ("kinds", Func::Kinds, 1),
    ("referrers", Func::Referrers, 1),
    ("typology", Func::Typology, 1),
    ("similarity", Func::Similarity, 2),
    ("overlap", Func::Overlap, 2),
    ("minus", Func::Minus, 2),
    ("absent", Func::Absent, 2),
    ("contains", Func::Contains, 2),
];

#[derive(Clone, Debug, PartialEq)]
pub enum E {
    Word(String),
    Str(String),
    Num(f64),
    Percent(f64),
    Money(f64),
    Date(Date),
    /// A duration as written (`every` is dropped: a frequency is its period).
    Duration(Duration),
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
    Call(Func, Vec<Node>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub e: E,
    /// Byte span within the expression text.
    pub span: Span,
}

/// Static types of the check language.
#[derive(Clone, Debug, PartialEq)]
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
    Block(Option<&'static str>),
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
    fn elem(&self) -> T {
        match self {
            T::List(t) => (**t).clone(),
            T::Any => T::Any,
            other => other.clone(),
        }
    }
    fn is_list_like(&self) -> bool {
        matches!(self, T::List(_) | T::Any | T::Missing)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub span: Span,
    pub message: String,
}

fn err<T>(span: Span, message: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError {
        span,
        message: message.into(),
    })
}

// ---------------------------------------------------------------- parsing

/// Deepest nesting of `(` and `[` accepted in an expression: the grammar is
/// recursive and pest does not bound stack depth, so we do.
pub const MAX_EXPR_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Node, CompileError> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => {
                depth += 1;
                if depth > MAX_EXPR_DEPTH {
                    return err(
                        Span::new(i, i + 1),
                        format!("the expression is nested more than {MAX_EXPR_DEPTH} levels deep"),
                    );
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let mut pairs = CheckParser::parse(Rule::expr, text).map_err(|e| {
        let pos = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let found = text[pos..]
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
    })?;
    let expr = pairs.next().expect("expr");
    build(expr.into_inner().next().expect("or_expr"))
}

fn sp(p: &Pair<Rule>) -> Span {
    Span::new(p.as_span().start(), p.as_span().end())
}

fn node(e: E, span: Span) -> Node {
    Node { e, span }
}

fn join(a: &Node, b: &Node) -> Span {
    Span::new(a.span.start, b.span.end)
}

fn duration(p: Pair<Rule>) -> Duration {
    let mut inner = p.into_inner();
    let amount = literal::number(inner.next().map_or("0", |x| x.as_str()));
    let unit = Unit::from_word(inner.next().map_or("", |x| x.as_str()));
    Duration { amount, unit }
}

fn build(p: Pair<Rule>) -> Result<Node, CompileError> {
    let span = sp(&p);
    match p.as_rule() {
        Rule::or_expr | Rule::and_expr | Rule::sum | Rule::product => {
            let mut inner = p.into_inner();
            let mut acc = build(inner.next().expect("operand"))?;
            while let Some(op) = inner.next() {
                let rhs = build(inner.next().expect("operand"))?;
                let op = match op.as_str() {
                    "or" => BinOp::Or,
                    "and" => BinOp::And,
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    _ => BinOp::Div,
                };
                let s = join(&acc, &rhs);
                acc = node(E::Bin(op, Box::new(acc), Box::new(rhs)), s);
            }
            Ok(acc)
        }
        Rule::not_expr => {
            let mut inner = p.into_inner();
            let first = inner.next().expect("not_expr");
            if first.as_rule() == Rule::not_op {
                let e = build(inner.next().expect("operand"))?;
                Ok(node(E::Not(Box::new(e)), span))
            } else {
                build(first)
            }
        }
        Rule::cmp => {
            let mut inner = p.into_inner();
            let lhs = build(inner.next().expect("lhs"))?;
            let Some(op) = inner.next() else {
                return Ok(lhs);
            };
            let rhs = inner.next().expect("rhs");
            match op.as_rule() {
                Rule::is_op => Ok(node(E::Is(Box::new(lhs), rhs.as_str().to_string()), span)),
                Rule::in_op => Ok(node(
                    E::Bin(BinOp::In, Box::new(lhs), Box::new(build(rhs)?)),
                    span,
                )),
                _ => {
                    let op = match op.as_str() {
                        "==" => BinOp::Eq,
                        "!=" => BinOp::Ne,
                        "<=" => BinOp::Le,
                        ">=" => BinOp::Ge,
                        "<" => BinOp::Lt,
                        _ => BinOp::Gt,
                    };
                    Ok(node(E::Bin(op, Box::new(lhs), Box::new(build(rhs)?)), span))
                }
            }
        }
        Rule::neg => {
            let mut inner = p.into_inner();
            let first = inner.next().expect("neg");
            if first.as_rule() == Rule::neg_op {
                let e = build(inner.next().expect("operand"))?;
                Ok(node(E::Neg(Box::new(e)), span))
            } else {
                build(first)
            }
        }
        Rule::postfix => {
            let mut inner = p.into_inner();
            let mut acc = build(inner.next().expect("primary"))?;
            for s in inner {
                let s_span = sp(&s);
                let whole = Span::new(acc.span.start, s_span.end);
                match s.as_rule() {
                    Rule::field => {
                        acc = node(
                            E::Field(
                                Box::new(acc),
                                s.into_inner().next().expect("name").as_str().to_string(),
                            ),
                            whole,
                        )
                    }
                    _ => {
                        acc = node(
                            E::Filter(
                                Box::new(acc),
                                Box::new(build(s.into_inner().next().expect("pred"))?),
                            ),
                            whole,
                        )
                    }
                }
            }
            Ok(acc)
        }
        Rule::paren => build(p.into_inner().next().expect("inner")),
        Rule::call => {
            let mut inner = p.into_inner();
            let name = inner.next().expect("name");
            let Some((_, f, arity)) = FUNCS.iter().find(|(n, _, _)| *n == name.as_str()) else {
                let known: Vec<&str> = FUNCS.iter().map(|f| f.0).collect();
                let hint = schema::suggest(name.as_str(), known.iter().copied())
                    .map_or(format!("known functions: {}", known.join(", ")), |s| {
                        format!("did you mean `{s}`?")
                    });
                return err(
                    sp(&name),
                    format!("unknown function `{}`: {hint}", name.as_str()),
                );
            };
            let args = inner.map(build).collect::<Result<Vec<_>, _>>()?;
            if args.len() != *arity {
                return err(
                    span,
                    format!(
                        "`{}` takes {arity} argument{}, found {}",
                        name.as_str(),
                        if *arity == 1 { "" } else { "s" },
                        args.len()
                    ),
                );
            }
            Ok(node(E::Call(*f, args), span))
        }
        Rule::list => Ok(node(
            E::List(p.into_inner().map(build).collect::<Result<_, _>>()?),
            span,
        )),
        Rule::name => Ok(node(E::Name(p.as_str().to_string()), span)),
        Rule::number => Ok(node(E::Num(literal::number(p.as_str())), span)),
        Rule::percent => Ok(node(
            E::Percent(literal::number(p.as_str().trim_end_matches('%'))),
            span,
        )),
        Rule::money => Ok(node(E::Money(literal::money(p.as_str())), span)),
        Rule::date => {
            let d = literal::date(p.as_str());
            if !d.is_valid() {
                return err(span, format!("{} is not a calendar date", p.as_str()));
            }
            Ok(node(E::Date(d), span))
        }
        Rule::duration => Ok(node(E::Duration(duration(p)), span)),
        Rule::frequency => Ok(node(
            E::Duration(duration(p.into_inner().next().expect("duration"))),
            span,
        )),
        Rule::string => Ok(node(
            E::Str(p.into_inner().next().map_or("", |s| s.as_str()).to_string()),
            span,
        )),
        Rule::boolean => Ok(node(E::Bool(matches!(p.as_str(), "yes" | "true")), span)),
        other => err(span, format!("internal: unexpected {other:?}")),
    }
}

// ------------------------------------------------------- derived fields

/// The type of a derived field, in a form a `const` table can hold.
#[derive(Clone, Copy)]
enum DerivedTy {
    Str,
    Word,
    AnyBlock,
    Block(&'static str),
    Blocks(&'static str),
}

/// Fields computed from the model rather than written in a file:
/// (name, kinds it applies to (empty: every kind), type). `engine::eval`
/// computes them.
const DERIVED: &[(&str, &[&str], DerivedTy)] = {
    use DerivedTy::*;
    &[
        ("name", &[], Str),
        ("id", &[], Word),
        ("parent", &[], AnyBlock),
        ("system", &[], Block("system")),
        ("who", &["member"], Str),
        ("icb", &["system"], Block("icb")),
        ("icp", &["system"], Block("icp")),
        ("hwbs", &["system"], Blocks("hwb")),
        ("places", &["system"], Blocks("place")),
        ("strategies", &["system"], Blocks("strategy")),
        ("frameworks", &["system"], Blocks("framework")),
        ("delegations", &["system"], Blocks("delegation")),
        ("authorities", &["system"], Blocks("authority")),
        ("upper_tier", &["system"], Blocks("authority")),
        ("hwb", &["authority"], Block("hwb")),
        ("icps", &["hwb"], Blocks("icp")),
        ("systems", &["authority"], Blocks("system")),
        ("share_list", &["authority"], Str),
    ]
};

pub fn derived(name: &str) -> Option<(&'static [&'static str], T)> {
    let (_, kinds, ty) = DERIVED.iter().find(|(n, _, _)| *n == name)?;
    let t = match ty {
        DerivedTy::Str => T::Str,
        DerivedTy::Word => T::Word,
        DerivedTy::AnyBlock => T::Block(None),
        DerivedTy::Block(k) => T::Block(Some(k)),
        DerivedTy::Blocks(k) => T::List(Box::new(T::Block(Some(k)))),
    };
    Some((kinds, t))
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
        DERIVED
            .iter()
            .filter(|(_, kinds, _)| kinds.is_empty() || kinds.contains(&kind))
            .map(|(n, _, _)| *n),
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

fn block_kind(t: &T) -> Option<Option<&'static str>> {
    match t {
        T::Block(k) => Some(*k),
        T::List(inner) => block_kind(inner),
        T::Any => Some(None),
        _ => None,
    }
}

/// Resolves names and checks types. Returns the compiled node and its type.
pub fn compile(n: Node, sc: &Scope) -> Result<(Node, T), CompileError> {
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
        E::Call(f, args) => return call(f, args, sc, span),
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

fn expect_bool(n: &Node, t: &T) -> Result<(), CompileError> {
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

fn scalar(t: &T) -> T {
    match t {
        T::List(x) => scalar(x),
        other => other.clone(),
    }
}

fn compatible(a: &T, b: &T) -> bool {
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

fn raw_word(n: &Node) -> Option<String> {
    match &n.e {
        E::Name(w) | E::Word(w) => Some(w.clone()),
        _ => None,
    }
}

fn call(f: Func, args: Vec<Node>, sc: &Scope, span: Span) -> Result<(Node, T), CompileError> {
    let mut args = args.into_iter();
    let mut next = || args.next().expect("arity checked when parsing");
    let (out, t) = match f {
        Func::Kinds | Func::Referrers => {
            let a = next();
            let Some(k) = raw_word(&a) else {
                return err(a.span, "name a block kind, like `icb`");
            };
            let Some(spec) = schema::kind(&k) else {
                let hint = schema::suggest(&k, schema::kind_names())
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return err(a.span, format!("`{k}` is not a block kind{hint}"));
            };
            (
                vec![node(E::Word(k), a.span)],
                T::List(Box::new(T::Block(Some(spec.name)))),
            )
        }
        Func::Any | Func::All => {
            let (l, lt) = compile(next(), sc)?;
            if !lt.is_list_like() && !matches!(lt, T::Block(_)) {
                return err(
                    l.span,
                    format!(
                        "the first argument must be a list, but it is {}",
                        lt.describe()
                    ),
                );
            }
            let inner = Scope {
                current: lt.elem(),
                ..sc.clone()
            };
            let (p, pt) = compile(next(), &inner)?;
            expect_bool(&p, &pt)?;
            (vec![l, p], T::Bool)
        }
        Func::Absent => {
            let (b, bt) = compile(next(), sc)?;
            let kind = block_kind(&bt).ok_or(CompileError {
                span: b.span,
                message: format!("`absent` needs a block, but this is {}", bt.describe()),
            })?;
            let keys = next();
            let E::List(items) = &keys.e else {
                return err(keys.span, "list the keys, like [metric, change]");
            };
            let mut words = Vec::new();
            for it in items {
                let Some(w) = raw_word(it) else {
                    return err(it.span, "a key name");
                };
                if let Some(k) = kind {
                    if field_type(Some(k), &w).is_none() {
                        return err(
                            it.span,
                            format!("{} `{k}` block has no key `{w}`", cap(schema::article(k))),
                        );
                    }
                }
                words.push(node(E::Word(w), it.span));
            }
            (
                vec![b, node(E::List(words), keys.span)],
                T::List(Box::new(T::Word)),
            )
        }
        _ => {
            let a = compile(next(), sc)?;
            let b = if matches!(f, Func::Count | Func::Exists | Func::Typology) {
                None
            } else {
                Some(compile(next(), sc)?)
            };
            let t = match (f, &a, &b) {
                (Func::Count, _, _) => T::Num,
                (Func::Exists, (n, _), _) => {
                    if let E::Word(w) = &n.e {
                        return err(n.span, format!("`{w}` is not a key, child or field here, so `exists({w})` would always be true"));
                    }
                    T::Bool
                }
                (Func::Typology, (n, t), _) => {
                    if block_kind(t).is_none() {
                        return err(
                            n.span,
                            format!(
                                "`typology` takes an authority, but this is {}",
                                t.describe()
                            ),
                        );
                    }
                    T::Num
                }
                (Func::Covers | Func::Overlap | Func::Minus, (n, t), Some((m, u))) => {
                    for (n, t) in [(n, t), (m, u)] {
                        if !t.is_list_like() {
                            return err(
                                n.span,
                                format!("`{}` takes lists, but this is {}", fname(f), t.describe()),
                            );
                        }
                    }
                    if !compatible(t, u) {
                        return err(
                            span,
                            format!(
                                "`{}` compares {} with {}",
                                fname(f),
                                t.describe(),
                                u.describe()
                            ),
                        );
                    }
                    match f {
                        Func::Covers => T::Bool,
                        Func::Overlap => T::Num,
                        _ => t.clone(),
                    }
                }
                (Func::Similarity | Func::Contains, (n, t), Some((m, u))) => {
                    for (n, t) in [(n, t), (m, u)] {
                        if !matches!(scalar(t), T::Str | T::Word | T::Any | T::Missing) {
                            return err(
                                n.span,
                                format!("`{}` takes text, but this is {}", fname(f), t.describe()),
                            );
                        }
                    }
                    if f == Func::Similarity {
                        T::Num
                    } else {
                        T::Bool
                    }
                }
                _ => T::Any,
            };
            let mut v = vec![a.0];
            if let Some(b) = b {
                v.push(b.0);
            }
            (v, t)
        }
    };
    Ok((node(E::Call(f, out), span), t))
}

fn fname(f: Func) -> &'static str {
    FUNCS.iter().find(|x| x.1 == f).map_or("?", |x| x.0)
}

/// Parses and compiles one expression.
pub fn compile_str(text: &str, sc: &Scope) -> Result<(Node, T), CompileError> {
    compile(parse(text)?, sc)
}

/// A message template: literal text with `{expression}` holes.
#[derive(Clone, Debug)]
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

fn cap(s: &str) -> String {
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

    #[test]
    fn deep_expressions_are_refused_not_overflowed() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nested more than 64"), "{}", e.message);
        assert!(parse(&format!("{}1{}", "(".repeat(60), ")".repeat(60))).is_ok());
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
