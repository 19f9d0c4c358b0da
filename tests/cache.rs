//! The cache of `icslint check`, through the binary: every output format
//! is byte-identical (standard output, standard error, exit status) with
//! and without it, cold and warm, after edits, renames, deletions and
//! changes of configuration and day; a hit is a hit and a miss a miss; a
//! corrupt, foreign or linked cache is ignored (with a warning) and never
//! read or written through.
//!
//! Every run here has its own `XDG_CACHE_HOME` and `HOME` in a scratch
//! folder (the user's key is never the real one), and turns the cache
//! back on (`.cargo/config.toml` sets `ICSLINT_NO_CACHE` for the rest of
//! the suite).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch workspace (`ws/`), its current folder and its home.
struct Place {
    root: PathBuf,
    home: PathBuf,
}

impl Place {
    fn new(name: &str) -> Place {
        let root = common::scratch(&format!("cache-{name}"));
        let ws = root.join("ws");
        for (from, to) in [
            (common::shared_examples().join("northmoor"), "northmoor"),
            (common::shared_examples().join("downshire"), "downshire"),
            (common::root().join("examples/merged-icb"), "merged-icb"),
            (common::root().join("examples/riverbend"), "riverbend"),
        ] {
            copy_dir(&from, &ws.join(to));
        }
        let home = root.join("home");
        std::fs::create_dir_all(&home).unwrap();
        Place { root, home }
    }

    fn ws(&self) -> PathBuf {
        self.root.join("ws")
    }

    /// `icslint ARGS` in the place's root, with its own home and the cache on.
    fn run(&self, args: &[&str]) -> Output {
        self.run_with_home(&self.home, args)
    }

    fn run_with_home(&self, home: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_icslint"))
            .args(args)
            .current_dir(&self.root)
            .env_remove("ICSLINT_NO_CACHE")
            .env_remove("ICSLINT_CACHE_DIR")
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .env("XDG_CACHE_HOME", home.join("xdg"))
            .env("HOME", home)
            .output()
            .expect("the icslint binary runs")
    }

    /// The default cache folder of a check of `ws` from the root.
    fn cache(&self) -> PathBuf {
        self.root.join(".icslint_cache")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// The entries of a cache folder (file names of 64 hex digits).
fn entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = read
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    v.sort();
    v
}

fn same(what: &str, a: &Output, b: &Output) {
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "{what}: exit status\n{}",
        common::stderr(b)
    );
    assert!(
        a.stdout == b.stdout,
        "{what}: standard output differs\n--- without cache\n{}\n--- with\n{}",
        common::stdout(a),
        common::stdout(b)
    );
    assert_eq!(
        common::stderr(a),
        common::stderr(b),
        "{what}: standard error"
    );
}

/// The formats (and options of rendering) compared.
const FORMATS: &[&[&str]] = &[
    &["--color", "always"],
    &["--color", "never"],
    &["--format", "plain"],
    &["--format", "json"],
    &["--format", "sarif"],
    &["--format", "github"],
    &["--format", "junit"],
    &["--format", "gitlab"],
    &["--statistics"],
    &["--format", "json", "--statistics"],
    &["--quiet", "--fail-on", "warning"],
];

/// For each format: `--no-cache`, a first run with the cache and a
/// second are the same bytes and status; the second is a hit (its entry
/// is not written again: the same file, not a new one renamed over it).
fn compare_all(p: &Place, state: &str, extra: &[&str]) {
    for (i, format) in FORMATS.iter().enumerate() {
        let dir = p.root.join("caches").join(i.to_string());
        let dir_arg = dir.to_str().unwrap();
        let mut args = vec!["check", "ws", "--cache-dir", dir_arg];
        args.extend_from_slice(format);
        args.extend_from_slice(extra);
        let mut reference = args.clone();
        reference.push("--no-cache");
        let what = format!("{state}, {format:?}");
        let want = p.run(&reference);
        assert!(
            matches!(want.status.code(), Some(0 | 1)),
            "{what}: {}",
            common::stderr(&want)
        );
        let before = entries(&dir);
        let cold = p.run(&args);
        same(&format!("{what}, cold"), &want, &cold);
        let after = entries(&dir);
        let new: Vec<&PathBuf> = after.iter().filter(|e| !before.contains(e)).collect();
        assert_eq!(new.len(), 1, "{what}: the first run stores one entry");
        let stored = identity(new[0]);
        let warm = p.run(&args);
        same(&format!("{what}, warm"), &want, &warm);
        assert_eq!(identity(new[0]), stored, "{what}: the second run is a hit");
    }
}

