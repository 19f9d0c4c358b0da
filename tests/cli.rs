//! The command line as users and CI meet it: exit codes, output formats,
//! selection, configuration, suppressions, baselines and local packs.

mod common;
use common::*;
use serde_json::Value;

fn json(args: &[&str], cwd: &std::path::Path) -> (Option<i32>, Value) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = icslint(&a, cwd);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}{}", stdout(&out), stderr(&out)));
    (out.status.code(), v)
}

fn built_in_rule_count() -> usize {
    let ws = icslint::workspace::Workspace::from_texts(&[], icslint::config::Config::default());
    ws.packs.iter().map(|(_, p)| p.rules.len()).sum()
}

fn rules_of(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn northmoor() -> String {
    shared_examples()
        .join("northmoor")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn exit_status_follows_fail_on() {
    let r = root();
    assert_eq!(icslint(&["check", "examples"], &r).status.code(), Some(0));
    assert_eq!(
        icslint(&["check", "examples", "--fail-on", "warning"], &r)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(icslint(&["check", &northmoor()], &r).status.code(), Some(1));
    assert_eq!(
        icslint(&["check", &northmoor(), "--fail-on", "never"], &r)
            .status
            .code(),
        Some(0)
    );
    let missing = icslint(&["check", "no/such/dir"], &r);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stdout(&missing).contains("no/such/dir cannot be read: it does not exist"),
        "{}",
        stdout(&missing)
    );
    assert_eq!(
        icslint(&["check", "--format", "yaml"], &r).status.code(),
        Some(2)
    );
}

#[test]
fn json_output_is_the_documented_shape() {
    let (code, v) = json(&["check", &northmoor()], &root());
    assert_eq!(code, Some(1));
    assert_eq!(v["version"], 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CCN111")
        .expect("CCN111");
    assert_eq!(f["name"], "membership-review");
    assert_eq!(f["severity"], "warning");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("NHS Northmoor and Dales Integrated Care Board"));
    assert!(f["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("northmoor/icb-constitution.icg"));
    assert_eq!(f["location"]["line"], 30);
    assert_eq!(f["location"]["column"], 5);
    assert_eq!(f["provenance"]["source"], "ccn-2022");
    assert_eq!(f["provenance"]["ref"], "Recommendation 11");
    assert!(f["help"]
        .as_str()
        .unwrap()
        .contains("membership_review every 12 months"));
    // Cross-document findings carry secondary labels in the other file.
    let c = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CCN124")
        .expect("CCN124");
    assert!(c["labels"][0]["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("partnership.icg"));
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let out = icslint(&["check", &northmoor(), "--format", "sarif"], &root());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "icslint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 40);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
    }
    let ccn111 = rules.iter().find(|r| r["id"] == "CCN111").unwrap();
    assert!(ccn111["help"]["text"].as_str().unwrap().contains("Why:"));
}

#[test]
fn github_annotations() {
    let out = icslint(&["check", &northmoor(), "--format", "github"], &root());
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("CCN111"))
        .expect("an annotation for CCN111");
    assert!(line.starts_with("::warning file="), "{line}");
    assert!(line.contains(",line=30,col=5,"), "{line}");
    assert!(text.lines().any(|l| l.starts_with("::error ")));
    assert!(
        text.lines().any(|l| l.starts_with("::notice ")),
        "advice is a notice"
    );
}

#[test]
fn select_and_ignore_by_prefix() {
    let (_, v) = json(&["check", &northmoor(), "--select", "CCN16"], &root());
    let mut got = rules_of(&v);
    got.sort();
    assert_eq!(got, vec!["CCN161", "CCN162"]);
    let (_, v) = json(&["check", &northmoor(), "--ignore", "CCN,HFM,NHC"], &root());
    assert!(
        rules_of(&v).iter().all(|r| r.starts_with("STA")),
        "{:?}",
        rules_of(&v)
    );
}

#[test]
fn an_empty_or_unknown_prefix_is_a_usage_error() {
    let r = root();
    for bad in [
        &["--ignore", ""][..],
        &["--ignore", "CCN,"],
        &["--select", ",CCN"],
        &["--select", " "],
    ] {
        let mut args = vec!["check", "examples"];
        args.extend_from_slice(bad);
        let out = icslint(&args, &r);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("empty rule prefix would match every rule"),
            "{bad:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{bad:?}: {}", stdout(&out));
    }
    let out = icslint(&["check", "examples", "--select", "NOPE"], &r);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--select NOPE matches no rule"),
        "{}",
        stderr(&out)
    );
    let out = icslint(&["check", "examples", "--ignore", "CCM11"], &r);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean CCN11?"),
        "{}",
        stderr(&out)
    );
    // IDs are case-insensitive on input.
    let (code, v) = json(&["check", &northmoor(), "--select", "ccn16"], &root());
    let mut got = rules_of(&v);
    got.sort();
    assert_eq!(
        (code, got),
        (Some(0), vec!["CCN161".into(), "CCN162".into()])
    );
}

#[test]
fn human_output_reads_like_rustc() {
    let out = icslint(&["check", &northmoor(), "--select", "CCN111"], &root());
    let text = stdout(&out);
    assert!(text.contains("CCN111(membership-review)"), "{text}");
    assert!(text.contains("icb-constitution.icg:30:5"), "{text}");
    assert!(text.contains("membership_review every 24 months"), "{text}");
    assert!(
        text.contains("help: Add `membership_review every 12 months` to the icb block."),
        "{text}"
    );
    assert!(
        text.contains("source: ccn-2022, Recommendation 11"),
        "{text}"
    );
    assert!(
        text.contains("Found 0 errors, 1 warning and 0 advice in 6 files."),
        "{text}"
    );
}

#[test]
fn baseline_hides_known_findings_only() {
    let dir = scratch("baseline");
    for f in std::fs::read_dir(shared_examples().join("northmoor"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    std::fs::write(dir.join("baseline.json"), &out.stdout).unwrap();
    let quiet = icslint(&["check", ".", "--baseline", "baseline.json"], &dir);
    assert_eq!(quiet.status.code(), Some(0), "{}", stdout(&quiet));
    assert!(stdout(&quiet).contains("recorded in the baseline not shown"));
    // A new problem still fails the run.
    let icb = std::fs::read_to_string(dir.join("icb-constitution.icg")).unwrap();
    std::fs::write(
        dir.join("icb-constitution.icg"),
        icb.replace(
            "employee no",
            "employee no\n        councillor yes\n        role non_executive",
        ),
    )
    .unwrap();
    let (code, v) = json(&["check", ".", "--baseline", "baseline.json"], &dir);
    assert_eq!(code, Some(1));
    assert!(
        rules_of(&v).contains(&"ICG003".to_string()),
        "{:?}",
        rules_of(&v)
    );
    let bad = icslint(&["check", ".", "--baseline", "missing.json"], &dir);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_baseline_matches_from_any_directory() {
    let dir = scratch("baseline-cwd");
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    for f in std::fs::read_dir(shared_examples().join("northmoor"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(f.path(), ws.join(f.file_name())).unwrap();
    }
    let out = icslint(&["check", ".", "--format", "json"], &ws);
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(ws.join("baseline.json"), &out.stdout).unwrap();
    // From the parent, with the workspace and the baseline named by path.
    let from_parent = icslint(&["check", "ws", "--baseline", "ws/baseline.json"], &dir);
    assert_eq!(
        from_parent.status.code(),
        Some(0),
        "{}",
        stdout(&from_parent)
    );
    assert!(stdout(&from_parent).contains("No findings"));
    // From a sibling folder, through `..`.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let from_sibling = icslint(
        &["check", "../ws", "--baseline", "../ws/baseline.json"],
        &other,
    );
    assert_eq!(
        from_sibling.status.code(),
        Some(0),
        "{}",
        stdout(&from_sibling)
    );
}

#[test]
fn not_checked_findings_are_never_baselined_or_suppressed() {
    let dir = scratch("baseline-unchecked");
    write(&dir, "icslint.yaml", "regime: 2022\nno_such_key: 1\n");
    write(
        &dir,
        "broken.icg",
        "# icslint: allow ICG001 -- we know\nsystem s \"S\" { regime 2022 \n",
    );
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(dir.join("baseline.json"), &out.stdout).unwrap();
    let (code, v) = json(&["check", ".", "--baseline", "baseline.json"], &dir);
    let got = rules_of(&v);
    assert_eq!(code, Some(2), "{got:?}");
    assert!(got.contains(&"ICG001".to_string()), "{got:?}");
    assert!(got.contains(&"ICG013".to_string()), "{got:?}");
    let (_, v) = json(&["check", "."], &dir);
    let refused = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ICG010")
        .expect("the suppression of ICG001 is reported");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("ICG001 cannot be suppressed"));
}

const ICB: &str =
    "system s \"Example ICS\" { regime 2022 }\nicb e_icb \"NHS Example ICB\" {\n    system @s\n";

#[test]
fn suppressions_need_a_reason_and_must_suppress_something() {
    let dir = scratch("suppress");
    write(&dir, "icslint.yaml", "select: [CCN111, ICG]\n");
    write(&dir, "a.icg", &format!("{ICB}    # icslint: allow CCN111 -- reviewed every 18 months by agreement with NHS England\n    membership_review every 18 months\n}}\n"));
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(rules_of(&v), Vec::<String>::new(), "suppressed");
    assert_eq!(code, Some(0));

    write(
        &dir,
        "a.icg",
        &format!("{ICB}    membership_review every 18 months   # icslint: allow CCN111\n}}\n"),
    );
    let (_, v) = json(&["check", "."], &dir);
    let mut got = rules_of(&v);
    got.sort();
    assert_eq!(
        got,
        vec!["CCN111", "ICG008"],
        "a reasonless suppression is an error and suppresses nothing"
    );

    write(&dir, "a.icg", &format!("{ICB}    # icslint: allow CCN111 -- no longer needed\n    membership_review every 12 months\n    # icslint: allow CCN999 -- typo\n    version \"1\"\n}}\n"));
    let (_, v) = json(&["check", "."], &dir);
    let mut got = rules_of(&v);
    got.sort();
    assert_eq!(got, vec!["ICG002", "ICG010"]);
}

#[test]
fn configuration_severity_params_and_errors() {
    let dir = scratch("config");
    let strategy =
        std::fs::read_to_string(shared_examples().join("northmoor/strategy.icg")).unwrap();
    std::fs::copy(
        shared_examples().join("northmoor/system.icg"),
        dir.join("system.icg"),
    )
    .unwrap();
    std::fs::write(dir.join("strategy.icg"), &strategy).unwrap();
    write(&dir, "icslint.yaml", "select: [CCN131, CCN111]\n");
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(rules_of(&v), vec!["CCN131"]);
    assert_eq!(code, Some(0));

    write(
        &dir,
        "icslint.yaml",
        "select: [CCN131]\nseverity: { CCN131: error }\n",
    );
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(v["findings"][0]["severity"], "error");
    assert_eq!(code, Some(1));

    write(
        &dir,
        "icslint.yaml",
        "select: [CCN131]\nparams: { CCN131: { max_priorities: 6 } }\n",
    );
    let (_, v) = json(&["check", "."], &dir);
    assert!(rules_of(&v).is_empty(), "six priorities allowed: {v}");

    write(
        &dir,
        "icslint.yaml",
        "select: [CCN131]\nparams: { CCN131: { max_priorities: 3 years } }\n",
    );
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2));
    let f = &v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ICG013")
        .expect("ICG013")["message"];
    assert!(f.as_str().unwrap().contains("takes a number"), "{f}");

    write(&dir, "icslint.yaml", "packs: [ccn-2021]\nselct: [CCN131]\n");
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2));
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `selct`"),
        "{v}"
    );

    write(&dir, "icslint.yaml", "packs: [ccn-2021]\n");
    let (_, v) = json(&["check", "."], &dir);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ICG013")
        .expect("ICG013");
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `ccn-2022`?"),
        "{f}"
    );

    write(
        &dir,
        "icslint.yaml",
        "packs: []\nexclude: [\"strat*.icg\"]\n",
    );
    let out = icslint(&["check", "."], &dir);
    assert!(
        stdout(&out).contains("No findings in 1 file."),
        "{}",
        stdout(&out)
    );
}

