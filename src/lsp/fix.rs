//! Quick fixes. A did-you-mean suggestion travels in the diagnostic's
//! `data` as a [`Fix`]; "allow RULE here" is offered for every finding.
//!
//! `Fix` is the shape a finding's fix will have once findings carry fixes
//! for `check --fix` (one replacement of a span); until then `suggested`
//! derives it from the finding's "did you mean" help, and when the shared
//! type lands it replaces this one and `suggested` reads the finding.

use super::position::LineIndex;
use crate::diagnostic::Finding;
use crate::source::{FileId, Span};
use crate::workspace::Workspace;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, NumberOrString,
    Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Replace `span` of `file` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
}

/// A fix as it travels in a diagnostic's `data`.
#[derive(Serialize, Deserialize)]
struct Data {
    fix: WireFix,
}

#[derive(Serialize, Deserialize)]
struct WireFix {
    title: String,
    range: Range,
    replacement: String,
}

/// The fix a finding suggests: its "did you mean `X`?" help, applied to
/// the name it points at.
pub fn suggested(ws: &Workspace, f: &Finding) -> Option<Fix> {
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
        file: f.file,
        span: f.span,
        replacement,
    })
}

/// The `data` of a finding's diagnostic.
pub fn data(ws: &Workspace, f: &Finding) -> Option<serde_json::Value> {
    let fix = suggested(ws, f)?;
    let text = &ws.sources.get(fix.file).text;
    let range = LineIndex::new(text).range(text, fix.span);
    serde_json::to_value(Data {
        fix: WireFix {
            title: fix.title,
            range,
            replacement: fix.replacement,
        },
    })
    .ok()
}

fn edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
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
                    uri,
                    vec![TextEdit::new(data.fix.range, data.fix.replacement)],
                )),
                is_preferred: Some(true),
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
        edit: Some(edit(
            uri,
            vec![TextEdit::new(
                Range::new(at, at),
                format!("{indent}# icslint: allow {rule} -- {eol}"),
            )],
        )),
        ..CodeAction::default()
    })
}
