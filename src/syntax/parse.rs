use super::ast::*;
use super::scan::{chunks, depth_at, scan, statements, ScanError, Unchecked};
use super::{Parsed, SyntaxError};
use crate::source::Span;
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/icg.pest"]
struct IcgParser;

/// How many errors one top-level block may recover from before the rest of
/// it is given up (each recovery parses the block again).
const MAX_RECOVERIES: usize = 32;

/// Parse one file. Never panics. Every syntax error is reported, in plain
/// words, with what was expected where; parsing recovers at the attribute
/// or block that holds the error, so every other block is kept, and each
/// error says what it left unchecked.
pub fn parse(text: &str) -> Parsed {
    parse_scanned(text, scan(text))
}

fn parse_scanned(text: &str, scanned: super::scan::Scan) -> Parsed {
    let mut parsed = Parsed {
        comments: scanned.comments,
        ..Parsed::default()
    };
    if scanned.errors.is_empty() {
        if let Some(blocks) = blocks_in(text, Span::new(0, text.len())) {
            parsed.file.blocks = blocks;
            return parsed;
        }
    }
    recover(text, scanned.errors, &mut parsed);
    parsed
}

/// The top-level blocks in `range` of a text the scan finds sound, by the
/// fast reader or else the grammar, or `None` when it has a syntax error.
/// `range` holds whole top-level blocks (a [`chunks`] run, or the file).
fn blocks_in(text: &str, range: Span) -> Option<Vec<Block>> {
    if let Some(blocks) = super::fast::parse_range(text, range) {
        return Some(blocks);
    }
    let mut pairs = IcgParser::parse(Rule::file, &text[range.start..range.end]).ok()?;
    let file = pairs.next().expect("the file rule always yields one pair");
    Some(blocks_of(file, range.start))
}

/// [`parse`], a run of top-level blocks of about `piece_bytes` at a time, so
/// that a large file's whole tree never exists at once: the caller lowers
/// and drops each piece before the next is built. Put together, the pieces'
/// blocks, comments and errors are `parse(text)`'s; the first piece has the
/// comments. A file the scan finds errors in is one piece. When a piece has
/// a syntax error, it and the rest of the file are recovered as [`parse`]
/// does (each top-level block is recovered on its own) and come as the
/// last piece.
pub fn parse_in_pieces(text: &str, piece_bytes: usize, mut each: impl FnMut(Parsed)) {
    let scanned = scan(text);
    if !scanned.errors.is_empty() || text.len() <= piece_bytes {
        return each(parse_scanned(text, scanned));
    }
    let mut comments = Some(scanned.comments);
    let all = chunks(text.as_bytes());
    let mut from = 0;
    while from < all.len() {
        let start = all[from].start;
        let mut to = from + 1;
        while to < all.len() && all[to].end - start <= piece_bytes {
            to += 1;
        }
        let mut piece = Parsed {
            comments: comments.take().unwrap_or_default(),
            ..Parsed::default()
        };
        match blocks_in(text, Span::new(start, all[to - 1].end)) {
            Some(blocks) => piece.file.blocks = blocks,
            None => {
                let mut buf = text.as_bytes().to_vec();
                recover_chunks(text, &mut buf, &all[from..], &mut piece);
                piece.errors.sort_by_key(|e| e.span.start);
                return each(piece);
            }
        }
        each(piece);
        from = to;
    }
    if let Some(comments) = comments {
        each(Parsed {
            comments,
            ..Parsed::default()
        });
    }
}

/// The whole text through the pest grammar alone, as the fast path's
/// reference in tests and fuzzing.
pub(super) fn pest_blocks(text: &str) -> Option<Vec<Block>> {
    let mut pairs = IcgParser::parse(Rule::file, text).ok()?;
    Some(blocks_of(pairs.next()?, 0))
}