/// The ICG013 findings of a run over one small system with this `icslint.yaml`:
/// exit status, and (line, column, message) of each.
fn config_findings(dir: &std::path::Path, yaml: &[u8]) -> (Option<i32>, Vec<(i64, i64, String)>) {
    std::fs::write(dir.join("icslint.yaml"), yaml).unwrap();
    let (code, v) = json(&["check", "."], dir);
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ICG013")
        .map(|f| {
            (
                f["location"]["line"].as_i64().unwrap(),
                f["location"]["column"].as_i64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code, found)
}

#[test]
fn a_configuration_never_fails_quietly() {
    let dir = scratch("config-loud");
    write(&dir, "a.icg", "system s \"S\" { regime 2022 }\n");
    let cases: &[(&[u8], (i64, i64), &str)] = &[
        (
            b"select: [ICG]\n# caf\xe9\n",
            (2, 6),
            "byte 19 (0xE9) is not valid UTF-8",
        ),
        (b"\xff\xfes\x00e\x00", (1, 1), "UTF-16"),
        (
            b"select: [ICG]\nregime: 2030\n",
            (2, 9),
            "regime 2030 is not a regime",
        ),
        (
            b"severity:\n  CCN111: fatal\n",
            (2, 11),
            "severity `fatal` for CCN111",
        ),
        (
            b"select: [ICG, \"\"]\n",
            (1, 15),
            "an empty prefix in `select`",
        ),
        (
            b"ignore: [CCN, '']\n",
            (1, 15),
            "an empty prefix in `ignore`",
        ),
        (b"regime: twenty\n", (1, 9), "cannot be used"),
        (
            b"select: [ICG]\n---\nselect: [CCN]\n",
            (2, 1),
            "more than one YAML document",
        ),
        // A byte-order mark is accepted, and spans still point at the value.
        (
            b"\xef\xbb\xbfselect: [ICG]\nregime: 2031\n",
            (2, 9),
            "regime 2031",
        ),
    ];
    for (yaml, (line, column), message) in cases {
        let (code, found) = config_findings(&dir, yaml);
        assert_eq!(
            code,
            Some(2),
            "{}: {found:?}",
            String::from_utf8_lossy(yaml)
        );
        assert!(
            found
                .iter()
                .any(|(l, c, m)| (l, c) == (line, column) && m.contains(message)),
            "{}: expected {message:?} at {line}:{column}, got {found:?}",
            String::from_utf8_lossy(yaml)
        );
    }
    // With a byte-order mark the rest of the configuration is used.
    let (code, found) = config_findings(&dir, b"\xef\xbb\xbfselect: [icg]\nregime: 2025\n");
    assert_eq!((code, found), (Some(0), vec![]));
}

#[test]
fn regime_values_come_from_one_list() {
    let out = icslint(&["check", "examples", "--regime", "2030"], &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the regime must be 2022, 2025 or 2026"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pack_with_a_byte_order_mark_is_loaded() {
    let dir = scratch("pack-bom");
    let pack = std::fs::read(root().join("tests/fixtures/local-pack/our-rules.yaml")).unwrap();
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend(&pack);
    std::fs::write(dir.join("pack.yaml"), with_bom).unwrap();
    write(&dir, "icslint.yaml", "rules: [pack.yaml]\n");
    write(&dir, "a.icg", "system s \"S\" { regime 2022 }\n");
    let (_, v) = json(&["check", "."], &dir);
    let got = rules_of(&v);
    assert!(
        !got.iter().any(|r| r == "ICG012" || r == "ICG013"),
        "{got:?}"
    );
    let mut latin1 = pack.clone();
    latin1.extend(b"# caf\xe9\n");
    std::fs::write(dir.join("pack.yaml"), latin1).unwrap();
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2));
    assert!(rules_of(&v).contains(&"ICG012".to_string()));
}

#[test]
fn a_local_pack_is_loaded_and_tested_without_recompiling() {
    let out = icslint(&["test", "tests/fixtures/local-pack", "--verbose"], &root());
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("LOC001 fail example (our-rules)"), "{text}");
    assert!(text.trim_end().ends_with("3 passed, 0 failed"), "{text}");
    let (_, v) = json(&["check", "tests/fixtures/local-pack"], &root());
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "LOC001")
        .expect("LOC001");
    assert_eq!(
        f["message"],
        "Cllr Joe Bloggs, chair of Westfold ICP, does not sit on NHS Westfold ICB"
    );
}

