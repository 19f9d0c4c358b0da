//! The check language's functions, each declared once: its name, arity,
//! signature and documentation, how its arguments are typed when a pack
//! loads, how it is evaluated, and where a failed assert built on it points.
//! The compiler and the engine both read [`FUNCS`], so adding a function
//! touches this file only (as `BUILTINS` does for built-in checks and
//! `DERIVED` for derived fields).

use super::check::{
    block_kind, cap, compatible, compile, err, expect_bool, field_type, node, raw_word, scalar,
    CompileError, Node, Scope, E, T,
};
use super::value::{eq, field, text, V};
use crate::model::{schema, BlockId, Model};
use crate::source::Span;
use crate::text::similarity;
use std::collections::VecDeque;

/// A function: an index into [`FUNCS`], so a compiled call is one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func(u8);

impl Func {
    pub fn def(self) -> &'static Function {
        &FUNCS[self.0 as usize]
    }
    pub fn name(self) -> &'static str {
        self.def().name
    }
    /// Looks a function up by the name written in a pack.
    pub fn find(name: &str) -> Option<Func> {
        FUNCS
            .iter()
            .position(|f| f.name == name)
            .map(|i| Func(i as u8))
    }
    pub fn names() -> impl Iterator<Item = &'static str> {
        FUNCS.iter().map(|f| f.name)
    }
}

/// What the evaluator offers a function: the model, the rule's block, and
/// evaluation of an argument (optionally with another element in context,
/// for predicates such as `any(list, pred)`).
pub trait Env {
    fn model(&self) -> &Model;
    fn this(&self) -> BlockId;
    fn eval(&self, n: &Node) -> V;
    fn eval_with(&self, current: V, n: &Node) -> V;
    /// Pays for `steps` of a function's own work (comparisons of every
    /// element with every other); false when the rule's budget is spent,
    /// and the function then returns "missing" without doing it.
    fn spend(&self, steps: u64) -> bool;
}

/// Where a failed (or, under `not`, a passed) assert built on this function
/// points, beyond "the first path among its arguments".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locate {
    /// At the first path found in the arguments.
    Args,
    /// A quantifier over `args[0]` with predicate `args[1]`: when the call
    /// has the value `explains` (`all` false, `any` true), point into the
    /// first child element whose predicate has that value.
    Quantifier { explains: bool },
}

/// The arguments of a call while it is typed: take them in order, raw (a
/// block kind, a key list) or compiled in a scope; the compiled arguments
/// are kept in `out`.
pub struct Args<'s> {
    raw: VecDeque<Node>,
    pub sc: &'s Scope,
    /// The whole call.
    pub span: Span,
    pub name: &'static str,
    pub out: Vec<Node>,
}

impl Args<'_> {
    /// The next argument as written (arity is checked when parsing).
    pub fn raw(&mut self) -> Node {
        self.raw.pop_front().expect("arity checked when parsing")
    }
    /// The next argument compiled in the call's scope, kept for evaluation.
    pub fn typed(&mut self) -> Result<(Span, T), CompileError> {
        let sc = self.sc;
        self.typed_in(sc)
    }
    /// The next argument compiled in another scope (a predicate).
    pub fn typed_in(&mut self, sc: &Scope) -> Result<(Span, T), CompileError> {
        let (n, t) = compile(self.raw(), sc)?;
        let span = n.span;
        self.out.push(n);
        Ok((span, t))
    }
    /// The next argument compiled and checked to be a list.
    fn list(&mut self) -> Result<(Span, T), CompileError> {
        let (span, t) = self.typed()?;
        if !t.is_list_like() {
            return err(
                span,
                format!("`{}` takes lists, but this is {}", self.name, t.describe()),
            );
        }
        Ok((span, t))
    }
    /// The next argument compiled and checked to be text.
    fn text(&mut self) -> Result<(Span, T), CompileError> {
        let (span, t) = self.typed()?;
        if !matches!(scalar(&t), T::Str | T::Word | T::Any | T::Missing) {
            return err(
                span,
                format!("`{}` takes text, but this is {}", self.name, t.describe()),
            );
        }
        Ok((span, t))
    }
}

