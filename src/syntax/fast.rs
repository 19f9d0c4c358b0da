//! A hand-written reader for the common shape of a valid file, in front of
//! the pest grammar. `grammar/icg.pest` stays the definition of the
//! language: this reader follows its rules token by token (the same atomic
//! forms, the same ordered choices, the same implicit white space and
//! comments) and gives up, returning `None`, on anything it does not
//! recognise, so the caller parses the file with pest instead. When it does
//! return a tree, that tree is the one pest's pairs would have built (a test
//! compares the two on every example, fixture and a mutation corpus).
//!
//! It exists for speed: pest spends most of its time in per-rule call
//! tracking, stack probes and backtracking snapshots, and building pairs it
//! then walks again. Nesting is bounded by `scan` before either runs.

use super::ast::{literal, Attr, Block, Duration, Name, Unit, Value, ValueKind};
use crate::source::Span;

/// Gave up: the pest grammar decides.
struct Bail;

type R<T> = Result<T, Bail>;

/// Parse a whole file that `scan` found sound, or `None` to leave it to pest.
pub(super) fn parse(text: &str) -> Option<Vec<Block>> {
    parse_range(text, Span::new(0, text.len()))
}

/// [`parse`] for the top-level blocks in `range` of `text` (a run that
/// ends just after a top-level block's `}`, or at the end), with spans in
/// the whole text.
pub(super) fn parse_range(text: &str, range: Span) -> Option<Vec<Block>> {
    let text = text.get(..range.end)?;
    let mut p = Reader {
        text,
        b: text.as_bytes(),
        i: range.start,
    };
    p.file().ok()
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_lowercase()
}

fn is_name_rest(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'
}

/// The grammar's `name_char`: ASCII letters of either case, digits, `_`.
fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

