//! The rule-pack schema (a public interface: see README, "Writing a rule
//! pack") and its loader. Built-in packs are compiled in with
//! `include_str!` and loaded exactly like a user's own pack.

// A rule that fails to compile is reported as a whole Finding; loading is a
// cold path, so the large error variant costs nothing worth boxing for.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use super::builtin::{self, Builtin};
use super::check::{self, compile_template, CompileError, Node, Piece, Scope, T};
use crate::diagnostic::{icg, Finding, Provenance, Severity};
use crate::model::schema;
use crate::source::{FileId, Span};
use serde::Deserialize;
use std::collections::HashMap;

pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("statutory", include_str!("../../rules/statutory.yaml")),
    ("ccn-2022", include_str!("../../rules/ccn-2022.yaml")),
    ("hfma-2021", include_str!("../../rules/hfma-2021.yaml")),
    (
        "nhsconfed-2025",
        include_str!("../../rules/nhsconfed-2025.yaml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackDef {
    pack: String,
    title: String,
    source: String,
    published: Option<String>,
    rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvDef {
    source: String,
    #[serde(rename = "ref")]
    reference: String,
    summary: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelDef {
    each: String,
    message: String,
}

/// How a rule speaks under one regime: `by_regime: { 2025: { severity: advice, message: "..." } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegimeDef {
    severity: Option<String>,
    message: Option<String>,
}

/// A rule's severity and message under one regime, where they differ.
#[derive(Clone, Debug)]
pub struct RegimeVariant {
    pub regime: i64,
    pub severity: Severity,
    pub message: Option<Vec<Piece>>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fail: String,
    #[serde(default)]
    pub pass: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    name: String,
    provenance: ProvDef,
    severity: String,
    #[serde(default)]
    regimes: Vec<i64>,
    #[serde(default)]
    by_regime: std::collections::BTreeMap<i64, RegimeDef>,
    scope: OneOrMany,
    for_each: Option<String>,
    when: Option<String>,
    #[serde(rename = "let", default)]
    lets: serde_yaml::Mapping,
    assert: Option<String>,
    at: Option<String>,
    #[serde(default)]
    labels: Vec<LabelDef>,
    builtin: Option<String>,
    #[serde(default)]
    params: serde_yaml::Mapping,
    message: String,
    #[serde(default)]
    messages: serde_yaml::Mapping,
    help: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    why: String,
    #[serde(default)]
    examples: Examples,
    fix: Option<FixDef>,
}

/// `fix: { insert: "membership_review every 12 months", into: self, title: "..." }`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixDef {
    insert: String,
    #[serde(default)]
    into: Option<String>,
    title: String,
}

/// A rule's fix: a line (a template, like the message) inserted at the
/// right indentation in the block the rule ran on, or replacing the
/// attribute with the same key there. Always unsafe: it changes what the
/// document says.
#[derive(Clone, Debug)]
pub struct RuleFix {
    pub insert: Vec<Piece>,
    pub title: Vec<Piece>,
}

#[derive(Clone, Debug)]
pub enum At {
    Header,
    Path(Node),
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    /// A literal expression (`5`, `£19`, `3 years`, `0.6`).
    pub value: Node,
    pub ty: T,
    pub text: String,
}

#[derive(Clone, Debug)]
pub enum Check {
    Expr {
        for_each: Option<Node>,
        when: Option<Node>,
        lets: Vec<(String, Node)>,
        assert: Node,
        at: Option<At>,
    },
    Builtin(&'static Builtin),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub pack: String,
    pub severity: Severity,
    pub regimes: Vec<i64>,
    /// Severity and message under particular regimes (STA008 is advice under 2025).
    pub by_regime: Vec<RegimeVariant>,
    pub scope: Vec<&'static str>,
    pub provenance: Provenance,
    pub description: String,
    pub why: String,
    pub examples: Examples,
    pub check: Check,
    pub message: Vec<Piece>,
    pub messages: HashMap<String, Vec<Piece>>,
    pub help: Vec<Piece>,
    pub help_text: String,
    pub message_text: String,
    pub labels: Vec<(Node, Vec<Piece>)>,
    pub params: Vec<Param>,
    pub fix: Option<RuleFix>,
    /// The pack file and the span of this rule's `id:` in it.
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Pack {
    pub name: String,
    pub title: String,
    pub source: String,
    pub published: Option<String>,
    pub builtin: bool,
    pub rules: Vec<Rule>,
    pub file: FileId,
}

/// Locates `key:` of the rule whose `id:` is at `rule_at`, for spans in errors.
struct Locator<'a> {
    text: &'a str,
}

impl Locator<'_> {
    fn rule(&self, id: &str) -> usize {
        let needle = format!("id: {id}");
        self.text
            .match_indices(&needle)
            .map(|(i, _)| i)
            .find(|i| {
                self.text[i + needle.len()..].starts_with(['\n', '\r', ' ', '#'])
                    || i + needle.len() == self.text.len()
            })
            .unwrap_or(0)
    }
    fn rule_end(&self, start: usize) -> usize {
        self.text[start + 1..]
            .find("\n  - id:")
            .map_or(self.text.len(), |n| start + 1 + n)
    }
    /// Offset of the value of `key:` inside the rule starting at `start`.
    fn value(&self, start: usize, key: &str, value: &str) -> usize {
        let end = self.rule_end(start);
        let body = &self.text[start..end];
        let probe: String = value.chars().take(12).collect();
        if let Some(k) = body.find(&format!("{key}:")) {
            let after = start + k + key.len() + 1;
            if let Some(v) = self.text[after..end].find(probe.as_str()) {
                return after + v;
            }
            return after;
        }
        if let Some(v) = body.find(probe.as_str()) {
            return start + v;
        }
        start
    }
    fn line_span(&self, at: usize) -> Span {
        let end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |n| at + n);
        Span::new(at, end)
    }
}

