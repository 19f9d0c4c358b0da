//! `icslint test`: documents state their own expectations. A trailing
//! `# expect: ID, ID` names the findings whose primary span starts on that
//! line; a comment-only `# expect: ID` names those of the next line; `# ok:
//! ID` says the rule must not fire there. Matching is exact both ways. A
//! finding an explanation covers is named `explained ID`.
//!
//! The runner lives in the library, so the acceptance tests and any other
//! front end use the same code as `icslint test`.

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::engine::{Engine, Options};
use crate::rules::Pack;
use crate::source::FileId;
use crate::workspace::{discover, Workspace};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `icslint test` was asked to select, beside each workspace's configuration.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// The regime of systems that state none, overriding `icslint.yaml`.
    pub regime: Option<i64>,
    /// The day to check as of (`--as-of`); `None` is today.
    pub as_of: Option<crate::syntax::Date>,
}

/// Expectations of one file: line → rule IDs (a multiset), and `ok` marks.
#[derive(Debug, Default)]
pub struct Annotations {
    pub expect: BTreeMap<usize, Vec<String>>,
    pub ok: BTreeMap<usize, Vec<String>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Mismatch {
    Missing {
        line: usize,
        rule: String,
    },
    Unexpected {
        line: usize,
        rule: String,
        message: String,
    },
    NotOk {
        line: usize,
        rule: String,
    },
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Missing { line, rule } => {
                write!(f, "line {line}: expected {rule}, but it was not found")
            }
            Mismatch::Unexpected {
                line,
                rule,
                message,
            } => write!(f, "line {line}: unexpected {rule}: {message}"),
            Mismatch::NotOk { line, rule } => write!(
                f,
                "line {line}: {rule} fired where `# ok: {rule}` says it must not"
            ),
        }
    }
}

/// How an annotation names a finding: its rule ID, or `explained ID` for
/// one an explanation in force covers (`# expect: explained CCN161`). A
/// finding whose explanation has lapsed is a failure again: plain `ID`.
pub fn expectation(f: &Finding) -> String {
    if f.is_explained() {
        format!("explained {}", f.rule)
    } else {
        f.rule.to_string()
    }
}

fn ids(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|x| !x.is_empty())
        .collect()
}

/// The annotations of one parsed file.
pub fn annotations(ws: &Workspace, file: FileId) -> Annotations {
    let mut a = Annotations::default();
    let src = ws.sources.get(file);
    let Some(parsed) = ws.parsed.get(&file) else {
        return a;
    };
    for c in &parsed.comments {
        let body = src.text[c.span.start + 1..c.span.end].trim();
        let line = src.line_of(c.span.start) + usize::from(c.own_line);
        if let Some(rest) = body.strip_prefix("expect:") {
            a.expect.entry(line).or_default().extend(ids(rest));
        } else if let Some(rest) = body.strip_prefix("ok:") {
            a.ok.entry(line).or_default().extend(ids(rest));
        }
    }
    a
}

/// Compares the findings of one file with its annotations.
pub fn compare(ws: &Workspace, file: FileId, findings: &[&Finding]) -> Vec<Mismatch> {
    let src = ws.sources.get(file);
    // A file that is not UTF-8 cannot carry trustworthy marks: it must give
    // exactly one ICG009, and nothing else.
    let unreadable = ws
        .findings
        .iter()
        .any(|f| f.file == file && f.rule == "ICG009");
    let mut expect = if unreadable {
        let mut m = BTreeMap::new();
        let line = findings
            .iter()
            .find(|f| f.rule == "ICG009")
            .map_or(1, |f| src.line_of(f.span.start));
        m.insert(line, vec!["ICG009".to_string()]);
        Annotations {
            expect: m,
            ok: BTreeMap::new(),
        }
    } else {
        annotations(ws, file)
    };
    let mut out = Vec::new();
    for f in findings {
        let line = src.line_of(f.span.start);
        let rule = expectation(f);
        if expect.ok.get(&line).is_some_and(|v| v.contains(&rule)) {
            out.push(Mismatch::NotOk { line, rule });
            continue;
        }
        let slot = expect.expect.entry(line).or_default();
        match slot.iter().position(|r| *r == rule) {
            Some(i) => {
                slot.remove(i);
            }
            None => out.push(Mismatch::Unexpected {
                line,
                rule,
                message: f.message.clone(),
            }),
        }
    }
    for (line, rest) in expect.expect {
        for rule in rest {
            out.push(Mismatch::Missing { line, rule });
        }
    }
    out.sort_by_key(|m| match m {
        Mismatch::Missing { line, .. }
        | Mismatch::Unexpected { line, .. }
        | Mismatch::NotOk { line, .. } => *line,
    });
    out
}

