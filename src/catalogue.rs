//! The rule catalogue as text: one rendering of a rule's documentation,
//! read from its YAML (or the ICG catalogue), shared by `icslint explain`
//! and the language server's hover, and the anchor of each rule in the
//! generated reference (`docs/rules.md`).

use crate::diagnostic::icg::{self, Icg};
use crate::rules::{Pack, Rule};
use crate::workspace::Workspace;

/// A documented rule: a language diagnostic or a rule of a pack.
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    Language(&'a Icg),
    Pack(&'a Pack, &'a Rule),
}

/// Finds a rule by ID (any case) or name among the language diagnostics and `ws`'s packs.
pub fn find<'a>(ws: &'a Workspace, query: &str) -> Option<Entry<'a>> {
    let q = query.trim();
    if let Some(d) = icg::ALL
        .iter()
        .find(|x| x.id.eq_ignore_ascii_case(q) || x.name == q)
    {
        return Some(Entry::Language(d));
    }
    ws.packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(move |r| (p, r)))
        .find(|(_, r)| r.id.eq_ignore_ascii_case(q) || r.name == q)
        .map(|(p, r)| Entry::Pack(p, r))
}

/// Every rule ID, for "did you mean" hints.
pub fn ids(ws: &Workspace) -> impl Iterator<Item = &str> {
    ws.packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
        .chain(icg::ALL.iter().map(|x| x.id))
}

impl Entry<'_> {
    /// What `icslint explain` prints: what it checks, why, the source, what
    /// to write, and a failing and a passing example.
    pub fn explain(&self) -> String {
        match self {
            Entry::Language(d) => format!(
                "{} {} ({}, language)\n\n{}\n",
                d.id,
                d.name,
                d.severity.as_str(),
                d.doc
            ),
            Entry::Pack(pack, r) => explain(pack, r),
        }
    }

    /// The fragment of the rule's heading in `docs/rules.md` (GitHub's slug).
    pub fn anchor(&self) -> String {
        match self {
            Entry::Language(_) => "language-diagnostics".to_string(),
            Entry::Pack(_, r) => format!("{}-{}", r.id.to_lowercase(), r.name),
        }
    }
}

fn explain(pack: &Pack, r: &Rule) -> String {
    let regimes = r.regimes_text();
    let mut s = format!(
        "{} {} ({}, {}, pack {})\n\n",
        r.id,
        r.name,
        r.severity.as_str(),
        regimes,
        pack.name
    );
    s.push_str(&format!(
        "Source: {}, {}\n  {}\n\n",
        r.provenance.source, r.provenance.reference, r.provenance.summary
    ));
    if !r.description.trim().is_empty() {
        s.push_str(&format!(
            "What it checks\n  {}\n\n",
            r.description.trim().replace('\n', "\n  ")
        ));
    }
    if !r.why.trim().is_empty() {
        s.push_str(&format!(
            "Why\n  {}\n\n",
            r.why.trim().replace('\n', "\n  ")
        ));
    }
    s.push_str(&format!("What to write\n  {}\n\n", r.help_doc().trim()));
    for (title, text) in [("Fails", &r.examples.fail), ("Passes", &r.examples.pass)] {
        if !text.trim().is_empty() {
            s.push_str(&format!("{title}\n"));
            for line in text.trim_end().lines() {
                s.push_str(&format!("    {line}\n"));
            }
            s.push('\n');
        }
    }
    s
}
