//! Untrusted documents and packs at hostile scale: a local pack's work is
//! bounded, large inputs take time and output in proportion to them, a
//! statutory duty is never hidden by a comment, and a baseline matches
//! wherever it was written and read. Every run here is through the binary
//! and killed after a deadline: a guard against a hang or a quadratic
//! blow-up, not a timing (`benches/hostile.sh` measures).

mod common;
use common::*;
use std::path::Path;

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON: {e}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout)
                .chars()
                .take(2000)
                .collect::<String>(),
            stderr(out)
        )
    })
}

fn findings(out: &std::process::Output) -> Vec<serde_json::Value> {
    json(out)["findings"].as_array().unwrap().clone()
}

fn count(found: &[serde_json::Value], rule: &str) -> usize {
    found.iter().filter(|f| f["rule"] == rule).count()
}

/// One system of `n` authorities, each with its share (the system's
/// population adds up).
fn many_authorities(n: usize) -> String {
    let mut s = format!(
        "system big \"Big ICS\" {{ regime 2022; population {} }}\n",
        n * 1000
    );
    for i in 0..n {
        s.push_str(&format!(
            "authority a{i} \"Authority {i}\" {{ kind unitary; tier upper; population 1000; share @big 100% }}\n"
        ));
    }
    s
}

// ------------------------------------------------------------ work budget

fn local_rule(id: &str, assert: &str, message: &str) -> String {
    format!(
        "  - id: {id}\n    name: r-{}\n    provenance: {{ source: tests, ref: here, summary: hostile }}\n    severity: warning\n    scope: system\n    assert: '{assert}'\n    message: '{message}'\n    help: 'no'\n",
        id.to_lowercase()
    )
}

fn hostile_pack(dir: &Path, rules: &[(&str, &str, &str)]) {
    let mut pack = String::from("pack: hostile\ntitle: Hostile\nsource: tests\nrules:\n");
    for (id, assert, message) in rules {
        pack.push_str(&local_rule(id, assert, message));
    }
    write(dir, "hostile.yaml", &pack);
    write(
        dir,
        "icslint.yaml",
        "rules: [hostile.yaml]\nselect: [LOC, ICG]\n",
    );
}

#[test]
fn nested_quantifiers_over_thousands_of_authorities_stop_at_the_work_budget() {
    let dir = scratch("budget-quantifiers");
    write(&dir, "big.icg", &many_authorities(3_000));
    hostile_pack(
        &dir,
        &[
            // 2.7e10 evaluations of the innermost predicate.
            (
                "LOC001",
                "all(self.authorities, all(self.authorities, all(self.authorities, population > 0)))",
                "cubic",
            ),
            // Runs, and fails once: the rest of the run goes on.
            ("LOC002", "count(authorities) < 10", "{count(authorities)} authorities"),
        ],
    );
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    let budget: Vec<&serde_json::Value> = found.iter().filter(|f| f["rule"] == "ICG012").collect();
    assert_eq!(budget.len(), 1, "{found:#?}");
    let msg = budget[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("LOC001") && msg.contains("more work than icslint allows"),
        "{msg}"
    );
    assert_eq!(
        count(&found, "LOC001"),
        0,
        "a rule stopped part way reports nothing"
    );
    assert_eq!(count(&found, "LOC002"), 1, "{found:#?}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unusable pack rule is a broken run"
    );
}

#[test]
fn a_message_listing_thousands_of_items_many_times_is_capped() {
    let dir = scratch("budget-message");
    write(&dir, "big.icg", &many_authorities(5_000));
    // Each `{authorities}` lists 5,000 names: 200 of them would render a
    // message of tens of megabytes, for every system.
    let message = "{authorities}".repeat(200);
    hostile_pack(
        &dir,
        &[("LOC003", "no", &message), ("LOC004", "no", "short")],
    );
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    assert!(
        out.stdout.len() < 4 << 20,
        "the output is {} bytes",
        out.stdout.len()
    );
    let found = findings(&out);
    let icg012: Vec<&str> = found
        .iter()
        .filter(|f| f["rule"] == "ICG012")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        icg012.len() == 1 && icg012[0].contains("LOC003"),
        "{icg012:#?}"
    );
    assert_eq!(count(&found, "LOC003"), 0);
    assert_eq!(count(&found, "LOC004"), 1);
}

