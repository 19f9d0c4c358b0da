use super::ast::*;
use super::scan::{depth_at, scan};
use super::{Parsed, SyntaxError};
use crate::source::Span;
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/icg.pest"]
struct IcgParser;

/// Parse one file. Never panics; on a syntax error the AST is empty and the
/// error says, in plain words, what was expected where.
pub fn parse(text: &str) -> Parsed {
    let scanned = scan(text);
    let mut parsed = Parsed {
        comments: scanned.comments,
        ..Parsed::default()
    };
    if let Some(error) = scanned.error {
        parsed.errors.push(error);
        return parsed;
    }
    match IcgParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let file = pairs.next().expect("the file rule always yields one pair");
            parsed.file.blocks = file
                .into_inner()
                .filter(|p| p.as_rule() == Rule::block)
                .map(block)
                .collect();
        }
        Err(e) => parsed.errors.push(convert(text, e)),
    }
    parsed
}

fn span(p: &Pair<Rule>) -> Span {
    Span::new(p.as_span().start(), p.as_span().end())
}

fn name(p: Pair<Rule>) -> Name {
    Name {
        text: p.as_str().to_string(),
        span: span(&p),
    }
}

fn block(p: Pair<Rule>) -> Block {
    let whole = span(&p);
    let mut inner = p.into_inner().peekable();
    let kind = name(inner.next().expect("a block starts with its kind"));
    let mut id = None;
    let mut display = None;
    let mut header_end = kind.span.end;
    let mut attrs = Vec::new();
    let mut children = Vec::new();
    for q in inner {
        match q.as_rule() {
            Rule::ident => {
                header_end = span(&q).end;
                id = Some(name(q));
            }
            Rule::string => {
                header_end = span(&q).end;
                display = Some((
                    unescape(q.clone().into_inner().next().map_or("", |s| s.as_str())),
                    span(&q),
                ));
            }
            Rule::attr => attrs.push(attr(q)),
            Rule::block => children.push(block(q)),
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

fn attr(p: Pair<Rule>) -> Attr {
    let whole = span(&p);
    let mut inner = p.into_inner();
    let key = name(inner.next().expect("an attribute starts with its key"));
    let values: Vec<Value> = inner.map(value).collect();
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

fn value(p: Pair<Rule>) -> Value {
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::text => ValueKind::Text(p.into_inner().next().map_or("", |t| t.as_str()).to_string()),
        Rule::string => ValueKind::Str(unescape(p.into_inner().next().map_or("", |t| t.as_str()))),
        Rule::number => {
            let s = p.as_str();
            ValueKind::Number {
                value: literal::number(s),
                is_int: !s.contains('.'),
            }
        }
        Rule::percent => ValueKind::Percent(literal::number(p.as_str().trim_end_matches('%'))),
        Rule::money => ValueKind::Money(literal::money(p.as_str())),
        Rule::date => ValueKind::Date(literal::date(p.as_str())),
        Rule::range => {
            let mut inner = p.into_inner();
            let a = literal::date(inner.next().map_or("", |d| d.as_str()));
            let b = literal::date(inner.next().map_or("", |d| d.as_str()));
            ValueKind::Range(a, b)
        }
        Rule::duration => ValueKind::Duration(duration_of(p)),
        Rule::frequency => ValueKind::Every(duration_of(
            p.into_inner()
                .next()
                .expect("every is followed by a duration"),
        )),
        Rule::reference => ValueKind::Ref(p.as_str()[1..].to_string()),
        Rule::list => ValueKind::List(p.into_inner().map(value).collect()),
        _ => ValueKind::Word(p.as_str().to_string()),
    };
    Value { kind, span: sp }
}

fn unescape(s: &str) -> String {
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

/// What a rule means to a governance lead.
fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::block => "a block (`kind id \"Name\" { ... }`)",
        Rule::kind => "a block kind such as `icb`",
        Rule::ident => "an ID",
        Rule::key => "a key",
        Rule::attr => "a key and its value",
        Rule::text
        | Rule::string
        | Rule::money
        | Rule::range
        | Rule::date
        | Rule::frequency
        | Rule::duration
        | Rule::percent
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

fn convert(text: &str, e: pest::error::Error<Rule>) -> SyntaxError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<&str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
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
    let top = depth_at(text, pos) == 0;
    let line_start = text[..pos.min(text.len())].rfind('\n').map_or(0, |n| n + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
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
        };
    } else if expected.is_empty() {
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
    }
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
