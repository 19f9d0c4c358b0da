//! What a governance lead reads in the packs (third edition): the
//! severities, messages and documentation the fixture annotations (which
//! check only rule IDs and lines) cannot see. The annotated workspaces for
//! each behaviour are in tests/fixtures/, named after it.

mod common;
use common::*;
use serde_json::Value;

fn findings(args: &[&str]) -> Vec<Value> {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = icslint(&a, &root());
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}{}", stdout(&out), stderr(&out)));
    v["findings"].as_array().unwrap().clone()
}

fn only<'a>(all: &'a [Value], rule: &str) -> Vec<&'a Value> {
    all.iter().filter(|f| f["rule"] == rule).collect()
}

#[test]
fn without_an_icp_under_the_2025_regime_the_law_still_speaks_as_advice() {
    let all = findings(&["check", "tests/fixtures/regime-2025"]);
    let sta008 = only(&all, "STA008");
    assert_eq!(sta008.len(), 1, "{all:?}");
    assert_eq!(sta008[0]["severity"], "advice");
    let msg = sta008[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("still required by law until the legislation removing it is in force"),
        "{msg}"
    );
    // Under 2022 the same gap is an error.
    let all = findings(&["check", "tests/fixtures/regime-2025", "--regime", "2022"]);
    assert!(only(&all, "STA008")
        .iter()
        .all(|f| f["severity"] == "error"));
}

#[test]
fn joint_scrutiny_is_advice_because_the_report_asks_councils_to_consider_it() {
    let all = findings(&["check", "tests/fixtures/thresholds"]);
    let f = only(&all, "CCN092");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "advice");
}

#[test]
fn multi_part_messages_name_only_what_is_missing() {
    let all = findings(&[
        "check",
        &shared_examples().join("northmoor").to_string_lossy(),
    ]);
    let places: Vec<&str> = only(&all, "CCN171")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(places.len(), 2, "{places:?}");
    // Coast Place has its geography and `defined_with_authorities yes`.
    let coast = places.iter().find(|m| m.contains("Coast Place")).unwrap();
    assert!(!coast.contains("geography"), "{coast}");
    assert!(!coast.contains("defined_with_authorities"), "{coast}");
    assert!(
        coast.contains("a `role`") && coast.contains("a `horizon`"),
        "{coast}"
    );
    // Moorshire Place has a role; its horizon is too short and it is not agreed.
    let moor = places
        .iter()
        .find(|m| m.contains("Moorshire Place"))
        .unwrap();
    assert!(!moor.contains("a `role`"), "{moor}");
    assert!(moor.contains("(it says 1 year)"), "{moor}");
    assert!(
        moor.contains("`defined_with_authorities yes` (it says no)"),
        "{moor}"
    );
    for f in &all {
        let m = f["message"].as_str().unwrap();
        assert!(!m.contains("(it says yes)"), "{}: {m}", f["rule"]);
    }
}

#[test]
fn a_split_county_board_is_checked_against_every_system_it_relates_to() {
    let all = findings(&["check", "tests/fixtures/split-county"]);
    let msg = |rule: &str| only(&all, rule)[0]["message"].as_str().unwrap().to_string();
    assert!(msg("CCN121").contains(
        "North Marsh Integrated Care Partnership and South Marsh Integrated Care Partnership"
    ));
    assert!(!msg("CCN121").contains("Mid Marsh"));
    assert!(
        msg("STA012").ends_with("a representative of NHS South Marsh ICB"),
        "{}",
        msg("STA012")
    );
    assert!(
        msg("STA014").contains("how NHS South Marsh ICB will have regard"),
        "{}",
        msg("STA014")
    );
    assert!(msg("CCN124").contains("South Marsh Integrated Care Partnership"));
    let ccn122 = only(&all, "CCN122")[0];
    assert!(ccn122["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["message"]
            .as_str()
            .unwrap()
            .starts_with("North Marsh Integrated Care Partnership lists")));
}

#[test]
fn typology_prints_no_guessed_type_and_no_type_for_a_district() {
    let out = icslint(&["typology", "tests/fixtures/typology-edges"], &root());
    let text = stdout(&out);
    let row = |id: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(row("sedge").as_deref(), Some("sedge ? peat 100%"), "{text}");
    assert_eq!(row("rush").as_deref(), Some("rush ? peat 100%"), "{text}");
    assert_eq!(
        row("fen_cc").as_deref(),
        Some("fen_cc 4 moss 88%, elsewhere 12%"),
        "{text}"
    );
    assert_eq!(
        row("moss_cc").as_deref(),
        Some("moss_cc 2 moss 100%"),
        "{text}"
    );
    assert_eq!(row("bog"), None, "{text}");
    assert!(
        text.contains("bog is a lower-tier (district) council: it has no type"),
        "{text}"
    );
    assert!(
        text.contains("the population of sedge is not stated"),
        "{text}"
    );
    let all = findings(&["check", "tests/fixtures/typology-edges"]);
    let ccn081 = only(&all, "CCN081");
    assert_eq!(ccn081.len(), 1, "the district is not a CCN Type 4 council");
    assert!(ccn081[0]["message"]
        .as_str()
        .unwrap()
        .contains("12% in systems not described here"));
    let icg014: Vec<&str> = only(&all, "ICG014")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        icg014.contains(
            &"the shares of Fenland County Council add up to 88%; 12% is in no system named here"
        ),
        "{icg014:?}"
    );
    assert!(only(&all, "ICG014")
        .iter()
        .all(|f| f["severity"] == "advice"));
}