/// What tells one file from another written over it.
fn identity(p: &Path) -> (u64, std::time::SystemTime) {
    let m = std::fs::metadata(p).unwrap();
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = m.len();
    (ino, m.created().unwrap_or(std::time::UNIX_EPOCH))
}

#[test]
fn every_format_is_the_same_with_and_without_the_cache_through_edits() {
    let p = Place::new("formats");
    let ws = p.ws();
    compare_all(&p, "as copied", &[]);

    // An edit that changes the findings: a system without its ICB's name.
    let file = ws.join("northmoor/partnership.icg");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n# a comment\n")).unwrap();
    compare_all(&p, "after a comment", &[]);
    let broken = text.replacen('}', "", 1);
    std::fs::write(&file, broken).unwrap();
    compare_all(&p, "after an edit", &[]);
    std::fs::write(&file, &text).unwrap();

    std::fs::rename(
        ws.join("downshire/systems.icg"),
        ws.join("downshire/the-systems.icg"),
    )
    .unwrap();
    compare_all(&p, "after a rename", &[]);

    std::fs::remove_file(ws.join("northmoor/strategy.icg")).unwrap();
    compare_all(&p, "after a deletion", &[]);

    common::write(&ws, "icslint.yaml", "regime: 2025\n");
    compare_all(&p, "with an icslint.yaml", &[]);
    common::write(
        &ws,
        "icslint.yaml",
        "regime: 2026\nexclude: [\"riverbend/**\"]\n",
    );
    compare_all(&p, "after the icslint.yaml changed", &[]);

    compare_all(&p, "as of another day", &["--as-of", "2024-01-01"]);
}

/// `-v` says whether a run was a hit.
fn verbose(p: &Place) -> (Output, String) {
    let o = p.run(&["check", "ws", "-v"]);
    let e = common::stderr(&o);
    (o, e)
}

