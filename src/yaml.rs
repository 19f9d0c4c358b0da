//! The YAML layer that keeps positions, shared by `icslint.yaml` and rule
//! packs. Bytes are decoded here (UTF-8, an optional byte-order mark; the
//! first bad byte is a problem with its span), and documents are read with
//! `serde-saphyr`, which gives every value its span (`Spanned<T>`) and
//! refuses alias bombs, deep nesting and huge documents within a budget
//! instead of expanding them.

use crate::source::Span;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A reason a YAML file, or one of its values, cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

impl Problem {
    pub fn new(span: Span, message: impl Into<String>, help: impl Into<String>) -> Problem {
        Problem {
            span,
            message: message.into(),
            help: help.into(),
        }
    }
}

/// Decodes the bytes of an `icslint.yaml` or rule pack: UTF-8, with an
/// optional byte-order mark. Returns the text to keep (lossy where the
/// bytes are not UTF-8, so spans still point into it) and, when the bytes
/// cannot be used, why, with the span of the first bad byte.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Problem>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        return (
            text,
            Some(Problem::new(
                Span::new(0, 2),
                "this file is UTF-16 text, not UTF-8",
                "save it as UTF-8",
            )),
        );
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (
                text,
                Some(Problem::new(
                    Span::new(at, at + 1),
                    format!(
                        "this file is not UTF-8 text: byte {at} (0x{byte:02X}) is not valid UTF-8"
                    ),
                    "save the file as UTF-8; it was probably saved as Latin-1 or Windows-1252",
                )),
            )
        }
    }
}

/// How much of a document is read before it is refused.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most values (scalars, lists and mappings, aliases expanded).
    pub max_nodes: usize,
    /// The deepest nesting.
    pub max_depth: usize,
    /// What the file is, for messages: "configuration", "rule pack".
    pub what: &'static str,
}

fn budget(l: Limits) -> serde_saphyr::Budget {
    let mut b = serde_saphyr::Budget::default();
    b.max_depth = l.max_depth;
    b.max_nodes = l.max_nodes;
    b.max_events = 4 * l.max_nodes;
    b.max_aliases = 1_000;
    b.max_anchors = 1_000;
    b.max_total_scalar_bytes = 16 << 20;
    b.max_documents = 1;
    b
}

/// Reads one document of `text` (from which a byte-order mark is already
/// stripped: `base` is its length, added to every span) within `limits`.
/// On failure: the span of the offending value (or the rest of its line)
/// and the parser's reason in plain words.
pub fn from_str<T: DeserializeOwned>(
    text: &str,
    base: usize,
    limits: Limits,
) -> Result<T, (Span, String)> {
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    aliases.max_total_replayed_events = limits.max_nodes;
    aliases.max_replay_stack_depth = limits.max_depth;
    let options = serde_saphyr::options! {
        budget: Some(budget(limits)),
        alias_limits: aliases,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let span = e
            .location()
            .map_or(Span::new(base, base), |l| location_span(&l, base));
        let span = if span.start == span.end {
            // Point at the rest of the line rather than nothing.
            let at = (span.start - base).min(text.len());
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            Span::new(base + at, base + end)
        } else {
            span
        };
        (span, message(&e, limits))
    })
}

/// The YAML error's own words, without the position (the span says it);
/// a breach of the budget in plain words.
fn message(e: &serde_saphyr::Error, l: Limits) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let (depth, nodes, what) = (l.max_depth, l.max_nodes, l.what);
    if let serde_saphyr::Error::Budget { breach, .. } = e.without_snippet() {
        return match breach {
            B::Depth { .. } => format!("it is nested more than {depth} levels deep"),
            B::Documents { .. } => "it holds more than one YAML document (`---`)".to_string(),
            _ => format!(
                "it has more than {nodes} values (aliases expanded), more than any {what} needs"
            ),
        };
    }
    let mut opts = serde_saphyr::RenderOptions::default();
    opts.snippets = serde_saphyr::SnippetMode::Off;
    let msg = e.render_with_options(opts);
    let msg = msg.lines().next().unwrap_or_default();
    if msg.contains("recursion limit") {
        return format!("it is nested more than {depth} levels deep");
    }
    if msg.contains("alias replay limit") {
        return format!(
            "its aliases expand to more than {nodes} values, more than any {what} needs"
        );
    }
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    // "line 3 column 5: invalid u32" → "invalid u32".
    let msg = match msg.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(msg, |(_, m)| m),
        None => msg,
    };
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A YAML mapping read as a list of entries, keeping every key (with its
/// span) in the order written.
#[derive(Debug)]
pub struct Entries<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Entries<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V2<K, V> {
            type Value = Entries<K, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V2(std::marker::PhantomData))
    }
}

