//! Everything that touches the file system: finding `.icg` files under the
//! given paths, reading them (ICG009 for unreadable or non-UTF-8 files),
//! finding the `icslint.yaml` that applies to each, then parsing and
//! lowering them into one model. The engine never does I/O.

use crate::config::{self, Config};
use crate::diagnostic::{icg, Finding};
use crate::model::{self, Model};
use crate::rules::{self, Pack};
use crate::source::{FileId, Released, Sources, Span};
use crate::syntax::{self, Parsed};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One configuration file and what it said.
#[derive(Debug)]
pub struct ConfigFile {
    pub dir: PathBuf,
    pub config: Config,
    pub file: Option<FileId>,
}

#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: Sources,
    /// The `.icg` files, in a stable order.
    pub files: Vec<FileId>,
    pub parsed: HashMap<FileId, Parsed>,
    /// Index 0 is the built-in default (no file).
    pub configs: Vec<ConfigFile>,
    pub config_of: HashMap<FileId, usize>,
    /// Language-level findings: reading, configuration, syntax, lowering.
    pub findings: Vec<Finding>,
    pub model: Model,
    /// Built-in packs (owner `None`) and local packs, with the index of the
    /// configuration whose `rules:` named them.
    pub packs: Vec<(Option<usize>, Pack)>,
    /// Folders discovery did not enter on purpose, and why (`--verbose`).
    pub skipped: Vec<(PathBuf, String)>,
    /// The `--regime` the workspace was loaded with, kept for re-lowering.
    regime_override: Option<i64>,
    /// A regime imposed on every system ([`LoadOptions::force_regime`]), kept for re-lowering.
    force_regime: Option<i64>,
    /// The day the model is as of ([`LoadOptions::as_of`]; `None` is today), kept for re-lowering.
    as_of: Option<crate::syntax::Date>,
    /// Which of `findings` came from lowering: replaced whenever the model is re-lowered.
    lowered: std::ops::Range<usize>,
    /// Keep every file's syntax tree after lowering ([`LoadOptions::keep_syntax`]).
    keep_syntax: bool,
    /// Trees were dropped after lowering: re-lowering parses those files again.
    trees_dropped: bool,
    /// [`LoadOptions::release_texts_over`].
    release_texts_over: Option<usize>,
    /// Configuration files under a name icslint does not read, already reported.
    misnamed: std::collections::HashSet<PathBuf>,
}

#[derive(Debug)]
pub enum LoadError {
    /// A path given on the command line does not exist.
    NoSuchPath(PathBuf),
    /// A folder of rule packs ([`LoadOptions::packs`]) that cannot be used, and why.
    PackFolder(PathBuf, String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NoSuchPath(p) => write!(f, "{}: no such file or directory", p.display()),
            LoadError::PackFolder(p, why) => {
                write!(f, "the folder of rule packs {} {why}", p.display())
            }
        }
    }
}

/// How to load a workspace beyond its paths.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The regime of systems that state none (`--regime`; overrides `icslint.yaml`).
    pub regime: Option<i64>,
    /// A regime imposed on every system, whatever it states: the workspace
    /// as it would be checked if every system moved (`icslint transition`).
    pub force_regime: Option<i64>,
    /// The day the run is as of (`--as-of`; `None` is today): the
    /// authorities' shares in force on it are the model's.
    pub as_of: Option<crate::syntax::Date>,
    /// A folder of rule packs (`*.yaml`, `*.yml`) used instead of the
    /// built-in packs: another edition of them. Local packs named in
    /// `icslint.yaml` are loaded as usual.
    pub packs: Option<PathBuf>,
    /// Keep every file's syntax tree after the model is lowered (the
    /// language server's hover, completion and re-checks read them). A
    /// check drops each tree once its file is lowered: the trees are
    /// several times the size of the text.
    pub keep_syntax: bool,
    /// When the `.icg` texts come to at least this many bytes, let each
    /// file's text go once it is lowered (keeping a fingerprint of it),
    /// and read it again for the report ([`Workspace::restore_texts`],
    /// which frees the model first): at scale the texts are a
    /// quarter of a check's peak memory, and a check needs them only to
    /// lower and to report. A file with syntax errors or `icslint:`
    /// comments keeps its text and parse, which the rules' run reads;
    /// the others keep neither. A workspace with released texts is
    /// checked once: it cannot be re-lowered.
    pub release_texts_over: Option<usize>,
    /// A configuration file used for every file, instead of the nearest
    /// `icslint.yaml` (`--config FILE`). It is read as an `icslint.yaml`
    /// is: a regular file, not a link out of its folder, and the local
    /// packs its `rules:` names stay in its folder.
    pub config: Option<PathBuf>,
    /// A text read from standard input (`check -`), checked as the file
    /// at this path (`--stdin-filename`; its configuration is found from
    /// its folder, and it replaces that file's text on disk if any).
    pub stdin: Option<(PathBuf, Vec<u8>)>,
}

/// Whether a path names an ICG file: the extension `.icg` in any case
/// (`.ICG` is what some Windows tools write).
pub fn is_icg(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("icg"))
}

/// Folders a walk does not enter: hidden folders (`.git`, `.venv`) and
/// `target` (build output). A folder named on the command line is always
/// entered.
fn skipped_folder(name: &str) -> Option<&'static str> {
    if name.starts_with('.') {
        Some("hidden folder")
    } else if name == "target" {
        Some("named `target`: build output")
    } else {
        None
    }
}

use crate::files::{self, kind_of};

/// What makes two paths the same file: its device and inode where there
/// are such (one `stat`; a file's canonical path costs a system call per
/// component, 11 per file in a typical workspace), else its canonical path.
#[derive(PartialEq, Eq, Hash)]
enum Identity {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(p: &Path) -> Identity {
    #[cfg(unix)]
    if let Ok(m) = std::fs::metadata(p) {
        use std::os::unix::fs::MetadataExt;
        return Identity::Inode(m.dev(), m.ino());
    }
    Identity::Path(std::fs::canonicalize(p).unwrap_or_else(|_| p.into()))
}

/// Files to check under `paths`: `.icg` files in folders (recursively,
/// following symbolic links, skipping hidden folders and `target`), and any
/// file named directly. Each file is listed once however it is reached
/// (`check x.icg .`, or through a link). What cannot be read (a path that
/// does not exist, a FIFO, a broken link, a folder without permission) is
/// listed in `unreadable` and reported as ICG009; never opened, never hung on.
pub fn discover(paths: &[PathBuf]) -> Result<Discovered, LoadError> {
    let mut d = Discovered::default();
    let mut seen = std::collections::HashSet::new();
    // Each path once, however it is reached: files to read, and problems.
    let mut first = |p: &Path| seen.insert(identity(p));
    let mut add = |d: &mut Discovered, p: PathBuf, problem: Option<String>| {
        if first(&p) {
            match problem {
                None => d.files.push(p),
                Some(why) => d.unreadable.push((p, why)),
            }
        }
    };
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "it does not exist".to_string()
                } else {
                    e.to_string()
                };
                add(&mut d, p.clone(), Some(why));
                continue;
            }
        };
        if meta.is_file() {
            add(&mut d, p.clone(), None);
            continue;
        }
        if !meta.is_dir() {
            let why = format!("it is {}, not a file or folder", kind_of(meta.file_type()));
            add(&mut d, p.clone(), Some(why));
            continue;
        }
        let (mut skipped, mut outside) = (Vec::new(), Vec::new());
        // A link is followed only where it stays inside the folder named:
        // a checked repository may hold a link to `/`, to a parent folder
        // or to a secret, and none of them is walked or read.
        let root = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let walker = walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                if e.depth() > 0 && e.path_is_symlink() {
                    let leaves =
                        std::fs::canonicalize(e.path()).is_ok_and(|real| !real.starts_with(&root));
                    if leaves && e.file_type().is_dir() {
                        let why = format!("a link to a folder outside {}", p.display());
                        skipped.push((e.path().to_path_buf(), why));
                        return false;
                    }
                    if leaves {
                        if is_icg(e.path()) {
                            outside.push(e.path().to_path_buf());
                        }
                        return false;
                    }
                }
                if e.depth() == 0 || !e.file_type().is_dir() {
                    return true;
                }
                match skipped_folder(&e.file_name().to_string_lossy()) {
                    Some(why) => {
                        skipped.push((e.path().to_path_buf(), why.to_string()));
                        false
                    }
                    None => true,
                }
            });
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let ft = entry.file_type();
                    if ft.is_dir() || !is_icg(entry.path()) {
                        continue;
                    }
                    if ft.is_file() {
                        add(&mut d, entry.into_path(), None);
                    } else {
                        let why = format!("it is {}, not a regular file", kind_of(ft));
                        add(&mut d, entry.into_path(), Some(why));
                    }
                }
                Err(e) => {
                    let at = e.path().map_or_else(|| p.clone(), Path::to_path_buf);
                    if let Some(anc) = e.loop_ancestor() {
                        // Everything under it is walked already: a note, not an error.
                        let why = format!("a link back to {}, already checked", anc.display());
                        d.skipped.push((at, why));
                        continue;
                    }
                    let why = e
                        .io_error()
                        .map_or_else(|| e.to_string(), |io| io.to_string());
                    add(&mut d, at, Some(why));
                }
            }
        }
        d.skipped.extend(skipped);
        d.outside.append(&mut outside);
    }
    Ok(d)
}

