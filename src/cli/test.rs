//! `icslint test`: runs the `# expect:` annotations of workspaces and the
//! examples of rule packs (the runner is `icslint::testing`).

use super::Selection;
use icslint::testing::{run_paths, Tally, TestOptions};
use icslint::workspace::Workspace;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Workspaces (directories), .icg files, or rule packs (.yaml) whose examples to run
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Print every passing case too
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    selection: Selection,
}

pub fn run(args: Args) -> i32 {
    // `--select NOPE` is a usage error here as in `check`, with a suggestion.
    if !args.selection.select.is_empty() || !args.selection.ignore.is_empty() {
        let ids = known_ids(&args.paths, &args.selection);
        if let Err(msg) = args.selection.options(ids.iter().map(String::as_str)) {
            return super::error(msg);
        }
    }
    let opts = TestOptions {
        select: args.selection.select.clone(),
        ignore: args.selection.ignore.clone(),
        regime: super::regime_of(&args.selection),
        as_of: args.selection.as_of,
    };
    // Each path on its own: one that is missing is reported, and the
    // others are still tested.
    let mut all = Tally::default();
    let mut errors = 0;
    for p in &args.paths {
        match run_paths(std::slice::from_ref(p), &opts, args.verbose) {
            Ok(t) => {
                all.passed += t.passed;
                all.failed += t.failed;
                all.report.push_str(&t.report);
            }
            Err(msg) => {
                super::error(msg);
                errors += 1;
            }
        }
    }
    if errors == args.paths.len() {
        return super::EXIT_ERROR;
    }
    crate::cli::text!("{}", all.report);
    crate::cli::text!("{} passed, {} failed\n", all.passed, all.failed);
    if errors > 0 {
        super::EXIT_ERROR
    } else if all.failed > 0 {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    }
}

/// Every rule ID a test of `paths` can report: the ICG diagnostics, the
/// built-in packs, the local packs of the workspaces and the packs given
/// (or found in a folder given) as paths.
fn known_ids(paths: &[PathBuf], sel: &Selection) -> Vec<String> {
    let mut ids: Vec<String> = icslint::diagnostic::icg::ALL
        .iter()
        .map(|d| d.id.to_string())
        .collect();
    let mut sources = icslint::source::Sources::default();
    let (builtin, _) = icslint::rules::builtin_packs(&mut sources);
    ids.extend(
        builtin
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| r.id.clone())),
    );
    let is_pack = |p: &Path| {
        p.is_file()
            && p.extension().is_some_and(|x| x == "yaml" || x == "yml")
            && p.file_name().is_some_and(|n| n != "icslint.yaml")
    };
    let mut packs = Vec::new();
    let mut trees = Vec::new();
    for p in paths.iter().filter(|p| p.exists()) {
        if is_pack(p) {
            packs.push(p.clone());
            continue;
        }
        trees.push(p.clone());
        if let Ok(rd) = std::fs::read_dir(p) {
            packs.extend(rd.flatten().map(|e| e.path()).filter(|p| is_pack(p)));
        }
    }
    if !trees.is_empty() {
        if let Ok(ws) = Workspace::load(&trees, super::regime_of(sel)) {
            ids.extend(
                ws.packs
                    .iter()
                    .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.clone())),
            );
        }
    }
    for p in packs {
        let Ok(bytes) = icslint::files::read(&p, icslint::files::MAX_PACK) else {
            continue;
        };
        let (text, _) = icslint::config::decode(bytes);
        let file = sources.add(&p, text.clone());
        if let (Some(pack), _) = icslint::rules::load_pack(&text, file, false) {
            ids.extend(pack.rules.into_iter().map(|r| r.id));
        }
    }
    ids
}
