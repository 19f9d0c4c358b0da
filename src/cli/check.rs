use super::{FailOn, Format, Selection};
use clap::ValueEnum as _;
use icslint::diagnostic::{Finding, Severity};
use icslint::engine::{baseline::Baseline, Engine};
use icslint::report;
use icslint::report::plural;
use icslint::safe::{self, Mode};
use icslint::source::{FileId, Sources};
use icslint::workspace::{LoadOptions, Workspace};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
#[command(after_long_help = CHECK_HELP)]
pub struct Args {
    /// Files and directories to check (directories are searched for .icg and .ICG files); `-` reads one document from standard input
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The name the document on standard input is checked as: its icslint.yaml is found from its folder, and findings name it (implies `-` when no path is given)
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Use this configuration file for every file instead of the nearest icslint.yaml (its `rules:` packs must be in its folder)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Exit with status 1 when a finding at or above this severity remains
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Hide findings recorded in this file (the JSON output of an earlier run)
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Colour: `auto` (a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR or CLICOLOR_FORCE force it), `always` or `never`
    #[arg(long, value_enum, default_value = "auto")]
    color: super::ColorChoice,
    /// Never use colour (the same as `--color never`)
    #[arg(long, hide = true)]
    no_color: bool,
    /// Also list the folders not entered (hidden folders, `target`, links back up the tree)
    #[arg(long, short)]
    verbose: bool,
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
    #[command(flatten)]
    cache: super::cache::CacheArgs,
}

/// `check --help`: examples and what each exit status means, for a CI
/// engineer writing a pipeline.
const CHECK_HELP: &str = "\
Examples:
  icslint check                      check every .icg file under this folder
  icslint check northmoor --format github
                                     annotations on a GitHub pull request
  icslint check . --format junit -o report.xml
                                     a JUnit report for Jenkins or GitLab
  icslint check . --fail-on warning  fail on warnings too, not only errors
  icslint check . --baseline old.json
                                     report only what is new since old.json
  icslint check - --stdin-filename nm/system.icg < system.icg
                                     check an editor's buffer or a pipe
  icslint check . --config ci/icslint.yaml
                                     one configuration for every file
  icslint config nm/system.icg       which settings apply there, and why

Exit status:
  0  no finding at or above --fail-on (default: error) remains
  1  a finding at or above --fail-on remains (explained departures and
     findings hidden by --baseline do not count)
  2  nothing was checked (a path that does not exist, a folder with no
     .icg file), a file, rule pack or configuration could not be read or
     used (ICG009, ICG012, ICG013), or the command line is wrong";

/// Where a check reads its documents and configuration, beyond its paths.
#[derive(Clone, Debug, Default)]
pub struct Input {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// The document on standard input and the name it is checked as.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
}

/// Loads the workspace and runs every enabled rule over it. The
/// workspace keeps its language findings (`--fix` reads which files were
/// not UTF-8 from them).
pub fn analyse(
    paths: &[PathBuf],
    sel: &Selection,
    input: &Input,
) -> Result<(Workspace, Vec<Finding>), i32> {
    analyse_with(paths, sel, input, false, None)
}

/// The most read from standard input: the limit of a file.
const MAX_STDIN: u64 = icslint::files::MAX_ICG;

/// Reads the document on standard input, within the limit of a file.
fn read_stdin() -> Result<Vec<u8>, i32> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| super::error(format_args!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err(super::error(format_args!(
            "standard input holds more than {}: icslint checks documents under that size",
            icslint::files::bytes(MAX_STDIN + 1)
        )));
    }
    Ok(bytes)
}