/// The rule packs of a folder (`*.yaml` and `*.yml`, not its subfolders),
/// read in name order; an error when it is not a readable folder or holds none.
fn pack_folder(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, LoadError> {
    let fail = |why: String| LoadError::PackFolder(dir.to_path_buf(), why);
    if !dir.is_dir() {
        return Err(fail(if dir.exists() {
            "is not a folder".into()
        } else {
            "does not exist".into()
        }));
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| fail(format!("cannot be read: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension().is_some_and(|x| {
                    x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml")
                })
        })
        .collect();
    if paths.is_empty() {
        return Err(fail("holds no rule packs (no .yaml or .yml files)".into()));
    }
    paths.sort();
    let root = std::fs::canonicalize(dir).map_err(|e| fail(format!("cannot be read: {e}")))?;
    paths
        .into_iter()
        .map(|p| {
            let name = Path::new(p.file_name().unwrap_or_default());
            match files::read_inside(&root, name, files::MAX_PACK) {
                Ok(bytes) => Ok((p, bytes)),
                Err(why) => Err(fail(format!(
                    "has a pack that cannot be read: {}: {why}",
                    p.display()
                ))),
            }
        })
        .collect()
}

/// `path` with `.` and `..` resolved by its names alone (the paths of
/// [`Workspace::from_files`] name no links), or `None` when a `..` climbs
/// above its start or it is absolute.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(n) => out.push(n),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The configuration file's name.
pub const CONFIG_NAME: &str = "icslint.yaml";

/// Names people give a configuration that icslint does not read (each
/// is reported where it is found, ICG013).
pub const MISNAMED_CONFIGS: [&str; 3] = ["icslint.yml", ".icslint.yaml", ".icslint.yml"];

/// Whether `path` is the file `id` names.
fn p_is(id: &Identity, path: &Path) -> bool {
    identity(path) == *id
}

/// The largest text checked, in bytes: the model's spans are 32-bit.
pub const MAX_TEXT: usize = u32::MAX as usize;

/// Text a worker parses into one piece of a large file (see
/// [`syntax::parse_in_pieces`]): a piece's tree is about ten times its text.
const PIECE_BYTES: usize = 64 * 1024;

/// Parses `files` on every core and hands each parse to `each`, on this
/// thread and in the order of `files`: the caller lowers a file and drops
/// its syntax tree while the next ones are parsed, so a workspace's trees
/// are never all alive at once. With `pieces`, a large file comes as
/// several parses, a run of top-level blocks each, so that its whole tree
/// is never alive either.
///
/// `texts` are the files' texts, moved out of the workspace's sources: a
/// worker takes a file's text, parses it (and finds its syntax errors'
/// ICG001s), and the text comes back to `each` after the file's last
/// piece, so the caller may let it go as soon as the file is lowered.
///
/// Workers take the next file from a shared counter, but start none more
/// than a few files ahead of the one being lowered; a file's pieces after
/// the first are sent only while it is the one being lowered, and no more
/// than two at a time. What waits to be lowered is a few pieces' trees,
/// whatever the files' sizes and order. Without a thread (a small
/// workspace, or none could be started) the files are parsed here.
fn parse_each(
    files: &[FileId],
    texts: Vec<String>,
    pieces: bool,
    release: bool,
    mut each: impl FnMut(FileId, Step<(Parsed, Vec<Finding>), (String, Option<Released>)>),
) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Below this a thread costs more than it saves.
    const MIN_BYTES_PER_THREAD: usize = 64 * 1024;
    let threads = cores.min(bytes / MIN_BYTES_PER_THREAD);
    let slots: Vec<std::sync::Mutex<String>> =
        texts.into_iter().map(std::sync::Mutex::new).collect();
    let parse = |i: usize, send: &mut dyn FnMut((Parsed, Vec<Finding>))| {
        let text = std::mem::take(&mut *slots[i].lock().unwrap_or_else(|e| e.into_inner()));
        let f = files[i];
        // The run reads the text of a file with syntax errors (ICG001's
        // note) or `icslint:` comments (suppressions): that text stays.
        let mut keep = !release;
        let mut send = |p: Parsed| {
            keep |= !p.errors.is_empty() || p.comments.iter().any(|c| c.directive(&text).is_some());
            let found = syntax_findings(f, &text, &p);
            send((p, found))
        };
        guarded(&text, &mut send, |text, send| {
            if pieces {
                syntax::parse_in_pieces(text, PIECE_BYTES, send)
            } else {
                send(syntax::parse(text))
            }
        });
        // Fingerprinted here, on the worker, not on the lowering's thread.
        let released = (!keep).then(|| Released {
            len: text.len(),
            fingerprint: fingerprint(&text),
        });
        (text, released)
    };
    in_order(files.len(), threads, &parse, |i, step| each(files[i], step));
}

/// What is wrong with a file's bytes as UTF-8 (ICG009).
#[derive(Clone, Copy, Debug)]
enum BadEncoding {
    /// A UTF-16 byte-order mark: nothing of it is read.
    Utf16,
    /// The first byte that is not valid UTF-8; the text is decoded lossily.
    NotUtf8 { at: usize, byte: u8 },
}

/// An `.icg` file's bytes as its text, and what was wrong with them.
fn decode(bytes: Vec<u8>) -> (String, Option<BadEncoding>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return (String::new(), Some(BadEncoding::Utf16));
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (text, Some(BadEncoding::NotUtf8 { at, byte }))
        }
    }
}

/// A file read and decoded, its line index made: what a reader thread
/// hands back.
struct Read {
    source: crate::source::Source,
    bad: Option<BadEncoding>,
}

/// Reads one `.icg` file through [`files::read`] (a regular file, within
/// [`files::MAX_ICG`]) and decodes it.
fn read_one(path: &Path) -> Result<Read, files::Refused> {
    let (text, bad) = decode(files::read(path, files::MAX_ICG)?);
    Ok(Read {
        source: crate::source::Source::new(path.to_path_buf(), text),
        bad,
    })
}

/// [`read_one`] of every file, in the order given, read on every core:
/// reading, decoding and the line index are most of the work before the
/// first parse (at scale, more than the lowering's thread does while the
/// files are parsed). Each worker takes the next file from a shared
/// counter; what comes back is in the order given, whatever the threads.
fn read_all(files: &[(FileId, PathBuf)]) -> Vec<Result<Read, files::Refused>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Below this many files a thread costs more than it saves.
    const MIN_FILES_PER_THREAD: usize = 8;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(files.len() / MIN_FILES_PER_THREAD);
    if threads < 2 {
        return files.iter().map(|(_, p)| read_one(p)).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((_, path)) = files.get(i) else {
                return done;
            };
            done.push((i, read_one(path)));
        }
    };
    let mut out: Vec<Option<Result<Read, files::Refused>>> = Vec::new();
    out.resize_with(files.len(), || None);
    std::thread::scope(|scope| {
        // This thread is one of the readers; a thread that cannot be
        // started leaves its share to the others.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("read".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                // A panic on a reader (a bug of ours) comes again here.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        for (i, r) in all {
            out[i] = Some(r);
        }
    });
    out.into_iter()
        .zip(files)
        .map(|(r, (_, path))| r.unwrap_or_else(|| read_one(path)))
        .collect()
}

/// Runs `parse` over `text`, giving its pieces to `send`; if the parser
/// panics (a bug of ours, on some input), the rest of the file is one
/// syntax error saying so, and every other file is parsed and checked as
/// usual: one file can never stop a run.
fn guarded(
    text: &str,
    send: &mut dyn FnMut(Parsed),
    parse: impl FnOnce(&str, &mut dyn FnMut(Parsed)),
) {
    let mut sent_to = 0;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse(text, &mut |p: Parsed| {
            sent_to = p.file.blocks.last().map_or(sent_to, |b| b.span.end);
            send(p)
        })
    }));
    if result.is_err() {
        let rest = Span::new(sent_to, text.len());
        send(Parsed {
            errors: vec![syntax::SyntaxError {
                span: Span::new(sent_to, sent_to),
                message: "icslint failed on this file (an internal error); nothing from here on was checked".into(),
                help: Some("please report it with the file; the other files were checked as usual".into()),
                unchecked: Some(rest),
            }],
            ..Parsed::default()
        });
    }
}