pub struct Function {
    pub name: &'static str,
    pub arity: usize,
    /// As the pack-author docs show it: `count(list) -> number`.
    pub signature: &'static str,
    pub doc: &'static str,
    /// A call that compiles, and the block kind it is written for: the
    /// docs show it and a test compiles every one.
    pub example: (&'static str, &'static str),
    /// Types the arguments (pushing them compiled into `Args::out`) and
    /// gives the result's type.
    pub ty: fn(&mut Args) -> Result<T, CompileError>,
    pub eval: fn(&dyn Env, &[Node]) -> V,
    pub locate: Locate,
    /// What its value depends on beyond its arguments, for ICG001's note of
    /// the rules a syntax error kept from running: keys read from the
    /// model, and whether its first argument names a block kind it reads.
    pub reads: &'static [&'static str],
    pub reads_kind_arg: bool,
    /// It looks at blocks no link leads to (every block of a kind), so the
    /// language server cannot re-check part of a workspace alone.
    pub looks_beyond_links: bool,
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Types a call: `f(args)` at `span`.
pub fn type_call(
    f: Func,
    args: Vec<Node>,
    sc: &Scope,
    span: Span,
) -> Result<(Node, T), CompileError> {
    let def = f.def();
    let mut a = Args {
        raw: args.into(),
        sc,
        span,
        name: def.name,
        out: Vec::with_capacity(def.arity),
    };
    let t = (def.ty)(&mut a)?;
    Ok((node(E::Call(f, a.out), span), t))
}

/// `any` and `all`: a list (or a block) and a predicate about its elements.
fn quantifier(a: &mut Args) -> Result<T, CompileError> {
    let (span, lt) = a.typed()?;
    if !lt.is_list_like() && !matches!(lt, T::Block(_)) {
        return err(
            span,
            format!(
                "the first argument must be a list, but it is {}",
                lt.describe()
            ),
        );
    }
    let inner = Scope {
        current: lt.elem(),
        ..a.sc.clone()
    };
    let (_, pt) = a.typed_in(&inner)?;
    expect_bool(a.out.last().expect("just compiled"), &pt)?;
    Ok(T::Bool)
}

/// `kinds` and `referrers`: a block kind, written as a bare word.
fn kind_arg(a: &mut Args) -> Result<T, CompileError> {
    let n = a.raw();
    let Some(k) = raw_word(&n) else {
        return err(n.span, "name a block kind, like `icb`");
    };
    let Some(spec) = schema::kind(&k) else {
        let hint = schema::suggest(&k, schema::kind_names())
            .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
        return err(n.span, format!("`{k}` is not a block kind{hint}"));
    };
    a.out.push(node(E::Word(k), n.span));
    Ok(T::List(Box::new(T::Block(Some(spec.name)))))
}

/// Two lists of comparable elements.
fn two_lists(a: &mut Args) -> Result<T, CompileError> {
    let (_, t) = a.list()?;
    let (_, u) = a.list()?;
    if !compatible(&t, &u) {
        return err(
            a.span,
            format!(
                "`{}` compares {} with {}",
                a.name,
                t.describe(),
                u.describe()
            ),
        );
    }
    Ok(t)
}

fn two_texts(a: &mut Args) -> Result<(), CompileError> {
    a.text()?;
    a.text()?;
    Ok(())
}

