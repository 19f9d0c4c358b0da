//! What a rule reads: the keys, child kinds, derived fields and block kinds
//! its check names. When a syntax error leaves part of a document out, the
//! engine uses it to say which rules ran without that part (ICG001's note).

use super::check::{Node, E};
use super::pack::{At, Check};
use super::Rule;
use std::collections::BTreeSet;

impl Rule {
    /// The block kinds this rule runs on (its scope).
    pub fn runs_on(&self, kind: &str) -> bool {
        match &self.check {
            Check::Builtin(b) => b.scope == kind,
            Check::Expr { .. } => self.scope.contains(&kind),
        }
    }

    /// Every name the rule's verdict depends on: for a rule in the check
    /// language, each key, child or derived field its expressions name
    /// (and the block kind a derived field or `kinds(...)`/`referrers(...)`
    /// yields); for a rule written in Rust, its declared `reads`. Message
    /// templates are left out: they change the words, not whether it fires.
    pub fn reads(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        match &self.check {
            Check::Builtin(b) => out.extend(b.reads.iter().copied()),
            Check::Expr { .. } => self.expressions().for_each(|n| names(n, &mut out)),
        }
        out
    }

    /// Whether the rule looks at blocks no link leads to from its own
    /// (`kinds(...)`: every block of a kind in the workspace), so that a
    /// re-check of part of a workspace cannot stand for the whole.
    pub fn looks_beyond_links(&self) -> bool {
        fn calls_global(n: &Node) -> bool {
            match &n.e {
                E::Call(f, args) => f.def().looks_beyond_links || args.iter().any(calls_global),
                E::Field(a, _) | E::Not(a) | E::Neg(a) | E::Is(a, _) => calls_global(a),
                E::Filter(a, b) | E::Bin(_, a, b) => calls_global(a) || calls_global(b),
                E::List(items) => items.iter().any(calls_global),
                _ => false,
            }
        }
        self.expressions().any(calls_global)
    }

    /// The compiled expressions of a rule in the check language (none for
    /// a rule in Rust): `for_each`, `when`, `let`s, `assert`, an `at` path
    /// and its labels.
    fn expressions(&self) -> impl Iterator<Item = &Node> {
        let parts = match &self.check {
            Check::Builtin(_) => None,
            Check::Expr {
                for_each,
                when,
                lets,
                assert,
                at,
            } => {
                let at = match at {
                    Some(At::Path(p)) => Some(p),
                    _ => None,
                };
                Some(
                    [for_each.as_ref(), when.as_ref(), Some(assert), at]
                        .into_iter()
                        .flatten()
                        .chain(lets.iter().map(|(_, n)| n))
                        .chain(self.labels.iter().map(|(n, _)| n)),
                )
            }
        };
        parts.into_iter().flatten()
    }
}

/// The names of one expression. Trees are at most `MAX_EXPR_DEPTH` deep.
fn names<'a>(n: &'a Node, out: &mut BTreeSet<&'a str>) {
    match &n.e {
        E::Field(base, name) => {
            out.insert(name);
            if let Some(d) = crate::model::derived::find(name) {
                use crate::model::derived::DerivedTy::{Block, Blocks};
                if let Block(k) | Blocks(k) = d.ty {
                    out.insert(k);
                }
                out.extend(d.reads.iter().copied());
            }
            names(base, out);
        }
        E::Call(f, args) => {
            // As the function table declares (`typology(authority)` is
            // computed from the authorities' shares, tiers and populations).
            out.extend(f.def().reads.iter().copied());
            if f.def().reads_kind_arg {
                if let Some(Node { e: E::Word(k), .. }) = args.first() {
                    out.insert(k);
                }
            }
            args.iter().for_each(|a| names(a, out));
        }
        E::Is(x, kind) => {
            out.insert(kind);
            names(x, out);
        }
        E::Filter(a, b) | E::Bin(_, a, b) => {
            names(a, out);
            names(b, out);
        }
        E::Not(x) | E::Neg(x) => names(x, out),
        E::List(items) => items.iter().for_each(|i| names(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    fn rule(id: &str) -> crate::rules::Rule {
        let (packs, _) = crate::rules::builtin_packs(&mut crate::source::Sources::default());
        packs
            .into_iter()
            .flat_map(|p| p.rules)
            .find(|r| r.id == id)
            .unwrap()
    }

    #[test]
    fn a_rule_reads_the_names_of_its_check() {
        // STA010 runs on authorities and reads their HWB's functions.
        let r = rule("STA010");
        assert!(r.runs_on("authority") && !r.runs_on("hwb"));
        let reads = r.reads();
        for n in ["hwb", "functions", "tier", "authority"] {
            assert!(reads.contains(n), "{n}: {reads:?}");
        }
        // A word literal is not a name it reads.
        assert!(!reads.contains("jsna"), "{reads:?}");
        // A rule in Rust reads what it declares.
        let r = rule("CCN122");
        assert!(r.runs_on("hwb") && r.reads().contains("functions"));
    }

    /// `kinds(...)` in a compiled expression, not the word in a text.
    #[test]
    fn a_call_of_kinds_looks_beyond_links() {
        let pack = |assert: &str, description: &str| {
            let text = format!(
                "pack: ours\ntitle: Ours\nsource: ours\nrules:\n  - id: LOC900\n    name: some-board\n    provenance: {{ source: ours, ref: \"1\", summary: S }}\n    severity: warning\n    scope: system\n    assert: {assert}\n    message: \"m\"\n    help: \"h\"\n    description: {description}\n    why: w\n"
            );
            let (pack, findings) = crate::rules::load_pack(&text, crate::source::FileId(0), false);
            assert!(findings.is_empty(), "{findings:?}");
            pack.unwrap().rules.remove(0)
        };
        assert!(pack("count(kinds(hwb)) > 0", "d").looks_beyond_links());
        assert!(pack("count(kinds (hwb)) > 0", "d").looks_beyond_links());
        assert!(!pack("count(icb) > 0", "all kinds (of boards)").looks_beyond_links());
        assert!(!rule("STA010").looks_beyond_links());
    }

    /// Each name a rule in Rust or a derived field declares is a key or kind of the schema.
    #[test]
    fn declared_reads_are_schema_names() {
        use crate::model::schema;
        let declared = crate::rules::builtin::BUILTINS
            .iter()
            .map(|b| (b.name, b.reads))
            .chain(
                crate::model::derived::DERIVED
                    .iter()
                    .map(|d| (d.name, d.reads)),
            );
        for (name, reads) in declared {
            for n in reads {
                let known = schema::kind(n).is_some()
                    || schema::kind_names()
                        .any(|k| schema::kind(k).is_some_and(|s| s.key(n).is_some()));
                assert!(known, "{name}: `{n}` is neither a kind nor a key");
            }
        }
    }
}
