//! `icslint test`: runs the `# expect:` annotations of workspaces and the
//! examples of rule packs (the runner is `icslint::testing`).

use super::Selection;
use icslint::testing::{run_paths, TestOptions};
use std::path::PathBuf;

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
    let opts = TestOptions {
        select: args.selection.select.clone(),
        ignore: args.selection.ignore.clone(),
        regime: super::regime_of(&args.selection),
    };
    match run_paths(&args.paths, &opts, args.verbose) {
        Ok(t) => {
            crate::cli::out!("{}", t.report);
            crate::cli::outln!("{} passed, {} failed", t.passed, t.failed);
            if t.failed > 0 {
                super::EXIT_FINDINGS
            } else {
                super::EXIT_CLEAN
            }
        }
        Err(msg) => super::error(msg),
    }
}
