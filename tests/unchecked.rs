//! Issue 11: after a syntax error, the blocks that parsed are kept and the
//! ICG001 says which rules could not run on the text it lost, which ran
//! without it, and which may report it missing.

use icslint::config::Config;
use icslint::diagnostic::Finding;
use icslint::engine::{Engine, Options};
use icslint::workspace::Workspace;
use std::collections::BTreeSet;

const SYSTEM: &str = r#"system s "Hill ICS" { regime 2022 }
authority a "Hill Council" { kind unitary; tier upper; population 100_000; share @s 100% }
"#;

const HWB: &str = r#"hwb a_hwb "Hill HWB" {
    system @s
    authority @a
    functions [jsna, jhws, bcf_plan]
    member "Chair" { post councillor }
    member "DASS" { post director_adult_social_services }
}
"#;

const ICB: &str = r#"icb i "NHS Hill ICB" {
    system @s
    member "Chair" { role chair; appointed_by nhs_england; approved_by secretary_of_state }
    member "Partner" { role partner; nominated_by local_authorities }
    membership_review every 12 months
}
"#;

fn run(hwb: &str, icb: &str) -> Vec<Finding> {
    run3(SYSTEM, hwb, icb)
}

fn run3(system: &str, hwb: &str, icb: &str) -> Vec<Finding> {
    let ws = Workspace::from_texts(
        &[("system.icg", system), ("hwb.icg", hwb), ("icb.icg", icb)],
        Config::default(),
    );
    Engine::new(&ws, Options::default()).run()
}

/// The rule findings (not language ones) of a run, as (rule, message).
fn rule_findings(found: &[Finding]) -> BTreeSet<(String, String)> {
    found
        .iter()
        .filter(|f| !f.rule.starts_with("ICG"))
        .map(|f| (f.rule.to_string(), f.message.clone()))
        .collect()
}

/// The ICG001 findings' help texts.
fn notes(found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .filter(|f| f.rule == "ICG001")
        .map(|f| f.help.as_deref().unwrap_or_default().to_string())
        .collect()
}

/// Every rule whose findings differ between the broken and the intact
/// documents (a false finding, or one the error silenced) is named in the
/// note; and the note names the kind of what was lost.
fn check(broken_hwb: &str, broken_icb: &str, expect: &[&str]) -> String {
    check3(SYSTEM, broken_hwb, broken_icb, expect)
}

fn check3(system: &str, broken_hwb: &str, broken_icb: &str, expect: &[&str]) -> String {
    let intact = rule_findings(&run(HWB, ICB));
    let found = run3(system, broken_hwb, broken_icb);
    let notes = notes(&found);
    assert_eq!(notes.len(), 1, "{found:#?}");
    let note = &notes[0];
    let broken = rule_findings(&found);
    let changed: BTreeSet<&String> = intact
        .symmetric_difference(&broken)
        .map(|(rule, _)| rule)
        .collect();
    assert!(!changed.is_empty(), "the mutation changed nothing: {note}");
    for rule in changed {
        assert!(note.contains(rule.as_str()), "{rule} is not named: {note}");
    }
    for e in expect {
        assert!(note.contains(e), "`{e}` is not in: {note}");
    }
    note.clone()
}

#[test]
fn a_lost_top_level_block_names_the_rules_that_could_not_run_and_those_that_miss_it() {
    // The header is broken: the whole HWB is lost. STA010 then says the
    // council has no HWB: a false finding the note owns up to.
    let note = check(
        &HWB.replace("\"Hill HWB\" {", "\"Hill HWB\" @@ {"),
        ICB,
        &[
            "the `hwb a_hwb` block is not checked",
            "rules that could not run on it: ",
            "STA012",
            "rules that look for `hwb` blocks elsewhere may report it missing: STA010",
        ],
    );
    // Rules about ICBs are not concerned.
    assert!(!note.contains("STA001"), "{note}");
}

#[test]
fn a_lost_line_names_the_rules_that_ran_without_it() {
    // An unclosed list swallows the rest of the HWB's lines.
    let note = check(
        &HWB.replace("bcf_plan]", "bcf_plan"),
        ICB,
        &["rules that ran without it: ", "STA011", "STA010"],
    );
    assert!(!note.contains("could not run"), "{note}");
}

#[test]
fn a_lost_nested_block_names_the_rules_that_read_it() {
    // The chair's member block is lost from the ICB: STA001 now says the
    // ICB has no chair.
    let note = check(
        HWB,
        &ICB.replace("role chair;", "role chair;;; ="),
        &["rules that ran without it: ", "STA001"],
    );
    // A rule of the ICB that does not read members is not named.
    assert!(!note.contains("CCN111"), "{note}");
}

#[test]
fn a_lost_line_read_through_a_derived_field_names_its_rules() {
    // Without its share the council is in no system: rules that find a
    // system's councils (`upper_tier`, `authorities`) ran without it.
    let note = check3(
        &SYSTEM.replace("share @s 100%", "share @s 100% ="),
        HWB,
        ICB,
        &[
            "the `share` line is not checked",
            "rules that ran without it: ",
            "STA010",
        ],
    );
    assert!(!note.contains("STA001"), "{note}");
}

#[test]
fn rules_switched_off_are_not_named() {
    let ws = Workspace::from_texts(
        &[
            ("system.icg", SYSTEM),
            (
                "hwb.icg",
                &HWB.replace("\"Hill HWB\" {", "\"Hill HWB\" @@ {"),
            ),
        ],
        Config {
            packs: Some(vec!["ccn-2022".into()]),
            ..Config::default()
        },
    );
    let found = Engine::new(&ws, Options::default()).run();
    let note = &notes(&found)[0];
    assert!(note.contains("CCN121") && !note.contains("STA"), "{note}");
}
