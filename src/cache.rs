//! The cache of `icslint check`, as ruff and eslint keep one: a run whose
//! inputs are all as they were gives back the bytes it wrote then (report,
//! warnings, exit status) without reading a rule.
//!
//! The unit is the whole run. An entry is named by [`Key`]: BLAKE3 over
//! the binary (its version, this format, the built-in packs and the
//! executable's identity), every `.icg` file the run would read (its path
//! as the run names it and its bytes), every configuration and local pack
//! it would read, and whatever the command line adds (every option, the
//! day, the colour chosen, the current folder). A hit therefore costs
//! discovery, reading and hashing, and its output is the earlier run's by
//! construction.
//!
//! A cache folder is input like any other: a pull request can commit a
//! `.icslint_cache/` with entries that would print anything, or make it a
//! link to a folder elsewhere. So every entry carries a MAC, BLAKE3 keyed
//! with a secret of this user ([`user_key`], kept outside every
//! workspace): an entry that does not verify (committed, copied from
//! another machine, truncated, damaged) is [`Lookup::Rejected`] and
//! replaced; a folder or entry that is a symbolic link is never read nor
//! written through ([`Folder::open`]); entries are regular files read
//! within [`MAX_ENTRY`], and written whole to a temporary file first, then
//! renamed into place. At most [`KEEP`] entries stay.

use crate::files;
use crate::workspace;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

/// The layout of an entry; a change to it makes every older entry miss.
pub const FORMAT: u32 = 2;
/// The cache folder's name, where no `--cache-dir` is given.
pub const FOLDER_NAME: &str = ".icslint_cache";
/// The most entries a folder keeps: the most recently used stay.
pub const KEEP: usize = 8;
/// The largest entry read or written (a report of 400,000 findings in
/// JSON is about 100 MB).
pub const MAX_ENTRY: u64 = 1 << 30;

/// What ends every entry, before its MAC.
const MAGIC: &[u8; 8] = b"ICSLCACH";
/// The trailer: magic, format, exit status, report length, stderr length.
const TRAILER: usize = 8 + 4 + 4 + 8 + 8;
const MAC: usize = 32;
/// The start of the name of an entry being written.
const TEMPORARY: &str = ".tmp-entry-";
/// An entry's body (report, then standard error) is hashed in pieces of
/// this size, which a hit reads and hashes on several threads; the MAC
/// is over the pieces' hashes.
const SEGMENT: usize = 8 << 20;

/// The name of an entry: the hash of a run's inputs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Name([u8; 32]);

impl Name {
    /// Its file name: 64 hexadecimal digits.
    pub fn file_name(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }
}

/// Whether discovery's folder not entered is a cache folder: a check
/// does not list it (it is not a folder the user left out, and a first
/// run would otherwise report differently from a second).
pub fn is_cache_folder(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n == FOLDER_NAME)
}

/// Whether a file name is one [`Name::file_name`] gives.
fn is_entry_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The inputs of a run, hashed as they are added. Each field is
/// length-prefixed and named, so no two different runs hash the same
/// bytes.
pub struct Key {
    hasher: blake3::Hasher,
    /// What each `.icg` file was when it was hashed, and its hash.
    seen: Seen,
}

/// Each `.icg` file a key read: its [`Stamp`] and its bytes' hash. A key
/// computed again with it reads only the files whose stamp changed.
pub type Seen = HashMap<PathBuf, (Stamp, blake3::Hash)>;

/// What changes whenever a file's bytes do: its device and inode, size,
/// modification time and, where there is one, its status-change time
/// (which no one can set back: a file edited and restored has a new one).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Stamp([u64; 6]);

impl Stamp {
    /// Whether the file changed (or its status did) less than two
    /// seconds ago.
    fn recent(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(u64::MAX, |d| d.as_secs());
        let changed = self.0[3].max(self.0[5] >> 30);
        changed.saturating_add(2) >= now
    }

    fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp([
                m.dev(),
                m.ino(),
                m.len(),
                m.mtime() as u64,
                m.mtime_nsec() as u64,
                ((m.ctime() as u64) << 30) ^ m.ctime_nsec() as u64,
            ])
        }
        #[cfg(not(unix))]
        {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            Stamp([0, 0, m.len(), t.as_secs(), u64::from(t.subsec_nanos()), 0])
        }
    }
}

impl Default for Key {
    fn default() -> Self {
        Key::new()
    }
}