/// The paths to walk and the input of a check: `-` (or `--stdin-filename`
/// with no path) is the document on standard input.
fn input_of(args: &Args) -> Result<(Vec<PathBuf>, Input), i32> {
    let dash = args.paths.iter().any(|p| p.as_os_str() == "-");
    // `--stdin-filename` alone: clap's default path `.` is not one the user gave.
    let only_default = args.paths.len() == 1 && args.paths[0].as_os_str() == ".";
    let from_stdin = dash || (args.stdin_filename.is_some() && only_default);
    let paths: Vec<PathBuf> = if from_stdin {
        args.paths
            .iter()
            .filter(|p| p.as_os_str() != "-" && (dash || !only_default))
            .cloned()
            .collect()
    } else {
        args.paths.clone()
    };
    if from_stdin && (args.fix || args.diff) {
        return Err(super::error(
            "--fix and --diff change files; they cannot change standard input (check the file itself)",
        ));
    }
    if args.stdin_filename.is_some() && !from_stdin {
        return Err(super::error(
            "--stdin-filename names the document on standard input: give `-` as the path",
        ));
    }
    let stdin = if from_stdin {
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        Some((name, read_stdin()?))
    } else {
        None
    };
    if let Some(code) = super::config_missing(args.config.as_deref()) {
        return Err(code);
    }
    Ok((
        paths,
        Input {
            config: args.config.clone(),
            stdin,
        },
    ))
}

/// A check lets each text go once its file is lowered, and reads it again
/// for the report, when the documents come to this many bytes or more
/// (see `LoadOptions::release_texts_over`): below it, memory is mostly the
/// program's own, and reading the files twice would cost more than it
/// saves.
const RELEASE_TEXTS_OVER: usize = 4 << 20;

/// [`analyse`]; with `move_language`, the language findings are moved
/// into the result rather than copied, and the workspace no longer has
/// them: a file can hold hundreds of thousands (an unknown key on every
/// line), and a check only reports them.
fn analyse_with(
    paths: &[PathBuf],
    sel: &Selection,
    input: &Input,
    move_language: bool,
    release_texts_over: Option<usize>,
) -> Result<(Workspace, Vec<Finding>), i32> {
    let opts = LoadOptions {
        regime: super::regime_of(sel),
        as_of: sel.as_of,
        release_texts_over,
        config: input.config.clone(),
        stdin: input.stdin.clone(),
        ..LoadOptions::default()
    };
    let mut ws = Workspace::load_with(paths, &opts).map_err(super::error)?;
    let known = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
        .chain(icslint::diagnostic::icg::ALL.iter().map(|d| d.id));
    let opts = sel.options(known).map_err(super::error)?;
    let findings = if move_language {
        let language = std::mem::take(&mut ws.findings);
        Engine::new(&ws, opts).run_on(language)
    } else {
        Engine::new(&ws, opts).run()
    };
    Ok((ws, findings))
}

/// A check, through the cache (`cli::cache`): a run whose inputs are as
/// they were writes what it wrote then.
pub fn run(args: Args) -> i32 {
    use super::cache::{begin, end, replay, Begin};
    let key = |seen: Option<&icslint::cache::Seen>| cache_key(&args, seen);
    let first = args.paths.first().map(PathBuf::as_path);
    match begin(&args.cache, args.verbose, first, || key(None)) {
        Begin::Hit(entry) => replay(&entry, args.output.as_deref()),
        Begin::Run(recorded) => {
            let code = run_uncached(args.clone());
            end(recorded, code, |seen| key(Some(seen)))
        }
    }
}

/// The inputs of a check, hashed (`icslint::cache::Key`): every option
/// as given (`Args` whole, so a new flag is in it), the colour chosen,
/// the day it is as of, the current folder, the baseline, and every
/// file, configuration and pack it reads. `None` for a check that is
/// never cached: `--fix` and `--diff` write or read beyond the report,
/// and standard input cannot be read twice.
fn cache_key(args: &Args, seen: Option<&icslint::cache::Seen>) -> Option<icslint::cache::Key> {
    let from_stdin =
        args.stdin_filename.is_some() || args.paths.iter().any(|p| p.as_os_str() == "-");
    if args.fix || args.diff || from_stdin {
        return None;
    }
    let mut k = icslint::cache::Key::new();
    k.field("args", format!("{args:?}").as_bytes());
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = !args.no_color && args.color.enabled(to_terminal);
    k.field("colour", &[u8::from(color)]);
    let day = args
        .selection
        .as_of
        .unwrap_or_else(icslint::syntax::Date::today);
    k.field("as of", format!("{day:?}").as_bytes());
    k.path("cwd", &std::env::current_dir().ok()?);
    if let Some(b) = &args.baseline {
        k.file("baseline", b, icslint::files::MAX_BASELINE);
        k.path(
            "baseline folder",
            &std::fs::canonicalize(b).unwrap_or_default(),
        );
    }
    k.workspace(&args.paths, args.config.as_deref(), seen)?;
    Some(k)
}

