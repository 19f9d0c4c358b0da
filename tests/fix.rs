//! `check --fix`, `--diff` and `--unsafe-fixes`, and fixes declared in rule
//! packs (`fix: { insert, into, title }`).

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn json(args: &[&str], cwd: &Path) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_slice(&icslint(&a, cwd).stdout).expect("JSON output")
}

fn findings(dir: &Path) -> Vec<serde_json::Value> {
    json(&["check", "."], dir)["findings"]
        .as_array()
        .unwrap()
        .clone()
}

fn key(f: &serde_json::Value) -> String {
    format!("{} {} {}", f["location"]["path"], f["rule"], f["message"])
}

/// A formatted copy of northmoor, and the same with typos the language
/// diagnostics can correct.
fn northmoor_with_typos(name: &str) -> (PathBuf, Vec<String>) {
    let dir = scratch(name);
    for e in std::fs::read_dir(shared_examples().join("northmoor")).unwrap() {
        let p = e.unwrap().path();
        // A copy we may write (the shared examples can be read-only).
        std::fs::write(dir.join(p.file_name().unwrap()), std::fs::read(&p).unwrap()).unwrap();
    }
    let out = icslint(&["fmt", "."], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut clean: Vec<String> = findings(&dir).iter().map(key).collect();
    clean.sort();
    let icb = dir.join("icb-constitution.icg");
    let text = std::fs::read_to_string(&icb).unwrap();
    let typos = text
        .replacen("membership_review every", "membershp_review every", 1)
        .replacen("role chair\n", "role chiar\n", 1)
        .replacen("authority @moorshire", "authority @moorshyre", 1)
        .replacen("register yes", "register yse", 1);
    assert_ne!(typos, text);
    std::fs::write(&icb, typos).unwrap();
    (dir, clean)
}

#[test]
fn fix_removes_every_finding_with_a_safe_fix_and_stays_formatted() {
    let (dir, clean) = northmoor_with_typos("fix-northmoor");
    let before = findings(&dir);
    let safe = before
        .iter()
        .filter(|f| {
            f["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["safety"] == "safe")
        })
        .count();
    assert!(safe >= 4, "{safe} safe fixes");
    let out = icslint(&["check", ".", "--fix", "--no-color"], &dir);
    let text = stdout(&out);
    let after = findings(&dir);
    assert!(
        text.contains(&format!("Fixed {safe} findings; {} remain.", after.len())),
        "{text}"
    );
    assert!(after.iter().all(|f| f["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["safety"] != "safe")));
    let mut keys: Vec<String> = after.iter().map(key).collect();
    keys.sort();
    assert_eq!(keys, clean, "the typos are gone and nothing else changed");
    let check = icslint(&["fmt", "--check", "."], &dir);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    // The unsafe fixes too: every finding that offered one is resolved,
    // and the files are still formatted.
    let out = icslint(
        &["check", ".", "--fix", "--unsafe-fixes", "--no-color"],
        &dir,
    );
    assert!(stdout(&out).contains("Fixed "), "{}", stdout(&out));
    assert!(findings(&dir)
        .iter()
        .all(|f| f["fixes"].as_array().unwrap().is_empty()));
    let check = icslint(&["fmt", "--check", "."], &dir);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let (dir, _) = northmoor_with_typos("fix-diff");
    let before = snapshot(&dir);
    let out = icslint(&["check", ".", "--diff"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout(&out);
    assert!(diff.contains("-    membershp_review every"), "{diff}");
    assert!(diff.contains("+    membership_review every"), "{diff}");
    assert!(diff.contains("+        authority @moorshire"), "{diff}");
    assert!(
        stderr(&out).contains("4 findings would be fixed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&dir), before, "--diff wrote nothing");
}

#[test]
fn fixes_appear_in_json_and_sarif() {
    let (dir, _) = northmoor_with_typos("fix-formats");
    let v = json(&["check", "."], &dir);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("membershp_review"))
        .unwrap();
    let fix = &f["fixes"][0];
    assert_eq!(
        fix["title"],
        "Change `membershp_review` to `membership_review`"
    );
    assert_eq!(fix["safety"], "safe");
    assert_eq!(fix["edits"][0]["insert"], "membership_review");
    assert_eq!(
        fix["edits"][0]["location"]["start"], f["location"]["start"],
        "the edit replaces the misspelt key"
    );
    let out = icslint(&["check", ".", "--format", "sarif"], &dir);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "ICG002" && r["fixes"].is_array())
        .unwrap();
    let change = &r["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "icb-constitution.icg");
    assert!(change["replacements"][0]["insertedContent"]["text"].is_string());
    assert!(change["replacements"][0]["deletedRegion"]["startLine"].is_u64());
}

const PACK: &str = r#"pack: local
title: Our own rules
source: board-minutes-2024
rules:
  - id: LOC001
    name: conflicts-protocol
    provenance: { source: board-minutes-2024, ref: "Minute 12", summary: "Conflicts registers have an LA partner protocol." }
    severity: warning
    scope: conflicts
    assert: la_partner_protocol == yes
    message: "the conflicts register has no protocol for local authority partner members"
    help: "Add `la_partner_protocol yes` to the conflicts block."
    fix: { insert: "la_partner_protocol yes", into: self, title: "Add `la_partner_protocol yes`" }
  - id: LOC002
    name: membership-review
    provenance: { source: board-minutes-2024, ref: "Minute 13", summary: "Membership is reviewed yearly." }
    severity: warning
    scope: icb
    assert: membership_review <= 12 months
    message: "{name} reviews its membership too rarely"
    help: "Write `membership_review every 12 months`."
    fix: { insert: "membership_review every 12 months", title: "Review the membership every 12 months" }
  - id: LOC003
    name: engagement
    provenance: { source: board-minutes-2024, ref: "Minute 14", summary: "Councillors are engaged." }
    severity: advice
    scope: icb
    assert: engagement.councillors == agreed
    message: "{name} has no agreed engagement with councillors"
    help: "Add an engagement block."
    fix: { insert: "engagement {{ councillors agreed; frequency every 3 months }}", title: "Add an `engagement` block" }
  - id: LOC004
    name: division
    provenance: { source: board-minutes-2024, ref: "Minute 15", summary: "Divisions name the ICP." }
    severity: advice
    scope: icb
    assert: exists(system.icp)
    message: "{name}'s system has no ICP"
    help: "Write the ICP."
    fix: { insert: "review_with @{system.icp.id}", title: "Name the ICP" }
"#;

#[test]
fn pack_fixes_are_unsafe_and_insert_a_formatted_line() {
    let dir = scratch("fix-pack");
    write(&dir, "icslint.yaml", "rules: [our-rules.yaml]\n");
    write(&dir, "our-rules.yaml", PACK);
    let doc = "system s \"S\" { regime 2022 }\n\nicb i \"NHS S ICB\" {\n    system @s\n    membership_review every 24 months\n    conflicts {\n        register yes\n    }\n    oversight \"O\" {}\n    engagement { frequency every 3 months }\n}\n";
    let file = write(&dir, "doc.icg", doc);
    let v = findings(&dir);
    let rule = |id: &str| v.iter().find(|f| f["rule"] == id).unwrap().clone();
    for id in ["LOC001", "LOC002"] {
        assert_eq!(rule(id)["fixes"][0]["safety"], "unsafe");
    }
    // The icb has an engagement block already: no second one.
    assert_eq!(rule("LOC003")["fixes"], serde_json::json!([]));
    // `@{system.icp.id}` has no value: the line would not parse, so no fix.
    assert_eq!(rule("LOC004")["fixes"], serde_json::json!([]));
    // Safe fixes only: nothing happens, and the summary says what could.
    let out = icslint(
        &["check", ".", "--fix", "--no-color", "--select", "LOC"],
        &dir,
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), doc);
    assert!(
        stdout(&out).contains("Fixed 0 findings"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("can be fixed with `--fix --unsafe-fixes`"),
        "{}",
        stdout(&out)
    );
    let out = icslint(
        &[
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "--no-color",
            "--select",
            "LOC",
        ],
        &dir,
    );
    assert!(
        stdout(&out).contains("Fixed 2 findings"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "system s \"S\" { regime 2022 }\n\nicb i \"NHS S ICB\" {\n    system @s\n    membership_review every 12 months\n    conflicts {\n        register yes\n        la_partner_protocol yes\n    }\n    oversight \"O\" {}\n    engagement { frequency every 3 months }\n}\n",
        "the same key is replaced; a new line goes last in its block"
    );
    assert!(findings(&dir)
        .iter()
        .all(|f| f["rule"] != "LOC001" && f["rule"] != "LOC002"));
    let check = icslint(&["fmt", "--check", "."], &dir);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

#[test]
fn a_pack_fix_that_is_not_well_formed_icg_is_refused_at_load() {
    let dir = scratch("fix-pack-bad");
    write(&dir, "icslint.yaml", "rules: [our-rules.yaml]\n");
    write(
        &dir,
        "our-rules.yaml",
        &PACK
            .replace(
                "insert: \"la_partner_protocol yes\"",
                "insert: \"la_partner_protocol [yes\"",
            )
            .replace("into: self, ", "into: parent, "),
    );
    write(&dir, "doc.icg", "system s \"S\" { regime 2022 }\n");
    let v = findings(&dir);
    let bad: Vec<_> = v.iter().filter(|f| f["rule"] == "ICG012").collect();
    assert_eq!(bad.len(), 1, "{v:#?}");
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .contains("`fix: into:` takes `self`"),
        "{}",
        bad[0]["message"]
    );
    write(
        &dir,
        "our-rules.yaml",
        &PACK.replace(
            "insert: \"la_partner_protocol yes\"",
            "insert: \"la_partner_protocol [yes\"",
        ),
    );
    let v = findings(&dir);
    let bad: Vec<_> = v.iter().filter(|f| f["rule"] == "ICG012").collect();
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a well-formed ICG line"),
        "{}",
        bad[0]["message"]
    );
}

/// Every built-in rule's `fix:`, applied to the rule's failing example,
/// leaves a file that parses, is formatted if the example was, and no
/// longer has that finding where the fix went.
#[test]
fn every_built_in_fix_resolves_its_finding_in_the_rules_example() {
    use icslint::config::Config;
    use icslint::engine::{Engine, Options};
    use icslint::workspace::Workspace;
    let run = |text: &str, id: &str| {
        let ws = Workspace::from_texts(&[("example.icg", text)], Config::default());
        let engine = Engine::new(
            &ws,
            Options {
                select: vec![id.to_string()],
                ..Options::default()
            },
        );
        engine.run()
    };
    let ws = Workspace::from_texts(&[], Config::default());
    let mut with_fix = 0;
    for (_, pack) in &ws.packs {
        for rule in pack.rules.iter().filter(|r| r.fix.is_some()) {
            let text = rule.examples.fail.clone();
            let found: Vec<_> = run(&text, &rule.id)
                .into_iter()
                .filter(|f| f.rule == rule.id)
                .collect();
            // No fix is offered when the example already has the block the
            // fix would add (CCN201's has an `engagement` block).
            let Some(fix) = found.iter().find_map(|f| f.fix.clone()) else {
                eprintln!("{}: its failing example offers no fix", rule.id);
                continue;
            };
            with_fix += 1;
            let mut fixed = text.clone();
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
            for e in edits {
                fixed.replace_range(e.span.start..e.span.end, &e.insert);
            }
            let parsed = icslint::syntax::parse(&fixed);
            assert!(parsed.errors.is_empty(), "{}: {fixed}", rule.id);
            let after = run(&fixed, &rule.id)
                .into_iter()
                .filter(|f| f.rule == rule.id)
                .count();
            assert!(
                after < found.len(),
                "{}: {} still finds {after} after `{}`:\n{fixed}",
                rule.id,
                rule.id,
                fix.title
            );
            if icslint::fmt::format(&text).is_ok_and(|t| t == text) {
                assert_eq!(icslint::fmt::format(&fixed).unwrap(), fixed, "{}", rule.id);
            }
        }
    }
    eprintln!("{with_fix} built-in fixes applied to their rules' examples");
}