impl Key {
    /// A key that already holds the binary: its version, the entry
    /// format, the built-in packs' texts, and the executable's path, size
    /// and modification time (a rebuild with the same version number,
    /// as in development, misses too).
    pub fn new() -> Key {
        let mut k = Key {
            hasher: blake3::Hasher::new(),
            seen: Seen::new(),
        };
        k.field("version", env!("CARGO_PKG_VERSION").as_bytes());
        k.field("format", &FORMAT.to_le_bytes());
        for (name, text) in crate::rules::pack::BUILTIN_PACKS {
            k.field(name, text.as_bytes());
        }
        let exe = std::env::current_exe().ok();
        let meta = exe.as_deref().and_then(|p| std::fs::metadata(p).ok());
        k.field("exe", format!("{exe:?}").as_bytes());
        if let Some(m) = meta {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            k.field("exe-len", &m.len().to_le_bytes());
            k.field("exe-mtime", &mtime.to_le_bytes());
        }
        k
    }

    /// Adds one named field.
    pub fn field(&mut self, name: &str, bytes: &[u8]) {
        self.hasher.update(&(name.len() as u64).to_le_bytes());
        self.hasher.update(name.as_bytes());
        self.hasher.update(&(bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    /// Adds a path, as its bytes.
    pub fn path(&mut self, name: &str, p: &Path) {
        self.field(name, p.as_os_str().as_encoded_bytes());
    }

    /// Adds what reading a file gives: its bytes, or why it could not be
    /// read.
    fn read(&mut self, name: &str, read: Result<Vec<u8>, String>) {
        match read {
            Ok(bytes) => self.field(name, &bytes),
            Err(why) => self.field(&format!("{name} (unread)"), why.as_bytes()),
        }
    }

    /// Adds the bytes of a regular file within `limit` (or why not).
    pub fn file(&mut self, name: &str, path: &Path, limit: u64) {
        self.path(name, path);
        self.read(name, files::read(path, limit).map_err(|e| e.to_string()));
    }

    /// Adds everything a check of `paths` reads from the workspace: the
    /// `.icg` files discovery finds (and what it could not read or did
    /// not enter), their bytes, and the configurations and local packs
    /// that apply to them, found as `workspace` finds them (the nearest
    /// `icslint.yaml` above each file's real folder, or `config` for all;
    /// the names of a configuration icslint does not read, which the run
    /// reports). `None` when discovery fails (the run reports it).
    ///
    /// With `seen` (what an earlier key of the same run read), a file
    /// whose [`Stamp`] is as it was then is not read again: the end of a
    /// run checks, at the cost of a `stat` per file, that nothing changed
    /// while it ran.
    pub fn workspace(
        &mut self,
        paths: &[PathBuf],
        config: Option<&Path>,
        seen: Option<&Seen>,
    ) -> Option<()> {
        let d = workspace::discover(paths).ok()?;
        for p in paths {
            self.path("given", p);
        }
        let skipped = d.skipped.iter().filter(|(p, _)| !is_cache_folder(p));
        for (p, why) in d.unreadable.iter().chain(skipped) {
            self.path("not read", p);
            self.field("why", why.as_bytes());
        }
        for p in &d.outside {
            self.path("outside", p);
        }
        // Reading is most of a hit's time: on every core, in order; the
        // configurations are looked for meanwhile.
        let (texts, found) = if d.files.len() < PER_THREAD {
            // A thread would cost more than it saves.
            (read_all(&d.files, seen), Some(configs_of(&d.files, config)))
        } else {
            std::thread::scope(|s| {
                let found = s.spawn(|| configs_of(&d.files, config));
                (read_all(&d.files, seen), found.join().ok())
            })
        };
        let (configs, misnamed) = found?;
        for (p, read) in d.files.iter().zip(texts) {
            self.path("file", p);
            match read {
                Ok((stamp, hash)) => {
                    self.field("text", hash.as_bytes());
                    // A file changed in the last seconds may change again
                    // within the clock's tick, with the same stamp (git's
                    // "racily clean"): it is read again, never trusted.
                    if !stamp.recent() {
                        self.seen.insert(p.clone(), (stamp, hash));
                    }
                }
                Err(why) => self.field("text (unread)", why.as_bytes()),
            }
        }
        if let Some(c) = config {
            self.path("--config", c);
        }
        for p in &misnamed {
            self.path("misnamed", p);
        }
        for (dir, path) in &configs {
            self.config(dir, path, config.is_some());
        }
        Some(())
    }

    /// Adds a configuration's bytes and those of the local packs it names.
    fn config(&mut self, dir: &Path, path: &Path, named: bool) {
        self.path("config", path);
        let name = if named {
            PathBuf::from(path.file_name().unwrap_or_default())
        } else {
            PathBuf::from(workspace::CONFIG_NAME)
        };
        self.read(
            "config text",
            files::read_inside(dir, &name, files::MAX_CONFIG).map_err(|e| e.to_string()),
        );
        // The packs it names, read as the workspace reads them.
        let opts = workspace::LoadOptions {
            config: Some(path.to_path_buf()),
            ..Default::default()
        };
        let (ws, i) = workspace::Workspace::configuration_for(dir, &opts);
        let cf = &ws.configs[i];
        for rel in &cf.config.rules {
            self.path("pack", rel);
            self.read(
                "pack text",
                files::read_inside(&cf.dir, rel, files::MAX_PACK).map_err(|e| e.to_string()),
            );
        }
    }

    /// What the key read of each `.icg` file (see [`Key::workspace`]).
    pub fn seen(&self) -> &Seen {
        &self.seen
    }

    /// The entry's name.
    pub fn finish(&self) -> Name {
        Name(*self.hasher.finalize().as_bytes())
    }
}

/// A configuration's folder (canonical) and path.
type Configs = BTreeSet<(PathBuf, PathBuf)>;

/// The configurations that apply to `files` (`config`, or the nearest
/// `icslint.yaml` above each), and the files named as a configuration
/// icslint does not read that the run reports.
fn configs_of(files: &[PathBuf], config: Option<&Path>) -> (Configs, BTreeSet<PathBuf>) {
    let mut configs = BTreeSet::new();
    let mut misnamed = BTreeSet::new();
    match config {
        Some(c) => {
            let dir = match c.parent().filter(|d| !d.as_os_str().is_empty()) {
                Some(d) => d.to_path_buf(),
                None => PathBuf::from("."),
            };
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            configs.insert((dir, c.to_path_buf()));
        }
        None => {
            let mut nearest = Nearest::default();
            let mut dirs: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
            dirs.dedup();
            for dir in dirs {
                if let Some(found) = nearest.config_of(dir, &mut misnamed) {
                    configs.insert((found.clone(), found.join(workspace::CONFIG_NAME)));
                }
            }
        }
    }
    (configs, misnamed)
}

/// The nearest `icslint.yaml` above folders, as `workspace` looks for
/// it (each ancestor once however many folders share it).
#[derive(Default)]
struct Nearest {
    /// A real folder → the folder of the configuration that applies there.
    found: HashMap<PathBuf, Option<PathBuf>>,
    /// A folder as named → its real path.
    real: HashMap<PathBuf, Option<PathBuf>>,
}

impl Nearest {
    /// `canonicalize(dir)`, from its parent's real path when `dir` is a
    /// folder (not a link) of it: one `lstat` rather than one per
    /// component, for each of thousands of folders.
    fn real(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(r) = self.real.get(dir) {
            return r.clone();
        }
        let quick = match (dir.parent(), dir.components().next_back()) {
            (Some(parent), Some(std::path::Component::Normal(name)))
                if !parent.as_os_str().is_empty() =>
            {
                let m = std::fs::symlink_metadata(dir).ok();
                match m {
                    Some(m) if m.is_dir() => self.real(parent).map(|p| p.join(name)),
                    _ => None,
                }
            }
            _ => None,
        };
        let r = quick.or_else(|| std::fs::canonicalize(dir).ok());
        self.real.insert(dir.to_path_buf(), r.clone());
        r
    }

    fn config_of(&mut self, dir: &Path, misnamed: &mut BTreeSet<PathBuf>) -> Option<&PathBuf> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let abs = self.real(dir).unwrap_or_else(|| dir.to_path_buf());
        let mut walked = Vec::new();
        let mut result = None;
        for anc in abs.ancestors() {
            if let Some(r) = self.found.get(anc) {
                result = r.clone();
                break;
            }
            walked.push(anc.to_path_buf());
            for name in workspace::MISNAMED_CONFIGS {
                let p = anc.join(name);
                if std::fs::symlink_metadata(&p).is_ok() {
                    misnamed.insert(p);
                }
            }
            if std::fs::symlink_metadata(anc.join(workspace::CONFIG_NAME)).is_ok() {
                result = Some(anc.to_path_buf());
                break;
            }
        }
        for w in walked {
            self.found.insert(w, result.clone());
        }
        self.found.get(&abs).and_then(Option::as_ref)
    }
}

/// The fewest files a thread of its own reads (a thread costs more than
/// reading a few hundred small files).
const PER_THREAD: usize = 512;

/// Each file's hash (or why it could not be read), in order, read and
/// hashed on a few threads: reading is most of a hit's time, and BLAKE3
/// spreads a small file over few of its SIMD lanes.
fn read_all(paths: &[PathBuf], seen: Option<&Seen>) -> Vec<Result<(Stamp, blake3::Hash), String>> {
    let read = |p: &PathBuf| {
        // As it was: its hash then. (`metadata` follows a link, as reading does.)
        if let Some((stamp, hash)) = seen.and_then(|s| s.get(p)) {
            if std::fs::metadata(p).is_ok_and(|m| Stamp::of(&m) == *stamp) {
                return Ok((*stamp, *hash));
            }
        }
        read_hashed(p, files::MAX_ICG)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
        .min(paths.len() / PER_THREAD)
        .max(1);
    if threads == 1 {
        return paths.iter().map(read).collect();
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(read).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .zip(paths.chunks(chunk))
            .flat_map(|(h, part)| {
                h.join()
                    .unwrap_or_else(|_| vec![Err("not read".to_string()); part.len()])
            })
            .collect()
    })
}

/// The hash of the regular file at `path`, within `limit`: as
/// `files::read` reads it (a link followed; a FIFO, a device or a folder
/// refused, never blocked on), in fewer system calls (it is opened, then
/// asked what it is: a hit reads every file of the workspace).
fn read_hashed(path: &Path, limit: u64) -> Result<(Stamp, blake3::Hash), String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|e| files::Refused::Io(e).to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(files::Refused::NotAFile(files::kind_of(meta.file_type())).to_string());
    }
    if meta.len() > limit {
        return Err(files::Refused::TooLarge {
            size: meta.len(),
            limit,
        }
        .to_string());
    }
    let mut h = blake3::Hasher::new();
    // Its size as it was opened; to its end, in case it grew since.
    let mut buf = vec![0u8; (meta.len() as usize + 1).min(1 << 20)];
    let mut file = file.take(limit + 1);
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
        if total >= meta.len() && n < buf.len() {
            // A short read at its size: the end (no second read for 0).
            break;
        }
    }
    if total > limit {
        return Err(files::Refused::TooLarge { size: total, limit }.to_string());
    }
    Ok((Stamp::of(&meta), h.finalize()))
}