#[test]
fn a_long_list_in_a_label_or_let_is_bounded_too() {
    let dir = scratch("budget-let");
    write(&dir, "big.icg", &many_authorities(2_000));
    // Each element compares with every other through `in` over a list the
    // rule builds: quadratic in the authorities, with few nodes.
    hostile_pack(
        &dir,
        &[(
            "LOC005",
            "all(authorities + authorities + authorities + authorities, id in (self.authorities.id + self.authorities.id + self.authorities.id + self.authorities.id))",
            "x",
        )],
    );
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert!(
        found
            .iter()
            .any(|f| f["rule"] == "ICG012" && f["message"].as_str().unwrap().contains("LOC005")),
        "{found:#?}"
    );
}

// ---------------------------------------------------------- statutory duty

const DUTY: &str = r#"system s "Example ICS" { regime 2022 }
# icslint: allow STA012 -- the board decided otherwise
hwb a_hwb "Example Health and Wellbeing Board" {
    system @s
    member "Chair" { category la_elected }
    member "Director of Public Health" { post director_public_health }
}
"#;

#[test]
fn a_comment_cannot_suppress_a_statutory_duty() {
    let dir = scratch("suppress-duty");
    write(&dir, "a.icg", DUTY);
    write(&dir, "icslint.yaml", "select: [STA012, ICG]\n");
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "STA012"), 1, "the finding stays: {found:#?}");
    let refused: Vec<&serde_json::Value> = found.iter().filter(|f| f["rule"] == "ICG016").collect();
    assert_eq!(refused.len(), 1, "{found:#?}");
    assert_eq!(refused[0]["location"]["line"], 2, "at the comment");
    let msg = refused[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("STA012")
            && msg.contains("statutory duty")
            && msg.contains("cannot be suppressed"),
        "{msg}"
    );
    assert_eq!(out.status.code(), Some(1));

    let out = icslint_within(60, &["report", ".", "--format", "json"], &dir);
    let report = json(&out);
    let provision = report["systems"][0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["provisions"].as_array().unwrap())
        .find(|p| p["id"] == "STA012")
        .expect("STA012 in the report")
        .clone();
    assert_eq!(provision["status"], "not_met", "{provision:#}");
}

#[test]
fn a_suppression_of_a_recommendation_still_works_beside_a_refused_duty() {
    let dir = scratch("suppress-duty-and-other");
    let text = DUTY.replace("allow STA012", "allow STA012, CCN121");
    write(&dir, "a.icg", &text);
    write(&dir, "icslint.yaml", "select: [STA012, ICG]\n");
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "STA012"), 1, "{found:#?}");
    assert_eq!(count(&found, "ICG016"), 1, "{found:#?}");
}

// ------------------------------------------------------------------ scale

#[test]
fn twenty_thousand_authorities_in_one_system() {
    let dir = scratch("scale-authorities");
    write(&dir, "big.icg", &many_authorities(20_000));
    let out = icslint_within(120, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert!(
        !found.iter().any(|f| f["rule"] == "ICG012"),
        "no built-in rule hits the work budget: {:#?}",
        found
            .iter()
            .filter(|f| f["rule"] == "ICG012")
            .collect::<Vec<_>>()
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
}

#[test]
fn twenty_thousand_authorities_without_populations() {
    // Each authority's type needs every other's population: each ICG014
    // named them all, 20,000 x 20,000 names and labels.
    let dir = scratch("scale-no-population");
    let mut s = String::from("system big \"Big ICS\" { regime 2022 }\n");
    for i in 0..20_000 {
        s.push_str(&format!(
            "authority a{i} \"Authority {i}\" {{ kind unitary; tier upper; share @big 100% }}\n"
        ));
    }
    write(&dir, "a.icg", &s);
    write(&dir, "icslint.yaml", "select: [ICG014]\n");
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "ICG014"), 20_000);
    let msg = found[5]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("the CCN type of Authority 5 cannot be decided: the population of Authority 5, Authority 0,")
            && msg.ends_with("and other authorities is not stated"),
        "{msg}"
    );
    assert!(found[5]["labels"].as_array().unwrap().len() <= 10);
}

