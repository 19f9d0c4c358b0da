//! `icslint transition`: the differences a move of regime or of pack
//! edition implies, per system.
//!
//! The Downshire list below was written by hand from the rules before the
//! command existed (rules/*.yaml `regimes` and `by_regime`, the
//! `system.regime` of STA006, and src/rules/builtin.rs, none of whose
//! checks depends on the regime):
//!
//! * Only NHC002–NHC005 (`regimes: [2025]`), STA009 and STA013
//!   (`regimes: [2022]`), STA008 (`by_regime: 2025` → advice, another
//!   message) and STA006 (a mayor's nominee counts under 2025) can differ.
//! * Downshire has no ICP and no strategy: STA009, STA013 (scope `icp`) and
//!   NHC005 (scope `strategy`) have nothing to run on under either regime.
//! * STA008 fires for both systems under both regimes (no `icp`): it changes
//!   from error to advice with the 2025 message, at each system's header.
//! * NHC002 (scope `system`, `when: not exists(icp)`): both systems have no
//!   ICP and no strategy with an owner, so it appears for both, at the header.
//! * NHC003: the Downs and Riverside Combined Authority (`tier strategic`,
//!   `mayor yes`) has a share in downs_riverside; dr_icb has no partner
//!   `nominated_by mayor`: it appears at dr_icb's header. Chalk Hills has no
//!   strategic authority.
//! * NHC004: dr_icb records `running_cost_per_head £23` (> £19): it appears
//!   at that line. ch_icb records none (`when: exists(...)`).
//! * STA006: both ICBs have a partner `nominated_by local_authorities`, so
//!   the 2025 allowance for a mayor's nominee changes nothing.
//! * Nothing disappears: no rule of Downshire's findings is 2022-only.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// One expected difference: (system, kind, rule, file, line, severity
/// before, severity after).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    Option<&'static str>,
    Option<&'static str>,
);

/// A [`Row`] as read back from the JSON.
type Got = (
    String,
    String,
    String,
    String,
    u64,
    Option<String>,
    Option<String>,
);

/// Downshire moving from 2022 to 2025, by hand (see the module comment), in
/// the order of the work list: by system, then appear, disappear, change,
/// each in file (name) and position order.
const DOWNSHIRE_2022_TO_2025: &[Row] = &[
    (
        "downs_riverside",
        "appear",
        "NHC003",
        "icbs.icg",
        1,
        None,
        Some("advice"),
    ),
    (
        "downs_riverside",
        "appear",
        "NHC004",
        "icbs.icg",
        17,
        None,
        Some("advice"),
    ),
    (
        "downs_riverside",
        "appear",
        "NHC002",
        "systems.icg",
        4,
        None,
        Some("warning"),
    ),
    (
        "downs_riverside",
        "change",
        "STA008",
        "systems.icg",
        4,
        Some("error"),
        Some("advice"),
    ),
    (
        "chalk_hills",
        "appear",
        "NHC002",
        "systems.icg",
        8,
        None,
        Some("warning"),
    ),
    (
        "chalk_hills",
        "change",
        "STA008",
        "systems.icg",
        8,
        Some("error"),
        Some("advice"),
    ),
];

fn transition_json(args: &[&str], cwd: &Path) -> (Option<i32>, Value) {
    let mut a = vec!["transition"];
    a.extend(args);
    a.extend(["--format", "json"]);
    let out = icslint(&a, cwd);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}{}", stdout(&out), stderr(&out)));
    (out.status.code(), v)
}

