//! `icslint transition`: loads the workspace once per side (a regime
//! imposed on every system, a folder of packs) and prints what would change.

use super::{Selection, EXIT_CLEAN, EXIT_ERROR};
use icslint::config::Regime;
use icslint::engine::{always_shown, Engine};
use icslint::report::transition::{self as render, SideLabel, Sides};
use icslint::transition::{compare, placed, Side};
use icslint::workspace::{LoadOptions, Workspace};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// A board briefing: per system, what the move would require, no longer require, and what stays
    Markdown,
    /// The same briefing as one self-contained HTML page
    Html,
}

fn regime(s: &str) -> Result<Regime, String> {
    s.parse::<Regime>()
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files and directories to compare (directories are searched for .icg files)
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The regime every system moves from (default: each system's own)
    #[arg(long, value_name = "YEAR", value_parser = clap::builder::ValueParser::new(regime))]
    from: Option<Regime>,
    /// The regime every system moves to (default: each system's own)
    #[arg(long, value_name = "YEAR", value_parser = clap::builder::ValueParser::new(regime))]
    to: Option<Regime>,
    /// A folder of rule packs (*.yaml) to compare from, instead of the built-in packs
    #[arg(long, value_name = "DIR")]
    packs_from: Option<PathBuf>,
    /// A folder of rule packs (*.yaml) to compare to, instead of the built-in packs
    #[arg(long, value_name = "DIR")]
    packs_to: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the work list to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
}

pub fn run(args: Args) -> i32 {
    if args.from.is_none()
        && args.to.is_none()
        && args.packs_from.is_none()
        && args.packs_to.is_none()
    {
        return super::error(
            "say what to compare: --from and --to a regime (2022, 2025, 2026), \
             and/or --packs-from and --packs-to a folder of rule packs",
        );
    }
    let side = |r: Option<Regime>, packs: &Option<PathBuf>| LoadOptions {
        regime: super::regime_of(&args.selection),
        force_regime: r.map(Regime::year),
        packs: packs.clone(),
        as_of: args.selection.as_of,
        ..LoadOptions::default()
    };
    let load = |o: &LoadOptions| Workspace::load_with(&args.paths, o).map_err(super::error);
    // One side at a time: the `from` side is loaded and checked, and its
    // model let go (what the comparison reads of it is taken down first:
    // `transition::placed`), before the `to` side is loaded. Its texts
    // stay: the work list gives a line and column for what disappears.
    let mut from_ws = match load(&side(args.from, &args.packs_from)) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    // `--select` and `--ignore` are checked against both sides' rules once
    // both are loaded; the `from` side runs with them as given.
    let given: Vec<&str> = args
        .selection
        .select
        .iter()
        .chain(&args.selection.ignore)
        .map(String::as_str)
        .collect();
    let opts = match args.selection.options(given.iter().copied()) {
        Ok(o) => o,
        Err(msg) => return super::error(msg),
    };
    let from_findings = Engine::new(&from_ws, opts.clone()).run();
    let from_placed = placed(&from_ws, &from_findings);
    from_ws.model = icslint::model::Model::default();
    let to_ws = match load(&side(args.to, &args.packs_to)) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    if to_ws.files.is_empty() {
        let shown: Vec<String> = args.paths.iter().map(|p| super::shown(p)).collect();
        super::note!("warning: no .icg files found in {}", shown.join(", "));
    }
    // A prefix is valid when it names a rule of either side.
    let known: Vec<String> = [&from_ws, &to_ws]
        .iter()
        .flat_map(|ws| ws.packs.iter())
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.clone()))
        .chain(
            icslint::diagnostic::icg::ALL
                .iter()
                .map(|d| d.id.to_string()),
        )
        .collect();
    if let Err(msg) = args.selection.options(known.iter().map(String::as_str)) {
        return super::error(msg);
    }
    let to_findings = Engine::new(&to_ws, opts).run();
    let t = compare(
        Side {
            ws: &from_ws,
            findings: &from_findings,
            placed: Some(&from_placed),
        },
        Side {
            ws: &to_ws,
            findings: &to_findings,
            placed: None,
        },
    );
    let label = |r: Option<Regime>, p: &Option<PathBuf>| SideLabel {
        regime: r.map(Regime::year),
        packs: p.as_ref().map(|p| p.display().to_string()),
    };
    let (from, to) = (
        label(args.from, &args.packs_from),
        label(args.to, &args.packs_to),
    );
    // What the rendering reads of the `to` side is its texts and packs.
    let mut to_ws = to_ws;
    to_ws.model = icslint::model::Model::default();
    let sides = Sides {
        from: &from_ws.sources,
        to: &to_ws.sources,
    };
    let mode = match args.format {
        Format::Human => icslint::safe::Mode::Text { colour: false },
        Format::Json => icslint::safe::Mode::Json,
        // As `icslint report`'s HTML and Markdown.
        Format::Html => icslint::safe::Mode::Xml,
        Format::Markdown => icslint::safe::Mode::Text { colour: false },
    };
    let out = match args.format {
        Format::Human => {
            let complete = !from_findings
                .iter()
                .chain(to_findings.iter())
                .any(|f| always_shown(&f.rule));
            let mut s =
                super::check::escape_controls(&render::human(&t, &from, &to, &sides, complete));
            // What stopped part of the workspace from being checked hides
            // differences too: say so, on each side.
            for (name, found) in [("from", &from_findings), ("to", &to_findings)] {
                let n = found.iter().filter(|f| always_shown(&f.rule)).count();
                if n > 0 {
                    s.push_str(&format!(
                        "warning: on the `{name}` side, {n} problem{} (text that cannot be read or parsed, \
                         a pack or configuration that cannot be used) left part of the workspace unchecked; \
                         `icslint check` lists them.\n",
                        if n == 1 { "" } else { "s" }
                    ));
                }
            }
            Some(s)
        }
        Format::Json => Some(render::json(&t, &from, &to, &sides)),
        Format::Markdown | Format::Html => None,
    };
    let written = match out {
        Some(out) => super::emit(args.output.as_deref(), mode, &out),
        None => {
            // The briefing is written as it is made; a template that fails
            // is reported even where write errors end the output quietly.
            let complete = !from_findings
                .iter()
                .chain(to_findings.iter())
                .any(|f| always_shown(&f.rule));
            let packs: Vec<&icslint::rules::Pack> = to_ws.packs.iter().map(|(_, p)| p).collect();
            let how = render::Briefed {
                from: &from,
                to: &to,
                sides: &sides,
                packs: &packs,
                complete,
                html: args.format == Format::Html,
            };
            let mut failed = None;
            let written =
                super::emit_with(
                    args.output.as_deref(),
                    mode,
                    |w| match render::write_briefing(t, &how, w) {
                        Ok(()) => Ok(()),
                        Err(render::WriteError::Io(e)) => Err(e),
                        Err(render::WriteError::Template(msg)) => {
                            failed = Some(msg);
                            Ok(())
                        }
                    },
                );
            if let Some(msg) = failed {
                return super::error(msg);
            }
            written
        }
    };
    if let Err(code) = written {
        return code;
    }
    // As for `check`: a file, pack or configuration that could not be read
    // or used is an I/O or configuration error, and the list is incomplete.
    if from_findings
        .iter()
        .chain(&to_findings)
        .any(|f| matches!(f.rule.as_str(), "ICG009" | "ICG012" | "ICG013"))
    {
        return EXIT_ERROR;
    }
    EXIT_CLEAN
}
