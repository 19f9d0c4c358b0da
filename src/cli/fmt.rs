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
    /// Colour diffs: `auto` (a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR or CLICOLOR_FORCE force it), `always` or `never`
    #[arg(long, value_enum, default_value = "auto")]
    color: super::ColorChoice,
}

pub fn run(args: Args) -> i32 {
    if args.paths.len() == 1 && args.paths[0] == Path::new("-") {
        return stdin();
    }
    run_with(&args, &format)
}

/// `run` with the formatter given: a test can hand it one that panics.
fn run_with(args: &Args, formatter: &dyn Fn(&str) -> Result<String, Error>) -> i32 {
    let found = match icslint::workspace::discover(&args.paths) {
        Ok(d) => d,
        Err(e) => return super::error(e),
    };
    let color = args.color.enabled(std::io::stdout().is_terminal());
    let mut status = super::EXIT_CLEAN;
    for (path, why) in &found.unreadable {
        eprintln!("error: {}: {}", shown(path), escape_line(&why.to_string()));
        status = super::EXIT_ERROR;
    }
    // Never written through: a link out of the folder would let a
    // repository make `fmt` write wherever it points.
    for path in &found.outside {
        eprintln!(
            "warning: {} is a link to a file outside the folder being formatted; left alone",
            shown(path)
        );
    }
    let writing = !(args.check || args.diff);
    // Ctrl-C while files are written stops between two files (and before
    // a rename), so no temporary file is left and no file is half written.
    let _interrupts = writing.then(interrupt::Deferred::install);
    let (mut changed, mut unchanged, mut not_written) = (0, 0, 0);
    for path in &found.files {
        if interrupt::requested() {
            eprintln!("interrupted: the files not yet formatted were left unchanged");
            status = EXIT_INTERRUPTED;
            break;
        }
        // A panic while formatting one file (a bug) never stops the others.
        let one = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            format_one(path, args, color, formatter)
        }));
        match one {
            Ok(Ok(Outcome::Unchanged)) => unchanged += 1,
            Ok(Ok(Outcome::Changed)) => changed += 1,
            Ok(Err(NotWritten::Interrupted)) => {
                eprintln!(
                    "interrupted: {} and the files not yet formatted were left unchanged",
                    shown(path)
                );
                status = EXIT_INTERRUPTED;
                break;
            }
            Ok(Err(NotWritten::Reported)) => status = super::EXIT_ERROR,
            Ok(Err(e)) => {
                eprintln!("error: {}: {}", shown(path), e.describe("formatted"));
                not_written += 1;
                status = super::EXIT_ERROR;
            }
            Err(_) => {
                eprintln!(
                    "error: {}: icslint could not format this file (an internal error); \
                     it was left unchanged (a bug in icslint; please report it)",
                    shown(path)
                );
                status = super::EXIT_ERROR;
            }
        }
    }
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    if !writing {
        eprintln!(
            "{} would be reformatted, {} already formatted",
            files(changed),
            files(unchanged)
        );
        if args.check && changed > 0 && status == super::EXIT_CLEAN {
            status = super::EXIT_FINDINGS;
        }
    } else {
        let failed = if not_written > 0 {
            format!(", {} not written", files(not_written))
        } else {
            String::new()
        };
        eprintln!(
            "{} reformatted, {} left unchanged{failed}",
            files(changed),
            files(unchanged)
        );
    }
    status
}

enum Outcome {
    Unchanged,
    /// Reformatted (written, or with `--check`/`--diff` its diff printed).
    Changed,
}

/// Reads, formats and writes (or diffs) one file. Errors already printed
/// come back as [`NotWritten::Reported`].
fn format_one(
    path: &Path,
    args: &Args,
    color: bool,
    formatter: &dyn Fn(&str) -> Result<String, Error>,
) -> Result<Outcome, NotWritten> {
    let bytes = match icslint::files::read(path, icslint::files::MAX_ICG) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", shown(path));
            return Err(NotWritten::Reported);
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        eprintln!(
            "error: {} is not UTF-8 text; left alone (ICG009)",
            shown(path)
        );
        return Err(NotWritten::Reported);
    };
    let formatted = match formatter(text) {
        Ok(f) => f,
        Err(e) => {
            report_error(path, text.to_string(), e);
            return Err(NotWritten::Reported);
        }
    };
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if args.check || args.diff {
        let shown = path.to_string_lossy().replace('\\', "/");
        super::out!("{}", unified_diff(text, &formatted, &shown, color));
    } else {
        write_if_unchanged(path, &bytes, &formatted)?;
    }
    Ok(Outcome::Changed)
}

