//! The third edition's statutory duties (issue 20, part B): the language
//! keys they read and how the rules treat what a document states and what
//! it leaves unsaid. Each rule's own failing and passing example runs in
//! `acceptance`; the whole-system fixture is `tests/fixtures/duties-2026`.

mod common;
use icslint::config::Config;
use icslint::engine::{Engine, Options};
use icslint::workspace::Workspace;

const NEW: &[&str] = &[
    "STA026", "STA027", "STA028", "STA029", "STA032", "STA033", "STA034",
];

fn check(text: &str) -> Vec<(String, String)> {
    let ws = Workspace::from_texts(&[("/t/a.icg", text)], Config::default());
    let mut out: Vec<(String, String)> = ws
        .findings
        .iter()
        .map(|f| (f.rule.to_string(), f.message.clone()))
        .collect();
    let run = Engine::new(&ws, Options::default()).run();
    out.extend(
        run.iter()
            .filter(|f| NEW.contains(&&*f.rule.to_string()))
            .map(|f| (f.rule.to_string(), f.message.clone())),
    );
    out
}

fn rules_of(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(r, _)| r.as_str()).collect()
}

#[test]
fn the_duties_are_law_under_every_regime_and_cannot_be_explained() {
    let ws = Workspace::from_texts(&[], Config::default());
    let rules: Vec<_> = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter())
        .filter(|r| NEW.contains(&r.id.as_str()))
        .collect();
    assert_eq!(rules.len(), NEW.len());
    for r in rules {
        assert_eq!(r.regimes, [2022, 2025, 2026], "{}", r.id);
        assert!(!r.explainable, "{} is a duty", r.id);
        assert!(
            ["nhs-act-2006", "lgpiha-2007"].contains(&r.provenance.source.as_str()),
            "{} cites a statute",
            r.id
        );
    }
    // STA030 and STA031 belong to the provisional 2026 regime.
    let ids: Vec<&str> = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
        .collect();
    assert!(!ids.contains(&"STA031"));
}

#[test]
fn the_new_keys_are_language_with_their_words_checked() {
    let text = "system s \"S\" { regime 2022 }\n\
        strategy j \"J\" { system @s; type joint_forward_plan; contents [health_services, victims_of_abuses] }\n\
        strategy i \"I\" { system @s; type integrated_care_strategy; pooled_arrangements maybe; published 2023-01-01 }\n";
    let found = check(text);
    let icg: Vec<&(String, String)> = found.iter().filter(|(r, _)| r.starts_with("ICG")).collect();
    assert_eq!(icg.len(), 2, "{found:?}");
    assert!(
        icg.iter().any(|(_, m)| m.contains("victims_of_abuses")),
        "{found:?}"
    );
    assert!(icg.iter().any(|(_, m)| m.contains("maybe")), "{found:?}");
    let ws = Workspace::from_texts(&[("/t/a.icg", text)], Config::default());
    let typo = ws
        .findings
        .iter()
        .find(|f| f.message.contains("victims_of_abuses"))
        .unwrap();
    assert!(
        typo.help
            .as_ref()
            .is_some_and(|h| h.to_string().contains("victims_of_abuse`")),
        "a did-you-mean: {:?}",
        typo.help
    );
}

/// Silence is a finding only where the Act prescribes what the document
/// says: the strategy's publication (s116ZB(7)) and the joint forward
/// plan's contents (s14Z52(2)).
#[test]
fn silence_is_a_finding_only_where_the_act_prescribes_the_text() {
    let silent = "system s \"S\" { regime 2025 }\n\
        icb b \"NHS S ICB\" { system @s; member \"Chair\" { role chair; appointed_by nhs_england; approved_by secretary_of_state } }\n\
        icp p \"S ICP\" { system @s; member \"ICB chair\" { category icb } }\n\
        strategy i \"S Strategy\" { system @s; type integrated_care_strategy; owner @p }\n\
        strategy j \"S Plan\" { system @s; type joint_forward_plan; owner @b }\n";
    let mut got = rules_of(&check(silent))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["STA028", "STA034"]);
    let stated = silent
        .replace("type integrated_care_strategy;", "type integrated_care_strategy; published 2023-01-31; pooled_arrangements considered; involved [healthwatch, local_people];")
        .replace("type joint_forward_plan;", "type joint_forward_plan; contents [health_services, general_duties, financial_duties, jhws_steps, children_young_people, victims_of_abuse];")
        .replace("approved_by secretary_of_state }", "approved_by secretary_of_state; removable_by [nhs_england]; removal_approved_by secretary_of_state }; conflicts { register yes }")
        .replace("{ system @s; member \"ICB chair\"", "{ system @s; quorum 1; member \"ICB chair\"");
    assert!(check(&stated).is_empty(), "{:?}", check(&stated));
    // Each statement against the Act, one at a time, is its rule's finding.
    for (from, to, rule) in [
        (
            "pooled_arrangements considered",
            "pooled_arrangements not_considered",
            "STA026",
        ),
        ("[healthwatch, local_people]", "[healthwatch]", "STA027"),
        (
            "removable_by [nhs_england]",
            "removable_by [secretary_of_state]",
            "STA029",
        ),
        (
            "removal_approved_by secretary_of_state",
            "removal_approved_by nhs_england",
            "STA029",
        ),
        ("quorum 1", "quorum 2", "STA032"),
        ("register yes", "register no", "STA033"),
        (", victims_of_abuse]", "]", "STA034"),
    ] {
        assert!(stated.contains(from), "{from}");
        let found = check(&stated.replacen(from, to, 1));
        assert_eq!(rules_of(&found), [rule], "{to}: {found:?}");
    }
}

#[test]
fn messages_name_the_body_and_what_is_missing() {
    let text = "system s \"S\" { regime 2022 }\n\
        strategy j \"Downs Plan\" { system @s; type joint_forward_plan; contents [health_services, general_duties, financial_duties, jhws_steps, victims_of_abuse] }\n\
        strategy i \"Downs Strategy\" { system @s; type integrated_care_strategy; published 2023-01-31; involved [vcse] }\n";
    let found = check(text);
    let plan = &found.iter().find(|(r, _)| r == "STA034").unwrap().1;
    assert!(plan.starts_with("Downs Plan"), "{plan}");
    assert!(
        plan.contains("children and young people under 25"),
        "{plan}"
    );
    assert!(!plan.contains("victims"), "only what is missing: {plan}");
    let ics = &found.iter().find(|(r, _)| r == "STA027").unwrap().1;
    assert!(
        ics.contains("Healthwatch") && ics.contains("live or work"),
        "{ics}"
    );
}
