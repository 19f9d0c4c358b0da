//! The note on a syntax error (ICG001): which enabled rules could not run
//! on the text it left out, which ran without it, and which may report it
//! missing. The parser keeps every block it could and records the region
//! it could not (`SyntaxError::unchecked`); what that region was (a block
//! of some kind, or a key's line) and where it stood (the kept block around
//! it) decide the rules, through what each rule reads (`Rule::reads`).

use super::Engine;
use crate::diagnostic::Finding;
use crate::model::schema;
use crate::source::Span;
use crate::syntax as ast;
use crate::text::and_list;
use std::collections::BTreeSet;

/// What a syntax error left out.
struct Lost<'t> {
    /// The key of a lost line, or the kind of a lost block.
    first: &'t str,
    /// The kinds of every block in the lost text (nested ones too).
    kinds: BTreeSet<&'t str>,
    /// The kinds of the top-level blocks lost (the text can run to the end
    /// of the file: those that start at the left margin).
    tops: BTreeSet<&'t str>,
    /// The kind of the kept block around it; `None` at the top level.
    parent: Option<&'t str>,
}

/// The code of a line, its string literals left out (a `{` in a text is not a block).
fn code(line: &str) -> String {
    let mut out = String::new();
    let mut in_str = false;
    for c in line.chars() {
        match c {
            '"' => in_str = !in_str,
            '#' if !in_str => break,
            c if !in_str => out.push(c),
            _ => {}
        }
    }
    out
}

/// The first name of a line (a stray character before it is skipped: in
/// `= appointed_by x`, what was lost is the `appointed_by` line).
fn first_word(line: &str) -> &str {
    let t = line.trim_start_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    &t[..end]
}

/// The kind of the innermost kept block holding `at`. Blocks at a level
/// are in order and apart: a binary search, not a scan (a file can have
/// hundreds of thousands of top-level blocks, each with an error).
fn parent_kind(blocks: &[ast::Block], at: usize) -> Option<&str> {
    let mut found = None;
    let mut level = blocks;
    loop {
        let i = level.partition_point(|b| b.span.end <= at);
        match level.get(i) {
            Some(b) if b.span.start <= at && at < b.span.end => {
                found = Some(b.kind.text.as_str());
                level = &b.children;
            }
            _ => return found,
        }
    }
}

impl<'t> Lost<'t> {
    fn of(text: &'t str, region: Span, file: &'t ast::File) -> Option<Lost<'t>> {
        let lost = text.get(region.start..region.end)?;
        let mut lines = lost.lines();
        let head = lines.next()?;
        let first = first_word(head);
        let block = code(head).contains('{');
        let parent = parent_kind(&file.blocks, region.start);
        let known = if block {
            schema::kind(first).is_some()
        } else {
            parent
                .and_then(schema::kind)
                .is_some_and(|k| k.key(first).is_some())
        };
        if !known {
            return None;
        }
        let (mut kinds, mut tops) = (BTreeSet::new(), BTreeSet::new());
        for (i, line) in std::iter::once(head).chain(lines).enumerate() {
            let w = first_word(line);
            if schema::kind(w).is_some() && code(line).contains('{') {
                kinds.insert(w);
                if parent.is_none() && (i == 0 || !line.starts_with([' ', '\t'])) {
                    tops.insert(w);
                }
            }
        }
        Some(Lost {
            first,
            kinds,
            tops,
            parent,
        })
    }
}

/// Adds the note to each ICG001 that left text out.
pub(super) fn annotate(eng: &Engine, findings: &mut [Finding]) {
    // What each rule reads, worked out once rather than per error.
    let mut reads_of: Vec<Vec<BTreeSet<&str>>> = Vec::new();
    for f in findings.iter_mut().filter(|f| f.rule == "ICG001") {
        let Some(parsed) = eng.ws.parsed.get(&f.file) else {
            continue;
        };
        // The parser's errors are in order of their start.
        let from = parsed
            .errors
            .partition_point(|e| e.span.start < f.span.start);
        let error = parsed.errors[from..]
            .iter()
            .take_while(|e| e.span.start == f.span.start)
            .find(|e| e.span == f.span)
            // Errors put together out of order (an edit's re-parse): a scan.
            .or_else(|| parsed.errors.iter().find(|e| e.span == f.span));
        let Some(region) = error.and_then(|e| e.unchecked) else {
            continue;
        };
        if reads_of.is_empty() {
            reads_of = eng
                .packs
                .iter()
                .map(|(_, pack)| pack.rules.iter().map(|r| r.reads()).collect())
                .collect();
        }
        let text = &eng.ws.sources.get(f.file).text;
        let Some(lost) = Lost::of(text, region, &parsed.file) else {
            continue;
        };
        let (mut not_run, mut without, mut missing) = (Vec::new(), Vec::new(), Vec::new());
        for ((owner, pack), reads) in eng.packs.iter().zip(&reads_of) {
            for (rule, reads) in pack.rules.iter().zip(reads) {
                if !eng.enabled(*owner, pack, rule, f.file) {
                    continue;
                }
                if lost.kinds.iter().any(|k| rule.runs_on(k)) {
                    not_run.push(rule.id.clone());
                } else if let Some(p) = lost.parent {
                    // A line or a nested block: rules that read it from
                    // the block it stood in ran on that block without it.
                    let read =
                        reads.contains(lost.first) || lost.kinds.iter().any(|k| reads.contains(k));
                    if read && (rule.runs_on(p) || reads.contains(p)) {
                        without.push(rule.id.clone());
                    }
                } else if lost.tops.iter().any(|k| reads.contains(k)) {
                    // A top-level block: rules that look for one elsewhere.
                    missing.push(rule.id.clone());
                }
            }
        }
        let mut notes = Vec::new();
        let mut add = |mut ids: Vec<String>, what: String| {
            if !ids.is_empty() {
                ids.sort();
                ids.dedup();
                notes.push(format!("{what}: {}", and_list(&ids)));
            }
        };
        add(not_run, "rules that could not run on it".into());
        add(without, "rules that ran without it".into());
        add(
            missing,
            format!(
                "rules that look for {} elsewhere may report it missing",
                and_list(
                    &lost
                        .tops
                        .iter()
                        .map(|k| format!("`{k}` blocks"))
                        .collect::<Vec<_>>()
                )
            ),
        );
        if !notes.is_empty() {
            let note = notes.join("; ");
            f.help = Some(
                match f.help.take() {
                    Some(h) => format!("{h}; {note}"),
                    None => note,
                }
                .into(),
            );
        }
    }
}
