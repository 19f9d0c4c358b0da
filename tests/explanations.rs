//! Comply or explain on the command line: `--as-of`, explained findings in
//! the exit status, summary, statistics, baselines, fixes and every format,
//! and the documentation of which rules may be explained. The annotated
//! workspaces are in tests/fixtures/explanations/ (run by `icslint test`
//! in tests/cli.rs); these tests check what annotations cannot.

mod common;
use common::*;
use serde_json::Value;

const EXPIRED: &str = "tests/fixtures/explanations/expired";
const VALID: &str = "tests/fixtures/explanations/valid";

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = icslint(&a, &root());
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}{}", stdout(&out), stderr(&out)));
    (out.status.code(), v)
}

/// (rule, status, message) of every finding.
fn statuses(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn as_of_decides_whether_an_explanation_has_lapsed() {
    // Wessex Vale's explanation was due for review on 2024-06-01.
    let (code, before) = json(&[
        "check",
        EXPIRED,
        "--as-of",
        "2024-05-31",
        "--fail-on",
        "warning",
    ]);
    let s = statuses(&before);
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s
        .iter()
        .all(|(r, st, _)| r == "CCN161" && st == "explained"));
    assert_eq!(code, Some(0), "explained findings do not fail the run");

    // The review date itself is still in force; the day after is not.
    let (_, on_the_day) = json(&["check", EXPIRED, "--as-of", "2024-06-01"]);
    assert!(statuses(&on_the_day).iter().all(|s| s.1 == "explained"));

    let (code, after) = json(&[
        "check",
        EXPIRED,
        "--as-of",
        "2024-06-02",
        "--fail-on",
        "warning",
    ]);
    let s = statuses(&after);
    let open: Vec<_> = s.iter().filter(|x| x.1 == "open").collect();
    assert_eq!(open.len(), 1, "{s:?}");
    assert!(
        open[0]
            .2
            .ends_with("(explanation due for review since 2024-06-01)"),
        "{}",
        open[0].2
    );
    assert_eq!(code, Some(1));
    let lapsed = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "open")
        .unwrap();
    assert_eq!(lapsed["explanation"]["overdue"], true);
    assert!(lapsed["help"]
        .as_str()
        .unwrap()
        .starts_with("the explanation approved by NHS Wessex Vale ICB on 2023-06-01 was due for review on 2024-06-01"));
}

#[test]
fn as_of_without_a_date_uses_todays() {
    // Both fixtures' dates are far from today: 2024 has passed, 2099 has not.
    let (_, v) = json(&["check", EXPIRED]);
    let s = statuses(&v);
    assert_eq!(s.iter().filter(|x| x.1 == "explained").count(), 1, "{s:?}");
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    for (bad, says) in [
        ("2024-02-30", "2024-02-30 is not a day of the calendar"),
        ("01/06/2024", "write it as YYYY-MM-DD"),
        ("2024-6-1", "write it as YYYY-MM-DD"),
        ("tomorrow", "write it as YYYY-MM-DD"),
    ] {
        let out = icslint(&["check", EXPIRED, "--as-of", bad], &root());
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains(says), "{bad}: {}", stderr(&out));
    }
}

#[test]
fn icslint_test_checks_as_of_a_day_too() {
    let today = icslint(&["test", EXPIRED], &root());
    assert_eq!(today.status.code(), Some(0), "{}", stdout(&today));
    // Before the review date, the annotation `# expect: CCN161` is wrong:
    // the finding is `explained CCN161`.
    let before = icslint(&["test", EXPIRED, "--as-of", "2024-05-31"], &root());
    assert_eq!(before.status.code(), Some(1));
    assert!(
        stdout(&before).contains("unexpected explained CCN161"),
        "{}",
        stdout(&before)
    );
}

