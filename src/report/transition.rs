//! `icslint transition`, rendered: a work list per system (human) or the
//! same differences as JSON. The JSON shape is a public interface (README,
//! "Regime and pack transitions"), versioned like `check`'s.

use crate::diagnostic::Finding;
use crate::source::Sources;
use crate::transition::{Difference, Group, Transition};
use serde_json::{json, Value};

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
    fn json(&self) -> Value {
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

fn entry(d: &Difference, sides: &Sides) -> Value {
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
