//! `icslint fmt`: every example formats, a second pass changes nothing, the
//! formatted files mean the same (same model, same findings, every comment),
//! no mutation of the corpus loses a byte, and the CLI writes safely.

mod common;
use common::*;
use icslint::config::Config;
use icslint::engine::{Engine, Options};
use icslint::fmt::{format, Error};
use icslint::workspace::Workspace;
use std::path::PathBuf;

/// Every workspace we have: ours and ../shared/examples.
fn workspaces() -> Vec<PathBuf> {
    let mut dirs = vec![
        root().join("examples/riverbend"),
        root().join("examples/merged-icb"),
        root().join("tests/fixtures/dated-shares/periods"),
        root().join("tests/fixtures/dated-shares/merger"),
    ];
    for base in [root().join("tests/fixtures"), shared_examples()] {
        let mut more: Vec<PathBuf> = std::fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        more.sort();
        dirs.extend(more);
    }
    dirs
}

fn icg_files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "icg"))
        .collect();
    paths.sort();
    for p in paths {
        // latin1.icg is not UTF-8 on purpose: fmt leaves it alone (a CLI test).
        if let Ok(text) = String::from_utf8(std::fs::read(&p).unwrap()) {
            out.push((p.file_name().unwrap().to_string_lossy().into_owned(), text));
        }
    }
    out
}

fn findings(files: &[(String, String)]) -> Vec<String> {
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let ws = Workspace::from_texts(&texts, Config::default());
    let engine = Engine::new(&ws, Options::default());
    let mut out: Vec<String> = engine
        .run()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                ws.sources.path(f.file).display(),
                f.rule,
                f.severity.as_str(),
                f.message
            )
        })
        .collect();
    out.sort();
    out
}

/// The model without positions: every block with its attributes' values.
fn model(files: &[(String, String)]) -> Vec<String> {
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let ws = Workspace::from_texts(&texts, Config::default());
    ws.model
        .blocks
        .iter()
        .map(|b| {
            let attrs: Vec<String> = b
                .attrs
                .iter()
                .map(|a| format!("{}={:?}", a.key, a.value))
                .collect();
            format!(
                "{} {:?} {:?} children={} parent={:?} [{}]",
                b.kind,
                b.id,
                b.name,
                b.children.len(),
                b.parent,
                attrs.join("; ")
            )
        })
        .collect()
}

fn comments(text: &str) -> Vec<String> {
    let mut c: Vec<String> = icslint::syntax::parse(text)
        .comments
        .iter()
        .map(|c| text[c.span.start..c.span.end].trim_end().to_string())
        .collect();
    c.sort();
    c
}

#[test]
fn every_example_formats_once_and_for_all_and_means_the_same() {
    let mut formatted_files = 0;
    for dir in workspaces() {
        let files = icg_files(&dir);
        let mut after = Vec::new();
        for (name, text) in &files {
            let out = match format(text) {
                Ok(out) => out,
                Err(Error::Syntax(_)) => {
                    // Only the deliberately broken example does not parse.
                    assert!(
                        dir.ends_with("broken"),
                        "{}/{name} does not parse",
                        dir.display()
                    );
                    after.push((name.clone(), text.clone()));
                    continue;
                }
                Err(e) => panic!("{}/{name}: {e:?}", dir.display()),
            };
            assert_eq!(
                format(&out).unwrap(),
                out,
                "{}/{name}: a second pass changed something",
                dir.display()
            );
            assert_eq!(
                comments(text),
                comments(&out),
                "{}/{name}: comments",
                dir.display()
            );
            formatted_files += 1;
            after.push((name.clone(), out));
        }
        assert_eq!(model(&files), model(&after), "{}: model", dir.display());
        assert_eq!(
            findings(&files),
            findings(&after),
            "{}: findings",
            dir.display()
        );
    }
    assert!(formatted_files >= 20, "{formatted_files} files formatted");
}

/// Same generator as tests/robustness.rs (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "@",
    "£",
    "%",
    ";",
    "\n",
    "#",
    "# note\n",
    "every",
    "12 months",
    "to",
    "member",
    "@nowhere",
    ",",
    "\t",
    "  ",
    "-",
    "_",
    "\u{FEFF}",
    "é",
    "\r\n",
    "x { a 1 }",
    "[a,\n b]",
    " from 2026-04-01",
    " until 2026-03-31",
    "until",
];

/// The non-white-space characters of a text, less the separators the
/// formatter may add or drop, as a sorted multiset.
fn content_chars(s: &str) -> Vec<char> {
    let mut v: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ';' && *c != ',' && *c != '\u{FEFF}')
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn no_accepted_mutation_loses_a_non_whitespace_byte() {
    let mut corpus = Vec::new();
    for dir in [
        root().join("examples/riverbend"),
        shared_examples().join("northmoor"),
        shared_examples().join("wessex-vale"),
        root().join("tests/fixtures/hwb-icp"),
        root().join("examples/merged-icb"),
        root().join("tests/fixtures/dated-shares/periods"),
    ] {
        corpus.extend(icg_files(&dir).into_iter().map(|(_, t)| t));
    }
    let mut rng = Rng(0x00f0_4a77);
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..3000 {
        let text = &corpus[rng.below(corpus.len())];
        let mut bytes = text.as_bytes().to_vec();
        let pos = rng.below(bytes.len());
        match case % 4 {
            0 => {
                let n = 1 + rng.below(40);
                bytes.drain(pos..(pos + n).min(bytes.len()));
            }
            1 | 2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(pos..pos, t.bytes());
            }
            _ => bytes[pos] ^= 1 << rng.below(7),
        }
        let Ok(mutated) = String::from_utf8(bytes) else {
            continue;
        };
        match format(&mutated) {
            Ok(out) => {
                accepted += 1;
                assert_eq!(
                    content_chars(&mutated),
                    content_chars(&out),
                    "case {case}: a byte was lost or added\n--- input\n{mutated}\n--- output\n{out}"
                );
                assert_eq!(
                    format(&out).unwrap(),
                    out,
                    "case {case}: not idempotent\n{mutated}"
                );
            }
            Err(Error::Syntax(_)) => refused += 1,
            Err(Error::Unsafe(why)) => panic!("case {case}: {why}\n{mutated}"),
        }
    }
    eprintln!("accepted {accepted}, refused {refused}");
    assert!(
        accepted > 500 && refused > 500,
        "accepted {accepted}, refused {refused}"
    );
}