#[test]
fn the_summary_and_statistics_count_explained_findings_apart() {
    let out = icslint(&["check", VALID, "--as-of", "2025-07-01"], &root());
    let text = stdout(&out);
    assert!(
        text.contains(
            "Found 0 errors, 1 warning and 0 advice in 2 files; 1 departure explained by the board."
        ),
        "{text}"
    );
    // Only the unexplained finding's fix is offered.
    assert!(text.contains("1 more finding can be fixed"), "{text}");
    let stats = stdout(&icslint(
        &["check", VALID, "--as-of", "2025-07-01", "--statistics"],
        &root(),
    ));
    assert_eq!(
        stats.trim_end(),
        "1\tCCN111\tmembership-review  [fixable]  [1 explained]",
        "{stats}"
    );
    let sv_only = stdout(&icslint(
        &[
            "check",
            "tests/fixtures/explanations/valid/wessex.icg",
            "--as-of",
            "2025-07-01",
        ],
        &root(),
    ));
    assert!(
        sv_only.contains("No findings in 1 file; 1 departure explained by the board."),
        "{sv_only}"
    );
}

#[test]
fn fixes_leave_an_explained_departure_alone() {
    let out = icslint(
        &[
            "check",
            VALID,
            "--as-of",
            "2025-07-01",
            "--diff",
            "--unsafe-fixes",
        ],
        &root(),
    );
    let diff = stdout(&out);
    assert!(diff.contains("northvale.icg"), "{diff}");
    assert!(!diff.contains("wessex.icg"), "{diff}");
}

