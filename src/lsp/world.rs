//! The server's view of the workspace: every `.icg` file under the client's
//! folders, with open files taken from the editor's buffers, and the
//! findings of the last check. Edits are queued and applied together, so a
//! burst of changes costs one re-check (only the latest text of each file
//! is checked). A re-check re-parses only the edited files (only the edited
//! block where it can, see `incremental`), keeps every other file's parse
//! and the compiled packs, and lowers and checks only the edited files'
//! part of the workspace (see `scope`); it falls back to the whole
//! workspace where a part could not be exact.

use super::scope::{Graph, Names};
use super::symbols::Symbols;
use crate::diagnostic::{icg, Finding};
use crate::engine::{Engine, Options};
use crate::source::FileId;
use crate::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct World {
    roots: Vec<PathBuf>,
    /// The texts, parses, configurations and compiled packs. Its `model` is
    /// brought up to date by [`World::model`]; a part's re-check leaves it
    /// behind.
    pub ws: Workspace,
    /// The findings of the whole workspace, as `check` gives them.
    pub findings: Vec<Finding>,
    /// `.icg` files by canonical path.
    by_path: HashMap<PathBuf, FileId>,
    /// Files open in the editor, with the version of their latest text.
    pub open: HashSet<FileId>,
    versions: HashMap<FileId, i32>,
    /// New texts not yet parsed (the latest wins).
    pending: BTreeMap<FileId, String>,
    /// Whether `findings` is older than the texts.
    stale: bool,
    /// Whether the next re-check must take the whole workspace (files
    /// added or removed, configuration reloaded).
    whole: bool,
    /// Whether a rule looks beyond the links between blocks (`kinds(...)`),
    /// so every re-check takes the whole workspace.
    global_rules: bool,
    /// The IDs each file declares and refers to.
    graph: Graph,
    /// The IDs of each file's blocks in the model (declared by a block the
    /// model kept).
    ids_of: HashMap<FileId, Vec<String>>,
    /// Whether `ws.model` is older than the parses.
    model_stale: bool,
    /// What requests read of the model, up to date after every re-check
    /// (a part's re-check replaces its files' entries).
    symbols: Symbols,
    /// How long the last re-check's phases took (for `benches/lsp.rs`).
    timings: (Duration, Duration),
}

/// What a re-check looked at: every file's findings may have changed, or
/// only those of a part of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    All,
    Part(BTreeSet<FileId>),
}