/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub(crate) const EXIT_INTERRUPTED: i32 = 130;

/// `fmt -`: for editors. The formatted text, or on a syntax error the
/// input unchanged on standard output and the error on standard error.
fn stdin() -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        return super::error(format_args!("cannot read standard input: {e}"));
    }
    let formatted = std::panic::catch_unwind(|| format(&text));
    match formatted {
        Ok(Ok(f)) => {
            super::out!("{f}");
            super::EXIT_CLEAN
        }
        Ok(Err(e)) => {
            super::out!("{text}");
            report_error(Path::new("<stdin>"), text, e);
            super::EXIT_ERROR
        }
        Err(_) => {
            super::out!("{text}");
            eprintln!(
                "error: icslint could not format this text (an internal error); \
                 it is unchanged (a bug in icslint; please report it)"
            );
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
            // As `check` shows them: the text's control characters and the
            // file's name made safe, then every line through the guard, so
            // a file that does not parse cannot drive a terminal or a CI log.
            let safe = super::check::terminal_safe(&findings, &sources, true);
            let (findings, sources) = match &safe {
                Some((f, s)) => (f.as_slice(), s),
                None => (findings.as_slice(), &sources),
            };
            // The terminal report draws the line under the error; should it
            // fail on some line (a bug), the plain one still names the error.
            let rendered = quietly(|| icslint::report::human(findings, sources, color, 100))
                .or_else(|| quietly(|| icslint::report::plain(findings, sources)));
            if let Some(r) = rendered {
                use std::io::Write as _;
                let mut g = icslint::safe::Guard::new(
                    std::io::stderr().lock(),
                    icslint::safe::Mode::Text { colour: color },
                );
                let _ = g.write_all(r.as_bytes());
                let _ = g.finish();
            }
            eprintln!("{}: not formatted: it does not parse", shown(path));
        }
        Error::Unsafe(why) => eprintln!(
            "error: {}: not formatted: {} (a bug in icslint; please report it)",
            shown(path),
            escape_line(&why)
        ),
    }
}

/// `f()`, or `None` if it panics, printing nothing about the panic: for a
/// rendering that has a fallback. Only while no other thread runs.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    std::panic::set_hook(hook);
    r
}

/// How long a diff may look for the fewest changed lines.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(500);

/// A unified diff made by `similar`; coloured, `-` red and `+` green.
/// Every line is safe to print to a terminal or a CI log ([`escape_line`]);
/// so is `path`, which heads it.
pub(crate) fn unified_diff(old: &str, new: &str, path: &str, color: bool) -> String {
    let path = escape_line(path);
    // Patience anchors the diff on the lines found once in each text and
    // diffs only between them, so many small changes in a large file cost
    // little; where no line anchors (a file whose every line changes), the
    // deadline turns what is left into a replacement of those lines: a diff
    // still right, if not the shortest, in a time that stays small.
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .deadline(std::time::Instant::now() + DIFF_DEADLINE)
        .diff_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&path, &path)
        .to_string();
    let mut out = String::with_capacity(text.len());
    for l in text.split_inclusive('\n') {
        let l = escape_line(l.strip_suffix('\n').unwrap_or(l));
        let code = match l.as_bytes().first() {
            _ if !color => None,
            _ if l.starts_with("---") || l.starts_with("+++") => Some("1"),
            Some(b'-') => Some("31"),
            Some(b'+') => Some("32"),
            Some(b'@') => Some("36"),
            _ => None,
        };
        // ANSI SGR: 1 bold, 31 red, 32 green, 36 cyan.
        match code {
            Some(code) => {
                use std::fmt::Write as _;
                let _ = writeln!(out, "\x1b[{code}m{l}\x1b[0m");
            }
            None => {
                out.push_str(&l);
                out.push('\n');
            }
        }
    }
    out
}

/// A path as printed in a message, escaped as [`escape_line`] does.
pub(crate) fn shown(path: &Path) -> String {
    escape_line(&path.display().to_string()).into_owned()
}