/// The slow path, for a file with errors: repair the text by blanking
/// (offsets never move), then parse it one top-level block at a time,
/// blanking the statement that holds each error and parsing again.
fn recover(text: &str, scan_errors: Vec<ScanError>, parsed: &mut Parsed) {
    let mut buf = text.as_bytes().to_vec();
    for e in &scan_errors {
        if let Some(fix) = e.fix {
            blank(&mut buf, fix);
        }
    }
    let queries: Vec<usize> = {
        let mut q: Vec<usize> = scan_errors
            .iter()
            .filter_map(|e| match e.unchecked {
                Unchecked::Statement(at) => Some(at),
                _ => None,
            })
            .collect();
        q.sort_unstable();
        q
    };
    let found = statements(&buf, 0, buf.len(), &queries);
    for e in scan_errors {
        let mut error = e.error;
        match e.unchecked {
            Unchecked::Nothing => {}
            Unchecked::Statement(at) => {
                let mut region = found[queries.partition_point(|&q| q < at)];
                // A list left open swallows the lines up to its block's end.
                if let Some(fix) = e.fix {
                    region = Span::new(region.start.min(fix.start), region.end.max(fix.end));
                }
                lose(text, &mut buf, &mut error, region, false);
            }
            Unchecked::Span(region) => {
                // An unclosed bracket runs to the end of the file.
                let rest = region.end == text.len() && text[region.start..].contains(['\n', '\r']);
                lose(text, &mut buf, &mut error, region, rest);
            }
        }
        parsed.errors.push(error);
    }
    let all = chunks(&buf);
    recover_chunks(text, &mut buf, &all, parsed);
    parsed.errors.sort_by_key(|e| e.span.start);
}

/// Parses each top-level block of `all` in the repaired text `buf` on its
/// own, blanking the statement that holds each error and parsing again.
fn recover_chunks(text: &str, buf: &mut [u8], all: &[Span], parsed: &mut Parsed) {
    for &chunk in all {
        let mut attempts = 0;
        // Blanking only ever replaces whole characters, so this holds.
        while let Ok(src) = std::str::from_utf8(&buf[chunk.start..chunk.end]) {
            match IcgParser::parse(Rule::file, src) {
                Ok(mut pairs) => {
                    let file = pairs.next().expect("the file rule always yields one pair");
                    parsed.file.blocks.extend(blocks_of(file, chunk.start));
                    break;
                }
                Err(e) => {
                    attempts += 1;
                    let (mut error, pos) = convert(src, chunk.start, e);
                    let found = statements(buf, chunk.start, chunk.end, &[pos])[0];
                    if attempts > MAX_RECOVERIES || !has_code(buf, found) {
                        // Nothing smaller to leave out, or too many errors
                        // to keep parsing again: give up the whole block.
                        lose(text, buf, &mut error, chunk, false);
                        parsed.errors.push(error);
                        break;
                    }
                    lose(text, buf, &mut error, found, false);
                    parsed.errors.push(error);
                }
            }
        }
    }
}

fn has_code(buf: &[u8], s: Span) -> bool {
    buf[s.start..s.end]
        .iter()
        .any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b';'))
}

/// Blank a region (spaces; line ends are kept), so offsets never move.
fn blank(buf: &mut [u8], s: Span) {
    let end = s.end.min(buf.len());
    for b in &mut buf[s.start.min(end)..end] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// Leave `region` out of the parse, and say so in the error.
fn lose(text: &str, buf: &mut [u8], error: &mut SyntaxError, region: Span, rest_of_file: bool) {
    // Say what is lost from the original text, trimmed to its code.
    let raw = text.get(region.start..region.end).unwrap_or("");
    let lead = raw.len() - raw.trim_start().len();
    let region = Span::new(region.start + lead, region.start + raw.trim_end().len());
    let what = if region.end <= region.start {
        blank(buf, region);
        return;
    } else if rest_of_file {
        let first = raw.split_whitespace().next().unwrap_or("");
        format!("the rest of the file, from `{first}` on,")
    } else {
        describe_region(&text[region.start..region.end])
    };
    blank(buf, region);
    let note = format!("until this is fixed, {what} is not checked");
    error.help = Some(match error.help.take() {
        Some(h) => format!("{h}; {note}"),
        None => note,
    });
    error.unchecked = Some(region);
}

/// `the `member` block`, `the `remit` line`, `the `hwb riverbend_hwb` block`.
fn describe_region(code: &str) -> String {
    let words: Vec<&str> = code
        .split(|c: char| c.is_whitespace() || c == '{' || c == '"')
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    let is_name = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_lowercase())
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let head = match words.as_slice() {
        [k, id, ..] if is_name(k) && is_name(id) && code.contains('{') => format!("`{k} {id}`"),
        [k, ..] if is_name(k) => format!("`{k}`"),
        _ => String::new(),
    };
    let what = if code.contains('{') {
        "block"
    } else if code.contains(['\n', '\r']) {
        "list"
    } else {
        "line"
    };
    if head.is_empty() {
        format!("this {what}")
    } else {
        format!("the {head} {what}")
    }
}

fn blocks_of(file: Pair<Rule>, off: usize) -> Vec<Block> {
    file.into_inner()
        .filter(|p| p.as_rule() == Rule::block)
        .map(|p| block(p, off))
        .collect()
}

fn span(p: &Pair<Rule>, off: usize) -> Span {
    Span::new(off + p.as_span().start(), off + p.as_span().end())
}