#[test]
fn a_hit_is_a_hit_and_a_miss_is_a_miss() {
    let p = Place::new("hits");
    let (first, e) = verbose(&p);
    assert!(e.contains("cache: miss"), "{e}");
    let (second, e) = verbose(&p);
    assert!(e.contains("cache: hit"), "{e}");
    assert_eq!(first.stdout, second.stdout);
    // A new modification time, the same content: still a hit.
    let file = p
        .ws()
        .join("riverbend")
        .read_dir()
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "icg"))
        .unwrap();
    let f = std::fs::File::options().write(true).open(&file).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
        .unwrap();
    drop(f);
    let (_, e) = verbose(&p);
    assert!(e.contains("cache: hit"), "{e}");
    // One byte more: a miss, and the next run a hit again.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text} ")).unwrap();
    let (_, e) = verbose(&p);
    assert!(e.contains("cache: miss"), "{e}");
    let (_, e) = verbose(&p);
    assert!(e.contains("cache: hit"), "{e}");
    // A new file is a miss too; so is another option.
    common::write(&p.ws(), "riverbend/extra.icg", "");
    let (_, e) = verbose(&p);
    assert!(e.contains("cache: miss"), "{e}");
    let o = p.run(&["check", "ws", "-v", "--select", "CCN"]);
    assert!(common::stderr(&o).contains("cache: miss"));
    // --no-cache neither reads nor writes.
    let n = entries(&p.cache()).len();
    let o = p.run(&["check", "ws", "-v", "--no-cache", "--select", "STA"]);
    assert!(common::stderr(&o).contains("cache: off (--no-cache)"));
    assert_eq!(entries(&p.cache()).len(), n);
    // The folder holds a .gitignore of everything and a CACHEDIR.TAG.
    assert_eq!(
        std::fs::read_to_string(p.cache().join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
    assert!(std::fs::read_to_string(p.cache().join("CACHEDIR.TAG"))
        .unwrap()
        .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
}

#[test]
fn only_a_plain_check_is_cached() {
    let p = Place::new("uncached");
    let doc = std::fs::read(p.ws().join("northmoor/system.icg")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(["check", "-", "--stdin-filename", "ws/northmoor/system.icg"])
        .current_dir(&p.root)
        .env_remove("ICSLINT_NO_CACHE")
        .env("XDG_CACHE_HOME", p.home.join("xdg"))
        .env("HOME", &p.home)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(&doc).unwrap();
    child.wait_with_output().unwrap();
    p.run(&["check", "ws", "--diff"]);
    assert!(entries(&p.cache()).is_empty());
    // Nor does an error (exit 2) leave an entry: it may not happen again.
    let o = p.run(&["check", "ws", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(entries(&p.cache()).is_empty());
}

#[test]
fn a_report_to_a_file_is_the_same_from_the_cache() {
    let p = Place::new("output");
    let o = p.run(&[
        "check",
        "ws",
        "--format",
        "sarif",
        "-o",
        "want.sarif",
        "--no-cache",
    ]);
    let want = std::fs::read(p.root.join("want.sarif")).unwrap();
    for _ in 0..2 {
        let _ = std::fs::remove_file(p.root.join("got.sarif"));
        let got = p.run(&["check", "ws", "--format", "sarif", "-o", "got.sarif"]);
        assert_eq!(got.status.code(), o.status.code());
        assert!(got.stdout.is_empty());
        assert!(std::fs::read(p.root.join("got.sarif")).unwrap() == want);
    }
}

const WARNING: &str = "warning: the cache entry";

#[test]
fn a_corrupt_entry_is_ignored_with_a_warning_and_replaced() {
    let p = Place::new("corrupt");
    let args = ["check", "ws", "--format", "json"];
    let want = p.run(&["check", "ws", "--format", "json", "--no-cache"]);
    p.run(&args);
    let entry = entries(&p.cache()).pop().expect("an entry");
    let good = std::fs::read(&entry).unwrap();
    type Damage = Box<dyn Fn(&mut Vec<u8>)>;
    let damage: [(&str, Damage); 4] = [
        ("truncated", Box::new(|b| b.truncate(b.len() / 2))),
        ("a byte of the report flipped", Box::new(|b| b[10] ^= 0x20)),
        (
            "the exit status changed",
            Box::new(|b| {
                let n = b.len();
                b[n - 32 - 20] ^= 1
            }),
        ),
        ("emptied", Box::new(|b| b.clear())),
    ];
    for (how, damage) in damage {
        let mut bad = good.clone();
        damage(&mut bad);
        std::fs::write(&entry, &bad).unwrap();
        let o = p.run(&args);
        assert_eq!(o.stdout, want.stdout, "{how}");
        assert_eq!(o.status.code(), want.status.code(), "{how}");
        let e = common::stderr(&o);
        assert_eq!(e.matches(WARNING).count(), 1, "{how}: {e}");
        assert!(e.contains("everything was checked"), "{e}");
        // Replaced: the next run is a hit, without a warning.
        let o = p.run(&args);
        assert_eq!(o.stdout, want.stdout);
        assert!(common::stderr(&o).is_empty(), "{how}");
        assert_eq!(std::fs::read(&entry).unwrap(), good, "{how}");
    }
}

#[test]
fn an_entry_made_under_another_key_is_foreign() {
    let p = Place::new("foreign");
    let args = ["check", "ws", "--format", "sarif"];
    let want = p.run(&["check", "ws", "--format", "sarif", "--no-cache"]);
    let other = p.root.join("other-home");
    std::fs::create_dir_all(&other).unwrap();
    p.run_with_home(&other, &args);
    assert_eq!(entries(&p.cache()).len(), 1);
    // Another user (or machine) made it: ignored, with a warning.
    let o = p.run(&args);
    assert_eq!(o.stdout, want.stdout);
    assert_eq!(o.status.code(), want.status.code());
    let e = common::stderr(&o);
    assert!(
        e.contains(WARNING) && e.contains("not written by icslint for you"),
        "{e}"
    );
    let o = p.run(&args);
    assert!(common::stderr(&o).is_empty());
    // A forged entry under the right name, with no key at all.
    let entry = entries(&p.cache()).pop().unwrap();
    let mut forged = b"{\"forged\": true}\n".to_vec();
    forged.extend_from_slice(&std::fs::read(&entry).unwrap()[..80]);
    std::fs::write(&entry, &forged).unwrap();
    let o = p.run(&args);
    assert_eq!(o.stdout, want.stdout);
    assert!(common::stderr(&o).contains(WARNING));
    // The key is the user's, made private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let key = p.home.join("xdg/icslint/key");
        assert_eq!(std::fs::metadata(&key).unwrap().len(), 32);
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[cfg(unix)]
#[test]
fn a_cache_folder_or_entry_that_is_a_link_is_never_read_nor_written() {
    let p = Place::new("links");
    let args = ["check", "ws", "--format", "json"];
    let want = p.run(&["check", "ws", "--format", "json", "--no-cache"]);
    let outside = p.root.join("outside");
    common::write(&outside, "secret.txt", "TOPSECRET\n");
    let before = common::snapshot(&outside);
    std::os::unix::fs::symlink(&outside, p.cache()).unwrap();
    for _ in 0..2 {
        let o = p.run(&args);
        assert_eq!(o.stdout, want.stdout);
        assert_eq!(o.status.code(), want.status.code());
        let e = common::stderr(&o);
        assert!(e.contains("is a symbolic link"), "{e}");
        assert!(!e.contains("TOPSECRET") && !common::stdout(&o).contains("TOPSECRET"));
        assert_eq!(common::snapshot(&outside), before, "nothing written there");
    }
    // An entry that is a link to a secret: not read, and replaced by a
    // file of its own (the secret untouched).
    std::fs::remove_file(p.cache()).unwrap();
    p.run(&args);
    let entry = entries(&p.cache()).pop().unwrap();
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), &entry).unwrap();
    let o = p.run(&args);
    assert_eq!(o.stdout, want.stdout);
    assert!(common::stderr(&o).contains("it is a symbolic link"));
    assert_eq!(common::snapshot(&outside), before);
    assert!(!std::fs::symlink_metadata(&entry)
        .unwrap()
        .file_type()
        .is_symlink());
    let o = p.run(&args);
    assert!(common::stderr(&o).is_empty());
}

#[test]
fn a_cache_that_cannot_be_written_gives_the_right_output_and_no_error() {
    let p = Place::new("readonly");
    let args = ["check", "ws", "--format", "github"];
    let want = p.run(&["check", "ws", "--format", "github", "--no-cache"]);
    // A folder that cannot be made: its parent is a file.
    common::write(&p.root, "file", "");
    let o = p.run(&[
        "check",
        "ws",
        "--format",
        "github",
        "--cache-dir",
        "file/cache",
    ]);
    same("unmakeable", &want, &o);
    // A read-only folder holding an entry (root can still write it: the
    // output must be right either way).
    p.run(&args);
    let file = p.ws().join("riverbend/extra.icg");
    common::write(&p.ws(), "riverbend/extra.icg", "");
    let want = p.run(&["check", "ws", "--format", "github", "--no-cache"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(p.cache(), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let o = p.run(&args);
    same("read-only", &want, &o);
    std::fs::remove_file(file).unwrap();
    let o = p.run(&args);
    assert!(common::stderr(&o).is_empty(), "{}", common::stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(p.cache(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // No home for a key: no cache, quietly.
    let o = Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(["check", "ws", "--format", "github"])
        .current_dir(&p.root)
        .env_remove("ICSLINT_NO_CACHE")
        .env_remove("HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    same(
        "no home",
        &p.run(&["check", "ws", "--format", "github", "--no-cache"]),
        &o,
    );
}

#[test]
fn the_cache_folder_is_beside_the_nearest_icslint_yaml() {
    let p = Place::new("where");
    // merged-icb has its own icslint.yaml: a check of it keeps its cache there.
    p.run(&["check", "ws/merged-icb"]);
    assert_eq!(entries(&p.ws().join("merged-icb/.icslint_cache")).len(), 1);
    // `icslint config` says where, or that it is off.
    let cache_setting = |args: &[&str]| -> serde_json::Value {
        let o = p.run(args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "cache")
            .cloned()
            .unwrap()
    };
    let s = cache_setting(&["config", "ws/merged-icb", "--format", "json"]);
    assert!(
        s["value"]
            .as_str()
            .unwrap()
            .ends_with("merged-icb/.icslint_cache"),
        "{s}"
    );
    assert_eq!(s["origin"]["from"], "default");
    let s = cache_setting(&["config", "ws", "--format", "json", "--no-cache"]);
    assert_eq!(s["value"], "off");
    assert_eq!(s["origin"]["flag"], "--no-cache");
    // A workspace without one: the current folder.
    p.run(&["check", "ws/riverbend"]);
    assert_eq!(entries(&p.cache()).len(), 1);
    // ICSLINT_CACHE_DIR and --cache-dir choose another.
    let o = Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(["check", "ws/riverbend"])
        .current_dir(&p.root)
        .env_remove("ICSLINT_NO_CACHE")
        .env("ICSLINT_CACHE_DIR", p.root.join("by-env"))
        .env("XDG_CACHE_HOME", p.home.join("xdg"))
        .env("HOME", &p.home)
        .output()
        .unwrap();
    assert!(o.status.success() || o.status.code() == Some(1));
    assert_eq!(entries(&p.root.join("by-env")).len(), 1);
    // At most a few entries are kept.
    for day in 1..=12 {
        let d = format!("2025-01-{day:02}");
        p.run(&["check", "ws/riverbend", "--as-of", &d]);
    }
    assert_eq!(entries(&p.cache()).len(), 8);
}
