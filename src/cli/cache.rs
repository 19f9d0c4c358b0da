//! The cache's hook in `icslint check` (`icslint::cache` holds the
//! entries): the flags, looking the run up before it starts, recording
//! what it writes while it runs (`emit_with` and `note!` pass every byte
//! here), and storing it when it ends. Only `check` uses the cache, and
//! not with `--fix`, `--diff` or a document on standard input: those
//! change files or read what cannot be read again. `fmt`, `report`,
//! `transition` and the language server never use it.

use icslint::cache::{self, Entry, Folder, Key, Lookup, Name, Seen, Unavailable, Writer};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct CacheArgs {
    /// Neither read nor write the cache: check everything (also ICSLINT_NO_CACHE=1)
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the cache in DIR instead of `.icslint_cache` in the folder of the nearest icslint.yaml above the first path (or in the current folder); also ICSLINT_CACHE_DIR
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The entry being written while the run runs, if any.
static RECORDING: Mutex<Option<Writer>> = Mutex::new(None);

fn recording(f: impl FnOnce(&mut Writer)) {
    if let Some(w) = RECORDING.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        f(w);
    }
}

/// A writer that records what it writes as the run's report: what
/// reached the output (after `safe::Guard`) is what a hit writes again.
pub(crate) struct Recorded<W>(pub W);

impl<W: std::io::Write> std::io::Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.write(buf) {
            Ok(n) => {
                recording(|w| w.report(&buf[..n]));
                Ok(n)
            }
            Err(e) => {
                recording(Writer::abandon);
                Err(e)
            }
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().inspect_err(|_| recording(Writer::abandon))
    }
}

/// Standard error, recorded: every note, warning and error of a run.
pub(crate) struct Stderr;

impl std::io::Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = std::io::stderr().lock().write(buf)?;
        recording(|w| w.stderr(&buf[..n]));
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Whether `ICSLINT_NO_CACHE` turns the cache off (set, not empty, not `0`).
fn off_by_environment() -> bool {
    std::env::var_os("ICSLINT_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The cache folder a run uses, and where that choice came from.
pub(crate) fn folder_of(opts: &CacheArgs, first: Option<&Path>) -> (PathBuf, &'static str) {
    if let Some(d) = &opts.cache_dir {
        return (d.clone(), "--cache-dir");
    }
    if let Some(d) = std::env::var_os("ICSLINT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return (PathBuf::from(d), "ICSLINT_CACHE_DIR");
    }
    (cache::default_folder(first), "default")
}

/// Whether the cache is off, and why (`icslint config`).
pub(crate) fn off(opts: &CacheArgs) -> Option<&'static str> {
    if opts.no_cache {
        Some("--no-cache")
    } else if off_by_environment() {
        Some("ICSLINT_NO_CACHE")
    } else {
        None
    }
}

/// What the cache says before a run.
pub(crate) enum Begin {
    /// The run's output, verified: write it and stop.
    Hit(Entry),
    /// Run; with `Some`, its output is being recorded under this name
    /// (and what the key read, to tell at the end whether it changed).
    Run(Option<(Name, Seen)>),
}

/// Looks the run up: `key` gives its inputs, or `None` for a run that
/// is never cached. On a miss (or an entry rejected, with a warning),
/// recording starts.
pub(crate) fn begin(
    opts: &CacheArgs,
    verbose: bool,
    first: Option<&Path>,
    key: impl FnOnce() -> Option<Key>,
) -> Begin {
    if let Some(why) = off(opts) {
        if verbose {
            super::note!("note: cache: off ({why})");
        }
        return Begin::Run(None);
    }
    let Some(key) = key() else {
        return Begin::Run(None);
    };
    let (dir, _) = folder_of(opts, first);
    let folder = match Folder::open(&dir) {
        Ok(f) => f,
        Err(Unavailable::Refused(why)) => {
            super::note!("warning: {why}; this run checked everything without a cache");
            return Begin::Run(None);
        }
        Err(Unavailable::Quiet(why)) => {
            if verbose {
                super::note!("note: cache: off ({why})");
            }
            return Begin::Run(None);
        }
    };
    let name = key.finish();
    let seen = key.seen().clone();
    let path = folder.entry_path(&name);
    match folder.lookup(&name) {
        Lookup::Hit(entry) => {
            if verbose {
                super::note!("note: cache: hit ({})", super::shown(&path));
            }
            return Begin::Hit(entry);
        }
        Lookup::Miss => {
            if verbose {
                super::note!("note: cache: miss ({})", super::shown(&path));
            }
        }
        Lookup::Rejected(why) => super::note!(
            "warning: the cache entry {} was ignored because {why}; everything was checked, and the entry is replaced",
            super::shown(&path)
        ),
    }
    match folder.writer(name) {
        Some(w) => {
            *RECORDING.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
            Begin::Run(Some((name, seen)))
        }
        None => {
            if verbose {
                super::note!(
                    "note: cache: {} cannot be written; nothing is stored",
                    super::shown(folder.path())
                );
            }
            Begin::Run(None)
        }
    }
}

/// After a run that was recorded as `name`: stores what it wrote, unless
/// it ended in an error (exit 2: a file that could not be read may be
/// readable next time) or its inputs changed while it ran (`key` is
/// computed again, reading only the files whose stamp changed). Returns
/// `code`.
pub(crate) fn end(
    recorded: Option<(Name, Seen)>,
    code: i32,
    key: impl FnOnce(&Seen) -> Option<Key>,
) -> i32 {
    let writer = RECORDING.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let (Some((name, seen)), Some(w)) = (recorded, writer) {
        if code != super::EXIT_ERROR && key(&seen).map(|k| k.finish()) == Some(name) {
            let _ = w.finish(code);
        }
    }
    code
}

/// Writes a hit's output as the run wrote it: standard error, then the
/// report to standard output or to `output`; returns its exit status.
pub(crate) fn replay(entry: &Entry, output: Option<&Path>) -> i32 {
    use std::io::Write as _;
    let _ = std::io::stderr().lock().write_all(entry.stderr());
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(entry.report()).and_then(|()| out.flush());
        }
        Some(p) => {
            if let Err(e) = std::fs::write(p, entry.report()) {
                return super::error(format_args!("cannot write {}: {e}", super::shown(p)));
            }
        }
    }
    entry.exit
}
