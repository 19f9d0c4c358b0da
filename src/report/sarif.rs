//! `--format sarif`: SARIF 2.1.0 for code scanning. One run; the rules that
//! produced findings are described in `tool.driver.rules` with their help,
//! the anchor of their section in `docs/rules.md` and their provenance.
//!
//! Artifact URIs are relative and percent-encoded, resolved against
//! `originalUriBaseIds`: `SRCROOT` is the working directory (the checkout,
//! in CI); a file outside it is given relative to `ROOT`, the file-system
//! root. A URI never begins with a slash (SARIF1004).

use crate::diagnostic::{Finding, Fix, Provenance, Severity};
use crate::source::{FileId, Sources, Span};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Where icslint lives, and its rule reference.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The anchor of a rule's section in `docs/rules.md` (GitHub's heading
/// slugs: `### CCN111 membership-review` is `#ccn111-membership-review`);
/// language diagnostics share one table.
pub fn help_uri(id: &str, name: &str) -> String {
    let anchor = if id.starts_with("ICG") {
        "language-diagnostics".to_string()
    } else {
        format!("{}-{}", id.to_lowercase(), name)
    };
    format!("{INFORMATION_URI}/blob/main/docs/rules.md#{anchor}")
}

/// What SARIF needs to describe a rule beyond the finding itself.
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub help: String,
    pub severity: Severity,
    /// Built-in rules have a section in docs/rules.md (`helpUri`).
    pub builtin: bool,
    pub provenance: Option<Provenance>,
}

/// The rule descriptors of a run: every rule of its packs, with the same
/// help, reasoning and provenance `explain` shows.
pub fn rule_infos(packs: &[(Option<usize>, crate::rules::Pack)]) -> Vec<RuleInfo> {
    packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(move |r| (p.builtin, r)))
        .map(|(builtin, r)| RuleInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            summary: r.provenance.summary.clone(),
            help: format!(
                "{}\n\nWhy: {}\n\nSource: {} {}",
                r.help_doc(),
                r.why.trim(),
                r.provenance.source,
                r.provenance.reference
            ),
            severity: r.severity,
            builtin,
            provenance: Some(r.provenance.clone()),
        })
        .collect()
}

/// Characters kept as they are in a URI path: RFC 3986 unreserved and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn encode(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| utf8_percent_encode(s, PATH).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The segments of a normal, absolute path (`.` and `..` resolved).
fn segments(p: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::Prefix(pre) => out.push(pre.as_os_str().to_string_lossy().into_owned()),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
        }
    }
    out
}

struct Base {
    root: Vec<String>,
}

impl Base {
    fn new() -> Base {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        Base {
            root: segments(&cwd),
        }
    }
    fn src_root_uri(&self) -> String {
        if self.root.is_empty() {
            "file:///".into()
        } else {
            format!("file:///{}/", encode(&self.root))
        }
    }
    /// `(uri, uriBaseId)` of a file.
    fn artifact(&self, sources: &Sources, f: FileId) -> Value {
        let p = sources.path(f);
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            super::cwd().unwrap_or(Path::new("")).join(p)
        };
        let segs = segments(&abs);
        if segs.starts_with(&self.root) {
            json!({"uri": encode(&segs[self.root.len()..]), "uriBaseId": "SRCROOT"})
        } else {
            json!({"uri": encode(&segs), "uriBaseId": "ROOT"})
        }
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn region(sources: &Sources, f: FileId, span: Span) -> Value {
    let src = sources.get(f);
    let (sl, sc) = src.line_col(span.start);
    let (el, ec) = src.line_col(span.end.max(span.start));
    json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec})
}

fn location(base: &Base, sources: &Sources, f: FileId, span: Span) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": base.artifact(sources, f),
        "region": region(sources, f, span),
    }})
}

fn fix(base: &Base, sources: &Sources, fix: &Fix) -> Value {
    let mut by_file: BTreeMap<FileId, Vec<Value>> = BTreeMap::new();
    for e in &fix.edits {
        by_file.entry(e.file).or_default().push(json!({
            "deletedRegion": region(sources, e.file, e.span),
            "insertedContent": {"text": e.insert},
        }));
    }
    json!({
        "description": {"text": fix.title},
        "artifactChanges": by_file.into_iter().map(|(f, replacements)| json!({
            "artifactLocation": base.artifact(sources, f),
            "replacements": replacements,
        })).collect::<Vec<_>>(),
        "properties": {"safety": fix.safety},
    })
}

