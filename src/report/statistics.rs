//! `--statistics`: how many findings each rule produced, most first (as
//! ruff prints it), with the number a fix could resolve. Explained
//! findings are not counted as findings: a rule's row says how many of its
//! findings the board has explained beside it.

use crate::diagnostic::Finding;
use std::collections::BTreeMap;

pub fn render(findings: &[Finding]) -> String {
    let mut counts: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
    let mut explained: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        let e = counts
            .entry(f.rule.as_str())
            .or_insert((0, 0, f.name.as_str()));
        if f.is_explained() {
            *explained.entry(f.rule.as_str()).or_default() += 1;
            continue;
        }
        e.0 += 1;
        if f.fix.is_some() {
            e.1 += 1;
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|(_, (n, _, _))| n.to_string().len())
        .max()
        .unwrap_or(1);
    let id_width = rows.iter().map(|(id, _)| id.len()).max().unwrap_or(6);
    let mut out = String::new();
    for (id, (n, fixable, name)) in rows {
        let fix = match fixable {
            0 => String::new(),
            k if k == n => "  [fixable]".to_string(),
            k => format!("  [{k} fixable]"),
        };
        let why = match explained.get(id) {
            Some(k) => format!("  [{k} explained]"),
            None => String::new(),
        };
        out.push_str(&format!("{n:>width$}\t{id:<id_width$}\t{name}{fix}{why}\n"));
    }
    out
}