fn name(p: Pair<Rule>, off: usize) -> Name {
    Name {
        text: p.as_str().to_string(),
        span: span(&p, off),
    }
}

fn block(p: Pair<Rule>, off: usize) -> Block {
    let whole = span(&p, off);
    let mut inner = p.into_inner().peekable();
    let kind = name(inner.next().expect("a block starts with its kind"), off);
    let mut id = None;
    let mut display = None;
    let mut header_end = kind.span.end;
    let mut attrs = Vec::new();
    let mut children = Vec::new();
    for q in inner {
        match q.as_rule() {
            Rule::ident => {
                header_end = span(&q, off).end;
                id = Some(name(q, off));
            }
            Rule::string => {
                header_end = span(&q, off).end;
                display = Some((
                    unescape(q.clone().into_inner().next().map_or("", |s| s.as_str())),
                    span(&q, off),
                ));
            }
            Rule::attr => attrs.push(attr(q, off)),
            Rule::block => children.push(block(q, off)),
            _ => {}
        }
    }
    // The header runs to the opening brace.
    let header = Span::new(whole.start, header_end);
    Block {
        kind,
        id,
        name: display,
        attrs,
        children,
        span: whole,
        header,
    }
}

fn attr(p: Pair<Rule>, off: usize) -> Attr {
    let whole = span(&p, off);
    let mut inner = p.into_inner();
    let key = name(inner.next().expect("an attribute starts with its key"), off);
    let values: Vec<Value> = inner.map(|v| value(v, off)).collect();
    // The pair also holds the white space and comment before the line end.
    let end = values.last().map_or(key.span.end, |v| v.span.end);
    Attr {
        key,
        values,
        span: Span::new(whole.start, end),
    }
}

use super::ast::literal;

fn duration_of(p: Pair<Rule>) -> Duration {
    let mut inner = p.into_inner();
    let amount = literal::number(inner.next().map_or("", |n| n.as_str()));
    let unit = Unit::from_word(inner.next().map_or("", |u| u.as_str()));
    Duration { amount, unit }
}

fn value(p: Pair<Rule>, off: usize) -> Value {
    let sp = span(&p, off);
    let kind = match p.as_rule() {
        Rule::text => ValueKind::Text(p.into_inner().next().map_or("", |t| t.as_str()).to_string()),
        Rule::string => ValueKind::Str(unescape(p.into_inner().next().map_or("", |t| t.as_str()))),
        Rule::quantity => {
            // `12`, `-3.5`, `21%`, `12 months`: atomic, so split here.
            let s = p.as_str();
            let digits = s.trim_end_matches(|c: char| c.is_ascii_lowercase());
            let unit = &s[digits.len()..];
            let amount = digits.trim_end_matches(['%', ' ', '\t']);
            let value = literal::number(amount);
            if !unit.is_empty() {
                ValueKind::Duration(Duration {
                    amount: value,
                    unit: Unit::from_word(unit),
                })
            } else if s.ends_with('%') {
                ValueKind::Percent(value)
            } else {
                ValueKind::Number {
                    value,
                    is_int: !s.contains('.'),
                }
            }
        }
        Rule::money => ValueKind::Money(literal::money(p.as_str())),
        Rule::dated => {
            // `2023-04-01`, or `2023-04-01 to 2028-03-31`.
            let s = p.as_str();
            let a = literal::date(&s[..s.len().min(10)]);
            if s.len() > 10 {
                ValueKind::Range(a, literal::date(&s[s.len() - 10..]))
            } else {
                ValueKind::Date(a)
            }
        }
        Rule::frequency => ValueKind::Every(duration_of(
            p.into_inner()
                .next()
                .expect("every is followed by a duration"),
        )),
        Rule::reference => ValueKind::Ref(p.as_str()[1..].to_string()),
        Rule::list => ValueKind::List(p.into_inner().map(|v| value(v, off)).collect()),
        _ => ValueKind::Word(p.as_str().to_string()),
    };
    Value { kind, span: sp }
}

use super::fast::unescape;

const KIND: &str = "a block kind such as `icb`";

/// What a rule means to a governance lead.
fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::block => "a block (`kind id \"Name\" { ... }`)",
        Rule::kind => KIND,
        Rule::ident => "an ID",
        Rule::key => "a key",
        Rule::attr => "a key and its value",
        Rule::text
        | Rule::string
        | Rule::money
        | Rule::dated
        | Rule::date
        | Rule::frequency
        | Rule::duration
        | Rule::quantity
        | Rule::number
        | Rule::reference
        | Rule::list
        | Rule::word => "a value",
        Rule::string_inner | Rule::text_inner => "text",
        Rule::unit => "a unit (`days`, `weeks`, `months` or `years`)",
        Rule::money_unit => "`k`, `m` or `bn`",
        Rule::EOI => "the end of the file",
        _ => return None,
    })
}