/// One finding as a SARIF result.
fn result(
    base: &Base,
    sources: &Sources,
    index: &BTreeMap<&str, usize>,
    f: &Finding,
    print: &str,
) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": index[f.rule.as_str()],
        "level": level(f.severity),
        "message": {"text": match &f.help { Some(h) => format!("{}\n{}", f.message, h), None => f.message.clone() }},
        "locations": [location(base, sources, f.file, f.span)],
        "partialFingerprints": {"icslint/v1": print},
    });
    if !f.labels.is_empty() {
        r["relatedLocations"] = Value::Array(
            f.labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(base, sources, l.file, l.span);
                    loc["id"] = json!(i);
                    loc["message"] = json!({"text": l.message});
                    loc
                })
                .collect(),
        );
    }
    if let Some(x) = &f.fix {
        r["fixes"] = json!([fix(base, sources, x)]);
    }
    // Comply or explain: an explanation in force is an accepted
    // in-source suppression; a lapsed one stays a result, with the
    // explanation in its properties.
    if let Some(e) = &f.explanation {
        if f.is_explained() {
            r["suppressions"] = json!([{
                "kind": "inSource",
                "status": "accepted",
                "justification": super::explained_text(e),
                "location": location(base, sources, e.file, e.span),
            }]);
        }
        r["properties"]["explanation"] = json!(e);
    }
    if let Some(c) = &f.citation {
        r["properties"]["citation"] = json!({
            "document": c.document, "version": c.version, "clause": c.clause,
            "url": c.url, "text": c.to_string(),
        });
    }
    r
}

pub fn render(findings: &[Finding], sources: &Sources, rules: &[RuleInfo]) -> String {
    super::written(|out| write(findings, sources, rules, out))
}

/// [`render`] written to `out` as it is made: at scale the report is
/// several times the documents' size.
pub fn write(
    findings: &[Finding],
    sources: &Sources,
    rules: &[RuleInfo],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let base = Base::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut descriptors = Vec::new();
    for f in findings {
        if index.contains_key(f.rule.as_str()) {
            continue;
        }
        index.insert(&f.rule, descriptors.len());
        let info = rules.iter().find(|r| r.id == f.rule);
        let icg = crate::diagnostic::icg::ALL.iter().find(|d| d.id == f.rule);
        let summary = info
            .map(|r| r.summary.clone())
            .or(icg.map(|d| d.doc.to_string()))
            .unwrap_or_else(|| f.name.to_string());
        let mut d = json!({
            "id": f.rule,
            "name": f.name,
            "shortDescription": {"text": summary},
            "fullDescription": {"text": summary},
            "help": {"text": info.map_or(summary.clone(), |r| r.help.clone())},
            "defaultConfiguration": {"level": level(info.map_or(icg.map_or(f.severity, |d| d.severity), |r| r.severity))},
        });
        if info.is_none_or(|r| r.builtin) {
            d["helpUri"] = json!(help_uri(&f.rule, &f.name));
        }
        if let Some(p) = info
            .and_then(|r| r.provenance.as_ref())
            .or(f.provenance.as_deref())
        {
            d["properties"] = json!({"provenance": p});
        }
        descriptors.push(d);
    }
    let prints = super::fingerprints(findings, sources);
    // The results are made and written one at a time (`Each`); the
    // rest of the document is small. Keys in the order `json!` gives them
    // (sorted), so the text is the same as one `json!` document's.
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        runs: [Run<'a>; 1],
        version: &'static str,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Run<'a> {
        column_kind: &'static str,
        original_uri_base_ids: Value,
        results: super::Each<'a, Finding>,
        tool: Value,
    }
    let doc = Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "icslint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }}),
            original_uri_base_ids: json!({
                "SRCROOT": {"uri": base.src_root_uri(), "description": {"text": "The directory icslint ran in"}},
                "ROOT": {"uri": "file:///", "description": {"text": "The file-system root, for files outside SRCROOT"}},
            }),
            column_kind: "unicodeCodePoints",
            results: super::Each(findings, &|i, f| {
                result(&base, sources, &index, f, &prints[i])
            }),
        }],
    };
    super::write_pretty(out, &doc)
}