fn run_uncached(args: Args) -> i32 {
    if args.statistics && !matches!(args.format, Format::Human | Format::Plain | Format::Json) {
        return super::error(format_args!(
            "--statistics prints a table (--format human or plain) or JSON (--format json), not --format {}",
            args.format.to_possible_value().map_or(String::new(), |v| v.get_name().to_string())
        ));
    }
    let (paths, input) = match input_of(&args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let fixed = if args.fix {
        match super::fix::fix(&paths, &args.selection, &input, args.unsafe_fixes) {
            Ok(o) => Some(o.fixed),
            Err(code) => return code,
        }
    } else {
        None
    };
    // `--diff` reads the texts beside the model: they stay.
    let release = (!args.diff).then_some(RELEASE_TEXTS_OVER);
    // A document from standard input keeps its text: it cannot be read again.
    let release = release.filter(|_| input.stdin.is_none());
    let (ws, mut findings) = match analyse_with(&paths, &args.selection, &input, true, release) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The process ends after this command: freeing the workspace piece by
    // piece would only cost time (2.5 ms of 50 at 1x national).
    let mut ws = std::mem::ManuallyDrop::new(ws);
    // The cache's own folder is not a folder the user left out.
    ws.skipped
        .retain(|(p, _)| !icslint::cache::is_cache_folder(p));
    // An empty run must not pass CI by accident (a path mistyped, a folder
    // moved): nothing to check is an error, as in ruff and eslint. A path
    // that could not be read is reported below, as ICG009.
    if let Some(code) = super::nothing_to_check(&ws, &findings, &args.paths) {
        return code;
    }
    let mut hidden = 0;
    if let Some(path) = &args.baseline {
        // Bytes within a limit from a regular file: `--baseline /dev/stdin`
        // or a FIFO is refused at once rather than waited on.
        let read = icslint::files::read(path, icslint::files::MAX_BASELINE)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8 text".to_string()));
        let text = match read {
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
                let m = b.apply(&mut findings, |f| {
                    let p = ws.sources.path(f);
                    std::fs::canonicalize(p).unwrap_or_else(|_| cwd.join(p))
                });
                hidden = m.hidden;
                // A baseline that hides nothing it recorded is a baseline
                // of other files (or everything in it was fixed): say so,
                // rather than let it look as if it worked.
                if m.recorded > 0 && m.unmatched == m.recorded {
                    super::note!(
                        "warning: the baseline {} matched none of the {} findings it records: it was written for other files, or they have all been fixed",
                        super::shown(path),
                        m.recorded
                    );
                } else if m.unmatched > 0 && !args.quiet {
                    super::note!(
                        "note: {} of the {} findings the baseline {} records no longer occur: write it again to keep it current",
                        m.unmatched,
                        m.recorded,
                        super::shown(path)
                    );
                }
            }
            Err(e) => return super::error(format_args!("{}: {e}", path.display())),
        }
    }
    // The texts the report reads come back (statistics read none).
    if !args.statistics {
        if let Err(changed) = ws.restore_texts(&mut findings) {
            return super::error(changed_files(&changed));
        }
    }
    if args.verbose {
        for (path, why) in &ws.skipped {
            super::note!("note: not entered: {} ({why})", super::shown(path));
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = !args.no_color && args.color.enabled(to_terminal);
    if args.diff {
        let o = super::fix::diff(&mut ws, &findings, args.unsafe_fixes, color);
        if !args.quiet {
            eprintln!("{} would be fixed", plural(o.fixed, "finding", "findings"));
        }
        return if o.fixed > 0 {
            super::EXIT_FINDINGS
        } else {
            super::EXIT_CLEAN
        };
    }
    // Text from the documents goes to a terminal or a screen reader: never
    // let it carry raw control characters (escape sequences, bidirectional
    // overrides). Only the formats that print the documents' text as text
    // need it: JSON, SARIF, GitLab and JUnit escape within their syntax
    // (`safe::Guard`'s JSON and XML modes), and skipping it there saves a
    // pass over every finding and every text it points into.
    let terminal = matches!(args.format, Format::Human | Format::Plain | Format::Github);
    let safe = if args.statistics || !terminal {
        None
    } else {
        terminal_safe(&findings, &ws.sources, args.format != Format::Github)
    };
    let (shown, sources) = match (&safe, args.format) {
        (Some((f, s)), Format::Human | Format::Plain | Format::Github) => (f.as_slice(), s),
        _ => (findings.as_slice(), &ws.sources),
    };
    // `None`: a report written as it is made rather than built whole first
    // (at scale, two to four times the documents' size).
    let out = args.statistics.then(|| match args.format {
        Format::Json => report::statistics_json(&findings),
        _ => report::statistics(&findings),
    });
    // The last step of every report: each line made inert for where it
    // is read (`icslint::safe`), whatever text of the input reached it.
    let mode = match args.format {
        Format::Json if args.statistics => Mode::Json,
        _ if args.statistics => Mode::Text { colour: false },
        Format::Human => Mode::Text { colour: color },
        Format::Plain => Mode::Text { colour: false },
        Format::Github => Mode::Annotations,
        Format::Junit => Mode::Xml,
        Format::Json | Format::Sarif | Format::Gitlab => Mode::Json,
    };
    let written = match out {
        Some(text) => super::emit(args.output.as_deref(), mode, &text),
        None => super::emit_with(args.output.as_deref(), mode, |w| match args.format {
            Format::Human | Format::Plain => {
                if args.format == Format::Human {
                    report::write_human(shown, sources, color, 100, w)?;
                } else {
                    report::write_plain(shown, sources, w)?;
                }
                if !args.quiet {
                    w.write_all(summary(&findings, ws.files.len(), hidden).as_bytes())?;
                    w.write_all(fix_summary(&findings, fixed, args.unsafe_fixes).as_bytes())?;
                    if !ws.skipped.is_empty() && !args.verbose {
                        writeln!(
                            w,
                            "{} not entered (hidden, named `target`, a link back up the tree or out of it); --verbose lists them.",
                            plural(ws.skipped.len(), "folder", "folders")
                        )?;
                    }
                }
                Ok(())
            }
            Format::Github => report::write_github(shown, sources, w),
            Format::Sarif => {
                let rules = report::sarif::rule_infos(&ws.packs);
                report::write_sarif(&findings, &ws.sources, &rules, w)
            }
            Format::Gitlab => report::write_gitlab(&findings, &ws.sources, w),
            Format::Junit => report::write_junit(&findings, &ws.sources, &ws.files, w),
            _ => report::write_json(&findings, &ws.sources, w),
        }),
    };
    if let Err(code) = written {
        return code;
    }
    // A file, pack or configuration that could not be read or used is an
    // I/O or configuration error: exit 2, whatever --fail-on says. (A
    // link out of the workspace, not followed on purpose, is a warning.)
    if findings.iter().any(|f| {
        matches!(f.rule.as_str(), "ICG009" | "ICG012" | "ICG013") && f.severity == Severity::Error
    }) {
        if ws.files.is_empty() {
            super::empty_run(&args.paths);
        }
        return super::EXIT_ERROR;
    }
    // Nothing checked, whatever was reported: never a clean run.
    if ws.files.is_empty() {
        return super::empty_run(&args.paths);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Advice => Some(Severity::Advice),
        FailOn::Never => None,
    };
    match threshold {
        Some(t)
            if findings
                .iter()
                .any(|f| f.severity >= t && !f.is_explained()) =>
        {
            super::EXIT_FINDINGS
        }
        _ => super::EXIT_CLEAN,
    }
}

/// After `--fix`: how many were fixed and how many remain; otherwise how
/// many `--fix` (or `--unsafe-fixes`) could fix.
fn fix_summary(findings: &[Finding], fixed: Option<usize>, unsafe_fixes: bool) -> String {
    use icslint::diagnostic::Safety;
    let count = |s: Safety| {
        findings
            .iter()
            .filter(|f| !f.is_explained() && f.fix.as_ref().is_some_and(|x| x.safety == s))
            .count()
    };
    let (safe, risky) = (count(Safety::Safe), count(Safety::Unsafe));
    let mut s = match fixed {
        Some(n) => format!(
            "Fixed {}; {} remain.\n",
            plural(n, "finding", "findings"),
            findings.iter().filter(|f| !f.is_explained()).count()
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

pub fn summary(findings: &[Finding], files: usize, hidden: usize) -> String {
    let mut s = icslint::report::summary(findings, files);
    if hidden > 0 {
        s.push_str(&format!(
            "{} recorded in the baseline not shown.\n",
            plural(hidden, "finding", "findings")
        ));
    }
    s
}

/// `text` with each control character a terminal would act on written as
/// an escape (`\u{1b}`), a lone carriage return included.
pub(crate) fn escape_controls(text: &str) -> String {
    safe::terminal(text).into_owned()
}

/// The error of a check whose files changed before their findings could
/// be reported (`Workspace::restore_texts`): each file and what became of
/// it, the first ten.
fn changed_files(changed: &[icslint::workspace::Changed]) -> String {
    const SHOWN: usize = 10;
    let mut msg = if changed.len() == 1 {
        "a file changed while it was being checked; check again:".to_string()
    } else {
        format!(
            "{} files changed while they were being checked; check again:",
            changed.len()
        )
    };
    for c in changed.iter().take(SHOWN) {
        msg.push_str(&format!("\n  {}: {}", c.path.display(), c.how));
    }
    if changed.len() > SHOWN {
        msg.push_str(&format!("\n  and {} more", changed.len() - SHOWN));
    }
    msg
}

/// Copies of the findings and sources fit for a terminal, or `None` when
/// nothing needs changing (the usual case). Messages escape each control
/// character (`safe::terminal`); source texts replace each of its bytes
/// with `?`, so every span still points at the same place; with
/// `paths`, each file's name is shown on one line (`safe::one_line`): a
/// file may be named `x\n::error::y`. The `github` format keeps the names
/// (it percent-escapes them, and the runner must find the file).
pub fn terminal_safe(
    findings: &[Finding],
    sources: &Sources,
    paths: bool,
) -> Option<(Vec<Finding>, Sources)> {
    let mut files: Vec<FileId> = findings
        .iter()
        .flat_map(|f| std::iter::once(f.file).chain(f.labels.iter().map(|l| l.file)))
        .collect();
    files.sort();
    files.dedup();
    let changes = |s: &str| matches!(safe::terminal(s), std::borrow::Cow::Owned(_));
    let path_unsafe = |f: FileId| {
        paths && {
            let p = sources.get(f).path.to_string_lossy();
            matches!(safe::one_line(&p), std::borrow::Cow::Owned(_))
        }
    };
    // Most texts are printable ASCII: a byte loop (vectorised) settles
    // those, and only a text with another byte is read as characters.
    let text_unsafe = |t: &str| {
        !t.bytes()
            .all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t' | b'\r'))
            && t.chars().any(safe::unsafe_for_terminal)
    };
    let texts_unsafe = files
        .iter()
        .any(|&f| path_unsafe(f) || text_unsafe(&sources.get(f).text));
    let messages_unsafe = findings.iter().any(|f| {
        changes(&f.message)
            || f.help.as_deref().is_some_and(changes)
            || f.labels.iter().any(|l| changes(&l.message))
            || f.explanation
                .as_ref()
                .is_some_and(|e| changes(&e.reason) || changes(&e.approved_by))
            || f.citation.as_ref().is_some_and(|c| {
                changes(&c.document)
                    || [&c.version, &c.clause, &c.url]
                        .iter()
                        .any(|x| x.as_deref().is_some_and(changes))
            })
            || f.provenance
                .as_ref()
                .is_some_and(|p| changes(&p.source) || changes(&p.reference) || changes(&p.summary))
    });
    if !texts_unsafe && !messages_unsafe {
        return None;
    }
    let mut safe_sources = Sources::default();
    let mut ids = std::collections::HashMap::new();
    for &f in &files {
        let src = sources.get(f);
        let text: String = src
            .text
            .chars()
            .flat_map(|c| {
                let n = if safe::unsafe_for_terminal(c) {
                    c.len_utf8()
                } else {
                    0
                };
                let keep = (n == 0).then_some(c);
                keep.into_iter().chain(std::iter::repeat_n('?', n))
            })
            .collect();
        let path = if path_unsafe(f) {
            PathBuf::from(safe::one_line(&src.path.to_string_lossy()).into_owned())
        } else {
            src.path.clone()
        };
        ids.insert(f, safe_sources.add(&path, text));
    }
    let shown = findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.file = ids[&f.file];
            f.message = escape_controls(&f.message);
            f.help = f.help.take().map(|h| match escape_controls(&h) {
                escaped if escaped == *h => h,
                escaped => escaped.into(),
            });
            // The board's words and the document's names come from the text too.
            if let Some(e) = &mut f.explanation {
                e.reason = escape_controls(&e.reason);
                e.approved_by = escape_controls(&e.approved_by);
            }
            if let Some(c) = f.citation.as_mut().map(std::sync::Arc::make_mut) {
                c.document = escape_controls(&c.document);
                c.version = c.version.as_deref().map(escape_controls);
                c.clause = c.clause.as_deref().map(escape_controls);
                c.url = c.url.as_deref().map(escape_controls);
            }
            if let Some(p) = f.provenance.as_mut().map(std::sync::Arc::make_mut) {
                p.source = escape_controls(&p.source);
                p.reference = escape_controls(&p.reference);
                p.summary = escape_controls(&p.summary);
            }
            for l in &mut f.labels {
                l.file = ids[&l.file];
                l.message = escape_controls(&l.message);
            }
            f
        })
        .collect();
    Some((shown, safe_sources))
}

#[cfg(test)]
mod tests {
    use super::changed_files;
    use icslint::workspace::{Changed, ChangedHow};

    fn changed(n: usize) -> Vec<Changed> {
        (0..n)
            .map(|i| Changed {
                path: format!("s/{i:02}.icg").into(),
                how: if i % 2 == 0 {
                    ChangedHow::Edited
                } else {
                    ChangedHow::Removed
                },
            })
            .collect()
    }

    /// Each file on a line of its own with what became of it; after ten,
    /// how many more.
    #[test]
    fn the_changed_files_error_names_each_file_and_counts_the_rest() {
        assert_eq!(
            changed_files(&changed(1)),
            "a file changed while it was being checked; check again:\n  s/00.icg: edited"
        );
        let many = changed_files(&changed(12));
        let lines: Vec<&str> = many.lines().collect();
        assert_eq!(lines.len(), 12, "{many}");
        assert_eq!(
            lines[0],
            "12 files changed while they were being checked; check again:"
        );
        assert_eq!(lines[2], "  s/01.icg: removed");
        assert_eq!(lines[10], "  s/09.icg: removed");
        assert_eq!(lines[11], "  and 2 more");
    }
}
