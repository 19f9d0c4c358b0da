//! `fmt` and `check --fix` write files safely: through a symbolic link,
//! keeping hard links, leaving read-only files and files on a full disk as
//! they were, counting only what was written, leaving no temporary file on
//! Ctrl-C; they print no file name or line that a terminal or a CI log
//! would take as a command; a line of 70,000 spaces panics nothing; and a
//! fix marked safe never changes what a document means.

mod common;
use common::*;
use std::path::Path;
use std::process::Output;

const MESSY: &str = "system s \"S\" {regime 2022}\n";
const TIDY: &str = "system s \"S\" { regime 2022 }\n";
/// A typo `check --fix` corrects (`regme` → `regime`), formatted.
const TYPO: &str = "system s \"S\" { regme 2022 }\n";
const FIXED: &str = "system s \"S\" { regime 2022 }\n";

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn no_panic(out: &Output, what: &str) {
    let err = stderr(out);
    assert_ne!(out.status.code(), Some(101), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_written_through_the_link() {
    use std::os::unix::fs::symlink;
    for (args, before, after) in [
        (&["fmt", "."][..], MESSY, TIDY),
        (
            &["check", "--fix", "--format", "json", "."][..],
            TYPO,
            FIXED,
        ),
    ] {
        let dir = scratch(&format!("edits-symlink-{}", args[0]));
        // The target is inside the folder checked (a link out of it is never
        // written through: tests/untrusted.rs), and the link comes first.
        let docs = dir.join("docs");
        let real = write(&docs, "sub/real.icg", before);
        let link = docs.join("link.icg");
        symlink(&real, &link).unwrap();
        let out = icslint(args, &docs);
        assert_ne!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{args:?}: the link is still a link"
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), after, "{args:?}");
        assert_eq!(names(&docs), ["link.icg", "sub"], "{args:?}");
        assert_eq!(names(&docs.join("sub")), ["real.icg"], "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_hard_linked_file_stays_linked() {
    use std::os::unix::fs::MetadataExt as _;
    for (args, before, after) in [
        (&["fmt", "."][..], MESSY, TIDY),
        (
            &["check", "--fix", "--format", "json", "."][..],
            TYPO,
            FIXED,
        ),
    ] {
        let dir = scratch(&format!("edits-hardlink-{}", args[0]));
        let docs = dir.join("docs");
        let a = write(&docs, "a.icg", before);
        let other = dir.join("other.icg");
        std::fs::hard_link(&a, &other).unwrap();
        let out = icslint(args, &docs);
        assert_ne!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), after, "{args:?}");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), after, "{args:?}");
        let (ma, mo) = (
            std::fs::metadata(&a).unwrap(),
            std::fs::metadata(&other).unwrap(),
        );
        assert_eq!((ma.ino(), ma.nlink()), (mo.ino(), 2), "{args:?}");
        assert_eq!(names(&docs), ["a.icg"], "{args:?}");
    }
}

/// A rename into a writable folder would replace a read-only file (and
/// root may write it anyway): it is reported and left, and not counted.
#[cfg(unix)]
#[test]
fn a_read_only_file_is_reported_and_left() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = scratch("edits-read-only");
    let ro = write(&dir, "ro.icg", MESSY);
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let rw = write(&dir, "rw.icg", MESSY);
    let out = icslint(&["fmt", "."], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("ro.icg: is read-only; not formatted, left unchanged"),
        "{err}"
    );
    assert!(
        err.contains("1 file reformatted, 0 files left unchanged, 1 file not written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), MESSY);
    assert_eq!(std::fs::read_to_string(&rw).unwrap(), TIDY);
    let mode = std::fs::metadata(&ro).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444);

    // `check --fix` the same: the other file is fixed, the run fails.
    std::fs::write(&rw, TYPO).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&ro, TYPO).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = icslint(&["check", "--fix", "."], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("ro.icg: is read-only; not fixed, left unchanged"),
        "{err}"
    );
    assert!(
        err.contains("fixed 1 finding in the files written; 1 file was not written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), TYPO);
    assert_eq!(std::fs::read_to_string(&rw).unwrap(), FIXED);
}

#[cfg(unix)]
#[test]
fn the_permission_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = scratch("edits-mode");
    for (name, mode) in [("a.icg", 0o600), ("b.icg", 0o664), ("c.icg", 0o755)] {
        let p = write(&dir, name, MESSY);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let out = icslint(&["fmt", "."], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (name, mode) in [("a.icg", 0o600), ("b.icg", 0o664), ("c.icg", 0o755)] {
        let p = dir.join(name);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), TIDY);
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
            mode,
            "{name}"
        );
    }
}