#[test]
fn a_baseline_neither_records_nor_hides_explained_findings() {
    let dir = scratch("explained-baseline");
    let text = std::fs::read_to_string(root().join(VALID).join("wessex.icg")).unwrap();
    write(&dir, "wessex.icg", &text);
    write(&dir, "icslint.yaml", "select: [CCN111]\n");
    let base = icslint(
        &["check", ".", "--format", "json", "--as-of", "2025-07-01"],
        &dir,
    );
    write(&dir, "baseline.json", &stdout(&base));
    // The board withdraws its explanation: the finding is a failure, with
    // the same message as the one the baseline saw explained.
    let start = text.find("    explain CCN111").unwrap();
    let end = start + text[start..].find("    }\n").unwrap() + "    }\n".len();
    write(
        &dir,
        "wessex.icg",
        &format!("{}{}", &text[..start], &text[end..]),
    );
    let out = icslint(
        &[
            "check",
            ".",
            "--baseline",
            "baseline.json",
            "--fail-on",
            "warning",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        !stdout(&out).contains("recorded in the baseline"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn ci_formats_report_explained_findings_as_notices() {
    let args = |f: &'static str| ["check", EXPIRED, "--as-of", "2025-07-01", "--format", f];
    let github = stdout(&icslint(&args("github"), &root()));
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 2, "{github}");
    assert!(
        lines.iter().any(|l| l.starts_with("::warning ")),
        "{github}"
    );
    let notice = lines.iter().find(|l| l.starts_with("::notice ")).unwrap();
    assert!(
        notice.contains("explained: approved by NHS Southvale ICB"),
        "{notice}"
    );

    let gitlab: Value = serde_json::from_slice(&icslint(&args("gitlab"), &root()).stdout).unwrap();
    let sev: Vec<&str> = gitlab
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["minor", "info"]);

    // Both findings are one rule in one file: a failure while one is open,
    // a passing case when every finding is explained.
    let junit = stdout(&icslint(&args("junit"), &root()));
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let junit = stdout(&icslint(
        &[
            "check",
            EXPIRED,
            "--as-of",
            "2024-01-01",
            "--format",
            "junit",
        ],
        &root(),
    ));
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(junit.contains("<system-out>"), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");

    let plain = stdout(&icslint(&args("plain"), &root()));
    assert!(
        plain.contains("Explained CCN161, strategic agenda"),
        "{plain}"
    );
}

#[test]
fn sarif_suppressions_validate_against_the_schema() {
    let doc: Value = serde_json::from_slice(
        &icslint(
            &[
                "check",
                EXPIRED,
                "--as-of",
                "2025-07-01",
                "--format",
                "sarif",
            ],
            &root(),
        )
        .stdout,
    )
    .unwrap();
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
}

#[test]
fn the_catalogue_says_which_rules_may_be_explained() {
    let ccn = stdout(&icslint(&["explain", "CCN161"], &root()));
    assert!(ccn.contains("Comply or explain"), "{ccn}");
    let sta = stdout(&icslint(&["explain", "STA003"], &root()));
    assert!(sta.contains("Not explainable"), "{sta}");
    let rules: Value =
        serde_json::from_slice(&icslint(&["rules", "--json"], &root()).stdout).unwrap();
    for r in rules.as_array().unwrap() {
        // A Bill's duties (health-bill-2026) are duties too, if provisional.
        let statutory = r["pack"] == "statutory" || r["pack"] == "health-bill-2026";
        assert_eq!(r["explainable"], !statutory, "{}", r["id"]);
    }
}

/// Citations through the library: the nearest `clause` above a finding,
/// a block's first clause for its header, a parent's for a nested block
/// without one; none without a `document`.
#[test]
fn findings_cite_the_document_and_the_nearest_clause_above_them() {
    use icslint::config::Config;
    use icslint::engine::{Engine, Options};
    use icslint::workspace::Workspace;
    let text = r#"document "Wessex Vale ICB Constitution" { version "3.2"; url "https://example.org/c" }
system wv "Wessex Vale ICS" { regime 2022 }
icb wv_icb "NHS Wessex Vale ICB" {
    clause "4"
    system @wv
    membership_review every 24 months
    clause "4.2"
    agenda { strategic_share 40% }
    committee audit "Audit" { clause "7.1"; operational yes }
}
icp wv_icp "Wessex Vale Integrated Care Partnership" { system @wv }
"#;
    let other =
        "icb nv_icb \"NHS Northvale ICB\" { system @wv; membership_review every 24 months }\n";
    // After a nested block that has ended: the block around it, found by
    // walking up from the last block that starts before the finding.
    let after = "document \"Southvale ICB Constitution\" {}\nicb sv_icb \"NHS Southvale ICB\" {\n    system @wv\n    clause \"2\"\n    agenda { clause \"9\"; strategic_share 60% }\n    membership_review every 24 months\n}\n";
    let ws = Workspace::from_texts(
        &[
            ("constitution.icg", text),
            ("northvale.icg", other),
            ("southvale.icg", after),
        ],
        Config::default(),
    );
    let opts = Options {
        select: vec![
            "CCN111".into(),
            "CCN161".into(),
            "CCN181".into(),
            "ICG".into(),
        ],
        ..Options::default()
    };
    let findings = Engine::new(&ws, opts).run();
    let cite = |rule: &str, line: usize| {
        let f = findings
            .iter()
            .find(|f| f.rule == rule && ws.sources.get(f.file).line_of(f.span.start) == line)
            .unwrap_or_else(|| panic!("{rule} on line {line}: {findings:#?}"));
        f.citation.as_ref().map(|c| c.to_string())
    };
    let doc = "Wessex Vale ICB Constitution v3.2";
    // An attribute after `clause "4"`, before `clause "4.2"`.
    assert_eq!(cite("CCN111", 6), Some(format!("{doc}, clause 4")));
    // A nested block after `clause "4.2"`, with no clause of its own.
    assert_eq!(cite("CCN161", 8), Some(format!("{doc}, clause 4.2")));
    // The ICB's header takes its first clause: CCN181 (no board development).
    assert_eq!(cite("CCN181", 3), Some(format!("{doc}, clause 4")));
    // A block without clauses cites the document alone.
    assert_eq!(cite("CCN181", 11), Some(doc.to_string()));
    // A file without a document cites nothing.
    assert_eq!(cite("CCN111", 1), None);
    let sv = findings
        .iter()
        .find(|f| f.rule == "CCN111" && ws.sources.path(f.file).ends_with("southvale.icg"))
        .unwrap();
    assert_eq!(
        sv.citation.as_ref().map(|c| c.to_string()).as_deref(),
        Some("Southvale ICB Constitution, clause 2")
    );
    let f = findings.iter().find(|f| f.citation.is_some()).unwrap();
    assert_eq!(
        f.citation.as_ref().unwrap().url.as_deref(),
        Some("https://example.org/c")
    );
}

#[test]
fn an_explanation_agreed_after_the_as_of_day_does_not_yet_apply() {
    let (code, v) = json(&[
        "check",
        EXPIRED,
        "--as-of",
        "2023-05-31",
        "--fail-on",
        "warning",
    ]);
    let s = statuses(&v);
    assert_eq!(s.len(), 2, "no ICG019 either: {s:?}");
    assert!(
        s.iter().all(|(r, st, _)| r == "CCN161" && st == "open"),
        "{s:?}"
    );
    assert_eq!(code, Some(1));
    let help = v["findings"][0]["help"].as_str().unwrap();
    assert!(
        help.ends_with(
            "the explanation of CCN161 here was agreed on 2023-06-01, after 2023-05-31, the day this check is as of"
        ),
        "{help}"
    );
}

#[test]
fn junit_escapes_control_characters_a_reason_or_title_holds() {
    // XML 1.0 forbids most control characters even as `&#1;`: written as
    // they are, no CI server can read the report.
    let dir = scratch("junit-controls");
    write(
        &dir,
        "wessex.icg",
        "document \"Constitution \u{1} <v2> & \\\"co\\\"\" { version \"1\" }\n\
         system wv \"Wessex Vale ICS\" { regime 2022 }\n\
         icb wv_icb \"NHS Wessex Vale ICB\" {\n    system @wv\n    agenda { strategic_share 40% }\n    \
         explain CCN161 \"In recovery \u{1b}[31m <script> & ]]> \u{7}\" { approved_by @wv_icb; agreed 2023-06-01 }\n}\n",
    );
    let out = icslint(
        &["check", ".", "--format", "junit", "--as-of", "2024-01-01"],
        &dir,
    );
    let xml = stdout(&out);
    assert!(xml.contains("<system-out>"), "{xml}{}", stderr(&out));
    let bad: Vec<char> = xml
        .chars()
        .filter(|&c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    assert!(bad.is_empty(), "forbidden characters {bad:?} in\n{xml}");
    assert!(
        xml.contains("In recovery \\u{1b}[31m &lt;script&gt; &amp; ]]&gt; \\u{7}"),
        "{xml}"
    );
    // Every format cites the document (README: "in every format").
    assert!(
        xml.contains("document: Constitution \\u{1} &lt;v2&gt; &amp; &quot;co&quot; v1"),
        "{xml}"
    );
    let gitlab: Value =
        serde_json::from_slice(&icslint(&["check", ".", "--format", "gitlab"], &dir).stdout)
            .unwrap();
    let cited = gitlab.as_array().unwrap().iter().all(|i| {
        i["description"]
            .as_str()
            .unwrap()
            .contains("document: Constitution")
    });
    assert!(cited, "{gitlab:#}");
}

#[test]
fn a_review_date_before_the_agreed_date_is_reported() {
    let dir = scratch("review-before-agreed");
    write(
        &dir,
        "wessex.icg",
        "system wv \"Wessex Vale ICS\" { regime 2022 }\n\
         icb wv_icb \"NHS Wessex Vale ICB\" {\n    system @wv\n    agenda { strategic_share 40% }\n    \
         explain CCN161 \"In recovery\" { approved_by @wv_icb; agreed 2025-06-01; review 2025-01-01 }\n}\n",
    );
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = statuses(&v);
    assert!(
        s.iter().any(|(r, st, m)| r == "ICG003"
            && st == "open"
            && m.contains("due for review on 2025-01-01, before it was agreed on 2025-06-01")),
        "{s:?}"
    );
}

/// Text a screen reader or a terminal receives never carries raw control
/// characters, including the board's reason and the document's title.
#[test]
fn plain_and_human_output_escape_control_characters_in_reasons_and_titles() {
    let dir = scratch("plain-controls");
    write(
        &dir,
        "wessex.icg",
        "document \"Constitution \u{1b}]0;owned\u{7}\" { version \"1\" }\n\
         system wv \"Wessex Vale ICS\" { regime 2022 }\n\
         icb wv_icb \"NHS Wessex Vale ICB\" {\n    system @wv\n    agenda { strategic_share 40% }\n    \
         explain CCN161 \"In recovery \u{1b}[31m\u{1}\" { approved_by @wv_icb; agreed 2023-06-01 }\n}\n",
    );
    for format in ["plain", "human"] {
        let out = icslint(
            &["check", ".", "--format", format, "--as-of", "2024-01-01"],
            &dir,
        );
        let text = stdout(&out);
        assert!(text.contains("In recovery"), "{format}: {text}");
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| c < ' ' && !matches!(c, '\n' | '\t'))
            .filter(|&c| format == "plain" || c != '\u{1b}')
            .collect();
        assert!(raw.is_empty(), "{format}: raw {raw:?} in\n{text}");
        assert!(!text.contains("\u{1b}]0;"), "{format}: {text}");
    }
}

/// Findings that cite the same document and clause share one citation
/// (where every file names its document, every finding cites one: a copy
/// each was 11 MB at 100x national), and those that cite another do not.
#[test]
fn findings_citing_one_clause_share_its_citation() {
    use icslint::engine::{Engine, Options};
    use icslint::workspace::Workspace;
    let text = "document \"Constitution\" { version \"1\" }\n\
                system s \"S ICS\" { regime 2022 }\n\
                icb a \"NHS A ICB\" {\n    clause \"2\"\n    system @s\n}\n\
                icb b \"NHS B ICB\" {\n    clause \"3\"\n    system @s\n}\n";
    let ws = Workspace::from_texts(&[("c.icg", text)], Default::default());
    let findings = Engine::new(&ws, Options::default()).run();
    let of = |clause: &str| -> Vec<_> {
        findings
            .iter()
            .filter_map(|f| f.citation.clone())
            .filter(|c| c.clause.as_deref() == Some(clause))
            .collect()
    };
    let (two, three) = (of("2"), of("3"));
    assert!(
        two.len() >= 2 && three.len() >= 2,
        "{} and {}",
        two.len(),
        three.len()
    );
    assert!(two.iter().all(|c| std::sync::Arc::ptr_eq(c, &two[0])));
    assert!(three.iter().all(|c| std::sync::Arc::ptr_eq(c, &three[0])));
    assert!(!std::sync::Arc::ptr_eq(&two[0], &three[0]));
}

#[test]
fn the_innermost_explanation_claims_a_finding_whatever_the_order_written() {
    // The strategy's explanation is written after the one inside the first
    // priority; the priority's own still claims that priority's finding.
    const NESTED: &str = "tests/fixtures/explanations/nested";
    let inner = (
        "Children's services set their ambitions after the 2025 inspection",
        "NHS Wessex Vale ICB",
    );
    let outer = (
        "The partnership sets its ambitions when the strategy is refreshed",
        "Wessex Vale Integrated Care Partnership",
    );
    let (code, v) = json(&[
        "check",
        NESTED,
        "--as-of",
        "2026-01-01",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, Some(0), "{v}");
    let findings = v["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["CCN041", "CCN041"],
        "no ICG019 on either explanation"
    );
    let claimed: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["message"].as_str().unwrap(),
                f["explanation"]["reason"].as_str().unwrap(),
                f["explanation"]["approved_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(claimed[0].0.contains("\"Start well\""), "{claimed:?}");
    assert_eq!((claimed[0].1, claimed[0].2), inner);
    assert!(claimed[1].0.contains("\"Age well\""), "{claimed:?}");
    assert_eq!((claimed[1].1, claimed[1].2), outer);

    // The board's report shows the same reasons and approvers.
    let out = icslint(
        &[
            "report",
            NESTED,
            "--format",
            "json",
            "--as-of",
            "2026-01-01",
        ],
        &root(),
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown: Vec<(String, String, String)> = r["systems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["sources"].as_array().unwrap())
        .flat_map(|s| s["provisions"].as_array().unwrap())
        .filter(|p| p["id"] == "CCN041")
        .flat_map(|p| p["findings"].as_array().unwrap())
        .map(|f| {
            assert_eq!(f["severity"], "explained", "{f}");
            (
                f["location"].as_str().unwrap().to_string(),
                f["explanation"]["reason"].as_str().unwrap().to_string(),
                f["explanation"]["approved_by"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[0].0.ends_with("wessex.icg:16"), "{shown:?}");
    assert_eq!((shown[0].1.as_str(), shown[0].2.as_str()), inner);
    assert!(shown[1].0.ends_with("wessex.icg:23"), "{shown:?}");
    assert_eq!((shown[1].1.as_str(), shown[1].2.as_str()), outer);
}
