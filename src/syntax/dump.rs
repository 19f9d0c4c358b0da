//! A readable, indented dump of the AST, for `icslint parse --ast` and for
//! parser tests.

use super::ast::*;
use std::fmt::Write;

pub fn dump(file: &File) -> String {
    let mut out = String::new();
    for b in &file.blocks {
        block(&mut out, b, 0);
    }
    out
}

fn block(out: &mut String, b: &Block, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = write!(
        out,
        "{pad}Block {} @{}..{}",
        b.kind.text, b.span.start, b.span.end
    );
    if let Some(id) = &b.id {
        let _ = write!(out, " id={}", id.text);
    }
    if let Some((n, _)) = &b.name {
        let _ = write!(out, " name={n:?}");
    }
    out.push('\n');
    for a in &b.attrs {
        let _ = write!(
            out,
            "{pad}  Attr {} @{}..{}:",
            a.key.text, a.span.start, a.span.end
        );
        for v in &a.values {
            out.push(' ');
            value(out, &v.kind);
        }
        out.push('\n');
    }
    for c in &b.children {
        block(out, c, depth + 1);
    }
}

fn value(out: &mut String, v: &ValueKind) {
    let _ = match v {
        ValueKind::Str(s) => write!(out, "Str({s:?})"),
        ValueKind::Text(s) => write!(out, "Text({} chars)", s.chars().count()),
        ValueKind::Number { value, .. } => write!(out, "Number({})", fmt_num(*value)),
        ValueKind::Percent(p) => write!(out, "Percent({})", fmt_num(*p)),
        ValueKind::Money(m) => write!(out, "Money(£{})", fmt_num(*m)),
        ValueKind::Date(d) => write!(out, "Date({d})"),
        ValueKind::Duration(d) => write!(out, "Duration({d})"),
        ValueKind::Every(d) => write!(out, "Every({d})"),
        ValueKind::Word(w) => write!(out, "Word({w})"),
        ValueKind::Ref(r) => write!(out, "Ref(@{r})"),
        ValueKind::Range(a, b) => write!(out, "Range({a} to {b})"),
        ValueKind::List(items) => {
            out.push_str("List[");
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value(out, &it.kind);
            }
            out.push(']');
            Ok(())
        }
    };
}