/// A small tmpfs, unmounted when dropped; `None` where mounting is not
/// permitted (not root, no tmpfs).
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(name: &str, size: &str) -> Option<Tmpfs> {
        let dir = scratch(name);
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            Some(Tmpfs(dir))
        } else {
            eprintln!("skipped: cannot mount a tmpfs here (a full disk is tested as root)");
            None
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).output();
    }
}

/// Many one-line systems, unformatted: formatting spreads them out.
fn many_systems(bytes: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&format!(
            "system s{i} \"S {i}\" {{regime 2022;population 1_000}}\n"
        ));
        i += 1;
    }
    s
}

#[cfg(unix)]
#[test]
fn a_full_disk_is_an_error_and_nothing_is_lost_or_counted() {
    let Some(fs) = Tmpfs::mount("edits-full-disk", "64k") else {
        return;
    };
    let dir = &fs.0;
    // The formatted copy does not fit beside the original.
    let text = many_systems(36_000);
    let p = write(dir, "big.icg", &text);
    let out = icslint(&["fmt", "."], dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("big.icg: cannot write it:"), "{err}");
    assert!(
        err.contains("0 files reformatted, 0 files left unchanged, 1 file not written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    assert_eq!(names(dir), ["big.icg"], "no temporary file is left");

    // A hard-linked file, written in place: its longer text does not fit,
    // and the old text is still whole.
    std::fs::remove_file(&p).unwrap();
    let text = many_systems(62_500);
    let p = write(dir, "big.icg", &text);
    std::fs::hard_link(&p, dir.join("link.icg")).unwrap();
    let out = icslint(&["fmt", "big.icg"], dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("1 file not written"), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    assert_eq!(names(dir), ["big.icg", "link.icg"]);

    // `check --fix` alike.
    std::fs::remove_file(&p).unwrap();
    std::fs::remove_file(dir.join("link.icg")).unwrap();
    let text = format!("{}{}", TYPO, many_systems(36_000));
    let p = write(dir, "big.icg", &text);
    let out = icslint(&["check", "--fix", "."], dir);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("big.icg: cannot write it:"), "{err}");
    assert!(
        err.contains("fixed 0 findings in the files written; 1 file was not written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    assert_eq!(names(dir), ["big.icg"]);
}

/// Ctrl-C while files are written: the run stops, no temporary file is
/// left, and every file is either as it was or wholly formatted.
#[cfg(unix)]
#[test]
fn ctrl_c_leaves_no_temporary_file() {
    let dir = scratch("edits-ctrl-c");
    let text = many_systems(3_000_000);
    for i in 0..6 {
        write(&dir, &format!("f{i}.icg"), &text);
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(["fmt", "."])
        .current_dir(&dir)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until a temporary file is being written, then interrupt.
    let started = std::time::Instant::now();
    let mut seen = false;
    while started.elapsed() < std::time::Duration::from_secs(120) {
        if names(&dir).iter().any(|n| n.starts_with('.')) {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    assert!(
        seen,
        "no temporary file was seen: the test could not interrupt a write"
    );
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{:?} {err}", out.status);
    assert!(err.contains("interrupted"), "{err}");
    let left = names(&dir);
    assert!(left.iter().all(|n| !n.starts_with('.')), "{left:?}");
    assert_eq!(left.len(), 6);
    let formatted = icslint::fmt::format(&text).unwrap();
    let mut done = 0;
    for n in &left {
        let now = std::fs::read_to_string(dir.join(n)).unwrap();
        assert!(now == text || now == formatted, "{n} is half written");
        done += usize::from(now == formatted);
    }
    assert!(done < 6, "the run stopped before the last file");
}

/// A line of 70,000 spaces (beyond the 65,535 a Rust format width holds)
/// before a block, in a block, or before a syntax error.
#[test]
fn a_line_of_70000_spaces_panics_nothing() {
    let dir = scratch("edits-spaces");
    let s = " ".repeat(70_000);
    let texts = [
        format!("{s}system s \"S\" {{\n}}\n"),
        format!("system s \"S\" {{\n{s}\n    regime 2022\n}}\n"),
        format!("{s}\n# c\n{s}system s \"S\" {{{s}}}\n"),
        format!("{}\n{s}{{\n", "\t".repeat(70_000)),
        format!("{s}system s \"S\" {{ regme 2022 }}\n"),
    ];
    for (i, text) in texts.iter().enumerate() {
        let name = format!("v{i}.icg");
        write(&dir, &name, text);
        for args in [
            &["fmt", "--check", &name][..],
            &["fmt", "--diff", &name][..],
            // Not `parse` nor `check` in the terminal format: their report
            // of a syntax error on such a line panics in the terminal
            // renderer (src/report/human.rs, miette), which is not ours
            // here; reported.
            &["check", "--format", "plain", &name][..],
            &["check", "--format", "json", &name][..],
            &["check", "--diff", "--format", "plain", &name][..],
        ] {
            no_panic(&icslint(args, &dir), &format!("{args:?} on text {i}"));
        }
        let out = icslint_with_input(&["fmt", "-"], text.as_bytes());
        no_panic(&out, &format!("fmt - on text {i}"));
        // On a syntax error, the text comes back whole.
        if out.status.code() == Some(2) {
            assert_eq!(stdout(&out), *text, "fmt - on text {i}");
        }
        // And writing formats it, keeping every other byte.
        let out = icslint(&["fmt", &name], &dir);
        no_panic(&out, &format!("fmt on text {i}"));
        let now = std::fs::read_to_string(dir.join(&name)).unwrap();
        let keep = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(keep(&now), keep(text), "fmt on text {i}");
    }
}

/// True when `line` would be taken by a terminal or a GitHub Actions log
/// as something other than text.
fn hostile(line: &str) -> bool {
    let body = line.strip_suffix('\r').unwrap_or(line);
    body.trim().starts_with("::")
        || body.contains("##[")
        || body.contains(|c: char| c.is_control() && c != '\t')
}

/// File names holding a newline, a workflow command or an escape sequence,
/// and text holding a workflow command, in `fmt --check` and `check --diff`.
#[cfg(unix)]
#[test]
fn diff_headers_and_lines_carry_no_commands() {
    let dir = scratch("edits-hostile-names");
    let names_ = [
        "a\n::error file=x,line=1::owned.icg",
        "b ##[error]owned.icg",
        "c\u{1b}]8;;https://example.org\u{7}link\u{1b}]8;;\u{7}.icg",
        "d\u{1b}]52;c;Y2xpcGJvYXJk\u{7}.icg",
        "e\roverwritten.icg",
        "::warning::f.icg",
    ];
    for n in names_ {
        write(
            &dir,
            n,
            "system s \"S\" {regme 2022\n    remit \"\"\"\n::error::in the text\n  ##[warning]x\n\"\"\"\n}\n",
        );
    }
    for args in [
        &["fmt", "--check", "."][..],
        &["fmt", "--diff", "--color", "always", "."][..],
        &["check", "--diff", "."][..],
        &["check", "--diff", "--format", "plain", "."][..],
    ] {
        let out = icslint(args, &dir);
        no_panic(&out, &format!("{args:?}"));
        let text = stdout(&out);
        assert!(text.contains("--- "), "{args:?}: {text}");
        for line in text.lines() {
            // Our own colours aside.
            let plain = line
                .replace("\u{1b}[0m", "")
                .replace("\u{1b}[1m", "")
                .replace("\u{1b}[31m", "")
                .replace("\u{1b}[32m", "")
                .replace("\u{1b}[36m", "");
            if plain.starts_with("--- ")
                || plain.starts_with("+++ ")
                || plain.starts_with([' ', '-', '+', '@'])
            {
                assert!(!hostile(&plain), "{args:?}: {line:?}");
            }
        }
        // The file names in the diff headers are there, escaped.
        if args[0] == "fmt" {
            assert!(
                text.contains("a\\u{a}::error file=x,line=1::owned.icg"),
                "{text}"
            );
            assert!(
                text.contains("\\u{3a}:warning::f.icg") || text.contains("./::warning::f.icg"),
                "{text}"
            );
        }
    }
    // Errors naming such a file, too.
    for n in names_ {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.join(n), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let out = icslint(&["fmt", "."], &dir);
    let err = stderr(&out);
    assert_eq!(err.matches("is read-only").count(), names_.len(), "{err}");
    for line in err.lines() {
        assert!(!hostile(line), "{line:?}");
    }
}

/// Every folder of the repository's examples and fixtures that holds
/// `.icg` files: each is a workspace.
fn workspaces() -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        if entries
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "icg"))
        {
            out.push(dir.to_path_buf());
        }
        for p in entries.iter().filter(|p| p.is_dir()) {
            walk(p, out);
        }
    }
    let mut out = Vec::new();
    for base in [
        root().join("tests/fixtures"),
        shared_examples(),
        root().join("examples"),
    ] {
        walk(&base, &mut out);
    }
    out
}

/// A writable copy of a folder's files (not its sub-folders).
fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::write(to.join(e.file_name()), std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

fn findings_json(dir: &Path) -> Vec<serde_json::Value> {
    let out = icslint(
        &["check", "--format", "json", "--fail-on", "never", "."],
        dir,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", dir.display(), stderr(&out)));
    v["findings"].as_array().cloned().unwrap_or_default()
}

fn per_file_rules(
    findings: &[&serde_json::Value],
) -> std::collections::BTreeMap<(String, String), usize> {
    let mut m = std::collections::BTreeMap::new();
    for f in findings {
        let key = (
            f["location"]["path"].as_str().unwrap_or("").to_string(),
            f["rule"].as_str().unwrap_or("").to_string(),
        );
        *m.entry(key).or_insert(0) += 1;
    }
    m
}

/// Drops the last letter of every reference of four letters or more
/// (`@moorshire` → `@moorshir`): the did-you-mean may pick another ID.
fn misspell_references(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        out.push(c);
        if c != '@' {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len >= 4 {
            out.push_str(&rest[..len - 1]);
            for _ in 0..len {
                chars.next();
            }
        }
    }
    out
}

/// Drops the second letter of every third key (`regime` → `rgime`), and
/// adds a misspelt copy of every `regime` (`regme`), whose fix would make
/// a key appear twice.
fn misspell_keys(text: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let body = &line[indent..];
        let key_len = body.find(' ').unwrap_or(0);
        let key = &body[..key_len];
        let is_key = key_len >= 5 && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        if is_key && key == "regime" {
            out.push_str(line);
            out.push_str(&format!("{}regme{}", &line[..indent], &body[key_len..]));
            continue;
        }
        if is_key {
            n += 1;
            if n % 3 == 0 {
                out.push_str(&line[..indent + 1]);
                out.push_str(&line[indent + 2..]);
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// A fix marked safe never changes what a document means: applying every
/// safe fix to every example and fixture, and to the examples with typos
/// in their references and keys, brings no finding that was not there (per
/// file and rule, the fixed findings aside), in particular no new error.
#[test]
fn every_safe_fix_keeps_every_example_meaning() {
    let mut dirs = Vec::new();
    for (i, ws) in workspaces().into_iter().enumerate() {
        let dir = scratch(&format!("edits-safe-fixes/{i}"));
        copy_files(&ws, &dir);
        dirs.push((ws.display().to_string(), dir, None));
    }
    let mut examples: Vec<std::path::PathBuf> = std::fs::read_dir(shared_examples())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        // `broken` has typos of its own: it is tried as it is, above.
        .filter(|p| p.is_dir() && !p.ends_with("broken"))
        .collect();
    examples.push(root().join("examples/riverbend"));
    examples.sort();
    for ws in &examples {
        for (how, mutate) in [
            ("references", misspell_references as fn(&str) -> String),
            ("keys", misspell_keys),
        ] {
            let name = ws.file_name().unwrap().to_string_lossy().into_owned();
            let dir = scratch(&format!("edits-safe-fixes/{name}-{how}"));
            copy_files(ws, &dir);
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                if e.path().extension().is_some_and(|x| x == "icg") {
                    if let Ok(t) = std::fs::read_to_string(e.path()) {
                        std::fs::write(e.path(), mutate(&t)).unwrap();
                    }
                }
            }
            dirs.push((
                format!("{name} with typos in its {how}"),
                dir,
                Some(ws.clone()),
            ));
        }
    }
    let has_safe = |f: &&serde_json::Value| {
        f["fixes"]
            .as_array()
            .is_some_and(|x| x.iter().any(|x| x["safety"] == "safe"))
    };
    let mut tried = 0;
    let mut problems = Vec::new();
    for (what, dir, original) in dirs {
        let before = findings_json(&dir);
        let safe = before.iter().filter(|f| has_safe(f)).count();
        if safe == 0 {
            continue;
        }
        tried += 1;
        let fix = icslint(
            &[
                "check",
                "--fix",
                "--format",
                "json",
                "--fail-on",
                "never",
                ".",
            ],
            &dir,
        );
        let err = stderr(&fix);
        assert!(
            !err.contains("not written") && !err.contains("panicked"),
            "{what}: {err}"
        );
        let after = findings_json(&dir);
        assert!(
            after.iter().filter(|f| has_safe(f)).count() < safe,
            "{what}: no safe fix was applied"
        );
        if let Some(o) = original {
            // A copy with typos: each word is now the example's or the typo
            // (a fix restored what was meant, or was not applied), never a
            // third word.
            let words = |t: &str| -> Vec<Vec<String>> {
                t.lines()
                    .map(|l| {
                        l.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@'))
                            .filter(|w| !w.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .collect()
            };
            for e in std::fs::read_dir(&o).unwrap().flatten() {
                let Ok(was) = std::fs::read_to_string(e.path()) else {
                    continue;
                };
                if e.path().extension().is_none_or(|x| x != "icg") {
                    continue;
                }
                let typo = words(&if what.ends_with("references") {
                    misspell_references(&was)
                } else {
                    misspell_keys(&was)
                });
                let now = words(&std::fs::read_to_string(dir.join(e.file_name())).unwrap());
                let was = words(&was);
                // `misspell_keys` adds lines (`regme`); compare where aligned.
                let mut t = typo.iter();
                let mut w = was.iter().peekable();
                for (i, line) in now.iter().enumerate() {
                    let typo_line = t.next();
                    let same_len = w.peek().is_some_and(|l| l.len() == line.len());
                    let was_line = if same_len { w.next() } else { None };
                    for (j, word) in line.iter().enumerate() {
                        let ok = typo_line.and_then(|l| l.get(j)) == Some(word)
                            || was_line.and_then(|l| l.get(j)) == Some(word);
                        if !ok {
                            problems.push(format!(
                                "{what}: {:?} line {}: `{word}` is neither the example's word nor the typo",
                                e.file_name(),
                                i + 1
                            ));
                        }
                    }
                }
            }
            continue;
        }
        let allowed = per_file_rules(&before.iter().collect::<Vec<_>>());
        for ((path, rule), n) in per_file_rules(&after.iter().collect::<Vec<_>>()) {
            let was = allowed
                .get(&(path.clone(), rule.clone()))
                .copied()
                .unwrap_or(0);
            if n > was {
                let new: Vec<String> = after
                    .iter()
                    .filter(|f| {
                        f["location"]["path"] == path.as_str() && f["rule"] == rule.as_str()
                    })
                    .map(|f| f["message"].to_string())
                    .collect();
                problems.push(format!("{what}: {path}: {rule} {was} -> {n}: {new:?}"));
            }
        }
    }
    eprintln!("{tried} workspaces had safe fixes");
    assert!(tried >= 6, "only {tried} workspaces had a safe fix");
    assert!(
        problems.is_empty(),
        "safe fixes changed meaning:\n{}",
        problems.join("\n")
    );
}
