//! Everything that touches the file system: finding `.icg` files under the
//! given paths, reading them (ICG009 for unreadable or non-UTF-8 files),
//! finding the `icslint.yaml` that applies to each, then parsing and
//! lowering them into one model. The engine never does I/O.

use crate::config::{glob_match, Config};
use crate::diagnostic::{icg, Finding};
use crate::model::{self, Model};
use crate::rules::{self, Pack};
use crate::source::{FileId, Sources, Span};
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
    /// The `--regime` the workspace was loaded with, kept for re-lowering.
    regime_override: Option<i64>,
    /// Which of `findings` came from lowering: replaced whenever the model is re-lowered.
    lowered: std::ops::Range<usize>,
}

#[derive(Debug)]
pub enum LoadError {
    /// A path given on the command line does not exist.
    NoSuchPath(PathBuf),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NoSuchPath(p) => write!(f, "{}: no such file or directory", p.display()),
        }
    }
}

/// Files to check under `paths`: `.icg` files in directories (recursively,
/// skipping hidden directories and `target`), and any file named directly.
pub fn discover(paths: &[PathBuf]) -> Result<Discovered, LoadError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(LoadError::NoSuchPath(p.clone()));
        }
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0
                    || !(e.file_type().is_dir() && (name.starts_with('.') || name == "target"))
            });
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_file()
                        && entry.path().extension().is_some_and(|x| x == "icg")
                    {
                        out.push(entry.into_path());
                    }
                }
                Err(e) => {
                    let at = e.path().map_or_else(|| p.clone(), Path::to_path_buf);
                    let why = e
                        .io_error()
                        .map_or_else(|| e.to_string(), |io| io.to_string());
                    errors.push((at, why));
                }
            }
        }
    }
    out.dedup();
    Ok(Discovered {
        files: out,
        unreadable: errors,
    })
}

/// What discovery found: the files to check, and the places the walk could
/// not enter with the reason (reported as ICG009, never skipped silently).
#[derive(Debug)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub unreadable: Vec<(PathBuf, String)>,
}

impl Workspace {
    /// Reads, parses and lowers every `.icg` file under `paths`.
    pub fn load(paths: &[PathBuf], regime_override: Option<i64>) -> Result<Workspace, LoadError> {
        let Discovered { files, unreadable } = discover(paths)?;
        let mut ws = Workspace::default();
        ws.load_builtin_packs();
        for (path, why) in unreadable {
            let id = ws.sources.add(&path, String::new());
            ws.findings.push(
                icg::finding(
                    icg::UNREADABLE,
                    id,
                    Span::new(0, 0),
                    format!("{} cannot be read: {why}", path.display()),
                )
                .help("check the permissions of this folder; the files inside it were not checked"),
            );
        }
        ws.configs.push(ConfigFile {
            dir: PathBuf::new(),
            config: Config::default(),
            file: None,
        });
        let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
        for path in files {
            let cfg = ws.config_for(&path, &mut by_dir);
            if ws.excluded(&path, cfg) {
                continue;
            }
            let id = ws.read(&path);
            ws.config_of.insert(id, cfg);
        }
        ws.parse_and_lower(regime_override);
        for i in 0..ws.configs.len() {
            let rules = ws.configs[i].config.rules.clone();
            for rel in rules {
                let path = ws.configs[i].dir.join(&rel);
                match std::fs::read_to_string(&path) {
                    Ok(text) => ws.add_pack(&path, &text, Some(i)),
                    Err(e) => {
                        let cfg_file = ws.configs[i].file;
                        if let Some(cf) = cfg_file {
                            let text = &ws.sources.get(cf).text;
                            let needle = rel.to_string_lossy();
                            let span = text
                                .find(needle.as_ref())
                                .map_or(Span::default(), |at| Span::new(at, at + needle.len()));
                            ws.findings.push(
                                icg::finding(
                                    icg::BAD_CONFIG,
                                    cf,
                                    span,
                                    format!("the rule pack {} cannot be read: {e}", path.display()),
                                )
                                .help("paths in `rules:` are relative to this icslint.yaml"),
                            );
                        }
                    }
                }
            }
        }
        Ok(ws)
    }