/// What [`in_order`] hands on for a file: each piece of its parse, then
/// what the parse ends with.
enum Step<T, E> {
    Piece(T),
    Done(E),
}

/// A step as a worker sends it: a piece with whether `Progress::pieces`
/// counts it.
type Sent<T, E> = Step<(T, bool), E>;

/// What parses file `i` for [`in_order`], giving each piece to `send`
/// and returning what the file's [`Step::Done`] carries.
type ParseFile<'a, T, E> = dyn Fn(usize, &mut dyn FnMut(T)) -> E + Sync + 'a;

/// [`parse_each`]'s scheduling: `parse(i, send)` gives file `i`'s pieces,
/// on `threads` workers (or here, with none), and `each(i, step)` gets
/// them, then the file's end, on this thread in file order.
fn in_order<T: Send, E: Send>(
    files: usize,
    threads: usize,
    parse: &ParseFile<T, E>,
    mut each: impl FnMut(usize, Step<T, E>),
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // How many files a worker may start beyond the one being lowered, and
    // how many later pieces of the file being lowered may wait.
    let (files_ahead, pieces_ahead) = (2 * threads.max(1), 2);
    let progress = Progress::default();
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        // A file's pieces (and whether `Progress::pieces` counts each), then its end.
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Sent<T, E>)>();
        let workers: Vec<_> = (0..threads)
            .filter_map(|_| {
                let tx = tx.clone();
                let (next, progress) = (&next, &progress);
                // The main thread's stack size: parsing recurses (to a
                // bounded depth), and a debug build spends more per level.
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(s, move || {
                        // A worker that panics stops the others waiting: the
                        // lowering will never reach the file it held.
                        let _guard = StopOnPanic(progress);
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= files || !progress.wait(|p| i < p.lowering + files_ahead) {
                                break;
                            }
                            let mut first = true;
                            let end = parse(i, &mut |piece| {
                                let counted = !std::mem::take(&mut first)
                                    && progress.wait(|p| {
                                        let ready = p.lowering >= i && p.pieces < pieces_ahead;
                                        p.pieces += usize::from(ready);
                                        ready
                                    });
                                let _ = tx.send((i, Step::Piece((piece, counted))));
                            });
                            if tx.send((i, Step::Done(end))).is_err() {
                                break;
                            }
                        }
                    })
                    .ok()
            })
            .collect();
        drop(tx);
        let mut lowered = Lowered(&progress, 0);
        let mut waiting: HashMap<usize, Vec<Sent<T, E>>> = HashMap::new();
        for (i, step) in rx {
            if i != lowered.1 {
                waiting.entry(i).or_default().push(step);
                continue;
            }
            let mut step = Some(step);
            while let Some(s) = step.take() {
                match s {
                    Step::Piece((piece, counted)) => {
                        each(lowered.1, Step::Piece(piece));
                        if counted {
                            progress.update(|p| p.pieces -= 1);
                        }
                    }
                    Step::Done(end) => {
                        each(lowered.1, Step::Done(end));
                        lowered.advance();
                        // The next file's pieces that came early (its first,
                        // and its end when that was its only one).
                        for early in waiting.remove(&lowered.1).into_iter().flatten() {
                            match early {
                                Step::Piece((piece, _)) => each(lowered.1, Step::Piece(piece)),
                                Step::Done(end) => step = Some(Step::Done(end)),
                            }
                        }
                    }
                }
            }
        }
        for w in workers {
            if let Err(panic) = w.join() {
                std::panic::resume_unwind(panic);
            }
        }
        // No worker (none started): every file is parsed here.
        while lowered.1 < files {
            let i = lowered.1;
            let end = parse(i, &mut |piece| each(i, Step::Piece(piece)));
            each(i, Step::Done(end));
            lowered.advance();
        }
    })
}

/// What [`parse_each`]'s workers wait on: the file being lowered, how many
/// later pieces of it wait to be, and whether the lowering stopped (a
/// panic), when no worker may wait any longer.
#[derive(Default)]
struct Progress {
    state: std::sync::Mutex<ProgressState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct ProgressState {
    lowering: usize,
    pieces: usize,
    stopped: bool,
}

impl Progress {
    /// Waits until `ready` (which may update the state it accepts); false
    /// if the lowering stopped instead.
    fn wait(&self, mut ready: impl FnMut(&mut ProgressState) -> bool) -> bool {
        let mut p = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if p.stopped {
                return false;
            }
            if ready(&mut p) {
                return true;
            }
            p = self.changed.wait(p).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn update(&self, f: impl FnOnce(&mut ProgressState)) {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
        self.changed.notify_all();
    }
}

/// The lowering's side of [`Progress`]: the index of the file being
/// lowered, published as it advances, and a stop published when it ends
/// (or unwinds), so that no worker waits for it in vain.
struct Lowered<'a>(&'a Progress, usize);

impl Lowered<'_> {
    fn advance(&mut self) {
        self.1 += 1;
        let at = self.1;
        self.0.update(|p| {
            p.lowering = at;
            p.pieces = 0;
        });
    }
}

/// Stops [`Progress`] if the worker holding it panics.
struct StopOnPanic<'a>(&'a Progress);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.update(|p| p.stopped = true);
        }
    }
}

impl Drop for Lowered<'_> {
    fn drop(&mut self) {
        self.0.update(|p| p.stopped = true);
    }
}

/// A file whose released text could not be read again as it was checked
/// ([`Workspace::restore_texts`]).
#[derive(Debug, PartialEq, Eq)]
pub struct Changed {
    pub path: PathBuf,
    pub how: ChangedHow,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ChangedHow {
    Edited,
    Removed,
    /// Now a folder, a FIFO, a device: not opened.
    NotAFile,
    /// It cannot be read, and why.
    Unreadable(String),
}

impl std::fmt::Display for ChangedHow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangedHow::Edited => f.write_str("edited"),
            ChangedHow::Removed => f.write_str("removed"),
            ChangedHow::NotAFile => f.write_str("no longer a regular file"),
            ChangedHow::Unreadable(why) => write!(f, "cannot be read: {why}"),
        }
    }
}

/// The text at `path` if it is the released text `what`: a regular file
/// of its length (anything else is not opened, and a larger file is not
/// read whole), with its fingerprint.
fn read_again(path: &Path, what: Released) -> Result<String, ChangedHow> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ChangedHow::Removed,
        _ => ChangedHow::Unreadable(e.to_string()),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(ChangedHow::NotAFile);
    }
    if meta.len() != what.len as u64 {
        return Err(ChangedHow::Edited);
    }
    let mut bytes = Vec::with_capacity(what.len);
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(what.len as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    match String::from_utf8(bytes) {
        Ok(text) if fingerprint(&text) == what.fingerprint => Ok(text),
        _ => Err(ChangedHow::Edited),
    }
}

/// A released text's fingerprint ([`Released`], beside its length): a
/// fast hash of all of it (rustc-hash's, a few GB/s).
fn fingerprint(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// The ICG001 findings of a file's syntax errors.
fn syntax_findings(f: FileId, text: &str, parsed: &Parsed) -> Vec<Finding> {
    parsed
        .errors
        .iter()
        .map(|e| {
            let mut finding = icg::finding(icg::SYNTAX, f, e.span, e.message.clone());
            finding.help = e.help.clone().map(Into::into);
            if let Some(span) = e.unchecked_head(text) {
                finding.labels.push(crate::diagnostic::Label {
                    file: f,
                    span,
                    message: "not checked".into(),
                });
            }
            finding
        })
        .collect()
}

/// What discovery found: the files to check, the places it could not read
/// with the reason (reported as ICG009, never skipped silently), and the
/// folders it did not enter on purpose (listed by `check --verbose`).
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub unreadable: Vec<(PathBuf, String)>,
    pub skipped: Vec<(PathBuf, String)>,
    /// `.icg` links in a folder whose target is outside it: not read (a warning).
    pub outside: Vec<PathBuf>,
}

