//! `icslint transition`, rendered: a work list per system (human), the
//! same differences as JSON, or a briefing for a board (Markdown, HTML:
//! what the move would require, no longer require, and what stays). The JSON shape is a public interface (README,
//! "Regime and pack transitions"), versioned like `check`'s.

use crate::diagnostic::Finding;
use crate::rules::Pack;
use crate::source::Sources;
use crate::transition::{Difference, Group, Transition};
use minijinja::value::Serde;
use minijinja::Environment;
use serde::Serialize;
use serde_json::json;

/// What one side of the comparison was: a regime imposed on every system
/// (or each system's own) and a folder of packs (or the built-in packs).
#[derive(Clone, Debug, Default)]
pub struct SideLabel {
    pub regime: Option<i64>,
    pub packs: Option<String>,
}

impl SideLabel {
    fn describe(&self) -> String {
        let regime = match self.regime {
            Some(r) => format!("regime {r}"),
            None => "each system's own regime".to_string(),
        };
        let packs = match &self.packs {
            Some(p) => format!("the packs in {p}"),
            None => "the built-in packs".to_string(),
        };
        format!("{regime}, {packs}")
    }
    fn json(&self) -> serde_json::Value {
        json!({ "regime": self.regime, "packs": self.packs })
    }
}

/// The sources a difference's findings point into: `before` into the
/// `from` side's, everything else into the `to` side's.
pub struct Sides<'a> {
    pub from: &'a Sources,
    pub to: &'a Sources,
}

fn place(f: &Finding, sources: &Sources) -> String {
    let (line, col) = sources.get(f.file).line_col(f.span.start);
    format!("{}:{line}:{col}", super::display_path(sources, f.file))
}

fn heading(g: &Group) -> String {
    match &g.system {
        Some(s) => {
            let mut h = s.name.clone();
            let mut notes = Vec::new();
            if let Some(id) = &s.id {
                if *id != s.name {
                    notes.push(id.clone());
                }
            }
            if let Some(r) = s.states {
                notes.push(format!("states regime {r}"));
            }
            if !notes.is_empty() {
                h.push_str(&format!(" ({})", notes.join("; ")));
            }
            h
        }
        None => "Outside any one system (configuration, packs, blocks without a system)".into(),
    }
}