/// The folder of the cache of a check of `first` (its first path), where
/// no `--cache-dir` is given: `.icslint_cache` in the folder of the
/// nearest `icslint.yaml` above it (as ruff keeps its cache beside
/// `pyproject.toml`), else in the current folder.
pub fn default_folder(first: Option<&Path>) -> PathBuf {
    let start = first.map(|p| {
        if p.is_dir() {
            p.to_path_buf()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        }
    });
    let found = start
        .and_then(|s| std::fs::canonicalize(s).ok())
        .and_then(|abs| {
            abs.ancestors()
                .find(|a| std::fs::symlink_metadata(a.join(workspace::CONFIG_NAME)).is_ok())
                .map(Path::to_path_buf)
        });
    match found {
        Some(dir) => dir.join(FOLDER_NAME),
        None => PathBuf::from(FOLDER_NAME),
    }
}

/// Why there is no cache for this run.
#[derive(Debug)]
pub enum Unavailable {
    /// The folder is a symbolic link (or its entry is not a folder): a
    /// warning, since a workspace may hold it on purpose.
    Refused(String),
    /// No key, or a folder that cannot be made: quiet (`--verbose` says).
    Quiet(String),
}

/// The per-user secret the entries' MACs are keyed with:
/// `$XDG_CACHE_HOME/icslint/key`, or `~/.cache/icslint/key`, 32 random
/// bytes made once (mode 0600) and never inside a workspace.
pub fn user_key() -> Result<[u8; 32], String> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        })
        .ok_or("no home folder (HOME or XDG_CACHE_HOME) to keep the cache's key in")?;
    let dir = base.join("icslint");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(&dir)
        .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let path = dir.join("key");
    match read_key(&path) {
        Ok(Some(k)) => return Ok(k),
        Ok(None) => {}
        Err(e) => return Err(e),
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| format!("no random bytes for the cache's key: {e}"))?;
    // Written whole, then linked into place unless another run was first.
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write the cache's key in {}: {e}", dir.display()))?;
    tmp.write_all(&key)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write the cache's key: {e}"))?;
    match tmp.persist_noclobber(&path) {
        Ok(_) => Ok(key),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            read_key(&path)?.ok_or_else(|| "the cache's key vanished".to_string())
        }
        Err(e) => Err(format!("cannot write {}: {}", path.display(), e.error)),
    }
}

