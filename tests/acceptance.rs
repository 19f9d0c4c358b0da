//! The acceptance data: the annotated workspaces in ../shared/examples, the
//! project's own examples, and every built-in rule's failing and passing
//! example.

mod common;
use common::*;
use icslint::config::Config;
use icslint::workspace::Workspace;

#[test]
fn shared_examples_produce_exactly_the_annotated_findings() {
    let dir = shared_examples();
    assert!(
        dir.is_dir(),
        "the shared examples (../shared/examples or their copy in tests/shared) are missing ({})",
        dir.display()
    );
    let out = icslint(&["test", dir.to_str().unwrap()], &root());
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.trim_end().ends_with(" 0 failed"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

#[test]
fn sound_workspaces_have_no_language_findings() {
    for name in ["wessex-vale", "northmoor", "downshire"] {
        let ws = Workspace::load(&[shared_examples().join(name)], None).expect("loads");
        let icg: Vec<_> = ws
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("ICG"))
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect();
        assert!(icg.is_empty(), "{name}: {icg:?}");
        assert!(!ws.model.blocks.is_empty());
    }
}

#[test]
fn typology_agrees_with_the_expected_table() {
    let dir = shared_examples().join("downshire");
    let out = icslint(&["typology", dir.to_str().unwrap()], &root());
    assert!(out.status.success());
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let expected = std::fs::read_to_string(dir.join("expected-typology.txt")).unwrap();
    assert_eq!(rows(&stdout(&out)), rows(&expected));
    assert!(stdout(&out).contains("downs_mca is a strategic authority"));
}

#[test]
fn project_examples_pass_their_annotations_and_exit_clean() {
    let out = icslint(&["test", "examples"], &root());
    assert!(out.status.success(), "{}", stdout(&out));
    let out = icslint(&["check", "examples"], &root());
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings only: {}",
        stdout(&out)
    );
    assert!(
        // riverbend's two warnings and merged-icb's CCN112 (on any day from 1 April 2026).
        stdout(&out).contains("Found 0 errors, 3 warnings and 0 advice in 8 files; 1 departure explained by the board."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn every_built_in_rule_has_docs_and_working_examples() {
    let ws = Workspace::from_texts(&[], Config::default());
    assert!(
        ws.findings.is_empty(),
        "built-in packs load cleanly: {:?}",
        ws.findings
    );
    let rules: Vec<_> = ws.packs.iter().flat_map(|(_, p)| p.rules.iter()).collect();
    // One rule per checkable obligation in recommendations.md: the IDs in
    // its tables, no more and no fewer.
    let spec = std::fs::read_to_string(shared_spec().join("recommendations.md")).unwrap();
    let mut catalogue: Vec<String> = spec
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|id| {
            id.len() == 6
                && ["STA", "CCN", "HFM", "NHC"].contains(&&id[..3])
                && id[3..].chars().all(|c| c.is_ascii_digit())
        })
        .map(String::from)
        .collect();
    catalogue.sort();
    catalogue.dedup();
    // The third edition's rules are not in the shared catalogue yet; they
    // are listed, each with the provision it checks, in tests/data.
    let third = third_edition_rules();
    for id in &third {
        assert!(
            !catalogue.contains(id),
            "{id} is in recommendations.md now: remove it from tests/data/third-edition-rules.txt"
        );
    }
    catalogue.extend(third);
    catalogue.sort();
    // A Bill's pack (`enacted: false`, regime 2026) is not in the second
    // edition: its rules come from the 2026 dossier, which must name each.
    let dossier = std::fs::read_to_string(shared_spec().join("sources-2026.md")).unwrap();
    let bill: Vec<String> = ws
        .packs
        .iter()
        .filter(|(_, p)| !p.enacted)
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.clone()))
        .collect();
    for id in &bill {
        assert!(
            dossier.contains(id.as_str()),
            "{id} (a Bill's rule) is not named in sources-2026.md"
        );
    }
    let mut ids: Vec<String> = rules
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| !bill.contains(id))
        .collect();
    ids.sort();
    assert_eq!(
        ids, catalogue,
        "one rule per checkable obligation in recommendations.md and tests/data/third-edition-rules.txt"
    );
    for r in &rules {
        assert!(
            !r.provenance.source.is_empty()
                && !r.provenance.reference.is_empty()
                && !r.provenance.summary.is_empty(),
            "{} lacks provenance",
            r.id
        );
        assert!(
            r.description.trim().len() > 10,
            "{} lacks a description",
            r.id
        );
        assert!(r.why.trim().len() > 40, "{} lacks its reasoning", r.id);
        assert!(
            !r.help_text.trim().is_empty(),
            "{} says nothing about what to write",
            r.id
        );
        assert!(
            r.examples.fail.contains(&format!("expect: {}", r.id)),
            "{}: the failing example marks no finding",
            r.id
        );
        assert!(
            !r.examples.pass.trim().is_empty(),
            "{} lacks a passing example",
            r.id
        );
    }
    let mut tally = icslint::testing::Tally::default();
    for (_, pack) in &ws.packs {
        icslint::testing::test_pack_examples(pack, None, &mut tally, false);
    }
    assert_eq!(tally.failed, 0, "{}", tally.report);
    // A failing and a passing example for every rule.
    assert_eq!(tally.passed, 2 * rules.len());
}

/// The IDs of tests/data/third-edition-rules.txt: rules of the third edition
/// that ../shared/spec/recommendations.md does not list yet. Each line names
/// the provision it checks.
fn third_edition_rules() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/data/third-edition-rules.txt"))
        .expect("tests/data/third-edition-rules.txt");
    let mut ids = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, provision) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        assert!(
            provision.trim().len() > 10,
            "third-edition-rules.txt: {id} does not say what it checks"
        );
        assert!(
            !ids.iter().any(|i| i == id),
            "third-edition-rules.txt lists {id} twice"
        );
        ids.push(id.to_string());
    }
    assert!(!ids.is_empty(), "third-edition-rules.txt lists no rule");
    ids
}

#[test]
fn the_catalogue_ids_are_all_present() {
    let spec = std::fs::read_to_string(shared_spec().join("recommendations.md")).expect("spec");
    let ws = Workspace::from_texts(&[], Config::default());
    let ids: Vec<&str> = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
        .collect();
    for line in spec.lines().filter(|l| l.starts_with("| ")) {
        let first = line
            .trim_start_matches("| ")
            .split(' ')
            .next()
            .unwrap_or("");
        let is_id = first.len() == 6
            && first[..3].chars().all(|c| c.is_ascii_uppercase())
            && first[3..].chars().all(|c| c.is_ascii_digit());
        if is_id && !first.starts_with("ICG") {
            assert!(
                ids.contains(&first),
                "{first} is in the catalogue but has no rule"
            );
        }
    }
}

/// Every built-in rule fails somewhere in a whole annotated workspace (with
/// its pack enabled alongside others), not only in its isolated example.
#[test]
fn every_rule_has_a_failing_case_in_a_workspace_fixture() {
    let ws = Workspace::from_texts(&[], Config::default());
    let mut marked = std::collections::HashSet::new();
    let mut dirs = vec![
        root().join("tests/fixtures"),
        root().join("examples"),
        shared_examples(),
    ];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "icg") {
                let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                for line in text.lines() {
                    if let Some(i) = line.find("# expect:") {
                        marked.extend(line[i + 9..].split(',').map(|s| s.trim().to_string()));
                    }
                }
            }
        }
    }
    let missing: Vec<&str> = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter())
        .map(|r| r.id.as_str())
        .filter(|id| !marked.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no workspace fixture fails {missing:?}");
}
