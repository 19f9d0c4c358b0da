//! `--format sarif`: SARIF 2.1.0 for code scanning. One run; the rules that
//! produced findings are described in `tool.driver.rules` with their help.

use crate::diagnostic::{Finding, Severity};
use crate::source::Sources;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What SARIF needs to describe a rule beyond the finding itself.
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub help: String,
    pub severity: Severity,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn region(sources: &Sources, f: crate::source::FileId, span: crate::source::Span) -> Value {
    let src = sources.get(f);
    let (sl, sc) = src.line_col(span.start);
    let (el, ec) = src.line_col(span.end.max(span.start));
    json!({"physicalLocation": {
        "artifactLocation": {"uri": super::display_path(sources, f)},
        "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec}
    }})
}

pub fn render(findings: &[Finding], sources: &Sources, rules: &[RuleInfo]) -> String {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut descriptors = Vec::new();
    for f in findings {
        if index.contains_key(f.rule.as_str()) {
            continue;
        }
        index.insert(&f.rule, descriptors.len());
        let info = rules.iter().find(|r| r.id == f.rule);
        descriptors.push(json!({
            "id": f.rule,
            "name": f.name,
            "shortDescription": {"text": info.map_or(f.name.clone(), |r| r.summary.clone())},
            "help": {"text": info.map_or(String::new(), |r| r.help.clone())},
            "defaultConfiguration": {"level": level(info.map_or(f.severity, |r| r.severity))},
        }));
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut r = json!({
                "ruleId": f.rule,
                "ruleIndex": index[f.rule.as_str()],
                "level": level(f.severity),
                "message": {"text": match &f.help { Some(h) => format!("{}\n{}", f.message, h), None => f.message.clone() }},
                "locations": [region(sources, f.file, f.span)],
            });
            if !f.labels.is_empty() {
                r["relatedLocations"] = Value::Array(
                    f.labels.iter().enumerate().map(|(i, l)| {
                        let mut loc = region(sources, l.file, l.span);
                        loc["id"] = json!(i);
                        loc["message"] = json!({"text": l.message});
                        loc
                    }).collect(),
                );
            }
            if let Some(p) = &f.provenance {
                r["properties"] = json!({"source": p.source, "ref": p.reference});
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "icslint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
