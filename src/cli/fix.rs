//! `check --fix`, `--diff` and `--unsafe-fixes`: applying the fixes that
//! findings carry. Edits are byte spans into the text the check read; fixes
//! whose edits overlap wait for the next pass, after a fresh check.

use super::Selection;
use icslint::diagnostic::{Edit, Finding, Fix, Safety};
use icslint::source::FileId;
use icslint::workspace::Workspace;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How many passes `--fix` makes at most: each pass re-checks the files and
/// applies the fixes that did not overlap an earlier one, or that were left
/// because they needed another.
const MAX_PASSES: usize = 8;

/// How many times at most one run tries a set of safe fixes in memory
/// ([`keeping_meaning`]).
const MAX_TRIALS: usize = 64;
/// And for how long, after the first trial.
const TRIAL_TIME: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Outcome {
    /// Fixes applied (or, with `--diff`, that would be applied).
    pub fixed: usize,
}

/// The fixes a run may apply: safe ones, and unsafe ones when asked;
/// only into `.icg` files that were read as UTF-8; never one that would
/// undo a departure the board has explained.
fn applicable<'a>(ws: &Workspace, findings: &'a [Finding], unsafe_fixes: bool) -> Vec<&'a Fix> {
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
        .map(|x| &**x)
        .collect()
}

/// New texts of the files the fixes touch, and the files of each fix that
/// went in. A fix is taken whole or not at all;
/// one that overlaps (or inserts at the same place as) a fix already taken
/// is left for the next pass. `text` is each file's text as read.
fn apply<'t>(
    text: &dyn Fn(FileId) -> &'t str,
    fixes: &[&Fix],
) -> (BTreeMap<FileId, String>, Vec<Vec<FileId>>) {
    let mut taken: BTreeMap<FileId, Vec<(usize, &Edit)>> = BTreeMap::new();
    // Per file, the spans taken: (start, order) → end. Taken spans do not
    // overlap, so each ends where the next starts or before.
    let mut spans: BTreeMap<FileId, BTreeMap<(usize, usize), usize>> = BTreeMap::new();
    let mut went_in = Vec::new();
    for fix in fixes {
        let edits = &fix.edits;
        // Two insertions at one place both go in, in order; anything else
        // that touches the same bytes waits for the next pass.
        let clash = edits.iter().any(|e| {
            let Some(t) = spans.get(&e.file) else {
                return false;
            };
            for (&(start, _), &end) in t.range(..=(e.span.end, usize::MAX)).rev() {
                if (e.span.start < end && start < e.span.end)
                    || (e.span.start == start && !(e.span.is_empty() && start == end))
                {
                    return true;
                }
                if start < e.span.start && end <= e.span.start {
                    break; // every span before this one ends earlier still
                }
            }
            false
        });
        if clash {
            continue;
        }
        for e in edits.iter() {
            let list = taken.entry(e.file).or_default();
            let t = spans.entry(e.file).or_default();
            t.insert((e.span.start, list.len()), e.span.end);
            list.push((list.len(), e));
        }
        let mut files: Vec<FileId> = edits.iter().map(|e| e.file).collect();
        files.sort();
        files.dedup();
        went_in.push(files);
    }
    let mut texts = BTreeMap::new();
    for (file, mut edits) in taken {
        // From the end, so earlier spans stay valid; at one place, the
        // first fix taken ends up first.
        edits.sort_by_key(|(i, e)| std::cmp::Reverse((e.span.start, *i)));
        let old = text(file);
        let mut new = old.to_string();
        for (_, e) in edits {
            new.replace_range(e.span.start..e.span.end, &e.insert);
        }
        // A formatted file stays formatted (a longer value moves the
        // trailing comments' column).
        if icslint::fmt::format(old).is_ok_and(|f| f == old) {
            if let Ok(f) = icslint::fmt::format(&new) {
                new = f;
            }
        }
        texts.insert(file, new);
    }
    (texts, went_in)
}

