//! The minijinja environment every template of ours starts from (the board
//! report, `transition`'s briefing): one place where a value from the
//! documents is made safe for HTML and Markdown. Every value is made of
//! characters XML allows (the HTML is XHTML-compatible: a control character
//! in a name would leave it unreadable by an XML reader), then escaped as
//! the template's name asks (HTML for `.html`); the filters below are the
//! only other ways a value reaches the page.

use crate::safe;
use minijinja::{Environment, Value};
use std::borrow::Cow;

/// An environment with our syntax (blocks trimmed), the formatter and the
/// filters `md`, `cell`, `mdcode`, `web_url` and `code`; the caller adds
/// its own filters and templates.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.set_formatter(|out, state, value| {
        if let Some(Cow::Owned(clean)) = value.as_str().map(safe::xml_chars) {
            let clean = if value.is_safe() {
                Value::from_safe_string(clean)
            } else {
                Value::from(clean)
            };
            return minijinja::escape_formatter(out, state, &clean);
        }
        minijinja::escape_formatter(out, state, value)
    });
    // Markdown text from the documents: one line, and inert
    // (`safe::markdown`: no link, image, autolink, reference or HTML);
    // code spans are left as written. Also fit for a table cell.
    env.add_filter("md", |v: String| safe::markdown(&v));
    env.add_filter("cell", |v: String| safe::markdown(&v));
    // A path or location in Markdown: a code span its text cannot close.
    env.add_filter("mdcode", |v: String| {
        safe::code_span(&v).replace('|', "\\|")
    });
    // An address the HTML may link to: `http` or `https` only
    // (`safe::web_url`); anything else is none, and shown as text.
    env.add_filter("web_url", |v: Value| {
        v.as_str().and_then(safe::web_url).map(str::to_string)
    });
    // Messages quote ICG in backticks (`employee yes`): in HTML, <code>,
    // every part escaped by minijinja's own HTML escaper.
    env.add_filter("code", |v: String| {
        let v = safe::xml_chars(&v);
        let mut out = String::new();
        for (i, part) in v.split('`').enumerate() {
            let part = minijinja::HtmlEscape(part).to_string();
            if i % 2 == 1 {
                out.push_str(&format!("<code>{part}</code>"));
            } else {
                out.push_str(&part);
            }
        }
        Value::from_safe_string(out)
    });
    env
}