/// One line of text (a file name, a line of a diff) made safe to print to
/// a terminal and to a CI log, as every text output is (`safe::clean_line`:
/// control characters and bidirectional marks as `\u{..}`, a workflow
/// command broken); a carriage return before the line's end is kept.
pub(crate) fn escape_line(line: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let (body, cr) = match line.strip_suffix('\r') {
        Some(b) => (b, "\r"),
        None => (line, ""),
    };
    let mode = icslint::safe::Mode::Text { colour: false };
    if !body.contains('\n') {
        return match icslint::safe::clean_line(body, mode) {
            Cow::Owned(s) => Cow::Owned(s + cr),
            Cow::Borrowed(_) => Cow::Borrowed(line),
        };
    }
    // A name may hold a line end: it stays on this line, escaped.
    let one = body.replace('\n', "\\u{a}");
    Cow::Owned(icslint::safe::clean_line(&one, mode).into_owned() + cr)
}

/// Why a file was not written; the file is as it was.
#[derive(Debug)]
pub(crate) enum NotWritten {
    /// Its content is no longer what was read: someone changed it meanwhile.
    Changed,
    /// It may not be written (no write permission, a read-only file system).
    ReadOnly,
    /// Ctrl-C came before it was replaced.
    Interrupted,
    /// Already reported (it could not be read, or does not parse).
    Reported,
    Io(std::io::Error),
}

impl NotWritten {
    /// What follows "PATH: " in the error; `doing` is "formatted" or "fixed".
    pub(crate) fn describe(&self, doing: &str) -> String {
        match self {
            NotWritten::Changed => {
                format!("changed while it was being {doing}; not written (run icslint again)")
            }
            NotWritten::ReadOnly => format!("is read-only; not {doing}, left unchanged"),
            NotWritten::Interrupted => "interrupted; left unchanged".to_string(),
            NotWritten::Reported => "not written".to_string(),
            NotWritten::Io(e) => format!("cannot write it: {e}; left unchanged"),
        }
    }
}

impl From<std::io::Error> for NotWritten {
    fn from(e: std::io::Error) -> Self {
        NotWritten::Io(e)
    }
}

/// Writes `text` to `path` in place of `read`, the bytes read from it,
/// unless the file no longer holds them.
///
/// - A symbolic link is followed: its target is written, the link stays.
/// - A file of one link is replaced through a temporary file in its folder
///   and a rename, so a reader never sees half a file; the temporary file
///   takes the file's permissions (and, when allowed, its owner) first.
/// - A file of several hard links is written in place, so every name still
///   names it (a rename would leave the other names on the old text): the
///   new text's tail past the old length goes first, so a full disk fails
///   before any byte of the old text is touched; the rest is written after.
/// - A file without write permission is left (`ReadOnly`): a rename into a
///   writable folder would otherwise replace it.
/// - Just before the rename (or the first overwritten byte) the file is
///   read again; if it changed since `read`, it is left (`Changed`).
pub(crate) fn write_if_unchanged(path: &Path, read: &[u8], text: &str) -> Result<(), NotWritten> {
    write_checked(path, read, text.as_bytes(), &mut || {})
}

/// [`write_if_unchanged`], running `meanwhile` after the new text is on
/// disk and before the file is read again (a test changes the file there).
fn write_checked(
    path: &Path,
    read: &[u8],
    text: &[u8],
    meanwhile: &mut dyn FnMut(),
) -> Result<(), NotWritten> {
    let target = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(NotWritten::Io(std::io::Error::other(
            "it is not a regular file",
        )));
    }
    if meta.permissions().readonly() {
        return Err(NotWritten::ReadOnly);
    }
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&target)
    {
        Ok(f) => f,
        Err(e) if is_read_only(&e) => return Err(NotWritten::ReadOnly),
        Err(e) => return Err(e.into()),
    };
    if links(&meta) > 1 {
        return write_in_place(&target, file, read, text, meanwhile);
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".icslint-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    interrupt::writing(Some(tmp.path()));
    let written = (|| -> Result<(), NotWritten> {
        tmp.write_all(text)?;
        tmp.as_file().sync_all()?;
        tmp.as_file().set_permissions(meta.permissions())?;
        keep_owner(tmp.as_file(), &meta);
        meanwhile();
        // By its path: an editor saves by writing a new file and renaming
        // it over the old, which `file` would not see.
        let now = std::fs::File::open(&target)?;
        if !holds(&mut &now, read)? {
            return Err(NotWritten::Changed);
        }
        if interrupt::requested() {
            return Err(NotWritten::Interrupted);
        }
        Ok(())
    })();
    let persisted = match written {
        Ok(()) => tmp.persist(&target).map(|_| ()).map_err(|e| e.error.into()),
        Err(e) => Err(e), // `tmp` is removed as it drops
    };
    interrupt::writing(None);
    persisted
}