/// The key at `path`: `None` when there is none yet; an error when what
/// is there is not a key icslint wrote (a link, another size).
fn read_key(path: &Path) -> Result<Option<[u8; 32]>, String> {
    let file = match open_no_follow(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.len() != 32 {
        return Err(format!(
            "{} is not a key icslint wrote (32 bytes in a regular file)",
            path.display()
        ));
    }
    let mut key = [0u8; 32];
    (&file)
        .read_exact(&mut key)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Some(key))
}

/// Opens a file for reading without following a symbolic link at its
/// last component and without blocking on a FIFO.
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a symbolic link"));
    }
    options.open(path)
}

/// A cache folder that is a real folder, with the user's key.
pub struct Folder {
    dir: PathBuf,
    key: [u8; 32],
}

/// What looking an entry up gave.
pub enum Lookup {
    Hit(Entry),
    Miss,
    /// There is an entry of that name, but icslint did not write it for
    /// this user (or it was damaged since): why, in a few words.
    Rejected(String),
}

/// A verified entry: what a run wrote, and how it ended.
pub struct Entry {
    bytes: Vec<u8>,
    report_len: usize,
    stderr_len: usize,
    pub exit: i32,
}

impl Entry {
    /// The report's bytes (standard output, or `-o FILE`).
    pub fn report(&self) -> &[u8] {
        &self.bytes[..self.report_len]
    }
    /// What the run wrote to standard error.
    pub fn stderr(&self) -> &[u8] {
        &self.bytes[self.report_len..self.report_len + self.stderr_len]
    }
}