    /// Builds a workspace from in-memory texts (tests, benchmarks, rule examples).
    pub fn from_texts(texts: &[(&str, &str)], config: Config) -> Workspace {
        let mut ws = Workspace::default();
        ws.load_builtin_packs();
        ws.configs.push(ConfigFile {
            dir: PathBuf::new(),
            config,
            file: None,
        });
        for (path, text) in texts {
            let id = ws.sources.add(*path, text.to_string());
            ws.files.push(id);
            ws.config_of.insert(id, 0);
        }
        ws.parse_and_lower(None);
        ws
    }

    fn load_builtin_packs(&mut self) {
        let (packs, findings) = rules::builtin_packs(&mut self.sources);
        self.packs.extend(packs.into_iter().map(|p| (None, p)));
        self.findings.extend(findings);
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
        for f in self.files.clone() {
            self.parse_one(f);
        }
        self.lower();
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
        for e in &parsed.errors {
            let mut finding = icg::finding(icg::SYNTAX, f, e.span, e.message.clone());
            finding.help = e.help.clone();
            self.findings.push(finding);
        }
        self.parsed.insert(f, parsed);
    }

    /// Lowers every parsed file into a new model (reusing their parses) and
    /// replaces the previous lowering's findings.
    fn lower(&mut self) {
        let regime_override = self.regime_override;
        let old = std::mem::take(&mut self.lowered);
        let mut i = 0;
        self.findings.retain(|_| {
            i += 1;
            !old.contains(&(i - 1))
        });
        let asts: Vec<(FileId, &syntax::File)> = self
            .files
            .iter()
            .filter_map(|f| self.parsed.get(f).map(|p| (*f, &p.file)))
            .collect();
        let (mut model, findings) = model::lower(&asts, regime_override.unwrap_or(2022));
        // A system that states no regime takes the one of the icslint.yaml
        // that applies to its file (the command line overrides both).
        if regime_override.is_none() {
            for sys in model.of_kind("system").collect::<Vec<_>>() {
                if let Some(r) = self.config(model.block(sys).file).regime {
                    model.configured_regime.insert(sys, r);
                }
            }
        }
        self.model = model;
        let start = self.findings.len();
        self.findings.extend(findings);
        self.lowered = start..self.findings.len();
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
            self.sources.set_text(file, text);
            self.drop_file_findings(file);
            match parsed {
                Some(p) => self.install(file, p),
                None => self.parse_one(file),
            }
        }
        self.lower();
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
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let id = self.sources.add(path, text);
                    self.files.push(id);
                    id
                }
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let id = self.sources.add(path, text);
                    self.files.push(id);
                    let byte = e.as_bytes()[at];
                    self.findings.push(
                        icg::finding(icg::UNREADABLE, id, Span::new(at, at + 1), format!("{} is not UTF-8 text: byte {at} (0x{byte:02X}) is not valid UTF-8", path.display()))
                            .help("save the file as UTF-8; this file was probably saved as Latin-1 or Windows-1252"),
                    );
                    id
                }
            },
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
            let candidate = anc.join("icslint.yaml");
            if candidate.is_file() {
                found = self.load_config(anc, &candidate);
                break;
            }
        }
        by_dir.insert(dir, found);
        found
    }

    fn load_config(&mut self, dir: &Path, path: &Path) -> usize {
        if let Some(i) = self.configs.iter().position(|c| c.dir == dir) {
            return i;
        }
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let id = self.sources.add(path, text.clone());
        let config = if text.trim().is_empty() {
            Config::default()
        } else {
            match serde_yaml::from_str::<Config>(&text) {
                Ok(c) => c,
                Err(e) => {
                    let at = e.location().map_or(0, |l| l.index()).min(text.len());
                    let end = text[at..].find('\n').map_or(text.len(), |n| at + n).max(at);
                    self.findings.push(
                        icg::finding(icg::BAD_CONFIG, id, Span::new(at, end), format!("this configuration cannot be used: {}", strip_location(&e.to_string())))
                            .help("known keys: regime, packs, severity, params, rules, exclude, select, ignore; the file is ignored until it is fixed"),
                    );
                    Config::default()
                }
            }
        };
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
        c.config.exclude.iter().any(|g| glob_match(g, &rel))
    }
}

/// serde_yaml appends " at line L column C"; the finding's span says that already.
pub fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