/// A pest error in plain words, and where it is, for a chunk of text that
/// starts at byte `off` of its file.
fn convert(text: &str, off: usize, e: pest::error::Error<Rule>) -> (SyntaxError, usize) {
    use pest::error::InputLocation;
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let mut error = describe_error(text, pos, &e.variant);
    error.span = Span::new(error.span.start + off, error.span.end + off);
    (error, pos + off)
}

fn describe_error(
    text: &str,
    pos: usize,
    variant: &pest::error::ErrorVariant<Rule>,
) -> SyntaxError {
    use pest::error::ErrorVariant;
    let e = variant;
    let mut expected: Vec<&str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = e {
        for r in positives {
            if let Some(d) = describe(r) {
                if !expected.contains(&d) {
                    expected.push(d);
                }
            }
        }
    }
    // A closing brace or a line end is always acceptable after a value or
    // inside a block; say so when the grammar was looking for more.
    let found = found_at(text, pos);
    let top = depth_at(text.as_bytes(), pos) == 0;
    let line_start = text[..pos].rfind(['\n', '\r']).map_or(0, |n| n + 1);
    let line = text[line_start..]
        .split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .trim();
    let looks_like_attr = top && !line.contains('{') && line.split_whitespace().count() >= 2;
    let message = if looks_like_attr {
        let key = line.split_whitespace().next().unwrap_or("");
        let start = line_start + text[line_start..].find(key).unwrap_or(0);
        return SyntaxError {
            span: Span::new(start, start + line.len()),
            message: format!("`{line}` is outside any block"),
            help: Some(
                "keys and their values go inside a block, such as `system my_id \"Name\" { ... }`"
                    .into(),
            ),
            unchecked: None,
        };
    } else if expected.is_empty() || (top && expected.contains(&KIND)) {
        // Between top-level blocks only a block can come (or the end of
        // the file, which is no help to name).
        format!(
            "expected {}, found {found}",
            if top {
                "a block, like `icb my_id \"Name\" { ... }`"
            } else {
                "a key or a block"
            }
        )
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    if let Some((at, c)) = bad_escape(text, pos) {
        return SyntaxError {
            span: Span::new(at, at + 1 + c.len_utf8()),
            message: format!("`\\{c}` is not an escape a string may hold"),
            help: Some("in a quoted string a backslash may only come before a quote (`\\\"`) or another backslash (`\\\\`): write `\\\\` for a backslash itself, or put the text in triple quotes (`\"\"\"...\"\"\"`), where nothing is escaped".into()),
            unchecked: None,
        };
    }
    let end = (pos + found_len(text, pos)).min(text.len());
    let help = if found.contains("`}`") || found == "the end of the file" {
        Some("check that every `{` has a matching `}` and every `[` a matching `]`".to_string())
    } else if text[pos..].starts_with(|c: char| c.is_ascii_uppercase()) {
        Some("kinds, IDs, keys and words are lower case (`[a-z][a-z0-9_]*`); put display names in quotes".to_string())
    } else {
        None
    };
    SyntaxError {
        span: Span::new(pos, end.max(pos)),
        message,
        help,
        unchecked: None,
    }
}

/// In a quoted string starting at `pos`, the first backslash followed by
/// something other than a quote or a backslash (the only escapes the
/// grammar has), with that character.
fn bad_escape(text: &str, pos: usize) -> Option<(usize, char)> {
    let rest = text.get(pos..)?;
    if !rest.starts_with('"') || rest.starts_with("\"\"\"") {
        return None;
    }
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\n' | '\r' => return None,
            '\\' => match chars.next() {
                Some((_, '"' | '\\')) => {}
                Some((_, n)) if n != '\n' && n != '\r' => return Some((pos + i, n)),
                _ => return None,
            },
            _ => {}
        }
    }
    None
}

fn found_at(text: &str, pos: usize) -> String {
    let rest = &text[pos.min(text.len())..];
    match rest.chars().next() {
        None => "the end of the file".into(),
        Some('\n') | Some('\r') => "the end of the line".into(),
        Some(_) => {
            let tok: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace())
                .take(24)
                .collect();
            format!("`{tok}`")
        }
    }
}

fn found_len(text: &str, pos: usize) -> usize {
    text[pos.min(text.len())..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(24)
        .map(char::len_utf8)
        .sum::<usize>()
        .max(1)
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
