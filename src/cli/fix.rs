//! `check --fix`, `--diff` and `--unsafe-fixes`: applying the fixes that
//! findings carry. Edits are byte spans into the text the check read; fixes
//! whose edits overlap wait for the next pass, after a fresh check.

use super::Selection;
use icslint::diagnostic::{Edit, Finding, Safety};
use icslint::source::FileId;
use icslint::workspace::Workspace;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How many passes `--fix` makes at most: each pass re-checks the files and
/// applies the fixes that did not overlap an earlier one.
const MAX_PASSES: usize = 8;

pub struct Outcome {
    /// Fixes applied (or, with `--diff`, that would be applied).
    pub fixed: usize,
}

/// The fixes a run may apply: safe ones, and unsafe ones when asked;
/// only into `.icg` files that were read as UTF-8; never one that would
/// undo a departure the board has explained.
fn applicable<'a>(ws: &Workspace, findings: &'a [Finding], unsafe_fixes: bool) -> Vec<&'a [Edit]> {
    let unreadable: Vec<FileId> = ws
        .findings
        .iter()
        .filter(|f| f.rule == "ICG009")
        .map(|f| f.file)
        .collect();
    findings
        .iter()
        .filter(|f| !f.is_explained())
        .filter_map(|f| f.fix.as_ref())
        .filter(|x| unsafe_fixes || x.safety == Safety::Safe)
        .filter(|x| {
            x.edits
                .iter()
                .all(|e| ws.files.contains(&e.file) && !unreadable.contains(&e.file))
        })
        // A fix that would change nothing (the text already says it).
        .filter(|x| {
            x.edits.iter().any(|e| {
                ws.sources.get(e.file).text.get(e.span.start..e.span.end) != Some(e.insert.as_str())
            })
        })
        .map(|x| x.edits.as_slice())
        .collect()
}

/// New texts of the files the fixes touch, and how many fixes went in.
/// A fix is taken whole or not at all; one that overlaps (or inserts at the
/// same place as) a fix already taken is left for the next pass.
fn apply(ws: &Workspace, fixes: &[&[Edit]]) -> (BTreeMap<FileId, String>, usize) {
    let mut taken: BTreeMap<FileId, Vec<(usize, &Edit)>> = BTreeMap::new();
    let mut count = 0;
    for edits in fixes {
        // Two insertions at one place both go in, in order; anything else
        // that touches the same bytes waits for the next pass.
        let clash = edits.iter().any(|e| {
            taken.get(&e.file).is_some_and(|t| {
                t.iter().any(|(_, o)| {
                    (e.span.start < o.span.end && o.span.start < e.span.end)
                        || (e.span.start == o.span.start
                            && !(e.span.is_empty() && o.span.is_empty()))
                })
            })
        });
        if clash {
            continue;
        }
        for e in edits.iter() {
            let list = taken.entry(e.file).or_default();
            list.push((list.len(), e));
        }
        count += 1;
    }
    let mut texts = BTreeMap::new();
    for (file, mut edits) in taken {
        // From the end, so earlier spans stay valid; at one place, the
        // first fix taken ends up first.
        edits.sort_by_key(|(i, e)| std::cmp::Reverse((e.span.start, *i)));
        let old = &ws.sources.get(file).text;
        let mut text = old.clone();
        for (_, e) in edits {
            text.replace_range(e.span.start..e.span.end, &e.insert);
        }
        // A formatted file stays formatted (a longer value moves the
        // trailing comments' column).
        if icslint::fmt::format(old).is_ok_and(|f| f == *old) {
            if let Ok(f) = icslint::fmt::format(&text) {
                text = f;
            }
        }
        texts.insert(file, text);
    }
    (texts, count)
}

/// `--diff`: prints what `--fix` would change; writes nothing.
pub fn diff(ws: &Workspace, findings: &[Finding], unsafe_fixes: bool, color: bool) -> Outcome {
    let fixes = applicable(ws, findings, unsafe_fixes);
    let (texts, fixed) = apply(ws, &fixes);
    for (file, new) in &texts {
        let path = icslint::report::display_path(&ws.sources, *file);
        let old = &ws.sources.get(*file).text;
        super::out!("{}", super::fmt::unified_diff(old, new, &path, color));
    }
    Outcome { fixed }
}

/// `--fix`: applies fixes and writes the files (atomically), re-checking
/// between passes until nothing more applies.
pub fn fix(paths: &[PathBuf], sel: &Selection, unsafe_fixes: bool) -> Result<Outcome, i32> {
    let mut fixed = 0;
    for _ in 0..MAX_PASSES {
        let (ws, findings) = super::check::analyse(paths, sel)?;
        let fixes = applicable(&ws, &findings, unsafe_fixes);
        if fixes.is_empty() {
            break;
        }
        let (texts, count) = apply(&ws, &fixes);
        for (file, text) in &texts {
            let path = ws.sources.path(*file);
            if let Err(e) = super::fmt::write_atomically(path, text) {
                return Err(super::error(format_args!(
                    "cannot write {}: {e}",
                    path.display()
                )));
            }
        }
        fixed += count;
        if count == fixes.len() {
            break;
        }
    }
    Ok(Outcome { fixed })
}
