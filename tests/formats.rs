//! Output formats for CI systems, dashboards and screen readers: SARIF
//! against the 2.1.0 schema, JUnit, GitLab Code Quality, plain text, and
//! the options every format shares (`--color`, `--output`, `--statistics`,
//! `--quiet`).

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// The shared northmoor, relative to the repository (runs in [`root`]).
fn northmoor() -> String {
    format!("{}/northmoor", shared_examples_rel())
}

/// A copy of northmoor in a folder whose name has a space, for URIs.
fn spaced_northmoor(name: &str) -> PathBuf {
    let dir = scratch(name).join("governance docs").join("northmoor");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(shared_examples().join("northmoor")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn sarif(args: &[&str], cwd: &Path) -> serde_json::Value {
    let out = icslint(args, cwd);
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

fn schema_errors(doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the vendored schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

fn uris(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in doc["runs"][0]["results"].as_array().unwrap() {
        for l in r["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(r["relatedLocations"].as_array().into_iter().flatten())
        {
            let a = &l["physicalLocation"]["artifactLocation"];
            out.push((
                a["uri"].as_str().unwrap().to_string(),
                a["uriBaseId"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

#[test]
fn sarif_of_a_relative_run_is_valid_and_relative_to_srcroot() {
    // Run from src/, so that the examples (../shared or the copy in
    // tests/shared) are outside the working directory.
    let outside = format!("../{}/northmoor", shared_examples_rel());
    let doc = sarif(
        &["check", &outside, "--format", "sarif"],
        &root().join("src"),
    );
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    let run = &doc["runs"][0];
    assert!(run["tool"]["driver"]["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    // Outside the working directory: relative to ROOT.
    for (uri, base) in uris(&doc) {
        assert!(!uri.starts_with('/'), "{uri}");
        assert!(uri.ends_with(".icg"), "{uri}");
        assert!(!uri.contains(".."), "{uri}");
        assert_eq!(base, "ROOT");
    }
    let doc = sarif(
        &["check", "northmoor", "--format", "sarif"],
        &shared_examples(),
    );
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    for (uri, base) in uris(&doc) {
        assert!(uri.starts_with("northmoor/"), "{uri}");
        assert_eq!(base, "SRCROOT");
    }
}

#[test]
fn sarif_of_an_absolute_run_with_a_space_is_valid_and_percent_encoded() {
    let dir = spaced_northmoor("sarif-absolute");
    let abs = dir.canonicalize().unwrap();
    let doc = sarif(
        &["check", abs.to_str().unwrap(), "--format", "sarif"],
        &root(),
    );
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    let all = uris(&doc);
    assert!(!all.is_empty());
    for (uri, base) in &all {
        assert!(!uri.starts_with('/'), "SARIF1004: {uri}");
        assert!(!uri.contains(' '), "{uri}");
        assert!(uri.contains("governance%20docs/northmoor/"), "{uri}");
        // Inside the repository's target directory: relative to SRCROOT.
        assert_eq!(base, "SRCROOT");
    }
}

#[test]
fn sarif_rules_have_help_uris_provenance_and_results_have_fingerprints() {
    let doc = sarif(&["check", &northmoor(), "--format", "sarif"], &root());
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let docs = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let uri = r["helpUri"].as_str().unwrap();
        let anchor = uri.split_once("docs/rules.md#").unwrap().1;
        if !id.starts_with("ICG") {
            let heading = format!("### {} {}", id, r["name"].as_str().unwrap());
            assert!(docs.contains(&heading), "{heading}");
            assert_eq!(anchor, heading[4..].to_lowercase().replace(' ', "-"));
            assert!(r["properties"]["provenance"]["source"].is_string(), "{r}");
        }
    }
    let results = run["results"].as_array().unwrap();
    let mut prints: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["icslint/v1"].as_str().unwrap())
        .collect();
    let n = prints.len();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), n, "fingerprints are unique");
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()));
}

/// Microsoft's validator, when it is installed (`npm install -g
/// @microsoft/sarif-multitool`, or `SARIF_MULTITOOL=/path/to/Sarif.Multitool`).
fn multitool() -> Option<Vec<String>> {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(vec![p.to_string_lossy().into_owned()]);
    }
    let ok = |cmd: &[&str]| {
        std::process::Command::new(cmd[0])
            .args(&cmd[1..])
            .stdin(std::process::Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success())
    };
    for cmd in [
        &["sarif-multitool", "--version"][..],
        &[
            "npx",
            "--no-install",
            "@microsoft/sarif-multitool",
            "--version",
        ][..],
    ] {
        if ok(cmd) {
            return Some(cmd[..cmd.len() - 1].iter().map(|s| s.to_string()).collect());
        }
    }
    None
}

#[test]
fn microsofts_sarif_validator_finds_nothing_when_it_is_installed() {
    let Some(tool) = multitool() else {
        eprintln!("skipped: @microsoft/sarif-multitool is not installed (npm install -g @microsoft/sarif-multitool, or set SARIF_MULTITOOL)");
        return;
    };
    let dir = spaced_northmoor("sarif-multitool");
    let abs = dir.canonicalize().unwrap();
    for (name, target) in [
        ("relative.sarif", northmoor()),
        ("absolute.sarif", abs.to_string_lossy().into_owned()),
    ] {
        let out = icslint(&["check", &target, "--format", "sarif"], &root());
        let file = dir.parent().unwrap().join(name);
        std::fs::write(&file, &out.stdout).unwrap();
        let log = dir.parent().unwrap().join(format!("{name}.log"));
        let status = std::process::Command::new(&tool[0])
            .args(&tool[1..])
            .args([
                "validate",
                file.to_str().unwrap(),
                "-o",
                log.to_str().unwrap(),
                "--log",
                "ForceOverwrite",
            ])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("the multitool runs");
        assert!(status.status.success(), "{}", stderr(&status));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&log).unwrap()).unwrap();
        let results = v["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(results.is_empty(), "{name}: {results:#?}");
    }
}

#[test]
fn junit_has_one_testcase_per_rule_and_file() {
    let out = icslint(&["check", &northmoor(), "--format", "junit"], &root());
    let xml = stdout(&out);
    let json = icslint(&["check", &northmoor(), "--format", "json"], &root());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let mut pairs: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    // Parse it as XML: well-formed, and one failing case per (file, rule).
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut failing = Vec::new();
    let mut suite = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attr = |k: &str| {
                    e.try_get_attribute(k).unwrap().map(|a| {
                        a.decoded_and_normalized_value(
                            quick_xml::XmlVersion::Implicit1_0,
                            reader.decoder(),
                        )
                        .unwrap()
                        .into_owned()
                    })
                };
                match e.name().as_ref() {
                    b"testsuite" => suite = attr("name").unwrap(),
                    b"testcase" if attr("name").unwrap() != "no findings" => {
                        let name = attr("name").unwrap();
                        failing.push((suite.clone(), name.split(' ').next().unwrap().to_string()));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    failing.sort();
    assert_eq!(failing, pairs);
}

#[test]
fn gitlab_fingerprints_survive_an_edit_elsewhere_in_the_file() {
    let dir = spaced_northmoor("gitlab");
    let run = || {
        let out = icslint(&["check", ".", "--format", "gitlab"], &dir);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
                assert!(["info", "minor", "major", "critical", "blocker"]
                    .contains(&i["severity"].as_str().unwrap()));
                (
                    i["fingerprint"].as_str().unwrap().to_string(),
                    i["location"]["lines"]["begin"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = run();
    let file = dir.join("icb-constitution.icg");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# A comment added at the top\n\n{text}")).unwrap();
    let after = run();
    assert_eq!(before.len(), after.len());
    let mut unique: Vec<_> = before.iter().map(|(f, _)| f.clone()).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), before.len(), "fingerprints are unique");
    let mut b: Vec<_> = before.iter().map(|(f, _)| f.clone()).collect();
    let mut a: Vec<_> = after.iter().map(|(f, _)| f.clone()).collect();
    b.sort();
    a.sort();
    assert_eq!(a, b, "the same fingerprints after the edit");
    assert_ne!(before, after, "while some line numbers moved");
}

#[test]
fn plain_output_is_one_paragraph_per_finding_in_words() {
    let out = icslint(
        &[
            "check",
            &format!("{}/broken/typos.icg", shared_examples_rel()),
            "--format",
            "plain",
        ],
        &root(),
    );
    let text = stdout(&out);
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .collect();
    let json = icslint(
        &[
            "check",
            &format!("{}/broken/typos.icg", shared_examples_rel()),
            "--format",
            "json",
        ],
        &root(),
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let n = v["findings"].as_array().unwrap().len();
    // One paragraph per finding, and the summary.
    assert_eq!(paragraphs.len(), n + 1, "{text}");
    for p in &paragraphs[..n] {
        assert!(
            p.starts_with("Error ICG") || p.starts_with("Warning ") || p.starts_with("Advice "),
            "{p}"
        );
        assert!(p.contains(" at line "), "{p}");
    }
    // Nothing a screen reader would read out as symbols.
    for c in ['│', '╭', '─', '×', '⚠', '\u{1b}'] {
        assert!(!text.contains(c), "{c:?} in {text}");
    }
    assert!(text.contains("did you mean `membership_review`?"));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let dir = &northmoor();
    let with_env = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_icslint"));
        c.args(args).current_dir(root());
        for k in [
            "NO_COLOR",
            "FORCE_COLOR",
            "CLICOLOR_FORCE",
            "CLICOLOR",
            "TERM",
        ] {
            c.env_remove(k);
        }
        c.envs(env.iter().copied());
        stdout(&c.output().unwrap())
    };
    let with = |args: &[&str], no_color: Option<&str>| match no_color {
        Some(v) => with_env(args, &[("NO_COLOR", v)]),
        None => with_env(args, &[]),
    };
    // CI logs that show colour ask for it into a pipe; NO_COLOR still wins,
    // and `0` is "not forced" (anstream's order, as ruff and cargo).
    for force in ["FORCE_COLOR", "CLICOLOR_FORCE"] {
        assert!(
            with_env(&["check", dir], &[(force, "1")]).contains('\u{1b}'),
            "{force}"
        );
        assert!(
            !with_env(&["check", dir], &[(force, "0")]).contains('\u{1b}'),
            "{force}=0"
        );
        assert!(
            !with_env(&["check", dir], &[(force, "1"), ("NO_COLOR", "1")]).contains('\u{1b}'),
            "{force} with NO_COLOR"
        );
        assert!(
            !with_env(&["check", dir, "--color", "never"], &[(force, "1")]).contains('\u{1b}'),
            "{force} with --color never"
        );
    }
    assert!(with(&["check", dir, "--color", "always"], None).contains('\u{1b}'));
    assert!(with(&["check", dir, "--color", "always"], Some("1")).contains('\u{1b}'));
    // Not a terminal: auto means no colour.
    assert!(!with(&["check", dir], None).contains('\u{1b}'));
    assert!(!with(&["check", dir, "--color", "never"], None).contains('\u{1b}'));
    assert!(!with(&["check", dir, "--no-color"], None).contains('\u{1b}'));
}

#[test]
fn output_statistics_and_quiet() {
    let dir = scratch("output-flag");
    let report = dir.join("report.json");
    let out = icslint(
        &[
            "check",
            &northmoor(),
            "--format",
            "json",
            "--output",
            report.to_str().unwrap(),
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let findings = v["findings"].as_array().unwrap();

    let stats = stdout(&icslint(&["check", &northmoor(), "--statistics"], &root()));
    let mut total = 0;
    let mut last = usize::MAX;
    for line in stats.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let n: usize = cols[0].trim().parse().unwrap();
        assert!(n <= last, "most first: {stats}");
        last = n;
        let id = cols[1].trim();
        assert_eq!(
            findings.iter().filter(|f| f["rule"] == id).count(),
            n,
            "{id}"
        );
        total += n;
    }
    assert_eq!(total, findings.len());

    // `--statistics --format json`: the same rows, in the same order.
    let out = icslint(
        &["check", &northmoor(), "--statistics", "--format", "json"],
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    assert_eq!(v["version"], 1);
    let rows = v["statistics"].as_array().unwrap();
    assert_eq!(rows.len(), stats.lines().count());
    for (row, line) in rows.iter().zip(stats.lines()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(row["count"].as_u64().unwrap().to_string(), cols[0].trim());
        assert_eq!(row["rule"], cols[1].trim());
        assert!(cols[2].starts_with(row["name"].as_str().unwrap()), "{line}");
        assert!(row["fixable"].as_u64().unwrap() <= row["count"].as_u64().unwrap());
    }
    // A format that cannot hold the table is refused, not ignored.
    let sarif = icslint(
        &["check", &northmoor(), "--statistics", "--format", "sarif"],
        &root(),
    );
    assert_eq!(sarif.status.code(), Some(2));
    assert!(
        stderr(&sarif).contains("--statistics prints a table"),
        "{}",
        stderr(&sarif)
    );

    let quiet = stdout(&icslint(
        &["check", &northmoor(), "--quiet", "--no-color"],
        &root(),
    ));
    assert!(!quiet.contains("Found "), "{quiet}");
    let loud = stdout(&icslint(&["check", &northmoor(), "--no-color"], &root()));
    assert!(loud.contains("Found "));
    assert!(loud.starts_with(&quiet));
}

#[test]
fn plain_reads_a_classic_mac_file_line_by_line() {
    // The plain format shares the human format's indexed source (miette's
    // own scanned the whole file for every finding: quadratic), which also
    // reads a lone `\r` as a line end, so the snippet is the lines around
    // the finding and not the whole file as one line.
    let dir = scratch("plain-cr");
    write(
        &dir,
        "cr.icg",
        "system s \"S\" { regime 2022 }\ricb a \"A\" {\r    system @s\r    agenda { strategic_share 40% }\r}\r",
    );
    let out = icslint(&["check", "cr.icg", "--format", "plain"], &dir);
    let text = stdout(&out);
    assert!(
        text.contains("snippet line 4:     agenda { strategic_share 40% }\n"),
        "{text}"
    );
}

/// A line of a megabyte with a thousand findings on it: each snippet
/// shows a stretch of the line around its finding, with `...` for the
/// rest (as rustc does), so the report grows with the findings, not with
/// findings times the line (94 MB, and then a panic in miette, whose
/// columns are `u16`, before the cap).
#[test]
fn a_long_line_is_shown_in_part_in_every_snippet() {
    let dir = scratch("long-line");
    let pad = "x".repeat(1000);
    let body: Vec<String> = (0..1000).map(|i| format!("zzz{i} \"{pad}\"")).collect();
    let text = format!(
        "system s \"S\" {{ regime 2022 }}\nicb i \"I\" {{ system @s; {} }}\n",
        body.join("; ")
    );
    assert!(text.len() > 1_000_000);
    write(&dir, "long.icg", &text);
    for format in ["human", "plain"] {
        let out = icslint(&["check", "long.icg", "--format", format], &dir);
        let report = stdout(&out);
        assert!(stderr(&out).is_empty(), "{format}: {}", stderr(&out));
        let found = report.matches("nknown key `zzz").count();
        assert_eq!(found, 1000, "{format}: every finding is reported");
        assert!(
            report.len() < 800_000,
            "{format}: {} bytes for 1,000 findings on one line",
            report.len()
        );
        let widest = report
            .lines()
            .filter(|l| l.contains("xxxxxxxxxx"))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        assert!(
            widest < 200,
            "{format}: a snippet line of {widest} characters"
        );
        // The finding in the middle is shown, with the line elided both sides.
        let middle = report
            .lines()
            .find(|l| l.contains("zzz500 \"") && l.contains("..."))
            .unwrap_or_else(|| panic!("{format}: no snippet of zzz500"));
        assert!(middle.matches("...").count() == 2, "{format}: {middle}");
    }
    // The heading names the finding's real column, not the excerpt's.
    let human = stdout(&icslint(&["check", "long.icg"], &dir));
    let col = text.find("zzz500 ").unwrap() - text.find("icb").unwrap() + 1;
    assert!(
        human.contains(&format!("long.icg:2:{col}]")),
        "column {col}"
    );
}

/// What the strict Jenkins schema allows of each element: its attributes
/// (the required ones marked `!`) and its children, in the order the
/// schema's `xs:sequence` puts them, each with the most times it may
/// occur (`usize::MAX`: unbounded), or `None` for a text-only element.
/// Source: `jenkins-junit.xsd`, the dtkit `junit-4.xsd` of Jenkins'
/// xUnit plugin (MIT, Thales Corporate Services SAS 2010), as JUnit 5
/// keeps it in `platform-tests/src/test/resources/jenkins-junit.xsd` to
/// validate its own reports. Transcribed here as a table, element by
/// element, rather than copied.
/// An element's attributes and, unless it holds only text, its children.
type Element = (
    &'static [&'static str],
    Option<&'static [(&'static str, usize)]>,
);

fn jenkins_schema(name: &str) -> Option<Element> {
    const MANY: usize = usize::MAX;
    Some(match name {
        "testsuites" => (
            &["name", "time", "tests", "failures", "disabled", "errors"][..],
            Some(&[("testsuite", MANY)][..]),
        ),
        "testsuite" => (
            &[
                "!name",
                "!tests",
                "failures",
                "errors",
                "time",
                "disabled",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
            ][..],
            Some(
                &[
                    ("properties", 1),
                    ("testcase", MANY),
                    ("system-out", 1),
                    ("system-err", 1),
                ][..],
            ),
        ),
        "testcase" => (
            &["!name", "assertions", "time", "classname", "status"][..],
            Some(
                &[
                    ("skipped", 1),
                    ("error", MANY),
                    ("failure", MANY),
                    ("system-out", MANY),
                    ("system-err", MANY),
                ][..],
            ),
        ),
        "properties" => (&[][..], Some(&[("property", MANY)][..])),
        "property" => (&["!name", "!value"][..], Some(&[][..])),
        "failure" | "error" => (&["type", "message"][..], None),
        "skipped" | "system-out" | "system-err" => (&[][..], None),
        _ => return None,
    })
}

/// Checks `xml` against [`jenkins_schema`]: the root, every element
/// known, its attributes allowed and the required ones there, its
/// children in the schema's order and within their counts, and no
/// element inside a text-only one.
fn assert_jenkins_valid(xml: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    // Each open element: its name and the children seen (rank, count).
    let mut stack: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    let open = |e: &quick_xml::events::BytesStart,
                stack: &mut Vec<(String, Vec<(usize, usize)>)>| {
        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
        let (attrs, _) =
            jenkins_schema(&name).unwrap_or_else(|| panic!("<{name}> is not in the schema"));
        let given: Vec<String> = e
            .attributes()
            .map(|a| String::from_utf8(a.unwrap().key.as_ref().to_vec()).unwrap())
            .collect();
        for a in &given {
            assert!(
                attrs.iter().any(|x| x.trim_start_matches('!') == a),
                "<{name}> may not have the attribute {a}"
            );
        }
        for a in attrs.iter().filter(|a| a.starts_with('!')) {
            assert!(
                given.iter().any(|g| g == &a[1..]),
                "<{name}> needs {}",
                &a[1..]
            );
        }
        match stack.last_mut() {
            None => assert_eq!(name, "testsuites", "the root"),
            Some((parent, seen)) => {
                let (_, children) = jenkins_schema(parent).unwrap();
                let children =
                    children.unwrap_or_else(|| panic!("<{name}> inside the text of <{parent}>"));
                let rank = children
                    .iter()
                    .position(|(c, _)| *c == name)
                    .unwrap_or_else(|| panic!("<{name}> may not be inside <{parent}>"));
                match seen.last_mut() {
                    Some((r, n)) if *r == rank => *n += 1,
                    Some((r, _)) if *r > rank => {
                        panic!("<{name}> after a later element in <{parent}>")
                    }
                    _ => seen.push((rank, 1)),
                }
                let (r, n) = *seen.last().unwrap();
                assert!(n <= children[r].1, "too many <{name}> in <{parent}>");
            }
        }
        stack.push((name, Vec::new()));
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) => open(&e, &mut stack),
            Event::Empty(e) => {
                open(&e, &mut stack);
                stack.pop();
            }
            Event::End(_) => {
                stack.pop();
            }
            _ => {}
        }
    }
    assert!(stack.is_empty());
}

/// The JUnit report is valid against the strict Jenkins schema, and a
/// test case fails only for an error or warning not explained: advice
/// and explained departures pass, listed in the case's `system-out`.
#[test]
fn junit_is_valid_against_the_strict_jenkins_schema_and_advice_passes() {
    for dir in [northmoor().as_str(), "examples"] {
        let out = icslint(&["check", dir, "--format", "junit"], &root());
        let xml = stdout(&out);
        assert_jenkins_valid(&xml);
        let json = icslint(&["check", dir, "--format", "json"], &root());
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        // Per (file, rule): does it fail?
        let mut expected = std::collections::BTreeMap::new();
        for f in findings {
            let key = (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            );
            let fails = f["status"] != "explained" && f["severity"] != "advice";
            *expected.entry(key).or_insert(false) |= fails;
        }
        assert!(
            expected.values().any(|f| !f) || dir == "examples",
            "northmoor has advice: {expected:?}"
        );
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut suite, mut case) = (String::new(), None::<(String, String)>);
        let mut got = std::collections::BTreeMap::new();
        loop {
            use quick_xml::events::Event;
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => {
                    let attr = |k: &str| {
                        e.try_get_attribute(k)
                            .unwrap()
                            .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                    };
                    match e.name().as_ref() {
                        b"testsuite" => suite = attr("name").unwrap(),
                        b"testcase" => {
                            let name = attr("name").unwrap();
                            if name != "no findings" {
                                let rule = name.split(' ').next().unwrap().to_string();
                                got.insert((suite.clone(), rule.clone()), false);
                                case = Some((suite.clone(), rule));
                            }
                        }
                        b"failure" => {
                            got.insert(case.clone().unwrap(), true);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        assert_eq!(got, expected, "{dir}");
    }
}

/// The schema check itself refuses what Jenkins' strict reader refuses.
#[test]
fn the_jenkins_schema_check_refuses_what_the_schema_refuses() {
    let ok = "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"x\"><failure message=\"m\">t</failure><system-out>o</system-out></testcase></testsuite></testsuites>";
    assert_jenkins_valid(ok);
    for bad in [
        // `file` and `line` are not attributes of a test case.
        "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"x\" file=\"f\"/></testsuite></testsuites>",
        // system-out before failure.
        "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"x\"><system-out>o</system-out><failure/></testcase></testsuite></testsuites>",
        // a suite without `tests`.
        "<testsuites><testsuite name=\"a\"/></testsuites>",
        // two system-out in a suite.
        "<testsuites><testsuite name=\"a\" tests=\"0\"><system-out/><system-out/></testsuite></testsuites>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_jenkins_valid(bad));
        assert!(caught.is_err(), "{bad}");
    }
}

/// GitLab's `description` keeps the message and the help apart: the
/// message, then `Help:` and the help as a sentence of its own.
#[test]
fn gitlab_description_separates_message_and_help() {
    let dir = &northmoor();
    let issues: serde_json::Value =
        serde_json::from_slice(&icslint(&["check", dir, "--format", "gitlab"], &root()).stdout)
            .unwrap();
    let findings: serde_json::Value =
        serde_json::from_slice(&icslint(&["check", dir, "--format", "json"], &root()).stdout)
            .unwrap();
    let (issues, findings) = (
        issues.as_array().unwrap(),
        findings["findings"].as_array().unwrap(),
    );
    assert_eq!(issues.len(), findings.len());
    let mut helped = 0;
    for (i, f) in issues.iter().zip(findings) {
        let d = i["description"].as_str().unwrap();
        let head = format!(
            "{} {}: {}",
            f["rule"].as_str().unwrap(),
            f["name"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        assert!(d.starts_with(&head), "{d}");
        if let Some(h) = f["help"].as_str() {
            helped += 1;
            let rest = &d[head.len()..];
            let rest = rest.strip_prefix('.').unwrap_or(rest);
            assert!(rest.starts_with(&format!(" Help: {h}")), "{d}");
        }
    }
    assert!(helped > 0);
}