impl Folder {
    /// The cache folder `dir`, made (with a `.gitignore` of `*` and a
    /// `CACHEDIR.TAG`) if it is not there. A symbolic link, or something
    /// other than a folder, is refused; a folder that cannot be made, or
    /// no key, gives no cache.
    pub fn open(dir: &Path) -> Result<Folder, Unavailable> {
        match std::fs::symlink_metadata(dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Unavailable::Refused(format!(
                    "the cache folder {} is a symbolic link; icslint neither reads nor writes a cache through a link",
                    dir.display()
                )))
            }
            Ok(m) if !m.is_dir() => {
                return Err(Unavailable::Refused(format!(
                    "{} is not a folder, so it cannot hold icslint's cache",
                    dir.display()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => make(dir)
                .map_err(|e| Unavailable::Quiet(format!("cannot make {}: {e}", dir.display())))?,
            Err(e) => return Err(Unavailable::Quiet(format!("{}: {e}", dir.display()))),
        }
        let key = user_key().map_err(Unavailable::Quiet)?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            key,
        })
    }

    /// Where the folder is.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The path of the entry `name`.
    pub fn entry_path(&self, name: &Name) -> PathBuf {
        self.dir.join(name.file_name())
    }

    /// The entry `name`, verified.
    pub fn lookup(&self, name: &Name) -> Lookup {
        let path = self.entry_path(name);
        let file = match open_no_follow(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) if is_link_error(&e) => {
                return Lookup::Rejected("it is a symbolic link".to_string())
            }
            Err(e) => return Lookup::Rejected(format!("it cannot be read: {e}")),
        };
        let meta = match file.metadata() {
            Ok(m) => m,
            Err(e) => return Lookup::Rejected(format!("it cannot be read: {e}")),
        };
        if !meta.is_file() {
            return Lookup::Rejected("it is not a regular file".to_string());
        }
        if meta.len() > MAX_ENTRY {
            return Lookup::Rejected(format!("it is larger than {}", files::bytes(MAX_ENTRY)));
        }
        let len = meta.len() as usize;
        const DAMAGED: &str =
            "it was not written by icslint for you on this machine, or it was damaged since";
        if len < TRAILER + MAC {
            return Lookup::Rejected(DAMAGED.to_string());
        }
        let body = len - TRAILER - MAC;
        let mut bytes = vec![0u8; len];
        let segments = match read_segments(&file, &mut bytes, body) {
            Ok(s) => s,
            Err(e) => return Lookup::Rejected(format!("it cannot be read whole: {e}")),
        };
        let (trailer, mac) = bytes[body..].split_at(TRAILER);
        let expected = blake3::Hash::from_bytes(mac.try_into().unwrap_or_default());
        // `blake3::Hash` compares in constant time.
        if self.mac(name, trailer, &segments) != expected {
            return Lookup::Rejected(DAMAGED.to_string());
        }
        let u32_at =
            |i: usize| u32::from_le_bytes(trailer[i..i + 4].try_into().unwrap_or_default());
        let u64_at =
            |i: usize| u64::from_le_bytes(trailer[i..i + 8].try_into().unwrap_or_default());
        let (report_len, stderr_len) = (u64_at(16), u64_at(24));
        if &trailer[..8] != MAGIC
            || u32_at(8) != FORMAT
            || report_len.checked_add(stderr_len) != Some(body as u64)
        {
            return Lookup::Rejected(DAMAGED.to_string());
        }
        let exit = u32_at(12) as i32;
        // Most recently used: kept longest.
        let _ = file.set_modified(std::time::SystemTime::now());
        bytes.truncate(body);
        Lookup::Hit(Entry {
            bytes,
            report_len: report_len as usize,
            stderr_len: stderr_len as usize,
            exit,
        })
    }

    /// The MAC of an entry: keyed with the user's key, over its name, its
    /// trailer and the hashes of its body's pieces.
    fn mac(&self, name: &Name, trailer: &[u8], segments: &[blake3::Hash]) -> blake3::Hash {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(&name.0);
        h.update(trailer);
        for s in segments {
            h.update(s.as_bytes());
        }
        h.finalize()
    }

    /// Starts writing the entry `name`: a temporary file in the folder
    /// the report is streamed to. `None` when the folder cannot be
    /// written (a read-only checkout): the run goes on without storing.
    pub fn writer(&self, name: Name) -> Option<Writer> {
        let tmp = tempfile::Builder::new()
            .prefix(TEMPORARY)
            .tempfile_in(&self.dir)
            .ok()?;
        Some(Writer {
            key: self.key,
            segment: blake3::Hasher::new(),
            in_segment: 0,
            segments: Vec::new(),
            file: std::io::BufWriter::with_capacity(1 << 16, tmp),
            name,
            dir: self.dir.clone(),
            report_len: 0,
            stderr: Vec::new(),
            failed: false,
        })
    }
}

