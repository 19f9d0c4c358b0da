//! `icslint fmt [PATHS] [--check] [--diff]` and `icslint fmt -`.

use icslint::diagnostic::icg;
use icslint::fmt::{format, Error};
use icslint::source::Sources;
use std::io::{IsTerminal, Read as _, Write as _};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files and directories to format (directories are searched for .icg
    /// files); `-` formats standard input to standard output
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Write nothing; print a diff of every file that is not formatted and exit with 1
    #[arg(long)]
    check: bool,
    /// Write nothing; print a diff of every file that is not formatted
    #[arg(long)]
    diff: bool,
    /// Colour diffs: `auto` (a terminal, unless NO_COLOR is set), `always` or `never`
    #[arg(long, value_enum, default_value = "auto")]
    color: super::ColorChoice,
}

pub fn run(args: Args) -> i32 {
    if args.paths.len() == 1 && args.paths[0] == Path::new("-") {
        return stdin();
    }
    let found = match icslint::workspace::discover(&args.paths) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let color = args.color.enabled(std::io::stdout().is_terminal());
    let mut status = super::EXIT_CLEAN;
    for (path, why) in &found.unreadable {
        eprintln!("error: {}: {why}", path.display());
        status = super::EXIT_ERROR;
    }
    let (mut changed, mut unchanged) = (0, 0);
    for path in &found.files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                status = super::EXIT_ERROR;
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!(
                "error: {} is not UTF-8 text; left alone (ICG009)",
                path.display()
            );
            status = super::EXIT_ERROR;
            continue;
        };
        let formatted = match format(&text) {
            Ok(f) => f,
            Err(e) => {
                report_error(path, text, e);
                status = super::EXIT_ERROR;
                continue;
            }
        };
        if formatted == text {
            unchanged += 1;
            continue;
        }
        changed += 1;
        if args.check || args.diff {
            let shown = path.to_string_lossy().replace('\\', "/");
            super::out!("{}", unified_diff(&text, &formatted, &shown, color));
        } else if let Err(e) = write_atomically(path, &formatted) {
            eprintln!("error: cannot write {}: {e}", path.display());
            status = super::EXIT_ERROR;
        }
    }
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    if args.check || args.diff {
        eprintln!(
            "{} would be reformatted, {} already formatted",
            files(changed),
            files(unchanged)
        );
        if args.check && changed > 0 && status == super::EXIT_CLEAN {
            status = super::EXIT_FINDINGS;
        }
    } else {
        eprintln!(
            "{} reformatted, {} left unchanged",
            files(changed),
            files(unchanged)
        );
    }
    status
}

/// `fmt -`: for editors. The formatted text, or on a syntax error the
/// input unchanged on standard output and the error on standard error.
fn stdin() -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        return super::error(format_args!("cannot read standard input: {e}"));
    }
    match format(&text) {
        Ok(f) => {
            super::out!("{f}");
            super::EXIT_CLEAN
        }
        Err(e) => {
            super::out!("{text}");
            report_error(Path::new("<stdin>"), text, e);
            super::EXIT_ERROR
        }
    }
}

/// A file that was not formatted: its ICG001 findings, rendered as `check`
/// would, on standard error.
fn report_error(path: &Path, text: String, e: Error) {
    match e {
        Error::Syntax(errors) => {
            let mut sources = Sources::default();
            let file = sources.add(path, text);
            let findings: Vec<_> = errors
                .into_iter()
                .map(|e| {
                    let f = icg::finding(icg::SYNTAX, file, e.span, e.message);
                    match e.help {
                        Some(h) => f.help(h),
                        None => f,
                    }
                })
                .collect();
            let color = super::ColorChoice::Auto.enabled(std::io::stderr().is_terminal());
            eprint!(
                "{}",
                icslint::report::human(&findings, &sources, color, 100)
            );
            eprintln!("{}: not formatted: it does not parse", path.display());
        }
        Error::Unsafe(why) => eprintln!(
            "error: {}: not formatted: {why} (a bug in icslint; please report it)",
            path.display()
        ),
    }
}

/// A unified diff made by `similar`; coloured, `-` red and `+` green.
pub(crate) fn unified_diff(old: &str, new: &str, path: &str, color: bool) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string();
    if !color {
        return text;
    }
    // ANSI SGR: 1 bold, 31 red, 32 green, 36 cyan.
    text.lines()
        .map(|l| {
            let code = match l.as_bytes().first() {
                _ if l.starts_with("---") || l.starts_with("+++") => "1",
                Some(b'-') => "31",
                Some(b'+') => "32",
                Some(b'@') => "36",
                _ => return format!("{l}\n"),
            };
            format!("\x1b[{code}m{l}\x1b[0m\n")
        })
        .collect()
}

/// Writes `text` to `path` through a temporary file in the same folder and
/// a rename, so a reader never sees half a file; keeps the permissions.
pub(crate) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