/// The differences of a JSON work list as rows, in output order.
fn rows(v: &Value) -> Vec<Got> {
    let mut out = Vec::new();
    for sys in v["systems"].as_array().unwrap() {
        let name = sys["system"].as_str().unwrap_or("-").to_string();
        for kind in ["appear", "disappear", "change"] {
            for d in sys[kind].as_array().unwrap() {
                let loc = &d["location"];
                let file = Path::new(loc["path"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let sev = |x: &Value| x.as_str().map(str::to_string);
                let (before, after) = match kind {
                    "appear" => (None, sev(&d["severity"])),
                    "disappear" => (sev(&d["severity"]), None),
                    _ => (sev(&d["before"]["severity"]), sev(&d["after"]["severity"])),
                };
                out.push((
                    name.clone(),
                    kind.to_string(),
                    d["rule"].as_str().unwrap().to_string(),
                    file,
                    loc["line"].as_u64().unwrap(),
                    before,
                    after,
                ));
            }
        }
    }
    out
}

fn owned(rows: &[Row]) -> Vec<Got> {
    rows.iter()
        .map(|(s, k, r, f, l, b, a)| {
            (
                s.to_string(),
                k.to_string(),
                r.to_string(),
                f.to_string(),
                *l,
                b.map(str::to_string),
                a.map(str::to_string),
            )
        })
        .collect()
}

/// The same rows with appear and disappear swapped, and before and after.
fn reversed(rows: &[Row]) -> Vec<Row> {
    rows.iter()
        .map(|&(s, k, r, f, l, b, a)| {
            let k = match k {
                "appear" => "disappear",
                "disappear" => "appear",
                k => k,
            };
            (s, k, r, f, l, a, b)
        })
        .collect()
}

fn downshire_copies() -> Vec<std::path::PathBuf> {
    let mut v = vec![root().join("tests/shared/examples/downshire")];
    let beside = shared_examples().join("downshire");
    if beside != v[0] {
        v.push(beside);
    }
    v
}

#[test]
fn downshire_2022_to_2025_is_the_hand_written_list() {
    for dir in downshire_copies() {
        let d = dir.to_string_lossy();
        let (code, v) = transition_json(&["--from", "2022", "--to", "2025", &d], &root());
        assert_eq!(code, Some(0), "{v}");
        assert_eq!(rows(&v), owned(DOWNSHIRE_2022_TO_2025), "{d}");
        assert_eq!(v["summary"]["appear"], 4);
        assert_eq!(v["summary"]["disappear"], 0);
        assert_eq!(v["summary"]["change"], 2);
        // What a governance lead reads: the 2025 wording of STA008 and what to write for NHC003.
        let dr = &v["systems"][0];
        assert_eq!(dr["name"], "Downs and Riverside Integrated Care System");
        assert_eq!(dr["states_regime"], 2025);
        let sta008 = &dr["change"][0];
        assert!(sta008["before"]["message"].as_str().unwrap().starts_with(
            "Downs and Riverside Integrated Care System needs an integrated care partnership"
        ));
        assert!(sta008["after"]["message"]
            .as_str()
            .unwrap()
            .contains("under the 2025 regime this is advice"));
        assert_eq!(
            dr["appear"][0]["message"],
            "NHS Downs and Riverside Integrated Care Board has no partner member nominated by the mayor of Downs and Riverside Combined Authority"
        );
    }
}

#[test]
fn the_reverse_move_mirrors_the_list() {
    let d = root().join("tests/shared/examples/downshire");
    let (_, v) = transition_json(
        &["--from", "2025", "--to", "2022", &d.to_string_lossy()],
        &root(),
    );
    let mut expected = reversed(DOWNSHIRE_2022_TO_2025);
    // Within a system the lists come in the order appear, disappear, change.
    expected.sort_by_key(|r| {
        (
            r.0 != "downs_riverside",
            ["appear", "disappear", "change"]
                .iter()
                .position(|k| *k == r.1),
        )
    });
    assert_eq!(rows(&v), owned(&expected));
}

#[test]
fn without_from_each_system_starts_from_its_own_regime() {
    // downs_riverside already states 2025: nothing changes for it.
    let d = root().join("tests/shared/examples/downshire");
    let (_, v) = transition_json(&["--to", "2025", &d.to_string_lossy()], &root());
    let expected: Vec<Row> = DOWNSHIRE_2022_TO_2025
        .iter()
        .copied()
        .filter(|r| r.0 == "chalk_hills")
        .collect();
    assert_eq!(rows(&v), owned(&expected));
    assert_eq!(v["from"]["regime"], Value::Null);
    assert_eq!(v["to"]["regime"], 2025);
    let dr = &v["systems"][0];
    assert_eq!(dr["system"], "downs_riverside");
    assert!(
        dr["appear"].as_array().unwrap().is_empty() && dr["change"].as_array().unwrap().is_empty()
    );
}

#[test]
fn human_output_is_a_work_list_by_system() {
    let out = icslint(
        &[
            "transition",
            "--from",
            "2022",
            "--to",
            "2025",
            "tests/shared/examples/downshire",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let dr = text
        .find("Downs and Riverside Integrated Care System (downs_riverside; states regime 2025)")
        .expect(&text);
    let ch = text
        .find("Chalk Hills Integrated Care System (chalk_hills; states regime 2022)")
        .expect(&text);
    assert!(dr < ch, "{text}");
    let block = &text[dr..ch];
    assert!(block.contains("would appear (3):"), "{block}");
    assert!(
        block.contains("+ NHC004 advice at tests/shared/examples/downshire/icbs.icg:17:5:"),
        "{block}"
    );
    assert!(
        block.contains("to do: Add a partner member with `nominated_by mayor`"),
        "{block}"
    );
    assert!(
        block
            .contains("~ STA008 error → advice at tests/shared/examples/downshire/systems.icg:4:1"),
        "{block}"
    );
    assert!(
        block.contains("was: ") && block.contains("now: "),
        "{block}"
    );
    assert!(!block.contains("would disappear"), "{block}");
    assert!(
        text.trim_end()
            .ends_with("4 findings would appear, 0 would disappear, 2 would change, in 2 systems."),
        "{text}"
    );
}

#[test]
fn regime_errors_are_usage_errors() {
    let d = "tests/shared/examples/downshire";
    let out = icslint(
        &["transition", "--from", "2023", "--to", "2025", d],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the regime must be 2022, 2025 or 2026"),
        "{}",
        stderr(&out)
    );
    let out = icslint(&["transition", d], &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("say what to compare"),
        "{}",
        stderr(&out)
    );
    let out = icslint(
        &["transition", "--packs-to", "tests/data/no-such-folder", d],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the folder of rule packs tests/data/no-such-folder does not exist"),
        "{}",
        stderr(&out)
    );
    let out = icslint(
        &[
            "transition",
            "--packs-to",
            "tests/data/pack-editions/documents",
            d,
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds no rule packs"),
        "{}",
        stderr(&out)
    );
}

/// Two editions of a small pack over the same documents: a rule whose
/// severity changes, one whose message changes, one removed, one added,
/// one unchanged (never listed), and a 2025-only rule.
#[test]
fn two_pack_editions_on_the_same_documents() {
    let base = "tests/data/pack-editions";
    let args = [
        "--packs-from",
        &format!("{base}/edition-1"),
        "--packs-to",
        &format!("{base}/edition-2"),
        &format!("{base}/documents"),
    ]
    .map(String::from);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, v) = transition_json(&a, &root());
    assert_eq!(code, Some(0), "{v}");
    let expected: &[Row] = &[
        (
            "hilltop",
            "appear",
            "EDN003",
            "hilltop.icg",
            6,
            None,
            Some("warning"),
        ),
        (
            "hilltop",
            "disappear",
            "EDN002",
            "hilltop.icg",
            6,
            Some("advice"),
            None,
        ),
        (
            "hilltop",
            "change",
            "EDN001",
            "hilltop.icg",
            8,
            Some("warning"),
            Some("error"),
        ),
        (
            "hilltop",
            "change",
            "EDN004",
            "hilltop.icg",
            6,
            Some("warning"),
            Some("warning"),
        ),
    ];
    let mut got = rows(&v);
    got.sort();
    let mut want = owned(expected);
    want.sort();
    assert_eq!(got, want);
    assert_eq!(v["from"]["packs"], format!("{base}/edition-1"));
    // EDN004: the same severity, a new message.
    let change = &v["systems"][0]["change"];
    let edn004 = change
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "EDN004")
        .unwrap();
    assert_ne!(edn004["before"]["message"], edn004["after"]["message"]);

    // Combined with a regime move: edition 2's EDN005 runs under 2025 only.
    let mut b = a.clone();
    b.extend(["--from", "2022", "--to", "2025"]);
    let (_, v) = transition_json(&b, &root());
    let got: Vec<String> = rows(&v)
        .into_iter()
        .map(|r| format!("{} {}", r.1, r.2))
        .collect();
    assert!(got.contains(&"appear EDN005".to_string()), "{got:?}");
    // The same edition on both sides and no regime move: nothing differs.
    let (_, v) = transition_json(
        &[
            "--packs-from",
            &format!("{base}/edition-2"),
            "--packs-to",
            &format!("{base}/edition-2"),
            &format!("{base}/documents"),
        ],
        &root(),
    );
    assert!(rows(&v).is_empty(), "{v}");
}

/// A path that cannot be read leaves part of the workspace unchecked: the
/// list must not claim that every finding is the same on both sides.
#[test]
fn an_unchecked_workspace_is_not_called_the_same() {
    let out = icslint(
        &[
            "transition",
            "--from",
            "2022",
            "--to",
            "2025",
            "no-such-folder",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("No differences among what could be checked"),
        "{text}"
    );
    assert!(!text.contains("every finding is the same"), "{text}");
}
