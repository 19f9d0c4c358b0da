//! `icslint completions SHELL`: a completion script generated from the
//! same clap definition the command line parses, so it never goes stale.

use clap::CommandFactory as _;

pub fn run(shell: clap_complete::Shell) -> i32 {
    let mut cmd = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "icslint", &mut script);
    // The script is our own text (no input reaches it): written raw, as a
    // shell must read it.
    super::out!("{}", String::from_utf8_lossy(&script));
    super::EXIT_CLEAN
}