/// Adds the built-in packs' texts to `sources` and returns the compiled packs.
/// They are compiled once per process: a workspace that registers them
/// first (as `Workspace` does) gets the same `FileId`s and a copy.
pub fn builtin_packs(sources: &mut crate::source::Sources) -> (Vec<Pack>, Vec<Finding>) {
    type Compiled = (Vec<FileId>, Vec<Pack>, Vec<Finding>);
    static COMPILED: std::sync::OnceLock<Compiled> = std::sync::OnceLock::new();
    let add = |sources: &mut crate::source::Sources| -> Vec<FileId> {
        BUILTIN_PACKS
            .iter()
            .map(|(name, text)| sources.add(format!("<builtin>/{name}.yaml"), text.to_string()))
            .collect()
    };
    let compile = |ids: &[FileId]| {
        let (mut packs, mut findings) = (Vec::new(), Vec::new());
        for ((_, text), file) in BUILTIN_PACKS.iter().zip(ids) {
            let (p, f) = load_pack(text, *file, true);
            packs.extend(p);
            findings.extend(f);
        }
        (packs, findings)
    };
    let ids = add(sources);
    let (cached_ids, packs, findings) = COMPILED.get_or_init(|| {
        let ids = add(&mut crate::source::Sources::default());
        let (p, f) = compile(&ids);
        (ids, p, f)
    });
    if *cached_ids == ids {
        (packs.clone(), findings.clone())
    } else {
        compile(&ids)
    }
}

fn bad(file: FileId, span: Span, msg: impl Into<String>) -> Finding {
    icg::finding(icg::BAD_PACK, file, span, msg)
}

/// Loads and compiles one pack. A rule that does not compile is left out,
/// with an ICG012 finding pointing into the YAML; the other rules load.
pub fn load_pack(text: &str, file: FileId, builtin: bool) -> (Option<Pack>, Vec<Finding>) {
    let mut findings = Vec::new();
    let def: PackDef = match serde_yaml::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            let at = e.location().map_or(0, |l| l.index()).min(text.len());
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            findings.push(
                bad(
                    file,
                    Span::new(at, end),
                    format!(
                        "this rule pack cannot be loaded: {}",
                        crate::text::strip_yaml_location(&e.to_string())
                    ),
                )
                .help("see README, \"Writing a rule pack\", for the fields a pack and a rule take"),
            );
            return (None, findings);
        }
    };
    let loc = Locator { text };
    let mut rules = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in def.rules {
        let start = loc.rule(&r.id);
        let id_span = loc.line_span(start);
        if let Some(prev) = seen.get(&r.id) {
            findings.push(
                bad(
                    file,
                    id_span,
                    format!("the rule ID {} is used twice in this pack", r.id),
                )
                .label(file, loc.line_span(*prev), "first used here"),
            );
            continue;
        }
        seen.insert(r.id.clone(), start);
        match compile_rule(r, &def.pack, file, &loc, start) {
            Ok(rule) => rules.push(rule),
            Err(f) => findings.push(f),
        }
    }
    let pack = Pack {
        name: def.pack,
        title: def.title,
        source: def.source,
        published: def.published,
        builtin,
        rules,
        file,
    };
    (Some(pack), findings)
}

