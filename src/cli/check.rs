use super::{FailOn, Format, Selection};
use crate::diagnostic::{Finding, Severity};
use crate::engine::{baseline::Baseline, Engine, Options};
use crate::report;
use crate::workspace::Workspace;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files and directories to check (directories are searched for .icg files)
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Exit with status 1 when a finding at or above this severity remains
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Hide findings recorded in this file (the JSON output of an earlier run)
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Colour: `auto` (a terminal, unless NO_COLOR is set), `always` or `never`
    #[arg(long, value_enum, default_value = "auto")]
    color: super::ColorChoice,
    /// Never use colour (the same as `--color never`)
    #[arg(long, hide = true)]
    no_color: bool,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print how many findings each rule produced instead of the findings
    #[arg(long)]
    statistics: bool,
    /// Print the findings and nothing else (no summary, no warnings)
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Apply the safe fixes findings carry (and unsafe ones with --unsafe-fixes), then check again
    #[arg(long)]
    fix: bool,
    /// Print the changes fixes would make as a diff; write nothing
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Also apply fixes that change what a document says (skeletons to complete)
    #[arg(long)]
    unsafe_fixes: bool,
    #[command(flatten)]
    selection: Selection,
}

pub fn options(sel: &Selection) -> Options {
    Options {
        select: sel.select.clone(),
        ignore: sel.ignore.clone(),
    }
}

/// Loads the workspace and runs every enabled rule over it.
pub fn analyse(paths: &[PathBuf], sel: &Selection) -> Result<(Workspace, Vec<Finding>), i32> {
    let ws = Workspace::load(paths, super::regime_of(sel)).map_err(super::error)?;
    let findings = {
        let engine = Engine {
            ws: &ws,
            packs: ws.packs.iter().map(|(o, p)| (*o, p)).collect(),
            opts: options(sel),
        };
        engine.run()
    };
    Ok((ws, findings))
}

pub fn rule_infos(ws: &Workspace) -> Vec<report::sarif::RuleInfo> {
    ws.packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(move |r| (p.builtin, r)))
        .map(|(builtin, r)| report::sarif::RuleInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            summary: r.provenance.summary.clone(),
            help: format!(
                "{}\n\nWhy: {}\n\nSource: {} {}",
                r.help_doc(),
                r.why.trim(),
                r.provenance.source,
                r.provenance.reference
            ),
            severity: r.severity,
            builtin,
            provenance: Some(r.provenance.clone()),
        })
        .collect()
}

pub fn run(args: Args) -> i32 {
    let fixed = if args.fix {
        match super::fix::fix(&args.paths, &args.selection, args.unsafe_fixes) {
            Ok(o) => Some(o.fixed),
            Err(code) => return code,
        }
    } else {
        None
    };
    let (ws, mut findings) = match analyse(&args.paths, &args.selection) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if ws.files.is_empty() && !args.quiet {
        let shown: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!("warning: no .icg files found in {}", shown.join(", "));
    }
    let mut hidden = 0;
    if let Some(path) = &args.baseline {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                return super::error(format_args!(
                    "cannot read the baseline {}: {e}",
                    path.display()
                ))
            }
        };
        match Baseline::parse(&text) {
            Ok(b) => hidden = b.filter(&mut findings, &ws.sources),
            Err(e) => return super::error(format_args!("{}: {e}", path.display())),
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = !args.no_color && args.color.enabled(to_terminal);
    if args.diff {
        let o = super::fix::diff(&ws, &findings, args.unsafe_fixes, color);
        if !args.quiet {
            eprintln!("{} would be fixed", plural(o.fixed, "finding", "findings"));
        }
        return if o.fixed > 0 {
            super::EXIT_FINDINGS
        } else {
            super::EXIT_CLEAN
        };
    }
    let out = if args.statistics {
        report::statistics(&findings)
    } else {
        match args.format {
            Format::Human => {
                let mut s = report::human(&findings, &ws.sources, color, 100);
                if !args.quiet {
                    s.push_str(&summary(&findings, ws.files.len(), hidden));
                    s.push_str(&fix_summary(&findings, fixed, args.unsafe_fixes));
                }
                s
            }
            Format::Plain => {
                let mut s = report::plain(&findings, &ws.sources);
                if !args.quiet {
                    s.push_str(&summary(&findings, ws.files.len(), hidden));
                    s.push_str(&fix_summary(&findings, fixed, args.unsafe_fixes));
                }
                s
            }
            Format::Json => report::json(&findings, &ws.sources),
            Format::Github => report::github(&findings, &ws.sources),
            Format::Sarif => report::sarif(&findings, &ws.sources, &rule_infos(&ws)),
            Format::Junit => report::junit(&findings, &ws.sources, &ws.files),
            Format::Gitlab => report::gitlab(&findings, &ws.sources),
        }
    };
    if let Err(code) = super::emit(args.output.as_deref(), &out) {
        return code;
    }
    if findings
        .iter()
        .any(|f| matches!(f.rule.as_str(), "ICG012" | "ICG013"))
    {
        return super::EXIT_ERROR;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Advice => Some(Severity::Advice),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => super::EXIT_FINDINGS,
        _ => super::EXIT_CLEAN,
    }
}

/// After `--fix`: how many were fixed and how many remain; otherwise how
/// many `--fix` (or `--unsafe-fixes`) could fix.
fn fix_summary(findings: &[Finding], fixed: Option<usize>, unsafe_fixes: bool) -> String {
    use crate::diagnostic::Safety;
    let count = |s: Safety| {
        findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.safety == s))
            .count()
    };
    let (safe, risky) = (count(Safety::Safe), count(Safety::Unsafe));
    let mut s = match fixed {
        Some(n) => format!(
            "Fixed {}; {} remain.\n",
            plural(n, "finding", "findings"),
            findings.len()
        ),
        None if safe > 0 => format!(
            "{} can be fixed with `icslint check --fix`.\n",
            plural(safe, "finding", "findings")
        ),
        None => String::new(),
    };
    if risky > 0 && !unsafe_fixes {
        s.push_str(&format!(
            "{} can be fixed with `--fix --unsafe-fixes` (the fixes add text you must check and complete).\n",
            plural(risky, "more finding", "more findings")
        ));
    }
    s
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn summary(findings: &[Finding], files: usize, hidden: usize) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut s = if findings.is_empty() {
        format!("No findings in {}.\n", plural(files, "file", "files"))
    } else {
        format!(
            "Found {}, {} and {} in {}.\n",
            plural(count(Severity::Error), "error", "errors"),
            plural(count(Severity::Warning), "warning", "warnings"),
            plural(count(Severity::Advice), "advice", "advice"),
            plural(files, "file", "files")
        )
    };
    if hidden > 0 {
        s.push_str(&format!(
            "{} recorded in the baseline not shown.\n",
            plural(hidden, "finding", "findings")
        ));
    }
    s
}