/// Placeholders (`{system.icp.id}`) are filled in findings; documentation
/// has no finding to fill them from, so a built-in rule's help reads as
/// prose everywhere it is shown.
#[test]
fn documentation_shows_no_unfilled_placeholders() {
    let out = icslint(&["rules", "--json"], &root());
    let rules: Value = serde_json::from_slice(&out.stdout).expect("rules --json");
    let ids: Vec<String> = rules
        .as_array()
        .or_else(|| rules["rules"].as_array())
        .expect("a list of rules")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() > 60);
    for id in ids.iter().filter(|id| !id.starts_with("ICG")) {
        let out = icslint(&["explain", id], &root());
        let text = stdout(&out);
        let help = text
            .split("What to write\n")
            .nth(1)
            .and_then(|t| t.split("\n\n").next())
            .unwrap_or_default();
        let unescaped = help.replace("{ ", "").replace(" }", "");
        assert!(
            !unescaped.contains('{') && !unescaped.contains('}'),
            "{id}: the help shows a raw template: {help}"
        );
    }
}

#[test]
fn a_joint_forward_plan_whose_period_has_ended_is_out_of_date_as_of_the_run() {
    // Brae's 2026 plan runs to 2031-03-31: current that day, ended the next.
    let brae = |as_of: &str| -> Vec<String> {
        findings(&[
            "check",
            "tests/fixtures/joint-forward-plan",
            "--as-of",
            as_of,
        ])
        .iter()
        .filter(|f| f["rule"] == "STA016")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .filter(|m| m.starts_with("Brae Joint Forward Plan 2026"))
        .collect()
    };
    assert!(brae("2031-03-31").is_empty(), "{:?}", brae("2031-03-31"));
    let after = brae("2031-04-01");
    assert_eq!(
        after,
        ["Brae Joint Forward Plan 2026 (a joint forward plan) lacks a plan for the years ahead (its period ended on 2031-03-31, before 2031-04-01, the day this check is as of)"]
    );
    // Tarn's plan ended in 2025: out of date on any day after, current before.
    let tarn = |as_of: &str| {
        findings(&[
            "check",
            "tests/fixtures/joint-forward-plan",
            "--as-of",
            as_of,
        ])
        .iter()
        .filter(|f| f["message"].as_str().unwrap().starts_with("Tarn"))
        .count()
    };
    assert_eq!(tarn("2025-03-31"), 0);
    assert_eq!(tarn("2025-04-01"), 1);
}

#[test]
fn a_small_share_still_makes_an_icb_relevant_and_the_message_says_so() {
    let all = findings(&["check", "tests/fixtures/hwb-membership"]);
    let fell = |rule: &str| -> String {
        let f: Vec<&Value> = only(&all, rule)
            .into_iter()
            .filter(|f| f["message"].as_str().unwrap().starts_with("Fell"))
            .collect();
        assert_eq!(f.len(), 1, "{rule}: {all:?}");
        f[0]["message"].as_str().unwrap().to_string()
    };
    let note = "NHS Wear ICB (whose system holds only 2% of Fell County Council's population: the law covers each ICB whose area includes any part of the authority's)";
    assert_eq!(
        fell("STA012"),
        format!(
            "Fell Health and Wellbeing Board lacks statutory members: a representative of {note}"
        )
    );
    assert!(
        fell("STA014").contains(&format!("does not say how {note} will have regard")),
        "{}",
        fell("STA014")
    );
    // A share of 5% or more is named without the note (tests/fixtures/split-county).
    let split = findings(&["check", "tests/fixtures/split-county"]);
    assert!(only(&split, "STA012")
        .iter()
        .all(|f| !f["message"].as_str().unwrap().contains("holds only")));
}

#[test]
fn an_elected_mayor_sits_in_the_councillors_place_unless_there_is_none() {
    let all = findings(&["check", "tests/fixtures/hwb-membership"]);
    let sta012: Vec<&str> = only(&all, "STA012")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        !sta012.iter().any(|m| m.starts_with("Quayside")),
        "{sta012:?}"
    );
    assert!(sta012.contains(&"Dene Health and Wellbeing Board lacks statutory members: an elected councillor (a member with `post elected_mayor` counts only where the authority has an elected mayor, and Dene Borough Council says `mayor no`)"), "{sta012:?}");
}

#[test]
fn the_independence_safeguard_speaks_of_the_health_service() {
    // Schedule 1B: appointments that could undermine the independence of the
    // health service, not of the board (the second edition's wording).
    let out = icslint(&["explain", "STA007"], &root());
    let text = stdout(&out);
    assert!(
        text.contains("independence of the health service"),
        "{text}"
    );
    assert!(!text.contains("the board's independence"), "{text}");
}

#[test]
fn the_rule_reference_is_the_third_edition_and_names_only_rules_that_exist() {
    let out = icslint(&["rules", "--markdown"], &root());
    let md = stdout(&out);
    assert!(
        md.contains("This is the **third edition** of the rule catalogue"),
        "{md}"
    );
    let changes = md
        .split_once("### Changes in the third edition")
        .expect("a list of changes")
        .1
        .split_once("## Language diagnostics")
        .unwrap()
        .0;
    // Every rule the list of changes names is a rule of the catalogue.
    let json: Value =
        serde_json::from_slice(&icslint(&["rules", "--json"], &root()).stdout).unwrap();
    let ids: Vec<String> = json
        .as_array()
        .or_else(|| json["rules"].as_array())
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let named: Vec<&str> = changes
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            w.len() == 6
                && w[..3].chars().all(|c| c.is_ascii_uppercase())
                && w[3..].chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    assert!(named.len() >= 8, "{named:?}");
    for id in named {
        // A language diagnostic is a row of the reference's first table.
        let diagnostic = md.contains(&format!("| {id} |"));
        assert!(
            diagnostic || ids.iter().any(|i| i == id),
            "the changes name {id}, which is no rule"
        );
    }
}
