//! `icslint report`: the conformance report a board reads, as one
//! self-contained HTML file, Markdown or JSON (`icslint::conformance`).

use super::Selection;
use icslint::conformance::{self, render};
use icslint::engine::Engine;
use icslint::workspace::Workspace;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file (styles and SVG charts inline, no script; prints to A4)
    Html,
    /// Markdown tables, for a pull request or a wiki
    Md,
    /// JSON (`"version": 1`), for other tools
    Json,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  icslint report . --html report.html\n  icslint report northmoor --format md\n  icslint report . --format json --output report.json\n\nExit status: 0 when the report was written (whatever it says); 2 on a usage or I/O error, or when a file, rule pack or icslint.yaml could not be read or used (the report is still written and names it)."
)]
pub struct Args {
    /// Files and directories to report on (directories are searched for .icg files)
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Write the HTML report to FILE (the same as `--format html --output FILE`)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["format", "output"])]
    html: Option<PathBuf>,
    /// Output format [default: md, or html with --html]
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Use this configuration file for every file instead of the nearest icslint.yaml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
}

pub fn run(args: Args) -> i32 {
    if let Some(code) = super::config_missing(args.config.as_deref()) {
        return code;
    }
    let opts = icslint::workspace::LoadOptions {
        regime: super::regime_of(&args.selection),
        config: args.config.clone(),
        as_of: args.selection.as_of,
        ..Default::default()
    };
    let ws = match Workspace::load_with(&args.paths, &opts) {
        Ok(ws) => ws,
        Err(e) => return super::error(e),
    };
    if let Some(code) = super::nothing_to_check(&ws, &ws.findings, &args.paths) {
        return code;
    }
    let known = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
        .chain(icslint::diagnostic::icg::ALL.iter().map(|d| d.id));
    let opts = match args.selection.options(known) {
        Ok(o) => o,
        Err(e) => return super::error(e),
    };
    // The day explanations' review dates are checked against: the engine
    // marks an explanation overdue by it, and the report says it.
    let as_of = opts.as_of.unwrap_or_else(icslint::syntax::Date::today);
    let engine = Engine::new(&ws, opts);
    let findings = engine.run();
    let report = conformance::build(&ws, &engine, &findings, &as_of.to_string());
    // What the exit status needs, then the workspace, the engine and the
    // findings go: the report holds what it shows, and is written as it is
    // made (at national scale the HTML is ten times the documents).
    let unread = findings
        .iter()
        .filter(|f| matches!(f.rule.as_str(), "ICG009" | "ICG012" | "ICG013"))
        .count();
    let no_files = ws.files.is_empty();
    drop(engine);
    drop(findings);
    drop(ws);
    let (format, output) = match args.html {
        Some(file) => (ReportFormat::Html, Some(file)),
        None => (args.format.unwrap_or(ReportFormat::Md), args.output),
    };
    let mode = match format {
        ReportFormat::Html => icslint::safe::Mode::Xml,
        ReportFormat::Md => icslint::safe::Mode::Text { colour: false },
        ReportFormat::Json => icslint::safe::Mode::Json,
    };
    let no_system = report.systems.is_empty();
    let report = std::sync::Arc::new(report);
    // A template that fails is reported even on a standard output that
    // swallows write errors (a closed pipe ends the report quietly).
    let mut failed = None;
    let written = super::emit_with(output.as_deref(), mode, |w| {
        let made = match format {
            ReportFormat::Html => render::write_html(report, w),
            ReportFormat::Md => render::write_markdown(report, w),
            ReportFormat::Json => render::write_json(&report, w).map_err(render::WriteError::Io),
        };
        match made {
            Ok(()) => Ok(()),
            Err(render::WriteError::Io(e)) => Err(e),
            Err(render::WriteError::Template(msg)) => {
                failed = Some(msg);
                Ok(())
            }
        }
    });
    if let Some(msg) = failed {
        return super::error(msg);
    }
    if let Err(code) = written {
        return code;
    }
    if no_system && !no_files {
        super::note!("note: the documents name no `system`; the report has no system to describe");
    }
    // As in `check`: a file, pack or configuration that could not be read or
    // used is an error (the report is still written, and names it).
    if unread > 0 {
        super::note!(
            "error: {unread} file(s), pack(s) or configuration(s) could not be read or used; the report names them, and its statuses leave them out"
        );
        return super::EXIT_ERROR;
    }
    if no_files {
        return super::empty_run(&args.paths);
    }
    super::EXIT_CLEAN
}
