//! The report's three renderings of one `Conformance`: HTML (one
//! self-contained file: styles inline, charts as inline SVG, no script, A4
//! print rules), Markdown, and JSON. HTML and Markdown come from minijinja
//! templates in `templates/`, compiled in; values are escaped by the
//! template engine (HTML auto-escaping by the template's name) after
//! `safe::xml_chars`, and by `safe`'s Markdown escaper in Markdown, never by
//! hand-built strings. The HTML links only `http` and `https` addresses,
//! and its Content-Security-Policy forbids script.

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
    let mut env = crate::templating::environment();
    env.add_filter("thousands", |v: f64| super::thousands(v));
    env.add_filter("pct", |v: f64| {
        format!("{}%", crate::syntax::fmt_num((v * 10.0).round() / 10.0))
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