impl Workspace {
    /// Reads, parses and lowers every `.icg` file under `paths`.
    pub fn load(paths: &[PathBuf], regime_override: Option<i64>) -> Result<Workspace, LoadError> {
        Workspace::load_with(
            paths,
            &LoadOptions {
                regime: regime_override,
                ..LoadOptions::default()
            },
        )
    }

    /// [`Workspace::load`] with a forced regime or another edition of the packs.
    pub fn load_with(paths: &[PathBuf], opts: &LoadOptions) -> Result<Workspace, LoadError> {
        let pack_files = match &opts.packs {
            Some(dir) => Some(pack_folder(dir)?),
            None => None,
        };
        let Discovered {
            files,
            unreadable,
            skipped,
            outside,
        } = discover(paths)?;
        let mut ws = Workspace {
            skipped,
            force_regime: opts.force_regime,
            as_of: opts.as_of,
            keep_syntax: opts.keep_syntax,
            release_texts_over: opts.release_texts_over,
            ..Workspace::default()
        };
        // The built-in packs compile on a second core while the files are
        // read and parsed; their texts come first, as in every workspace.
        // A folder of packs given instead (`transition --packs-from`) is
        // loaded as local packs are.
        let (mut warm, mut builtin) = (None, None);
        match pack_files {
            None => {
                warm = std::thread::Builder::new()
                    .name("builtin-packs".into())
                    .spawn(rules::warm_builtin_packs)
                    .ok();
                builtin = Some(rules::add_builtin_sources(&mut ws.sources));
            }
            Some(files) => {
                for (path, bytes) in files {
                    ws.add_pack_bytes(&path, bytes, None);
                }
            }
        }
        for (path, why) in unreadable {
            let id = ws.sources.add(&path, String::new());
            ws.findings.push(
                icg::finding(
                    icg::UNREADABLE,
                    id,
                    Span::new(0, 0),
                    format!("{} cannot be read: {why}", path.display()),
                )
                .help("check the path and its permissions; nothing at this path was checked"),
            );
        }
        for path in outside {
            let id = ws.sources.add(&path, String::new());
            let mut f = icg::finding(
                icg::UNREADABLE,
                id,
                Span::new(0, 0),
                format!(
                    "{} is a link to a file outside the folder being checked; it was not read",
                    path.display()
                ),
            )
            .help("icslint reads only files inside the folders it checks: put the file itself here, or check the folder it is in");
            f.severity = crate::diagnostic::Severity::Warning;
            ws.findings.push(f);
        }
        ws.configs.push(ConfigFile {
            dir: PathBuf::new(),
            config: Config::default(),
            file: None,
        });
        let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
        let forced = opts.config.as_deref().map(|p| ws.load_named_config(p));
        let stdin_is = opts.stdin.as_ref().map(|(p, _)| identity(p));
        // Each file's `FileId` is taken here, in discovery order (between
        // its configuration's, as before), and its text put in once read:
        // the reading, decoding and line index happen on every core.
        let mut to_read = Vec::new();
        for path in files {
            if stdin_is.as_ref().is_some_and(|s| p_is(s, &path)) {
                continue;
            }
            let cfg = forced.unwrap_or_else(|| ws.config_for(&path, &mut by_dir));
            if ws.excluded(&path, cfg) {
                continue;
            }
            let id = ws.sources.add(&path, String::new());
            ws.files.push(id);
            ws.config_of.insert(id, cfg);
            to_read.push((id, path));
        }
        for ((id, _), read) in to_read.iter().zip(read_all(&to_read)) {
            ws.put_read(*id, read);
        }
        if let Some((path, bytes)) = &opts.stdin {
            // Checked even where `exclude:` would skip it: an editor or a
            // pipe asked for this text by name.
            let cfg = forced.unwrap_or_else(|| ws.config_for(path, &mut by_dir));
            let id = ws.add_bytes(path, Ok(bytes.clone()));
            let len = ws.sources.get(id).text.len();
            if len > MAX_TEXT {
                ws.sources.set_text(id, String::new());
                ws.findings.retain(|f| f.file != id);
                ws.too_large(id, len as u64);
            }
            ws.config_of.insert(id, cfg);
        }
        ws.parse_and_lower(opts.regime);
        if let Some(warm) = warm {
            // A panic there would come again here, where it is reported as usual.
            let _ = warm.join();
        }
        if let Some(builtin) = builtin {
            let (packs, findings) = rules::compiled_builtin_packs(&builtin);
            ws.packs.extend(packs.into_iter().map(|p| (None, p)));
            ws.findings.extend(findings);
        }
        ws.load_local_packs(|dir, rel| files::read_inside(dir, rel, files::MAX_PACK));
        Ok(ws)
    }

    /// Loads the local packs every configuration's `rules:` names, each
    /// read by `read(folder of the configuration, path named)`; a pack that
    /// cannot be read is an ICG013 at its line of the configuration.
    fn load_local_packs(&mut self, read: impl Fn(&Path, &Path) -> Result<Vec<u8>, files::NotRead>) {
        for i in 0..self.configs.len() {
            let rules = self.configs[i].config.rules.clone();
            for (k, rel) in rules.iter().enumerate() {
                let dir = &self.configs[i].dir;
                let path = dir.join(rel);
                // A pack is a file of this configuration's folder: a path
                // that leaves it (absolute, `..`, a link) is never read, so
                // no error can print what it holds.
                match read(dir, rel) {
                    Ok(bytes) => self.add_pack_bytes(&path, bytes, Some(i)),
                    Err(e) => {
                        let outside = matches!(
                            e,
                            files::NotRead::Outside(
                                files::Outside::Absolute | files::Outside::Leaves
                            )
                        );
                        let why = e.to_string();
                        if let Some(cf) = self.configs[i].file {
                            let span = self.configs[i].config.at.rules[k];
                            let (message, help) = if outside {
                                (
                                    format!("the rule pack {} was not read: {why}", rel.display()),
                                    "a rule pack must be a file in this icslint.yaml's folder or below it; icslint reads nothing outside the folders it checks",
                                )
                            } else {
                                (
                                    format!(
                                        "the rule pack {} cannot be read: {why}",
                                        rel.display()
                                    ),
                                    "paths in `rules:` are relative to this icslint.yaml",
                                )
                            };
                            self.findings
                                .push(icg::finding(icg::BAD_CONFIG, cf, span, message).help(help));
                        }
                    }
                }
            }
        }
    }

    /// Builds a workspace from in-memory texts (tests, benchmarks, rule examples).
    pub fn from_texts(texts: &[(&str, &str)], config: Config) -> Workspace {
        let mut ws = Workspace {
            keep_syntax: true,
            ..Workspace::default()
        };
        ws.load_builtin_packs();
        ws.add_texts(texts, config);
        ws
    }