#[test]
fn a_pack_with_a_type_error_is_rejected_with_a_span_in_the_yaml() {
    let dir = scratch("bad-pack");
    write(&dir, "icslint.yaml", "rules: [bad.yaml]\npacks: []\n");
    write(&dir, "a.icg", ICB.to_string().as_str());
    std::fs::write(dir.join("a.icg"), format!("{ICB}}}\n")).unwrap();
    write(
        &dir,
        "bad.yaml",
        "pack: bad\ntitle: Bad\nsource: test\nrules:\n  - id: BAD001\n    name: money-date\n    provenance: { source: t, ref: r, summary: s }\n    severity: warning\n    scope: icb\n    assert: running_cost_per_head < 2023-01-01\n    message: \"{name}\"\n    help: h\n  - id: BAD002\n    name: typo\n    provenance: { source: t, ref: r, summary: s }\n    severity: warning\n    scope: icb\n    assert: membershp_review <= 12 months\n    message: m\n    help: h\n",
    );
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2));
    let f: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ICG012")
        .collect();
    assert_eq!(f.len(), 2, "{v}");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot compare money with a date"),
        "{}",
        f[0]
    );
    assert!(f[0]["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("bad.yaml"));
    assert_eq!(f[0]["location"]["line"], 10);
    assert_eq!(f[0]["location"]["column"], 13);
    assert!(f[1]["message"].as_str().unwrap().contains("An `icb` block has no key, child or field `membershp_review`; did you mean `membership_review`?"), "{}", f[1]);
    let broken = write(
        &dir,
        "bad.yaml",
        "pack: bad\nrules:\n  - id: X\n    nmae: y\n",
    );
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2), "{}", broken.display());
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be loaded"),
        "{v}"
    );
}