/// Whether `file`, read from its start, holds exactly `expected`.
fn holds(file: &mut &std::fs::File, expected: &[u8]) -> std::io::Result<bool> {
    use std::io::{Seek as _, SeekFrom};
    file.seek(SeekFrom::Start(0))?;
    let mut now = Vec::with_capacity(expected.len() + 1);
    file.take(expected.len() as u64 + 1).read_to_end(&mut now)?;
    Ok(now == expected)
}

/// Writes a file of several links in place (see [`write_if_unchanged`]).
fn write_in_place(
    target: &Path,
    file: std::fs::File,
    read: &[u8],
    text: &[u8],
    meanwhile: &mut dyn FnMut(),
) -> Result<(), NotWritten> {
    use std::io::{Seek as _, SeekFrom};
    let mut file = &file;
    meanwhile();
    // Still the file at that path (not replaced by a rename), and still
    // holding what was read.
    let same = same_file(&file.metadata()?, &std::fs::metadata(target)?);
    if !same || !holds(&mut file, read)? {
        return Err(NotWritten::Changed);
    }
    if interrupt::requested() {
        return Err(NotWritten::Interrupted);
    }
    let old = read.len();
    if text.len() > old {
        // The tail first: on a full disk, nothing of the old text is lost.
        file.seek(SeekFrom::Start(old as u64))?;
        if let Err(e) = file.write_all(&text[old..]).and_then(|()| file.sync_all()) {
            let _ = file.set_len(old as u64);
            return Err(e.into());
        }
    }
    file.seek(SeekFrom::Start(0))?;
    let head = &text[..old.min(text.len())];
    file.write_all(head)?;
    file.set_len(text.len() as u64)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}
#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

fn is_read_only(e: &std::io::Error) -> bool {
    // EROFS: 30 on Linux and macOS.
    e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30)
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}
#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Gives the temporary file the owner of the file it replaces, where the
/// system allows it (root, or the same owner); otherwise it keeps ours.
#[cfg(unix)]
fn keep_owner(tmp: &std::fs::File, meta: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt as _;
    if let Ok(now) = tmp.metadata() {
        if (now.uid(), now.gid()) != (meta.uid(), meta.gid()) {
            let _ = std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid()));
        }
    }
}
#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) {}

/// Ctrl-C (SIGINT) and SIGTERM while files are written. The first is
/// noted, and the run stops between two files or before a rename, so no
/// temporary file is left behind; a second one ends the process at once,
/// removing the temporary file being written, if any.
pub(crate) mod interrupt {
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

    static REQUESTED: AtomicBool = AtomicBool::new(false);
    /// The temporary file being written, as a C string (leaked while set).
    static IN_FLIGHT: AtomicPtr<std::ffi::c_char> = AtomicPtr::new(std::ptr::null_mut());

    /// Whether a signal came since the handlers were installed.
    pub(crate) fn requested() -> bool {
        REQUESTED.load(Ordering::SeqCst)
    }

