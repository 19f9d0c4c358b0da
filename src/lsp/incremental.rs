//! Re-parsing only the block an edit falls in. When an edit lies strictly
//! inside one block (its first character and closing brace untouched), and
//! that block's new text parses alone as exactly one block without errors,
//! a parse of the whole file would give the same tree: PEG parsing at the
//! block's start depends only on the text from there on, and the text
//! before and after is unchanged. The new block is spliced in and every
//! later span shifted; anything else falls back to parsing the whole file.

use crate::source::Span;
use crate::syntax::{self, Block, Parsed, Value, ValueKind, MAX_DEPTH};

/// The parse of `new` from the parse of `old` (which `parsed` holds), or
/// `None` when only a whole-file parse will do.
pub fn reparse(mut parsed: Parsed, old: &str, new: &str) -> Option<Parsed> {
    if !parsed.errors.is_empty() {
        return None;
    }
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let (changed_start, changed_end) = (prefix, old.len() - suffix);
    // The innermost block with the change strictly inside it.
    let mut path = Vec::new();
    let mut blocks = &parsed.file.blocks;
    while let Some(i) = blocks
        .iter()
        .position(|b| b.span.start < changed_start && changed_end < b.span.end)
    {
        path.push(i);
        blocks = &blocks[i].children;
    }
    if path.is_empty() {
        return None;
    }
    let target = block_at(&mut parsed.file.blocks, &path).span;
    let delta = new.len() as isize - old.len() as isize;
    let new_end = (target.end as isize + delta) as usize;
    let text = new.get(target.start..new_end)?;
    if path.len() + bracket_depth(text) > MAX_DEPTH {
        return None;
    }
    let mut alone = syntax::parse(text);
    if !alone.errors.is_empty()
        || alone.file.blocks.len() != 1
        || alone.file.blocks[0].span != Span::new(0, text.len())
    {
        return None;
    }
    let mut fresh = alone.file.blocks.pop()?;
    shift_block(&mut fresh, &|s| {
        Span::new(s.start + target.start, s.end + target.start)
    });
    // Later spans move by delta; spans that contain the block grow by it.
    let moved = |s: Span| {
        let at = |x: usize| {
            if x >= target.end {
                (x as isize + delta) as usize
            } else {
                x
            }
        };
        Span::new(at(s.start), at(s.end))
    };
    for b in &mut parsed.file.blocks {
        shift_block(b, &moved);
    }
    *block_at(&mut parsed.file.blocks, &path) = fresh;
    parsed
        .comments
        .retain(|c| c.span.end <= target.start || c.span.start >= target.end);
    for c in &mut parsed.comments {
        c.span = moved(c.span);
    }
    let at = parsed
        .comments
        .partition_point(|c| c.span.start < target.start);
    let inner = alone.comments.into_iter().map(|mut c| {
        c.span = Span::new(c.span.start + target.start, c.span.end + target.start);
        c
    });
    parsed.comments.splice(at..at, inner);
    Some(parsed)
}

fn block_at<'a>(blocks: &'a mut [Block], path: &[usize]) -> &'a mut Block {
    let (first, rest) = path.split_first().expect("a non-empty path");
    let b = &mut blocks[*first];
    if rest.is_empty() {
        b
    } else {
        block_at(&mut b.children, rest)
    }
}

/// The deepest nesting of `{` and `[` in a text (counting any inside
/// strings too, which only errs on the safe side).
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn shift_block(b: &mut Block, f: &dyn Fn(Span) -> Span) {
    b.kind.span = f(b.kind.span);
    if let Some(id) = &mut b.id {
        id.span = f(id.span);
    }
    if let Some((_, s)) = &mut b.name {
        *s = f(*s);
    }
    for a in &mut b.attrs {
        a.key.span = f(a.key.span);
        a.span = f(a.span);
        shift_values(&mut a.values, f);
    }
    b.span = f(b.span);
    b.header = f(b.header);
    for c in &mut b.children {
        shift_block(c, f);
    }
}

fn shift_values(values: &mut [Value], f: &dyn Fn(Span) -> Span) {
    for v in values {
        v.span = f(v.span);
        if let ValueKind::List(items) = &mut v.kind {
            shift_values(items, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Riverbend ICB\nicb rb \"NHS Riverbend ICB\" {    # expect: CCN111\n    system @riverbend\n    member \"Chair\" { role chair; person \"Renée O’Brien\" }\n    member \"CEO\" {\n        role chief_executive   # the accountable officer\n        person \"Daniel Price\"\n    }\n    disqualify [member_of_parliament,\n        councillor]\n    remit \"\"\"\n    Sets {the} direction.\n    \"\"\"\n    budget £3m\n}\n\nsystem riverbend \"Riverbend ICS\" { regime 2022 }\n";

    /// Every edit whose incremental parse is accepted gives exactly the
    /// whole-file parse.
    fn check(old: &str, new: &str) -> bool {
        let full_old = syntax::parse(old);
        let full_new = syntax::parse(new);
        match reparse(full_old, old, new) {
            Some(p) => {
                assert_eq!(p.file, full_new.file, "tree after {old:?} → {new:?}");
                assert_eq!(
                    p.comments, full_new.comments,
                    "comments after {old:?} → {new:?}"
                );
                assert!(p.errors.is_empty() && full_new.errors.is_empty());
                true
            }
            None => false,
        }
    }

    #[test]
    fn every_small_edit_matches_a_full_parse() {
        let mut accepted = 0;
        let mut edits = 0;
        for (i, _) in TEXT.char_indices() {
            let rest = &TEXT[i..];
            let next = rest.chars().next().map_or(0, char::len_utf8);
            for (cut, insert) in [
                (0, "x"),
                (next, ""),
                (next, "é"),
                (0, "}"),
                (0, "\""),
                (0, "#\n"),
            ] {
                let cut = cut.min(rest.len());
                let new = format!("{}{insert}{}", &TEXT[..i], &TEXT[i + cut..]);
                edits += 1;
                accepted += usize::from(check(TEXT, &new));
            }
        }
        // Most edits stay within a block and are parsed incrementally.
        assert!(
            accepted * 3 > edits,
            "{accepted} of {edits} edits were incremental"
        );
    }

    #[test]
    fn a_one_line_edit_is_incremental() {
        let new = TEXT.replace("Daniel Price", "Dan Price-Évans");
        assert!(check(TEXT, &new));
        let new = TEXT.replace("role chair;", "role chair; deputy_chair yes;");
        assert!(check(TEXT, &new));
    }

    #[test]
    fn edits_that_cross_a_block_boundary_fall_back() {
        // Removing a block's closing brace, or editing between blocks.
        let new = TEXT.replacen("    }\n    disqualify", "    \n    disqualify", 1);
        assert!(!check(TEXT, &new));
        let new = TEXT.replace("}\n\nsystem", "}\n\n\nsystem");
        assert!(!check(TEXT, &new));
    }
}