#[test]
fn explain_rules_and_parse() {
    let out = icslint(&["explain", "CCN113"], &root());
    let text = stdout(&out);
    assert!(out.status.success());
    for needle in [
        "CCN113 councillor-eligibility (error",
        "Source: ccn-2022",
        "Why",
        "What to write",
        "Fails",
        "Passes",
        "# expect: CCN113",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    assert!(stdout(&icslint(&["explain", "membership-review"], &root())).starts_with("CCN111"));
    let bad = icslint(&["explain", "CCN1111"], &root());
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("did you mean CCN111?"),
        "{}",
        stderr(&bad)
    );
    let rules = stdout(&icslint(&["rules"], &root()));
    let n_rules = built_in_rule_count();
    assert_eq!(
        rules.lines().count(),
        1 + icslint::diagnostic::icg::ALL.len() + n_rules
    );
    let ast = icslint(
        &["parse", "--ast", "examples/riverbend/system.icg"],
        &root(),
    );
    assert!(stdout(&ast).contains("Attr share @"), "{}", stdout(&ast));
}

#[test]
fn latin1_gives_the_byte_offset() {
    let (_, v) = json(
        &[
            "check",
            &shared_examples()
                .join("broken/latin1.icg")
                .to_string_lossy(),
        ],
        &root(),
    );
    assert_eq!(rules_of(&v), vec!["ICG009"]);
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("byte 18 (0xE9)"));
}

#[test]
fn an_unreadable_file_exits_2_and_utf16_is_named() {
    let dir = scratch("utf16");
    let mut bytes = vec![0xFF, 0xFE];
    for u in "system s \"S\" { regime 2022 }\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    std::fs::write(dir.join("windows.icg"), bytes).unwrap();
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2), "the README promises 2 for an I/O error");
    assert_eq!(rules_of(&v), vec!["ICG009"]);
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("is UTF-16 text"), "{msg}");
    assert!(!v["findings"][0]["help"]
        .as_str()
        .unwrap()
        .contains("Latin-1"));
}

