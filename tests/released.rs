//! A check of a large workspace lets each file's text go once the file is
//! lowered and reads it again for the report (`LoadOptions::
//! release_texts_over`, `Workspace::restore_texts`). Nothing a user sees may
//! depend on it: every report is the same byte for byte, fixes included,
//! and a file that changed in between is an error, never a report against
//! the wrong text.

mod common;

use common::{icslint, root, scratch, shared_examples, stderr, stdout, write};
use icslint::diagnostic::Finding;
use icslint::engine::{Engine, Options};
use icslint::workspace::{LoadOptions, Workspace};
use std::path::PathBuf;

#[path = "../benches/corpus/mod.rs"]
mod corpus;

/// Every report of `findings`, rendered, one string per format.
fn reports(ws: &Workspace, findings: &[Finding]) -> Vec<(&'static str, String)> {
    use icslint::report;
    let text = |write: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let rules = report::sarif::rule_infos(&ws.packs);
    vec![
        ("json", report::json(findings, &ws.sources)),
        (
            "human",
            text(&|w| report::write_human(findings, &ws.sources, false, 100, w)),
        ),
        (
            "plain",
            text(&|w| report::write_plain(findings, &ws.sources, w)),
        ),
        (
            "github",
            text(&|w| report::write_github(findings, &ws.sources, w)),
        ),
        (
            "gitlab",
            text(&|w| report::write_gitlab(findings, &ws.sources, w)),
        ),
        (
            "sarif",
            text(&|w| report::write_sarif(findings, &ws.sources, &rules, w)),
        ),
        ("junit", report::junit(findings, &ws.sources, &ws.files)),
    ]
}

/// A check as `icslint check` makes it of a large workspace: texts
/// released as files are lowered, the model freed and the texts read again.
fn released_check(roots: &[PathBuf]) -> (Workspace, Vec<Finding>, Counts) {
    let opts = LoadOptions {
        release_texts_over: Some(0),
        ..Default::default()
    };
    let mut ws = Workspace::load_with(roots, &opts).unwrap();
    let released = ws
        .files
        .iter()
        .filter(|f| ws.sources.get(**f).is_released())
        .count();
    let language = std::mem::take(&mut ws.findings);
    let mut findings = Engine::new(&ws, Options::default()).run_on(language);
    let pending = findings
        .iter()
        .filter(|f| f.fix.as_ref().is_some_and(|x| x.pending))
        .count();
    let to_read = findings
        .iter()
        .any(|f| ws.sources.get(f.file).is_released());
    ws.restore_texts(&mut findings).unwrap();
    // The model is freed before texts come back, and only then.
    assert_eq!(ws.model.blocks.is_empty(), to_read);
    let counts = Counts {
        released,
        kept: ws.files.len() - released,
        pending,
    };
    (ws, findings, counts)
}

#[derive(Default)]
struct Counts {
    released: usize,
    kept: usize,
    pending: usize,
}

fn roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for base in [shared_examples(), root().join("tests/fixtures")] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        roots.extend(dirs);
    }
    roots
}

#[test]
fn releasing_texts_changes_no_report() {
    let mut total = Counts::default();
    for dir in roots() {
        let roots = [dir.clone()];
        let ws = Workspace::load(&roots, None).unwrap();
        let kept = reports(&ws, &Engine::new(&ws, Options::default()).run());
        let (ws, findings, counts) = released_check(&roots);
        for ((format, want), (_, got)) in kept.iter().zip(reports(&ws, &findings)) {
            assert!(
                *want == got,
                "{}: the {format} report differs when texts are released",
                dir.display()
            );
        }
        assert!(findings
            .iter()
            .all(|f| f.fix.as_ref().is_none_or(|x| !x.pending)));
        total.released += counts.released;
        total.kept += counts.kept;
        total.pending += counts.pending;
    }
    // What this test must have gone through to mean anything: released
    // texts, texts kept (syntax errors, `icslint:` comments), and rules'
    // fixes placed only once their text came back.
    assert!(total.released > 50, "{} texts released", total.released);
    assert!(total.kept >= 3, "{} texts kept", total.kept);
    assert!(total.pending >= 3, "{} fixes placed late", total.pending);
}