    /// A workspace of files given as bytes, not read from a folder: the
    /// WebAssembly build's (`wasm/`; a browser has no file system). `files`
    /// are every file given, by relative path, as a folder dropped on the
    /// page gives them: the `.icg` files are checked (outside hidden folders
    /// and `target`, as discovery walks a folder), each `icslint.yaml`
    /// governs the files in its folder and below (the nearest one), and
    /// the packs its `rules:` names are looked up among the files given,
    /// within its folder. Each file is diagnosed as its read from disk is:
    /// too large, UTF-16 or not UTF-8 is an ICG009; a configuration that
    /// cannot be used, or a pack that is not there, an ICG013.
    pub fn from_files(
        files: Vec<(PathBuf, Vec<u8>)>,
        regime: Option<i64>,
        as_of: Option<crate::syntax::Date>,
    ) -> Workspace {
        let mut ws = Workspace {
            as_of,
            ..Workspace::default()
        };
        ws.load_builtin_packs();
        ws.configs.push(ConfigFile {
            dir: PathBuf::new(),
            config: Config::default(),
            file: None,
        });
        let mut given: HashMap<PathBuf, Vec<u8>> = HashMap::new();
        for (path, bytes) in files {
            given.insert(lexical(&path).unwrap_or(path), bytes);
        }
        let mut icg: Vec<&PathBuf> = given
            .keys()
            .filter(|p| {
                is_icg(p)
                    && !p.parent().is_some_and(|dir| {
                        dir.iter()
                            .skip(1)
                            .any(|c| skipped_folder(&c.to_string_lossy()).is_some())
                    })
            })
            .collect();
        // Discovery's order: each folder's entries by name, depth first.
        icg.sort();
        let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
        for path in icg {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let cfg = match by_dir.get(&dir) {
                Some(i) => *i,
                None => {
                    let found = dir
                        .ancestors()
                        .map(|anc| (anc, anc.join(CONFIG_NAME)))
                        .find(|(_, c)| given.contains_key(c))
                        .map_or(0, |(anc, c)| {
                            let bytes = &given[&c];
                            let read = if bytes.len() as u64 > files::MAX_CONFIG {
                                Err(files::Refused::TooLarge {
                                    size: bytes.len() as u64,
                                    limit: files::MAX_CONFIG,
                                }
                                .to_string())
                            } else {
                                Ok(bytes.clone())
                            };
                            match ws
                                .configs
                                .iter()
                                .position(|x| x.file.is_some() && x.dir == anc)
                            {
                                Some(i) => i,
                                None => ws.add_config(anc, &c, read),
                            }
                        });
                    by_dir.insert(dir, found);
                    found
                }
            };
            let c = &ws.configs[cfg];
            if !c.config.exclude.is_empty() {
                let rel = path.strip_prefix(&c.dir).unwrap_or(path);
                if c.config
                    .excludes
                    .matches(&rel.to_string_lossy().replace('\\', "/"))
                {
                    continue;
                }
            }
            let bytes = &given[path];
            let id = if bytes.len() as u64 > files::MAX_ICG {
                let id = ws.sources.add(path, String::new());
                ws.files.push(id);
                ws.too_large(id, bytes.len() as u64);
                id
            } else {
                ws.add_icg_bytes(path, bytes.clone())
            };
            ws.config_of.insert(id, cfg);
        }
        ws.parse_and_lower(regime);
        ws.load_local_packs(|dir, rel| {
            use files::{NotRead, Outside};
            if rel.has_root() {
                return Err(NotRead::Outside(Outside::Absolute));
            }
            let path = lexical(&dir.join(rel))
                .filter(|p| p.starts_with(dir))
                .ok_or(NotRead::Outside(Outside::Leaves))?;
            match given.get(&path) {
                Some(b) if b.len() as u64 > files::MAX_PACK => {
                    Err(NotRead::Refused(files::Refused::TooLarge {
                        size: b.len() as u64,
                        limit: files::MAX_PACK,
                    }))
                }
                Some(b) => Ok(b.clone()),
                None => Err(NotRead::Outside(Outside::Missing(
                    std::io::ErrorKind::NotFound.into(),
                ))),
            }
        });
        ws
    }

    /// A workspace of texts whose only pack is the local pack in
    /// `pack_bytes` (owned by the one configuration), without the built-in
    /// packs: for testing a pack alone, where its IDs may be built-in ones.
    pub fn with_only_pack(
        texts: &[(&str, &str)],
        config: Config,
        pack_path: &Path,
        pack_bytes: Vec<u8>,
    ) -> Workspace {
        let mut ws = Workspace {
            keep_syntax: true,
            ..Workspace::default()
        };
        ws.add_texts(texts, config);
        ws.add_pack_bytes(pack_path, pack_bytes, Some(0));
        ws
    }

    /// The one configuration and the texts of an in-memory workspace, parsed and lowered.
    fn add_texts(&mut self, texts: &[(&str, &str)], config: Config) {
        self.configs.push(ConfigFile {
            dir: PathBuf::new(),
            config,
            file: None,
        });
        for (path, text) in texts {
            let id = self.sources.add(*path, text.to_string());
            self.files.push(id);
            self.config_of.insert(id, 0);
        }
        self.parse_and_lower(None);
    }

    fn load_builtin_packs(&mut self) {
        let (packs, findings) = rules::builtin_packs(&mut self.sources);
        self.packs.extend(packs.into_iter().map(|p| (None, p)));
        self.findings.extend(findings);
    }

    /// Loads a pack from the bytes of its file: UTF-8, with or without a
    /// byte-order mark (which is not part of the text kept).
    pub fn add_pack_bytes(&mut self, path: &Path, bytes: Vec<u8>, owner: Option<usize>) {
        let (text, problem) = config::decode(bytes);
        if let Some(p) = problem {
            let id = self.sources.add(path, text);
            self.findings.push(
                icg::finding(
                    icg::BAD_PACK,
                    id,
                    p.span,
                    p.message.replace("this file", "this rule pack"),
                )
                .help(p.help),
            );
            return;
        }
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        self.add_pack(path, text, owner);
    }

    /// Loads a pack from text, owned by the configuration `owner` (`None`: built in).
    pub fn add_pack(&mut self, path: &Path, text: &str, owner: Option<usize>) {
        let id = self.sources.add(path, text.to_string());
        let (pack, findings) = rules::load_pack(text, id, false);
        self.findings.extend(findings);
        if let Some(mut p) = pack {
            // A local pack may not reuse a built-in rule ID: the ID would mean two things.
            let clash: Vec<String> = p
                .rules
                .iter()
                .filter(|r| {
                    self.packs
                        .iter()
                        .any(|(_, q)| q.rules.iter().any(|x| x.id == r.id))
                })
                .map(|r| r.id.clone())
                .collect();
            for c in &clash {
                let span = p
                    .rules
                    .iter()
                    .find(|r| r.id == *c)
                    .map_or(Span::default(), |r| r.span);
                self.findings.push(
                    icg::finding(
                        icg::BAD_PACK,
                        id,
                        span,
                        format!("the rule ID {c} is already used by another pack"),
                    )
                    .help("give local rules IDs of their own, like LOCAL001"),
                );
            }
            p.rules.retain(|r| !clash.contains(&r.id));
            self.packs.push((owner, p));
        }
    }

    pub fn config(&self, file: FileId) -> &Config {
        &self.configs[self.config_of.get(&file).copied().unwrap_or(0)].config
    }