fn compile_rule(
    r: RuleDef,
    pack: &str,
    file: FileId,
    loc: &Locator,
    start: usize,
) -> Result<Rule, Finding> {
    let id_span = loc.line_span(start);
    let fail = |span: Span, msg: String| bad(file, span, format!("rule {}: {msg}", r.id));
    let id_ok = r.id.len() >= 4
        && r.id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && r.id.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if !id_ok {
        return Err(fail(
            id_span,
            "rule IDs are capital letters and digits, like CCN111".into(),
        ));
    }
    if r.id.starts_with("ICG") {
        return Err(fail(
            id_span,
            "the ICG prefix is reserved for language diagnostics".into(),
        ));
    }
    if r.name.is_empty()
        || !r
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        let at = loc.value(start, "name", &r.name);
        return Err(fail(
            loc.line_span(at),
            format!(
                "the name `{}` must be kebab-case, like membership-review",
                r.name
            ),
        ));
    }
    let Some(severity) = Severity::parse(&r.severity) else {
        let at = loc.value(start, "severity", &r.severity);
        return Err(fail(
            loc.line_span(at),
            format!("severity `{}` must be error, warning or advice", r.severity),
        ));
    };
    for g in &r.regimes {
        if *g != 2022 && *g != 2025 {
            let at = loc.value(start, "regimes", &g.to_string());
            return Err(fail(
                loc.line_span(at),
                format!("regime {g} is not 2022 or 2025"),
            ));
        }
    }
    let scope_names = match &r.scope {
        OneOrMany::One(s) => vec![s.clone()],
        OneOrMany::Many(v) => v.clone(),
    };
    let mut scope = Vec::new();
    for s in &scope_names {
        match schema::kind(s) {
            Some(k) => scope.push(k.name),
            None => {
                let at = loc.value(start, "scope", s);
                let hint = schema::suggest(s, schema::kind_names())
                    .map_or(String::new(), |x| format!("; did you mean `{x}`?"));
                return Err(fail(
                    loc.line_span(at),
                    format!("scope `{s}` is not a block kind{hint}"),
                ));
            }
        }
    }
    let scope_ty = T::Block(if scope.len() == 1 {
        Some(scope[0])
    } else {
        None
    });
    let mut sc = Scope {
        current: scope_ty.clone(),
        self_ty: scope_ty,
        vars: HashMap::new(),
    };

    // Errors inside an expression point at the expression in the YAML.
    let at_expr = |key: &str, src: &str, e: CompileError| {
        let base = loc.value(start, key, src);
        let quoted = loc.text[base..].starts_with(['"', '\'']);
        let base = base + usize::from(quoted);
        let span = Span::new(
            base + e.span.start,
            (base + e.span.end)
                .max(base + e.span.start + 1)
                .min(loc.text.len()),
        );
        bad(
            file,
            span,
            format!("rule {}: in `{key}`: {}", r.id, e.message),
        )
    };

    let mut params = Vec::new();
    for (k, v) in &r.params {
        let name = k.as_str().unwrap_or_default().to_string();
        let text = yaml_scalar(v);
        let (node, ty) =
            check::compile_str(&text, &Scope::empty()).map_err(|e| at_expr("params", &text, e))?;
        if !is_literal(&node) {
            let at = loc.value(start, "params", &text);
            return Err(fail(
                loc.line_span(at),
                format!("parameter `{name}` must be a literal value, like 5, 50%, £19 or 3 years"),
            ));
        }
        sc.vars.insert(name.clone(), ty.clone());
        params.push(Param {
            name,
            value: node,
            ty,
            text,
        });
    }

    let compile = |key: &str, src: &str, sc: &Scope| {
        check::compile_str(src, sc).map_err(|e| at_expr(key, src, e))
    };

    let check = match (&r.builtin, &r.assert) {
        (Some(b), None) => match builtin::find(b) {
            Some(bi) => {
                if !scope.contains(&bi.scope) {
                    return Err(fail(
                        id_span,
                        format!(
                            "builtin `{b}` runs on `{}` blocks; set `scope: {}`",
                            bi.scope, bi.scope
                        ),
                    ));
                }
                for v in bi.vars {
                    sc.vars.insert(v.to_string(), T::Str);
                }
                for p in bi.params {
                    if !params.iter().any(|x| x.name == *p) {
                        return Err(fail(
                            id_span,
                            format!("builtin `{b}` needs the parameter `{p}`"),
                        ));
                    }
                }
                Check::Builtin(bi)
            }
            None => {
                let at = loc.value(start, "builtin", b);
                let hint =
                    builtin::suggest(b).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Err(fail(
                    loc.line_span(at),
                    format!("there is no builtin check `{b}`{hint}"),
                ));
            }
        },
        (None, Some(a)) => {
            let for_each = match &r.for_each {
                Some(src) => {
                    let (n, t) = compile("for_each", src, &sc)?;
                    sc.current = match t {
                        T::List(inner) => *inner,
                        T::Block(k) => T::Block(k),
                        other => {
                            return Err(at_expr(
                                "for_each",
                                src,
                                CompileError {
                                    span: n.span,
                                    message: format!(
                                        "`for_each` needs a list of blocks, but this is {}",
                                        other.describe()
                                    ),
                                },
                            ))
                        }
                    };
                    Some(n)
                }
                None => None,
            };
            let when = match &r.when {
                Some(src) => Some(compile("when", src, &sc)?.0),
                None => None,
            };
            let mut lets = Vec::new();
            for (k, v) in &r.lets {
                let name = k.as_str().unwrap_or_default().to_string();
                let src = yaml_scalar(v);
                let (n, t) = compile(&name, &src, &sc)?;
                sc.vars.insert(name.clone(), t);
                lets.push((name, n));
            }
            let (assert, _) = compile("assert", a, &sc)?;
            let at = match r.at.as_deref() {
                None => None,
                Some("header") => Some(At::Header),
                Some(src) => Some(At::Path(compile("at", src, &sc)?.0)),
            };
            Check::Expr {
                for_each,
                when,
                lets,
                assert,
                at,
            }
        }
        (Some(_), Some(_)) => {
            return Err(fail(
                id_span,
                "give either `assert` or `builtin`, not both".into(),
            ))
        }
        (None, None) => {
            return Err(fail(
                id_span,
                "a rule needs `assert` (an expression) or `builtin` (a check written in Rust)"
                    .into(),
            ))
        }
    };

    let tmpl = |key: &str, src: &str, sc: &Scope| {
        compile_template(src, sc).map_err(|e| at_expr(key, src, e))
    };
    let message = tmpl("message", &r.message, &sc)?;
    let help = tmpl("help", &r.help, &sc)?;
    let mut by_regime = Vec::new();
    for (regime, v) in &r.by_regime {
        let at = loc.line_span(loc.value(start, "by_regime", &regime.to_string()));
        if *regime != 2022 && *regime != 2025 {
            return Err(fail(at, format!("regime {regime} is not 2022 or 2025")));
        }
        let sev = match v.severity.as_deref() {
            None => severity,
            Some(x) => Severity::parse(x).ok_or_else(|| {
                fail(
                    at,
                    format!("severity `{x}` must be error, warning or advice"),
                )
            })?,
        };
        let message = match &v.message {
            Some(m) => Some(tmpl("by_regime", m, &sc)?),
            None => None,
        };
        by_regime.push(RegimeVariant {
            regime: *regime,
            severity: sev,
            message,
        });
    }
    let mut messages = HashMap::new();
    for (k, v) in &r.messages {
        let name = k.as_str().unwrap_or_default().to_string();
        let src = yaml_scalar(v);
        messages.insert(name.clone(), tmpl(&name, &src, &sc)?);
    }
    if let Check::Builtin(bi) = &check {
        for m in bi.messages {
            if !messages.contains_key(*m) {
                return Err(fail(
                    id_span,
                    format!(
                        "builtin `{}` needs a message for `{m}` under `messages:`",
                        bi.name
                    ),
                ));
            }
        }
    }
    let mut labels = Vec::new();
    for l in &r.labels {
        let (each, t) = compile("each", &l.each, &sc)?;
        let inner = Scope {
            current: match t {
                T::List(x) => *x,
                x => x,
            },
            ..sc.clone()
        };
        labels.push((each, tmpl("message", &l.message, &inner)?));
    }
    let fix = match &r.fix {
        None => None,
        Some(fx) => {
            let at = Span::new(
                loc.value(start, "fix", "fix"),
                loc.value(start, "fix", "fix") + 3,
            );
            if fx.into.as_deref().is_some_and(|i| i != "self") {
                return Err(fail(
                    at,
                    "`fix: into:` takes `self` (the block the rule ran on)".into(),
                ));
            }
            if let Some(why) = ill_formed(&fx.insert) {
                return Err(fail(
                    at,
                    format!("`fix: insert:` is not a well-formed ICG line: {why}"),
                ));
            }
            Some(RuleFix {
                insert: tmpl("fix", &fx.insert, &sc)?,
                title: tmpl("fix", &fx.title, &sc)?,
            })
        }
    };
    Ok(Rule {
        id: r.id,
        name: r.name,
        pack: pack.to_string(),
        severity,
        regimes: r.regimes,
        by_regime,
        scope,
        provenance: Provenance {
            source: r.provenance.source,
            reference: r.provenance.reference,
            summary: r.provenance.summary,
        },
        description: r.description,
        why: r.why,
        examples: r.examples,
        check,
        message,
        messages,
        help,
        help_text: r.help,
        message_text: r.message,
        labels,
        params,
        fix,
        file,
        span: id_span,
    })
}

