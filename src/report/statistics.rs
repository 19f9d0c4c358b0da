//! `--statistics`: how many findings each rule produced, most first (as
//! ruff prints it), with the number a fix could resolve. Explained
//! findings are not counted as findings: a rule's row says how many of its
//! findings the board has explained beside it.

use crate::diagnostic::Finding;
use std::collections::BTreeMap;

/// One rule's row: its ID and name, its findings not explained, how many
/// of those a fix could resolve, and how many the board has explained.
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    count: usize,
    fixable: usize,
    explained: usize,
}

/// The rows, most findings first, then by rule ID.
fn rows(findings: &[Finding]) -> Vec<Row<'_>> {
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
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|(id, (count, fixable, name))| Row {
            id,
            name,
            count,
            fixable,
            explained: explained.get(id).copied().unwrap_or(0),
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(b.id)));
    rows
}

/// The table: count, rule ID and name, `[fixable]`, `[N explained]`.
pub fn render(findings: &[Finding]) -> String {
    let rows = rows(findings);
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let id_width = rows.iter().map(|r| r.id.len()).max().unwrap_or(6);
    let mut out = String::new();
    for r in rows {
        let (n, id, name) = (r.count, r.id, r.name);
        let fix = match r.fixable {
            0 => String::new(),
            k if k == n => "  [fixable]".to_string(),
            k => format!("  [{k} fixable]"),
        };
        let why = match r.explained {
            0 => String::new(),
            k => format!("  [{k} explained]"),
        };
        out.push_str(&format!("{n:>width$}\t{id:<id_width$}\t{name}{fix}{why}\n"));
    }
    out
}

/// `--statistics --format json`: `{"version": 1, "statistics": [{"rule",
/// "name", "count", "fixable", "explained"}]}`, in the table's order.
pub fn render_json(findings: &[Finding]) -> String {
    let rows: Vec<serde_json::Value> = rows(findings)
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "rule": r.id,
                "name": r.name,
                "count": r.count,
                "fixable": r.fixable,
                "explained": r.explained,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({
        "version": 1,
        "statistics": rows,
    }))
    .unwrap_or_default();
    s.push('\n');
    s
}
