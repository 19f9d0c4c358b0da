//! The rule catalogue: every rule there is (the ICG diagnostics and the
//! rules of the packs), looked up by ID or name with a suggestion for a
//! misspelt one, and every rendering of a rule's documentation, read from
//! its YAML (or the ICG catalogue): `icslint explain` and the language
//! server's hover, the `icslint rules` listing and JSON, and the generated
//! reference (`docs/rules.md`, with each rule's anchor). SARIF's rule
//! descriptors (`report::sarif::rule_infos`) read the same fields.

use crate::diagnostic::icg::{self, Icg};
use crate::rules::{Pack, Rule};
use crate::workspace::Workspace;
use std::sync::OnceLock;

/// The built-in packs, compiled once per process, without a workspace.
pub fn builtin_packs() -> &'static [Pack] {
    static PACKS: OnceLock<Vec<Pack>> = OnceLock::new();
    PACKS.get_or_init(|| crate::rules::pack::builtin_packs(&mut Default::default()).0)
}

/// The nearest rule ID to a misspelt one (`CCN1111` → `CCN111`).
pub fn suggest<'a>(query: &str, ids: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    crate::text::suggest(&query.trim().to_uppercase(), ids)
}

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
    s.push_str(explainable_text(r));
    s.push_str("\n\n");
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
    s.push_str(&unconfirmed(pack, r));
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

/// What a Bill's pack says is unconfirmed about this rule (the rule is
/// left as it is): a section headed by the pack's title, one note per item,
/// from the built-in packs and the rule's own pack.
fn unconfirmed(pack: &Pack, r: &Rule) -> String {
    let own = std::iter::once(pack).filter(|p| !p.builtin);
    let notes = Pack::unconfirmed_for(builtin_packs().iter().chain(own), &r.id);
    let mut s = String::new();
    let mut titles: Vec<&str> = Vec::new();
    for (p, u) in notes {
        if !titles.contains(&p.title.as_str()) {
            titles.push(&p.title);
            s.push_str(&format!(
                "Unconfirmed under {}\n  The sources found do not confirm how {} would change what this rule asks; where they are silent, the rule is left as it is.\n",
                p.title,
                if p.enacted { "it" } else { "the Bill (not law)" },
            ));
        }
        s.push_str(&format!(
            "  * {}: {}\n",
            u.reference,
            u.summary.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    if !s.is_empty() {
        s.push('\n');
    }
    s
}

/// Whether and how a document may depart from a rule, in one sentence.
fn explainable_text(r: &Rule) -> &'static str {
    if r.explainable {
        "Comply or explain: a board may depart from this recommendation with an `explain` block (reason, approver, agreed and review dates) in the block it reports on."
    } else {
        "Not explainable: this must be complied with; an `explain` block for it is ICG016."
    }
}

/// `icslint rules`: one line per rule, language diagnostics first.
pub fn listing<'a>(packs: impl IntoIterator<Item = &'a Pack>) -> String {
    let mut s = format!(
        "{:<8} {:<40} {:<15} {:<8} {:<10} source\n",
        "id", "name", "pack", "severity", "regimes"
    );
    for d in icg::ALL {
        s.push_str(&format!(
            "{:<8} {:<40} {:<15} {:<8} {:<10} icslint language\n",
            d.id,
            d.name,
            "language",
            d.severity.as_str(),
            "all"
        ));
    }
    for p in packs {
        for r in &p.rules {
            let regimes = if r.regimes.is_empty() {
                "all".to_string()
            } else {
                r.regimes
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            s.push_str(&format!(
                "{:<8} {:<40} {:<15} {:<8} {:<10} {} {}\n",
                r.id,
                r.name,
                p.name,
                r.severity.as_str(),
                regimes,
                r.provenance.source,
                r.provenance.reference
            ));
        }
    }
    s
}

/// `icslint rules --json`: every pack rule with its metadata.
pub fn json<'a>(packs: impl IntoIterator<Item = &'a Pack>) -> String {
    let rules: Vec<_> = packs
        .into_iter()
        .flat_map(|p| p.rules.iter().map(move |r| (p, r)))
        .map(|(p, r)| serde_json::json!({"id": r.id, "name": r.name, "pack": p.name, "severity": r.severity, "regimes": r.regimes, "scope": r.scope, "provenance": r.provenance, "explainable": r.explainable}))
        .collect();
    serde_json::to_string_pretty(&rules).unwrap_or_default()
}

/// Which edition of the catalogue the packs are, and what changed since the
/// last: the header of the rule reference.
pub const EDITION: &str = include_str!("../rules/EDITION.md");

/// The rule reference, `docs/rules.md`: every pack and rule, from the same
/// YAML text that `explain`, hover and SARIF `help` read.
pub fn markdown<'a>(packs: impl IntoIterator<Item = &'a Pack>) -> String {
    let mut s = String::from("# Rule reference\n\nGenerated by `icslint rules --markdown` from `rules/*.yaml` and `rules/EDITION.md`; do not edit by hand.\n\n");
    s.push_str(EDITION.trim_end());
    s.push_str("\n\n## Language diagnostics\n\n| id | name | severity | what it reports |\n| --- | --- | --- | --- |\n");
    for d in icg::ALL {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            d.id,
            d.name,
            d.severity.as_str(),
            d.doc
        ));
    }
    for p in packs {
        s.push_str(&format!(
            "\n## `{}`: {}\n\nSource: `{}`{}.\n\n",
            p.name,
            p.title,
            p.source,
            p.published
                .as_ref()
                .map_or(String::new(), |d| format!(", {d}"))
        ));
        for r in &p.rules {
            s.push_str(&format!(
                "### {} {}\n\n*{}, {}.* Source: `{}`, {}: {}\n\n",
                r.id,
                r.name,
                r.severity.as_str(),
                r.regimes_text(),
                r.provenance.source,
                r.provenance.reference,
                r.provenance.summary
            ));
            s.push_str(explainable_text(r));
            s.push_str("\n\n");
            s.push_str(&format!(
                "**What it checks.** {}\n\n**Why.** {}\n\n**What to write.** {}\n\n",
                r.description.trim(),
                r.why.split_whitespace().collect::<Vec<_>>().join(" "),
                r.help_doc().trim()
            ));
            for (title, text) in [("Fails", &r.examples.fail), ("Passes", &r.examples.pass)] {
                s.push_str(&format!("{title}:\n\n```\n{}\n```\n\n", text.trim_end()));
            }
        }
    }
    s
}