/// The model's spans are 32-bit: a file of 4 GiB or more is one ICG009,
/// refused before it is read (a sparse file: nothing is written or read).
#[test]
fn a_file_of_4_gib_is_refused_unread() {
    let dir = scratch("four-gib");
    std::fs::write(dir.join("small.icg"), "system s \"S\" { regime 2022 }\n").unwrap();
    let big = std::fs::File::create(dir.join("huge.icg")).unwrap();
    if big.set_len(1 << 32).is_err() {
        eprintln!("skipping: this file system cannot make a sparse 4 GiB file");
        return;
    }
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(2), "{v}");
    let unreadable: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "ICG009")
        .collect();
    assert_eq!(unreadable.len(), 1, "{v}");
    let msg = unreadable[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("huge.icg is 4 GiB: icslint checks files under 4 GiB"),
        "{msg}"
    );
    // The other file was checked as usual.
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("small.icg"))),
        "{v}"
    );
    std::fs::remove_file(dir.join("huge.icg")).unwrap();
}

#[test]
fn icslint_test_runs_every_built_in_rules_examples() {
    let out = icslint(&["test", "rules"], &root());
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    // 5 packs load (the Health Bill's among them), every rule × (failing + passing example).
    let expected = format!("{} passed, 0 failed", 5 + 2 * built_in_rule_count());
    assert!(text.trim_end().ends_with(&expected), "{text}");
}

#[test]
fn fixture_workspaces_pass_and_the_regime_comes_from_configuration() {
    let out = icslint(&["test", "tests/fixtures"], &root());
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).trim_end().ends_with(" passed, 0 failed") && !stdout(&out).contains("FAIL"),
        "{}",
        stdout(&out)
    );
    // On the command line, --regime overrides icslint.yaml for systems that state none.
    let (_, v) = json(
        &["check", "tests/fixtures/regime-2025", "--regime", "2022"],
        &root(),
    );
    let mut got = rules_of(&v);
    got.sort();
    assert_eq!(got, vec!["ICG011", "STA006", "STA008"]);
}

#[test]
fn the_rule_reference_is_generated_from_the_packs() {
    let out = icslint(&["rules", "--markdown"], &root());
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    assert!(
        stdout(&out) == committed,
        "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md`"
    );
    assert!(committed.contains("### CCN113 councillor-eligibility"));
}