/// Language findings (ICG) per file and rule.
fn tally(findings: &[Finding]) -> BTreeMap<(FileId, &str), usize> {
    let mut m = BTreeMap::new();
    for f in findings.iter().filter(|f| f.rule.starts_with("ICG")) {
        *m.entry((f.file, f.rule.as_str())).or_insert(0) += 1;
    }
    m
}

/// The safe fixes that keep meaning, tried in memory on `ws` (which ends
/// as it began): a did-you-mean picks the nearest name, and the nearest
/// may be wrong (a reference moved onto a block of another kind, a share
/// onto a system the authority already has, a key given twice, a key whose
/// value it does not take). A set of fixes keeps meaning when, applied, it
/// brings no language finding (ICG) a file did not have, of a rule it did
/// not have as often; rule findings that appear because a corrected
/// reference now links two blocks are what the documents meant, and stay
/// allowed. Safe fixes that fail are halved until each one that fails
/// alone is found; unsafe fixes (asked for with `--unsafe-fixes`) are not
/// tried. Returns the fixes kept, in their order, and those left.
fn keeping_meaning<'a>(ws: &mut Workspace, fixes: Vec<&'a Fix>) -> (Vec<&'a Fix>, Vec<&'a Fix>) {
    if !fixes.iter().any(|f| f.safety == Safety::Safe) {
        return (fixes, Vec::new());
    }
    let mut files: Vec<FileId> = fixes
        .iter()
        .flat_map(|f| f.edits.iter().map(|e| e.file))
        .collect();
    files.sort();
    files.dedup();
    let originals: BTreeMap<FileId, String> = files
        .iter()
        .map(|f| (*f, ws.sources.get(*f).text.clone()))
        .collect();
    // Lowered again as each trial will be, so the counts compare alike.
    ws.set_texts(originals.clone());
    let before: BTreeMap<(FileId, String), usize> = tally(&ws.findings)
        .into_iter()
        .map(|((f, r), n)| ((f, r.to_string()), n))
        .collect();
    let safe: Vec<&Fix> = fixes
        .iter()
        .copied()
        .filter(|f| f.safety == Safety::Safe)
        .collect();
    let text = |f: FileId| originals[&f].as_str();
    // Whether these safe fixes, with every unsafe one, bring a new finding.
    let mut trials = 0;
    let started = std::time::Instant::now();
    let mut harms = |ws: &mut Workspace, chosen: &[&Fix]| -> bool {
        // Each trial lowers the workspace again: past a budget (a file of
        // thousands of fixes that each fail), what is not yet known to
        // keep meaning is left.
        trials += 1;
        if trials > MAX_TRIALS || (trials > 1 && started.elapsed() > TRIAL_TIME) {
            return true;
        }
        let all: Vec<&Fix> = chosen
            .iter()
            .copied()
            .chain(fixes.iter().copied().filter(|f| f.safety != Safety::Safe))
            .collect();
        let (mut texts, _) = apply(&text, &all);
        for (f, t) in &originals {
            texts.entry(*f).or_insert_with(|| t.clone());
        }
        ws.set_texts(texts);
        tally(&ws.findings)
            .into_iter()
            .any(|((f, r), n)| n > before.get(&(f, r.to_string())).copied().unwrap_or(0))
    };
    fn settle<'a>(
        ws: &mut Workspace,
        harms: &mut dyn FnMut(&mut Workspace, &[&'a Fix]) -> bool,
        set: &[&'a Fix],
    ) -> Vec<&'a Fix> {
        if set.is_empty() || !harms(ws, set) {
            return set.to_vec();
        }
        if set.len() == 1 {
            return Vec::new();
        }
        let (a, b) = set.split_at(set.len() / 2);
        let a = settle(ws, harms, a);
        let b = settle(ws, harms, b);
        let both: Vec<&Fix> = a.iter().chain(&b).copied().collect();
        if !harms(ws, &both) {
            return both;
        }
        // Each half keeps meaning, the two together do not: the larger.
        if a.len() >= b.len() {
            a
        } else {
            b
        }
    }
    let kept_safe = settle(ws, &mut harms, &safe);
    ws.set_texts(originals.clone());
    let kept_ptrs: std::collections::HashSet<*const Fix> =
        kept_safe.iter().map(|f| *f as *const Fix).collect();
    let (kept, left) = fixes
        .into_iter()
        .partition(|f| f.safety != Safety::Safe || kept_ptrs.contains(&(*f as *const Fix)));
    (kept, left)
}

/// Where a fix left by [`keeping_meaning`] is, and its title.
fn described(ws: &Workspace, left: &[&Fix]) -> Vec<(String, usize, String)> {
    left.iter()
        .map(|f| {
            let (path, line) = f.edits.first().map_or((String::new(), 0), |e| {
                (
                    icslint::report::display_path(&ws.sources, e.file),
                    ws.sources.get(e.file).line_of(e.span.start),
                )
            });
            (path, line, f.title.clone())
        })
        .collect()
}

/// A note, on standard error, of the safe fixes left because they would
/// change meaning.
fn note_left(left: &[(String, usize, String)]) {
    let n = left.len();
    if n == 0 {
        return;
    }
    eprintln!(
        "note: {n} safe fix{} not applied: applied, {} would bring new errors, so {} may not be what was meant:",
        if n == 1 { " was" } else { "es were" },
        if n == 1 { "it" } else { "they" },
        if n == 1 { "it" } else { "they" },
    );
    for (path, line, title) in left.iter().take(10) {
        eprintln!(
            "  {}:{line}: {}",
            super::fmt::escape_line(path),
            super::fmt::escape_line(title)
        );
    }
    if n > 10 {
        eprintln!("  and {} more", n - 10);
    }
}

/// `--diff`: prints what `--fix` would change; writes nothing. (`ws` is
/// changed while the fixes are tried, and ends as it began.)
pub fn diff(ws: &mut Workspace, findings: &[Finding], unsafe_fixes: bool, color: bool) -> Outcome {
    let fixes = applicable(ws, findings, unsafe_fixes);
    let (fixes, left) = keeping_meaning(ws, fixes);
    let (texts, went_in) = apply(&|f| ws.sources.get(f).text.as_str(), &fixes);
    let fixed = went_in.len();
    for (file, new) in &texts {
        let path = icslint::report::display_path(&ws.sources, *file);
        let old = &ws.sources.get(*file).text;
        super::out!("{}", super::fmt::unified_diff(old, new, &path, color));
    }
    note_left(&described(ws, &left));
    Outcome { fixed }
}

/// `--fix`: applies fixes and writes the files (atomically), re-checking
/// between passes until nothing more applies. A file that changed since it
/// was read, or that cannot be written, is reported and left, and its fixes
/// are not counted; the others are still written, and the run ends with an
/// error after the pass. Ctrl-C stops it between two files. Safe fixes
/// that would change meaning are left, with a note.
pub fn fix(
    paths: &[PathBuf],
    sel: &Selection,
    input: &super::check::Input,
    unsafe_fixes: bool,
) -> Result<Outcome, i32> {
    let mut left = Vec::new();
    let result = fix_passes(paths, sel, input, unsafe_fixes, &mut left);
    note_left(&left);
    result
}

fn fix_passes(
    paths: &[PathBuf],
    sel: &Selection,
    input: &super::check::Input,
    unsafe_fixes: bool,
    left_all: &mut Vec<(String, usize, String)>,
) -> Result<Outcome, i32> {
    use super::fmt::{interrupt, shown, write_if_unchanged, NotWritten};
    let mut fixed = 0;
    for _ in 0..MAX_PASSES {
        let (mut ws, findings) = super::check::analyse(paths, sel, input)?;
        let fixes = applicable(&ws, &findings, unsafe_fixes);
        if fixes.is_empty() {
            break;
        }
        let tried = fixes.len();
        let (fixes, left) = keeping_meaning(&mut ws, fixes);
        // What the last pass left is what is noted: a fix left in one pass
        // may keep meaning in the next, once the fixes it needs are in.
        *left_all = described(&ws, &left);
        if fixes.is_empty() {
            break;
        }
        let (texts, went_in) = apply(&|f| ws.sources.get(f).text.as_str(), &fixes);
        let mut failed: Vec<FileId> = Vec::new();
        let mut interrupted = false;
        {
            let _interrupts = interrupt::Deferred::install();
            for (file, text) in &texts {
                if interrupt::requested() {
                    interrupted = true;
                    failed.push(*file);
                    continue;
                }
                let path = ws.sources.path(*file);
                let read = ws.sources.get(*file).text.as_bytes();
                match write_if_unchanged(path, read, text) {
                    Ok(()) => {}
                    Err(NotWritten::Interrupted) => {
                        interrupted = true;
                        failed.push(*file);
                    }
                    Err(e) => {
                        eprintln!("error: {}: {}", shown(path), e.describe("fixed"));
                        failed.push(*file);
                    }
                }
            }
        }
        let count = went_in
            .iter()
            .filter(|files| files.iter().all(|f| !failed.contains(f)))
            .count();
        fixed += count;
        if interrupted || !failed.is_empty() {
            let fixes = |n: usize| format!("{n} finding{}", if n == 1 { "" } else { "s" });
            if interrupted {
                eprintln!(
                    "interrupted: fixed {} in the files written; the others were left unchanged",
                    fixes(fixed)
                );
                return Err(super::fmt::EXIT_INTERRUPTED);
            }
            eprintln!(
                "fixed {} in the files written; {} not written (above)",
                fixes(fixed),
                match failed.len() {
                    1 => "1 file was".to_string(),
                    n => format!("{n} files were"),
                }
            );
            return Err(super::EXIT_ERROR);
        }
        // Another pass while this one changed something and left something
        // (overlapping fixes, or fixes that may keep meaning now).
        if count == 0 || count == tried {
            break;
        }
    }
    Ok(Outcome { fixed })
}

#[cfg(test)]
mod tests {
    use super::apply;
    use icslint::diagnostic::Fix;
    use icslint::source::{FileId, Span};

    /// Which fixes go in, the slow way: each against every one taken.
    fn taken_naive(spans: &[(usize, usize)]) -> Vec<usize> {
        let mut taken: Vec<(usize, usize)> = Vec::new();
        let mut out = Vec::new();
        for (i, &(s, e)) in spans.iter().enumerate() {
            let clash = taken
                .iter()
                .any(|&(os, oe)| (s < oe && os < e) || (s == os && !(s == e && os == oe)));
            if !clash {
                taken.push((s, e));
                out.push(i);
            }
        }
        out
    }

    /// The span index takes exactly the fixes the pairwise rule takes:
    /// overlaps wait, two insertions at one place both go in, a
    /// replacement next to another goes in.
    #[test]
    fn fixes_taken_are_those_that_overlap_none_taken_before() {
        let text = "x".repeat(64);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..2_000 {
            let spans: Vec<(usize, usize)> = (0..1 + next(12))
                .map(|_| {
                    let s = next(40);
                    (s, s + next(4))
                })
                .collect();
            let fixes: Vec<Fix> = spans
                .iter()
                .enumerate()
                .map(|(i, &(s, e))| {
                    Fix::replace("t", FileId(0), Span { start: s, end: e }, format!("<{i}>"))
                })
                .collect();
            let refs: Vec<&Fix> = fixes.iter().collect();
            let (texts, went_in) = apply(&|_| text.as_str(), &refs);
            let mut want = taken_naive(&spans);
            assert_eq!(went_in.len(), want.len(), "{spans:?}");
            // Applied from the end; at one place, the first taken first.
            want.sort_by_key(|&i| std::cmp::Reverse((spans[i].0, i)));
            let mut expected = text.clone();
            for i in want {
                expected.replace_range(spans[i].0..spans[i].1, &format!("<{i}>"));
            }
            assert_eq!(texts.get(&FileId(0)), Some(&expected), "{spans:?}");
        }
    }
}
