//! Command-line interface: clap arguments, one file per subcommand.

/// Writes to standard output, ignoring a closed pipe (`icslint rules | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}
/// Text for a person (a terminal, a CI log) to standard output, every
/// line made inert (`icslint::safe::Guard`): what `out!` writes raw is a
/// document's own bytes (`fmt -`, diffs); everything else goes here.
macro_rules! text {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut g = icslint::safe::Guard::new(
            std::io::stdout().lock(),
            icslint::safe::Mode::Text { colour: false },
        );
        let _ = write!(g, $($arg)*);
        let _ = g.finish();
    }};
}
/// [`text!`] to standard error: warnings, notes and errors (recorded
/// for the cache while a check is: `cache::Stderr`).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut g = icslint::safe::Guard::new(
            crate::cli::cache::Stderr,
            icslint::safe::Mode::Text { colour: false },
        );
        let _ = writeln!(g, $($arg)*);
        let _ = g.finish();
    }};
}
pub(crate) use {note, out, text};

mod cache;
mod check;
mod completions;
mod config;
mod explain;
mod fix;
mod fmt;
mod parse;
mod report;
mod rules;
mod test;
mod transition;
mod typology;

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
    /// One paragraph per finding, in words a screen reader speaks well
    Plain,
    /// JUnit XML: one test case per rule and file
    Junit,
    /// GitLab Code Quality JSON
    Gitlab,
}