fn copy_of(name: &str, example: &str) -> PathBuf {
    let dir = scratch(name);
    for e in std::fs::read_dir(shared_examples().join(example)).unwrap() {
        let p = e.unwrap().path();
        // A copy we may write (the shared examples can be read-only).
        std::fs::write(dir.join(p.file_name().unwrap()), std::fs::read(&p).unwrap()).unwrap();
    }
    dir
}

#[test]
fn check_and_diff_print_diffs_and_write_nothing() {
    let dir = copy_of("fmt-check", "northmoor");
    let before = snapshot(&dir);
    let check = icslint(&["fmt", "--check", "."], &dir);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let out = stdout(&check);
    assert!(
        out.contains("--- ./icb-constitution.icg\n+++ ./icb-constitution.icg\n@@ "),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour through a pipe");
    assert!(stderr(&check).contains("would be reformatted"));
    let diff = icslint(&["fmt", "--diff", "."], &dir);
    assert_eq!(diff.status.code(), Some(0));
    assert_eq!(stdout(&diff), out);
    assert_eq!(snapshot(&dir), before, "--check and --diff wrote nothing");
    let coloured = icslint(&["fmt", "--diff", "--color", "always", "."], &dir);
    assert!(stdout(&coloured).contains("\u{1b}[31m-"));

    let write = icslint(&["fmt", "."], &dir);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    assert_ne!(snapshot(&dir), before);
    let again = icslint(&["fmt", "--check", "."], &dir);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(stdout(&again), "");
    // No temporary file left behind.
    assert_eq!(snapshot(&dir).len(), before.len());
}

#[test]
fn writes_keep_permissions_and_line_endings() {
    let dir = scratch("fmt-write");
    let crlf = write(
        &dir,
        "crlf.icg",
        "system s \"S\" {\r\n  regime   2022\r\n}\r\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&crlf, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let out = icslint(&["fmt", "crlf.icg"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&crlf).unwrap(),
        "system s \"S\" {\r\n    regime 2022\r\n}\r\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&crlf).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let dir = scratch("fmt-broken");
    let text = "system s \"S\" {\n  regime 2022\n";
    let broken = write(&dir, "broken.icg", text);
    let fine = write(&dir, "fine.icg", "system t \"T\" {regime 2022}\n");
    let latin1 = dir.join("latin1.icg");
    std::fs::write(&latin1, b"system l \"Caf\xe9\" {  regime 2022 }\n").unwrap();
    let out = icslint(&["fmt", "."], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("ICG001(syntax-error)"), "{err}");
    assert!(err.contains("this block is never closed"), "{err}");
    assert!(err.contains("latin1.icg is not UTF-8"), "{err}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), text);
    assert_eq!(
        std::fs::read(&latin1).unwrap(),
        b"system l \"Caf\xe9\" {  regime 2022 }\n"
    );
    // The other files are still formatted.
    assert_eq!(
        std::fs::read_to_string(&fine).unwrap(),
        "system t \"T\" { regime 2022 }\n"
    );
}

#[test]
fn fmt_dash_formats_standard_input() {
    let run = |input: &str| icslint_with_input(&["fmt", "-"], input.as_bytes());
    let out = run("system s \"S\" {regime 2022;population 1_503_000}\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "system s \"S\" { regime 2022; population 1_503_000 }\n"
    );
    // On a syntax error the input comes back unchanged, the error on stderr.
    let out = run("system s \"S\" {\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "system s \"S\" {\n");
    assert!(stderr(&out).contains("ICG001"));
}

/// A share's days are kept to the byte and written in one order: `from`
/// before `until`, one space between words; a second pass changes nothing,
/// and the model is the same (the same days).
#[test]
fn a_share_period_is_kept_and_written_from_before_until() {
    let text = "authority a \"A\" {\n    share @old   56%  until\t2026-03-31   from 2025-04-01   # both\n    share @new 100% from 2026-04-01\n    share @x 5% until\n}\n";
    let out = format(text).unwrap();
    assert_eq!(
        out,
        "authority a \"A\" {\n    share @old 56% from 2025-04-01 until 2026-03-31  # both\n    share @new 100% from 2026-04-01\n    share @x 5% until\n}\n"
    );
    assert_eq!(format(&out).unwrap(), out);
    let files = |t: &str| vec![("a.icg".to_string(), t.to_string())];
    assert_eq!(model(&files(text)), model(&files(&out)));
    assert_eq!(findings(&files(text)), findings(&files(&out)));
    // One line: the same order.
    let one = "authority a \"A\" { share @old 56% until 2026-03-31 from 2025-04-01 }\n";
    assert_eq!(
        format(one).unwrap(),
        "authority a \"A\" { share @old 56% from 2025-04-01 until 2026-03-31 }\n"
    );
}
