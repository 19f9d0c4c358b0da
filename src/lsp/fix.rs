//! Quick fixes. A finding's [`Fix`] (the type `check --fix`, JSON and
//! SARIF share: every did-you-mean of the model, a pack rule's `fix:`)
//! travels in the diagnostic's `data`, converted to LSP ranges; a finding
//! without one whose help says "did you mean `X`?" gets that replacement.
//! "Allow RULE here" is offered for every finding.

use super::position::LineIndex;
use super::uri;
use crate::diagnostic::{Edit, Finding, Fix, Safety};
use crate::workspace::Workspace;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, NumberOrString,
    Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A fix as it travels in a diagnostic's `data`.
#[derive(Serialize, Deserialize)]
struct Data {
    fix: WireFix,
}

#[derive(Serialize, Deserialize)]
struct WireFix {
    title: String,
    /// Whether it only corrects a spelling (preferred), or changes what
    /// the document says (offered, never preferred).
    safe: bool,
    edits: Vec<WireEdit>,
}

#[derive(Serialize, Deserialize)]
struct WireEdit {
    uri: Uri,
    range: Range,
    #[serde(rename = "newText")]
    new_text: String,
}

/// The fix of a finding: the one it carries, else the replacement its
/// "did you mean `X`?" help names.
pub fn suggested(ws: &Workspace, f: &Finding) -> Option<Fix> {
    if let Some(fix) = &f.fix {
        return Some((**fix).clone());
    }
    let help = f.help.as_deref()?;
    let at = help.find("did you mean `")? + "did you mean `".len();
    let end = help[at..].find('`')? + at;
    let mut replacement = help[at..end].to_string();
    let text = &ws.sources.get(f.file).text;
    let old = text.get(f.span.start..f.span.end)?;
    // A reference's span may or may not include its `@`; keep the text's.
    if !old.starts_with('@') {
        replacement = replacement.trim_start_matches('@').to_string();
    } else if !replacement.starts_with('@') {
        replacement.insert(0, '@');
    }
    if replacement.is_empty() || replacement == old {
        return None;
    }
    Some(Fix {
        title: format!("Change `{old}` to `{replacement}`"),
        safety: Safety::Safe,
        edits: vec![Edit {
            file: f.file,
            span: f.span,
            insert: replacement,
        }],
        pending: false,
    })
}

/// The `data` of a finding's diagnostic.
pub fn data(ws: &Workspace, f: &Finding) -> Option<serde_json::Value> {
    let fix = suggested(ws, f)?;
    let mut lines: HashMap<crate::source::FileId, LineIndex> = HashMap::new();
    let edits = fix
        .edits
        .iter()
        .map(|e| {
            let text = &ws.sources.get(e.file).text;
            let range = lines
                .entry(e.file)
                .or_insert_with(|| LineIndex::new(text))
                .range(text, e.span);
            Some(WireEdit {
                uri: uri::of_file(ws, e.file)?,
                range,
                new_text: e.insert.clone(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    serde_json::to_value(Data {
        fix: WireFix {
            title: fix.title,
            safe: fix.safety == Safety::Safe,
            edits,
        },
    })
    .ok()
}

fn edit(edits: Vec<(Uri, TextEdit)>) -> WorkspaceEdit {
    let mut by_file: Vec<(Uri, Vec<TextEdit>)> = Vec::new();
    for (u, e) in edits {
        match by_file.iter_mut().find(|(v, _)| *v == u) {
            Some((_, list)) => list.push(e),
            None => by_file.push((u, vec![e])),
        }
    }
    WorkspaceEdit {
        changes: Some(by_file.into_iter().collect()),
        ..WorkspaceEdit::default()
    }
}

/// The code actions for the diagnostics in a request: each fix in their
/// data, and "allow RULE here" for each rule.
pub fn actions(uri: &Uri, text: &str, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    let ix = LineIndex::new(text);
    let mut allowed: Vec<(String, u32)> = Vec::new();
    for d in &params.context.diagnostics {
        if let Some(data) = d
            .data
            .clone()
            .and_then(|v| serde_json::from_value::<Data>(v).ok())
        {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: data.fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(
                    data.fix
                        .edits
                        .into_iter()
                        .map(|e| (e.uri, TextEdit::new(e.range, e.new_text)))
                        .collect(),
                )),
                is_preferred: Some(data.fix.safe),
                ..CodeAction::default()
            }));
        }
        if let Some(a) = allow(uri, text, &ix, d, &mut allowed) {
            out.push(CodeActionOrCommand::CodeAction(a));
        }
    }
    out
}

/// `# icslint: allow RULE -- ` on its own line above the finding, indented
/// like it; the reason goes after `-- `.
fn allow(
    uri: &Uri,
    text: &str,
    ix: &LineIndex,
    d: &Diagnostic,
    done: &mut Vec<(String, u32)>,
) -> Option<CodeAction> {
    let Some(NumberOrString::String(rule)) = &d.code else {
        return None;
    };
    // A suppression cannot silence a problem with suppressions.
    if matches!(rule.as_str(), "ICG008" | "ICG010") || d.source.as_deref() != Some("icslint") {
        return None;
    }
    let line = d.range.start.line;
    if done.contains(&(rule.clone(), line)) {
        return None;
    }
    done.push((rule.clone(), line));
    let start = ix.offset(text, Position::new(line, 0));
    let indent: String = text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let at = Position::new(line, 0);
    Some(CodeAction {
        title: format!("Allow {rule} here (with a reason)"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(edit(vec![(
            uri.clone(),
            TextEdit::new(
                Range::new(at, at),
                format!("{indent}# icslint: allow {rule} -- {eol}"),
            ),
        )])),
        ..CodeAction::default()
    })
}