fn counts(t: &Transition) -> (usize, usize, usize) {
    let mut n = (0, 0, 0);
    for d in &t.differences {
        match d {
            Difference::Appear(_) => n.0 += 1,
            Difference::Disappear(_) => n.1 += 1,
            Difference::Change { .. } => n.2 += 1,
        }
    }
    n
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The work list: per system, what would appear (with what to write), what
/// would disappear and what would change, each with its place.
/// `complete`: whether both sides were checked whole (no file, pack or
/// configuration that could not be read, parsed or used).
pub fn human(
    t: &Transition,
    from: &SideLabel,
    to: &SideLabel,
    sides: &Sides,
    complete: bool,
) -> String {
    let mut out = format!(
        "Moving from {}\n         to {}\n\n",
        from.describe(),
        to.describe()
    );
    for g in &t.groups {
        out.push_str(&heading(g));
        out.push('\n');
        if g.is_empty() {
            out.push_str("  nothing changes\n\n");
            continue;
        }
        if !g.appear.is_empty() {
            out.push_str(&format!("  would appear ({}):\n", g.appear.len()));
            for d in &g.appear {
                let f = d.finding();
                out.push_str(&format!(
                    "    + {} {} at {}: {}\n",
                    f.rule,
                    f.severity.as_str(),
                    place(f, sides.to),
                    f.message
                ));
                if let Some(h) = &f.help {
                    out.push_str(&format!("      to do: {h}\n"));
                }
            }
        }
        if !g.disappear.is_empty() {
            out.push_str(&format!("  would disappear ({}):\n", g.disappear.len()));
            for d in &g.disappear {
                let f = d.finding();
                out.push_str(&format!(
                    "    - {} {} at {}: {}\n",
                    f.rule,
                    f.severity.as_str(),
                    place(f, sides.from),
                    f.message
                ));
            }
        }
        if !g.change.is_empty() {
            out.push_str(&format!("  would change ({}):\n", g.change.len()));
            for d in &g.change {
                if let Difference::Change { before, after } = d {
                    let sev = if before.severity == after.severity {
                        after.severity.as_str().to_string()
                    } else {
                        format!("{} → {}", before.severity.as_str(), after.severity.as_str())
                    };
                    out.push_str(&format!(
                        "    ~ {} {sev} at {}\n",
                        after.rule,
                        place(after, sides.to)
                    ));
                    if before.message == after.message {
                        out.push_str(&format!("      {}\n", after.message));
                    } else {
                        out.push_str(&format!("      was: {}\n", before.message));
                        out.push_str(&format!("      now: {}\n", after.message));
                    }
                }
            }
        }
        out.push('\n');
    }
    let (a, d, c) = counts(t);
    let systems = t
        .groups
        .iter()
        .filter(|g| g.system.is_some() && !g.is_empty())
        .count();
    if a + d + c == 0 && complete {
        out.push_str("No differences: every finding is the same on both sides.\n");
    } else if a + d + c == 0 {
        out.push_str("No differences among what could be checked (see below).\n");
    } else {
        out.push_str(&format!(
            "{} would appear, {} would disappear, {} would change, in {}.\n",
            plural(a, "finding", "findings"),
            d,
            c,
            plural(systems, "system", "systems"),
        ));
    }
    out
}

fn entry(d: &Difference, sides: &Sides) -> serde_json::Value {
    match d {
        Difference::Appear(f) => super::json::finding(f, sides.to),
        Difference::Disappear(f) => super::json::finding(f, sides.from),
        Difference::Change { before, after } => json!({
            "rule": after.rule,
            "name": after.name,
            "location": super::json::location(sides.to, after.file, after.span),
            "before": { "severity": before.severity, "message": before.message },
            "after": { "severity": after.severity, "message": after.message },
            "help": after.help,
            "provenance": after.provenance,
        }),
    }
}

/// `--format json`: `from`, `to`, one object per system (`system` null for
/// findings outside any one) with `appear`, `disappear` and `change`, and
/// the totals (each difference counted once).
pub fn json(t: &Transition, from: &SideLabel, to: &SideLabel, sides: &Sides) -> String {
    let list = |v: &[Difference]| v.iter().map(|d| entry(d, sides)).collect::<Vec<_>>();
    let (a, d, c) = counts(t);
    let v = json!({
        "version": super::json::VERSION,
        "from": from.json(),
        "to": to.json(),
        "systems": t.groups.iter().map(|g| json!({
            "system": g.system.as_ref().map(|s| s.id.clone()),
            "name": g.system.as_ref().map(|s| s.name.clone()),
            "states_regime": g.system.as_ref().and_then(|s| s.states),
            "appear": list(&g.appear),
            "disappear": list(&g.disappear),
            "change": list(&g.change),
        })).collect::<Vec<_>>(),
        "summary": { "appear": a, "disappear": d, "change": c },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

// ------------------------------------------------------------ the briefing

const BRIEFING_HTML: &str = include_str!("../../templates/briefing.html");
const BRIEFING_MD: &str = include_str!("../../templates/briefing.md");
const CSS: &str = include_str!("../../templates/report.css");

/// One item of a briefing: a finding as a governance lead reads it.
#[derive(Serialize)]
struct Item {
    rule: String,
    severity: &'static str,
    message: String,
    /// For what stays but reads differently: the message before the move.
    was: Option<String>,
    help: Option<String>,
    location: String,
    source: String,
    /// From a pack that is not enacted (a Bill): not law.
    provisional: bool,
}

#[derive(Serialize)]
struct BriefSystem {
    name: String,
    id: Option<String>,
    states: Option<i64>,
    /// What the move would ask that is not asked today.
    require: Vec<Item>,
    /// What is asked today and would no longer be.
    no_longer: Vec<Item>,
    /// What is asked on both sides (`was` set where it reads differently).
    stays: Vec<Item>,
}

#[derive(Serialize)]
struct Provisional {
    title: String,
    pack: String,
}

#[derive(Serialize)]
struct Note {
    reference: String,
    rules: Vec<String>,
    summary: String,
}

#[derive(Serialize)]
struct Briefing {
    /// "the Bill" where a Bill's pack speaks, else "the move".
    subject: &'static str,
    from: String,
    to: String,
    /// The packs of the `to` side that are not enacted (a Bill's).
    provisional: Vec<Provisional>,
    context: Vec<crate::rules::pack::Context>,
    unconfirmed: Vec<Note>,
    systems: Vec<BriefSystem>,
    /// Findings outside any one system, as differences.
    outside: Option<BriefSystem>,
    complete: bool,
}

fn item(f: &Finding, was: Option<&Finding>, sources: &Sources, packs: &[&Pack]) -> Item {
    let provisional = packs
        .iter()
        .any(|p| !p.enacted && p.rules.iter().any(|r| *r.id == *f.rule));
    Item {
        rule: f.rule.to_string(),
        severity: f.severity.as_str(),
        message: f.message.to_string(),
        was: was
            .filter(|b| b.message != f.message || b.severity != f.severity)
            .map(|b| {
                if b.severity == f.severity {
                    b.message.to_string()
                } else {
                    format!("{} ({})", b.message, b.severity.as_str())
                }
            }),
        help: f.help.as_ref().map(|h| h.to_string()),
        location: place(f, sources),
        source: f
            .provenance
            .as_ref()
            .map(|p| format!("{}, {}", p.source, p.reference))
            .unwrap_or_default(),
        provisional,
    }
}

fn brief_system(g: &Group, sides: &Sides, packs: &[&Pack]) -> BriefSystem {
    let mut stays: Vec<Item> = Vec::new();
    for d in &g.change {
        if let Difference::Change { before, after } = d {
            stays.push(item(after, Some(before), sides.to, packs));
        }
    }
    stays.extend(g.stay.iter().map(|f| item(f, None, sides.to, packs)));
    BriefSystem {
        name: g
            .system
            .as_ref()
            .map_or_else(|| "Outside any one system".to_string(), |s| s.name.clone()),
        id: g.system.as_ref().and_then(|s| s.id.clone()),
        states: g.system.as_ref().and_then(|s| s.states),
        require: g
            .appear
            .iter()
            .map(|d| item(d.finding(), None, sides.to, packs))
            .collect(),
        // Nothing to write for what falls away.
        no_longer: g
            .disappear
            .iter()
            .map(|d| Item {
                help: None,
                ..item(d.finding(), None, sides.from, packs)
            })
            .collect(),
        stays,
    }
}

fn briefing(
    t: &Transition,
    from: &SideLabel,
    to: &SideLabel,
    sides: &Sides,
    packs: &[&Pack],
    complete: bool,
) -> Briefing {
    let mut systems: Vec<BriefSystem> = Vec::new();
    let mut outside = None;
    for g in &t.groups {
        let b = brief_system(g, sides, packs);
        match g.system {
            Some(_) => systems.push(b),
            None => outside = Some(b),
        }
    }
    // A Bill's pack speaks only where the move reaches a regime its rules run under.
    let bills: Vec<&&Pack> = packs
        .iter()
        .filter(|p| {
            !p.enacted
                && p.rules.iter().any(|r| match to.regime {
                    Some(y) => r.regimes.is_empty() || r.regimes.contains(&y),
                    None => true,
                })
        })
        .collect();
    Briefing {
        subject: if bills.is_empty() {
            "the move"
        } else {
            "the Bill"
        },
        from: from.describe(),
        to: to.describe(),
        provisional: bills
            .iter()
            .map(|p| Provisional {
                title: p.title.clone(),
                pack: p.name.clone(),
            })
            .collect(),
        context: bills.iter().flat_map(|p| p.context.clone()).collect(),
        unconfirmed: bills
            .iter()
            .flat_map(|p| p.unconfirmed.iter())
            .map(|u| Note {
                reference: u.reference.clone(),
                rules: u.rules.clone(),
                summary: u.summary.split_whitespace().collect::<Vec<_>>().join(" "),
            })
            .collect(),
        systems,
        outside,
        complete,
    }
}

fn briefing_env() -> Environment<'static> {
    // The conformance report's escaping, filter for filter.
    let mut env = crate::templating::environment();
    env.add_template("briefing.html", BRIEFING_HTML)
        .expect("templates/briefing.html compiles (tested)");
    env.add_template("briefing.md", BRIEFING_MD)
        .expect("templates/briefing.md compiles (tested)");
    env
}

/// Why a briefing could not be written: a template that failed (a bug;
/// the message says where), or the output that could not be written to.
#[derive(Debug)]
pub enum WriteError {
    Template(String),
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Template(msg) => f.write_str(msg),
            WriteError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Renders the briefing to `w` as it is made (the page is not held whole).
fn render_briefing_to(
    name: &str,
    b: &Briefing,
    w: &mut dyn std::io::Write,
) -> Result<(), WriteError> {
    let env = briefing_env();
    let template = env
        .get_template(name)
        .map_err(|e| WriteError::Template(format!("the {name} template failed: {e:#}")))?;
    let ctx = minijinja::context! {
        b => Serde(b),
        css => CSS,
        tool_version => env!("CARGO_PKG_VERSION"),
    };
    let rendered = template.render_captured_to(ctx, &mut *w).map(drop);
    match rendered {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == minijinja::ErrorKind::WriteFailure => Err(WriteError::Io(
            std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .map(|io| std::io::Error::new(io.kind(), io.to_string()))
                .unwrap_or_else(|| std::io::Error::other(e.to_string())),
        )),
        Err(e) => Err(WriteError::Template(format!(
            "the {name} template failed: {e:#}"
        ))),
    }
}

/// The briefing's labels and options, for [`write_briefing`].
pub struct Briefed<'a> {
    pub from: &'a SideLabel,
    pub to: &'a SideLabel,
    pub sides: &'a Sides<'a>,
    pub packs: &'a [&'a Pack],
    pub complete: bool,
    /// HTML (`--format html`, `templates/briefing.html`) rather than
    /// Markdown (`templates/briefing.md`).
    pub html: bool,
}

/// `transition`'s board briefing (`--format markdown` or `html`): per
/// system, what the move would require, no longer require, and what
/// stays, with a Bill's provisional status, the positions cited as context
/// and what the sources do not confirm; written to `w` as it is made. The
/// transition is consumed: each group goes once its part is made.
pub fn write_briefing(
    t: Transition,
    how: &Briefed,
    w: &mut dyn std::io::Write,
) -> Result<(), WriteError> {
    let b = briefing(&t, how.from, how.to, how.sides, how.packs, how.complete);
    drop(t);
    let name = if how.html {
        "briefing.html"
    } else {
        "briefing.md"
    };
    render_briefing_to(name, &b, w)
}
