//! Command-line interface: clap arguments, one file per subcommand.

/// Writes to standard output, ignoring a closed pipe (`icslint rules | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use {out, outln};

mod check;
mod explain;
mod parse;
mod rules;
mod test;
mod typology;

pub use test::{annotations, compare, test_pack_examples, Annotations, Mismatch, Tally};

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage, configuration or I/O error.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "icslint",
    version,
    about = "Checks ICS governance documents (.icg) against the law and published recommendations",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Advice,
    Never,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Selection {
    /// Only report rules whose ID starts with one of these (comma separated): `--select CCN11,STA`
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never report rules whose ID starts with one of these (comma separated)
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Regime for systems that do not state one (overrides icslint.yaml)
    #[arg(long, value_parser = ["2022", "2025"])]
    pub regime: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check every .icg file under PATHS and report findings
    Check(check::Args),
    /// Run the `# expect:` annotations of workspaces and rule packs as tests
    Test(test::Args),
    /// Show each authority's CCN typology and its shares of each system
    Typology {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
    },
    /// Parse one file and print its syntax tree
    Parse {
        /// Print the AST (the only dump so far)
        #[arg(long)]
        ast: bool,
        file: PathBuf,
    },
    /// List every rule with its pack, severity and regimes
    Rules(rules::Args),
    /// Explain a rule: what it checks, why, where the obligation comes from, and examples
    Explain {
        /// A rule ID such as CCN111 (or its name)
        rule: String,
    },
    /// Run the language server (LSP over stdin and stdout) for editors
    Lsp,
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Typology { paths } => typology::run(&paths),
        Command::Parse { ast: _, file } => parse::run(&file),
        Command::Rules(args) => rules::run(args),
        Command::Explain { rule } => explain::run(&rule),
        Command::Lsp => crate::lsp::run(),
    }
}

pub(crate) fn regime_of(sel: &Selection) -> Option<i64> {
    sel.regime.as_deref().and_then(|r| r.parse().ok())
}

pub(crate) fn error(msg: impl std::fmt::Display) -> i32 {
    eprintln!("error: {msg}");
    EXIT_ERROR
}