/// Reads `file` whole into `bytes` (its length), on a few threads, and
/// hashes the first `body` bytes in [`SEGMENT`]s as each thread reads
/// them.
fn read_segments(
    file: &std::fs::File,
    bytes: &mut [u8],
    body: usize,
) -> std::io::Result<Vec<blake3::Hash>> {
    let (head, tail) = bytes.split_at_mut(body);
    let hash_all =
        |part: &[u8]| -> Vec<blake3::Hash> { part.chunks(SEGMENT).map(blake3::hash).collect() };
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt as _;
        let segments = body.div_ceil(SEGMENT);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
            .min(segments)
            .max(1);
        let per = segments.div_ceil(threads).max(1) * SEGMENT;
        let hashes = if threads == 1 {
            file.read_exact_at(head, 0)?;
            hash_all(head)
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = head
                    .chunks_mut(per)
                    .enumerate()
                    .map(|(i, part)| {
                        s.spawn(move || {
                            file.read_exact_at(part, (i * per) as u64)?;
                            Ok::<_, std::io::Error>(hash_all(part))
                        })
                    })
                    .collect();
                let mut all = Vec::with_capacity(segments);
                for h in handles {
                    match h.join() {
                        Ok(r) => all.extend(r?),
                        Err(_) => return Err(std::io::Error::other("a reader stopped")),
                    }
                }
                Ok(all)
            })?
        };
        file.read_exact_at(tail, body as u64)?;
        // Nothing after its length as it was opened.
        let mut probe = [0u8; 1];
        if file.read_at(&mut probe, (body + tail.len()) as u64)? != 0 {
            return Err(std::io::Error::other("it grew while it was read"));
        }
        Ok(hashes)
    }
    #[cfg(not(unix))]
    {
        let mut f = file;
        f.read_exact(head)?;
        f.read_exact(tail)?;
        Ok(hash_all(head))
    }
}

fn is_link_error(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// Makes a cache folder: the folder, then a `.gitignore` of `*` (so it
/// is never committed) and a `CACHEDIR.TAG` (so backups skip it).
fn make(dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::create_dir(dir)?;
    let write_new = |name: &str, text: &str| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(name))?;
        f.write_all(text.as_bytes())
    };
    write_new(
        ".gitignore",
        "# Made by icslint: its cache is never committed.\n*\n",
    )?;
    write_new(
        "CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag made by icslint.\n# For information about cache directory tags see https://bford.info/cachedir/\n",
    )?;
    Ok(())
}

/// An entry being written as the run writes its output.
pub struct Writer {
    key: [u8; 32],
    /// The piece of the body being hashed, its length, and the hashes of
    /// the pieces before it.
    segment: blake3::Hasher,
    in_segment: usize,
    segments: Vec<blake3::Hash>,
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    name: Name,
    dir: PathBuf,
    report_len: u64,
    stderr: Vec<u8>,
    failed: bool,
}

impl Writer {
    /// Bytes of the report, as written.
    pub fn report(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        self.report_len += bytes.len() as u64;
        if self.report_len > MAX_ENTRY / 2 || self.file.write_all(bytes).is_err() {
            self.failed = true;
            return;
        }
        self.hash(bytes);
    }