#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub report: String,
}

impl Tally {
    pub fn case(&mut self, name: &str, problems: &[String], verbose: bool) {
        if problems.is_empty() {
            self.passed += 1;
            if verbose {
                self.report.push_str(&format!("ok    {name}\n"));
            }
        } else {
            self.failed += 1;
            self.report.push_str(&format!("FAIL  {name}\n"));
            for p in problems {
                self.report.push_str(&format!("        {p}\n"));
            }
        }
    }
}

/// Directories that directly hold `.icg` files are workspaces; a directory
/// without any is a folder of workspaces, searched one level at a time.
fn workspace_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    if entries
        .iter()
        .any(|p| p.is_file() && crate::workspace::is_icg(p))
    {
        out.push(dir.to_path_buf());
        return;
    }
    for e in entries {
        let hidden = e
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.') || n == "target");
        // A linked folder is not searched: a link to `/` or to `..` would
        // walk the file system, or never end.
        let link = e
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        if e.is_dir() && !hidden && !link {
            workspace_roots(&e, out);
        }
    }
}

/// Runs one workspace's annotations; the local packs its configurations name are tested too.
pub fn test_workspace(root: &Path, sel: &TestOptions, tally: &mut Tally, verbose: bool) {
    let load = crate::workspace::LoadOptions {
        regime: sel.regime,
        as_of: sel.as_of,
        ..Default::default()
    };
    let ws = match Workspace::load_with(&[root.to_path_buf()], &load) {
        Ok(ws) => ws,
        Err(e) => {
            tally.case(&root.display().to_string(), &[e.to_string()], verbose);
            return;
        }
    };
    let engine = Engine::new(
        &ws,
        Options {
            select: sel.select.clone(),
            ignore: sel.ignore.clone(),
            as_of: sel.as_of,
        },
    );
    let findings = engine.run();
    for &f in &ws.files {
        let mine: Vec<&Finding> = findings.iter().filter(|x| x.file == f).collect();
        let problems: Vec<String> = compare(&ws, f, &mine)
            .iter()
            .map(|m| m.to_string())
            .collect();
        tally.case(
            &crate::report::display_path(&ws.sources, f),
            &problems,
            verbose,
        );
    }
    // Findings in configuration or pack files can carry no marks: they fail.
    let stray: Vec<String> = findings
        .iter()
        .filter(|x| !ws.files.contains(&x.file))
        .map(|x| {
            format!(
                "{}:{}: {} {}",
                crate::report::display_path(&ws.sources, x.file),
                ws.sources.get(x.file).line_of(x.span.start),
                x.rule,
                x.message
            )
        })
        .collect();
    if !stray.is_empty() {
        tally.case(
            &format!("{} (configuration and packs)", root.display()),
            &stray,
            verbose,
        );
    }
    for (owner, pack) in &ws.packs {
        if let Some(i) = owner {
            test_pack_examples(pack, Some((&ws, *i)), tally, verbose);
        }
    }
}

