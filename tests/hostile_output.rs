//! No output can be steered by the input (issue 19). A workspace written
//! by an attacker, whose names, reasons, titles, URLs, pack messages and
//! file and folder names hold GitHub workflow commands, terminal escape
//! sequences and Markdown and XML syntax, is run through every command
//! whose output a CI log or a terminal shows; nothing it holds may act.

mod common;
use common::{icslint, scratch, stderr, stdout, write};
use std::path::{Path, PathBuf};

/// Workflow commands and escape sequences an attacker writes into a
/// string of a document (ICG strings hold no raw line end).
const EVIL: &str = "::add-mask::secret ##[error]legacy ##VSO[task.setvariable variable=x]y \u{1b}[2J\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{1b}]52;c;SGVsbG8=\u{7} \u{9b}31m \u{202e}gnp.exe";

/// A long name, so that miette's wrapping puts a `::` at the start of a
/// line of its own.
fn wrapped() -> String {
    format!("{} ::error::wrapped", "Wessex ".repeat(20))
}

/// A file name with a line end and a workflow command after it, and
/// escape sequences.
fn evil_file_name() -> &'static str {
    "x\n::error::file-name\r::warning::cr,%0A \u{1b}]52;c;SGVsbG8=\u{7}\u{9b}2J.icg"
}

/// The hostile workspace: a folder whose name starts a command, a file
/// whose name does, a local pack whose message and provenance do.
fn hostile(test: &str) -> PathBuf {
    let dir = scratch(&format!("hostile-output-{test}"));
    let inner = dir.join("::error::folder\n::warning::second");
    std::fs::create_dir_all(&inner).unwrap();
    // A hidden folder is not entered; `--verbose` names it.
    std::fs::create_dir_all(dir.join(".hidden\n::error::verbose \u{1b}[2J")).unwrap();
    write(&dir, "icslint.yaml", "rules: [hostile.yaml]\n");
    write(
        &dir,
        "hostile.yaml",
        "pack: hostile\ntitle: \"::error::pack title\"\nsource: hostile-handbook\nrules:\n  - id: LOC001\n    name: icb-named\n    provenance:\n      source: hostile-handbook\n      ref: \"::error::ref\"\n      summary: \"line\\n::error::provenance \\e[2J ##[warning]x\"\n    severity: error\n    scope: icb\n    assert: exists(membership_review)\n    at: header\n    message: \"{self.name} is named\\n::error::pack-message \\e]52;c;SGVsbG8=\\a\"\n    help: \"\\r::error::help\"\n    description: d\n    why: w\n    examples:\n      fail: |\n        icb i \"I\" { system @s }    # expect: LOC001\n      pass: |\n        system s \"S\" { regime 2022 }\n",
    );
    let doc = format!(
        "document \"{EVIL}\" {{ version \"1\"; url \"javascript:alert(1)\" }}\n\
         system wv \"{EVIL}\" {{ regime 2022 }}\n\
         icb wv_icb \"{}\" {{\n    system @wv\n    agenda {{ strategic_share 40% }}\n    \
         explain CCN161 \"{EVIL}\" {{ approved_by @wv_icb; agreed 2023-06-01 }}\n}}\n\
         authority la \"::error::authority {EVIL}\" {{ tier upper; population 1000; share @wv 100% }}\n",
        wrapped()
    );
    std::fs::write(inner.join(evil_file_name()), &doc).unwrap();
    std::fs::write(dir.join(evil_file_name()), doc.replace("wv", "xv")).unwrap();
    dir
}

/// Where the runner would read a line's text: after white space (and the
/// colour codes of a coloured report).
fn command_start(line: &str) -> &str {
    let mut rest = line;
    loop {
        let t = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '\u{FEFF}'));
        if let Some(after) = t.strip_prefix("\u{1b}[") {
            let end = after
                .find(|c: char| !(c.is_ascii_digit() || c == ';'))
                .unwrap_or(after.len());
            if after[end..].starts_with('m') {
                rest = &after[end + 1..];
                continue;
            }
        }
        return t;
    }
}

/// No line starts a workflow command, none holds a legacy one; nothing
/// a terminal acts on is raw. `own_commands`: the `github` format, whose
/// every line is one of our own `::error`/`::warning`/`::notice`.
fn assert_inert(what: &str, text: &str, own_commands: bool) {
    for line in text.split('\n') {
        let start = command_start(line);
        if own_commands {
            let ours = ["::error file=", "::warning file=", "::notice file="];
            assert!(
                line.is_empty() || ours.iter().any(|o| line.starts_with(o)),
                "{what}: a line that is not our annotation: {line:?}"
            );
            // Properties and message are one line each, percent-escaped.
            assert!(
                line.matches("::").count() <= 2 || !line.contains('\r'),
                "{what}: {line:?}"
            );
        } else {
            assert!(
                !start.starts_with("::"),
                "{what}: a workflow command: {line:?}\n{text}"
            );
        }
        assert!(!line.contains("##["), "{what}: a legacy command: {line:?}");
        assert!(
            !line.to_ascii_lowercase().contains("##vso["),
            "{what}: an Azure Pipelines command: {line:?}"
        );
    }
    let b = text.as_bytes();
    for (i, c) in text.char_indices() {
        let lone_cr = c == '\r' && b.get(i + 1) != Some(&b'\n');
        let control = c.is_control() && !matches!(c, '\n' | '\t' | '\r');
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(
            !(lone_cr || control || bidi),
            "{what}: raw {c:?} at {i}: {:?}",
            &text[i.saturating_sub(40)..(i + 40).min(text.len())]
        );
    }
}