    /// Hashes bytes of the body, piece by piece.
    fn hash(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let n = bytes.len().min(SEGMENT - self.in_segment);
            self.segment.update(&bytes[..n]);
            self.in_segment += n;
            bytes = &bytes[n..];
            if self.in_segment == SEGMENT {
                self.segments.push(self.segment.finalize());
                self.segment.reset();
                self.in_segment = 0;
            }
        }
    }

    /// Bytes written to standard error.
    pub fn stderr(&mut self, bytes: &[u8]) {
        if self.stderr.len() + bytes.len() > (MAX_ENTRY / 2) as usize {
            self.failed = true;
        }
        if !self.failed {
            self.stderr.extend_from_slice(bytes);
        }
    }

    /// Something went wrong with what the run wrote (a closed pipe): the
    /// bytes are not the whole output, and no entry is stored.
    pub fn abandon(&mut self) {
        self.failed = true;
    }

    /// Stores the entry with the run's exit status, then keeps the
    /// [`KEEP`] most recently used entries of the folder. Nothing is
    /// stored when a write failed.
    pub fn finish(mut self, exit: i32) -> std::io::Result<()> {
        if self.failed {
            return Err(std::io::Error::other("the output was not recorded whole"));
        }
        let mut trailer = Vec::with_capacity(TRAILER);
        trailer.extend_from_slice(MAGIC);
        trailer.extend_from_slice(&FORMAT.to_le_bytes());
        trailer.extend_from_slice(&(exit as u32).to_le_bytes());
        trailer.extend_from_slice(&self.report_len.to_le_bytes());
        trailer.extend_from_slice(&(self.stderr.len() as u64).to_le_bytes());
        let stderr = std::mem::take(&mut self.stderr);
        self.hash(&stderr);
        if self.in_segment > 0 {
            self.segments.push(self.segment.finalize());
        }
        let folder = Folder {
            dir: self.dir.clone(),
            key: self.key,
        };
        let mac = folder.mac(&self.name, &trailer, &self.segments);
        self.file.write_all(&stderr)?;
        self.file.write_all(&trailer)?;
        self.file.write_all(mac.as_bytes())?;
        let tmp = self.file.into_inner().map_err(|e| e.into_error())?;
        // `rename` replaces whatever is at the name (a link included)
        // and never writes through it.
        tmp.persist(self.dir.join(self.name.file_name()))
            .map_err(|e| e.error)?;
        prune(&self.dir, KEEP);
        Ok(())
    }
}

