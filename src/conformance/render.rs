//! The report's three renderings of one `Conformance`: HTML (one
//! self-contained file: styles inline, charts as inline SVG, no script, A4
//! print rules), Markdown, and JSON. HTML and Markdown come from minijinja
//! templates in `templates/`, compiled in; values are escaped by the
//! template engine (HTML auto-escaping by the template's name), never by
//! hand-built strings.

use super::charts::{self, Chart};
use super::{Conformance, SystemReport};
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use serde::Serialize;

const HTML: &str = include_str!("../../templates/report.html");
const CSS: &str = include_str!("../../templates/report.css");
const MARKDOWN: &str = include_str!("../../templates/report.md");

#[derive(Serialize)]
struct SystemCharts<'a> {
    #[serde(flatten)]
    system: &'a SystemReport,
    findings_chart: Chart,
    typology_chart: Chart,
    membership_charts: Vec<Chart>,
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.add_filter("thousands", |v: f64| super::thousands(v));
    env.add_filter("pct", |v: f64| {
        format!("{}%", crate::syntax::fmt_num((v * 10.0).round() / 10.0))
    });
    // Markdown text from the documents: one line, and HTML written as
    // text (a name or reason holding `<script>` must not become markup in
    // a renderer that allows HTML); code spans are left as written.
    env.add_filter("md", |v: String| md_text(&v));
    // A Markdown table cell: the same, with pipes escaped.
    env.add_filter("cell", |v: String| md_text(&v).replace('|', "\\|"));
    // Messages quote ICG in backticks (`employee yes`): in HTML, <code>,
    // every part escaped by minijinja's own HTML escaper.
    env.add_filter("code", |v: String| {
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
    env.add_template("report.html", HTML)
        .expect("templates/report.html compiles (tested)");
    env.add_template("report.md", MARKDOWN)
        .expect("templates/report.md compiles (tested)");
    env
}

/// A template that fails to render is a bug; the error says where.
fn render(name: &str, ctx: Value) -> Result<String, String> {
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| format!("the {name} template failed: {e:#}"))
}

/// The HTML report: one file a board can open, print or archive.
pub fn html(report: &Conformance) -> Result<String, String> {
    let systems: Vec<SystemCharts> = report
        .systems
        .iter()
        .map(|s| SystemCharts {
            system: s,
            findings_chart: charts::findings(s),
            typology_chart: charts::typology(s),
            membership_charts: s
                .membership
                .iter()
                .map(|b| charts::membership(s, b))
                .collect(),
        })
        .collect();
    render(
        "report.html",
        minijinja::context! {
            report => Serde(report),
            systems => Serde(systems),
            css => CSS,
            tool_version => env!("CARGO_PKG_VERSION"),
        },
    )
}

/// The same report in Markdown (for a pull request or a wiki).
pub fn markdown(report: &Conformance) -> Result<String, String> {
    render(
        "report.md",
        minijinja::context! {
            report => Serde(report),
            systems => Serde(&report.systems),
            tool_version => env!("CARGO_PKG_VERSION"),
        },
    )
}

/// The same report as JSON (`"version": 1`; fields are only added).
pub fn json(report: &Conformance) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("the report serialises");
    s.push('\n');
    s
}

/// One line of Markdown text: whitespace folded, and `&`, `<` and `>`
/// written as entities outside backtick code spans (inside them Markdown
/// shows characters as they are, and an entity would show literally).
fn md_text(v: &str) -> String {
    let line = v.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(line.len());
    let parts: Vec<&str> = line.split('`').collect();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
        }
        // A code span needs its closing backtick; an unclosed one is text.
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push_str(part);
            continue;
        }
        for c in part.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markdown_text_writes_html_as_text_outside_code_spans() {
        assert_eq!(
            super::md_text("Board <script>alert(1)</script> & `a <b>` | x"),
            "Board &lt;script&gt;alert(1)&lt;/script&gt; &amp; `a <b>` | x"
        );
        assert_eq!(super::md_text("two\n lines"), "two lines");
        // An unclosed backtick opens no code span: what follows is text.
        assert_eq!(super::md_text("a ` <b>"), "a ` &lt;b&gt;");
    }
}