fn words_of(n: &Node) -> Vec<String> {
    match &n.e {
        E::List(v) => v
            .iter()
            .filter_map(|n| match &n.e {
                E::Word(w) => Some(w.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Every function of the check language, in the order the docs list them.
pub const FUNCS: &[Function] = &[
    Function {
        name: "count",
        arity: 1,
        signature: "count(list) -> number",
        doc: "How many elements a list (or a path through children) has; a missing value counts 0.",
        example: ("icb", "count(member) >= 2"),
        ty: |a| {
            a.typed()?;
            Ok(T::Num)
        },
        eval: |env, args| V::Num(env.eval(&args[0]).as_items().len() as f64),
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "exists",
        arity: 1,
        signature: "exists(path) -> yes/no",
        doc: "Whether a key, child or field is present (a key written `no` exists).",
        example: ("icb", "exists(chair_appraisal)"),
        ty: |a| {
            let (span, _) = a.typed()?;
            if let Some(E::Word(w)) = a.out.last().map(|n| &n.e) {
                return err(
                    span,
                    format!("`{w}` is not a key, child or field here, so `exists({w})` would always be true"),
                );
            }
            Ok(T::Bool)
        },
        eval: |env, args| {
            let v = env.eval(&args[0]);
            V::Bool(v.truthy() || matches!(v, V::Bool(false)))
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "any",
        arity: 2,
        signature: "any(list, predicate) -> yes/no",
        doc: "Whether some element satisfies the predicate, which reads the element as the current block.",
        example: ("icb", "any(member, role == chair)"),
        ty: quantifier,
        eval: |env, args| {
            V::Bool(
                env.eval(&args[0])
                    .into_items()
                    .into_iter()
                    .any(|it| env.eval_with(it, &args[1]).truthy()),
            )
        },
        locate: Locate::Quantifier { explains: true },
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "all",
        arity: 2,
        signature: "all(list, predicate) -> yes/no",
        doc: "Whether every element satisfies the predicate (true of an empty list); a failure points at the first element that does not.",
        example: ("icb", "all(member, exists(person))"),
        ty: quantifier,
        eval: |env, args| {
            V::Bool(
                env.eval(&args[0])
                    .into_items()
                    .into_iter()
                    .all(|it| env.eval_with(it, &args[1]).truthy()),
            )
        },
        locate: Locate::Quantifier { explains: false },
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "covers",
        arity: 2,
        signature: "covers(list, list) -> yes/no",
        doc: "Whether the first list contains every element of the second.",
        example: ("hwb", "covers(functions, [jsna, jhws])"),
        ty: |a| {
            two_lists(a)?;
            Ok(T::Bool)
        },
        eval: |env, args| {
            let have = env.eval(&args[0]).into_items();
            let need = env.eval(&args[1]).into_items();
            if !env.spend((have.len() as u64).saturating_mul(need.len() as u64)) {
                return V::Missing;
            }
            V::Bool(need.iter().all(|need| have.iter().any(|h| eq(h, need))))
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "kinds",
        arity: 1,
        signature: "kinds(kind) -> list of blocks",
        doc: "Every block of a kind in the workspace, e.g. `kinds(icb)`.",
        example: ("system", "count(kinds(icb)) == 1"),
        ty: kind_arg,
        eval: |env, args| match &args[0].e {
            E::Word(k) => V::List(env.model().of_kind(k).map(V::Block).collect()),
            _ => V::Missing,
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: true,
        looks_beyond_links: true,
    },
    Function {
        name: "referrers",
        arity: 1,
        signature: "referrers(kind) -> list of blocks",
        doc: "The blocks of a kind that refer to the rule's block with an `@` reference.",
        example: ("authority", "count(referrers(hwb)) >= 1"),
        ty: kind_arg,
        eval: |env, args| match &args[0].e {
            E::Word(k) => {
                let m = env.model();
                V::List(
                    m.referrers(env.this())
                        .iter()
                        .copied()
                        .filter(|b| m.block(*b).kind == *k)
                        .map(V::Block)
                        .collect(),
                )
            }
            _ => V::Missing,
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: true,
        looks_beyond_links: false,
    },
    Function {
        name: "typology",
        arity: 1,
        signature: "typology(authority) -> number",
        doc: "The CCN typology (1 to 4) of an authority; missing when it cannot be decided.",
        example: ("authority", "typology(self) == 4"),
        ty: |a| {
            let (span, t) = a.typed()?;
            if block_kind(&t).is_none() {
                return err(
                    span,
                    format!("`typology` takes an authority, but this is {}", t.describe()),
                );
            }
            Ok(T::Num)
        },
        eval: |env, args| match env.eval(&args[0]) {
            V::Block(b) => env
                .model()
                .typology
                .get(&b)
                .and_then(|t| t.kind)
                .map_or(V::Missing, |k| V::Num(k as f64)),
            _ => V::Missing,
        },
        locate: Locate::Args,
        reads: &["share", "tier", "population"],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "similarity",
        arity: 2,
        signature: "similarity(text, text) -> number",
        doc: "The share (0 to 1) of the shorter text's words that lie in passages of 5 or more words also found in the other.",
        example: ("hwb", "similarity(remit, \"a remit\") < 0.6"),
        ty: |a| {
            two_texts(a)?;
            Ok(T::Num)
        },
        eval: |env, args| match (env.eval(&args[0]), env.eval(&args[1])) {
            (V::Str(a), V::Str(b)) if env.spend((a.len() + b.len()) as u64) => {
                V::Num(similarity(&a, &b))
            }
            _ => V::Missing,
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "overlap",
        arity: 2,
        signature: "overlap(list, list) -> number",
        doc: "The Jaccard overlap (0 to 1) of two lists, compared as case-folded text.",
        example: ("hwb", "overlap(member.person, member.person) < 0.5"),
        ty: |a| {
            two_lists(a)?;
            Ok(T::Num)
        },
        eval: |env, args| {
            let m = env.model();
            // A word and a text of the same letters are the same element,
            // as `==` has them (`text` would put a word in backticks).
            let norm = |v: V| -> Vec<String> {
                let mut s: Vec<String> = v
                    .as_items()
                    .iter()
                    .map(|x| match x {
                        V::Word(w) | V::Str(w) => w.to_lowercase(),
                        x => text(m, x).to_lowercase(),
                    })
                    .collect();
                s.sort();
                s.dedup();
                s
            };
            let (a, b) = (norm(env.eval(&args[0])), norm(env.eval(&args[1])));
            // Both sorted: each lookup is a binary search.
            let inter = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
            let union = a.len() + b.len() - inter;
            V::Num(if union == 0 {
                0.0
            } else {
                inter as f64 / union as f64
            })
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "minus",
        arity: 2,
        signature: "minus(list, list) -> list",
        doc: "The elements of the first list not in the second: what is missing, for a message.",
        example: ("hwb", "count(minus([jsna, jhws], functions)) == 0"),
        ty: two_lists,
        eval: |env, args| {
            let take = env.eval(&args[1]).into_items();
            let from = env.eval(&args[0]).into_items();
            if !env.spend((take.len() as u64).saturating_mul(from.len() as u64)) {
                return V::Missing;
            }
            V::List(
                from.into_iter()
                    .filter(|x| !take.iter().any(|t| eq(x, t)))
                    .collect(),
            )
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "absent",
        arity: 2,
        signature: "absent(block, [key, ...]) -> list of words",
        doc: "The listed keys a block does not state, e.g. `absent(ambition, [metric, change])`.",
        example: ("ambition", "count(absent(self, [metric, change])) == 0"),
        ty: |a| {
            let (span, bt) = a.typed()?;
            let kind = block_kind(&bt).ok_or(CompileError {
                span,
                message: format!("`absent` needs a block, but this is {}", bt.describe()),
            })?;
            let keys = a.raw();
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
            a.out.push(node(E::List(words), keys.span));
            Ok(T::List(Box::new(T::Word)))
        },
        eval: |env, args| {
            let b = env.eval(&args[0]);
            V::List(
                words_of(&args[1])
                    .into_iter()
                    .filter(|k| !field(env.model(), &b, k).truthy())
                    .map(V::Word)
                    .collect(),
            )
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "contains",
        arity: 2,
        signature: "contains(text, text) -> yes/no",
        doc: "Whether the first text contains the second, ignoring case.",
        example: ("hwb", "contains(remit, \"health\")"),
        ty: |a| {
            two_texts(a)?;
            Ok(T::Bool)
        },
        eval: |env, args| match (env.eval(&args[0]), env.eval(&args[1])) {
            (a @ (V::Str(_) | V::Word(_)), b @ (V::Str(_) | V::Word(_))) => {
                let m = env.model();
                V::Bool(
                    text(m, &a)
                        .to_lowercase()
                        .contains(&text(m, &b).to_lowercase()),
                )
            }
            _ => V::Bool(false),
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
    Function {
        name: "words",
        arity: 1,
        signature: "words(text) -> list of words",
        doc: "The words of a text or word, in lower case, split wherever a letter or digit is not (`member_of_a_local_authority` gives member, of, a, local, authority): to match by meaning, with `overlap`, rather than by an exact list of spellings.",
        example: ("icb", "count(disqualify[overlap(words(it), [\"councillor\"]) > 0]) == 0"),
        ty: |a| {
            a.text()?;
            Ok(T::List(Box::new(T::Word)))
        },
        eval: |env, args| match env.eval(&args[0]) {
            V::Str(t) | V::Word(t) => {
                if !env.spend(t.len() as u64) {
                    return V::Missing;
                }
                V::List(
                    t.split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(|w| V::Word(w.to_lowercase()))
                        .collect(),
                )
            }
            _ => V::List(Vec::new()),
        },
        locate: Locate::Args,
        reads: &[],
        reads_kind_arg: false,
        looks_beyond_links: false,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn scope(kind: &'static str) -> Scope {
        Scope {
            current: T::Block(Some(kind)),
            self_ty: T::Block(Some(kind)),
            vars: HashMap::new(),
        }
    }

    #[test]
    fn every_function_compiles_its_example_with_its_arity() {
        for f in FUNCS {
            let (kind, text) = f.example;
            let (n, t) = super::super::check::compile_str(text, &scope(kind))
                .unwrap_or_else(|e| panic!("{}: {text}: {}", f.name, e.message));
            assert_eq!(t, T::Bool, "{}: the example should be an assert", f.name);
            let mut calls = Vec::new();
            collect_calls(&n, &mut calls);
            let call = calls
                .iter()
                .find(|(g, _)| g.name() == f.name)
                .unwrap_or_else(|| panic!("{}: the example does not call it", f.name));
            assert_eq!(call.1, f.arity, "{}", f.name);
        }
    }

    fn collect_calls(n: &Node, out: &mut Vec<(Func, usize)>) {
        match &n.e {
            E::Call(f, args) => {
                out.push((*f, args.len()));
                args.iter().for_each(|a| collect_calls(a, out));
            }
            E::Bin(_, a, b) | E::Filter(a, b) => {
                collect_calls(a, out);
                collect_calls(b, out);
            }
            E::Not(a) | E::Neg(a) | E::Field(a, _) | E::Is(a, _) => collect_calls(a, out),
            E::List(v) => v.iter().for_each(|a| collect_calls(a, out)),
            _ => {}
        }
    }

    #[test]
    fn the_readme_lists_every_function() {
        let readme = include_str!("../../README.md");
        for f in FUNCS {
            assert!(
                readme.contains(&format!("`{}`", f.signature)),
                "README.md's check-language section should list `{}`",
                f.signature
            );
        }
    }

    #[test]
    fn an_unknown_function_is_named_with_a_suggestion() {
        let e = super::super::check::compile_str("cuont(member) > 1", &scope("icb")).unwrap_err();
        assert!(e.message.contains("did you mean `count`?"), "{}", e.message);
    }
}