/// The byte range of a value as written (quotes included), shifted by
/// `base` (a stripped byte-order mark).
pub fn span_of<T>(v: &Spanned<T>, base: usize) -> Span {
    location_span(&v.referenced, base)
}

pub fn location_span(l: &serde_saphyr::Location, base: usize) -> Span {
    let s = l.span();
    match (s.byte_offset(), s.byte_len()) {
        (Some(at), Some(len)) => Span::new(base + at as usize, base + (at + len) as usize),
        _ => Span::new(base, base),
    }
}

/// Where in the file the character at byte `offset` of a string's value
/// was written. `raw` is the scalar as written (the text under its span,
/// which starts at `start`): plain, quoted (`''` and backslash escapes
/// stand for one character) or a block scalar (`|`, `>`; the span starts
/// at its first line, and line breaks and indentation are folded away).
pub fn source_offset(raw: &str, start: usize, value: &str, offset: usize) -> usize {
    let rb = raw.as_bytes();
    let quote = rb.first().copied().filter(|c| *c == b'"' || *c == b'\'');
    let mut p = usize::from(quote.is_some());
    for (i, c) in value.char_indices() {
        if p >= raw.len() {
            break;
        }
        if i >= offset {
            // At the character itself, past the indentation before it.
            while let Some(r) = raw[p..]
                .chars()
                .next()
                .filter(|r| r.is_whitespace() && *r != c)
            {
                p += r.len_utf8();
            }
            break;
        }
        // Skip what the value does not contain: folded line breaks,
        // indentation, the backslash of an escape.
        while let Some(r) = raw[p..].chars().next() {
            if r == c {
                p += r.len_utf8();
                if quote == Some(b'\'') && c == '\'' && rb.get(p) == Some(&b'\'') {
                    p += 1;
                }
                break;
            }
            if quote == Some(b'"') && r == '\\' {
                let n = match rb.get(p + 1) {
                    Some(b'x') => 4,
                    Some(b'u') => 6,
                    Some(b'U') => 10,
                    _ => 2,
                };
                p = (p + n).min(raw.len());
                // Take the escape for the one character it writes.
                while !raw.is_char_boundary(p) {
                    p += 1;
                }
                break;
            }
            if r.is_whitespace() {
                p += r.len_utf8();
                continue;
            }
            // Cannot align: stay where we are.
            return start + p;
        }
    }
    start + p.min(raw.len())
}

#[cfg(test)]
mod tests {
    use super::source_offset;

    fn at(raw: &str, value: &str, needle: &str) -> String {
        let o = value.find(needle).unwrap();
        let p = source_offset(raw, 0, value, o);
        raw[p..].chars().take(needle.len()).collect()
    }

    #[test]
    fn offsets_inside_scalars() {
        assert_eq!(at("a and b", "a and b", "b"), "b");
        assert_eq!(at("\"a and b\"", "a and b", "b"), "b");
        assert_eq!(at("'it''s b'", "it's b", "b"), "b");
        assert_eq!(at("\"x\\ty b\"", "x\ty b", "b"), "b");
        assert_eq!(
            at("one\n    two b\n  ", "one two b", "b"),
            "b",
            "a folded block scalar"
        );
        assert_eq!(at("one\n    two b\n  ", "one\ntwo b\n", "two"), "two");
    }
}