/// Runs each rule's `examples`: `fail` must produce exactly its annotated
/// findings (at least one of the rule), `pass` none at all. Each example
/// runs alone, with only its own rule enabled.
pub fn test_pack_examples(
    pack: &Pack,
    origin: Option<(&Workspace, usize)>,
    tally: &mut Tally,
    verbose: bool,
) {
    let pack_text = origin.map(|(ws, _)| ws.sources.get(pack.file).text.clone());
    for rule in &pack.rules {
        for (which, text) in [("fail", &rule.examples.fail), ("pass", &rule.examples.pass)] {
            let name = format!("{} {} example ({})", rule.id, which, pack.name);
            if text.trim().is_empty() {
                tally.case(
                    &name,
                    &[format!("{} has no `{which}` example", rule.id)],
                    verbose,
                );
                continue;
            }
            let config = Config {
                select: Some(vec![rule.id.clone()]),
                packs: Some(if pack.builtin {
                    vec![pack.name.clone()]
                } else {
                    vec![]
                }),
                ..Config::default()
            };
            let path = format!("{}/{}.icg", rule.id, which);
            // A local pack under test runs alone: its IDs may be built-in ones.
            let ws = match &pack_text {
                Some(pt) => Workspace::with_only_pack(
                    &[(&path, text)],
                    config,
                    Path::new(&format!("{}.yaml", pack.name)),
                    pt.as_bytes().to_vec(),
                ),
                None => Workspace::from_texts(&[(&path, text)], config),
            };
            let engine = Engine::new(&ws, Options::default());
            let findings = engine.run();
            let f = ws.files[0];
            let mine: Vec<&Finding> = findings.iter().filter(|x| x.file == f).collect();
            let mut problems: Vec<String> = Vec::new();
            if which == "fail" {
                problems.extend(compare(&ws, f, &mine).iter().map(|m| m.to_string()));
                if !mine.iter().any(|x| x.rule == rule.id) {
                    problems.push(format!("the failing example does not trigger {}", rule.id));
                }
            } else {
                problems.extend(mine.iter().map(|x| {
                    format!(
                        "line {}: {} {}",
                        ws.sources.get(f).line_of(x.span.start),
                        x.rule,
                        x.message
                    )
                }));
            }
            problems.extend(
                findings
                    .iter()
                    .filter(|x| x.file != f)
                    .map(|x| format!("{}: {}", x.rule, x.message)),
            );
            tally.case(&name, &problems, verbose);
        }
    }
}

/// Runs every workspace and rule pack under `paths`. `Err` is a usage
/// problem (a path that does not exist or holds nothing to test).
pub fn run_paths(paths: &[PathBuf], sel: &TestOptions, verbose: bool) -> Result<Tally, String> {
    let mut tally = Tally::default();
    for p in paths {
        if !p.exists() {
            return Err(format!("{}: no such file or directory", p.display()));
        }
        if p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            test_pack_file(p, &mut tally, verbose);
        } else if p.is_file() {
            test_workspace(p, sel, &mut tally, verbose);
        } else {
            let mut roots = Vec::new();
            workspace_roots(p, &mut roots);
            let packs: Vec<PathBuf> = if roots.is_empty() {
                discover_packs(p)
            } else {
                Vec::new()
            };
            if roots.is_empty()
                && packs.is_empty()
                && discover(std::slice::from_ref(p)).map_or(true, |d| d.files.is_empty())
            {
                return Err(format!(
                    "{}: no .icg files or rule packs to test",
                    p.display()
                ));
            }
            for r in roots {
                test_workspace(&r, sel, &mut tally, verbose);
            }
            for pk in packs {
                test_pack_file(&pk, &mut tally, verbose);
            }
        }
    }
    Ok(tally)
}

fn discover_packs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "yaml")
                        && p.file_name().is_some_and(|n| n != "icslint.yaml")
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn test_pack_file(path: &Path, tally: &mut Tally, verbose: bool) {
    // Bytes, not text: a pack that is not UTF-8 is an ICG012 at the bad byte.
    // A pack of the folder: a link out of it is not followed.
    let dir = path.parent().map(|d| {
        if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        }
    });
    let name = Path::new(path.file_name().unwrap_or_default());
    let read = match dir.and_then(|d| std::fs::canonicalize(d).ok()) {
        Some(dir) => {
            crate::files::read_inside(&dir, name, crate::files::MAX_PACK).map_err(|e| e.to_string())
        }
        None => Err("its folder cannot be read".to_string()),
    };
    let bytes = match read {
        Ok(t) => t,
        Err(e) => {
            tally.case(
                &path.display().to_string(),
                &[format!("not read: {e}")],
                verbose,
            );
            return;
        }
    };
    // Loaded as the only pack, so its IDs may be those of a built-in pack.
    let ws = Workspace::with_only_pack(
        &[],
        Config {
            packs: Some(vec![]),
            ..Config::default()
        },
        path,
        bytes,
    );
    let load: Vec<String> = ws
        .findings
        .iter()
        .map(|f| {
            format!(
                "line {}: {} {}",
                ws.sources.get(f.file).line_of(f.span.start),
                f.rule,
                f.message
            )
        })
        .collect();
    tally.case(&format!("{} (loads)", path.display()), &load, verbose);
    if let Some((_, pack)) = ws.packs.first() {
        test_pack_examples(pack, Some((&ws, 0)), tally, verbose);
    }
}