    fn parse_and_lower(&mut self, regime_override: Option<i64>) {
        self.regime_override = regime_override;
        let unreadable: std::collections::HashSet<FileId> = self
            .findings
            .iter()
            .filter(|x| x.rule == icg::UNREADABLE.id)
            .map(|x| x.file)
            .collect();
        let todo: Vec<FileId> = self
            .files
            .iter()
            .copied()
            .filter(|f| !unreadable.contains(f))
            .collect();
        for f in &self.files {
            self.parsed.remove(f);
        }
        self.forget_lowering();
        let mut lowering = model::Lowering::new(regime_override.unwrap_or(2022));
        if let Some(day) = self.as_of {
            lowering.as_of(day);
        }
        // Every block has a `{`: room for that many blocks is made at once,
        // where a vector doubled as it fills would, at its last doubling,
        // hold the old copy of every block and the new (tens of megabytes
        // at scale). Braces in strings and comments only reserve more.
        lowering.reserve_blocks(
            todo.iter()
                .map(|f| {
                    self.sources
                        .get(*f)
                        .text
                        .bytes()
                        .filter(|b| *b == b'{')
                        .count()
                })
                .sum(),
        );
        let mut syntax_errors = Vec::new();
        let keep = self.keep_syntax;
        let texts: Vec<String> = todo.iter().map(|f| self.sources.take_text(*f)).collect();
        // The language server keeps every parse: it never releases texts.
        let release = !keep
            && self
                .release_texts_over
                .is_some_and(|over| texts.iter().map(String::len).sum::<usize>() >= over);
        let (mut kept, mut released) = (Vec::new(), Vec::new());
        let parsed = &mut self.parsed;
        parse_each(&todo, texts, !keep, release, |f, step| match step {
            Step::Piece((mut p, found)) => {
                syntax_errors.extend(found);
                // ICG001's note on what an error left unchecked reads the
                // tree of a file with errors; no one else needs it after this.
                if !keep && p.errors.is_empty() {
                    lowering.file_consumed(f, std::mem::take(&mut p.file));
                } else {
                    lowering.file(f, &p.file);
                }
                match parsed.entry(f) {
                    std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().append(p),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(p);
                    }
                }
            }
            // The file is lowered: its text is let go, unless the run reads
            // it, and its parse with it (what is left of it, the comments,
            // serves only the suppressions).
            Step::Done((text, what)) => match what {
                Some(what) => {
                    released.push((f, what));
                    parsed.remove(&f);
                }
                None => kept.push((f, text)),
            },
        });
        for (f, text) in kept {
            self.sources.put_text(f, text);
        }
        for (f, what) in released {
            self.sources.release(f, what);
        }
        self.trees_dropped = !keep;
        self.findings.extend(syntax_errors);
        let (model, findings) = lowering.finish(&[]);
        let model = self.configured(model);
        self.install_lowering(model, findings);
    }

    /// Parses one file (unless it could not be read) and records its syntax errors.
    fn parse_one(&mut self, f: FileId) {
        self.parsed.remove(&f);
        let text = &self.sources.get(f).text;
        if self
            .findings
            .iter()
            .any(|x| x.file == f && x.rule == icg::UNREADABLE.id)
        {
            return;
        }
        let parsed = syntax::parse(text);
        self.install(f, parsed);
    }

    /// Records a file's parse and its syntax errors.
    fn install(&mut self, f: FileId, parsed: Parsed) {
        let found = syntax_findings(f, &self.sources.get(f).text, &parsed);
        self.findings.extend(found);
        self.parsed.insert(f, parsed);
    }

    /// Lowers every parsed file into a new model (reusing their parses) and
    /// replaces the previous lowering's findings.
    fn lower(&mut self) {
        self.forget_lowering();
        let (model, findings) = self.lowering(&self.files, &[]);
        self.install_lowering(model, findings);
    }

    /// Removes the findings of the last lowering.
    fn forget_lowering(&mut self) {
        let old = std::mem::take(&mut self.lowered);
        let mut i = 0;
        self.findings.retain(|_| {
            i += 1;
            !old.contains(&(i - 1))
        });
    }

    /// Makes `model` the workspace's model and records its findings as the
    /// lowering's.
    fn install_lowering(&mut self, model: Model, findings: Vec<Finding>) {
        self.model = model;
        let start = self.findings.len();
        self.findings.extend(findings);
        self.lowered = start..self.findings.len();
    }

    /// `model` with what only the workspace knows: a forced regime, and
    /// the regime each file's configuration gives.
    fn configured(&self, mut model: Model) -> Model {
        model.forced_regime = self.force_regime;
        // A system that states no regime takes the one of the icslint.yaml
        // that applies to its file (the command line overrides both).
        if self.regime_override.is_none() {
            for sys in model.of_kind("system").collect::<Vec<_>>() {
                if let Some(r) = self.config(model.block(sys).file).regime {
                    model.configured_regime.insert(sys, r.year());
                }
            }
        }
        model
    }

    /// The model of `files` (in the workspace's order) and its findings,
    /// beside other files that declare `other_ids`. A file whose tree was
    /// dropped after loading is parsed again.
    fn lowering(&self, files: &[FileId], other_ids: &[&str]) -> (Model, Vec<Finding>) {
        let mut lowering = model::Lowering::new(self.regime_override.unwrap_or(2022));
        if let Some(day) = self.as_of {
            lowering.as_of(day);
        }
        for f in files {
            debug_assert!(
                !self.sources.get(*f).is_released(),
                "a workspace whose texts were released is not lowered again"
            );
            let Some(p) = self.parsed.get(f) else {
                continue;
            };
            if self.trees_dropped && p.errors.is_empty() {
                let text = &self.sources.get(*f).text;
                syntax::parse_in_pieces(text, PIECE_BYTES, |p| lowering.file_consumed(*f, p.file));
            } else {
                lowering.file(*f, &p.file);
            }
        }
        let (model, findings) = lowering.finish(other_ids);
        (self.configured(model), findings)
    }

    /// Reads again the released texts ([`LoadOptions::release_texts_over`])
    /// of the files `findings` point into (with their labels and fixes),
    /// and places the lines of the fixes made while they were released.
    ///
    /// When there is a text to read, it frees the model and the parses
    /// first, once the rules have run: a check's report reads only the
    /// findings, the texts and the packs, and texts read again beside the
    /// model would bring back the peak that releasing them avoided. The
    /// model is freed on this thread while another reads the texts; the
    /// workspace cannot be checked again.
    ///
    /// A text must be the one that was checked: the files edited, removed
    /// or made unreadable since are the error, each with what happened to
    /// it (sorted by path), and then no text is placed. A path that is no
    /// longer a regular file of the length read (a FIFO, a larger file) is
    /// not opened.
    pub fn restore_texts(&mut self, findings: &mut [Finding]) -> Result<(), Vec<Changed>> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mut files: Vec<FileId> = findings
            .iter()
            .flat_map(|f| {
                let edits = f.fix.iter().flat_map(|x| x.edits.iter().map(|e| e.file));
                std::iter::once(f.file)
                    .chain(f.labels.iter().map(|l| l.file))
                    .chain(edits)
            })
            .filter(|f| self.sources.get(*f).is_released())
            .collect();
        files.sort_unstable();
        files.dedup();
        if files.is_empty() {
            return Ok(());
        }
        let model = std::mem::take(&mut self.model);
        let parsed = std::mem::take(&mut self.parsed);
        let (sources, next) = (&self.sources, AtomicUsize::new(0));
        // Each text read again, with its line index, or what became of it.
        let read = || {
            let mut out = Vec::new();
            loop {
                let Some(&f) = files.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    return out;
                };
                let src = sources.get(f);
                let again = src
                    .released()
                    .map_or(Err(ChangedHow::Edited), |what| read_again(&src.path, what));
                out.push((
                    f,
                    again.map(|t| crate::source::Source::new(src.path.clone(), t)),
                ));
            }
        };
        let read = &read;
        let restored: Vec<_> = std::thread::scope(|s| {
            let other = std::thread::Builder::new()
                .name("restore-texts".into())
                .spawn_scoped(s, read)
                .ok();
            drop((model, parsed));
            let mut all = read();
            if let Some(other) = other {
                match other.join() {
                    Ok(more) => all.extend(more),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            all
        });
        let mut changed = Vec::new();
        for (f, src) in restored {
            match src {
                Ok(src) => self.sources.restore(f, src),
                Err(how) => changed.push(Changed {
                    path: self.sources.path(f).to_path_buf(),
                    how,
                }),
            }
        }
        if !changed.is_empty() {
            changed.sort_by(|a, b| a.path.cmp(&b.path));
            return Err(changed);
        }
        for fix in findings.iter_mut().filter_map(|f| f.fix.as_deref_mut()) {
            if std::mem::take(&mut fix.pending) {
                for e in &mut fix.edits {
                    let text = &self.sources.get(e.file).text;
                    (e.span, e.insert) =
                        crate::fmt::insert_into_block(text, e.span, None, &e.insert);
                }
            }
        }
        Ok(())
    }

    /// Re-lowers the model from every file's kept parse (after
    /// [`Workspace::replace_parse`]).
    pub fn relower(&mut self) {
        self.lower();
    }

    /// Runs `f` on this workspace narrowed to `part`, a set of its `.icg`
    /// files that no other file shares an ID with (see `lsp::scope`), while
    /// the other files' model declares `other_ids`: the files are the
    /// part's, the model is lowered from their parses alone, and the
    /// language findings are theirs. For those files, `f` sees what a check
    /// of the whole workspace sees. The workspace is restored after (even
    /// if `f` panics); its own model is left as it was.
    pub fn with_part<R>(
        &mut self,
        part: &[FileId],
        other_ids: &[&str],
        f: impl FnOnce(&Workspace) -> R,
    ) -> R {
        let inside: std::collections::HashSet<FileId> = part.iter().copied().collect();
        let files: Vec<FileId> = self
            .files
            .iter()
            .copied()
            .filter(|f| inside.contains(f))
            .collect();
        let (model, lowered) = self.lowering(&files, other_ids);
        let mut findings: Vec<Finding> = self
            .findings
            .iter()
            .enumerate()
            .filter(|(i, x)| !self.lowered.contains(i) && inside.contains(&x.file))
            .map(|(_, x)| x.clone())
            .collect();
        findings.extend(lowered);
        let files = std::mem::replace(&mut self.files, files);
        let findings = std::mem::replace(&mut self.findings, findings);
        let model = std::mem::replace(&mut self.model, model);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        self.files = files;
        self.findings = findings;
        self.model = model;
        result.unwrap_or_else(|p| std::panic::resume_unwind(p))
    }

    /// Replaces the text of one `.icg` file (an editor's unsaved buffer):
    /// re-parses that file alone and re-lowers the model from every file's
    /// parse. The language server's incremental re-check.
    pub fn set_text(&mut self, file: FileId, text: String) {
        self.set_texts([(file, text)]);
    }

    /// [`Workspace::set_text`] for several files, lowering once.
    pub fn set_texts(&mut self, texts: impl IntoIterator<Item = (FileId, String)>) {
        self.set_parsed_texts(texts.into_iter().map(|(f, t)| (f, t, None)));
    }

    /// [`Workspace::set_texts`] with, for some files, the parse of the new
    /// text already made (the server re-parses only the edited block).
    pub fn set_parsed_texts(
        &mut self,
        texts: impl IntoIterator<Item = (FileId, String, Option<Parsed>)>,
    ) {
        for (file, text, parsed) in texts {
            self.replace_parse(file, text, parsed);
        }
        self.lower();
    }

    /// Replaces one file's text and parse (made here when `None`) without
    /// re-lowering: the model is out of date until [`Workspace::relower`],
    /// and the lowering's findings are dropped.
    pub fn replace_parse(&mut self, file: FileId, text: String, parsed: Option<Parsed>) {
        self.sources.set_text(file, text);
        self.drop_file_findings(file);
        match parsed {
            Some(p) => self.install(file, p),
            None => self.parse_one(file),
        }
    }

    /// Adds a `.icg` file that discovery did not find (an editor opened it,
    /// or it was created after loading), with the configuration that applies
    /// to it; `text` is the editor's buffer, or `None` to read the disk.
    pub fn add_file(&mut self, path: &Path, text: Option<String>) -> FileId {
        let cfg = self.config_for(path, &mut HashMap::new());
        let id = match text {
            Some(text) => {
                let id = self.sources.add(path, text);
                self.files.push(id);
                id
            }
            None => self.read(path),
        };
        self.config_of.insert(id, cfg);
        self.parse_one(id);
        self.lower();
        id
    }

    /// Forgets a file (deleted from disk, or no longer a `.icg` file).
    pub fn remove_file(&mut self, file: FileId) {
        self.files.retain(|f| *f != file);
        self.parsed.remove(&file);
        self.drop_file_findings(file);
        self.lower();
    }

    /// Whether `path` is excluded by the `icslint.yaml` that applies to it.
    pub fn is_excluded(&mut self, path: &Path) -> bool {
        let cfg = self.config_for(path, &mut HashMap::new());
        self.excluded(path, cfg)
    }

    /// Drops a file's reading and syntax findings, and the lowering's
    /// findings (the caller re-lowers).
    fn drop_file_findings(&mut self, file: FileId) {
        let lowered = std::mem::take(&mut self.lowered);
        let mut i = 0;
        self.findings.retain(|f| {
            i += 1;
            !lowered.contains(&(i - 1))
                && !(f.file == file && (f.rule == icg::SYNTAX.id || f.rule == icg::UNREADABLE.id))
        });
    }

    fn read(&mut self, path: &Path) -> FileId {
        let id = self.sources.add(path, String::new());
        self.files.push(id);
        self.put_read(id, read_one(path));
        id
    }

    /// Puts a file's text, as [`read_one`] read it, at `id` (a file of the
    /// workspace whose text is still empty), with an ICG009 when it could
    /// not be read or decoded.
    fn put_read(&mut self, id: FileId, read: Result<Read, files::Refused>) {
        match read {
            Err(files::Refused::TooLarge { size, .. }) => self.too_large(id, size),
            Err(e) => {
                let path = self.sources.path(id).display().to_string();
                self.findings.push(icg::finding(
                    icg::UNREADABLE,
                    id,
                    Span::new(0, 0),
                    format!("{path} cannot be read: {e}"),
                ));
            }
            Ok(Read { source, bad }) => {
                // The model keeps 32-bit spans (`Span32`): a file of 4 GiB
                // or more is refused before it is read, as is a text that
                // decodes larger.
                let len = source.text.len();
                if len > MAX_TEXT {
                    self.too_large(id, len as u64);
                    return;
                }
                self.sources.restore(id, source);
                if let Some(bad) = bad {
                    self.bad_encoding(id, bad);
                }
            }
        }
    }

    /// A file too large to check (see `read`) is one ICG009 at its path.
    fn too_large(&mut self, id: FileId, size: u64) {
        let path = self.sources.path(id).display().to_string();
        self.findings.push(
            icg::finding(
                icg::UNREADABLE,
                id,
                Span::new(0, 0),
                format!(
                    "{path} is {}: icslint checks files under {}",
                    files::bytes(size),
                    files::bytes(files::MAX_ICG + 1)
                ),
            )
            .help("split the document into files of a few of its top-level blocks each; nothing in this file was checked"),
        );
    }

    /// A file's bytes as read (or why they were not), added as its text,
    /// with an ICG009 when they are not UTF-8 or could not be read.
    fn add_bytes(&mut self, path: &Path, read: Result<Vec<u8>, files::Refused>) -> FileId {
        match read {
            Err(files::Refused::TooLarge { size, .. }) => {
                let id = self.sources.add(path, String::new());
                self.files.push(id);
                self.too_large(id, size);
                id
            }
            Ok(bytes) => self.add_icg_bytes(path, bytes),
            Err(e) => {
                let id = self.sources.add(path, String::new());
                self.files.push(id);
                self.findings.push(icg::finding(
                    icg::UNREADABLE,
                    id,
                    Span::new(0, 0),
                    format!("{} cannot be read: {e}", path.display()),
                ));
                id
            }
        }
    }

    /// An `.icg` file's bytes as a text of the workspace: UTF-16 or bytes
    /// that are not UTF-8 are an ICG009 (the file read from disk and the
    /// bytes given by a browser are diagnosed alike).
    fn add_icg_bytes(&mut self, path: &Path, bytes: Vec<u8>) -> FileId {
        let (text, bad) = decode(bytes);
        let id = self.sources.add(path, text);
        self.files.push(id);
        if let Some(bad) = bad {
            self.bad_encoding(id, bad);
        }
        id
    }

    /// The ICG009 of a file whose bytes are not UTF-8 (its text, decoded
    /// lossily or empty, is at `id`).
    fn bad_encoding(&mut self, id: FileId, bad: BadEncoding) {
        let path = self.sources.path(id).display().to_string();
        self.findings.push(match bad {
            BadEncoding::Utf16 => icg::finding(
                icg::UNREADABLE,
                id,
                Span::new(0, 0),
                format!("{path} is UTF-16 text, not UTF-8"),
            )
            .help("save the file as UTF-8 (in Notepad: Save As, Encoding: UTF-8)"),
            BadEncoding::NotUtf8 { at, byte } => icg::finding(
                icg::UNREADABLE,
                id,
                Span::new(at, at + 1),
                format!("{path} is not UTF-8 text: byte {at} (0x{byte:02X}) is not valid UTF-8"),
            )
            .help(
                "save the file as UTF-8; this file was probably saved as Latin-1 or Windows-1252",
            ),
        });
    }

    fn config_for(&mut self, file: &Path, by_dir: &mut HashMap<PathBuf, usize>) -> usize {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        if let Some(i) = by_dir.get(&dir) {
            return *i;
        }
        let abs = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        let mut found = 0;
        for anc in abs.ancestors() {
            self.report_misnamed(anc);
            let candidate = anc.join(CONFIG_NAME);
            // Whatever is there is read or reported, never passed over:
            // a folder, a FIFO or a link elsewhere named so is an ICG013.
            if std::fs::symlink_metadata(&candidate).is_ok() {
                found = self.load_config(anc, &candidate);
                break;
            }
        }
        by_dir.insert(dir, found);
        found
    }

    /// Names a configuration might be given that icslint does not read:
    /// each one found is an error at the file (ICG013), never a file
    /// silently passed over.
    fn report_misnamed(&mut self, dir: &Path) {
        for name in MISNAMED_CONFIGS {
            let path = dir.join(name);
            if std::fs::symlink_metadata(&path).is_err() || !self.misnamed.insert(path.clone()) {
                continue;
            }
            // Named, never read: it may be a link anywhere.
            let id = self.sources.add(&path, String::new());
            let beside = dir.join(CONFIG_NAME);
            let help = if std::fs::symlink_metadata(&beside).is_ok() {
                format!("the {CONFIG_NAME} beside it applies; merge the two and delete this one")
            } else {
                format!("rename it to {CONFIG_NAME}, or name it with --config; until then the files under this folder are checked without it")
            };
            self.findings.push(
                icg::finding(
                    icg::BAD_CONFIG,
                    id,
                    Span::new(0, 0),
                    format!(
                        "{} is not read: icslint reads its configuration from a file named {CONFIG_NAME}",
                        path.display()
                    ),
                )
                .help(help),
            );
        }
    }

    /// The configuration file named by `--config`: read as an
    /// `icslint.yaml` in its folder is (confined to that folder), under
    /// its own name.
    fn load_named_config(&mut self, path: &Path) -> usize {
        let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => d.to_path_buf(),
            None => PathBuf::from("."),
        };
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let name = PathBuf::from(path.file_name().unwrap_or_default());
        self.load_config_named(&dir, path, &name)
    }

    /// The configuration that applies to `path` (a file, or a folder's
    /// files), and the workspace that loaded it: its file and problems
    /// (`icslint config`).
    pub fn configuration_for(path: &Path, opts: &LoadOptions) -> (Workspace, usize) {
        let mut ws = Workspace::default();
        ws.configs.push(ConfigFile {
            dir: PathBuf::new(),
            config: Config::default(),
            file: None,
        });
        let i = match &opts.config {
            Some(c) => ws.load_named_config(c),
            None => {
                let probe = if path.is_dir() {
                    path.join("-")
                } else {
                    path.to_path_buf()
                };
                ws.config_for(&probe, &mut HashMap::new())
            }
        };
        (ws, i)
    }

    fn load_config(&mut self, dir: &Path, path: &Path) -> usize {
        self.load_config_named(dir, path, Path::new(CONFIG_NAME))
    }

    fn load_config_named(&mut self, dir: &Path, path: &Path, name: &Path) -> usize {
        if let Some(i) = self.configs.iter().position(|c| c.dir == dir) {
            return i;
        }
        // A configuration that cannot be read is a finding at the file, never
        // a quiet fall-back to the defaults.
        let read = files::read_inside(dir, name, files::MAX_CONFIG)
            .map_err(|e| match e {
                files::NotRead::Outside(files::Outside::Leaves) => "it is a link to a file outside its folder, and icslint reads no file outside the folders it checks".to_string(),
                e => e.to_string(),
            });
        self.add_config(dir, path, read)
    }

    /// A configuration from what reading it gave: its bytes, or why not.
    fn add_config(&mut self, dir: &Path, path: &Path, read: Result<Vec<u8>, String>) -> usize {
        let (text, problem) = match read {
            Ok(bytes) => config::decode(bytes),
            Err(why) => (
                String::new(),
                Some(config::Problem {
                    span: Span::new(0, 0),
                    message: format!("{} cannot be read: {why}", path.display()),
                    help: "make it a regular file in this folder; the files it governs are checked with the default configuration".into(),
                }),
            ),
        };
        let id = self.sources.add(path, text);
        let (config, problems) = match problem {
            Some(p) => (Config::default(), vec![p]),
            None => config::load(&self.sources.get(id).text),
        };
        for p in problems {
            self.findings
                .push(icg::finding(icg::BAD_CONFIG, id, p.span, p.message).help(p.help));
        }
        self.configs.push(ConfigFile {
            dir: dir.to_path_buf(),
            config,
            file: Some(id),
        });
        self.configs.len() - 1
    }

    fn excluded(&self, path: &Path, cfg: usize) -> bool {
        let c = &self.configs[cfg];
        if c.config.exclude.is_empty() {
            return false;
        }
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = abs
            .strip_prefix(&c.dir)
            .unwrap_or(&abs)
            .to_string_lossy()
            .replace('\\', "/");
        c.config.excludes.matches(&rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Comment;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    #[test]
    fn files_read_on_every_core_come_back_in_order_as_one_thread_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for i in 0..60 {
            let path = dir.path().join(format!("{i:02}.icg"));
            // Every kind of file the workers may meet: UTF-8 of each
            // length, a UTF-16 one, bytes that are not UTF-8, a folder,
            // a missing path.
            match i % 10 {
                3 => std::fs::write(&path, [0xFF, 0xFE, b's', 0]).unwrap(),
                5 => std::fs::write(&path, b"system s \"\xE9\" {}\r\nx\ry").unwrap(),
                7 => std::fs::create_dir(&path).unwrap(),
                9 => {}
                _ => {
                    std::fs::write(&path, format!("system s{i} \"S\" {{\n}}\n").repeat(i)).unwrap()
                }
            }
            files.push((FileId(i as u32), path));
        }
        let shown = |r: &Result<Read, files::Refused>| match r {
            Ok(Read { source, bad }) => format!(
                "{} {:?} {:?} {:?}",
                source.path.display(),
                source.text,
                (1..=source.line_count())
                    .map(|l| source.line_span(l))
                    .collect::<Vec<_>>(),
                bad
            ),
            Err(e) => format!("refused: {e}"),
        };
        let parallel: Vec<String> = read_all(&files).iter().map(shown).collect();
        let serial: Vec<String> = files.iter().map(|(_, p)| shown(&read_one(p))).collect();
        assert_eq!(parallel, serial);
        assert!(serial[3].contains("Utf16") && serial[5].contains("NotUtf8"));
        assert!(serial[7].starts_with("refused") && serial[9].starts_with("refused"));
        // And a workspace of them: the same files, IDs and findings on
        // every load, whatever the threads did.
        let load = || {
            let ws = Workspace::load(&[dir.path().to_path_buf()], None).unwrap();
            let ids: Vec<_> = ws
                .files
                .iter()
                .map(|f| (f.0, ws.sources.path(*f).to_path_buf()))
                .collect();
            let mut found: Vec<_> = ws
                .findings
                .iter()
                .filter(|f| f.rule == icg::UNREADABLE.id)
                .map(|f| (f.file.0, f.span, f.message.clone()))
                .collect();
            found.sort();
            (ids, found)
        };
        let first = load();
        assert_eq!(first.0.len(), 48, "folders and missing paths are not files");
        assert_eq!(
            first.1.len(),
            12,
            "six UTF-16 and six not UTF-8: {:?}",
            first.1
        );
        for _ in 0..3 {
            assert_eq!(load(), first);
        }
    }

    /// A piece that says which file and which of its pieces it is.
    fn piece(file: usize, k: usize) -> Parsed {
        Parsed {
            comments: vec![Comment {
                span: Span::new(file, k),
                own_line: false,
            }],
            ..Parsed::default()
        }
    }

    fn id(p: &Parsed) -> (usize, usize) {
        (p.comments[0].span.start, p.comments[0].span.end)
    }

    /// Pieces come to `each` in file order whatever the workers' pace, and
    /// what waits to be lowered stays a few pieces: when the first file is
    /// large and slow to lower, neither its own pieces nor the quick files
    /// after it pile up.
    /// A parser that panics part way through a file gives the pieces it
    /// sent, then one syntax error over the rest: the run goes on.
    #[test]
    fn a_panic_while_parsing_a_file_is_a_syntax_error_over_the_rest() {
        let text = "system s \"S\" { regime 2022 }\nsystem t \"T\" {\n";
        let mut got = Vec::new();
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        guarded(text, &mut |p| got.push(p), |text, send| {
            let first = syntax::parse(&text[..30]);
            send(first);
            panic!("a bug");
        });
        std::panic::set_hook(quiet);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].file.blocks.len(), 1);
        let e = &got[1].errors[0];
        assert!(e.message.contains("internal error"), "{e:?}");
        assert_eq!(
            e.unchecked,
            Some(Span::new(got[0].file.blocks[0].span.end, text.len()))
        );
    }

    #[test]
    fn pieces_come_in_order_and_never_pile_up() {
        let (alive, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let pieces_of = |i: usize| match i {
            0 => 40,
            1..150 => 1,
            _ => 3,
        };
        let parse = |i: usize, send: &mut dyn FnMut(Parsed)| {
            for k in 0..pieces_of(i) {
                let now = alive.fetch_add(1, SeqCst) + 1;
                most.fetch_max(now, SeqCst);
                send(piece(i, k));
            }
            // What the file's end carries (a text, in a check).
            i
        };
        let mut seen = Vec::new();
        in_order(200, 2, &parse, |i, step| match step {
            Step::Piece(p) => {
                assert_eq!(id(&p).0, i);
                if i == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                seen.push(Some(id(&p)));
                alive.fetch_sub(1, SeqCst);
            }
            Step::Done(end) => {
                assert_eq!(end, i);
                seen.push(None);
            }
        });
        // Each file's pieces, then its end, file after file.
        let want: Vec<Option<(usize, usize)>> = (0..200)
            .flat_map(|i| (0..pieces_of(i)).map(move |k| Some((i, k))).chain([None]))
            .collect();
        assert_eq!(seen, want);
        // Three files started ahead (their first pieces), two later pieces
        // of the file being lowered, and the one each worker is sending.
        let most = most.load(SeqCst);
        assert!(most <= 8, "{most} pieces were waiting at once");
    }

    /// A worker that panics ends the run with its panic: the other worker,
    /// waiting for the lowering to reach its file, must not wait forever.
    #[test]
    fn a_panicking_worker_is_a_panic_not_a_hang() {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let parse = |i: usize, send: &mut dyn FnMut(Parsed)| {
                if i == 3 {
                    send(piece(i, 0));
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    panic!("a parser bug on file 3");
                }
                for k in 0..3 {
                    send(piece(i, k));
                }
            };
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                in_order(20, 2, &parse, |_, _| {})
            }));
            let _ = done.send(run.is_err());
        });
        let panicked = finished
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("parsing hung after a worker panicked");
        assert!(panicked, "the worker's panic was lost");
    }
}
