//! The server's view of the workspace: every `.icg` file under the client's
//! folders, with open files taken from the editor's buffers, and the
//! findings of the last check. Edits are queued and applied together, so a
//! burst of changes costs one re-check: only the edited files are re-parsed,
//! every other file's parse is reused, and the model is re-lowered.

use crate::diagnostic::Finding;
use crate::engine::{Engine, Options};
use crate::source::FileId;
use crate::workspace::Workspace;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct World {
    roots: Vec<PathBuf>,
    pub ws: Workspace,
    pub findings: Vec<Finding>,
    /// `.icg` files by canonical path.
    by_path: HashMap<PathBuf, FileId>,
    /// Files open in the editor.
    pub open: HashSet<FileId>,
    /// New texts not yet parsed (the latest wins).
    pending: BTreeMap<FileId, String>,
    /// Whether `findings` is older than the texts.
    stale: bool,
}

/// The canonical form of a path, so a URI and a discovered path agree.
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl World {
    /// Loads every `.icg` file under `roots` (canonical directories).
    pub fn load(roots: &[PathBuf]) -> World {
        let roots: Vec<PathBuf> = roots.iter().filter(|r| r.exists()).cloned().collect();
        let ws = if roots.is_empty() {
            Workspace::from_texts(&[], crate::config::Config::default())
        } else {
            Workspace::load(&roots, None)
                .unwrap_or_else(|_| Workspace::from_texts(&[], crate::config::Config::default()))
        };
        let by_path = ws
            .files
            .iter()
            .map(|f| (canonical(ws.sources.path(*f)), *f))
            .collect();
        World {
            roots,
            ws,
            findings: Vec::new(),
            by_path,
            open: HashSet::new(),
            pending: BTreeMap::new(),
            stale: true,
        }
    }

    pub fn file(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&canonical(path)).copied()
    }

    /// The current text of a file, including an edit not yet checked.
    pub fn text(&self, file: FileId) -> &str {
        self.pending
            .get(&file)
            .map_or(&self.ws.sources.get(file).text, |t| t.as_str())
    }

    /// The editor opened a file: its buffer replaces the disk copy. Only
    /// `.icg` files are checked; `None` for anything else.
    pub fn open(&mut self, path: &Path, text: String) -> Option<FileId> {
        let file = match self.file(path) {
            Some(f) => {
                self.set(f, text);
                f
            }
            None if path.extension().is_none_or(|x| x != "icg") => return None,
            // No workspace folder (an editor opened a lone file): the file's
            // folder is the workspace, so its references resolve.
            None if self.roots.is_empty() && path.parent().is_some_and(Path::is_dir) => {
                self.roots = vec![canonical(path.parent()?)];
                self.reload_all();
                return self.open(path, text);
            }
            None => {
                let f = self.ws.add_file(path, Some(text));
                self.by_path.insert(canonical(path), f);
                self.stale = true;
                f
            }
        };
        self.open.insert(file);
        Some(file)
    }

    /// A new text for an open file; parsed at the next `refresh`.
    pub fn set(&mut self, file: FileId, text: String) {
        if self.text(file) != text {
            self.pending.insert(file, text);
            self.stale = true;
        }
    }

    /// The editor closed a file: the disk copy applies again (or, if it is
    /// gone, the file leaves the workspace).
    pub fn close(&mut self, path: &Path) {
        let Some(file) = self.file(path) else { return };
        self.open.remove(&file);
        self.reload(path, file);
    }

    /// A file changed on disk (saved, or changed by another program). Open
    /// files keep their buffers. A changed YAML file (an `icslint.yaml` or
    /// a local rule pack) reloads the workspace, as a new `check` would.
    pub fn disk_changed(&mut self, path: &Path) {
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            self.reload_all();
            return;
        }
        match self.file(path) {
            Some(f) if self.open.contains(&f) => {}
            Some(f) => self.reload(path, f),
            None if path.extension().is_some_and(|x| x == "icg")
                && path.is_file()
                && !self.ws.is_excluded(path) =>
            {
                let f = self.ws.add_file(path, None);
                self.by_path.insert(canonical(path), f);
                self.stale = true;
            }
            None => {}
        }
    }

    /// Loads the workspace afresh, keeping the editor's open buffers.
    fn reload_all(&mut self) {
        let open: Vec<(PathBuf, String)> = self
            .open
            .iter()
            .map(|f| {
                (
                    self.ws.sources.path(*f).to_path_buf(),
                    self.text(*f).to_string(),
                )
            })
            .collect();
        *self = World::load(&self.roots);
        for (path, text) in open {
            self.open(&path, text);
        }
    }

    fn reload(&mut self, path: &Path, file: FileId) {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => self.set(file, text),
                Err(_) => {
                    // Let the workspace read it again, so the finding is the
                    // same ICG009 that `check` gives.
                    self.pending.remove(&file);
                    self.ws.remove_file(file);
                    let f = self.ws.add_file(path, None);
                    self.by_path.insert(canonical(path), f);
                    self.stale = true;
                }
            },
            Err(_) => {
                self.pending.remove(&file);
                self.ws.remove_file(file);
                self.by_path.remove(&canonical(path));
                self.stale = true;
            }
        }
    }

    /// Parses the queued texts, re-lowers and re-checks, if anything changed.
    /// Returns whether it did.
    pub fn refresh(&mut self) -> bool {
        if !self.stale {
            return false;
        }
        // Cleared first: a check that panics is not retried until the next edit.
        self.stale = false;
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            let texts: Vec<_> = pending
                .into_iter()
                .map(|(file, text)| {
                    let parsed = self.reparse(file, &text);
                    (file, text, parsed)
                })
                .collect();
            self.ws.set_parsed_texts(texts);
        }
        self.findings = check(&self.ws);
        true
    }

    /// One re-check of an edited file, timed by phase: re-parse and
    /// re-lower, rules, conversion to diagnostics (for `benches/lsp.rs`).
    #[doc(hidden)]
    pub fn recheck_timed(&mut self, file: FileId, text: String) -> (Duration, Duration, Duration) {
        let t = Instant::now();
        let parsed = self.reparse(file, &text);
        self.ws.set_parsed_texts([(file, text, parsed)]);
        let parse = t.elapsed();
        let t = Instant::now();
        self.findings = check(&self.ws);
        let rules = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(super::diagnostics::publish(&self.ws, &self.findings, ""));
        (parse, rules, t.elapsed())
    }

    /// The parse of a file's new text by re-parsing only the edited block,
    /// when that gives the whole-file parse (see `incremental`).
    fn reparse(&mut self, file: FileId, text: &str) -> Option<crate::syntax::Parsed> {
        let old = self.ws.parsed.remove(&file)?;
        super::incremental::reparse(old, &self.ws.sources.get(file).text, text)
    }

    pub fn files(&self) -> impl Iterator<Item = (&Path, FileId)> {
        self.by_path.iter().map(|(p, f)| (p.as_path(), *f))
    }
}

/// The same check as `icslint check` with no command-line selection.
pub fn check(ws: &Workspace) -> Vec<Finding> {
    Engine::new(ws, Options::default()).run()
}