/// `--color`: `auto` follows the conventions CI systems and terminals
/// set (see [`ColorChoice::enabled`]); `always` and `never` override them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output going to a terminal (`to_terminal`) or not.
    /// Under `auto`, in this order (the order of `anstream`, which ruff
    /// and cargo use): `NO_COLOR` set and not empty turns colour off
    /// (no-color.org); `CLICOLOR_FORCE` or `FORCE_COLOR` set, not empty and
    /// not `0`, turns it on even into a pipe or a file (CI logs that show
    /// colour set them; bixense.com/clicolors, force-color.org);
    /// `CLICOLOR=0` turns it off; otherwise a terminal is coloured unless
    /// `TERM=dumb` (a terminal that understands no escape codes, such as
    /// Emacs's shell).
    pub fn enabled(self, to_terminal: bool) -> bool {
        self.enabled_in(to_terminal, |k| std::env::var(k).ok())
    }

    /// [`ColorChoice::enabled`] with the environment read through `var`.
    pub fn enabled_in(self, to_terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
        let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
        let on = |k: &str| var(k).is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR") => false,
            ColorChoice::Auto if on("CLICOLOR_FORCE") || on("FORCE_COLOR") => true,
            ColorChoice::Auto if var("CLICOLOR").as_deref() == Some("0") => false,
            ColorChoice::Auto => to_terminal && var("TERM").as_deref() != Some("dumb"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ColorChoice::{self, *};

    fn with(c: ColorChoice, tty: bool, env: &[(&str, &str)]) -> bool {
        c.enabled_in(tty, |k| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn colour_follows_the_environment_conventions() {
        assert!(with(Auto, true, &[]));
        assert!(!with(Auto, false, &[]));
        assert!(!with(Auto, true, &[("TERM", "dumb")]));
        assert!(with(Auto, true, &[("TERM", "xterm-256color")]));
        assert!(!with(Auto, true, &[("NO_COLOR", "1")]));
        assert!(
            with(Auto, true, &[("NO_COLOR", "")]),
            "empty NO_COLOR is unset"
        );
        assert!(with(Auto, false, &[("FORCE_COLOR", "1")]));
        assert!(with(Auto, false, &[("CLICOLOR_FORCE", "1")]));
        assert!(with(Auto, true, &[("TERM", "dumb"), ("FORCE_COLOR", "3")]));
        assert!(!with(Auto, false, &[("FORCE_COLOR", "0")]));
        assert!(!with(Auto, false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!with(Auto, false, &[("FORCE_COLOR", "")]));
        assert!(!with(Auto, true, &[("CLICOLOR", "0")]));
        assert!(!with(
            Auto,
            true,
            &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]
        ));
        assert!(with(Always, false, &[("NO_COLOR", "1"), ("TERM", "dumb")]));
        assert!(!with(Never, true, &[("FORCE_COLOR", "1")]));
    }
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
    #[arg(long, value_delimiter = ',', value_parser = rule_prefix)]
    pub select: Vec<String>,
    /// Never report rules whose ID starts with one of these (comma separated)
    #[arg(long, value_delimiter = ',', value_parser = rule_prefix)]
    pub ignore: Vec<String>,
    /// Regime for systems that do not state one (overrides icslint.yaml)
    #[arg(long, value_parser = clap::builder::ValueParser::new(str::parse::<icslint::config::Regime>))]
    pub regime: Option<icslint::config::Regime>,
    /// Check as on this day (YYYY-MM-DD): the authorities' shares in force
    /// on it are the ones checked, and explanations whose review date is
    /// before it have lapsed. Default: today
    #[arg(long, value_name = "DATE", value_parser = as_of_date)]
    pub as_of: Option<icslint::syntax::Date>,
}

/// `--as-of`: an ISO calendar date, as ICG writes dates.
fn as_of_date(s: &str) -> Result<icslint::syntax::Date, String> {
    let t = s.trim();
    icslint::syntax::Date::parse_iso(t).ok_or_else(|| {
        let shaped = t.len() == 10
            && t.char_indices().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if shaped {
            format!("{t} is not a day of the calendar")
        } else {
            format!("`{s}` is not a date: write it as YYYY-MM-DD, like 2026-06-01")
        }
    })
}

/// One `--select`/`--ignore` item: trimmed and upper-cased (IDs are
/// case-insensitive on input). An empty item is refused: `--ignore ""` or
/// `--ignore "CCN,"` would otherwise be a prefix of every rule.
fn rule_prefix(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("an empty rule prefix would match every rule; \
                    name rule IDs or prefixes such as CCN11,STA"
            .to_string());
    }
    Ok(s.to_ascii_uppercase())
}

impl Selection {
    /// The engine's options, once every prefix is known to name at least one
    /// of `rules`; otherwise the usage error to print (with a suggestion).
    pub fn options<'a>(
        &self,
        rules: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<icslint::engine::Options, String> {
        for (flag, list) in [("--select", &self.select), ("--ignore", &self.ignore)] {
            for p in list {
                if rules
                    .clone()
                    .into_iter()
                    .any(|id| id.starts_with(p.as_str()))
                {
                    continue;
                }
                // Suggest a whole ID or a prefix of one (`CCM` → `CCN`).
                let prefixes: std::collections::BTreeSet<&str> = rules
                    .clone()
                    .into_iter()
                    .flat_map(|id| (2..=id.len()).filter_map(move |n| id.get(..n)))
                    .collect();
                let hint = icslint::model::schema::suggest(p, prefixes.iter().copied())
                    .map_or(String::new(), |s| format!("; did you mean {s}?"));
                return Err(format!(
                    "{flag} {p} matches no rule{hint} (`icslint rules` lists every rule)"
                ));
            }
        }
        Ok(icslint::engine::Options {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            as_of: self.as_of,
        })
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check every .icg file under PATHS and report findings
    Check(check::Args),
    /// Format .icg files in the canonical layout (`-` for standard input)
    Fmt(fmt::Args),
    /// Run the `# expect:` annotations of workspaces and rule packs as tests
    Test(test::Args),
    /// Write the conformance report a board reads: HTML (--html FILE), Markdown or JSON
    ///
    /// For each system, each source (the law, CCN, HFMA, the NHS Confederation) and each of
    /// its provisions: whether the documents comply, explain a departure (with the reason,
    /// approver and dates), do not meet it (with the findings) or it does not apply (and why:
    /// regime, typology, no ICP); and what each source recommends that no document can show,
    /// for the board to attest. Charts: findings by source and severity, ICB and ICP
    /// membership by category against what the sources recommend, and each authority's
    /// typology and population shares.
    Report(report::Args),
    /// List, per system, the findings that would appear, disappear or change
    /// under another regime (`--from`/`--to`) or edition of the packs (`--packs-from`/`--packs-to`)
    Transition(transition::Args),
    /// Show each authority's CCN typology and its shares of each system
    Typology {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// The types on this day (YYYY-MM-DD), from the shares in force on it. Default: today
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<icslint::syntax::Date>,
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
    /// Show the settings that apply to a file or folder, and where each came from
    Config(config::Args),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    #[command(
        after_help = "Examples:\n  icslint completions bash > ~/.local/share/bash-completion/completions/icslint\n  icslint completions zsh > \"${fpath[1]}/_icslint\"\n  icslint completions fish > ~/.config/fish/completions/icslint.fish"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
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
        Command::Fmt(args) => fmt::run(args),
        Command::Test(args) => test::run(args),
        Command::Report(args) => report::run(args),
        Command::Transition(args) => transition::run(args),
        Command::Typology { paths, as_of } => typology::run(&paths, as_of),
        Command::Parse { ast: _, file } => parse::run(&file),
        Command::Rules(args) => rules::run(args),
        Command::Explain { rule } => explain::run(&rule),
        Command::Lsp => icslint::lsp::run(),
        Command::Config(args) => config::run(args),
        Command::Completions { shell } => completions::run(shell),
    }
}

pub(crate) fn regime_of(sel: &Selection) -> Option<i64> {
    sel.regime.map(icslint::config::Regime::year)
}

/// Writes a report to `output`, or to standard output when there is
/// none, through a guard for `mode` (`icslint::safe`): a report is read
/// in a terminal or a CI log wherever it is written.
pub(crate) fn emit(
    output: Option<&std::path::Path>,
    mode: icslint::safe::Mode,
    text: &str,
) -> Result<(), i32> {
    emit_with(output, mode, |w| w.write_all(text.as_bytes()))
}

/// [`emit`] for a report written as it is made, through a buffer, rather
/// than built whole first. Standard output's write errors (a closed pipe)
/// end the report quietly, as [`out!`] does.
pub(crate) fn emit_with(
    output: Option<&std::path::Path>,
    mode: icslint::safe::Mode,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), i32> {
    use icslint::safe::Guard;
    use std::io::{BufWriter, Write as _};
    // A buffer each side of the guard: it reads whole runs of lines, not
    // each of serde's small writes.
    // What reaches the output is what the cache records (`cache::Recorded`).
    let guarded = |w: Box<dyn std::io::Write>| {
        let w: Box<dyn std::io::Write> = Box::new(cache::Recorded(w));
        BufWriter::with_capacity(
            1 << 16,
            Guard::new(BufWriter::with_capacity(1 << 16, w), mode),
        )
    };
    let finish = |mut w: BufWriter<Guard<BufWriter<Box<dyn std::io::Write>>>>| {
        w.flush()?;
        w.get_mut().finish()
    };
    match output {
        None => {
            let mut w = guarded(Box::new(std::io::stdout().lock()));
            let _ = write(&mut w).and_then(|()| finish(w));
            Ok(())
        }
        Some(p) => std::fs::File::create(p)
            .and_then(|f| {
                let mut w = guarded(Box::new(f));
                write(&mut w)?;
                finish(w)
            })
            .map_err(|e| error(format_args!("cannot write {}: {e}", shown(p)))),
    }
}

/// An error, to standard error, made inert like every text for a person.
pub(crate) fn error(msg: impl std::fmt::Display) -> i32 {
    note!("error: {msg}");
    EXIT_ERROR
}

/// `--config FILE` names a file that is there: else the error (exit 2),
/// before anything is read.
pub(crate) fn config_missing(config: Option<&std::path::Path>) -> Option<i32> {
    let c = config.filter(|c| !c.is_file())?;
    Some(error(format_args!(
        "the configuration {} {}",
        shown(c),
        if c.exists() {
            "is not a file"
        } else {
            "does not exist"
        }
    )))
}

/// A path as a message shows it: on one line, whatever its name holds
/// (a file may be named `x\n::error::y`).
pub(crate) fn shown(p: &std::path::Path) -> String {
    icslint::safe::one_line(&p.display().to_string()).into_owned()
}

/// A run that found nothing to read: an error (exit 2), so that a path
/// mistyped or a folder moved never passes CI as a clean run. With
/// nothing else to say, the command stops here; when the run has findings
/// of its own (a path that does not exist, ICG009; a configuration that
/// cannot be used, ICG013) it goes on to report them, and ends with
/// [`empty_run`].
pub(crate) fn nothing_to_check(
    ws: &icslint::workspace::Workspace,
    findings: &[icslint::diagnostic::Finding],
    paths: &[PathBuf],
) -> Option<i32> {
    if !ws.files.is_empty() || !findings.is_empty() {
        return None;
    }
    Some(empty_run(paths))
}

/// The error of a run that checked no `.icg` file: exit 2.
pub(crate) fn empty_run(paths: &[PathBuf]) -> i32 {
    let shown: Vec<String> = paths.iter().map(|p| shown(p)).collect();
    error(format_args!(
        "no .icg files found in {}: nothing was checked (files excluded by an icslint.yaml `exclude:` are not counted)",
        shown.join(", ")
    ))
}