const UNITS: [&str; 8] = [
    "days", "day", "weeks", "week", "months", "month", "years", "year",
];

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// The grammar's implicit `(WHITESPACE | COMMENT)*`.
    fn skip(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' => self.i += 1,
                b'#' => {
                    let rest = &self.b[self.i..];
                    self.i += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
                }
                _ => break,
            }
        }
    }

    /// White space, comments and line ends (inside a list).
    fn skip_lines(&mut self) {
        loop {
            self.skip();
            match self.peek() {
                Some(b'\n' | b'\r') => self.i += 1,
                _ => break,
            }
        }
    }

    /// `name`, from `i`: its end. A name followed directly by an upper-case
    /// letter is left to pest (`!name_char` decides differently by rule).
    fn name_end(&self, i: usize) -> R<usize> {
        if !self.at(i).is_some_and(is_name_start) {
            return Err(Bail);
        }
        let mut j = i + 1;
        while self.at(j).is_some_and(is_name_rest) {
            j += 1;
        }
        if self.at(j).is_some_and(|c| c.is_ascii_uppercase()) {
            return Err(Bail);
        }
        Ok(j)
    }

    fn name(&mut self) -> R<Name> {
        let start = self.i;
        let end = self.name_end(start)?;
        self.i = end;
        Ok(Name {
            text: self.text[start..end].to_string(),
            span: Span::new(start, end),
        })
    }

    /// `file = { SOI ~ "\u{FEFF}"? ~ (sep | block)* ~ EOI }`
    fn file(&mut self) -> R<Vec<Block>> {
        self.skip();
        if self.text[self.i..].starts_with('\u{FEFF}') {
            self.i += 3;
        }
        let mut blocks = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                None => return Ok(blocks),
                Some(b'\n' | b'\r' | b';') => self.i += 1,
                Some(_) => match self.block()? {
                    Some(b) => blocks.push(b),
                    None => return Err(Bail),
                },
            }
        }
    }

    /// `block = { kind ~ ident? ~ string? ~ "{" ~ (sep | block | attr)* ~ "}" }`,
    /// or `None` (position unchanged) when the statement is not a block.
    fn block(&mut self) -> R<Option<Block>> {
        let start = self.i;
        let kind_end = self.name_end(start)?;
        let mut header_end = kind_end;
        self.i = kind_end;
        self.skip();
        let mut id = None;
        if self.peek().is_some_and(is_name_start) {
            let s = self.i;
            let e = self.name_end(s)?;
            id = Some(Span::new(s, e));
            header_end = e;
            self.i = e;
            self.skip();
        } else if self.peek().is_some_and(|c| c.is_ascii_uppercase()) {
            // `rule_id = _{ ASCII_ALPHA_UPPER ~ (ASCII_ALPHANUMERIC | "_" | "-")* }`:
            // the rule an `explain` block names (`explain CCN161 "..." {`).
            let s = self.i;
            let mut e = s + 1;
            while self
                .at(e)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
            {
                e += 1;
            }
            id = Some(Span::new(s, e));
            header_end = e;
            self.i = e;
            self.skip();
        }
        let mut display = None;
        if self.peek() == Some(b'"') {
            let s = self.i;
            let Ok((inner, e)) = self.string_at(s) else {
                // Not a string: no block either (the attribute reading decides).
                self.i = start;
                return Ok(None);
            };
            display = Some((inner, Span::new(s, e)));
            header_end = e;
            self.i = e;
            self.skip();
        }
        if self.peek() != Some(b'{') {
            // An attribute (`remit "..."`): its string is read by `attr`,
            // so it is unescaped only once a block is certain.
            self.i = start;
            return Ok(None);
        }
        let display = display.map(|(inner, span)| (unescape(inner), span));
        self.i += 1;
        let mut attrs = Vec::new();
        let mut children = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                None => return Err(Bail),
                Some(b'\n' | b'\r' | b';') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(c) if is_name_start(c) => match self.block()? {
                    Some(b) => children.push(b),
                    None => attrs.push(self.attr()?),
                },
                Some(_) => return Err(Bail),
            }
        }
        let kind = Name {
            text: self.text[start..kind_end].to_string(),
            span: Span::new(start, kind_end),
        };
        let id = id.map(|s: Span| Name {
            text: self.text[s.start..s.end].to_string(),
            span: s,
        });
        Ok(Some(Block {
            kind,
            id,
            name: display,
            attrs,
            children,
            span: Span::new(start, self.i),
            header: Span::new(start, header_end),
        }))
    }

    /// `attr = { key ~ value+ ~ &(sep | "}" | EOI) }`
    fn attr(&mut self) -> R<Attr> {
        let key = self.name()?;
        let mut values = Vec::new();
        loop {
            self.skip();
            match self.peek() {
                None | Some(b'\n' | b'\r' | b';' | b'}') if !values.is_empty() => break,
                _ => values.push(self.value()?),
            }
        }
        let end = values.last().map_or(key.span.end, |v: &Value| v.span.end);
        Ok(Attr {
            span: Span::new(key.span.start, end),
            key,
            values,
        })
    }

    /// `value = _{ frequency | word | reference | list | text | string | money | dated | quantity }`
    fn value(&mut self) -> R<Value> {
        let start = self.i;
        let c = self.peek().ok_or(Bail)?;
        let kind = match c {
            b'a'..=b'z' => {
                let end = self.name_end(start)?;
                let w = &self.text[start..end];
                if w == "every" {
                    self.i = end;
                    return self.frequency(start);
                }
                if w.starts_with("every") && w.as_bytes()[5].is_ascii_digit() {
                    // `every3 months`: a frequency to pest.
                    return Err(Bail);
                }
                self.i = end;
                ValueKind::Word(w.to_string())
            }
            b'@' => {
                let end = self.name_end(start + 1)?;
                self.i = end;
                ValueKind::Ref(self.text[start + 1..end].to_string())
            }
            b'[' => {
                self.i += 1;
                let items = self.list()?;
                ValueKind::List(items)
            }
            b'"' => {
                if self.text[start..].starts_with("\"\"\"") {
                    let rest = &self.text[start + 3..];
                    let n = memchr::memmem::find(rest.as_bytes(), b"\"\"\"").ok_or(Bail)?;
                    self.i = start + 3 + n + 3;
                    ValueKind::Text(rest[..n].to_string())
                } else {
                    let (inner, end) = self.string_at(start)?;
                    self.i = end;
                    ValueKind::Str(unescape(inner))
                }
            }
            0xC2 if self.text[start..].starts_with('£') => {
                let end = self.money(start + 2)?;
                self.i = end;
                ValueKind::Money(literal::money(&self.text[start..end]))
            }
            b'0'..=b'9' | b'-' => {
                if let Some(end) = self.dated(start) {
                    self.i = end;
                    let s = &self.text[start..end];
                    let a = literal::date(&s[..10]);
                    if s.len() > 10 {
                        ValueKind::Range(a, literal::date(&s[s.len() - 10..]))
                    } else {
                        ValueKind::Date(a)
                    }
                } else {
                    self.quantity(start)?
                }
            }
            _ => return Err(Bail),
        };
        Ok(Value {
            kind,
            span: Span::new(start, self.i),
        })
    }

    /// After `every`: `frequency = { "every" ~ duration }`,
    /// `duration = { number ~ unit }`.
    fn frequency(&mut self, start: usize) -> R<Value> {
        self.skip_spaces();
        let n = self.i;
        let ne = self.amount(n).ok_or(Bail)?;
        if self.at(ne).is_some_and(is_name_char) {
            return Err(Bail);
        }
        self.i = ne;
        self.skip_spaces();
        let u = self.i;
        let ue = self.unit(u).ok_or(Bail)?;
        self.i = ue;
        Ok(Value {
            kind: ValueKind::Every(Duration {
                amount: literal::number(&self.text[n..ne]),
                unit: Unit::from_word(&self.text[u..ue]),
            }),
            span: Span::new(start, ue),
        })
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// After `[`: `list = { "[" ~ NEWLINE* ~ (value ~ NEWLINE* ~ ("," ~
    /// NEWLINE* ~ value ~ NEWLINE*)* ~ ("," ~ NEWLINE*)?)? ~ "]" }`.
    fn list(&mut self) -> R<Vec<Value>> {
        let mut items = Vec::new();
        self.skip_lines();
        if self.peek() != Some(b']') {
            items.push(self.value()?);
            self.skip_lines();
            while self.peek() == Some(b',') {
                self.i += 1;
                self.skip_lines();
                if self.peek() == Some(b']') {
                    break;
                }
                items.push(self.value()?);
                self.skip_lines();
            }
        }
        if self.peek() != Some(b']') {
            return Err(Bail);
        }
        self.i += 1;
        Ok(items)
    }

    /// `string = ${ "\"" ~ string_inner ~ "\"" }` at `start`: the inner
    /// text (escapes as written) and the end past the closing quote.
    fn string_at(&self, start: usize) -> R<(&'a str, usize)> {
        let mut j = start + 1;
        loop {
            j = super::scan::string_stop(self.b, j);
            match self.at(j) {
                Some(b'"') => return Ok((&self.text[start + 1..j], j + 1)),
                Some(b'\\') => match self.at(j + 1) {
                    Some(b'"' | b'\\') => j += 2,
                    _ => return Err(Bail),
                },
                Some(b'\n' | b'\r') | None => return Err(Bail),
                Some(_) => j += 1,
            }
        }
    }

    /// `digits = _{ ASCII_DIGIT ~ (ASCII_DIGIT | "_")* }`
    fn digits(&self, i: usize) -> Option<usize> {
        if !self.at(i)?.is_ascii_digit() {
            return None;
        }
        let mut j = i + 1;
        while self.at(j).is_some_and(|c| c.is_ascii_digit() || c == b'_') {
            j += 1;
        }
        Some(j)
    }

    /// `digits ~ ("." ~ digits)?`
    fn decimal(&self, i: usize) -> Option<usize> {
        let j = self.digits(i)?;
        if self.at(j) == Some(b'.') {
            if let Some(k) = self.digits(j + 1) {
                return Some(k);
            }
        }
        Some(j)
    }

    /// `amount = _{ "-"? ~ digits ~ ("." ~ digits)? }`
    fn amount(&self, i: usize) -> Option<usize> {
        let i = if self.at(i) == Some(b'-') { i + 1 } else { i };
        self.decimal(i)
    }

    /// `unit = @{ ("days" | "day" | ...) ~ !name_char }`: the unit word is
    /// the whole run of name characters.
    fn unit(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while self.at(j).is_some_and(is_name_char) {
            j += 1;
        }
        UNITS.contains(&&self.text[i..j]).then_some(j)
    }

    /// After `£`: `digits ~ ("." ~ digits)? ~ money_unit? ~ !name_char`.
    fn money(&self, i: usize) -> R<usize> {
        let mut j = self.decimal(i).ok_or(Bail)?;
        let rest = &self.b[j..];
        if rest.starts_with(b"bn") {
            j += 2;
        } else if rest.starts_with(b"m") || rest.starts_with(b"k") {
            j += 1;
        }
        if self.at(j).is_some_and(is_name_char) {
            return Err(Bail);
        }
        Ok(j)
    }

    /// `date = @{ ASCII_DIGIT{4} ~ "-" ~ ASCII_DIGIT{2} ~ "-" ~ ASCII_DIGIT{2} ~ !name_char }`
    fn date(&self, i: usize) -> Option<usize> {
        let b = self.b.get(i..i + 10)?;
        let shape = b.iter().enumerate().all(|(k, c)| match k {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
        (shape && !self.at(i + 10).is_some_and(is_name_char)).then_some(i + 10)
    }

    /// `dated = @{ date ~ ((" " | "\t")* ~ "to" ~ (" " | "\t")* ~ date)? }`
    fn dated(&self, i: usize) -> Option<usize> {
        let end = self.date(i)?;
        let mut j = end;
        while matches!(self.at(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if self.b[j..].starts_with(b"to") {
            j += 2;
            while matches!(self.at(j), Some(b' ' | b'\t')) {
                j += 1;
            }
            if let Some(e) = self.date(j) {
                return Some(e);
            }
        }
        Some(end)
    }

    /// `quantity = @{ amount ~ ("%" | !name_char ~ ((" " | "\t")* ~ unit)?) }`
    fn quantity(&mut self, start: usize) -> R<ValueKind> {
        let a = self.amount(start).ok_or(Bail)?;
        let value = literal::number(&self.text[start..a]);
        match self.at(a) {
            Some(b'%') => {
                self.i = a + 1;
                return Ok(ValueKind::Percent(value));
            }
            Some(c) if is_name_char(c) => return Err(Bail),
            _ => {}
        }
        let mut j = a;
        while matches!(self.at(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if let Some(e) = self.unit(j) {
            self.i = e;
            return Ok(ValueKind::Duration(Duration {
                amount: value,
                unit: Unit::from_word(&self.text[j..e]),
            }));
        }
        self.i = a;
        Ok(ValueKind::Number {
            value,
            is_int: !self.text[start..a].contains('.'),
        })
    }
}

pub(super) fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse::pest_blocks;
    use std::path::Path;

    fn icg_files(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                icg_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "icg") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p.display().to_string(), text));
                }
            }
        }
    }

    fn corpus() -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for d in ["examples", "tests/fixtures", "tests/shared/examples"] {
            icg_files(&root.join(d), &mut files);
        }
        assert!(files.len() > 50, "found only {} .icg files", files.len());
        files
    }

    /// When the fast reader gives a tree, pest gives the same one.
    fn agrees(name: &str, text: &str) -> bool {
        match super::parse(text) {
            None => false,
            Some(fast) => {
                let slow = pest_blocks(text);
                assert_eq!(
                    Some(&fast),
                    slow.as_ref(),
                    "the fast reader and the grammar disagree on {name}:\n{text}"
                );
                true
            }
        }
    }

    #[test]
    fn same_tree_as_the_grammar_on_every_example_and_fixture() {
        let files = corpus();
        let mut fast = 0;
        for (name, text) in &files {
            fast += agrees(name, text) as usize;
        }
        // Every file of the examples (the benchmark corpus) takes the fast path.
        for (name, text) in files.iter().filter(|(n, _)| n.contains("/examples/")) {
            if pest_blocks(text).is_some() {
                assert!(super::parse(text).is_some(), "{name} left the fast path");
            }
        }
        assert!(
            fast * 2 > files.len(),
            "fast path taken for {fast} of {}",
            files.len()
        );
    }

    #[test]
    fn same_tree_as_the_grammar_on_mutations() {
        // Each edit is tried at many places of every file: where the fast
        // reader still gives a tree, it must be pest's.
        const EDITS: &[&str] = &[
            "",
            " ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            ";",
            "#",
            "{",
            "}",
            "[",
            "]",
            ",",
            "\"",
            "\"\"\"",
            "\\",
            "\\\"",
            "@",
            "@x",
            "-",
            ".",
            "%",
            "£",
            "£3m",
            "X",
            "x",
            "_",
            "0",
            "9",
            "every",
            "every 3 months",
            "every3 days",
            "to",
            " to 2024-01-01",
            "2023-04-01",
            "12 months",
            "days",
            "bn",
            "k",
            "1.5",
            "1.",
            "\u{FEFF}",
            "é",
            "a\"b\"",
            "x {",
            "x \"n\" {",
            "} x {",
        ];
        let mut tried = 0;
        let mut fast = 0;
        // Six places per file, spread by a fixed generator (a debug build
        // parses each mutant twice; more places would make a slow test).
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for (name, text) in corpus() {
            for _ in 0..6 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut at = (seed % text.len().max(1) as u64) as usize;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let next = text[at..].chars().next().map_or(0, char::len_utf8);
                for (k, e) in EDITS.iter().enumerate() {
                    // Insert `e`, or (odd edits) replace the character there by it.
                    let cut = if k % 2 == 1 { at + next } else { at };
                    let m = format!("{}{}{}", &text[..at], e, &text[cut..]);
                    tried += 1;
                    fast += agrees(&name, &m) as usize;
                }
            }
        }
        assert!(
            tried > 5_000 && fast * 4 > tried,
            "fast path taken for {fast} of {tried}"
        );
    }
}