fn run(dir: &Path, args: &[&str]) -> (String, String) {
    let out = icslint(args, dir);
    (stdout(&out), stderr(&out))
}

#[test]
fn check_reports_are_inert_in_a_ci_log_and_a_terminal() {
    let dir = hostile("check");
    for format in ["human", "plain"] {
        let (out, err) = run(
            &dir,
            &[
                "check",
                ".",
                "--format",
                format,
                "--verbose",
                "--as-of",
                "2024-01-01",
            ],
        );
        assert!(out.contains("pack-message"), "{format}: {out}{err}");
        assert!(
            out.contains("file-name"),
            "{format}: the file is reported: {out}"
        );
        assert!(
            err.contains("verbose"),
            "{format}: --verbose names the folder: {err}"
        );
        assert_inert(&format!("check --format {format}"), &out, false);
        assert_inert(&format!("check --format {format} (stderr)"), &err, false);
    }
}

#[test]
fn a_coloured_report_keeps_its_colours_and_nothing_else() {
    let dir = hostile("colour");
    let (out, _) = run(
        &dir,
        &["check", ".", "--color", "always", "--as-of", "2024-01-01"],
    );
    assert!(out.contains("\u{1b}["), "colour is on: {out}");
    let no_colour = strip_sgr(&out);
    assert_inert("check --color always", &no_colour, false);
}

fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[end..].starts_with('m') {
            rest = &after[end + 1..];
        } else {
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn github_annotations_are_ours_alone() {
    let dir = hostile("github");
    let (out, err) = run(
        &dir,
        &["check", ".", "--format", "github", "--as-of", "2024-01-01"],
    );
    assert!(out.contains("file-name"), "{out}{err}");
    assert_inert("check --format github", &out, true);
    // The file's name is a property, every special character escaped.
    assert!(
        out.contains("x%0A%3A%3Aerror%3A%3Afile-name%0D%3A%3Awarning%3A%3Acr%2C%250A"),
        "{out}"
    );
    assert_inert("check --format github (stderr)", &err, false);
}

#[test]
fn other_commands_are_inert_too() {
    let dir = hostile("others");
    let runs: &[&[&str]] = &[
        &["test", "."],
        &["test", ".", "--verbose"],
        &["test", "hostile.yaml"],
        &["typology", "."],
        &["report", ".", "--format", "md"],
        &["transition", ".", "--to", "2025"],
        &["transition", ".", "--to", "2026", "--format", "markdown"],
        &["transition", ".", "--to", "2026", "--format", "html"],
        &[
            "check",
            "::error::missing\n::error::x",
            "--as-of",
            "2024-01-01",
        ],
        &["check", ".", "--statistics"],
    ];
    for args in runs {
        let (out, err) = run(&dir, args);
        assert!(
            !(out.is_empty() && err.is_empty()),
            "{args:?} printed nothing"
        );
        assert_inert(&format!("{args:?}"), &out, false);
        assert_inert(&format!("{args:?} (stderr)"), &err, false);
    }
    // A file given by name, its name printed in errors and the syntax tree.
    let file = dir.join(evil_file_name());
    let (out, err) = run(&dir, &["parse", "--ast", file.to_str().unwrap()]);
    assert!(out.contains("system"), "{out}{err}");
    assert_inert("parse", &out, false);
    assert_inert("parse (stderr)", &err, false);
}

/// JSON keeps its meaning, and still carries nothing a terminal acts on
/// when it is printed to one.
#[test]
fn json_reports_escape_what_a_terminal_acts_on_and_stay_json() {
    let dir = hostile("json");
    for format in ["json", "sarif", "gitlab"] {
        let (out, _) = run(
            &dir,
            &["check", ".", "--format", format, "--as-of", "2024-01-01"],
        );
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{format}: {e}\n{out}"));
        // SARIF percent-encodes the path as a URI; the others keep it.
        let name = if format == "sarif" {
            "%C2%9B2J"
        } else {
            "\u{9b}2J"
        };
        assert!(
            v.to_string().contains(name),
            "{format}: the value is unchanged"
        );
        assert_inert(format, &out, false);
    }
    let (out, _) = run(&dir, &["report", ".", "--format", "json"]);
    let _: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_inert("report --format json", &out, false);
}
