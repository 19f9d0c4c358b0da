use super::{FailOn, Format, Selection};
use crate::diagnostic::{Finding, Severity};
use crate::engine::{baseline::Baseline, Engine};
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
    /// Never use colour
    #[arg(long)]
    no_color: bool,
    #[command(flatten)]
    selection: Selection,
}

/// Loads the workspace and runs every enabled rule over it.
pub fn analyse(paths: &[PathBuf], sel: &Selection) -> Result<(Workspace, Vec<Finding>), i32> {
    let ws = Workspace::load(paths, super::regime_of(sel)).map_err(super::error)?;
    let known = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
        .chain(crate::diagnostic::icg::ALL.iter().map(|d| d.id));
    let opts = sel.options(known).map_err(super::error)?;
    let findings = {
        let engine = Engine {
            ws: &ws,
            packs: ws.packs.iter().map(|(o, p)| (*o, p)).collect(),
            opts,
        };
        engine.run()
    };
    Ok((ws, findings))
}

pub fn rule_infos(ws: &Workspace) -> Vec<report::sarif::RuleInfo> {
    ws.packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter())
        .map(|r| report::sarif::RuleInfo {
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
        })
        .collect()
}

pub fn run(args: Args) -> i32 {
    let (ws, mut findings) = match analyse(&args.paths, &args.selection) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if ws.files.is_empty() {
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
        // Paths in a baseline are relative to its folder, not to where we run.
        let base = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| p.parent().map(PathBuf::from))
            .unwrap_or_default();
        let cwd = std::env::current_dir().unwrap_or_default();
        match Baseline::parse(&text, &base) {
            Ok(b) => {
                hidden = b.filter(&mut findings, |f| {
                    let p = ws.sources.path(f);
                    std::fs::canonicalize(p).unwrap_or_else(|_| cwd.join(p))
                })
            }
            Err(e) => return super::error(format_args!("{}: {e}", path.display())),
        }
    }
    let out = match args.format {
        Format::Human => {
            let color = !args.no_color
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let mut s = report::human(&findings, &ws.sources, color, 100);
            s.push_str(&summary(&findings, ws.files.len(), hidden));
            s
        }
        Format::Json => report::json(&findings, &ws.sources),
        Format::Github => report::github(&findings, &ws.sources),
        Format::Sarif => report::sarif(&findings, &ws.sources, &rule_infos(&ws)),
    };
    crate::cli::out!("{out}");
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