#[test]
fn twenty_thousand_misspelt_references_among_forty_thousand_ids() {
    let dir = scratch("scale-did-you-mean");
    let mut s = many_authorities(20_000);
    for k in 0..20_000 {
        s.push_str(&format!(
            "place p{k} \"P{k}\" {{ system @big; authorities [@a{k}x] }}\n"
        ));
    }
    write(&dir, "a.icg", &s);
    write(&dir, "icslint.yaml", "select: [ICG004]\n");
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "ICG004"), 20_000);
    // The first are answered in full.
    assert_eq!(found[0]["help"], "did you mean `@a0`?", "{:#}", found[0]);
}

#[test]
fn twenty_thousand_suppressions() {
    let dir = scratch("scale-suppressions");
    // An unknown key on each line, each suppressed on its own line above,
    // and one suppression of a rule that finds nothing there.
    let mut s =
        String::from("system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" {\n    system @s\n");
    for k in 0..20_000 {
        s.push_str(&format!(
            "    # icslint: allow ICG002 -- reason {k}\n    colour{k} blue\n"
        ));
    }
    s.push_str(
        "    # icslint: allow ICG002 -- nothing here\n    member \"M\" { role partner }\n}\n",
    );
    write(&dir, "a.icg", &s);
    write(&dir, "icslint.yaml", "select: [ICG]\n");
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "ICG002"), 0, "every one suppressed");
    assert_eq!(count(&found, "ICG010"), 1, "{found:#?}");
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn a_suppression_beside_a_large_workspace_whose_texts_are_released() {
    // Over 4 MiB of documents: a check lets each text go once lowered,
    // except a file with an `icslint:` comment. The suppressions must not
    // read the released texts for the other files' findings.
    let dir = scratch("suppress-released");
    let mut big = many_authorities(50_000);
    big.push_str("icb i \"NHS Big ICB\" { system @big; colour blue }\n");
    write(&dir, "big.icg", &big);
    write(
        &dir,
        "small.icg",
        "system s \"S\" { regime 2022 }\n# icslint: allow ICG002 -- a local extension\nicb j \"NHS S ICB\" { system @s; colour red }\n",
    );
    write(&dir, "icslint.yaml", "select: [ICG002, ICG010]\n");
    let out = icslint_within(120, &["check", ".", "--format", "json"], &dir);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let found = findings(&out);
    assert_eq!(count(&found, "ICG002"), 1, "{found:#?}");
    assert_eq!(found[0]["location"]["path"], "big.icg");
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn two_hundred_thousand_syntax_errors_in_one_file() {
    let dir = scratch("scale-syntax");
    // Each top-level block has its own error, so each is recovered on its own.
    let n = if cfg!(debug_assertions) {
        50_000
    } else {
        200_000
    };
    let s: String = (0..n)
        .map(|k| format!("system s{k} \"S\" {{ regime 2022; = }}\n"))
        .collect();
    write(&dir, "a.icg", &s);
    write(&dir, "icslint.yaml", "select: [ICG]\n");
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "ICG001"), n);
    assert_eq!(found.len(), n, "nothing else");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn four_hundred_thousand_findings_on_one_line() {
    let dir = scratch("scale-one-line");
    let mut s = String::from("system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" { system @s;");
    for k in 0..400_000 {
        s.push_str(&format!(" k{k} 1;"));
    }
    s.push_str(" }\n");
    write(&dir, "a.icg", &s);
    write(&dir, "icslint.yaml", "select: [ICG]\n");
    let out = icslint_within(120, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "ICG002"), 400_000);
    let out = icslint_within(120, &["check", ".", "--statistics"], &dir);
    assert!(
        stdout(&out).contains("400000") || stdout(&out).contains("400,000"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn seventy_thousand_spaces_before_a_block() {
    let dir = scratch("scale-spaces");
    let text = format!("{}system s \"S\" {{ regime 2022 }}\n", " ".repeat(70_000));
    write(&dir, "a.icg", &text);
    let text2 = format!(
        "{}system t \"T\" {{ regime 2022 }}\n{}= =\n",
        " ".repeat(70_000),
        " ".repeat(70_000)
    );
    write(&dir, "b.icg", &text2);
    // The human report's snippets are the report's (not tested here).
    for args in [
        &["check", ".", "--format", "json"][..],
        &["check", ".", "--statistics"][..],
        &["parse", "a.icg"][..],
    ] {
        let out = icslint_within(60, args, &dir);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {:?}\n{}",
            out.status,
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn seventy_thousand_spaces_before_a_syntax_error_in_the_human_report() {
    let dir = scratch("scale-spaces-human");
    let text = format!(
        "{}system t \"T\" {{ regime 2022 }}\n{}= =\n",
        " ".repeat(70_000),
        " ".repeat(70_000)
    );
    write(&dir, "b.icg", &text);
    for args in [&["check", "."][..], &["parse", "b.icg"][..]] {
        let out = icslint_within(60, args, &dir);
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
}

// --------------------------------------------------------------- baseline

/// Two findings of a rule, in a workspace folder `ws` under `root`.
fn baseline_workspace(name: &str) -> std::path::PathBuf {
    let root = scratch(name);
    write(
        &root,
        "ws/north/a.icg",
        "system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" { system @s; colour blue }\n",
    );
    write(&root, "ws/icslint.yaml", "select: [ICG]\n");
    std::fs::create_dir_all(root.join("elsewhere/deeper")).unwrap();
    root
}

#[test]
fn a_baseline_written_anywhere_matches_read_from_anywhere() {
    let root = baseline_workspace("baseline-anywhere");
    // Written from the workspace's parent, into another folder.
    let out = icslint_within(
        60,
        &[
            "check",
            "ws",
            "--format",
            "json",
            "--output",
            "elsewhere/deeper/b.json",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(root.join("elsewhere/deeper/b.json").is_file());
    // Read back from inside the workspace, and from the baseline's folder.
    for (cwd, ws, b) in [
        (root.join("ws"), ".", "../elsewhere/deeper/b.json"),
        (root.join("ws/north"), ".", "../../elsewhere/deeper/b.json"),
        (root.join("elsewhere/deeper"), "../../ws", "b.json"),
        (root.clone(), "ws", "elsewhere/deeper/b.json"),
    ] {
        let out = icslint_within(
            60,
            &["check", ws, "--format", "json", "--baseline", b],
            &cwd,
        );
        assert_eq!(
            findings(&out).len(),
            0,
            "from {}: {}",
            cwd.display(),
            stdout(&out)
        );
        assert_eq!(out.status.code(), Some(0), "from {}", cwd.display());
    }
}

#[test]
fn a_baseline_that_matches_nothing_says_so() {
    let root = baseline_workspace("baseline-stale");
    let out = icslint_within(
        60,
        &["check", "ws", "--format", "json", "--output", "b.json"],
        &root,
    );
    assert_eq!(out.status.code(), Some(1));
    // The workspace is fixed: nothing the baseline recorded is found.
    write(
        &root,
        "ws/north/a.icg",
        "system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" { system @s }\n",
    );
    let out = icslint_within(60, &["check", "ws", "--baseline", "b.json"], &root);
    let err = stderr(&out) + &stdout(&out);
    assert!(
        err.contains("matched none of the 1 findings it records"),
        "{err}"
    );
}

#[test]
fn forty_thousand_icb_and_icp_pairs_in_one_system() {
    // Each ICP's rules read its system's ICB (CCN141, CCN142, CCN143,
    // STA013): a scan of the system's blocks for it, per ICP, was
    // quadratic (82 s for 40,000 pairs), and the work budget did not see it.
    let dir = scratch("scale-icb-icp-pairs");
    let mut s = String::from("system s \"Big ICS\" { regime 2022 }\n");
    s.push_str("icb b0 { system @s; member \"C\" { role chair; person \"p0\" } }\n");
    for i in 0..40_000 {
        if i > 0 {
            s.push_str(&format!("icb b{i} {{ system @s }}\n"));
        }
        s.push_str(&format!(
            "icp c{i} {{ system @s; member \"C\" {{ role chair; person \"p{i}\" }} }}\n"
        ));
    }
    write(&dir, "big.icg", &s);
    write(
        &dir,
        "icslint.yaml",
        "select: [CCN141, CCN142, CCN143, STA013, ICG012]\n",
    );
    let out = icslint_within(120, &["check", ".", "--format", "json"], &dir);
    let found = findings(&out);
    assert_eq!(count(&found, "ICG012"), 0, "no rule stopped");
    assert_eq!(count(&found, "CCN141"), 40_000);
    assert_eq!(count(&found, "CCN142"), 40_000);
    // The system's ICB is the first, b0: only c0's chair sits on it.
    assert_eq!(count(&found, "CCN143"), 39_999);
    assert_eq!(count(&found, "STA013"), 40_000);
}