    /// Notes the temporary file being written (`None` when done with it).
    pub(crate) fn writing(tmp: Option<&Path>) {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt as _;
            let new = tmp
                .and_then(|p| std::ffi::CString::new(p.as_os_str().as_bytes()).ok())
                .map_or(std::ptr::null_mut(), |c| c.into_raw());
            let old = IN_FLIGHT.swap(new, Ordering::SeqCst);
            if !old.is_null() {
                // SAFETY: made by `CString::into_raw` above, and swapped out,
                // so no one else holds it (the handler only reads the
                // pointer it loads, and ends the process after).
                drop(unsafe { std::ffi::CString::from_raw(old) });
            }
        }
        #[cfg(not(unix))]
        let _ = tmp;
    }

    /// The handlers, installed while this lives; the signals' previous
    /// dispositions come back when it drops.
    pub(crate) struct Deferred {
        #[cfg(unix)]
        previous: Vec<(i32, usize)>,
    }

    /// The C library's signal calls (`libc`, already a dependency for
    /// `files::read`'s non-blocking open), not declared by hand.
    #[cfg(unix)]
    mod sys {
        pub use libc::{_exit, signal, unlink, SIGINT, SIGTERM, SIG_DFL, SIG_IGN};
    }

    #[cfg(unix)]
    extern "C" fn on_signal(_: std::ffi::c_int) {
        // Only async-signal-safe work here: atomics, unlink, _exit.
        if REQUESTED.swap(true, Ordering::SeqCst) {
            let tmp = IN_FLIGHT.load(Ordering::SeqCst);
            // SAFETY: null, or a C string that lives until it is swapped
            // out; unlink and _exit are async-signal-safe.
            unsafe {
                if !tmp.is_null() {
                    sys::unlink(tmp);
                }
                sys::_exit(super::EXIT_INTERRUPTED);
            }
        }
    }

    impl Deferred {
        pub(crate) fn install() -> Deferred {
            #[cfg(unix)]
            {
                let mut previous = Vec::new();
                for sig in [sys::SIGINT, sys::SIGTERM] {
                    // SAFETY: `on_signal` is async-signal-safe (above).
                    let old = unsafe { sys::signal(sig, on_signal as *const () as usize) };
                    if old == sys::SIG_IGN {
                        // Ignored by whoever started us (`nohup`): keep it so.
                        // SAFETY: restores the disposition just read.
                        unsafe { sys::signal(sig, old) };
                    } else {
                        previous.push((sig, old));
                    }
                }
                Deferred { previous }
            }
            #[cfg(not(unix))]
            Deferred {}
        }
    }

    impl Drop for Deferred {
        fn drop(&mut self) {
            #[cfg(unix)]
            for &(sig, old) in &self.previous {
                let old = if old == usize::MAX { sys::SIG_DFL } else { old };
                // SAFETY: restores the disposition `install` found.
                unsafe { sys::signal(sig, old) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/test-scratch/unit-fmt")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Someone saves the file after it was read and before it is replaced:
    /// their text stays, and no temporary file is left.
    #[test]
    fn a_file_changed_after_it_was_read_is_not_written() {
        let dir = scratch("changed");
        let path = dir.join("a.icg");
        std::fs::write(&path, "system s \"S\" {regime 2022}\n").unwrap();
        let read = std::fs::read(&path).unwrap();
        let theirs = "system s \"S\" {regime 2023}\n";
        let got = write_checked(&path, &read, b"formatted\n", &mut || {
            std::fs::write(&path, theirs).unwrap();
        });
        assert!(matches!(got, Err(NotWritten::Changed)), "{got:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
        assert_eq!(names(&dir), ["a.icg"]);
        assert!(NotWritten::Changed
            .describe("formatted")
            .starts_with("changed while it was being formatted; not written"));
        // Unchanged, it is written.
        let read = std::fs::read(&path).unwrap();
        write_checked(&path, &read, b"formatted\n", &mut || {}).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "formatted\n");
        assert_eq!(names(&dir), ["a.icg"]);
    }

    /// An editor saves by writing a new file and renaming it over the old:
    /// the same, and their file stays.
    #[test]
    fn a_file_replaced_by_a_rename_after_it_was_read_is_not_written() {
        for linked in [false, true] {
            let dir = scratch(&format!("renamed-{linked}"));
            let path = dir.join("a.icg");
            std::fs::write(&path, "old\n").unwrap();
            if linked {
                std::fs::hard_link(&path, dir.join("b.icg")).unwrap();
            }
            let got = write_checked(&path, b"old\n", b"new\n", &mut || {
                std::fs::write(dir.join("saved.tmp"), "theirs\n").unwrap();
                std::fs::rename(dir.join("saved.tmp"), &path).unwrap();
            });
            assert!(matches!(got, Err(NotWritten::Changed)), "{linked}: {got:?}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "theirs\n");
            if linked {
                // The other name keeps the old text, as nobody asked otherwise.
                assert_eq!(std::fs::read_to_string(dir.join("b.icg")).unwrap(), "old\n");
            }
        }
    }

    /// The same for a file of two hard links, which is written in place.
    #[test]
    fn a_hard_linked_file_changed_after_it_was_read_is_not_written() {
        let dir = scratch("changed-linked");
        let path = dir.join("a.icg");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::hard_link(&path, dir.join("b.icg")).unwrap();
        let got = write_checked(&path, b"old\n", b"new text\n", &mut || {
            std::fs::write(&path, "theirs\n").unwrap();
        });
        assert!(matches!(got, Err(NotWritten::Changed)), "{got:?}");
        assert_eq!(
            std::fs::read_to_string(dir.join("b.icg")).unwrap(),
            "theirs\n"
        );
        // Longer and shorter texts, in place.
        for new in ["a much longer text than before\n", "short\n"] {
            let read = std::fs::read(&path).unwrap();
            write_checked(&path, &read, new.as_bytes(), &mut || {}).unwrap();
            assert_eq!(std::fs::read_to_string(dir.join("b.icg")).unwrap(), new);
        }
        assert_eq!(names(&dir), ["a.icg", "b.icg"]);
    }

    /// A formatter that panics on one file: the others are still formatted.
    #[test]
    fn a_panic_on_one_file_does_not_stop_the_others() {
        let dir = scratch("panic");
        let bad = "system b \"B\" {regime 2022}\n";
        std::fs::write(dir.join("a.icg"), "system a \"A\" {regime 2022}\n").unwrap();
        std::fs::write(dir.join("b.icg"), bad).unwrap();
        std::fs::write(dir.join("c.icg"), "system c \"C\" {regime 2022}\n").unwrap();
        let args = Args {
            paths: vec![dir.clone()],
            check: false,
            diff: false,
            color: super::super::ColorChoice::Never,
        };
        let formatter = |t: &str| {
            if t.contains("system b") {
                panic!("a formatter bug");
            }
            format(t)
        };
        let status = run_with(&args, &formatter);
        assert_eq!(status, super::super::EXIT_ERROR);
        assert_eq!(
            std::fs::read_to_string(dir.join("a.icg")).unwrap(),
            "system a \"A\" { regime 2022 }\n"
        );
        assert_eq!(std::fs::read_to_string(dir.join("b.icg")).unwrap(), bad);
        assert_eq!(
            std::fs::read_to_string(dir.join("c.icg")).unwrap(),
            "system c \"C\" { regime 2022 }\n"
        );
    }

    #[test]
    fn escaped_lines_start_no_workflow_command_and_move_no_cursor() {
        for (raw, want) in [
            ("plain.icg", "plain.icg"),
            ("a\n::error::x", "a\\u{a}::error::x"),
            ("::error::x", ":\u{200b}:error::x"),
            ("  \u{a0}::warning ::x", "  \u{a0}:\u{200b}:warning ::x"),
            ("x ##[error]y", "x ##\u{200b}[error]y"),
            (
                "\u{1b}[2J\u{1b}]8;;http://x\u{7}",
                "\\u{1b}[2J\\u{1b}]8;;http://x\\u{7}",
            ),
            ("over\rwrite", "over\\u{d}write"),
            ("crlf line\r", "crlf line\r"),
            ("tab\tok", "tab\tok"),
            ("\u{202e}gnp.icg", "\\u{202e}gnp.icg"),
            ("\u{9b}31m", "\\u{9b}31m"),
        ] {
            let got = escape_line(raw);
            assert_eq!(got, want, "{raw:?}");
            assert!(!got.trim().starts_with("::"), "{got:?}");
            assert!(!got.contains("##["), "{got:?}");
            assert!(!got
                .trim_end_matches('\r')
                .contains(|c: char| c.is_control() && c != '\t'));
        }
    }

    /// Every line of a diff, headers and context, is escaped.
    #[test]
    fn a_diff_of_hostile_names_and_text_is_safe_to_print() {
        let old = "remit \"\"\"\n::error::context\n\"\"\"\nx {a 1}\n";
        let new = "remit \"\"\"\n::error::context\n\"\"\"\nx { a 1 }\n";
        for color in [false, true] {
            let d = unified_diff(old, new, "dir/\n::error file=x::boom\u{1b}[31m.icg", color);
            for line in d.lines() {
                let plain = line.replace("\u{1b}[0m", "");
                let plain = plain
                    .strip_prefix("\u{1b}[1m")
                    .or_else(|| plain.strip_prefix("\u{1b}[31m"))
                    .or_else(|| plain.strip_prefix("\u{1b}[32m"))
                    .or_else(|| plain.strip_prefix("\u{1b}[36m"))
                    .unwrap_or(&plain);
                assert!(!plain.trim().starts_with("::"), "{line:?} in\n{d}");
                assert!(!plain.contains('\u{1b}'), "{line:?}");
            }
            assert!(
                d.contains("--- dir/\\u{a}::error file=x::boom\\u{1b}[31m.icg"),
                "{d}"
            );
        }
    }
}