/// A file with an `icslint:` comment or a syntax error keeps its text (the
/// rules' run reads it); the others let theirs go.
#[test]
fn files_whose_text_the_run_reads_keep_it() {
    let dir = scratch("released-kept");
    write(&dir, "a.icg", "system s \"S ICS\" { regime 2022 }\n");
    write(
        &dir,
        "b.icg",
        "icb s_icb \"NHS S ICB\" {    # icslint: allow CCN112 -- reviewed\n    system @s\n}\n",
    );
    write(
        &dir,
        "c.icg",
        "strategy s_strategy \"S strategy\" {\n    system @s\n",
    );
    let opts = LoadOptions {
        release_texts_over: Some(0),
        ..Default::default()
    };
    let ws = Workspace::load_with(std::slice::from_ref(&dir), &opts).unwrap();
    let released: Vec<String> = ws
        .files
        .iter()
        .filter(|f| ws.sources.get(**f).is_released())
        .map(|f| {
            ws.sources
                .path(*f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(released, ["a.icg"]);
    // Under the threshold, nothing is released.
    let opts = LoadOptions {
        release_texts_over: Some(1 << 20),
        ..Default::default()
    };
    let ws = Workspace::load_with(&[dir], &opts).unwrap();
    assert!(ws.files.iter().all(|f| !ws.sources.get(*f).is_released()));
}

/// A text read again must be the text that was checked: a file edited (to
/// the same length), removed, or made unreadable since is the error, and no
/// report is made against it.
#[test]
fn a_file_changed_since_it_was_checked_is_an_error() {
    let dir = scratch("released-changed");
    let text = "system a \"Aaa ICS\" { regime 2022 }\n";
    let a = write(&dir, "a.icg", text);
    let b = write(&dir, "b.icg", text.replace("system a", "system b").as_str());
    let opts = LoadOptions {
        release_texts_over: Some(0),
        ..Default::default()
    };
    let mut ws = Workspace::load_with(std::slice::from_ref(&dir), &opts).unwrap();
    let mut findings = Engine::new(&ws, Options::default()).run();
    assert!(findings.iter().any(|f| ws.sources.path(f.file) == a));
    assert!(findings.iter().any(|f| ws.sources.path(f.file) == b));
    std::fs::write(&a, text.replace("Aaa", "Bbb")).unwrap();
    std::fs::remove_file(&b).unwrap();
    use icslint::workspace::{Changed, ChangedHow};
    let changed = |path: &PathBuf, how| Changed {
        path: path.clone(),
        how,
    };
    assert_eq!(
        ws.restore_texts(&mut findings),
        Err(vec![
            changed(&a, ChangedHow::Edited),
            changed(&b, ChangedHow::Removed)
        ])
    );
    // A path that is now something else than a regular file (a folder; a
    // FIFO, which would block the reading for ever) is not opened.
    let fifo = dir.join("f.icg");
    write(&dir, "a.icg", text);
    write(&dir, "b.icg", &text.replace("system a", "system b"));
    write(&dir, "f.icg", &text.replace("system a", "system f"));
    let mut ws = Workspace::load_with(std::slice::from_ref(&dir), &opts).unwrap();
    let mut findings = Engine::new(&ws, Options::default()).run();
    std::fs::remove_file(&a).unwrap();
    std::fs::create_dir(&a).unwrap();
    std::fs::remove_file(&fifo).unwrap();
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut want = vec![changed(&a, ChangedHow::NotAFile)];
    if made_fifo {
        want.push(changed(&fifo, ChangedHow::NotAFile));
    } else {
        eprintln!("no mkfifo here: the FIFO case is not tried");
        want.push(changed(&fifo, ChangedHow::Removed));
    }
    assert_eq!(ws.restore_texts(&mut findings), Err(want));
}

/// `icslint check` releases texts above 4 MiB of documents: its JSON is
/// the library's, made with every text kept.
#[test]
fn a_large_check_reports_what_a_small_one_would() {
    let dir = scratch("released-large");
    let mut bytes = 0;
    for (name, text) in corpus::corpus(400) {
        bytes += text.len();
        write(&dir, &name, &text);
    }
    assert!(bytes > 4 << 20, "{bytes} bytes: over the threshold");
    // And documents whose findings carry rules' fixes, placed once their
    // text is read again.
    for entry in walkdir::WalkDir::new(shared_examples()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let to = dir
                .join("examples")
                .join(entry.path().strip_prefix(shared_examples()).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let path = dir.to_str().unwrap();
    let out = icslint(&["check", "--format", "json", path], &root());
    // Exit 2: the broken examples have syntax errors.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("changed"), "{}", stderr(&out));
    let ws = Workspace::load(std::slice::from_ref(&dir), None).unwrap();
    let want = icslint::report::json(&Engine::new(&ws, Options::default()).run(), &ws.sources);
    assert!(want.contains("\"insert\""), "fixes to place");
    assert!(
        stdout(&out) == want,
        "the command's JSON differs from the library's"
    );
}