impl Checked {
    pub fn contains(&self, file: FileId) -> bool {
        match self {
            Checked::All => true,
            Checked::Part(p) => p.contains(&file),
        }
    }
    /// Both re-checks together.
    pub fn union(self, other: Checked) -> Checked {
        match (self, other) {
            (Checked::Part(mut a), Checked::Part(b)) => {
                a.extend(b);
                Checked::Part(a)
            }
            _ => Checked::All,
        }
    }
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
            // Hover, completion and the incremental re-check read the trees.
            let opts = crate::workspace::LoadOptions {
                keep_syntax: true,
                ..Default::default()
            };
            Workspace::load_with(&roots, &opts)
                .unwrap_or_else(|_| Workspace::from_texts(&[], crate::config::Config::default()))
        };
        let by_path = ws
            .files
            .iter()
            .map(|f| (canonical(ws.sources.path(*f)), *f))
            .collect();
        let global_rules = ws
            .packs
            .iter()
            .any(|(_, p)| p.rules.iter().any(|r| r.looks_beyond_links()));
        World {
            roots,
            ws,
            findings: Vec::new(),
            by_path,
            open: HashSet::new(),
            versions: HashMap::new(),
            pending: BTreeMap::new(),
            stale: true,
            whole: true,
            global_rules,
            graph: Graph::default(),
            ids_of: HashMap::new(),
            model_stale: false,
            symbols: Symbols::default(),
            timings: Default::default(),
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

    /// The editor's version of an open file's latest text.
    pub fn version(&self, file: FileId) -> Option<i32> {
        self.versions.get(&file).copied()
    }

    /// Records the editor's version of an open file's latest text.
    pub fn set_version(&mut self, file: FileId, version: i32) {
        self.versions.insert(file, version);
    }

    /// The editor opened a file: its buffer replaces the disk copy. Only
    /// `.icg` files are checked; `None` for anything else.
    pub fn open(&mut self, path: &Path, text: String) -> Option<FileId> {
        let file = match self.file(path) {
            Some(f) => {
                self.set(f, text);
                f
            }
            None if !crate::workspace::is_icg(path) => return None,
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
                self.whole = true;
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
        self.versions.remove(&file);
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
            None if crate::workspace::is_icg(path)
                && path.is_file()
                && !self.ws.is_excluded(path) =>
            {
                let f = self.ws.add_file(path, None);
                self.by_path.insert(canonical(path), f);
                self.whole = true;
                self.stale = true;
            }
            None => {}
        }
    }

    /// Loads the workspace afresh, keeping the editor's open buffers.
    fn reload_all(&mut self) {
        let open: Vec<(PathBuf, String, Option<i32>)> = self
            .open
            .iter()
            .map(|f| {
                (
                    self.ws.sources.path(*f).to_path_buf(),
                    self.text(*f).to_string(),
                    self.version(*f),
                )
            })
            .collect();
        *self = World::load(&self.roots);
        for (path, text, version) in open {
            if let (Some(f), Some(v)) = (self.open(&path, text), version) {
                self.set_version(f, v);
            }
        }
    }

    fn reload(&mut self, path: &Path, file: FileId) {
        match crate::files::read(path, crate::files::MAX_ICG) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => self.set(file, text),
                Err(_) => {
                    // Let the workspace read it again, so the finding is the
                    // same ICG009 that `check` gives.
                    self.pending.remove(&file);
                    self.ws.remove_file(file);
                    let f = self.ws.add_file(path, None);
                    self.by_path.insert(canonical(path), f);
                    self.whole = true;
                    self.stale = true;
                }
            },
            Err(_) => {
                self.pending.remove(&file);
                self.ws.remove_file(file);
                self.by_path.remove(&canonical(path));
                self.whole = true;
                self.stale = true;
            }
        }
    }

    /// Parses the queued texts and re-checks, if anything changed: the part
    /// of the workspace the edited files belong to (before and after the
    /// edit), or the whole workspace when a part would not be exact. Returns
    /// what was re-checked, or `None` if nothing had changed.
    pub fn refresh(&mut self) -> Option<Checked> {
        if !self.stale {
            return None;
        }
        // Cleared first: a check that panics is not retried until the next edit.
        self.stale = false;
        let t = Instant::now();
        // Set until the re-check ends: after a panic, the next one takes
        // the whole workspace.
        let whole = std::mem::replace(&mut self.whole, true) || self.global_rules;
        let mut part = BTreeSet::new();
        for (file, text) in std::mem::take(&mut self.pending) {
            let parsed = self.reparse(file, &text);
            if !whole {
                part.extend(self.graph.part(file));
            }
            self.ws.replace_parse(file, text, parsed);
            let names = self
                .ws
                .parsed
                .get(&file)
                .map_or_else(Names::default, |p| Names::of(&p.file));
            self.graph.set(file, names);
            part.insert(file);
        }
        let parse = t.elapsed();
        let t = Instant::now();
        let checked = if whole { None } else { self.check_part(part) };
        let checked = checked.unwrap_or_else(|| {
            self.ws.relower();
            self.model_stale = false;
            self.graph.clear();
            for &f in &self.ws.files {
                if let Some(p) = self.ws.parsed.get(&f) {
                    self.graph.set(f, Names::of(&p.file));
                }
            }
            self.ids_of = ids_by_file(&self.ws.model);
            self.symbols = Symbols::of(&self.ws.model, &self.ws.files);
            self.findings = check(&self.ws);
            Checked::All
        });
        self.whole = false;
        self.timings = (parse, t.elapsed());
        Some(checked)
    }

    /// Re-checks the files joined to the edited ones (`seeds`) and merges
    /// their findings with the rest's; `None` if that would not be exact.
    fn check_part(&mut self, seeds: BTreeSet<FileId>) -> Option<Checked> {
        let mut part = BTreeSet::new();
        for f in seeds {
            if !part.contains(&f) {
                part.extend(self.graph.part(f));
            }
        }
        let files: Vec<FileId> = part.iter().copied().collect();
        // An unknown reference's did-you-mean is chosen among every ID of
        // the workspace, not only the part's.
        let other_ids: Vec<&str> = self
            .ids_of
            .iter()
            .filter(|(f, _)| !part.contains(f))
            .flat_map(|(_, ids)| ids.iter().map(String::as_str))
            .collect();
        let (found, ids, model) = self.ws.with_part(&files, &other_ids, |ws| {
            (
                check(ws),
                ids_by_file(&ws.model),
                // What the requests read of the part's model.
                Symbols::of(&ws.model, &ws.files),
            )
        });
        // The part declares other IDs now: unknown references elsewhere may
        // have another did-you-mean.
        let same_ids = files.iter().all(|f| ids.get(f) == self.ids_of.get(f));
        if !same_ids
            && self
                .findings
                .iter()
                .any(|f| f.rule == icg::DANGLING.id && !part.contains(&f.file))
        {
            return None;
        }
        for f in &files {
            match ids.get(f) {
                Some(v) => self.ids_of.insert(*f, v.clone()),
                None => self.ids_of.remove(f),
            };
        }
        self.model_stale = true;
        self.symbols.replace_with(&files, model);
        let mut findings: Vec<Finding> = std::mem::take(&mut self.findings)
            .into_iter()
            .filter(|f| !part.contains(&f.file))
            .chain(found.into_iter().filter(|f| part.contains(&f.file)))
            .collect();
        crate::engine::sort(&mut findings);
        self.findings = findings;
        Some(Checked::Part(part))
    }

    /// What hover, definition, completion and workspace symbols read of
    /// the model: up to date after every re-check, with no lowering.
    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    /// The hover text at a byte offset of a file (see `features::hover`).
    pub fn hover(&self, file: FileId, offset: usize) -> Option<String> {
        super::features::hover(&self.ws, &self.symbols, &self.findings, file, offset)
    }

    /// The declaration an `@reference` or ID at a byte offset names.
    pub fn definition(&self, file: FileId, offset: usize) -> Option<lsp_types::Location> {
        super::features::definition(&self.ws, &self.symbols, file, offset)
    }

    /// The completions at a byte offset of a file's current text.
    pub fn completion(&self, file: FileId, offset: usize) -> Vec<lsp_types::CompletionItem> {
        super::features::completion(&self.symbols, self.text(file), offset)
    }

    /// The blocks whose ID or name contains `query`.
    pub fn workspace_symbols(&self, query: &str) -> Vec<lsp_types::WorkspaceSymbol> {
        super::features::workspace_symbols(&self.ws, &self.symbols, query)
    }

    /// The workspace with its whole model lowered again if a part's
    /// re-check left it behind. No request needs it (they read
    /// [`World::symbols`]); tests compare it with a fresh load's.
    pub fn model(&mut self) -> &Workspace {
        if self.model_stale {
            self.ws.relower();
            self.model_stale = false;
        }
        &self.ws
    }

    /// One re-check of an edited file as the server makes it, timed by
    /// phase: re-parse, lower and check (the part or the whole workspace),
    /// conversion to diagnostics (for `benches/lsp.rs`).
    #[doc(hidden)]
    pub fn recheck_timed(&mut self, file: FileId, text: String) -> (Duration, Duration, Duration) {
        self.set(file, text);
        let checked = self.refresh().unwrap_or(Checked::All);
        let t = Instant::now();
        std::hint::black_box(super::diagnostics::publish(
            &self.ws,
            self.findings
                .iter()
                .filter(|f| super::diagnostics::concerns(f, &checked)),
            "",
        ));
        (self.timings.0, self.timings.1, t.elapsed())
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

/// The IDs of each file's blocks in a model (the names an unknown
/// reference's did-you-mean is chosen among).
fn ids_by_file(model: &crate::model::Model) -> HashMap<FileId, Vec<String>> {
    let mut out: HashMap<FileId, Vec<String>> = HashMap::new();
    for b in &model.blocks {
        if let Some(id) = &b.id {
            out.entry(b.file).or_default().push(id.to_string());
        }
    }
    out
}

/// The same check as `icslint check` with no command-line selection.
pub fn check(ws: &Workspace) -> Vec<Finding> {
    Engine::new(ws, Options::default()).run()
}
