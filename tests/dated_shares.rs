//! Shares that hold on the days they state (`share @s 56% until
//! 2026-03-31`, `share @t 100% from 2026-04-01`): the typology, the shares'
//! diagnostics, the rules and the report read the shares in force on the
//! run's day (`--as-of`). The fixtures' `# expect:` marks hold on any day
//! from 1 April 2026 (`icslint test` runs as of today); the day before is
//! checked here.

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

/// (rule, line) of every finding, sorted.
fn rules_and_lines(all: &[Value]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = all
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn typology(path: &str, day: &str) -> String {
    let out = icslint(&["typology", "--as-of", day, path], &root());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// The README shows these two tables: keep them the same.
#[test]
fn typology_of_the_merged_icb_on_each_side_of_1_april_2026() {
    let before = typology("examples/merged-icb", "2026-03-31");
    assert_eq!(
        before,
        "# authority    type   shares\n\
         aldmere_cc     2      aldmere 100%\n\
         kestley        2      aldmere 100%\n\
         brackwater_bc  2      brackwater 100%\n\
         fenby_cc       4      brackwater 74%, aldmere 26%\n"
    );
    let after = typology("examples/merged-icb", "2026-04-01");
    assert_eq!(
        after,
        "# authority    type   shares\n\
         aldmere_cc     3      marches 100%\n\
         kestley        3      marches 100%\n\
         brackwater_bc  3      marches 100%\n\
         fenby_cc       3      marches 100%\n"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for table in [&before, &after] {
        assert!(readme.contains(table.as_str()), "README lacks\n{table}");
    }
    // Today (after the merger) is the default.
    let out = icslint(&["typology", "examples/merged-icb"], &root());
    assert_eq!(stdout(&out), after);
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    let out = icslint(
        &["typology", "--as-of", "2026-02-30", "examples/merged-icb"],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("2026-02-30 is not a day of the calendar"),
        "{}",
        stderr(&out)
    );
}

/// Both ends of a period are included: the last day of the old footprint
/// and the first of the new one.
#[test]
fn a_share_holds_on_its_first_and_last_day_only() {
    let path = "tests/fixtures/dated-shares/merger";
    assert!(typology(path, "2026-03-31").contains("wold_cc        4      west 60%, east 40%"));
    assert!(typology(path, "2026-04-01").contains("wold_cc        1      wold 100%"));
    assert!(typology(path, "1999-01-01").contains("wold_cc        4      west 60%, east 40%"));
    let later = typology(path, "2030-06-30");
    assert!(later.contains("wold_cc        1      wold 100%"), "{later}");
    assert!(
        later.contains("# lapsed has no share in any system on 2030-06-30."),
        "{later}"
    );
}

/// A rule reads the shares of the day: CCN081 (a split county) before the
/// merger, not after; CCN112 (a lone council voice in a system of four) after
/// it, not before.
#[test]
fn rules_read_the_shares_in_force_on_the_day() {
    let before = findings(&["check", "examples/merged-icb", "--as-of", "2026-03-31"]);
    assert_eq!(
        rules_and_lines(&before),
        vec![("CCN081".to_string(), 62)],
        "{before:#?}"
    );
    assert!(before[0]["message"]
        .as_str()
        .unwrap()
        .contains("Brackwater and Fenby Integrated Care System (74%) and Aldmere and Kestley Integrated Care System (26%)"));
    let after = findings(&["check", "examples/merged-icb", "--as-of", "2026-04-01"]);
    assert_eq!(
        rules_and_lines(&after),
        vec![("CCN112".to_string(), 57)],
        "{after:#?}"
    );
    assert!(after[0]["message"]
        .as_str()
        .unwrap()
        .contains("for 4 upper-tier councils"));
}

/// ICG006 and ICG014 add up the shares of the day; the overlap (ICG022),
/// the gap (ICG023) and a malformed period (ICG003) are the same on any day.
#[test]
fn the_shares_diagnostics_are_those_of_the_day() {
    let path = "tests/fixtures/dated-shares/periods";
    let on = |day: &str| {
        let all = findings(&["check", path, "--as-of", day]);
        (rules_and_lines(&all), all)
    };
    let (after, all) = on("2026-04-01");
    let (before, before_all) = on("2026-03-31");
    let dateless = |v: &[(String, u64)]| -> Vec<(String, u64)> {
        v.iter()
            .filter(|(r, _)| r != "ICG006" && r != "ICG014")
            .cloned()
            .collect()
    };
    assert_eq!(dateless(&after), dateless(&before));
    assert_eq!(
        dateless(&after)
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>(),
        vec!["ICG003"; 7]
            .into_iter()
            .chain(["ICG022", "ICG022", "ICG023"])
            .collect::<Vec<_>>()
    );
    // From 1 April: Over (130%) and Under (80%).
    let sums = |v: &[(String, u64)]| -> Vec<(String, u64)> {
        v.iter()
            .filter(|(r, _)| r == "ICG006" || r == "ICG014")
            .cloned()
            .collect()
    };
    assert_eq!(
        sums(&after),
        vec![("ICG006".to_string(), 61), ("ICG014".to_string(), 71)]
    );
    let over = all.iter().find(|f| f["rule"] == "ICG006").unwrap();
    assert_eq!(
        over["message"],
        "the population shares of Over County Council add up to 130% on 2026-04-01"
    );
    // On 31 March: Over and Under are whole in Old Vale; Twice Council's
    // two periods of North Vale both start before it, so with Old Vale it
    // is in 200%; Gap District Council is in no system on that day, which
    // falls between its periods.
    assert_eq!(
        sums(&before),
        vec![("ICG006".to_string(), 17), ("ICG014".to_string(), 37)]
    );
    let twice = before_all.iter().find(|f| f["rule"] == "ICG006").unwrap();
    assert!(twice["message"]
        .as_str()
        .unwrap()
        .contains("Twice Council add up to 200% on 2026-03-31"));
    let gap = all.iter().find(|f| f["rule"] == "ICG023").unwrap();
    assert_eq!(
        gap["message"],
        "no share of Gap District Council holds on 2026-03-31, between its dated shares: on that day it is in no system"
    );
    let overlap = all.iter().find(|f| f["rule"] == "ICG022").unwrap();
    assert_eq!(
        overlap["message"],
        "Twice Council gives two shares of @north for the same days (from 2026-04-01 until 2026-06-30)"
    );
}

/// The report's authorities, their types and shares, are those of its day.
#[test]
fn the_report_is_as_of_its_day() {
    let report = |day: &str| -> Value {
        let out = icslint(
            &[
                "report",
                "examples/merged-icb",
                "--format",
                "json",
                "--as-of",
                day,
            ],
            &root(),
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("JSON: {e}\n{}{}", stdout(&out), stderr(&out)))
    };
    let fenby = |v: &Value, system: &str| -> Option<(u64, f64)> {
        let s = v["systems"]
            .as_array()?
            .iter()
            .find(|s| s["id"] == system)?;
        let a = s["authorities"]
            .as_array()?
            .iter()
            .find(|a| a["id"] == "fenby_cc")?;
        Some((a["typology"].as_u64()?, a["share"].as_f64()?))
    };
    let before = report("2026-03-31");
    assert_eq!(before["as_of"], "2026-03-31");
    assert_eq!(fenby(&before, "brackwater"), Some((4, 74.0)));
    assert_eq!(fenby(&before, "aldmere"), Some((4, 26.0)));
    assert_eq!(fenby(&before, "marches"), None);
    let after = report("2026-04-01");
    assert_eq!(fenby(&after, "marches"), Some((3, 100.0)));
    assert_eq!(fenby(&after, "brackwater"), None);
}

/// `icslint test --as-of` checks marks as of that day: the fixtures' marks
/// are for the days from 1 April 2026, so the day before fails them where
/// the shares' sums differ, and the day itself passes.
#[test]
fn icslint_test_runs_as_of_the_day_given() {
    let out = icslint(
        &[
            "test",
            "tests/fixtures/dated-shares",
            "--as-of",
            "2026-04-01",
        ],
        &root(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = icslint(
        &[
            "test",
            "tests/fixtures/dated-shares",
            "--as-of",
            "2026-03-31",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("expected ICG006, but it was not found"),
        "{text}"
    );
    assert!(text.contains("ICG006"), "{text}");
}

/// A council whose dated shares have all ended (or not yet begun) is in no
/// system on the day: ICG014 says so and when its last share ended; on a
/// day its share holds there is nothing to say.
#[test]
fn a_council_with_no_share_on_the_day_is_told_so() {
    let path = "tests/fixtures/dated-shares/merger";
    let icg014 = |day: &str| -> Vec<String> {
        findings(&["check", path, "--as-of", day])
            .iter()
            .filter(|f| f["rule"] == "ICG014")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        icg014("2030-06-30"),
        ["no share of Lapsed Council holds on 2030-06-30, the day checked: its last ended on 2026-03-31"]
    );
    assert!(icg014("2026-03-31").is_empty());
    assert!(icg014("1999-01-01").is_empty());
}