/// Removes all but the `keep` most recently used entries of `dir`, and
/// the temporary files of runs that were killed before they could
/// rename theirs (an hour old or more).
fn prune(dir: &Path, keep: usize) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in read.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        // Not followed: a link's own.
        let Some(modified) = e.metadata().ok().and_then(|m| m.modified().ok()) else {
            continue;
        };
        if is_entry_name(name) {
            entries.push((modified, e.path()));
        } else if name.starts_with(TEMPORARY) && modified < hour_ago {
            let _ = std::fs::remove_file(e.path());
        }
    }
    if entries.len() <= keep {
        return;
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (_, p) in entries.into_iter().skip(keep) {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(key: u8) -> (tempfile::TempDir, Folder) {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("c");
        make(&dir).unwrap();
        (
            t,
            Folder {
                dir,
                key: [key; 32],
            },
        )
    }

    fn store(f: &Folder, name: Name, report: &[u8], err: &[u8], exit: i32) {
        let mut w = f.writer(name).unwrap();
        w.report(report);
        w.stderr(err);
        w.finish(exit).unwrap();
    }

    #[test]
    fn an_entry_gives_back_what_was_stored() {
        let (_t, f) = folder(1);
        let name = Name([7; 32]);
        assert!(matches!(f.lookup(&name), Lookup::Miss));
        store(&f, name, b"report\n", b"warning\n", 1);
        let Lookup::Hit(e) = f.lookup(&name) else {
            panic!("a hit")
        };
        assert_eq!(
            (e.report(), e.stderr(), e.exit),
            (&b"report\n"[..], &b"warning\n"[..], 1)
        );
        assert!(f.dir.join(".gitignore").is_file() && f.dir.join("CACHEDIR.TAG").is_file());
    }

    #[test]
    fn another_key_a_flipped_byte_or_a_cut_entry_is_rejected() {
        let (_t, f) = folder(1);
        let name = Name([7; 32]);
        store(&f, name, b"report", b"", 0);
        let other = Folder {
            dir: f.dir.clone(),
            key: [2; 32],
        };
        assert!(matches!(other.lookup(&name), Lookup::Rejected(_)));
        let path = f.entry_path(&name);
        let good = std::fs::read(&path).unwrap();
        for i in [0, good.len() / 2, good.len() - 1] {
            let mut bad = good.clone();
            bad[i] ^= 1;
            std::fs::write(&path, &bad).unwrap();
            assert!(matches!(f.lookup(&name), Lookup::Rejected(_)), "byte {i}");
        }
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert!(matches!(f.lookup(&name), Lookup::Rejected(_)));
        std::fs::write(&path, b"").unwrap();
        assert!(matches!(f.lookup(&name), Lookup::Rejected(_)));
        // An entry moved to another name does not verify there.
        std::fs::write(&path, &good).unwrap();
        std::fs::copy(&path, f.entry_path(&Name([8; 32]))).unwrap();
        assert!(matches!(f.lookup(&Name([8; 32])), Lookup::Rejected(_)));
    }

    /// A body of several pieces, read on several threads: written in
    /// uneven writes, given back whole; a byte changed in any piece, or
    /// the pieces' order, is refused.
    #[test]
    fn a_large_entry_is_hashed_in_pieces() {
        let (_t, f) = folder(1);
        let name = Name([9; 32]);
        let report: Vec<u8> = (0..2 * SEGMENT + 12_345).map(|i| (i % 251) as u8).collect();
        let mut w = f.writer(name).unwrap();
        for part in report.chunks(SEGMENT / 3 + 7) {
            w.report(part);
        }
        w.stderr(b"note\n");
        w.finish(1).unwrap();
        let Lookup::Hit(e) = f.lookup(&name) else {
            panic!("a hit")
        };
        assert!(e.report() == report.as_slice());
        assert_eq!((e.stderr(), e.exit), (&b"note\n"[..], 1));
        let path = f.entry_path(&name);
        let good = std::fs::read(&path).unwrap();
        for at in [0, SEGMENT - 1, SEGMENT, 2 * SEGMENT + 1] {
            let mut bad = good.clone();
            bad[at] ^= 0x80;
            std::fs::write(&path, &bad).unwrap();
            assert!(matches!(f.lookup(&name), Lookup::Rejected(_)), "byte {at}");
        }
        let mut swapped = good.clone();
        let (a, b) = swapped.split_at_mut(SEGMENT);
        a.swap_with_slice(&mut b[..SEGMENT]);
        std::fs::write(&path, &swapped).unwrap();
        assert!(matches!(f.lookup(&name), Lookup::Rejected(_)));
    }

    /// A key computed again with what the first read gives the same name
    /// when nothing changed, and another when a file's bytes did, even
    /// with its size and modification time put back.
    #[test]
    fn a_key_computed_again_sees_every_change() {
        let t = tempfile::tempdir().unwrap();
        let ws = t.path().join("ws");
        std::fs::create_dir_all(ws.join("a")).unwrap();
        std::fs::write(ws.join("a/x.icg"), "system x \"X\" {}\n").unwrap();
        std::fs::write(ws.join("y.icg"), "system y \"Y\" {}\n").unwrap();
        std::fs::write(ws.join("icslint.yaml"), "regime: 2025\n").unwrap();
        let key = |seen: Option<&Seen>| {
            let mut k = Key::new();
            k.workspace(std::slice::from_ref(&ws), None, seen).unwrap();
            k
        };
        let first = key(None);
        assert_eq!(key(Some(first.seen())).finish(), first.finish());
        let mtime = std::fs::metadata(ws.join("y.icg"))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::write(ws.join("y.icg"), "system z \"Y\" {}\n").unwrap();
        let f = std::fs::File::options()
            .write(true)
            .open(ws.join("y.icg"))
            .unwrap();
        f.set_modified(mtime).unwrap();
        let again = key(Some(first.seen()));
        assert_ne!(again.finish(), first.finish());
        assert_eq!(key(None).finish(), again.finish());
        // The configuration is part of it too.
        std::fs::write(ws.join("icslint.yaml"), "regime: 2026\n").unwrap();
        assert_ne!(key(Some(again.seen())).finish(), again.finish());
    }

    #[test]
    fn only_the_most_recent_entries_are_kept() {
        let (_t, f) = folder(1);
        // A killed run's temporary file goes after an hour; a writing
        // run's stays.
        let stale = f.dir.join(format!("{TEMPORARY}killed"));
        let writing = f.dir.join(format!("{TEMPORARY}writing"));
        std::fs::write(&stale, b"part").unwrap();
        std::fs::write(&writing, b"part").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
            .unwrap();
        for i in 0..(KEEP as u8 + 3) {
            store(&f, Name([i; 32]), &[i], b"", 0);
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(i as u64);
            let file = std::fs::File::options()
                .write(true)
                .open(f.entry_path(&Name([i; 32])))
                .unwrap();
            file.set_modified(t).unwrap();
        }
        let names: Vec<String> = std::fs::read_dir(&f.dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_entry_name(n))
            .collect();
        assert_eq!(names.len(), KEEP, "{names:?}");
        assert!(!stale.exists() && writing.exists());
        assert!(!names.contains(&Name([0; 32]).file_name()));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_neither_a_folder_nor_an_entry() {
        let t = tempfile::tempdir().unwrap();
        let outside = t.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(matches!(Folder::open(&link), Err(Unavailable::Refused(_))));
        let (_t, f) = folder(1);
        let secret = t.path().join("secret");
        std::fs::write(&secret, b"secret").unwrap();
        let name = Name([3; 32]);
        std::os::unix::fs::symlink(&secret, f.entry_path(&name)).unwrap();
        assert!(matches!(f.lookup(&name), Lookup::Rejected(_)));
        // Storing replaces the link, never writes through it.
        store(&f, name, b"r", b"", 0);
        assert_eq!(std::fs::read(&secret).unwrap(), b"secret");
        assert!(matches!(f.lookup(&name), Lookup::Hit(_)));
    }
}