/// Why a fix's insert text (a template) would not parse inside a block,
/// its `{...}` placeholders taken as words.
fn ill_formed(insert: &str) -> Option<String> {
    let mut text = String::new();
    let mut chars = insert.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                }
                text.push_str("placeholder");
            }
            c => text.push(c),
        }
    }
    if text.trim().is_empty() {
        return Some("it is empty".into());
    }
    let parsed = crate::syntax::parse(&format!("fix_target {{\n{text}\n}}\n"));
    parsed.errors.first().map(|e| e.message.clone())
}

impl Rule {
    /// "all regimes" or "regime 2022, 2025".
    pub fn regimes_text(&self) -> String {
        let mut s = if self.regimes.is_empty() {
            "all regimes".to_string()
        } else {
            format!(
                "regime {}",
                self.regimes
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        for v in &self.by_regime {
            s.push_str(&format!(
                "; {} under regime {}",
                v.severity.as_str(),
                v.regime
            ));
        }
        s
    }

    /// The help text as documentation: `{{`/`}}` become braces; `{expr}`
    /// placeholders stay, naming what the finding fills in.
    pub fn help_doc(&self) -> String {
        self.help_text
            .replace("{{", "\u{0}")
            .replace("}}", "\u{1}")
            .replace('\u{0}', "{")
            .replace('\u{1}', "}")
    }
}

fn yaml_scalar(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn is_literal(n: &Node) -> bool {
    use check::E;
    match &n.e {
        E::Num(_)
        | E::Percent(_)
        | E::Money(_)
        | E::Date(_)
        | E::Duration(..)
        | E::Bool(_)
        | E::Str(_)
        | E::Word(_) => true,
        E::Neg(x) => is_literal(x),
        E::List(v) => v.iter().all(is_literal),
        _ => false,
    }
}

/// Compiles a parameter override from `icslint.yaml`; it must have the type of the default.
pub fn param_override(p: &Param, v: &serde_yaml::Value) -> Result<Node, String> {
    let text = yaml_scalar(v);
    let (node, ty) = check::compile_str(&text, &Scope::empty()).map_err(|e| e.message)?;
    if !is_literal(&node) {
        return Err(format!("`{text}` is not a literal value"));
    }
    if ty != p.ty {
        return Err(format!(
            "`{}` is {}, but the parameter `{}` takes {} (default {})",
            text,
            ty.describe(),
            p.name,
            p.ty.describe(),
            p.text
        ));
    }
    Ok(node)
}