/// An empty run must not pass CI by accident: a folder with no `.icg`
/// file, or a path that does not exist, is exit 2 with a message, for
/// `check`, `typology` and `report` alike (as ruff and eslint do).
#[test]
fn an_empty_run_is_an_error_for_every_command() {
    let dir = scratch("discovery");
    write(&dir, "notes.txt", "not a document\n");
    for cmd in [
        &["check", "."][..],
        &["check", ".", "--quiet"],
        &["check", ".", "--format", "json"],
        &["typology", "."],
        &["report", "."],
    ] {
        let out = icslint(cmd, &dir);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error: no .icg files found in .: nothing was checked"),
            "{cmd:?}: {}",
            stderr(&out)
        );
    }
    // Every file excluded by the configuration: nothing checked either.
    write(&dir, "a.icg", "system s \"S\" { regime 2022 }\n");
    write(&dir, "icslint.yaml", "exclude: [\"*.icg\"]\n");
    assert_eq!(icslint(&["check", "."], &dir).status.code(), Some(2));
    std::fs::remove_file(dir.join("icslint.yaml")).unwrap();
    assert_ne!(icslint(&["check", "."], &dir).status.code(), Some(2));
    // Nothing checked but a configuration with a problem: the problem is
    // reported, and the run still exits 2 as an empty one.
    write(&dir, "icslint.yaml", "exclude: [\"*.icg\"]\nregime: 1999\n");
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("ICG013"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("nothing was checked"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(dir.join("icslint.yaml")).unwrap();
    // A path that does not exist: exit 2, naming it.
    for cmd in [
        &["typology", "no/such"][..],
        &["report", "no/such"],
        &["check", "no/such"],
    ] {
        let out = icslint(cmd, &dir);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let said = stdout(&out) + &stderr(&out);
        assert!(
            said.contains("no/such cannot be read: it does not exist"),
            "{cmd:?}: {said}"
        );
    }
}

#[test]
fn discovery_reads_each_file_once_and_reports_what_it_cannot_read() {
    let dir = scratch("discovery-once");
    let ws = dir.join("ws");
    write(&ws, "a.icg", "system s \"S\" { regime 2022 }\n");
    write(&ws, "upper/B.ICG", "system t \"T\" { regime 2022 }\n");
    write(&ws, ".hidden/c.icg", "system u \"U\" { regime 2022 }\n");
    write(&ws, "target/d.icg", "system v \"V\" { regime 2022 }\n");
    write(&ws, "icslint.yaml", "select: [ICG]\n");
    // The same file named twice, and reached again through its folder: read once.
    let (code, v) = json(&["check", "ws/a.icg", "ws", "ws/a.icg"], &dir);
    assert_eq!((code, rules_of(&v)), (Some(0), vec![]), "{v}");
    let out = icslint(&["check", "ws/a.icg", "ws"], &dir);
    assert!(
        stdout(&out).contains("No findings in 2 files."),
        "a.icg once and the upper-case B.ICG: {}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("2 folders not entered"),
        "{}",
        stdout(&out)
    );
    let verbose = icslint(&["check", "ws", "--verbose"], &dir);
    let notes = stderr(&verbose);
    assert!(notes.contains(".hidden (hidden folder)"), "{notes}");
    assert!(
        notes.contains("target (named `target`: build output)"),
        "{notes}"
    );

    // A path that does not exist is a finding for that path; the rest is checked.
    let (code, v) = json(&["check", "ws", "nope.icg"], &dir);
    assert_eq!(code, Some(2));
    assert_eq!(rules_of(&v), vec!["ICG009"]);
    assert_eq!(v["findings"][0]["location"]["path"], "nope.icg");
}

#[cfg(unix)]
#[test]
fn links_inside_are_followed_links_out_are_not_and_fifos_are_reported_not_read() {
    use std::os::unix::fs::symlink;
    let dir = scratch("discovery-links");
    let ws = dir.join("ws");
    write(&ws, "real/a.icg", "system s \"S\" { regime 2022 }\n");
    write(&dir, "elsewhere/b.icg", "system t \"T\" { regime 2022 }\n");
    // Above both: a file reached through a link takes the configuration of its real folder.
    write(&dir, "icslint.yaml", "select: [ICG]\n");
    symlink(dir.join("elsewhere"), ws.join("linked")).unwrap();
    symlink(ws.join("real/a.icg"), ws.join("alias.icg")).unwrap();
    symlink(&ws, ws.join("real/loop")).unwrap();
    let out = icslint(&["check", "ws", "--verbose"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("No findings in 1 file."),
        "a.icg once (not again through alias.icg or the loop), b.icg not through the link out of ws: {}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("ws/linked (a link to a folder outside ws)"),
        "{}",
        stderr(&out)
    );
    let fifo = ws.join("pipe.icg");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping the FIFO half: `mkfifo` is not available");
        return;
    }
    // Named on the command line and found in the walk: reported once, never opened.
    let (code, v) = json(&["check", "ws", "ws/pipe.icg"], &dir);
    assert_eq!(code, Some(2));
    assert_eq!(rules_of(&v), vec!["ICG009"], "{v}");
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("named pipe (FIFO)"));
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let dir = scratch("control-chars");
    write(
        &dir,
        "a.icg",
        "system s \"Evil\u{1b}[2J\u{202e}ICS\" { regime 2022 }\n",
    );
    write(&dir, "icslint.yaml", "select: [STA008]\n");
    let out = icslint(&["check", "."], &dir);
    let text = stdout(&out);
    assert!(text.contains("STA008"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(!text.contains('\u{202e}'), "{text:?}");
    assert!(text.contains("Evil\\u{1b}[2J\\u{202e}ICS"), "{text}");
    let gh = stdout(&icslint(&["check", ".", "--format", "github"], &dir));
    assert!(!gh.contains('\u{1b}'), "{gh:?}");
}

#[test]
fn icslint_test_refuses_an_unknown_selection_like_check() {
    let out = icslint(
        &["test", "tests/fixtures/local-pack", "--select", "NOPE"],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("--select NOPE matches no rule"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "nothing is run: {}", stdout(&out));
    let out = icslint(
        &["test", "tests/fixtures/local-pack", "--ignore", "CCM"],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean"), "{}", stderr(&out));
    // A local pack's rules are known to the selection.
    let out = icslint(
        &["test", "tests/fixtures/local-pack", "--select", "LOC001"],
        &root(),
    );
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn icslint_test_reports_a_missing_path_and_tests_the_others() {
    let out = icslint(
        &[
            "test",
            "no-such-dir",
            "tests/fixtures/local-pack",
            "missing.icg",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no-such-dir: no such file or directory"),
        "{err}"
    );
    assert!(
        err.contains("missing.icg: no such file or directory"),
        "{err}"
    );
    assert!(
        stdout(&out).trim_end().ends_with("3 passed, 0 failed"),
        "the workspace between them was tested: {}",
        stdout(&out)
    );
}

/// `icslint ARGS` in `cwd` with `input` on standard input.
fn with_input(args: &[&str], input: &str, cwd: &std::path::Path) -> std::process::Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the icslint binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `check -` reads one document from standard input (an editor's buffer,
/// a pipe); `--stdin-filename` names it, so its icslint.yaml is the one
/// of that folder, findings name that path, and the file on disk is not
/// read as well.
#[test]
fn check_reads_standard_input_as_the_named_file() {
    let dir = scratch("stdin");
    write(&dir, "icslint.yaml", "select: [ICG]\n");
    write(&dir, "nm/icslint.yaml", "select: [ICG004]\n");
    // On disk, a clean file; on standard input, an edited one with an error.
    write(&dir, "nm/a.icg", "system s \"S\" { regime 2022 }\n");
    let edited = "system s \"S\" { regime 2022 }\nicb i \"I\" { system @nowhere }\n";
    let out = with_input(
        &[
            "check",
            "-",
            "--stdin-filename",
            "nm/a.icg",
            "--format",
            "json",
        ],
        edited,
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["location"]["path"], "nm/a.icg", "{f}");
        assert!(
            f["rule"].as_str().unwrap().starts_with("ICG"),
            "nm/icslint.yaml applies: {f}"
        );
    }
    // `--stdin-filename` alone implies `-`; the human report names the file once.
    let out = with_input(&["check", "--stdin-filename", "nm/a.icg"], edited, &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("in 1 file"), "{}", stdout(&out));
    // A plain `check -`: named `-`, the current folder's configuration.
    let out = with_input(&["check", "-"], "system s \"S\" { regime 2022 }\n", &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("No findings in 1 file."),
        "{}",
        stdout(&out)
    );
    // Syntax errors on standard input are findings, with a span.
    let out = with_input(
        &["check", "-", "--format", "json"],
        "system s \"S\" {\n",
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("ICG001"), "{}", stdout(&out));
    // Standard input cannot be fixed in place, and a name needs `-`.
    let out = with_input(&["check", "-", "--fix"], edited, &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot change standard input"),
        "{}",
        stderr(&out)
    );
    let out = with_input(
        &["check", "nm", "--stdin-filename", "nm/a.icg"],
        edited,
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("give `-`"), "{}", stderr(&out));
}

/// `--config FILE` replaces the nearest icslint.yaml for every file, and
/// is confined as an icslint.yaml is: its `rules:` stay in its folder.
#[test]
fn config_flag_names_the_configuration_and_keeps_its_packs_in_its_folder() {
    let dir = scratch("config-flag");
    write(&dir, "ws/icslint.yaml", "select: [CCN111]\n");
    write(
        &dir,
        "ws/a.icg",
        "system s \"S\" { regime 2022 }\nicb i \"I\" { system @nowhere }\n",
    );
    write(&dir, "ci/strict.yaml", "select: [ICG]\n");
    let (code, v) = json(&["check", "ws", "--config", "ci/strict.yaml"], &dir);
    assert_eq!(code, Some(1));
    assert!(rules_of(&v).iter().all(|r| r.starts_with("ICG")), "{v}");
    assert!(rules_of(&v).contains(&"ICG004".to_string()), "{v}");
    let (code, v) = json(&["check", "ws"], &dir);
    assert_eq!(
        (code, rules_of(&v)),
        (Some(0), vec!["CCN111".to_string()]),
        "ws/icslint.yaml: {v}"
    );
    // A pack outside the named configuration's folder is never read.
    write(&dir, "secret.yaml", "pack: x\n");
    write(&dir, "ci/escape.yaml", "rules: [../secret.yaml]\n");
    let (code, v) = json(&["check", "ws", "--config", "ci/escape.yaml"], &dir);
    assert_eq!(code, Some(2));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ICG013")
        .expect("ICG013");
    assert!(
        f["message"].as_str().unwrap().contains("was not read"),
        "{f}"
    );
    assert_eq!(f["location"]["path"], "ci/escape.yaml");
    // A configuration that is not there, or has an unknown key: exit 2.
    let out = icslint(&["check", "ws", "--config", "ci/none.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ci/none.yaml does not exist"),
        "{}",
        stderr(&out)
    );
    write(&dir, "ci/typo.yaml", "selct: [ICG]\n");
    let (code, v) = json(&["check", "ws", "--config", "ci/typo.yaml"], &dir);
    assert_eq!(code, Some(2));
    assert!(v.to_string().contains("selct"), "{v}");
    // `report` takes it too.
    let out = icslint(&["report", "ws", "--config", "ci/typo.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
}

/// A configuration under a name icslint does not read (`icslint.yml`,
/// `.icslint.yaml`) is an error at the file, never silently passed over.
#[test]
fn a_misnamed_configuration_is_a_diagnostic() {
    for name in ["icslint.yml", ".icslint.yaml", ".icslint.yml"] {
        let dir = scratch(&format!("misnamed-{}", name.trim_start_matches('.')));
        write(&dir, name, "select: [ICG]\n");
        write(&dir, "a.icg", "system s \"S\" { regime 2022 }\n");
        let (code, v) = json(&["check", "."], &dir);
        assert_eq!(code, Some(2), "{name}: {v}");
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "ICG013")
            .unwrap_or_else(|| panic!("{name}: {v}"));
        assert!(
            f["message"].as_str().unwrap().contains(
                "is not read: icslint reads its configuration from a file named icslint.yaml"
            ),
            "{f}"
        );
        assert!(
            f["help"]
                .as_str()
                .unwrap()
                .contains("rename it to icslint.yaml"),
            "{f}"
        );
        // Beside a real icslint.yaml, it is still reported, with other advice.
        write(&dir, "icslint.yaml", "select: [ICG]\n");
        let (code, v) = json(&["check", "."], &dir);
        assert_eq!(code, Some(2), "{name}: {v}");
        assert!(
            v.to_string().contains("the icslint.yaml beside it applies"),
            "{v}"
        );
    }
}

/// `icslint config PATH`: each setting, its value and where it came from
/// (the default, a file and line, a flag), in words and in JSON.
#[test]
fn config_command_shows_each_setting_and_its_origin() {
    let dir = scratch("config-command");
    write(
        &dir,
        "ws/icslint.yaml",
        "# our settings\nregime: 2025\nignore: [CCN9]\nseverity:\n  CCN111: advice\nexclude:\n  - drafts/**\n",
    );
    write(&dir, "ws/a.icg", "system s \"S\" { regime 2022 }\n");
    let out = icslint(
        &["config", "ws/a.icg", "--format", "json", "--select", "CCN"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let get = |key: &str| -> Vec<Value> {
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["key"] == key)
            .cloned()
            .collect()
    };
    let regime = &get("regime")[0];
    assert_eq!(regime["value"], 2025);
    assert_eq!(regime["origin"]["from"], "file");
    assert_eq!(regime["origin"]["line"], 2);
    assert!(regime["origin"]["file"]
        .as_str()
        .unwrap()
        .ends_with("icslint.yaml"));
    assert_eq!(get("ignore")[0]["origin"]["line"], 3);
    assert_eq!(get("severity.CCN111")[0]["value"], "advice");
    assert_eq!(get("severity.CCN111")[0]["origin"]["line"], 5);
    assert_eq!(get("exclude")[0]["value"], "drafts/**");
    assert_eq!(get("exclude")[0]["origin"]["line"], 7);
    assert_eq!(get("select")[0]["origin"]["from"], "flag");
    assert_eq!(get("select")[0]["origin"]["flag"], "--select");
    assert_eq!(get("packs")[0]["origin"]["from"], "default");
    // In words, for a folder too.
    let out = icslint(&["config", "ws", "--regime", "2022"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("Settings for ws\n"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("regime")
            && l.contains("2022")
            && l.ends_with("from command line (--regime)")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("severity.CCN111")
            && l.contains("advice")
            && l.ends_with("icslint.yaml:5")),
        "{text}"
    );
    // No configuration: every setting is the default.
    let bare = scratch("config-command-bare");
    write(&bare, "a.icg", "system s \"S\" { regime 2022 }\n");
    let out = icslint(&["config", "a.icg"], &bare);
    // (an icslint.yaml above the scratch folder would apply; there is none in target/)
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains("regime") && l.contains("2022") && l.ends_with("from default")),
        "{text}"
    );
    // A configuration with a problem: printed, exit 2.
    write(&dir, "ws/icslint.yaml", "regim: 2025\n");
    let out = icslint(&["config", "ws"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("regim"), "{}", stderr(&out));
    assert!(stderr(&out).contains("icslint.yaml:1"), "{}", stderr(&out));
}

/// `icslint completions SHELL`: a script for each shell clap_complete
/// knows, naming the subcommands and flags; an unknown shell is exit 2.
#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef icslint"),
        ("fish", "complete -c icslint"),
        ("elvish", "edit:completion:arg-completer"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = icslint(&["completions", shell], &root());
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = stdout(&out);
        assert!(s.contains(marker), "{shell}: {s}");
        for word in ["check", "stdin-filename", "completions", "fail-on"] {
            assert!(s.contains(word), "{shell} lacks {word}");
        }
    }
    assert_eq!(
        icslint(&["completions", "tcsh"], &root()).status.code(),
        Some(2)
    );
}

/// `check --help`: examples and what each exit status means.
#[test]
fn check_help_has_examples_and_exit_statuses() {
    let out = icslint(&["check", "--help"], &root());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for want in [
        "Examples:",
        "icslint check - --stdin-filename",
        "--format junit",
        "Exit status:",
        "  0  ",
        "  1  ",
        "  2  nothing was checked",
        "--config <FILE>",
        "--stdin-filename <PATH>",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

/// `.ICG` (as some Windows tools write it) is found by every command that walks folders.
#[test]
fn upper_case_icg_files_are_found_by_every_command() {
    let dir = scratch("upper-icg");
    write(
        &dir,
        "ws/SYSTEM.ICG",
        "system s \"S\" { regime 2022 }\nicb i \"I\" { system @s }\n",
    );
    write(&dir, "ws/icslint.yaml", "select: [ICG]\n");
    let out = icslint(&["check", "ws"], &dir);
    assert!(stdout(&out).contains("in 1 file"), "{}", stdout(&out));
    let out = icslint(&["report", "ws", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"s\""), "{}", stdout(&out));
    assert_eq!(icslint(&["typology", "ws"], &dir).status.code(), Some(0));
    let out = icslint(&["fmt", "ws", "--check"], &dir);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = icslint(&["test", "ws"], &dir);
    assert!(!stderr(&out).contains("no .icg files"), "{}", stderr(&out));
}

/// A string with a backslash the grammar does not know (`\n`, a Windows
/// path) is an error that says which escapes a string may hold, at the
/// backslash.
#[test]
fn a_bad_escape_says_which_escapes_are_allowed() {
    let dir = scratch("bad-escape");
    write(&dir, "icslint.yaml", "select: [ICG]\n");
    write(
        &dir,
        "a.icg",
        "system s \"S\" { regime 2022 }\nicb i \"Files in C:\\docs\" { system @s }\n",
    );
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!(code, Some(1));
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ICG001")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        f["message"], "`\\d` is not an escape a string may hold",
        "{f}"
    );
    let help = f["help"].as_str().unwrap();
    assert!(
        help.contains("a quote (`\\\"`) or another backslash (`\\\\`)"),
        "{help}"
    );
    assert!(help.contains("triple quotes"), "{help}");
    // The span is the backslash and the letter after it.
    assert_eq!(f["location"]["line"], 2);
    assert_eq!(f["location"]["column"], 19);
    assert_eq!(f["location"]["end_column"], 21);
    // The escapes a string may hold are still fine.
    write(
        &dir,
        "a.icg",
        "system s \"S \\\"quoted\\\" \\\\ back\" { regime 2022 }\n",
    );
    let (code, v) = json(&["check", "."], &dir);
    assert_eq!((code, rules_of(&v)), (Some(0), vec![]), "{v}");
}
